//! The signer seam, cfssl's `signer.Signer` for a signer that is not
//! here: a sign request goes out, a certificate comes back. The CLI's
//! `sign`, `gencert` and `info` with `-remote` (or a profile's `remote`)
//! and `serve -remote`'s forwarding all go through one of these;
//! `certkit-remote` implements it over cfssl's HTTP API. A local CA
//! signs through `certkit_core::issue` directly.

use certkit_core::error::Result;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A sign request as cfssl's client sends it, in its key order.
#[derive(Debug, Clone, Serialize)]
pub struct SignRequest<'a> {
    pub hosts: Option<Vec<String>>,
    pub certificate_request: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Value>,
    pub profile: &'a str,
    pub crl_override: &'a str,
    pub label: &'a str,
}

/// A signer elsewhere.
pub trait Signer: Send + Sync {
    /// Where it signs, for log lines (`signed by …`).
    fn name(&self) -> &str;
    /// Signs `request`; the certificate, PEM.
    fn sign(&self, request: &SignRequest) -> Result<String>;
    /// cfssl's `info` for a label and profile: the CA certificate and the
    /// profile's usages and expiry, as the signer answered.
    fn info(&self, label: &str, profile: &str) -> Result<Box<RawValue>>;
}
