//! A CA key that stays in a PKCS#11 token: found by its RFC 7512 URI,
//! used through one logged-in session, signing by C_Sign. Signing is
//! serialised on that session (a PKCS#11 session must not be used by two
//! threads at once); a session lost because the token was removed is
//! replaced on the next signature, and the token must come back with the
//! same key.

use crate::error::{rv_of, short, Pkcs11Error};
use crate::module;
use crate::public_key::{ec_spki, ecdsa_der, rsa_spki, KeyKind};
use crate::uri::{PinSource, Pkcs11Uri};
use certkit_core::error::Result as CoreResult;
use certkit_core::input::password::read_password;
use certkit_core::keys::SigningKey;
use cryptoki::context::Pkcs11;
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use spki::AlgorithmIdentifierOwned;
use std::sync::Mutex;
use zeroize::Zeroizing;

/// Which token and key a URI names, and how to log in.
pub(crate) struct Target {
    pub(crate) module: String,
    pub(crate) token: Option<String>,
    manufacturer: Option<String>,
    model: Option<String>,
    serial: Option<String>,
    slot_id: Option<u64>,
    pub(crate) object: Option<String>,
    pub(crate) id: Option<Vec<u8>>,
    pin: Option<Zeroizing<String>>,
}

impl Target {
    /// The target of a parsed URI; reads the PIN from `pin-source`.
    pub(crate) fn from_uri(uri: Pkcs11Uri) -> Result<(Target, Vec<String>), Pkcs11Error> {
        let module = uri.module()?;
        let mut warnings = Vec::new();
        let pin = match uri.pin {
            None => None,
            Some(PinSource::Value(pin)) => {
                warnings.push(
                    "PKCS#11 URI: pin-value puts the PIN in the process arguments and shell history; prefer pin-source=file:PATH or env:VAR".to_string(),
                );
                Some(pin)
            }
            Some(PinSource::Source(source)) => {
                let pin = read_password(&source).map_err(|e| Pkcs11Error::Uri {
                    attr: "pin-source".into(),
                    why: format!("cannot be read: {e}"),
                })?;
                let pin = String::from_utf8(pin.to_vec())
                    .map_err(|_| Pkcs11Error::uri("pin-source", "is not UTF-8"))?;
                Some(Zeroizing::new(pin))
            }
        };
        let target = Target {
            module,
            token: uri.token,
            manufacturer: uri.manufacturer,
            model: uri.model,
            serial: uri.serial,
            slot_id: uri.slot_id,
            object: uri.object,
            id: uri.id,
            pin,
        };
        Ok((target, warnings))
    }

    /// The token as messages name it.
    pub(crate) fn token_name(&self) -> String {
        match (&self.token, &self.serial, self.slot_id) {
            (Some(t), _, _) => format!("{t:?}"),
            (None, Some(s), _) => format!("with serial {s:?}"),
            (None, None, Some(id)) => format!("in slot {id}"),
            _ => "matching the URI".into(),
        }
    }

    /// The key as messages name it.
    pub(crate) fn object_name(&self) -> String {
        match (&self.object, &self.id) {
            (Some(o), _) => format!("{o:?}"),
            (None, Some(id)) => format!("with id {}", hex(id)),
            _ => "?".into(),
        }
    }

    /// The slot holding the token the URI names.
    pub(crate) fn find_slot(&self, ctx: &Pkcs11) -> Result<Slot, Pkcs11Error> {
        let call = |call, err| self.call_err(call, err);
        let slots = ctx
            .get_slots_with_token()
            .map_err(|e| call("C_GetSlotList", e))?;
        for slot in slots {
            if self.slot_id.is_some_and(|id| id != slot.id()) {
                continue;
            }
            let info = match ctx.get_token_info(slot) {
                Ok(info) => info,
                // Removed between the list and the look.
                Err(e) if is_gone(&e) => continue,
                Err(e) => return Err(call("C_GetTokenInfo", e)),
            };
            let same = |want: &Option<String>, have: &str| {
                want.as_deref().is_none_or(|w| w == have.trim_end())
            };
            if same(&self.token, info.label())
                && same(&self.serial, info.serial_number())
                && same(&self.manufacturer, info.manufacturer_id())
                && same(&self.model, info.model())
            {
                return Ok(slot);
            }
        }
        Err(Pkcs11Error::NoToken {
            token: self.token_name(),
            module: self.module.clone(),
        })
    }

    /// Logs the session's user in with the URI's PIN, when the token
    /// needs one.
    pub(crate) fn login(
        &self,
        ctx: &Pkcs11,
        slot: Slot,
        session: &Session,
    ) -> Result<(), Pkcs11Error> {
        let info = ctx
            .get_token_info(slot)
            .map_err(|e| self.call_err("C_GetTokenInfo", e))?;
        if !info.login_required() {
            return Ok(());
        }
        if info.user_pin_locked() {
            return Err(Pkcs11Error::Login {
                token: self.token_name(),
                rv: RvError::PinLocked,
            });
        }
        let Some(pin) = &self.pin else {
            return Err(Pkcs11Error::NoPin {
                token: self.token_name(),
            });
        };
        let pin = AuthPin::from(pin.as_str().to_string());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) => Ok(()),
            // Logins are per application: another session of this process
            // (another key on the token) already logged in.
            Err(e) if rv_of(&e) == Some(RvError::UserAlreadyLoggedIn) => Ok(()),
            Err(CkError::Pkcs11(rv, _)) => Err(Pkcs11Error::Login {
                token: self.token_name(),
                rv,
            }),
            Err(e) => Err(self.call_err("C_Login", e)),
        }
    }

    /// The one private key the URI names.
    pub(crate) fn find_key(&self, session: &Session) -> Result<ObjectHandle, Pkcs11Error> {
        let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
        if let Some(label) = &self.object {
            template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        if let Some(id) = &self.id {
            template.push(Attribute::Id(id.clone()));
        }
        let found = session
            .find_objects(&template)
            .map_err(|e| self.call_err("C_FindObjects", e))?;
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(Pkcs11Error::NoObject {
                token: self.token_name(),
                object: self.object_name(),
            }),
            _ => Err(Pkcs11Error::Ambiguous {
                token: self.token_name(),
                object: self.object_name(),
            }),
        }
    }

    pub(crate) fn call_err(&self, call: &'static str, err: CkError) -> Pkcs11Error {
        Pkcs11Error::Call {
            token: self.token_name(),
            call,
            err,
        }
    }

    pub(crate) fn key_type_err(&self, why: impl Into<String>) -> Pkcs11Error {
        Pkcs11Error::KeyType {
            token: self.token_name(),
            object: self.object_name(),
            why: why.into(),
        }
    }
}

/// A token key certkit signs with.
pub struct TokenKey {
    target: Target,
    kind: KeyKind,
    spki: Vec<u8>,
    live: Mutex<Option<Live>>,
}

/// The logged-in session and the key's handle in it.
struct Live {
    session: Session,
    key: ObjectHandle,
}

impl TokenKey {
    /// Opens the key a `pkcs11:` URI names: loads the module, finds the
    /// token and key, logs in and reads the public key.
    pub fn open(uri: &str) -> Result<TokenKey, Pkcs11Error> {
        let (target, warnings) = Target::from_uri(Pkcs11Uri::parse(uri)?)?;
        for w in warnings {
            log::warn!("{w}");
        }
        let ctx = module::load(&target.module)?;
        let live = connect(&target, &ctx)?;
        let (kind, spki) = public_key(&target, &live.session, live.key)?;
        Ok(TokenKey {
            target,
            kind,
            spki,
            live: Mutex::new(Some(live)),
        })
    }

    fn sign_once(&self, live: &Live, message: &[u8]) -> Result<Vec<u8>, CkError> {
        match self.kind {
            KeyKind::Rsa { bits } => {
                let mech = if bits < 3072 {
                    Mechanism::Sha256RsaPkcs
                } else if bits < 4096 {
                    Mechanism::Sha384RsaPkcs
                } else {
                    Mechanism::Sha512RsaPkcs
                };
                live.session.sign(&mech, live.key, message)
            }
            KeyKind::EcP256 | KeyKind::EcP384 => {
                // CKM_ECDSA on a digest made here: every module has it,
                // the hash-and-sign ECDSA mechanisms are optional.
                let alg = if self.kind == KeyKind::EcP256 {
                    &aws_lc_rs::digest::SHA256
                } else {
                    &aws_lc_rs::digest::SHA384
                };
                let digest = aws_lc_rs::digest::digest(alg, message);
                live.session
                    .sign(&Mechanism::Ecdsa, live.key, digest.as_ref())
            }
            KeyKind::Ed25519 => live.session.sign(
                &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
                live.key,
                message,
            ),
        }
    }

    fn sign_raw(&self, message: &[u8]) -> Result<Vec<u8>, Pkcs11Error> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = live.as_ref() {
            match self.sign_once(l, message) {
                Ok(sig) => return Ok(sig),
                Err(e) if !is_lost_session(&e) => return Err(self.target.call_err("C_Sign", e)),
                Err(e) => log::warn!(
                    "PKCS#11 token {}: the session was lost ({}); logging in again",
                    self.target.token_name(),
                    rv_of(&e).map_or_else(|| e.to_string(), short)
                ),
            }
        }
        // No session, or it was lost (token removed, module reset): a new
        // one, and the token must still hold the same key.
        *live = None;
        let fresh = self.reconnect()?;
        let sig = self
            .sign_once(&fresh, message)
            .map_err(|e| self.target.call_err("C_Sign", e))?;
        *live = Some(fresh);
        Ok(sig)
    }

    fn reconnect(&self) -> Result<Live, Pkcs11Error> {
        let ctx = module::load(&self.target.module)?;
        let fresh = match connect(&self.target, &ctx) {
            Ok(fresh) => fresh,
            // Some modules (SoftHSM2 among them) read their tokens only
            // at C_Initialize: a token that came back needs a new one.
            Err(Pkcs11Error::NoToken { .. }) | Err(Pkcs11Error::Call { .. }) => {
                let ctx = module::reinitialize(&self.target.module)?;
                connect(&self.target, &ctx)?
            }
            Err(e) => return Err(e),
        };
        let (_, spki) = public_key(&self.target, &fresh.session, fresh.key)?;
        if spki != self.spki {
            return Err(self.target.key_type_err(
                "is not the key it was when certkit started (the token was replaced?)",
            ));
        }
        Ok(fresh)
    }
}

impl SigningKey for TokenKey {
    fn public_key_der(&self) -> CoreResult<Vec<u8>> {
        Ok(self.spki.clone())
    }

    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        self.kind.signature_algorithm()
    }

    fn sign(&self, message: &[u8]) -> CoreResult<Vec<u8>> {
        let raw = self.sign_raw(message)?;
        match self.kind {
            KeyKind::EcP256 | KeyKind::EcP384 => {
                ecdsa_der(&raw).map_err(|why| self.target.key_type_err(why).into())
            }
            _ => Ok(raw),
        }
    }

    fn describe(&self) -> String {
        self.kind.describe()
    }
}

/// Opens a read-only session on the token, logs in and finds the key.
fn connect(target: &Target, ctx: &Pkcs11) -> Result<Live, Pkcs11Error> {
    let slot = target.find_slot(ctx)?;
    let session = ctx
        .open_ro_session(slot)
        .map_err(|e| target.call_err("C_OpenSession", e))?;
    target.login(ctx, slot, &session)?;
    let key = target.find_key(&session)?;
    Ok(Live { session, key })
}

/// The key's kind and SubjectPublicKeyInfo, from its public attributes
/// and those of its public key object (same CKA_ID, else same label).
fn public_key(
    target: &Target,
    session: &Session,
    key: ObjectHandle,
) -> Result<(KeyKind, Vec<u8>), Pkcs11Error> {
    let get = |h: ObjectHandle, types: &[AttributeType]| {
        session
            .get_attributes(h, types)
            .map_err(|e| target.call_err("C_GetAttributeValue", e))
    };
    let attrs = get(
        key,
        &[
            AttributeType::KeyType,
            AttributeType::Sign,
            AttributeType::Id,
            AttributeType::Label,
        ],
    )?;
    let mut key_type = None;
    let mut can_sign = true;
    let mut twin = vec![Attribute::Class(ObjectClass::PUBLIC_KEY)];
    for a in attrs {
        match a {
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::Sign(s) => can_sign = s,
            Attribute::Id(id) if !id.is_empty() => twin.push(Attribute::Id(id)),
            Attribute::Label(l) if twin.len() == 1 && !l.is_empty() => {
                twin.push(Attribute::Label(l))
            }
            _ => {}
        }
    }
    if !can_sign {
        return Err(target.key_type_err("may not sign (CKA_SIGN is false)"));
    }
    let public = session
        .find_objects(&twin)
        .map_err(|e| target.call_err("C_FindObjects", e))?
        .first()
        .copied();
    let from = |types: &[AttributeType]| -> Result<Vec<Attribute>, Pkcs11Error> {
        let mut found = get(key, types)?;
        if let Some(p) = public {
            found.extend(get(p, types)?);
        }
        Ok(found)
    };
    let made = match key_type {
        Some(KeyType::RSA) => {
            let (mut n, mut e) = (None, None);
            for a in from(&[AttributeType::Modulus, AttributeType::PublicExponent])? {
                match a {
                    Attribute::Modulus(m) if n.is_none() => n = Some(m),
                    Attribute::PublicExponent(x) if e.is_none() => e = Some(x),
                    _ => {}
                }
            }
            match (n, e) {
                (Some(n), Some(e)) => rsa_spki(&n, &e),
                _ => Err("its modulus cannot be read".into()),
            }
        }
        Some(KeyType::EC) | Some(KeyType::EC_EDWARDS) => {
            let (mut params, mut point) = (None, None);
            for a in from(&[AttributeType::EcParams, AttributeType::EcPoint])? {
                match a {
                    Attribute::EcParams(p) if params.is_none() => params = Some(p),
                    Attribute::EcPoint(p) if point.is_none() => point = Some(p),
                    _ => {}
                }
            }
            match (params, point) {
                (Some(params), Some(point)) => ec_spki(&params, &point),
                _ => Err("its public key cannot be read (no public key object with the same id or label)".into()),
            }
        }
        Some(other) => Err(format!(
            "a {other} key cannot sign certificates (use RSA, EC or Ed25519)"
        )),
        None => Err("its key type cannot be read".into()),
    };
    made.map_err(|why| target.key_type_err(why))
}

/// Whether a call failed because the session or token went away, so a new
/// session may succeed.
fn is_lost_session(err: &CkError) -> bool {
    matches!(
        rv_of(err),
        Some(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::TokenNotPresent
                | RvError::TokenNotRecognized
                | RvError::DeviceRemoved
                | RvError::DeviceError
                | RvError::UserNotLoggedIn
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid
                | RvError::CryptokiNotInitialized
                | RvError::GeneralError
        )
    )
}

fn is_gone(err: &CkError) -> bool {
    matches!(
        rv_of(err),
        Some(RvError::TokenNotPresent | RvError::DeviceRemoved | RvError::SlotIdInvalid)
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
