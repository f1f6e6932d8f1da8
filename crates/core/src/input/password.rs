//! Passwords for encrypted keys. They come only from a file or an
//! environment variable (`FILE`, `file:PATH`, `env:VAR`), never from a
//! command-line value, which `ps` would show to every user.

use crate::error::{Error, Result};
use crate::input::read_input;
use zeroize::Zeroizing;

/// cfssl's variable for the CA key's password, honoured for compatibility.
pub const CFSSL_CA_PK_PASSWORD: &str = "CFSSL_CA_PK_PASSWORD";

/// Reads a password: the first line of the input, without its line
/// ending, as `openssl -passin file:` does.
pub fn read_password(spec: impl AsRef<std::ffi::OsStr>) -> Result<Zeroizing<Vec<u8>>> {
    let spec = spec.as_ref();
    if spec == "-" {
        return Err(Error::decode(
            "password",
            "not read from standard input; give a file or env:VAR",
        ));
    }
    let raw = Zeroizing::new(read_input(spec)?);
    let line = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return Err(Error::decode(
            crate::input::display_path(spec),
            "the password is empty",
        ));
    }
    Ok(Zeroizing::new(line.to_vec()))
}

/// The CA key's password: from `spec` when given, else from
/// `$CFSSL_CA_PK_PASSWORD` when set and not empty (as cfssl), else none.
pub fn ca_key_password(spec: Option<&std::path::Path>) -> Result<Option<Zeroizing<Vec<u8>>>> {
    if let Some(spec) = spec {
        return read_password(spec).map(Some);
    }
    use std::os::unix::ffi::OsStringExt;
    Ok(std::env::var_os(CFSSL_CA_PK_PASSWORD)
        .map(|v| Zeroizing::new(v.into_vec()))
        .filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_without_its_ending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "hunter2\r\nsecond line\n").unwrap();
        assert_eq!(&*read_password(path.to_str().unwrap()).unwrap(), b"hunter2");
    }

    #[test]
    fn empty_and_stdin_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "\n").unwrap();
        let err = read_password(path.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("the password is empty"), "{err}");
        assert!(read_password("-").is_err());
    }

    #[test]
    fn an_explicit_file_wins_over_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "from-file\n").unwrap();
        let pw = ca_key_password(Some(&path)).unwrap().unwrap();
        assert_eq!(&*pw, b"from-file");
    }
}
