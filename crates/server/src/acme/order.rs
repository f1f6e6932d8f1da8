//! Orders (RFC 8555 7.4): new-order, reading an order (its status follows
//! its authorizations), finalize through the same issuance path as
//! `sign`, and the certificate download as a PEM chain.

use super::objects::{self, Authorization, CertRef, Challenge, Identifier, Order, Stored};
use super::problem::Problem;
use super::request::{Body, Call, Reply, SignedBy};
use super::{limits, now, random_id, rfc3339, ORDER_LIFETIME};
use crate::serve::api::sign;
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use certkit_ops::sign::CsrRequest;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Identifiers one order may hold.
const MAX_IDENTIFIERS: usize = 100;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewOrder {
    identifiers: Vec<Identifier>,
    not_before: Option<String>,
    not_after: Option<String>,
}

/// What a client sees of an order.
fn view(call: &Call<'_>, id: &str, order: &Order) -> Value {
    let mut doc = json!({
        "status": order.status,
        "expires": rfc3339(order.expires),
        "identifiers": order.identifiers,
        "authorizations": order
            .authorizations
            .iter()
            .map(|a| format!("{}/authz/{a}", call.base))
            .collect::<Vec<_>>(),
        "finalize": format!("{}/order/{id}/finalize", call.base),
    });
    if let Some(not_after) = order.not_after {
        doc["notAfter"] = json!(rfc3339(not_after));
    }
    if order.certificate.is_some() {
        doc["certificate"] = json!(format!("{}/cert/{id}", call.base));
    }
    if let Some(error) = &order.error {
        doc["error"] = error.clone();
    }
    doc
}

fn reply(call: &Call<'_>, status: StatusCode, order: &Stored<Order>) -> Reply {
    Reply {
        location: Some(format!("{}/order/{}", call.base, order.id)),
        retry_after: matches!(order.object.status.as_str(), "pending" | "processing").then_some(1),
        ..Reply::json(status, view(call, &order.id, &order.object))
    }
}

/// A DNS name or IP address (RFC 8738) this server can validate.
fn check_identifier(id: &Identifier, dns01: bool) -> Result<Identifier, Problem> {
    match id.kind.as_str() {
        "dns" => {
            let name = id.value.to_ascii_lowercase();
            let name = name.strip_suffix('.').unwrap_or(&name).to_string();
            if let Some(base) = name.strip_prefix("*.") {
                if !dns01 {
                    return Err(Problem::rejected_identifier(format!(
                        "{name}: wildcards need dns-01, which this server does not offer"
                    )));
                }
                check_identifier(
                    &Identifier {
                        kind: "dns".into(),
                        value: base.into(),
                    },
                    false,
                )?;
                return Ok(Identifier {
                    kind: "dns".into(),
                    value: name,
                });
            }
            let valid_label = |l: &str| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            };
            if name.len() > 253
                || !name.split('.').all(valid_label)
                || name.parse::<IpAddr>().is_ok()
            {
                return Err(Problem::rejected_identifier(format!(
                    "{:?} is not a DNS name",
                    id.value
                )));
            }
            Ok(Identifier {
                kind: "dns".into(),
                value: name,
            })
        }
        "ip" => {
            let ip: IpAddr = id
                .value
                .parse()
                .map_err(|_| Problem::malformed(format!("{:?} is not an IP address", id.value)))?;
            Ok(Identifier {
                kind: "ip".into(),
                value: ip.to_string(),
            })
        }
        other => Err(Problem::unsupported_identifier(format!(
            "identifier type {other:?} (supported: dns, ip)"
        ))),
    }
}

pub async fn new_order(call: &Call<'_>) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let account = post.account()?;
    let request: NewOrder = post.json()?;
    // The client's address is counted as well as the account, so fresh
    // accounts from one address do not each get the whole limit.
    let per_hour = call.acme.options.orders_per_hour;
    let by_address = call
        .peer
        .map(|ip| (format!("orders ip {ip}"), "new orders from this address"));
    let by_account = (
        format!("orders account {}", account.id),
        "new orders by this account",
    );
    for (key, what) in by_address.into_iter().chain([by_account]) {
        let limit = limits::Limit {
            key: &key,
            per_hour,
            what,
        };
        limit.take(call.acme.store(), now()).await?;
    }
    if request.not_before.is_some() {
        return Err(Problem::malformed(
            "notBefore is not supported: certificates start when they are issued",
        ));
    }
    let not_after = match &request.not_after {
        Some(text) => Some(requested_not_after(call, text)?),
        None => None,
    };
    if request.identifiers.is_empty() || request.identifiers.len() > MAX_IDENTIFIERS {
        return Err(Problem::malformed(format!(
            "an order needs 1 to {MAX_IDENTIFIERS} identifiers"
        )));
    }
    let mut identifiers = Vec::new();
    for id in &request.identifiers {
        let id = check_identifier(id, call.acme.options.dns_resolver.is_some())?;
        if !call.acme.options.allowed.allows(&id.kind, &id.value) {
            return Err(Problem::rejected_identifier(format!(
                "{}: not among this server's -acme-allowed-domains",
                id.value
            )));
        }
        if !identifiers.contains(&id) {
            identifiers.push(id);
        }
    }
    let store = call.acme.store();
    let order_id = random_id();
    let expires = now() + ORDER_LIFETIME;
    let mut authorizations = Vec::new();
    for identifier in &identifiers {
        let authz_id = random_id();
        let base = identifier.value.strip_prefix("*.");
        let kinds: &[&str] = match (base, call.acme.options.dns_resolver.is_some()) {
            (Some(_), _) => &["dns-01"],
            (None, true) if identifier.kind == "dns" => &["http-01", "tls-alpn-01", "dns-01"],
            (None, _) => &["http-01", "tls-alpn-01"],
        };
        let authz = Authorization {
            status: "pending".into(),
            expires,
            wildcard: base.is_some(),
            identifier: Identifier {
                kind: identifier.kind.clone(),
                value: base.unwrap_or(&identifier.value).to_string(),
            },
            challenges: kinds
                .iter()
                .map(|kind| Challenge {
                    kind: (*kind).into(),
                    token: random_id(),
                    status: "pending".into(),
                    validated: None,
                    error: None,
                })
                .collect(),
        };
        objects::insert(store, &authz_id, &order_id, &authz).await?;
        authorizations.push(authz_id);
    }
    let order = Order {
        status: "pending".into(),
        expires,
        identifiers,
        authorizations,
        error: None,
        certificate: None,
        not_after,
        profile: call.profile.clone(),
    };
    objects::insert(store, &order_id, &account.id, &order).await?;
    log::info!("acme: account {} new order {order_id}", account.id);
    Ok(reply(
        call,
        StatusCode::CREATED,
        &Stored {
            id: order_id,
            parent: account.id.clone(),
            stored_status: order.status.clone(),
            object: order,
        },
    ))
}

/// An order's notAfter (RFC 3339): in the future and no later than the
/// profile's expiry from now (or its fixed notAfter) would put it.
fn requested_not_after(call: &Call<'_>, text: &str) -> Result<i64, Problem> {
    let asked = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| Problem::malformed(format!("notAfter {text:?} is not an RFC 3339 time")))?
        .unix_timestamp();
    let signer = call
        .acme
        .app
        .signer("")
        .map_err(|e| Problem::server_internal(e.message))?;
    let profile = signer
        .profile(&call.profile)
        .map_err(|e| Problem::server_internal(e.message))?;
    let latest = match profile.not_after {
        Some(fixed) => fixed.unix_timestamp(),
        None => now().saturating_add(i64::try_from(profile.expiry.as_secs()).unwrap_or(i64::MAX)),
    };
    if asked <= now() || asked > latest {
        return Err(Problem::malformed(format!(
            "notAfter {text} is not between now and {} (the profile's expiry)",
            rfc3339(latest)
        )));
    }
    Ok(asked)
}

/// Loads an order of the signing account and brings its status up to
/// date with its authorizations and expiry (7.1.6).
async fn load_own(call: &Call<'_>, account: &str, id: &str) -> Result<Stored<Order>, Problem> {
    let store = call.acme.store();
    let mut order = objects::load::<Order>(store, id).await?;
    if order.parent != account {
        return Err(Problem::unauthorized("the order is another account's"));
    }
    let status = order.object.status.clone();
    if status == "pending" || status == "ready" {
        let mut next = None;
        if now() > order.object.expires {
            next = Some((
                "invalid",
                Some(Problem::malformed("the order expired").to_json()),
            ));
        } else if status == "pending" {
            let authzs = objects::children::<Authorization>(store, &order.id, 1000).await?;
            if let Some(failed) = authzs
                .iter()
                .find(|a| a.object.status != "pending" && a.object.status != "valid")
            {
                let error = failed
                    .object
                    .challenges
                    .iter()
                    .find_map(|c| c.error.clone())
                    .unwrap_or_else(|| {
                        Problem::unauthorized(format!("authorization {}", failed.object.status))
                            .to_json()
                    });
                next = Some(("invalid", Some(error)));
            } else if authzs.len() == order.object.authorizations.len()
                && authzs.iter().all(|a| a.object.status == "valid")
            {
                next = Some(("ready", None));
            }
        }
        if let Some((next, error)) = next {
            order.object.status = next.into();
            order.object.error = error;
            if !objects::save(store, &mut order).await? {
                // Another request moved it first: its view wins.
                order = objects::load::<Order>(store, id).await?;
            }
        }
    }
    Ok(order)
}

pub async fn get(call: &Call<'_>, id: &str) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let order = load_own(call, &post.account()?.id, id).await?;
    Ok(reply(call, StatusCode::OK, &order))
}

#[derive(Deserialize)]
struct Finalize {
    csr: String,
}

/// The names a CSR asks for: its DNS and IP SANs and its CN.
fn csr_names(der: &[u8]) -> Result<BTreeSet<(String, String)>, Problem> {
    use x509_parser::certification_request::X509CertificationRequest;
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    use x509_parser::prelude::FromDer;
    let (_, csr) = X509CertificationRequest::from_der(der)
        .map_err(|e| Problem::bad_csr(format!("not a PKCS#10 CSR: {e}")))?;
    let mut names = BTreeSet::new();
    for extension in csr.requested_extensions().into_iter().flatten() {
        if let ParsedExtension::SubjectAlternativeName(san) = extension {
            for name in &san.general_names {
                match name {
                    GeneralName::DNSName(dns) => {
                        names.insert(("dns".to_string(), dns.to_ascii_lowercase()));
                    }
                    GeneralName::IPAddress(bytes) => {
                        let ip = match bytes.len() {
                            4 => IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap_or_default()),
                            16 => IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap_or_default()),
                            _ => return Err(Problem::bad_csr("an IP SAN of bad length")),
                        };
                        names.insert(("ip".to_string(), ip.to_string()));
                    }
                    _ => {
                        return Err(Problem::bad_csr(
                            "the CSR asks for a SAN other than DNS or IP",
                        ))
                    }
                }
            }
        }
    }
    for cn in csr.certification_request_info.subject.iter_common_name() {
        let cn = cn
            .as_str()
            .map_err(|_| Problem::bad_csr("the CSR's CN is not a string"))?
            .to_ascii_lowercase();
        let kind = if cn.parse::<IpAddr>().is_ok() {
            "ip"
        } else {
            "dns"
        };
        names.insert((kind.to_string(), cn));
    }
    Ok(names)
}

/// Finalize (7.4): a CSR for exactly the order's identifiers, signed by
/// `sign`'s path under `-acme-profile` and recorded in the database.
pub async fn finalize(call: &Call<'_>, id: &str) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let account = post.account()?.id.clone();
    let mut order = load_own(call, &account, id).await?;
    if order.object.status != "ready" {
        return Err(Problem::order_not_ready(format!(
            "the order is {}",
            order.object.status
        )));
    }
    let request: Finalize = post.json()?;
    let der = URL_SAFE_NO_PAD
        .decode(request.csr.trim_end_matches('='))
        .map_err(|e| Problem::bad_csr(format!("csr is not base64url: {e}")))?;
    let wanted: BTreeSet<(String, String)> = order
        .object
        .identifiers
        .iter()
        .map(|i| (i.kind.clone(), i.value.clone()))
        .collect();
    let asked = csr_names(&der)?;
    if asked != wanted {
        return Err(Problem::bad_csr(
            "the CSR's names are not exactly the order's identifiers",
        ));
    }
    // ready -> processing is compare-and-set: of two finalizes (on any
    // replica) one signs, the other is told the order is not ready.
    let store = call.acme.store();
    order.object.status = "processing".into();
    if !objects::save(store, &mut order).await? {
        return Err(Problem::order_not_ready("the order is being finalized"));
    }
    let app = &call.acme.app;
    let hosts: Vec<String> = order
        .object
        .identifiers
        .iter()
        .map(|i| i.value.clone())
        .collect();
    let issued = async {
        let signer = app
            .signer("")
            .map_err(|e| Problem::server_internal(e.message))?;
        let mut profile = signer
            .profile(&order.object.profile)
            .map_err(|e| Problem::server_internal(e.message))?
            .clone();
        // The order's notAfter, checked against the profile at new-order.
        if let Some(not_after) = order.object.not_after {
            profile.not_after = Some(
                time::OffsetDateTime::from_unix_timestamp(not_after)
                    .map_err(|e| Problem::server_internal(e.to_string()))?,
            );
        }
        sign::issue(
            app,
            signer,
            &profile,
            &CsrRequest {
                csr: &der,
                source: "csr",
                allow_sha1: false,
                hosts: Some(&hosts),
                subject: None,
                // ACME orders carry identifiers only, no extensions.
                extensions: &[],
            },
            "",
        )
        .await
        .map_err(|e| {
            if e.status.is_server_error() {
                Problem::server_internal(e.message)
            } else {
                Problem::bad_csr(e.message)
            }
        })
    }
    .await;
    match issued {
        Ok(issued) => {
            let cert = certkit_core::chain::certs::Cert::from_der(&issued.cert_der)
                .map_err(|e| Problem::server_internal(e.to_string()))?;
            order.object.status = "valid".into();
            order.object.certificate = Some(CertRef {
                serial: cert.serial_decimal(),
                aki: hex::encode(cert.authority_key_id()),
            });
        }
        Err(problem) => {
            log::info!("acme: order {id}: {}", problem.detail);
            order.object.status = "invalid".into();
            order.object.error = Some(problem.to_json());
            objects::save(store, &mut order).await?;
            return Err(problem);
        }
    }
    if !objects::save(store, &mut order).await? {
        return Err(Problem::server_internal(
            "the order changed while it was signed",
        ));
    }
    log::info!("acme: order {id} issued");
    Ok(reply(call, StatusCode::OK, &order))
}

/// The certificate and the CA's, as `application/pem-certificate-chain`.
pub async fn certificate(call: &Call<'_>, id: &str) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let order = objects::load::<Order>(call.acme.store(), id)
        .await
        .map_err(|_| Problem::not_found("certificate"))?;
    if order.parent != post.account()?.id {
        return Err(Problem::unauthorized(
            "the certificate is another account's",
        ));
    }
    let reference = order
        .object
        .certificate
        .as_ref()
        .ok_or_else(|| Problem::not_found("certificate"))?;
    let record = call
        .recorded_certificate(&reference.serial, &reference.aki, "certificate")
        .await?;
    let signer = call
        .acme
        .app
        .signer("")
        .map_err(|e| Problem::server_internal(e.message))?;
    let mut chain = record.pem.trim_end().to_string();
    chain.push('\n');
    chain.push_str(signer.ca_pem.trim_end());
    chain.push('\n');
    Ok(Reply {
        body: Body::PemChain(chain),
        ..Reply::json(StatusCode::OK, Value::Null)
    })
}
