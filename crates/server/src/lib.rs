//! certkit's services over HTTP: cfssl's signing API (`serve`,
//! `multirootca`), the `-remote` client, the certificate database
//! (`certdb`) and the OCSP responder (`ocsp`). Issuance goes through
//! `certkit_core::issue`, the same path the CLI takes.

pub mod certdb;
pub mod ocsp;
