//! Reading inputs: files, standard input for `-`, or (as newer cfssl)
//! `env:VAR` for an environment variable's value and `file:PATH` for a
//! path; never more than a sane size, so a hostile or mistaken input
//! cannot exhaust memory. Only those two prefixes are special: any other
//! name with a colon is an ordinary path, and `file:` reaches a file
//! literally named `env:X` or `-`.

pub mod duration;
pub mod json_fields;
pub mod password;

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// The most certkit reads from any one request, config, CSR or PEM input.
pub const MAX_INPUT: usize = 1 << 20;

/// Where an input name points.
#[derive(Debug, PartialEq, Eq)]
pub enum Source<'a> {
    Stdin,
    Env(&'a str),
    File(&'a str),
}

impl<'a> Source<'a> {
    /// `-`, `env:VAR` (VAR a valid variable name), `file:PATH`, or a path.
    pub fn parse(name: &'a str) -> Source<'a> {
        if name == "-" {
            return Source::Stdin;
        }
        if let Some(var) = name.strip_prefix("env:").filter(|v| is_env_name(v)) {
            return Source::Env(var);
        }
        Source::File(name.strip_prefix("file:").unwrap_or(name))
    }
}

fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads a whole input: `-` is standard input, `env:VAR` a variable's
/// value, `file:PATH` or anything else a file path.
pub fn read_input(name: &str) -> Result<Vec<u8>> {
    match Source::parse(name) {
        Source::Stdin => read_limited(std::io::stdin().lock(), Path::new("<stdin>"), MAX_INPUT),
        Source::Env(var) => read_env(name, var),
        Source::File(path) => {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            read_limited(file, Path::new(path), MAX_INPUT)
        }
    }
}

fn read_env(name: &str, var: &str) -> Result<Vec<u8>> {
    use std::os::unix::ffi::OsStringExt;
    let value = std::env::var_os(var)
        .ok_or_else(|| Error::decode(name, "the environment variable is not set"))?
        .into_vec();
    if value.len() > MAX_INPUT {
        return Err(Error::TooLarge {
            path: name.into(),
            limit: MAX_INPUT,
        });
    }
    Ok(value)
}

/// The most certkit reads from a certificate pool file: trust stores and
/// intermediate bundles can hold thousands of certificates.
pub const MAX_POOL_INPUT: usize = 16 << 20;

/// Reads a certificate pool file (a path, never standard input).
pub fn read_pool(name: &str) -> Result<Vec<u8>> {
    let file = std::fs::File::open(name).map_err(|e| Error::io(name, e))?;
    read_limited(file, Path::new(name), MAX_POOL_INPUT)
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

fn read_limited(reader: impl Read, path: &Path, limit: usize) -> Result<Vec<u8>> {
    // Sized for the largest secret-bearing input up front: growing would
    // free copies of what may be a private key without wiping them.
    let mut buf = Vec::with_capacity(limit.min(MAX_INPUT) + 1);
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    if buf.len() > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit,
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
    fn prefixes_are_recognised_only_where_meant() {
        assert_eq!(Source::parse("-"), Source::Stdin);
        assert_eq!(Source::parse("env:CA_KEY"), Source::Env("CA_KEY"));
        assert_eq!(Source::parse("file:ca.pem"), Source::File("ca.pem"));
        assert_eq!(Source::parse("file:env:X"), Source::File("env:X"));
        assert_eq!(Source::parse("file:-"), Source::File("-"));
        assert_eq!(
            Source::parse("certs/a:b.pem"),
            Source::File("certs/a:b.pem")
        );
        assert_eq!(Source::parse("c:/ca.pem"), Source::File("c:/ca.pem"));
        assert_eq!(
            Source::parse("env:not/a-name"),
            Source::File("env:not/a-name")
        );
    }

    proptest::proptest! {
        /// Only `-`, `env:NAME` and `file:` are special; every other name,
        /// colons and all, is the path itself.
        #[test]
        fn other_names_are_paths(name in "[^-][ -~]{0,40}") {
            if !name.starts_with("env:") && !name.starts_with("file:") {
                proptest::prop_assert_eq!(Source::parse(&name), Source::File(&name));
            }
        }
    }

    #[test]
    fn env_and_file_prefixes_read_their_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("odd:name.pem");
        std::fs::write(&path, "from file").unwrap();
        let path = path.to_str().unwrap();
        assert_eq!(read_input(path).unwrap(), b"from file");
        assert_eq!(read_input(&format!("file:{path}")).unwrap(), b"from file");
        // A name no other test uses: the environment is process-wide.
        std::env::set_var("CERTKIT_INPUT_TEST_VALUE", "from env");
        assert_eq!(
            read_input("env:CERTKIT_INPUT_TEST_VALUE").unwrap(),
            b"from env"
        );
        let err = read_input("env:CERTKIT_INPUT_TEST_UNSET")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "env:CERTKIT_INPUT_TEST_UNSET: the environment variable is not set"
        );
    }

    #[test]
    fn pools_may_exceed_the_input_cap() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("roots.pem");
        std::fs::write(&big, vec![b' '; MAX_INPUT * 2]).unwrap();
        assert_eq!(
            read_pool(big.to_str().unwrap()).unwrap().len(),
            MAX_INPUT * 2
        );
        assert!(read_input(big.to_str().unwrap()).is_err());
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = read_input("/nonexistent/req.json").unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/req.json:"),
            "{err}"
        );
    }
}
