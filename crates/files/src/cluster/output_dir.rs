//! Writing a whole directory all or nothing: files go into a staging
//! directory beside the target, and only a finished tree is renamed into
//! place, so a failure never leaves half a PKI behind.

use crate::atomic::write_all;
use certkit_core::cluster::build::TreeFile;
use certkit_core::error::{Error, Result};
use certkit_core::output::OutputFile;
use std::path::{Path, PathBuf};

/// Writes `files` as the complete new contents of `target`. An existing
/// `target` is refused unless `replace` is set, and then swapped out only
/// once the new tree (and `before_commit`) has succeeded.
pub fn write_tree(
    target: &Path,
    files: &[TreeFile],
    replace: bool,
    before_commit: impl FnOnce() -> Result<()>,
) -> Result<()> {
    let (parent, name) = split_target(target)?;
    let exists = target.symlink_metadata().is_ok();
    if exists && !replace {
        return Err(already_exists(target));
    }
    let staging = Staging::create(&parent, &name, "new")?;
    let mut outputs = Vec::new();
    for file in files {
        let path = staging.path.join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        outputs.push(OutputFile {
            name: path.to_string_lossy().into_owned(),
            contents: file.contents.clone(),
            mode: file.mode,
            binary: false,
        });
    }
    write_all(&outputs)?;
    before_commit()?;
    if exists {
        let old = unique_sibling(&parent, &name, "old");
        std::fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
        if let Err(e) = std::fs::rename(&staging.path, target) {
            let _ = std::fs::rename(&old, target);
            return Err(Error::io(target, e));
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&staging.path, target).map_err(|e| Error::io(target, e))?;
    }
    staging.commit();
    if let Ok(dir) = std::fs::File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(())
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

/// The staging directory; removed with everything in it unless committed.
struct Staging {
    path: PathBuf,
    committed: bool,
}

impl Staging {
    fn create(parent: &Path, name: &str, tag: &str) -> Result<Staging> {
        let path = unique_sibling(parent, name, tag);
        std::fs::create_dir(&path).map_err(|e| Error::io(parent, e))?;
        Ok(Staging {
            path,
            committed: false,
        })
    }

    fn commit(mut self) {
        self.committed = true;
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
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
        write_tree(&target, &tree(), true, || Ok(())).unwrap();
        assert_eq!(entries(&target), ["a.crt", "etcd"]);
        assert_eq!(entries(dir.path()), ["pki"]);
    }
}
