//! The `-remote` client: cfssl's API from the other side, blocking
//! (ureq over rustls with AWS-LC), so commands that use it start no
//! async runtime.
//!
//! - `remote`: addresses (`HOST:PORT`, `IP:port`, URLs), TLS, one POST
//! - `ops`: `sign`, `gencert` and `info` through a remote, as reports

pub mod ops;
pub mod remote;

pub use remote::{ClientTls, Remote};
