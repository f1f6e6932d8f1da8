//! Loading a PKCS#11 module once per process. C_Initialize may be called
//! only once per module until C_Finalize, so every key on a module shares
//! one context; `reinitialize` is how a token that came back is found
//! again by modules that read their slots only at initialisation.

use crate::error::Pkcs11Error;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

fn modules() -> &'static Mutex<HashMap<String, Pkcs11>> {
    static MODULES: OnceLock<Mutex<HashMap<String, Pkcs11>>> = OnceLock::new();
    MODULES.get_or_init(Default::default)
}

/// The initialised context of `module`, loading it the first time.
pub(crate) fn load(module: &str) -> Result<Pkcs11, Pkcs11Error> {
    let mut map = modules().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(ctx) = map.get(module) {
        return Ok(ctx.clone());
    }
    let failed = |why: String| Pkcs11Error::Module {
        module: module.to_string(),
        why,
    };
    if !std::path::Path::new(module).is_file() {
        return Err(failed("no such file".into()));
    }
    if statically_linked() {
        return Err(Pkcs11Error::StaticBinary {
            module: module.to_string(),
        });
    }
    let ctx = Pkcs11::new(module).map_err(|e| failed(e.to_string()))?;
    initialize(&ctx).map_err(|e| failed(e.to_string()))?;
    map.insert(module.to_string(), ctx.clone());
    Ok(ctx)
}

/// Finalises and initialises `module` again, invalidating every session
/// on it (their keys open new ones on their next use).
pub(crate) fn reinitialize(module: &str) -> Result<Pkcs11, Pkcs11Error> {
    let mut map = modules().lock().unwrap_or_else(|p| p.into_inner());
    let failed = |e: CkError| Pkcs11Error::Module {
        module: module.to_string(),
        why: e.to_string(),
    };
    let Some(ctx) = map.get(module).cloned() else {
        drop(map);
        return load(module);
    };
    match ctx.clone().finalize() {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiNotInitialized, _)) => {}
        Err(e) => return Err(failed(e)),
    }
    initialize(&ctx).map_err(failed)?;
    map.insert(module.to_string(), ctx.clone());
    Ok(ctx)
}

/// Whether this process is a static program (no program interpreter was
/// mapped: the auxiliary vector's AT_BASE is zero). glibc loads a module
/// into a static program with a second C library of its own, and the two
/// keep separate tables of the same threads' thread-specific keys: the
/// module's libcrypto and certkit's AWS-LC then overwrite each other's
/// thread data (AWS-LC aborts on its next random number). So a static
/// certkit refuses to load a module instead (README "CA keys in a token").
#[cfg(target_os = "linux")]
pub fn statically_linked() -> bool {
    // SAFETY: getauxval only reads the process's auxiliary vector.
    unsafe { libc::getauxval(libc::AT_BASE) == 0 }
}

/// Elsewhere build.rs does not link statically.
#[cfg(not(target_os = "linux"))]
pub fn statically_linked() -> bool {
    false
}

fn initialize(ctx: &Pkcs11) -> Result<(), CkError> {
    // The module uses the OS's locks: certkit's servers sign from several
    // threads (each key serialises its own session).
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        Err(e) => Err(e),
    }
}
