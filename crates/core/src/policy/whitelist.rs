//! A profile's `name_whitelist`: a regular expression every subject
//! name must match before certkit signs, as cfssl checks it (the CN and
//! every DNS, email and URI SAN; an unanchored search, as Go's `Find`).

use crate::error::{Error, Result};
use crate::request::San;
use regex::Regex;

/// A compiled name whitelist.
#[derive(Debug, Clone)]
pub struct NameWhitelist(Regex);

impl PartialEq for NameWhitelist {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl NameWhitelist {
    /// Compiles `pattern`. An expression not anchored with `^...$` gets a
    /// warning: `example\.com` also admits `evil-example.com.attacker.net`.
    pub fn compile(pattern: &str, ctx: &str, warnings: &mut Vec<String>) -> Result<NameWhitelist> {
        let re = Regex::new(pattern).map_err(|e| {
            Error::Policy(format!(
                "{ctx}name_whitelist: not a valid regular expression: {e}"
            ))
        })?;
        if !(pattern.starts_with('^') && pattern.ends_with('$')) {
            warnings.push(format!(
                "{ctx}name_whitelist {pattern:?} is not anchored with ^...$, so it also matches names that merely contain a match"
            ));
        }
        Ok(NameWhitelist(re))
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Refuses the first name that does not match: the common name (when
    /// not empty), then DNS, email and URI SANs. IP SANs are not checked,
    /// as in cfssl.
    pub fn check(&self, common_name: &str, sans: &[San]) -> Result<()> {
        let refuse = |what: &str, name: &str| {
            Err(Error::Refused(format!(
                "{what} {name:?} does not match the profile's name_whitelist {:?}",
                self.0.as_str()
            )))
        };
        if !common_name.is_empty() && !self.0.is_match(common_name) {
            return refuse("common name", common_name);
        }
        for san in sans {
            let (what, name) = match san {
                San::Dns(n) => ("DNS name", n),
                San::Email(n) => ("email address", n),
                San::Uri(n) => ("URI", n),
                San::Ip(_) => continue,
            };
            if !self.0.is_match(name) {
                return refuse(what, name);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unanchored_pattern_warns_and_admits_lookalikes() {
        let mut w = Vec::new();
        let wl = NameWhitelist::compile(r"example\.com", "profile \"p\": ", &mut w).unwrap();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(wl.check("evil-example.com.attacker.net", &[]).is_ok());
    }

    #[test]
    fn anchored_pattern_checks_cn_and_every_name_kind() {
        let mut w = Vec::new();
        let wl = NameWhitelist::compile(
            r"^([a-z0-9-]+\.)*example\.com$|^[a-z]+@example\.com$|^spiffe://example\.com/.*$",
            "",
            &mut w,
        )
        .unwrap();
        assert!(w.is_empty(), "{w:?}");
        let ok = [
            San::Dns("www.example.com".into()),
            San::Email("ops@example.com".into()),
            San::Uri("spiffe://example.com/ns/x".into()),
            San::Ip("10.0.0.1".parse().unwrap()),
        ];
        assert!(wl.check("api.example.com", &ok).is_ok());
        assert!(wl.check("", &ok).is_ok());
        let e = wl.check("example.org", &ok).unwrap_err().to_string();
        assert!(e.contains("common name \"example.org\""), "{e}");
        for bad in [
            San::Dns("example.com.evil".into()),
            San::Email("x@evil.net".into()),
            San::Uri("spiffe://evil/x".into()),
        ] {
            assert!(matches!(
                wl.check("a.example.com", &[bad]),
                Err(Error::Refused(_))
            ));
        }
    }

    #[test]
    fn bad_pattern_is_a_config_error() {
        let e = NameWhitelist::compile("(", "profile \"p\": ", &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("name_whitelist"), "{e}");
    }
}
