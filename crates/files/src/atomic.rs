//! Writing output files safely: each file goes to a temporary file in the
//! same directory, created with its final mode (0600 for keys, never
//! widened later), fsynced, and renamed into place only when every file of
//! the set has been written, so a failure leaves the old files untouched
//! and no temporary files behind. A SIGTERM, SIGINT or SIGHUP while files
//! are being written removes the temporary files and exits with 128+signal;
//! one arriving during the renames waits until the set is complete.

use certkit_core::error::{Error, Result};
use certkit_core::output::OutputFile;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// Temporary files created and not yet renamed or removed. The signal
/// handler holds this lock while it removes them and exits, so no new
/// temporary file can appear behind its back.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes every file, all or nothing.
pub fn write_all(files: &[OutputFile]) -> Result<()> {
    install_signal_cleanup();
    for file in files.iter().filter(|f| is_private(f.mode)) {
        refuse_unsafe_directory(Path::new(&file.name))?;
    }
    let mut staged = Staged(Vec::new());
    let result = stage(files, &mut staged.0).and_then(|()| {
        pause_before_rename_for_tests();
        staged.rename_all()
    });
    // Each directory once: a batch puts thousands of files in one.
    let dirs: std::collections::BTreeSet<PathBuf> =
        staged.0.iter().map(|(_, t, _)| parent_dir(t)).collect();
    for dir in dirs {
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
    }
    result
}

/// The temporary files of one set, with their targets. Dropping it removes
/// whatever was not renamed, on every error path.
struct Staged(Vec<StagedFile>);

/// A temporary file, the file it will become, and its mode.
type StagedFile = (PathBuf, PathBuf, u32);

impl Staged {
    /// Renames every file into place while holding the pending lock, so a
    /// signal cannot leave half of the set old and half new.
    fn rename_all(&mut self) -> Result<()> {
        let mut pending = pending();
        for (temp, target, mode) in &self.0 {
            warn_if_replacing_exposed_key(target, *mode);
            std::fs::rename(temp, target).map_err(|e| Error::io(target, e))?;
            pending.retain(|p| p != temp);
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let mut pending = pending();
        for (temp, _, _) in &self.0 {
            if let Some(i) = pending.iter().position(|p| p == temp) {
                pending.swap_remove(i);
                let _ = std::fs::remove_file(temp);
            }
        }
    }
}

/// From this many files on, several threads write the temporary files:
/// each waits on its own fsync, and the filesystem commits them together
/// (three files of `json -bare` in about the time of one).
const PARALLEL_FROM: usize = 2;
const STAGING_THREADS: usize = 16;

/// Writes the temporary files, recording each in `staged` (even when a
/// later one fails, so the caller can remove them).
fn stage(files: &[OutputFile], staged: &mut Vec<StagedFile>) -> Result<()> {
    if files.len() < PARALLEL_FROM {
        return stage_in_order(files, staged);
    }
    let chunk = files.len().div_ceil(STAGING_THREADS);
    let parts: Vec<(Vec<StagedFile>, Result<()>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    let result = stage_in_order(part, &mut done);
                    (done, result)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| {
                    (
                        Vec::new(),
                        Err(Error::Encoding("a file writer thread panicked".into())),
                    )
                })
            })
            .collect()
    });
    let mut result = Ok(());
    for (done, part_result) in parts {
        staged.extend(done);
        if result.is_ok() {
            result = part_result;
        }
    }
    result
}

fn stage_in_order(files: &[OutputFile], staged: &mut Vec<StagedFile>) -> Result<()> {
    for file in files {
        let target = PathBuf::from(&file.name);
        let temp = write_temp(&target, &file.contents, file.mode)?;
        staged.push((temp, target, file.mode));
    }
    Ok(())
}

/// Writes one file atomically.
pub fn write_atomic(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    write_all(&[OutputFile {
        name: path.to_string_lossy().into_owned(),
        contents: contents.to_vec(),
        mode,
        binary: false,
    }])
}

/// Whether a file mode keeps the file to its owner (private keys).
fn is_private(mode: u32) -> bool {
    mode & 0o077 == 0
}

/// Installs, once, the handler that removes pending temporary files when
/// the process is told to stop, then exits with 128+signal as a shell does.
fn install_signal_cleanup() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
            log::warn!("could not install the signal handler; a signal mid-write may leave temporary files");
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let mut pending = pending();
                for temp in pending.drain(..) {
                    let _ = std::fs::remove_file(temp);
                }
                std::process::exit(128 + signal);
            }
        });
    });
}

/// In a directory everyone can write to without the sticky bit, anyone can
/// replace or delete a key file after it is written, so keys are not
/// written there.
fn refuse_unsafe_directory(target: &Path) -> Result<()> {
    let dir = parent_dir(target);
    let Ok(meta) = std::fs::metadata(&dir) else {
        return Ok(()); // the write itself reports a missing directory
    };
    let mode = meta.permissions().mode();
    if mode & 0o002 != 0 && mode & 0o1000 == 0 {
        return Err(Error::Refused(format!(
            "{}: directory is writable by everyone and not sticky (mode {:04o}); refusing to write the private key {} there",
            dir.display(),
            mode & 0o7777,
            target.display()
        )));
    }
    Ok(())
}

/// Says so when a private file replaces one others could read: the new
/// file is 0600, but the old key may have been copied already.
fn warn_if_replacing_exposed_key(target: &Path, new_mode: u32) {
    if !is_private(new_mode) {
        return;
    }
    if let Ok(old) = std::fs::symlink_metadata(target) {
        let old_mode = old.permissions().mode() & 0o777;
        if !is_private(old_mode) {
            log::warn!(
                "{}: the existing key file had mode {old_mode:04o} (readable by others); replaced by a new file with mode 0600",
                target.display()
            );
        }
    }
}

/// Debug builds only: `CERTKIT_TEST_PAUSE_BEFORE_RENAME=SECONDS` sleeps
/// after the temporary files are written, so tests can signal a process
/// mid-write. Release builds ignore it.
fn pause_before_rename_for_tests() {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("CERTKIT_TEST_PAUSE_BEFORE_RENAME")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_secs(secs));
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn write_temp(target: &Path, contents: &[u8], mode: u32) -> Result<PathBuf> {
    let dir = parent_dir(target);
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    for attempt in 0..16u32 {
        let mut rnd = [0u8; 6];
        let _ = aws_lc_rs::rand::fill(&mut rnd);
        let suffix: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
        let temp = dir.join(format!(".{base}.{suffix}.tmp"));
        let opened = {
            // Created and registered under the lock: a signal handler
            // either sees it or runs before it exists.
            let mut pending = pending();
            let opened = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&temp);
            if opened.is_ok() {
                pending.push(temp.clone());
            }
            opened
        };
        let mut file = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 15 => continue,
            Err(e) => return Err(Error::io(target, e)),
        };
        let written = file.write_all(contents).and_then(|_| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let mut pending = pending();
            pending.retain(|p| p != &temp);
            let _ = std::fs::remove_file(&temp);
            return Err(Error::io(target, e));
        }
        return Ok(temp);
    }
    Err(Error::io(
        target,
        std::io::Error::other("could not create a temporary file"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, mode: u32) -> OutputFile {
        OutputFile {
            name: dir.join(name).to_string_lossy().into_owned(),
            contents: b"data".to_vec(),
            mode,
            binary: false,
        }
    }

    #[test]
    fn many_files_are_written_by_several_threads_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut files: Vec<OutputFile> = (0..STAGING_THREADS * 3)
            .map(|i| file(dir.path(), &format!("f{i}-key.pem"), 0o600))
            .collect();
        write_all(&files).unwrap();
        for f in &files {
            let mode = std::fs::metadata(&f.name).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.name);
        }
        let clean = tempfile::tempdir().unwrap();
        let clean_name = |name: &str| clean.path().join(name).to_string_lossy().into_owned();
        for (i, f) in files.iter_mut().enumerate() {
            f.name = clean_name(&format!("f{i}-key.pem"));
        }
        files[STAGING_THREADS + 3].name = clean_name("missing-dir/x");
        assert!(write_all(&files).is_err());
        assert_eq!(std::fs::read_dir(clean.path()).unwrap().count(), 0);
    }

    #[test]
    fn key_files_are_0600_even_over_a_world_readable_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k-key.pem");
        std::fs::write(&key, "old").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_all(&[file(dir.path(), "k-key.pem", 0o600)]).unwrap();
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&key).unwrap(), b"data");
    }

    #[test]
    fn failure_leaves_old_files_and_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("c.pem");
        std::fs::write(&cert, "old").unwrap();
        let bad = OutputFile {
            name: dir
                .path()
                .join("missing-dir/c.csr")
                .to_string_lossy()
                .into_owned(),
            contents: b"x".to_vec(),
            mode: 0o644,
            binary: false,
        };
        assert!(write_all(&[file(dir.path(), "c.pem", 0o644), bad]).is_err());
        assert_eq!(std::fs::read(&cert).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn keys_are_refused_in_a_world_writable_directory_without_sticky_bit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = write_all(&[file(dir.path(), "k-key.pem", 0o600)]).unwrap_err();
        assert!(err.to_string().contains("not sticky"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_all(&[file(dir.path(), "c.pem", 0o644)]).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
        write_all(&[file(dir.path(), "k-key.pem", 0o600)]).unwrap();
    }

    #[test]
    fn nothing_stays_registered_after_success_or_failure() {
        let dir = tempfile::tempdir().unwrap();
        write_all(&[file(dir.path(), "a.pem", 0o644)]).unwrap();
        let bad = OutputFile {
            name: dir
                .path()
                .join("missing/b.pem")
                .to_string_lossy()
                .into_owned(),
            contents: b"x".to_vec(),
            mode: 0o644,
            binary: false,
        };
        assert!(write_all(&[file(dir.path(), "b.pem", 0o644), bad]).is_err());
        let ours: Vec<_> = pending()
            .iter()
            .filter(|p| p.starts_with(dir.path()))
            .cloned()
            .collect();
        assert!(ours.is_empty(), "{ours:?}");
    }
}
