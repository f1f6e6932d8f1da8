//! `k8s show`: what CertificateSigningRequest objects hold.

use crate::common::print_stdout;
use certkit_core::error::Result;
use certkit_core::input::{display_name, read_input};
use certkit_core::k8s::document::{render, Document};
use certkit_core::k8s::show::describe;

/// Decode spec.request and status.certificate of CertificateSigningRequest objects
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Subject, SANs and validity of an issued request:
    kubectl get csr my-svc.my-namespace -o json | certkit k8s show -
  Every request in the cluster, as JSON:
    kubectl get csr -o yaml | certkit k8s show -o json - | jq '.[] | {name, state}'")]
pub struct Args {
    /// Output format
    #[arg(short = 'o', long, value_enum, default_value = "yaml")]
    pub output: crate::values::FormatArg,

    /// Object file (JSON or YAML, one object or a List), or - for standard input
    #[arg(value_name = "FILE", default_value = "-")]
    pub input: String,
}

pub fn run(args: Args) -> Result<()> {
    let doc = Document::parse(&read_input(&args.input)?, display_name(&args.input))?;
    print_stdout(&render(&describe(&doc)?, args.output.into())?)
}
