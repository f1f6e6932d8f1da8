//! Turning a command line into clap's form: the personality from argv[0]
//! (`cfssljson` is `certkit json`) and Go-style flags (`-ca-key x`,
//! `-ca-key=x`) rewritten to `--ca-key`, so cfssl command lines run as
//! they are.

use std::ffi::OsString;
use std::path::Path;

/// Every program name certkit answers to as a cfssl tool (argv[0]), and the
/// certkit command it runs (`None`: the command is the first argument, as
/// `cfssl`). The one list: `install-links`, the Debian package's
/// alternatives (through `install-links -list`) and the tests read it.
pub const CFSSL_NAMES: &[(&str, Option<&str>)] = &[("cfssl", None), ("cfssljson", Some("json"))];

/// The names of [`CFSSL_NAMES`], in order.
pub fn cfssl_names() -> Vec<&'static str> {
    CFSSL_NAMES.iter().map(|(name, _)| *name).collect()
}

/// Rewrites argv for clap. Single-letter flags (`-f`) stay short; a lone
/// `-` (stdin) and everything after `--` stay as they are.
pub fn normalize(argv: Vec<OsString>) -> Vec<OsString> {
    let mut iter = argv.into_iter();
    let program = iter.next().unwrap_or_else(|| OsString::from("certkit"));
    let personality = Path::new(&program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = vec![OsString::from("certkit")];
    if let Some((_, Some(command))) = CFSSL_NAMES.iter().find(|(name, _)| *name == personality) {
        out.push(OsString::from(command));
    }
    let mut after_double_dash = false;
    for arg in iter {
        if after_double_dash {
            out.push(arg);
            continue;
        }
        match arg.to_str() {
            Some("--") => {
                after_double_dash = true;
                out.push(arg);
            }
            Some(s) if is_go_long_flag(s) => out.push(OsString::from(format!("-{s}"))),
            _ => out.push(arg),
        }
    }
    out
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
        normalize(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
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
}
