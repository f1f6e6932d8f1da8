//! The certificate request model: cfssl's CSR JSON (`CN`, `names`, `hosts`,
//! `key`, `ca`, ...), with Go's case-insensitive key matching, cfssl's
//! defaults, and the typing of `hosts` into SANs.

pub mod dns;
pub mod name;

use crate::error::{Error, Result};
use crate::input::duration::parse_go_duration;
use crate::input::json_fields::{kind, string_array_skip_empty, Fields};
use serde_json::{Map, Value};
use std::net::IpAddr;
use std::time::Duration;

/// A parsed certificate request (cfssl's `csr.CertificateRequest`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    pub cn: String,
    pub names: Vec<NameEntry>,
    pub hosts: Vec<String>,
    pub key: KeySpec,
    pub ca: Option<CaConfig>,
    pub serial_number: String,
    pub crl_url: String,
    /// RFC 9345 DelegationUsage in the CSR (cfssl 1.6.5).
    pub delegation_enabled: bool,
    /// `extensions`: put in the CSR as they are (cfssl 1.6.5).
    pub extensions: Vec<RequestedExtension>,
}

/// One entry of a request's `extensions`, Go's `pkix.Extension` in JSON:
/// `id` an array of arcs, `critical`, `value` the DER value in base64.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedExtension {
    /// Dotted.
    pub oid: String,
    pub critical: bool,
    pub value: Vec<u8>,
}

/// One entry of `names`: each non-empty field becomes one subject attribute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameEntry {
    pub c: String,
    pub st: String,
    pub l: String,
    pub o: String,
    pub ou: String,
    pub e: String,
    pub serial_number: String,
    /// Extra attributes as (dotted OID, value), in request order.
    pub oids: Vec<(String, String)>,
}

/// The requested key algorithm and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    Rsa(u32),
    Ecdsa(u32),
    Ed25519,
}

impl Default for KeySpec {
    /// cfssl's default key: ECDSA P-256.
    fn default() -> Self {
        KeySpec::Ecdsa(256)
    }
}

impl std::fmt::Display for KeySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySpec::Rsa(size) => write!(f, "rsa-{size}"),
            KeySpec::Ecdsa(size) => write!(f, "ecdsa-{size}"),
            KeySpec::Ed25519 => write!(f, "ed25519"),
        }
    }
}

/// The `ca` section of a request: how initca makes the CA certificate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaConfig {
    pub pathlen: Option<u8>,
    pub pathlenzero: bool,
    pub expiry: Option<Duration>,
    pub backdate: Option<Duration>,
}

impl CaConfig {
    /// The pathLenConstraint to encode, as cfssl decides it: `pathlen` when
    /// positive, 0 when `pathlenzero`, otherwise none.
    pub fn path_len(&self) -> Option<u8> {
        match self.pathlen {
            Some(n) if n > 0 => Some(n),
            _ if self.pathlenzero => Some(0),
            _ => None,
        }
    }
}

/// A subject alternative name, typed from a `hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum San {
    Dns(String),
    Ip(IpAddr),
    Email(String),
    Uri(String),
}

impl San {
    /// Types a host as cfssl does: an IP address, else an email address,
    /// else an absolute URI (`spiffe://...`), else a DNS name.
    pub fn classify(host: &str) -> San {
        if let Ok(ip) = host.parse::<IpAddr>() {
            San::Ip(ip)
        } else if is_email(host) {
            San::Email(host.to_string())
        } else if is_request_uri(host) {
            San::Uri(host.to_string())
        } else {
            San::Dns(host.to_string())
        }
    }
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

/// Go's `url.ParseRequestURI` accepts `scheme:/...` and nothing relative.
fn is_request_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && rest.starts_with('/')
}

/// Refuses a host that cannot be the SAN it is typed as, naming it by
/// position (`hosts[2]`). Empty entries are left to the caller (cfssl
/// drops them).
pub fn check_hosts(hosts: &[String], source: &str) -> Result<()> {
    for (i, host) in hosts.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        check_san(&San::classify(host)).map_err(|e| {
            Error::Request(format!(
                "{source}: hosts[{i}] {:?} {e}",
                crate::text::clip(host)
            ))
        })?;
    }
    Ok(())
}

/// Checks one SAN's syntax: DNS names (`dns`), the domain of an email
/// address, and no control characters or spaces in emails and URIs.
pub fn check_san(san: &San) -> std::result::Result<(), dns::NameSyntaxError> {
    let clean = |s: &str| {
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            Err(dns::NameSyntaxError::ControlOrSpace)
        } else {
            Ok(())
        }
    };
    match san {
        San::Dns(name) => dns::check_dns_name(name),
        San::Email(address) => {
            clean(address)?;
            let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
            dns::check_dns_name(domain).map_err(|e| dns::NameSyntaxError::EmailDomain(Box::new(e)))
        }
        San::Uri(uri) => clean(uri),
        San::Ip(_) => Ok(()),
    }
}

/// Types every host in order.
pub fn sans_from_hosts(hosts: &[String]) -> Vec<San> {
    hosts.iter().map(|h| San::classify(h)).collect()
}

/// A parsed request together with the warnings it deserves (unknown keys,
/// unsupported fields), which the caller logs.
#[derive(Debug)]
pub struct Parsed {
    pub request: Request,
    pub warnings: Vec<String>,
}

impl Request {
    /// Parses a CSR JSON document. `source` names the input in messages.
    pub fn from_json(bytes: &[u8], source: &str) -> Result<Parsed> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::Json {
            what: source.to_string(),
            source: e,
        })?;
        let Value::Object(obj) = value else {
            return Err(Error::Request(format!(
                "{source}: expected a JSON object, found {}",
                kind(&value)
            )));
        };
        let mut warnings = Vec::new();
        let request = parse_request(&obj, &mut warnings)?;
        check_hosts(&request.hosts, source)?;
        Ok(Parsed { request, warnings })
    }

    /// Whether any subject attribute or SAN is present.
    pub fn has_subject(&self) -> bool {
        !self.cn.is_empty() || !self.names.is_empty() || !self.serial_number.is_empty()
    }
}

const REQUEST_KEYS: &[&str] = &[
    "cn",
    "names",
    "hosts",
    "key",
    "ca",
    "serialnumber",
    "crl_url",
    "delegation_enabled",
    "extensions",
];

/// `extensions`: Go's `[]pkix.Extension` in JSON (keys matched ignoring
/// case, as Go does).
fn requested_extensions(v: &Value) -> Result<Vec<RequestedExtension>> {
    use base64::Engine;
    let bad = |i: usize, why: String| Error::Request(format!("extensions[{i}]: {why}"));
    let Value::Array(items) = v else {
        return Err(Error::Request(format!(
            "extensions: expected an array, found {}",
            kind(v)
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(o) = item else {
            return Err(bad(i, format!("expected an object, found {}", kind(item))));
        };
        let get = |name: &str| {
            o.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        let arcs = match get("id") {
            Some(Value::Array(arcs)) if arcs.len() >= 2 => arcs
                .iter()
                .map(|a| a.as_u64().map(|n| n.to_string()))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad(i, "id: expected an array of numbers".into()))?,
            _ => {
                return Err(bad(
                    i,
                    "id: expected an array of numbers ([1, 2, 3])".into(),
                ))
            }
        };
        let oid = arcs.join(".");
        const_oid::ObjectIdentifier::new(&oid)
            .map_err(|_| bad(i, format!("id: {oid} is not a valid OID")))?;
        let critical = match get("critical") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(bad(
                    i,
                    format!("critical: expected true or false, found {}", kind(other)),
                ))
            }
        };
        let value = match get("value") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|_| bad(i, "value: not base64".into()))?,
            Some(other) => {
                return Err(bad(
                    i,
                    format!("value: expected base64, found {}", kind(other)),
                ))
            }
        };
        out.push(RequestedExtension {
            oid,
            critical,
            value,
        });
    }
    Ok(out)
}

fn parse_request(obj: &Map<String, Value>, warnings: &mut Vec<String>) -> Result<Request> {
    let f = Fields::new(obj, "", REQUEST_KEYS, warnings, Error::Request);
    let mut req = Request {
        cn: f.string("cn")?,
        serial_number: f.string("serialnumber")?,
        crl_url: f.string("crl_url")?,
        ..Request::default()
    };
    if let Some(v) = f.get("delegation_enabled") {
        req.delegation_enabled = v.as_bool().ok_or_else(|| {
            Error::Request(format!(
                "delegation_enabled: expected true or false, found {}",
                kind(v)
            ))
        })?;
    }
    if let Some(v) = f.get("extensions") {
        req.extensions = requested_extensions(v)?;
    }
    if let Some(v) = f.get("hosts") {
        req.hosts = hosts(v, warnings)?;
    }
    if let Some(v) = f.get("names") {
        let Value::Array(items) = v else {
            return Err(Error::Request(format!(
                "names: expected an array, found {}",
                kind(v)
            )));
        };
        for (i, item) in items.iter().enumerate() {
            let Value::Object(o) = item else {
                return Err(Error::Request(format!(
                    "names[{i}]: expected an object, found {}",
                    kind(item)
                )));
            };
            req.names.push(parse_name(o, i, warnings)?);
        }
    }
    if let Some(v) = f.get("key") {
        if !v.is_null() {
            let Value::Object(o) = v else {
                return Err(Error::Request(format!(
                    "key: expected an object, found {}",
                    kind(v)
                )));
            };
            req.key = parse_key(o, warnings)?;
        }
    }
    if let Some(v) = f.get("ca") {
        if !v.is_null() {
            let Value::Object(o) = v else {
                return Err(Error::Request(format!(
                    "ca: expected an object, found {}",
                    kind(v)
                )));
            };
            req.ca = Some(parse_ca(o, warnings)?);
        }
    }
    Ok(req)
}

/// `hosts`, without empty entries: cfssl's own test data and widely copied
/// guides write `"hosts": [""]`, from which cfssl makes an empty DNS name
/// (invalid in a certificate). Dropped with a warning.
fn hosts(v: &Value, warnings: &mut Vec<String>) -> Result<Vec<String>> {
    let (hosts, dropped) = string_array_skip_empty(v, "hosts", Error::Request)?;
    if dropped {
        warnings.push(
            "hosts: empty entries dropped (cfssl would put an empty DNS name in the certificate)"
                .into(),
        );
    }
    Ok(hosts)
}

const NAME_KEYS: &[&str] = &["c", "st", "l", "o", "ou", "e", "serialnumber", "oid"];

fn parse_name(
    obj: &Map<String, Value>,
    index: usize,
    warnings: &mut Vec<String>,
) -> Result<NameEntry> {
    let ctx = format!("names[{index}].");
    let f = Fields::new(obj, &ctx, NAME_KEYS, warnings, Error::Request);
    let mut entry = NameEntry {
        c: f.string("c")?,
        st: f.string("st")?,
        l: f.string("l")?,
        o: f.string("o")?,
        ou: f.string("ou")?,
        e: f.string("e")?,
        serial_number: f.string("serialnumber")?,
        oids: Vec::new(),
    };
    if let Some(v) = f.get("oid") {
        let Value::Object(map) = v else {
            return Err(Error::Request(format!(
                "{ctx}OID: expected an object of \"dotted.oid\": \"value\", found {}",
                kind(v)
            )));
        };
        for (oid, value) in map {
            if const_oid::ObjectIdentifier::new(oid).is_err() {
                return Err(Error::Request(format!(
                    "{ctx}OID: {oid:?} is not a dotted object identifier"
                )));
            }
            let Value::String(s) = value else {
                return Err(Error::Request(format!(
                    "{ctx}OID.{oid}: expected a string, found {}",
                    kind(value)
                )));
            };
            entry.oids.push((oid.clone(), s.clone()));
        }
    }
    Ok(entry)
}

fn parse_key(obj: &Map<String, Value>, warnings: &mut Vec<String>) -> Result<KeySpec> {
    let f = Fields::new(obj, "key.", &["algo", "size"], warnings, Error::Request);
    let algo = f.string("algo")?.to_ascii_lowercase();
    let size = match f.get("size") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                Error::Request(format!(
                    "key.size: expected a positive whole number, found {v}"
                ))
            })?,
    };
    let spec = match algo.as_str() {
        "rsa" => KeySpec::Rsa(if size == 0 { 2048 } else { size }),
        "ecdsa" | "" => KeySpec::Ecdsa(if size == 0 { 256 } else { size }),
        "ed25519" => KeySpec::Ed25519,
        other => {
            return Err(Error::Request(format!(
                "key.algo: unknown algorithm {other:?} (expected rsa, ecdsa or ed25519)"
            )))
        }
    };
    match spec {
        KeySpec::Rsa(n) if !(2048..=8192).contains(&n) => Err(Error::Request(format!(
            "key.size: RSA key size {n} is not allowed (2048 to 8192 bits)"
        ))),
        KeySpec::Ecdsa(n) if ![256, 384, 521].contains(&n) => Err(Error::Request(format!(
            "key.size: ECDSA key size {n} is not allowed (256, 384 or 521)"
        ))),
        spec => Ok(spec),
    }
}

fn parse_ca(obj: &Map<String, Value>, warnings: &mut Vec<String>) -> Result<CaConfig> {
    let f = Fields::new(
        obj,
        "ca.",
        &["pathlen", "pathlenzero", "expiry", "backdate"],
        warnings,
        Error::Request,
    );
    let mut ca = CaConfig::default();
    if let Some(v) = f.get("pathlen") {
        if !v.is_null() {
            let n = v
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| {
                    Error::Request(format!(
                        "ca.pathlen: expected a whole number from 0 to 255, found {v}"
                    ))
                })?;
            ca.pathlen = Some(n);
        }
    }
    if let Some(v) = f.get("pathlenzero") {
        ca.pathlenzero = v.as_bool().ok_or_else(|| {
            Error::Request(format!(
                "ca.pathlenzero: expected true or false, found {}",
                kind(v)
            ))
        })?;
    }
    for (field, slot) in [("expiry", &mut ca.expiry), ("backdate", &mut ca.backdate)] {
        let text = f.string(field)?;
        if !text.is_empty() {
            *slot = Some(
                parse_go_duration(&text).map_err(|e| Error::Request(format!("ca.{field}: {e}")))?,
            );
        }
    }
    Ok(ca)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Parsed> {
        Request::from_json(json.as_bytes(), "test.json")
    }

    #[test]
    fn defaults_to_ecdsa_p256() {
        let p = parse(r#"{"CN":"a"}"#).unwrap();
        assert_eq!(p.request.key, KeySpec::Ecdsa(256));
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn keys_match_case_insensitively() {
        let p =
            parse(r#"{"cn":"x","Hosts":["a.example"],"KEY":{"Algo":"RSA","SIZE":4096}}"#).unwrap();
        assert_eq!(p.request.cn, "x");
        assert_eq!(p.request.hosts, vec!["a.example"]);
        assert_eq!(p.request.key, KeySpec::Rsa(4096));
    }

    #[test]
    fn unknown_keys_are_warned_about() {
        let p = parse(r#"{"CN":"x","host":["a"],"names":[{"O":"a","Org":"b"}]}"#).unwrap();
        assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
        assert!(p.warnings[0].contains("\"host\""));
        assert!(p.warnings[1].contains("names[0].\"Org\""));
    }

    #[test]
    fn rejects_bad_keys() {
        for (json, needle) in [
            (r#"{"key":{"algo":"rsa","size":1024}}"#, "1024"),
            (r#"{"key":{"algo":"dsa","size":2048}}"#, "\"dsa\""),
            (r#"{"key":{"algo":"ecdsa","size":224}}"#, "224"),
            (r#"{"key":{"algo":"rsa","size":"big"}}"#, "key.size"),
        ] {
            let err = parse(json).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn rejects_wrong_types_naming_the_field() {
        let err = parse(r#"{"CN":5}"#).unwrap_err().to_string();
        assert!(err.contains("CN: expected a string"), "{err}");
        let err = parse(r#"{"names":[{"O":["a"]}]}"#).unwrap_err().to_string();
        assert!(err.contains("names[0].O"), "{err}");
        let err = parse("[1]").unwrap_err().to_string();
        assert!(err.contains("expected a JSON object"), "{err}");
        assert!(matches!(parse("{").unwrap_err(), Error::Json { .. }));
    }

    #[test]
    fn hosts_are_typed_like_cfssl() {
        let sans = sans_from_hosts(&[
            "192.0.2.24".into(),
            "2001:db8::1".into(),
            "admin@example.com".into(),
            "spiffe://cluster.local/ns/default/sa/web".into(),
            "my-svc.my-namespace.svc.cluster.local".into(),
            "localhost".into(),
            "host:8080".into(),
        ]);
        assert!(matches!(sans[0], San::Ip(IpAddr::V4(_))));
        assert!(matches!(sans[1], San::Ip(IpAddr::V6(_))));
        assert_eq!(sans[2], San::Email("admin@example.com".into()));
        assert_eq!(
            sans[3],
            San::Uri("spiffe://cluster.local/ns/default/sa/web".into())
        );
        assert_eq!(
            sans[4],
            San::Dns("my-svc.my-namespace.svc.cluster.local".into())
        );
        assert_eq!(sans[5], San::Dns("localhost".into()));
        assert_eq!(sans[6], San::Dns("host:8080".into()));
    }

    #[test]
    fn ca_section_parses_pathlen_and_expiry() {
        let p = parse(r#"{"CN":"ca","ca":{"pathlen":1,"expiry":"87600h"}}"#).unwrap();
        let ca = p.request.ca.unwrap();
        assert_eq!(ca.path_len(), Some(1));
        assert_eq!(ca.expiry, Some(Duration::from_secs(87600 * 3600)));
        let p = parse(r#"{"CN":"ca","ca":{"pathlen":0,"pathlenzero":true}}"#).unwrap();
        assert_eq!(p.request.ca.unwrap().path_len(), Some(0));
        let p = parse(r#"{"CN":"ca","ca":{"pathlen":0}}"#).unwrap();
        assert_eq!(p.request.ca.unwrap().path_len(), None);
    }

    #[test]
    fn names_keep_every_entry_and_oid() {
        let p = parse(r#"{"names":[{"O":"system:masters"},{"O":"system:nodes","OU":"x","OID":{"1.2.3.4":"v"}}]}"#).unwrap();
        assert_eq!(p.request.names.len(), 2);
        assert_eq!(
            p.request.names[1].oids,
            vec![("1.2.3.4".to_string(), "v".to_string())]
        );
        assert!(parse(r#"{"names":[{"OID":{"not-an-oid":"v"}}]}"#).is_err());
    }
}
