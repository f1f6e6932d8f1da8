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
        "Version: {}\nRevision: certkit\nRuntime: rust\nEntropy: {}\nLinked: {}\n",
        env!("CARGO_PKG_VERSION"),
        entropy(),
        linked()
    ))
}

/// How this binary was linked: build.rs links it statically where glibc's
/// static archives are installed; a dynamic one pays the loader at every
/// start, and only a dynamic one can load PKCS#11 modules.
fn linked() -> &'static str {
    if certkit_pkcs11::module::statically_linked() {
        "static (no PKCS#11 modules: README \"CA keys in a token\")"
    } else {
        "dynamic (each command starts about 0.5 ms slower: README \"Start-up\")"
    }
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
