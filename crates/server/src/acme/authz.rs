//! Authorizations and their challenges (RFC 8555 7.5, 7.5.1): reading
//! them, and a client's go-ahead that starts the http-01 validation in
//! the background (the client polls).

use super::jws::key_authorization;
use super::objects::{self, Authorization, Challenge, Order, Stored};
use super::problem::Problem;
use super::request::{Call, Reply, SignedBy};
use super::{dns01, http01, limits, tls_alpn01};
use super::{now, rfc3339, Acme};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// How long one validation may take, redirects included.
const VALIDATION_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a challenge POST waits for its validation before answering
/// "processing" with Retry-After: a validation that finishes in time is
/// answered as it ended, so the client need not sleep a whole second
/// (Retry-After counts in seconds) before polling; a slow one goes on in
/// the background and the client polls.
const INLINE_WAIT: Duration = Duration::from_secs(2);

fn challenge_view(call: &Call<'_>, authz: &str, n: usize, c: &Challenge) -> Value {
    let mut doc = json!({
        "type": c.kind,
        "url": format!("{}/chall/{authz}/{n}", call.base),
        "token": c.token,
        "status": c.status,
    });
    if let Some(t) = c.validated {
        doc["validated"] = json!(rfc3339(t));
    }
    if let Some(e) = &c.error {
        doc["error"] = e.clone();
    }
    doc
}

fn view(call: &Call<'_>, authz: &Stored<Authorization>) -> Value {
    json!({
        "identifier": authz.object.identifier,
        "wildcard": authz.object.wildcard,
        "status": authz.object.status,
        "expires": rfc3339(authz.object.expires),
        "challenges": authz
            .object
            .challenges
            .iter()
            .enumerate()
            .map(|(n, c)| challenge_view(call, &authz.id, n, c))
            .collect::<Vec<_>>(),
    })
}

/// Loads an authorization of the signing account's orders, expiring it
/// when its time has passed.
async fn load_own(
    call: &Call<'_>,
    account: &str,
    id: &str,
) -> Result<Stored<Authorization>, Problem> {
    let store = call.acme.store();
    let mut authz = objects::load::<Authorization>(store, id).await?;
    let order = objects::load::<Order>(store, &authz.parent).await?;
    if order.parent != account {
        return Err(Problem::unauthorized(
            "the authorization is another account's",
        ));
    }
    if authz.object.status == "pending" && now() > authz.object.expires {
        authz.object.status = "expired".into();
        if !objects::save(store, &mut authz).await? {
            authz = objects::load::<Authorization>(store, id).await?;
        }
    }
    Ok(authz)
}

pub async fn get(call: &Call<'_>, id: &str) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let authz = load_own(call, &post.account()?.id, id).await?;
    Ok(Reply {
        retry_after: (authz.object.status == "pending").then_some(1),
        ..Reply::json(StatusCode::OK, view(call, &authz))
    })
}

pub async fn challenge(call: &Call<'_>, id: &str, n: &str) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let mut authz = load_own(call, &post.account()?.id, id).await?;
    let n: usize = n
        .parse()
        .ok()
        .filter(|n| *n < authz.object.challenges.len())
        .ok_or_else(|| Problem::not_found("challenge"))?;
    let pending =
        authz.object.status == "pending" && authz.object.challenges[n].status == "pending";
    let account = post.account()?.id.clone();
    if !post.is_get() && pending {
        let key = failures_key(&account);
        let limit = limits::Limit {
            key: &key,
            per_hour: call.acme.options.failures_per_hour,
            what: "failed validations by this account",
        };
        limit.check(call.acme.store(), now()).await?;
        authz.object.challenges[n].status = "processing".into();
        if objects::save(call.acme.store(), &mut authz).await? {
            let expected = key_authorization(&authz.object.challenges[n].token, &post.key)?;
            let running = tokio::spawn(validate(
                call.acme.clone(),
                account,
                authz.id.clone(),
                n,
                expected,
            ));
            if tokio::time::timeout(INLINE_WAIT, running).await.is_ok() {
                authz = objects::load::<Authorization>(call.acme.store(), id).await?;
            }
        } else {
            authz = objects::load::<Authorization>(call.acme.store(), id).await?;
        }
    }
    let challenge = &authz.object.challenges[n];
    Ok(Reply {
        links: vec![format!("<{}/authz/{id}>;rel=\"up\"", call.base)],
        retry_after: (challenge.status == "processing").then_some(1),
        ..Reply::json(StatusCode::OK, challenge_view(call, id, n, challenge))
    })
}

/// The limiter's key for an account's failed validations.
fn failures_key(account: &str) -> String {
    format!("failures account {account}")
}

/// Runs one validation and records its outcome on the authorization
/// (valid, or invalid with the problem), whichever replica runs it.
async fn validate(acme: Arc<Acme>, account: String, id: String, n: usize, expected: String) {
    let store = acme.store();
    let outcome = async {
        let authz = objects::load::<Authorization>(store, &id).await?;
        let _permit = acme.validations.acquire().await.ok();
        let challenge = &authz.object.challenges[n];
        let identifier = &authz.object.identifier;
        let run = async {
            match challenge.kind.as_str() {
                "dns-01" => match acme.options.dns_resolver {
                    Some(server) => dns01::validate(server, &identifier.value, &expected).await,
                    None => Err(Problem::server_internal(
                        "dns-01 without -acme-dns-resolver",
                    )),
                },
                "tls-alpn-01" => {
                    let port = acme.options.tlsalpn01_port;
                    let address = http01::resolve(&acme.options, &identifier.value, port).await?;
                    tls_alpn01::validate(address, identifier, &expected).await
                }
                _ => http01::validate(&acme.options, identifier, &challenge.token, &expected).await,
            }
        };
        match tokio::time::timeout(VALIDATION_TIMEOUT, run).await {
            Ok(result) => result,
            Err(_) => Err(Problem::connection("the validation timed out")),
        }
    }
    .await;
    let Ok(mut authz) = objects::load::<Authorization>(store, &id).await else {
        return;
    };
    let challenge = &mut authz.object.challenges[n];
    match outcome {
        Ok(()) => {
            challenge.status = "valid".into();
            challenge.validated = Some(now());
            authz.object.status = "valid".into();
        }
        Err(problem) => {
            if let Err(e) = limits::record(store, &failures_key(&account), now()).await {
                log::error!("acme: cannot count a failed validation: {}", e.detail);
            }
            log::info!(
                "acme: validation of {} failed: {}",
                authz.object.identifier.value,
                problem.detail
            );
            challenge.status = "invalid".into();
            challenge.error = Some(problem.to_json());
            authz.object.status = "invalid".into();
        }
    }
    if let Err(e) = objects::save(store, &mut authz).await {
        log::error!("acme: cannot record the validation of {id}: {}", e.detail);
    }
}
