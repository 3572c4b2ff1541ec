//! `seer bench …`: quality and speed measurements, one subcommand per capability.

use clap::Subcommand;
use seer_eval::EvalError;

/// `seer bench …` commands.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// PSNR/SSIM (luma) of an upscaler on a folder of HR images vs plain bicubic.
    Upscale(crate::upscale::BenchUpscaleArgs),
    /// Faces/s of decode+detect+embed on the face-api demo photos; detection frames/s at 720p.
    FacesThroughput(crate::face_bench::FacesThroughputArgs),
    /// GFLOP/s of an N×N fp32 MatMul in ONNX Runtime (the CPU's practical peak).
    Matmul(crate::bench_upscale_perf::MatmulArgs),
    /// Per upscaling model: MFLOP per LR pixel, ms per tile, GFLOP/s, % of the MatMul peak.
    UpscaleSpeed(crate::bench_upscale_perf::UpscaleSpeedArgs),
    /// The `seer upscale` path against a bare ONNX Runtime loop on the same tiles.
    UpscaleOverhead(crate::bench_upscale_perf::UpscaleOverheadArgs),
    /// Anti-spoofing models on real faces vs simulated print/screen/mask attacks: AUC, APCER/BPCER.
    Liveness(crate::face_liveness::BenchLivenessArgs),
    /// Face detection recall and false positives on synthetic scenes of small faces, normal and dark.
    FacesSynthetic(crate::bench_faces_synthetic::BenchFacesSyntheticArgs),
    /// Verification AUC and TAR@FAR 1 % with one face of each pair clean, 24 px or darkened.
    FacesVerify(crate::bench_faces_verify::BenchFacesVerifyArgs),
    /// Gallery identification on a labelled folder: rank-1, misses, false accepts.
    Faces(crate::bench_faces::BenchFacesArgs),
    /// Exact top-k search latency (median, p99) over N random descriptors.
    GallerySearch(crate::bench_faces::BenchGallerySearchArgs),
    /// Scene library search latency (p50, p99) over a synthetic library of N shots.
    SceneSearch(crate::bench_scene_search::BenchSceneSearchArgs),
}

/// Runs `seer bench …`.
pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Upscale(args) => crate::upscale::bench(args),
        BenchCommand::FacesThroughput(args) => crate::face_bench::run(args),
        BenchCommand::Matmul(args) => crate::bench_upscale_perf::matmul(args),
        BenchCommand::UpscaleSpeed(args) => crate::bench_upscale_perf::upscale_speed(args),
        BenchCommand::UpscaleOverhead(args) => crate::bench_upscale_perf::upscale_overhead(args),
        BenchCommand::Liveness(args) => crate::face_liveness::bench(args),
        BenchCommand::FacesSynthetic(args) => crate::bench_faces_synthetic::run(args),
        BenchCommand::FacesVerify(args) => crate::bench_faces_verify::run(args),
        BenchCommand::Faces(args) => crate::bench_faces::faces(args),
        BenchCommand::GallerySearch(args) => crate::bench_faces::gallery_search(args),
        BenchCommand::SceneSearch(args) => crate::bench_scene_search::run(args),
    }
}

/// The error with an option's field name replaced by its flag
/// (`top_k` → `--top-k`).
pub fn with_flag(error: EvalError) -> anyhow::Error {
    match error {
        EvalError::InvalidOption { option, why } => {
            anyhow::anyhow!("--{} {why}", option.replace('_', "-"))
        }
        other => other.into(),
    }
}
