//! Why a CertificateSigningRequest is not approved or signed: the rule it
//! breaks (a built-in signer's, the automatic approver's, the profile's).

/// A broken rule, worded for the user: it is written as is into a Denied
/// or Failed condition and into refusals, and nothing branches on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BrokenRule(String);

impl From<String> for BrokenRule {
    fn from(text: String) -> Self {
        BrokenRule(text)
    }
}

impl From<&str> for BrokenRule {
    fn from(text: &str) -> Self {
        BrokenRule(text.to_string())
    }
}
