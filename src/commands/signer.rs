//! `signer`: the Kubernetes signer controller (crates/signer).

use crate::commands::k8s::BundleArgs;
use crate::common::utf8_path_buf;
use crate::common::{CaArgs, PolicyArgs};
use crate::values::GoBool;
use certkit_core::error::{Result, UsageError};
use certkit_core::input::duration::parse_go_duration;
use certkit_signer::{Options, SigningSources};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Run a Kubernetes signer: sign approved CertificateSigningRequests and issue PodCertificateRequests for some signer names
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  Sign approved example.com/serving requests with the cluster's kubeconfig:
    certkit signer --signer-name example.com/serving -ca ca.pem -ca-key ca-key.pem \\
      -config server-signing-config.json --kubeconfig ~/.kube/config
  Two or more replicas, one signing at a time, metrics on port 9090:
    certkit signer --signer-name example.com/serving -ca ca.pem -ca-key ca-key.pem \\
      --leader-elect --metrics-address 0.0.0.0:9090
  Pod certificates with SPIFFE IDs spiffe://prod.example/ns/NS/sa/SA, ECDSA keys only:
    certkit signer --signer-name example.com/pods -ca ca.pem -ca-key ca-key.pem \\
      -config pods-config.json --trust-domain prod.example --pod-key-types ECDSAP256,ECDSAP384
  With an intermediate CA (the root offline): chains to the root in every status, the root in the ClusterTrustBundle:
    certkit signer --signer-name example.com/serving -ca int.pem -ca-key int-key.pem \\
      --bundle int-and-root.pem
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

    // With an intermediate CA: what follows the leaf in status.certificate
    // and status.certificateChain, checked against -ca at start and on
    // reload; the ClusterTrustBundle then publishes its root.
    #[command(flatten)]
    pub bundle: BundleArgs,

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

    /// Also issue certificates.k8s.io/v1 PodCertificateRequests (podCertificate volumes) for the signer names
    #[arg(long = "pod-certificates", go_bool(), default_value = "true")]
    pub pod_certificates: bool,

    /// SPIFFE trust domain of pod certificates: URI SAN spiffe://DOMAIN/ns/NAMESPACE/sa/SERVICEACCOUNT
    #[arg(
        long = "trust-domain",
        value_name = "DOMAIN",
        default_value = "cluster.local"
    )]
    pub trust_domain: String,

    /// Subject CN of pod certificates, a template over {namespace}, {pod}, {serviceaccount} (default: empty subject)
    #[arg(long = "pod-common-name", value_name = "TEMPLATE")]
    pub pod_common_name: Option<String>,

    /// A DNS SAN of pod certificates, a template over {namespace}, {pod}, {serviceaccount} (e.g. '{serviceaccount}.{namespace}.svc'); repeatable; the profile's name_whitelist applies
    #[arg(long = "pod-dns-name", value_name = "TEMPLATE")]
    pub pod_dns_names: Vec<String>,

    /// Key types issued for pods, comma-separated; others are Denied with reason UnsupportedKeyType
    #[arg(
        long = "pod-key-types",
        value_name = "TYPES",
        value_delimiter = ',',
        default_value = "ECDSAP256,ECDSAP384,ECDSAP521,ED25519,RSA3072,RSA4096"
    )]
    pub pod_key_types: Vec<String>,

    /// Ask kubelets to refresh at this fraction of the lifetime (0 to 1), kept 10 minutes from either end (default: 0.5 to 0.8 at random)
    #[arg(long = "pod-refresh-fraction", value_name = "FRACTION")]
    pub pod_refresh_fraction: Option<f64>,

    /// Issue only when the pod exists with the request's UID, on the request's node, as the request's service account (needs get on pods)
    #[arg(long = "pod-verify", go_bool())]
    pub pod_verify: bool,

    /// Read the userAnnotations key certkit.dev/dns-names (comma-separated DNS names, issued only under a profile name_whitelist); other keys are ignored
    #[arg(long = "pod-user-annotations", go_bool())]
    pub pod_user_annotations: bool,
}

/// The pod-certificate flags, checked.
fn pod_options(args: &Args) -> Result<certkit_signer::pod::PodOptions> {
    use certkit_core::k8s::pod::identity::{check_trust_domain, Template};
    use certkit_core::k8s::pod::{KeyType, PodNames, PodPolicy};
    check_trust_domain(&args.trust_domain)?;
    let key_types = args
        .pod_key_types
        .iter()
        .map(|name| {
            KeyType::parse(name).ok_or_else(|| {
                UsageError::bad_value(
                    format!("--pod-key-types {name:?}"),
                    "expected RSA3072, RSA4096, ECDSAP256, ECDSAP384, ECDSAP521 or ED25519",
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(f) = args.pod_refresh_fraction {
        if !(0.0..=1.0).contains(&f) {
            return Err(UsageError::bad_value(
                format!("--pod-refresh-fraction {f}"),
                "expected a fraction from 0 to 1",
            ));
        }
    }
    Ok(certkit_signer::pod::PodOptions {
        enabled: args.pod_certificates,
        policy: PodPolicy {
            names: PodNames {
                trust_domain: args.trust_domain.clone(),
                common_name: args
                    .pod_common_name
                    .as_deref()
                    .map(|t| Template::parse(t, "--pod-common-name"))
                    .transpose()?,
                dns_names: args
                    .pod_dns_names
                    .iter()
                    .map(|t| Template::parse(t, "--pod-dns-name"))
                    .collect::<Result<_>>()?,
            },
            key_types,
        },
        refresh_fraction: args.pod_refresh_fraction,
        verify_pod: args.pod_verify,
        user_annotations: args.pod_user_annotations,
    })
}

pub fn run(args: Args) -> Result<()> {
    let required = |v: Option<String>, flag: &str| {
        v.ok_or_else(|| UsageError::missing(format!("{flag} FILE is required")))
    };
    let pods = pod_options(&args)?;
    let [ca, ca_key, ca_key_password_file] = args.ca.utf8_paths()?;
    certkit_signer::run(Options {
        signer_names: args.signer_names,
        signing: SigningSources {
            ca: required(ca, "-ca")?,
            ca_key: required(ca_key, "-ca-key")?,
            ca_key_password_file,
            config: utf8_path_buf(args.policy.config, "-config")?,
            profile: args.policy.profile,
            bundle: args.bundle.bundle,
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
        pods,
    })
}
