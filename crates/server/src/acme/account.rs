//! Accounts (RFC 8555 7.3): new-account (or lookup by key), update and
//! deactivation, the orders list and key rollover (7.3.5).

use super::jws::{self, Jws};
use super::objects::{self, Account, Order};
use super::problem::Problem;
use super::random_id;
use super::request::{Call, Reply, SignedBy};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NewAccount {
    #[serde(default)]
    contact: Vec<String>,
    #[serde(default)]
    terms_of_service_agreed: bool,
    #[serde(default)]
    only_return_existing: bool,
    external_account_binding: Option<Value>,
}

/// What a client sees of an account.
fn view(call: &Call<'_>, id: &str, account: &Account) -> Value {
    json!({
        "status": account.status,
        "contact": account.contact,
        "termsOfServiceAgreed": account.terms_of_service_agreed,
        "key": account.key,
        "orders": format!("{}/acct/{id}/orders", call.base),
    })
}

/// Contacts are mailto: URLs (RFC 8555 7.3); nothing is ever sent to them.
fn check_contacts(contact: &[String]) -> Result<(), Problem> {
    if contact.len() > 10 {
        return Err(Problem::malformed("at most 10 contacts"));
    }
    match contact
        .iter()
        .find(|c| !c.starts_with("mailto:") || c.len() > 320)
    {
        Some(bad) => Err(Problem {
            kind: "unsupportedContact",
            ..Problem::malformed(format!("contact {bad:?} is not a mailto: URL"))
        }),
        None => Ok(()),
    }
}

pub async fn new_account(call: &Call<'_>) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Key).await?;
    let request: NewAccount = post.json()?;
    let store = call.acme.store();
    let thumbprint = jws::thumbprint(&post.key)?;
    if let Some(existing) = objects::children::<Account>(store, &thumbprint, 1)
        .await?
        .pop()
    {
        return Ok(Reply {
            location: Some(format!("{}/acct/{}", call.base, existing.id)),
            ..Reply::json(StatusCode::OK, view(call, &existing.id, &existing.object))
        });
    }
    if request.only_return_existing {
        return Err(Problem::account_does_not_exist("no account has this key"));
    }
    check_contacts(&request.contact)?;
    let eab_kid = match (
        &request.external_account_binding,
        call.acme.options.eab.is_empty(),
    ) {
        (_, true) => None,
        (Some(binding), false) => Some(call.acme.options.eab.check(binding, &post.key, &call.url)?),
        (None, false) => {
            return Err(Problem {
                kind: "externalAccountRequired",
                ..Problem::unauthorized("this server requires an External Account Binding")
            })
        }
    };
    let account = Account {
        eab_kid,
        status: "valid".into(),
        contact: request.contact,
        terms_of_service_agreed: request.terms_of_service_agreed,
        key: serde_json::to_value(&post.key)
            .map_err(|e| Problem::server_internal(e.to_string()))?,
    };
    let id = random_id();
    match objects::insert(store, &id, &thumbprint, &account).await {
        Ok(()) => {}
        // Another replica created the account for this key meanwhile.
        Err(_) => {
            if let Some(existing) = objects::children::<Account>(store, &thumbprint, 1)
                .await?
                .pop()
            {
                return Ok(Reply {
                    location: Some(format!("{}/acct/{}", call.base, existing.id)),
                    ..Reply::json(StatusCode::OK, view(call, &existing.id, &existing.object))
                });
            }
            return Err(Problem::server_internal("cannot create the account"));
        }
    }
    match &account.eab_kid {
        Some(kid) => log::info!("acme: new account {id} (external account {kid:?})"),
        None => log::info!("acme: new account {id}"),
    }
    Ok(Reply {
        location: Some(format!("{}/acct/{id}", call.base)),
        ..Reply::json(StatusCode::CREATED, view(call, &id, &account))
    })
}

#[derive(Deserialize)]
struct Update {
    status: Option<String>,
    contact: Option<Vec<String>>,
}

/// POST to the account URL: read (POST-as-GET), change contacts, or
/// deactivate (7.3.6).
pub async fn update(call: &Call<'_>, id: &str) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let mut account =
        objects::load::<Account>(call.acme.store(), post.account()?.id.as_str()).await?;
    if account.id != id {
        return Err(Problem::unauthorized("the account URL is not the signer's"));
    }
    if !post.is_get() {
        let update: Update = post.json()?;
        if let Some(contact) = update.contact {
            check_contacts(&contact)?;
            account.object.contact = contact;
        }
        match update.status.as_deref() {
            None | Some("valid") => {}
            Some("deactivated") => account.object.status = "deactivated".into(),
            Some(other) => return Err(Problem::malformed(format!("cannot set status {other:?}"))),
        }
        if !objects::save(call.acme.store(), &mut account).await? {
            return Err(Problem::conflict("the account changed meanwhile; retry"));
        }
    }
    Ok(Reply::json(StatusCode::OK, view(call, id, &account.object)))
}

/// The account's orders (7.1.2.1), at most the first 1000.
pub async fn orders(call: &Call<'_>, id: &str) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    if post.account()?.id != id {
        return Err(Problem::unauthorized("the account URL is not the signer's"));
    }
    let orders = objects::children::<Order>(call.acme.store(), id, 1000).await?;
    let urls: Vec<String> = orders
        .iter()
        .filter(|o| {
            matches!(
                o.object.status.as_str(),
                "pending" | "ready" | "processing" | "valid"
            )
        })
        .map(|o| format!("{}/order/{}", call.base, o.id))
        .collect();
    Ok(Reply::json(StatusCode::OK, json!({ "orders": urls })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyChange {
    account: String,
    old_key: Value,
}

/// Key rollover (7.3.5): the outer JWS by the account, the inner by the
/// new key, naming the account and its old key.
pub async fn key_change(call: &Call<'_>) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Account).await?;
    let account = post.account()?;
    let inner = Jws::parse(&post.payload)?;
    let new_key = inner
        .header
        .jwk
        .as_ref()
        .ok_or_else(|| Problem::malformed("the inner JWS must carry the new key (jwk)"))?;
    if inner.header.kid.is_some() || inner.header.nonce.is_some() {
        return Err(Problem::malformed("the inner JWS has kid or nonce"));
    }
    if inner.header.url != post.jws.header.url {
        return Err(Problem::malformed(
            "the inner JWS url differs from the outer",
        ));
    }
    jws::check_public(new_key)?;
    inner.verify(new_key)?;
    let change: KeyChange = serde_json::from_slice(&inner.payload)
        .map_err(|e| Problem::malformed(format!("key change payload: {e}")))?;
    if Some(&change.account) != post.jws.header.kid.as_ref() {
        return Err(Problem::unauthorized(
            "the key change names another account",
        ));
    }
    let old_key: jose_jwk::Jwk = serde_json::from_value(change.old_key)
        .map_err(|e| Problem::malformed(format!("oldKey: {e}")))?;
    if jws::thumbprint(&old_key)? != account.parent {
        return Err(Problem::unauthorized("oldKey is not the account's key"));
    }
    let new_thumbprint = jws::thumbprint(new_key)?;
    let store = call.acme.store();
    if let Some(other) = objects::children::<Account>(store, &new_thumbprint, 1)
        .await?
        .pop()
    {
        return Err(Problem::conflict(format!(
            "the new key is {}/acct/{}'s",
            call.base, other.id
        )));
    }
    let mut stored = objects::load::<Account>(store, &account.id).await?;
    stored.parent = new_thumbprint;
    stored.object.key =
        serde_json::to_value(new_key).map_err(|e| Problem::server_internal(e.to_string()))?;
    match objects::save(store, &mut stored).await {
        Ok(true) => {}
        Ok(false) => return Err(Problem::conflict("the account changed meanwhile; retry")),
        Err(_) => return Err(Problem::conflict("the new key belongs to another account")),
    }
    Ok(Reply::json(
        StatusCode::OK,
        view(call, &stored.id, &stored.object),
    ))
}
