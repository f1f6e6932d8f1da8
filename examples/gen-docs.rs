//! Regenerates the man pages (`man/`) and shell completions
//! (`completions/`) from the clap definitions:
//!
//!     cargo run --example gen-docs
//!
//! `tests/cli/help.rs` fails when the checked-in copies are stale.

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Err(e) = certkit::docs::write_all(root) {
        eprintln!("gen-docs: {e}");
        std::process::exit(1);
    }
}
