//! `certinfo`: certificates and CSRs described as JSON.

use crate::common::print_stdout;
use certkit_core::chain::certinfo::{describe_certificates, describe_csrs};
use certkit_core::csr::go_json::describe_csrs_go;
use certkit_core::error::{Error, Result, UsageError};
use certkit_core::input::{display_path, read_input};

/// Describe certificates or a CSR as JSON (cfssl's fields and more)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Show a certificate's names, dates and fingerprints:
    certkit certinfo -cert ca-signed-server.pem | jq '{subject, sans, not_after, fingerprints}'
  Every certificate of a chain (one entry each):
    cat server-bundle.pem server-root.pem | certkit certinfo -cert - | jq '.[].subject.common_name'
  A CSR taken from Kubernetes:
    kubectl get csr my-svc -o jsonpath='{.spec.request}' | base64 --decode | \\
      certkit certinfo -csr -")]
#[group(id = "input", required = true, multiple = false)]
pub struct Args {
    /// Certificate(s): PEM (one or more), DER or PKCS#7; - for standard input
    #[arg(long, value_name = "FILE", group = "input")]
    pub cert: Option<std::path::PathBuf>,

    /// The certificate a TLS server presents, HOST or HOST:PORT (default port 443)
    #[arg(long, value_name = "HOST[:PORT]", group = "input")]
    pub domain: Option<String>,

    /// Certificate signing request: PEM or DER; - for standard input. As `cfssl`
    /// (a symlink), in cfssl's shape: Go's x509.CertificateRequest fields first
    #[arg(long, value_name = "FILE", group = "input")]
    pub csr: Option<std::path::PathBuf>,

    /// Serial number (decimal) of a certificate recorded in -db-config (with -aki)
    #[arg(long, value_name = "SERIAL", group = "input", requires_all = ["aki", "db_config"])]
    pub serial: Option<String>,

    /// Authority key identifier (hex, colons allowed) of the -serial certificate
    #[arg(long, value_name = "AKI", requires = "serial")]
    pub aki: Option<String>,

    #[command(flatten)]
    pub db: crate::common::DbConfigArg,
}

pub fn run(args: Args) -> Result<()> {
    if let (None, Some(path), true) = (&args.cert, &args.csr, crate::args::invoked_as_cfssl()) {
        let text = describe_csrs_go(&read_input(path)?, &display_path(path))?;
        return print_stdout(&format!("{text}\n"));
    }
    if let Some(serial) = &args.serial {
        let pem = certkit_ops::revocation::db::recorded_pem(
            args.db.file().as_ref(),
            serial,
            args.aki.as_deref().unwrap_or_default(),
        )?;
        let info = describe_certificates(pem.as_bytes(), "the database's certificate")?;
        let text =
            serde_json::to_string_pretty(&info).map_err(|e| Error::Encoding(e.to_string()))?;
        return print_stdout(&format!("{text}\n"));
    }
    let info =
        match (args.cert, args.csr, args.domain) {
            (Some(path), _, _) => describe_certificates(&read_input(&path)?, &display_path(&path))?,
            (None, Some(path), _) => describe_csrs(&read_input(&path)?, &display_path(&path))?,
            (None, None, Some(domain)) => certkit_remote::tls_probe::certinfo_domain(&domain)?,
            (None, None, None) => return Err(UsageError::missing(
                "give -cert FILE, -csr FILE, -domain HOST or -serial N -aki HEX -db-config FILE",
            )),
        };
    let text = serde_json::to_string_pretty(&info).map_err(|e| Error::Encoding(e.to_string()))?;
    print_stdout(&format!("{text}\n"))
}
