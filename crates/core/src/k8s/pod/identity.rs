//! Who a pod certificate names. The request's namespace, pod and service
//! account are what the API server tied to a running pod on the
//! requesting node (NodeRestriction), so they are the identity; the stub
//! request's own subject and extensions are ignored.
//!
//! - the URI SAN `spiffe://TRUST-DOMAIN/ns/NAMESPACE/sa/SERVICEACCOUNT`;
//! - a subject common name only when a template asks for one;
//! - DNS names only from templates the operator configured.
//!
//! Templates name `{namespace}`, `{pod}` and `{serviceaccount}`; every
//! other `{...}` is refused when the template is parsed.

use crate::error::{Error, Result, UsageError};

/// The placeholders a template may use.
const PLACEHOLDERS: [&str; 3] = ["namespace", "pod", "serviceaccount"];

/// What the request says about the pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodIdentity {
    pub namespace: String,
    pub pod: String,
    pub service_account: String,
}

impl PodIdentity {
    /// The SPIFFE ID (SPIFFE-ID spec, section 2: the trust domain, then
    /// path segments; Kubernetes names are valid segments).
    pub fn spiffe_id(&self, trust_domain: &str) -> String {
        format!(
            "spiffe://{trust_domain}/ns/{}/sa/{}",
            self.namespace, self.service_account
        )
    }

    fn value(&self, placeholder: &str) -> &str {
        match placeholder {
            "namespace" => &self.namespace,
            "pod" => &self.pod,
            _ => &self.service_account,
        }
    }
}

/// Checks a SPIFFE trust domain: lower-case letters, digits, `.`, `-`
/// and `_` only (SPIFFE-ID spec, section 2.1).
pub fn check_trust_domain(domain: &str) -> Result<()> {
    let valid = !domain.is_empty()
        && domain.len() <= 255
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(UsageError::bad_value(
            format!("--trust-domain {domain:?}"),
            "a SPIFFE trust domain is lower-case letters, digits, '.', '-' and '_'",
        ))
    }
}

/// A name template over the pod's identity, e.g. `{serviceaccount}.{namespace}.svc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
}

impl Template {
    /// Parses a template; `flag` names it in the error.
    pub fn parse(text: &str, flag: &str) -> Result<Template> {
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| bad(flag, text, "unclosed '{'"))?;
            let name = &after[..close];
            if !PLACEHOLDERS.contains(&name) {
                return Err(bad(
                    flag,
                    text,
                    &format!("unknown placeholder {{{name}}} (use {{namespace}}, {{pod}}, {{serviceaccount}})"),
                ));
            }
            rest = &after[close + 1..];
        }
        if rest.contains('}') || text.trim().is_empty() {
            return Err(bad(flag, text, "stray '}' or empty template"));
        }
        Ok(Template {
            text: text.to_string(),
        })
    }

    /// The template with the pod's names in place.
    pub fn expand(&self, pod: &PodIdentity) -> String {
        let mut out = self.text.clone();
        for name in PLACEHOLDERS {
            out = out.replace(&format!("{{{name}}}"), pod.value(name));
        }
        out
    }
}

fn bad(flag: &str, text: &str, why: &str) -> Error {
    UsageError::bad_value(format!("{flag} {text:?}"), why)
}

/// The operator's naming choices for pod certificates.
#[derive(Debug, Clone, Default)]
pub struct PodNames {
    /// `--trust-domain`; default `cluster.local`.
    pub trust_domain: String,
    /// `--pod-common-name`: the subject CN; none leaves the subject empty.
    pub common_name: Option<Template>,
    /// `--pod-dns-name`: DNS SANs (checked by the profile's name whitelist).
    pub dns_names: Vec<Template>,
}

impl PodNames {
    /// (common name, DNS names, URI SANs) for one pod.
    pub fn for_pod(&self, pod: &PodIdentity) -> (Option<String>, Vec<String>, Vec<String>) {
        let cn = self.common_name.as_ref().map(|t| t.expand(pod));
        let mut dns: Vec<String> = Vec::new();
        for t in &self.dns_names {
            let name = t.expand(pod);
            if !dns.contains(&name) {
                dns.push(name);
            }
        }
        (cn, dns, vec![pod.spiffe_id(&self.trust_domain)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> PodIdentity {
        PodIdentity {
            namespace: "shop".into(),
            pod: "web-7d9".into(),
            service_account: "frontend".into(),
        }
    }

    #[test]
    fn spiffe_id_follows_the_rule() {
        assert_eq!(
            pod().spiffe_id("cluster.local"),
            "spiffe://cluster.local/ns/shop/sa/frontend"
        );
    }

    #[test]
    fn trust_domains_are_checked() {
        assert!(check_trust_domain("cluster.local").is_ok());
        assert!(check_trust_domain("prod_1-eu.example").is_ok());
        for bad in ["", "Cluster.local", "a/b", "x:1", "spiffe://x"] {
            assert!(check_trust_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn templates_expand_the_three_names_only() {
        let t =
            Template::parse("{pod}.{serviceaccount}.{namespace}.svc", "--pod-dns-name").unwrap();
        assert_eq!(t.expand(&pod()), "web-7d9.frontend.shop.svc");
        let wild = Template::parse("*.{namespace}.svc", "--pod-dns-name").unwrap();
        assert_eq!(wild.expand(&pod()), "*.shop.svc");
        let err = Template::parse("{node}.svc", "--pod-dns-name").unwrap_err();
        assert!(
            err.to_string().contains("unknown placeholder {node}"),
            "{err}"
        );
        assert!(Template::parse("{pod", "--pod-dns-name").is_err());
        assert!(Template::parse("pod}", "--pod-dns-name").is_err());
        assert!(Template::parse(" ", "--pod-dns-name").is_err());
    }

    #[test]
    fn names_for_a_pod() {
        let names = PodNames {
            trust_domain: "example.org".into(),
            common_name: Some(Template::parse("{serviceaccount}", "--pod-common-name").unwrap()),
            dns_names: vec![
                Template::parse("{serviceaccount}.{namespace}.svc", "x").unwrap(),
                Template::parse("{serviceaccount}.{namespace}.svc", "x").unwrap(),
            ],
        };
        let (cn, dns, uris) = names.for_pod(&pod());
        assert_eq!(cn.as_deref(), Some("frontend"));
        assert_eq!(dns, vec!["frontend.shop.svc"], "duplicates dropped");
        assert_eq!(uris, vec!["spiffe://example.org/ns/shop/sa/frontend"]);
        let (cn, dns, _) = PodNames {
            trust_domain: "t".into(),
            ..Default::default()
        }
        .for_pod(&pod());
        assert!(
            cn.is_none() && dns.is_empty(),
            "empty subject, no DNS by default"
        );
    }
}
