//! `serve`: cfssl's signing API over HTTP(S).

use crate::common::{CaArgs, DbConfigArg, RemoteTlsArgs};
use crate::log;
use certkit_core::error::{Error, Result};
use certkit_server::serve::{self, tls::TlsFiles, ServeOptions};

/// Serve cfssl's signing API (sign, authsign, info, health, newkey, newcert, init_ca, certinfo, bundle; revoke, crl with -db-config, and certadd with an auth_key on the default profile; ocspsign with -responder)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Serve a CA on 127.0.0.1:8888 with a signing config, recording every certificate:
    certkit serve -ca ca.pem -ca-key ca-key.pem -config server-signing-config.json \\
      -db-config db.json
  The same over TLS, clients authenticated by certificates from client-ca.pem:
    certkit serve -ca ca.pem -ca-key ca-key.pem -tls-cert tls.pem -tls-key tls-key.pem \\
      -mutual-tls-ca client-ca.pem -mutual-tls-cn '^client-ok$'
  With a bundler: the bundle endpoint, and \"bundle\": true on sign answered with the chain:
    certkit serve -ca ca.pem -ca-key ca-key.pem -ca-bundle roots.pem -int-bundle intermediates.pem
  With ocspsign, responses signed by a delegated OCSP responder certificate:
    certkit serve -ca ca.pem -ca-key ca-key.pem -responder ocsp.pem -responder-key ocsp-key.pem
  A front end that forwards signing to the CA's server (no CA key here):
    certkit serve -port 8889 -config client-config.json -remote https://ca.internal:8888 \\
      -tls-remote-ca ca.pem")]
pub struct Args {
    /// Address to listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub address: String,

    /// Port to listen on
    #[arg(long, value_name = "PORT", default_value_t = 8888)]
    pub port: u16,

    #[command(flatten)]
    pub ca: CaArgs,

    /// Signing configuration (cfssl config JSON: profiles, auth_keys)
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    #[command(flatten)]
    pub db: DbConfigArg,

    /// Roots for the bundle endpoint (default: the system's, /etc/ssl/certs/ca-certificates.crt); with -int-bundle, sign answers "bundle": true
    #[arg(long = "ca-bundle", value_name = "FILE")]
    pub ca_bundle: Option<String>,

    /// Intermediates for the bundle endpoint; with -ca-bundle, sign answers "bundle": true
    #[arg(long = "int-bundle", value_name = "FILE")]
    pub int_bundle: Option<String>,

    /// Directory of further intermediates for the bundler (*.pem, *.crt, *.der)
    #[arg(long = "int-dir", value_name = "DIR")]
    pub int_dir: Option<String>,

    /// cfssl ubiquity metadata for the bundler's ubiquitous flavor (JSON list of platforms)
    #[arg(long, value_name = "FILE")]
    pub metadata: Option<String>,

    /// OCSP responder certificate for the ocspsign endpoint (without it: no ocspsign)
    #[arg(long, value_name = "FILE", requires = "responder_key")]
    pub responder: Option<String>,

    /// Private key of -responder: a PEM file or a pkcs11: URI
    #[arg(long = "responder-key", value_name = "FILE", requires = "responder")]
    pub responder_key: Option<String>,

    #[command(flatten)]
    pub remote: RemoteSignerArgs,

    /// Serve HTTPS with this certificate (PEM)
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<String>,

    /// Private key of -tls-cert
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<String>,

    /// Require client certificates issued by these CAs (PEM)
    #[arg(long = "mutual-tls-ca", value_name = "FILE", requires = "tls_cert")]
    pub mutual_tls_ca: Option<String>,

    /// Regular expression a client certificate's whole CN must match (anchored at both ends; else 403)
    #[arg(
        long = "mutual-tls-cn",
        value_name = "REGEX",
        requires = "mutual_tls_ca"
    )]
    pub mutual_tls_cn: Option<String>,

    /// Only clients whose certificate's whole CN matches this regular expression may call -admin-endpoints (else 403)
    #[arg(long = "admin-cn", value_name = "REGEX", requires = "mutual_tls_ca")]
    pub admin_cn: Option<String>,

    /// The endpoints -admin-cn guards, comma-separated
    #[arg(
        long = "admin-endpoints",
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "revoke,ocspsign,crl,certadd",
        requires = "admin_cn"
    )]
    pub admin_endpoints: Vec<String>,

    /// Lowest TLS version accepted: 1.2 or 1.3
    #[arg(long = "min-tls-version", value_name = "VERSION")]
    pub min_tls_version: Option<String>,

    /// Most connections served at once, at least 1 (more wait to be accepted)
    #[arg(long = "max-connections", value_name = "N", default_value = "1024",
          value_parser = crate::common::max_connections)]
    pub max_connections: std::num::NonZeroUsize,

    /// Longest validity a GET crl?expiry= may ask for (longer is capped, as is anything past the CA's notAfter)
    #[arg(
        long = "max-crl-expiry",
        value_name = "DURATION",
        default_value = "168h"
    )]
    pub max_crl_expiry: String,

    /// Largest request body accepted, in bytes (larger: 413)
    #[arg(long = "max-body-bytes", value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,

    /// Endpoints to turn off, comma-separated (e.g. newcert,newkey; as cfssl 1.6.5)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub disable: Vec<String>,

    #[command(flatten)]
    pub acme: super::serve_acme::AcmeArgs,
}

/// `-remote`: a front end that forwards signing to another cfssl server
/// (cfssl's remote signer), and the TLS it uses to reach it (which means
/// nothing without `-remote`: a usage error).
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("remote_tls")
        .args(["tls_remote_ca", "mutual_tls_client_cert", "mutual_tls_client_key"])
        .multiple(true)
        .requires("remote")
))]
pub struct RemoteSignerArgs {
    /// Forward sign, authsign, info and newcert to this cfssl server (HOST:PORT, IP:PORT or URL; "a,b" tried in order); no -ca-key needed
    #[arg(long, value_name = "HOST:PORT")]
    pub remote: Option<String>,

    #[command(flatten)]
    pub tls: RemoteTlsArgs,
}

pub fn run(args: Args) -> Result<()> {
    if matches!(args.min_tls_version.as_deref(), Some("1.0" | "1.1")) {
        log::warning("-min-tls-version below 1.2: certkit accepts TLS 1.2 and 1.3 only");
    }
    let tls = args.tls_cert.map(|cert| TlsFiles {
        cert,
        key: args.tls_key.unwrap_or_default(),
        client_ca: args.mutual_tls_ca,
        min_version: args.min_tls_version,
    });
    let [ca, ca_key, ca_key_password_file] = args.ca.utf8_paths()?;
    let acme = args.acme.options()?;
    let options = ServeOptions {
        acme,
        address: args.address,
        port: args.port,
        ca,
        ca_key,
        ca_key_password_file,
        config: args.config,
        db: args.db.file(),
        ca_bundle: args.ca_bundle,
        int_bundle: args.int_bundle,
        int_dir: args.int_dir,
        metadata: args.metadata,
        responder: args.responder,
        responder_key: args.responder_key,
        remote: args.remote.remote.map(|remote| -> serve::ConnectRemote {
            let tls = args.remote.tls.client_tls();
            Box::new(move |config| {
                let signer = certkit_remote::RemoteSigner::forwarding(&remote, &tls, config)?;
                Ok(std::sync::Arc::new(signer))
            })
        }),
        tls,
        mutual_tls_cn: args.mutual_tls_cn,
        loglevel: log::level(),
        max_connections: args.max_connections,
        body_limit: args.max_body_bytes,
        admin_cn: args.admin_cn,
        admin_endpoints: args.admin_endpoints,
        disable: args.disable,
        max_crl_expiry: certkit_core::input::duration::parse_go_duration(&args.max_crl_expiry)
            .map_err(|e| Error::Refused(format!("-max-crl-expiry: {e}")))?,
    };
    serve::run(options).map_err(|e| Error::Refused(e.to_string()))
}
