//! Pod certificates: what certkit issues for a `certificates.k8s.io/v1`
//! PodCertificateRequest (the kubelet's request for a pod's
//! `podCertificate` projected volume). Pure decisions, no API client:
//! - `key_type`: the key types the API names, and which ones we accept
//! - `identity`: the SPIFFE ID, subject and DNS names from the request
//! - `lifetime`: the certificate's lifetime and the refresh hint
//! - `issue`: one request through the issuer and profile every other
//!   certificate goes through

pub mod identity;
pub mod issue;
pub mod key_type;
pub mod lifetime;

pub use identity::{PodIdentity, PodNames};
pub use issue::{
    issue_pod_certificate, PodIssued, PodPolicy, PodRefusal, PodRequest, UNSUPPORTED_KEY_TYPE,
};
pub use key_type::KeyType;
