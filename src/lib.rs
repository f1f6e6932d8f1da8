//! certkit: a drop-in, stricter and faster replacement for cfssl and
//! cfssljson. The library holds every PKI concept (requests, signing
//! policy, keys, CSRs, issuance, cfssljson output); `cli` only parses
//! arguments and calls it.

pub mod batch;
pub mod cli;
pub mod csr;
pub mod duration;
pub mod error;
pub mod files;
pub mod initca;
pub mod input;
pub mod issuer;
pub(crate) mod json_fields;
pub mod key;
pub mod log;
pub mod name;
pub mod output;
pub mod policy;
pub mod request;

pub use error::{Error, Result};
