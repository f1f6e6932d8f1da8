//! certkit as a client, one blocking HTTP stack (ureq over rustls with
//! AWS-LC), so commands that use it start no async runtime:
//!
//! - `client`: one cfssl API server: addresses (`HOST:PORT`, `IP:port`, URLs), TLS, one POST
//! - `signer`: the `-remote` signer behind `certkit_ops::signer::Signer` (sign, authsign with an HMAC token, info)
//! - `ocsp`: the HTTP exchange of `verify --ocsp`
//! - `tls_probe`: the chain a TLS server presents (`certinfo -domain`, `bundle -domain`)

pub mod client;
pub mod ocsp;
pub mod signer;
pub mod tls_probe;

pub use client::{ClientTls, Remote};
pub use signer::{RemoteInputs, RemoteSigner};
