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
        "Version: {}\nRevision: certkit\nRuntime: rust\nEntropy: {}\n",
        env!("CARGO_PKG_VERSION"),
        entropy()
    ))
}

/// Which entropy sources this build's AWS-LC seeds from (build.rs records
/// how aws-lc-sys was built).
fn entropy() -> &'static str {
    if jitter_entropy_built() {
        "CPU jitter and the kernel (slow start: README \"Install\")"
    } else {
        "the kernel (getrandom) and the CPU (RDRAND)"
    }
}

/// Whether AWS-LC was built with its CPU-jitter entropy source, which costs
/// every process about 40 ms at its first random number.
pub fn jitter_entropy_built() -> bool {
    env!("CERTKIT_AWS_LC_JITTER") == "on"
}
