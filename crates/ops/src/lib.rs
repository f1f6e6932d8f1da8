//! What each command does, as one function from its inputs to a
//! [`Report`] (cfssl's `cli/<command>`): the CLI parses flags and calls
//! one of these, the server calls the same ones for its endpoints.
//! Nothing here prints; files are written through `certkit-files`. The
//! two outside systems are seams the CLI fills in: a certificate store
//! (`store`, implemented by `certkit-certdb`) and a remote signer
//! (`signer`, implemented by `certkit-remote`), so neither this crate nor
//! the HTTP server links a SQL driver or an HTTP client.
//!
//! - `load`: requests, configs, keys and CAs named by path
//! - `genkey`, `initca`, `gencert`, `sign`, `selfsign`: the commands that make keys, CSRs and certificates
//! - `signer`: the signer seam (cfssl's `signer.Signer`): sign and info, here or at a remote
//! - `remote`: `sign`, `gencert` and `info` through a signer elsewhere
//! - `store`: the certificate store seam and its rows; `record`: `-db-config` on sign and gencert
//! - `revocation`: `gencrl`, `ocspsign`, the OCSP responder; `revoke`, `crl`, `ocsprefresh`, `ocspdump` on the store
//! - `ocsp_check`: `verify --ocsp`, with the HTTP exchange handed in
//! - `renew`, `cluster`: renewing in place; the cluster PKI's init and renew

pub mod cluster;
pub mod gencert;
pub mod genkey;
pub mod initca;
pub mod load;
pub mod ocsp_check;
pub mod record;
pub mod remote;
pub mod renew;
pub mod revocation;
pub mod selfsign;
pub mod sign;
pub mod signer;
pub mod store;

pub use certkit_core::report::{Note, Report};
