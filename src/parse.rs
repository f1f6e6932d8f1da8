//! argv to [`Cli`] without building every command first.
//!
//! clap's derive builds the definition of every command (each flag, its
//! help, its value parser) before it parses one command line: measured
//! with callgrind, a fifth of the instructions of a whole ECDSA `genkey`
//! process, and more with each command added. When argv[1] names a
//! command, only that command is built. A command line that this smaller
//! definition refuses, or that asks for help or the version, is parsed
//! again against the whole one, so every message is clap's usual one.

use crate::commands::*;
use crate::{Cli, GlobalArgs};
use clap::{Args as _, FromArgMatches as _, Parser as _};
use std::ffi::OsString;

pub fn parse(argv: Vec<OsString>) -> Result<Cli, clap::Error> {
    let named = argv.get(1).and_then(|a| a.to_str()).and_then(one_command);
    if let Some(command) = named {
        let parsed = command
            .try_get_matches_from(&argv)
            .and_then(|matches| Cli::from_arg_matches(&matches));
        if let Ok(cli) = parsed {
            return Ok(cli);
        }
    }
    Cli::try_parse_from(argv)
}

/// Adds a command's flags (and nested commands) to its clap definition.
type AddFlags = fn(clap::Command) -> clap::Command;

/// Every command by name, with the function that adds its flags.
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
    ("install-links", install_links::Args::augment_args),
];

/// certkit with the global flags and the one command `name`; None when
/// certkit has no such command.
fn one_command(name: &str) -> Option<clap::Command> {
    let (name, augment) = COMMANDS.iter().find(|(known, _)| *known == name)?;
    let root = clap::Command::new("certkit").subcommand_required(true);
    Some(GlobalArgs::augment_args(root).subcommand(augment(clap::Command::new(*name))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command's flags and nested commands, recursively, as text.
    fn shape(cmd: &clap::Command) -> Vec<String> {
        let mut out: Vec<String> = cmd
            .get_arguments()
            .map(|a| format!("{}: {:?} {:?}", a.get_id(), a.get_long(), a.get_short()))
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
        let whole = crate::command();
        for sub in whole.get_subcommands() {
            let alone = one_command(sub.get_name())
                .unwrap_or_else(|| panic!("parse.rs: no entry for `{}`", sub.get_name()));
            let alone = alone.find_subcommand(sub.get_name()).unwrap();
            assert_eq!(shape(alone), shape(sub), "{}", sub.get_name());
        }
        let globals = |cmd: &clap::Command| -> Vec<String> {
            cmd.get_arguments()
                .map(|a| a.get_id().to_string())
                .collect()
        };
        assert_eq!(globals(&one_command("sign").unwrap()), globals(&whole));
    }

    #[test]
    fn both_ways_give_the_same_result_and_errors_are_the_whole_definitions() {
        let argv = |args: &[&str]| args.iter().map(OsString::from).collect::<Vec<_>>();
        let line = [
            "certkit",
            "genkey",
            "--quiet",
            "--loglevel",
            "3",
            "req.json",
        ];
        let fast = parse(argv(&line)).unwrap();
        let whole = Cli::try_parse_from(argv(&line)).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{whole:?}"));

        let bad = ["certkit", "genkey", "--no-such-flag", "req.json"];
        let fast = parse(argv(&bad)).unwrap_err().render().to_string();
        let whole = Cli::try_parse_from(argv(&bad))
            .unwrap_err()
            .render()
            .to_string();
        assert_eq!(fast, whole);
        let help = parse(argv(&["certkit", "sign", "--help"])).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    }
}
