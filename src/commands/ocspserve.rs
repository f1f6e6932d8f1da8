//! `ocspserve`: the OCSP responder, as cfssl's, plus live signing.

use crate::common::{emit_notes, DbConfigArg, ResponderArgs};
use certkit_core::error::{Result, UsageError};
use certkit_core::report::Report;
use certkit_server::ocsp::{self, source::SourceSpec};
use certkit_server::serve::tls::TlsFiles;

/// Serve OCSP responses over HTTP (RFC 5019: GET and POST)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Serve the responses of a file made with ocspsign or ocspdump (as cfssl):
    certkit ocspserve -port 8889 -responses responses.txt
  Also sign live answers (nonces echoed, SHA-256 CertIDs, unknown for serials the file lacks):
    certkit ocspserve -port 8889 -responses responses.txt \\
      -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem
  From the certificate database (ocsprefresh fills it), unknown for serials it lacks:
    certkit ocspserve -port 8889 -db-config db.json \
      -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem
  Check a certificate against it:
    openssl ocsp -issuer ca.pem -cert server.pem -url http://127.0.0.1:8889 -resp_text
  Over HTTPS, at most 256 connections at once:
    certkit ocspserve -port 8889 -db-config db.json -tls-cert tls.pem -tls-key tls-key.pem \
      -max-connections 256")]
pub struct Args {
    /// Address to bind
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub address: String,

    /// Port to bind (0: any free port, logged at start)
    #[arg(long, value_name = "PORT", default_value_t = 8888)]
    pub port: u16,

    /// File of base64 OCSP responses (as ocspsign and ocspdump print them)
    #[arg(long, value_name = "FILE")]
    pub responses: Option<String>,

    /// Answer from the certificate database's stored responses (and, with a responder, its statuses)
    #[command(flatten)]
    pub db: DbConfigArg,

    #[command(flatten)]
    pub responder: ResponderArgs,

    /// Serve HTTPS with this certificate (PEM)
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<String>,

    /// Private key of -tls-cert
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<String>,

    /// Most connections served at once, at least 1 (more wait to be accepted)
    #[arg(long = "max-connections", value_name = "N", default_value = "1024",
          value_parser = crate::common::max_connections)]
    pub max_connections: std::num::NonZeroUsize,
}

pub fn run(mut args: Args) -> Result<()> {
    args.responder = args.responder.resolved()?;
    let interval = args.responder.interval()?;
    let source = match (args.responses, args.db.file()) {
        (Some(path), _) => SourceSpec::Responses(path),
        (None, Some(file)) => SourceSpec::Db(file),
        (None, None) => {
            return Err(UsageError::missing(
                "no response file or db-config provided, please set one of these using either -responses or -db-config flags",
            ))
        }
    };
    let mut report = Report::default();
    let signer = match args.responder.responder {
        Some(_) => Some(certkit_ops::revocation::responder(
            args.responder.source(),
            &mut report,
        )?),
        None => None,
    };
    emit_notes(&report);
    ocsp::serve(ocsp::Config {
        address: args.address,
        port: args.port,
        source,
        signer,
        interval,
        tls: args.tls_cert.map(|cert| TlsFiles {
            cert,
            key: args.tls_key.unwrap_or_default(),
            ..TlsFiles::default()
        }),
        max_connections: args.max_connections,
    })
}
