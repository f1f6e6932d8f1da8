//! `serve`'s page at `GET /`, loaded by a real browser: headless Chromium
//! (Debian's `chromium`, installed by scripts/test; SKIP without it)
//! against a server with recorded, soon-expiring and revoked
//! certificates. The rendered DOM is checked for the rows, a search and
//! the chart; a screenshot is kept as target/web-page/serve.png. And the
//! page is authenticated as the API is (`-admin-cn`).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::certkit;
use support::mariadb::MariaDb;
use support::postgres::Postgres;
use support::serve::*;

/// Profiles that expire in 3 and 10 days, and the year-long default.
const WEB_CONFIG: &str = r#"{"signing":{"default":{"expiry":"8760h","usages":["signing","key encipherment","server auth"]},
"profiles":{"short":{"expiry":"72h","usages":["signing","key encipherment","server auth"]},
"week":{"expiry":"240h","usages":["signing","key encipherment","server auth"]}}}}"#;

/// Where the screenshot is kept (target/web-page/).
fn artefacts() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is under target/")
        .join("web-page");
    std::fs::create_dir_all(&target).unwrap();
    target
}

fn chromium_path() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Headless Chromium on `url` with `action` (`--dump-dom` or
/// `--screenshot=…`), bounded by `timeout`; its stdout.
fn chromium(browser: &Path, profile: &Path, action: &[&str], url: &str) -> String {
    let out = Command::new("timeout")
        .args(["-k", "10", "120"])
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(action)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium {action:?} {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Signs svc.csr for `host` with `profile` into `{host}.pem`; the
/// certificate's serial.
fn sign(dir: &Path, url: &str, host: &str, profile: &str) -> String {
    let body = sign_body(
        dir,
        &format!(r#","hosts":["{host}"],"profile":"{profile}""#),
    );
    let a = post(dir, &format!("{url}/api/v1/cfssl/sign"), &body);
    assert_eq!(a.status, 200, "{a:?}");
    let v: Value = serde_json::from_str(&a.body).unwrap();
    let cert = v["result"]["certificate"].as_str().unwrap();
    write(dir, &format!("{host}.pem"), cert);
    serial_of(cert)
}

/// A server on the work directory's CA with [`WEB_CONFIG`], recording
/// into `db_config`'s database (`None`: SQLite).
fn web_server(db_config: Option<&str>) -> (tempfile::TempDir, Server) {
    let tmp = workdir();
    let dir = tmp.path();
    write(dir, "web-config.json", WEB_CONFIG);
    if let Some(config) = db_config {
        write(dir, "db.json", config);
    }
    let server = Server::certkit(
        dir,
        &[
            ca_args(),
            vec!["-config", "web-config.json"],
            SQLITE_DB.to_vec(),
        ]
        .concat(),
    );
    (tmp, server)
}

/// Revokes `{host}.pem` (serial `serial`) through the API.
fn revoke(dir: &Path, url: &str, host: &str, serial: &str, reason: &str) {
    let info = run(
        dir,
        certkit(),
        &["certinfo", "-cert", &format!("{host}.pem")],
    );
    let info: Value = serde_json::from_str(&info).unwrap();
    let aki = info["authority_key_id"].as_str().unwrap();
    let body = format!(r#"{{"serial":"{serial}","authority_key_id":"{aki}","reason":"{reason}"}}"#);
    let r = post(dir, &format!("{url}/api/v1/cfssl/revoke"), &body);
    assert_eq!(r.status, 200, "{r:?}");
}

/// The `<tr class="cert" …>` rows of the certificates table in `dom`.
fn table_serials(dom: &str) -> Vec<String> {
    dom.split("<tr class=\"cert\" data-serial=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(String::from)
        .collect()
}

#[test]
fn chromium_shows_recorded_expiring_and_revoked_certificates() {
    let Some(browser) = chromium_path() else {
        eprintln!("SKIP: chromium is not installed (scripts/test installs it)");
        return;
    };
    let (tmp, server) = web_server(None);
    let dir = tmp.path();
    let url = server.url.clone();
    let soon: Vec<String> = (0..3)
        .map(|i| sign(dir, &url, &format!("soon{i}.example.com"), "short"))
        .collect();
    let week = sign(dir, &url, "week.example.com", "week");
    let year = sign(dir, &url, "alpha.example.com", "default");
    let revoked = sign(dir, &url, "stolen.example.com", "default");

    revoke(dir, &url, "stolen.example.com", &revoked, "keyCompromise");

    let profile = tempfile::tempdir().unwrap();
    let dom = chromium(
        &browser,
        profile.path(),
        &["--dump-dom"],
        &format!("{url}/"),
    );
    // Every recorded certificate is a row of the table.
    let mut rows = table_serials(&dom);
    rows.sort();
    let mut all: Vec<String> = [&soon[..], &[week.clone(), year.clone(), revoked.clone()]].concat();
    all.sort();
    assert_eq!(rows, all, "{dom}");
    // The CA, with its expiry.
    assert!(dom.contains("Serve Test CA"), "{dom}");
    // The revoked one, with its reason.
    let revoked_section = dom.split("id=\"revoked\"").nth(1).unwrap_or_default();
    let revoked_section = revoked_section.split("</section>").next().unwrap();
    assert!(
        revoked_section.contains(&revoked) && revoked_section.contains("keyCompromise"),
        "{revoked_section}"
    );
    // The chart: an SVG with bars for the three certificates expiring in
    // 3 days (in the bar of day 2 or 3: the hour decides) and the one in
    // 10 days; the year-long ones are outside its 30 days.
    let chart = dom.split("id=\"expiry-chart\"").nth(1).unwrap_or_default();
    let chart = chart.split("</svg>").next().unwrap();
    let bars: Vec<(u32, u32)> = chart
        .split("class=\"bar\" data-day=\"")
        .skip(1)
        .map(|b| {
            let mut parts = b.split('"');
            let day = parts.next().unwrap().parse().unwrap();
            let count = parts.nth(1).unwrap().parse().unwrap();
            (day, count)
        })
        .collect();
    assert_eq!(
        bars.iter().map(|(_, c)| c).sum::<u32>(),
        4,
        "bars {bars:?} in {chart}"
    );
    assert!(
        bars.iter().any(|&(d, c)| (2..=3).contains(&d) && c == 3),
        "{bars:?}"
    );
    assert!(
        bars.iter().any(|&(d, c)| (9..=10).contains(&d) && c == 1),
        "{bars:?}"
    );

    // Searches, as the form submits them (no JavaScript).
    for (query, want) in [
        ("name=ALPHA", vec![year.clone()]),
        (
            &format!("serial={}", &week[..12]) as &str,
            vec![week.clone()],
        ),
        ("status=revoked", vec![revoked.clone()]),
        ("profile=week", vec![week.clone()]),
        ("name=soon&page=0", soon.clone()),
        ("name=nothing-like-this", vec![]),
    ] {
        let dom = chromium(
            &browser,
            profile.path(),
            &["--dump-dom"],
            &format!("{url}/?{query}"),
        );
        let mut got = table_serials(&dom);
        got.sort();
        let mut want = want;
        want.sort();
        assert_eq!(got, want, "?{query}");
        if want.is_empty() {
            assert!(dom.contains("id=\"no-results\""), "{dom}");
        }
    }

    let shot = artefacts().join("serve.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &browser,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600",
            "--hide-scrollbars",
        ],
        &format!("{url}/"),
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        shot.display()
    );
}

#[test]
fn page_is_bounded_and_refuses_bad_queries() {
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(dir, &recording_args());
    let page = curl(dir, &["-i", &format!("{}/", server.url)]);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.content_type.starts_with("text/html"), "{page:?}");
    assert!(
        page.body
            .to_lowercase()
            .contains("content-security-policy: default-src 'none'"),
        "{}",
        page.body
    );
    // Nothing loaded from anywhere: no script, no src, no link, no url().
    for fetches in ["<script", " src=", "<link", "url(", "@import"] {
        assert!(!page.body.contains(fetches), "{fetches}: {}", page.body);
    }
    for (query, needle) in [
        (format!("name={}", "a".repeat(129)), "name: longer than 128"),
        ("page=99999".into(), "page: not a number"),
        ("status=maybe".into(), "status: expected"),
    ] {
        let a = curl(dir, &[&format!("{}/?{query}", server.url)]);
        assert_eq!(a.status, 400, "{query}: {a:?}");
        assert!(a.body.contains(needle), "{query}: {a:?}");
    }
    let post = curl(dir, &["-d", "x", &format!("{}/", server.url)]);
    assert_eq!(post.status, 405, "{post:?}");
}

#[test]
fn page_needs_the_admin_certificate_when_admin_cn_is_set() {
    let tmp = workdir();
    let dir = tmp.path();
    let server = Server::certkit(
        dir,
        &[
            &tls_args()[..],
            &SQLITE_DB,
            &["-mutual-tls-ca", "ca.pem", "-admin-cn", "client-ok"],
        ]
        .concat(),
    );
    let url = format!("https://localhost:{}/", server.port);
    let as_client = |name: &str| curl_as(dir, name, &url);
    let refused = as_client("client-bad");
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(!refused.body.contains("<table"), "{refused:?}");
    let admitted = as_client("client-ok");
    assert_eq!(admitted.status, 200, "{admitted:?}");
    assert!(
        admitted.body.contains("id=\"certificates\""),
        "{admitted:?}"
    );
}

/// The page's queries on each database (its db-config, `None`: SQLite):
/// 52 certificates page as 50 and 2 through the "next" link; name
/// (case-insensitive), serial, revoked; the chart counts the one expiring.
fn searches_and_pages(db_config: Option<&str>) {
    let (tmp, server) = web_server(db_config);
    let dir = tmp.path();
    let url = server.url.clone();
    let bulk: Vec<String> = (0..51)
        .map(|i| sign(dir, &url, &format!("bulk{i:02}.example.com"), "default"))
        .collect();
    let alpha = sign(dir, &url, "Alpha.example.com", "short");
    revoke(dir, &url, "bulk07.example.com", &bulk[7], "superseded");
    let get = |query: &str| {
        let a = curl(dir, &[&format!("{url}/{query}")]);
        assert_eq!(a.status, 200, "{query}: {a:?}");
        a.body
    };
    let first = get("?name=bulk");
    let next = "href=\"?name=bulk&amp;page=1\"";
    assert!(first.contains(next), "{first}");
    let second = get("?name=bulk&page=1");
    assert!(!second.contains("page=2"), "{second}");
    let mut paged = [table_serials(&first), table_serials(&second)].concat();
    assert_eq!(paged.len(), 51, "{paged:?}");
    paged.sort();
    let mut want = bulk.clone();
    want.sort();
    assert_eq!(paged, want);
    assert_eq!(table_serials(&get("?name=alpha")), vec![alpha.clone()]);
    // serve records the profile a certificate was issued under.
    assert_eq!(table_serials(&get("?profile=SHORT")), vec![alpha.clone()]);
    assert_eq!(
        table_serials(&get(&format!("?serial={}", &bulk[3][..15]))),
        vec![bulk[3].clone()]
    );
    let revoked = get("?status=revoked");
    assert_eq!(table_serials(&revoked), vec![bulk[7].clone()]);
    assert!(revoked.contains("superseded"), "{revoked}");
    assert!(get("?name=100%25").contains("id=\"no-results\""));
    assert!(first.contains("data-count=\"1\""), "the chart: {first}");
}

#[test]
fn page_searches_and_pages_on_sqlite() {
    searches_and_pages(None)
}

#[test]
fn page_searches_and_pages_on_postgres() {
    let Some(pg) = Postgres::start() else { return };
    searches_and_pages(Some(&pg.db_config()))
}

#[test]
fn page_searches_and_pages_on_mariadb() {
    let Some(my) = MariaDb::start() else { return };
    searches_and_pages(Some(&my.db_config()))
}

/// What cfssl answers at `GET /`: 1.2.0 (Debian) Go's 404; 1.6.5 its
/// static page, which loads Bootstrap from a CDN. certkit's page loads
/// nothing from anywhere (see `page_is_bounded_and_refuses_bad_queries`).
#[test]
fn cfssl_serves_no_page_or_a_static_one_from_a_cdn() {
    let tmp = workdir();
    let dir = tmp.path();
    if let Some(old) = cfssl_1_2() {
        let server = Server::cfssl(dir, &old, &ca_args());
        let a = curl(dir, &[&format!("{}/", server.url)]);
        assert_eq!((a.status, a.body.as_str()), (404, "404 page not found\n"));
    }
    if let Some(current) = cfssl_current() {
        let server = Server::cfssl(dir, &current.join("cfssl"), &ca_args());
        let a = curl(dir, &[&format!("{}/", server.url)]);
        assert_eq!(a.status, 200, "{a:?}");
        assert!(a.body.contains("https://cdnjs.cloudflare.com/"), "{a:?}");
    }
    let ours = Server::certkit(dir, &ca_args());
    let a = curl(dir, &[&format!("{}/", ours.url)]);
    assert_eq!(a.status, 200, "{a:?}");
    assert!(!a.body.contains("https://"), "{a:?}");
}
