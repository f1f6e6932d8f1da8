//! Renewing the leaves of a cluster PKI directory in place, each by the
//! CA of the layout that signed it, all or nothing.

use certkit_core::cluster::build::{load_ca, CaKeyReader};
use certkit_core::cluster::layout::{signer_of, CERT_NAMES};
use certkit_core::error::{Error, Result};
use certkit_core::issue::issuer::Issuer;
use certkit_core::issue::renew::{read_certificate, renew, renewal_files, KeyChoice};
use std::collections::BTreeMap;
use std::path::Path;

/// What a layout renewal did.
#[derive(Debug, Clone)]
pub struct RenewedLayout {
    /// The renewed certificate names.
    pub names: Vec<String>,
    pub warnings: Vec<String>,
}

/// Renews `which` ("all" or one leaf name such as "etcd/server") under
/// `dir`, keeping keys unless `new_keys`, with NAME.crt.bak backups unless
/// `backup` is off. The CAs' key files are read by `read_key` and never
/// written.
pub fn renew_layout(
    dir: &Path,
    which: &str,
    new_keys: bool,
    backup: bool,
    read_key: CaKeyReader,
) -> Result<RenewedLayout> {
    let leaves: Vec<&str> = CERT_NAMES
        .iter()
        .copied()
        .filter(|n| signer_of(n).is_some())
        .collect();
    let names: Vec<&str> = if which == "all" {
        leaves.clone()
    } else if leaves.contains(&which) {
        vec![which]
    } else {
        return Err(Error::Refused(format!(
            "no leaf certificate named {which:?} (use all, {})",
            leaves.join(", ")
        )));
    };
    let mut issuers: BTreeMap<&str, Issuer> = BTreeMap::new();
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for name in &names {
        let signer =
            signer_of(name).ok_or_else(|| Error::Refused(format!("{name}: not a leaf")))?;
        if !issuers.contains_key(signer) {
            issuers.insert(signer, load_ca(dir, signer, read_key)?.0);
        }
        let issuer = issuers
            .get(signer)
            .ok_or_else(|| Error::Encoding(format!("{signer}: CA not loaded")))?;
        let path = dir.join(format!("{name}.crt"));
        let source = path.display().to_string();
        let old_bytes = certkit_core::input::read_input(&path)?;
        let old = read_certificate(&old_bytes, &source)?;
        let key = if new_keys {
            KeyChoice::New
        } else {
            KeyChoice::Keep
        };
        let renewed = renew(&old, &source, issuer, None, key)?;
        warnings.extend(renewed.warnings.iter().map(|w| format!("{name}: {w}")));
        files.extend(renewal_files(&path, &old_bytes, &renewed, backup)?);
    }
    crate::atomic::write_all(&files)?;
    Ok(RenewedLayout {
        names: names.iter().map(|n| n.to_string()).collect(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::init::{init, InitOptions};
    use certkit_core::cluster::build::read_pem_ca_key;
    use certkit_core::cluster::layout::key_names;
    use certkit_core::cluster::spec::ClusterSpec;

    #[test]
    fn renews_every_leaf_and_refuses_unknown_names() {
        let json = r#"{"nodes":[{"name":"cp-1","ip":"10.0.0.11"}],"key":"ecdsa-p256"}"#;
        let spec = ClusterSpec::from_json(json.as_bytes(), "spec", &key_names()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pki");
        init(
            &spec,
            &InitOptions {
                out: out.clone(),
                ..Default::default()
            },
            Default::default(),
            || Ok(()),
        )
        .unwrap();
        let before = std::fs::read(out.join("etcd/peer.crt")).unwrap();
        let key_before = std::fs::read(out.join("etcd/peer.key")).unwrap();
        let done = renew_layout(&out, "all", false, true, &read_pem_ca_key).unwrap();
        assert_eq!(done.names.len(), 7);
        assert_ne!(std::fs::read(out.join("etcd/peer.crt")).unwrap(), before);
        assert_eq!(
            std::fs::read(out.join("etcd/peer.crt.bak")).unwrap(),
            before
        );
        assert_eq!(
            std::fs::read(out.join("etcd/peer.key")).unwrap(),
            key_before
        );
        assert!(renew_layout(&out, "etcd/ca", false, true, &read_pem_ca_key).is_err());
        assert!(renew_layout(&out, "kubelet", false, true, &read_pem_ca_key).is_err());
    }
}
