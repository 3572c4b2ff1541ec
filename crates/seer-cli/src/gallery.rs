//! `seer face enroll | identify | subjects | forget | audit | export |
//! import`: the encrypted face gallery. The key comes from
//! `SEER_GALLERY_KEY` or `--key-file`.

use crate::face::{detect_in, load, runtime};
use crate::output::{out_line, print_json, print_table, utc_time};
use crate::progress::TerminalProgress;
use anyhow::Context;
use clap::Args;
use seer_face::{
    best_subject, enrolment_embedding, DetectOptions, Detector, Embedder, Face, FacePolicy,
    Gallery, GalleryKey, Match,
};
use serde::Serialize;
use std::path::PathBuf;

/// Where the gallery is and how to open it.
#[derive(Args)]
pub struct GalleryArgs {
    /// The gallery file (SQLite; created by the first enrol), or a
    /// PostgreSQL database as postgres://USER:PASSWORD@HOST/DATABASE.
    #[arg(long, value_name = "FILE|URL")]
    gallery: PathBuf,
    /// A file holding the 64-hex-character key (else SEER_GALLERY_KEY).
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
}

/// Arguments of `seer face enroll`.
#[derive(Args)]
pub struct EnrollArgs {
    #[command(flatten)]
    gallery: GalleryArgs,
    /// The subject's name (added to when already enrolled).
    #[arg(long)]
    subject: String,
    /// Photos of the subject, each showing exactly one face, or videos
    /// (.mp4, .mkv, .mov, .webm) showing one person: up to 5 of the best
    /// frames of their face track are enrolled.
    #[arg(required = true, value_name = "IMG|VIDEO")]
    images: Vec<PathBuf>,
    /// Enrol the largest face of a photo that shows several (of a video:
    /// the most prominent face track).
    #[arg(long)]
    largest: bool,
    /// Also keep the photos themselves in the gallery (encrypted); by
    /// default only the face descriptors are stored.
    #[arg(long)]
    keep_images: bool,
}

/// Arguments of `seer face export`.
#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    gallery: GalleryArgs,
    /// A file holding the 64-hex-character key to seal the archive with
    /// (default: the gallery's key).
    #[arg(long, value_name = "FILE")]
    export_key: Option<PathBuf>,
    /// The archive to write (replaced if it exists).
    out: PathBuf,
}

/// Arguments of `seer face import`.
#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    gallery: GalleryArgs,
    /// A file holding the 64-hex-character key the archive was sealed with
    /// (default: the gallery's key).
    #[arg(long, value_name = "FILE")]
    export_key: Option<PathBuf>,
    /// The archive to read (from `seer face export`).
    input: PathBuf,
}

/// Arguments of `seer face identify`.
#[derive(Args)]
pub struct IdentifyArgs {
    #[command(flatten)]
    gallery: GalleryArgs,
    /// The photo.
    image: PathBuf,
    /// How many candidate subjects to report per face.
    #[arg(long, default_value_t = 1)]
    top_k: usize,
    /// Distance under which the nearest subject is accepted.
    #[arg(long, default_value_t = seer_face::SAME_PERSON_DISTANCE)]
    threshold: f32,
    /// Also search a tile pyramid for small faces (about 55 more model
    /// runs on a 720p frame, more levels at 4K; measured 18× slower on a
    /// 4K photo). On video, see --full-search-every.
    #[arg(long)]
    small_faces: bool,
    /// Video with --small-faces: run the full tile search on every N-th
    /// frame and, in between, search the whole frame plus a crop around
    /// each face seen lately (1 = full search on every frame).
    #[arg(long, default_value_t = seer_face::DEFAULT_FULL_SEARCH_INTERVAL, value_name = "N")]
    full_search_every: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer face subjects` and `seer face audit`.
#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    gallery: GalleryArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `seer face forget`.
#[derive(Args)]
pub struct ForgetArgs {
    #[command(flatten)]
    gallery: GalleryArgs,
    /// The subject to delete.
    name: String,
}

#[derive(Serialize)]
struct IdentifiedFace {
    face: Face,
    /// The identified subject, or "unknown".
    subject: String,
    /// Distance to the nearest subject (none in an empty gallery).
    distance: Option<f32>,
    candidates: Vec<Match>,
}

#[derive(Serialize)]
struct IdentifyOutput {
    image: String,
    width: u32,
    height: u32,
    threshold: f32,
    faces: Vec<IdentifiedFace>,
}

/// Who is asking, for the audit trail.
pub(crate) fn caller() -> String {
    let user = std::env::var("USER").unwrap_or_default();
    let user: String = user.chars().filter(|c| !c.is_control()).take(80).collect();
    if user.trim().is_empty() {
        "cli".to_string()
    } else {
        format!("cli:{}", user.trim())
    }
}

fn key(args: &GalleryArgs) -> anyhow::Result<GalleryKey> {
    Ok(GalleryKey::load(args.key_file.as_deref())?)
}

impl GalleryArgs {
    /// True when the gallery is a PostgreSQL URL or an existing file.
    fn exists(&self) -> bool {
        self.gallery
            .to_str()
            .is_some_and(seer_face::gallery::is_postgres_url)
            || self.gallery.exists()
    }
}

fn open(args: &GalleryArgs, key: GalleryKey) -> anyhow::Result<Gallery> {
    Ok(Gallery::open_or_create(&args.gallery, key)?)
}

/// Opens a gallery that must already exist.
fn open_existing(args: &GalleryArgs) -> anyhow::Result<Gallery> {
    let key = key(args)?;
    if !args.exists() {
        anyhow::bail!(
            "no gallery at {}; enrol a subject first (seer face enroll --gallery {} --subject NAME IMG…)",
            args.gallery.display(),
            args.gallery.display()
        );
    }
    open(args, key)
}

/// `seer face enroll`: every photo is described first; nothing is written
/// unless all of them are usable.
pub fn enroll(args: EnrollArgs) -> anyhow::Result<()> {
    let key = key(&args.gallery)?;
    // Check the key of an existing gallery before the slow part.
    let mut gallery = if args.gallery.exists() {
        Some(open(&args.gallery, key.clone())?)
    } else {
        crate::output::require_output_folder(&args.gallery.gallery)?;
        None
    };
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let mut embedder = Embedder::from_store(&store, &progress)?;
    let policy = if args.largest {
        FacePolicy::Largest
    } else {
        FacePolicy::ExactlyOne
    };
    let mut embeddings = Vec::new();
    let mut photos = Vec::new();
    for path in &args.images {
        if seer_video::is_video_path(path) {
            let (found, crops) = crate::face_video::enrolment_from_video(
                path,
                &mut detector,
                &mut embedder,
                args.largest,
                args.keep_images,
                &progress,
            )
            .with_context(|| format!("nothing was enrolled: {} is not usable", path.display()))?;
            embeddings.extend(found);
            photos.extend(crops);
            continue;
        }
        let image = load(path)
            .with_context(|| format!("nothing was enrolled: cannot read {}", path.display()))?;
        let (_, embedding) =
            enrolment_embedding(&mut detector, &mut embedder, &image, path, policy).with_context(
                || format!("nothing was enrolled: {} is not usable", path.display()),
            )?;
        embeddings.push(embedding);
        if args.keep_images {
            photos.push(std::fs::read(path).with_context(|| {
                format!("nothing was enrolled: cannot read {}", path.display())
            })?);
        }
    }
    let mut gallery = match gallery.take() {
        Some(g) => g,
        None => open(&args.gallery, key)?,
    };
    let total = gallery.enroll_with_photos(&args.subject, &embeddings, &photos, &caller())?;
    out_line(&format!(
        "enrolled {} descriptor(s) of {} from {} file(s); {} descriptor(s) in {}",
        embeddings.len(),
        args.subject,
        args.images.len(),
        total,
        gallery.path().display()
    ));
    Ok(())
}

/// `seer face identify`.
pub fn identify(args: IdentifyArgs) -> anyhow::Result<()> {
    if args.top_k == 0 {
        anyhow::bail!("--top-k must be at least 1");
    }
    if !(args.threshold.is_finite() && args.threshold > 0.0) {
        anyhow::bail!(
            "--threshold must be a positive distance, got {}",
            args.threshold
        );
    }
    let mut gallery = open_existing(&args.gallery)?;
    gallery.set_threshold(args.threshold);
    if gallery.subjects().is_empty() {
        eprintln!("the gallery has no subjects; every face will be unknown");
    }
    if seer_video::is_video_path(&args.image) {
        return crate::face_video::identify(
            gallery,
            &args.image,
            args.small_faces,
            args.full_search_every,
            args.top_k,
            args.json,
        );
    }
    let progress = TerminalProgress::new();
    let store = runtime(&progress)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let mut embedder = Embedder::from_store(&store, &progress)?;
    let options = DetectOptions {
        small_faces: args.small_faces,
        ..Default::default()
    };
    let (image, faces) = detect_in(&mut detector, &args.image, &options)?;
    let embeddings = embedder
        .embed_all(&image, &faces)
        .with_context(|| format!("cannot describe the faces in {}", args.image.display()))?;
    let mut identified = Vec::new();
    for (face, embedding) in faces.into_iter().zip(embeddings) {
        let candidates = gallery.identify(&embedding, args.top_k);
        identified.push(IdentifiedFace {
            subject: best_subject(&candidates)
                .unwrap_or(seer_face::gallery::UNKNOWN)
                .to_string(),
            distance: candidates.first().map(|m| m.distance),
            face,
            candidates,
        });
    }
    let named: Vec<&str> = identified.iter().map(|f| f.subject.as_str()).collect();
    gallery.record_identification(&named, &caller())?;
    let result = IdentifyOutput {
        image: args.image.display().to_string(),
        width: image.width(),
        height: image.height(),
        threshold: gallery.threshold(),
        faces: identified,
    };
    if args.json {
        return print_json(&result);
    }
    let rows: Vec<Vec<String>> = result
        .faces
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let b = f.face.bbox;
            let others: Vec<String> = f
                .candidates
                .iter()
                .skip(1)
                .map(|m| format!("{} {:.3}", m.subject, m.distance))
                .collect();
            vec![
                i.to_string(),
                format!("{:.0},{:.0} {:.0}x{:.0}", b.x, b.y, b.width, b.height),
                f.subject.clone(),
                f.distance.map_or("-".to_string(), |d| format!("{d:.3}")),
                others.join(", "),
            ]
        })
        .collect();
    print_table(
        &["face", "box (x,y wxh px)", "subject", "distance", "next"],
        &rows,
    );
    if result.faces.is_empty() {
        eprintln!("no faces found in {}", result.image);
    }
    Ok(())
}

/// `seer face subjects`.
pub fn subjects(args: ListArgs) -> anyhow::Result<()> {
    let gallery = open_existing(&args.gallery)?;
    let subjects = gallery.subjects();
    if args.json {
        return print_json(&subjects);
    }
    let rows: Vec<Vec<String>> = subjects
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.embeddings.to_string(),
                utc_time(s.created),
            ]
        })
        .collect();
    print_table(&["subject", "descriptors", "enrolled (UTC)"], &rows);
    Ok(())
}

/// `seer face forget`.
pub fn forget(args: ForgetArgs) -> anyhow::Result<()> {
    let mut gallery = open_existing(&args.gallery)?;
    if !gallery.forget(&args.name, &caller())? {
        anyhow::bail!(
            "no subject {:?} in {}; `seer face subjects` lists them",
            args.name,
            gallery.path().display()
        );
    }
    out_line(&format!(
        "forgot {}: their descriptors are deleted and purged from {}",
        args.name,
        gallery.path().display()
    ));
    Ok(())
}

/// `seer face audit`.
pub fn audit(args: ListArgs) -> anyhow::Result<()> {
    let gallery = open_existing(&args.gallery)?;
    let entries = gallery.audit()?;
    if args.json {
        return print_json(&entries);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                utc_time(e.time),
                e.action.clone(),
                e.subject.clone(),
                e.caller.clone(),
            ]
        })
        .collect();
    print_table(&["time (UTC)", "action", "subject", "caller"], &rows);
    Ok(())
}

/// `seer face export`.
pub fn export(args: ExportArgs) -> anyhow::Result<()> {
    let mut gallery = open_existing(&args.gallery)?;
    crate::output::require_output_folder(&args.out)?;
    let export_key = args
        .export_key
        .as_deref()
        .map(GalleryKey::from_file)
        .transpose()?;
    let count = gallery.export(&args.out, export_key.as_ref(), &caller())?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    out_line(&format!(
        "exported {count} subject(s), {} descriptor(s), to {} ({} bytes, encrypted under the {} key)",
        gallery.embedding_count(),
        args.out.display(),
        size,
        if export_key.is_some() { "export" } else { "gallery" }
    ));
    Ok(())
}

/// `seer face import`: nothing is written unless the whole archive opens
/// and none of its subjects is already enrolled.
pub fn import(args: ImportArgs) -> anyhow::Result<()> {
    let key = key(&args.gallery)?;
    let new_gallery = !args.gallery.exists();
    if new_gallery {
        crate::output::require_output_folder(&args.gallery.gallery)?;
    }
    let export_key = args
        .export_key
        .as_deref()
        .map(GalleryKey::from_file)
        .transpose()?;
    let mut gallery = open(&args.gallery, key)?;
    // The location as the gallery names it (a URL without its password).
    let label = gallery.path().display().to_string();
    let count = match gallery.import(&args.input, export_key.as_ref(), &caller()) {
        Ok(count) => count,
        Err(err) => {
            if new_gallery {
                // Leave no empty gallery behind a failed import.
                drop(gallery);
                for suffix in ["", "-wal", "-shm"] {
                    let mut name = args.gallery.gallery.clone().into_os_string();
                    name.push(suffix);
                    let _ = std::fs::remove_file(name);
                }
            }
            return Err(
                anyhow::Error::new(err).context(format!("nothing was imported into {}", label))
            );
        }
    };
    out_line(&format!(
        "imported {count} subject(s) into {}; it now holds {} descriptor(s)",
        label,
        gallery.embedding_count()
    ));
    Ok(())
}
