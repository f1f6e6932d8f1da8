//! Writing output files safely: each file goes to a temporary file in the
//! same directory, created with its final mode (0600 for keys, never
//! widened later), fsynced, and renamed into place only when every file of
//! the set has been written, so a failure leaves the old files untouched
//! and no temporary files behind.

use crate::error::{Error, Result};
use crate::output::OutputFile;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Writes every file, all or nothing.
pub fn write_all(files: &[OutputFile]) -> Result<()> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        stage(files, &mut staged)?;
        for (temp, target) in &staged {
            std::fs::rename(temp, target).map_err(|e| Error::io(target, e))?;
        }
        Ok(())
    })();
    if result.is_err() {
        for (temp, _) in &staged {
            let _ = std::fs::remove_file(temp);
        }
    }
    // Each directory once: a batch puts thousands of files in one.
    let dirs: std::collections::BTreeSet<PathBuf> =
        staged.iter().map(|(_, t)| parent_dir(t)).collect();
    for dir in dirs {
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
    }
    result
}

/// From this many files on, several threads write the temporary files:
/// each waits on its own fsync, and the filesystem commits them together
/// (three files of `json -bare` in about the time of one).
const PARALLEL_FROM: usize = 2;
const STAGING_THREADS: usize = 16;

/// Writes the temporary files, recording each in `staged` (even when a
/// later one fails, so the caller can remove them).
fn stage(files: &[OutputFile], staged: &mut Vec<(PathBuf, PathBuf)>) -> Result<()> {
    if files.len() < PARALLEL_FROM {
        return stage_in_order(files, staged);
    }
    let chunk = files.len().div_ceil(STAGING_THREADS);
    let parts: Vec<(Vec<(PathBuf, PathBuf)>, Result<()>)> = std::thread::scope(|scope| {
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

fn stage_in_order(files: &[OutputFile], staged: &mut Vec<(PathBuf, PathBuf)>) -> Result<()> {
    for file in files {
        let target = PathBuf::from(&file.name);
        let temp = write_temp(&target, &file.contents, file.mode)?;
        staged.push((temp, target));
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
        let opened = OpenOptions::new().write(true).create_new(true).mode(mode).open(&temp);
        let mut file = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 15 => continue,
            Err(e) => return Err(Error::io(target, e)),
        };
        let written = file.write_all(contents).and_then(|_| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = std::fs::remove_file(&temp);
            return Err(Error::io(target, e));
        }
        return Ok(temp);
    }
    Err(Error::io(target, std::io::Error::other("could not create a temporary file")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

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
            name: dir.path().join("missing-dir/c.csr").to_string_lossy().into_owned(),
            contents: b"x".to_vec(),
            mode: 0o644,
            binary: false,
        };
        assert!(write_all(&[file(dir.path(), "c.pem", 0o644), bad]).is_err());
        assert_eq!(std::fs::read(&cert).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
