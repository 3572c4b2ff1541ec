//! `seer demo`: a short showcase on sample inputs shipped in the model
//! packages; writes its results under `./seer-demo/`. It grows as
//! capabilities land.

use crate::output::print_json;
use crate::progress::TerminalProgress;
use anyhow::Context;
use clap::Args;
use seer_models::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `seer demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "seer-demo")]
    out: PathBuf,
}

#[derive(Serialize)]
struct UpscaleResult {
    model: String,
    input: String,
    output: String,
    input_size: [u32; 2],
    output_size: [u32; 2],
    seconds: f64,
    max_abs_diff_vs_package_reference: u8,
}

/// Runs the showcase.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let store = Store::open_default()?;
    let progress = TerminalProgress::new();
    let library = store.runtime_library(true, &progress)?;
    seer_runtime::init(&library)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let upscale = upscale_demo(&store, &progress, &args.out)?;
    let faces = faces_demo(&store, &progress, &args.out)?;
    let summary = serde_json::json!({ "upscale": upscale, "faces": faces });
    let text = serde_json::to_string_pretty(&summary)?;
    seer_models::files::write_atomic(&args.out.join("summary.json"), text.as_bytes())?;
    print_json(&summary)?;
    eprintln!("results written to {}", args.out.display());
    Ok(())
}

/// Upscales the package's sample image ×4 and compares with the package's own result.
fn upscale_demo(
    store: &Store,
    progress: &TerminalProgress,
    out: &Path,
) -> anyhow::Result<UpscaleResult> {
    let id = "upscale.esrgan-slim.x4";
    let model_path = store.ensure(id, progress)?;
    let model = store.model(id)?;
    let input_path = store.file_path(model, "assets/fixture.png");
    let reference_path = store.file_path(model, "assets/samples/4x/result.png");
    // The catalogue records whether the model works on 0..1 or 0..255 values.
    let range = model
        .facts
        .get("value_range")
        .and_then(|v| v.as_integer())
        .unwrap_or(1) as f32;
    let image = seer_imgproc::load_rgb(&input_path)?;
    let (shape, mut data) = seer_imgproc::rgb_to_nhwc(&image);
    data.iter_mut().for_each(|v| *v *= range);
    let mut session = seer_runtime::Session::from_file(&model_path, &Default::default())?;
    let started = std::time::Instant::now();
    let output = session
        .run(&[seer_runtime::Tensor { shape, data }])?
        .into_iter()
        .next()
        .context("model returned no output")?;
    let seconds = started.elapsed().as_secs_f64();
    let unit: Vec<f32> = output.data.iter().map(|v| v / range).collect();
    let result = seer_imgproc::rgb_from_nhwc(&output.shape, &unit)?;
    let reference = seer_imgproc::load_rgb(&reference_path)?;
    let max_diff = result
        .as_raw()
        .iter()
        .zip(reference.as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap_or(255);
    let output_path = out.join("upscale-x4.png");
    save_png(&result, &output_path)?;
    Ok(UpscaleResult {
        model: id.to_string(),
        input: input_path.display().to_string(),
        output: output_path.display().to_string(),
        input_size: [image.width(), image.height()],
        output_size: [result.width(), result.height()],
        seconds,
        max_abs_diff_vs_package_reference: max_diff,
    })
}

#[derive(Serialize)]
struct FacesResult {
    input: String,
    output: String,
    faces: Vec<seer_face::Face>,
}

/// Detects the faces in a group photo shipped with the face-api package and
/// draws them.
fn faces_demo(
    store: &Store,
    progress: &TerminalProgress,
    out: &Path,
) -> anyhow::Result<FacesResult> {
    let photos_model = "face.embed.resnet34";
    store.ensure(photos_model, progress)?;
    let input_path = store.file_path(store.model(photos_model)?, "demo/sample1.jpg");
    let image = seer_imgproc::load_rgb(&input_path)?;
    let mut detector = seer_face::Detector::from_store(store, progress)?;
    let faces = detector.detect(&image, &seer_face::DetectOptions::default())?;
    let drawn = seer_face::annotate::draw_faces(&image, &faces);
    let output_path = out.join("faces.png");
    save_png(&drawn, &output_path)?;
    Ok(FacesResult {
        input: input_path.display().to_string(),
        output: output_path.display().to_string(),
        faces,
    })
}

/// Writes a PNG so that `path` is either absent or complete.
fn save_png(image: &image::RgbImage, path: &Path) -> anyhow::Result<()> {
    crate::upscale::write_image(
        image::DynamicImage::ImageRgb8(image.clone()),
        path,
        image::ImageFormat::Png,
    )
}
