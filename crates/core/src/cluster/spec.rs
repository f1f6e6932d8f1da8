//! The cluster spec: the one JSON file `certkit cluster init` reads,
//! checked field by field before any key is generated. Fields (unknown
//! ones are refused):
//!
//! - `nodes` (required): control-plane nodes, `{"name": DNS name, "ip": IP}`
//! - `service_ip`: the first IP of the service CIDR (default 10.96.0.1)
//! - `cluster_domain`: the cluster DNS domain (default cluster.local)
//! - `load_balancers`: API server load-balancer names or addresses
//! - `key`: the key algorithm for everything (default rsa-2048; also
//!   rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384); `keys`: per certificate
//!   (or "sa"), by layout name
//! - `ca_expiry`, `leaf_expiry`: Go durations (default 87600h and 8760h)
//! - `cluster_name`: for messages (default kubernetes)

use crate::error::{Error, Result};
use crate::input::duration::parse_go_duration;
use crate::request::KeySpec;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

/// The key algorithms kubeadm offers for its certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EcdsaP256,
    EcdsaP384,
}

impl KeyAlgorithm {
    /// Every algorithm with its spec name.
    pub const ALL: [(&'static str, KeyAlgorithm); 5] = [
        ("rsa-2048", KeyAlgorithm::Rsa2048),
        ("rsa-3072", KeyAlgorithm::Rsa3072),
        ("rsa-4096", KeyAlgorithm::Rsa4096),
        ("ecdsa-p256", KeyAlgorithm::EcdsaP256),
        ("ecdsa-p384", KeyAlgorithm::EcdsaP384),
    ];

    /// Parses a spec name such as "rsa-2048" or "ecdsa-p256".
    pub fn parse(text: &str, field: &str) -> Result<KeyAlgorithm> {
        Self::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
            .map(|(_, alg)| *alg)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
                Error::Request(format!(
                    "{field}: unknown key algorithm {text:?} (use {})",
                    names.join(", ")
                ))
            })
    }

    /// The key request for the generator.
    pub fn key_spec(self) -> KeySpec {
        match self {
            KeyAlgorithm::Rsa2048 => KeySpec::Rsa(2048),
            KeyAlgorithm::Rsa3072 => KeySpec::Rsa(3072),
            KeyAlgorithm::Rsa4096 => KeySpec::Rsa(4096),
            KeyAlgorithm::EcdsaP256 => KeySpec::Ecdsa(256),
            KeyAlgorithm::EcdsaP384 => KeySpec::Ecdsa(384),
        }
    }
}

/// One control-plane node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub ip: IpAddr,
}

/// A checked cluster spec.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    pub cluster_name: String,
    pub cluster_domain: String,
    /// The first IP of the service CIDR: the `kubernetes` Service's address.
    pub service_ip: IpAddr,
    pub nodes: Vec<Node>,
    /// API server load-balancer names (or addresses).
    pub load_balancers: Vec<String>,
    pub default_key: KeyAlgorithm,
    /// Per-certificate key algorithms, by layout name ("etcd/server").
    pub keys: BTreeMap<String, KeyAlgorithm>,
    pub ca_lifetime: Duration,
    pub leaf_lifetime: Duration,
}

impl ClusterSpec {
    /// The key algorithm for the certificate (or key) named `name`.
    pub fn key_for(&self, name: &str) -> KeyAlgorithm {
        self.keys.get(name).copied().unwrap_or(self.default_key)
    }

    /// Parses and checks a spec. `source` names the input in messages;
    /// `known_names` are the layout's certificate names `keys` may use.
    pub fn from_json(bytes: &[u8], source: &str, known_names: &[&str]) -> Result<ClusterSpec> {
        let raw: RawSpec = serde_json::from_slice(bytes).map_err(|e| Error::Json {
            what: source.to_string(),
            source: e,
        })?;
        raw.check(source, known_names)
    }
}

/// The example `certkit cluster print-defaults` prints.
pub const EXAMPLE_SPEC: &str = r#"{
  "cluster_name": "kubernetes",
  "cluster_domain": "cluster.local",
  "service_ip": "10.96.0.1",
  "nodes": [
    { "name": "cp-1", "ip": "192.168.10.11" },
    { "name": "cp-2", "ip": "192.168.10.12" },
    { "name": "cp-3", "ip": "192.168.10.13" }
  ],
  "load_balancers": ["k8s-api.example.com", "192.168.10.10"],
  "key": "rsa-2048",
  "keys": { "etcd/server": "ecdsa-p256", "etcd/peer": "ecdsa-p256" },
  "ca_expiry": "87600h",
  "leaf_expiry": "8760h"
}
"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    #[serde(default)]
    cluster_name: Option<String>,
    #[serde(default)]
    cluster_domain: Option<String>,
    #[serde(default)]
    service_ip: Option<String>,
    #[serde(default)]
    nodes: Vec<RawNode>,
    #[serde(default)]
    load_balancers: Vec<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    keys: BTreeMap<String, String>,
    #[serde(default)]
    ca_expiry: Option<String>,
    #[serde(default)]
    leaf_expiry: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    name: String,
    ip: String,
}

impl RawSpec {
    fn check(self, source: &str, known_names: &[&str]) -> Result<ClusterSpec> {
        let err = |msg: String| Error::Request(format!("{source}: {msg}"));
        if self.nodes.is_empty() {
            return Err(err(
                "nodes: at least one control-plane node is required".into()
            ));
        }
        let mut nodes = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            check_dns_name(&node.name).map_err(|why| err(format!("nodes[{i}].name: {why}")))?;
            let ip = parse_ip(&node.ip).map_err(|why| err(format!("nodes[{i}].ip: {why}")))?;
            nodes.push(Node {
                name: node.name.trim().to_ascii_lowercase(),
                ip,
            });
        }
        let service_ip = match &self.service_ip {
            Some(text) => parse_ip(text).map_err(|why| err(format!("service_ip: {why}")))?,
            None => IpAddr::from([10, 96, 0, 1]),
        };
        let cluster_domain = self
            .cluster_domain
            .unwrap_or_else(|| "cluster.local".into());
        check_dns_name(&cluster_domain).map_err(|why| err(format!("cluster_domain: {why}")))?;
        let mut load_balancers = Vec::new();
        for (i, lb) in self.load_balancers.iter().enumerate() {
            let lb = lb.trim();
            if parse_ip(lb).is_err() {
                check_dns_name(lb).map_err(|why| err(format!("load_balancers[{i}]: {why}")))?;
            }
            load_balancers.push(lb.to_string());
        }
        let default_key = match &self.key {
            Some(text) => KeyAlgorithm::parse(text, &format!("{source}: key"))?,
            None => KeyAlgorithm::Rsa2048,
        };
        let mut keys = BTreeMap::new();
        for (name, alg) in &self.keys {
            if !known_names.contains(&name.as_str()) {
                return Err(err(format!(
                    "keys: unknown certificate {name:?} (known: {})",
                    known_names.join(", ")
                )));
            }
            keys.insert(
                name.clone(),
                KeyAlgorithm::parse(alg, &format!("{source}: keys.{name}"))?,
            );
        }
        let lifetime = |field: &str, text: Option<&str>, default: u64| -> Result<Duration> {
            let Some(text) = text else {
                return Ok(Duration::from_secs(default * 3600));
            };
            match parse_go_duration(text) {
                Ok(d) if d >= Duration::from_secs(60) => Ok(d),
                Ok(_) => Err(err(format!("{field}: {text:?} is shorter than a minute"))),
                Err(why) => Err(err(format!("{field}: {why}"))),
            }
        };
        Ok(ClusterSpec {
            cluster_name: self.cluster_name.unwrap_or_else(|| "kubernetes".into()),
            cluster_domain,
            service_ip,
            nodes,
            load_balancers,
            default_key,
            keys,
            ca_lifetime: lifetime("ca_expiry", self.ca_expiry.as_deref(), 87600)?,
            leaf_lifetime: lifetime("leaf_expiry", self.leaf_expiry.as_deref(), 8760)?,
        })
    }
}

/// An address or name in the spec that is not one; the caller names the
/// field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum HostError {
    #[error("{0:?} is not an IP address")]
    NotAnIp(String),
    #[error("{0:?} is not a DNS name")]
    NotADnsName(String),
}

fn parse_ip(text: &str) -> std::result::Result<IpAddr, HostError> {
    text.trim()
        .parse()
        .map_err(|_| HostError::NotAnIp(text.to_string()))
}

/// A host name as it may appear in a DNS SAN: dot-separated labels of
/// letters, digits and hyphens.
fn check_dns_name(name: &str) -> std::result::Result<(), HostError> {
    let name = name.trim();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(HostError::NotADnsName(name.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["apiserver", "etcd/server", "etcd/peer"];

    fn parse(json: &str) -> Result<ClusterSpec> {
        ClusterSpec::from_json(json.as_bytes(), "spec.json", NAMES)
    }

    #[test]
    fn example_parses_with_its_overrides() {
        let spec = parse(EXAMPLE_SPEC).unwrap();
        assert_eq!(spec.nodes.len(), 3);
        assert_eq!(spec.key_for("apiserver"), KeyAlgorithm::Rsa2048);
        assert_eq!(spec.key_for("etcd/server"), KeyAlgorithm::EcdsaP256);
        assert_eq!(spec.leaf_lifetime, Duration::from_secs(8760 * 3600));
    }

    #[test]
    fn defaults_are_kubeadms() {
        let spec = parse(r#"{"nodes":[{"name":"cp","ip":"10.0.0.2"}]}"#).unwrap();
        assert_eq!(spec.service_ip, IpAddr::from([10, 96, 0, 1]));
        assert_eq!(spec.cluster_domain, "cluster.local");
        assert_eq!(spec.default_key, KeyAlgorithm::Rsa2048);
        assert_eq!(spec.ca_lifetime, Duration::from_secs(87600 * 3600));
    }

    #[test]
    fn bad_fields_are_named() {
        for (json, needle) in [
            (
                r#"{"nodes":[{"name":"cp","ip":"10.0.0.300"}]}"#,
                "nodes[0].ip",
            ),
            (
                r#"{"nodes":[{"name":"c p","ip":"10.0.0.3"}]}"#,
                "nodes[0].name",
            ),
            (r#"{"nodes":[]}"#, "at least one"),
            (
                r#"{"nodes":[{"name":"cp","ip":"10.0.0.3"}],"key":"rsa-1024"}"#,
                "rsa-1024",
            ),
            (
                r#"{"nodes":[{"name":"cp","ip":"10.0.0.3"}],"keys":{"kubelet":"rsa-2048"}}"#,
                "\"kubelet\"",
            ),
            (
                r#"{"nodes":[{"name":"cp","ip":"10.0.0.3"}],"leaf_expiry":"1d"}"#,
                "leaf_expiry",
            ),
            (
                r#"{"nodes":[{"name":"cp","ip":"10.0.0.3"}],"service_ip":"x"}"#,
                "service_ip",
            ),
            (
                r#"{"nodes":[{"name":"cp","ip":"10.0.0.3"}],"load_balancers":["a b"]}"#,
                "load_balancers[0]",
            ),
        ] {
            let err = parse(json).unwrap_err().to_string();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = parse(r#"{"nodes":[{"name":"cp","ip":"10.0.0.3"}],"node":[]}"#).unwrap_err();
        assert!(matches!(err, Error::Json { .. }), "{err}");
        assert!(err.to_string().contains("node"), "{err}");
    }
}
