//! Which certificates a kubeadm-style cluster PKI holds, following the
//! Kubernetes "PKI certificates and requirements" page: three CAs, seven
//! leaves with their CN, O, SANs and usages, and the service-account key
//! pair. Names are paths under the output directory without extension
//! ("etcd/server" is etcd/server.crt and etcd/server.key).
//!
//! The CAs carry kubeadm's CNs ("kubernetes", "front-proxy-ca",
//! "etcd-ca"). etcd/server and etcd/peer carry the documented CNs
//! (kube-etcd, kube-etcd-peer) rather than kubeadm's per-node name, since
//! one certificate here serves every control-plane node listed.

use super::spec::{ClusterSpec, KeyAlgorithm};

/// The kubeadm CA for the Kubernetes API.
pub const KUBERNETES_CA: &str = "ca";
/// The CA for the aggregation layer's front proxy.
pub const FRONT_PROXY_CA: &str = "front-proxy-ca";
/// The CA for etcd's servers, peers and clients.
pub const ETCD_CA: &str = "etcd/ca";
/// The service-account signing key pair (sa.key, sa.pub).
pub const SERVICE_ACCOUNT_KEY: &str = "sa";

/// Every certificate name, CAs first, in the order they are made.
pub const CERT_NAMES: &[&str] = &[
    KUBERNETES_CA,
    FRONT_PROXY_CA,
    ETCD_CA,
    "apiserver",
    "apiserver-kubelet-client",
    "front-proxy-client",
    "etcd/server",
    "etcd/peer",
    "etcd/healthcheck-client",
    "apiserver-etcd-client",
];

/// Every name the spec's `keys` map may set: the certificates and "sa".
pub fn key_names() -> Vec<&'static str> {
    CERT_NAMES
        .iter()
        .copied()
        .chain([SERVICE_ACCOUNT_KEY])
        .collect()
}

/// What a certificate is for, as the requirements table's "kind" column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ca,
    Server,
    Client,
    ServerAndClient,
}

impl Kind {
    /// The usage words (cfssl's vocabulary) kubeadm gives this kind.
    pub fn usages(self) -> &'static [&'static str] {
        match self {
            Kind::Ca => &["digital signature", "key encipherment", "cert sign"],
            Kind::Server => &["digital signature", "key encipherment", "server auth"],
            Kind::Client => &["digital signature", "key encipherment", "client auth"],
            Kind::ServerAndClient => &[
                "digital signature",
                "key encipherment",
                "server auth",
                "client auth",
            ],
        }
    }

    /// The cfssl signing-profile name for this kind.
    pub fn profile_name(self) -> &'static str {
        match self {
            Kind::Ca => "ca",
            Kind::Server => "server",
            Kind::Client => "client",
            Kind::ServerAndClient => "peer",
        }
    }
}

/// One certificate of the layout.
#[derive(Debug, Clone, PartialEq)]
pub struct CertPlan {
    pub name: &'static str,
    pub cn: &'static str,
    pub organizations: Vec<String>,
    /// SANs as cfssl hosts: DNS names and IP addresses.
    pub hosts: Vec<String>,
    pub kind: Kind,
    /// The CA that signs it; `None` for the self-signed CAs.
    pub signer: Option<&'static str>,
    pub key: KeyAlgorithm,
}

/// The whole layout for a spec, CAs first.
pub fn plan(spec: &ClusterSpec) -> Vec<CertPlan> {
    let node_names = spec.nodes.iter().map(|n| n.name.clone());
    let node_ips = spec.nodes.iter().map(|n| n.ip.to_string());
    let mut apiserver_hosts: Vec<String> = vec![
        "kubernetes".into(),
        "kubernetes.default".into(),
        "kubernetes.default.svc".into(),
        format!("kubernetes.default.svc.{}", spec.cluster_domain),
    ];
    apiserver_hosts.extend(node_names.clone());
    apiserver_hosts.extend(spec.load_balancers.iter().cloned());
    apiserver_hosts.push(spec.service_ip.to_string());
    apiserver_hosts.extend(node_ips.clone());
    let mut etcd_hosts: Vec<String> = node_names.collect();
    etcd_hosts.push("localhost".into());
    etcd_hosts.extend(node_ips);
    etcd_hosts.extend(["127.0.0.1".to_string(), "::1".to_string()]);
    let apiserver_hosts = dedup(apiserver_hosts);
    let etcd_hosts = dedup(etcd_hosts);

    let cert = |name: &'static str,
                cn: &'static str,
                kind: Kind,
                signer: Option<&'static str>,
                hosts: &[String]| CertPlan {
        name,
        cn,
        organizations: Vec::new(),
        hosts: hosts.to_vec(),
        kind,
        signer,
        key: spec.key_for(name),
    };
    let mut kubelet_client = cert(
        "apiserver-kubelet-client",
        "kube-apiserver-kubelet-client",
        Kind::Client,
        Some(KUBERNETES_CA),
        &[],
    );
    kubelet_client.organizations.push("system:masters".into());
    vec![
        cert(KUBERNETES_CA, "kubernetes", Kind::Ca, None, &[]),
        cert(FRONT_PROXY_CA, "front-proxy-ca", Kind::Ca, None, &[]),
        cert(ETCD_CA, "etcd-ca", Kind::Ca, None, &[]),
        cert(
            "apiserver",
            "kube-apiserver",
            Kind::Server,
            Some(KUBERNETES_CA),
            &apiserver_hosts,
        ),
        kubelet_client,
        cert(
            "front-proxy-client",
            "front-proxy-client",
            Kind::Client,
            Some(FRONT_PROXY_CA),
            &[],
        ),
        cert(
            "etcd/server",
            "kube-etcd",
            Kind::ServerAndClient,
            Some(ETCD_CA),
            &etcd_hosts,
        ),
        cert(
            "etcd/peer",
            "kube-etcd-peer",
            Kind::ServerAndClient,
            Some(ETCD_CA),
            &etcd_hosts,
        ),
        cert(
            "etcd/healthcheck-client",
            "kube-etcd-healthcheck-client",
            Kind::Client,
            Some(ETCD_CA),
            &[],
        ),
        cert(
            "apiserver-etcd-client",
            "kube-apiserver-etcd-client",
            Kind::Client,
            Some(ETCD_CA),
            &[],
        ),
    ]
}

/// Which CA signs the certificate `name`, if it is a leaf of the layout.
pub fn signer_of(name: &str) -> Option<&'static str> {
    match name {
        "apiserver" | "apiserver-kubelet-client" => Some(KUBERNETES_CA),
        "front-proxy-client" => Some(FRONT_PROXY_CA),
        "etcd/server" | "etcd/peer" | "etcd/healthcheck-client" | "apiserver-etcd-client" => {
            Some(ETCD_CA)
        }
        _ => None,
    }
}

fn dedup(hosts: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in hosts {
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::spec::EXAMPLE_SPEC;

    fn spec() -> ClusterSpec {
        ClusterSpec::from_json(EXAMPLE_SPEC.as_bytes(), "example", &key_names()).unwrap()
    }

    #[test]
    fn names_and_signers_agree() {
        let plans = plan(&spec());
        let names: Vec<&str> = plans.iter().map(|p| p.name).collect();
        assert_eq!(names, CERT_NAMES);
        for p in &plans {
            assert_eq!(p.signer, signer_of(p.name), "{}", p.name);
            assert_eq!(p.kind == Kind::Ca, p.signer.is_none(), "{}", p.name);
        }
    }

    #[test]
    fn apiserver_sans_cover_service_nodes_and_load_balancers() {
        let plans = plan(&spec());
        let api = plans.iter().find(|p| p.name == "apiserver").unwrap();
        for host in [
            "kubernetes.default.svc.cluster.local",
            "cp-2",
            "k8s-api.example.com",
            "192.168.10.10",
            "10.96.0.1",
            "192.168.10.13",
        ] {
            assert!(
                api.hosts.iter().any(|h| h == host),
                "{host} missing from {:?}",
                api.hosts
            );
        }
        let etcd = plans.iter().find(|p| p.name == "etcd/peer").unwrap();
        assert!(etcd.hosts.iter().any(|h| h == "::1"));
        assert!(!etcd.hosts.iter().any(|h| h == "kubernetes"));
        assert_eq!(etcd.key, KeyAlgorithm::EcdsaP256);
    }
}
