//! What is inside CertificateSigningRequest objects: the request's subject,
//! SANs and key, and the issued chain in `status.certificate`, without
//! base64 and openssl by hand.

use super::document::Document;
use super::object::{Approval, CsrObject};
use crate::csr::{san_from_general_name, VerifiedCsr};
use crate::error::{Error, Result};
use crate::request::name::to_slash_string;
use crate::request::San;
use crate::serial::decimal_serial;
use der::{Decode, Encode};
use serde_json::{json, Value};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

/// A description of every object: an object for one object, an array
/// for a List.
pub fn describe(doc: &Document) -> Result<Value> {
    let items = doc
        .items
        .iter()
        .map(describe_object)
        .collect::<Result<Vec<_>>>()?;
    if doc.is_list() {
        return Ok(Value::Array(items));
    }
    Ok(items.into_iter().next().unwrap_or(Value::Null))
}

fn describe_object(obj: &CsrObject) -> Result<Value> {
    let what = format!("CertificateSigningRequest {}: spec.request", obj.name());
    let csr = VerifiedCsr::parse(&obj.request()?, &what)?;
    let request_key = key_fingerprint(csr.public_key())?;
    let mut out = json!({
        "name": obj.name(),
        "signerName": obj.signer_name()?,
        "usages": obj.usages()?,
        "state": match obj.approval() {
            Approval::Pending => "Pending",
            Approval::Approved => "Approved",
            Approval::Denied => "Denied",
            Approval::Failed => "Failed",
        },
        "request": {
            "subject": to_slash_string(csr.subject()),
            "sans": csr.sans()?.iter().map(san_text).collect::<Vec<_>>(),
            "publicKeySha256": request_key,
        },
    });
    if let Some(seconds) = obj.expiration_seconds()? {
        out["expirationSeconds"] = json!(seconds);
    }
    if let Some(chain) = obj.certificate()? {
        let what = format!(
            "CertificateSigningRequest {}: status.certificate",
            obj.name()
        );
        let certs = describe_chain(&chain, &what)?;
        let leaf_key = certs
            .first()
            .and_then(|c| c["publicKeySha256"].as_str())
            .unwrap_or_default();
        out["certificateMatchesRequest"] = json!(leaf_key == request_key);
        out["certificates"] = Value::Array(certs);
    }
    Ok(out)
}

fn describe_chain(pem_chain: &[u8], what: &str) -> Result<Vec<Value>> {
    let blocks =
        pem::parse_many(pem_chain).map_err(|e| Error::decode(what, format!("not PEM: {e}")))?;
    if blocks.is_empty() {
        return Err(Error::decode(what, "no certificates found"));
    }
    blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let cert = Certificate::from_der(block.contents())
                .map_err(|e| Error::decode(what, format!("certificate {}: {e}", i + 1)))?;
            describe_certificate(&cert, what)
        })
        .collect()
}

fn describe_certificate(cert: &Certificate, what: &str) -> Result<Value> {
    let tbs = cert.tbs_certificate();
    let sans = match tbs.get_extension::<SubjectAltName>() {
        Ok(Some((_, san))) => san
            .0
            .iter()
            .filter_map(san_from_general_name)
            .map(|s| san_text(&s))
            .collect(),
        Ok(None) => Vec::new(),
        Err(e) => {
            return Err(Error::decode(
                what,
                format!("malformed subjectAltName: {e}"),
            ))
        }
    };
    Ok(json!({
        "subject": to_slash_string(tbs.subject()),
        "issuer": to_slash_string(tbs.issuer()),
        "serial": decimal_serial(tbs.serial_number().as_bytes()),
        "notBefore": tbs.validity().not_before.to_date_time().to_string(),
        "notAfter": tbs.validity().not_after.to_date_time().to_string(),
        "sans": sans,
        "publicKeySha256": key_fingerprint(tbs.subject_public_key_info())?,
    }))
}

fn san_text(san: &San) -> String {
    match san {
        San::Dns(d) => format!("DNS:{d}"),
        San::Ip(ip) => format!("IP:{ip}"),
        San::Email(e) => format!("email:{e}"),
        San::Uri(u) => format!("URI:{u}"),
    }
}

/// SHA-256 of the DER SubjectPublicKeyInfo, in hex: equal keys, equal text.
fn key_fingerprint(spki: &SubjectPublicKeyInfoOwned) -> Result<String> {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &spki.to_der()?);
    Ok(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::issuer::Issuer;
    use crate::k8s::document::Format;
    use crate::keys::KeyPair;
    use crate::policy::Profile;
    use crate::request::{KeySpec, Request};

    #[test]
    fn shows_request_and_matching_certificate() {
        let ca = crate::issue::initca::new_ca(&Request {
            cn: "Test CA".into(),
            ..Default::default()
        })
        .unwrap();
        let issuer =
            Issuer::load(ca.cert_pem.as_bytes(), "ca", ca.key_pem.as_bytes(), "k").unwrap();
        let req = Request {
            cn: "svc".into(),
            hosts: vec!["svc.example".into(), "10.0.0.1".into()],
            ..Default::default()
        };
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let csr =
            VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap();
        let spec = crate::k8s::manifest::ManifestSpec {
            name: "svc".into(),
            signer_name: "example.com/serving".into(),
            usages: vec!["server auth".into()],
            expiration_seconds: None,
        };
        let manifest = crate::k8s::manifest::build(&csr, &spec).unwrap();
        let mut doc = Document::from_value(manifest, Format::Json, "t").unwrap();
        let issued = issuer.sign(&csr, &Profile::cfssl_default(), None).unwrap();
        doc.items[0].set_certificate(&issued.cert_pem);
        let shown = describe(&doc).unwrap();
        assert_eq!(shown["state"], "Pending");
        assert_eq!(shown["request"]["subject"], "/CN=svc");
        assert_eq!(
            shown["request"]["sans"],
            json!(["DNS:svc.example", "IP:10.0.0.1"])
        );
        assert_eq!(shown["certificates"][0]["issuer"], "/CN=Test CA");
        assert_eq!(shown["certificates"][0]["serial"], issued.serial);
        assert_eq!(shown["certificateMatchesRequest"], true);
    }
}
