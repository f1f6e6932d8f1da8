//! Rules for approving a kubelet's serving-certificate request
//! automatically, which kube-controller-manager never does: the requester
//! is the node itself, the subject names that node, the request passes the
//! `kubernetes.io/kubelet-serving` signer's rules, and every SAN is one of
//! the node's own addresses or host names from its Node object.

use super::broken_rule::BrokenRule;
use super::object::CsrObject;
use super::signer_rules::{check_node_subject, BuiltinSigner, NODES_GROUP, NODE_PREFIX};
use crate::csr::VerifiedCsr;
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

impl KubeletServingClaim {
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
