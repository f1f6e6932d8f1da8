//! Building the cluster PKI in memory: keys in parallel, the three CAs
//! (new or reused), the leaves they sign, and the service-account key
//! pair. `certkit_files::cluster::init` writes the result as one directory
//! or not at all.

use super::keygen::generate_all;
use super::layout::{self, CertPlan, Kind, SERVICE_ACCOUNT_KEY};
use super::spec::ClusterSpec;
use crate::csr::{self, VerifiedCsr};
use crate::error::{Error, Result};
use crate::issue::issuer::{self_sign, Issuer};
use crate::keys::{pem_encode, CaKey, KeyPair};
use crate::policy::{parse_usage, Profile};
use crate::request::{CaConfig, NameEntry, Request};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// A file of the PKI directory: its path relative to the directory,
/// contents and mode.
#[derive(Debug, Clone)]
pub struct TreeFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub mode: u32,
}

/// The contents may be a private key (a CA's): wiped when dropped.
impl Drop for TreeFile {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.contents);
    }
}

/// The built directory, not yet written.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Every file of the new directory.
    pub files: Vec<TreeFile>,
    /// The certificate names whose CA was reused.
    pub reused: Vec<String>,
}

/// Reads a CA's key file (its contents and name for messages) into a key
/// that can sign. Core's [`read_pem_ca_key`] reads key files; certkit-ops
/// also opens the token key a file naming a `pkcs11:` URI stands for.
pub type CaKeyReader<'a> = &'a dyn Fn(&[u8], &str) -> Result<CaKey>;

/// Reads a CA key file that holds the key itself (PEM).
pub fn read_pem_ca_key(contents: &[u8], source: &str) -> Result<CaKey> {
    Ok(Box::new(KeyPair::from_pem(contents, source)?))
}

/// A new CA's key that is not generated here: the key (in a token), and
/// the text `NAME.key` holds instead of a private key (its `pkcs11:` URI).
pub struct GivenCaKey {
    pub key: CaKey,
    pub reference: String,
}

/// How the CAs' keys are found: how existing key files are read, and the
/// new CAs whose key is given, by layout name (`etcd/ca`).
pub struct CaKeys<'a> {
    pub read: CaKeyReader<'a>,
    pub given: BTreeMap<String, GivenCaKey>,
}

impl Default for CaKeys<'_> {
    fn default() -> Self {
        CaKeys {
            read: &read_pem_ca_key,
            given: BTreeMap::new(),
        }
    }
}

/// Builds every file of the layout for `spec`. With `reuse_from`, the CAs
/// (and service-account key pair) of that existing directory are kept and
/// sign the new leaves; `cas.given` CAs are self-signed by their given key.
pub fn build(spec: &ClusterSpec, reuse_from: Option<&Path>, mut cas: CaKeys) -> Result<Tree> {
    let plans = layout::plan(spec);
    let mut staged = Staged::default();
    let mut kept_sa = None;
    if let Some(dir) = reuse_from {
        staged.reuse_cas(dir, &plans, cas.read)?;
        kept_sa = read_service_account(dir)?;
    }
    for plan in plans.iter().filter(|p| p.kind == Kind::Ca) {
        if let Some(given) = cas.given.remove(plan.name) {
            staged.issue_ca_with(plan, given, spec)?;
        }
    }
    if let Some(name) = cas.given.keys().next() {
        return Err(Error::Refused(format!(
            "{name}: not a CA of the cluster layout (ca, front-proxy-ca, etcd/ca)"
        )));
    }
    let needs_key: Vec<&CertPlan> = plans
        .iter()
        .filter(|p| !staged.issuers.contains_key(p.name))
        .collect();
    let mut specs: Vec<_> = needs_key.iter().map(|p| p.key.key_spec()).collect();
    if kept_sa.is_none() {
        specs.push(spec.key_for(SERVICE_ACCOUNT_KEY).key_spec());
    }
    let mut keys = generate_all(&specs)?.into_iter();
    let mut next_key = || {
        keys.next()
            .ok_or_else(|| Error::Key("missing generated key".into()))
    };
    for plan in needs_key {
        staged.issue(plan, next_key()?, spec)?;
    }
    let (private, public) = match kept_sa {
        Some(pair) => pair,
        None => {
            let key = next_key()?;
            let public = pem_encode("PUBLIC KEY", &key.public_key_der()?);
            (key.to_pem()?.as_bytes().to_vec(), public.into_bytes())
        }
    };
    staged.files.push(key_file("sa.key", private));
    staged.files.push(TreeFile {
        path: "sa.pub".into(),
        contents: public,
        mode: 0o644,
    });
    Ok(Tree {
        files: staged.files,
        reused: staged.reused,
    })
}

/// The files made so far and the CAs that can sign.
#[derive(Default)]
struct Staged {
    files: Vec<TreeFile>,
    issuers: BTreeMap<&'static str, Issuer>,
    reused: Vec<String>,
}

impl Staged {
    /// Loads the layout's CAs from `dir` and stages them unchanged.
    fn reuse_cas(&mut self, dir: &Path, plans: &[CertPlan], read: CaKeyReader) -> Result<()> {
        for plan in plans.iter().filter(|p| p.kind == Kind::Ca) {
            let (issuer, cert, key) = load_ca(dir, plan.name, read)?;
            self.files.push(cert_file(plan.name, cert));
            self.files
                .push(key_file(&format!("{}.key", plan.name), key));
            self.issuers.insert(plan.name, issuer);
            self.reused.push(plan.name.to_string());
        }
        Ok(())
    }

    /// Makes the self-signed CA certificate for `plan` with a given key;
    /// `NAME.key` holds the key's reference, never key material.
    fn issue_ca_with(
        &mut self,
        plan: &CertPlan,
        given: GivenCaKey,
        spec: &ClusterSpec,
    ) -> Result<()> {
        let csr = VerifiedCsr::built(&request_for(plan), given.key.as_ref())?;
        let rsa = given.key.describe().starts_with("rsa");
        let profile = profile_with(plan, spec.ca_lifetime, rsa);
        let issued = self_sign(&csr, given.key.as_ref(), &profile)?;
        let key_name = format!("{}.key", plan.name);
        let issuer = Issuer::with_key(issued.cert_pem.as_bytes(), plan.name, given.key, &key_name)?;
        self.issuers.insert(plan.name, issuer);
        self.files
            .push(cert_file(plan.name, issued.cert_pem.into_bytes()));
        self.files.push(key_file(
            &key_name,
            format!("{}\n", given.reference).into_bytes(),
        ));
        Ok(())
    }

    /// Makes the certificate for `plan` with `key`: self-signed for a CA
    /// (which then signs the leaves), else signed by its CA.
    fn issue(&mut self, plan: &CertPlan, key: KeyPair, spec: &ClusterSpec) -> Result<()> {
        let key_pem = key.to_pem()?;
        let csr = VerifiedCsr::parse(csr::build(&request_for(plan), &key)?.as_bytes(), plan.name)?;
        let cert_pem = match plan.signer {
            None => {
                let issued = self_sign(&csr, &key, &profile_for(plan, spec.ca_lifetime))?;
                let issuer = Issuer::load(
                    issued.cert_pem.as_bytes(),
                    plan.name,
                    key_pem.as_bytes(),
                    plan.name,
                )?;
                self.issuers.insert(plan.name, issuer);
                issued.cert_pem
            }
            Some(signer) => {
                let issuer = self.issuers.get(signer).ok_or_else(|| {
                    Error::Encoding(format!("{}: CA {signer} is not ready", plan.name))
                })?;
                issuer
                    .sign(&csr, &profile_for(plan, spec.leaf_lifetime), None)?
                    .cert_pem
            }
        };
        self.files.push(cert_file(plan.name, cert_pem.into_bytes()));
        self.files.push(key_file(
            &format!("{}.key", plan.name),
            key_pem.as_bytes().to_vec(),
        ));
        Ok(())
    }
}

/// The cfssl request for a planned certificate.
pub fn request_for(plan: &CertPlan) -> Request {
    Request {
        cn: plan.cn.to_string(),
        names: plan
            .organizations
            .iter()
            .map(|o| NameEntry {
                o: o.clone(),
                ..Default::default()
            })
            .collect(),
        hosts: plan.hosts.clone(),
        key: plan.key.key_spec(),
        ca: (plan.kind == Kind::Ca).then(CaConfig::default),
        ..Default::default()
    }
}

/// The signing profile for a planned certificate. keyEncipherment only
/// fits RSA keys, so it is left out for ECDSA ones, as kubeadm does.
pub fn profile_for(plan: &CertPlan, lifetime: Duration) -> Profile {
    let rsa = matches!(plan.key.key_spec(), crate::request::KeySpec::Rsa(_));
    profile_with(plan, lifetime, rsa)
}

/// [`profile_for`] for a key that is RSA or not whatever the spec says (a
/// CA key given from a token).
fn profile_with(plan: &CertPlan, lifetime: Duration, rsa: bool) -> Profile {
    let words: Vec<String> = plan
        .kind
        .usages()
        .iter()
        .filter(|w| rsa || **w != "key encipherment")
        .map(|w| w.to_string())
        .collect();
    let base = if plan.kind == Kind::Ca {
        Profile::ca_default()
    } else {
        Profile::cfssl_default()
    };
    Profile {
        name: plan.kind.profile_name().into(),
        usages: words.iter().filter_map(|w| parse_usage(w)).collect(),
        usage_words: words,
        expiry: lifetime,
        ..base
    }
}

fn cert_file(name: &str, contents: Vec<u8>) -> TreeFile {
    TreeFile {
        path: format!("{name}.crt"),
        contents,
        mode: 0o644,
    }
}

fn key_file(path: &str, contents: Vec<u8>) -> TreeFile {
    TreeFile {
        path: path.into(),
        contents,
        mode: 0o600,
    }
}

fn read(dir: &Path, file: &str) -> Result<Vec<u8>> {
    let path = dir.join(file);
    crate::input::read_input(path)
}

/// Loads the CA `name` (NAME.crt, NAME.key) from a PKI directory, its key
/// file read by `read`. Returns the key file's contents unchanged.
pub fn load_ca(
    dir: &Path,
    name: &str,
    read_key: CaKeyReader,
) -> Result<(Issuer, Vec<u8>, Vec<u8>)> {
    let cert = read(dir, &format!("{name}.crt"))?;
    let key = read(dir, &format!("{name}.key"))?;
    let cert_source = dir.join(format!("{name}.crt")).display().to_string();
    let key_source = dir.join(format!("{name}.key")).display().to_string();
    let issuer = Issuer::with_key(
        &cert,
        &cert_source,
        read_key(&key, &key_source)?,
        &key_source,
    )?;
    Ok((issuer, cert, key))
}

/// The existing service-account key pair, when both halves are there:
/// replacing it would invalidate every service-account token.
fn read_service_account(dir: &Path) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    if !dir.join("sa.key").exists() || !dir.join("sa.pub").exists() {
        return Ok(None);
    }
    Ok(Some((read(dir, "sa.key")?, read(dir, "sa.pub")?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::layout::key_names;
    use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

    fn ecdsa_spec() -> ClusterSpec {
        let json = r#"{"nodes":[{"name":"cp-1","ip":"10.0.0.11"}],"key":"ecdsa-p256","leaf_expiry":"24h","ca_expiry":"48h"}"#;
        ClusterSpec::from_json(json.as_bytes(), "spec", &key_names()).unwrap()
    }

    #[test]
    fn builds_every_file_of_the_layout() {
        let tree = build(&ecdsa_spec(), None, CaKeys::default()).unwrap();
        assert_eq!(tree.files.len(), 22);
        assert!(tree.reused.is_empty());
        assert!(tree.files.iter().any(|f| f.path == "etcd/ca.crt"));
        let key = tree.files.iter().find(|f| f.path == "etcd/ca.key").unwrap();
        assert_eq!(key.mode, 0o600);
    }

    #[test]
    fn ecdsa_profiles_leave_out_key_encipherment() {
        let spec = ecdsa_spec();
        let plans = layout::plan(&spec);
        let ca = plans.iter().find(|p| p.kind == Kind::Ca).unwrap();
        let profile = profile_for(ca, spec.ca_lifetime);
        assert!(profile.ca_constraint.is_ca);
        let mut ku = KeyUsage(Default::default());
        for u in &profile.usages {
            if let crate::policy::Usage::Key(bit) = u {
                ku.0 |= *bit;
            }
        }
        assert!(ku.0.contains(KeyUsages::KeyCertSign));
        assert!(!ku.0.contains(KeyUsages::KeyEncipherment));
    }
}
