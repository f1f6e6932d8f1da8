//! `GET /`: the page an administrator looks at. What the database holds
//! (searchable, one page at a time), what expires in the coming days (a
//! chart drawn here as inline SVG), what is revoked and why, and the CA
//! certificates. Read-only, HTML from the binary (maud escapes every
//! value; no script, font or style from elsewhere, and a CSP that says
//! so), authenticated as the API is: the connection's mutual TLS and, with
//! `-admin-cn`, an administrator's client certificate.
//!
//! - `query`: the page's query parameters, bounded
//! - `chart`: the expiry timeline
//! - `markup`: the HTML

mod chart;
mod markup;
mod query;

use super::envelope::plain;
use super::state::AppState;
use crate::listen::Peer;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use certkit_ops::store::{CertSearch, CertificateRecord, StoreError};
use query::PageQuery;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Rows in the certificates table per page.
const PAGE_SIZE: u32 = 50;
/// Revoked certificates listed.
const REVOKED_SHOWN: u32 = 50;
/// Certificates the chart counts at most (its caption says when it hit this).
const CHART_ROWS: u32 = 500;
/// How long the page's queries may take together.
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Nothing but this page's own inline style and SVG.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the page shows from the database.
pub(crate) struct Recorded {
    pub rows: Vec<CertificateRecord>,
    /// Another page follows.
    pub more: bool,
    pub expiring: Vec<CertificateRecord>,
    pub revoked: Vec<CertificateRecord>,
}

/// The `GET /` handler.
pub async fn page(state: Arc<AppState>, request: Request) -> Response {
    if request.method() != axum::http::Method::GET && request.method() != axum::http::Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "GET only\n");
    }
    let cn = request
        .extensions()
        .get::<Peer>()
        .and_then(|p| p.cn.as_deref());
    // The page lists what the CA issued: with -admin-cn, only for an
    // administrator, whichever endpoints -admin-endpoints guards.
    if let Some(admin) = &state.admin {
        if !cn.is_some_and(|cn| admin.cn.is_match(cn)) {
            return plain(
                StatusCode::FORBIDDEN,
                "this page needs an administrator's client certificate\n",
            );
        }
    }
    let query = match PageQuery::parse(request.uri().query().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return plain(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let now = OffsetDateTime::now_utc();
    let recorded = match &state.db {
        Some(db) => {
            let read = recorded(db.as_ref(), &query, now);
            match tokio::time::timeout(QUERY_TIMEOUT, read).await {
                Ok(Ok(r)) => Some(r),
                Ok(Err(e)) => {
                    log::error!("web page: reading the database: {e}");
                    return plain(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the certificate database could not be read\n",
                    );
                }
                Err(_) => {
                    return plain(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the certificate database did not answer in time\n",
                    )
                }
            }
        }
        None => None,
    };
    let html = markup::page(&state, &query, recorded.as_ref(), now);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        html.into_string(),
    )
        .into_response()
}

async fn recorded(
    db: &dyn certkit_ops::store::CertStore,
    query: &PageQuery,
    now: OffsetDateTime,
) -> Result<Recorded, StoreError> {
    // One more row than shown tells whether a next page exists.
    let mut search = query.search();
    search.limit = PAGE_SIZE + 1;
    search.offset = query.page.saturating_mul(PAGE_SIZE);
    let mut rows = db.search(&search).await?;
    let more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    let expiring = db
        .search(&CertSearch {
            unexpired_only: true,
            expires_before: Some(now + time::Duration::days(i64::from(query.days))),
            limit: CHART_ROWS,
            ..CertSearch::default()
        })
        .await?
        .into_iter()
        .filter(|r| !r.is_revoked())
        .collect();
    let revoked = db
        .search(&CertSearch {
            revoked_only: true,
            unexpired_only: true,
            limit: REVOKED_SHOWN,
            ..CertSearch::default()
        })
        .await?;
    Ok(Recorded {
        rows,
        more,
        expiring,
        revoked,
    })
}
