//! `k8s attach`: a certificate made elsewhere into `status.certificate`.

use crate::common::print_stdout;
use certkit_core::error::Result;
use certkit_core::input::{display_name, read_input};
use certkit_core::k8s::attach::attach_certificate;
use certkit_core::k8s::document::Document;

/// Put a certificate (PEM chain) into a CertificateSigningRequest's status.certificate
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Step 5 of the workflow after signing the PEM CSR (step 4) with certkit sign | certkit json:
    kubectl get csr my-svc.my-namespace -o json | \\
      certkit k8s attach -cert ca-signed-server.pem - | \\
      kubectl replace -f - --raw \\
        /apis/certificates.k8s.io/v1/certificatesigningrequests/my-svc.my-namespace/status")]
pub struct Args {
    /// Certificate (PEM), optionally followed by its intermediates; its key must be the request's
    #[arg(long, value_name = "FILE")]
    pub cert: String,

    /// CertificateSigningRequest object (JSON or YAML), or - for standard input
    #[arg(value_name = "OBJECT", default_value = "-")]
    pub object: String,
}

pub fn run(args: Args) -> Result<()> {
    let doc = Document::parse(&read_input(&args.object)?, display_name(&args.object))?;
    let doc = attach_certificate(doc, &read_input(&args.cert)?, display_name(&args.cert))?;
    print_stdout(&doc.render()?)
}
