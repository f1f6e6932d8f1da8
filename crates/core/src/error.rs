//! One error type for the library. Every variant says what was wrong and,
//! where there is one, which file or field; the CLI maps it to an exit code.

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
    /// A certificate the policy refuses to issue.
    #[error("refused: {0}")]
    Refused(String),
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

    /// The process exit code for this error: 1 for every runtime failure
    /// (2 is kept for usage errors, which the argument parser reports).
    pub fn exit_code(&self) -> i32 {
        1
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
            Error::Refused(_) | Error::NotWhitelisted { .. } => 5300,
            Error::Encoding(_) => 6000,
            Error::Chain { code, .. } => *code,
            Error::Expiring(_) => 1000,
            Error::Service(_) => 1000,
        }
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
