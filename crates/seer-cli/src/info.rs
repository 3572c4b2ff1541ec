//! `seer info`: what seer runs on.

use crate::output::{out_line, print_json};
use clap::Args;
use seer_models::Store;
use serde::Serialize;

/// Arguments of `seer info`.
#[derive(Args)]
pub struct InfoArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Info {
    seer_version: &'static str,
    cache_dir: String,
    runtime_library: String,
    runtime_version: Option<String>,
    runtime_problem: Option<String>,
    threads: usize,
    logical_cpus: usize,
    cpu_features: Vec<&'static str>,
}

/// Prints runtime, threads, cache folder and CPU features; never fetches.
pub fn run(args: InfoArgs) -> anyhow::Result<()> {
    let store = Store::open_default()?;
    let library = store.runtime_library(false, &seer_core::progress::NoProgress)?;
    let (runtime_version, runtime_problem) = match seer_runtime::init(&library) {
        Ok(info) => (Some(info.version), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let info = Info {
        seer_version: env!("CARGO_PKG_VERSION"),
        cache_dir: store.home().display().to_string(),
        runtime_library: library.display().to_string(),
        runtime_version,
        runtime_problem,
        threads: seer_runtime::physical_cores(),
        logical_cpus: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        cpu_features: cpu_features(),
    };
    if args.json {
        return print_json(&info);
    }
    out_line(&format!("seer          {}", info.seer_version));
    out_line(&format!("cache         {}", info.cache_dir));
    match (&info.runtime_version, &info.runtime_problem) {
        (Some(v), _) => out_line(&format!("onnxruntime   {v} ({})", info.runtime_library)),
        (None, Some(problem)) => {
            out_line("onnxruntime   not available");
            out_line(&format!("              {problem}"));
        }
        (None, None) => out_line("onnxruntime   unknown"),
    }
    out_line(&format!(
        "threads       {} (physical cores; {} logical)",
        info.threads, info.logical_cpus
    ));
    out_line(&format!("cpu features  {}", info.cpu_features.join(" ")));
    Ok(())
}

fn cpu_features() -> Vec<&'static str> {
    #[allow(unused_mut)]
    let mut found = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! probe {
            ($($f:tt),*) => {$(if std::arch::is_x86_feature_detected!($f) { found.push($f); })*};
        }
        probe!(
            "sse4.1",
            "sse4.2",
            "avx",
            "avx2",
            "fma",
            "f16c",
            "avx512f",
            "avx512bw",
            "avx512vnni"
        );
    }
    #[cfg(target_arch = "aarch64")]
    {
        macro_rules! probe {
            ($($f:tt),*) => {$(if std::arch::is_aarch64_feature_detected!($f) { found.push($f); })*};
        }
        probe!("neon", "fp16", "dotprod", "sve");
    }
    found
}
