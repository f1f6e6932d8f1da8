//! Reading a profile from cfssl's config JSON: every key cfssl knows,
//! checked and typed as cfssl checks them at load.

use super::*;
use crate::error::{Error, Result};
use crate::input::duration::parse_go_duration;
use crate::input::json_fields::{kind, string_array, Fields};
use crate::policy::certpolicy::parse_policies;
use crate::policy::remote::{ProfileRemote, RemoteSettings};
use crate::policy::whitelist::NameWhitelist;
use der::asn1::ObjectIdentifier;
use serde_json::{Map, Value};
use std::time::Duration;
use time::OffsetDateTime;

pub(super) const PROFILE_KEYS: &[&str] = &[
    "usages",
    "expiry",
    "backdate",
    "ca_constraint",
    "not_before",
    "not_after",
    "remote",
    "auth_key",
    "auth_remote",
    "issuer_urls",
    "ocsp_url",
    "crl_url",
    "ocsp_no_check",
    "policies",
    "copy_extensions",
    "name_whitelist",
    "allow_multiple_common_names",
    "allowed_extensions",
    "lint_error_level",
    "ignored_lints",
    "ignored_lint_sources",
    "prev_auth_key",
    "ct_log_servers",
    "cert_store",
];

pub(super) fn parse_profile(
    obj: &Map<String, Value>,
    name: &str,
    is_default: bool,
    remotes: &RemoteSettings,
    warnings: &mut Vec<String>,
) -> Result<Profile> {
    let ctx = format!("profile {name:?}: ");
    let perr = |msg: String| Error::Policy(format!("{ctx}{msg}"));
    let f = Fields::new(
        obj,
        &format!("in profile {name:?}: "),
        PROFILE_KEYS,
        warnings,
        Error::Policy,
    );
    let remote_settings = parse_remote(&f, &ctx, warnings)?;
    remotes.check(&remote_settings, &ctx)?;
    let is_remote = remote_settings.is_remote();
    let usage_words = match f.get("usages") {
        Some(v) => string_array(v, &format!("{ctx}usages"), Error::Policy)?,
        None => Vec::new(),
    };
    let mut usages = Vec::new();
    for word in &usage_words {
        let usage = parse_usage(word).ok_or_else(|| perr(format!("unknown usage {word:?}")))?;
        usages.push(usage);
    }
    // cfssl: a local profile needs usages, except the default, which
    // may leave them to the named profiles.
    if usages.is_empty() && !is_remote && !is_default {
        return Err(perr("no usages given".into()));
    }
    let expiry_text = f.string("expiry")?;
    let expiry = if expiry_text.is_empty() {
        if !is_remote {
            return Err(perr("no expiry given".into()));
        }
        Duration::ZERO
    } else {
        parse_go_duration(&expiry_text).map_err(|e| perr(format!("expiry: {e}")))?
    };
    let backdate_text = f.string("backdate")?;
    let backdate = if backdate_text.is_empty() {
        DEFAULT_BACKDATE
    } else {
        parse_go_duration(&backdate_text).map_err(|e| perr(format!("backdate: {e}")))?
    };
    let ca_constraint = match f.get("ca_constraint") {
        Some(v) => parse_ca_constraint(v, &ctx, warnings)?,
        None => CaConstraint::default(),
    };
    let time_field = |key: &str| -> Result<Option<OffsetDateTime>> {
        let text = f.string(key)?;
        if text.is_empty() {
            return Ok(None);
        }
        OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map(Some)
            .map_err(|e| perr(format!("{key}: {text:?} is not an RFC 3339 time: {e}")))
    };
    let (not_before, not_after) = (time_field("not_before")?, time_field("not_after")?);
    if let (Some(nb), Some(na)) = (not_before, not_after) {
        if na < nb {
            return Err(perr("not_after is before not_before".into()));
        }
    }
    let name_whitelist = match f.string("name_whitelist")? {
        text if text.is_empty() => None,
        text => Some(NameWhitelist::compile(&text, &ctx, warnings)?),
    };
    let lint_level = match f.get("lint_error_level") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_i64().ok_or_else(|| {
            perr(format!(
                "lint_error_level: expected a number, found {}",
                kind(v)
            ))
        })?,
    };
    if !(0..8).contains(&lint_level) {
        return Err(perr(format!(
            "lint_error_level {lint_level} is outside 0 to 7"
        )));
    }
    warn_unimplemented(&f, &ctx, lint_level, warnings);
    Ok(Profile {
        name: name.to_string(),
        usage_words,
        usages,
        expiry,
        backdate,
        ca_constraint,
        not_before,
        not_after,
        remote: remote_settings.remote.clone(),
        auth_key: remote_settings.auth_key.clone(),
        remote_settings,
        issuer_urls: match f.get("issuer_urls") {
            Some(v) => string_array(v, &format!("{ctx}issuer_urls"), Error::Policy)?,
            None => Vec::new(),
        },
        ocsp_url: f.string("ocsp_url")?,
        crl_url: f.string("crl_url")?,
        ocsp_no_check: plain_bool(&f, "ocsp_no_check", &ctx)?,
        policies: match f.get("policies") {
            Some(v) => parse_policies(v, &ctx, warnings)?,
            None => Vec::new(),
        },
        copy_extensions: plain_bool(&f, "copy_extensions", &ctx)?,
        name_whitelist,
        allow_multiple_common_names: plain_bool(&f, "allow_multiple_common_names", &ctx)?,
        allowed_extensions: parse_oids(f.get("allowed_extensions"), &ctx)?,
    })
}

/// Fields cfssl acts on and certkit does not: parsed (so that a bad value
/// is still an error), and named once at load instead of silently ignored.
fn warn_unimplemented(f: &Fields, ctx: &str, lint_level: i64, warnings: &mut Vec<String>) {
    let present = |key: &str| {
        f.get(key)
            .is_some_and(|v| !(v.is_null() || v == &Value::Array(Vec::new()) || v == ""))
    };
    if lint_level > 0 {
        warnings.push(format!(
            "{ctx}lint_error_level: certificates are not linted before issuance (cfssl runs zlint; certkit will not: no maintained Rust linter covers the CA/Browser Forum rules); lint issued certificates with pkilint; ignored"
        ));
    }
    for (key, why) in [
        ("ignored_lints", "no pre-issuance linting to tune (certkit will not run zlint; lint issued certificates with pkilint)"),
        ("ignored_lint_sources", "no pre-issuance linting to tune (certkit will not run zlint; lint issued certificates with pkilint)"),
        (
            "ct_log_servers",
            "precertificates are not submitted to CT logs (certkit will not: CT is for publicly trusted CAs' own pipelines; submit issued certificates with a CT client such as certificate-transparency-go's ctclient if they must be logged)",
        ),
        ("cert_store", "cfssl does nothing with it either"),
    ] {
        if present(key) {
            warnings.push(format!("{ctx}{key}: {why}; ignored"));
        }
    }
}

pub(super) fn parse_remote(
    f: &Fields,
    ctx: &str,
    warnings: &mut Vec<String>,
) -> Result<ProfileRemote> {
    let auth_remote = match f.get("auth_remote") {
        None | Some(Value::Null) => (String::new(), String::new()),
        Some(Value::Object(o)) => {
            let af = Fields::new(
                o,
                &format!("{ctx}auth_remote."),
                &["remote", "auth_key"],
                warnings,
                Error::Policy,
            );
            (af.string("remote")?, af.string("auth_key")?)
        }
        Some(v) => {
            return Err(Error::Policy(format!(
                "{ctx}auth_remote: expected an object, found {}",
                kind(v)
            )))
        }
    };
    Ok(ProfileRemote {
        remote: f.string("remote")?,
        auth_key: f.string("auth_key")?,
        prev_auth_key: f.string("prev_auth_key")?,
        auth_remote,
    })
}

pub(super) fn parse_ca_constraint(
    v: &Value,
    ctx: &str,
    warnings: &mut Vec<String>,
) -> Result<CaConstraint> {
    let mut ca_constraint = CaConstraint::default();
    let c = match v {
        Value::Object(c) => c,
        Value::Null => return Ok(ca_constraint),
        other => {
            return Err(Error::Policy(format!(
                "{ctx}ca_constraint: expected an object, found {}",
                kind(other)
            )))
        }
    };
    let cf = Fields::new(
        c,
        &format!("{ctx}ca_constraint."),
        &["is_ca", "max_path_len", "max_path_len_zero"],
        warnings,
        Error::Policy,
    );
    ca_constraint.is_ca = bool_field(&cf, "is_ca", ctx)?;
    ca_constraint.max_path_len_zero = bool_field(&cf, "max_path_len_zero", ctx)?;
    if let Some(n) = cf.get("max_path_len").filter(|n| !n.is_null()) {
        let n = n.as_i64().ok_or_else(|| {
            Error::Policy(format!(
                "{ctx}ca_constraint.max_path_len: expected a number, found {n}"
            ))
        })?;
        // Go treats -1 as "unset".
        if n >= 0 {
            ca_constraint.max_path_len = Some(u8::try_from(n).map_err(|_| {
                Error::Policy(format!("{ctx}ca_constraint.max_path_len: too large"))
            })?);
        }
    }
    Ok(ca_constraint)
}

pub(super) fn parse_oids(v: Option<&Value>, ctx: &str) -> Result<Vec<ObjectIdentifier>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    string_array(v, &format!("{ctx}allowed_extensions"), Error::Policy)?
        .iter()
        .map(|s| {
            ObjectIdentifier::new(s).map_err(|_| {
                Error::Policy(format!(
                    "{ctx}allowed_extensions: {s:?} is not a dotted object identifier"
                ))
            })
        })
        .collect()
}

pub(super) fn plain_bool(f: &Fields, key: &str, ctx: &str) -> Result<bool> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(Error::Policy(format!(
            "{ctx}{key}: expected true or false, found {}",
            kind(v)
        ))),
    }
}

pub(super) fn bool_field(f: &Fields, key: &str, ctx: &str) -> Result<bool> {
    match f.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(Error::Policy(format!(
            "{ctx}ca_constraint.{key}: expected true or false, found {}",
            kind(v)
        ))),
    }
}
