//! Rules for approving a kubelet's serving-certificate request
//! automatically, which kube-controller-manager never does: the requester
//! is the node itself, the subject names that node, the request passes the
//! `kubernetes.io/kubelet-serving` signer's rules, and every SAN is one of
//! the node's own addresses or host names from its Node object.

use super::broken_rule::BrokenRule;
use super::object::CsrObject;
use super::signer_rules::{check_node_subject, BuiltinSigner, NODES_GROUP, NODE_PREFIX};
use crate::csr::VerifiedCsr;
use crate::error::UsageError;
use crate::request::San;
use std::net::IpAddr;

/// The reason written into an Approved condition.
pub const APPROVED_REASON: &str = "CertkitAutoApproved";
/// The reason written into a Denied condition.
pub const DENIED_REASON: &str = "CertkitAutoDenied";

/// A kubelet-serving request whose requester and subject agree on a node;
/// what is left to check is its SANs against that node's addresses.
#[derive(Debug, Clone)]
pub struct KubeletServingClaim {
    /// The node's name (`system:node:<node>`).
    pub node: String,
    sans: Vec<San>,
}

/// Checks everything that does not need the Node object. The error is the
/// rule that failed, to be written into a Denied condition.
pub fn kubelet_serving_claim(obj: &CsrObject) -> Result<KubeletServingClaim, BrokenRule> {
    let signer = BuiltinSigner::KubeletServing;
    if obj.signer_name().ok() != Some(signer.name()) {
        return Err(format!("spec.signerName is not {}", signer.name()).into());
    }
    let user = obj.username().unwrap_or_default();
    let node = user
        .strip_prefix(NODE_PREFIX)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            BrokenRule::from(format!(
                "requester {user:?} is not a node ({NODE_PREFIX}<nodeName>)"
            ))
        })?;
    if !obj.groups().contains(&NODES_GROUP) {
        return Err(format!("requester {user:?} is not in group {NODES_GROUP}").into());
    }
    let request = obj.request().map_err(|e| BrokenRule::from(e.to_string()))?;
    let what = format!("CertificateSigningRequest {}: spec.request", obj.name());
    let csr = VerifiedCsr::parse(&request, &what).map_err(|e| BrokenRule::from(e.to_string()))?;
    let usages = obj.usages().map_err(|e| BrokenRule::from(e.to_string()))?;
    signer.check(&csr, &usages, false)?;
    let subject_node = check_node_subject(&csr)?;
    if subject_node != node {
        return Err(format!(
            "subject CN is {NODE_PREFIX}{subject_node} but the requester is {user}"
        )
        .into());
    }
    Ok(KubeletServingClaim {
        node: node.to_string(),
        sans: csr.sans().map_err(|e| BrokenRule::from(e.to_string()))?,
    })
}

/// The operator's limits on approved kubelet serving certificates, on top
/// of the node's own addresses. The kubelet writes its Node's
/// `status.addresses` itself (NodeRestriction lets it), so a compromised
/// node can list another node's IP or any DNS name there; these limits
/// bound what such a node can obtain.
#[derive(Debug, Clone)]
pub struct ServingLimits {
    /// Every DNS SAN must match this whole (anchored) expression.
    pub dns: Option<regex::Regex>,
    /// Every IP SAN must lie in one of these ranges (none: any address).
    pub ip_ranges: Vec<IpRange>,
    /// At most this many SANs.
    pub max_sans: usize,
}

impl Default for ServingLimits {
    fn default() -> Self {
        ServingLimits {
            dns: None,
            ip_ranges: Vec::new(),
            max_sans: DEFAULT_MAX_SANS,
        }
    }
}

impl ServingLimits {
    /// The limits from their flags: a DNS expression (matched whole), CIDR
    /// ranges, a SAN count. The error names the flag.
    pub fn parse(dns: Option<&str>, ips: &[String], max_sans: usize) -> crate::Result<Self> {
        let dns = dns
            .map(|re| {
                regex::Regex::new(re)
                    .and_then(|_| regex::Regex::new(&format!("^(?:{re})$")))
                    .map_err(|e| UsageError::bad_value("--kubelet-serving-dns", e))
            })
            .transpose()?;
        let ip_ranges = ips
            .iter()
            .filter(|r| !r.trim().is_empty())
            .map(|r| {
                r.parse()
                    .map_err(|e| UsageError::bad_value("--kubelet-serving-ips", e))
            })
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(ServingLimits {
            dns,
            ip_ranges,
            max_sans,
        })
    }
}

/// A kubelet names its host name and a few addresses; more is suspect.
pub const DEFAULT_MAX_SANS: usize = 10;

/// An address range in CIDR notation (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    base: IpAddr,
    prefix: u8,
}

/// Text that is not an address range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an address range (CIDR, e.g. 10.0.0.0/8)")]
pub struct NotARange(String);

impl std::str::FromStr for IpRange {
    type Err = NotARange;
    fn from_str(text: &str) -> Result<IpRange, NotARange> {
        let bad = || NotARange(text.to_string());
        let (addr, prefix) = text.trim().split_once('/').ok_or_else(bad)?;
        let base: IpAddr = addr.parse().map_err(|_| bad())?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        let bits = if base.is_ipv4() { 32 } else { 128 };
        if prefix > bits {
            return Err(bad());
        }
        Ok(IpRange { base, prefix })
    }
}

impl IpRange {
    /// Whether `ip` lies in the range (an IPv4 range holds no IPv6 address).
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let (base, ip, bits) = match (self.base, ip) {
            (IpAddr::V4(b), IpAddr::V4(i)) => (u32::from(b) as u128, u32::from(*i) as u128, 32),
            (IpAddr::V6(b), IpAddr::V6(i)) => (u128::from(b), u128::from(*i), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        shift >= 128 || (base >> shift) == (ip >> shift)
    }
}

impl KubeletServingClaim {
    /// Checks the SANs against the operator's limits: the count, DNS names
    /// against the expression, IP addresses against the ranges.
    pub fn check_limits(&self, limits: &ServingLimits) -> Result<(), BrokenRule> {
        if self.sans.len() > limits.max_sans {
            return Err(format!(
                "{} SANs, more than the {} allowed",
                self.sans.len(),
                limits.max_sans
            )
            .into());
        }
        for san in &self.sans {
            let allowed = match san {
                San::Dns(name) => limits.dns.as_ref().is_none_or(|re| re.is_match(name)),
                San::Ip(ip) => {
                    limits.ip_ranges.is_empty() || limits.ip_ranges.iter().any(|r| r.contains(ip))
                }
                San::Email(_) | San::Uri(_) => false,
            };
            if !allowed {
                return Err(format!(
                    "SAN {} is outside the signer's allowed names and addresses",
                    san_text(san)
                )
                .into());
            }
        }
        Ok(())
    }

    /// Checks every DNS and IP SAN against the node's `status.addresses`
    /// values (host names, DNS names and IP addresses).
    pub fn check_addresses(&self, addresses: &[String]) -> Result<(), BrokenRule> {
        let ips: Vec<IpAddr> = addresses.iter().filter_map(|a| a.parse().ok()).collect();
        for san in &self.sans {
            let known = match san {
                San::Dns(name) => addresses.iter().any(|a| a.eq_ignore_ascii_case(name)),
                San::Ip(ip) => ips.contains(ip),
                // The signer rules already refuse these.
                San::Email(_) | San::Uri(_) => false,
            };
            if !known {
                return Err(format!(
                    "SAN {} is not an address of node {} (it has: {})",
                    san_text(san),
                    self.node,
                    addresses.join(", ")
                )
                .into());
            }
        }
        Ok(())
    }
}

/// Which permission a kubelet client-certificate request needs, as
/// kube-controller-manager's approver asks it: `create` on
/// `certificatesigningrequests/selfnodeclient` when a node renews its own
/// certificate, `.../nodeclient` otherwise (bootstrap with a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeletClientClaim {
    /// The node the certificate is for.
    pub node: String,
    /// The subresource whose `create` permission approves it.
    pub subresource: &'static str,
}

/// Checks a `kubernetes.io/kube-apiserver-client-kubelet` request against
/// that signer's rules (subject, no SANs, usages) and says which permission
/// its requester needs for it to be approved.
pub fn kubelet_client_claim(obj: &CsrObject) -> Result<KubeletClientClaim, BrokenRule> {
    let signer = BuiltinSigner::KubeletClient;
    if obj.signer_name().ok() != Some(signer.name()) {
        return Err(format!("spec.signerName is not {}", signer.name()).into());
    }
    let request = obj.request().map_err(|e| BrokenRule::from(e.to_string()))?;
    let what = format!("CertificateSigningRequest {}: spec.request", obj.name());
    let csr = VerifiedCsr::parse(&request, &what).map_err(|e| BrokenRule::from(e.to_string()))?;
    let usages = obj.usages().map_err(|e| BrokenRule::from(e.to_string()))?;
    signer.check(&csr, &usages, false)?;
    let node = check_node_subject(&csr)?;
    let renewal = obj.username() == Some(&format!("{NODE_PREFIX}{node}"))
        && obj.groups().contains(&NODES_GROUP);
    Ok(KubeletClientClaim {
        node,
        subresource: if renewal {
            "selfnodeclient"
        } else {
            "nodeclient"
        },
    })
}

fn san_text(san: &San) -> String {
    match san {
        San::Dns(v) | San::Email(v) | San::Uri(v) => v.clone(),
        San::Ip(ip) => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyPair;
    use crate::request::{KeySpec, NameEntry, Request};
    use serde_json::json;

    fn object(user: &str, groups: &[&str], cn: &str, hosts: &[&str]) -> CsrObject {
        request_object(
            "kubernetes.io/kubelet-serving",
            &["digital signature", "server auth"],
            user,
            groups,
            cn,
            hosts,
        )
    }

    fn request_object(
        signer: &str,
        usages: &[&str],
        user: &str,
        groups: &[&str],
        cn: &str,
        hosts: &[&str],
    ) -> CsrObject {
        let req = Request {
            cn: cn.into(),
            names: vec![NameEntry {
                o: "system:nodes".into(),
                ..Default::default()
            }],
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            key: KeySpec::Ecdsa(256),
            ..Default::default()
        };
        let key = KeyPair::generate(req.key).unwrap();
        let pem = crate::csr::build(&req, &key).unwrap();
        let value = json!({
            "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
            "metadata": {"name": "csr-1"},
            "spec": {
                "request": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pem),
                "signerName": signer,
                "usages": usages,
                "username": user, "groups": groups,
            },
        });
        CsrObject::from_value(value, "t").unwrap()
    }

    fn addrs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_node_itself_with_its_own_addresses_is_approved() {
        let obj = object(
            "system:node:node1",
            &["system:nodes", "system:authenticated"],
            "system:node:node1",
            &["node1", "10.0.0.7"],
        );
        let claim = kubelet_serving_claim(&obj).unwrap();
        assert_eq!(claim.node, "node1");
        claim
            .check_addresses(&addrs(&["10.0.0.7", "NODE1"]))
            .unwrap();
    }

    /// S9: the operator's limits hold even for addresses the node lists:
    /// a DNS name outside the expression, an IP outside the ranges, and
    /// too many SANs are denied.
    #[test]
    fn serving_limits_bound_what_a_node_may_list() {
        let claim = kubelet_serving_claim(&object(
            "system:node:node1",
            &["system:nodes"],
            "system:node:node1",
            &["node1", "kubernetes.default.svc", "10.0.0.7", "192.168.1.5"],
        ))
        .unwrap();
        let limits = ServingLimits {
            dns: Some(regex::Regex::new("^(?:node[0-9]+)$").unwrap()),
            ip_ranges: vec!["10.0.0.0/8".parse().unwrap()],
            max_sans: 10,
        };
        let err = claim.check_limits(&limits).unwrap_err().to_string();
        assert!(err.contains("SAN kubernetes.default.svc"), "{err}");
        let ok = kubelet_serving_claim(&object(
            "system:node:node1",
            &["system:nodes"],
            "system:node:node1",
            &["node1", "10.0.0.7"],
        ))
        .unwrap();
        ok.check_limits(&limits).unwrap();
        let outside = kubelet_serving_claim(&object(
            "system:node:node1",
            &["system:nodes"],
            "system:node:node1",
            &["node1", "192.168.1.5"],
        ))
        .unwrap();
        let err = outside.check_limits(&limits).unwrap_err().to_string();
        assert!(err.contains("SAN 192.168.1.5"), "{err}");
        let few = ServingLimits {
            max_sans: 1,
            ..ServingLimits::default()
        };
        assert!(ok
            .check_limits(&few)
            .unwrap_err()
            .to_string()
            .contains("2 SANs"));
        let v6: IpRange = "fd00::/8".parse().unwrap();
        assert!(v6.contains(&"fd12::1".parse().unwrap()));
        assert!(!v6.contains(&"10.0.0.1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpRange>().is_err());
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(&"1.2.3.4".parse().unwrap()));
    }

    #[test]
    fn a_foreign_san_is_denied_naming_it() {
        let obj = object(
            "system:node:node1",
            &["system:nodes"],
            "system:node:node1",
            &["node1", "evil.example.com"],
        );
        let err = kubelet_serving_claim(&obj)
            .unwrap()
            .check_addresses(&addrs(&["node1", "10.0.0.7"]))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("SAN evil.example.com is not an address of node node1"),
            "{err}"
        );
        let err = kubelet_serving_claim(&object(
            "system:node:node1",
            &["system:nodes"],
            "system:node:node1",
            &["10.9.9.9"],
        ))
        .unwrap()
        .check_addresses(&addrs(&["10.0.0.7"]))
        .unwrap_err();
        assert!(err.to_string().contains("SAN 10.9.9.9"), "{err}");
    }

    #[test]
    fn requester_and_subject_must_be_the_same_node() {
        let other = object(
            "system:node:node2",
            &["system:nodes"],
            "system:node:node1",
            &["node1"],
        );
        let err = kubelet_serving_claim(&other).unwrap_err();
        assert!(
            err.to_string()
                .contains("but the requester is system:node:node2"),
            "{err}"
        );
        let user = object("alice", &["system:nodes"], "system:node:node1", &["node1"]);
        assert!(kubelet_serving_claim(&user)
            .unwrap_err()
            .to_string()
            .contains("is not a node"));
        let group = object(
            "system:node:node1",
            &["system:authenticated"],
            "system:node:node1",
            &["node1"],
        );
        assert!(kubelet_serving_claim(&group)
            .unwrap_err()
            .to_string()
            .contains("not in group system:nodes"));
    }

    #[test]
    fn kubelet_client_requests_need_the_right_permission() {
        let client = |user: &str, groups: &[&str], cn: &str, hosts: &[&str]| {
            request_object(
                "kubernetes.io/kube-apiserver-client-kubelet",
                &["digital signature", "client auth"],
                user,
                groups,
                cn,
                hosts,
            )
        };
        let renewal = client(
            "system:node:node1",
            &["system:nodes"],
            "system:node:node1",
            &[],
        );
        assert_eq!(
            kubelet_client_claim(&renewal).unwrap(),
            KubeletClientClaim {
                node: "node1".into(),
                subresource: "selfnodeclient"
            }
        );
        let bootstrap = client(
            "system:bootstrap:abcdef",
            &["system:bootstrappers"],
            "system:node:node1",
            &[],
        );
        assert_eq!(
            kubelet_client_claim(&bootstrap).unwrap().subresource,
            "nodeclient"
        );
        let other_node = client(
            "system:node:node2",
            &["system:nodes"],
            "system:node:node1",
            &[],
        );
        assert_eq!(
            kubelet_client_claim(&other_node).unwrap().subresource,
            "nodeclient"
        );
        let with_san = client(
            "system:node:node1",
            &["system:nodes"],
            "system:node:node1",
            &["node1"],
        );
        assert!(kubelet_client_claim(&with_san)
            .unwrap_err()
            .to_string()
            .contains("subject alternative names are not allowed"));
    }
}
