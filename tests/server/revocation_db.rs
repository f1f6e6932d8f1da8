//! Revocation over cfssl's certificate database, against Debian's cfssl
//! 1.2.0 on the same database, each test on SQLite, on PostgreSQL
//! (scripts/peers/postgres) and on MariaDB (scripts/peers/mariadb; SKIP
//! when they cannot start): cfssl records
//! issued certificates,
//! certkit revokes one, makes the CRL (accepted by openssl) and refreshes
//! the OCSP responses, which cfssl's `ocspdump` and `ocspserve` read; and
//! the responses cfssl's `ocsprefresh` writes are read by certkit's
//! `ocspdump` and `ocspserve -db-config`.

use std::path::Path;
use support::mariadb::MariaDb;
use support::postgres::Postgres;
use support::revocation::*;
use support::{assert_ok, free_port, real_cfssl, run, sh};

/// The certificate database a test runs on.
enum Db {
    /// `certs.db` in the test's directory.
    Sqlite,
    Postgres(Postgres),
    MariaDb(MariaDb),
}

impl Db {
    fn config(&self, d: &Path) -> String {
        match self {
            Db::Sqlite => format!(
                r#"{{"driver":"sqlite3","data_source":"{}"}}"#,
                d.join("certs.db").display()
            ),
            Db::Postgres(pg) => pg.db_config(),
            Db::MariaDb(my) => my.db_config(),
        }
    }
}

/// Each named test body runs three times: `NAME::sqlite`,
/// `NAME::postgres` and `NAME::mariadb`.
macro_rules! on_sqlite_and_postgres {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::Db::Sqlite)
            }

            #[test]
            fn postgres() {
                if let Some(pg) = super::Postgres::start() {
                    super::$name(&super::Db::Postgres(pg))
                }
            }

            #[test]
            fn mariadb() {
                if let Some(my) = super::MariaDb::start() {
                    super::$name(&super::Db::MariaDb(my))
                }
            }
        }
    )*};
}

on_sqlite_and_postgres!(
    certkit_revokes_and_refreshes_what_cfssl_recorded,
    certkit_reads_the_responses_cfssl_refreshed,
    check_expiration_reports_revoked_certificates,
    serve_api_revokes_and_signs_crls_and_ocsp,
    revocation_is_one_way,
    ocspserve_answers_live_with_the_database_status,
);

/// The CA, leaves good.pem and revoked.pem recorded in db.json's
/// database by cfssl 1.2.0 (stranger.pem is not recorded), and
/// revoked.pem revoked by certkit for keyCompromise.
fn recorded_pki(d: &Path, db: &Db) {
    recorded_by(d, db, &real_cfssl())
}

/// As [`recorded_pki`], the leaves made and recorded by `recorder`
/// (cfssl 1.2.0 or certkit: same flags, same output).
fn recorded_by(d: &Path, db: &Db, recorder: &Path) {
    make_pki(d);
    std::fs::write(d.join("db.json"), db.config(d)).unwrap();
    // certkit creates cfssl's tables (cfssl 1.2.0 expects goose to have).
    assert_ok(
        &sh(d, "certkit ocspdump -db-config db.json"),
        "creating the db",
    );
    for name in ["good", "revoked"] {
        let out = run(
            d,
            recorder,
            &[
                "gencert",
                "-db-config",
                "db.json",
                "-ca",
                "ca.pem",
                "-ca-key",
                "ca-key.pem",
                "-config",
                "config.json",
                "leaf.json",
            ],
            None,
        );
        assert_ok(&out, "gencert -db-config");
        std::fs::write(d.join(format!("{name}.json")), &out.stdout).unwrap();
        let out = sh(d, &format!("certkit json -bare {name} < {name}.json"));
        assert_ok(&out, "certkit json");
    }
    let script = format!(
        "certkit revoke -db-config db.json -serial {} -aki {} -reason keyCompromise",
        decimal_serial(d, "revoked.pem"),
        aki_hex(d, "revoked.pem").to_uppercase()
    );
    assert_ok(&sh(d, &script), "certkit revoke");
}

fn certkit_revokes_and_refreshes_what_cfssl_recorded(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    recorded_pki(d, db);
    let out = sh(
        d,
        "certkit crl -db-config db.json -ca ca.pem -ca-key ca-key.pem -expiry 24h | base64 -d > db.crl
         openssl crl -inform DER -in db.crl -out db-crl.pem
         openssl crl -in db-crl.pem -CAfile ca.pem -noout -verify
         openssl crl -in db-crl.pem -noout -text > crl.txt
         cat ca.pem db-crl.pem > trust.pem
         openssl verify -crl_check -CAfile trust.pem good.pem
         ! openssl verify -crl_check -CAfile trust.pem revoked.pem
         certkit ocsprefresh -db-config db.json -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem
         certkit ocspdump -db-config db.json > certkit-dump.txt",
    );
    assert_ok(&out, "crl, ocsprefresh, ocspdump");
    let crl = std::fs::read_to_string(d.join("crl.txt")).unwrap();
    assert!(crl.contains("Key Compromise"), "{crl}");

    // cfssl 1.2.0 reads the responses certkit stored.
    let cfssl = real_cfssl();
    let dump = run(d, &cfssl, &["ocspdump", "-db-config", "db.json"], None);
    assert_ok(&dump, "cfssl ocspdump");
    let ours = std::fs::read(d.join("certkit-dump.txt")).unwrap();
    assert_eq!(dump.stdout, ours, "cfssl's and certkit's ocspdump agree");
    assert_eq!(String::from_utf8_lossy(&ours).lines().count(), 2);
    std::fs::write(d.join("cfssl-dump.txt"), &dump.stdout).unwrap();
    let port = free_port();
    let port_arg = port.to_string();
    let served = start_program(
        d,
        &cfssl,
        &[
            "ocspserve",
            "-port",
            &port_arg,
            "-responses",
            "cfssl-dump.txt",
        ],
        port,
    );
    let revoked = openssl_ocsp(d, served.port, "revoked.pem", &["-no_nonce"]);
    assert_key_compromise(&revoked, "revoked.pem");
    drop(served);

    // certkit serves the database: stored responses, unknown for the rest.
    let served = start_certkit(d, &[&["-db-config", "db.json"][..], &LIVE_SIGNER].concat());
    let good = openssl_ocsp(d, served.port, "good.pem", &["-no_nonce"]);
    assert_status(&good, "good.pem", "good");
    let revoked = openssl_ocsp(d, served.port, "revoked.pem", &[]);
    assert_key_compromise(&revoked, "revoked.pem");
    let stranger = openssl_ocsp(d, served.port, "stranger.pem", &["-no_nonce"]);
    assert_status(&stranger, "stranger.pem", "unknown");
}

fn certkit_reads_the_responses_cfssl_refreshed(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfssl = real_cfssl();
    match db {
        // cfssl's mysql schema has no foreign key either.
        Db::Sqlite | Db::MariaDb(_) => recorded_pki(d, db),
        // cfssl 1.2.0 records its certificates with an empty AKI, and its
        // ocsprefresh then files each response under the real AKI, which
        // PostgreSQL refuses (cfssl's own schema's foreign key; SQLite
        // does not enforce it). So here certkit records the certificates:
        // cfssl 1.2.0 refreshes and reads a PostgreSQL database certkit wrote.
        Db::Postgres(_) => recorded_by(d, db, &support::certkit()),
    }
    let refresh = run(
        d,
        &cfssl,
        &[
            "ocsprefresh",
            "-db-config",
            "db.json",
            "-ca",
            "ca.pem",
            "-responder",
            "ocsp.pem",
            "-responder-key",
            "ocsp-key.pem",
        ],
        None,
    );
    assert_ok(&refresh, "cfssl ocsprefresh");
    let theirs = run(d, &cfssl, &["ocspdump", "-db-config", "db.json"], None);
    assert_ok(&theirs, "cfssl ocspdump");
    let ours = sh(d, "certkit ocspdump -db-config db.json");
    assert_ok(&ours, "certkit ocspdump");
    assert_eq!(
        ours.stdout, theirs.stdout,
        "certkit reads cfssl's responses"
    );
    assert_eq!(String::from_utf8_lossy(&ours.stdout).lines().count(), 2);

    // Without a responder key, certkit serves exactly what cfssl stored.
    let served = start_certkit(d, &["-db-config", "db.json"]);
    let revoked = openssl_ocsp(d, served.port, "revoked.pem", &["-no_nonce"]);
    assert_key_compromise(&revoked, "revoked.pem");
    let good = openssl_ocsp(d, served.port, "good.pem", &["-no_nonce"]);
    assert_status(&good, "good.pem", "good");
    let stranger = openssl_ocsp(d, served.port, "stranger.pem", &["-no_nonce"]);
    assert!(stranger.contains("unauthorized"), "{stranger}");
}

fn check_expiration_reports_revoked_certificates(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    recorded_pki(d, db);
    let both = sh(
        d,
        "certkit check-expiration -db-config db.json -o json good.pem revoked.pem",
    );
    assert_eq!(
        both.status.code(),
        Some(1),
        "a revoked certificate fails the check"
    );
    let report: serde_json::Value = serde_json::from_slice(&both.stdout).unwrap();
    let revoked: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["revoked"].as_str())
        .collect();
    assert_eq!(revoked.len(), 1, "{report}");
    assert!(revoked[0].starts_with("keyCompromise, "), "{report}");
    let err = String::from_utf8_lossy(&both.stderr);
    assert!(err.contains("1 of 2 certificates are revoked"), "{err}");
    let table = sh(d, "certkit check-expiration -db-config db.json revoked.pem");
    assert!(String::from_utf8_lossy(&table.stdout).contains("REVOKED (keyCompromise"));
    assert_ok(
        &sh(d, "certkit check-expiration -db-config db.json good.pem"),
        "a good certificate passes",
    );
}

fn serve_api_revokes_and_signs_crls_and_ocsp(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    recorded_pki(d, db);
    let port = free_port();
    let port_arg = port.to_string();
    let certkit = support::certkit();
    let _serve = start_program(
        d,
        &certkit,
        &[
            "serve",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-db-config",
            "db.json",
            // ocspsign exists only with a responder (as in cfssl): the CA itself.
            "-responder",
            "ca.pem",
            "-responder-key",
            "ca-key.pem",
            "-port",
            &port_arg,
        ],
        port,
    );
    let script = format!(
        "api=http://127.0.0.1:{port}/api/v1/cfssl
         curl -sf -X POST -d '{{\"serial\":\"{}\",\"authority_key_id\":\"{}\",\"reason\":\"superseded\"}}' $api/revoke \
           | jq -e .success
         curl -sf \"$api/crl?expiry=24h\" | jq -r .result | base64 -d > api.crl
         openssl crl -inform DER -in api.crl -CAfile ca.pem -noout -verify
         openssl crl -inform DER -in api.crl -noout -text > api-crl.txt
         jq -n --rawfile c ca.pem --rawfile k ca-key.pem \
           '{{certificate: $c, issuingKey: $k, serialNumber: [\"123\"], expireTime: \"3600\"}}' \
           | curl -sf -X POST -d @- $api/gencrl | jq -r .result | base64 -d > gen.crl
         openssl crl -inform DER -in gen.crl -CAfile ca.pem -noout -verify
         jq -n --rawfile c stranger.pem '{{certificate: $c, status: \"revoked\", reason: 1}}' \
           | curl -sf -X POST -d @- $api/ocspsign | jq -r .result.ocspResponse | base64 -d > api.der
         openssl ocsp -respin api.der -issuer ca.pem -cert stranger.pem -CAfile ca.pem -no_nonce > api-ocsp.txt 2>&1",
        decimal_serial(d, "good.pem"),
        aki_hex(d, "good.pem"),
    );
    assert_ok(&sh(d, &script), "the serve API's revocation endpoints");
    let crl = std::fs::read_to_string(d.join("api-crl.txt")).unwrap();
    assert_eq!(crl.matches("Serial Number:").count(), 2, "{crl}");
    assert!(
        crl.contains("Superseded") && crl.contains("Key Compromise"),
        "{crl}"
    );
    let ocsp = std::fs::read_to_string(d.join("api-ocsp.txt")).unwrap();
    assert!(
        ocsp.contains("Response verify OK") && ocsp.contains("stranger.pem: revoked"),
        "{ocsp}"
    );
}

/// S2: revocation is one-way. removeFromCRL is refused (CLI and API);
/// a second revoke (certificateHold from the CLI, superseded from the
/// API) keeps keyCompromise and its time and says so; the CRLs still
/// make `openssl verify -crl_check` reject the certificate.
fn revocation_is_one_way(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    recorded_by(d, db, &support::certkit());
    let (serial, aki) = (decimal_serial(d, "revoked.pem"), aki_hex(d, "revoked.pem"));
    let revoke = |reason: &str| {
        sh(
            d,
            &format!(
                "certkit revoke -db-config db.json -serial {serial} -aki {aki} -reason {reason}"
            ),
        )
    };
    let removed = revoke("removeFromCRL");
    let err = String::from_utf8_lossy(&removed.stderr);
    assert_eq!(removed.status.code(), Some(1), "{err}");
    assert!(err.contains("delta CRLs only"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let held = revoke("certificateHold");
    assert_ok(&held, "a second revoke");
    let err = String::from_utf8_lossy(&held.stderr);
    assert!(
        err.contains("already revoked (keyCompromise") && err.contains("unchanged"),
        "{err}"
    );
    let crl_check = "cat ca.pem crl.pem > trust.pem
         openssl crl -in crl.pem -noout -text > crl.txt
         if openssl verify -crl_check -CAfile trust.pem revoked.pem; then
           echo 'revoked.pem accepted' >&2; exit 1
         fi";
    let out = sh(
        d,
        &format!(
            "certkit crl -db-config db.json -ca ca.pem -ca-key ca-key.pem | base64 -d \
               | openssl crl -inform DER -out crl.pem
             {crl_check}"
        ),
    );
    assert_ok(&out, "the CLI's CRL after a second revoke");
    let text = std::fs::read_to_string(d.join("crl.txt")).unwrap();
    assert!(text.contains("Key Compromise"), "{text}");
    assert!(!text.contains("Hold") && !text.contains("Remove"), "{text}");

    let port = free_port();
    let port_arg = port.to_string();
    let _serve = start_program(
        d,
        &support::certkit(),
        &[
            "serve",
            "-ca",
            "ca.pem",
            "-ca-key",
            "ca-key.pem",
            "-db-config",
            "db.json",
            "-port",
            &port_arg,
        ],
        port,
    );
    let body = |reason: &str| {
        format!(r#"{{"serial":"{serial}","authority_key_id":"{aki}","reason":"{reason}"}}"#)
    };
    let out = sh(
        d,
        &format!(
            "api=http://127.0.0.1:{port}/api/v1/cfssl
             curl -s -o removed.json -w '%{{http_code}}' -d '{}' $api/revoke > removed.status
             curl -sf -d '{}' $api/revoke > again.json
             curl -sf $api/crl | jq -r .result | base64 -d | openssl crl -inform DER -out crl.pem
             {crl_check}",
            body("removeFromCRL"),
            body("superseded"),
        ),
    );
    assert_ok(&out, "the API's CRL after a second revoke");
    let status = std::fs::read_to_string(d.join("removed.status")).unwrap();
    let removed = std::fs::read_to_string(d.join("removed.json")).unwrap();
    assert_eq!(status, "400", "{removed}");
    assert!(removed.contains("delta CRLs only"), "{removed}");
    let again = std::fs::read_to_string(d.join("again.json")).unwrap();
    assert!(
        again.contains("already revoked (keyCompromise") && again.contains(r#""success":true"#),
        "{again}"
    );
    let text = std::fs::read_to_string(d.join("crl.txt")).unwrap();
    assert!(text.contains("Key Compromise"), "{text}");
    assert!(
        !text.contains("Superseded") && !text.contains("Remove"),
        "{text}"
    );
}

/// S1: `ocspserve -db-config` with a responder signs live answers with
/// the certificate row's status. good.pem's stored response (from
/// `ocsprefresh`) says good; after good.pem is revoked, a request with a
/// nonce (always answered live) and one without (the stored response now
/// contradicts the database) both get revoked. They used to get a fresh
/// "good" copied from the stored response.
fn ocspserve_answers_live_with_the_database_status(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    recorded_by(d, db, &support::certkit());
    let out = sh(
        d,
        &format!(
            "certkit ocsprefresh -db-config db.json -ca ca.pem -responder ocsp.pem -responder-key ocsp-key.pem
             certkit revoke -db-config db.json -serial {} -aki {} -reason keyCompromise",
            decimal_serial(d, "good.pem"),
            aki_hex(d, "good.pem")
        ),
    );
    assert_ok(&out, "ocsprefresh, then revoke");
    let served = start_certkit(d, &[&["-db-config", "db.json"][..], &LIVE_SIGNER].concat());
    let nonced = openssl_ocsp(d, served.port, "good.pem", &[]);
    assert_key_compromise(&nonced, "good.pem");
    assert!(nonced.contains("OCSP Nonce"), "{nonced}");
    let plain = openssl_ocsp(d, served.port, "good.pem", &["-no_nonce"]);
    assert_key_compromise(&plain, "good.pem");
    let revoked = openssl_ocsp(d, served.port, "revoked.pem", &["-no_nonce"]);
    assert_key_compromise(&revoked, "revoked.pem");
}

/// S5: PostgreSQL over TLS. Without `sslmode` certkit requires TLS, as
/// lib/pq does: a server without TLS is refused (it used to be used in
/// plain text, password included); a server with `ssl = on` and a
/// certificate certkit made is used with the default, and with
/// `verify-full` against the right root, and refused against another.
#[test]
fn postgres_requires_tls_by_default_and_verifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    let out = sh(
        d,
        r#"echo '{"CN":"127.0.0.1","hosts":["127.0.0.1","localhost"],"key":{"algo":"ecdsa","size":256}}' > pg.json
           certkit -loglevel 3 gencert -ca ca.pem -ca-key ca-key.pem -config config.json pg.json \
             | certkit -loglevel 3 json -bare pg
           echo '{"CN":"Other CA","key":{"algo":"ecdsa","size":256}}' > other.json
           certkit -loglevel 3 gencert -initca other.json | certkit -loglevel 3 json -bare other"#,
    );
    assert_ok(&out, "the PostgreSQL server certificate");
    let dump = |port: u16, extra: &str| {
        std::fs::write(
            d.join("db.json"),
            format!(
                r#"{{"driver":"postgres","data_source":"host=127.0.0.1 port={port} user=postgres dbname=certkit{extra}"}}"#
            ),
        )
        .unwrap();
        sh(d, "certkit ocspdump -db-config db.json")
    };
    let Some(plain) = Postgres::start() else {
        return;
    };
    let refused = dump(plain.port(), "");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.to_lowercase().contains("tls") || err.contains("SSL"),
        "{err}"
    );
    assert_ok(&dump(plain.port(), " sslmode=disable"), "sslmode=disable");
    drop(plain);

    let Some(tls) = Postgres::start_tls(&d.join("pg.pem"), &d.join("pg-key.pem")) else {
        return;
    };
    assert_ok(&dump(tls.port(), ""), "TLS by default");
    assert_ok(
        &dump(tls.port(), " sslmode=verify-full sslrootcert=ca.pem"),
        "verify-full",
    );
    let wrong = dump(tls.port(), " sslmode=verify-full sslrootcert=other.pem");
    assert_eq!(
        wrong.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
}

/// cfssl's `"driver":"mysql"` takes go-sql-driver's `tls=` as that driver
/// does: plain without it, `skip-verify` encrypts, `true` verifies (a
/// server certificate from an unknown CA is refused), and TLS asked of a
/// server without it fails. No message carries the password.
#[test]
fn mariadb_tls_as_the_dsn_asks_and_no_password_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d);
    let out = sh(
        d,
        r#"echo '{"CN":"127.0.0.1","hosts":["127.0.0.1","localhost"],"key":{"algo":"rsa","size":2048}}' > my.json
           certkit -loglevel 3 gencert -ca ca.pem -ca-key ca-key.pem -config config.json my.json \
             | certkit -loglevel 3 json -bare my"#,
    );
    assert_ok(&out, "the MariaDB server certificate");
    let dump = |db: &MariaDb, password: &str, params: &str| {
        std::fs::write(
            d.join("db.json"),
            format!(
                r#"{{"driver":"mysql","data_source":"certkit:{password}@tcp(127.0.0.1:{})/certkit?parseTime=true{params}"}}"#,
                db.port
            ),
        )
        .unwrap();
        sh(d, "certkit -loglevel 0 ocspdump -db-config db.json")
    };
    let refused = |out: &std::process::Output, password: &str, needle: &str| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.to_lowercase().contains(needle), "{needle}: {err}");
        assert!(!err.contains(password), "the password is in: {err}");
    };

    let Some(plain) = MariaDb::start() else {
        return;
    };
    assert_ok(&dump(&plain, &plain.password, ""), "no tls=: plain TCP");
    let ok = dump(&plain, &plain.password, "");
    assert!(
        !String::from_utf8_lossy(&ok.stderr).contains(&plain.password),
        "debug log shows the password"
    );
    refused(
        &dump(&plain, "wrong-password-123", ""),
        "wrong-password-123",
        "access denied",
    );
    refused(
        &dump(&plain, &plain.password, "&tls=skip-verify"),
        &plain.password,
        "tls",
    );
    refused(
        &dump(&plain, &plain.password, "&sql_mode=ANSI"),
        &plain.password,
        "unknown parameter",
    );
    drop(plain);

    let Some(tls) = MariaDb::start_tls(&d.join("my.pem"), &d.join("my-key.pem")) else {
        return;
    };
    assert_ok(
        &dump(&tls, &tls.password, "&tls=skip-verify"),
        "tls=skip-verify",
    );
    assert_ok(
        &dump(&tls, &tls.password, "&tls=preferred"),
        "tls=preferred",
    );
    refused(
        &dump(&tls, &tls.password, "&tls=true"),
        &tls.password,
        "certificate",
    );
}
