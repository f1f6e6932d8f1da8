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
/// static archives are installed, and a dynamic one pays the loader at
/// every start.
#[cfg(target_os = "linux")]
fn linked() -> &'static str {
    // The auxiliary vector's AT_BASE is where the kernel mapped the program
    // interpreter: zero when there is none, that is, for a static binary.
    // SAFETY: getauxval only reads the process's auxiliary vector.
    if unsafe { libc::getauxval(libc::AT_BASE) } == 0 {
        "static"
    } else {
        "dynamic (each command starts about 0.5 ms slower: README \"Start-up\")"
    }
}

#[cfg(not(target_os = "linux"))]
fn linked() -> &'static str {
    "dynamic"
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
