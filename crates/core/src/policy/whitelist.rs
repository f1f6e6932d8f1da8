//! A profile's `name_whitelist`: a regular expression every name that
//! reaches the certificate must match before certkit signs (every subject
//! CN and emailAddress, every SAN of every type; an unanchored search, as
//! Go's `Find`). cfssl 1.2.0 checks only the first CN and skips IP SANs,
//! which lets `/CN=ok.example.com/CN=evil.net` through: openssl then
//! accepts the certificate for evil.net (it falls back to every CN).
//!
//! The expression is only parsed at load (a syntax check, linear in its
//! length) and compiled when a profile is used, under a size limit per
//! expression and a budget for all compiled ones together: a config with
//! hundreds of profiles costs nothing for the profiles not used, and no
//! expression can make certkit run out of memory.

use crate::error::{Error, Result};
use crate::request::name::atv_string;
use crate::request::San;
use const_oid::db::rfc4519;
use der::asn1::ObjectIdentifier;
use regex::{Regex, RegexBuilder};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use x509_cert::name::Name;

/// The pkcs-9 emailAddress subject attribute: openssl's -verify_email
/// falls back to it as it falls back to the CN for host names.
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// The compiled program of one expression may use at most this much
/// memory (regex's default is 10 MiB; whitelists are small).
pub const COMPILED_SIZE_LIMIT: usize = 1 << 20;
/// Cache of the lazy DFA of one expression.
const DFA_SIZE_LIMIT: usize = 1 << 20;
/// What all compiled expressions kept for reuse may reserve together.
/// Past it an expression is compiled for each check and dropped after.
const CACHE_BUDGET: usize = 64 << 20;
static CACHE_RESERVED: AtomicUsize = AtomicUsize::new(0);

/// A name whitelist: its expression, checked at load, compiled on first use.
#[derive(Debug, Clone)]
pub struct NameWhitelist {
    pattern: String,
    compiled: Arc<OnceLock<Regex>>,
}

impl PartialEq for NameWhitelist {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl NameWhitelist {
    /// Checks the syntax of `pattern` (without compiling it). An expression
    /// not anchored with `^...$` gets a warning: `example\.com` also admits
    /// `evil-example.com.attacker.net`.
    pub fn compile(pattern: &str, ctx: &str, warnings: &mut Vec<String>) -> Result<NameWhitelist> {
        regex_syntax::Parser::new().parse(pattern).map_err(|e| {
            Error::Policy(format!(
                "{ctx}name_whitelist: not a valid regular expression: {e}"
            ))
        })?;
        if !(pattern.starts_with('^') && pattern.ends_with('$')) {
            warnings.push(format!(
                "{ctx}name_whitelist {pattern:?} is not anchored with ^...$, so it also matches names that merely contain a match"
            ));
        }
        Ok(NameWhitelist {
            pattern: pattern.to_string(),
            compiled: Arc::new(OnceLock::new()),
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    fn build(&self) -> Result<Regex> {
        RegexBuilder::new(&self.pattern)
            .size_limit(COMPILED_SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .map_err(|e| {
                Error::Policy(format!(
                    "name_whitelist {:?} cannot be used: {e}",
                    crate::text::clip(&self.pattern)
                ))
            })
    }

    /// Runs `f` with the compiled expression: the cached one, a new one
    /// cached while the budget lasts, or a new one dropped after use.
    fn with_regex<T>(&self, f: impl FnOnce(&Regex) -> T) -> Result<T> {
        if let Some(re) = self.compiled.get() {
            return Ok(f(re));
        }
        let re = self.build()?;
        let cost = COMPILED_SIZE_LIMIT + DFA_SIZE_LIMIT;
        let reserved = CACHE_RESERVED.fetch_add(cost, Ordering::Relaxed);
        if reserved + cost > CACHE_BUDGET {
            CACHE_RESERVED.fetch_sub(cost, Ordering::Relaxed);
            return Ok(f(&re));
        }
        Ok(f(self.compiled.get_or_init(|| re)))
    }

    /// Refuses the first name that does not match: every common name and
    /// emailAddress of the subject, then every SAN (DNS, email, URI, IP).
    pub fn check(&self, subject: &Name, sans: &[San]) -> Result<()> {
        let mut names: Vec<(&str, String)> = Vec::new();
        for atv in subject.iter() {
            if atv.oid == rfc4519::CN {
                names.push(("common name", atv_string(atv)));
            } else if atv.oid == EMAIL_ADDRESS {
                names.push(("subject emailAddress", atv_string(atv)));
            }
        }
        for san in sans {
            names.push(match san {
                San::Dns(n) => ("DNS name", n.clone()),
                San::Email(n) => ("email address", n.clone()),
                San::Uri(n) => ("URI", n.clone()),
                San::Ip(ip) => ("IP address", ip.to_string()),
            });
        }
        // An empty CN names nothing (cfssl skips it too).
        let refused = self.with_regex(|re| {
            names
                .iter()
                .find(|(_, name)| !name.is_empty() && !re.is_match(name))
                .cloned()
        })?;
        match refused {
            None => Ok(()),
            Some((what, name)) => Err(Error::NotWhitelisted {
                what,
                name,
                pattern: self.pattern.clone(),
            }),
        }
    }
}

/// Refuses a subject with more than one common name unless the profile
/// allows it (`allow_multiple_common_names`): clients that fall back to
/// the CN accept every one of them, and a whitelist check of one is easily
/// mistaken for a check of all.
pub fn check_single_common_name(subject: &Name, allowed: bool, profile: &str) -> Result<()> {
    let cns: Vec<String> = subject
        .iter()
        .filter(|atv| atv.oid == rfc4519::CN)
        .map(atv_string)
        .collect();
    if cns.len() > 1 && !allowed {
        let shown: Vec<String> = cns
            .iter()
            .take(3)
            .map(|c| format!("{:?}", crate::text::clip(c)))
            .collect();
        return Err(Error::Refused(format!(
            "the subject has {} common names ({}); profile {profile:?} allows one (set \"allow_multiple_common_names\": true to allow more)",
            cns.len(),
            shown.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn name(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    #[test]
    fn unanchored_pattern_warns_and_admits_lookalikes() {
        let mut w = Vec::new();
        let wl = NameWhitelist::compile(r"example\.com", "profile \"p\": ", &mut w).unwrap();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(wl
            .check(&name("CN=evil-example.com.attacker.net"), &[])
            .is_ok());
    }

    #[test]
    fn anchored_pattern_checks_cn_and_every_name_kind() {
        let mut w = Vec::new();
        let wl = NameWhitelist::compile(
            r"^([a-z0-9-]+\.)*example\.com$|^[a-z]+@example\.com$|^spiffe://example\.com/.*$|^10\.0\.0\.1$",
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
        assert!(wl.check(&name("CN=api.example.com"), &ok).is_ok());
        assert!(wl.check(&name("O=x"), &ok).is_ok());
        let e = wl
            .check(&name("CN=example.org"), &ok)
            .unwrap_err()
            .to_string();
        assert!(e.contains("common name \"example.org\""), "{e}");
        for bad in [
            San::Dns("example.com.evil".into()),
            San::Email("x@evil.net".into()),
            San::Uri("spiffe://evil/x".into()),
            San::Ip("10.0.0.2".parse().unwrap()),
        ] {
            assert!(matches!(
                wl.check(&name("CN=a.example.com"), &[bad]),
                Err(Error::NotWhitelisted { .. })
            ));
        }
    }

    #[test]
    fn every_common_name_and_subject_email_is_checked() {
        let wl =
            NameWhitelist::compile(r"^[a-z0-9-]+\.example\.com$", "", &mut Vec::new()).unwrap();
        // RFC 4514 strings list the last RDN first.
        let two = name("CN=evil.attacker.net,CN=ok.example.com");
        let e = wl.check(&two, &[]).unwrap_err().to_string();
        assert!(e.contains("evil.attacker.net"), "{e}");
        let email = name("emailAddress=root@evil.net,CN=ok.example.com");
        let e = wl.check(&email, &[]).unwrap_err().to_string();
        assert!(e.contains("emailAddress"), "{e}");
    }

    #[test]
    fn more_than_one_common_name_needs_the_profile() {
        let two = name("CN=b.example.com,CN=a.example.com");
        let e = check_single_common_name(&two, false, "default")
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 common names"), "{e}");
        assert!(check_single_common_name(&two, true, "default").is_ok());
        assert!(check_single_common_name(&name("CN=a"), false, "default").is_ok());
    }

    #[test]
    fn bad_pattern_is_a_config_error() {
        let e = NameWhitelist::compile("(", "profile \"p\": ", &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("name_whitelist"), "{e}");
    }

    #[test]
    fn huge_expressions_are_refused_at_use_not_aborted() {
        // Each repetition multiplies the program; regex's default limit
        // would allow 10 MiB of it per profile.
        let huge = r"^(\w{1,100}){1,100}\.example\.com$";
        let wl = NameWhitelist::compile(huge, "", &mut Vec::new()).unwrap();
        let e = wl
            .check(&name("CN=a.example.com"), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot be used"), "{e}");
    }

    #[test]
    fn many_profiles_cost_nothing_until_used() {
        let lists: Vec<NameWhitelist> = (0..400)
            .map(|i| {
                NameWhitelist::compile(
                    &format!(r"^([a-z0-9-]{{1,30}}\.){{1,20}}p{i}\.example\.com$"),
                    "",
                    &mut Vec::new(),
                )
                .unwrap()
            })
            .collect();
        assert!(lists.iter().all(|l| l.compiled.get().is_none()));
        assert!(lists[7].check(&name("CN=a.p7.example.com"), &[]).is_ok());
        assert!(lists[7].compiled.get().is_some());
        assert!(lists[8].compiled.get().is_none());
    }
}
