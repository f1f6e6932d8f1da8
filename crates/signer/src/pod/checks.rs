//! The optional checks, off by default (defence in depth: the API
//! server's NodeRestriction already ties a request to a pod on the
//! requesting node):
//! - `--pod-verify`: the pod exists with the request's UID, is bound to
//!   the request's node, and runs as the request's service account;
//! - `--pod-user-annotations`: the one `userAnnotations` key certkit reads,
//!   [`DNS_NAMES_ANNOTATION`]; every other key is ignored.

use k8s_openapi::api::certificates::v1::PodCertificateRequestSpec;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::Client;
use std::collections::BTreeMap;

/// Comma-separated DNS names the pod asks for; issued only under a
/// profile whose name_whitelist allows each of them.
pub const DNS_NAMES_ANNOTATION: &str = "certkit.dev/dns-names";

/// The DNS names asked for in the annotations (trimmed, no empties, no
/// duplicates).
pub fn requested_dns_names(annotations: Option<&BTreeMap<String, String>>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let value = annotations.and_then(|a| a.get(DNS_NAMES_ANNOTATION));
    for name in value.into_iter().flat_map(|v| v.split(',')) {
        let name = name.trim().to_ascii_lowercase();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `Ok(Err(rule))` when the pod is not what the request says.
pub async fn verify_pod(
    client: &Client,
    namespace: &str,
    spec: &PodCertificateRequestSpec,
) -> Result<Result<(), String>, kube::Error> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let Some(pod) = pods.get_opt(&spec.pod_name).await? else {
        return Ok(Err(format!(
            "pod {namespace}/{} does not exist",
            spec.pod_name
        )));
    };
    Ok(compare(&pod, spec).map_err(|why| format!("pod {namespace}/{}: {why}", spec.pod_name)))
}

/// The request's claims against the pod object.
fn compare(pod: &Pod, spec: &PodCertificateRequestSpec) -> Result<(), String> {
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    if uid != spec.pod_uid {
        return Err(format!(
            "its UID is {uid}, the request says {}",
            spec.pod_uid
        ));
    }
    let pod_spec = pod.spec.clone().unwrap_or_default();
    let node = pod_spec.node_name.unwrap_or_default();
    if node != spec.node_name {
        return Err(format!(
            "it runs on node {node:?}, the request says {:?}",
            spec.node_name
        ));
    }
    let account = pod_spec
        .service_account_name
        .unwrap_or_else(|| "default".into());
    if account != spec.service_account_name {
        return Err(format!(
            "it runs as service account {account:?}, the request says {:?}",
            spec.service_account_name
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::PodSpec;

    #[test]
    fn only_the_documented_key_is_read() {
        let mut a = BTreeMap::new();
        a.insert("example.com/other".to_string(), "x.example".to_string());
        assert!(requested_dns_names(Some(&a)).is_empty());
        a.insert(
            DNS_NAMES_ANNOTATION.to_string(),
            " A.example, b.example,,a.example".to_string(),
        );
        assert_eq!(
            requested_dns_names(Some(&a)),
            vec!["a.example", "b.example"]
        );
        assert!(requested_dns_names(None).is_empty());
    }

    #[test]
    fn the_pod_must_match_the_request() {
        let spec = PodCertificateRequestSpec {
            pod_name: "p".into(),
            pod_uid: "u1".into(),
            node_name: "n1".into(),
            service_account_name: "sa".into(),
            ..Default::default()
        };
        let mut pod = Pod::default();
        pod.metadata.uid = Some("u1".into());
        pod.spec = Some(PodSpec {
            node_name: Some("n1".into()),
            service_account_name: Some("sa".into()),
            ..Default::default()
        });
        assert_eq!(compare(&pod, &spec), Ok(()));
        pod.metadata.uid = Some("u2".into());
        assert!(compare(&pod, &spec).unwrap_err().contains("UID is u2"));
        pod.metadata.uid = Some("u1".into());
        pod.spec.as_mut().unwrap().node_name = Some("n2".into());
        assert!(compare(&pod, &spec).unwrap_err().contains("node \"n2\""));
        pod.spec.as_mut().unwrap().node_name = Some("n1".into());
        pod.spec.as_mut().unwrap().service_account_name = None;
        assert!(compare(&pod, &spec).unwrap_err().contains("\"default\""));
    }
}
