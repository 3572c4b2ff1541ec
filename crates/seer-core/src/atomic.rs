//! Writing a file so that it appears complete or not at all — the one
//! implementation every seer crate uses (images, videos, models, gallery
//! exports, journals).
//!
//! The bytes go to a hidden temporary file beside the target,
//! `.NAME.partial-PID-N` (or `.NAME.partial-PID-N.EXT` for writers that pick
//! a format from the extension), which is flushed, synced and renamed onto
//! the target only when everything was written; the folder is synced after
//! the rename. On any error the temporary file is deleted and the target is
//! left as it was. A process that is killed leaves its hidden temporary file
//! behind; [`clean_stale_partials`] removes those whose process is gone.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Marker in the names of temporary files.
const PARTIAL: &str = ".partial-";

/// Numbers temporary files of one process.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// Who may read a finished file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An ordinary file: 0644 on Unix.
    Shared,
    /// Only the owner may read or write it, from the first byte on: 0600 on
    /// Unix (secrets such as gallery exports).
    Private,
}

/// The folder that holds `path` (`.` for a bare file name).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// True when `name` is a temporary file name made by this module.
pub fn is_partial_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(PARTIAL)
}

/// A fresh hidden temporary path beside `target`, unique in this process:
/// `.NAME.partial-PID-N`, with `.EXT` appended when `keep_extension` is true
/// and the target has an extension (for writers that choose the format from
/// the name, such as a video muxer). The file is not created.
pub fn partial_path(target: &Path, keep_extension: bool) -> io::Result<PathBuf> {
    let name = target
        .file_name()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} has no file name", target.display()),
            )
        })?
        .to_string_lossy();
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let mut temp = format!(".{name}{PARTIAL}{}-{n}", std::process::id());
    if keep_extension {
        if let Some(ext) = target.extension() {
            temp.push('.');
            temp.push_str(&ext.to_string_lossy());
        }
    }
    Ok(folder_of(target).join(temp))
}

/// Syncs a folder's entries so that renames in it survive a crash (best
/// effort: some file systems refuse to open folders).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Renames a finished, synced temporary file onto `target` and syncs the
/// folder. For writers that produce the file themselves at a
/// [`partial_path`].
pub fn commit_partial(temp: &Path, target: &Path) -> io::Result<()> {
    std::fs::rename(temp, target)?;
    sync_dir(folder_of(target));
    Ok(())
}

/// A file being written to a temporary name; [`AtomicFile::commit`]
/// renames it onto the target, dropping it uncommitted deletes it.
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    access: Access,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the hidden temporary file beside `target` (the folder must
    /// exist); the finished file will be ordinary ([`Access::Shared`]).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        AtomicFile::create_with(target, Access::Shared)
    }

    /// Creates the hidden temporary file beside `target` with the given
    /// access. A [`Access::Private`] file is private from creation on, so
    /// its bytes are never readable by others, not even half-written.
    pub fn create_with(target: &Path, access: Access) -> io::Result<AtomicFile> {
        let temp = partial_path(target, false)?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(match access {
                Access::Shared => 0o644,
                Access::Private => 0o600,
            });
        }
        let file = options.open(&temp)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            access,
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The path of the temporary file.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// The buffered writer of the temporary file.
    pub fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.writer
            .as_mut()
            .ok_or_else(|| io::Error::other("the temporary file was already committed"))
    }

    /// Flushes and syncs the temporary file, sets its permissions (0644 or
    /// 0600, whatever the umask did) and renames it onto the target.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| io::Error::other("the temporary file was already committed"))?;
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match self.access {
                Access::Shared => 0o644,
                Access::Private => 0o600,
            };
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        file.sync_all()?;
        drop(file);
        commit_partial(&self.temp, &self.target)?;
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
pub fn write_atomic_with<E, F>(target: &Path, access: Access, write: F) -> Result<(), E>
where
    E: From<io::Error>,
    F: FnOnce(&mut BufWriter<File>) -> Result<(), E>,
{
    let mut file = AtomicFile::create_with(target, access)?;
    write(file.writer()?)?;
    file.writer()?.flush()?;
    file.commit()?;
    Ok(())
}

/// Writes `bytes` to `target` atomically as an ordinary file.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(target, Access::Shared, |w| w.write_all(bytes))
}

/// Writes `bytes` to `target` atomically as a file only its owner may read.
pub fn write_private(target: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(target, Access::Private, |w| w.write_all(bytes))
}

/// The folder that would hold the output `path` when it does not exist
/// (an output in a missing folder cannot be written), else `None`. A bare
/// file name means the current folder.
pub fn missing_output_folder(path: &Path) -> Option<PathBuf> {
    let dir = folder_of(path);
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

/// Why an output file cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputProblem {
    /// The output is the input (writing it would destroy the input).
    IsInput,
    /// The folder that would hold the output does not exist.
    NoFolder(PathBuf),
}

/// Checks an output of a job reading `input`: not the input itself, in a
/// folder that exists. Front ends map the problem to their own error.
pub fn check_output(input: &Path, output: &Path) -> Result<(), OutputProblem> {
    if same_file(input, output) {
        return Err(OutputProblem::IsInput);
    }
    match missing_output_folder(output) {
        Some(folder) => Err(OutputProblem::NoFolder(folder)),
        None => Ok(()),
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

/// The process id in a temporary file name `.NAME.partial-PID-N[.EXT]`.
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
        write_atomic(&target, &[7u8; 5000]).unwrap();
        write_atomic(&target, &[8u8; 10]).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), vec![8u8; 10]);
        assert_eq!(names(dir.path()), ["out.bin"]);
    }

    #[cfg(unix)]
    #[test]
    fn shared_and_private_files_get_their_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("a.png");
        let private = dir.path().join("gallery.seer");
        write_atomic(&shared, b"x").unwrap();
        write_private(&private, b"secret").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&shared), 0o644);
        assert_eq!(mode(&private), 0o600);
    }

    #[test]
    fn a_failed_write_leaves_neither_output_nor_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.png");
        std::fs::write(&target, b"the old file").unwrap();
        let err = write_atomic_with::<io::Error, _>(&target, Access::Shared, |w| {
            // Writes fail after 4 KiB, as on a full disk.
            let mut full = FullDisk {
                inner: w,
                room: 4096,
            };
            for _ in 0..100 {
                full.write_all(&[1u8; 1000])?;
            }
            Ok(())
        })
        .unwrap_err();
        assert!(err.to_string().contains("no space left"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"the old file");
        assert_eq!(names(dir.path()), ["out.png"]);
    }

    #[test]
    fn partial_paths_keep_the_extension_when_asked_and_are_cleaned_when_stale() {
        let dir = tempfile::tempdir().unwrap();
        let video = partial_path(&dir.path().join("clip.mp4"), true).unwrap();
        let name = video.file_name().unwrap().to_string_lossy().into_owned();
        assert!(is_partial_name(&name) && name.ends_with(".mp4"), "{name}");
        assert_eq!(partial_pid(&name), Some(std::process::id()));
        assert!(partial_path(Path::new("/"), false).is_err());

        // A process id above the kernel's limit (4194304) never runs.
        let stale = dir.path().join(".a.png.partial-4194399-0");
        let stale_video = dir.path().join(".b.mp4.partial-4194399-3.mp4");
        let mine = dir
            .path()
            .join(format!(".c.png.partial-{}-0", std::process::id()));
        let other = dir.path().join("d.png");
        for p in [&stale, &stale_video, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        let mut removed = clean_stale_partials(dir.path());
        removed.sort();
        assert_eq!(removed, vec![stale.clone(), stale_video.clone()]);
        assert_eq!(
            names(dir.path()),
            [
                format!(".c.png.partial-{}-0", std::process::id()),
                "d.png".to_string()
            ]
        );
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
