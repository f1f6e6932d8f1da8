//! `print-defaults`: cfssl's template config and request.

use crate::common::print_stdout;
use certkit_core::error::Result;

/// Print a default config or request to start from
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Start a request and a signing config from cfssl's templates:
    certkit print-defaults csr > csr.json
    certkit print-defaults config > config.json
  The input of certkit cluster init:
    certkit print-defaults cluster > cluster.json
  List the templates:
    certkit print-defaults list")]
pub struct Args {
    /// Template to print: list, config, csr, or cluster (the input of `cluster init`)
    #[arg(value_name = "TYPE")]
    pub kind: String,
}

pub fn run(args: Args) -> Result<()> {
    print_stdout(&certkit_core::defaults::print(&args.kind)?)
}
