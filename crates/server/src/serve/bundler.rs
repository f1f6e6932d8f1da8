//! The server's bundler, as `cfssl serve` has it: the `bundle` endpoint
//! always (roots from `-ca-bundle`, else the system's), and `"bundle":
//! true` on `sign`, `authsign` and `newcert` only when both `-ca-bundle`
//! and `-int-bundle` are given. The pools are read once, at start-up;
//! every request bundles through `certkit_core::chain::bundle`, the CLI's
//! `bundle` code.

use super::envelope::ApiError;
use certkit_core::chain::bundle::{bundle_loaded, Bundle, Flavor, Loaded, Sources};
use std::time::SystemTime;

/// The roots `certkit bundle` defaults to, and cfssl's bundle endpoint
/// (Go's system pool) uses without `-ca-bundle`.
pub const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The pools, read once, and whether signing endpoints may bundle.
#[derive(Debug)]
pub struct Bundler {
    sources: Sources,
    loaded: Loaded,
    /// cfssl sets a bundler on sign/authsign/newcert only when both
    /// `-ca-bundle` and `-int-bundle` are given.
    pub for_signing: bool,
}

impl Bundler {
    /// Reads the pools. A named file that cannot be read or parsed stops
    /// the start (cfssl only disables the endpoint, with a log line); the
    /// system roots, when absent, leave an empty root pool, as Go's.
    pub fn load(ca_bundle: Option<&str>, int_bundle: Option<&str>) -> Result<Bundler, String> {
        let system = ca_bundle.is_none();
        let sources = Sources {
            // Names the input in messages, as the request field.
            cert: "certificate".into(),
            ca_bundle: Some(ca_bundle.unwrap_or(SYSTEM_ROOTS).into()),
            int_bundle: int_bundle.map(Into::into),
            ..Sources::default()
        };
        let loaded = match Loaded::read(&sources) {
            Ok(loaded) => loaded,
            Err(e) if system => {
                super::log(
                    "WARNING",
                    &format!("bundle: no system roots ({e}); give -ca-bundle"),
                );
                Loaded::read(&Sources {
                    ca_bundle: None,
                    ..sources.clone()
                })
                .map_err(|e| e.to_string())?
            }
            Err(e) => return Err(e.to_string()),
        };
        super::log(
            "INFO",
            &format!(
                "bundler ready: {} roots, {} intermediates",
                loaded.pools.roots.len(),
                loaded.pools.intermediates.len()
            ),
        );
        Ok(Bundler {
            sources,
            loaded,
            for_signing: ca_bundle.is_some() && int_bundle.is_some(),
        })
    }

    /// The bundle for a PEM or DER certificate (a chain in any order), with
    /// its key when given, now.
    pub fn bundle(
        &self,
        cert: &[u8],
        key: Option<&[u8]>,
        flavor: Flavor,
    ) -> Result<Bundle, ApiError> {
        let sources = Sources {
            flavor,
            ..self.sources.clone()
        };
        let key = key.map(|k| (k, "private_key"));
        Ok(bundle_loaded(
            &sources,
            &self.loaded,
            cert,
            key,
            SystemTime::now(),
        )?)
    }

    /// Whether certificates `ca_pem` issues can be bundled: it is one of
    /// the roots, or it chains to one. Checked at start-up, so that a CA
    /// outside the bundles is a warning, not a surprise at each request.
    pub fn covers(&self, ca_pem: &str) -> bool {
        let Ok(block) = pem::parse(ca_pem) else {
            return false;
        };
        self.loaded
            .pools
            .roots
            .iter()
            .any(|root| root.der == block.contents())
            || self
                .bundle(ca_pem.as_bytes(), None, Flavor::Optimal)
                .is_ok()
    }
}
