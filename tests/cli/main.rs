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
// If you're adding a test of `gencert` (-initca, -renewca), it goes in here.
mod gencert;
// If you're adding a test of a signing profile's field, a signing-config
// switch (-allow-sha1, ...) or of loading a signing config, it goes in here.
mod policy;
// If you're adding a property test (random valid requests), it goes in here.
mod properties;
// If you're adding a test of `renew` or `check-expiration`, it goes in here.
mod renew;
// If you're adding a test of `selfsign`, `gencsr` or `print-defaults`, it
// goes in here.
mod selfsign;
// If you're adding a test of `sign`, it goes in here.
mod sign;
// If you're adding a test of what runs before `main`, or of how the
// binary is linked, it goes in here.
mod startup;
// If you're adding a step of shared/workflow.md or a cfssl-name spelling
// of the workflow (`cfssl`, `cfssljson`, Go-style flags), it goes in here.
mod workflow;

use support::{field, pkilint, Dir};

/// What the issuing tests (sign, selfsign, gencert, policy) add to
/// support's Dir: their CA and leaf request, and pkilint over what they
/// issue.
trait IssuingDir {
    fn with_ca() -> Dir;
    fn lint(&self, name: &str, pem: &str, issuer: Option<&str>);
    fn leaf_csr(&self) -> (&'static str, &'static str);
}

impl IssuingDir for Dir {
    /// A directory with an ECDSA CA (ca.pem, ca-key.pem) and a request.
    fn with_ca() -> Dir {
        let d = Dir::with_ca_from(
            r#"{"CN": "Commands CA", "names": [{"C": "US", "O": "Example"}], "ca": {"pathlen": 1}}"#,
        );
        d.write(
            "leaf.json",
            r#"{"CN": "leaf.example.com", "hosts": ["leaf.example.com", "10.0.0.7"],
                "names": [{"C": "US", "O": "Old Org", "OU": "Kept"}]}"#,
        );
        d
    }

    /// Saves a certificate and lints it (with its issuer when given).
    fn lint(&self, name: &str, pem: &str, issuer: Option<&str>) {
        self.write(name, pem);
        pkilint::lint_cert(&self.path(name));
        if let Some(issuer) = issuer {
            pkilint::lint_chain(&self.path(issuer), &self.path(name));
        }
    }

    /// A CSR for leaf.json with a fresh key: (csr file, key file).
    fn leaf_csr(&self) -> (&'static str, &'static str) {
        let out = self.ok(&["genkey", "leaf.json"]);
        self.write("leaf.csr", &field(&out, "csr"));
        self.write("leaf-key.pem", &field(&out, "key"));
        ("leaf.csr", "leaf-key.pem")
    }
}
