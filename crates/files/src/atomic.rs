//! Writing output files safely: each file goes to a temporary file in the
//! same directory, created with its final mode (0600 for keys, never
//! widened later), fsynced, and renamed into place only when every file of
//! the set has been written, so a failure leaves the old files untouched
//! and no temporary files behind.
//!
//! All or nothing holds through the renames too: every target is checked
//! before the first rename (no directory in the way, no two files of the
//! set at one path), each old file is kept aside (a hard link) until the
//! set is complete, and when a rename fails (EBUSY on a bind-mounted key
//! file, EPERM, EIO) the renames already done are undone, so a key is
//! never left beside a certificate it does not belong to. The directories
//! are locked (`lock`) from staging to the last rename, so two writers of
//! one set take turns. Signals: see `interrupt`.

use crate::interrupt::{self, Leftover};
use crate::lock::lock_dirs;
use certkit_core::error::{Error, Result};
use certkit_core::output::OutputFile;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Writes every file, all or nothing.
pub fn write_all(files: &[OutputFile]) -> Result<()> {
    write_all_staged_in(files, None)
}

/// As [`write_all`], with the temporary files in `staging` (a directory
/// on the same filesystem as the targets) instead of beside each target:
/// what a kill -9 leaves is then one directory, not a temporary file per
/// key.
pub fn write_all_staged_in(files: &[OutputFile], staging: Option<&Path>) -> Result<()> {
    interrupt::install();
    refuse_duplicate_targets(files)?;
    for file in files.iter().filter(|f| is_private(f.mode)) {
        refuse_unsafe_directory(Path::new(&file.name))?;
    }
    for file in files {
        refuse_directory_in_the_way(Path::new(&file.name))?;
    }
    // Each directory once: a batch puts thousands of files in one.
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .map(|f| parent_dir(Path::new(&f.name)))
        .collect();
    let _locks = lock_dirs(dirs.iter().map(PathBuf::as_path))?;
    let mut staged = Staged(Vec::new());
    let result = stage(files, staging, &mut staged.0).and_then(|()| {
        pause_before_rename_for_tests();
        staged.rename_all()
    });
    for dir in &dirs {
        if let Ok(d) = File::open(dir) {
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

/// A target already replaced, and where its old file waits meanwhile.
struct Replaced {
    target: PathBuf,
    old: Option<PathBuf>,
}

impl Staged {
    /// Renames every file into place in a commit section, so a signal
    /// cannot leave half of the set old and half new; a failed rename
    /// undoes the ones before it.
    fn rename_all(&mut self) -> Result<()> {
        let _commit = interrupt::commit_section();
        let mut done: Vec<Replaced> = Vec::new();
        for (temp, target, mode) in &self.0 {
            warn_if_replacing_exposed_key(target, *mode);
            match replace(temp, target) {
                Ok(replaced) => {
                    interrupt::forget(&mut interrupt::pending(), &Leftover::File(temp.clone()));
                    done.push(replaced);
                }
                Err(e) => {
                    let undone = undo(done);
                    return Err(rename_failed(target, e, undone));
                }
            }
        }
        for replaced in done {
            if let Some(old) = replaced.old {
                interrupt::discard(&Leftover::File(old));
            }
        }
        Ok(())
    }
}

/// Renames `temp` over `target`, keeping the old target as a hidden hard
/// link beside it (or, where hard links are not possible, moved aside).
fn replace(temp: &Path, target: &Path) -> std::io::Result<Replaced> {
    let mut old = None;
    if target.symlink_metadata().is_ok() {
        let aside = sibling_name(target, "old");
        // Registered first: a failed link or move leaves nothing to remove.
        interrupt::pending().push(Leftover::File(aside.clone()));
        let moved = match std::fs::hard_link(target, &aside) {
            Ok(()) => false,
            Err(_) => match std::fs::rename(target, &aside) {
                Ok(()) => true,
                Err(e) => {
                    interrupt::forget(&mut interrupt::pending(), &Leftover::File(aside));
                    return Err(e);
                }
            },
        };
        if let Err(e) = std::fs::rename(temp, target) {
            if moved {
                let _ = std::fs::rename(&aside, target);
            }
            interrupt::discard(&Leftover::File(aside));
            return Err(e);
        }
        old = Some(aside);
    } else {
        std::fs::rename(temp, target)?;
    }
    Ok(Replaced {
        target: target.to_path_buf(),
        old,
    })
}

/// Puts the old files back (or removes new ones that had none), last
/// first; returns what could not be undone.
fn undo(done: Vec<Replaced>) -> Vec<String> {
    let mut failures = Vec::new();
    for replaced in done.into_iter().rev() {
        let result = match &replaced.old {
            Some(old) => std::fs::rename(old, &replaced.target),
            None => std::fs::remove_file(&replaced.target),
        };
        match result {
            Ok(()) => {
                if let Some(old) = &replaced.old {
                    interrupt::forget(&mut interrupt::pending(), &Leftover::File(old.clone()));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", replaced.target.display())),
        }
    }
    failures
}

fn rename_failed(target: &Path, e: std::io::Error, undone: Vec<String>) -> Error {
    if undone.is_empty() {
        return Error::io(
            target,
            std::io::Error::new(e.kind(), format!("{e}; no file of the set was changed")),
        );
    }
    Error::io(
        target,
        std::io::Error::new(
            e.kind(),
            format!(
                "{e}; the files renamed before it could not all be put back ({}): check that each key matches its certificate",
                undone.join("; ")
            ),
        ),
    )
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (temp, _, _) in &self.0 {
            interrupt::discard(&Leftover::File(temp.clone()));
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
fn stage(files: &[OutputFile], dir: Option<&Path>, staged: &mut Vec<StagedFile>) -> Result<()> {
    if files.len() < PARALLEL_FROM {
        return stage_in_order(files, dir, staged);
    }
    let chunk = files.len().div_ceil(STAGING_THREADS);
    let parts: Vec<(Vec<StagedFile>, Result<()>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    let result = stage_in_order(part, dir, &mut done);
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

fn stage_in_order(
    files: &[OutputFile],
    dir: Option<&Path>,
    staged: &mut Vec<StagedFile>,
) -> Result<()> {
    for file in files {
        let target = PathBuf::from(&file.name);
        let temp = write_temp(&target, dir, &file.contents, file.mode)?;
        staged.push((temp, target, file.mode));
    }
    Ok(())
}

/// Writes one file atomically.
pub fn write_atomic(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    write_all(&[OutputFile {
        name: path.to_path_buf(),
        contents: contents.to_vec(),
        mode,
        binary: false,
    }])
}

/// Whether a file mode keeps the file to its owner (private keys).
fn is_private(mode: u32) -> bool {
    mode & 0o077 == 0
}

/// Two outputs at one path would lose one of them silently (a batch's
/// `x.json` and `x-key.json` both give `x-key.pem`).
fn refuse_duplicate_targets(files: &[OutputFile]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for file in files {
        let path = Path::new(&file.name);
        let dir = parent_dir(path);
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let key = dir.join(path.file_name().unwrap_or_default());
        if !seen.insert(key) {
            return Err(Error::Refused(format!(
                "{}: two outputs of this set would be written to this one file; nothing was written",
                path.display()
            )));
        }
    }
    Ok(())
}

/// A directory where a file should go would make its rename fail after
/// others were done; found before any.
fn refuse_directory_in_the_way(target: &Path) -> Result<()> {
    match target.symlink_metadata() {
        Ok(meta) if meta.is_dir() => Err(Error::Refused(format!(
            "{}: is a directory; nothing was written",
            target.display()
        ))),
        _ => Ok(()),
    }
}

/// Anyone who can write to a directory without the sticky bit can replace
/// or delete what is in it, a key included; and anyone who can write to
/// one of its parents can rename the directory and put their own in its
/// place. As ssh checks authorized_keys, the directory and every parent
/// must be writable by their owner alone (or sticky, as /tmp).
fn refuse_unsafe_directory(target: &Path) -> Result<()> {
    let dir = parent_dir(target);
    let Ok(dir) = std::fs::canonicalize(&dir) else {
        return Ok(()); // the write itself reports a missing directory
    };
    for ancestor in dir.ancestors() {
        let Ok(meta) = std::fs::metadata(ancestor) else {
            continue;
        };
        let mode = meta.permissions().mode();
        if mode & 0o022 != 0 && mode & 0o1000 == 0 {
            let who = if mode & 0o002 != 0 {
                "everyone"
            } else {
                "its group"
            };
            return Err(Error::Refused(format!(
                "{}: directory is writable by {who} and not sticky (mode {:04o}); refusing to write the private key {} under it",
                ancestor.display(),
                mode & 0o7777,
                target.display()
            )));
        }
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

/// A hidden name beside `target` for a temporary or old file: the file
/// name cut to fit NAME_MAX with the suffix, bytes kept as they are.
fn sibling_name(target: &Path, tag: &str) -> PathBuf {
    hidden_name_in(&parent_dir(target), target, tag)
}

/// A hidden name for `target`'s temporary or old file inside `dir`.
fn hidden_name_in(dir: &Path, target: &Path, tag: &str) -> PathBuf {
    const KEEP: usize = 200;
    let base = target.file_name().map(|n| n.as_bytes()).unwrap_or(b"out");
    let mut cut = base.len().min(KEEP);
    // Cut on a UTF-8 boundary when the name is UTF-8.
    while cut > 0 && cut < base.len() && std::str::from_utf8(&base[..cut]).is_err() {
        cut -= 1;
    }
    let mut rnd = [0u8; 6];
    let _ = aws_lc_rs::rand::fill(&mut rnd);
    let suffix: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    let mut name = b".".to_vec();
    name.extend_from_slice(&base[..cut]);
    name.extend_from_slice(format!(".{suffix}.{tag}").as_bytes());
    dir.join(OsString::from_vec(name))
}

fn write_temp(target: &Path, dir: Option<&Path>, contents: &[u8], mode: u32) -> Result<PathBuf> {
    for attempt in 0..16u32 {
        let temp = match dir {
            Some(dir) => hidden_name_in(dir, target, "tmp"),
            None => sibling_name(target, "tmp"),
        };
        let opened = {
            // Created and registered under the lock: a signal handler
            // either sees it or runs before it exists.
            let mut pending = interrupt::pending();
            let opened = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&temp);
            if opened.is_ok() {
                pending.push(Leftover::File(temp.clone()));
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
            interrupt::discard(&Leftover::File(temp));
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
            name: dir.join(name),
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
            assert_eq!(mode, 0o600, "{}", f.name.display());
        }
        let clean = tempfile::tempdir().unwrap();
        let clean_name = |name: &str| clean.path().join(name);
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
            name: dir.path().join("missing-dir/c.csr"),
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
            name: dir.path().join("missing/b.pem"),
            contents: b"x".to_vec(),
            mode: 0o644,
            binary: false,
        };
        assert!(write_all(&[file(dir.path(), "b.pem", 0o644), bad]).is_err());
        let ours: Vec<_> = interrupt::pending()
            .iter()
            .filter(
                |p| matches!(p, Leftover::File(f) | Leftover::Dir(f) if f.starts_with(dir.path())),
            )
            .cloned()
            .collect();
        assert!(ours.is_empty(), "{ours:?}");
    }

    #[test]
    fn a_directory_in_the_way_is_found_before_any_rename() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out-key.pem"), "OLD").unwrap();
        std::fs::create_dir(dir.path().join("out.csr")).unwrap();
        let err = write_all(&[
            file(dir.path(), "out-key.pem", 0o600),
            file(dir.path(), "out.pem", 0o644),
            file(dir.path(), "out.csr", 0o644),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
        assert_eq!(
            std::fs::read(dir.path().join("out-key.pem")).unwrap(),
            b"OLD"
        );
        assert!(!dir.path().join("out.pem").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn two_files_at_one_path_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut twin = file(dir.path(), "x-key.pem", 0o600);
        twin.name = dir.path().join(".").join("x-key.pem");
        let err = write_all(&[file(dir.path(), "x-key.pem", 0o600), twin]).unwrap_err();
        assert!(err.to_string().contains("two outputs"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn long_and_non_utf8_names_are_written_where_they_say() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("{}-key.pem", "n".repeat(240));
        write_all(&[file(dir.path(), &long, 0o600)]).unwrap();
        assert!(dir.path().join(&long).is_file());
        // A name that is not UTF-8 is written where it says.
        let raw = dir.path().join(OsString::from_vec(b"caf\xe9.pem".to_vec()));
        write_atomic(&raw, b"x", 0o644).unwrap();
        assert_eq!(std::fs::read(&raw).unwrap(), b"x");
    }

    #[test]
    fn a_group_writable_parent_is_unsafe_for_keys() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::set_permissions(dir.path().join("a"), std::fs::Permissions::from_mode(0o775))
            .unwrap();
        let err = write_all(&[file(&sub, "k-key.pem", 0o600)]).unwrap_err();
        assert!(err.to_string().contains("writable by its group"), "{err}");
        write_all(&[file(&sub, "c.pem", 0o644)]).unwrap();
    }
}
