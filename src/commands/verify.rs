//! `verify`: does a certificate validate for a purpose, names and a time?

use crate::common::emit;
use certkit_core::chain::verify::{parse_time, peer_names, verify_files, Files, Options};
use certkit_core::error::Result;

/// Verify a certificate chain for a purpose, names and time (exit 0 when valid)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Check a server certificate against your CA for its DNS name:
    certkit verify -ca-bundle ca.pem -hostname my-svc.my-namespace.svc.cluster.local \\
      ca-signed-server.pem
  Will it still be valid next year? (intermediates go in -int-bundle)
    certkit verify -ca-bundle ca.pem -purpose server -at 2027-06-01T00:00:00Z \\
      ca-signed-server.pem && echo ok

REVOCATION:
  Also ask the OCSP responder the certificate's AIA names (refused when revoked or unknown):
    certkit verify -ca-bundle ca.pem --ocsp ca-signed-server.pem
  Or a given responder:
    certkit verify -ca-bundle ca.pem --ocsp=http://127.0.0.1:8889 ca-signed-server.pem

EXIT STATUS:
  0 valid; 1 invalid (stderr names the certificate and the failed check) or bad input; 2 usage error.")]
pub struct Args {
    /// Certificate to verify: PEM (a chain in any order; the others serve as intermediates), DER or PKCS#7; - for standard input
    #[arg(value_name = "CERT")]
    pub cert: std::path::PathBuf,

    /// Trusted roots (PEM)
    #[arg(
        long = "ca-bundle",
        value_name = "FILE",
        default_value = "/etc/ssl/certs/ca-certificates.crt"
    )]
    pub ca_bundle: std::path::PathBuf,

    /// Intermediate certificates (PEM)
    #[arg(long = "int-bundle", value_name = "FILE")]
    pub int_bundle: Option<std::path::PathBuf>,

    /// DNS name or IP address the certificate must be valid for (repeatable: all of them)
    #[arg(long, value_name = "NAME")]
    pub hostname: Vec<String>,

    /// IP address the certificate must be valid for (repeatable)
    #[arg(long, value_name = "ADDRESS")]
    pub ip: Vec<String>,

    /// Email address the certificate must be valid for (repeatable)
    #[arg(long, value_name = "ADDRESS")]
    pub email: Vec<String>,

    /// Purpose (extended key usage) the certificate must be valid for
    #[arg(long, value_enum, value_name = "PURPOSE", default_value = "server")]
    pub purpose: crate::values::PurposeArg,

    /// Key usage the certificate must allow (repeatable)
    #[arg(long = "key-usage", value_enum, value_name = "USAGE")]
    pub key_usage: Vec<crate::values::KeyUseArg>,

    /// Most intermediates allowed in the chain (self-issued ones not counted)
    #[arg(long = "max-depth", value_name = "N")]
    pub max_depth: Option<usize>,

    /// CRL to check the chain against (PEM or DER; repeatable)
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<std::path::PathBuf>,

    /// Verification time (RFC 3339), default now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// Also ask an OCSP responder (--ocsp=URL, or --ocsp: the certificate's AIA responder) and refuse a revoked or unknown certificate
    #[arg(long, value_name = "URL", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub ocsp: Option<String>,

    #[command(flatten)]
    pub legacy: crate::common::LegacyChainArgs,
}

pub fn run(args: Args) -> Result<()> {
    let at = match args.at.as_deref() {
        Some(text) => parse_time(text)?,
        None => std::time::SystemTime::now(),
    };
    let options = Options {
        names: peer_names(&args.hostname, &args.ip, &args.email)?,
        purpose: args.purpose.into(),
        key_usage: args.key_usage.into_iter().map(Into::into).collect(),
        max_depth: args.max_depth,
        at,
        allow_sha1: args.legacy.allow_sha1,
    };
    let files = Files {
        cert: &args.cert,
        ca_bundle: &args.ca_bundle,
        int_bundle: args.int_bundle.as_deref(),
        crls: &args.crl,
    };
    verify_files(&files, &options)?;
    match args.ocsp.as_deref() {
        Some(url) => emit(certkit_ops::ocsp_check::check(
            &files,
            url,
            at,
            &certkit_remote::ocsp::post,
        )?),
        None => Ok(()),
    }
}
