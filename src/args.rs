//! Turning a command line into clap's form: the personality from argv[0]
//! (`cfssljson` is `certkit json`) and Go-style flags (`-ca-key x`,
//! `-ca-key=x`) rewritten to `--ca-key`, so cfssl command lines run as
//! they are.
//!
//! Under a cfssl name (see [`CFSSL_NAMES`]) certkit is as lenient as cfssl,
//! which has one global flag set: a cfssl flag the command does not use
//! and arguments beyond those the command reads are dropped, each with a
//! warning. Under the `certkit` name both stay usage errors: a script
//! written for certkit is told about a misplaced or mistyped flag instead
//! of running without it.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Every program name certkit answers to as a cfssl tool, and the certkit
/// command it runs (`None`: the command is the first argument, as `cfssl`).
/// `install-links` creates these names.
pub const CFSSL_NAMES: &[(&str, Option<&str>)] = &[
    ("cfssl", None),
    ("cfssljson", Some("json")),
    // Some packages and install roles name cfssljson this way.
    ("cfssl-json", Some("json")),
    ("cfssl-certinfo", Some("certinfo")),
    ("cfssl-bundle", Some("bundle")),
    ("cfssl-newkey", Some("genkey")),
    ("mkbundle", Some("mkbundle")),
    ("multirootca", Some("multirootca")),
    ("cfssl-mkbundle", Some("mkbundle")),
];

/// Whether certkit was run under one of [`CFSSL_NAMES`]: some output then
/// takes cfssl's shape (`certinfo -csr`).
static INVOKED_AS_CFSSL: AtomicBool = AtomicBool::new(false);

/// Whether certkit was run under a cfssl name.
pub fn invoked_as_cfssl() -> bool {
    INVOKED_AS_CFSSL.load(Ordering::Relaxed)
}

/// cfssl's global flag set (cli/config.go of 1.2.0 and 1.6.x) with
/// cfssljson's and mkbundle's flags: these take the next argument as their
/// value unless written `-flag=value`; [`CFSSL_BOOL_FLAGS`] take none.
const CFSSL_FLAGS: &[&str] = &[
    "hostname",
    "cert",
    "csr",
    "ca",
    "ca-key",
    "tls-cert",
    "tls-key",
    "mutual-tls-ca",
    "mutual-tls-cn",
    "tls-remote-ca",
    "mutual-tls-client-cert",
    "mutual-tls-client-key",
    "key",
    "intermediates",
    "ca-bundle",
    "int-bundle",
    "address",
    "port",
    "min-tls-version",
    "config",
    "profile",
    "int-dir",
    "flavor",
    "metadata",
    "domain",
    "ip",
    "remote",
    "label",
    "authkey",
    "responder",
    "responder-key",
    "status",
    "reason",
    "revoked-at",
    "interval",
    "family",
    "scanner",
    "timeout",
    "csv",
    "num-workers",
    "max-hosts",
    "responses",
    "path",
    "crl",
    "password",
    "usage",
    "pgp-private",
    "pgp-name",
    "serial",
    "cn",
    "aki",
    "db-config",
    "expiry",
    "loglevel",
    "disable",
    "f",
    "nw",
];
const CFSSL_BOOL_FLAGS: &[&str] = &["initca", "renewca", "list", "bare", "stdout", "version"];

/// The rewritten argv and what was dropped from it, to log once logging
/// is set up.
#[derive(Debug, Default)]
pub struct Normalized {
    pub argv: Vec<OsString>,
    pub warnings: Vec<String>,
    /// The named command's definition when leniency had to build it, so
    /// that parsing does not build it again.
    pub command: Option<clap::Command>,
}

/// The names of [`CFSSL_NAMES`], in order.
pub fn cfssl_names() -> Vec<&'static str> {
    CFSSL_NAMES.iter().map(|(name, _)| *name).collect()
}

/// Rewrites argv for clap. Single-letter flags (`-f`) stay short; a lone
/// `-` (stdin) and everything after `--` stay as they are.
pub fn normalize(argv: Vec<OsString>) -> Normalized {
    let mut iter = argv.into_iter();
    let program = iter.next().unwrap_or_else(|| OsString::from("certkit"));
    let personality = Path::new(&program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut argv = vec![OsString::from("certkit")];
    let cfssl = CFSSL_NAMES.iter().find(|(name, _)| *name == personality);
    INVOKED_AS_CFSSL.store(cfssl.is_some(), Ordering::Relaxed);
    if let Some((_, Some(cmd))) = cfssl {
        argv.push(OsString::from(*cmd));
    }
    let mut after_double_dash = false;
    for arg in iter {
        if after_double_dash {
            argv.push(arg);
            continue;
        }
        match arg.to_str() {
            Some("--") => {
                after_double_dash = true;
                argv.push(arg);
            }
            Some(s) if is_go_long_flag(s) => argv.push(OsString::from(format!("-{s}"))),
            _ => argv.push(arg),
        }
    }
    match cfssl {
        Some(_) => lenient(argv),
        None => Normalized {
            argv,
            ..Normalized::default()
        },
    }
}

/// What one certkit command accepts: its flags (and whether each takes
/// the next argument as its value) and how many positional arguments.
struct Accepts {
    flags: HashMap<String, bool>,
    positionals: Option<usize>,
}

impl Accepts {
    fn of(cmd: &clap::Command) -> Accepts {
        let mut flags = HashMap::new();
        let mut positionals = Some(0);
        for arg in cmd.get_arguments() {
            let separate_value = arg.get_action().takes_values() && !arg.is_require_equals_set();
            if arg.is_positional() {
                let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
                positionals = positionals.filter(|_| !many).map(|n| n + 1);
                continue;
            }
            if let Some(long) = arg.get_long() {
                flags.insert(long.to_string(), separate_value);
            }
            if let Some(short) = arg.get_short() {
                flags.insert(short.to_string(), separate_value);
            }
        }
        Accepts { flags, positionals }
    }
}

/// cfssl's leniency: drop cfssl flags the command does not use and
/// arguments beyond those it reads. Commands with subcommands of their
/// own (`k8s`, `cluster`) are certkit's, and stay strict.
fn lenient(argv: Vec<OsString>) -> Normalized {
    let Some(at) = argv.iter().skip(1).position(|a| !is_flag(a)).map(|i| i + 1) else {
        return Normalized {
            argv,
            ..Normalized::default()
        };
    };
    let name = argv[at].to_string_lossy().into_owned();
    // Only the named command is built (see crate::parse): its flags after
    // clap has propagated the global ones.
    let Some(mut root) = crate::parse::one_command(&name) else {
        return Normalized {
            argv,
            ..Normalized::default()
        };
    };
    root.build();
    let Some(cmd) = root.find_subcommand(&name).filter(|c| !c.has_subcommands()) else {
        return Normalized {
            argv,
            ..Normalized::default()
        };
    };
    let accepts = Accepts::of(cmd);
    let mut out: Vec<OsString> = argv[..=at].to_vec();
    let mut warnings = Vec::new();
    let mut positionals = 0usize;
    let mut rest = argv[at + 1..].iter().cloned();
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy().into_owned();
        if text == "--" {
            out.push(arg);
            out.extend(rest.by_ref());
            break;
        }
        if !is_flag(&arg) {
            if accepts.positionals.is_some_and(|max| positionals >= max) {
                warnings.push(format!(
                    "{name}: extra argument {text:?} ignored (as cfssl ignores it)"
                ));
            } else {
                positionals += 1;
                out.push(arg);
            }
            continue;
        }
        let (flag, has_inline_value) = flag_name(&text);
        if let Some(&separate_value) = accepts.flags.get(flag) {
            if positionals > 0 && !matches!(flag, "h" | "help") {
                warnings.push(format!(
                    "{name}: -{flag} comes after an argument: cfssl would ignore it, certkit applies it"
                ));
            }
            out.push(arg);
            if separate_value && !has_inline_value {
                out.extend(rest.next());
            }
            continue;
        }
        let takes_value = if CFSSL_FLAGS.contains(&flag) {
            true
        } else if CFSSL_BOOL_FLAGS.contains(&flag) {
            false
        } else {
            out.push(arg); // not a cfssl flag either: clap says so
            continue;
        };
        let value = match (takes_value, has_inline_value) {
            (true, false) => rest.next().map(|v| v.to_string_lossy().into_owned()),
            _ => None,
        };
        warnings.push(format!(
            "{name}: -{}{} is a cfssl flag this command does not use; ignored",
            text.trim_start_matches('-'),
            value.map(|v| format!(" {v}")).unwrap_or_default()
        ));
    }
    Normalized {
        argv: out,
        warnings,
        command: Some(root),
    }
}

/// A flag (after rewriting: `--name`, `--name=v`, `-x`), not `-` (stdin).
fn is_flag(arg: &OsString) -> bool {
    arg.to_str()
        .is_some_and(|s| s.len() > 1 && s.starts_with('-'))
}

/// The name of a flag argument and whether it carries `=value`.
fn flag_name(arg: &str) -> (&str, bool) {
    let body = arg.trim_start_matches('-');
    match body.split_once('=') {
        Some((name, _)) => (name, true),
        None => (body, false),
    }
}

/// `-name` or `-name=value` where name has two or more characters.
fn is_go_long_flag(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('-') else {
        return false;
    };
    if rest.starts_with('-') {
        return false;
    }
    let name = rest.split('=').next().unwrap_or("");
    name.len() >= 2 && name.starts_with(|c: char| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Vec<String> {
        normalized(args).0
    }

    fn normalized(args: &[&str]) -> (Vec<String>, Vec<String>) {
        let n = normalize(args.iter().map(OsString::from).collect());
        let argv = n
            .argv
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        (argv, n.warnings)
    }

    #[test]
    fn go_flags_become_long_flags() {
        assert_eq!(
            norm(&[
                "cfssl",
                "sign",
                "-ca",
                "ca.pem",
                "-ca-key=k.pem",
                "--config",
                "c",
                "-"
            ]),
            [
                "certkit",
                "sign",
                "--ca",
                "ca.pem",
                "--ca-key=k.pem",
                "--config",
                "c",
                "-"
            ]
        );
    }

    #[test]
    fn cfssljson_personality_and_short_flags() {
        assert_eq!(
            norm(&["/usr/bin/cfssljson", "-f", "in.json", "-bare", "server"]),
            ["certkit", "json", "-f", "in.json", "--bare", "server"]
        );
    }

    #[test]
    fn double_dash_stops_rewriting() {
        assert_eq!(
            norm(&["certkit", "genkey", "--", "-weird"]),
            ["certkit", "genkey", "--", "-weird"]
        );
    }

    #[test]
    fn cfssl_names_drop_extra_arguments_with_a_warning() {
        let (argv, warnings) = normalized(&["cfssljson", "-bare", "ca", "-"]);
        assert_eq!(argv, ["certkit", "json", "--bare", "ca"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        // certkit's own name stays strict: clap sees the extra argument.
        assert_eq!(
            norm(&["certkit", "json", "-bare", "ca", "-"]),
            ["certkit", "json", "--bare", "ca", "-"]
        );
    }

    #[test]
    fn cfssl_names_drop_unused_cfssl_flags_with_their_values() {
        let (argv, warnings) = normalized(&[
            "cfssl",
            "genkey",
            "-initca",
            "-ca=ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-remote",
            "127.0.0.1:8888",
            "csr.json",
        ]);
        assert_eq!(argv, ["certkit", "genkey", "--initca", "csr.json"]);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[1].contains("-ca-key ca-key.pem"), "{warnings:?}");
        // A flag cfssl does not know either is left for clap to refuse.
        assert_eq!(
            norm(&["cfssl", "genkey", "-no-such-flag", "csr.json"]),
            ["certkit", "genkey", "--no-such-flag", "csr.json"]
        );
    }

    #[test]
    fn sign_keeps_its_csr_and_subject_arguments() {
        let (argv, warnings) = normalized(&[
            "cfssl",
            "sign",
            "-ca",
            "ca.pem",
            "-cert",
            "x.pem",
            "a.csr",
            "subj.json",
            "more",
        ]);
        assert_eq!(
            argv,
            ["certkit", "sign", "--ca", "ca.pem", "a.csr", "subj.json"]
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn flags_after_arguments_apply_with_a_warning() {
        let (argv, warnings) = normalized(&["cfssl", "genkey", "csr.json", "-loglevel", "2"]);
        assert_eq!(argv, ["certkit", "genkey", "csr.json", "--loglevel", "2"]);
        assert!(
            warnings[0].contains("cfssl would ignore it"),
            "{warnings:?}"
        );
    }

    #[test]
    fn every_personality_names_a_command() {
        let root = crate::command();
        for (name, cmd) in CFSSL_NAMES {
            if let Some(cmd) = cmd {
                assert!(
                    root.find_subcommand(cmd).is_some(),
                    "{name} runs {cmd}, which does not exist"
                );
            }
        }
    }
}
