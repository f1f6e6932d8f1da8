//! `selfsign`: a self-signed leaf for tests, from a request and hosts.

use crate::load;
use certkit_core::error::Result;
use certkit_core::issue::selfsign::{default_profile, self_signed};
use certkit_core::keys::format::KeyEncoder;
use certkit_core::output::cert_json;
use certkit_core::report::Report;

/// Makes the key and self-signed certificate; `config`/`profile` choose
/// the profile (selfsign's default without a config).
pub fn selfsign(
    request: &str,
    hostname: &str,
    config: Option<&str>,
    profile: &str,
    keys: &KeyEncoder,
) -> Result<Report> {
    let mut report = Report::default();
    let req = load::request(std::path::Path::new(request), &mut report)?;
    let profile = match config {
        Some(path) => load::config(Some(std::path::Path::new(path)), &mut report)?
            .profile(profile)?
            .clone(),
        None => default_profile(),
    };
    let made = self_signed(&req, &load::split_hosts(hostname), &profile)?;
    report.warn_all(&made.warnings);
    report.info(format!(
        "signed certificate with serial number {}",
        made.serial
    ));
    report.output = cert_json(
        Some(&made.cert_pem),
        Some(&made.csr_pem),
        Some(&keys.pem(&made.key)?),
    );
    Ok(report)
}
