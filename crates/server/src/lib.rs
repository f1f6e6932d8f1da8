//! certkit's HTTP services: cfssl's signing API (`serve`, `multirootca`)
//! and the OCSP responder (`ocsp`). Only HTTP lives here: what a request
//! does is `certkit_ops`/`certkit_core` (the CLI's path), the certificate
//! database and a `-remote` signer come in through `certkit_ops`'s seams,
//! so this crate links neither a SQL driver nor an HTTP client.

pub mod acme;
pub mod listen;
pub mod multiroot;
pub mod ocsp;
pub mod serve;
pub mod work;
