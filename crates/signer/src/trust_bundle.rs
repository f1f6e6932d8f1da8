//! Publishes the signer's trust anchor (its CA, or with `--bundle` the
//! bundle's root: `Signing::trust_pem`) as a ClusterTrustBundle per signer
//! name, so pods can mount it with a `clusterTrustBundle` projected volume. The API
//! version is the newest the server serves (v1 from 1.37, v1beta1 from
//! 1.33, v1alpha1 from 1.27); the object is written with server-side apply,
//! so publishing again after a CA change updates it in place.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::Client;

const GROUP: &str = "certificates.k8s.io";
const KIND: &str = "ClusterTrustBundle";
const PLURAL: &str = "clustertrustbundles";
const VERSIONS: [&str; 3] = ["v1", "v1beta1", "v1alpha1"];
/// The field manager for server-side apply.
const MANAGER: &str = "certkit-signer";

/// The bundle's name for a signer: the API requires the signer name with
/// `/` replaced by `:`, then `:` and any suffix.
pub fn bundle_name(signer_name: &str) -> String {
    format!("{}:certkit", signer_name.replace('/', ":"))
}

/// Which version of the ClusterTrustBundle API the server serves, if any.
pub async fn discover(client: &Client) -> Option<ApiResource> {
    for version in VERSIONS {
        let served = client
            .list_api_group_resources(&format!("{GROUP}/{version}"))
            .await
            .is_ok_and(|list: APIResourceList| list.resources.iter().any(|r| r.name == PLURAL));
        if served {
            let gvk = GroupVersionKind::gvk(GROUP, version, KIND);
            return Some(ApiResource::from_gvk_with_plural(&gvk, PLURAL));
        }
    }
    None
}

/// The bundle to publish: `ca_pem` first, then every other certificate of
/// the bundle already published that has not expired. Replacing the
/// bundle with the new CA alone (as before) made pods reject the
/// certificates the old CA had issued and that were still valid; an old CA
/// stays until its own notAfter, which bounds its certificates' (certkit
/// caps them at the CA's), and then drops out at the next publish.
pub fn merged_bundle(existing: &str, ca_pem: &str, now: std::time::SystemTime) -> String {
    use certkit_core::chain::certs::parse_all;
    let new_der: Vec<Vec<u8>> = parse_all(ca_pem.as_bytes())
        .map(|certs| certs.iter().map(|c| c.der.clone()).collect())
        .unwrap_or_default();
    let mut bundle = ca_pem.trim_end().to_string();
    bundle.push('\n');
    let mut kept: Vec<Vec<u8>> = new_der;
    for old in parse_all(existing.as_bytes()).unwrap_or_default() {
        if old.not_after() > now && !kept.contains(&old.der) {
            kept.push(old.der.clone());
            bundle.push_str(&old.pem());
        }
    }
    bundle
}

/// Creates or updates one bundle per signer name holding `ca_pem` and
/// the unexpired certificates the bundle already held ([`merged_bundle`]).
pub async fn publish(
    client: &Client,
    resource: &ApiResource,
    signer_names: &[String],
    ca_pem: &str,
) -> Result<(), kube::Error> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
    for signer in signer_names {
        let name = bundle_name(signer);
        let existing = api
            .get_opt(&name)
            .await?
            .and_then(|o| o.data["spec"]["trustBundle"].as_str().map(String::from))
            .unwrap_or_default();
        let ca_pem = merged_bundle(&existing, ca_pem, std::time::SystemTime::now());
        let object = serde_json::json!({
            "apiVersion": resource.api_version,
            "kind": KIND,
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": MANAGER}},
            "spec": {"signerName": signer, "trustBundle": ca_pem},
        });
        api.patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(&object),
        )
        .await?;
        tracing::info!(bundle = %name, signer = %signer, api_version = %resource.api_version, "ClusterTrustBundle published");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca(cn: &str) -> String {
        let req = certkit_core::request::Request::from_json(
            format!(r#"{{"CN":"{cn}","key":{{"algo":"ecdsa","size":256}}}}"#).as_bytes(),
            "ca",
        )
        .unwrap()
        .request;
        certkit_core::issue::initca::new_ca(&req).unwrap().cert_pem
    }

    /// S18: a CA rotation keeps the old CA in the bundle while it is
    /// unexpired (its certificates are still valid), once; an expired one
    /// drops out.
    #[test]
    fn a_rotated_bundle_keeps_the_unexpired_old_ca() {
        let (old, new) = (ca("Old CA"), ca("New CA"));
        let now = std::time::SystemTime::now();
        let first = merged_bundle("", &old, now);
        assert_eq!(first.matches("BEGIN CERTIFICATE").count(), 1);
        let rotated = merged_bundle(&first, &new, now);
        assert_eq!(rotated.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(
            rotated.starts_with(new.trim_end()),
            "the new CA comes first"
        );
        assert_eq!(merged_bundle(&rotated, &new, now), rotated, "idempotent");
        let years = std::time::Duration::from_secs(100 * 365 * 24 * 3600);
        let later = merged_bundle(&rotated, &new, now + years);
        assert_eq!(later.matches("BEGIN CERTIFICATE").count(), 1);
    }

    #[test]
    fn names_follow_the_api_rule() {
        assert_eq!(
            bundle_name("example.com/serving"),
            "example.com:serving:certkit"
        );
        assert_eq!(
            bundle_name("kubernetes.io/kubelet-serving"),
            "kubernetes.io:kubelet-serving:certkit"
        );
    }
}
