//! What may go into a dNSName SAN: RFC 1034 preferred syntax as RFC 5280
//! 4.2.1.6 requires (letters, digits and hyphens; labels of 1 to 63
//! characters, not starting or ending with a hyphen; at most 253 in all),
//! with one wildcard allowed as the whole leftmost label. Internationalised
//! names go in as A-labels (`xn--...`); U-labels are refused with that hint.
//! A NUL, a space, `@`, `/` or an empty label never reach a certificate,
//! where a lenient matcher might read them differently than the whitelist.

/// What is wrong with a name that is to go into a SAN; the caller names
/// the field, so each reads after it ("hosts[0]: is empty").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameSyntaxError {
    #[error("is empty")]
    Empty,
    #[error("is {0} characters long (at most 253)")]
    TooLong(usize),
    #[error("holds non-ASCII characters: give an internationalised name as its A-label (xn--...)")]
    NonAscii,
    #[error("ends with a dot")]
    TrailingDot,
    #[error("has a wildcard that is not the leftmost label")]
    WildcardNotLeftmost,
    #[error("is a bare wildcard")]
    BareWildcard,
    #[error("has an empty label (two dots in a row, or a leading dot)")]
    EmptyLabel,
    #[error("has a label of {0} characters (at most 63)")]
    LabelTooLong(usize),
    #[error("has the character {0:?} (only letters, digits, hyphens and dots)")]
    BadCharacter(char),
    #[error("has a label {0:?} that starts or ends with a hyphen")]
    HyphenAtLabelEdge(String),
    /// In an email address or URI SAN.
    #[error("holds a control character or a space")]
    ControlOrSpace,
    /// The domain of an email address SAN.
    #[error("has a domain that {0}")]
    EmailDomain(Box<NameSyntaxError>),
}

/// Checks a DNS name; the error says what is wrong (the caller names the
/// field).
pub fn check_dns_name(name: &str) -> Result<(), NameSyntaxError> {
    if name.is_empty() {
        return Err(NameSyntaxError::Empty);
    }
    if name.len() > 253 {
        return Err(NameSyntaxError::TooLong(name.len()));
    }
    if !name.is_ascii() {
        return Err(NameSyntaxError::NonAscii);
    }
    if name.ends_with('.') {
        return Err(NameSyntaxError::TrailingDot);
    }
    let labels: Vec<&str> = name.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        if *label == "*" {
            if i != 0 {
                return Err(NameSyntaxError::WildcardNotLeftmost);
            }
            if labels.len() < 2 {
                return Err(NameSyntaxError::BareWildcard);
            }
            continue;
        }
        check_label(label)?;
    }
    Ok(())
}

fn check_label(label: &str) -> Result<(), NameSyntaxError> {
    if label.is_empty() {
        return Err(NameSyntaxError::EmptyLabel);
    }
    if label.len() > 63 {
        return Err(NameSyntaxError::LabelTooLong(label.len()));
    }
    if let Some(bad) = label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(NameSyntaxError::BadCharacter(bad));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(NameSyntaxError::HyphenAtLabelEdge(label.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldh_names_and_one_leftmost_wildcard_pass() {
        for ok in [
            "example.com",
            "localhost",
            "*.example.com",
            "xn--bcher-kva.example",
            "a-b.c1.example",
            "kubernetes.default.svc.cluster.local",
        ] {
            assert!(check_dns_name(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "",
            "evil.com\0.example.com",
            "a b.example",
            "a\n.example",
            "x@example.com.evil",
            "a/b.example",
            "*",
            "a.*.example",
            "**.example",
            "..example",
            "a..example",
            "-lead.example",
            "trail-.example",
            "bücher.example",
            "under_score.example",
            "example.com.",
        ] {
            assert!(check_dns_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_dns_name(&"a".repeat(64)).is_err());
        assert!(check_dns_name(&["a"; 130].join(".")).is_err());
    }
}
