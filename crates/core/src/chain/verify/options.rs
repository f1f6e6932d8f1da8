//! What a verification asks of the leaf: its names, its purpose (an
//! extended key usage), its key usages, the depth of the chain, the time.

use crate::error::{Result, UsageError};
use const_oid::db::rfc5912 as oids;
use spki::ObjectIdentifier;
use std::net::IpAddr;
use std::time::SystemTime;
use x509_cert::ext::pkix::KeyUsages;

/// What the leaf must be good for: one extended key usage, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// TLS server (serverAuth)
    Server,
    /// TLS client (clientAuth)
    Client,
    /// Code signing (codeSigning)
    CodeSigning,
    /// S/MIME (emailProtection)
    EmailProtection,
    /// OCSP responses (OCSPSigning)
    OcspSigning,
    /// Time stamping (timeStamping)
    TimeStamping,
    /// No extended key usage check
    Any,
}

impl Purpose {
    /// The EKU the leaf must list (when it has an EKU extension); None for `Any`.
    pub fn oid(self) -> Option<ObjectIdentifier> {
        match self {
            Purpose::Server => Some(oids::ID_KP_SERVER_AUTH),
            Purpose::Client => Some(oids::ID_KP_CLIENT_AUTH),
            Purpose::CodeSigning => Some(oids::ID_KP_CODE_SIGNING),
            Purpose::EmailProtection => Some(oids::ID_KP_EMAIL_PROTECTION),
            Purpose::OcspSigning => Some(oids::ID_KP_OCSP_SIGNING),
            Purpose::TimeStamping => Some(oids::ID_KP_TIME_STAMPING),
            Purpose::Any => None,
        }
    }
}

/// A key usage bit the leaf must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    DigitalSignature,
    ContentCommitment,
    KeyEncipherment,
    DataEncipherment,
    KeyAgreement,
    KeyCertSign,
    CrlSign,
    EncipherOnly,
    DecipherOnly,
}

impl KeyUse {
    pub fn bit(self) -> KeyUsages {
        match self {
            KeyUse::DigitalSignature => KeyUsages::DigitalSignature,
            KeyUse::ContentCommitment => KeyUsages::NonRepudiation,
            KeyUse::KeyEncipherment => KeyUsages::KeyEncipherment,
            KeyUse::DataEncipherment => KeyUsages::DataEncipherment,
            KeyUse::KeyAgreement => KeyUsages::KeyAgreement,
            KeyUse::KeyCertSign => KeyUsages::KeyCertSign,
            KeyUse::CrlSign => KeyUsages::CRLSign,
            KeyUse::EncipherOnly => KeyUsages::EncipherOnly,
            KeyUse::DecipherOnly => KeyUsages::DecipherOnly,
        }
    }
}

/// A name the leaf must be valid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerName {
    Dns(String),
    Ip(IpAddr),
    Email(String),
}

impl PeerName {
    /// A DNS name or, when it parses as one, an IP address (`-hostname`).
    pub fn host(text: &str) -> Result<PeerName> {
        if let Ok(ip) = text.parse::<IpAddr>() {
            return Ok(PeerName::Ip(ip));
        }
        rustls_pki_types::DnsName::try_from(text).map_err(|_| {
            UsageError::bad_value(
                "hostname",
                format!("{text:?} is not a DNS name or IP address"),
            )
        })?;
        Ok(PeerName::Dns(text.to_string()))
    }

    /// An IP address (`-ip`).
    pub fn ip(text: &str) -> Result<PeerName> {
        text.parse()
            .map(PeerName::Ip)
            .map_err(|_| UsageError::bad_value("ip", format!("{text:?} is not an IP address")))
    }

    /// An email address (`-email`): a local part, `@`, a domain.
    pub fn email(text: &str) -> Result<PeerName> {
        match text.rsplit_once('@') {
            Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
                Ok(PeerName::Email(text.to_string()))
            }
            _ => Err(UsageError::bad_value(
                "email",
                format!("{text:?} is not an email address"),
            )),
        }
    }
}

/// The names of `-hostname`, `-ip` and `-email` flags, in that order.
pub fn peer_names(hosts: &[String], ips: &[String], emails: &[String]) -> Result<Vec<PeerName>> {
    let hosts = hosts.iter().map(|h| PeerName::host(h));
    let ips = ips.iter().map(|i| PeerName::ip(i));
    let emails = emails.iter().map(|e| PeerName::email(e));
    hosts.chain(ips).chain(emails).collect()
}

impl std::fmt::Display for PeerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeerName::Dns(n) | PeerName::Email(n) => f.write_str(n),
            PeerName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// Everything a verification checks besides the certificates.
#[derive(Debug, Clone)]
pub struct Options {
    /// Names the leaf must be valid for (all of them).
    pub names: Vec<PeerName>,
    pub purpose: Purpose,
    /// Key usages the leaf must allow (when it has a KeyUsage extension).
    pub key_usage: Vec<KeyUse>,
    /// Most intermediates allowed, self-issued ones not counted.
    pub max_depth: Option<usize>,
    pub at: SystemTime,
    /// Legacy cryptography (`-allow-sha1` of bundle and mkbundle): admit
    /// SHA-1 signatures and the weak keys refused otherwise (RSA below
    /// 2048 bits or not whole bytes, DSA, curves other than
    /// P-256/P-384/P-521). MD5 and MD2 stay refused.
    pub allow_sha1: bool,
}

impl Options {
    /// A TLS server check at `at` with no name.
    pub fn server(at: SystemTime) -> Options {
        Options {
            names: Vec::new(),
            purpose: Purpose::Server,
            key_usage: Vec::new(),
            max_depth: None,
            at,
            allow_sha1: false,
        }
    }
}
