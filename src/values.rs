//! How flag values are read: Go's boolean flags ([`GoBool`]) and the
//! value sets of flags that choose among the library's enums. clap's
//! `ValueEnum` lives here, not in the core (which has no clap); each
//! converts into the core's type. Doc comments are the help text.

use certkit_core::chain::bundle::Flavor;
use certkit_core::chain::verify::{KeyUse, Purpose};
use certkit_core::k8s::document::Format;
use certkit_core::keys::format::KeyFormat;

/// A boolean flag read as Go's flag package reads one, since cfssl
/// command lines must parse unchanged: `-flag` alone is true, a value
/// must be attached (`-flag=false`, never `-flag false`, where `false`
/// would be the next argument), and absent is false.
///
/// clap's derive calls any method named in `#[arg(...)]` on the `Arg` it
/// builds, after its own defaults, so a field says `#[arg(long, go_bool())]`
/// with this trait in scope. A later `default_value = "true"` in the same
/// attribute overrides the default.
pub trait GoBool {
    fn go_bool(self) -> Self;
}

impl GoBool for clap::Arg {
    fn go_bool(self) -> Self {
        self.num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true")
            .default_value("false")
            .value_parser(clap::builder::BoolishValueParser::new())
    }
}

/// How a private key is structured on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyFormatArg {
    /// RSA keys as PKCS#1 (`RSA PRIVATE KEY`)
    Pkcs1,
    /// ECDSA keys as SEC1 (`EC PRIVATE KEY`)
    Sec1,
    /// Any key as PKCS#8 (`PRIVATE KEY`), what Java and netty want
    Pkcs8,
}

impl From<KeyFormatArg> for KeyFormat {
    fn from(value: KeyFormatArg) -> Self {
        match value {
            KeyFormatArg::Pkcs1 => KeyFormat::Pkcs1,
            KeyFormatArg::Sec1 => KeyFormat::Sec1,
            KeyFormatArg::Pkcs8 => KeyFormat::Pkcs8,
        }
    }
}

/// How to choose among several valid chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FlavorArg {
    /// Most trusted across platforms (needs metadata; else as optimal).
    Ubiquitous,
    /// Shortest, then newest, then strongest.
    Optimal,
    /// The given chain as is, if each certificate is signed by the next.
    Force,
}

impl From<FlavorArg> for Flavor {
    fn from(value: FlavorArg) -> Self {
        match value {
            FlavorArg::Ubiquitous => Flavor::Ubiquitous,
            FlavorArg::Optimal => Flavor::Optimal,
            FlavorArg::Force => Flavor::Force,
        }
    }
}

/// What the leaf must be good for (its extended key usage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PurposeArg {
    /// TLS server (serverAuth EKU, when the leaf has an EKU extension)
    Server,
    /// TLS client (clientAuth)
    Client,
    /// Code signing (codeSigning)
    CodeSigning,
    /// S/MIME (emailProtection)
    EmailProtection,
    /// OCSP responder (OCSPSigning)
    OcspSigning,
    /// Time stamping (timeStamping)
    TimeStamping,
    /// No extended key usage check
    Any,
}

impl From<PurposeArg> for Purpose {
    fn from(value: PurposeArg) -> Self {
        match value {
            PurposeArg::Server => Purpose::Server,
            PurposeArg::Client => Purpose::Client,
            PurposeArg::CodeSigning => Purpose::CodeSigning,
            PurposeArg::EmailProtection => Purpose::EmailProtection,
            PurposeArg::OcspSigning => Purpose::OcspSigning,
            PurposeArg::TimeStamping => Purpose::TimeStamping,
            PurposeArg::Any => Purpose::Any,
        }
    }
}

/// A key usage bit the leaf must allow (when it has a KeyUsage extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyUseArg {
    DigitalSignature,
    /// also called nonRepudiation
    ContentCommitment,
    KeyEncipherment,
    DataEncipherment,
    KeyAgreement,
    KeyCertSign,
    CrlSign,
    EncipherOnly,
    DecipherOnly,
}

impl From<KeyUseArg> for KeyUse {
    fn from(value: KeyUseArg) -> Self {
        match value {
            KeyUseArg::DigitalSignature => KeyUse::DigitalSignature,
            KeyUseArg::ContentCommitment => KeyUse::ContentCommitment,
            KeyUseArg::KeyEncipherment => KeyUse::KeyEncipherment,
            KeyUseArg::DataEncipherment => KeyUse::DataEncipherment,
            KeyUseArg::KeyAgreement => KeyUse::KeyAgreement,
            KeyUseArg::KeyCertSign => KeyUse::KeyCertSign,
            KeyUseArg::CrlSign => KeyUse::CrlSign,
            KeyUseArg::EncipherOnly => KeyUse::EncipherOnly,
            KeyUseArg::DecipherOnly => KeyUse::DecipherOnly,
        }
    }
}

/// JSON (as `kubectl get -o json`) or YAML (as `-o yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Json,
    Yaml,
}

impl From<FormatArg> for Format {
    fn from(value: FormatArg) -> Self {
        match value {
            FormatArg::Json => Format::Json,
            FormatArg::Yaml => Format::Yaml,
        }
    }
}
