//! The second controller: `certificates.k8s.io/v1` PodCertificateRequests
//! for our signer names (the kubelet's requests for `podCertificate`
//! projected volumes), issued with the same CA, profile and issuance path
//! as CertificateSigningRequests (`certkit_core::k8s::pod`).
//!
//! - `reconcile`: one decision per request, written through `/status`
//! - `checks`: the optional checks (the pod exists as the request says,
//!   the user annotations certkit reads)
//! - `status`: the status object the API expects

pub mod checks;
pub mod reconcile;
pub mod status;

use crate::metrics::Metrics;
use crate::signing::SharedSigning;
use certkit_core::k8s::pod::PodPolicy;
use k8s_openapi::api::certificates::v1::PodCertificateRequest;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use kube::Client;
use std::collections::HashMap;
use std::sync::Mutex;

/// The pod-certificate settings of `certkit signer`.
#[derive(Debug, Clone)]
pub struct PodOptions {
    /// Watch PodCertificateRequests at all (`--pod-certificates`).
    pub enabled: bool,
    pub policy: PodPolicy,
    /// A fixed refresh point (fraction of the lifetime) instead of the
    /// 50-80 % jitter (`--pod-refresh-fraction`).
    pub refresh_fraction: Option<f64>,
    /// Check that the pod exists with that UID on that node and runs as
    /// that service account (`--pod-verify`).
    pub verify_pod: bool,
    /// Read the user annotations certkit documents (`--pod-user-annotations`).
    pub user_annotations: bool,
}

/// What every pod reconcile shares.
pub struct PodContext {
    pub client: Client,
    pub signer_names: Vec<String>,
    pub signing: SharedSigning,
    pub metrics: Metrics,
    pub options: PodOptions,
    attempts: Mutex<HashMap<String, u32>>,
}

impl PodContext {
    pub fn new(
        client: Client,
        signer_names: Vec<String>,
        signing: SharedSigning,
        metrics: Metrics,
        options: PodOptions,
    ) -> Self {
        PodContext {
            client,
            signer_names,
            signing,
            metrics,
            options,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn attempts(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.attempts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Whether the server serves `certificates.k8s.io/v1` PodCertificateRequests.
pub async fn served(client: &Client) -> bool {
    use kube::Resource;
    client
        .list_api_group_resources(&PodCertificateRequest::api_version(&()))
        .await
        .is_ok_and(|list: APIResourceList| {
            list.resources
                .iter()
                .any(|r| r.name == PodCertificateRequest::plural(&()))
        })
}
