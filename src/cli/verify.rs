//! `verify`: does a certificate validate for a purpose and a name?

use crate::bundle::chain::leaf_first;
use crate::certs::parse_all;
use crate::error::{Error, Result};
use crate::input::{display_name, read_input};
use crate::verify::{parse_time, verify, Check, Purpose};

/// Verify a certificate chain for a purpose, hostname and time (exit 0 when valid)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Check a server certificate against your CA for its DNS name:
    certkit verify -ca-bundle ca.pem -int-bundle intermediate.pem -hostname my-svc.my-namespace.svc server.pem
  Will a client certificate still be valid next year?
    certkit verify -ca-bundle ca.pem -purpose client -at 2027-01-01T00:00:00Z client.pem && echo ok

EXIT STATUS:
  0 valid; 1 invalid (stderr names the certificate and the failed check) or bad input; 2 usage error.")]
pub struct Args {
    /// Certificate to verify (PEM, leaf first; further certificates are used as intermediates); - for standard input
    #[arg(value_name = "CERT")]
    pub cert: String,

    /// Trusted roots (PEM)
    #[arg(
        long = "ca-bundle",
        value_name = "FILE",
        default_value = "/etc/ssl/certs/ca-certificates.crt"
    )]
    pub ca_bundle: String,

    /// Intermediate certificates (PEM)
    #[arg(long = "int-bundle", value_name = "FILE")]
    pub int_bundle: Option<String>,

    /// DNS name or IP address the certificate must be valid for
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,

    /// Purpose the certificate must be valid for
    #[arg(long, value_enum, value_name = "PURPOSE", default_value = "server")]
    pub purpose: Purpose,

    /// Verification time (RFC 3339), default now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

fn load(path: &str) -> Result<Vec<crate::certs::Cert>> {
    parse_all(&read_input(path)?).map_err(|e| Error::decode(display_name(path), e))
}

pub fn run(args: Args) -> Result<()> {
    let mut certs = leaf_first(load(&args.cert)?).into_iter();
    let leaf = certs
        .next()
        .ok_or_else(|| Error::decode(display_name(&args.cert), "no certificate found"))?;
    let mut certs: Vec<_> = certs.collect();
    if let Some(path) = &args.int_bundle {
        certs.extend(load(path)?);
    }
    let roots = load(&args.ca_bundle)?;
    let at = args
        .at
        .as_deref()
        .map(parse_time)
        .transpose()?
        .unwrap_or_else(std::time::SystemTime::now);
    let check = Check {
        leaf: &leaf,
        intermediates: &certs,
        roots: &roots,
        hostname: args.hostname.as_deref(),
        purpose: args.purpose,
        at,
    };
    verify(&check).map_err(|e| match e {
        Error::Refused(reason) => Error::Refused(format!("{}: {reason}", display_name(&args.cert))),
        other => other,
    })
}
