//! certkit's commands run as users run them, one module per command or
//! family of commands; a module for what cuts across commands only where
//! a test really does. Comparisons with cfssl, openssl and other tools
//! are in tests/interop, the servers in tests/server, the Kubernetes
//! signer in tests/signer, attacks in tests/hardening; what these share
//! is tests/support.

// If you're adding a test of `bad input → one error line, nothing
// written` over many commands, it goes in here.
mod bad_input;
// If you're adding a test of `batch`, it goes in here.
mod batch;
// If you're adding a test of `bundle` on cfssl's bundler data, it goes in here.
mod bundle;
// If you're adding a test of the rules `bundle` and `mkbundle` hold a
// chain to (SHA-1, weak keys, what `verify` accepts), it goes in here.
mod bundle_rules;
// If you're adding a test of `certinfo`, it goes in here.
mod certinfo;
// If you're adding a test of `cluster init` or `cluster renew`, it goes in here.
mod cluster;
// If you're adding a test of an error message through the cfssl names
// (a script as users write one), it goes in here.
mod errors;
// If you're adding a test of -quiet, the progress indicator, env:/file:
// inputs, passwords or exit codes, it goes in here.
mod experience;
// If you're adding a fuzz harness's replay or random input under
// `cargo test`, it goes in here.
mod fuzz_regressions;
// If you're adding a test of `genkey` or of a key algorithm and size, it
// goes in here.
mod genkey;
// If you're adding a test of `--help`, its examples, the man pages or the
// completions, it goes in here.
mod help;
// If you're adding a test of a signing-config switch or of loading a
// signing config, it goes in here.
mod policy;
// If you're adding a test of `sign` with a subject, `selfsign`,
// `print-defaults`, `gencsr -key`, `gencert -renewca` or a profile field,
// it goes in here.
mod policy_commands;
// If you're adding a property test (random valid requests), it goes in here.
mod properties;
// If you're adding a test of `renew` or `check-expiration`, it goes in here.
mod renew;
// If you're adding a test of what runs before `main`, it goes in here.
mod startup;
// If you're adding a step of shared/workflow.md or a cfssl-name spelling
// of the workflow (`cfssl`, `cfssljson`, Go-style flags), it goes in here.
mod workflow;
