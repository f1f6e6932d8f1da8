//! `bundle`: the chain a server should send for a certificate.

use crate::common::print_stdout;
use certkit_core::chain::bundle::{bundle_from, to_json, Sources};
use certkit_core::error::Result;

/// Build a certificate bundle: the chain from a certificate to a trusted root
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Bundle the workflow's server certificate, trusting the cluster CA:
    certkit bundle -cert ca-signed-server.pem -ca-bundle ca.pem | certkit json -bare server
  A chain given in any order, kept exactly as given (intermediates with -int-bundle):
    cat ca-signed-server.pem | certkit bundle -cert - -ca-bundle ca.pem -flavor force | \\
      jq .status

  An old chain (a SHA-1 intermediate, a 1024-bit root) is refused as verify refuses it;
  -allow-sha1 bundles it as cfssl does, and its status reports the weak links.

EXIT STATUS:
  0 bundled; 1 no valid chain or bad input (stderr names the reason and cfssl's error
  code); 2 usage error.")]
pub struct Args {
    /// Certificate to bundle: PEM (a chain in any order), DER, PKCS#7, or PKCS#12 (with its key; -password); - for standard input
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "domain",
        conflicts_with = "domain"
    )]
    pub cert: Option<std::path::PathBuf>,

    /// Bundle the chain the TLS server NAME presents (NAME or NAME:PORT, default port 443);
    /// its certificate must be valid for NAME
    #[arg(long, value_name = "NAME[:PORT]")]
    pub domain: Option<String>,

    /// Connect to this IP address instead of resolving -domain (sent NAME is still -domain)
    #[arg(long, value_name = "IP", requires = "domain")]
    pub ip: Option<String>,

    /// Private key (PEM) checked against the certificate and included in the output
    #[arg(long, value_name = "FILE", conflicts_with = "domain")]
    pub key: Option<std::path::PathBuf>,

    /// Trusted roots (PEM)
    #[arg(
        long = "ca-bundle",
        value_name = "FILE",
        default_value = "/etc/ssl/certs/ca-certificates.crt"
    )]
    pub ca_bundle: std::path::PathBuf,

    /// Intermediate certificates to build the chain from (PEM)
    #[arg(long = "int-bundle", value_name = "FILE")]
    pub int_bundle: Option<std::path::PathBuf>,

    /// Directory of further intermediates (*.pem, *.crt, *.der)
    #[arg(long = "int-dir", value_name = "DIR")]
    pub int_dir: Option<std::path::PathBuf>,

    /// Chain choice: ubiquitous (most trusted, needs -metadata), optimal (shortest, newest, strongest), force (as given)
    #[arg(long, value_enum, value_name = "FLAVOR", default_value = "ubiquitous")]
    pub flavor: crate::values::FlavorArg,

    /// cfssl ubiquity metadata (JSON list of platforms and their root stores)
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<std::path::PathBuf>,

    /// Password of a PKCS#12 -cert (as cfssl; visible to other users in ps: prefer -password-file)
    #[arg(long, value_name = "PASSWORD", conflicts_with = "password_file")]
    pub password: Option<String>,

    /// Password of a PKCS#12 -cert, from the first line of FILE (or env:VAR)
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<String>,

    #[command(flatten)]
    pub legacy: crate::common::LegacyChainArgs,
}

pub fn run(args: Args) -> Result<()> {
    let pkcs12_password = match (&args.password, &args.password_file) {
        (Some(password), _) => {
            crate::log::warning(
                "-password: a password on the command line is visible to other users; use -password-file",
            );
            Some(zeroize::Zeroizing::new(password.as_bytes().to_vec()))
        }
        (None, Some(file)) => Some(certkit_core::input::password::read_password(file)?),
        (None, None) => None,
    };
    let sources = Sources {
        pkcs12_password,
        cert: args
            .cert
            .or(args.domain.clone().map(Into::into))
            .unwrap_or_default(),
        key: args.key,
        ca_bundle: Some(args.ca_bundle),
        int_bundle: args.int_bundle,
        int_dir: args.int_dir,
        metadata: args.metadata,
        flavor: args.flavor.into(),
        options: args.legacy.bundle_options(),
    };
    let now = std::time::SystemTime::now();
    let bundle = match &args.domain {
        Some(domain) => {
            certkit_remote::tls_probe::bundle_domain(domain, args.ip.as_deref(), &sources, now)?
        }
        None => bundle_from(&sources, now)?,
    };
    print_stdout(&format!("{}\n", to_json(&bundle)))
}
