//! certkit-pkcs11: CA keys that stay in a PKCS#11 token (an HSM, a
//! YubiKey, SoftHSM2). RFC 7512 URIs (`uri`), the module loaded once per
//! process (`module`), the key behind core's `SigningKey` seam signing by
//! C_Sign (`token_key`), keys generated inside the token (`generate`), and
//! errors said in one line without the PIN (`error`). Through `cryptoki`;
//! no FFI of its own.

pub mod error;
pub mod generate;
pub mod module;
pub mod public_key;
pub mod token_key;
pub mod uri;

pub use error::Pkcs11Error;
pub use generate::generate;
pub use token_key::TokenKey;
pub use uri::{is_pkcs11_uri, Pkcs11Uri, MODULE_ENV};
