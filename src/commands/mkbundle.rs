//! `mkbundle` (cfssl's `mkbundle`/`cfssl-mkbundle`): certificates from
//! files and directories into one PEM bundle file.

use crate::common::emit_notes;
use certkit_core::chain::mkbundle::mkbundle;
use certkit_core::error::Result;

/// Collect the valid certificates of files and directories into one PEM bundle
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  An intermediate bundle from a directory of certificates, for bundle -int-bundle:
    certkit mkbundle -f int-bundle.crt ca.pem

  Expired, not yet valid and unparsable certificates are skipped with a note; so are
  SHA-1-signed ones and weak keys (as bundle and verify refuse them) unless -allow-sha1.
  Revocation is not checked (cfssl asks OCSP and CRL servers; certkit fetches nothing).")]
pub struct Args {
    /// The bundle file to write
    #[arg(
        short = 'f',
        long = "f",
        value_name = "FILE",
        default_value = "cert-bundle.crt"
    )]
    pub out: String,

    /// Number of workers (accepted as cfssl's mkbundle; certkit reads the files in order)
    #[arg(long = "nw", value_name = "N")]
    pub workers: Option<u32>,

    /// Certificate files (PEM) and directories to read
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub legacy: crate::common::LegacyChainArgs,
}

pub fn run(args: Args) -> Result<()> {
    let report = mkbundle(
        &args.paths,
        std::time::SystemTime::now(),
        args.legacy.bundle_options(),
    )?;
    emit_notes(&report);
    certkit_files::atomic::write_atomic(
        std::path::Path::new(&args.out),
        report.output.as_bytes(),
        0o644,
    )
}
