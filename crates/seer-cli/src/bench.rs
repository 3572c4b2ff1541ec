//! `seer bench …`: quality and speed measurements, one subcommand per capability.

use clap::Subcommand;

/// `seer bench …` commands.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// PSNR/SSIM (luma) of an upscaler on a folder of HR images vs plain bicubic.
    Upscale(crate::upscale::BenchUpscaleArgs),
}

/// Runs `seer bench …`.
pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Upscale(args) => crate::upscale::bench(args),
    }
}
