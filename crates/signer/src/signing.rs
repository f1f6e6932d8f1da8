//! The CA, profile and `--bundle` the signer issues with, loaded through
//! the same functions `certkit sign` uses, and reloaded when their files
//! change (a Secret mounted as a volume is updated in place by the kubelet).

use certkit_core::error::Result;
use certkit_core::issue::issuer::Issuer;
use certkit_core::k8s::sign::{Intermediates, Top};
use certkit_core::keys::pem_encode;
use certkit_core::policy::Profile;
use certkit_core::report::{Note, Report};
use certkit_ops::load::{self, CaSource};
use der::Encode;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// Where the CA and the signing policy come from (paths as `certkit sign`
/// takes them).
#[derive(Debug, Clone)]
pub struct SigningSources {
    pub ca: String,
    pub ca_key: String,
    pub ca_key_password_file: Option<String>,
    pub config: Option<String>,
    pub profile: String,
    /// `--bundle`: the certificates after the leaf (the signing CA, then
    /// each issuer in turn), as `certkit sign --bundle` reads them.
    pub bundle: Option<String>,
}

/// One loaded CA and profile.
pub struct Signing {
    pub issuer: Issuer,
    pub profile: Profile,
    /// What follows the leaf in every status (empty without `--bundle`).
    pub intermediates: Intermediates,
    /// What the ClusterTrustBundle publishes (PEM): the CA without
    /// `--bundle`; with one, its topmost certificate, the root when it
    /// reaches one (a trust bundle holds anchors, not intermediates).
    pub trust_pem: String,
    /// Set when the bundle stops below a self-signed root: the warning that
    /// clients must accept the non-self-signed anchor published.
    pub trust_warning: Option<String>,
    /// A digest of the files it was loaded from, to notice changes.
    pub fingerprint: String,
}

impl SigningSources {
    /// Loads the CA and profile; the warnings are the config's.
    pub fn load(&self) -> Result<(Signing, Vec<String>)> {
        let fingerprint = self.fingerprint();
        let issuer = load::issuer(CaSource {
            cert: Some(Path::new(&self.ca)),
            key: Some(Path::new(&self.ca_key)),
            password_file: self.ca_key_password_file.as_deref().map(Path::new),
        })?;
        let mut report = Report::default();
        let config = load::config(self.config.as_deref().map(Path::new), &mut report)?;
        let profile = config.profile(&self.profile)?.clone();
        let intermediates = match &self.bundle {
            Some(path) => load::intermediates(path, &issuer)?,
            None => Intermediates::default(),
        };
        let (trust_pem, trust_warning) = match intermediates.top() {
            None => (
                pem_encode("CERTIFICATE", &issuer.certificate().to_der()?),
                None,
            ),
            Some(top) => (top.pem.to_string(), self.trust_warning(&top)),
        };
        let warnings = report
            .notes
            .into_iter()
            .map(|note| match note {
                Note::Info(m) | Note::Warning(m) => m,
            })
            .collect();
        Ok((
            Signing {
                issuer,
                profile,
                intermediates,
                trust_pem,
                trust_warning,
                fingerprint,
            },
            warnings,
        ))
    }

    /// The warning for a bundle whose top is not a root, naming the file
    /// and the certificate published in the root's place.
    fn trust_warning(&self, top: &Top) -> Option<String> {
        (!top.self_signed).then(|| {
            format!(
                "--bundle {}: its topmost certificate, {}, is not self-signed; the ClusterTrustBundle publishes it as the trust anchor, so clients must accept an anchor that is not self-signed (Go and rustls do; OpenSSL needs -partial_chain); add the root to the bundle to publish the root",
                self.bundle.as_deref().unwrap_or_default(),
                top.subject
            )
        })
    }

    /// SHA-256 over the files' contents (unreadable files count as empty:
    /// loading then reports the error).
    pub fn fingerprint(&self) -> String {
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        let files = [
            Some(&self.ca),
            Some(&self.ca_key),
            self.config.as_ref(),
            self.bundle.as_ref(),
        ];
        for path in files.into_iter().flatten() {
            let bytes = std::fs::read(path).unwrap_or_default();
            ctx.update(&(bytes.len() as u64).to_be_bytes());
            ctx.update(&bytes);
        }
        hex::encode(ctx.finish().as_ref())
    }
}

/// The signing state every reconcile reads; replaced whole on reload.
#[derive(Clone)]
pub struct SharedSigning(Arc<RwLock<Arc<Signing>>>);

impl SharedSigning {
    pub fn new(signing: Signing) -> SharedSigning {
        SharedSigning(Arc::new(RwLock::new(Arc::new(signing))))
    }

    pub fn current(&self) -> Arc<Signing> {
        match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace(&self, signing: Signing) {
        let mut guard = match self.0.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(signing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certkit_core::issue::batch::issue_leaf;
    use certkit_core::request::Request;

    /// int.pem and int-key.pem in `dir`, the signer's CA: an intermediate
    /// under the repository's test root (fixtures/k8s/ca.pem, "My Example
    /// Signer"), loaded as the signer loads a CA. (root PEM, intermediate PEM.)
    fn two_tier(dir: &Path) -> (String, String) {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/k8s");
        let (root_pem, root_key) = (fixtures.join("ca.pem"), fixtures.join("ca-key.pem"));
        let root = load::issuer(CaSource {
            cert: Some(&root_pem),
            key: Some(&root_key),
            password_file: None,
        })
        .unwrap();
        let json = br#"{"CN":"Intermediate","key":{"algo":"ecdsa","size":256}}"#;
        let request = Request::from_json(json, "int.json").unwrap().request;
        let int = issue_leaf(&root, &Profile::ca_default(), &request).unwrap();
        std::fs::write(dir.join("int.pem"), &int.cert_pem).unwrap();
        std::fs::write(dir.join("int-key.pem"), int.key_pem.as_bytes()).unwrap();
        (std::fs::read_to_string(root_pem).unwrap(), int.cert_pem)
    }

    fn sources(dir: &Path, bundle: Option<&str>) -> SigningSources {
        let path = |f: &str| dir.join(f).to_str().unwrap().to_string();
        SigningSources {
            ca: path("int.pem"),
            ca_key: path("int-key.pem"),
            ca_key_password_file: None,
            config: None,
            profile: String::new(),
            bundle: bundle.map(path),
        }
    }

    /// The trust bundle publishes the root a bundle reaches; the CA
    /// without a bundle (as before); the bundle's top, with a warning
    /// naming the file, when the bundle stops below a root.
    #[test]
    fn the_trust_anchor_is_the_bundles_root() {
        let dir = tempfile::tempdir().unwrap();
        let (root, int) = two_tier(dir.path());
        std::fs::write(dir.path().join("full.pem"), format!("{int}{root}")).unwrap();

        let (full, _) = sources(dir.path(), Some("full.pem")).load().unwrap();
        assert_eq!(full.trust_pem, root);
        assert_eq!(full.trust_warning, None);
        assert_eq!(
            full.intermediates.chain("LEAF\n"),
            format!("LEAF\n{int}{root}")
        );

        let (none, _) = sources(dir.path(), None).load().unwrap();
        assert_eq!(none.trust_pem, int, "no bundle: the CA, as before");
        assert_eq!(none.trust_warning, None);
        assert_eq!(none.intermediates.chain("LEAF\n"), "LEAF\n");

        let (short, _) = sources(dir.path(), Some("int.pem")).load().unwrap();
        assert_eq!(short.trust_pem, int);
        let warning = short.trust_warning.unwrap();
        assert!(
            warning
                .contains("int.pem: its topmost certificate, /CN=Intermediate, is not self-signed")
                && warning.contains("clients must accept an anchor that is not self-signed"),
            "{warning}"
        );
    }

    /// The bundle is part of what is watched, and checked against the CA
    /// on every load: reversed, it does not load (naming the file).
    #[test]
    fn the_bundle_is_reloaded_and_checked_with_the_ca() {
        let dir = tempfile::tempdir().unwrap();
        let (root, int) = two_tier(dir.path());
        let bundle = dir.path().join("bundle.pem");
        std::fs::write(&bundle, format!("{int}{root}")).unwrap();
        let sources = sources(dir.path(), Some("bundle.pem"));
        let before = sources.fingerprint();
        std::fs::write(&bundle, format!("{root}{int}")).unwrap();
        assert_ne!(sources.fingerprint(), before, "a bundle change is noticed");
        let err = sources.load().err().unwrap().to_string();
        assert!(
            err.contains(
                "bundle.pem: certificate 1 is /CN=My Example Signer, expected /CN=Intermediate"
            ),
            "{err}"
        );
    }
}
