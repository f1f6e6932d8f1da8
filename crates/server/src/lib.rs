//! certkit's services over HTTP: cfssl's signing API (`serve`,
//! `multirootca`), the `-remote` client, the certificate database
//! (`certdb`), its revocation commands (`revocation`) and the OCSP
//! responder (`ocsp`). Issuance goes through
//! `certkit_core::issue`, the same path the CLI takes.

pub mod certdb;
pub mod client;
pub mod multiroot;
pub mod ocsp;
pub mod revocation;
pub mod serve;
pub mod tls_probe;
