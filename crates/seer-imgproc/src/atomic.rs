//! Writing a file so that it appears complete or not at all.
//!
//! The bytes go to a hidden temporary file beside the target,
//! `.NAME.partial-PID-N`, which is flushed, synced and renamed onto the
//! target only when everything was written. On any error (disk full, an
//! encoder failure) the temporary file is deleted and the target is left
//! as it was. A process that is killed leaves its hidden temporary file
//! behind; [`clean_stale_partials`] removes those whose process is gone.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Marker in the names of temporary files.
const PARTIAL: &str = ".partial-";

/// Numbers temporary files of one process.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A file being written to a temporary name; [`AtomicFile::commit`]
/// renames it onto the target, dropping it uncommitted deletes it.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

/// The folder that holds `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// True when `name` is a temporary file name made by [`AtomicFile`].
pub fn is_partial_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(PARTIAL)
}

impl AtomicFile {
    /// Creates the hidden temporary file beside `target` (the folder must exist).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?
            .to_string_lossy();
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let temp = folder_of(target).join(format!(".{name}{PARTIAL}{}-{n}", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The path of the temporary file.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// The buffered writer of the temporary file.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer
            .as_mut()
            .expect("the writer exists from create until commit consumes self")
    }

    /// Flushes and syncs the temporary file, makes it an ordinary file
    /// (0644) and renames it onto the target.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self
            .writer
            .take()
            .expect("the writer exists from create until commit consumes self");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.temp, &self.target)?;
        if let Ok(dir) = File::open(folder_of(&self.target)) {
            let _ = dir.sync_all();
        }
        // Renamed: nothing left to delete.
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Close before deleting; the write error (if any) was already reported.
        drop(self.writer.take().map(|w| w.into_parts()));
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `target` atomically: `write` fills the temporary file, which is
/// renamed onto `target` only if `write` and the final flush succeed.
pub fn write_atomic_with<E, F>(target: &Path, write: F) -> Result<(), E>
where
    E: From<io::Error>,
    F: FnOnce(&mut BufWriter<File>) -> Result<(), E>,
{
    let mut file = AtomicFile::create(target)?;
    write(file.writer())?;
    file.writer().flush()?;
    file.commit()?;
    Ok(())
}

/// The folder that would hold the output `path` when it does not exist
/// (an output in a missing folder cannot be written), else `None`. A bare
/// file name means the current folder.
pub fn missing_output_folder(path: &Path) -> Option<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    (!dir.is_dir()).then(|| dir.to_path_buf())
}

/// True when both paths name the same existing file (through links and
/// `..` too), so that writing one would destroy the other. A missing file is
/// never the same as anything.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// True when process `pid` still runs (Linux: `/proc/PID` exists; elsewhere
/// every process is assumed alive).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The process id in a temporary file name `.NAME.partial-PID-N`.
fn partial_pid(name: &str) -> Option<u32> {
    let rest = &name[name.rfind(PARTIAL)? + PARTIAL.len()..];
    rest.split('-').next()?.parse().ok()
}

/// Deletes the temporary files in `dir` left by processes that no longer
/// run (killed mid-write); returns the paths removed. Temporary files of
/// running processes are kept.
pub fn clean_stale_partials(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_partial_name(&name) {
            continue;
        }
        let Some(pid) = partial_pid(&name) else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let path = entry.path();
            if std::fs::remove_file(&path).is_ok() {
                removed.push(path);
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that accepts `room` bytes, then fails like a full disk.
    struct FullDisk<W: Write> {
        inner: W,
        room: usize,
    }

    impl<W: Write> Write for FullDisk<W> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "no space left on device",
                ));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            self.inner.write(&buf[..n])
        }
        fn flush(&mut self) -> io::Result<()> {
            self.inner.flush()
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_complete_write_renames_onto_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        write_atomic_with::<io::Error, _>(&target, |w| w.write_all(&[7u8; 5000])).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), vec![7u8; 5000]);
        assert_eq!(names(dir.path()), ["out.bin"]);
    }

    #[test]
    fn a_failed_write_leaves_neither_output_nor_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.png");
        // Noise does not compress: the PNG is far larger than 4 KiB.
        let mut state = 12345u32;
        let image = image::RgbImage::from_fn(300, 200, |_, _| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let [a, b, c, _] = state.to_le_bytes();
            image::Rgb([a, b, c])
        });
        let err = write_atomic_with::<io::Error, _>(&target, |w| {
            // The encoder's writes fail after 4 KiB, as on a full disk.
            let mut full = FullDisk {
                inner: w,
                room: 4096,
            };
            let encoder = image::codecs::png::PngEncoder::new(&mut full);
            image.write_with_encoder(encoder).map_err(io::Error::other)
        })
        .unwrap_err();
        assert!(err.to_string().contains("no space left"), "{err}");
        assert!(!target.exists());
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn stale_partials_of_dead_processes_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        // A process id above the kernel's limit (4194304) never runs.
        let stale = dir.path().join(".a.png.partial-4194399-0");
        let mine = dir
            .path()
            .join(format!(".b.png.partial-{}-0", std::process::id()));
        let other = dir.path().join("c.png");
        for p in [&stale, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        assert_eq!(clean_stale_partials(dir.path()), vec![stale.clone()]);
        assert_eq!(
            names(dir.path()),
            [
                format!(".b.png.partial-{}-0", std::process::id()),
                "c.png".to_string()
            ]
        );
        assert_eq!(partial_pid(".x.partial-12-3"), Some(12));
        assert!(is_partial_name(".x.jpg.partial-1-0") && !is_partial_name("x.jpg"));
    }

    #[test]
    fn outputs_in_missing_folders_and_the_input_itself_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.png");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(missing_output_folder(&file), None);
        assert_eq!(missing_output_folder(Path::new("bare.png")), None);
        let lost = dir.path().join("nope/b.png");
        assert_eq!(missing_output_folder(&lost), Some(dir.path().join("nope")));
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(same_file(&file, &dir.path().join("sub/../a.png")));
        assert!(!same_file(&file, &lost));
    }
}
