//! Loading what commands name by path (a file, `-`, `env:VAR`,
//! `file:PATH`): requests, signing configs, private keys and CAs. Warnings
//! go into the caller's report, prefixed with the input's name.

use certkit_core::error::{Result, UsageError};
use certkit_core::input::password::ca_key_password;
use certkit_core::input::{display_name, display_path, read_input};
use certkit_core::issue::issuer::Issuer;
use certkit_core::k8s::sign::Intermediates;
use certkit_core::keys::format::read_private_key;
use certkit_core::keys::{CaKey, KeyPair};
use certkit_core::policy::SigningConfig;
use certkit_core::report::Report;
use certkit_core::request::Request;
use certkit_pkcs11::{is_pkcs11_uri, TokenKey};
use std::path::Path;
use zeroize::Zeroizing;

/// Reads and parses a CSR JSON request.
pub fn request(path: &Path, report: &mut Report) -> Result<Request> {
    let bytes = read_input(path)?;
    let parsed = Request::from_json(&bytes, &display_path(path))?;
    for w in &parsed.warnings {
        report.warn(format!("{}: {w}", display_path(path)));
    }
    Ok(parsed.request)
}

/// Reads a `--bundle` file (the signing CA, then each issuer in turn) and
/// checks it against the CA `issuer` signs with: what `sign` and the
/// signer controller append after the leaf.
pub fn intermediates(path: &str, issuer: &Issuer) -> Result<Intermediates> {
    Intermediates::load(&read_input(path)?, display_name(path), issuer.certificate())
}

/// Reads a signing config, or cfssl's default when none is given.
pub fn config(path: Option<&Path>, report: &mut Report) -> Result<SigningConfig> {
    let Some(path) = path else {
        return Ok(SigningConfig::default());
    };
    let bytes = read_input(path)?;
    let parsed = SigningConfig::from_json(&bytes, &display_path(path))?;
    for w in &parsed.warnings {
        report.warn(format!("{}: {w}", display_path(path)));
    }
    Ok(parsed.config)
}

/// Reads a request, its CN replaced by `cn` when given (`gencert -cn`,
/// as current cfssl).
pub fn request_with_cn(path: &Path, cn: Option<&str>, report: &mut Report) -> Result<Request> {
    let mut req = request(path, report)?;
    if let Some(cn) = cn.filter(|c| !c.is_empty()) {
        req.cn = cn.to_string();
    }
    Ok(req)
}

/// The profile to use: `profile`, except with no config at all, where
/// there are no profiles and cfssl signs with its default one (HashiCorp's
/// Nomad guide runs `cfssl gencert -profile=client` without `-config`).
/// A profile missing from a config that has profiles stays an error.
pub fn profile_name<'a>(config: Option<&Path>, profile: &'a str, report: &mut Report) -> &'a str {
    if config.is_some() || profile.is_empty() {
        return profile;
    }
    report.warn(format!(
        "-profile {profile}: no -config given, so there are no profiles; using cfssl's default profile"
    ));
    ""
}

/// Reads a private key in any encoding, decrypting it with `password`.
pub fn key(path: &Path, password: Option<&[u8]>) -> Result<KeyPair> {
    let bytes = Zeroizing::new(read_input(path)?);
    read_private_key(&bytes, &display_path(path), password)
}

/// Reads a CA-side key (a CA's, a responder's): a `pkcs11:` URI (RFC
/// 7512) names a key that stays in a token; anything else is a key file
/// as [`key`] reads it (`file:pkcs11:...` reaches a file named so).
///
/// A key file whose text is a `pkcs11:` URI names a token key too: how a
/// Kubernetes Secret's `tls.key` (deploy/) points the signer at a token.
pub fn ca_key(path: &Path, password: Option<&[u8]>) -> Result<CaKey> {
    if let Some(uri) = path.to_str().filter(|p| is_pkcs11_uri(p)) {
        return Ok(Box::new(TokenKey::open(uri)?));
    }
    let bytes = Zeroizing::new(read_input(path)?);
    ca_key_file(&bytes, &display_path(path), password)
}

/// A CA-side key file's contents: the key itself, or a `pkcs11:` URI (the
/// whole text, one line) naming a key in a token.
pub fn ca_key_file(contents: &[u8], source: &str, password: Option<&[u8]>) -> Result<CaKey> {
    if let Some(uri) = token_reference(contents) {
        return Ok(Box::new(TokenKey::open(uri)?));
    }
    Ok(Box::new(read_private_key(contents, source, password)?))
}

/// The `pkcs11:` URI a key file holds instead of a key, if it does.
pub fn token_reference(contents: &[u8]) -> Option<&str> {
    std::str::from_utf8(contents)
        .ok()
        .map(str::trim)
        .filter(|t| is_pkcs11_uri(t) && !t.contains('\n'))
}

/// A CA-side key's name for messages: a URI without its query, which may
/// hold a PIN.
pub fn ca_key_name(path: &Path) -> String {
    match path.to_str().filter(|p| is_pkcs11_uri(p)) {
        Some(uri) => certkit_pkcs11::uri::without_query(uri).to_string(),
        None => display_path(path),
    }
}

/// Where a CA comes from: `-ca`, `-ca-key` and the key's password file
/// (default: `$CFSSL_CA_PK_PASSWORD`, as cfssl).
#[derive(Debug, Clone, Copy, Default)]
pub struct CaSource<'a> {
    pub cert: Option<&'a Path>,
    pub key: Option<&'a Path>,
    pub password_file: Option<&'a Path>,
}

/// Loads the CA, decrypting its key when it is encrypted.
pub fn issuer(ca: CaSource) -> Result<Issuer> {
    let cert = ca
        .cert
        .ok_or_else(|| UsageError::missing("no CA certificate given (use -ca FILE)"))?;
    let key_path = ca
        .key
        .ok_or_else(|| UsageError::missing("no CA key given (use -ca-key FILE)"))?;
    let password = ca_key_password(ca.password_file)?;
    let key = ca_key(key_path, password.as_deref().map(|p| p.as_slice()))?;
    Issuer::with_key(
        &read_input(cert)?,
        &display_path(cert),
        key,
        &ca_key_name(key_path),
    )
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

/// `profile` with its CRL distribution point replaced by `-crl URL`
/// (cfssl 1.6.5's `CRLOverride`: the URL becomes the certificate's only
/// distribution point, whatever the profile's `crl_url`), or as it is.
pub fn crl_override<'p>(
    profile: &'p certkit_core::policy::Profile,
    url: Option<&str>,
) -> Result<std::borrow::Cow<'p, certkit_core::policy::Profile>> {
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        return Ok(std::borrow::Cow::Borrowed(profile));
    };
    if !url.is_ascii() || url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Err(UsageError::bad_value(
            format!("-crl {url:?}"),
            "must be an ASCII URL without spaces",
        ));
    }
    let mut profile = profile.clone();
    profile.crl_url = url.to_string();
    Ok(std::borrow::Cow::Owned(profile))
}
