//! The server's bundler, as `cfssl serve` has it: the `bundle` endpoint
//! always (roots from `-ca-bundle`, else the system's; intermediates from
//! `-int-bundle` and `-int-dir`; platforms from `-metadata`), and `"bundle":
//! true` on `sign`, `authsign` and `newcert` only when both `-ca-bundle`
//! and `-int-bundle` are given. The pools are read once, at start-up;
//! every request bundles through `certkit_core::chain::bundle`, the CLI's
//! `bundle` code.

use super::envelope::ApiError;
use certkit_core::chain::bundle::{bundle_loaded, Bundle, Flavor, Loaded, Sources};
use std::path::Path;
use std::time::SystemTime;

/// The roots `certkit bundle` defaults to, and cfssl's bundle endpoint
/// (Go's system pool) uses without `-ca-bundle`.
pub const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The bundler's flags, as `certkit bundle` has them.
#[derive(Debug, Clone, Copy, Default)]
pub struct BundleFiles<'a> {
    /// Roots; none: the system's.
    pub ca_bundle: Option<&'a str>,
    pub int_bundle: Option<&'a str>,
    /// A directory of further intermediates (`*.pem`, `*.crt`, `*.der`).
    pub int_dir: Option<&'a str>,
    /// cfssl's ubiquity metadata, for the `ubiquitous` flavor.
    pub metadata: Option<&'a str>,
}

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
    /// Reads the pools and the platform metadata. A named file that
    /// cannot be read or parsed stops the start (cfssl only disables the
    /// endpoint, with a log line; a bad `-metadata` stops it too); the
    /// system roots, when absent, leave an empty root pool, as Go's. A
    /// missing `-int-dir` is cfssl's empty stash (cfssl creates it; it
    /// fetches intermediates into it, certkit fetches nothing): a warning.
    pub fn load(files: &BundleFiles) -> Result<Bundler, certkit_core::Error> {
        let system = files.ca_bundle.is_none();
        let int_dir = files.int_dir.filter(|dir| {
            let exists = Path::new(dir).exists();
            if !exists {
                log::warn!("-int-dir {dir}: no such directory; no intermediates read from it");
            }
            exists
        });
        let sources = Sources {
            // Names the input in messages, as the request field.
            cert: "certificate".into(),
            ca_bundle: Some(files.ca_bundle.unwrap_or(SYSTEM_ROOTS).into()),
            int_bundle: files.int_bundle.map(Into::into),
            int_dir: int_dir.map(Into::into),
            metadata: files.metadata.map(Into::into),
            ..Sources::default()
        };
        let loaded = match Loaded::read(&sources) {
            Ok(loaded) => loaded,
            // Without the system's roots (absent or unreadable) the rest
            // still loads; an error in the rest is the error to report.
            Err(e) if system => {
                let loaded = Loaded::read(&Sources {
                    ca_bundle: None,
                    ..sources.clone()
                })?;
                log::warn!("bundle: no system roots ({e}); give -ca-bundle");
                loaded
            }
            Err(e) => return Err(e),
        };
        for skipped in &loaded.skipped {
            log::warn!("{}", skipped);
        }
        log::info!(
            "bundler ready: {} roots, {} intermediates, {} platforms",
            loaded.pools.roots.len(),
            loaded.pools.intermediates.len(),
            loaded.platforms.len()
        );
        Ok(Bundler {
            sources,
            loaded,
            for_signing: files.ca_bundle.is_some() && files.int_bundle.is_some(),
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
