//! `sign`, `gencert` and `info` through a remote cfssl API, as cfssl's
//! client does them: the profile's `remote` posts to `/sign`, its
//! `auth_remote` to `/authsign` with an HMAC token; `-remote` replaces
//! every profile's address (and alone means `/sign`).

use super::remote::{ClientTls, Remote};
use crate::serve::auth::AuthKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use certkit_core::csr;
use certkit_core::error::{Error, Result};
use certkit_core::input::{display_name, read_input, read_text};
use certkit_core::keys::format::KeyEncoder;
use certkit_core::keys::KeyPair;
use certkit_core::ops::load;
use certkit_core::ops::Report;
use certkit_core::output::cert_json;
use certkit_core::policy::SigningConfig;
use serde::Serialize;
use serde_json::Value;

/// Where a remote operation goes and how it authenticates.
#[derive(Debug, Clone, Default)]
pub struct RemoteInputs<'a> {
    /// `-remote`: replaces the config's addresses.
    pub remote: Option<&'a str>,
    /// The client config (`-config`), with `remotes` and `auth_keys`.
    pub config: Option<&'a std::path::Path>,
    pub profile: &'a str,
    pub label: &'a str,
    pub tls: ClientTls,
}

/// The server, the endpoint and the key a request goes to.
struct Route {
    remote: Remote,
    key: Option<AuthKey>,
}

/// Whether a config's profile signs remotely (so `sign` and `gencert`
/// without `-remote` still go to a server).
pub fn profile_is_remote(config: Option<&std::path::Path>, profile: &str) -> Result<bool> {
    if config.is_none() {
        return Ok(false);
    }
    let config = load::config(config, &mut Report::default())?;
    Ok(remote_profile(&config, profile).is_some_and(|p| p.is_remote()))
}

fn remote_profile<'c>(
    config: &'c SigningConfig,
    profile: &str,
) -> Option<&'c certkit_core::policy::remote::ProfileRemote> {
    let p = config.profiles.get(profile).unwrap_or(&config.default);
    Some(&p.remote_settings)
}

fn route(inputs: &RemoteInputs, report: &mut Report) -> Result<Route> {
    let config = load::config(inputs.config, report)?;
    let settings = remote_profile(&config, inputs.profile)
        .cloned()
        .unwrap_or_default();
    let (auth_remote, auth_key) = &settings.auth_remote;
    let named = if !auth_remote.is_empty() {
        auth_remote
    } else {
        &settings.remote
    };
    let address = match inputs.remote {
        Some(r) => r.to_string(),
        None => config.remotes.remotes.get(named).cloned().ok_or_else(|| {
            Error::Refused(
                "no remote: use -remote HOST:PORT or a profile with remote or auth_remote".into(),
            )
        })?,
    };
    let key = if auth_key.is_empty() {
        None
    } else {
        let written = config.remotes.auth_keys.get(auth_key).ok_or_else(|| {
            Error::Policy(format!(
                "auth_remote.auth_key {auth_key:?} is not in auth_keys"
            ))
        })?;
        Some(AuthKey::resolve(&written.key, auth_key).map_err(Error::Policy)?)
    };
    Ok(Route {
        remote: Remote::new(&address, &inputs.tls)?,
        key,
    })
}

/// A sign request as cfssl 1.2.0's client sends it, in its key order.
#[derive(Serialize)]
pub struct SignRequest<'a> {
    pub hosts: Option<Vec<String>>,
    pub certificate_request: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Value>,
    pub profile: &'a str,
    pub crl_override: &'a str,
    pub label: &'a str,
}

/// cfssl's `auth.AuthenticatedRequest`.
#[derive(Serialize)]
struct AuthenticatedRequest {
    timestamp: i64,
    token: String,
    request: String,
}

/// Posts a sign request to `/sign`, or to `/authsign` with a token
/// (the client commands, and `serve -remote` forwarding); returns the
/// certificate (PEM).
pub fn post_sign(remote: &Remote, key: Option<&AuthKey>, request: &SignRequest) -> Result<String> {
    let body = serde_json::to_vec(request).map_err(|e| Error::Encoding(e.to_string()))?;
    let result = match key {
        None => remote.post("sign", &body)?,
        Some(key) => {
            let outer = AuthenticatedRequest {
                timestamp: time::OffsetDateTime::now_utc().unix_timestamp(),
                token: STANDARD.encode(key.token(&body)),
                request: STANDARD.encode(&body),
            };
            let outer = serde_json::to_vec(&outer).map_err(|e| Error::Encoding(e.to_string()))?;
            remote.post("authsign", &outer)?
        }
    };
    result["certificate"]
        .as_str()
        .filter(|c| c.contains("BEGIN CERTIFICATE"))
        .map(str::to_string)
        .ok_or_else(|| {
            Error::Refused(format!(
                "remote {}: the answer holds no certificate",
                remote.base
            ))
        })
}

/// `sign -remote`: the CSR at `csr` (and an optional SUBJECT file) signed
/// by the remote; prints `{"cert","csr"}` as cfssl does.
pub fn sign(
    inputs: &RemoteInputs,
    csr_path: &str,
    hostname: Option<&str>,
    subject: Option<&str>,
) -> Result<Report> {
    let mut report = Report::default();
    let route = route(inputs, &mut report)?;
    let csr_pem = read_text(csr_path)?;
    // Checked here so a bad file fails before anything is sent.
    certkit_core::csr::VerifiedCsr::parse(csr_pem.as_bytes(), display_name(csr_path))?;
    let subject = subject
        .map(|path| -> Result<Value> {
            serde_json::from_slice(&read_input(path)?).map_err(|e| Error::Json {
                what: display_name(path).into(),
                source: e,
            })
        })
        .transpose()?;
    let cert = post_sign(
        &route.remote,
        route.key.as_ref(),
        &SignRequest {
            hosts: hostname.map(load::split_hosts),
            certificate_request: &csr_pem,
            subject,
            profile: inputs.profile,
            crl_override: "",
            label: inputs.label,
        },
    )?;
    report.info(format!("signed by {}", route.remote.base));
    report.output = cert_json(Some(&cert), Some(&csr_pem), None);
    Ok(report)
}

/// `gencert -remote`: a key and CSR made here, the certificate by the
/// remote; prints `{"cert","csr","key"}`.
pub fn gencert(
    inputs: &RemoteInputs,
    request_path: &str,
    hostname: Option<&str>,
    keys: &KeyEncoder,
) -> Result<Report> {
    let mut report = Report::default();
    let mut req = load::request(std::path::Path::new(request_path), &mut report)?;
    if let Some(hosts) = hostname {
        req.hosts = load::split_hosts(hosts);
    }
    let route = route(inputs, &mut report)?;
    report.info("generate received request");
    report.info(format!("generating key: {}", req.key));
    let key = KeyPair::generate(req.key)?;
    let csr_pem = csr::build(&req, &key)?;
    report.info("encoded CSR");
    let cert = post_sign(
        &route.remote,
        route.key.as_ref(),
        &SignRequest {
            hosts: None,
            certificate_request: &csr_pem,
            subject: None,
            profile: inputs.profile,
            crl_override: "",
            label: inputs.label,
        },
    )?;
    report.output = cert_json(Some(&cert), Some(&csr_pem), Some(&keys.pem(&key)?));
    Ok(report)
}

/// cfssl's `info.Resp`, in its key order.
#[derive(Serialize)]
struct InfoOutput {
    certificate: String,
    usages: Value,
    expiry: Value,
}

/// `info -remote`: the remote CA's certificate and the profile's usages
/// and expiry.
pub fn info(inputs: &RemoteInputs) -> Result<Report> {
    let mut report = Report::default();
    let route = route(inputs, &mut report)?;
    let body = serde_json::json!({"label": inputs.label, "profile": inputs.profile});
    let result = route.remote.post("info", body.to_string().as_bytes())?;
    let output = InfoOutput {
        certificate: result["certificate"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        usages: result["usages"].clone(),
        expiry: result["expiry"].clone(),
    };
    let mut text = serde_json::to_string(&output).map_err(|e| Error::Encoding(e.to_string()))?;
    text.push('\n');
    report.output = text.into();
    Ok(report)
}
