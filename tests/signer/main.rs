//! Kubernetes: CertificateSigningRequest objects through the CLI, and
//! `certkit signer` against a real kube-apiserver.

// If you're testing `certkit signer` in a cluster (a real API server,
// started by scripts/peers/k8s; SKIP without it), it goes in here.
mod apiserver;
// If you're testing a CertificateSigningRequest object through `sign`,
// `gencert` or `json` (no API server), it goes in here.
mod k8s;
