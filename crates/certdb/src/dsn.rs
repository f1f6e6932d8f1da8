//! The data source of cfssl's `"driver":"mysql"`: go-sql-driver/mysql's
//! DSN, `[user[:password]@][net[(addr)]]/dbname[?param=value&…]`, e.g.
//! `certdb:secret@tcp(127.0.0.1:3306)/certdb?parseTime=true`.
//!
//! TLS as that driver does: none unless `tls=` asks; `tls=true` verifies
//! the server's certificate and name, `skip-verify` encrypts without
//! verifying, `preferred` uses TLS when the server offers it. Errors never
//! repeat the data source: it holds the password.

use crate::DbError;
use sqlx::mysql::{MySqlConnectOptions, MySqlSslMode};

/// go-sql-driver's own parameters. They tune the Go client and change
/// nothing in what is stored (sqlx always reads times as UTC, with or
/// without `parseTime`), so certkit accepts them. Any other name is a
/// MySQL system variable the Go driver would `SET`: refused.
const DRIVER_PARAMS: [&str; 22] = [
    "allowAllFiles",
    "allowCleartextPasswords",
    "allowFallbackToPlaintext",
    "allowNativePasswords",
    "allowOldPasswords",
    "checkConnLiveness",
    "clientFoundRows",
    "columnsWithAlias",
    "connectionAttributes",
    "interpolateParams",
    "loc",
    "maxAllowedPacket",
    "multiStatements",
    "parseTime",
    "readTimeout",
    "rejectReadOnly",
    "serverPubKey",
    "strict",
    "timeTruncate",
    "timeout",
    "writeTimeout",
    "collation",
];

fn bad(what: String) -> DbError {
    DbError::Config(format!("data_source (mysql): {what}"))
}

/// Connect options for a go-sql-driver DSN.
pub(crate) fn go_mysql_options(dsn: &str) -> Result<MySqlConnectOptions, DbError> {
    // The database name follows the last '/' (a password may hold '/'
    // only before the '@', which the driver also finds last).
    let (before, after) = dsn.rsplit_once('/').ok_or_else(|| {
        bad("no \"/dbname\" (expected user:password@tcp(host:port)/dbname)".into())
    })?;
    let (dbname, params) = after.split_once('?').unwrap_or((after, ""));
    let (userinfo, net) = before.rsplit_once('@').unwrap_or(("", before));
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));

    let mut options = MySqlConnectOptions::new()
        .username(if user.is_empty() { "root" } else { user })
        .ssl_mode(MySqlSslMode::Disabled);
    if !password.is_empty() {
        options = options.password(password);
    }
    if !dbname.is_empty() {
        options = options.database(dbname);
    }
    options = with_address(options, net)?;
    for pair in params.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| bad(format!("parameter {pair:?} has no value")))?;
        options = match key {
            "tls" => options.ssl_mode(match value {
                "true" => MySqlSslMode::VerifyIdentity,
                "skip-verify" => MySqlSslMode::Required,
                "preferred" => MySqlSslMode::Preferred,
                "false" => MySqlSslMode::Disabled,
                other => {
                    return Err(bad(format!(
                        "tls={other:?}: certkit knows true, skip-verify, preferred and false \
                         (named TLS configs are registered in Go code, which certkit has none of)"
                    )))
                }
            }),
            "charset" => options.charset(value.split(',').next().unwrap_or(value)),
            k if DRIVER_PARAMS.contains(&k) => options,
            other => {
                return Err(bad(format!(
                    "unknown parameter {other:?} (system variables are not set by certkit)"
                )))
            }
        };
    }
    Ok(options)
}

/// `tcp(host:port)`, `tcp(host)`, `unix(/path)` or nothing (127.0.0.1:3306).
fn with_address(options: MySqlConnectOptions, net: &str) -> Result<MySqlConnectOptions, DbError> {
    if net.is_empty() {
        return Ok(options.host("127.0.0.1").port(3306));
    }
    let (kind, addr) = net
        .strip_suffix(')')
        .and_then(|n| n.split_once('('))
        .unwrap_or((net, ""));
    match kind {
        "unix" if !addr.is_empty() => Ok(options.socket(addr)),
        "unix" => Ok(options.socket("/tmp/mysql.sock")),
        "tcp" | "tcp4" | "tcp6" => {
            if addr.is_empty() {
                return Ok(options.host("127.0.0.1").port(3306));
            }
            let (host, port) = match addr.rsplit_once(':') {
                Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
                _ => (addr, None),
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let port = match port {
                Some(p) => p
                    .parse()
                    .map_err(|_| bad(format!("port {p:?} is not a number")))?,
                None => 3306,
            };
            Ok(options.host(host).port(port))
        }
        other => Err(bad(format!(
            "network {other:?} (expected tcp(host:port) or unix(/path))"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cfssl_dsns() {
        let o =
            go_mysql_options("certdb:s3cr/et@tcp(10.0.0.5:3307)/certdb?parseTime=true").unwrap();
        assert_eq!(o.get_host(), "10.0.0.5");
        assert_eq!(o.get_port(), 3307);
        assert_eq!(o.get_username(), "certdb");
        assert_eq!(o.get_database(), Some("certdb"));
        let o = go_mysql_options("u@unix(/run/mysqld/mysqld.sock)/db").unwrap();
        assert_eq!(
            o.get_socket().map(|p| p.to_str().unwrap()),
            Some("/run/mysqld/mysqld.sock")
        );
        let o = go_mysql_options("/db").unwrap();
        assert_eq!((o.get_host(), o.get_port()), ("127.0.0.1", 3306));
        let o = go_mysql_options("u:p@tcp([::1]:3310)/db?tls=skip-verify").unwrap();
        assert_eq!((o.get_host(), o.get_port()), ("::1", 3310));
        assert!(matches!(o.get_ssl_mode(), MySqlSslMode::Required));
    }

    #[test]
    fn refuses_bad_dsns_without_the_password() {
        for (dsn, needle) in [
            ("u:hunter2@tcp(h:3306)", "no \"/dbname\""),
            ("u:hunter2@tcp(h:x)/db", "not a number"),
            ("u:hunter2@udp(h)/db", "network \"udp\""),
            ("u:hunter2@tcp(h)/db?tls=custom", "tls=\"custom\""),
            ("u:hunter2@tcp(h)/db?sql_mode=x", "unknown parameter"),
        ] {
            let e = go_mysql_options(dsn).unwrap_err().to_string();
            assert!(e.contains(needle), "{dsn}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
    }
}
