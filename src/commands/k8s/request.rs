//! `k8s request`: a CertificateSigningRequest manifest from a CSR, or from
//! a request JSON with a new key.

use crate::common::{log_warnings, print_stdout};
use certkit_core::error::{Error, Result};
use certkit_core::input::{display_name, read_input};
use certkit_core::k8s::document::render;
use certkit_core::k8s::manifest::{build, CsrSource, ManifestSpec};
use std::path::Path;

/// Print a certificates.k8s.io/v1 CertificateSigningRequest manifest
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Step 2 of the workflow: put server.csr into the cluster and approve it:
    certkit k8s request -name my-svc.my-namespace -signer-name example.com/serving server.csr | \\
      kubectl apply -f -
    kubectl certificate approve my-svc.my-namespace
  Key and manifest straight from a request JSON (key written 0600), valid one day:
    certkit k8s request -name my-svc.my-namespace -signer-name example.com/serving \\
      -expiration-seconds 86400 -key-out server-key.pem server-csr.json | kubectl apply -f -
  A kubelet serving certificate request, as JSON:
    certkit k8s request -name node-1-serving -signer-name kubernetes.io/kubelet-serving \\
      -usages 'digital signature,server auth' -o json node-1.csr")]
pub struct Args {
    /// metadata.name of the object (a DNS subdomain, e.g. my-svc.my-namespace)
    #[arg(long, value_name = "NAME")]
    pub name: String,

    /// spec.signerName, e.g. example.com/serving or kubernetes.io/kubelet-serving
    #[arg(long = "signer-name", value_name = "NAME")]
    pub signer_name: String,

    /// spec.usages, comma-separated
    #[arg(
        long,
        value_name = "USAGES",
        value_delimiter = ',',
        default_value = "digital signature,key encipherment,server auth"
    )]
    pub usages: Vec<String>,

    /// spec.expirationSeconds: the requested lifetime (at least 600)
    #[arg(long = "expiration-seconds", value_name = "SECONDS")]
    pub expiration_seconds: Option<u64>,

    /// Where to write the new private key (mode 0600) when INPUT is a request JSON
    #[arg(long = "key-out", value_name = "FILE")]
    pub key_out: Option<String>,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value = "yaml")]
    pub output: crate::values::FormatArg,

    /// CSR (PEM) or request JSON (cfssl CSR JSON) file, or - for standard input
    #[arg(value_name = "INPUT")]
    pub input: String,
}

pub fn run(args: Args) -> Result<()> {
    let source = CsrSource::from_input(&read_input(&args.input)?, display_name(&args.input))?;
    log_warnings(&source.warnings);
    let spec = ManifestSpec {
        name: args.name,
        signer_name: args.signer_name,
        usages: args.usages,
        expiration_seconds: args.expiration_seconds,
    };
    let text = render(&build(&source.csr, &spec)?, args.output.into())?;
    match (&source.key_pem, &args.key_out) {
        (Some(key), Some(path)) => {
            certkit_files::atomic::write_atomic(Path::new(path), key.as_bytes(), 0o600)?
        }
        (Some(_), None) => {
            return Err(Error::Request(
                "a new key was generated: give -key-out FILE to keep it".into(),
            ))
        }
        (None, Some(_)) => {
            return Err(Error::Request(
                "-key-out is only for a request JSON input".into(),
            ))
        }
        (None, None) => {}
    }
    print_stdout(&text)
}
