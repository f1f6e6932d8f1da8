//! The reconcile function, run for every CertificateSigningRequest the
//! watch delivers. For an Approved request for one of our signer names,
//! with no certificate and no Denied or Failed condition, it signs with
//! `certkit_core::k8s::sign::sign_object_in_place` (the path `certkit
//! sign` takes for objects; the leaf, then `--bundle`) and writes the
//! object back through `/status`.
//! The write carries the resourceVersion the object was read at, so of
//! two writers (a stale cache, a second replica) one gets 409 Conflict and
//! its certificate is discarded, never published: one issuance per object.

use crate::approve::{self, Approver};
use crate::context::{Context, Error};
use certkit_core::k8s::sign::{check_signable, sign_object_in_place, ObjectOutcome, SignOptions};
use certkit_core::k8s::CsrObject;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use kube::api::PostParams;
use kube::runtime::controller::Action;
use kube::ResourceExt;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

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
    let options = SignOptions {
        issuer: &signing.issuer,
        profile: &signing.profile,
        signer_name: Some(&signer),
        ignore_approval: false,
        failed_condition: true,
        intermediates: &signing.intermediates,
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
    let delay = crate::context::retry_delay(attempt);
    tracing::warn!(csr = %name, attempt, retry_in_ms = delay.as_millis() as u64, error = %error, "reconcile failed");
    Action::requeue(delay)
}
