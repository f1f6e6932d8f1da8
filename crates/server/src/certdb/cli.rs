//! `sign -db-config` and `gencert -db-config`, as in cfssl: the command's
//! certificate recorded before it is printed, from a blocking caller.

use super::{CertDb, CertificateRecord, DbConfig};
use certkit_core::error::{Error, Result};

/// Records the certificate in a command's cfssl JSON output (`cert`).
pub fn record_output(db_config: &str, output: &str) -> Result<()> {
    let value: serde_json::Value = serde_json::from_str(output).map_err(|e| Error::Json {
        what: "output".into(),
        source: e,
    })?;
    let Some(cert) = value["cert"].as_str() else {
        return Err(Error::Refused(
            "-db-config records PEM certificates only (not CertificateSigningRequest objects)"
                .into(),
        ));
    };
    let der = pem::parse(cert)
        .map_err(|e| Error::decode("certificate", e))?
        .into_contents();
    let fail = |e: super::DbError| Error::Refused(format!("{db_config}: {e}"));
    let config = DbConfig::load(db_config).map_err(fail)?;
    let record =
        CertificateRecord::issued(&der, "", time::OffsetDateTime::now_utc()).map_err(fail)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Refused(format!("cannot start the runtime: {e}")))?;
    runtime
        .block_on(async {
            let db = CertDb::open(&config).await?;
            let inserted = db.insert_certificate(&record).await;
            db.close().await;
            inserted
        })
        .map_err(fail)
}
