//! One error type for the library. Every variant says what was wrong and,
//! where there is one, which file or field. Every error exits 1 (cfssl's
//! status for any failure after parsing; 2 is only the argument parser's).
//! Checks that callers only report have their own small error types
//! (`verify::Refusal`, `SignatureError`, `DurationError`, ...), turned
//! into one of these variants where they leave their module.

use std::path::PathBuf;

/// Everything certkit's library can refuse or fail at.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or stream could not be read or written.
    #[error("{}: {source}", crate::text::path_text(path.as_os_str()))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An input is larger than certkit is willing to read.
    #[error("{}: input is larger than {limit} bytes", crate::text::path_text(path.as_os_str()))]
    TooLarge { path: PathBuf, limit: usize },
    /// JSON that does not parse, with the input it came from.
    #[error("{what}: invalid JSON: {source}")]
    Json {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    /// A certificate request (CSR JSON) field that is wrong.
    #[error("request: {0}")]
    Request(String),
    /// A signing configuration or profile that is wrong.
    #[error("config: {0}")]
    Policy(String),
    /// A private or public key that cannot be generated, read or used.
    #[error("key: {0}")]
    Key(String),
    /// A PEM block, certificate or CSR that cannot be decoded.
    #[error("{what}: {msg}")]
    Decode { what: String, msg: String },
    /// A signature that does not verify.
    #[error("{0}: signature does not verify")]
    BadSignature(String),
    /// The catch-all: something certkit refuses to do (a certificate the
    /// policy forbids, an input that fails a check) that has no variant
    /// of its own. Prefer a typed variant where a caller branches on it.
    #[error("refused: {0}")]
    Refused(String),
    /// A mistake in the command line that the argument parser cannot see:
    /// a flag's value that means nothing, an input or flag missing. It
    /// prints as `refused: ...`, as these did before they had a variant,
    /// since scripts and tests read that text.
    #[error("refused: {0}")]
    Usage(UsageError),
    /// Certificates that expire within the window asked about.
    #[error("{0}")]
    Expiring(String),
    /// An internal encoding step failed (a bug or an impossible input).
    #[error("encoding: {0}")]
    Encoding(String),
    /// A long-running service (the signer controller) that cannot start or
    /// stopped on an error it cannot recover from.
    #[error("{0}")]
    Service(String),
    /// A bundle or chain that cannot be built, with cfssl's error code.
    #[error("{msg} (cfssl error {code})")]
    Chain { code: u32, msg: String },
    /// A name a profile's `name_whitelist` refuses. Kept apart from
    /// `Refused` so a server can answer its client without the expression
    /// (an operator's config, not the caller's business).
    #[error(
        "refused: {what} {:?} does not match the profile's name_whitelist {:?}",
        crate::text::clip(name),
        crate::text::clip(pattern)
    )]
    NotWhitelisted {
        what: &'static str,
        name: String,
        pattern: String,
    },
}

impl Error {
    /// An I/O error tied to the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A decoding error for the named input.
    pub fn decode(what: impl Into<String>, msg: impl std::fmt::Display) -> Self {
        Error::Decode {
            what: what.into(),
            msg: msg.to_string(),
        }
    }

    /// The numeric error code cfssl's API reports for this kind of failure
    /// (category * 1000 + reason), for JSON error envelopes.
    pub fn cfssl_code(&self) -> u32 {
        match self {
            Error::Io { .. } | Error::TooLarge { .. } => 1000,
            Error::Json { .. } | Error::Request(_) => 9000,
            Error::Policy(_) => 5000,
            Error::Key(_) => 2000,
            Error::Decode { .. } => 1003,
            Error::BadSignature(_) => 9004,
            Error::Refused(_) | Error::Usage(_) | Error::NotWhitelisted { .. } => 5300,
            Error::Encoding(_) => 6000,
            Error::Chain { code, .. } => *code,
            Error::Expiring(_) => 1000,
            Error::Service(_) => 1000,
        }
    }
}

/// A command-line mistake: what the user gave, or failed to give, and
/// what would be right.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// A flag's value that does not parse or means nothing here: the flag
    /// (with the value, where that helps) and why, as `-expiry: ...`.
    #[error("{flag}: {why}")]
    BadValue { flag: String, why: String },
    /// An input or flag the command needs, or flags that do not go
    /// together: the message says what to give.
    #[error("{0}")]
    Missing(String),
}

impl UsageError {
    /// A bad value of `flag`.
    pub fn bad_value(flag: impl Into<String>, why: impl std::fmt::Display) -> Error {
        Error::Usage(UsageError::BadValue {
            flag: flag.into(),
            why: why.to_string(),
        })
    }

    /// Something missing from the command line, as `message` says.
    pub fn missing(message: impl Into<String>) -> Error {
        Error::Usage(UsageError::Missing(message.into()))
    }
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Encoding(e.to_string())
    }
}

impl From<x509_cert::builder::Error> for Error {
    fn from(e: x509_cert::builder::Error) -> Self {
        Error::Encoding(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
