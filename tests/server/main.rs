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
// If you're testing a server whose CA key is in a PKCS#11 token
// (SoftHSM2), it goes in here.
mod pkcs11;
// If you're testing `gencrl`, `ocspsign` or `ocspserve` from files, it
// goes in here.
mod revocation;
// If you're testing revocation over cfssl's database (`revoke`,
// `ocsprefresh`, `ocspdump`, `ocspserve -db-config`), it goes in here.
mod revocation_db;
// If you're testing `serve` with cfssl's own clients, it goes in here.
mod serve;
// If you're testing `serve`'s web page (`GET /`, in headless Chromium), it
// goes in here.
mod web;

use std::path::Path;

/// Serial numbers (decimal) of the unexpired certificates in the certdb
/// that `db_json` configures (SQLite, PostgreSQL or MySQL), read through
/// certkit's own database code. Here, not in tests/support, so that only
/// the server tests depend on the server crates.
pub fn recorded_serials(db_json: &Path) -> Vec<String> {
    recorded_rows(db_json)
        .into_iter()
        .map(|r| r.serial)
        .collect()
}

/// (serial, reason code) of the revoked unexpired certificates there.
pub fn revoked_rows(db_json: &Path) -> Vec<(String, i32)> {
    recorded_rows(db_json)
        .into_iter()
        .filter(|r| r.is_revoked())
        .map(|r| (r.serial, r.reason))
        .collect()
}

/// The unexpired certificates' rows in the certdb `db_json` configures.
pub fn recorded_rows(db_json: &Path) -> Vec<certkit_ops::store::CertificateRecord> {
    let config = certkit_certdb::DbConfig::load(db_json.to_str().unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = certkit_certdb::CertDb::open(&config).await.unwrap();
        let rows = db.unexpired_certificates().await.unwrap();
        db.close().await;
        rows
    })
}
