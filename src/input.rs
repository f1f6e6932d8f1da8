//! Reading inputs: files, or standard input for `-`, never more than a
//! sane size, so a hostile or mistaken input cannot exhaust memory.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The most certkit reads from any one request, config, CSR or PEM input.
pub const MAX_INPUT: usize = 1 << 20;

/// Reads a whole input: `-` is standard input, anything else a file path.
pub fn read_input(name: &str) -> Result<Vec<u8>> {
    if name == "-" {
        read_limited(std::io::stdin().lock(), Path::new("<stdin>"))
    } else {
        let file = std::fs::File::open(name).map_err(|e| Error::io(name, e))?;
        read_limited(file, Path::new(name))
    }
}

/// Reads an input as UTF-8 text.
pub fn read_text(name: &str) -> Result<String> {
    let bytes = read_input(name)?;
    String::from_utf8(bytes).map_err(|_| Error::decode(display_name(name), "not UTF-8 text"))
}

/// How an input is named in messages.
pub fn display_name(name: &str) -> &str {
    if name == "-" {
        "<stdin>"
    } else {
        name
    }
}

fn read_limited(reader: impl Read, path: &Path) -> Result<Vec<u8>> {
    // Sized for the largest input up front: growing would free copies of
    // what may be a private key without wiping them.
    let mut buf = Vec::with_capacity(MAX_INPUT + 1);
    reader
        .take(MAX_INPUT as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    if buf.len() > MAX_INPUT {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit: MAX_INPUT,
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_oversize_input() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; MAX_INPUT + 1]).unwrap();
        let err = read_input(big.to_str().unwrap()).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = read_input("/nonexistent/req.json").unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/req.json:"), "{err}");
    }
}
