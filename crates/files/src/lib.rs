//! certkit's file output: every file certkit writes goes through here, as
//! an all-or-nothing set (temporary files, fsync, rename; keys 0600).
//! - `atomic`: writing a set of files, all or nothing, renames undone on failure
//! - `interrupt`: what a signal leaves behind (nothing), and commit sections
//! - `lock`: one writer at a time per directory
//! - `output_dir`: an output directory staged and swapped in whole (cluster init, batch)
//! - `cluster`: the cluster PKI directory and the same set as cfssl inputs
//! - `links`: the cfssl names as symbolic links to certkit (`install-links`)

pub mod atomic;
pub mod cluster;
pub mod interrupt;
pub mod links;
pub mod lock;
pub mod output_dir;
