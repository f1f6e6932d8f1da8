//! Log lines on stderr in cfssl's format (`2006/01/02 15:04:05 [INFO] ...`),
//! so scripts that scrape cfssl's logs keep working. Levels as cfssl's
//! `-loglevel`: 0 debug, 1 info, 2 warning, 3 error, 4 critical, 5 fatal.

use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(LEVEL_INFO);

pub const LEVEL_DEBUG: u8 = 0;
pub const LEVEL_INFO: u8 = 1;
pub const LEVEL_WARNING: u8 = 2;
pub const LEVEL_ERROR: u8 = 3;

/// Sets the lowest level that is printed.
pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

/// Whether messages of `level` are printed.
/// The level set by -loglevel.
pub fn level() -> u8 {
    LEVEL.load(Ordering::Relaxed)
}

pub fn enabled(level: u8) -> bool {
    level >= LEVEL.load(Ordering::Relaxed)
}

fn emit(level: u8, label: &str, message: &str) {
    if level >= LEVEL.load(Ordering::Relaxed) {
        write_line(label, message);
    }
}

fn write_line(label: &str, message: &str) {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    // One line per message, whatever the message contains: newlines
    // become spaces, other control characters (a CN holding ESC or CR)
    // are escaped, and a line is cut at a length a terminal can show.
    // Written with one write(2): stderr is unbuffered, and eprintln! would
    // make one system call per piece of the format (and panic if stderr is
    // closed).
    let message =
        certkit_core::text::clip_to(&message.replace('\n', " "), certkit_core::text::LINE_LIMIT);
    let line = format!("{stamp} [{label}] {message}\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
}

pub fn debug(message: &str) {
    emit(LEVEL_DEBUG, "DEBUG", message);
}

pub fn info(message: &str) {
    emit(LEVEL_INFO, "INFO", message);
}

pub fn warning(message: &str) {
    emit(LEVEL_WARNING, "WARNING", message);
}

/// Errors are printed whatever the level: a failing run always says why.
pub fn error(message: &str) {
    write_line("ERROR", message);
}

/// Routes the library crates' `log` records (certkit-files' warnings, the
/// server's) to the same cfssl-format lines.
struct CfsslLogger;

impl ::log::Log for CfsslLogger {
    fn enabled(&self, metadata: &::log::Metadata) -> bool {
        enabled(level_of(metadata.level()))
    }

    fn log(&self, record: &::log::Record) {
        let message = record.args().to_string();
        match record.level() {
            ::log::Level::Error => error(&message),
            ::log::Level::Warn => warning(&message),
            ::log::Level::Info => info(&message),
            ::log::Level::Debug | ::log::Level::Trace => debug(&message),
        }
    }

    fn flush(&self) {}
}

fn level_of(level: ::log::Level) -> u8 {
    match level {
        ::log::Level::Error => LEVEL_ERROR,
        ::log::Level::Warn => LEVEL_WARNING,
        ::log::Level::Info => LEVEL_INFO,
        ::log::Level::Debug | ::log::Level::Trace => LEVEL_DEBUG,
    }
}

/// Installs the logger for the library crates (once per process).
pub fn install() {
    static LOGGER: CfsslLogger = CfsslLogger;
    if ::log::set_logger(&LOGGER).is_ok() {
        ::log::set_max_level(::log::LevelFilter::Trace);
    }
}
