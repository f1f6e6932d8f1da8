//! What each command does, as one function from its inputs to a
//! [`Report`]: the CLI parses flags and calls one of these, the server
//! calls the same ones for its endpoints. Nothing here prints or writes
//! files; the report says what to print and which log lines to show.
//!
//! - `load`: requests, configs, keys and CAs named by path
//! - `genkey`, `initca`, `gencert`, `sign`, `selfsign`: the commands that make keys, CSRs and certificates
//! - `ocsp_check`: `verify --ocsp`, minus the HTTP exchange
//! - `revocation`: `gencrl`, `ocspsign` and loading an OCSP responder

pub mod gencert;
pub mod genkey;
pub mod initca;
pub mod load;
pub mod ocsp_check;
pub mod revocation;
pub mod selfsign;
pub mod sign;

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
