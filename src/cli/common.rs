//! Small steps several commands share: loading a request, a config or a
//! CA, logging the library's warnings, printing JSON.

use crate::error::{Error, Result};
use crate::input::{display_name, read_input};
use crate::issuer::Issuer;
use crate::log;
use crate::policy::SigningConfig;
use crate::request::Request;
use std::io::Write;

/// Reads and parses a CSR JSON request, logging its warnings.
pub fn load_request(path: &str) -> Result<Request> {
    let bytes = read_input(path)?;
    let parsed = Request::from_json(&bytes, display_name(path))?;
    for w in &parsed.warnings {
        log::warning(&format!("{}: {w}", display_name(path)));
    }
    Ok(parsed.request)
}

/// Reads a signing config, or cfssl's default when none is given.
pub fn load_config(path: Option<&str>) -> Result<SigningConfig> {
    let Some(path) = path else {
        return Ok(SigningConfig::default());
    };
    let bytes = read_input(path)?;
    let parsed = SigningConfig::from_json(&bytes, display_name(path))?;
    for w in &parsed.warnings {
        log::warning(&format!("{}: {w}", display_name(path)));
    }
    Ok(parsed.config)
}

/// Loads the CA named by `-ca` and `-ca-key`; both are required.
pub fn load_issuer(ca: Option<&str>, ca_key: Option<&str>) -> Result<Issuer> {
    let ca = ca.ok_or_else(|| Error::Refused("no CA certificate given (use -ca FILE)".into()))?;
    let ca_key = ca_key.ok_or_else(|| Error::Refused("no CA key given (use -ca-key FILE)".into()))?;
    let cert = read_input(ca)?;
    let key = zeroize::Zeroizing::new(read_input(ca_key)?);
    Issuer::load(&cert, display_name(ca), &key, display_name(ca_key))
}

/// Logs warnings a library step returned.
pub fn log_warnings(warnings: &[String]) {
    for w in warnings {
        log::warning(w);
    }
}

/// Splits `-hostname a,b` into hosts.
pub fn split_hosts(hostname: &str) -> Vec<String> {
    hostname
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect()
}

/// Prints the JSON output on stdout. A closed pipe is not an error worth
/// a panic; it is reported like any other write failure.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}
