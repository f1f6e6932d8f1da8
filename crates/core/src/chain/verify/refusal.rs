//! Why `verify` (and `bundle`, which shares its checks) refuses a chain
//! or one of its certificates: the check that failed and the certificate,
//! as one line for the user.

/// A failed check of a certificate or path. Callers only report it
/// (`verify` as [`crate::Error::Refused`], `bundle` with cfssl's code), so
/// it is its text; it starts with the check's name (`signature:`,
/// `extensions:`, ...) and names the certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(String);

impl From<String> for Refusal {
    fn from(text: String) -> Self {
        Refusal(text)
    }
}

impl From<&str> for Refusal {
    fn from(text: &str) -> Self {
        Refusal(text.to_string())
    }
}
