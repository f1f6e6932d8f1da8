//! Issuance: the one path from a verified CSR and a profile to a signed
//! certificate, shared by the CLI, the server and the Kubernetes signer.

pub mod batch;
pub mod certificate;
pub mod extensions;
pub mod initca;
pub mod issuer;
pub mod renew;
pub mod renew_ca;
pub mod selfsign;
