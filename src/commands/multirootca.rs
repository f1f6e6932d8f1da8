//! `multirootca` (also run as a `multirootca` symlink): several labeled
//! CAs behind cfssl's authsign API.

use crate::log;
use certkit_core::error::{Error, Result};
use certkit_server::multiroot::{run as serve_roots, MultiRootOptions};
use certkit_server::serve::tls::TlsFiles;

/// Serve several labeled CAs from a roots file (cfssl's multirootca: authsign and info)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Two CAs (roots.conf: [primary] and [etcd] sections with private = file://KEY,
  certificate = CERT, config = CONFIG.json), primary by default, over TLS:
    certkit multirootca -a 127.0.0.1:8888 -roots roots.conf -l primary \\
      -tls-cert tls.pem -tls-key tls-key.pem")]
pub struct Args {
    /// Listening address (host:port; :port for every interface)
    #[arg(short = 'a', value_name = "ADDR", default_value = ":8888")]
    pub address: String,

    /// Roots file: INI sections [label] with private, certificate, config, nets, dbconfig
    #[arg(long, value_name = "FILE")]
    pub roots: String,

    /// The label an empty request label means
    #[arg(short = 'l', value_name = "LABEL", default_value = "")]
    pub label: String,

    /// Serve HTTPS with this certificate (PEM)
    #[arg(long = "tls-cert", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<String>,

    /// Private key of -tls-cert
    #[arg(long = "tls-key", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<String>,
}

pub fn run(args: Args) -> Result<()> {
    let tls = args.tls_cert.map(|cert| TlsFiles {
        cert,
        key: args.tls_key.unwrap_or_default(),
        ..TlsFiles::default()
    });
    serve_roots(MultiRootOptions {
        address: args.address,
        roots: args.roots,
        default_label: args.label,
        tls,
        loglevel: log::level(),
        open_db: certkit_certdb::open_file,
    })
    .map_err(|e| Error::Refused(e.to_string()))
}
