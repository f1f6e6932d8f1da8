//! The signing configuration: cfssl's `signing.default` and
//! `signing.profiles`, the usage vocabulary, durations and CA constraints.

pub mod auth_key;
pub mod certpolicy;
pub mod ocsp_section;
mod parse;
pub mod remote;
pub mod whitelist;

use crate::error::{Error, Result};
use crate::input::json_fields::{kind, Fields};
use crate::policy::certpolicy::CertificatePolicy;
use crate::policy::remote::{ProfileRemote, RemoteSettings};
use crate::policy::whitelist::NameWhitelist;
use der::asn1::ObjectIdentifier;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use time::OffsetDateTime;
use x509_cert::ext::pkix::KeyUsages;

/// One usage word from cfssl's (and Kubernetes') vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    Key(KeyUsages),
    Ext(ObjectIdentifier),
}

const EKU: fn(&str) -> ObjectIdentifier = ObjectIdentifier::new_unwrap;

/// Every usage name cfssl accepts, and what it means.
pub fn usage_vocabulary() -> Vec<(&'static str, Usage)> {
    use KeyUsages::*;
    vec![
        ("signing", Usage::Key(DigitalSignature)),
        ("digital signature", Usage::Key(DigitalSignature)),
        ("content commitment", Usage::Key(NonRepudiation)),
        ("key encipherment", Usage::Key(KeyEncipherment)),
        ("key agreement", Usage::Key(KeyAgreement)),
        ("data encipherment", Usage::Key(DataEncipherment)),
        ("cert sign", Usage::Key(KeyCertSign)),
        ("crl sign", Usage::Key(CRLSign)),
        ("encipher only", Usage::Key(EncipherOnly)),
        ("decipher only", Usage::Key(DecipherOnly)),
        ("any", Usage::Ext(EKU("2.5.29.37.0"))),
        ("server auth", Usage::Ext(EKU("1.3.6.1.5.5.7.3.1"))),
        ("client auth", Usage::Ext(EKU("1.3.6.1.5.5.7.3.2"))),
        ("code signing", Usage::Ext(EKU("1.3.6.1.5.5.7.3.3"))),
        ("email protection", Usage::Ext(EKU("1.3.6.1.5.5.7.3.4"))),
        ("s/mime", Usage::Ext(EKU("1.3.6.1.5.5.7.3.4"))),
        ("ipsec end system", Usage::Ext(EKU("1.3.6.1.5.5.7.3.5"))),
        ("ipsec tunnel", Usage::Ext(EKU("1.3.6.1.5.5.7.3.6"))),
        ("ipsec user", Usage::Ext(EKU("1.3.6.1.5.5.7.3.7"))),
        ("timestamping", Usage::Ext(EKU("1.3.6.1.5.5.7.3.8"))),
        ("ocsp signing", Usage::Ext(EKU("1.3.6.1.5.5.7.3.9"))),
        ("microsoft sgc", Usage::Ext(EKU("1.3.6.1.4.1.311.10.3.3"))),
        ("netscape sgc", Usage::Ext(EKU("2.16.840.1.113730.4.1"))),
    ]
}

/// Looks a usage word up (case-insensitively, as Kubernetes compares them).
pub fn parse_usage(word: &str) -> Option<Usage> {
    usage_vocabulary()
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word.trim()))
        .map(|(_, usage)| usage)
}

/// `ca_constraint`: whether certificates from this profile are CAs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaConstraint {
    pub is_ca: bool,
    pub max_path_len: Option<u8>,
    pub max_path_len_zero: bool,
}

impl CaConstraint {
    /// The pathLenConstraint to encode, as Go decides from MaxPathLen and
    /// MaxPathLenZero.
    pub fn path_len(&self) -> Option<u8> {
        match self.max_path_len {
            Some(n) if n > 0 => Some(n),
            _ if self.max_path_len_zero => Some(0),
            _ => None,
        }
    }
}

/// A signing profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The profile's name ("default" for `signing.default`).
    pub name: String,
    /// The usage words as written, in order.
    pub usage_words: Vec<String>,
    pub usages: Vec<Usage>,
    pub expiry: Duration,
    /// How far notBefore is set back; cfssl's default is 5 minutes.
    pub backdate: Duration,
    pub ca_constraint: CaConstraint,
    pub not_before: Option<OffsetDateTime>,
    pub not_after: Option<OffsetDateTime>,
    /// Remote signer name and auth key: parsed and kept, not used here.
    pub remote: String,
    pub auth_key: String,
    /// `prev_auth_key` and `auth_remote`, checked at load.
    pub remote_settings: ProfileRemote,
    /// AIA caIssuers URLs.
    pub issuer_urls: Vec<String>,
    /// AIA OCSP responder URL.
    pub ocsp_url: String,
    /// CRL distribution point URL.
    pub crl_url: String,
    /// Add id-pkix-ocsp-nocheck (for OCSP responder certificates).
    pub ocsp_no_check: bool,
    pub policies: Vec<CertificatePolicy>,
    /// Copy the CSR's other requested extensions into the certificate.
    pub copy_extensions: bool,
    pub name_whitelist: Option<NameWhitelist>,
    /// certkit's own key: allow a subject with more than one CN.
    pub allow_multiple_common_names: bool,
    /// Extensions `copy_extensions` may copy beyond the authority-free
    /// default (`issue::extensions::COPIED_BY_DEFAULT`).
    pub allowed_extensions: Vec<ObjectIdentifier>,
}

/// cfssl's default backdate.
pub const DEFAULT_BACKDATE: Duration = Duration::from_secs(5 * 60);

impl Profile {
    /// Fills what a named profile leaves empty from the default profile,
    /// as cfssl's FillTemplate does: expiry, issuer URLs, OCSP and CRL URLs.
    fn inherit_from(&mut self, default: &Profile) {
        if self.expiry.is_zero() {
            self.expiry = default.expiry;
        }
        if self.issuer_urls.is_empty() {
            self.issuer_urls = default.issuer_urls.clone();
        }
        if self.ocsp_url.is_empty() {
            self.ocsp_url = default.ocsp_url.clone();
        }
        if self.crl_url.is_empty() {
            self.crl_url = default.crl_url.clone();
        }
    }

    /// cfssl's default profile, used when no config is given: one year,
    /// signing, key encipherment, server auth, client auth.
    pub fn cfssl_default() -> Profile {
        let words = ["signing", "key encipherment", "server auth", "client auth"];
        Profile {
            name: "default".into(),
            usage_words: words.iter().map(|w| w.to_string()).collect(),
            usages: words.iter().filter_map(|w| parse_usage(w)).collect(),
            expiry: Duration::from_secs(8760 * 3600),
            backdate: DEFAULT_BACKDATE,
            ca_constraint: CaConstraint::default(),
            not_before: None,
            not_after: None,
            remote: String::new(),
            auth_key: String::new(),
            remote_settings: ProfileRemote::default(),
            issuer_urls: Vec::new(),
            ocsp_url: String::new(),
            crl_url: String::new(),
            ocsp_no_check: false,
            policies: Vec::new(),
            copy_extensions: false,
            name_whitelist: None,
            allow_multiple_common_names: false,
            allowed_extensions: Vec::new(),
        }
    }

    /// The profile cfssl's initca signs a root with: cert sign and CRL
    /// sign, CA:TRUE, 43800h (five years).
    pub fn ca_default() -> Profile {
        let words = ["cert sign", "crl sign"];
        Profile {
            name: "ca".into(),
            usage_words: words.iter().map(|w| w.to_string()).collect(),
            usages: words.iter().filter_map(|w| parse_usage(w)).collect(),
            expiry: Duration::from_secs(43800 * 3600),
            ca_constraint: CaConstraint {
                is_ca: true,
                ..Default::default()
            },
            ..Profile::cfssl_default()
        }
    }
}

/// A loaded signing configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SigningConfig {
    pub default: Profile,
    pub profiles: BTreeMap<String, Profile>,
    /// `auth_keys` and `remotes`.
    pub remotes: RemoteSettings,
    /// The `ocsp` section: the OCSP signer's files and interval.
    pub ocsp: Option<ocsp_section::OcspSection>,
}

impl Default for SigningConfig {
    fn default() -> Self {
        SigningConfig {
            default: Profile::cfssl_default(),
            profiles: BTreeMap::new(),
            remotes: RemoteSettings::default(),
            ocsp: None,
        }
    }
}

/// A parsed config and the warnings it deserves.
#[derive(Debug)]
pub struct ParsedConfig {
    pub config: SigningConfig,
    pub warnings: Vec<String>,
}

impl SigningConfig {
    /// Parses a cfssl config file. `source` names it in messages.
    pub fn from_json(bytes: &[u8], source: &str) -> Result<ParsedConfig> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| Error::Json {
            what: source.to_string(),
            source: e,
        })?;
        let Value::Object(obj) = value else {
            return Err(Error::Policy(format!(
                "{source}: expected a JSON object, found {}",
                kind(&value)
            )));
        };
        let mut warnings = Vec::new();
        let top = Fields::new(
            &obj,
            "",
            &["signing", "auth_keys", "remotes", "ocsp"],
            &mut warnings,
            Error::Policy,
        );
        let remotes =
            RemoteSettings::parse(top.get("auth_keys"), top.get("remotes"), &mut warnings)?;
        let ocsp = ocsp_section::OcspSection::parse(top.get("ocsp"), &mut warnings)?;
        let signing = match top.get("signing") {
            Some(Value::Object(s)) => s,
            Some(other) => {
                return Err(Error::Policy(format!(
                    "signing: expected an object, found {}",
                    kind(other)
                )))
            }
            None => return Err(Error::Policy(format!("{source}: no \"signing\" section"))),
        };
        let sf = Fields::new(
            signing,
            "signing.",
            &["default", "profiles"],
            &mut warnings,
            Error::Policy,
        );
        let default = match sf.get("default") {
            Some(Value::Object(p)) => parse_profile(p, "default", true, &remotes, &mut warnings)?,
            Some(Value::Null) | None => Profile::cfssl_default(),
            Some(other) => {
                return Err(Error::Policy(format!(
                    "signing.default: expected an object, found {}",
                    kind(other)
                )))
            }
        };
        let mut profiles = BTreeMap::new();
        match sf.get("profiles") {
            Some(Value::Object(ps)) => {
                for (name, p) in ps {
                    let Value::Object(p) = p else {
                        return Err(Error::Policy(format!(
                            "profile {name:?}: expected an object, found {}",
                            kind(p)
                        )));
                    };
                    let mut profile = parse_profile(p, name, false, &remotes, &mut warnings)?;
                    profile.inherit_from(&default);
                    profiles.insert(name.clone(), profile);
                }
            }
            Some(Value::Null) | None => {}
            Some(other) => {
                return Err(Error::Policy(format!(
                    "signing.profiles: expected an object, found {}",
                    kind(other)
                )))
            }
        }
        Ok(ParsedConfig {
            config: SigningConfig {
                default,
                profiles,
                remotes,
                ocsp,
            },
            warnings,
        })
    }

    /// The named profile, or the default for an empty name. A name that
    /// does not exist is an error, not a silent fallback.
    pub fn profile(&self, name: &str) -> Result<&Profile> {
        if name.is_empty() || name == "default" && !self.profiles.contains_key("default") {
            return Ok(&self.default);
        }
        self.profiles.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            Error::Policy(format!(
                "no profile named {name:?} (profiles: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })
    }
}
use parse::*;

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = r#"{"signing":{"default":{"usages":["digital signature","key encipherment","server auth"],"expiry":"876000h","ca_constraint":{"is_ca":false}}}}"#;

    #[test]
    fn workflow_config_loads() {
        let cfg = SigningConfig::from_json(WORKFLOW.as_bytes(), "c.json").unwrap();
        assert!(cfg.warnings.is_empty());
        let p = cfg.config.profile("").unwrap();
        assert_eq!(p.expiry, Duration::from_secs(876000 * 3600));
        assert_eq!(p.usages.len(), 3);
        assert_eq!(p.backdate, DEFAULT_BACKDATE);
        assert!(!p.ca_constraint.is_ca);
    }

    #[test]
    fn unknown_profile_is_an_error() {
        let cfg = SigningConfig::from_json(WORKFLOW.as_bytes(), "c.json")
            .unwrap()
            .config;
        let err = cfg.profile("server").unwrap_err().to_string();
        assert!(err.contains("\"server\""), "{err}");
    }

    #[test]
    fn unknown_usage_names_profile_and_word() {
        let json = r#"{"signing":{"profiles":{"web":{"usages":["server auht"],"expiry":"1h"}}}}"#;
        let err = SigningConfig::from_json(json.as_bytes(), "c.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"web\"") && err.contains("server auht"),
            "{err}"
        );
    }

    #[test]
    fn vocabulary_is_complete() {
        assert_eq!(usage_vocabulary().len(), 23);
        assert_eq!(parse_usage("Server Auth"), parse_usage("server auth"));
    }

    #[test]
    fn ca_constraint_and_times_parse() {
        let json = r#"{"signing":{"profiles":{"int":{"usages":["cert sign"],"expiry":"1h","backdate":"1m","not_after":"2030-01-01T00:00:00Z","ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}"#;
        let cfg = SigningConfig::from_json(json.as_bytes(), "c.json")
            .unwrap()
            .config;
        let p = cfg.profile("int").unwrap();
        assert!(p.ca_constraint.is_ca);
        assert_eq!(p.ca_constraint.path_len(), Some(0));
        assert_eq!(p.backdate, Duration::from_secs(60));
        assert!(p.not_after.is_some());
    }

    #[test]
    fn bad_expiry_is_an_error() {
        let json = r#"{"signing":{"default":{"usages":["signing"],"expiry":"invalid_expiry"}}}"#;
        assert!(SigningConfig::from_json(json.as_bytes(), "c.json").is_err());
        let json = r#"{"signing":{"default":{"usages":["signing"]}}}"#;
        assert!(SigningConfig::from_json(json.as_bytes(), "c.json").is_err());
    }

    #[test]
    fn url_fields_policies_and_whitelist_parse_and_inherit() {
        let json = r#"{"signing":{
            "default":{"expiry":"1h","ocsp_url":"http://ocsp.example","crl_url":"http://crl.example/ca.crl","issuer_urls":["http://ca.example/ca.der"]},
            "profiles":{"full":{"usages":["signing"],"expiry":"2h","ocsp_no_check":true,"copy_extensions":true,
                "name_whitelist":"example\\.com","crl_url":"http://crl.example/other.crl",
                "policies":[{"ID":"1.2.3.4","qualifiers":[{"type":"id-qt-cps","value":"http://cps.example"}]}]}}}}"#;
        let parsed = SigningConfig::from_json(json.as_bytes(), "c.json").unwrap();
        assert!(
            parsed.warnings.iter().any(|w| w.contains("not anchored")),
            "{:?}",
            parsed.warnings
        );
        let p = parsed.config.profile("full").unwrap();
        assert_eq!(p.ocsp_url, "http://ocsp.example");
        assert_eq!(p.crl_url, "http://crl.example/other.crl");
        assert_eq!(p.issuer_urls, vec!["http://ca.example/ca.der".to_string()]);
        assert!(p.ocsp_no_check && p.copy_extensions);
        assert_eq!(p.policies.len(), 1);
        assert_eq!(
            p.name_whitelist.as_ref().map(|w| w.as_str()),
            Some("example\\.com")
        );
        // A default may leave usages to the named profiles, as in cfssl.
        assert!(parsed.config.profile("").unwrap().usages.is_empty());
    }

    #[test]
    fn not_after_before_not_before_is_an_error() {
        let json = r#"{"signing":{"default":{"usages":["signing"],"expiry":"1h","not_before":"2030-01-01T00:00:00Z","not_after":"2029-01-01T00:00:00Z"}}}"#;
        let err = SigningConfig::from_json(json.as_bytes(), "c.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not_after"), "{err}");
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Any profile body either loads or is refused with an error;
        /// nothing in it can make the loader panic.
        #[test]
        fn arbitrary_profiles_never_panic(
            key in proptest::sample::select(PROFILE_KEYS),
            value in proptest::prop_oneof![
                proptest::strategy::Just("null".to_string()),
                "[a-z0-9 .:/^$\\\\-]{0,12}".prop_map(|s| format!("{s:?}")),
                (-3i64..300).prop_map(|n| n.to_string()),
                proptest::strategy::Just("[{\"ID\":\"1.2\",\"qualifiers\":[{\"type\":\"id-qt-cps\"}]}]".to_string()),
                proptest::strategy::Just("{\"remote\":\"x\"}".to_string()),
                proptest::strategy::Just("[\"server auth\", 3]".to_string()),
            ],
        ) {
            let json = format!(r#"{{"signing":{{"profiles":{{"p":{{"usages":["signing"],"expiry":"1h","{key}":{value}}}}}}}}}"#);
            let _ = SigningConfig::from_json(json.as_bytes(), "c.json");
        }
    }
}
