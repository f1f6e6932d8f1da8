//! Generating many independent keys at once: RSA generation dominates a
//! cluster build, so the keys are spread over every available core.

use crate::error::{Error, Result};
use crate::keys::KeyPair;
use crate::request::KeySpec;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Generates one key per spec, in parallel, returned in the specs' order.
pub fn generate_all(specs: &[KeySpec]) -> Result<Vec<KeyPair>> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(specs.len())
        .max(1);
    // The slowest keys start first so no core is left with a big one at the end.
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(specs.get(i).copied())));
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<KeyPair>>>> =
        specs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (Some(spec), Some(slot)) = (specs.get(index), slots.get(index)) else {
                        break;
                    };
                    let key = KeyPair::generate(*spec);
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(key);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(Error::Key("a key generation worker failed".into())))
        })
        .collect()
}

fn cost(spec: Option<KeySpec>) -> u32 {
    match spec {
        Some(KeySpec::Rsa(bits)) => bits,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_back_in_order_and_distinct() {
        let specs = [
            KeySpec::Ecdsa(384),
            KeySpec::Ecdsa(256),
            KeySpec::Rsa(2048),
            KeySpec::Ecdsa(256),
        ];
        let keys = generate_all(&specs).unwrap();
        let described: Vec<String> = keys.iter().map(KeyPair::describe).collect();
        assert_eq!(
            described,
            ["ecdsa-384", "ecdsa-256", "rsa-2048", "ecdsa-256"]
        );
        let a = keys[1].public_key_der().unwrap();
        assert!(!keys[3].matches(&a).unwrap());
    }

    #[test]
    fn nothing_to_do_is_fine() {
        assert!(generate_all(&[]).unwrap().is_empty());
    }
}
