//! `version`: what certkit this is, in cfssl's layout.

use crate::common::print_stdout;
use certkit_core::error::Result;

/// Print the version
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  The version, in cfssl's layout:
    certkit version")]
pub struct Args {}

pub fn run(_args: Args) -> Result<()> {
    print_stdout(&format!(
        "Version: {}\nRevision: certkit\nRuntime: rust\n",
        env!("CARGO_PKG_VERSION")
    ))
}
