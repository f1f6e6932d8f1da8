//! The rows of cfssl's certdb: `certificates` and `ocsp_responses`, with
//! the values cfssl's local signer writes (decimal serial, lowercase hex
//! AKI without colons, status "good", DNS SANs and metadata as JSON).

use super::error::StoreError;
use certkit_core::chain::certs::Cert;
use time::OffsetDateTime;

/// One row of `certificates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// Decimal, as Go's `big.Int.String()`.
    pub serial: String,
    /// Lowercase hex without colons, as Go's `hex.EncodeToString`.
    pub aki: String,
    pub ca_label: String,
    /// "good" or "revoked".
    pub status: String,
    /// RFC 5280 reason code (0 when not revoked).
    pub reason: i32,
    pub expiry: OffsetDateTime,
    /// None for a certificate never revoked (stored as Go's zero time,
    /// which cfssl's readers need: they scan into a non-nullable time).
    pub revoked_at: Option<OffsetDateTime>,
    pub pem: String,
    pub issued_at: Option<OffsetDateTime>,
    pub not_before: Option<OffsetDateTime>,
    /// JSON text, as cfssl writes it (`null` when the request had none).
    pub metadata: Option<String>,
    /// JSON array of the DNS SANs (cfssl records only those).
    pub sans: Option<String>,
    pub common_name: Option<String>,
}

/// One row of `ocsp_responses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspRecord {
    pub serial: String,
    pub aki: String,
    /// The DER OCSP response, raw bytes as cfssl stores it (1.2.0 as a
    /// blob, later versions as a string of the same bytes).
    pub body: Vec<u8>,
    pub expiry: OffsetDateTime,
}

impl CertificateRecord {
    /// The record cfssl's signer writes for a freshly issued certificate.
    pub fn issued(
        cert_der: &[u8],
        ca_label: &str,
        now: OffsetDateTime,
    ) -> Result<Self, StoreError> {
        let cert = Cert::from_der(cert_der).map_err(|e| StoreError::Record(e.to_string()))?;
        let sans = serde_json::to_string(&cert.dns_names())
            .map_err(|e| StoreError::Record(e.to_string()))?;
        Ok(CertificateRecord {
            serial: cert.serial_decimal(),
            aki: hex::encode(cert.authority_key_id()),
            ca_label: ca_label.to_string(),
            status: "good".into(),
            reason: 0,
            expiry: OffsetDateTime::from(cert.not_after()),
            revoked_at: None,
            pem: cert.pem(),
            issued_at: Some(now),
            not_before: Some(OffsetDateTime::from(cert.not_before())),
            metadata: Some("null".into()),
            sans: Some(sans),
            common_name: Some(cert.common_name().unwrap_or_default()),
        })
    }

    pub fn is_revoked(&self) -> bool {
        self.status == "revoked"
    }
}
