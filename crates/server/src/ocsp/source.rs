//! Where responses and statuses come from: cfssl's responses file (base64
//! DER responses separated by whitespace, keyed by serial as cfssl keys
//! them) or the certificate database.

use crate::certdb::CertDb;
use crate::revocation::{db_error, find_certificate, record_status};
use certkit_core::error::{Error, Result};
use certkit_core::revocation::ocsp::{read_response, Query, ResponseSummary, Status};
use certkit_core::revocation::serial::decimal_serial;
use std::collections::HashMap;
use std::time::SystemTime;

/// A response ready to send, with what its caching headers need.
#[derive(Debug, Clone)]
pub struct Stored {
    pub der: Vec<u8>,
    pub summary: ResponseSummary,
}

/// Where `ocspserve` is told to answer from.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    /// `-responses FILE`
    Responses(String),
    /// `-db-config FILE`
    Db(String),
}

/// The responses the responder answers from.
pub enum Source {
    File(HashMap<Vec<u8>, Stored>),
    Db(CertDb),
}

impl Source {
    /// Reads a responses file (a path, `-`, `env:VAR`, `file:PATH`).
    pub fn from_file(path: &str) -> Result<Source> {
        let text = certkit_core::input::read_input(path)?;
        Self::from_file_contents(&text, certkit_core::input::display_name(path))
    }

    /// Reads a responses file's contents. Entries that do not decode are skipped
    /// with a warning naming them, as cfssl skips them.
    pub fn from_file_contents(text: &[u8], name: &str) -> Result<Source> {
        use base64::Engine as _;
        let text = std::str::from_utf8(text).map_err(|_| Error::decode(name, "not base64 text"))?;
        let mut map = HashMap::new();
        for (n, b64) in text.split_ascii_whitespace().enumerate() {
            let der = match base64::engine::general_purpose::STANDARD.decode(b64) {
                Ok(der) => der,
                Err(e) => {
                    log::warn!("{name}: response {}: base64: {e}", n + 1);
                    continue;
                }
            };
            match read_response(&der) {
                Ok(summary) => {
                    map.insert(summary.serial.clone(), Stored { der, summary });
                }
                Err(e) => log::warn!("{name}: response {}: {e}", n + 1),
            }
        }
        log::info!("Read {} OCSP responses", map.len());
        Ok(Source::File(map))
    }

    /// Opens what a spec names.
    pub async fn open(spec: &SourceSpec) -> Result<Source> {
        match spec {
            SourceSpec::Responses(path) => Source::from_file(path),
            SourceSpec::Db(path) => Ok(Source::Db(crate::revocation::open(Some(path)).await?)),
        }
    }

    /// The stored response for a request, if any. `aki` is the CA's key
    /// identifier the database files it under (the file ignores it).
    pub async fn stored(&self, q: &Query, aki: Option<&[u8]>) -> Result<Option<Stored>> {
        match self {
            Source::File(map) => Ok(map.get(&q.serial).cloned()),
            Source::Db(db) => {
                let Some(aki) = aki else { return Ok(None) };
                let serial = decimal_serial(&q.serial);
                let mut row = db.ocsp(&serial, &hex(aki)).await.map_err(db_error)?;
                if row.is_none() {
                    // Rows of certificates cfssl 1.2.0 recorded without an AKI.
                    row = db.ocsp(&serial, "").await.map_err(db_error)?;
                }
                match row {
                    Some(row) => {
                        let summary = read_response(&row.body)?;
                        Ok(Some(Stored {
                            der: row.body,
                            summary,
                        }))
                    }
                    None => Ok(None),
                }
            }
        }
    }

    /// What the source knows about a certificate's status, for a live
    /// answer; `None` when it holds nothing about it.
    pub async fn status(&self, q: &Query, aki: &[u8]) -> Result<Option<Status>> {
        match self {
            Source::File(_) => Ok(self.stored(q, None).await?.map(|s| s.summary.status)),
            Source::Db(db) => Ok(find_certificate(db, &decimal_serial(&q.serial), &hex(aki))
                .await?
                .map(|r| record_status(&r))),
        }
    }
}

/// Whether a stored response is still worth serving.
pub fn current(stored: &Stored, now: SystemTime) -> bool {
    stored.summary.next_update.is_none_or(|n| n > now)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
