//! `seer`: the command-line front end of the seer computer-vision engine.

mod demo;
mod info;
mod models;
mod output;
mod progress;

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
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
