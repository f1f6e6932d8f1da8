//! A spinner on stderr for slow work (RSA 4096/8192 key generation), only
//! when stderr is a terminal and info logging is on: pipes and CI see
//! nothing but the log lines.

use std::io::IsTerminal;
use std::time::Duration;

/// Whether a progress indicator may be drawn now.
pub fn wanted() -> bool {
    std::io::stderr().is_terminal() && crate::log::enabled(crate::log::LEVEL_INFO)
}

/// Runs `work`; when `slow` and [`wanted`], with a spinner saying `message`.
pub fn spin_if<T>(slow: bool, message: &str, work: impl FnOnce() -> T) -> T {
    if !(slow && wanted()) {
        return work();
    }
    let spinner = indicatif::ProgressBar::new_spinner().with_message(message.to_string());
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = work();
    spinner.finish_and_clear();
    result
}

/// The core's slow-work observer: a spinner when [`wanted`].
pub fn observer(label: &str, work: &mut dyn FnMut()) {
    spin_if(true, label, work);
}
