//! `batch`: many keys and certificates from one CA in one process.

use crate::common::{log_warnings, CaArgs, PolicyArgs};
use crate::log;
use certkit_core::error::Result;
use certkit_core::issue::batch::{issue_all, load, summarize_warnings};
use std::path::Path;

/// Generate keys and certificates for many requests, signed by one CA, in one process
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  One key and certificate per request in an array (out/1.pem, out/1-key.pem, out/1.csr, ...):
    jq -s . server.json server-csr.json > requests.json
    certkit batch -ca ca.pem -ca-key ca-key.pem -config signing.json -out out requests.json
  One per *.json file of a directory (web.json gives out/web.pem, out/web-key.pem, ...):
    mkdir -p requests && cp server.json requests/web.json
    certkit batch -ca ca.pem -ca-key ca-key.pem -profile server -config signing.json \\
      -out out requests/

FILES:
  For each request NAME: NAME.pem, NAME-key.pem (mode 0600) and NAME.csr in
  the -out directory, as `cfssljson -bare NAME` writes them. Nothing is
  written unless every certificate of the batch was issued.")]
pub struct Args {
    #[command(flatten)]
    pub ca: CaArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

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
    let config = args.policy.load()?;
    let profile = config.profile(&args.policy.profile)?;
    let issuer = args.ca.load_issuer()?;
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let out = Path::new(&args.out);
    let output = issue_all(&issuer, profile, &batch.items, out, jobs)?;
    log_warnings(&summarize_warnings(&output.warnings));
    certkit_files::output_dir::write_into_dir(out, &output.files)?;
    log::info(&format!(
        "issued {} certificates into {}",
        batch.items.len(),
        out.display()
    ));
    Ok(())
}
