//! Rate limits (`-acme-orders-per-hour`, `-acme-failures-per-hour`): new
//! orders per account and per client address, failed validations per
//! account, each over the last hour. Counted in this replica's memory, so
//! behind a balancer each replica allows the limit (the operator divides
//! it by the replica count); a restart forgets the counts.

use super::problem::Problem;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

const WINDOW: i64 = 3600;
/// Keys tracked at most; beyond, idle keys are dropped first, then all
/// (a flood of addresses cannot grow memory without bound).
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
pub struct Limiter {
    events: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl Limiter {
    /// Records an event for `key` at `now` unless `limit` events happened
    /// in the last hour; then a `rateLimited` problem with Retry-After.
    pub fn take(&self, key: &str, limit: u32, now: i64, what: &str) -> Result<(), Problem> {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.len() >= MAX_KEYS && !events.contains_key(key) {
            events.retain(|_, q| q.back().is_some_and(|t| *t > now - WINDOW));
            if events.len() >= MAX_KEYS {
                events.clear();
            }
        }
        let queue = events.entry(key.to_string()).or_default();
        while queue.front().is_some_and(|t| *t <= now - WINDOW) {
            queue.pop_front();
        }
        if queue.len() >= limit as usize {
            let wait = queue.front().map_or(WINDOW, |t| t + WINDOW - now).max(1);
            return Err(Problem::rate_limited(
                format!("more than {limit} {what} in an hour"),
                wait as u32,
            ));
        }
        queue.push_back(now);
        Ok(())
    }

    /// Whether `key` has had `limit` events in the last hour (not counting one).
    pub fn exhausted(&self, key: &str, limit: u32, now: i64) -> bool {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events
            .get(key)
            .is_some_and(|q| q.iter().filter(|t| **t > now - WINDOW).count() >= limit as usize)
    }

    /// Records an event without a limit (a failed validation).
    pub fn record(&self, key: &str, now: i64) {
        let _ = self.take(key, u32::MAX, now, "");
    }
}

#[cfg(test)]
mod tests {
    use super::Limiter;

    #[test]
    fn limits_within_the_hour_and_forgets_after() {
        let limiter = Limiter::default();
        for _ in 0..3 {
            limiter.take("a", 3, 1000, "orders").unwrap();
        }
        let refused = limiter.take("a", 3, 1001, "orders").unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        assert_eq!(refused.retry_after, Some(3599));
        limiter.take("b", 3, 1001, "orders").unwrap();
        limiter.take("a", 3, 1000 + 3600, "orders").unwrap();
    }
}
