//! Slow work (RSA 4096/8192 key generation takes seconds) reported to an
//! observer the front end installs: the CLI draws a spinner on a terminal.
//! The core itself never touches the terminal.

use std::sync::OnceLock;

/// Runs `work` and returns what it returned, perhaps while showing `label`.
pub type Observer = fn(label: &str, work: &mut dyn FnMut());

static OBSERVER: OnceLock<Observer> = OnceLock::new();

/// Installs the observer for the whole process (the first call wins).
pub fn observe_with(observer: Observer) {
    let _ = OBSERVER.set(observer);
}

/// Runs `work`; when `slow`, through the observer if one is installed.
pub fn run<T>(slow: bool, label: &str, work: impl FnOnce() -> T) -> T {
    let observer = match OBSERVER.get() {
        Some(o) if slow => o,
        _ => return work(),
    };
    let mut work = Some(work);
    let mut result = None;
    observer(label, &mut || {
        if let Some(w) = work.take() {
            result = Some(w());
        }
    });
    match result {
        Some(r) => r,
        // An observer that did not run the work: run it here.
        None => (work.take().expect("work runs once"))(),
    }
}
