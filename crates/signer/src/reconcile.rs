//! The reconcile function, run for every CertificateSigningRequest the
//! watch delivers. For an Approved request for one of our signer names,
//! with no certificate and no Denied or Failed condition, it signs with
//! `certkit_core::k8s::sign::sign_object_in_place` (the path `certkit
//! sign` takes for objects) and writes the object back through `/status`.
//! The write carries the resourceVersion the object was read at, so of
//! two writers (a stale cache, a second replica) one gets 409 Conflict and
//! its certificate is discarded, never published: one issuance per object.

use crate::approve::{self, Approver};
use crate::metrics::Metrics;
use crate::signing::SharedSigning;
use crate::Options;
use certkit_core::k8s::sign::{
    check_signable, sign_object_in_place, Intermediates, ObjectOutcome, SignOptions,
};
use certkit_core::k8s::CsrObject;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use kube::api::{Api, PostParams};
use kube::runtime::controller::Action;
use kube::{Client, ResourceExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

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

    fn attempts(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.attempts.lock().unwrap_or_else(|p| p.into_inner())
    }
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
    fn is_conflict(&self) -> bool {
        matches!(self, Error::Api(kube::Error::Api(status)) if status.code == 409)
    }
}

pub async fn reconcile(
    csr: Arc<CertificateSigningRequest>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let name = csr.name_any();
    let obj = CsrObject::from_value(
        serde_json::to_value(csr.as_ref())?,
        &format!("CertificateSigningRequest {name}"),
    )?;
    match approve::approver_for(
        &obj,
        ctx.approve_kubelet_serving,
        ctx.approve_kubelet_client,
    ) {
        Some(Approver::KubeletServing) => approve::decide_serving(obj, &ctx).await?,
        Some(Approver::KubeletClient) => approve::decide_client(obj, &csr, &ctx).await?,
        None => sign(obj, &ctx).await?,
    }
    ctx.attempts().remove(&name);
    Ok(Action::await_change())
}

/// Signs `obj` if it is ours to sign and writes it back.
async fn sign(mut obj: CsrObject, ctx: &Context) -> Result<(), Error> {
    let Some(signer) = obj
        .signer_name()
        .ok()
        .and_then(|s| ctx.signer_names.iter().find(|n| *n == s))
        .cloned()
    else {
        return Ok(());
    };
    // Pending, Denied, Failed or already issued: nothing to do, no log line.
    if check_signable(&obj, false).is_err() {
        return Ok(());
    }
    let signing = ctx.signing.current();
    let intermediates = Intermediates::default();
    let options = SignOptions {
        issuer: &signing.issuer,
        profile: &signing.profile,
        signer_name: Some(&signer),
        ignore_approval: false,
        failed_condition: true,
        intermediates: &intermediates,
    };
    let name = obj.name().to_string();
    let started = std::time::Instant::now();
    let outcome = match sign_object_in_place(&mut obj, &options) {
        Ok(outcome) => outcome,
        Err(e) => {
            // Not ours after all (cannot happen after the checks above).
            tracing::warn!(csr = %name, signer = %signer, error = %e, "skipped");
            return Ok(());
        }
    };
    let approved_at = obj.approved_at();
    let sign_ms = millis(started.elapsed());
    ctx.api
        .replace_subresource("status", &name, &PostParams::default(), &obj.into_value())
        .await?;
    let write_ms = millis(started.elapsed()) - sign_ms;
    match outcome {
        ObjectOutcome::Signed { serial, warnings } => {
            ctx.metrics.issued.with_label_values(&[&signer]).inc();
            let latency = approved_at.map(|t| (OffsetDateTime::now_utc() - t).as_seconds_f64());
            if let Some(seconds) = latency {
                ctx.metrics.approval_to_issue.observe(seconds.max(0.0));
            }
            tracing::info!(
                csr = %name, signer = %signer, decision = "issued", serial = %serial,
                approval_to_issue_seconds = latency, sign_ms, write_ms, warnings = ?warnings, "decision"
            );
        }
        ObjectOutcome::Failed(rule) => {
            ctx.metrics.failed.with_label_values(&[&signer]).inc();
            tracing::info!(
                csr = %name, signer = %signer, decision = "failed",
                reason = certkit_core::k8s::sign::FAILED_REASON, detail = %rule, "decision"
            );
        }
    }
    Ok(())
}

/// Milliseconds to 0.01, for log lines.
fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// Retries with exponential backoff per object (0.1 s doubling to 30 s);
/// a conflict is retried at once, as the newer version is already on its
/// way through the watch.
pub fn error_policy(
    csr: Arc<CertificateSigningRequest>,
    error: &Error,
    ctx: Arc<Context>,
) -> Action {
    let name = csr.name_any();
    if error.is_conflict() {
        ctx.metrics.conflicts.inc();
        tracing::info!(csr = %name, "conflict: the object changed, retrying on the newer version");
        return Action::requeue(Duration::from_millis(100));
    }
    if matches!(error, Error::Api(_)) {
        ctx.metrics.api_errors.inc();
    }
    let attempt = {
        let mut attempts = ctx.attempts();
        let n = attempts.entry(name.clone()).or_insert(0);
        *n = n.saturating_add(1);
        *n
    };
    let delay = Duration::from_millis(100)
        .saturating_mul(1u32 << attempt.min(9))
        .min(Duration::from_secs(30));
    tracing::warn!(csr = %name, attempt, retry_in_ms = delay.as_millis() as u64, error = %error, "reconcile failed");
    Action::requeue(delay)
}
