//! What every ACME request shares: POST verification (content type, JWS, nonce, url,
//! account) and the reply with a fresh `Replay-Nonce` and the directory
//! `Link` (RFC 8555 6.5, 7.1).

use super::jws::{self, Jws};
use super::objects::{self, Account, Stored};
use super::problem::Problem;
use super::{now, random_id, Acme, NONCE_LIFETIME};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use jose_jwk::Jwk;
use serde_json::Value;
use std::sync::Arc;

/// A successful answer.
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    /// `Link` values besides the directory's (`up`, `alternate`).
    pub links: Vec<String>,
    /// Polled objects still moving say when to look again.
    pub retry_after: Option<u32>,
    pub body: Body,
}

pub enum Body {
    Json(Value),
    PemChain(String),
    Empty,
}

impl Reply {
    pub fn json(status: StatusCode, body: Value) -> Reply {
        Reply {
            status,
            location: None,
            links: Vec::new(),
            retry_after: None,
            body: Body::Json(body),
        }
    }
}

/// The request as the resources see it.
pub struct Call<'a> {
    pub acme: &'a Arc<Acme>,
    /// `scheme://host/acme` (or `.../acme/<profile>`), the prefix of every
    /// URL this directory hands out.
    pub base: String,
    /// The signing profile of this directory.
    pub profile: String,
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The URL the request was sent to (what the JWS `url` must be).
    pub url: String,
    /// The client's address (for the per-address limits).
    pub peer: Option<std::net::IpAddr>,
}

/// Who must have signed a POST.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SignedBy {
    /// An existing account (`kid`).
    Account,
    /// A key given whole (`jwk`): new-account.
    Key,
    /// Either (revokeCert: the account or the certificate's key).
    Either,
}

/// A verified POST.
pub struct Post {
    pub payload: Vec<u8>,
    pub account: Option<Stored<Account>>,
    /// The key that signed it.
    pub key: Jwk,
    pub jws: Jws,
}

impl Post {
    /// POST-as-GET has an empty payload.
    pub fn is_get(&self) -> bool {
        self.payload.is_empty()
    }

    /// The signing account (SignedBy::Account guarantees one).
    pub fn account(&self) -> Result<&Stored<Account>, Problem> {
        self.account
            .as_ref()
            .ok_or_else(|| Problem::malformed("this request must be signed by an account (kid)"))
    }

    /// The payload as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Problem> {
        serde_json::from_slice(&self.payload)
            .map_err(|e| Problem::malformed(format!("payload: {e}")))
    }
}

impl Call<'_> {
    /// The database row of the certificate `serial` (decimal) under `aki`
    /// (hex): `not_found(what)` when this CA issued no such certificate.
    pub async fn recorded_certificate(
        &self,
        serial: &str,
        aki: &str,
        what: &str,
    ) -> Result<certkit_ops::store::CertificateRecord, Problem> {
        self.database()?
            .certificate(serial, aki)
            .await?
            .ok_or_else(|| Problem::not_found(what))
    }

    /// The certificate database (`-acme` requires one).
    pub fn database(&self) -> Result<&dyn certkit_ops::store::CertStore, Problem> {
        self.acme
            .app
            .db
            .as_deref()
            .ok_or_else(|| Problem::server_internal("no database"))
    }

    /// Verifies a POST: `application/jose+json`, a JWS signed by the
    /// account or key `by` asks for, a nonce issued here and unused, and
    /// the `url` this request went to.
    pub async fn verify(&self, by: SignedBy) -> Result<Post, Problem> {
        if self.method != Method::POST {
            return Err(Problem::method_not_allowed());
        }
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type
            .split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/jose+json"))
        {
            return Err(Problem::unsupported_media_type());
        }
        let jws = Jws::parse(&self.body)?;
        let nonce = jws
            .header
            .nonce
            .as_deref()
            .ok_or_else(|| Problem::bad_nonce("the JWS has no nonce"))?;
        if !self.acme.store().take_nonce(nonce, now()).await? {
            return Err(Problem::bad_nonce("the nonce is unknown, used or expired"));
        }
        if jws.header.url.as_deref() != Some(self.url.as_str()) {
            return Err(Problem::unauthorized(format!(
                "the JWS url is not this request's URL {}",
                self.url
            )));
        }
        let (account, key) = match (&jws.header.kid, &jws.header.jwk) {
            (Some(kid), None) if by != SignedBy::Key => {
                let account = self.account_by_kid(kid).await?;
                let key: Jwk = serde_json::from_value(account.object.key.clone())
                    .map_err(|_| Problem::server_internal("a stored account key is unreadable"))?;
                (Some(account), key)
            }
            (None, Some(jwk)) if by != SignedBy::Account => {
                jws::check_public(jwk)?;
                (None, jwk.clone())
            }
            (Some(_), Some(_)) => {
                return Err(Problem::malformed("the JWS has both jwk and kid"));
            }
            _ if by == SignedBy::Key => {
                return Err(Problem::malformed("this request must carry the key (jwk)"));
            }
            _ => {
                return Err(Problem::malformed(
                    "this request must be signed by an account (kid)",
                ));
            }
        };
        jws.verify(&key)?;
        Ok(Post {
            payload: jws.payload.clone(),
            account,
            key,
            jws,
        })
    }

    async fn account_by_kid(&self, kid: &str) -> Result<Stored<Account>, Problem> {
        // Accounts are shared by the directories of this server: a kid
        // under /acme/acct/ or /acme/<directory>/acct/ names the same one.
        let root = self
            .url
            .find("/acme/")
            .map(|at| &self.url[..at + "/acme/".len()])
            .unwrap_or_default();
        let rest = kid.strip_prefix(root).filter(|_| !root.is_empty());
        let rest = rest.map(|r| match r.split_once('/') {
            Some((dir, tail)) if self.acme.options.directories.iter().any(|d| d == dir) => tail,
            _ => r,
        });
        let id = rest
            .and_then(|r| r.strip_prefix("acct/"))
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .ok_or_else(|| Problem::account_does_not_exist("kid is not an account URL here"))?;
        let account = objects::load::<Account>(self.acme.store(), id)
            .await
            .map_err(|_| Problem::account_does_not_exist("no such account"))?;
        if account.object.status != "valid" {
            return Err(Problem::unauthorized(format!(
                "the account is {}",
                account.object.status
            )));
        }
        Ok(account)
    }
}

/// The response, with a fresh nonce (RFC 8555 6.5: on every response to
/// a POST, errors included, and on new-nonce) and the directory link.
/// A plain GET (directory, renewalInfo) gets none: a nonce is a database
/// row, and unauthenticated GETs must not be able to pile them up.
pub async fn respond(
    acme: &Acme,
    base: &str,
    with_nonce: bool,
    result: Result<Reply, Problem>,
) -> Response {
    let nonce = random_id();
    let nonce_stored = with_nonce
        && match acme.store().put_nonce(&nonce, now() + NONCE_LIFETIME).await {
            Ok(()) => true,
            Err(e) => {
                log::error!("acme: cannot store a nonce: {e}");
                false
            }
        };
    let mut response = match result {
        Ok(reply) => {
            let mut response = match reply.body {
                Body::Json(value) => (reply.status, axum::Json(value)).into_response(),
                Body::PemChain(pem) => (
                    reply.status,
                    [(header::CONTENT_TYPE, "application/pem-certificate-chain")],
                    pem,
                )
                    .into_response(),
                Body::Empty => reply.status.into_response(),
            };
            let headers = response.headers_mut();
            if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                headers.insert(header::LOCATION, location);
            }
            for link in reply.links {
                if let Ok(value) = HeaderValue::from_str(&link) {
                    headers.append(header::LINK, value);
                }
            }
            if let Some(seconds) = reply.retry_after {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Err(problem) => {
            let mut response = (problem.status, axum::Json(problem.to_json())).into_response();
            if let Some(seconds) = problem.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            response
        }
    };
    let headers = response.headers_mut();
    if nonce_stored {
        if let Ok(value) = HeaderValue::from_str(&nonce) {
            headers.insert("replay-nonce", value);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&format!("<{base}/directory>;rel=\"index\"")) {
        headers.append(header::LINK, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
