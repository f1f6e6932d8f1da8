//! `gencert`: key, CSR and certificate in one step, signed by a CA, or a
//! new CA with `-initca`.

use super::common::KeyOutputArgs;
use super::common::{load_request, log_warnings, print_stdout, split_hosts};
use super::common::{CaArgs, PolicyArgs};
use crate::csr::VerifiedCsr;
use crate::error::{Error, Result};
use crate::key::KeyPair;
use crate::log;
use crate::output::cert_json;

/// Generate a key and a certificate signed by a CA (or a new CA)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A new CA:
    certkit gencert -initca ca-csr.json | certkit json -bare ca
  Renew that CA with its key, subject and pathlen (writes ca.pem only):
    certkit gencert -renewca -ca ca.pem -ca-key ca-key.pem | certkit json -bare ca
  Re-create the CA from its request and existing key (writes ca.pem and ca.csr):
    certkit gencert -initca -ca-key ca-key.pem ca-csr.json | certkit json -bare ca
  A server certificate from that CA:
    certkit gencert -ca ca.pem -ca-key ca-key.pem -config signing.json \\
      -profile server server.json | certkit json -bare server
  With an encrypted CA key, its password in ca.pass (or $CFSSL_CA_PK_PASSWORD):
    certkit gencert -ca ca-encrypted.pem -ca-key ca-encrypted-key.pem \\
      -ca-key-password-file ca.pass server.json | certkit json -bare server2
  The CA certificate and key from environment variables (as newer cfssl):
    CA_CERT=\"$(cat ca.pem)\" CA_KEY=\"$(cat ca-key.pem)\" \\
      certkit gencert -ca env:CA_CERT -ca-key env:CA_KEY server.json | \\
      certkit json -bare server3")]
pub struct Args {
    #[command(flatten)]
    pub ca: CaArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Create a self-signed CA instead of signing with -ca
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub initca: bool,

    /// Comma-separated hosts that replace the request's hosts
    #[arg(long, value_name = "HOSTS")]
    pub hostname: Option<String>,

    /// Renew the CA given by -ca and -ca-key: same key, subject and pathlen, new validity
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub renewca: bool,

    /// Request JSON (cfssl CSR JSON) file, or - for standard input (not with -renewca)
    #[arg(value_name = "CSRJSON", required_unless_present = "renewca")]
    pub csr_json: Option<String>,

    /// Let the certificate outlive the CA as cfssl does (by default notAfter is capped at the CA's)
    #[arg(long = "allow-beyond-ca-expiry", num_args = 0..=1, require_equals = true, default_missing_value = "true",
          default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_beyond_ca_expiry: bool,

    #[command(flatten)]
    pub key_output: KeyOutputArgs,
}

pub fn run(args: Args) -> Result<()> {
    let keys = args.key_output.encoder()?;
    if args.renewca {
        return super::initca::renew_ca(args.ca.ca.as_deref(), args.ca.ca_key.as_deref());
    }
    let csr_json = args.csr_json.as_deref().unwrap_or("-");
    if args.initca {
        return match args.ca.ca_key.as_deref() {
            Some(key) => super::initca::make_ca_with_key(csr_json, key),
            None => super::initca::make_ca(csr_json, &keys),
        };
    }
    let mut req = load_request(csr_json)?;
    if req.ca.is_some() {
        return Err(Error::Request(
            "the \"ca\" section is only allowed with -initca".into(),
        ));
    }
    if let Some(hosts) = &args.hostname {
        req.hosts = split_hosts(hosts);
    }
    let config = args.policy.load()?;
    let profile = config.profile(&args.policy.profile)?;
    let mut issuer = args.ca.load_issuer()?;
    issuer.allow_beyond_ca_expiry(args.allow_beyond_ca_expiry);
    log::info("generate received request");
    log::info(&format!("generating key: {}", req.key));
    let key = KeyPair::generate(req.key)?;
    let csr_pem = crate::csr::build(&req, &key)?;
    log::info("encoded CSR");
    let csr = VerifiedCsr::parse(csr_pem.as_bytes(), "generated CSR")?;
    let issued = issuer.sign(&csr, profile, None)?;
    log_warnings(&issued.warnings);
    log::info(&format!(
        "signed certificate with serial number {}",
        issued.serial
    ));
    print_stdout(&cert_json(
        Some(&issued.cert_pem),
        Some(&csr_pem),
        Some(&keys.pem(&key)?),
    ))
}
