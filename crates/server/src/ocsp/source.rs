//! Where responses and statuses come from: cfssl's responses file (base64
//! DER responses separated by whitespace, keyed by serial as cfssl keys
//! them) or the certificate database.

use certkit_core::error::{Error, Result};
use certkit_core::revocation::ocsp::{read_response, Query, Responder, ResponseSummary, Status};
use certkit_core::revocation::serial::decimal_serial;
use certkit_ops::revocation::db::{db_error, find_certificate, open, record_status};
use certkit_ops::store::{CertStore, DbFile};
use std::collections::HashMap;
use std::time::SystemTime;

/// The longest line of a responses file: a response with its responder
/// certificate is a few KiB of base64.
pub const MAX_LINE: usize = 256 << 10;

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
    Db(DbFile),
}

/// The responses the responder answers from.
pub enum Source {
    /// By serial; several CAs' responses may share one.
    File(HashMap<Vec<u8>, Vec<Stored>>),
    Db(Box<dyn CertStore>),
}

impl Source {
    /// Reads a responses file (a path, `-`, `env:VAR`, `file:PATH`). A
    /// real CA's file holds a response per certificate, so it is read line
    /// by line with no overall cap (each line is bounded).
    pub fn from_file(path: &str) -> Result<Source> {
        use certkit_core::input::{display_name, read_input, Source as Input};
        let name = display_name(path);
        match Input::parse(path) {
            Input::Stdin => Self::from_lines(std::io::stdin().lock(), name),
            Input::Env(_) => Self::from_lines(&read_input(path)?[..], name),
            Input::File(file) => {
                let f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
                Self::from_lines(std::io::BufReader::new(f), name)
            }
        }
    }

    /// Reads responses file contents: base64 DER responses separated by
    /// whitespace (one a line as ocspdump writes them). A line that is too
    /// long, or an entry that is not a base64 OCSP response, is an error
    /// naming the file and line, where cfssl logs it and serves the rest.
    pub fn from_lines(mut reader: impl std::io::BufRead, name: &str) -> Result<Source> {
        use base64::Engine as _;
        use std::io::{BufRead as _, Read as _};
        let mut map = HashMap::new();
        let mut line = Vec::new();
        for number in 1.. {
            line.clear();
            let read = reader
                .by_ref()
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut line)
                .map_err(|e| Error::io(name, e))?;
            if read == 0 {
                break;
            }
            let at = |msg: String| Error::decode(format!("{name}:{number}"), msg);
            if line.len() > MAX_LINE {
                return Err(at(format!(
                    "line longer than {MAX_LINE} bytes (one base64 OCSP response a line)"
                )));
            }
            let text = std::str::from_utf8(&line).map_err(|_| at("not base64 text".into()))?;
            for b64 in text.split_ascii_whitespace() {
                let der = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|e| at(format!("base64: {e}")))?;
                let summary = read_response(&der).map_err(|e| at(e.to_string()))?;
                map.entry(summary.serial.clone())
                    .or_insert_with(Vec::new)
                    .push(Stored { der, summary });
            }
        }
        log::info!(
            "Read {} OCSP responses",
            map.values().map(Vec::len).sum::<usize>()
        );
        Ok(Source::File(map))
    }

    /// Opens what a spec names.
    pub async fn open(spec: &SourceSpec) -> Result<Source> {
        match spec {
            SourceSpec::Responses(path) => Source::from_file(path),
            SourceSpec::Db(file) => Ok(Source::Db(open(Some(file)).await?)),
        }
    }

    /// The stored response for a request's serial and issuer, if any.
    /// `aki` is the CA's key identifier the database files it under (the
    /// file ignores it); `signer`, answering for the request's CA, lets a
    /// response with the other CertID hash count as the same issuer.
    pub async fn stored(
        &self,
        q: &Query,
        aki: Option<&[u8]>,
        signer: Option<&Responder>,
    ) -> Result<Option<Stored>> {
        let found = self.stored_by_serial(q, aki).await?;
        Ok(found.into_iter().find(|s| same_issuer(s, q, signer)))
    }

    /// The stored responses for a request's serial (and, in the database,
    /// `aki`), whatever issuer they name.
    async fn stored_by_serial(&self, q: &Query, aki: Option<&[u8]>) -> Result<Vec<Stored>> {
        match self {
            Source::File(map) => Ok(map.get(&q.serial).cloned().unwrap_or_default()),
            Source::Db(db) => {
                let Some(aki) = aki else {
                    return Ok(Vec::new());
                };
                let serial = decimal_serial(&q.serial);
                let mut row = db.ocsp(&serial, &hex(aki)).await.map_err(db_error)?;
                if row.is_none() {
                    // Rows of certificates cfssl 1.2.0 recorded without an AKI.
                    row = db.ocsp(&serial, "").await.map_err(db_error)?;
                }
                match row {
                    Some(row) => {
                        let summary = read_response(&row.body)?;
                        Ok(vec![Stored {
                            der: row.body,
                            summary,
                        }])
                    }
                    None => Ok(Vec::new()),
                }
            }
        }
    }

    /// What the source knows about a certificate's status now, for a
    /// live answer by `signer` (which answers for the request's CA);
    /// `None` when it holds nothing about it. The database's answer is
    /// the certificate's row, never a stored response, which may predate
    /// a revocation; a responses file has only its responses (for this
    /// serial and issuer).
    pub async fn status(&self, q: &Query, signer: &Responder) -> Result<Option<Status>> {
        match self {
            Source::File(_) => Ok(self
                .stored(q, None, Some(signer))
                .await?
                .map(|s| s.summary.status)),
            Source::Db(db) => Ok(find_certificate(
                &**db,
                &decimal_serial(&q.serial),
                &hex(signer.issuer_key_id()),
            )
            .await?
            .map(|r| record_status(&r))),
        }
    }
}

/// Whether a stored response is about the request's issuer: the same
/// CertID hashes, or (the hash algorithms differing) both the CA of a
/// signer that answers for the request.
fn same_issuer(stored: &Stored, q: &Query, signer: Option<&Responder>) -> bool {
    let s = &stored.summary;
    (s.hash == q.hash && s.issuer == q.issuer)
        || signer.is_some_and(|r| r.answers_for(q) && r.is_issuer(s.hash, &s.issuer))
}

/// Whether a stored response is still worth serving.
pub fn current(stored: &Stored, now: SystemTime) -> bool {
    stored.summary.next_update.is_none_or(|n| n > now)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &[u8]) -> String {
        match Source::from_lines(text, "responses.txt") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted {text:?}"),
        }
    }

    #[test]
    fn a_bad_line_is_named_by_file_and_line() {
        assert!(matches!(
            Source::from_lines(&b"\n  \n"[..], "r"),
            Ok(Source::File(m)) if m.is_empty()
        ));
        let e = error(b"\n\nnot*base64\n");
        assert!(e.contains("responses.txt:3") && e.contains("base64"), "{e}");
        let e = error(b"\nAAAA\n");
        assert!(e.contains("responses.txt:2"), "{e}");
        let long = vec![b'A'; MAX_LINE + 1];
        let e = error(&long);
        assert!(e.contains("responses.txt:1") && e.contains("longer"), "{e}");
    }
}
