//! Link settings for the certkit binary that must hold however it is built:
//! `cargo install --git`, `cargo install` from crates.io and `cargo build`
//! alike. A `.cargo/config.toml` in the repository is not read by the first
//! two, so start-up settings live here (README "Start-up").

use std::io::Write;
use std::path::{Path, PathBuf};
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
    link_statically(&target);
    record_jitter_entropy(&target);
}

/// The C libraries std and the `libc` crate name when the C runtime is
/// dynamic (`-l` after `-Bdynamic` on rustc's link line), with the static
/// archives that stand for each, as rustc links them for
/// `-C target-feature=+crt-static`: glibc's own, libgcc's unwinder for
/// `gcc_s`, and for `c` a group with libgcc, whose soft-float helpers
/// glibc's `printf` calls (gcc's own static link groups them the same way).
const RUNTIME_LIBRARIES: &[(&str, &[&str])] = &[
    ("c", &["libc.a", "libgcc_eh.a", "libgcc.a"]),
    ("m", &["libm.a"]),
    ("dl", &["libdl.a"]),
    ("pthread", &["libpthread.a"]),
    ("rt", &["librt.a"]),
    ("util", &["libutil.a"]),
    ("gcc_s", &["libgcc_eh.a"]),
];

/// Links the certkit binary as a static position-independent executable,
/// as `scripts/release` does with rustc's `crt-static`, when glibc's static
/// archives are installed. The dynamic loader costs every command about
/// half a millisecond (loading libc, libm and libgcc_s, binding their
/// symbols: README "Start-up"), a third of an ECDSA genkey, and `crt-static`
/// is a rustflag that `cargo install` reads from no file of the package.
///
/// rustc asks for the C runtime by name after `-Bdynamic`; a directory
/// searched before the system's holds, under those names, only the static
/// archives, so the linker finds them first, and `-static-pie` gives the
/// static start files and no program interpreter. std is the same either
/// way (rustc links one std for both), so this is the binary `crt-static`
/// makes. Only the `certkit` binary: test harnesses stay as rustc links
/// them. Where the archives are missing (Fedora without glibc-static, a
/// cross build) the binary links dynamically and a warning says so;
/// `CERTKIT_STATIC=0` asks for the dynamic link (scripts/release sets it
/// for `--no-pie`, where rustc's own `crt-static` makes the link static).
/// The price of static: a static program cannot load PKCS#11 modules, so
/// users of CA keys in a token build with `CERTKIT_STATIC=0` (certkit-pkcs11
/// says so; README "CA keys in a token").
fn link_statically(target: &str) {
    println!("cargo:rerun-if-env-changed=CERTKIT_STATIC");
    if std::env::var("CERTKIT_STATIC").is_ok_and(|v| v == "0") {
        return;
    }
    let host = std::env::var("HOST").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    if features.split(',').any(|f| f == "crt-static") {
        return; // rustc links it statically already
    }
    if !target.ends_with("-linux-gnu") || target != host {
        return;
    }
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let dir = out_dir.join("static-runtime");
    if let Err(why) = shadow_runtime_libraries(&dir) {
        println!(
            "cargo:warning=certkit is linked dynamically ({why}): every command starts about \
             half a millisecond slower. Install glibc's static libraries (Debian: libc6-dev; \
             Fedora: glibc-static) for the static link (README \"Start-up\")."
        );
        return;
    }
    if !static_probe_runs(&out_dir, &dir) {
        println!(
            "cargo:warning=certkit is linked dynamically: a static-pie test program did not \
             link or run with this C compiler (README \"Start-up\")."
        );
        return;
    }
    println!("cargo:rustc-link-arg-bins=-static-pie");
    println!("cargo:rustc-link-arg-bins=-L{}", dir.display());
}

/// Fills `dir` with a `lib<NAME>.a` for each runtime library: a link to
/// its static archive, or a linker script grouping several, as the C
/// compiler finds them.
fn shadow_runtime_libraries(dir: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, archives) in RUNTIME_LIBRARIES {
        let mut found = Vec::new();
        for archive in *archives {
            let path = compiler_output(&[&format!("-print-file-name={archive}")])
                .map(PathBuf::from)
                .filter(|path| path.is_absolute() && path.is_file())
                .ok_or_else(|| format!("no {archive}"))?;
            found.push(path);
        }
        let shadow = dir.join(format!("lib{name}.a"));
        let written = match found.as_slice() {
            [one] => std::os::unix::fs::symlink(one, &shadow),
            several => {
                let paths: Vec<String> = several.iter().map(|p| p.display().to_string()).collect();
                std::fs::write(&shadow, format!("GROUP ( \"{}\" )\n", paths.join("\" \"")))
            }
        };
        written.map_err(|e| format!("{}: {e}", shadow.display()))?;
    }
    Ok(())
}

/// Whether a C program linked the way rustc links certkit (`-pie`, the
/// runtime named after `-Bdynamic`, `-nodefaultlibs`) plus this script's
/// arguments runs.
fn static_probe_runs(out_dir: &Path, dir: &Path) -> bool {
    let probe = out_dir.join("static-probe");
    let mut args: Vec<String> = ["-x", "c", "-", "-pie", "-static-pie", "-nodefaultlibs"]
        .map(String::from)
        .to_vec();
    args.push(format!("-L{}", dir.display()));
    args.push("-Wl,-Bdynamic".to_string());
    args.extend(
        RUNTIME_LIBRARIES
            .iter()
            .map(|(name, _)| format!("-l{name}")),
    );
    args.push("-o".to_string());
    args.push(probe.display().to_string());
    let program = b"#include <stdio.h>\nint main(void) { return puts(\"static\") < 0; }\n";
    if !compile(&args, program) {
        return false;
    }
    // `-static-pie` links no program interpreter, so a C library still
    // linked dynamically would never be loaded: the probe could not print.
    Command::new(&probe)
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout == b"static\n")
}

/// The C compiler driver cargo links with (`CC`, else `cc`).
fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

/// What the C compiler prints for `args`, trimmed.
fn compiler_output(args: &[&str]) -> Option<String> {
    let out = Command::new(compiler()).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether the C compiler builds `program` (C, on stdin) with `args`
/// without a warning about an option it ignored.
fn compile(args: &[String], program: &[u8]) -> bool {
    let child = Command::new(compiler())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else { return false };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(program);
    }
    match child.wait_with_output() {
        Ok(out) => {
            out.status.success() && !String::from_utf8_lossy(&out.stderr).contains("ignored")
        }
        Err(_) => false,
    }
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
    let args = ["-x", "c", "-", flag, "-o"].map(String::from);
    let mut args = args.to_vec();
    args.push(out_dir.join("relr-probe").display().to_string());
    compile(&args, b"int main(void) { return 0; }\n")
}
