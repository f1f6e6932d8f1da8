//! `-acme-allowed-domains`: which identifiers an ACME order may name at
//! all, checked at new-order so a refused name costs no validation. The
//! signing profile's own rules (`name_whitelist`, ...) still apply when
//! the order is finalized.

use std::net::IpAddr;

/// The identifiers ACME orders may name; empty allows every name the
/// profile allows.
#[derive(Debug, Clone, Default)]
pub struct AllowedNames {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
enum Rule {
    /// `example.com`: that name only.
    Exact(String),
    /// `.example.com`: any name under it (`*.example.com` included), not
    /// the name itself.
    Under(String),
    /// `/REGEX/`: names the expression matches whole.
    Pattern(regex::Regex),
    /// `10.0.0.0/8`: IP identifiers in the network (an IP alone is exact).
    Network(ipnet::IpNet),
}

/// An entry of `-acme-allowed-domains` that is not a name, `.suffix`,
/// `/regex/` or network.
#[derive(Debug, thiserror::Error)]
#[error("-acme-allowed-domains: {entry:?} {why}")]
pub struct AllowedNamesError {
    entry: String,
    why: String,
}

impl AllowedNames {
    /// Parses the comma-separated entries of `-acme-allowed-domains`.
    pub fn parse(entries: &[String]) -> Result<AllowedNames, AllowedNamesError> {
        let mut rules = Vec::new();
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let bad = |why: String| AllowedNamesError {
                entry: entry.to_string(),
                why,
            };
            let rule = if let Some(body) = entry.strip_prefix('/').and_then(|e| e.strip_suffix('/'))
            {
                let whole = format!("^(?:{body})$");
                Rule::Pattern(regex::Regex::new(&whole).map_err(|e| bad(e.to_string()))?)
            } else if let Ok(net) = entry.parse::<ipnet::IpNet>() {
                Rule::Network(net)
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                Rule::Network(ipnet::IpNet::from(ip))
            } else if let Some(suffix) = entry.strip_prefix('.') {
                if suffix.is_empty() || suffix.contains(['*', '/', ' ']) {
                    return Err(bad("is not a domain suffix".into()));
                }
                Rule::Under(format!(".{}", suffix.to_ascii_lowercase()))
            } else {
                if entry.contains(['*', '/', ' ']) {
                    return Err(bad(
                        "is not a name, .suffix, /regex/ or network (a wildcard is written .example.com)"
                            .into(),
                    ));
                }
                Rule::Exact(entry.to_ascii_lowercase())
            };
            rules.push(rule);
        }
        Ok(AllowedNames { rules })
    }

    /// Whether an order may name this identifier (`kind` "dns" or "ip";
    /// `value` lower-case, a wildcard as `*.example.com`).
    pub fn allows(&self, kind: &str, value: &str) -> bool {
        if self.rules.is_empty() {
            return true;
        }
        let ip = (kind == "ip")
            .then(|| value.parse::<IpAddr>().ok())
            .flatten();
        self.rules.iter().any(|rule| match rule {
            Rule::Network(net) => ip.is_some_and(|ip| net.contains(&ip)),
            _ if kind == "ip" => false,
            Rule::Exact(name) => value == name,
            Rule::Under(suffix) => value.ends_with(suffix.as_str()),
            Rule::Pattern(re) => re.is_match(value),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(entries: &[&str]) -> AllowedNames {
        AllowedNames::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn names_suffixes_patterns_and_networks() {
        let a = allowed(&[
            "acme.test",
            ".svc.example",
            "/web-[0-9]+\\.corp/",
            "10.0.0.0/8",
            "192.0.2.7",
        ]);
        assert!(a.allows("dns", "acme.test"));
        assert!(!a.allows("dns", "www.acme.test"));
        assert!(a.allows("dns", "db.svc.example"));
        assert!(a.allows("dns", "*.svc.example"));
        assert!(!a.allows("dns", "svc.example"));
        assert!(!a.allows("dns", "evilsvc.example"));
        assert!(a.allows("dns", "web-12.corp"));
        assert!(!a.allows("dns", "web-12.corp.evil"));
        assert!(a.allows("ip", "10.1.2.3"));
        assert!(a.allows("ip", "192.0.2.7"));
        assert!(!a.allows("ip", "192.0.2.8"));
        assert!(!a.allows("ip", "acme.test"));
        assert!(AllowedNames::default().allows("dns", "anything.example"));
    }

    #[test]
    fn bad_entries_are_named() {
        for bad in ["*.example.com", "/(/", ".", "a b"] {
            let err = AllowedNames::parse(&[bad.to_string()])
                .unwrap_err()
                .to_string();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }
}
