//! Private key encodings: writing a key as PKCS#1, SEC1 or PKCS#8, in PEM
//! or DER, optionally encrypted (PKCS#8 PBES2), and reading back any of
//! them, including encrypted PKCS#8 and openssl's legacy encrypted PEM.

use crate::error::{Error, Result};
use crate::keys::pair::{pem_encode_secret, KeyPair};
use aws_lc_rs::encoding::AsDer;
use der::Decode;
use zeroize::Zeroizing;

/// How a private key is structured on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// RSA keys as PKCS#1 (`RSA PRIVATE KEY`)
    Pkcs1,
    /// ECDSA keys as SEC1 (`EC PRIVATE KEY`)
    Sec1,
    /// Any key as PKCS#8 (`PRIVATE KEY`), what Java and netty want
    Pkcs8,
}

impl KeyFormat {
    /// The format cfssl writes for `key`: PKCS#1 for RSA, SEC1 for ECDSA,
    /// PKCS#8 for Ed25519 (which has no other encoding).
    pub fn cfssl_default(key: &KeyPair) -> KeyFormat {
        match key {
            KeyPair::Rsa(_) => KeyFormat::Pkcs1,
            KeyPair::Ecdsa(..) => KeyFormat::Sec1,
            KeyPair::Ed25519(_) => KeyFormat::Pkcs8,
        }
    }

    /// The PEM label of this format.
    pub fn pem_label(self) -> &'static str {
        match self {
            KeyFormat::Pkcs1 => "RSA PRIVATE KEY",
            KeyFormat::Sec1 => "EC PRIVATE KEY",
            KeyFormat::Pkcs8 => "PRIVATE KEY",
        }
    }
}

/// PBKDF2-HMAC-SHA256 rounds for keys certkit encrypts: far above
/// openssl's 2048 default, yet quick enough for interactive use.
const PBKDF2_ROUNDS: u32 = 200_000;

/// How certkit writes the private keys a command makes: the structure
/// (`None`: as cfssl does) and, when given, a password to encrypt with.
#[derive(Default)]
pub struct KeyEncoder {
    pub format: Option<KeyFormat>,
    pub password: Option<Zeroizing<Vec<u8>>>,
}

impl KeyEncoder {
    /// The key as PEM: plain in the chosen format, or encrypted PKCS#8
    /// (`ENCRYPTED PRIVATE KEY`) when a password is set.
    pub fn pem(&self, key: &KeyPair) -> Result<Zeroizing<String>> {
        let (label, der) = self.der(key)?;
        pem_encode_secret(label, &der)
    }

    /// The key as DER, with the PEM label that would name it.
    pub fn der(&self, key: &KeyPair) -> Result<(&'static str, Zeroizing<Vec<u8>>)> {
        match &self.password {
            Some(password) => {
                if matches!(self.format, Some(KeyFormat::Pkcs1 | KeyFormat::Sec1)) {
                    return Err(Error::Key(
                        "an encrypted key is always PKCS#8; use --key-format pkcs8 or leave it out"
                            .into(),
                    ));
                }
                Ok((
                    "ENCRYPTED PRIVATE KEY",
                    encrypt_pkcs8(&to_pkcs8(key)?, password)?,
                ))
            }
            None => {
                let format = self.format.unwrap_or_else(|| KeyFormat::cfssl_default(key));
                Ok((format.pem_label(), encode(key, format)?))
            }
        }
    }
}

fn key_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Key(format!("{what}: {e}"))
}

/// The key's unencrypted DER in `format`; an error when the format cannot
/// hold this kind of key (PKCS#1 is RSA only, SEC1 is ECDSA only).
pub fn encode(key: &KeyPair, format: KeyFormat) -> Result<Zeroizing<Vec<u8>>> {
    match (format, key) {
        (KeyFormat::Pkcs8, _) => to_pkcs8(key),
        (KeyFormat::Pkcs1, KeyPair::Rsa(rsa)) => Ok(Zeroizing::new(rsa.pkcs1_der().to_vec())),
        (KeyFormat::Sec1, KeyPair::Ecdsa(ec, _)) => {
            let sec1 = ec
                .private_key()
                .as_der()
                .map_err(|e| key_err("encoding EC key", e))?;
            Ok(Zeroizing::new(sec1.as_ref().to_vec()))
        }
        (format, key) => Err(Error::Key(format!(
            "a {} key cannot be written as {}; use {} or pkcs8",
            key.describe(),
            format_name(format),
            format_name(KeyFormat::cfssl_default(key)),
        ))),
    }
}

fn format_name(format: KeyFormat) -> &'static str {
    match format {
        KeyFormat::Pkcs1 => "pkcs1",
        KeyFormat::Sec1 => "sec1",
        KeyFormat::Pkcs8 => "pkcs8",
    }
}

/// The key as unencrypted PKCS#8 (RFC 5208) DER.
pub fn to_pkcs8(key: &KeyPair) -> Result<Zeroizing<Vec<u8>>> {
    let der = match key {
        KeyPair::Rsa(k) => return rsa_pkcs8(k.pkcs1_der()),
        KeyPair::Ecdsa(k, _) => k.to_pkcs8v1().map(|d| d.as_ref().to_vec()),
        KeyPair::Ed25519(k) => k.to_pkcs8v1().map(|d| d.as_ref().to_vec()),
    };
    der.map(Zeroizing::new)
        .map_err(|e| key_err("encoding PKCS#8 key", e))
}

/// PKCS#1 RSA private key DER wrapped as PKCS#8 (rsaEncryption, NULL
/// parameters).
fn rsa_pkcs8(pkcs1: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = pkcs8::PrivateKeyInfoRef::new(
        pkcs8::AlgorithmIdentifierRef {
            oid: const_oid::db::rfc5912::RSA_ENCRYPTION,
            parameters: Some(der::asn1::AnyRef::NULL),
        },
        pkcs1
            .try_into()
            .map_err(|e| key_err("encoding PKCS#8 key", e))?,
    );
    der::Encode::to_der(&info)
        .map(Zeroizing::new)
        .map_err(|e| key_err("encoding PKCS#8 key", e))
}

/// Encrypts PKCS#8 DER as an EncryptedPrivateKeyInfo: PBES2 with
/// PBKDF2-HMAC-SHA256 and AES-256-CBC, a fresh random salt and IV.
pub fn encrypt_pkcs8(pkcs8_der: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    aws_lc_rs::rand::fill(&mut salt).map_err(|e| key_err("random salt", e))?;
    aws_lc_rs::rand::fill(&mut iv).map_err(|e| key_err("random IV", e))?;
    let params =
        pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(PBKDF2_ROUNDS, &salt, iv)
            .map_err(|e| key_err("PBES2 parameters", e))?;
    let info =
        pkcs8::PrivateKeyInfoRef::try_from(pkcs8_der).map_err(|e| key_err("encrypting key", e))?;
    let doc = info
        .encrypt_with_params(params, password)
        .map_err(|e| key_err("encrypting key", e))?;
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}

/// Reads a private key in any encoding certkit knows: PEM (`RSA PRIVATE
/// KEY`, `EC PRIVATE KEY`, `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, legacy
/// `Proc-Type: 4,ENCRYPTED`) or DER (PKCS#8, PKCS#1, SEC1, encrypted
/// PKCS#8). Encrypted keys need `password`. `source` names the input.
pub fn read_private_key(input: &[u8], source: &str, password: Option<&[u8]>) -> Result<KeyPair> {
    if !looks_like_pem(input) {
        return read_der(input, source, password);
    }
    if let Some((label, _, der)) = decode_private_key_block(input) {
        return key_from_der(label, &der, source, password);
    }
    // Encrypted legacy PEM (Proc-Type headers) and PEM that RFC 7468's
    // strict grammar refuses: the pem crate, whose copy of the base64
    // text is freed unwiped (README "Security": best effort).
    let blocks =
        pem::parse_many(input).map_err(|e| Error::decode(source, format!("not PEM: {e}")))?;
    let key = key_from_blocks(&blocks, source, password);
    // The decoded blocks hold the key's DER: wiped, not just freed.
    for block in blocks {
        drop(Zeroizing::new(block.into_contents()));
    }
    key
}

/// The first PEM block labelled `... PRIVATE KEY` in `input`, from its
/// BEGIN line through its END line, found by its boundaries alone.
fn private_key_block(input: &[u8]) -> Option<(&str, &[u8])> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    const DASHES: &[u8] = b"-----";
    let mut from = 0;
    while let Some(at) = find(&input[from..], BEGIN).map(|i| from + i) {
        let label_start = at + BEGIN.len();
        let label_len = find(&input[label_start..], DASHES)?;
        let label = std::str::from_utf8(&input[label_start..label_start + label_len]).ok()?;
        if label.ends_with("PRIVATE KEY") {
            let end_line = [b"-----END ", label.as_bytes(), DASHES].concat();
            let end = find(&input[at..], &end_line)? + at + end_line.len();
            return Some((label, &input[at..end]));
        }
        from = label_start;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The private key block of `input` decoded by pem-rfc7468 straight
/// into one wiped buffer: no copy of the key's base64 text is made (the
/// pem crate collects it in a String it frees unwiped, which a core dump
/// then shows). None for encrypted legacy PEM (headers) and PEM outside
/// RFC 7468's grammar, which take the pem crate's path.
pub fn decode_private_key_block(input: &[u8]) -> Option<DecodedKeyBlock<'_>> {
    let (label, block) = private_key_block(input)?;
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(block).ok()?;
    let mut der = Zeroizing::new(Vec::new());
    decoder.decode_to_end(&mut der).ok()?;
    Some((label, block, der))
}

/// A private key's PEM block: its label, its text, its DER (wiped).
pub type DecodedKeyBlock<'a> = (&'a str, &'a [u8], Zeroizing<Vec<u8>>);

fn key_from_blocks(blocks: &[pem::Pem], source: &str, password: Option<&[u8]>) -> Result<KeyPair> {
    let block = blocks
        .iter()
        .find(|b| b.tag().ends_with("PRIVATE KEY"))
        .ok_or_else(|| Error::decode(source, "no PRIVATE KEY PEM block found"))?;
    if block.headers().get("Proc-Type").is_some() {
        let password = password.ok_or_else(|| needs_password(source))?;
        let decrypted = crate::keys::legacy_pem::decrypt(block, password, source)?;
        return key_from_der(block.tag(), &decrypted, source, password.into());
    }
    key_from_der(block.tag(), block.contents(), source, password)
}

/// A private key from the DER of a PEM block labelled `label`.
fn key_from_der(label: &str, der: &[u8], source: &str, password: Option<&[u8]>) -> Result<KeyPair> {
    match label {
        "RSA PRIVATE KEY" => KeyPair::from_pkcs1_der(der, source),
        "EC PRIVATE KEY" => KeyPair::from_sec1_der(der, source),
        "PRIVATE KEY" => KeyPair::from_pkcs8_der(der, source),
        "ENCRYPTED PRIVATE KEY" => {
            let password = password.ok_or_else(|| needs_password(source))?;
            KeyPair::from_pkcs8_der(&decrypt_pkcs8(der, password, source)?, source)
        }
        other => Err(Error::decode(
            source,
            format!("unsupported key type {other:?}"),
        )),
    }
}

fn looks_like_pem(input: &[u8]) -> bool {
    input.windows(11).any(|w| w == b"-----BEGIN ")
}

fn needs_password(source: &str) -> Error {
    Error::decode(
        source,
        "the key is encrypted and no password was given (-ca-key-password-file or \
         $CFSSL_CA_PK_PASSWORD for a CA key, -key-in-password-file for other keys)",
    )
}

/// Decrypts an EncryptedPrivateKeyInfo (PKCS#8 PBES2) to PKCS#8 DER.
pub fn decrypt_pkcs8(der: &[u8], password: &[u8], source: &str) -> Result<Zeroizing<Vec<u8>>> {
    let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der)
        .map_err(|e| Error::decode(source, format!("invalid encrypted PKCS#8 key: {e}")))?;
    let doc = info.decrypt(password).map_err(|e| {
        Error::decode(
            source,
            format!("cannot decrypt the key (wrong password?): {e}"),
        )
    })?;
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}

fn read_der(der: &[u8], source: &str, password: Option<&[u8]>) -> Result<KeyPair> {
    if pkcs8::PrivateKeyInfoRef::try_from(der).is_ok() {
        return KeyPair::from_pkcs8_der(der, source);
    }
    if pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(der).is_ok() {
        return KeyPair::from_pkcs1_der(der, source);
    }
    if sec1::EcPrivateKey::try_from(der).is_ok() {
        return KeyPair::from_sec1_der(der, source);
    }
    if pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).is_ok() {
        let password = password.ok_or_else(|| needs_password(source))?;
        return KeyPair::from_pkcs8_der(&decrypt_pkcs8(der, password, source)?, source);
    }
    Err(Error::decode(
        source,
        "not a private key (neither PEM nor DER PKCS#8, PKCS#1 or SEC1)",
    ))
}

impl KeyPair {
    /// Reads a private key from PEM: `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE
    /// KEY` (SEC1, with or without a leading `EC PARAMETERS` block) or
    /// `PRIVATE KEY` (PKCS#8). `source` names the input in messages.
    pub fn from_pem(text: &[u8], source: &str) -> Result<KeyPair> {
        read_private_key(text, source, None)
    }

    /// The key in PEM as cfssl writes it: PKCS#1 for RSA, SEC1 for ECDSA,
    /// PKCS#8 for Ed25519.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        KeyEncoder::default().pem(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::pem_encode;
    use crate::request::KeySpec;
    use der::Encode;

    fn all_keys() -> Vec<KeyPair> {
        [
            KeySpec::Rsa(2048),
            KeySpec::Ecdsa(256),
            KeySpec::Ecdsa(384),
            KeySpec::Ed25519,
        ]
        .into_iter()
        .map(|s| KeyPair::generate(s).unwrap())
        .collect()
    }

    fn encryption_scheme_oid(der: &[u8]) -> der::asn1::ObjectIdentifier {
        let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).unwrap();
        let alg = info.encryption_algorithm.to_der().unwrap();
        spki::AlgorithmIdentifierRef::from_der(&alg).unwrap().oid
    }

    fn same_key(a: &KeyPair, b: &KeyPair) -> bool {
        a.matches(&b.public_key_der().unwrap()).unwrap()
    }

    /// The key block is found among others and decoded by pem-rfc7468;
    /// PEM outside RFC 7468 (76-character lines, CRLF) still reads,
    /// through the pem crate.
    #[test]
    fn key_blocks_are_found_and_lenient_pem_still_reads() {
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let pem = KeyEncoder::default().pem(&key).unwrap();
        let mixed = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
            &*pem
        );
        let (label, block, _) = decode_private_key_block(mixed.as_bytes()).unwrap();
        assert_eq!(label, "EC PRIVATE KEY");
        assert_eq!(block, pem.trim().as_bytes());
        assert!(same_key(
            &read_private_key(mixed.as_bytes(), "k", None).unwrap(),
            &key
        ));
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let wide = format!(
            "-----BEGIN EC PRIVATE KEY-----\r\n{}\r\n{}\r\n-----END EC PRIVATE KEY-----\r\n",
            &body[..76],
            &body[76..]
        );
        assert!(decode_private_key_block(wide.as_bytes()).is_none());
        assert!(same_key(
            &read_private_key(wide.as_bytes(), "k", None).unwrap(),
            &key
        ));
    }

    #[test]
    fn default_encoder_writes_cfssls_labels() {
        for key in all_keys() {
            let pem = KeyEncoder::default().pem(&key).unwrap();
            let label = KeyFormat::cfssl_default(&key).pem_label();
            assert!(
                pem.starts_with(&format!("-----BEGIN {label}-----\n")),
                "{}",
                *pem
            );
            assert!(same_key(
                &key,
                &read_private_key(pem.as_bytes(), "t", None).unwrap()
            ));
        }
    }

    #[test]
    fn pkcs8_round_trips_in_pem_and_der_for_every_algorithm() {
        for key in all_keys() {
            let enc = KeyEncoder {
                format: Some(KeyFormat::Pkcs8),
                password: None,
            };
            let pem = enc.pem(&key).unwrap();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
            assert!(same_key(
                &key,
                &read_private_key(pem.as_bytes(), "t", None).unwrap()
            ));
            let (_, der) = enc.der(&key).unwrap();
            assert!(same_key(&key, &read_private_key(&der, "t", None).unwrap()));
        }
    }

    #[test]
    fn traditional_der_is_recognised() {
        let rsa = KeyPair::generate(KeySpec::Rsa(2048)).unwrap();
        let der = encode(&rsa, KeyFormat::Pkcs1).unwrap();
        assert!(same_key(&rsa, &read_private_key(&der, "t", None).unwrap()));
        let ec = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let der = encode(&ec, KeyFormat::Sec1).unwrap();
        assert!(same_key(&ec, &read_private_key(&der, "t", None).unwrap()));
    }

    #[test]
    fn formats_that_cannot_hold_the_key_are_refused() {
        let ec = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let err = encode(&ec, KeyFormat::Pkcs1).unwrap_err().to_string();
        assert!(err.contains("cannot be written as pkcs1"), "{err}");
        let ed = KeyPair::generate(KeySpec::Ed25519).unwrap();
        assert!(encode(&ed, KeyFormat::Sec1).is_err());
    }

    #[test]
    fn encrypted_pkcs8_needs_the_right_password() {
        let key = KeyPair::generate(KeySpec::Ecdsa(256)).unwrap();
        let enc = KeyEncoder {
            format: None,
            password: Some(Zeroizing::new(b"s3cret".to_vec())),
        };
        let pem = enc.pem(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        let (_, der) = enc.der(&key).unwrap();
        assert_eq!(encryption_scheme_oid(&der), pkcs5::pbes2::PBES2_OID);
        assert!(same_key(
            &key,
            &read_private_key(pem.as_bytes(), "t", Some(b"s3cret")).unwrap()
        ));
        let err = read_private_key(pem.as_bytes(), "k.pem", Some(b"wrong"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("k.pem: cannot decrypt"), "{err}");
        let err = read_private_key(pem.as_bytes(), "k.pem", None)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no password was given"), "{err}");
    }

    #[test]
    fn encrypted_keys_are_not_traditional() {
        let key = KeyPair::generate(KeySpec::Rsa(2048)).unwrap();
        let enc = KeyEncoder {
            format: Some(KeyFormat::Pkcs1),
            password: Some(Zeroizing::new(b"pw".to_vec())),
        };
        assert!(enc.pem(&key).is_err());
    }

    proptest::proptest! {
        /// Arbitrary bytes, as DER or inside an encrypted PEM, never panic.
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = read_private_key(&bytes, "k", Some(b"pw"));
            let legacy = format!(
                "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,000102030405060708090A0B0C0D0E0F\n\n{}\n-----END RSA PRIVATE KEY-----\n",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes)
            );
            let _ = read_private_key(legacy.as_bytes(), "k", Some(b"pw"));
            let _ = read_private_key(pem_encode("ENCRYPTED PRIVATE KEY", &bytes).as_bytes(), "k", Some(b"pw"));
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_private_key(b"", "k", None).is_err());
        assert!(read_private_key(b"\x30\x03\x02\x01\x00", "k", None).is_err());
        let bogus = pem_encode("ENCRYPTED PRIVATE KEY", b"\x30\x00");
        assert!(read_private_key(bogus.as_bytes(), "k", Some(b"pw")).is_err());
    }
}
