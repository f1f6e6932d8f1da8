//! Kubernetes: CertificateSigningRequest objects through the CLI, and
//! `certkit signer` against a real kube-apiserver.

// If you're testing `certkit signer` in a cluster (a real API server,
// started by scripts/peers/k8s; SKIP without it), it goes in here.
mod apiserver;
// If you're testing a CertificateSigningRequest object through `sign`,
// `gencert` or `json`, or a check `signer` makes before it connects (no
// API server), it goes in here.
mod k8s;

/// `certkit signer` under an intermediate CA (int.pem, int-key.pem in the
/// working directory) with `--bundle FILE`, as both modules run it.
fn signer_under_intermediate(bundle: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(support::certkit());
    cmd.args([
        "signer",
        "-ca",
        "int.pem",
        "-ca-key",
        "int-key.pem",
        "--bundle",
        bundle,
    ]);
    cmd
}
