//! `gencert`: key, CSR and certificate in one step, signed by a CA, or a
//! new CA with `-initca`.

use crate::common::{emit, CaArgs, DbConfigArg, KeyOutputArgs, PolicyArgs, RemoteArgs};
use crate::values::GoBool;
use certkit_core::error::{Result, UsageError};
use certkit_ops::gencert::{gencert, GencertInputs};
use certkit_ops::initca;
use certkit_ops::remote;

/// Generate a key and a certificate signed by a CA (or a new CA)
#[derive(Debug, clap::Args)]
#[command(mut_arg("db_config", DbConfigArg::records_issued))]
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

    #[command(flatten)]
    pub remote: RemoteArgs,

    #[command(flatten)]
    pub db: DbConfigArg,

    /// Create a self-signed CA instead of signing with -ca
    #[arg(long, go_bool())]
    pub initca: bool,

    /// Comma-separated hosts that replace the request's hosts
    #[arg(long, value_name = "HOSTS")]
    pub hostname: Option<String>,

    /// Common name that replaces the request's CN (as current cfssl)
    #[arg(long, value_name = "NAME")]
    pub cn: Option<String>,

    /// Renew the CA given by -ca and -ca-key: same key, subject and pathlen, new validity
    #[arg(long, go_bool())]
    pub renewca: bool,

    /// Request JSON (cfssl CSR JSON) file, or - for standard input (not with -renewca)
    #[arg(value_name = "CSRJSON", required_unless_present = "renewca")]
    pub csr_json: Option<std::path::PathBuf>,

    /// With -initca -ca-key pkcs11:URI: first generate the CA key (the request's algo and size) inside the token, sensitive and not extractable
    #[arg(long = "new-token-key", go_bool())]
    pub new_token_key: bool,

    /// Let the certificate outlive the CA as cfssl does (by default notAfter is capped at the CA's)
    #[arg(long = "allow-beyond-ca-expiry", go_bool())]
    pub allow_beyond_ca_expiry: bool,

    /// Issue a certificate with an empty subject and no SAN as cfssl does (refused by default: RFC 5280 forbids it)
    #[arg(long = "allow-empty-subject", go_bool())]
    pub allow_empty_subject: bool,

    #[command(flatten)]
    pub key_output: KeyOutputArgs,
    /// CRL distribution point URL that replaces the profile's crl_url (cfssl's CRL override)
    #[arg(long, value_name = "URL")]
    pub crl: Option<String>,
}

pub fn run(args: Args) -> Result<()> {
    let keys = args.key_output.encoder()?;
    if args.renewca {
        return emit(initca::renew(
            args.ca.ca.as_deref(),
            args.ca.ca_key.as_deref(),
        )?);
    }
    let csr_json = args
        .csr_json
        .as_deref()
        .unwrap_or(std::path::Path::new("-"));
    if args.new_token_key && !args.initca {
        return Err(UsageError::missing(
            "-new-token-key goes with -initca -ca-key pkcs11:URI",
        ));
    }
    if args.initca {
        return emit(match args.ca.ca_key.as_deref() {
            Some(key) if args.new_token_key => {
                initca::new_ca_in_token(csr_json, args.cn.as_deref(), key)?
            }
            Some(key) => initca::new_ca_with_key(csr_json, args.cn.as_deref(), key)?,
            None => initca::new_ca(csr_json, args.cn.as_deref(), &keys)?,
        });
    }
    if args.remote.applies(&args.policy)? {
        if args.crl.is_some() {
            crate::log::warning(
                "-crl is not sent to a remote signer: the remote's profile decides the CRL distribution point",
            );
        }
        return emit(remote::gencert(
            &args.remote.connect(&args.policy),
            args.remote.names(&args.policy),
            crate::common::utf8_path(csr_json, "CSRJSON")?,
            args.hostname.as_deref(),
            &keys,
        )?);
    }
    let inputs = GencertInputs {
        ca: args.ca.source(),
        config: args.policy.config.as_deref(),
        profile: &args.policy.profile,
        hostname: args.hostname.as_deref(),
        request: csr_json.as_os_str(),
        cn: args.cn.as_deref(),
        allow_beyond_ca_expiry: args.allow_beyond_ca_expiry,
        // Scripts written for cfssl (Nomad's TLS guide: `echo '{}' | cfssl
        // gencert`) must run under its name; the issuer still warns.
        allow_empty_subject: args.allow_empty_subject || crate::args::invoked_as_cfssl(),
        crl: args.crl.as_deref(),
    };
    super::sign::record(args.db.file(), gencert(&inputs, &keys)?)
}
