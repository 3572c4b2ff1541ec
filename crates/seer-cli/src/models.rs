//! `seer models …`: list, fetch, verify and import models.

use crate::output::{human_size, print_json, print_table};
use crate::progress::TerminalProgress;
use anyhow::{bail, Context};
use clap::{Args, Subcommand, ValueEnum};
use seer_models::{files::disk_usage, Format, Store};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Model management commands.
#[derive(Subcommand)]
pub enum ModelsCommand {
    /// List every catalogued model with its task, licence and cache state.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Fetch models into the cache, verify checksums and import to ONNX.
    Fetch(FetchArgs),
    /// Re-check every fetched model (checksums, ONNX validity, loadable).
    Verify {
        /// Models to check (default: all fetched).
        ids: Vec<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Convert a model file to ONNX.
    Import(ImportArgs),
}

/// Arguments of `seer models fetch`.
#[derive(Args)]
pub struct FetchArgs {
    /// Model ids to fetch.
    ids: Vec<String>,
    /// Fetch every catalogued model.
    #[arg(long)]
    all: bool,
}

/// Source formats accepted by `seer models import`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    /// TensorFlow.js layers model (model.json + shards).
    TfjsLayers,
    /// TensorFlow.js graph model (model.json + shards).
    TfjsGraph,
    /// ncnn .param (+ .bin next to it, or --weights).
    Ncnn,
    /// face-api face recognition weights manifest.
    FaceapiResnet,
    /// An ONNX file (checked and copied).
    Onnx,
}

/// Arguments of `seer models import`.
#[derive(Args)]
pub struct ImportArgs {
    /// The model file (model.json, .param, .onnx, weights manifest).
    file: PathBuf,
    /// Its format.
    #[arg(long, value_enum)]
    format: ImportFormat,
    /// ncnn weights (.bin); default: the .param path with .bin.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Where to write the ONNX model.
    #[arg(long)]
    out: PathBuf,
}

/// Runs a `seer models` command.
pub fn run(command: ModelsCommand) -> anyhow::Result<()> {
    let store = Store::open_default()?;
    match command {
        ModelsCommand::List { json } => list(&store, json),
        ModelsCommand::Fetch(args) => fetch(&store, args),
        ModelsCommand::Verify { ids, json } => verify(&store, &ids, json),
        ModelsCommand::Import(args) => import(args),
    }
}

#[derive(Serialize)]
struct ListRow {
    id: String,
    task: String,
    format: &'static str,
    package: String,
    licence: String,
    fetched: bool,
    size_bytes: u64,
    facts: std::collections::BTreeMap<String, toml::Value>,
}

fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let rows: Vec<ListRow> = store
        .catalog()
        .models
        .iter()
        .map(|m| {
            let package = store.catalog().package(&m.package).cloned();
            let status = store.status(m);
            ListRow {
                id: m.id.clone(),
                task: m.task.clone(),
                format: m.format.name(),
                package: package.as_ref().map(|p| p.spec()).unwrap_or_default(),
                licence: package.map(|p| p.licence).unwrap_or_default(),
                fetched: status.fetched,
                size_bytes: status.size_bytes,
                facts: m.facts.clone(),
            }
        })
        .collect();
    if json {
        return print_json(&rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.task.clone(),
                r.licence.clone(),
                if r.fetched { "yes" } else { "no" }.to_string(),
                human_size(r.size_bytes),
            ]
        })
        .collect();
    print_table(&["ID", "TASK", "LICENCE", "FETCHED", "SIZE"], &table);
    Ok(())
}

fn fetch(store: &Store, args: FetchArgs) -> anyhow::Result<()> {
    let ids: Vec<String> = if args.all {
        store
            .catalog()
            .models
            .iter()
            .map(|m| m.id.clone())
            .collect()
    } else if args.ids.is_empty() {
        bail!("name the models to fetch (see `seer models list`) or pass --all");
    } else {
        args.ids
    };
    for id in &ids {
        store.model(id)?;
    }
    let progress = TerminalProgress::new();
    let started = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        eprintln!("[{}/{}] {id}", i + 1, ids.len());
        let path = store
            .ensure(id, &progress)
            .with_context(|| format!("fetching {id}"))?;
        tracing::info!(model = %id, path = %path.display(), "ready");
    }
    let seconds = started.elapsed().as_secs_f64();
    let size = disk_usage(&store.home().join("packages")) + disk_usage(&store.home().join("onnx"));
    println!(
        "fetched {} model(s) in {seconds:.1} s; cache {} holds {}",
        ids.len(),
        store.home().display(),
        human_size(size)
    );
    Ok(())
}

#[derive(Serialize)]
struct VerifyRow {
    id: String,
    state: String,
}

fn verify(store: &Store, ids: &[String], json: bool) -> anyhow::Result<()> {
    let models: Vec<_> = if ids.is_empty() {
        store.catalog().models.iter().collect()
    } else {
        ids.iter()
            .map(|id| store.model(id))
            .collect::<Result<_, _>>()?
    };
    let runtime = seer_runtime_ready(store);
    let mut rows = Vec::new();
    let mut failures = 0;
    let progress = TerminalProgress::new();
    seer_core::progress::Progress::start(&progress, "verifying models", Some(models.len() as u64));
    for (i, model) in models.iter().enumerate() {
        let state = match store.verify(model) {
            Ok(false) => "not fetched".to_string(),
            Ok(true) => match (&runtime, model.format) {
                (true, f) if f != Format::SharedLibrary => match load_in_runtime(store, model) {
                    Ok(()) => "ok (checksums, ONNX, loads)".to_string(),
                    Err(e) => {
                        failures += 1;
                        format!("FAILED: {e:#}")
                    }
                },
                (true, _) => "ok (checksums, loads)".to_string(),
                (false, Format::SharedLibrary) => "ok (checksums)".to_string(),
                (false, _) => "ok (checksums, ONNX)".to_string(),
            },
            Err(e) => {
                failures += 1;
                format!("FAILED: {e}")
            }
        };
        rows.push(VerifyRow {
            id: model.id.clone(),
            state,
        });
        seer_core::progress::Progress::set(&progress, i as u64 + 1);
    }
    seer_core::progress::Progress::finish(&progress);
    if json {
        print_json(&rows)?;
    } else {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| vec![r.id.clone(), r.state.clone()])
            .collect();
        print_table(&["ID", "STATE"], &table);
    }
    if failures > 0 {
        bail!("{failures} model(s) failed verification");
    }
    Ok(())
}

/// Loads ONNX Runtime if the library is present (without fetching it).
fn seer_runtime_ready(store: &Store) -> bool {
    let Ok(path) = store.runtime_library(false, &seer_core::progress::NoProgress) else {
        return false;
    };
    seer_runtime::init(&path).is_ok()
}

fn load_in_runtime(store: &Store, model: &seer_models::ModelSpec) -> anyhow::Result<()> {
    let status = store.status(model);
    let path = status.path.context("model file missing")?;
    seer_runtime::Session::from_file(&path, &seer_runtime::SessionOptions { threads: 1 })?;
    Ok(())
}

fn import(args: ImportArgs) -> anyhow::Result<()> {
    let format = match args.format {
        ImportFormat::TfjsLayers => Format::TfjsLayers,
        ImportFormat::TfjsGraph => Format::TfjsGraph,
        ImportFormat::Ncnn => Format::Ncnn,
        ImportFormat::FaceapiResnet => Format::FaceapiResnet,
        ImportFormat::Onnx => Format::Onnx,
    };
    let model = seer_models::import_file(format, &args.file, args.weights.as_deref())?;
    let bytes = seer_onnx::encode(&model);
    seer_core::atomic::write_atomic(&args.out, &bytes)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let graph = model.graph.as_ref();
    println!(
        "wrote {} ({} nodes, {} weights, {})",
        args.out.display(),
        graph.map(|g| g.node.len()).unwrap_or(0),
        graph.map(|g| g.initializer.len()).unwrap_or(0),
        human_size(bytes.len() as u64)
    );
    Ok(())
}
