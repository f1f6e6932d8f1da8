//! An RSA private key for signing, handed to AWS-LC part by part.
//!
//! aws-lc-rs parses an RSA key with AWS-LC's `RSA_parse_private_key`, which
//! runs `RSA_check_key` (2.6 M instructions for RSA-2048: constant-time
//! divisions checking d, dP, dQ and qInv against p and q), and AWS-LC blinds
//! the first private operation of every key (3.4 M: a blinded modular
//! inverse). A CA key signs once per `certkit sign`, so together they were a
//! third of an RSA CA's whole command (README "Start-up"). Here:
//!
//! - the consistency check is left out, because every signature is still
//!   verified with the public exponent before it is returned (AWS-LC's
//!   fault-attack check, `rsa_default_private_transform`): a key whose parts
//!   disagree makes no signature at all, and the CA certificate's public key
//!   is checked against this one by the caller as before;
//! - blinding is left out in short-lived processes only
//!   ([`one_signature_per_process`]): the exponentiation itself is AWS-LC's
//!   constant-time one (as Go's crypto/rsa, which cfssl uses and which has
//!   not blinded since Go 1.20). Services (serve, the signer, ocspserve)
//!   keep it, where it is paid once per key.
//!
//! The few AWS-LC calls are made through aws-lc-sys, the same library and
//! version aws-lc-rs links.

use crate::error::{Error, Result};
use aws_lc_sys as lc;
use der::asn1::UintRef;
use der::{Decode, Encode};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use zeroize::Zeroizing;

static BLINDING_OFF: AtomicBool = AtomicBool::new(false);

/// Declares this process short-lived (one command, a signature or a few):
/// RSA keys parsed from now on sign without blinding. Called by the CLI
/// for every command that is not a service.
pub fn one_signature_per_process() {
    BLINDING_OFF.store(true, Ordering::Relaxed);
}

/// An RSA private key: AWS-LC's `RSA` object, the PKCS#1 DER it came from
/// (to write the key out again) and its public key.
pub struct RsaKey {
    rsa: NonNull<lc::RSA>,
    pkcs1: Zeroizing<Vec<u8>>,
    public_pkcs1: Vec<u8>,
    modulus_len: usize,
}

// SAFETY: AWS-LC's RSA objects may be used from several threads at once:
// private-key operations take the object's own lock where they cache
// (the frozen Montgomery values, the blinding cache), and nothing here
// mutates the object after construction.
unsafe impl Send for RsaKey {}
unsafe impl Sync for RsaKey {}

impl Drop for RsaKey {
    fn drop(&mut self) {
        // SAFETY: `rsa` came from RSA_new and is freed once; AWS-LC wipes
        // the private values when it frees them.
        unsafe { lc::RSA_free(self.rsa.as_ptr()) }
    }
}

/// The signature hash, chosen by modulus size as cfssl does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaHash {
    Sha256,
    Sha384,
    Sha512,
}

impl RsaKey {
    /// Parses PKCS#1 `RSAPrivateKey` DER. Keys under 2048 or over 8192 bits
    /// and multi-prime keys are refused, as aws-lc-rs refuses them.
    pub fn from_pkcs1_der(der: &[u8], source: &str) -> Result<RsaKey> {
        let key = pkcs1::RsaPrivateKey::<UintRef<'_>>::from_der(der)
            .map_err(|e| Error::decode(source, format!("invalid RSA key: {e}")))?;
        if key.other_prime_infos.is_some() {
            return Err(Error::decode(
                source,
                "multi-prime RSA keys are not supported",
            ));
        }
        let bits = bit_len(key.modulus);
        if bits < 2048 {
            return Err(Error::decode(
                source,
                "RSA keys under 2048 bits are refused as too weak",
            ));
        }
        if bits > 8192 {
            return Err(Error::decode(
                source,
                "RSA keys over 8192 bits are not supported",
            ));
        }
        // Larger exponents would make the fault check as slow as signing;
        // AWS-LC refuses them at the first signature, this says so earlier.
        if bit_len(key.public_exponent) > 33 {
            return Err(Error::decode(
                source,
                "RSA public exponent over 33 bits is not supported",
            ));
        }
        let public = pkcs1::RsaPublicKey {
            modulus: key.modulus,
            public_exponent: key.public_exponent,
        };
        let public_pkcs1 = public.to_der()?;
        let rsa =
            build(&key).ok_or_else(|| Error::Key("AWS-LC could not hold the RSA key".into()))?;
        if BLINDING_OFF.load(Ordering::Relaxed) {
            // SAFETY: `rsa` is a valid RSA object that nothing else uses yet.
            unsafe { lc::RSA_blinding_off_temp_for_accp_compatibility(rsa.as_ptr()) }
        }
        Ok(RsaKey {
            rsa,
            pkcs1: Zeroizing::new(der.to_vec()),
            public_pkcs1,
            modulus_len: bits.div_ceil(8),
        })
    }

    /// The private key as PKCS#1 DER.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1
    }

    /// The public key as PKCS#1 `RSAPublicKey` DER.
    pub fn public_pkcs1_der(&self) -> &[u8] {
        &self.public_pkcs1
    }

    /// The modulus length in bytes (the signature's length).
    pub fn modulus_len(&self) -> usize {
        self.modulus_len
    }

    /// A PKCS#1 v1.5 signature of `message` hashed with `hash`, verified
    /// with the public key before it is returned.
    pub fn sign(&self, hash: RsaHash, message: &[u8]) -> Result<Vec<u8>> {
        let (algorithm, nid) = match hash {
            RsaHash::Sha256 => (&aws_lc_rs::digest::SHA256, lc::NID_sha256),
            RsaHash::Sha384 => (&aws_lc_rs::digest::SHA384, lc::NID_sha384),
            RsaHash::Sha512 => (&aws_lc_rs::digest::SHA512, lc::NID_sha512),
        };
        let digest = aws_lc_rs::digest::digest(algorithm, message);
        let mut out = vec![0u8; self.modulus_len];
        let mut out_len: std::os::raw::c_uint = 0;
        // SAFETY: `out` has room for RSA_size bytes (the modulus length),
        // the digest pointer and length describe a live buffer, and `rsa`
        // is valid for the life of `self`.
        let ok = unsafe {
            lc::RSA_sign(
                nid,
                digest.as_ref().as_ptr(),
                digest.as_ref().len(),
                out.as_mut_ptr(),
                &mut out_len,
                self.rsa.as_ptr(),
            )
        };
        if ok != 1 || out_len as usize != out.len() {
            // SAFETY: clears this thread's AWS-LC error queue only.
            unsafe { lc::ERR_clear_error() };
            return Err(Error::Key(
                "RSA signing failed: the key's parts do not agree (the signature did not verify)"
                    .into(),
            ));
        }
        Ok(out)
    }
}

/// An AWS-LC `RSA` object holding the key's eight values.
fn build(key: &pkcs1::RsaPrivateKey<UintRef<'_>>) -> Option<NonNull<lc::RSA>> {
    // SAFETY: RSA_new returns an owned object or null.
    let rsa = NonNull::new(unsafe { lc::RSA_new() })?;
    let guard = FreeOnError(rsa);
    let n = bignum(key.modulus)?;
    let e = bignum(key.public_exponent)?;
    let d = bignum(key.private_exponent)?;
    // SAFETY: the set0 functions take ownership of the BIGNUMs on success;
    // on failure they are still ours and freed by the guards.
    if unsafe { lc::RSA_set0_key(rsa.as_ptr(), n.0, e.0, d.0) } != 1 {
        return None;
    }
    std::mem::forget((n, e, d));
    let p = bignum(key.prime1)?;
    let q = bignum(key.prime2)?;
    if unsafe { lc::RSA_set0_factors(rsa.as_ptr(), p.0, q.0) } != 1 {
        return None;
    }
    std::mem::forget((p, q));
    let dp = bignum(key.exponent1)?;
    let dq = bignum(key.exponent2)?;
    let qinv = bignum(key.coefficient)?;
    if unsafe { lc::RSA_set0_crt_params(rsa.as_ptr(), dp.0, dq.0, qinv.0) } != 1 {
        return None;
    }
    std::mem::forget((dp, dq, qinv));
    std::mem::forget(guard);
    Some(rsa)
}

/// A BIGNUM we own until AWS-LC takes it.
struct Bignum(*mut lc::BIGNUM);

impl Drop for Bignum {
    fn drop(&mut self) {
        // SAFETY: a BIGNUM from BN_bin2bn that AWS-LC did not take.
        unsafe { lc::BN_clear_free(self.0) }
    }
}

fn bignum(value: UintRef<'_>) -> Option<Bignum> {
    let bytes = value.as_bytes();
    // SAFETY: reads `bytes`, returns a new BIGNUM or null.
    let bn = unsafe { lc::BN_bin2bn(bytes.as_ptr(), bytes.len(), std::ptr::null_mut()) };
    (!bn.is_null()).then_some(Bignum(bn))
}

/// Frees a half-built RSA object when building it fails.
struct FreeOnError(NonNull<lc::RSA>);

impl Drop for FreeOnError {
    fn drop(&mut self) {
        // SAFETY: the object is ours and not yet returned.
        unsafe { lc::RSA_free(self.0.as_ptr()) }
    }
}

fn bit_len(value: UintRef<'_>) -> usize {
    let bytes = value.as_bytes();
    match bytes.first() {
        None => 0,
        Some(&top) => bytes.len() * 8 - top.leading_zeros() as usize,
    }
}
