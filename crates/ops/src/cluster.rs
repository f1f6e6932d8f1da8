//! `cluster init` and `cluster renew` as operations: from the command's
//! inputs to the files on disk and a report of what happened, so the CLI
//! only parses flags.

use crate::Report;
use certkit_core::cluster::build::{CaKeys, GivenCaKey};
use certkit_core::cluster::layout::{key_names, signer_of, CERT_NAMES};
use certkit_core::cluster::spec::ClusterSpec;
use certkit_core::error::{Error, Result, UsageError};
use certkit_core::input::{display_name, read_input};
use certkit_core::keys::CaKey;
use certkit_files::cluster::cfssl_out;
use certkit_files::cluster::init::{init, InitOptions};
use certkit_files::cluster::renew::renew_layout;
use certkit_pkcs11::{is_pkcs11_uri, TokenKey};
use std::collections::BTreeMap;
use std::path::Path;

/// Builds the PKI described by the spec file `config` into `opts.out`,
/// and the same set as cfssl inputs into `cfssl_dir` in the same commit.
/// `token_keys` are `--ca-key NAME=URI`: those CAs are made for a key
/// already in a token, and their NAME.key holds the URI.
pub fn init_from_spec(
    config: &str,
    opts: &InitOptions,
    cfssl_dir: Option<&Path>,
    token_keys: &[String],
) -> Result<Report> {
    let spec = ClusterSpec::from_json(&read_input(config)?, display_name(config), &key_names())?;
    let cas = CaKeys {
        read: &read_ca_key,
        given: open_token_keys(token_keys)?,
    };
    let in_token: Vec<String> = cas.given.keys().cloned().collect();
    let built = init(&spec, opts, cas, || {
        cfssl_dir.map_or(Ok(()), |dir| cfssl_out::write(&spec, dir).map(drop))
    })?;
    let mut report = Report::default();
    report.info(format!(
        "cluster {:?}: wrote {} files to {}",
        spec.cluster_name,
        built.files.len(),
        opts.out.display()
    ));
    if !in_token.is_empty() {
        report.info(format!("CA keys in a token: {}", in_token.join(", ")));
    }
    if !built.reused.is_empty() {
        report.info(format!("reused CAs: {}", built.reused.join(", ")));
    }
    if !built.kept.is_empty() {
        report.info(format!(
            "kept {} files certkit did not make: {}",
            built.kept.len(),
            built.kept.join(", ")
        ));
    }
    Ok(report)
}

/// Renews the layout's leaves `which` names in place.
pub fn renew(out: &Path, which: &str, new_key: bool, backup: bool) -> Result<Report> {
    let done = renew_layout(out, which, new_key, backup, &read_ca_key)?;
    let mut report = Report::default();
    report.warn_all(&done.warnings);
    report.info(format!("renewed {}", done.names.join(", ")));
    Ok(report)
}

/// A cluster CA's key file: a key, or the `pkcs11:` URI of a token key.
fn read_ca_key(contents: &[u8], source: &str) -> Result<CaKey> {
    crate::load::ca_key_file(contents, source, None)
}

/// Opens each `--ca-key NAME=URI` token key, before anything is written.
fn open_token_keys(args: &[String]) -> Result<BTreeMap<String, GivenCaKey>> {
    let cas: Vec<&str> = CERT_NAMES
        .iter()
        .copied()
        .filter(|n| signer_of(n).is_none())
        .collect();
    let mut given = BTreeMap::new();
    for arg in args {
        let (name, uri) = arg.split_once('=').unwrap_or((arg, ""));
        if !cas.contains(&name) {
            return Err(UsageError::bad_value(
                "--ca-key",
                format!(
                    "{name:?} is not a CA of the cluster layout (NAME=pkcs11:URI, NAME one of {})",
                    cas.join(", ")
                ),
            ));
        }
        if !is_pkcs11_uri(uri) {
            return Err(UsageError::bad_value(
                "--ca-key",
                format!("{name}=...: the key must be a pkcs11: URI (a key in a token)"),
            ));
        }
        let key = TokenKey::open(uri).map_err(|e| Error::Key(format!("--ca-key {name}: {e}")))?;
        let reference = GivenCaKey {
            key: Box::new(key),
            reference: uri.to_string(),
        };
        if given.insert(name.to_string(), reference).is_some() {
            return Err(UsageError::bad_value(
                "--ca-key",
                format!("{name} given twice"),
            ));
        }
    }
    Ok(given)
}
