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

/// Parses the roots file text; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Vec<Root>, String> {
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = || format!("{source}:{}", n + 1);
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_string();
            if name.is_empty() || sections.contains_key(&name) {
                return Err(format!("{}: empty or repeated section [{name}]", at()));
            }
            sections.insert(name.clone(), BTreeMap::new());
            current = Some(name);
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("{}: expected key = value", at()))?;
        let section = current
            .as_ref()
            .ok_or_else(|| format!("{}: key outside a [label] section", at()))?;
        // A misspelt key used to be ignored: `net =` for `nets =` left the
        // CA open to every address. Unknown and repeated keys are refused.
        let key = key.trim();
        if !KEYS.contains(&key) {
            return Err(format!(
                "{}: unknown key {key:?} in [{section}] (known: {})",
                at(),
                KEYS.join(", ")
            ));
        }
        let keys = sections.get_mut(section).expect("section exists");
        if keys
            .insert(key.to_string(), value.trim().to_string())
            .is_some()
        {
            return Err(format!("{}: repeated key {key:?} in [{section}]", at()));
        }
    }
    if sections.is_empty() {
        return Err(format!("{source}: no [label] section"));
    }
    sections
        .into_iter()
        .map(|(label, keys)| root(label, keys, source))
        .collect()
}

fn root(label: String, mut keys: BTreeMap<String, String>, source: &str) -> Result<Root, String> {
    let mut take = |key: &str| keys.remove(key).filter(|v| !v.is_empty());
    let need =
        |v: Option<String>, key: &str| v.ok_or_else(|| format!("{source}: [{label}] has no {key}"));
    let private = need(take("private"), "private")?;
    let private = match private.split_once("://") {
        Some(("file", path)) => path.to_string(),
        Some((scheme, _)) => {
            return Err(format!(
                "{source}: [{label}] private key scheme {scheme:?} is not supported (use file://)"
            ))
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
                    n.parse::<ipnet::IpNet>()
                        .map_err(|e| format!("{source}: [{label}] nets {n:?}: {e}"))
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
                "not supported",
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
            let e = parse(text, "roots.conf").unwrap_err();
            assert!(e.contains(needle), "{e}");
        }
    }
}
