//! The cfssl names on the PATH: symbolic links `DIR/cfssl`, `DIR/cfssljson`,
//! ... to the certkit executable, which reads argv[0] to know which tool it
//! is asked to be.
//!
//! A name that is already a link to certkit is left alone; anything else
//! there (a real cfssl, a link elsewhere) is refused unless `force`, and
//! then replaced atomically (a new link renamed over it). Every name is
//! checked before any link is made, so a refusal changes nothing.

use certkit_core::error::{Error, Result};
use certkit_core::report::Report;
use std::path::{Path, PathBuf};

/// The running executable, with symbolic links resolved: what the links
/// point to.
pub fn this_executable() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| Error::io("the certkit executable", e))?;
    exe.canonicalize().map_err(|e| Error::io(exe, e))
}

/// What is at `DIR/NAME` now.
enum Existing {
    Nothing,
    LinkToTarget,
    Other,
}

fn existing(path: &Path, target: &Path) -> Result<Existing> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(Error::io(path, e)),
    };
    if !meta.file_type().is_symlink() {
        // certkit itself installed under a cfssl name: a link would point at itself.
        if path.canonicalize().ok().as_deref() == Some(target) {
            return Err(Error::Refused(format!(
                "{} is the certkit executable itself; link to it from another directory",
                path.display()
            )));
        }
        return Ok(Existing::Other);
    }
    Ok(match path.canonicalize() {
        Ok(resolved) if resolved == target => Existing::LinkToTarget,
        _ => Existing::Other,
    })
}

/// Makes `dir/NAME` a symbolic link to `target` for each name, creating
/// `dir` when missing. The report has one line per name saying what was
/// done.
pub fn install_links(dir: &Path, target: &Path, names: &[&str], force: bool) -> Result<Report> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut todo = Vec::new();
    let mut report = Report::default();
    for name in names {
        let path = dir.join(name);
        match existing(&path, target)? {
            Existing::LinkToTarget => report.info(format!(
                "{} already links to {}",
                path.display(),
                target.display()
            )),
            Existing::Other if !force => {
                return Err(Error::Refused(format!(
                    "{} exists and is not a link to {} (-force replaces it)",
                    path.display(),
                    target.display()
                )))
            }
            Existing::Other | Existing::Nothing => todo.push(path),
        }
    }
    let staged = StagedLinks::new(&todo, target)?;
    staged.rename_all()?;
    for path in &todo {
        report.info(format!("{} -> {}", path.display(), target.display()));
    }
    Ok(report)
}

/// New links made under temporary names beside their final place; those
/// not yet renamed are removed when dropped (on any failure).
struct StagedLinks {
    pairs: Vec<(PathBuf, PathBuf)>,
}

impl StagedLinks {
    fn new(paths: &[PathBuf], target: &Path) -> Result<Self> {
        let mut staged = StagedLinks { pairs: Vec::new() };
        for path in paths {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let temp = path.with_file_name(format!(".{name}.certkit-{}", std::process::id()));
            let _ = std::fs::remove_file(&temp);
            std::os::unix::fs::symlink(target, &temp).map_err(|e| Error::io(&temp, e))?;
            staged.pairs.push((temp, path.clone()));
        }
        Ok(staged)
    }

    fn rename_all(mut self) -> Result<()> {
        while let Some((temp, path)) = self.pairs.pop() {
            if let Err(e) = std::fs::rename(&temp, &path) {
                let _ = std::fs::remove_file(&temp);
                return Err(Error::io(path, e));
            }
        }
        Ok(())
    }
}

impl Drop for StagedLinks {
    fn drop(&mut self) {
        for (temp, _) in &self.pairs {
            let _ = std::fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["cfssl", "cfssljson"];

    fn setup() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("certkit");
        std::fs::write(&target, b"binary").unwrap();
        let target = target.canonicalize().unwrap();
        (dir, target)
    }

    #[test]
    fn links_are_made_in_a_new_directory_and_again_is_a_no_op() {
        let (dir, target) = setup();
        let bin = dir.path().join("bin");
        let report = install_links(&bin, &target, NAMES, false).unwrap();
        assert_eq!(report.notes.len(), 2);
        for name in NAMES {
            assert_eq!(std::fs::read_link(bin.join(name)).unwrap(), target);
        }
        let again = install_links(&bin, &target, NAMES, false).unwrap();
        assert!(again
            .notes
            .iter()
            .all(|n| format!("{n:?}").contains("already")));
    }

    #[test]
    fn a_real_file_is_refused_without_force_and_nothing_is_made() {
        let (dir, target) = setup();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::write(bin.join("cfssljson"), b"go binary").unwrap();
        let err = install_links(&bin, &target, NAMES, false).unwrap_err();
        assert!(err.to_string().contains("cfssljson exists"), "{err}");
        assert!(std::fs::symlink_metadata(bin.join("cfssl")).is_err());
        assert_eq!(std::fs::read(bin.join("cfssljson")).unwrap(), b"go binary");
        assert_eq!(
            std::fs::read_dir(&bin).unwrap().count(),
            1,
            "no temporary links left"
        );

        install_links(&bin, &target, NAMES, true).unwrap();
        assert_eq!(std::fs::read_link(bin.join("cfssljson")).unwrap(), target);
    }

    #[test]
    fn a_link_elsewhere_is_replaced_only_with_force() {
        let (dir, target) = setup();
        let other = dir.path().join("other");
        std::fs::write(&other, b"x").unwrap();
        std::os::unix::fs::symlink(&other, dir.path().join("cfssl")).unwrap();
        assert!(install_links(dir.path(), &target, &["cfssl"], false).is_err());
        install_links(dir.path(), &target, &["cfssl"], true).unwrap();
        assert_eq!(
            std::fs::read_link(dir.path().join("cfssl")).unwrap(),
            target
        );
    }

    #[test]
    fn certkit_installed_under_a_cfssl_name_is_never_replaced() {
        let (dir, target) = setup();
        let err = install_links(dir.path(), &target, &["certkit"], true).unwrap_err();
        assert!(err.to_string().contains("itself"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"binary");
    }
}
