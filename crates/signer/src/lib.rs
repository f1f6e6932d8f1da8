//! certkit signer: a Kubernetes controller that signs approved
//! CertificateSigningRequests for its signer names, with the policy
//! `certkit sign` applies to objects (`certkit_core::k8s`).
//!
//! - `reconcile`: one decision per request (sign, Failed condition, skip)
//! - `approve`: optional automatic approval of kubelet serving requests
//! - `leader`: Lease-based leader election between replicas
//! - `trust_bundle`: the CA (or `--bundle`'s root) published as ClusterTrustBundles
//! - `signing`: the CA, profile and `--bundle`, reloaded when their files change
//! - `metrics`: Prometheus metrics
//! - `pod`: the second controller, for PodCertificateRequests

pub mod approve;
mod context;
pub mod leader;
pub mod metrics;
pub mod pod;
pub mod reconcile;
mod run;
pub mod signing;
pub mod trust_bundle;

pub use run::run;
pub use signing::SigningSources;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything `certkit signer` takes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `spec.signerName`s this signer signs for.
    pub signer_names: Vec<String>,
    pub signing: SigningSources,
    /// A kubeconfig file; default: in-cluster config, then `$KUBECONFIG`
    /// and `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// Run only while holding the Lease.
    pub leader_elect: bool,
    pub lease_name: String,
    /// Default: the pod's namespace, else `default`.
    pub lease_namespace: Option<String>,
    pub lease_duration: Duration,
    pub metrics_address: Option<SocketAddr>,
    pub approve_kubelet_serving: bool,
    /// The operator's limits on approved kubelet serving certificates
    /// (names, address ranges, SAN count), on top of the node's addresses.
    pub serving_limits: certkit_core::k8s::approve::ServingLimits,
    /// Approve kubelet client requests whose requester has the permission.
    pub approve_kubelet_client: bool,
    /// Publish the CA as ClusterTrustBundles when the server offers them.
    pub cluster_trust_bundle: bool,
    /// How often the CA, key and config files are checked for changes.
    pub reload_interval: Duration,
    /// Requests reconciled at once.
    pub concurrency: u16,
    /// PodCertificateRequests: whether, and how, they are issued.
    pub pods: pod::PodOptions,
}
