//! certkit's command line: argument definitions (the one source of help,
//! man pages and completions) and one small module per command in
//! `commands/` that parses its flags and calls the library. Errors are
//! mapped to exit codes here and nowhere else.

mod args;
pub use args::CFSSL_NAMES;
mod commands;
mod common;
pub mod docs;
pub mod log;

mod parse;
mod progress;
mod values;

use commands::*;
use values::GoBool;

use clap::{CommandFactory, Parser, Subcommand};
use std::ffi::OsString;

const ABOUT: &str = "A drop-in, stricter and faster replacement for cfssl and cfssljson.";

const EXAMPLES: &str = "\
EXAMPLES:
  Key and CSR for a service, written as server-key.pem and server.csr:
    certkit genkey server.json | certkit json -bare server
  A new CA, written as ca.pem, ca-key.pem and ca.csr:
    certkit gencert -initca ca-csr.json | certkit json -bare ca
  Sign a CSR with that CA under a signing config:
    certkit sign -ca ca.pem -ca-key ca-key.pem -config signing.json server.csr | \\
      certkit json -bare server

  Symlinked as `cfssl` and `cfssljson`, certkit runs cfssl command lines unchanged.

EXIT STATUS:
  0 success, 1 error (one line on stderr says what and where), 2 usage error.";

/// certkit's command line.
#[derive(Debug, Parser)]
#[command(name = "certkit", version, about = ABOUT, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// The flags every command takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Log level: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal
    #[arg(long, global = true, value_name = "LEVEL", default_value_t = 1,
          value_parser = clap::value_parser!(u8).range(0..=5))]
    pub loglevel: u8,

    /// Print nothing on stderr but errors: no info or warning lines, no progress
    #[arg(long, short = 'q', global = true, go_bool())]
    pub quiet: bool,
}

/// Every certkit command.
#[derive(Debug, Subcommand)]
pub enum Command {
    Genkey(genkey::Args),
    Gencert(gencert::Args),
    Initca(initca::Args),
    Sign(sign::Args),
    Json(json::Args),
    K8s(k8s::Args),
    Version(version::Args),
    Key(key::Args),
    Pkcs12(pkcs12::Args),
    Bundle(bundle::Args),
    Certinfo(certinfo::Args),
    Verify(verify::Args),
    Selfsign(selfsign::Args),
    PrintDefaults(print_defaults::Args),
    Gencsr(gencsr::Args),
    Cluster(cluster::Args),
    CheckExpiration(check_expiration::Args),
    Renew(renew::Args),
    Batch(batch::Args),
    Mkbundle(mkbundle::Args),
    Signer(signer::Args),
    Gencrl(gencrl::Args),
    Ocspsign(ocspsign::Args),
    Ocspserve(ocspserve::Args),
    Revoke(revoke::Args),
    Crl(crl::Args),
    Ocsprefresh(ocsprefresh::Args),
    Ocspdump(ocspdump::Args),
    Serve(Box<serve::Args>),
    Info(info::Args),
    Multirootca(multirootca::Args),
    InstallLinks(install_links::Args),
}

/// The clap definition, for help, man pages and completions.
pub fn command() -> clap::Command {
    Cli::command()
}

/// A usage error as one line (values cut short, control characters
/// escaped) and one hint: clap's own tip when it has one, else where the
/// help is.
fn usage_error_lines(rendered: &str) -> String {
    // The message and what clap lists under it (missing arguments), up
    // to the first blank line.
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .collect();
    let first = if message.is_empty() {
        "error: invalid usage".to_string()
    } else {
        message.join(" ")
    };
    let lines = rendered.lines().map(str::trim);
    let usage = lines.clone().find_map(|l| l.strip_prefix("Usage: "));
    let tip = lines.clone().find_map(|l| l.strip_prefix("tip: "));
    let hint = match (tip, usage) {
        (Some(tip), _) => format!("hint: {tip}"),
        (None, Some(usage)) => {
            let command: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            format!("hint: see '{} --help'", command.join(" "))
        }
        (None, None) => "hint: see 'certkit --help'".into(),
    };
    format!(
        "{}\n{}",
        certkit_core::text::clip_to(&first, certkit_core::text::LINE_LIMIT),
        certkit_core::text::clip(&hint)
    )
}

/// Runs certkit with a full argv (argv[0] included) and returns the exit
/// code: 0 success, 1 error, 2 usage error.
pub fn main_with_args(argv: Vec<OsString>) -> i32 {
    let normalized = args::normalize(argv);
    let cli = match parse::parse(normalized.argv, normalized.command) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            eprintln!("{}", usage_error_lines(&e.render().to_string()));
            return 2;
        }
        Err(e) => {
            let _ = e.print();
            return 0;
        }
    };
    log::install();
    certkit_core::keys::slow_work::observe_with(progress::observer);
    log::set_level(cli.global.loglevel);
    if cli.global.quiet {
        log::set_level(log::LEVEL_ERROR);
    }
    for warning in &normalized.warnings {
        log::warning(warning);
    }
    // Told to a person at a terminal only: a pipeline's logs would repeat it
    // on every command, and `certkit version` says it too.
    if version::jitter_entropy_built() && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        log::warning(
            "this certkit was built with AWS-LC's CPU-jitter entropy source, which adds about 40 ms to every command; reinstall with AWS_LC_SYS_NO_JITTER_ENTROPY=1 (README \"Install\")",
        );
    }
    // A command that signs once and exits skips RSA blinding; the services,
    // which sign for others for hours, keep it (core's keys/rsa.rs says why).
    let service = matches!(
        cli.command,
        Command::Serve(_) | Command::Multirootca(_) | Command::Ocspserve(_) | Command::Signer(_)
    );
    if !service {
        certkit_core::keys::rsa::one_signature_per_process();
    }
    let result = match cli.command {
        Command::Genkey(a) => genkey::run(a),
        Command::Gencert(a) => gencert::run(a),
        Command::Initca(a) => initca::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Json(a) => json::run(a),
        Command::K8s(a) => k8s::run(a),
        Command::Version(a) => version::run(a),
        Command::Key(a) => key::run(a),
        Command::Pkcs12(a) => pkcs12::run(a),
        Command::Bundle(a) => bundle::run(a),
        Command::Certinfo(a) => certinfo::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Selfsign(a) => selfsign::run(a),
        Command::PrintDefaults(a) => print_defaults::run(a),
        Command::Gencsr(a) => gencsr::run(a),
        Command::Cluster(a) => cluster::run(a),
        Command::CheckExpiration(a) => check_expiration::run(a),
        Command::Renew(a) => renew::run(a),
        Command::Batch(a) => batch::run(a),
        Command::Mkbundle(a) => mkbundle::run(a),
        Command::Signer(a) => signer::run(a),
        Command::Gencrl(a) => gencrl::run(a),
        Command::Ocspsign(a) => ocspsign::run(a),
        Command::Ocspserve(a) => ocspserve::run(a),
        Command::Revoke(a) => revoke::run(a),
        Command::Crl(a) => crl::run(a),
        Command::Ocsprefresh(a) => ocsprefresh::run(a),
        Command::Ocspdump(a) => ocspdump::run(a),
        Command::Serve(a) => serve::run(*a),
        Command::Info(a) => info::run(a),
        Command::Multirootca(a) => multirootca::run(a),
        Command::InstallLinks(a) => install_links::run(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            log::error(&e.to_string());
            // Every failure after parsing, usage mistakes included, exits
            // 1 as cfssl's do; 2 is clap's, for what it refuses itself.
            1
        }
    }
}
