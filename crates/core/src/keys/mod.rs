//! Private keys: generation with AWS-LC (`pair`), the PEM encodings cfssl
//! writes and every common encoding read back (`format`, `legacy_pem`),
//! PKCS#12 (`pkcs12`), RSA signing keys (`rsa`), the seam every CA-side key
//! signs through (`signing_key`: PEM keys here, token keys in certkit-pkcs11),
//! and signature verification for certificates and CSRs (`verify`).

pub mod format;
pub mod legacy_pem;
pub mod pair;
pub mod pkcs12;
pub mod rsa;
pub mod signing_key;
pub mod slow_work;
pub mod verify;

pub use pair::*;
pub use signing_key::{CaKey, SigningKey};
pub use verify::*;

#[cfg(test)]
mod tests;
