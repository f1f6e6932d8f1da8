//! `serve`'s ACME flags (`-acme` and its options), flattened into
//! `serve`'s arguments.

use certkit_core::error::{Error, Result};
use certkit_server::acme::{parse_resolve, AcmeOptions, AllowedNames, EabKeys};

#[derive(Debug, clap::Args)]
pub struct AcmeArgs {
    /// Serve ACME (RFC 8555) at /acme/directory: certbot, lego and cert-manager get certificates from this CA (needs -db-config)
    #[arg(long = "acme", requires = "db_config")]
    pub acme: bool,

    /// The signing profile ACME certificates are issued under (default: the config's default)
    #[arg(long = "acme-profile", value_name = "NAME", requires = "acme")]
    pub acme_profile: Option<String>,

    /// More directories, one per profile named (comma-separated), at /acme/PROFILE/directory
    #[arg(
        long = "acme-directories",
        value_name = "LIST",
        value_delimiter = ',',
        requires = "acme"
    )]
    pub acme_directories: Vec<String>,

    /// The port http-01 validation connects to (RFC 8555: 80)
    #[arg(
        long = "acme-http01-port",
        value_name = "PORT",
        default_value_t = 80,
        requires = "acme"
    )]
    pub acme_http01_port: u16,

    /// The port tls-alpn-01 validation connects to (RFC 8737: 443)
    #[arg(
        long = "acme-tlsalpn01-port",
        value_name = "PORT",
        default_value_t = 443,
        requires = "acme"
    )]
    pub acme_tlsalpn01_port: u16,

    /// The DNS server (IP:PORT) dns-01 asks for _acme-challenge TXT records; without it dns-01 and wildcards are not offered
    #[arg(long = "acme-dns-resolver", value_name = "IP:PORT", requires = "acme")]
    pub acme_dns_resolver: Option<String>,

    /// Validate NAME at IP (repeatable, as curl's --resolve); such an address may be loopback or private
    #[arg(long = "acme-resolve", value_name = "NAME:IP", requires = "acme")]
    pub acme_resolve: Vec<String>,

    /// External Account Binding: a JSON object of key id to base64url HMAC key; new accounts must be bound to one
    #[arg(long = "acme-eab-keys", value_name = "FILE", requires = "acme")]
    pub acme_eab_keys: Option<String>,

    /// New orders allowed per account and per client address in an hour (counted in the database, shared by replicas)
    #[arg(
        long = "acme-orders-per-hour",
        value_name = "N",
        default_value_t = 300,
        requires = "acme"
    )]
    pub acme_orders_per_hour: u32,

    /// Failed validations allowed per account in an hour (counted in the database); beyond, its challenges are refused (rateLimited)
    #[arg(
        long = "acme-failures-per-hour",
        value_name = "N",
        default_value_t = 60,
        requires = "acme"
    )]
    pub acme_failures_per_hour: u32,

    /// The identifiers orders may name, comma-separated: NAME exactly, .SUFFIX (any name under it), /REGEX/ (whole name), or an IP or CIDR network; others are rejectedIdentifier at new-order (default: what the profile allows)
    #[arg(
        long = "acme-allowed-domains",
        value_name = "LIST",
        value_delimiter = ',',
        requires = "acme"
    )]
    pub acme_allowed_domains: Vec<String>,
}

impl AcmeArgs {
    /// The server's ACME options, or none without `-acme`.
    pub fn options(&self) -> Result<Option<AcmeOptions>> {
        if !self.acme {
            return Ok(None);
        }
        let mut resolve = std::collections::BTreeMap::new();
        for text in &self.acme_resolve {
            let (name, ip) = parse_resolve(text).map_err(Error::Refused)?;
            resolve.insert(name, ip);
        }
        Ok(Some(AcmeOptions {
            profile: self.acme_profile.clone().unwrap_or_default(),
            http01_port: self.acme_http01_port,
            tlsalpn01_port: self.acme_tlsalpn01_port,
            directories: self.acme_directories.clone(),
            dns_resolver: match &self.acme_dns_resolver {
                Some(text) => Some(text.parse().map_err(|_| {
                    Error::Refused(format!("-acme-dns-resolver {text:?}: expected IP:PORT"))
                })?),
                None => None,
            },
            resolve,
            orders_per_hour: self.acme_orders_per_hour,
            failures_per_hour: self.acme_failures_per_hour,
            allowed: AllowedNames::parse(&self.acme_allowed_domains)
                .map_err(|e| Error::Refused(e.to_string()))?,
            eab: match &self.acme_eab_keys {
                Some(file) => EabKeys::load(std::path::Path::new(file))
                    .map_err(|e| Error::Refused(e.to_string()))?,
                None => EabKeys::default(),
            },
        }))
    }
}
