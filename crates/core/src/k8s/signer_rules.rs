//! The rules Kubernetes' own signers enforce before they sign, so certkit
//! standing in for them refuses what they would refuse.

use super::broken_rule::BrokenRule;
use crate::csr::VerifiedCsr;
use crate::error::Result;
use crate::policy::{parse_usage, Usage};
use crate::request::name::atv_string;
use crate::request::San;
use const_oid::db::rfc4519;
use x509_cert::ext::pkix::KeyUsages;

/// Kubernetes' built-in signers whose rules certkit knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinSigner {
    /// `kubernetes.io/kube-apiserver-client-kubelet`: kubelet client certificates.
    KubeletClient,
    /// `kubernetes.io/kubelet-serving`: kubelet serving certificates.
    KubeletServing,
    /// `kubernetes.io/kube-apiserver-client`: client certificates for the API server.
    ApiserverClient,
}

pub(crate) const NODES_GROUP: &str = "system:nodes";
pub(crate) const NODE_PREFIX: &str = "system:node:";

impl BuiltinSigner {
    /// The built-in signer with this name, if it is one.
    pub fn from_name(name: &str) -> Option<BuiltinSigner> {
        match name {
            "kubernetes.io/kube-apiserver-client-kubelet" => Some(BuiltinSigner::KubeletClient),
            "kubernetes.io/kubelet-serving" => Some(BuiltinSigner::KubeletServing),
            "kubernetes.io/kube-apiserver-client" => Some(BuiltinSigner::ApiserverClient),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BuiltinSigner::KubeletClient => "kubernetes.io/kube-apiserver-client-kubelet",
            BuiltinSigner::KubeletServing => "kubernetes.io/kubelet-serving",
            BuiltinSigner::ApiserverClient => "kubernetes.io/kube-apiserver-client",
        }
    }

    /// Checks a CSR and its requested usages against this signer's rules.
    /// `issues_ca` says whether the signing profile would make a CA. The
    /// error is the rule that failed, prefixed with the signer's name.
    pub fn check(
        self,
        csr: &VerifiedCsr,
        usage_words: &[String],
        issues_ca: bool,
    ) -> Result<(), BrokenRule> {
        let rule =
            |why: BrokenRule| BrokenRule::from(format!("{} signer rule: {why}", self.name()));
        let usages = usage_set(usage_words).map_err(rule)?;
        let sans = csr.sans().map_err(|e| rule(e.to_string().into()))?;
        match self {
            BuiltinSigner::KubeletClient => {
                check_node_subject(csr).map_err(rule)?;
                if !sans.is_empty() {
                    return Err(rule("subject alternative names are not allowed".into()));
                }
                check_usages(
                    &usages,
                    &[DIGITAL_SIGNATURE, CLIENT_AUTH],
                    &[KEY_ENCIPHERMENT],
                )
                .map_err(rule)
            }
            BuiltinSigner::KubeletServing => {
                check_node_subject(csr).map_err(rule)?;
                if sans
                    .iter()
                    .any(|s| matches!(s, San::Email(_) | San::Uri(_)))
                {
                    return Err(rule(
                        "email and URI subject alternative names are not allowed".into(),
                    ));
                }
                if !sans.iter().any(|s| matches!(s, San::Dns(_) | San::Ip(_))) {
                    return Err(rule(
                        "at least one DNS or IP subject alternative name is required".into(),
                    ));
                }
                check_usages(
                    &usages,
                    &[DIGITAL_SIGNATURE, SERVER_AUTH],
                    &[KEY_ENCIPHERMENT],
                )
                .map_err(rule)
            }
            BuiltinSigner::ApiserverClient => {
                if issues_ca
                    || csr
                        .requested_ca()
                        .map_err(|e| rule(e.to_string().into()))?
                        .is_some()
                {
                    return Err(rule("CA certificates are not allowed".into()));
                }
                check_usages(
                    &usages,
                    &[CLIENT_AUTH],
                    &[DIGITAL_SIGNATURE, KEY_ENCIPHERMENT],
                )
                .map_err(rule)
            }
        }
    }
}

/// A usage and the word Kubernetes uses for it in messages.
type Named = (&'static str, Usage);
const DIGITAL_SIGNATURE: Named = ("digital signature", Usage::Key(KeyUsages::DigitalSignature));
const KEY_ENCIPHERMENT: Named = ("key encipherment", Usage::Key(KeyUsages::KeyEncipherment));
const CLIENT_AUTH: Named = (
    "client auth",
    Usage::Ext(const_oid::db::rfc5280::ID_KP_CLIENT_AUTH),
);
const SERVER_AUTH: Named = (
    "server auth",
    Usage::Ext(const_oid::db::rfc5280::ID_KP_SERVER_AUTH),
);

fn usage_set(words: &[String]) -> Result<Vec<(String, Usage)>, BrokenRule> {
    words
        .iter()
        .map(|w| {
            parse_usage(w)
                .map(|u| (w.clone(), u))
                .ok_or_else(|| BrokenRule::from(format!("unknown usage {w:?}")))
        })
        .collect()
}

/// Every `required` usage present, nothing outside `required` + `optional`.
fn check_usages(
    usages: &[(String, Usage)],
    required: &[Named],
    optional: &[Named],
) -> Result<(), BrokenRule> {
    for (word, usage) in required {
        if !usages.iter().any(|(_, u)| u == usage) {
            return Err(format!("usage {word:?} is required").into());
        }
    }
    for (word, usage) in usages {
        if !required.iter().chain(optional).any(|(_, u)| u == usage) {
            let allowed: Vec<&str> = required.iter().chain(optional).map(|(w, _)| *w).collect();
            return Err(format!(
                "usage {word:?} is not allowed (allowed: {})",
                allowed.join(", ")
            )
            .into());
        }
    }
    Ok(())
}

/// O exactly `system:nodes`, CN `system:node:<name>`; the node's name.
pub(crate) fn check_node_subject(csr: &VerifiedCsr) -> Result<String, BrokenRule> {
    let values = |oid| -> Vec<String> {
        csr.subject()
            .iter()
            .filter(|atv| atv.oid == oid)
            .map(atv_string)
            .collect()
    };
    let orgs = values(rfc4519::O);
    if orgs != [NODES_GROUP] {
        return Err(format!("subject O must be exactly [{NODES_GROUP:?}], found {orgs:?}").into());
    }
    let cns = values(rfc4519::CN);
    match cns.as_slice() {
        [cn] if cn
            .strip_prefix(NODE_PREFIX)
            .is_some_and(|node| !node.is_empty()) =>
        {
            Ok(cn[NODE_PREFIX.len()..].to_string())
        }
        _ => Err(format!("subject CN must be \"{NODE_PREFIX}<nodeName>\", found {cns:?}").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyPair;
    use crate::request::{KeySpec, NameEntry, Request};

    fn csr(cn: &str, org: &str, hosts: &[&str]) -> VerifiedCsr {
        let req = Request {
            cn: cn.into(),
            names: vec![NameEntry {
                o: org.into(),
                ..Default::default()
            }],
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            key: KeySpec::Ecdsa(256),
            ..Default::default()
        };
        let key = KeyPair::generate(req.key).unwrap();
        VerifiedCsr::parse(crate::csr::build(&req, &key).unwrap().as_bytes(), "t").unwrap()
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn kubelet_client_rules() {
        let signer = BuiltinSigner::KubeletClient;
        let good = csr("system:node:n1", "system:nodes", &[]);
        let usages = words(&["digital signature", "client auth"]);
        assert_eq!(signer.check(&good, &usages, false), Ok(()));
        assert!(signer
            .check(
                &good,
                &words(&["key encipherment", "digital signature", "client auth"]),
                false
            )
            .is_ok());
        let err = signer
            .check(
                &good,
                &words(&["digital signature", "client auth", "server auth"]),
                false,
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("\"server auth\" is not allowed"),
            "{err}"
        );
        let err = signer
            .check(&good, &words(&["digital signature"]), false)
            .unwrap_err();
        assert!(
            err.to_string().contains("\"client auth\" is required"),
            "{err}"
        );
        let err = signer
            .check(
                &csr("system:node:n1", "system:nodes", &["n1.example"]),
                &usages,
                false,
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("subject alternative names"),
            "{err}"
        );
        let err = signer
            .check(&csr("system:node:", "system:nodes", &[]), &usages, false)
            .unwrap_err();
        assert!(err.to_string().contains("subject CN"), "{err}");
        let err = signer
            .check(
                &csr("system:node:n1", "system:masters", &[]),
                &usages,
                false,
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("kubernetes.io/kube-apiserver-client-kubelet signer rule: subject O"),
            "{err}"
        );
    }

    #[test]
    fn kubelet_serving_rules() {
        let signer = BuiltinSigner::KubeletServing;
        let usages = words(&["digital signature", "key encipherment", "server auth"]);
        assert!(signer
            .check(
                &csr(
                    "system:node:n1",
                    "system:nodes",
                    &["n1.example", "10.0.0.1"]
                ),
                &usages,
                false
            )
            .is_ok());
        let err = signer
            .check(&csr("system:node:n1", "system:nodes", &[]), &usages, false)
            .unwrap_err();
        assert!(err.to_string().contains("at least one DNS or IP"), "{err}");
        let err = signer
            .check(
                &csr(
                    "system:node:n1",
                    "system:nodes",
                    &["n1.example", "a@b.example"],
                ),
                &usages,
                false,
            )
            .unwrap_err();
        assert!(err.to_string().contains("email and URI"), "{err}");
        let err = signer
            .check(
                &csr("system:node:n1", "system:nodes", &["n1.example"]),
                &words(&["digital signature", "client auth"]),
                false,
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("\"server auth\" is required"),
            "{err}"
        );
    }

    #[test]
    fn apiserver_client_rules() {
        let signer = BuiltinSigner::ApiserverClient;
        let any = csr("jane", "devs", &[]);
        assert!(signer.check(&any, &words(&["client auth"]), false).is_ok());
        let err = signer
            .check(&any, &words(&["client auth"]), true)
            .unwrap_err();
        assert!(
            err.to_string().contains("CA certificates are not allowed"),
            "{err}"
        );
        let err = signer
            .check(&any, &words(&["digital signature"]), false)
            .unwrap_err();
        assert!(
            err.to_string().contains("\"client auth\" is required"),
            "{err}"
        );
        let err = signer
            .check(&any, &words(&["client auth", "server auth"]), false)
            .unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{err}");
    }

    #[test]
    fn names_round_trip() {
        for signer in [
            BuiltinSigner::KubeletClient,
            BuiltinSigner::KubeletServing,
            BuiltinSigner::ApiserverClient,
        ] {
            assert_eq!(BuiltinSigner::from_name(signer.name()), Some(signer));
        }
        assert_eq!(BuiltinSigner::from_name("example.com/serving"), None);
    }
}
