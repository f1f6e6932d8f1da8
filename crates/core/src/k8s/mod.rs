//! Kubernetes `certificates.k8s.io/v1` CertificateSigningRequest objects in
//! and out, as kubectl prints and reads them: new manifests from a CSR,
//! signing approved objects into `status.certificate`, and showing what
//! they hold.

pub mod approve;
pub mod attach;
pub mod broken_rule;
pub mod document;
pub mod manifest;
pub mod object;
pub mod pod;
pub mod show;
pub mod sign;
pub mod signer_rules;

pub use document::{Document, Format, SignInput};
pub use object::CsrObject;
