//! `cluster init` and `cluster renew` as operations: from the command's
//! inputs to the files on disk and a report of what happened, so the CLI
//! only parses flags.

use crate::Report;
use certkit_core::cluster::layout::key_names;
use certkit_core::cluster::spec::ClusterSpec;
use certkit_core::error::Result;
use certkit_core::input::{display_name, read_input};
use certkit_files::cluster::cfssl_out;
use certkit_files::cluster::init::{init, InitOptions};
use certkit_files::cluster::renew::renew_layout;
use std::path::Path;

/// Builds the PKI described by the spec file `config` into `opts.out`,
/// and the same set as cfssl inputs into `cfssl_dir` in the same commit.
pub fn init_from_spec(
    config: &str,
    opts: &InitOptions,
    cfssl_dir: Option<&Path>,
) -> Result<Report> {
    let spec = ClusterSpec::from_json(&read_input(config)?, display_name(config), &key_names())?;
    let built = init(&spec, opts, || {
        cfssl_dir.map_or(Ok(()), |dir| cfssl_out::write(&spec, dir).map(drop))
    })?;
    let mut report = Report::default();
    report.info(format!(
        "cluster {:?}: wrote {} files to {}",
        spec.cluster_name,
        built.files.len(),
        opts.out.display()
    ));
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
    let done = renew_layout(out, which, new_key, backup)?;
    let mut report = Report::default();
    report.warn_all(&done.warnings);
    report.info(format!("renewed {}", done.names.join(", ")));
    Ok(report)
}
