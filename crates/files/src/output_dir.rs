//! Writing a whole directory all or nothing: files go into a staging
//! directory beside the target, and only a finished tree is swapped into
//! place, so a failure never leaves half a PKI behind.
//!
//! The staging directory is registered for removal (`interrupt`) from the
//! moment it exists, and the swap (with whatever `before_commit` writes)
//! is a commit section, so SIGTERM or SIGINT leaves either the old tree or
//! the new one and no copy of any key. What a kill -9 or a power loss
//! leaves (`.NAME.new-*`, `.NAME.old-*`) is cleaned by the next run for
//! the same target, or named when it may hold the only copy of a PKI.
//! Files certkit did not make (renew's `.bak` files, extra bundles,
//! subdirectories) are carried into the new tree, never deleted.

use crate::atomic::{write_all, write_all_staged_in};
use crate::interrupt::{self, Leftover};
use crate::lock::lock_dirs;
use certkit_core::cluster::build::TreeFile;
use certkit_core::error::{Error, Result};
use certkit_core::output::OutputFile;
use std::collections::BTreeSet;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of the directories certkit creates, whatever the umask.
pub const DIR_MODE: u32 = 0o755;

/// Writes `files` as the complete new contents of `target`. An existing
/// `target` is refused unless `replace` is set, and then swapped out only
/// once the new tree (and `before_commit`) has succeeded; files in it that
/// are not part of `files` are kept. A symlinked `target` is followed.
/// Returns the kept files, relative to the target.
pub fn write_tree(
    target: &Path,
    files: &[TreeFile],
    replace: bool,
    before_commit: impl FnOnce() -> Result<()>,
) -> Result<Vec<String>> {
    interrupt::install();
    let target = follow_symlink(target)?;
    let (parent, name) = split_target(&target)?;
    let _lock = lock_dirs([parent.as_path()])?;
    let exists = target.symlink_metadata().is_ok();
    clean_leftovers(&parent, &name, exists)?;
    if exists && !replace {
        return Err(already_exists(&target));
    }
    let staging = Staging::create(&parent, &name)?;
    let mut outputs = Vec::new();
    for file in files {
        let path = staging.path.join(&file.path);
        if let Some(dir) = path.parent() {
            create_dirs(dir)?;
        }
        outputs.push(OutputFile {
            name: path,
            contents: file.contents.clone(),
            mode: file.mode,
            binary: false,
        });
    }
    write_all(&outputs)?;
    let (kept, final_mode) = if exists {
        let ours: BTreeSet<PathBuf> = files.iter().map(|f| PathBuf::from(&f.path)).collect();
        let mut kept = Vec::new();
        carry_over(&target, &staging.path, Path::new(""), &ours, &mut kept)?;
        let mode = std::fs::metadata(&target).map_or(DIR_MODE, |m| m.permissions().mode() & 0o7777);
        (kept, mode)
    } else {
        (Vec::new(), DIR_MODE)
    };
    let _commit = interrupt::commit_section();
    before_commit()?;
    set_mode(&staging.path, final_mode)?;
    if exists {
        swap(&staging, &target)?;
    } else {
        std::fs::rename(&staging.path, &target).map_err(|e| Error::io(&target, e))?;
        staging.commit();
    }
    if let Ok(dir) = std::fs::File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(kept)
}

/// Writes a batch's files (each under `out`) into the directory `out`. A
/// new `out` appears whole, staged and renamed as a cluster PKI is; into
/// an existing one the files are renamed from a staging directory beside
/// it. Either way a kill -9 leaves one staging directory, which the next
/// run removes, never a temporary key per certificate.
pub fn write_into_dir(out: &Path, files: &[OutputFile]) -> Result<()> {
    interrupt::install();
    if out.symlink_metadata().is_err() {
        let tree = files
            .iter()
            .map(|f| {
                let path = f.name.strip_prefix(out).map_err(|_| {
                    Error::Refused(format!("{}: not under {}", f.name.display(), out.display()))
                })?;
                Ok(TreeFile {
                    path: path.to_string_lossy().into_owned(),
                    contents: f.contents.clone(),
                    mode: f.mode,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        return write_tree(out, &tree, false, || Ok(())).map(drop);
    }
    let real = follow_symlink(out)?;
    let (parent, name) = split_target(&real)?;
    // Held throughout, so no other run takes this run's staging directory
    // for an interrupted one's.
    let _lock = lock_dirs([parent.as_path()])?;
    clean_leftovers(&parent, &name, true)?;
    let staging = Staging::create(&parent, &name)?;
    write_all_staged_in(files, Some(&staging.path))
}

/// Puts the staged tree at `target` and removes the old one: exchanged
/// in one step where the filesystem can (renameat2 RENAME_EXCHANGE), else
/// by two renames.
fn swap(staging: &Staging, target: &Path) -> Result<()> {
    if exchange(&staging.path, target).is_ok() {
        // The staging path now holds the old tree, still registered.
        interrupt::discard(&Leftover::Dir(staging.path.clone()));
        return Ok(());
    }
    let (parent, name) = split_target(target)?;
    let old = unique_sibling(&parent, &name, "old");
    interrupt::pending().push(Leftover::Dir(old.clone()));
    if let Err(e) = std::fs::rename(target, &old) {
        interrupt::forget(&mut interrupt::pending(), &Leftover::Dir(old));
        return Err(Error::io(target, e));
    }
    if let Err(e) = std::fs::rename(&staging.path, target) {
        let _ = std::fs::rename(&old, target);
        interrupt::forget(&mut interrupt::pending(), &Leftover::Dir(old));
        return Err(Error::io(target, e));
    }
    interrupt::forget(
        &mut interrupt::pending(),
        &Leftover::Dir(staging.path.clone()),
    );
    interrupt::discard(&Leftover::Dir(old));
    Ok(())
}

fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// A symlink at the target is followed: the PKI goes where it points, and
/// the link stays (it may be how the admin placed the directory).
fn follow_symlink(target: &Path) -> Result<PathBuf> {
    match target.symlink_metadata() {
        Ok(meta) if meta.file_type().is_symlink() => {
            let real = std::fs::canonicalize(target).map_err(|e| Error::io(target, e))?;
            if !real.is_dir() {
                return Err(Error::Refused(format!(
                    "{}: is a symlink to {}, which is not a directory",
                    target.display(),
                    real.display()
                )));
            }
            Ok(real)
        }
        _ => Ok(target.to_path_buf()),
    }
}

/// Removes what an interrupted run for this target left beside it: an
/// unfinished staging directory, or an old tree superseded by a swap that
/// completed. An old tree without a target is the only copy of the
/// previous PKI, so it is named and left alone.
fn clean_leftovers(parent: &Path, name: &str, target_exists: bool) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let (new_prefix, old_prefix) = (format!(".{name}.new-"), format!(".{name}.old-"));
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir {
            continue;
        }
        if file_name.starts_with(&new_prefix) {
            log::warn!(
                "{}: removing the unfinished staging directory of an interrupted run",
                path.display()
            );
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        } else if file_name.starts_with(&old_prefix) {
            if !target_exists {
                return Err(Error::Refused(format!(
                    "{}: an interrupted run left the previous PKI here and no {}; move it back (mv {} {}) or remove it, then run again",
                    path.display(),
                    parent.join(name).display(),
                    path.display(),
                    parent.join(name).display()
                )));
            }
            log::warn!(
                "{}: removing the previous PKI an interrupted run replaced",
                path.display()
            );
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Copies into the staged tree (as hard links, or copies across
/// filesystems) every entry of the old tree that the new one does not
/// write, so nothing certkit did not make is lost. A file where the new
/// tree needs a directory, or a special file, is refused by name.
fn carry_over(
    old_root: &Path,
    new_root: &Path,
    rel: &Path,
    ours: &BTreeSet<PathBuf>,
    kept: &mut Vec<String>,
) -> Result<()> {
    let dir = old_root.join(rel);
    let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let rel_path = rel.join(entry.file_name());
        if ours.contains(&rel_path) {
            continue;
        }
        let from = old_root.join(&rel_path);
        let to = new_root.join(&rel_path);
        let kind = entry.file_type().map_err(|e| Error::io(&from, e))?;
        if kind.is_dir() {
            if to.symlink_metadata().is_err() {
                create_dirs(&to)?;
                let mode = std::fs::metadata(&from).map_or(DIR_MODE, |m| m.permissions().mode());
                set_mode(&to, mode & 0o7777)?;
            } else if !to.is_dir() {
                return Err(conflict(&from));
            }
            carry_over(old_root, new_root, &rel_path, ours, kept)?;
        } else if kind.is_file() || kind.is_symlink() {
            if ours.iter().any(|p| p.starts_with(&rel_path)) {
                return Err(conflict(&from));
            }
            keep_file(&from, &to, kind.is_symlink())?;
            kept.push(rel_path.display().to_string());
        } else {
            return Err(Error::Refused(format!(
                "{}: not a regular file, directory or symlink; move it out of the PKI directory and run again",
                from.display()
            )));
        }
    }
    Ok(())
}

fn conflict(path: &Path) -> Error {
    Error::Refused(format!(
        "{}: is in the way of the layout (a file where it needs a directory, or the reverse); move it and run again",
        path.display()
    ))
}

fn keep_file(from: &Path, to: &Path, symlink: bool) -> Result<()> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let copied = if symlink {
        std::fs::read_link(from).and_then(|link| std::os::unix::fs::symlink(link, to))
    } else {
        std::fs::copy(from, to).map(drop)
    };
    copied.map_err(|e| Error::io(from, e))
}

/// Creates `dir` and its missing parents with mode [`DIR_MODE`], exactly
/// (umask 000 must not make them writable by everyone).
pub fn create_dirs(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dirs(parent)?;
    }
    match std::fs::DirBuilder::new().mode(DIR_MODE).create(dir) {
        Ok(()) => set_mode(dir, DIR_MODE),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(path, e))
}

/// The error for a target directory that is already there.
pub fn already_exists(target: &Path) -> Error {
    Error::Refused(format!(
        "{}: already exists; use --force to replace it or --reuse-ca to keep its CAs",
        target.display()
    ))
}

fn split_target(target: &Path) -> Result<(PathBuf, String)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            Error::Refused(format!(
                "{}: not a directory name certkit can create",
                target.display()
            ))
        })?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

fn unique_sibling(parent: &Path, name: &str, tag: &str) -> PathBuf {
    let mut rnd = [0u8; 6];
    let _ = aws_lc_rs::rand::fill(&mut rnd);
    let suffix: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    parent.join(format!(".{name}.{tag}-{suffix}"))
}

/// The staging directory: 0700 while keys are written into it, registered
/// for removal (on error, drop or signal) until committed.
struct Staging {
    path: PathBuf,
}

impl Staging {
    fn create(parent: &Path, name: &str) -> Result<Staging> {
        let path = unique_sibling(parent, name, "new");
        {
            let mut pending = interrupt::pending();
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&path)
                .map_err(|e| Error::io(parent, e))?;
            pending.push(Leftover::Dir(path.clone()));
        }
        set_mode(&path, 0o700)?;
        Ok(Staging { path })
    }

    /// The staged tree is in place: nothing left to remove.
    fn commit(self) {
        interrupt::forget(&mut interrupt::pending(), &Leftover::Dir(self.path.clone()));
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        interrupt::discard(&Leftover::Dir(self.path.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Vec<TreeFile> {
        vec![
            TreeFile {
                path: "a.crt".into(),
                contents: b"a".to_vec(),
                mode: 0o644,
            },
            TreeFile {
                path: "etcd/b.key".into(),
                contents: b"b".to_vec(),
                mode: 0o600,
            },
        ]
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_a_new_tree() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("pki");
        write_tree(&target, &tree(), false, || Ok(())).unwrap();
        assert_eq!(std::fs::read(target.join("etcd/b.key")).unwrap(), b"b");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, DIR_MODE);
        assert_eq!(entries(dir.path()), ["pki"]);
    }

    #[test]
    fn failure_before_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("pki");
        let err = write_tree(&target, &tree(), false, || {
            Err(Error::Refused("boom".into()))
        })
        .unwrap_err();
        assert!(err.to_string().contains("boom"));
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn existing_tree_is_kept_unless_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("pki");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old"), "x").unwrap();
        assert!(write_tree(&target, &tree(), false, || Ok(())).is_err());
        assert!(write_tree(&target, &tree(), true, || Err(Error::Refused("no".into()))).is_err());
        assert_eq!(entries(&target), ["old"]);
        let kept = write_tree(&target, &tree(), true, || Ok(())).unwrap();
        assert_eq!(kept, ["old"]);
        assert_eq!(entries(&target), ["a.crt", "etcd", "old"]);
        assert_eq!(entries(dir.path()), ["pki"]);
    }

    #[test]
    fn foreign_files_are_kept_and_a_symlinked_target_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real-pki");
        write_tree(&real, &tree(), false, || Ok(())).unwrap();
        std::fs::write(real.join("a.crt.bak"), "backup").unwrap();
        std::fs::create_dir(real.join("extra")).unwrap();
        std::fs::write(real.join("extra/bundle.pem"), "bundle").unwrap();
        std::fs::write(real.join("etcd/b.key.bak"), "old key").unwrap();
        let link = dir.path().join("pki");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut kept = write_tree(&link, &tree(), true, || Ok(())).unwrap();
        kept.sort();
        assert_eq!(kept, ["a.crt.bak", "etcd/b.key.bak", "extra/bundle.pem"]);
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(
            std::fs::read(real.join("extra/bundle.pem")).unwrap(),
            b"bundle"
        );
        assert_eq!(std::fs::read(real.join("a.crt.bak")).unwrap(), b"backup");
        assert_eq!(entries(dir.path()), ["pki", "real-pki"]);
    }

    #[test]
    fn leftovers_of_an_interrupted_run_are_cleaned_or_named() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("pki");
        let stale = dir.path().join(".pki.new-0123456789ab");
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("ca.key"), "secret").unwrap();
        write_tree(&target, &tree(), false, || Ok(())).unwrap();
        assert_eq!(entries(dir.path()), ["pki"]);
        // Killed between the two renames of a swap: the old PKI is the
        // only copy, so it is named, not removed.
        let old = dir.path().join(".pki.old-0123456789ab");
        std::fs::rename(&target, &old).unwrap();
        let err = write_tree(&target, &tree(), false, || Ok(())).unwrap_err();
        assert!(err.to_string().contains("move it back"), "{err}");
        assert!(old.join("a.crt").exists());
    }

    #[test]
    fn directories_get_explicit_modes_under_umask_000() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("made/by/certkit");
        // SAFETY: umask is process-wide; this test restores it.
        let before = unsafe { libc::umask(0) };
        let made = create_dirs(&target);
        unsafe { libc::umask(before) };
        made.unwrap();
        for d in ["made", "made/by", "made/by/certkit"] {
            let mode = std::fs::metadata(dir.path().join(d))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o7777, DIR_MODE, "{d}");
        }
    }
}
