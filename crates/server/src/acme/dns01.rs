//! The dns-01 validation (RFC 8555 8.4): the TXT records of
//! `_acme-challenge.NAME`, asked of the `-acme-dns-resolver` server (UDP,
//! then TCP) by hickory-resolver without a cache, must include the
//! base64url SHA-256 of the key authorization.

use super::jws;
use super::problem::Problem;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::Resolver;
use std::net::SocketAddr;
use std::time::Duration;

pub async fn validate(
    server: SocketAddr,
    domain: &str,
    key_authorization: &str,
) -> Result<(), Problem> {
    let mut config = ResolverConfig::new();
    config.add_name_server(NameServerConfig::new(server, Protocol::Udp));
    config.add_name_server(NameServerConfig::new(server, Protocol::Tcp));
    let mut options = ResolverOpts::default();
    options.timeout = Duration::from_secs(5);
    options.attempts = 2;
    // A retried challenge must see the record as it is now.
    options.cache_size = 0;
    let resolver = Resolver::builder_with_config(config, TokioConnectionProvider::default())
        .with_options(options)
        .build();
    let name = format!("_acme-challenge.{domain}.");
    let records = resolver
        .txt_lookup(name.as_str())
        .await
        .map_err(|e| Problem::dns(format!("TXT {name}: {e}")))?;
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, key_authorization.as_bytes());
    let expected = jws::encode(digest.as_ref());
    let found = records.iter().any(|txt| {
        let value: Vec<u8> = txt
            .txt_data()
            .iter()
            .flat_map(|part| part.iter().copied())
            .collect();
        value == expected.as_bytes()
    });
    if found {
        Ok(())
    } else {
        Err(Problem::unauthorized(format!(
            "no TXT record of {name} holds the key authorization's digest"
        )))
    }
}
