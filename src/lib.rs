//! certkit: a drop-in, stricter and faster replacement for cfssl and
//! cfssljson. The library holds every PKI concept (requests, signing
//! policy, keys, CSRs, issuance, cfssljson output); `cli` only parses
//! arguments and calls it.

pub mod batch;
pub mod bundle;
pub mod certinfo;
pub mod certpolicy;
pub mod certs;
pub mod cli;
pub mod cluster;
pub mod csr;
pub mod defaults;
pub mod docs;
pub mod duration;
pub mod error;
pub mod expiry;
pub mod extensions;
pub mod files;
pub mod initca;
pub mod input;
pub mod issuer;
pub(crate) mod json_fields;
pub mod k8s;
pub mod key;
pub mod key_format;
pub mod legacy_pem;
pub mod log;
pub mod name;
pub mod output;
pub mod password;
pub mod pkcs12;
pub mod policy;
pub mod progress;
pub mod remote;
pub mod renew;
pub mod renew_ca;
pub mod request;
pub mod selfsign;
pub mod verify;
pub mod whitelist;

pub use error::{Error, Result};
