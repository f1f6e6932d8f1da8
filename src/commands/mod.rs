//! One module per command: its flags (clap derive) and a `run` that calls
//! the library.

pub mod batch;
pub mod bundle;
pub mod certinfo;
pub mod check_expiration;
pub mod cluster;
pub mod gencert;
pub mod gencsr;
pub mod genkey;
pub mod initca;
pub mod install_links;
pub mod json;
pub mod k8s;
pub mod key;
pub mod pkcs12;
pub mod print_defaults;
pub mod renew;
pub mod selfsign;
pub mod sign;
pub mod verify;
pub mod version;
