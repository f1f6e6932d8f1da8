//! certkit's PKI core: every concept cfssl has, as values and functions.
//! It takes bytes and values and returns values, warnings and typed
//! errors. It writes no files, prints nothing and never exits the process;
//! front ends (the CLI, the server, the Kubernetes signer) do that.
//!
//! One folder per concept:
//! - `input`: bounded reads of files, stdin, `env:`/`file:` values; Go-style JSON fields and durations
//! - `request`: CSR request JSON and subject names
//! - `keys`: key generation, signatures, key formats, encryption, PKCS#12
//! - `csr`: PKCS#10 requests, built, verified and described in Go's shape
//! - `policy`: signing configs, profiles, whitelists, remote settings
//! - `issue`: the issuer, extensions, initca, selfsign, renew, batch
//! - `chain`: certificate input, bundle, verify, certinfo, expiry
//! - `k8s`: CertificateSigningRequest objects and Kubernetes signer rules
//! - `cluster`: a kubeadm-layout cluster PKI, planned and built in memory
//! - `report`: an operation's output and log lines, for a front end to show
//! - `revocation`: revocation reasons, CRLs, OCSP requests and responses
//! - `serial`: serial numbers as decimal text, both ways
//! - `output`: cfssl's JSON output and cfssljson's file plan
//! - `text`: input text made safe for messages (controls escaped, long values cut)

pub mod chain;
pub mod cluster;
pub mod csr;
pub mod defaults;
pub mod error;
pub mod input;
pub mod issue;
pub mod k8s;
pub mod keys;
pub mod output;
pub mod policy;
pub mod report;
pub mod request;
pub mod revocation;
pub mod serial;
pub mod text;

pub use error::{Error, Result};
