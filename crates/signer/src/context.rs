//! What the reconcile of one request and the approvers it calls share:
//! the client, the signer's settings and state ([`Context`]), and why a
//! reconcile must be retried ([`Error`]).

use crate::metrics::Metrics;
use crate::signing::SharedSigning;
use crate::Options;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use kube::api::Api;
use kube::Client;
use std::collections::HashMap;
use std::sync::Mutex;

/// What every reconcile shares.
pub struct Context {
    pub client: Client,
    pub api: Api<CertificateSigningRequest>,
    pub signer_names: Vec<String>,
    pub approve_kubelet_serving: bool,
    pub serving_limits: certkit_core::k8s::approve::ServingLimits,
    pub approve_kubelet_client: bool,
    pub signing: SharedSigning,
    pub metrics: Metrics,
    /// Failed attempts per object, for the retry backoff.
    attempts: Mutex<HashMap<String, u32>>,
}

impl Context {
    pub fn new(client: Client, opts: &Options, signing: SharedSigning, metrics: Metrics) -> Self {
        Context {
            api: Api::all(client.clone()),
            client,
            signer_names: opts.signer_names.clone(),
            approve_kubelet_serving: opts.approve_kubelet_serving,
            serving_limits: opts.serving_limits.clone(),
            approve_kubelet_client: opts.approve_kubelet_client,
            signing,
            metrics,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn attempts(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.attempts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The retry delay after `attempt` failures of one object: 0.1 s doubling
/// to 30 s (both controllers).
pub(crate) fn retry_delay(attempt: u32) -> std::time::Duration {
    std::time::Duration::from_millis(100)
        .saturating_mul(1u32 << attempt.min(9))
        .min(std::time::Duration::from_secs(30))
}

/// Why a reconcile must be retried.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API: {0}")]
    Api(#[from] kube::Error),
    #[error("{0}")]
    Object(#[from] certkit_core::Error),
    #[error("object does not serialize: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    pub(crate) fn is_conflict(&self) -> bool {
        matches!(self, Error::Api(kube::Error::Api(status)) if status.code == 409)
    }
}
