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
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The most certkit reads from any one request, config, CSR or PEM input.
pub const MAX_INPUT: usize = 1 << 20;

/// Where an input name points.
#[derive(Debug, PartialEq, Eq)]
pub enum Source<'a> {
    Stdin,
    Env(&'a str),
    File(&'a Path),
}

impl<'a> Source<'a> {
    /// `-`, `env:VAR` (VAR a valid variable name), `file:PATH`, or a path.
    /// Names are paths, not text: any bytes the OS allows reach the file.
    pub fn parse(name: &'a (impl AsRef<OsStr> + ?Sized)) -> Source<'a> {
        let bytes = name.as_ref().as_bytes();
        if bytes == b"-" {
            return Source::Stdin;
        }
        if let Some(var) = bytes
            .strip_prefix(b"env:")
            .and_then(|v| std::str::from_utf8(v).ok())
            .filter(|v| is_env_name(v))
        {
            return Source::Env(var);
        }
        let path = bytes.strip_prefix(b"file:").unwrap_or(bytes);
        Source::File(Path::new(OsStr::from_bytes(path)))
    }
}

fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads a whole input: `-` is standard input, `env:VAR` a variable's
/// value, `file:PATH` or anything else a file path.
pub fn read_input(name: impl AsRef<OsStr>) -> Result<Vec<u8>> {
    let name = name.as_ref();
    match Source::parse(name) {
        Source::Stdin => read_limited(std::io::stdin().lock(), Path::new("<stdin>"), MAX_INPUT, 0),
        Source::Env(var) => read_env(&display_path(name), var),
        Source::File(path) => read_file(path, MAX_INPUT),
    }
}

fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    read_limited(file, path, limit, usize::try_from(size).unwrap_or(limit))
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
pub fn read_pool(name: impl AsRef<OsStr>) -> Result<Vec<u8>> {
    read_file(Path::new(name.as_ref()), MAX_POOL_INPUT)
}

/// Reads an input as UTF-8 text.
pub fn read_text(name: impl AsRef<OsStr>) -> Result<String> {
    let name = name.as_ref();
    let bytes = read_input(name)?;
    String::from_utf8(bytes).map_err(|_| Error::decode(display_path(name), "not UTF-8 text"))
}

/// How an input is named in messages.
pub fn display_name(name: &str) -> &str {
    if name == "-" {
        "<stdin>"
    } else {
        name
    }
}

/// How an input given as a path (any bytes) is named in messages: as
/// [`display_name`], bytes that are not UTF-8 written `\xNN`.
pub fn display_path(name: &(impl AsRef<OsStr> + ?Sized)) -> String {
    display_name(&crate::text::path_text(name.as_ref())).to_string()
}

/// Reads at most `limit` bytes (more is an error), into a buffer of
/// `size_hint` + 1 bytes to start with: a file's length, so that a file is
/// read into one allocation of its size. Growing a Vec would free copies of
/// what may be a private key without wiping them, so the buffer grows by
/// hand here and each smaller one is wiped. (A buffer of `limit` bytes up
/// front cost a 1 MiB allocation per input, and wiping it a million
/// instructions and 256 page faults: more than signing.)
fn read_limited(
    mut reader: impl Read,
    path: &Path,
    limit: usize,
    size_hint: usize,
) -> Result<Vec<u8>> {
    use zeroize::Zeroize;
    let mut buf: Vec<u8> = Vec::with_capacity(size_hint.min(limit) + 1);
    let mut chunk = zeroize::Zeroizing::new([0u8; 8192]);
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(0) => return Ok(buf),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                buf.zeroize();
                return Err(Error::io(path, e));
            }
        };
        if buf.len() + n > limit {
            buf.zeroize();
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                limit,
            });
        }
        if buf.capacity() < buf.len() + n {
            let mut bigger =
                Vec::with_capacity((2 * buf.capacity()).max(buf.len() + n).min(limit + 1));
            bigger.extend_from_slice(&buf);
            buf.zeroize();
            buf = bigger;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_growth_exactly_and_stops_at_the_limit() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let read = read_limited(&data[..], Path::new("x"), 100_000, 0).unwrap();
        assert_eq!(read, data);
        let err = read_limited(&data[..], Path::new("x"), 99_999, 0).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err}");
        let sized = read_limited(&data[..], Path::new("x"), MAX_INPUT, data.len()).unwrap();
        assert_eq!(
            sized.capacity(),
            data.len() + 1,
            "a file is read into one buffer of its size"
        );
    }

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
        let file = |p: &'static str| Source::File(Path::new(p));
        assert_eq!(Source::parse("file:ca.pem"), file("ca.pem"));
        assert_eq!(Source::parse("file:env:X"), file("env:X"));
        assert_eq!(Source::parse("file:-"), file("-"));
        assert_eq!(Source::parse("certs/a:b.pem"), file("certs/a:b.pem"));
        assert_eq!(Source::parse("c:/ca.pem"), file("c:/ca.pem"));
        assert_eq!(Source::parse("env:not/a-name"), file("env:not/a-name"));
        let raw = OsStr::from_bytes(b"file:d\xff/ca.pem");
        assert_eq!(
            Source::parse(raw),
            Source::File(Path::new(OsStr::from_bytes(b"d\xff/ca.pem")))
        );
        assert_eq!(display_path(raw), "file:d\\xff/ca.pem");
    }

    proptest::proptest! {
        /// Only `-`, `env:NAME` and `file:` are special; every other name,
        /// colons and all, is the path itself.
        #[test]
        fn other_names_are_paths(name in "[^-][ -~]{0,40}") {
            if !name.starts_with("env:") && !name.starts_with("file:") {
                proptest::prop_assert_eq!(Source::parse(&name), Source::File(Path::new(&name)));
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
        assert_eq!(read_input(format!("file:{path}")).unwrap(), b"from file");
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
