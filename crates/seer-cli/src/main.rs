//! `seer`: the command-line front end of the seer computer-vision engine.

mod bench;
mod bench_faces;
mod bench_faces_synthetic;
mod bench_faces_verify;
mod bench_scene_search;
mod bench_upscale_perf;
mod demo;
mod demo_page;
mod drive;
mod face;
mod face_bench;
mod face_blur;
mod face_liveness;
mod face_video;
mod gallery;
mod info;
mod models;
mod output;
mod progress;
mod scene;
mod scene_library;
mod upscale;
mod upscale_batch;
mod upscale_video;

use clap::{Parser, Subcommand};

/// seer — faces, upscaling, scene understanding and driving perception.
#[derive(Parser)]
#[command(name = "seer", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage models: list, fetch, verify, import.
    Models {
        #[command(subcommand)]
        command: models::ModelsCommand,
    },
    /// Show the runtime, threads, cache folder and CPU features.
    Info(info::InfoArgs),
    /// Enlarge an image or a video with neural super-resolution (×2, ×3, ×4, ×8).
    Upscale(upscale::UpscaleArgs),
    /// Measure quality and speed on a dataset.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Faces: detect, verify; enrol, identify and forget in a gallery.
    Face {
        #[command(subcommand)]
        command: face::FaceCommand,
    },
    /// Scene understanding: objects in video and images.
    Scene {
        #[command(subcommand)]
        command: scene::SceneCommand,
    },
    /// Driving perception on dashcam video or an image: road users with distance, lead, TTC, collision warning.
    Drive(drive::DriveArgs),
    /// Run a short showcase on sample inputs; writes results under ./seer-demo/.
    Demo(demo::DemoArgs),
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SEER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Models { command } => models::run(command),
        Command::Info(args) => info::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Face { command } => face::run(command),
        Command::Upscale(args) => upscale::run(args),
        Command::Bench { command } => bench::run(command),
        Command::Drive(args) => drive::run(args),
        Command::Scene { command } => scene::run(command),
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
