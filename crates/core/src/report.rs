//! What an operation produced, for a front end to show: its standard
//! output and its log lines. It lives in the core so that core functions
//! that report (mkbundle) and every operation above share one type.

use zeroize::Zeroizing;

/// A log line for the front end to show, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Info(String),
    Warning(String),
}

/// What an operation produced: its standard output (cfssl's JSON, which
/// may hold a private key, so it is wiped when dropped) and its notes.
#[derive(Debug, Default)]
pub struct Report {
    pub output: Zeroizing<String>,
    pub notes: Vec<Note>,
}

impl Report {
    pub fn info(&mut self, message: impl Into<String>) {
        self.notes.push(Note::Info(message.into()));
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.notes.push(Note::Warning(message.into()));
    }

    pub fn warn_all<'a>(&mut self, warnings: impl IntoIterator<Item = &'a String>) {
        for w in warnings {
            self.warn(w.clone());
        }
    }
}
