//! cfssl's bundle status (expiry, ubiquity and SHA-1 warnings with their
//! bit codes) and the bundle's JSON object.

use super::{chain, ubiquity, Bundle, Flavor, Status, EXPIRING_BIT, NOT_UBIQUITOUS_BIT};
use crate::chain::certs::{rfc3339, Cert, KeyKind};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};
use x509_cert::name::Name;

const SHA2_WARNING: &str = "The bundle contains certificates signed with advanced hash functions such as SHA2, which are problematic for certain operating systems, e.g. Windows XP SP2.";
const ECDSA_WARNING: &str = "The bundle contains ECDSA signatures, which are problematic for certain operating systems, e.g. Windows XP, Android 2.2 and Android 2.3.";
const EXPIRING_STUB: &str = "The bundle is expiring within 30 days.";
const UNTRUSTED_STUB: &str = "The bundle may not be trusted by the following platform(s):";
const NO_METADATA: &str = "Unable to measure bundle ubiquity: No platform metadata present.";
const THIRTY_DAYS: Duration = Duration::from_secs(30 * 24 * 3600);

/// The status cfssl reports for `chain` (root included when found).
pub fn status(
    chain: &[Cert],
    flavor: Flavor,
    platforms: &[ubiquity::Platform],
    now: SystemTime,
) -> Status {
    let mut status = Status::default();
    let expiring: Vec<(usize, &Cert)> = chain
        .iter()
        .enumerate()
        .filter(|(_, c)| c.not_after() < now + THIRTY_DAYS)
        .collect();
    if !expiring.is_empty() {
        status.code |= EXPIRING_BIT;
        let which: Vec<String> = expiring
            .iter()
            .map(|(i, _)| format!(" #{}", i + 1))
            .collect();
        let noun = if expiring.len() > 1 {
            "The expiring certs are"
        } else {
            "The expiring cert is"
        };
        status.messages.push(format!(
            "{EXPIRING_STUB}{noun}{} in the chain.",
            which.concat()
        ));
        status.expiring_skis = expiring
            .iter()
            .map(|(_, c)| {
                c.subject_key_id()
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect()
            })
            .collect();
    }
    if chain::hash_ubiquity(chain) <= 70 {
        status.code |= NOT_UBIQUITOUS_BIT;
        status.messages.push(SHA2_WARNING.into());
    }
    if chain::key_ubiquity(chain) <= 70 {
        status.code |= NOT_UBIQUITOUS_BIT;
        status.messages.push(ECDSA_WARNING.into());
    }
    if flavor != Flavor::Force {
        if let Some(root) = chain.last() {
            let untrusted = ubiquity::untrusted(platforms, root);
            if platforms.is_empty() {
                status.code |= NOT_UBIQUITOUS_BIT;
                status.messages.push(NO_METADATA.into());
            } else if !untrusted.is_empty() {
                status.code |= NOT_UBIQUITOUS_BIT;
                status
                    .messages
                    .push(format!("{UNTRUSTED_STUB} {}.", untrusted.join(", ")));
            }
            status.untrusted_root_stores = Some(untrusted);
        }
    }
    let sha1 = super::sha1::deprecation_messages(chain, now);
    if !sha1.is_empty() {
        status.code |= NOT_UBIQUITOUS_BIT;
        status.messages.extend(sha1);
    }
    status
}

/// cfssl's rendering of a name: `/Country=US/Organization=...`, in
/// certificate order, naming attributes by the fourth arc of their OID
/// as Go's bundler does (unknown ones get an empty name).
pub fn cfssl_name(name: &Name) -> String {
    let mut out = String::new();
    for atv in name.iter() {
        let label = match atv.oid.arcs().nth(3) {
            Some(3) => "CommonName",
            Some(5) => "SerialNumber",
            Some(6) => "Country",
            Some(7) => "Locality",
            Some(8) => "Province",
            Some(9) => "StreetAddress",
            Some(10) => "Organization",
            Some(11) => "OrganizationalUnit",
            Some(17) => "PostalCode",
            _ => "",
        };
        out.push_str(&format!(
            "/{label}={}",
            crate::request::name::atv_string(atv)
        ));
    }
    out
}

fn pem_chain(certs: &[Cert]) -> String {
    certs
        .iter()
        .map(Cert::pem)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The bundle as cfssl's JSON object (keys sorted, hostnames sorted).
pub fn to_json(bundle: &Bundle) -> Value {
    let Some(leaf) = bundle.chain.first() else {
        return json!({});
    };
    let (key_type, key_size) = match leaf.key_kind() {
        KeyKind::Rsa(bits) => (format!("{bits}-bit RSA"), bits),
        KeyKind::Ecdsa(bits) => (format!("{bits}-bit ECDSA"), bits as usize),
        KeyKind::Ed25519 => ("Ed25519".to_string(), 32),
        KeyKind::Other => ("Unknown".to_string(), 0),
    };
    let mut hostnames: Vec<String> = leaf
        .common_name()
        .into_iter()
        .chain(leaf.dns_names())
        .collect();
    hostnames.sort();
    hostnames.dedup();
    let ocsp = leaf.ocsp_servers();
    let tbs = leaf.cert.tbs_certificate();
    let status = &bundle.status;
    let or_null = |v: &[String]| if v.is_empty() { Value::Null } else { json!(v) };
    json!({
        "bundle": pem_chain(&bundle.chain),
        "crt": leaf.pem().trim(),
        "root": bundle.root.as_ref().map(|r| r.pem().trim().to_string()).unwrap_or_default(),
        "key": bundle.key_pem.clone().unwrap_or_default(),
        "key_type": key_type,
        "key_size": key_size,
        "issuer": cfssl_name(tbs.issuer()),
        "subject": cfssl_name(tbs.subject()),
        "expires": chain::expiry(&bundle.chain).map(rfc3339),
        "leaf_expires": rfc3339(leaf.not_after()),
        "hostnames": hostnames,
        "ocsp_support": !ocsp.is_empty(),
        "crl_support": leaf.crl_distribution_points().is_some(),
        "ocsp": or_null(&ocsp),
        "signature": leaf.signature_name(),
        "status": {
            "rebundled": status.rebundled,
            "expiring_SKIs": or_null(&status.expiring_skis),
            "untrusted_root_stores": status.untrusted_root_stores.as_deref().map_or(Value::Null, |u| json!(u)),
            "messages": or_null(&status.messages),
            "code": status.code,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::bundle::test_fixtures::load;

    #[test]
    fn names_render_as_cfssl_does() {
        let root = &load("ca.pem")[0];
        assert_eq!(
            cfssl_name(root.cert.tbs_certificate().subject()),
            "/Country=US/Province=California/Locality=San Francisco/Organization=CloudFlare/OrganizationalUnit=DEV_TESTING/CommonName=CFSSL_TEST_CA"
        );
    }

    #[test]
    fn status_bits_follow_cfssl() {
        let now = SystemTime::now();
        let mut chain = load("cfssl-leaf-ecdsa256.pem");
        chain.extend(load("intermediates.crt"));
        chain.extend(load("ca.pem"));
        let s = status(&chain, Flavor::Optimal, &[], now);
        assert_eq!(s.code, NOT_UBIQUITOUS_BIT);
        assert!(s.messages.iter().any(|m| m == ECDSA_WARNING));
        assert!(s.messages.iter().any(|m| m == NO_METADATA));
        assert!(
            s.messages.iter().any(|m| m.contains("SHA-1 deprecation")),
            "inter-L1 is SHA-1 signed"
        );
        // Shortly before the leaf expires, bit 1 joins in.
        let late = chain[0].not_after() - Duration::from_secs(3600);
        let s = status(&chain, Flavor::Optimal, &[], late);
        assert_eq!(s.code, EXPIRING_BIT | NOT_UBIQUITOUS_BIT);
        assert_eq!(
            s.expiring_skis.len(),
            2,
            "the leaf and inter-L2 expire in 2028"
        );
    }
}
