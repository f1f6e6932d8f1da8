//! The `multirootca` personality: several labeled CAs from a roots file,
//! `/authsign` and `/info` only, the request's `label` choosing the CA
//! (empty: `-l`), multirootca's error shapes (code 1) and allow-lists.

pub mod roots;

use crate::serve::state::{Personality, Signer};
use crate::serve::{load_signer, serve, ServeOptions, StartError};
use certkit_core::input::read_text;
use certkit_ops::load::CaSource;
use certkit_ops::store::{DbFile, Opener};
use std::collections::BTreeMap;
use std::sync::Arc;

/// multirootca's flags.
#[derive(Debug, Clone)]
pub struct MultiRootOptions {
    /// `-a`: `host:port`, `:port` for every interface.
    pub address: String,
    pub roots: String,
    pub default_label: String,
    pub tls: Option<crate::serve::tls::TlsFiles>,
    pub loglevel: u8,
    /// Opens the roots' `dbconfig` (the CLI hands in `certkit-certdb`'s).
    pub open_db: Opener,
}

/// Loads every root and serves until a signal.
pub fn run(options: MultiRootOptions) -> Result<(), StartError> {
    let text = read_text(&options.roots)?;
    let roots =
        roots::parse(&text, &options.roots).map_err(|e| StartError::Options(e.to_string()))?;
    let mut signers = BTreeMap::new();
    let mut db_config: Option<String> = None;
    for root in roots {
        let ca = CaSource {
            cert: Some(std::path::Path::new(&root.certificate)),
            key: Some(std::path::Path::new(&root.private)),
            password_file: None,
        };
        let mut signer: Signer = load_signer(&root.label, ca, Some(&root.config))
            .map_err(|e| StartError::Options(format!("[{}]: {e}", root.label)))?;
        signer.nets = root.nets.clone();
        if let Some(db) = root.dbconfig {
            if db_config.as_ref().is_some_and(|d| *d != db) {
                return Err(StartError::Options(
                    "every root must name the same dbconfig (one database per server)".into(),
                ));
            }
            db_config = Some(db);
        }
        log::info!("loaded signer {}", root.label);
        signers.insert(root.label, Arc::new(signer));
    }
    if !options.default_label.is_empty() && !signers.contains_key(&options.default_label) {
        return Err(StartError::Options(format!(
            "-l {:?}: no such label in {}",
            options.default_label, options.roots
        )));
    }
    let (host, port) = options
        .address
        .rsplit_once(':')
        .ok_or_else(|| format!("-a {:?}: expected host:port", options.address))?;
    let serve_options = ServeOptions {
        address: if host.is_empty() {
            "0.0.0.0".into()
        } else {
            host.trim_matches(['[', ']']).into()
        },
        port: port
            .parse()
            .map_err(|_| format!("-a {:?}: bad port", options.address))?,
        db: db_config.map(|path| DbFile {
            path,
            open: options.open_db,
        }),
        tls: options.tls,
        loglevel: options.loglevel,
        ..ServeOptions::default()
    };
    let runtime = certkit_runtime::service()
        .map_err(|e| StartError::Options(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(serve(
        serve_options,
        Personality::MultiRootCa,
        signers,
        options.default_label,
    ))
}
