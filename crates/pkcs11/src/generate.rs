//! Generating a CA key inside the token (C_GenerateKeyPair): the private
//! half is a token object that is sensitive and never extractable, so it
//! never leaves the token; certkit then uses it as any other token key.

use crate::error::Pkcs11Error;
use crate::module;
use crate::token_key::{Target, TokenKey};
use crate::uri::Pkcs11Uri;
use certkit_core::request::KeySpec;
use const_oid::db::{rfc5912, rfc8410};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::Attribute;
use der::Encode;

/// Generates the key a `pkcs11:` URI names, as `spec` asks, and opens it.
/// Refuses when the token already holds a private key the URI matches.
pub fn generate(uri: &str, spec: KeySpec) -> Result<TokenKey, Pkcs11Error> {
    let (target, _) = Target::from_uri(Pkcs11Uri::parse(uri)?)?;
    let Some(label) = target.object.clone() else {
        return Err(Pkcs11Error::uri(
            "object",
            "names the key to generate (object=LABEL)",
        ));
    };
    let (mechanism, public_part) = match spec {
        KeySpec::Rsa(bits @ (2048 | 3072 | 4096)) => (
            Mechanism::RsaPkcsKeyPairGen,
            vec![
                Attribute::ModulusBits(u64::from(bits).into()),
                Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
            ],
        ),
        KeySpec::Ecdsa(bits @ (256 | 384)) => {
            let curve = if bits == 256 { rfc5912::SECP_256_R_1 } else { rfc5912::SECP_384_R_1 };
            (Mechanism::EccKeyPairGen, vec![Attribute::EcParams(oid_der(curve)?)])
        }
        KeySpec::Ed25519 => (
            Mechanism::EccEdwardsKeyPairGen,
            vec![Attribute::EcParams(oid_der(rfc8410::ID_ED_25519)?)],
        ),
        other => {
            return Err(target.key_type_err(format!(
                "{other:?} cannot be generated in a token by certkit (use RSA 2048-4096, ECDSA 256/384 or Ed25519)"
            )))
        }
    };
    let id = match &target.id {
        Some(id) => id.clone(),
        None => {
            let mut id = vec![0u8; 16];
            aws_lc_rs::rand::fill(&mut id)
                .map_err(|_| target.key_type_err("no random bytes for its CKA_ID"))?;
            id
        }
    };
    let ctx = module::load(&target.module)?;
    let slot = target.find_slot(&ctx)?;
    let session = ctx
        .open_rw_session(slot)
        .map_err(|e| target.call_err("C_OpenSession", e))?;
    target.login(&ctx, slot, &session)?;
    match target.find_key(&session) {
        Err(Pkcs11Error::NoObject { .. }) => {}
        Ok(_) | Err(Pkcs11Error::Ambiguous { .. }) => {
            return Err(target
                .key_type_err("already exists; use it without generating, or name a new object"))
        }
        Err(e) => return Err(e),
    }
    let common = [
        Attribute::Token(true),
        Attribute::Label(label.into_bytes()),
        Attribute::Id(id),
    ];
    let mut public = common.to_vec();
    public.push(Attribute::Verify(true));
    public.extend(public_part);
    let mut private = common.to_vec();
    private.extend([
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
    ]);
    session
        .generate_key_pair(&mechanism, &public, &private)
        .map_err(|e| target.call_err("C_GenerateKeyPair", e))?;
    drop(session);
    TokenKey::open(uri)
}

fn oid_der(oid: const_oid::ObjectIdentifier) -> Result<Vec<u8>, Pkcs11Error> {
    oid.to_der()
        .map_err(|_| Pkcs11Error::uri("object", "curve OID cannot be encoded"))
}
