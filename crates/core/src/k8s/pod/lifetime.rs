//! A pod certificate's lifetime and its refresh hint, within what the API
//! server validates on the `/status` write (checked against
//! kube-apiserver 1.37.2):
//! - lifetime (notAfter − notBefore) at least 1 hour and at most
//!   `spec.maxExpirationSeconds` (default 86400, at most 91 days);
//! - notBefore within 5 minutes of the server's clock;
//! - `beginRefreshAt` in `[notBefore + 10 min, notAfter − 10 min]`.

use std::time::Duration;
use time::OffsetDateTime;

/// The API's shortest pod certificate.
pub const MIN_LIFETIME: Duration = Duration::from_secs(3600);
/// What the API server sets when the pod gives no maxExpirationSeconds.
pub const DEFAULT_MAX_EXPIRATION: Duration = Duration::from_secs(86400);
/// The refresh hint stays this far from either end of the validity.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(600);
/// How far notBefore is set back at most: the API server refuses a
/// notBefore more than 5 minutes from its clock, so a profile's backdate
/// (cfssl's default is exactly 5 minutes) is capped 30 s below that.
pub const MAX_BACKDATE: Duration = Duration::from_secs(270);

/// `min(maxExpirationSeconds, the profile's expiry)`, refused when under
/// the API's hour: the message names the two limits.
pub fn lifetime(
    max_expiration_seconds: Option<i64>,
    profile_expiry: Duration,
) -> Result<Duration, String> {
    let requested = match max_expiration_seconds {
        Some(s) if s > 0 => Duration::from_secs(s as u64),
        Some(s) => return Err(format!("spec.maxExpirationSeconds {s} is not positive")),
        None => DEFAULT_MAX_EXPIRATION,
    };
    let lifetime = requested.min(profile_expiry);
    if lifetime < MIN_LIFETIME {
        return Err(format!(
            "the certificate would live {}s (min of spec.maxExpirationSeconds {}s and the profile's expiry {}s); pod certificates live at least 3600s",
            lifetime.as_secs(),
            requested.as_secs(),
            profile_expiry.as_secs()
        ));
    }
    Ok(lifetime)
}

/// When the kubelet should start refreshing: at `fraction` of the
/// lifetime after notBefore, kept in `[notBefore + 10 min, notAfter −
/// 10 min]`. `fraction` is [`jittered_fraction`]'s by default, so that a
/// fleet issued at once does not renew at once.
pub fn begin_refresh_at(
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    fraction: f64,
) -> OffsetDateTime {
    let lifetime = (not_after - not_before).max(time::Duration::ZERO);
    let fraction = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let at = not_before + lifetime * fraction;
    let earliest = not_before + REFRESH_MARGIN;
    let latest = not_after - REFRESH_MARGIN;
    // Whole seconds: the API stores metav1.Time at second precision.
    let at = at.max(earliest).min(latest);
    at.replace_nanosecond(0).unwrap_or(at)
}

/// 50 % to 80 % of the lifetime, spread uniformly by `random` (0..=u32::MAX).
pub fn jittered_fraction(random: u32) -> f64 {
    0.5 + 0.3 * (random as f64 / u32::MAX as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: u64 = 3600;

    #[test]
    fn lifetime_is_the_shorter_limit_and_at_least_an_hour() {
        let day = Duration::from_secs(24 * H);
        assert_eq!(
            lifetime(Some(2 * H as i64), day),
            Ok(Duration::from_secs(2 * H))
        );
        assert_eq!(lifetime(Some(48 * H as i64), day), Ok(day));
        assert_eq!(
            lifetime(None, Duration::from_secs(8760 * H)),
            Ok(DEFAULT_MAX_EXPIRATION)
        );
        let err = lifetime(Some(2 * H as i64), Duration::from_secs(1800)).unwrap_err();
        assert!(err.contains("at least 3600s"), "{err}");
        assert!(lifetime(Some(0), day).is_err());
        assert_eq!(
            lifetime(Some(H as i64), day),
            Ok(MIN_LIFETIME),
            "the API's minimum is allowed"
        );
    }

    #[test]
    fn refresh_is_inside_the_window() {
        let nb = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let na = nb + time::Duration::hours(24);
        assert_eq!(
            begin_refresh_at(nb, na, 0.5),
            nb + time::Duration::hours(12)
        );
        assert_eq!(
            begin_refresh_at(nb, na, 0.0),
            nb + time::Duration::minutes(10)
        );
        assert_eq!(
            begin_refresh_at(nb, na, 1.0),
            na - time::Duration::minutes(10)
        );
        assert_eq!(
            begin_refresh_at(nb, na, f64::NAN),
            nb + time::Duration::hours(12)
        );
        // One hour: 50-80 % is 30-48 min, inside [10 min, 50 min].
        let short = nb + time::Duration::hours(1);
        for r in [0, u32::MAX / 3, u32::MAX] {
            let at = begin_refresh_at(nb, short, jittered_fraction(r));
            assert!(
                at >= nb + time::Duration::minutes(30) && at <= nb + time::Duration::minutes(48),
                "{at}"
            );
            assert_eq!(at.nanosecond(), 0);
        }
    }

    #[test]
    fn jitter_spans_fifty_to_eighty_percent() {
        assert_eq!(jittered_fraction(0), 0.5);
        assert!((jittered_fraction(u32::MAX) - 0.8).abs() < 1e-9);
        let mid = jittered_fraction(u32::MAX / 2);
        assert!(mid > 0.64 && mid < 0.66, "{mid}");
    }
}
