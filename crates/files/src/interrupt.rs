//! What a SIGTERM, SIGINT or SIGHUP leaves behind: nothing. Temporary
//! files and staging directories are registered here from the moment
//! they exist; the handler removes them and exits with 128+signal, as a
//! shell does. Commits (the renames that make a set visible) run in a
//! [`commit_section`], which the handler waits for, so a signal never
//! leaves half a set old and half new.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// Something certkit created that must not outlive an interrupted run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leftover {
    File(PathBuf),
    /// A staging directory, removed with everything in it.
    Dir(PathBuf),
}

impl Leftover {
    fn remove(&self) {
        let _ = match self {
            Leftover::File(p) => std::fs::remove_file(p),
            Leftover::Dir(p) => std::fs::remove_dir_all(p),
        };
    }
}

/// Leftovers not yet committed or removed. The signal handler holds this
/// lock while it removes them and exits, so nothing registered can appear
/// behind its back, and a commit holding it finishes first.
static PENDING: Mutex<Vec<Leftover>> = Mutex::new(Vec::new());

/// The registry, locked. Holding the guard is the critical section.
pub fn pending() -> MutexGuard<'static, Vec<Leftover>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Forgets `item` (committed) and returns whether it was registered.
pub fn forget(pending: &mut Vec<Leftover>, item: &Leftover) -> bool {
    match pending.iter().position(|p| p == item) {
        Some(i) => {
            pending.swap_remove(i);
            true
        }
        None => false,
    }
}

/// Removes `item` if it is still registered (an error path).
pub fn discard(item: &Leftover) {
    let mut pending = pending();
    if forget(&mut pending, item) {
        item.remove();
    }
}

static COMMIT: Mutex<()> = Mutex::new(());

thread_local! {
    static COMMIT_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// While alive, a signal waits. Re-entrant on one thread, so a commit may
/// write another set (cluster init's --cfssl-out) inside its own.
pub struct CommitSection(#[allow(dead_code)] Option<MutexGuard<'static, ()>>);

/// Enters the critical section around renames that complete a set.
pub fn commit_section() -> CommitSection {
    let depth = COMMIT_DEPTH.with(|d| {
        let depth = d.get();
        d.set(depth + 1);
        depth
    });
    CommitSection((depth == 0).then(|| COMMIT.lock().unwrap_or_else(PoisonError::into_inner)))
}

impl Drop for CommitSection {
    fn drop(&mut self) {
        COMMIT_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Installs, once, the handler that removes every leftover when the
/// process is told to stop. Call it before creating the first leftover.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
            log::warn!("could not install the signal handler; a signal mid-write may leave temporary files");
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let _commit = COMMIT.lock().unwrap_or_else(PoisonError::into_inner);
                let mut pending = pending();
                for item in pending.drain(..) {
                    item.remove();
                }
                std::process::exit(128 + signal);
            }
        });
    });
}
