//! `signer`: the Kubernetes signer controller (crates/signer).

use crate::common::utf8_path_buf;
use crate::common::{CaArgs, PolicyArgs};
use crate::values::GoBool;
use certkit_core::error::{Result, UsageError};
use certkit_core::input::duration::parse_go_duration;
use certkit_signer::{Options, SigningSources};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Run a Kubernetes signer: sign approved CertificateSigningRequests for some signer names
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Sign approved example.com/serving requests with the cluster's kubeconfig:
    certkit signer --signer-name example.com/serving -ca ca.pem -ca-key ca-key.pem \\
      -config server-signing-config.json --kubeconfig ~/.kube/config
  Two or more replicas, one signing at a time, metrics on port 9090:
    certkit signer --signer-name example.com/serving -ca ca.pem -ca-key ca-key.pem \\
      --leader-elect --metrics-address 0.0.0.0:9090
  Also approve kubelet serving certificates for the nodes' own addresses:
    certkit signer --signer-name kubernetes.io/kubelet-serving -ca ca.pem -ca-key ca-key.pem \\
      --approve-kubelet-serving")]
pub struct Args {
    /// spec.signerName values to sign for, comma-separated (e.g. example.com/serving)
    #[arg(
        long = "signer-name",
        value_name = "NAME[,NAME...]",
        value_delimiter = ',',
        required = true
    )]
    pub signer_names: Vec<String>,

    #[command(flatten)]
    pub ca: CaArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// kubeconfig file (default: in-cluster configuration, then $KUBECONFIG, then ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Sign only while holding a coordination.k8s.io Lease, so that several replicas are safe
    #[arg(long = "leader-elect", go_bool())]
    pub leader_elect: bool,

    /// Name of the Lease
    #[arg(
        long = "leader-elect-lease-name",
        value_name = "NAME",
        default_value = "certkit-signer"
    )]
    pub lease_name: String,

    /// Namespace of the Lease (default: the pod's namespace, else default)
    #[arg(long = "leader-elect-namespace", value_name = "NAMESPACE")]
    pub lease_namespace: Option<String>,

    /// How long a lease lasts without renewal before another replica takes over (Go duration)
    #[arg(long = "leader-elect-lease-duration", value_name = "DURATION", default_value = "15s",
          value_parser = parse_go_duration)]
    pub lease_duration: Duration,

    /// Serve Prometheus metrics on ADDR (host:port) at /metrics
    #[arg(long = "metrics-address", value_name = "ADDR")]
    pub metrics_address: Option<SocketAddr>,

    /// Approve kubernetes.io/kubelet-serving requests from a node for its own addresses; deny the others
    #[arg(long = "approve-kubelet-serving", go_bool())]
    pub approve_kubelet_serving: bool,

    /// With --approve-kubelet-serving: every DNS SAN must match this whole regular expression (the node's own addresses are written by the node itself)
    #[arg(long = "kubelet-serving-dns", value_name = "REGEX")]
    pub kubelet_serving_dns: Option<String>,

    /// With --approve-kubelet-serving: every IP SAN must lie in one of these ranges (CIDR, comma-separated)
    #[arg(
        long = "kubelet-serving-ips",
        value_name = "CIDRS",
        value_delimiter = ','
    )]
    pub kubelet_serving_ips: Vec<String>,

    /// With --approve-kubelet-serving: the most SANs a serving request may carry
    #[arg(long = "kubelet-serving-max-sans", value_name = "N", default_value_t = certkit_core::k8s::approve::DEFAULT_MAX_SANS)]
    pub kubelet_serving_max_sans: usize,

    /// Approve kubernetes.io/kube-apiserver-client-kubelet requests whose requester may create certificatesigningrequests/selfnodeclient (renewal) or /nodeclient (bootstrap)
    #[arg(long = "approve-kubelet-client", go_bool())]
    pub approve_kubelet_client: bool,

    /// Publish the CA as a ClusterTrustBundle per signer name when the server offers the API
    #[arg(long = "cluster-trust-bundle", go_bool(), default_value = "true")]
    pub cluster_trust_bundle: bool,

    /// How often the CA, key and config files are checked for changes (Go duration)
    #[arg(long = "reload-interval", value_name = "DURATION", default_value = "10s", value_parser = parse_go_duration)]
    pub reload_interval: Duration,

    /// Requests signed at once
    #[arg(long, value_name = "N", default_value = "8", value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
}

pub fn run(args: Args) -> Result<()> {
    let required = |v: Option<String>, flag: &str| {
        v.ok_or_else(|| UsageError::missing(format!("{flag} FILE is required")))
    };
    let [ca, ca_key, ca_key_password_file] = args.ca.utf8_paths()?;
    certkit_signer::run(Options {
        signer_names: args.signer_names,
        signing: SigningSources {
            ca: required(ca, "-ca")?,
            ca_key: required(ca_key, "-ca-key")?,
            ca_key_password_file,
            config: utf8_path_buf(args.policy.config, "-config")?,
            profile: args.policy.profile,
        },
        kubeconfig: args.kubeconfig,
        leader_elect: args.leader_elect,
        lease_name: args.lease_name,
        lease_namespace: args.lease_namespace,
        lease_duration: args.lease_duration,
        metrics_address: args.metrics_address,
        approve_kubelet_serving: args.approve_kubelet_serving,
        serving_limits: certkit_core::k8s::approve::ServingLimits::parse(
            args.kubelet_serving_dns.as_deref(),
            &args.kubelet_serving_ips,
            args.kubelet_serving_max_sans,
        )?,
        approve_kubelet_client: args.approve_kubelet_client,
        cluster_trust_bundle: args.cluster_trust_bundle,
        reload_interval: args.reload_interval,
        concurrency: args.concurrency,
    })
}
