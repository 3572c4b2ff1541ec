//! Loading the ONNX Runtime shared library once per process.

use crate::RuntimeError;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// What was loaded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuntimeInfo {
    /// Path of the loaded library.
    pub library: PathBuf,
    /// ONNX Runtime's own version string, e.g. "1.31.1".
    pub version: String,
}

static LOADED: Mutex<Option<RuntimeInfo>> = Mutex::new(None);
/// Kept alive for the whole process: every session is built from it.
static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

/// Loads ONNX Runtime from `library` (idempotent for the same path).
///
/// The file is checked before it is handed to the loader so that a missing
/// or foreign file is a clear error, never a panic or a hang.
pub fn init(library: &Path) -> Result<RuntimeInfo, RuntimeError> {
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(info) = loaded.as_ref() {
        if info.library == library {
            return Ok(info.clone());
        }
        return Err(RuntimeError::AlreadyLoaded {
            loaded: info.library.clone(),
            requested: library.to_path_buf(),
        });
    }
    if !library.is_file() {
        return Err(RuntimeError::LibraryMissing {
            path: library.to_path_buf(),
        });
    }
    disable_telemetry();
    let version = check_library(library)?;
    let rejected =
        |source: Box<dyn std::error::Error + Send + Sync>| RuntimeError::LibraryRejected {
            path: library.to_path_buf(),
            source,
        };
    // Telemetry off: ONNX Runtime must not record or send anything about
    // the models, the machine or its use.
    let environment = ort::init_from(library)
        .map_err(|e| rejected(Box::new(e)))?
        .with_name("seer")
        .with_telemetry(false)
        .build()
        .map_err(|e| rejected(Box::new(e)))?;
    let info = RuntimeInfo {
        library: library.to_path_buf(),
        version,
    };
    tracing::debug!(library = %library.display(), version = %info.version, "ONNX Runtime loaded");
    let _ = ENVIRONMENT.set(environment);
    *loaded = Some(info.clone());
    Ok(info)
}

/// Turns ONNX Runtime's telemetry off before the library is first loaded:
/// Microsoft's builds otherwise create a device id and an event queue under
/// `~/.cache/Microsoft/DeveloperTools/.onnxruntime` (outside `SEER_HOME`)
/// even when telemetry events are disabled through the API, and they read
/// this variable when the library starts. Set once, before any library
/// thread exists; a value the caller set is left as it is.
fn disable_telemetry() {
    if std::env::var_os(DISABLE_TELEMETRY_VAR).is_none() {
        std::env::set_var(DISABLE_TELEMETRY_VAR, "1");
    }
}

/// The environment variable ONNX Runtime reads to keep telemetry off.
const DISABLE_TELEMETRY_VAR: &str = "ORT_DISABLE_TELEMETRY";

/// True once [`init`] succeeded in this process.
pub fn is_initialised() -> bool {
    ENVIRONMENT.get().is_some()
}

/// The process-wide environment, once [`init`] succeeded.
pub(crate) fn environment() -> Option<&'static ort::environment::Environment> {
    ENVIRONMENT.get()
}

/// Rejects files that are not ONNX Runtime libraries before ort sees them,
/// and returns the library's own version string (e.g. "1.31.1").
fn check_library(library: &Path) -> Result<String, RuntimeError> {
    let invalid = |detail: String| RuntimeError::LibraryInvalid {
        path: library.to_path_buf(),
        detail,
    };
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(library).map_err(|e| invalid(e.to_string()))?;
    std::io::Read::read_exact(&mut file, &mut magic)
        .map_err(|_| invalid("file is too short to be a shared library".into()))?;
    if &magic != b"\x7fELF" && &magic[..2] != b"MZ" && magic != [0xcf, 0xfa, 0xed, 0xfe] {
        return Err(invalid("file is not a shared library".into()));
    }
    // SAFETY: loading a shared library runs its initialisers; the file was
    // named by the user or the verified cache as ONNX Runtime.
    let lib = unsafe { libloading::Library::new(library) }.map_err(|e| invalid(e.to_string()))?;
    // SAFETY: OrtGetApiBase has this signature in every ONNX Runtime release.
    let get_base: libloading::Symbol<unsafe extern "C" fn() -> *const ort::sys::OrtApiBase> =
        unsafe { lib.get(b"OrtGetApiBase") }.map_err(|_| {
            invalid("it does not export OrtGetApiBase, so it is not ONNX Runtime".into())
        })?;
    // SAFETY: the base pointer is static inside the library, which stays
    // loaded while `lib` lives; GetVersionString returns a static C string.
    let version = unsafe {
        let base = get_base();
        if base.is_null() {
            return Err(invalid("OrtGetApiBase returned nothing".into()));
        }
        std::ffi::CStr::from_ptr(((*base).GetVersionString)())
            .to_string_lossy()
            .into_owned()
    };
    let minor: u32 = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if minor < 22 {
        return Err(invalid(format!(
            "version {version} is too old; seer needs 1.22 or newer"
        )));
    }
    Ok(version)
}
