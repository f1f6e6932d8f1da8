//! Certificate chains: reading certificates, building bundles, verifying
//! paths, describing certificates and reporting their expiry.

pub mod bundle;
pub mod certinfo;
pub mod certs;
pub mod expiry;
pub mod mkbundle;
pub mod path;
pub mod verify;
