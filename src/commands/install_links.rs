//! `install-links`: the cfssl names (`cfssl`, `cfssljson`, ...) as
//! symbolic links to certkit in a directory on the PATH.

use crate::args::cfssl_names;
use crate::common::{emit, print_stdout};
use crate::values::GoBool;
use certkit_core::error::Result;
use certkit_files::links::{install_links, this_executable};
use std::path::PathBuf;

/// Link every cfssl binary name certkit answers to (cfssl, cfssljson, ...) to certkit in DIR
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Make cfssl and cfssljson run certkit, from a directory put first on the PATH:
    certkit install-links cfssl-bin && export PATH=\"$PWD/cfssl-bin:$PATH\"
  The same over files of those names already there (a Go cfssl, say):
    certkit install-links -force cfssl-bin
  The names certkit answers to, one per line:
    certkit install-links -list

A name that already links to certkit is left alone; any other file there is
refused (nothing is changed) unless -force. For a user: certkit install-links
~/.local/bin. The Debian package registers the same names with
update-alternatives instead.")]
pub struct Args {
    /// Directory for the links (created when missing)
    #[arg(value_name = "DIR", required_unless_present = "list")]
    pub dir: Option<PathBuf>,

    /// Replace files and links of those names that are not links to certkit
    #[arg(long, go_bool())]
    pub force: bool,

    /// Print the names, one per line, and make no links
    #[arg(long, go_bool(),
          conflicts_with_all = ["dir", "force"])]
    pub list: bool,
}

pub fn run(args: Args) -> Result<()> {
    let names = cfssl_names();
    match args.dir {
        Some(dir) => emit(install_links(
            &dir,
            &this_executable()?,
            &names,
            args.force,
        )?),
        None => print_stdout(&(names.join("\n") + "\n")),
    }
}
