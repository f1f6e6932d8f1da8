//! The reconcile of one PodCertificateRequest. A request for one of our
//! signer names that is not yet decided gets exactly one of: the
//! certificate (`Issued`), `Denied` (reason `UnsupportedKeyType`) or
//! `Failed` (the rule in the message). The write goes through `/status`
//! with the resourceVersion the object was read at: of two writers (a
//! stale cache, a second replica) one gets 409 Conflict and its
//! certificate is discarded, never published.

use super::checks::{requested_dns_names, verify_pod};
use super::status::{self, DENIED, FAILED};
use super::PodContext;
use crate::context::Error;
use certkit_core::k8s::pod::lifetime::{begin_refresh_at, jittered_fraction};
use certkit_core::k8s::pod::{issue_pod_certificate, PodIdentity, PodRefusal, PodRequest};
use certkit_core::k8s::sign::FAILED_REASON;
use k8s_openapi::api::certificates::v1::{PodCertificateRequest, PodCertificateRequestStatus};
use kube::api::{Api, PostParams};
use kube::runtime::controller::Action;
use kube::ResourceExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

pub async fn reconcile(
    pcr: Arc<PodCertificateRequest>,
    ctx: Arc<PodContext>,
) -> Result<Action, Error> {
    let key = key(&pcr);
    let Some(signer) = ctx
        .signer_names
        .iter()
        .find(|n| **n == pcr.spec.signer_name)
        .cloned()
    else {
        return Ok(Action::await_change());
    };
    if status::decided(pcr.status.as_ref()) {
        return Ok(Action::await_change());
    }
    decide(&pcr, &signer, &ctx).await?;
    ctx.attempts().remove(&key);
    Ok(Action::await_change())
}

fn key(pcr: &PodCertificateRequest) -> String {
    format!("{}/{}", pcr.namespace().unwrap_or_default(), pcr.name_any())
}

/// The decision, written back; logged and counted once it is stored.
async fn decide(pcr: &PodCertificateRequest, signer: &str, ctx: &PodContext) -> Result<(), Error> {
    let namespace = pcr.namespace().unwrap_or_default();
    let name = pcr.name_any();
    let spec = &pcr.spec;
    let generation = pcr.metadata.generation;
    let started = Instant::now();
    let verdict = if ctx.options.verify_pod {
        verify_pod(&ctx.client, &namespace, spec).await?
    } else {
        Ok(())
    };
    let outcome = match verdict {
        Err(rule) => Err(PodRefusal::Failed(rule)),
        Ok(()) => {
            let signing = ctx.signing.current();
            let request = PodRequest {
                identity: PodIdentity {
                    namespace: namespace.clone(),
                    pod: spec.pod_name.clone(),
                    service_account: spec.service_account_name.clone(),
                },
                stub: &spec.stub_pkc_s10_request.0,
                max_expiration_seconds: spec.max_expiration_seconds.map(i64::from),
                extra_dns_names: if ctx.options.user_annotations {
                    requested_dns_names(spec.unverified_user_annotations.as_ref())
                } else {
                    Vec::new()
                },
            };
            issue_pod_certificate(
                &signing.issuer,
                &signing.profile,
                &signing.intermediates,
                &ctx.options.policy,
                &request,
            )
        }
    };
    let sign_ms = millis(started.elapsed());
    let (new_status, issued) = match &outcome {
        Ok(issued) => {
            let fraction = ctx.options.refresh_fraction.unwrap_or_else(random_fraction);
            let refresh = begin_refresh_at(issued.not_before, issued.not_after, fraction);
            let message = format!("certkit signer: {} for {}", issued.spiffe_id, spec.pod_name);
            let status = status::issued(
                issued.chain_pem.clone(),
                issued.not_before,
                issued.not_after,
                refresh,
                &message,
                generation,
            );
            (status, Some((issued, refresh)))
        }
        Err(PodRefusal::Denied { reason, message }) => (
            status::refused(
                DENIED,
                reason,
                &format!("certkit signer: {message}"),
                generation,
            ),
            None,
        ),
        Err(PodRefusal::Failed(rule)) => (
            status::refused(
                FAILED,
                FAILED_REASON,
                &format!("certkit signer: {rule}"),
                generation,
            ),
            None,
        ),
    };
    write_status(ctx, &namespace, pcr, new_status).await?;
    let write_ms = millis(started.elapsed()) - sign_ms;
    let age = pcr
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|t| (OffsetDateTime::now_utc().unix_timestamp() - t.0.as_second()) as f64);
    match (&outcome, issued) {
        (Ok(_), Some((issued, refresh))) => {
            ctx.metrics.pod_issued.with_label_values(&[signer]).inc();
            if let Some(seconds) = age {
                ctx.metrics.pod_request_to_issue.observe(seconds.max(0.0));
            }
            tracing::info!(
                pcr = %name, namespace = %namespace, signer = %signer, kind = "PodCertificateRequest",
                decision = "issued", serial = %issued.serial, spiffe_id = %issued.spiffe_id,
                key_type = %issued.key_type, not_after = %issued.not_after, begin_refresh_at = %refresh,
                request_to_issue_seconds = age, sign_ms, write_ms, warnings = ?issued.warnings, "decision"
            );
        }
        (Err(PodRefusal::Denied { reason, message }), _) => {
            ctx.metrics.pod_denied.with_label_values(&[signer]).inc();
            tracing::info!(pcr = %name, namespace = %namespace, signer = %signer, kind = "PodCertificateRequest",
                decision = "denied", reason = %reason, detail = %message, "decision");
        }
        (Err(PodRefusal::Failed(rule)), _) => {
            ctx.metrics.pod_failed.with_label_values(&[signer]).inc();
            tracing::info!(pcr = %name, namespace = %namespace, signer = %signer, kind = "PodCertificateRequest",
                decision = "failed", reason = FAILED_REASON, detail = %rule, "decision");
        }
        (Ok(_), None) => {}
    }
    Ok(())
}

/// PUT `/status` carrying the resourceVersion read (409 if it changed).
async fn write_status(
    ctx: &PodContext,
    namespace: &str,
    pcr: &PodCertificateRequest,
    new_status: PodCertificateRequestStatus,
) -> Result<(), Error> {
    let api: Api<PodCertificateRequest> = Api::namespaced(ctx.client.clone(), namespace);
    let mut object = pcr.clone();
    object.status = Some(new_status);
    api.replace_status(&pcr.name_any(), &PostParams::default(), &object)
        .await?;
    Ok(())
}

/// 50-80 % of the lifetime, from the system's random source.
fn random_fraction() -> f64 {
    let mut bytes = [0u8; 4];
    // A failed random source leaves 0: the 50 % point, still valid.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    jittered_fraction(u32::from_be_bytes(bytes))
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// As the CSR controller's: backoff per object, a conflict retried at once
/// (the newer version, possibly already decided, is on its way).
pub fn error_policy(
    pcr: Arc<PodCertificateRequest>,
    error: &Error,
    ctx: Arc<PodContext>,
) -> Action {
    let key = key(&pcr);
    if error.is_conflict() {
        ctx.metrics.conflicts.inc();
        tracing::info!(pcr = %key, "conflict: the object changed, retrying on the newer version");
        return Action::requeue(Duration::from_millis(100));
    }
    if matches!(error, Error::Api(_)) {
        ctx.metrics.api_errors.inc();
    }
    let attempt = {
        let mut attempts = ctx.attempts();
        let n = attempts.entry(key.clone()).or_insert(0);
        *n = n.saturating_add(1);
        *n
    };
    let delay = crate::context::retry_delay(attempt);
    tracing::warn!(pcr = %key, attempt, retry_in_ms = delay.as_millis() as u64, error = %error, "reconcile failed");
    Action::requeue(delay)
}
