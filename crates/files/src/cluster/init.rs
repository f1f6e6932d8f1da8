//! `cluster init`: checks the target, builds the PKI in memory
//! (`certkit_core::cluster::build`) and writes it as one directory, all or
//! nothing.

use crate::output_dir::{already_exists, write_tree};
use certkit_core::cluster::build::{build, CaKeys};
use certkit_core::cluster::spec::ClusterSpec;
use certkit_core::error::{Error, Result};
use std::path::{Path, PathBuf};

/// How `cluster init` writes its output.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The PKI directory (kubeadm's /etc/kubernetes/pki).
    pub out: PathBuf,
    /// Replace an existing directory.
    pub force: bool,
    /// Keep the existing directory's CAs (and service-account key) and
    /// issue new leaves from them.
    pub reuse_ca: bool,
}

/// What a build wrote.
#[derive(Debug, Clone)]
pub struct Built {
    /// Every file of the new directory, relative to it.
    pub files: Vec<String>,
    /// The certificate names whose CA was reused.
    pub reused: Vec<String>,
    /// Files of the old directory that certkit did not make, kept.
    pub kept: Vec<String>,
}

/// Builds the layout for `spec` into `opts.out`, the CAs' keys found as
/// `cas` says. `before_commit` runs once everything is staged; its failure
/// leaves no output directory behind.
pub fn init(
    spec: &ClusterSpec,
    opts: &InitOptions,
    cas: CaKeys,
    before_commit: impl FnOnce() -> Result<()>,
) -> Result<Built> {
    check_target(opts)?;
    check_given_keys(opts, !cas.given.is_empty())?;
    let tree = build(spec, opts.reuse_ca.then_some(opts.out.as_path()), cas)?;
    let kept = write_tree(
        &opts.out,
        &tree.files,
        opts.force || opts.reuse_ca,
        before_commit,
    )?;
    Ok(Built {
        files: tree.files.iter().map(|f| f.path.clone()).collect(),
        reused: tree.reused,
        kept,
    })
}

/// A given CA key makes a new CA, which --reuse-ca would not. Checked
/// before any key is opened or generated in a token.
pub fn check_given_keys(opts: &InitOptions, given: bool) -> Result<()> {
    if opts.reuse_ca && given {
        return Err(Error::Refused(
            "--reuse-ca keeps the existing CAs; a CA key from a token makes a new CA (use one or the other)"
                .into(),
        ));
    }
    Ok(())
}

/// An existing directory needs --force or --reuse-ca; --reuse-ca needs
/// one; the parent must be a directory already. Checked before any key
/// is generated.
pub fn check_target(opts: &InitOptions) -> Result<()> {
    let parent = match opts.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(Error::Refused(format!(
            "{}: the parent directory {} does not exist",
            opts.out.display(),
            parent.display()
        )));
    }
    let exists = opts.out.symlink_metadata().is_ok();
    if exists && !(opts.force || opts.reuse_ca) {
        return Err(already_exists(&opts.out));
    }
    if opts.reuse_ca && !exists {
        return Err(Error::Refused(format!(
            "{}: --reuse-ca needs an existing PKI directory",
            opts.out.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use certkit_core::cluster::layout::key_names;

    fn ecdsa_spec() -> ClusterSpec {
        let json = r#"{"nodes":[{"name":"cp-1","ip":"10.0.0.11"}],"key":"ecdsa-p256","leaf_expiry":"24h","ca_expiry":"48h"}"#;
        ClusterSpec::from_json(json.as_bytes(), "spec", &key_names()).unwrap()
    }

    #[test]
    fn builds_every_file_and_reuses_cas() {
        let dir = tempfile::tempdir().unwrap();
        let opts = InitOptions {
            out: dir.path().join("pki"),
            ..Default::default()
        };
        let built = init(&ecdsa_spec(), &opts, CaKeys::default(), || Ok(())).unwrap();
        assert_eq!(built.files.len(), 22);
        for f in &built.files {
            assert!(opts.out.join(f).is_file(), "{f}");
        }
        let ca_before = std::fs::read(opts.out.join("etcd/ca.crt")).unwrap();
        let leaf_before = std::fs::read(opts.out.join("etcd/server.crt")).unwrap();
        let sa_before = std::fs::read(opts.out.join("sa.key")).unwrap();
        assert!(
            init(&ecdsa_spec(), &opts, CaKeys::default(), || Ok(())).is_err(),
            "existing dir must be refused"
        );
        let reuse = InitOptions {
            reuse_ca: true,
            ..opts.clone()
        };
        let built = init(&ecdsa_spec(), &reuse, CaKeys::default(), || Ok(())).unwrap();
        assert_eq!(built.reused.len(), 3);
        assert_eq!(
            std::fs::read(opts.out.join("etcd/ca.crt")).unwrap(),
            ca_before
        );
        assert_eq!(std::fs::read(opts.out.join("sa.key")).unwrap(), sa_before);
        assert_ne!(
            std::fs::read(opts.out.join("etcd/server.crt")).unwrap(),
            leaf_before
        );
    }
}
