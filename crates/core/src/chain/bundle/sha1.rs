//! cfssl's SHA-1 deprecation policies: which browsers and systems
//! distrusted chains with SHA-1 below the root, from when, and how badly.
//! Each platform reports its most severe policy that applies.

use super::chain::{has_sha1_below_root, is_sha1};
use crate::chain::certs::Cert;
use std::time::{Duration, SystemTime};

struct Policy {
    platform: &'static str,
    description: &'static str,
    severity: u8,
    /// Seconds since the epoch; 0 means "always".
    effective: u64,
    /// Leaves valid past this date are flagged (0: no such rule).
    expiry_deadline: u64,
    /// Leaves issued after this date with SHA-1 are flagged (0: no such rule).
    never_issue_after: u64,
}

const JAN_2016: u64 = 1_451_606_400;
const JAN_2017: u64 = 1_483_228_800;
const UNTRUSTED: &str = "shows the SSL connection is untrusted";

const POLICIES: [Policy; 6] = [
    Policy {
        platform: "Google Chrome",
        description: "shows the SSL connection has minor problems",
        severity: 2,
        effective: 0,
        expiry_deadline: JAN_2016,
        never_issue_after: 0,
    },
    Policy {
        platform: "Google Chrome",
        description: UNTRUSTED,
        severity: 3,
        effective: 0,
        expiry_deadline: JAN_2017,
        never_issue_after: 0,
    },
    Policy {
        platform: "Mozilla Firefox",
        description: "gives warning in the developer console",
        severity: 1,
        effective: 0,
        expiry_deadline: JAN_2017,
        never_issue_after: 0,
    },
    Policy {
        platform: "Mozilla Firefox",
        description: UNTRUSTED,
        severity: 2,
        effective: JAN_2016,
        expiry_deadline: 0,
        never_issue_after: JAN_2016,
    },
    Policy {
        platform: "Mozilla Firefox",
        description: UNTRUSTED,
        severity: 3,
        effective: JAN_2017,
        expiry_deadline: JAN_2017,
        never_issue_after: 0,
    },
    Policy {
        platform: "Microsoft Windows Vista and later",
        description: UNTRUSTED,
        severity: 3,
        effective: JAN_2017,
        expiry_deadline: JAN_2017,
        never_issue_after: 0,
    },
];

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

impl Policy {
    fn flags(&self, chain: &[Cert], now: SystemTime) -> bool {
        let Some(leaf) = chain.first() else {
            return false;
        };
        if now <= at(self.effective) {
            return false;
        }
        let new_sha1_leaf = self.never_issue_after != 0
            && leaf.not_before() > at(self.never_issue_after)
            && chain.len() > 1
            && is_sha1(leaf);
        let outlives_deadline = self.expiry_deadline != 0
            && leaf.not_after() > at(self.expiry_deadline)
            && has_sha1_below_root(chain);
        new_sha1_leaf || outlives_deadline
    }
}

/// One message per platform whose policy flags `chain` (root last) at `now`.
pub fn deprecation_messages(chain: &[Cert], now: SystemTime) -> Vec<String> {
    let mut worst: Vec<&Policy> = Vec::new();
    for policy in POLICIES.iter().filter(|p| p.flags(chain, now)) {
        match worst.iter_mut().find(|w| w.platform == policy.platform) {
            Some(w) if w.severity < policy.severity => *w = policy,
            Some(_) => {}
            None => worst.push(policy),
        }
    }
    worst
        .iter()
        .map(|p| format!("{} {} due to SHA-1 deprecation", p.platform, p.description))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::bundle::test_fixtures::load;

    #[test]
    fn sha1_below_the_root_is_flagged_by_each_platform_once() {
        let mut chain = load("cfssl-leaf-ecdsa256.pem");
        chain.extend(load("intermediates.crt"));
        chain.extend(load("ca.pem"));
        let now = SystemTime::now();
        let messages = deprecation_messages(&chain, now);
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages.iter().all(|m| m.contains(UNTRUSTED)),
            "{messages:?}"
        );
        // Before 2016 only Chrome's and Firefox's early policies applied.
        let early = deprecation_messages(&chain, at(JAN_2016 - 1));
        assert_eq!(early.len(), 2, "{early:?}");
        // The root's own SHA-1 does not count: the root alone is never flagged.
        assert!(deprecation_messages(&load("inter-L1-sha1.pem"), now).is_empty());
    }
}
