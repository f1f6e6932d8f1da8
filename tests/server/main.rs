//! The servers as clients use them: `serve`, `multirootca`,
//! `ocspserve`, certkit as a `-remote` client, and cfssl's certificate
//! database (certdb) they record into, side by side with Debian's cfssl
//! 1.2.0 and current cfssl where those serve the same files.

// If you're testing `serve -acme` with an ACME client (certbot, lego), it
// goes in here.
mod acme;
// If you're testing `serve`'s bundle endpoint or `"bundle": true`, it goes in here.
mod bundle;
// If you're testing the certificate database under load, kills or two
// replicas, it goes in here.
mod certdb;
// If you're testing certkit as the client (`sign -remote`, `gencert
// -remote`, `info -remote`, auth_remote), it goes in here.
mod client;
// If you're testing an API refusal (envelope, status, code), it goes in here.
mod errors;
// If you're testing one of `serve`'s flags, it goes in here.
mod flags;
// If you're testing `multirootca`, it goes in here.
mod multirootca;
// If you're testing `gencrl`, `ocspsign` or `ocspserve` from files, it
// goes in here.
mod revocation;
// If you're testing revocation over cfssl's database (`revoke`,
// `ocsprefresh`, `ocspdump`, `ocspserve -db-config`), it goes in here.
mod revocation_db;
// If you're testing `serve` with cfssl's own clients, it goes in here.
mod serve;

use std::path::Path;

/// Serial numbers (decimal) of the unexpired certificates in the certdb
/// that `db_json` configures (SQLite or PostgreSQL), read through
/// certkit's own database code. Here, not in tests/support, so that only
/// the server tests depend on the server crates.
pub fn recorded_serials(db_json: &Path) -> Vec<String> {
    let config = certkit_certdb::DbConfig::load(db_json.to_str().unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = certkit_certdb::CertDb::open(&config).await.unwrap();
        let rows = db.unexpired_certificates().await.unwrap();
        db.close().await;
        rows.into_iter().map(|r| r.serial).collect()
    })
}
