//! The cluster layout as cfssl inputs, for users who keep their PKI as
//! request JSON and a signing config in git: one `NAME-csr.json` per
//! certificate, `ca-config.json` with a profile per kind, and `gencert.sh`
//! with the cfssl command lines that make the same certificates.

use certkit_core::cluster::layout::{self, CertPlan, Kind};
use certkit_core::cluster::spec::ClusterSpec;
use certkit_core::error::{Error, Result};
use certkit_core::input::duration::format_go_duration as go_duration;
use certkit_core::output::OutputFile;
use certkit_core::request::KeySpec;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::time::Duration;

/// Writes the cfssl inputs for `spec` into `dir` (created if missing).
pub fn write(spec: &ClusterSpec, dir: &Path) -> Result<Vec<String>> {
    crate::output_dir::create_dirs(dir)?;
    let files: Vec<OutputFile> = render(spec)?
        .into_iter()
        .map(|(name, contents, mode)| OutputFile {
            name: dir.join(&name),
            contents: contents.into_bytes(),
            mode,
            binary: false,
        })
        .collect();
    crate::atomic::write_all(&files)?;
    Ok(files
        .iter()
        .map(|f| f.name.to_string_lossy().into_owned())
        .collect())
}

/// The files, as (name, contents, mode).
pub fn render(spec: &ClusterSpec) -> Result<Vec<(String, String, u32)>> {
    let plans = layout::plan(spec);
    let mut files = vec![(
        "ca-config.json".to_string(),
        pretty(&signing_config(spec))?,
        0o644,
    )];
    let mut script = String::from(
        "#!/bin/sh\n# Makes the cluster PKI with cfssl, one certificate at a time.\nset -e\ncd \"$(dirname \"$0\")\"\n",
    );
    for plan in &plans {
        let base = flat_name(plan.name);
        files.push((
            format!("{base}-csr.json"),
            pretty(&request_json(plan, spec.ca_lifetime))?,
            0o644,
        ));
        script.push_str(&match plan.signer {
            None => format!("cfssl gencert -initca {base}-csr.json | cfssljson -bare {base}\n"),
            Some(ca) => {
                let ca = flat_name(ca);
                format!(
                    "cfssl gencert -ca {ca}.pem -ca-key {ca}-key.pem -config ca-config.json -profile {} {base}-csr.json | cfssljson -bare {base}\n",
                    plan.kind.profile_name()
                )
            }
        });
    }
    files.push(("gencert.sh".into(), script, 0o755));
    Ok(files)
}

/// "etcd/server" as a flat file name: "etcd-server".
pub fn flat_name(name: &str) -> String {
    name.replace('/', "-")
}

fn request_json(plan: &CertPlan, ca_lifetime: Duration) -> Value {
    let (algo, size) = match plan.key.key_spec() {
        KeySpec::Rsa(bits) => ("rsa", bits),
        KeySpec::Ecdsa(bits) => ("ecdsa", bits),
        KeySpec::Ed25519 => ("ed25519", 0),
    };
    let mut req = Map::new();
    req.insert("CN".into(), json!(plan.cn));
    if !plan.organizations.is_empty() {
        let names: Vec<Value> = plan
            .organizations
            .iter()
            .map(|o| json!({ "O": o }))
            .collect();
        req.insert("names".into(), Value::Array(names));
    }
    if !plan.hosts.is_empty() {
        req.insert("hosts".into(), json!(plan.hosts));
    }
    req.insert("key".into(), json!({ "algo": algo, "size": size }));
    if plan.kind == Kind::Ca {
        req.insert("ca".into(), json!({ "expiry": go_duration(ca_lifetime) }));
    }
    Value::Object(req)
}

fn signing_config(spec: &ClusterSpec) -> Value {
    let expiry = go_duration(spec.leaf_lifetime);
    let mut profiles = Map::new();
    for kind in [Kind::Server, Kind::Client, Kind::ServerAndClient] {
        profiles.insert(
            kind.profile_name().into(),
            json!({ "usages": kind.usages(), "expiry": expiry }),
        );
    }
    json!({ "signing": { "default": { "usages": Kind::Client.usages(), "expiry": expiry }, "profiles": profiles } })
}

fn pretty(value: &Value) -> Result<String> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|e| Error::Encoding(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use certkit_core::cluster::layout::key_names;
    use certkit_core::cluster::spec::EXAMPLE_SPEC;
    use certkit_core::policy::SigningConfig;
    use certkit_core::request::Request;

    #[test]
    fn requests_and_config_load_with_certkits_own_parsers() {
        let spec =
            ClusterSpec::from_json(EXAMPLE_SPEC.as_bytes(), "example", &key_names()).unwrap();
        let files = render(&spec).unwrap();
        assert_eq!(files.len(), layout::CERT_NAMES.len() + 2);
        for (name, contents, _) in &files {
            if name == "ca-config.json" {
                let cfg = SigningConfig::from_json(contents.as_bytes(), name).unwrap();
                assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
                assert_eq!(cfg.config.profile("peer").unwrap().usages.len(), 4);
            } else if name.ends_with("-csr.json") {
                let parsed = Request::from_json(contents.as_bytes(), name).unwrap();
                assert!(parsed.warnings.is_empty(), "{name}: {:?}", parsed.warnings);
            }
        }
        let (_, kubelet, _) = files
            .iter()
            .find(|(n, _, _)| n == "apiserver-kubelet-client-csr.json")
            .unwrap();
        let req = Request::from_json(kubelet.as_bytes(), "k").unwrap().request;
        assert_eq!(req.names[0].o, "system:masters");
        let (_, etcd_ca, _) = files
            .iter()
            .find(|(n, _, _)| n == "etcd-ca-csr.json")
            .unwrap();
        let req = Request::from_json(etcd_ca.as_bytes(), "e").unwrap().request;
        assert_eq!(
            req.ca.unwrap().expiry,
            Some(Duration::from_secs(87600 * 3600))
        );
        let (_, script, mode) = files.iter().find(|(n, _, _)| n == "gencert.sh").unwrap();
        assert_eq!(*mode, 0o755);
        assert!(script.contains("-ca etcd-ca.pem -ca-key etcd-ca-key.pem -config ca-config.json -profile peer etcd-server-csr.json"));
    }

    #[test]
    fn durations_render_in_go_syntax() {
        assert_eq!(go_duration(Duration::from_secs(8760 * 3600)), "8760h");
        assert_eq!(go_duration(Duration::from_secs(90)), "90s");
    }
}
