//! Link settings for the certkit binary that must hold however it is built:
//! `cargo install --git`, `cargo install` from crates.io and `cargo build`
//! alike. A `.cargo/config.toml` in the repository is not read by the first
//! two, so start-up settings live here (README "Start-up").

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let target = std::env::var("TARGET").unwrap_or_default();
    // Relative relocations packed as DT_RELR: a short command spends a third
    // of its instructions relocating the binary's pointers at start, and
    // reading a 735 KB relocation table costs page faults; RELR makes the
    // table 8 KB and the relocating a tenth cheaper. GNU ld 2.38+ and glibc
    // 2.36+ only: where the toolchain does not have it the probe fails and the
    // binary is linked as before.
    if target.ends_with("-linux-gnu") && linker_accepts("-Wl,-z,pack-relative-relocs") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    record_jitter_entropy(&target);
}

/// AWS-LC's CPU-jitter entropy source costs every process about 40 ms (420
/// million instructions measured here) at its first random number, thirty
/// times an ECDSA genkey. It is chosen only by an environment variable when
/// aws-lc-sys is built: `.cargo/config.toml` sets it for builds in this
/// repository, but `cargo install --git` and crates.io do not read that
/// file, and no package setting or run-time call can turn it off. This
/// build script sees the same environment as aws-lc-sys's, so it records
/// which AWS-LC was built: `certkit version` reports it, and a terminal user
/// of a slow build is told how to reinstall (README "Install").
fn record_jitter_entropy(target: &str) {
    // aws-lc-sys reads AWS_LC_SYS_NO_JITTER_ENTROPY_<target> before
    // AWS_LC_SYS_NO_JITTER_ENTROPY, and takes 1/y/on/true as yes.
    let name = "AWS_LC_SYS_NO_JITTER_ENTROPY";
    let for_target = format!("{name}_{}", target.to_lowercase().replace('-', "_"));
    println!("cargo:rerun-if-env-changed={name}");
    println!("cargo:rerun-if-env-changed={for_target}");
    let value = std::env::var(&for_target)
        .or_else(|_| std::env::var(name))
        .unwrap_or_default();
    let value = value.to_lowercase();
    let off = value.starts_with(|c: char| c.is_ascii_digit() && c != '0')
        || value.starts_with('y')
        || value.starts_with("on")
        || value.starts_with('t');
    let jitter = if off { "off" } else { "on" };
    println!("cargo:rustc-env=CERTKIT_AWS_LC_JITTER={jitter}");
    if !off {
        println!(
            "cargo:warning=AWS-LC is built with its CPU-jitter entropy source: every certkit \
             command will start about 40 ms slower. Build with AWS_LC_SYS_NO_JITTER_ENTROPY=1 \
             (README \"Install\")."
        );
    }
}

/// Whether the C compiler driver cargo links with accepts `flag` without a
/// warning (GNU ld only warns about a `-z` option it does not know).
fn linker_accepts(flag: &str) -> bool {
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return false;
    };
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let child = Command::new(cc)
        .args(["-x", "c", "-", flag, "-o"])
        .arg(out_dir.join("relr-probe"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else { return false };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"int main(void) { return 0; }\n");
    }
    match child.wait_with_output() {
        Ok(out) => {
            out.status.success() && !String::from_utf8_lossy(&out.stderr).contains("ignored")
        }
        Err(_) => false,
    }
}
