//! argv to [`Cli`] without building every command first.
//!
//! clap's derive builds the definition of every command (each flag, its
//! help, its value parser) before it parses one command line: measured
//! with callgrind, a fifth of the instructions of a whole ECDSA `genkey`
//! process, and more with each command added. When argv names a command,
//! only that command is built. A command line that this smaller
//! definition refuses, or that asks for help or the version, is parsed
//! again against the whole one, so every message is clap's usual one.

use crate::commands::*;
use crate::{Cli, GlobalArgs};
use clap::{Args as _, FromArgMatches as _};
use std::ffi::OsString;

/// Parses a normalized argv (`certkit COMMAND ...`, see
/// [`crate::args::normalize`]), with the named command's definition when
/// normalizing already built it.
pub fn parse(argv: Vec<OsString>, built: Option<clap::Command>) -> Result<Cli, clap::Error> {
    let named = built.or_else(|| argv.get(1).and_then(|a| a.to_str()).and_then(one_command));
    if let Some(mut command) = named {
        let parsed = command
            .try_get_matches_from_mut(&argv)
            .and_then(|matches| Cli::from_arg_matches(&matches));
        if let Ok(cli) = parsed {
            return Ok(cli);
        }
    }
    crate::command()
        .try_get_matches_from(argv)
        .and_then(|matches| Cli::from_arg_matches(&matches))
}

/// Adds a command's flags (and nested commands) to its clap definition.
type AddFlags = fn(clap::Command) -> clap::Command;

/// Every command by name, with the function that adds its flags; a test
/// checks this against the whole definition.
const COMMANDS: &[(&str, AddFlags)] = &[
    ("genkey", genkey::Args::augment_args),
    ("gencert", gencert::Args::augment_args),
    ("initca", initca::Args::augment_args),
    ("sign", sign::Args::augment_args),
    ("json", json::Args::augment_args),
    ("k8s", k8s::Args::augment_args),
    ("version", version::Args::augment_args),
    ("key", key::Args::augment_args),
    ("pkcs12", pkcs12::Args::augment_args),
    ("bundle", bundle::Args::augment_args),
    ("certinfo", certinfo::Args::augment_args),
    ("verify", verify::Args::augment_args),
    ("selfsign", selfsign::Args::augment_args),
    ("print-defaults", print_defaults::Args::augment_args),
    ("gencsr", gencsr::Args::augment_args),
    ("cluster", cluster::Args::augment_args),
    ("check-expiration", check_expiration::Args::augment_args),
    ("renew", renew::Args::augment_args),
    ("batch", batch::Args::augment_args),
    ("mkbundle", mkbundle::Args::augment_args),
    ("signer", signer::Args::augment_args),
    ("gencrl", gencrl::Args::augment_args),
    ("ocspsign", ocspsign::Args::augment_args),
    ("ocspserve", ocspserve::Args::augment_args),
    ("revoke", revoke::Args::augment_args),
    ("crl", crl::Args::augment_args),
    ("ocsprefresh", ocsprefresh::Args::augment_args),
    ("ocspdump", ocspdump::Args::augment_args),
    ("serve", serve::Args::augment_args),
    ("info", info::Args::augment_args),
    ("multirootca", multirootca::Args::augment_args),
    ("install-links", install_links::Args::augment_args),
];

/// certkit with the global flags and the one command `name`; None when
/// certkit has no such command.
pub fn one_command(name: &str) -> Option<clap::Command> {
    let (name, augment) = COMMANDS.iter().find(|(known, _)| *known == name)?;
    let root = clap::Command::new("certkit").subcommand_required(true);
    Some(GlobalArgs::augment_args(root).subcommand(augment(clap::Command::new(*name))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command's flags and nested commands, recursively, as text.
    fn shape(cmd: &clap::Command) -> Vec<String> {
        // `--version` is propagated to every command of the whole
        // definition only; asking for it falls back there.
        let mut out: Vec<String> = cmd
            .get_arguments()
            .filter(|a| a.get_id() != "version")
            .map(|a| {
                format!(
                    "{}: {:?} {:?} {:?} {:?}",
                    a.get_id(),
                    a.get_long(),
                    a.get_short(),
                    a.get_num_args(),
                    a.get_default_values()
                )
            })
            .collect();
        for sub in cmd.get_subcommands() {
            out.extend(
                shape(sub)
                    .into_iter()
                    .map(|s| format!("{} {s}", sub.get_name())),
            );
        }
        out.sort();
        out
    }

    #[test]
    fn every_command_is_built_alone_exactly_as_in_the_whole() {
        let mut whole = crate::command();
        whole.build();
        // clap adds `help` to the whole definition; it is parsed there.
        let subcommands = || whole.get_subcommands().filter(|s| s.get_name() != "help");
        assert_eq!(subcommands().count(), COMMANDS.len());
        for sub in subcommands() {
            let mut alone = one_command(sub.get_name())
                .unwrap_or_else(|| panic!("parse.rs: no entry for `{}`", sub.get_name()));
            alone.build();
            let alone = alone.find_subcommand(sub.get_name()).unwrap();
            assert_eq!(shape(alone), shape(sub), "{}", sub.get_name());
        }
        let globals = |cmd: &clap::Command| -> Vec<String> {
            cmd.get_arguments()
                .filter(|a| a.is_global_set())
                .map(|a| a.get_id().to_string())
                .collect()
        };
        assert_eq!(globals(&one_command("sign").unwrap()), globals(&whole));
        assert_eq!(globals(&whole), ["loglevel", "quiet"]);
    }

    #[test]
    fn both_ways_give_the_same_result_and_errors_are_the_whole_definitions() {
        let argv = |args: &[&str]| args.iter().map(OsString::from).collect::<Vec<_>>();
        let whole = |args: &[&str]| {
            crate::command()
                .try_get_matches_from(argv(args))
                .and_then(|m| Cli::from_arg_matches(&m))
        };
        let line = [
            "certkit",
            "genkey",
            "--quiet",
            "--loglevel",
            "3",
            "req.json",
        ];
        let fast = parse(argv(&line), None).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{:?}", whole(&line).unwrap()));

        let bad = ["certkit", "genkey", "--no-such-flag", "req.json"];
        let fast = parse(argv(&bad), None).unwrap_err().render().to_string();
        assert_eq!(fast, whole(&bad).unwrap_err().render().to_string());
        let help = parse(argv(&["certkit", "sign", "--help"]), None).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        assert_eq!(
            help.render().to_string(),
            whole(&["certkit", "sign", "--help"])
                .unwrap_err()
                .render()
                .to_string()
        );
    }

    #[test]
    fn a_definition_built_by_cfssl_leniency_parses_as_the_whole() {
        let argv = [
            "cfssl",
            "sign",
            "-ca",
            "ca.pem",
            "-initca",
            "-loglevel",
            "2",
            "c.csr",
        ];
        let normalized = crate::args::normalize(argv.iter().map(OsString::from).collect());
        assert!(normalized.command.is_some());
        let whole = crate::command()
            .try_get_matches_from(normalized.argv.clone())
            .and_then(|m| Cli::from_arg_matches(&m))
            .unwrap();
        let fast = parse(normalized.argv, normalized.command).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{whole:?}"));
    }
}
