//! Start-up stays at the process floor: before `main`, certkit runs only
//! std's capture of argv, the C runtime's `frame_dummy` and AWS-LC's
//! CPU-feature detection. A dependency with global constructors (C++
//! static initialisers, `ctor`, `inventory`, a C library's
//! `__attribute__((constructor))`) would make every command pay for it,
//! `certkit json` included, whatever it does; this test names any such
//! constructor that appears. And no dynamic loader runs before main
//! either: build.rs links the binary statically wherever glibc's static
//! archives are installed, however cargo builds it. (Timings are measured
//! by bench/compare.sh.)

use std::process::Command;

/// What may run before main, by a part of its symbol name.
const ALLOWED: &[&str] = &["ARGV_INIT_ARRAY", "frame_dummy", "do_library_init"];

fn tool(name: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(name).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The functions `.init_array` points at, by name.
fn constructors(bin: &str) -> Option<Vec<String>> {
    let sections = tool("readelf", &["-SW", bin])?;
    let (start, size) = sections.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let at = fields.iter().position(|f| *f == ".init_array")?;
        let address = u64::from_str_radix(fields.get(at + 2)?, 16).ok()?;
        let size = u64::from_str_radix(fields.get(at + 4)?, 16).ok()?;
        Some((address, size))
    })?;
    // In a position-independent binary each entry is relocated at start:
    // with RELA relocations (readelf -r) the target is the relocation's
    // addend and the entry holds zero; with packed RELR relocations
    // (build.rs) the entry itself holds the target.
    let relocations = tool("readelf", &["-rW", bin])?;
    let mut targets: Vec<u64> = relocations
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let offset = u64::from_str_radix(fields.first()?, 16).ok()?;
            let in_array = (start..start + size).contains(&offset);
            (in_array && fields.get(2) == Some(&"R_X86_64_RELATIVE"))
                .then(|| u64::from_str_radix(fields.get(3)?, 16).ok())
                .flatten()
        })
        .collect();
    if targets.is_empty() {
        targets = section_words(&tool("readelf", &["-x", ".init_array", bin])?)
            .into_iter()
            .filter(|word| *word != 0)
            .collect();
    }
    assert_eq!(
        targets.len() as u64,
        size / 8,
        "every .init_array entry should name a function"
    );
    let symbols = tool("nm", &[bin])?;
    Some(
        targets
            .iter()
            .map(|target| {
                symbols
                    .lines()
                    .find(|line| {
                        line.split_whitespace()
                            .next()
                            .and_then(|a| u64::from_str_radix(a, 16).ok())
                            == Some(*target)
                    })
                    .and_then(|line| line.split_whitespace().nth(2))
                    .unwrap_or("?")
                    .to_string()
            })
            .collect(),
    )
}

/// The little-endian 64-bit words of a `readelf -x` hex dump.
fn section_words(dump: &str) -> Vec<u64> {
    let bytes: Vec<u8> = dump
        .lines()
        .filter(|line| line.trim_start().starts_with("0x"))
        .flat_map(|line| {
            // The address, then up to four groups of hex digits, then text.
            line.split_whitespace()
                .skip(1)
                .take(4)
                .filter(|group| {
                    group.len() % 2 == 0 && group.chars().all(|c| c.is_ascii_hexdigit())
                })
                .flat_map(|group| {
                    (0..group.len())
                        .step_by(2)
                        .filter_map(|i| u8::from_str_radix(&group[i..i + 2], 16).ok())
                        .collect::<Vec<u8>>()
                })
                .collect::<Vec<u8>>()
        })
        .collect();
    bytes
        .chunks_exact(8)
        .map(|word| u64::from_le_bytes(word.try_into().unwrap()))
        .collect()
}

#[test]
fn nothing_but_the_known_constructors_runs_before_main() {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        eprintln!("SKIP: the .init_array check reads x86_64 Linux ELF relocations");
        return;
    }
    let Some(found) = constructors(support::certkit().to_str().unwrap()) else {
        eprintln!("SKIP: readelf and nm (binutils) are needed to read the binary");
        return;
    };
    assert!(
        !found.is_empty(),
        "no .init_array found: the check reads nothing"
    );
    let unknown: Vec<&String> = found
        .iter()
        .filter(|name| !ALLOWED.iter().any(|allowed| name.contains(allowed)))
        .collect();
    assert!(
        unknown.is_empty(),
        "code that runs before main in every command: {unknown:?} (all: {found:?}); \
         start-up must not pay for a dependency's static initialisation"
    );
}

/// Where the C compiler finds glibc's static C library, if it is installed
/// (Debian: libc6-dev).
fn static_libc() -> Option<String> {
    let path = tool("cc", &["-print-file-name=libc.a"])?;
    let path = path.trim();
    (path.starts_with('/') && std::path::Path::new(path).is_file()).then(|| path.to_string())
}

#[test]
fn the_binary_has_no_dynamic_loader_where_static_glibc_is_installed() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        eprintln!("SKIP: build.rs links statically on glibc Linux only");
        return;
    }
    if std::env::var("CERTKIT_STATIC").is_ok_and(|v| v == "0") {
        eprintln!("SKIP: CERTKIT_STATIC=0 asked build.rs for a dynamic link");
        return;
    }
    let Some(libc) = static_libc() else {
        eprintln!("SKIP: no libc.a: build.rs links dynamically here, and says so");
        return;
    };
    let bin = support::certkit();
    let bin = bin.to_str().unwrap();
    let (Some(headers), Some(dynamic)) = (
        tool("readelf", &["-lW", bin]),
        tool("readelf", &["-dW", bin]),
    ) else {
        eprintln!("SKIP: readelf (binutils) is needed to read the binary");
        return;
    };
    assert!(
        headers.contains("LOAD"),
        "readelf printed no program headers: the check reads nothing"
    );
    assert!(
        !headers.contains("Requesting program interpreter"),
        "{bin} has a program interpreter although {libc} is installed: \
         build.rs's static link did not take"
    );
    let needed: Vec<&str> = dynamic.lines().filter(|l| l.contains("(NEEDED)")).collect();
    assert!(
        needed.is_empty(),
        "{bin} needs shared libraries: {needed:?}"
    );
    let version = Command::new(bin).arg("version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(
        version
            .lines()
            .any(|line| line.starts_with("Linked: static")),
        "certkit version should say how it is linked:\n{version}"
    );
}
