//! What may go into a dNSName SAN: RFC 1034 preferred syntax as RFC 5280
//! 4.2.1.6 requires (letters, digits and hyphens; labels of 1 to 63
//! characters, not starting or ending with a hyphen; at most 253 in all),
//! with one wildcard allowed as the whole leftmost label. Internationalised
//! names go in as A-labels (`xn--...`); U-labels are refused with that hint.
//! A NUL, a space, `@`, `/` or an empty label never reach a certificate,
//! where a lenient matcher might read them differently than the whitelist.

/// Checks a DNS name; the error says what is wrong (the caller names the
/// field).
pub fn check_dns_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.len() > 253 {
        return Err(format!("is {} characters long (at most 253)", name.len()));
    }
    if !name.is_ascii() {
        return Err(
            "holds non-ASCII characters: give an internationalised name as its A-label (xn--...)"
                .into(),
        );
    }
    if name.ends_with('.') {
        return Err("ends with a dot".into());
    }
    let labels: Vec<&str> = name.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        if *label == "*" {
            if i != 0 {
                return Err("has a wildcard that is not the leftmost label".into());
            }
            if labels.len() < 2 {
                return Err("is a bare wildcard".into());
            }
            continue;
        }
        check_label(label)?;
    }
    Ok(())
}

fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("has an empty label (two dots in a row, or a leading dot)".into());
    }
    if label.len() > 63 {
        return Err(format!(
            "has a label of {} characters (at most 63)",
            label.len()
        ));
    }
    if let Some(bad) = label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "has the character {:?} (only letters, digits, hyphens and dots)",
            bad
        ));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!(
            "has a label {label:?} that starts or ends with a hyphen"
        ));
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
