//! The flags of `sign` that only CertificateSigningRequest objects take.

use crate::values::GoBool;
use certkit_ops::sign::ObjectInputs;

/// `--bundle`, which `sign` (for objects) and `signer` share: one
/// definition, one meaning, one loader (`certkit_ops::load::intermediates`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BundleArgs {
    /// Intermediate certificates to append after the leaf in the status (PEM: the signing CA first, then each issuer in turn; checked by name and signature)
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<String>,
}

/// Flags for CertificateSigningRequest objects (`kubectl get csr -o json|yaml`).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Kubernetes CertificateSigningRequest objects")]
pub struct SignObjectArgs {
    #[command(flatten)]
    pub bundle: BundleArgs,

    /// Sign only objects whose spec.signerName is NAME; Kubernetes' built-in signers also get their rules
    #[arg(long = "signer-name", value_name = "NAME")]
    pub signer_name: Option<String>,

    /// Sign objects that have no Approved condition (Denied and Failed ones are still refused)
    #[arg(long = "ignore-approval", go_bool())]
    pub ignore_approval: bool,

    /// Print an invalid request with a Failed condition (exit 0) instead of failing
    #[arg(long = "failed-condition", go_bool())]
    pub failed_condition: bool,
}

impl SignObjectArgs {
    /// These flags, for the library's `sign`.
    pub fn inputs(&self) -> ObjectInputs<'_> {
        ObjectInputs {
            bundle: self.bundle.bundle.as_deref(),
            signer_name: self.signer_name.as_deref(),
            ignore_approval: self.ignore_approval,
            failed_condition: self.failed_condition,
        }
    }
}
