//! `json` (cfssljson): turns cfssl's JSON output into files.

use crate::common::print_stdout;
use crate::values::GoBool;
use certkit_core::error::Result;
use certkit_core::input::{display_path, read_input};
use certkit_core::output::plan_files;
use certkit_files::atomic::write_all;

/// Write the key, CSR, certificate and bundle from cfssl JSON into files (cfssljson)
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Write server-key.pem (0600) and server.csr from genkey's output:
    certkit genkey server.json | certkit json -bare server
  As cfssljson (a symlink to certkit), reading a saved response:
    cfssljson -f response.json ca

FILES:
  NAME.pem (certificate), NAME-key.pem (private key, mode 0600),
  NAME-key.enc (encrypted_key, as it is, mode 0600), NAME.csr,
  NAME-bundle.pem and NAME-root.pem (bundle output). Every file is written
  to a temporary file, synced and renamed: never half-written.")]
pub struct Args {
    /// JSON input file, or - for standard input
    #[arg(short = 'f', long = "f", value_name = "FILE", default_value = "-")]
    pub input: std::path::PathBuf,

    /// The input is cfssl's plain output, not the API envelope {"success":..,"result":..}
    #[arg(long, go_bool())]
    pub bare: bool,

    /// Print the contents on standard output instead of writing files
    #[arg(long, go_bool())]
    pub stdout: bool,

    /// Base name of the files to write
    #[arg(value_name = "NAME", default_value = "cert")]
    pub name: std::path::PathBuf,
}

pub fn run(args: Args) -> Result<()> {
    let input = zeroize::Zeroizing::new(read_input(&args.input)?);
    let files = plan_files(&input, &display_path(&args.input), &args.name, args.bare)?;
    if args.stdout {
        use base64::Engine;
        let size: usize = files.iter().map(|f| 2 * f.contents.len() + 1).sum();
        let mut text = zeroize::Zeroizing::new(String::with_capacity(size));
        for file in &files {
            if file.binary {
                text.push_str(&base64::engine::general_purpose::STANDARD.encode(&file.contents));
            } else {
                text.push_str(&String::from_utf8_lossy(&file.contents));
            }
            text.push('\n');
        }
        return print_stdout(&text);
    }
    write_all(&files)
}
