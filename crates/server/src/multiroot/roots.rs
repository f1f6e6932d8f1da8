//! multirootca's roots file: INI sections `[label]` with `private =
//! file://PATH` (the CA key), `certificate = PATH`, `config = PATH` (a
//! cfssl config; its auth_keys hold the HMAC keys), optional `nets =
//! CIDR,…` (client allow-list) and `dbconfig = PATH`.

use std::collections::BTreeMap;

/// One `[label]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Root {
    pub label: String,
    pub private: String,
    pub certificate: String,
    pub config: String,
    pub nets: Vec<ipnet::IpNet>,
    pub dbconfig: Option<String>,
}

/// The keys a section may hold (cfssl's multirootca reads these).
const KEYS: [&str; 5] = ["private", "certificate", "config", "nets", "dbconfig"];

/// What is wrong with a roots file, and where (`FILE:LINE` or `FILE`).
#[derive(Debug, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct RootsError {
    pub at: String,
    pub problem: Problem,
}

/// The mistakes a roots file can hold.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("empty or repeated section [{0}]")]
    Section(String),
    #[error("expected key = value")]
    NotKeyValue,
    #[error("key outside a [label] section")]
    OutsideSection,
    #[error("unknown key {key:?} in [{section}] (known: {})", KEYS.join(", "))]
    UnknownKey { key: String, section: String },
    #[error("repeated key {key:?} in [{section}]")]
    RepeatedKey { key: String, section: String },
    #[error("no [label] section")]
    NoSection,
    #[error("[{label}] has no {key}")]
    Missing { label: String, key: &'static str },
    #[error(
        "[{label}] private key scheme {scheme:?} is not supported (use file:// or a pkcs11: URI)"
    )]
    Scheme { label: String, scheme: String },
    /// cfssl's Red October split keys, which certkit will not have.
    #[error("[{label}] private = rofile://: Red October keys are not supported (certkit will not depend on a Red October server); decrypt the key once, encrypt it with `certkit key convert -key-password-file`, give its password by $CFSSL_CA_PK_PASSWORD and use file://")]
    RedOctober { label: String },
    #[error("[{label}] nets {net:?}: {source}")]
    Net {
        label: String,
        net: String,
        source: ipnet::AddrParseError,
    },
}

/// Parses the roots file text; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Vec<Root>, RootsError> {
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = |problem| RootsError {
            at: format!("{source}:{}", n + 1),
            problem,
        };
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_string();
            if name.is_empty() || sections.contains_key(&name) {
                return Err(at(Problem::Section(name)));
            }
            sections.insert(name.clone(), BTreeMap::new());
            current = Some(name);
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| at(Problem::NotKeyValue))?;
        let section = current
            .as_ref()
            .ok_or_else(|| at(Problem::OutsideSection))?;
        // A misspelt key used to be ignored: `net =` for `nets =` left the
        // CA open to every address. Unknown and repeated keys are refused.
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err(at(Problem::UnknownKey {
                key: key.to_string(),
                section: section.clone(),
            }));
        }
        let keys = sections.get_mut(section).expect("section exists");
        if keys
            .insert(key.to_string(), value.trim().to_string())
            .is_some()
        {
            return Err(at(Problem::RepeatedKey {
                key: key.to_string(),
                section: section.clone(),
            }));
        }
    }
    if sections.is_empty() {
        return Err(RootsError {
            at: source.to_string(),
            problem: Problem::NoSection,
        });
    }
    sections
        .into_iter()
        .map(|(label, keys)| root(label, keys, source))
        .collect()
}

fn root(
    label: String,
    mut keys: BTreeMap<String, String>,
    source: &str,
) -> Result<Root, RootsError> {
    let at = |problem| RootsError {
        at: source.to_string(),
        problem,
    };
    let mut take = |key: &str| keys.remove(key).filter(|v| !v.is_empty());
    let need = |v: Option<String>, key: &'static str| {
        v.ok_or_else(|| {
            at(Problem::Missing {
                label: label.clone(),
                key,
            })
        })
    };
    let private = need(take("private"), "private")?;
    let private = match private.split_once("://") {
        // A key in a token, loaded as -ca-key loads it.
        _ if private.starts_with("pkcs11:") => private,
        Some(("file", path)) => path.to_string(),
        Some(("rofile", _)) => {
            return Err(at(Problem::RedOctober {
                label: label.clone(),
            }))
        }
        Some((scheme, _)) => {
            return Err(at(Problem::Scheme {
                label: label.clone(),
                scheme: scheme.to_string(),
            }))
        }
        None => private,
    };
    let certificate = need(take("certificate"), "certificate")?;
    let config = need(take("config"), "config")?;
    let nets = take("nets")
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| {
                    n.parse::<ipnet::IpNet>().map_err(|source| {
                        at(Problem::Net {
                            label: label.clone(),
                            net: n.to_string(),
                            source,
                        })
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    let dbconfig = take("dbconfig");
    Ok(Root {
        label,
        private,
        certificate,
        config,
        nets,
        dbconfig,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cfssls_example() {
        let text = "# roots\n[ primary ]\nprivate = file://testdata/server.key\ncertificate = testdata/server.crt\nconfig = testdata/config.json\nnets = 10.0.0.0/8, 127.0.0.1/32\n\n[ backup ]\nprivate = file://k\ncertificate = c\nconfig = j\n";
        let roots = parse(text, "roots.conf").unwrap();
        assert_eq!(roots.len(), 2);
        let primary = roots.iter().find(|r| r.label == "primary").unwrap();
        assert_eq!(primary.private, "testdata/server.key");
        assert_eq!(primary.nets.len(), 2);
    }

    #[test]
    fn refuses_bad_files() {
        for (text, needle) in [
            ("", "no [label]"),
            ("private = x\n", "outside"),
            ("[a]\ncertificate = c\nconfig = j\n", "no private"),
            (
                "[a]\nprivate = rofile://k\ncertificate = c\nconfig = j\n",
                "Red October keys are not supported",
            ),
            (
                "[a]\nprivate = k\ncertificate = c\nconfig = j\nnets = bogus\n",
                "nets",
            ),
            ("[a]\nnonsense\n", "key = value"),
            (
                "[a]\nprivate = k\ncertificate = c\nconfig = j\nnet = 10.0.0.0/8\n",
                "roots.conf:5: unknown key \"net\" in [a]",
            ),
            (
                "[a]\nprivate = k\nprivate = k2\ncertificate = c\nconfig = j\n",
                "roots.conf:3: repeated key \"private\"",
            ),
        ] {
            let e = parse(text, "roots.conf").unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
    }
}
