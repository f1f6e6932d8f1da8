//! The page's query parameters: `name`, `serial`, `label`, `profile`
//! (substrings), `status` (`all` or `revoked`), `page` (from 0)
//! and `days` (the chart's span). Bounded: each value at most
//! [`MAX_VALUE`] characters, the page number and span capped.

use certkit_ops::store::CertSearch;

/// The longest value a search field takes.
pub const MAX_VALUE: usize = 128;
/// The furthest page (50 rows each): deeper than this, narrow the search.
pub const MAX_PAGE: u32 = 1000;
/// The chart's longest span, in days.
pub const MAX_DAYS: u32 = 366;
/// The chart's span when none is asked for.
pub const DEFAULT_DAYS: u32 = 30;

/// Why a query is refused (HTTP 400).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("{0}: longer than {MAX_VALUE} characters")]
    TooLong(&'static str),
    #[error("{0}: not a number in 0..={1}")]
    Number(&'static str, u32),
    #[error("status: expected all or revoked")]
    Status,
}

/// Which certificates the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    All,
    Revoked,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    pub name: String,
    pub serial: String,
    pub label: String,
    pub profile: String,
    pub status: Status,
    pub page: u32,
    pub days: u32,
}

impl PageQuery {
    /// Parses `a=b&c=d` (percent- and plus-decoded); unknown names are
    /// ignored, as browsers' forms add their own.
    pub fn parse(text: &str) -> Result<PageQuery, QueryError> {
        let mut q = PageQuery {
            days: DEFAULT_DAYS,
            ..PageQuery::default()
        };
        for (key, value) in form_urlencoded::parse(text.as_bytes()) {
            let field = match key.as_ref() {
                "name" => &mut q.name,
                "serial" => &mut q.serial,
                "label" => &mut q.label,
                "profile" => &mut q.profile,
                "status" => {
                    q.status = match value.as_ref() {
                        "" | "all" => Status::All,
                        "revoked" => Status::Revoked,
                        _ => return Err(QueryError::Status),
                    };
                    continue;
                }
                "page" => {
                    q.page = number(&value, "page", MAX_PAGE)?;
                    continue;
                }
                "days" => {
                    q.days = number(&value, "days", MAX_DAYS)?.max(1);
                    continue;
                }
                _ => continue,
            };
            if value.chars().count() > MAX_VALUE {
                return Err(QueryError::TooLong(match key.as_ref() {
                    "name" => "name",
                    "serial" => "serial",
                    "label" => "label",
                    _ => "profile",
                }));
            }
            *field = value.trim().to_string();
        }
        Ok(q)
    }

    /// The table's search (without its page bounds).
    pub fn search(&self) -> CertSearch {
        let some = |s: &String| Some(s.clone()).filter(|s| !s.is_empty());
        CertSearch {
            name: some(&self.name),
            serial: some(&self.serial),
            label: some(&self.label),
            profile: some(&self.profile),
            revoked_only: self.status == Status::Revoked,
            ..CertSearch::default()
        }
    }

    /// This query's URL (`?…`) for another page.
    pub fn href(&self, page: u32) -> String {
        // The "?" is not part of the pairs: they start after it.
        let mut out = form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
        for (k, v) in [
            ("name", &self.name),
            ("serial", &self.serial),
            ("label", &self.label),
            ("profile", &self.profile),
        ] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        match self.status {
            Status::All => {}
            Status::Revoked => {
                out.append_pair("status", "revoked");
            }
        }
        if self.days != DEFAULT_DAYS {
            out.append_pair("days", &self.days.to_string());
        }
        out.append_pair("page", &page.to_string());
        out.finish()
    }
}

fn number(text: &str, what: &'static str, max: u32) -> Result<u32, QueryError> {
    text.parse::<u32>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or(QueryError::Number(what, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds_the_query() {
        let q = PageQuery::parse("name=www+example&status=revoked&page=2&days=7&x=1").unwrap();
        assert_eq!(q.name, "www example");
        assert_eq!(q.status, Status::Revoked);
        assert_eq!((q.page, q.days), (2, 7));
        assert!(q.search().revoked_only);
        assert_eq!(q.href(3), "?name=www+example&status=revoked&days=7&page=3");
        let long = format!("serial={}", "1".repeat(MAX_VALUE + 1));
        assert_eq!(PageQuery::parse(&long), Err(QueryError::TooLong("serial")));
        assert!(PageQuery::parse("page=1001").is_err());
        assert!(PageQuery::parse("days=-1").is_err());
        assert!(PageQuery::parse("status=bad").is_err());
        assert_eq!(PageQuery::parse("").unwrap().days, DEFAULT_DAYS);
    }
}
