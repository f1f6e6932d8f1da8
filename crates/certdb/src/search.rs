//! `CertSearch` as SQL, the same for every backend but for how a column
//! becomes lowercase text and how LIKE's escape is spelled.

use certkit_ops::store::CertSearch;
use time::OffsetDateTime;

/// A search's query: `$n` placeholders, the text patterns first, then
/// the expiry bound (when there is one).
pub(crate) struct SearchSql {
    pub sql: String,
    pub patterns: Vec<String>,
    pub until: Option<OffsetDateTime>,
}

/// The columns a search condition looks in.
fn columns_of(what: &str) -> &'static [&'static str] {
    match what {
        "name" => &["common_name", "sans"],
        "serial" => &["serial_number"],
        "label" => &["ca_label"],
        _ => &["metadata"],
    }
}

/// The SELECT of `columns` for `search`; `text_of` makes a column
/// lowercase text, `escape` is LIKE's escape clause (SQLite has no
/// default). LIMIT and OFFSET are numbers, written in.
pub(crate) fn search_sql(
    search: &CertSearch,
    columns: &[String],
    text_of: impl Fn(&str) -> String,
    escape: &str,
) -> SearchSql {
    let mut conditions = vec!["1 = 1".to_string()];
    let mut patterns = Vec::new();
    for (what, pattern) in search.patterns() {
        let any: Vec<String> = columns_of(what)
            .iter()
            .map(|column| {
                patterns.push(pattern.clone());
                format!("{} LIKE ${}{escape}", text_of(column), patterns.len())
            })
            .collect();
        conditions.push(format!("({})", any.join(" OR ")));
    }
    if search.revoked_only {
        conditions.push("status = 'revoked'".into());
    }
    if search.unexpired_only {
        conditions.push("CURRENT_TIMESTAMP < expiry".into());
    }
    if search.expires_before.is_some() {
        conditions.push(format!("expiry < ${}", patterns.len() + 1));
    }
    SearchSql {
        sql: format!(
            "SELECT {} FROM certificates WHERE {} \
             ORDER BY expiry, serial_number LIMIT {} OFFSET {}",
            columns.join(", "),
            conditions.join(" AND "),
            search.bounded_limit(),
            search.offset
        ),
        patterns,
        until: search.expires_before,
    }
}
