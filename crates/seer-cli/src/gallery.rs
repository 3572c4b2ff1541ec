//! `seer face enroll | identify | subjects | forget | audit | export |
//! import`: the encrypted face gallery. The key comes from
//! `SEER_GALLERY_KEY` or `--key-file`. The work is
//! `seer_face::workflow`'s; this module builds its options and prints.

use crate::face::{caller, detector_and_embedder};
use crate::output::{out_line, print_json, print_table, utc_time};
use crate::progress::cancel_on_ctrl_c;
use crate::progress::TerminalProgress;
use clap::Args;
use seer_face::workflow::{
    enrol, export_gallery, forget_subject, identify_image, import_gallery, EnrolOptions,
    EnrolSource, IdentifyOptions,
};
use seer_face::{Gallery, GalleryKey, GalleryLocation, ImageInput};
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

impl GalleryArgs {
    /// The gallery location: a PostgreSQL URL or a file.
    fn location(&self) -> GalleryLocation {
        match self.gallery.to_str() {
            Some(text) => GalleryLocation::parse(text),
            None => GalleryLocation::File(self.gallery.clone()),
        }
    }

    /// The key from `--key-file` or `SEER_GALLERY_KEY`.
    fn key(&self) -> anyhow::Result<GalleryKey> {
        Ok(GalleryKey::load(self.key_file.as_deref())?)
    }

    /// Opens a gallery that must already exist.
    fn open_existing(&self) -> anyhow::Result<Gallery> {
        Ok(Gallery::open_existing(&self.location(), self.key()?)?)
    }
}

/// The key file of `--export-key`, if given.
fn export_key(path: Option<&std::path::Path>) -> anyhow::Result<Option<GalleryKey>> {
    Ok(path.map(GalleryKey::from_file).transpose()?)
}

/// `seer face enroll`: every photo is described first; nothing is written
/// unless all of them are usable.
pub fn enroll(args: EnrollArgs) -> anyhow::Result<()> {
    let key = args.gallery.key()?;
    let progress = TerminalProgress::new();
    let cancel = cancel_on_ctrl_c();
    let (mut detector, mut embedder) = detector_and_embedder(&progress)?;
    let sources: Vec<EnrolSource> = args
        .images
        .iter()
        .map(|path| match seer_video::is_video_path(path) {
            true => EnrolSource::Video(path),
            false => EnrolSource::Image(ImageInput::Path(path)),
        })
        .collect();
    let options = EnrolOptions {
        subject: args.subject.clone(),
        largest: args.largest,
        keep_images: args.keep_images,
    };
    let done = enrol(
        &mut detector,
        &mut embedder,
        &args.gallery.location(),
        key,
        &sources,
        &options,
        &caller(),
        &progress,
        &cancel,
    )?;
    out_line(&format!(
        "enrolled {} descriptor(s) of {} from {} file(s); {} descriptor(s) in {}",
        done.added, done.subject, done.files, done.descriptors, done.gallery
    ));
    Ok(())
}

/// `seer face identify`.
pub fn identify(args: IdentifyArgs) -> anyhow::Result<()> {
    let options = IdentifyOptions {
        top_k: args.top_k,
        threshold: args.threshold,
        small_faces: args.small_faces,
        full_search_every: args.full_search_every,
    };
    let mut gallery = args.gallery.open_existing()?;
    if gallery.subjects().is_empty() {
        eprintln!("the gallery has no subjects; every face will be unknown");
    }
    if seer_video::is_video_path(&args.image) {
        return crate::face_video::identify(gallery, &args.image, &options, args.json);
    }
    let progress = TerminalProgress::new();
    let (mut detector, mut embedder) = detector_and_embedder(&progress)?;
    let result = identify_image(
        &mut detector,
        &mut embedder,
        &mut gallery,
        &ImageInput::Path(&args.image),
        &options,
        &caller(),
    )?;
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
    let subjects = args.gallery.open_existing()?.subjects();
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
    let mut gallery = args.gallery.open_existing()?;
    let done = forget_subject(&mut gallery, &args.name, &caller())?;
    out_line(&format!(
        "forgot {}: their descriptors are deleted and purged from {}",
        done.subject, done.gallery
    ));
    Ok(())
}

/// `seer face audit`.
pub fn audit(args: ListArgs) -> anyhow::Result<()> {
    let entries = args.gallery.open_existing()?.audit()?;
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
    let mut gallery = args.gallery.open_existing()?;
    let export_key = export_key(args.export_key.as_deref())?;
    let done = export_gallery(&mut gallery, &args.out, export_key.as_ref(), &caller())?;
    out_line(&format!(
        "exported {} subject(s), {} descriptor(s), to {} ({} bytes, encrypted under the {} key)",
        done.subjects,
        done.descriptors,
        done.archive,
        done.bytes,
        if done.export_key { "export" } else { "gallery" }
    ));
    Ok(())
}

/// `seer face import`: nothing is written unless the whole archive opens
/// and none of its subjects is already enrolled.
pub fn import(args: ImportArgs) -> anyhow::Result<()> {
    let key = args.gallery.key()?;
    let export_key = export_key(args.export_key.as_deref())?;
    let done = import_gallery(
        &args.gallery.location(),
        key,
        &args.input,
        export_key.as_ref(),
        &caller(),
    )?;
    out_line(&format!(
        "imported {} subject(s) into {}; it now holds {} descriptor(s)",
        done.subjects, done.gallery, done.descriptors
    ));
    Ok(())
}
