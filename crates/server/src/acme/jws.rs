//! JWS as RFC 8555 section 6.2 uses it: the flattened JSON serialization,
//! a protected header with `alg`, `nonce`, `url` and either `jwk` or
//! `kid`. Keys are read by RustCrypto's `jose-jwk`, algorithms by
//! `jose-jwa`, base64url by the `base64` crate, signatures checked by
//! aws-lc-rs; thumbprints (RFC 7638) are serde_json's compact output of
//! the required members, which it writes in the RFC's lexicographic order.

use super::problem::Problem;
use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jose_jwa::Signing;
use jose_jwk::{EcCurves, Jwk, Key, OkpCurves};
use serde::Deserialize;
use serde_json::json;

/// The algorithms account keys may sign with.
pub const ALGORITHMS: &[&str] = &["RS256", "ES256", "ES384", "EdDSA"];

/// The flattened JWS JSON serialization, its three members as sent.
#[derive(Deserialize)]
struct Flattened {
    protected: String,
    payload: String,
    signature: String,
}

/// The protected header members ACME uses.
#[derive(Debug, Deserialize)]
pub struct Header {
    pub alg: String,
    pub jwk: Option<Jwk>,
    pub kid: Option<String>,
    pub nonce: Option<String>,
    pub url: Option<String>,
}

/// A parsed, not yet verified, JWS.
pub struct Jws {
    pub header: Header,
    pub payload: Vec<u8>,
    /// `protected || '.' || payload`, as sent.
    signing_input: String,
    signature: Vec<u8>,
}

fn decode(field: &str, text: &str) -> Result<Vec<u8>, Problem> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| Problem::malformed(format!("JWS {field}: not base64url: {e}")))
}

/// base64url without padding (RFC 8555's encoding of every binary field).
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Jws {
    /// Parses a request body (or the inner JWS of a key change).
    pub fn parse(body: &[u8]) -> Result<Jws, Problem> {
        let outer: Flattened = serde_json::from_slice(body)
            .map_err(|e| Problem::malformed(format!("not a flattened JWS: {e}")))?;
        let header: Header = serde_json::from_slice(&decode("protected", &outer.protected)?)
            .map_err(|e| Problem::malformed(format!("JWS protected header: {e}")))?;
        Ok(Jws {
            header,
            payload: decode("payload", &outer.payload)?,
            signing_input: format!("{}.{}", outer.protected, outer.payload),
            signature: decode("signature", &outer.signature)?,
        })
    }

    /// Checks the signature with `key` under the header's algorithm.
    pub fn verify(&self, key: &Jwk) -> Result<(), Problem> {
        let alg: Signing = serde_json::from_value(json!(self.header.alg))
            .map_err(|_| Problem::bad_signature_algorithm(ALGORITHMS))?;
        let input = self.signing_input.as_bytes();
        let bad = |_| Problem::malformed("JWS signature does not verify");
        match (alg, &key.key) {
            (Signing::Rs256, Key::Rsa(rsa)) => RsaPublicKeyComponents {
                n: &rsa.n[..],
                e: &rsa.e[..],
            }
            .verify(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                input,
                &self.signature,
            )
            .map_err(bad),
            (Signing::Es256, Key::Ec(ec)) if ec.crv == EcCurves::P256 => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, ec_point(ec))
                    .verify(input, &self.signature)
                    .map_err(bad)
            }
            (Signing::Es384, Key::Ec(ec)) if ec.crv == EcCurves::P384 => {
                UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, ec_point(ec))
                    .verify(input, &self.signature)
                    .map_err(bad)
            }
            (Signing::EdDsa, Key::Okp(okp)) if okp.crv == OkpCurves::Ed25519 => {
                UnparsedPublicKey::new(&signature::ED25519, &okp.x[..])
                    .verify(input, &self.signature)
                    .map_err(bad)
            }
            (Signing::Rs256 | Signing::Es256 | Signing::Es384 | Signing::EdDsa, _) => Err(
                Problem::bad_public_key("the key does not fit the JWS algorithm"),
            ),
            _ => Err(Problem::bad_signature_algorithm(ALGORITHMS)),
        }
    }
}

impl Jws {
    /// Checks a MAC (HS256/HS384/HS512) with `key` (External Account
    /// Binding), in constant time as aws-lc-rs compares.
    pub fn verify_hmac(&self, key: &[u8]) -> Result<(), Problem> {
        let algorithm = match self.header.alg.as_str() {
            "HS256" => aws_lc_rs::hmac::HMAC_SHA256,
            "HS384" => aws_lc_rs::hmac::HMAC_SHA384,
            "HS512" => aws_lc_rs::hmac::HMAC_SHA512,
            _ => {
                return Err(Problem::malformed(
                    "externalAccountBinding must be HS256, HS384 or HS512",
                ))
            }
        };
        aws_lc_rs::hmac::verify(
            &aws_lc_rs::hmac::Key::new(algorithm, key),
            self.signing_input.as_bytes(),
            &self.signature,
        )
        .map_err(|_| Problem::unauthorized("externalAccountBinding MAC does not verify"))
    }
}

/// An EC public key as the uncompressed point aws-lc-rs takes.
fn ec_point(ec: &jose_jwk::Ec) -> Vec<u8> {
    let mut point = Vec::with_capacity(1 + ec.x.len() + ec.y.len());
    point.push(4);
    point.extend_from_slice(&ec.x);
    point.extend_from_slice(&ec.y);
    point
}

/// The key authorization of a token for an account key (RFC 8555 8.1).
pub fn key_authorization(token: &str, key: &Jwk) -> Result<String, Problem> {
    Ok(format!("{token}.{}", thumbprint(key)?))
}

/// Refuses private keys and keys of types no algorithm here uses.
pub fn check_public(key: &Jwk) -> Result<(), Problem> {
    let private = match &key.key {
        Key::Ec(ec) => ec.d.is_some(),
        Key::Rsa(rsa) => rsa.prv.is_some(),
        Key::Okp(okp) => okp.d.is_some(),
        _ => return Err(Problem::bad_public_key("unsupported key type")),
    };
    if private {
        return Err(Problem::bad_public_key("the JWK holds a private key"));
    }
    Ok(())
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of a public key.
pub fn thumbprint(key: &Jwk) -> Result<String, Problem> {
    // json! builds a BTreeMap-backed object (serde_json without
    // preserve_order), so the members come out sorted and without
    // whitespace, as RFC 7638 section 3 requires.
    let members = match &key.key {
        Key::Ec(ec) => json!({
            "crv": serde_json::to_value(ec.crv).map_err(|_| Problem::bad_public_key("curve"))?,
            "kty": "EC",
            "x": encode(&ec.x),
            "y": encode(&ec.y),
        }),
        Key::Rsa(rsa) => json!({ "e": encode(&rsa.e), "kty": "RSA", "n": encode(&rsa.n) }),
        Key::Okp(okp) => json!({
            "crv": serde_json::to_value(okp.crv).map_err(|_| Problem::bad_public_key("curve"))?,
            "kty": "OKP",
            "x": encode(&okp.x),
        }),
        _ => return Err(Problem::bad_public_key("unsupported key type")),
    };
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, members.to_string().as_bytes());
    Ok(encode(digest.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An EdDSA (Ed25519) account key, signed by aws-lc-rs: verifies, and
    /// a changed payload does not (no ACME client at hand signs EdDSA).
    #[test]
    fn eddsa_signature() {
        use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
        let pair = Ed25519KeyPair::generate().unwrap();
        let jwk =
            json!({ "kty": "OKP", "crv": "Ed25519", "x": encode(pair.public_key().as_ref()) });
        let protected = encode(
            json!({ "alg": "EdDSA", "jwk": jwk, "nonce": "n", "url": "https://ca/acme/new-account" })
                .to_string()
                .as_bytes(),
        );
        let jws_with = |payload: &str| {
            let signature = pair.sign(format!("{protected}.{}", encode(b"{}")).as_bytes());
            json!({ "protected": protected, "payload": encode(payload.as_bytes()), "signature": encode(signature.as_ref()) })
                .to_string()
        };
        let good = Jws::parse(jws_with("{}").as_bytes()).unwrap();
        let key = good.header.jwk.clone().unwrap();
        good.verify(&key).unwrap();
        let bad = Jws::parse(jws_with("{\"x\":1}").as_bytes()).unwrap();
        assert!(bad.verify(&key).is_err());
    }

    /// RFC 7638 section 3.1's example key and thumbprint.
    #[test]
    fn rfc7638_example() {
        let key: Jwk = serde_json::from_value(json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        }))
        .unwrap();
        assert_eq!(
            thumbprint(&key).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
