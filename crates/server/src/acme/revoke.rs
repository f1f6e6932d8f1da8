//! revokeCert (RFC 8555 7.6): signed by the account whose order issued
//! the certificate, or by the certificate's own key (`jwk`); revoked in
//! the certificate database as `certkit revoke` and `/revoke` do, so the
//! CRL (`/crl`, `gencrl`) and OCSP (`ocsprefresh`, `ocspserve`) show it.

use super::objects::{self, Order};
use super::problem::Problem;
use super::request::{Body, Call, Post, Reply, SignedBy};
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use certkit_core::chain::certs::Cert;
use certkit_ops::store::Revoked;
use jose_jwk::Key;
use serde::Deserialize;
use serde_json::Value;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

#[derive(Deserialize)]
struct RevokeCert {
    certificate: String,
    reason: Option<i32>,
}

/// Whether `key` (the JWS's) is the certificate's subject public key,
/// compared as the raw key values x509-parser reads from the SPKI.
fn same_key(der: &[u8], key: &jose_jwk::Jwk) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    let spki = cert.public_key();
    let strip = |b: &[u8]| -> Vec<u8> {
        let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
        b[first..].to_vec()
    };
    match (spki.parsed(), &key.key) {
        (Ok(PublicKey::RSA(rsa)), Key::Rsa(jwk)) => {
            strip(rsa.modulus) == strip(&jwk.n) && strip(rsa.exponent) == strip(&jwk.e)
        }
        (Ok(PublicKey::EC(point)), Key::Ec(jwk)) => {
            let mut mine = vec![4u8];
            mine.extend_from_slice(&jwk.x);
            mine.extend_from_slice(&jwk.y);
            point.data() == mine.as_slice()
        }
        (_, Key::Okp(jwk)) => spki.subject_public_key.data.as_ref() == &jwk.x[..],
        _ => false,
    }
}

/// Whether one of the signing account's orders issued this certificate.
async fn account_issued(
    call: &Call<'_>,
    post: &Post,
    serial: &str,
    aki: &str,
) -> Result<bool, Problem> {
    let account = post.account()?;
    let orders = objects::children::<Order>(call.acme.store(), &account.id, 10_000).await?;
    Ok(orders.iter().any(|o| {
        o.object
            .certificate
            .as_ref()
            .is_some_and(|c| c.serial == serial && c.aki == aki)
    }))
}

pub async fn revoke_cert(call: &Call<'_>) -> Result<Reply, Problem> {
    let post = call.verify(SignedBy::Either).await?;
    let request: RevokeCert = post.json()?;
    let der = URL_SAFE_NO_PAD
        .decode(request.certificate.trim_end_matches('='))
        .map_err(|e| Problem::malformed(format!("certificate is not base64url: {e}")))?;
    let reason = request.reason.unwrap_or(0);
    if !(0..=10).contains(&reason) || reason == 7 {
        return Err(Problem {
            kind: "badRevocationReason",
            ..Problem::malformed(format!("reason {reason} is not an RFC 5280 reason code"))
        });
    }
    let cert = Cert::from_der(&der).map_err(|e| Problem::malformed(format!("certificate: {e}")))?;
    let serial = cert.serial_decimal();
    let aki = hex::encode(cert.authority_key_id());
    let record = call
        .recorded_certificate(&serial, &aki, "certificate issued here")
        .await?;
    let allowed = match &post.account {
        Some(_) => account_issued(call, &post, &serial, &aki).await?,
        None => same_key(&der, &post.key),
    };
    if !allowed {
        return Err(Problem::unauthorized(
            "neither the account that ordered the certificate nor its key signed this request",
        ));
    }
    match call
        .database()?
        .revoke(&record.serial, &record.aki, reason)
        .await?
    {
        Revoked::Now => log::info!("acme: revoked serial {serial} (reason {reason})"),
        Revoked::Already { .. } => {
            return Err(Problem {
                kind: "alreadyRevoked",
                ..Problem::malformed("the certificate is already revoked")
            })
        }
    }
    Ok(Reply {
        body: Body::Empty,
        ..Reply::json(StatusCode::OK, Value::Null)
    })
}
