//! openssl's legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED` with a
//! `DEK-Info` header), which cfssl reads and `openssl genrsa -aes256
//! -traditional` still writes: the key comes from EVP_BytesToKey (MD5, one
//! round, the IV's first 8 bytes as salt), the cipher is DES or AES in CBC.

use crate::error::{Error, Result};
use cbc::cipher::{block_padding::Pkcs7, BlockCipherDecrypt, BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};
use zeroize::Zeroizing;

/// The ciphers Go's `x509.DecryptPEMBlock` (and so cfssl) accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // the names are openssl's
enum Cipher {
    DesCbc,
    DesEde3Cbc,
    Aes128Cbc,
    Aes192Cbc,
    Aes256Cbc,
}

impl Cipher {
    fn from_name(name: &str) -> Option<Cipher> {
        match name {
            "DES-CBC" => Some(Cipher::DesCbc),
            "DES-EDE3-CBC" => Some(Cipher::DesEde3Cbc),
            "AES-128-CBC" => Some(Cipher::Aes128Cbc),
            "AES-192-CBC" => Some(Cipher::Aes192Cbc),
            "AES-256-CBC" => Some(Cipher::Aes256Cbc),
            _ => None,
        }
    }

    fn key_len(self) -> usize {
        match self {
            Cipher::DesCbc => 8,
            Cipher::DesEde3Cbc => 24,
            Cipher::Aes128Cbc => 16,
            Cipher::Aes192Cbc => 24,
            Cipher::Aes256Cbc => 32,
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Cipher::DesCbc | Cipher::DesEde3Cbc => 8,
            _ => 16,
        }
    }

    fn decrypt(self, key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>> {
        match self {
            Cipher::DesCbc => cbc_decrypt::<des::Des>(key, iv, data),
            Cipher::DesEde3Cbc => cbc_decrypt::<des::TdesEde3>(key, iv, data),
            Cipher::Aes128Cbc => cbc_decrypt::<aes::Aes128>(key, iv, data),
            Cipher::Aes192Cbc => cbc_decrypt::<aes::Aes192>(key, iv, data),
            Cipher::Aes256Cbc => cbc_decrypt::<aes::Aes256>(key, iv, data),
        }
    }
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: BlockCipherDecrypt,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor.decrypt_padded_vec::<Pkcs7>(data).ok()
}

/// OpenSSL's EVP_BytesToKey with MD5 and one iteration, as legacy PEM uses.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut previous: Option<Vec<u8>> = None;
    while key.len() < len {
        let mut md5 = Md5::new();
        if let Some(p) = &previous {
            md5.update(p);
        }
        md5.update(password);
        md5.update(salt);
        let digest = md5.finalize().to_vec();
        key.extend_from_slice(&digest);
        previous = Some(digest);
    }
    key.truncate(len);
    key
}

/// Decrypts a legacy encrypted PEM block to the DER it protects.
pub fn decrypt(block: &pem::Pem, password: &[u8], source: &str) -> Result<Zeroizing<Vec<u8>>> {
    let bad = |msg: &str| Error::decode(source, msg);
    let headers = block.headers();
    if headers.get("Proc-Type").map(str::trim) != Some("4,ENCRYPTED") {
        return Err(bad("unsupported Proc-Type header (want 4,ENCRYPTED)"));
    }
    let dek = headers
        .get("DEK-Info")
        .ok_or_else(|| bad("encrypted PEM without a DEK-Info header"))?;
    let (name, iv_hex) = dek
        .split_once(',')
        .ok_or_else(|| bad("malformed DEK-Info header"))?;
    let cipher = Cipher::from_name(name.trim()).ok_or_else(|| {
        Error::decode(source, format!("unsupported PEM cipher {:?}", name.trim()))
    })?;
    let iv = hex::decode(iv_hex.trim()).map_err(|_| bad("DEK-Info IV is not hex"))?;
    if iv.len() != cipher.iv_len() {
        return Err(bad("DEK-Info IV has the wrong length for its cipher"));
    }
    let salt = iv.get(..8).ok_or_else(|| bad("DEK-Info IV is too short"))?;
    let key = bytes_to_key(password, salt, cipher.key_len());
    cipher
        .decrypt(&key, &iv, block.contents())
        .map(Zeroizing::new)
        .ok_or_else(|| bad("cannot decrypt the key (wrong password?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -pass pass:password -S 0102030405060708 -P -md md5`
        let key = bytes_to_key(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(
            hex::encode(&*key),
            "e7b0971e52ca5cc8d0539fb3412f6316f7ba2e6ee293d9f3457b99436b51ce02"
        );
    }

    fn block(headers: &str) -> pem::Pem {
        let text = format!("-----BEGIN RSA PRIVATE KEY-----\n{headers}\nAAAAAAAAAAAAAAAAAAAAAA==\n-----END RSA PRIVATE KEY-----\n");
        pem::parse(text).unwrap()
    }

    #[test]
    fn malformed_headers_are_clear_errors() {
        let b = block("Proc-Type: 4,ENCRYPTED\nDEK-Info: RC2-CBC,0102030405060708\n");
        assert!(decrypt(&b, b"pw", "k")
            .unwrap_err()
            .to_string()
            .contains("unsupported PEM cipher"));
        let b = block("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,zz\n");
        assert!(decrypt(&b, b"pw", "k")
            .unwrap_err()
            .to_string()
            .contains("not hex"));
        let b = block("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0102\n");
        assert!(decrypt(&b, b"pw", "k")
            .unwrap_err()
            .to_string()
            .contains("wrong length"));
        let b = block(
            "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,000102030405060708090a0b0c0d0e0f\n",
        );
        assert!(decrypt(&b, b"pw", "k").is_err());
    }
}
