//! `key`: private key tools; `key convert` rewrites a key between
//! PKCS#1, SEC1 and PKCS#8, PEM and DER, plain and encrypted.

use crate::common::{print_bytes, KeyInputArgs, KeyOutputArgs};
use crate::values::GoBool;
use certkit_core::error::Result;
use certkit_files::atomic::write_atomic;

/// Private key tools (convert between PKCS#1, SEC1, PKCS#8, PEM and DER)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A cfssl key as PKCS#8 on standard output:
    certkit key convert -key-format pkcs8 server-key.pem")]
pub struct Args {
    #[command(subcommand)]
    pub command: KeyCommand,
}

/// The `key` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    Convert(ConvertArgs),
}

/// Convert a private key between PKCS#1, SEC1 and PKCS#8, PEM and DER, plain or encrypted
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A cfssl key as PKCS#8 for Java or netty:
    certkit key convert -key-format pkcs8 -out server-key.pk8.pem \\
      server-key.pem
  The same key as PKCS#8 DER:
    certkit key convert -key-format pkcs8 -der -out server-key.der \\
      server-key.pem
  Encrypt a CA key (PKCS#8 PBES2, AES-256-CBC) with the password in ca.pass:
    certkit key convert -key-password-file ca.pass -out ca-key.enc.pem \\
      ca-key.pem
  Decrypt it again, back to cfssl's PKCS#1:
    certkit key convert -key-in-password-file ca.pass -key-format pkcs1 \\
      -out ca-key.plain.pem ca-key.enc.pem

The input may be PEM or DER, PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 or
openssl's legacy encrypted PEM (Proc-Type/DEK-Info).")]
pub struct ConvertArgs {
    /// Private key to convert: a file, - for standard input, env:VAR or file:PATH
    #[arg(value_name = "KEY")]
    pub key: std::path::PathBuf,

    /// Write DER instead of PEM
    #[arg(long, go_bool())]
    pub der: bool,

    /// Output file, written atomically with mode 0600 (default: standard output)
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub key_output: KeyOutputArgs,

    #[command(flatten)]
    pub key_input: KeyInputArgs,
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        KeyCommand::Convert(a) => convert(a),
    }
}

fn convert(args: ConvertArgs) -> Result<()> {
    let key = args.key_input.load_key(&args.key)?;
    let encoder = args.key_output.encoder()?;
    let bytes = if args.der {
        encoder.der(&key)?.1
    } else {
        zeroize::Zeroizing::new(encoder.pem(&key)?.as_bytes().to_vec())
    };
    match &args.out {
        Some(path) => write_atomic(path, &bytes, 0o600),
        None => print_bytes(&bytes),
    }
}
