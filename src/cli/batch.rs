//! `batch`: many keys and certificates from one CA in one process.

use super::common::{load_config, load_issuer, log_warnings};
use crate::batch::{issue_all, load, summarize_warnings};
use crate::error::{Error, Result};
use crate::log;
use std::path::Path;

/// Generate keys and certificates for many requests, signed by one CA, in one process
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  One key and certificate per request in an array, written as out/1.pem, out/1-key.pem, out/1.csr, ...:
    certkit batch -ca ca.pem -ca-key ca-key.pem -config signing.json -out out requests.json
  One per *.json file of a directory (web.json gives out/web.pem, out/web-key.pem, out/web.csr):
    certkit batch -ca ca.pem -ca-key ca-key.pem -profile server -config signing.json -out out requests/

FILES:
  For each request NAME: NAME.pem, NAME-key.pem (mode 0600) and NAME.csr in
  the -out directory, as `cfssljson -bare NAME` writes them. Nothing is
  written unless every certificate of the batch was issued.")]
pub struct Args {
    /// CA certificate (PEM) to sign with
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,

    /// CA private key (PEM) to sign with
    #[arg(long = "ca-key", value_name = "FILE")]
    pub ca_key: Option<String>,

    /// Signing configuration (cfssl config JSON); default: cfssl's default profile
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    /// Signing profile from the config (default: signing.default)
    #[arg(long, value_name = "NAME", default_value = "")]
    pub profile: String,

    /// Directory the files are written to (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: String,

    /// Worker threads (default: one per CPU)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// A JSON file holding an array of requests (cfssl CSR JSON), or a directory of *.json requests
    #[arg(value_name = "REQUESTS")]
    pub requests: String,
}

pub fn run(args: Args) -> Result<()> {
    let batch = load(Path::new(&args.requests))?;
    log_warnings(&batch.warnings);
    let config = load_config(args.config.as_deref())?;
    let profile = config.profile(&args.profile)?;
    let issuer = load_issuer(args.ca.as_deref(), args.ca_key.as_deref())?;
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let out = Path::new(&args.out);
    let output = issue_all(&issuer, profile, &batch.items, out, jobs)?;
    log_warnings(&summarize_warnings(&output.warnings));
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    crate::files::write_all(&output.files)?;
    log::info(&format!(
        "issued {} certificates into {}",
        batch.items.len(),
        out.display()
    ));
    Ok(())
}
