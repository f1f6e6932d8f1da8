//! `k8s`: Kubernetes CertificateSigningRequest objects. `request` makes a
//! manifest, `attach` puts a certificate made elsewhere into one, `show`
//! decodes them; signing them is `certkit sign`, whose
//! object-only flags live in `sign_objects`.

mod attach;
mod request;
mod show;
mod sign_objects;

pub use sign_objects::{BundleArgs, SignObjectArgs};

use certkit_core::error::Result;

/// Kubernetes CertificateSigningRequest objects, without base64 or jq
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Steps 2, 4 and 5 of the Kubernetes TLS workflow, one command each:
    certkit k8s request -name my-svc.my-namespace -signer-name example.com/serving server.csr | \\
      kubectl apply -f -
    kubectl certificate approve my-svc.my-namespace
    kubectl get csr my-svc.my-namespace -o json | \\
      certkit sign -ca ca.pem -ca-key ca-key.pem -config server-signing-config.json - | \\
      kubectl replace -f - --raw \\
        /apis/certificates.k8s.io/v1/certificatesigningrequests/my-svc.my-namespace/status
  What the issued object holds:
    kubectl get csr my-svc.my-namespace -o yaml | certkit k8s show -")]
pub struct Args {
    #[command(subcommand)]
    pub command: K8sCommand,
}

/// The `k8s` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum K8sCommand {
    Request(request::Args),
    Attach(attach::Args),
    Show(show::Args),
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        K8sCommand::Request(a) => request::run(a),
        K8sCommand::Attach(a) => attach::run(a),
        K8sCommand::Show(a) => show::run(a),
    }
}
