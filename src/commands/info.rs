//! `info`: a remote CA's certificate and a profile's usages and expiry.

use crate::common::{emit, PolicyArgs, RemoteArgs};
use certkit_core::error::Result;
use certkit_ops::remote;

/// Ask a remote cfssl API for its CA certificate and a profile's usages and expiry
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  The CA certificate of a server, written as ca.pem (IP:port works, unlike cfssl):
    certkit info -remote 127.0.0.1:8888 | certkit json -bare ca
  A profile's usages and expiry over TLS:
    certkit info -remote https://ca.example.com:8443 -tls-remote-ca ca.pem -profile server")]
pub struct Args {
    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub remote: RemoteArgs,
}

pub fn run(args: Args) -> Result<()> {
    emit(remote::info(
        &args.remote.connect(&args.policy),
        args.remote.names(&args.policy),
    )?)
}
