//! certkit's services over HTTP: cfssl's signing API (`serve`,
//! `multirootca`), the `-remote` client, the certificate database and the
//! OCSP responder. Issuance goes through `certkit_core::issue`, the same
//! path the CLI takes.

pub mod tls_probe;
pub mod certdb;
pub mod client;
pub mod multiroot;
pub mod serve;
