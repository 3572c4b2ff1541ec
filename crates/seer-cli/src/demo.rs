//! `seer demo`: a short showcase of each capability on sample inputs (the
//! repository's test data and the images shipped in the model packages).
//! It prints a few readable lines and writes `seer-demo/index.html`, one
//! offline page with every input beside its output. It grows as
//! capabilities land.

use crate::demo_page::{Picture, Section};
use crate::progress::TerminalProgress;
use anyhow::Context;
use clap::Args;
use image::{DynamicImage, RgbImage};
use seer_core::{CancelToken, NoProgress};
use seer_face::workflow::{
    enrol_into, identify_image, verify_images, EnrolOptions, EnrolSource, IdentifyOptions,
};
use seer_face::{Detector, Embedder, Gallery, GalleryKey, GalleryLocation, ImageInput};
use seer_models::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `seer demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "seer-demo")]
    out: PathBuf,
    /// Folder with the sample data (Set5, labelled faces); the
    /// repository's testdata/ by default.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata"))]
    data: PathBuf,
}

/// What the demo measured, also written to `summary.json`.
#[derive(Serialize)]
struct Summary {
    upscale: UpscaleSummary,
    faces: FacesSummary,
    identify: IdentifySummary,
    objects: ObjectsSummary,
    drive: DriveSummary,
    seconds: f64,
}

#[derive(Serialize)]
struct ObjectsSummary {
    image: String,
    counts: std::collections::BTreeMap<String, usize>,
    seconds: f64,
}

#[derive(Serialize)]
struct DriveSummary {
    image: String,
    road_users: usize,
    nearest: Option<(String, f64)>,
    seconds: f64,
}

#[derive(Serialize)]
struct UpscaleSummary {
    image: String,
    model: String,
    engine: String,
    input_size: (u32, u32),
    output_size: (u32, u32),
    psnr_y_db: f64,
    bicubic_psnr_y_db: f64,
    seconds: f64,
}

#[derive(Serialize)]
struct FacesSummary {
    image: String,
    faces: usize,
    seconds: f64,
}

#[derive(Serialize)]
struct IdentifySummary {
    enrolled: Vec<String>,
    same_person_distance: f32,
    different_people_distance: f32,
    probe: String,
    named: Vec<String>,
}

/// Runs the showcase.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = Store::open_default()?;
    let progress = TerminalProgress::new();
    let library = store.runtime_library(true, &progress)?;
    seer_runtime::init(&library)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    if !args.data.join("sr/Set5").is_dir() {
        anyhow::bail!(
            "the sample data folder {} has no sr/Set5; run the demo from a clone of the repository or give --data",
            args.data.display()
        );
    }

    let mut sections = Vec::new();
    let upscale = upscale_demo(&store, &progress, &args.data, &mut sections)?;
    let mut detector = Detector::from_store(&store, &progress)?;
    let faces = faces_demo(&store, &progress, &mut detector, &mut sections)?;
    let mut embedder = Embedder::from_store(&store, &progress)?;
    let identify = identify_demo(&mut detector, &mut embedder, &args.data, &mut sections)?;
    let objects = objects_demo(&store, &args.data, &args.out, &mut sections)?;
    let drive = drive_demo(&store, &args.data, &args.out, &mut sections)?;

    let summary = Summary {
        upscale,
        faces,
        identify,
        objects,
        drive,
        seconds: started.elapsed().as_secs_f64(),
    };
    let text = serde_json::to_string_pretty(&summary)?;
    seer_core::atomic::write_atomic(&args.out.join("summary.json"), text.as_bytes())?;
    let page = crate::demo_page::render("seer demo", &sections);
    let index = args.out.join("index.html");
    seer_core::atomic::write_atomic(&index, page.as_bytes())?;
    print_summary(&summary, &index);
    Ok(())
}

/// The lines a person reads at the end.
fn print_summary(summary: &Summary, index: &Path) {
    let up = &summary.upscale;
    let out = crate::output::out_line;
    out(&format!(
        "upscaling  {} x4 ({}, {} engine): {:.2} dB PSNR-Y vs {:.2} dB for bicubic, {:.1} s",
        up.image, up.model, up.engine, up.psnr_y_db, up.bicubic_psnr_y_db, up.seconds
    ));
    out(&format!(
        "faces      {}: {} faces found in {:.2} s, drawn and blurred",
        summary.faces.image, summary.faces.faces, summary.faces.seconds
    ));
    let id = &summary.identify;
    out(&format!(
        "verify     same person at distance {:.2}, different people at {:.2} (same below 0.60)",
        id.same_person_distance, id.different_people_distance
    ));
    out(&format!(
        "identify   {} against {} enrolled subjects (in memory): {}",
        id.probe,
        id.enrolled.len(),
        id.named.join(", ")
    ));
    let counts: Vec<String> = summary
        .objects
        .counts
        .iter()
        .map(|(class, n)| format!("{n} {class}"))
        .collect();
    out(&format!(
        "objects    {}: {} in {:.2} s",
        summary.objects.image,
        counts.join(", "),
        summary.objects.seconds
    ));
    let dr = &summary.drive;
    out(&format!(
        "drive      {}: {} road users, nearest {} in {:.2} s",
        dr.image,
        dr.road_users,
        dr.nearest
            .as_ref()
            .map(|(class, d)| format!("{class} at {d:.0} m"))
            .unwrap_or_else(|| "none".into()),
        dr.seconds
    ));
    out(&format!(
        "done in {:.0} s; open {} (summary.json beside it)",
        summary.seconds,
        index.display()
    ));
}

/// PNG bytes of an image, for the page.
fn png(image: &RgbImage) -> anyhow::Result<Picture> {
    let bytes = seer_face::input::png_bytes(image)?;
    Ok(Picture {
        caption: String::new(),
        bytes,
        mime: "image/png",
    })
}

/// A captioned PNG picture (small, exact images).
fn picture(image: &RgbImage, caption: String) -> anyhow::Result<Picture> {
    Ok(Picture {
        caption,
        ..png(image)?
    })
}

/// A captioned JPEG picture (large photos; keeps the page small).
fn photo(image: &RgbImage, caption: String) -> anyhow::Result<Picture> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85).encode_image(image)?;
    Ok(Picture {
        caption,
        bytes,
        mime: "image/jpeg",
    })
}

/// Set5's butterfly reduced ×4 by bicubic, then enlarged ×4 by the photo
/// tier and by bicubic, both compared with the original.
fn upscale_demo(
    store: &Store,
    progress: &TerminalProgress,
    data: &Path,
    sections: &mut Vec<Section>,
) -> anyhow::Result<UpscaleSummary> {
    let path = data.join("sr/Set5/butterfly.png");
    let hr = seer_imgproc::load_rgb(&path)?;
    let (w, h) = (hr.width() / 4 * 4, hr.height() / 4 * 4);
    let hr = image::imageops::crop_imm(&hr, 0, 0, w, h).to_image();
    let lr = seer_imgproc::imresize_bicubic_rgb8(&hr, w / 4, h / 4);
    let bicubic = seer_imgproc::imresize_bicubic_rgb8(&lr, w, h);
    let job = seer_upscale::job::ImageJob {
        model: "photo".into(),
        target: Some(seer_upscale::Target::Scale(4.0)),
        ..Default::default()
    };
    let mut upscaler = seer_upscale::job::ImageUpscaler::new(store, job);
    let done = upscaler.upscale_image(
        &DynamicImage::ImageRgb8(lr.clone()),
        progress,
        &CancelToken::new(),
    )?;
    let sr = done.image.to_rgb8();
    let psnr = seer_imgproc::psnr_y(&sr, &hr, 4)?;
    let bicubic_psnr = seer_imgproc::psnr_y(&bicubic, &hr, 4)?;
    let report = done.report;
    let nearest = image::imageops::resize(&lr, w, h, image::imageops::FilterType::Nearest);
    sections.push(Section {
        title: "Upscaling ×4".into(),
        lines: vec![format!(
            "Set5 butterfly reduced to {}×{} by bicubic, then enlarged ×4 to {}×{} by {} ({}) in {:.2} s: PSNR-Y {:.2} dB against the original, bicubic {:.2} dB.",
            lr.width(),
            lr.height(),
            sr.width(),
            sr.height(),
            report.chain.join(" then "),
            report.engines.join(", "),
            report.seconds,
            psnr,
            bicubic_psnr
        )],
        pictures: vec![
            picture(&nearest, format!("input {}×{} (shown enlarged)", lr.width(), lr.height()))?,
            picture(&bicubic, format!("bicubic ×4, {bicubic_psnr:.2} dB"))?,
            picture(&sr, format!("seer photo tier ×4, {psnr:.2} dB"))?,
            picture(&hr, "original".into())?,
        ],
    });
    Ok(UpscaleSummary {
        image: "Set5 butterfly".into(),
        model: report.chain.join(" then "),
        engine: report.engines.join(", "),
        input_size: report.input_size,
        output_size: report.output_size,
        psnr_y_db: psnr,
        bicubic_psnr_y_db: bicubic_psnr,
        seconds: report.seconds,
    })
}

/// Detects the faces in a group photo shipped with the face-api package,
/// draws them, and blurs them.
fn faces_demo(
    store: &Store,
    progress: &TerminalProgress,
    detector: &mut Detector,
    sections: &mut Vec<Section>,
) -> anyhow::Result<FacesSummary> {
    let photos_model = "face.embed.resnet34";
    store.ensure(photos_model, progress)?;
    let path = store.file_path(store.model(photos_model)?, "demo/sample1.jpg");
    let started = Instant::now();
    let result = seer_face::workflow::detect_image(
        detector,
        &ImageInput::Path(&path),
        &seer_face::DetectOptions::default(),
        None,
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let image = seer_imgproc::load_rgb(&path)?;
    let drawn = seer_face::annotate::draw_faces(&image, &result.faces);
    let mut blurred = image.clone();
    let boxes: Vec<_> = result.faces.iter().map(|f| f.bbox).collect();
    seer_face::blur_faces(&mut blurred, &boxes, &seer_face::BlurOptions::default());
    sections.push(Section {
        title: "Faces: detect and blur".into(),
        lines: vec![format!(
            "{} faces found in {:.2} s (boxes, six keypoints each); every face blurred for privacy.",
            result.faces.len(),
            seconds
        )],
        pictures: vec![
            photo(&drawn, format!("{} faces detected", result.faces.len()))?,
            photo(&blurred, "faces blurred".into())?,
        ],
    });
    Ok(FacesSummary {
        image: "face-api sample1.jpg".into(),
        faces: result.faces.len(),
        seconds,
    })
}

/// Enrols the labelled subjects into an in-memory gallery, verifies two
/// pairs and identifies the people in a two-person photo.
fn identify_demo(
    detector: &mut Detector,
    embedder: &mut Embedder,
    data: &Path,
    sections: &mut Vec<Section>,
) -> anyhow::Result<IdentifySummary> {
    let faces = data.join("faces");
    let mut gallery = Gallery::open(&GalleryLocation::Memory, GalleryKey::random()?)?;
    let mut enrolled = Vec::new();
    let mut subjects: Vec<PathBuf> = std::fs::read_dir(faces.join("gallery"))
        .with_context(|| format!("reading {}", faces.join("gallery").display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subjects.sort();
    for dir in subjects {
        let subject = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut photos: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| seer_imgproc::is_image_path(p))
            .collect();
        photos.sort();
        let sources: Vec<EnrolSource> = photos
            .iter()
            .map(|p| EnrolSource::Image(ImageInput::Path(p)))
            .collect();
        let options = EnrolOptions {
            subject: subject.clone(),
            largest: false,
            keep_images: false,
        };
        enrol_into(
            detector,
            embedder,
            &mut gallery,
            &sources,
            &options,
            "demo",
            &NoProgress,
            &CancelToken::new(),
        )?;
        enrolled.push(subject);
    }
    let file = |p: &str| faces.join(p);
    let (obama1, obama2, biden) = (
        file("gallery/obama/1.jpg"),
        file("gallery/obama/2.jpg"),
        file("gallery/biden/1.jpg"),
    );
    let same = verify_images(
        detector,
        embedder,
        &ImageInput::Path(&obama1),
        &ImageInput::Path(&obama2),
    )?;
    let different = verify_images(
        detector,
        embedder,
        &ImageInput::Path(&obama1),
        &ImageInput::Path(&biden),
    )?;
    let probe = file("probes/obama_and_biden.jpg");
    let result = identify_image(
        detector,
        embedder,
        &mut gallery,
        &ImageInput::Path(&probe),
        &IdentifyOptions::default(),
        "demo",
    )?;
    let mut by_x: Vec<_> = result.faces.iter().collect();
    by_x.sort_by(|a, b| a.face.bbox.x.total_cmp(&b.face.bbox.x));
    let named: Vec<String> = by_x
        .iter()
        .map(|f| match f.distance {
            Some(d) => format!("{} ({d:.2})", f.subject),
            None => f.subject.clone(),
        })
        .collect();
    let image = seer_imgproc::load_rgb(&probe)?;
    let boxes: Vec<_> = result.faces.iter().map(|f| f.face.clone()).collect();
    let drawn = seer_face::annotate::draw_faces(&image, &boxes);
    sections.push(Section {
        title: "Faces: verify and identify".into(),
        lines: vec![
            format!(
                "Verification: two photos of one person at distance {:.2}, two different people at {:.2} (the same person below 0.60).",
                same.verification.distance, different.verification.distance
            ),
            format!(
                "Identification against {} subjects enrolled with their photos in an encrypted in-memory gallery: {} (left to right; unknown when no enrolled subject is close).",
                enrolled.len(),
                named.join(", ")
            ),
        ],
        pictures: vec![photo(&drawn, named.join(", "))?],
    });
    Ok(IdentifySummary {
        enrolled,
        same_person_distance: same.verification.distance,
        different_people_distance: different.verification.distance,
        probe: "obama_and_biden.jpg".into(),
        named,
    })
}

/// Objects (80 COCO classes) in a photo, drawn.
fn objects_demo(
    store: &Store,
    data: &Path,
    out: &Path,
    sections: &mut Vec<Section>,
) -> anyhow::Result<ObjectsSummary> {
    let path = data.join("faces/probes/obama_and_biden.jpg");
    let drawn_path = out.join("objects.jpg");
    let result = seer_objects::detect_image_objects(
        store,
        &path,
        &seer_objects::ObjectOptions::default(),
        Some(&drawn_path),
    )?;
    let mut counts = std::collections::BTreeMap::new();
    for o in &result.objects {
        *counts.entry(o.class.clone()).or_insert(0) += 1;
    }
    let listed: Vec<String> = counts.iter().map(|(c, n)| format!("{n} {c}")).collect();
    let drawn = seer_imgproc::load_rgb(&drawn_path)?;
    sections.push(Section {
        title: "Scene: objects".into(),
        lines: vec![format!(
            "CenterNet (80 COCO classes) at the photo's aspect ratio: {} in {:.2} s.",
            listed.join(", "),
            result.seconds
        )],
        pictures: vec![photo(&drawn, listed.join(", "))?],
    });
    Ok(ObjectsSummary {
        image: "obama_and_biden.jpg".into(),
        counts,
        seconds: result.seconds,
    })
}

/// Road users with their distances on a dashcam frame, drawn.
fn drive_demo(
    store: &Store,
    data: &Path,
    out: &Path,
    sections: &mut Vec<Section>,
) -> anyhow::Result<DriveSummary> {
    let path = data.join("drive/test_images/solidWhiteCurve.jpg");
    let outputs = seer_drive::DriveOutputs {
        log: None,
        draw: Some(out.join("drive.jpg")),
    };
    let report =
        seer_drive::drive_image(store, &path, &seer_drive::DriveOptions::default(), &outputs)?;
    let objects = report.frame.map(|f| f.objects).unwrap_or_default();
    let nearest = objects
        .iter()
        .find_map(|o| o.distance_m.map(|d| (o.class.clone(), d)));
    let drawn = seer_imgproc::load_rgb(&out.join("drive.jpg"))?;
    let near_text = nearest
        .as_ref()
        .map(|(c, d)| format!("the nearest a {c} at {d:.0} m"))
        .unwrap_or_else(|| "none".into());
    sections.push(Section {
        title: "Driving: road users and distances".into(),
        lines: vec![format!(
            "One dashcam camera, no LiDAR: {} road users, each with its distance in metres from the ground plane fused with size priors; {near_text}; {:.2} s.",
            objects.len(),
            report.seconds
        )],
        pictures: vec![photo(&drawn, format!("{} road users with distances", objects.len()))?],
    });
    Ok(DriveSummary {
        image: "solidWhiteCurve.jpg".into(),
        road_users: objects.len(),
        nearest,
        seconds: report.seconds,
    })
}
