//! The page's HTML (maud: every value is escaped by the template).

use super::chart;
use super::query::{PageQuery, Status};
use super::{Recorded, CHART_ROWS, PAGE_SIZE};
use crate::serve::state::AppState;
use certkit_core::chain::certs::Cert;
use certkit_core::revocation::reason::Reason;
use certkit_ops::store::CertificateRecord;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use time::OffsetDateTime;

/// The page's own style, inline (the CSP allows nothing from elsewhere).
const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:8px 24px 32px}section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 16px;margin:16px 0}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.serial{font-family:monospace;word-break:break-all}
.revoked{color:#b3261e;font-weight:600}.good{color:#1e7a35}.soon{color:#a15c00;font-weight:600}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:8px}
label{display:flex;flex-direction:column;font-size:12px;color:#555}
input,select,button{font:inherit;padding:3px 6px}
.bar{fill:#3b6fd8}.axis{stroke:#888}.tick{font-size:10px;fill:#555}
nav a{margin-right:12px}.muted{color:#777}
";

fn date(t: OffsetDateTime) -> String {
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn days_left(expiry: OffsetDateTime, now: OffsetDateTime) -> i64 {
    (expiry - now).whole_days()
}

/// The DNS names of a record's `sans` JSON, comma-separated.
fn sans(r: &CertificateRecord) -> String {
    r.sans
        .as_deref()
        .and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
        .unwrap_or_default()
        .join(", ")
}

/// The profile `serve` recorded in the metadata (`{"profile": …}`),
/// else the metadata as cfssl recorded it, unless that is `null`.
fn profile(r: &CertificateRecord) -> String {
    let text = r.metadata.as_deref().unwrap_or("").trim();
    if matches!(text, "" | "null") {
        return String::new();
    }
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("profile")?.as_str().map(String::from))
        .unwrap_or_else(|| text.to_string())
}

fn reason(code: i32) -> String {
    u8::try_from(code)
        .ok()
        .and_then(Reason::from_code)
        .map_or_else(|| format!("reason {code}"), |r| r.name().to_string())
}

pub fn page(
    state: &AppState,
    query: &PageQuery,
    recorded: Option<&Recorded>,
    now: OffsetDateTime,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "certkit: certificates" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { h1 { "certkit CA" } }
                main {
                    (cas(state, now))
                    @match recorded {
                        Some(r) => {
                            (expiring(r, query, now))
                            (revoked(r))
                            (certificates(r, query, now))
                        }
                        None => section {
                            p.muted { "No certificate database: start serve with -db-config to list what it issues." }
                        }
                    }
                }
            }
        }
    }
}

fn cas(state: &AppState, now: OffsetDateTime) -> Markup {
    let certs: Vec<(String, Cert)> = state
        .signers
        .values()
        .filter_map(|s| {
            let der = pem::parse(&s.ca_pem).ok()?;
            Some((s.label.clone(), Cert::from_der(der.contents()).ok()?))
        })
        .collect();
    html! {
        section id="cas" {
            h2 { "CA certificates" }
            @if certs.is_empty() {
                p.muted { "This server signs with no local CA certificate." }
            } @else {
                table {
                    thead { tr { th { "Label" } th { "Subject" } th { "Serial" } th { "Not after" } th { "Days left" } } }
                    tbody {
                        @for (label, cert) in &certs {
                            @let after = OffsetDateTime::from(cert.not_after());
                            @let left = days_left(after, now);
                            tr.ca {
                                td { @if label.is_empty() { span.muted { "(default)" } } @else { (label) } }
                                td { (cert.common_name().unwrap_or_default()) }
                                td.serial { (cert.serial_decimal()) }
                                td { (date(after)) }
                                td class=(if left < 30 { "soon" } else { "" }) { (left) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn expiring(r: &Recorded, query: &PageQuery, now: OffsetDateTime) -> Markup {
    let counts = chart::per_day(&r.expiring, now, query.days);
    html! {
        section id="expiring" {
            h2 { "Expiring in the next " (query.days) " days: " (r.expiring.len())
                 @if r.expiring.len() >= CHART_ROWS as usize { " (the first " (CHART_ROWS) ")" } }
            (chart::timeline(&counts, now))
            @if !r.expiring.is_empty() {
                table {
                    thead { tr { th { "Expires" } th { "Common name" } th { "Serial" } th { "Days left" } } }
                    tbody {
                        @for c in r.expiring.iter().take(10) {
                            tr.expiring {
                                td { (date(c.expiry)) }
                                td { (c.common_name.as_deref().unwrap_or("")) }
                                td.serial { (c.serial) }
                                td.soon { (days_left(c.expiry, now)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn revoked(r: &Recorded) -> Markup {
    html! {
        section id="revoked" {
            h2 { "Revoked (not yet expired): " (r.revoked.len()) }
            @if r.revoked.is_empty() {
                p.muted { "Nothing revoked." }
            } @else {
                table {
                    thead { tr { th { "Revoked at" } th { "Reason" } th { "Common name" } th { "Serial" } th { "Label" } } }
                    tbody {
                        @for c in &r.revoked {
                            tr.revoked-row {
                                td { (c.revoked_at.map(date).unwrap_or_default()) }
                                td.revoked { (reason(c.reason)) }
                                td { (c.common_name.as_deref().unwrap_or("")) }
                                td.serial { (c.serial) }
                                td { (c.ca_label) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn certificates(r: &Recorded, query: &PageQuery, now: OffsetDateTime) -> Markup {
    html! {
        section id="certificates" {
            h2 { "Issued certificates" }
            form method="get" action="/" {
                label { "Name" input type="search" name="name" value=(query.name) maxlength="128"; }
                label { "Serial" input type="search" name="serial" value=(query.serial) maxlength="128"; }
                label { "Profile" input type="search" name="profile" value=(query.profile) maxlength="128"; }
                label { "Label" input type="search" name="label" value=(query.label) maxlength="128"; }
                label { "Status"
                    select name="status" {
                        option value="all" selected[query.status == Status::All] { "all" }
                        option value="revoked" selected[query.status == Status::Revoked] { "revoked" }
                    }
                }
                button type="submit" { "Search" }
            }
            @if r.rows.is_empty() {
                p #no-results .muted { "No certificate matches." }
            } @else {
                table #results {
                    thead { tr {
                        th { "Serial" } th { "Common name" } th { "DNS names" } th { "Label" }
                        th { "Profile" } th { "Status" } th { "Not before" } th { "Expires" }
                    } }
                    tbody {
                        @for c in &r.rows {
                            tr.cert data-serial=(c.serial) {
                                td.serial { (c.serial) }
                                td { (c.common_name.as_deref().unwrap_or("")) }
                                td { (sans(c)) }
                                td { (c.ca_label) }
                                td.profile { (profile(c)) }
                                @if c.is_revoked() {
                                    td.revoked { "revoked (" (reason(c.reason)) ")" }
                                } @else if c.expiry <= now {
                                    td.muted { "expired" }
                                } @else {
                                    td.good { "good" }
                                }
                                td { (c.not_before.map(date).unwrap_or_default()) }
                                td { (date(c.expiry)) }
                            }
                        }
                    }
                }
            }
            nav {
                @if query.page > 0 { a href=(query.href(query.page - 1)) { "« previous" } }
                span.muted { "page " (query.page + 1) ", " (PAGE_SIZE) " per page" }
                @if r.more { " " a href=(query.href(query.page + 1)) { "next »" } }
            }
        }
    }
}
