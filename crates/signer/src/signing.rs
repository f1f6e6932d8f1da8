//! The CA and profile the signer issues with, loaded through the same
//! functions `certkit sign` uses, and reloaded when their files change (a
//! Secret mounted as a volume is updated in place by the kubelet).

use certkit_core::error::Result;
use certkit_core::issue::issuer::Issuer;
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
}

/// One loaded CA and profile.
pub struct Signing {
    pub issuer: Issuer,
    pub profile: Profile,
    /// The CA certificate, PEM: what the ClusterTrustBundle publishes.
    pub ca_pem: String,
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
        let ca_pem = pem_encode("CERTIFICATE", &issuer.certificate().to_der()?);
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
                ca_pem,
                fingerprint,
            },
            warnings,
        ))
    }

    /// SHA-256 over the files' contents (unreadable files count as empty:
    /// loading then reports the error).
    pub fn fingerprint(&self) -> String {
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        let files = [Some(&self.ca), Some(&self.ca_key), self.config.as_ref()];
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
