//! Publishes the signer's CA as a ClusterTrustBundle per signer name, so
//! pods can mount it with a `clusterTrustBundle` projected volume. The API
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

/// Creates or updates one bundle per signer name holding `ca_pem`.
pub async fn publish(
    client: &Client,
    resource: &ApiResource,
    signer_names: &[String],
    ca_pem: &str,
) -> Result<(), kube::Error> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
    for signer in signer_names {
        let name = bundle_name(signer);
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
