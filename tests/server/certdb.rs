//! The certificate database under stress: kill -9 under load loses no
//! certificate a client received (SQLite, MariaDB), and two replicas on
//! one PostgreSQL or one MariaDB both issue with no serial recorded
//! twice, their rows read by cfssl's own tools, and revoking the same
//! certificates through both at once loses no revocation; ACME rate-limit
//! takes racing from two replicas never pass the limit.

use crate::{recorded_serials, revoked_rows};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::certkit;
use support::mariadb::MariaDb;
use support::postgres::Postgres;
use support::serve::*;

/// Signs in a loop until the server stops answering (bounded by count
/// and time); returns the serials of the certificates received.
fn hammer(dir: PathBuf, url: String, rounds: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut got = Vec::new();
    for _ in 0..rounds {
        if Instant::now() > deadline {
            break;
        }
        let a = curl(
            &dir,
            &["-d", "@sign.json", &format!("{url}/api/v1/cfssl/sign")],
        );
        if a.status != 200 {
            break;
        }
        let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        got.push(serial_of(v["result"]["certificate"].as_str().unwrap()));
    }
    got
}

#[test]
fn kill_9_under_load_loses_no_acknowledged_certificate() {
    kill_9_under_load(None)
}

#[test]
fn kill_9_on_mariadb_loses_no_acknowledged_certificate() {
    let Some(db) = MariaDb::start() else { return };
    kill_9_under_load(Some(&db.db_config()))
}

/// Four clients sign while the server is killed; every certificate a
/// client received is in db.json's database (SQLite unless `db_config`).
fn kill_9_under_load(db_config: Option<&str>) {
    let tmp = workdir();
    let dir = tmp.path();
    if let Some(config) = db_config {
        write(dir, "db.json", config);
    }
    write(dir, "sign.json", &sign_body(dir, ""));
    let mut server = Server::certkit(dir, &[ca_args(), SQLITE_DB.to_vec()].concat());
    let received = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (dir, url, received) = (dir.to_path_buf(), server.url.clone(), received.clone());
            std::thread::spawn(move || {
                let got = hammer(dir, url, 400);
                received.lock().unwrap().extend(got);
            })
        })
        .collect();
    // Kill mid-stream, once some certificates have gone out.
    let deadline = Instant::now() + Duration::from_secs(30);
    while recorded_count(dir) < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    server.kill9();
    for c in clients {
        c.join().unwrap();
    }
    let received = received.lock().unwrap().clone();
    assert!(
        received.len() >= 10,
        "too few certificates before the kill: {}",
        received.len()
    );
    let recorded = recorded_serials(&dir.join("db.json"));
    let lost: Vec<_> = received.iter().filter(|s| !recorded.contains(s)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} received certificates are not in the database",
        lost.len(),
        received.len()
    );
}

fn recorded_count(dir: &Path) -> usize {
    // A second connection reads while the server writes (WAL).
    recorded_serials(&dir.join("db.json")).len()
}

#[test]
fn two_replicas_on_postgres_issue_without_collisions() {
    let Some(pg) = Postgres::start() else { return };
    two_replicas_issue_without_collisions(&pg.db_config());
}

#[test]
fn two_replicas_on_mariadb_issue_without_collisions() {
    let Some(db) = MariaDb::start() else { return };
    two_replicas_issue_without_collisions(&db.db_config());
}

/// A work directory with sign.json and two replicas recording into
/// one shared database (its db-config: `pg.json`).
fn two_replicas(db_config: &str) -> (tempfile::TempDir, [Server; 2]) {
    let tmp = workdir();
    let dir = tmp.path();
    write(dir, "pg.json", db_config);
    write(dir, "sign.json", &sign_body(dir, ""));
    let args = [ca_args(), vec!["-db-config", "pg.json"]].concat();
    let replicas = [Server::certkit(dir, &args), Server::certkit(dir, &args)];
    (tmp, replicas)
}

/// Two replicas on one shared database (its db-config: `pg.json`), four
/// clients; then cfssl 1.2.0 and 1.6.5 read the rows.
fn two_replicas_issue_without_collisions(db_config: &str) {
    let (tmp, replicas) = two_replicas(db_config);
    let dir = tmp.path();
    let clients: Vec<_> = replicas
        .iter()
        .flat_map(|s| [s.url.clone(), s.url.clone()])
        .map(|url| {
            let dir = dir.to_path_buf();
            std::thread::spawn(move || hammer(dir, url, 15))
        })
        .collect();
    let mut received: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(received.len(), 60, "every request must be answered");
    let mut recorded = recorded_serials(&dir.join("pg.json"));
    recorded.sort();
    received.sort();
    assert_eq!(recorded, received);
    drop(replicas);

    // cfssl 1.2.0 reads certkit's rows: an OCSP response each.
    if let Some(bin) = cfssl_1_2() {
        run(
            dir,
            &bin,
            &[
                "ocsprefresh",
                "-db-config",
                "pg.json",
                "-ca",
                "ca.pem",
                "-responder",
                "ca.pem",
                "-responder-key",
                "ca-key.pem",
            ],
        );
        let dump = run(dir, &bin, &["ocspdump", "-db-config", "pg.json"]);
        assert_eq!(
            dump.lines().filter(|l| !l.trim().is_empty()).count(),
            60,
            "{dump}"
        );
    }
    // Current cfssl finds one by serial and AKI.
    if let Some(current) = cfssl_current() {
        let aki = ca_key_id(dir);
        let out = run(
            dir,
            current.join("cfssl"),
            &[
                "certinfo",
                "-db-config",
                "pg.json",
                "-serial",
                &received[0],
                "-aki",
                &aki,
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["serial_number"], received[0].as_str(), "{out}");
    }
}

#[test]
fn two_replicas_on_postgres_lose_no_revocation() {
    let Some(pg) = Postgres::start() else { return };
    two_replicas_lose_no_revocation(&pg.db_config());
}

#[test]
fn two_replicas_on_mariadb_lose_no_revocation() {
    let Some(db) = MariaDb::start() else { return };
    two_replicas_lose_no_revocation(&db.db_config());
}

/// Both replicas revoke the same ten certificates at once, one for
/// keyCompromise, the other as superseded: each is revoked once (one
/// reason, the first to land) and both replicas' CRLs list all ten.
fn two_replicas_lose_no_revocation(db_config: &str) {
    let (tmp, replicas) = two_replicas(db_config);
    let dir = tmp.path();
    let serials = hammer(dir.to_path_buf(), replicas[0].url.clone(), 10);
    assert_eq!(serials.len(), 10);
    let aki = ca_key_id(dir);
    let revokers: Vec<_> = replicas
        .iter()
        .zip(["keyCompromise", "superseded"])
        .map(|(replica, reason)| {
            let (dir, url, serials, aki) = (
                dir.to_path_buf(),
                format!("{}/api/v1/cfssl/revoke", replica.url),
                serials.clone(),
                aki.clone(),
            );
            std::thread::spawn(move || {
                for serial in serials {
                    let body = format!(
                        r#"{{"serial":"{serial}","authority_key_id":"{aki}","reason":"{reason}"}}"#
                    );
                    let a = curl(&dir, &["-d", &body, &url]);
                    assert_eq!(a.status, 200, "{a:?}");
                }
            })
        })
        .collect();
    for r in revokers {
        r.join().unwrap();
    }
    let mut revoked = revoked_rows(&dir.join("pg.json"));
    revoked.sort();
    let mut want = serials.clone();
    want.sort();
    assert_eq!(
        revoked.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
        want
    );
    assert!(
        revoked.iter().all(|(_, reason)| [1, 4].contains(reason)),
        "{revoked:?}"
    );
    for replica in &replicas {
        let a = curl(dir, &[&format!("{}/api/v1/cfssl/crl", replica.url)]);
        assert_eq!(a.status, 200, "{a:?}");
        let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
        use base64::Engine;
        let der = base64::engine::general_purpose::STANDARD
            .decode(v["result"].as_str().unwrap())
            .unwrap();
        std::fs::write(dir.join("both.crl"), der).unwrap();
        let text = run(
            dir,
            "openssl",
            &[
                "crl", "-inform", "DER", "-in", "both.crl", "-noout", "-text",
            ],
        );
        assert_eq!(text.matches("Serial Number:").count(), 10, "{text}");
    }
}

/// The CA's subject key identifier (its leaves' AKI), lowercase hex.
fn ca_key_id(dir: &Path) -> String {
    let der = pem::parse(read(dir, "ca.pem")).unwrap().into_contents();
    let c = certkit_core::chain::certs::Cert::from_der(&der).unwrap();
    c.subject_key_id()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn sign_and_gencert_record_with_db_config_as_cfssl() {
    let tmp = workdir();
    let dir = tmp.path();
    let ca = [ca_args(), SQLITE_DB.to_vec()].concat();
    let signed: serde_json::Value = serde_json::from_str(&run(
        dir,
        certkit(),
        &[&["sign"][..], &ca, &["svc.csr"]].concat(),
    ))
    .unwrap();
    let made: serde_json::Value = serde_json::from_str(&run(
        dir,
        certkit(),
        &[&["gencert"][..], &ca, &["req.json"]].concat(),
    ))
    .unwrap();
    let mut want = vec![
        serial_of(signed["cert"].as_str().unwrap()),
        serial_of(made["cert"].as_str().unwrap()),
    ];
    want.sort();
    let mut got = recorded_serials(&dir.join("db.json"));
    got.sort();
    assert_eq!(got, want);
}

/// A CRL from `GET crl[?query]` as openssl prints `-crlnumber` and
/// `-nextupdate`, with the answer's messages.
fn crl_from(dir: &Path, server: &Server, query: &str) -> (String, String, String) {
    let a = curl(dir, &[&format!("{}/api/v1/cfssl/crl{query}", server.url)]);
    assert_eq!(a.status, 200, "{a:?}");
    let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(v["result"].as_str().unwrap())
        .unwrap();
    std::fs::write(dir.join("got.crl"), der).unwrap();
    let text = run(
        dir,
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "got.crl",
            "-noout",
            "-crlnumber",
            "-nextupdate",
        ],
    );
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_string()
    };
    (
        field("crlNumber="),
        field("nextUpdate="),
        v["messages"].to_string(),
    )
}

/// S10: `GET crl?expiry=` cannot ask for more than `-max-crl-expiry`
/// (default 168h) or past the CA's notAfter: 2562047h (292 years) used
/// to be signed as asked.
#[test]
fn crl_expiry_is_capped() {
    let tmp = workdir();
    let dir = tmp.path();
    let next_update = |text: &str| {
        time::PrimitiveDateTime::parse(
            text.trim_end_matches(" GMT"),
            time::macros::format_description!(
                "[month repr:short] [day padding:space] [hour]:[minute]:[second] [year]"
            ),
        )
        .unwrap()
        .assume_utc()
    };
    for (flags, hours) in [(vec![], 168), (vec!["-max-crl-expiry", "24h"], 24)] {
        let server = Server::certkit(dir, &[&recording_args()[..], &flags].concat());
        let (_, next, messages) = crl_from(dir, &server, "?expiry=2562047h");
        let latest = time::OffsetDateTime::now_utc() + time::Duration::hours(hours);
        let next = next_update(&next);
        assert!(
            next <= latest,
            "{flags:?}: nextUpdate {next} is after {latest}"
        );
        assert!(messages.contains("capped"), "{messages}");
        let (_, _, messages) = crl_from(dir, &server, "?expiry=1h");
        assert!(!messages.contains("capped"), "{messages}");
    }
}

/// S11: CRL numbers strictly increase, also for CRLs issued within one
/// second (the number was thisUpdate in Unix seconds and repeated).
#[test]
fn crl_numbers_strictly_increase_within_a_second() {
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(dir, &recording_args());
    let numbers: Vec<u128> = (0..5)
        .map(|_| {
            let (number, _, _) = crl_from(dir, &server, "");
            u128::from_str_radix(number.trim_start_matches("0x"), 16).unwrap()
        })
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
}

/// add-config.json: a default profile with `auth_key` key1, which
/// certadd's tokens are checked with.
fn write_add_config(dir: &Path) {
    write(
        dir,
        "add-config.json",
        &format!(
            r#"{{"signing":{{"default":{{"expiry":"8760h","usages":["signing","server auth"],"auth_key":"key1"}}}},
"auth_keys":{{"key1":{{"type":"standard","key":"{KEY}"}}}}}}"#
        ),
    );
}

/// A certadd request (cfssl's AddRequest) for the PEM certificate in
/// `file`: revoked (keyCompromise) at a fixed time, labelled.
fn add_request(dir: &Path, file: &str) -> String {
    let pem_text = read(dir, file);
    let info: serde_json::Value =
        serde_json::from_str(&run(dir, certkit(), &["certinfo", "-cert", file])).unwrap();
    serde_json::json!({
        "serial_number": info["serial_number"],
        "authority_key_identifier": info["authority_key_id"].as_str().unwrap().replace(':', "").to_lowercase(),
        "ca_label": "primary",
        "status": "revoked",
        "reason": 1,
        "revoked_at": "2026-01-02T03:04:05Z",
        "expiry": info["not_after"],
        "pem": pem_text,
        "common_name": "svc.example.com",
    })
    .to_string()
}

/// The row certkit's database code reads for `serial`, as the fields a
/// certadd request sets.
fn row_of(db_json: &Path, serial: &str) -> (String, i32, String, String, Option<String>) {
    let r = crate::recorded_rows(db_json)
        .into_iter()
        .find(|r| r.serial == serial)
        .expect("recorded");
    (
        r.status,
        r.reason,
        format!("{:?}", r.revoked_at),
        r.ca_label,
        r.common_name,
    )
}

/// `certadd` (cfssl 1.6.5): a record with its status and revocation
/// inserted into the database. cfssl 1.6.5 takes it from anyone; certkit
/// only with a token of the default profile's auth_key (401 without), and
/// refuses a second insert of the same certificate (409). The row certkit
/// writes equals the one 1.6.5 writes for the same request (PostgreSQL:
/// 1.6.5's SQLite driver needs cgo), and 1.6.5's certinfo reads it.
#[test]
fn certadd_inserts_records_as_cfssl_1_6_with_authentication() {
    let Some(pg) = Postgres::start() else { return };
    let tmp = workdir();
    let dir = tmp.path();
    write(dir, "pg.json", &pg.db_config());
    write_add_config(dir);
    for name in ["a", "b"] {
        let out = run(
            dir,
            certkit(),
            &["sign", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "svc.csr"],
        );
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        write(dir, &format!("{name}.pem"), json["cert"].as_str().unwrap());
    }
    let args = [
        "-ca",
        "ca.pem",
        "-ca-key",
        "ca-key.pem",
        "-config",
        "add-config.json",
        "-db-config",
        "pg.json",
    ];
    let ours = Server::certkit(dir, &args);
    let url = format!("{}/api/v1/cfssl/certadd", ours.url);
    let request_b = add_request(dir, "b.pem");
    let plain = post(dir, &url, &request_b);
    assert_eq!(plain.status, 401, "{}", plain.body);
    let added = post(dir, &url, &authsign_body(&request_b, KEY));
    assert_eq!(added.status, 200, "{}", added.body);
    let again = post(dir, &url, &authsign_body(&request_b, KEY));
    assert_eq!(again.status, 409, "{}", again.body);
    let remove_from_crl = request_b.replace("\"reason\":1", "\"reason\":8");
    let refused = post(dir, &url, &authsign_body(&remove_from_crl, KEY));
    assert_eq!(refused.status, 400, "{}", refused.body);
    let serial_b = serial_of(&read(dir, "b.pem"));
    let row_b = row_of(&dir.join("pg.json"), &serial_b);
    assert_eq!(
        (
            row_b.0.as_str(),
            row_b.1,
            row_b.3.as_str(),
            row_b.4.as_deref()
        ),
        ("revoked", 1, "primary", Some("svc.example.com"))
    );

    let Some(current) = cfssl_current() else {
        return;
    };
    let cfssl = current.join("cfssl");
    let theirs = Server::cfssl(dir, &cfssl, &args);
    let answer = post(
        dir,
        &format!("http://127.0.0.1:{}/api/v1/cfssl/certadd", theirs.port),
        &add_request(dir, "a.pem"),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let row_a = row_of(&dir.join("pg.json"), &serial_of(&read(dir, "a.pem")));
    assert_eq!(row_a, row_b, "the rows cfssl 1.6.5 and certkit insert");
    let aki: serde_json::Value = serde_json::from_str(&request_b).unwrap();
    let info = run(
        dir,
        &cfssl,
        &[
            "certinfo",
            "-db-config",
            "pg.json",
            "-serial",
            &serial_b,
            "-aki",
            aki["authority_key_identifier"].as_str().unwrap(),
        ],
    );
    assert!(info.contains(&serial_b), "{info}");
}

/// `-admin-cn` guards `certadd` by default: with a good token, a client
/// whose certificate's CN does not match gets 403, the admin 200.
#[test]
fn certadd_is_behind_the_admin_cn() {
    let tmp = workdir();
    let dir = tmp.path();
    write_add_config(dir);
    let out = run(
        dir,
        certkit(),
        &["sign", "-ca", "ca.pem", "-ca-key", "ca-key.pem", "svc.csr"],
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    write(dir, "added.pem", json["cert"].as_str().unwrap());
    let server = Server::certkit(
        dir,
        &[
            &ca_args()[..],
            &SQLITE_DB,
            &[
                "-config",
                "add-config.json",
                "-tls-cert",
                "tls.pem",
                "-tls-key",
                "tls-key.pem",
            ],
            &["-mutual-tls-ca", "ca.pem", "-admin-cn", "client-ok"],
        ]
        .concat(),
    );
    write(
        dir,
        "add.json",
        &authsign_body(&add_request(dir, "added.pem"), KEY),
    );
    let url = format!("https://localhost:{}/api/v1/cfssl/certadd", server.port);
    let as_client = |name: &str| {
        let (cert, key) = (format!("{name}.pem"), format!("{name}-key.pem"));
        curl(
            dir,
            &[
                "--cacert",
                "ca.pem",
                "--cert",
                &cert,
                "--key",
                &key,
                "-d",
                "@add.json",
                &url,
            ],
        )
    };
    let refused = as_client("client-bad");
    assert_eq!(refused.status, 403, "{refused:?}");
    let added = as_client("client-ok");
    assert_eq!(added.status, 200, "{added:?}");
    let serial = serial_of(&read(dir, "added.pem"));
    assert_eq!(row_of(&dir.join("db.json"), &serial).0, "revoked");
}

#[test]
fn rate_events_racing_on_postgres_never_overshoot() {
    let Some(pg) = Postgres::start() else { return };
    rate_events_racing(&pg.db_config());
}

#[test]
fn rate_events_racing_on_mariadb_never_overshoot() {
    let Some(db) = MariaDb::start() else { return };
    rate_events_racing(&db.db_config());
}

/// The ACME rate limits' take (count the window, insert under the limit)
/// from two pools on one database, as two replicas: in each of 4 rounds,
/// 48 takes of one key in flight at once, limit 5, and exactly 5 are
/// taken, 5 rows stored.
fn rate_events_racing(db_config: &str) {
    use certkit_ops::store::acme::{AcmeStore, RateEvent, RateTaken};
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "db.json", db_config);
    let config =
        certkit_certdb::DbConfig::load(tmp.path().join("db.json").to_str().unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let replicas = [
            certkit_certdb::CertDb::open(&config).await.unwrap(),
            certkit_certdb::CertDb::open(&config).await.unwrap(),
        ];
        for round in 0..4 {
            let key = format!("orders account race{round}");
            let mut takes = tokio::task::JoinSet::new();
            for n in 0..48 {
                let db = replicas[n % 2].clone();
                let event = RateEvent {
                    key: key.clone(),
                    // No id starts with "A": no sweep, only the takes race.
                    id: format!("race{n}"),
                    at: 10_000 + n as i64,
                    window_start: 10_000 - 3599,
                };
                takes.spawn(async move {
                    let store: &dyn AcmeStore = &db;
                    store.take_event(&event, 5).await
                });
            }
            let taken = takes.join_all().await;
            let taken: Vec<_> = taken.into_iter().map(Result::unwrap).collect();
            let count = taken.iter().filter(|t| **t == RateTaken::Taken).count();
            assert_eq!(count, 5, "round {round}: {count} of 48 taken, limit 5");
            let store: &dyn AcmeStore = &replicas[0];
            assert_eq!(store.count_events(&key, 0).await.unwrap().events, 5);
        }
        for db in replicas {
            db.close().await;
        }
    });
}
