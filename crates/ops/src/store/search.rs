//! A search over the recorded certificates, as the web page asks for it:
//! every condition optional and AND-ed, one page at a time. The store
//! turns it into one SQL query with a LIMIT, so a page costs the same on
//! a database of ten certificates or ten million.

use time::OffsetDateTime;

/// The most rows one search returns, whatever it asks for.
pub const MAX_LIMIT: u32 = 500;

/// Which certificates, which page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertSearch {
    /// A substring of the common name or a DNS name (case-insensitive).
    pub name: Option<String>,
    /// A substring of the decimal serial number.
    pub serial: Option<String>,
    /// A substring of the CA label (multirootca's and `serve`'s `label`).
    pub label: Option<String>,
    /// A substring of the recorded metadata JSON, where the sign
    /// request's `metadata` (and the profile, where it was recorded) is.
    pub profile: Option<String>,
    /// Only revoked certificates.
    pub revoked_only: bool,
    /// Only certificates that have not expired.
    pub unexpired_only: bool,
    /// Only certificates that expire before this time.
    pub expires_before: Option<OffsetDateTime>,
    /// Rows wanted (capped at [`MAX_LIMIT`]).
    pub limit: u32,
    pub offset: u32,
}

impl CertSearch {
    /// The text conditions as `(what, lowercase LIKE pattern)`, `what`
    /// one of "name", "serial", "label", "profile"; `%`, `_` and `\`
    /// escaped with `\`.
    pub fn patterns(&self) -> Vec<(&'static str, String)> {
        [
            ("name", &self.name),
            ("serial", &self.serial),
            ("label", &self.label),
            ("profile", &self.profile),
        ]
        .into_iter()
        .filter_map(|(what, text)| {
            let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
            let mut pattern = String::from("%");
            for c in text.to_lowercase().chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            Some((what, pattern))
        })
        .collect()
    }

    /// `limit`, capped.
    pub fn bounded_limit(&self) -> u32 {
        self.limit.min(MAX_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_escape_like_wildcards() {
        let s = CertSearch {
            name: Some(" Www_100%\\ ".into()),
            serial: Some("".into()),
            ..CertSearch::default()
        };
        assert_eq!(
            s.patterns(),
            vec![("name", "%www\\_100\\%\\\\%".to_string())]
        );
        let big = CertSearch {
            limit: 10_000,
            ..CertSearch::default()
        };
        assert_eq!(big.bounded_limit(), MAX_LIMIT);
    }
}
