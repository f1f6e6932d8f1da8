//! Timestamps in SQLite as cfssl's driver (mattn/go-sqlite3) writes and
//! reads them: text `2006-01-02 15:04:05.999999999-07:00`, in UTC. The
//! text form matters: cfssl's queries compare it with SQLite's
//! `CURRENT_TIMESTAMP` (`2006-01-02 15:04:05`) as strings.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const DATE_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
const FRACTION: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
const MINUTES: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]");
const OFFSET: &[BorrowedFormatItem<'static>] =
    format_description!("[offset_hour sign:mandatory]:[offset_minute]");

/// Go's zero `time.Time`, which cfssl writes for "never" (revoked_at).
pub fn go_zero_time() -> OffsetDateTime {
    PrimitiveDateTime::new(
        time::Date::from_calendar_date(1, time::Month::January, 1).expect("valid date"),
        time::Time::MIDNIGHT,
    )
    .assume_utc()
}

/// `t` as go-sqlite3 writes it (UTC; fraction without trailing zeros).
pub fn to_sqlite(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let mut out = t.format(DATE_TIME).expect("formattable date");
    let nanos = t.nanosecond();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push_str("+00:00");
    out
}

/// Reads the forms go-sqlite3 accepts (`T` or space, optional fraction,
/// optional `Z` or `±hh:mm`, optional seconds, a bare date).
pub fn from_sqlite(text: &str) -> Option<OffsetDateTime> {
    let mut s = text.trim().replacen('T', " ", 1);
    let mut offset = UtcOffset::UTC;
    if s.ends_with('Z') {
        s.pop();
    } else if s.len() > 19 {
        let tail = &s[s.len() - 6..];
        if let Ok(o) = UtcOffset::parse(tail, OFFSET) {
            offset = o;
            s.truncate(s.len() - 6);
        }
    }
    let local = PrimitiveDateTime::parse(&s, FRACTION)
        .or_else(|_| PrimitiveDateTime::parse(&s, DATE_TIME))
        .or_else(|_| PrimitiveDateTime::parse(&s, MINUTES))
        .or_else(|_| {
            time::Date::parse(&s, format_description!("[year]-[month]-[day]"))
                .map(|d| PrimitiveDateTime::new(d, time::Time::MIDNIGHT))
        })
        .ok()?;
    Some(local.assume_offset(offset).to_offset(UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn writes_go_sqlite3_form() {
        assert_eq!(
            to_sqlite(datetime!(2026-11-30 08:00:00 UTC)),
            "2026-11-30 08:00:00+00:00"
        );
        assert_eq!(
            to_sqlite(datetime!(2026-11-30 09:00:00.5 +01:00)),
            "2026-11-30 08:00:00.5+00:00"
        );
        assert_eq!(to_sqlite(go_zero_time()), "0001-01-01 00:00:00+00:00");
    }

    #[test]
    fn reads_every_form_back() {
        let t = datetime!(2026-11-30 08:00:00 UTC);
        for text in [
            "2026-11-30 08:00:00+00:00",
            "2026-11-30T08:00:00Z",
            "2026-11-30 09:00:00+01:00",
            "2026-11-30 08:00:00",
            "2026-11-30 08:00",
        ] {
            assert_eq!(from_sqlite(text), Some(t), "{text}");
        }
        assert_eq!(
            from_sqlite("2026-11-30 08:00:00.123456789+00:00").map(|t| t.nanosecond()),
            Some(123_456_789)
        );
        assert_eq!(from_sqlite("yesterday"), None);
    }
}
