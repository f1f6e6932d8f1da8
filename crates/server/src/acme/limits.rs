//! Rate limits (`-acme-orders-per-hour`, `-acme-failures-per-hour`): new
//! orders per account and per client address, failed validations per
//! account, each over the last hour. Counted in the certificate database
//! (`AcmeStore::take_event`), so a limit is one limit for all the
//! replicas on it, and a restart forgets nothing.

use super::problem::Problem;
use super::random_id;
use certkit_ops::store::acme::{AcmeStore, RateCount, RateEvent, RateTaken};

/// Every limit's window, in seconds.
const WINDOW: i64 = 3600;

/// The event for `key` at `now`, counted with the events of the hour
/// before it (those after `now - WINDOW`, as Retry-After assumes).
fn event(key: &str, now: i64) -> RateEvent {
    RateEvent {
        key: key.to_string(),
        id: random_id(),
        at: now,
        window_start: now - WINDOW + 1,
    }
}

/// Seconds until the window has room again: until its oldest event has
/// left (a whole window when it holds none, as with a limit of 0).
fn retry_after(count: RateCount, now: i64) -> u32 {
    let wait = count.oldest.map_or(WINDOW, |t| t + WINDOW - now);
    u32::try_from(wait.clamp(1, WINDOW)).unwrap_or(1)
}

/// One limit: at most `per_hour` events of `key` in the last hour,
/// beyond which the problem says "more than {per_hour} {what} in an hour".
pub struct Limit<'a> {
    pub key: &'a str,
    pub per_hour: u32,
    pub what: &'a str,
}

impl Limit<'_> {
    /// Records an event at `now` unless the hour is full; then a
    /// `rateLimited` problem with Retry-After.
    pub async fn take(&self, store: &dyn AcmeStore, now: i64) -> Result<(), Problem> {
        match store
            .take_event(&event(self.key, now), self.per_hour)
            .await?
        {
            RateTaken::Taken => Ok(()),
            RateTaken::Refused(count) => Err(self.refused(count, now)),
        }
    }

    /// The same problem when the hour is full, recording nothing.
    pub async fn check(&self, store: &dyn AcmeStore, now: i64) -> Result<(), Problem> {
        let count = store.count_events(self.key, now - WINDOW + 1).await?;
        if count.events >= u64::from(self.per_hour) {
            return Err(self.refused(count, now));
        }
        Ok(())
    }

    fn refused(&self, count: RateCount, now: i64) -> Problem {
        Problem::rate_limited(
            format!("more than {} {} in an hour", self.per_hour, self.what),
            retry_after(count, now),
        )
    }
}

/// Records an event without a limit (a failed validation).
pub async fn record(store: &dyn AcmeStore, key: &str, now: i64) -> Result<(), Problem> {
    store.record_event(&event(key, now)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{retry_after, RateCount};

    #[test]
    fn retry_after_is_when_the_oldest_leaves_the_hour() {
        let oldest = |t| RateCount {
            events: 3,
            oldest: Some(t),
        };
        assert_eq!(retry_after(oldest(1000), 1001), 3599);
        assert_eq!(retry_after(oldest(1000), 4599), 1);
        assert_eq!(retry_after(oldest(1000), 9999), 1, "never 0");
        assert_eq!(retry_after(oldest(5000), 1000), 3600, "a clock behind");
        assert_eq!(retry_after(RateCount::default(), 1000), 3600);
    }
}
