//! `cluster init` and `cluster renew` as operations: from the command's
//! inputs to the files on disk and a report of what happened, so the CLI
//! only parses flags.

use crate::Report;
use certkit_core::cluster::build::{CaKeys, GivenCaKey};
use certkit_core::cluster::layout::{key_names, signer_of, CERT_NAMES};
use certkit_core::cluster::spec::ClusterSpec;
use certkit_core::error::{Error, Result, UsageError};
use certkit_core::input::{display_name, read_input};
use certkit_core::keys::{CaKey, SigningKey};
use certkit_files::cluster::cfssl_out;
use certkit_files::cluster::init::{check_given_keys, check_target, init, InitOptions};
use certkit_files::cluster::renew::renew_layout;
use certkit_pkcs11::{is_pkcs11_uri, TokenKey};
use std::collections::BTreeMap;
use std::path::Path;

/// `cluster init --ca-key NAME=URI [--new-token-keys]`: the CAs made for
/// keys in a token, already there or generated there first.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenCas<'a> {
    pub keys: &'a [String],
    pub generate: bool,
}

/// Builds the PKI described by the spec file `config` into `opts.out`,
/// and the same set as cfssl inputs into `cfssl_dir` in the same commit.
/// The `token` CAs are made for their key in the token, and their
/// NAME.key holds the key's URI.
pub fn init_from_spec(
    config: &str,
    opts: &InitOptions,
    cfssl_dir: Option<&Path>,
    token: TokenCas,
) -> Result<Report> {
    let spec = ClusterSpec::from_json(&read_input(config)?, display_name(config), &key_names())?;
    if token.generate && token.keys.is_empty() {
        return Err(UsageError::missing(
            "--new-token-keys goes with --ca-key NAME=pkcs11:URI",
        ));
    }
    if cfssl_dir.is_some() && !token.keys.is_empty() {
        return Err(UsageError::missing(
            "--cfssl-out writes cfssl commands that make every CA key as a file; it does not go with --ca-key",
        ));
    }
    // Refused before a key is generated in the token.
    check_target(opts)?;
    check_given_keys(opts, !token.keys.is_empty())?;
    let mut report = Report::default();
    let cas = CaKeys {
        read: &read_ca_key,
        given: open_token_keys(&spec, token, &mut report)?,
    };
    let in_token: Vec<String> = cas.given.keys().cloned().collect();
    let built = init(&spec, opts, cas, || {
        cfssl_dir.map_or(Ok(()), |dir| cfssl_out::write(&spec, dir).map(drop))
    })?;
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

/// Opens each `--ca-key NAME=URI` token key (generating it first, as the
/// spec's algorithm for that CA, with `token.generate`), before anything
/// is written.
fn open_token_keys(
    spec: &ClusterSpec,
    token: TokenCas,
    report: &mut Report,
) -> Result<BTreeMap<String, GivenCaKey>> {
    let cas: Vec<&str> = CERT_NAMES
        .iter()
        .copied()
        .filter(|n| signer_of(n).is_none())
        .collect();
    let mut named = BTreeMap::new();
    for arg in token.keys {
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
        if named.insert(name, uri).is_some() {
            return Err(UsageError::bad_value(
                "--ca-key",
                format!("{name} given twice"),
            ));
        }
    }
    let mut given = BTreeMap::new();
    for (name, uri) in named {
        let in_token = |e: certkit_pkcs11::Pkcs11Error| Error::Key(format!("--ca-key {name}: {e}"));
        let key = if token.generate {
            let key =
                certkit_pkcs11::generate(uri, spec.key_for(name).key_spec()).map_err(in_token)?;
            report.info(format!(
                "{name}: generated a {} key in the token: {}",
                key.describe(),
                certkit_pkcs11::uri::without_query(uri)
            ));
            key
        } else {
            TokenKey::open(uri).map_err(in_token)?
        };
        let reference = GivenCaKey {
            key: Box::new(key),
            reference: uri.to_string(),
        };
        given.insert(name.to_string(), reference);
    }
    Ok(given)
}
