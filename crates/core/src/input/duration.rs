//! Go's `time.ParseDuration` syntax ("876000h", "1h30m", "90m", "1.5h"),
//! which cfssl request and config files use for `expiry` and `backdate`.

use std::time::Duration;

/// Why a text is not a Go duration; each names the text as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration")]
    Empty,
    #[error("negative duration {0:?}")]
    Negative(String),
    #[error("invalid duration {0:?}")]
    Invalid(String),
    #[error("missing unit in duration {0:?}")]
    MissingUnit(String),
    #[error("unknown unit {unit:?} in duration {text:?}")]
    UnknownUnit { unit: String, text: String },
    /// Beyond Go's int64 nanoseconds (about 292 years).
    #[error("duration {0:?} is out of range")]
    OutOfRange(String),
}

/// Parses a Go duration string. Negative durations are refused: no cfssl
/// field that takes a duration has a meaning for them.
pub fn parse_go_duration(text: &str) -> Result<Duration, DurationError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.starts_with('-') {
        return Err(DurationError::Negative(text.into()));
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let mut total_nanos: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(DurationError::Invalid(text.into()));
        }
        let number: f64 = rest[..num_len]
            .parse()
            .map_err(|_| DurationError::Invalid(text.into()))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let nanos_per_unit = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(DurationError::MissingUnit(text.into())),
            unit => {
                return Err(DurationError::UnknownUnit {
                    unit: unit.into(),
                    text: text.into(),
                })
            }
        };
        rest = &rest[unit_len..];
        total_nanos += number * nanos_per_unit;
    }
    // Go's limit: durations are int64 nanoseconds (about 292 years).
    if total_nanos > i64::MAX as f64 {
        return Err(DurationError::OutOfRange(text.into()));
    }
    Ok(Duration::from_nanos(total_nanos.round() as u64))
}

/// Renders a duration in Go's syntax: whole hours ("8760h") when it is
/// a whole number of hours, else seconds ("90s").
pub fn format_go_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cfssl_style_durations() {
        assert_eq!(
            parse_go_duration("876000h").unwrap().as_secs(),
            876000 * 3600
        );
        assert_eq!(parse_go_duration("90m").unwrap().as_secs(), 5400);
        assert_eq!(parse_go_duration("1h30m").unwrap().as_secs(), 5400);
        assert_eq!(parse_go_duration("1.5h").unwrap().as_secs(), 5400);
        assert_eq!(parse_go_duration("300ms").unwrap().as_millis(), 300);
        assert_eq!(parse_go_duration("0").unwrap(), Duration::ZERO);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "h", "10", "10d", "-5m", "1h x", "abc", "1..5h"] {
            assert!(parse_go_duration(bad).is_err(), "{bad:?} should fail");
        }
        assert!(parse_go_duration("3000000h").is_err());
    }
}
