//! What goes wrong with a token key, each said in one line. Messages name
//! the module, token and key, never the PIN.

use cryptoki::error::{Error as CkError, RvError};

/// A token key that cannot be reached or used.
#[derive(Debug, thiserror::Error)]
pub enum Pkcs11Error {
    /// A URI attribute that is malformed or unknown.
    #[error("PKCS#11 URI: {attr} {why}")]
    Uri { attr: String, why: String },
    /// No module named in the URI or the environment.
    #[error("PKCS#11 URI: no module given (add ?module-path=/path/to/module.so, or set $CERTKIT_PKCS11_MODULE)")]
    NoModule,
    /// The module file cannot be loaded or initialised.
    #[error("PKCS#11 module {module}: cannot be loaded: {why}")]
    Module { module: String, why: String },
    /// This certkit is a static program, which cannot load a module safely.
    #[error("PKCS#11 module {module}: this certkit is linked statically and cannot load PKCS#11 modules; reinstall it linked dynamically: CERTKIT_STATIC=0 cargo install ... (README \"CA keys in a token\")")]
    StaticBinary { module: String },
    /// No token matches the URI (or it was removed).
    #[error("PKCS#11: no token {token} in module {module}")]
    NoToken { token: String, module: String },
    /// The token has no private key matching the URI.
    #[error("PKCS#11: token {token} has no private key {object}")]
    NoObject { token: String, object: String },
    /// More than one private key matches.
    #[error("PKCS#11: token {token} has several private keys matching {object}; name one by id=")]
    Ambiguous { token: String, object: String },
    /// The token needs a PIN and the URI gives none.
    #[error(
        "PKCS#11: token {token} needs a PIN (add ?pin-source=file:PATH or env:VAR to the URI)"
    )]
    NoPin { token: String },
    /// C_Login refused the PIN.
    #[error("PKCS#11: token {token}: {}", login_words(*rv))]
    Login { token: String, rv: RvError },
    /// A key certkit cannot sign certificates with.
    #[error("PKCS#11: key {object} in token {token}: {why}")]
    KeyType {
        token: String,
        object: String,
        why: String,
    },
    /// Any other call the module failed.
    #[error("PKCS#11: token {token}: {call} failed: {}", rv_words(err))]
    Call {
        token: String,
        call: &'static str,
        err: CkError,
    },
}

impl Pkcs11Error {
    pub(crate) fn uri(attr: &str, why: &str) -> Pkcs11Error {
        Pkcs11Error::Uri {
            attr: attr.to_string(),
            why: why.to_string(),
        }
    }
}

/// The return value of a failed call, as it is in the standard.
pub(crate) fn rv_of(err: &CkError) -> Option<RvError> {
    match err {
        CkError::Pkcs11(rv, _) => Some(*rv),
        _ => None,
    }
}

fn login_words(rv: RvError) -> String {
    match rv {
        RvError::PinIncorrect => "wrong PIN (CKR_PIN_INCORRECT)".into(),
        RvError::PinLocked => {
            "the PIN is locked after too many wrong tries (CKR_PIN_LOCKED); the security officer must reset it".into()
        }
        RvError::PinExpired => "the PIN has expired (CKR_PIN_EXPIRED); set a new one".into(),
        RvError::PinLenRange | RvError::PinInvalid => {
            "the PIN has the wrong length or characters (CKR_PIN_LEN_RANGE/CKR_PIN_INVALID)".into()
        }
        RvError::UserPinNotInitialized => {
            "the token has no user PIN yet (CKR_USER_PIN_NOT_INITIALIZED)".into()
        }
        other => format!("login failed: {}", short(other)),
    }
}

fn rv_words(err: &CkError) -> String {
    match rv_of(err) {
        Some(RvError::TokenNotPresent) | Some(RvError::DeviceRemoved) => {
            "the token is not present (removed?)".into()
        }
        Some(rv) => short(rv),
        None => err.to_string(),
    }
}

/// The CKR_ name of a return value: cryptoki's Debug name in the
/// standard's spelling (PinIncorrect -> CKR_PIN_INCORRECT).
pub(crate) fn short(rv: RvError) -> String {
    let name = format!("{rv:?}");
    let mut out = String::from("CKR");
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

impl From<Pkcs11Error> for certkit_core::error::Error {
    fn from(e: Pkcs11Error) -> Self {
        certkit_core::error::Error::Key(e.to_string())
    }
}
