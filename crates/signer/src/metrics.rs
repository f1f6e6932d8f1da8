//! Prometheus metrics, served as text on `GET /metrics` (and `GET /healthz`)
//! at `--metrics-address`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use std::net::SocketAddr;

/// Counters of the signer's decisions.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Certificates written into `status.certificate`, per signer name.
    pub issued: IntCounterVec,
    /// Requests given a Failed condition, per signer name.
    pub failed: IntCounterVec,
    /// Requests approved / denied by the approvers.
    pub approved: IntCounter,
    pub denied: IntCounter,
    /// Writes refused with 409 Conflict (another writer got there first).
    pub conflicts: IntCounter,
    /// API errors other than conflicts.
    pub api_errors: IntCounter,
    /// From the Approved condition's timestamp (whole seconds, as the API
    /// stores it) to the certificate being written.
    pub approval_to_issue: Histogram,
    /// 1 while this replica holds the lease (or runs without election).
    pub leader: IntGauge,
    /// PodCertificateRequests issued, denied, failed, per signer name.
    pub pod_issued: IntCounterVec,
    pub pod_denied: IntCounterVec,
    pub pod_failed: IntCounterVec,
    /// From the PodCertificateRequest's creation (whole seconds, as the
    /// API stores it) to its certificate being written.
    pub pod_request_to_issue: Histogram,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let counter_vec = |name: &str, help: &str| {
            let c = IntCounterVec::new(Opts::new(name, help), &["signer"]).expect("valid metric");
            registry
                .register(Box::new(c.clone()))
                .expect("unique metric");
            c
        };
        let counter = |name: &str, help: &str| {
            let c = IntCounter::new(name, help).expect("valid metric");
            registry
                .register(Box::new(c.clone()))
                .expect("unique metric");
            c
        };
        let issued = counter_vec(
            "certkit_signer_issued_total",
            "Certificates written into status.certificate",
        );
        let failed = counter_vec(
            "certkit_signer_failed_total",
            "Requests given a Failed condition (SignerValidationFailure)",
        );
        let approved = counter(
            "certkit_signer_approved_total",
            "Kubelet requests approved automatically",
        );
        let denied = counter(
            "certkit_signer_denied_total",
            "Kubelet serving requests denied automatically",
        );
        let conflicts = counter(
            "certkit_signer_conflicts_total",
            "Status or approval writes refused with 409 Conflict",
        );
        let api_errors = counter(
            "certkit_signer_api_errors_total",
            "Kubernetes API errors other than conflicts",
        );
        let approval_to_issue = Histogram::with_opts(
            HistogramOpts::new(
                "certkit_signer_approval_to_issue_seconds",
                "Seconds from the Approved condition to the certificate being written",
            )
            .buckets(vec![0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0]),
        )
        .expect("valid metric");
        registry
            .register(Box::new(approval_to_issue.clone()))
            .expect("unique metric");
        let leader = IntGauge::new(
            "certkit_signer_leader",
            "1 while this replica is the leader",
        )
        .expect("valid metric");
        registry
            .register(Box::new(leader.clone()))
            .expect("unique metric");
        let pod_issued = counter_vec(
            "certkit_signer_pod_issued_total",
            "PodCertificateRequests issued (status.certificateChain written)",
        );
        let pod_denied = counter_vec(
            "certkit_signer_pod_denied_total",
            "PodCertificateRequests denied (UnsupportedKeyType)",
        );
        let pod_failed = counter_vec(
            "certkit_signer_pod_failed_total",
            "PodCertificateRequests given a Failed condition",
        );
        let pod_request_to_issue = Histogram::with_opts(
            HistogramOpts::new(
                "certkit_signer_pod_request_to_issue_seconds",
                "Seconds from a PodCertificateRequest's creation to its certificate being written",
            )
            .buckets(vec![0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0]),
        )
        .expect("valid metric");
        registry
            .register(Box::new(pod_request_to_issue.clone()))
            .expect("unique metric");
        Metrics {
            registry,
            pod_issued,
            pod_denied,
            pod_failed,
            pod_request_to_issue,
            issued,
            failed,
            approved,
            denied,
            conflicts,
            api_errors,
            approval_to_issue,
            leader,
        }
    }

    /// Shows the per-signer counters at 0 before the first decision.
    pub fn init_signers(&self, signer_names: &[String]) {
        for name in signer_names {
            self.issued.with_label_values(&[name]);
            self.failed.with_label_values(&[name]);
            self.pod_issued.with_label_values(&[name]);
            self.pod_denied.with_label_values(&[name]);
            self.pod_failed.with_label_values(&[name]);
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metrics.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Binds `addr` now (so a taken port fails start-up) and serves until
/// `shutdown` resolves.
pub async fn serve(
    addr: SocketAddr,
    metrics: Metrics,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(address = %listener.local_addr()?, "metrics listening");
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(move || {
                let body = metrics.render();
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4",
                        )],
                        body,
                    )
                }
            }),
        )
        .route("/healthz", axum::routing::get(|| async { "ok" }));
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "metrics server failed");
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric() {
        let m = Metrics::new();
        m.init_signers(&["example.com/serving".to_string()]);
        m.issued.with_label_values(&["example.com/serving"]).inc();
        m.approval_to_issue.observe(0.3);
        let text = m.render();
        assert!(text.contains("certkit_signer_issued_total{signer=\"example.com/serving\"} 1"));
        assert!(text.contains("certkit_signer_approval_to_issue_seconds_bucket{le=\"0.5\"} 1"));
        for name in [
            "failed_total",
            "approved_total",
            "denied_total",
            "conflicts_total",
            "leader",
            "pod_issued_total",
            "pod_denied_total",
            "pod_failed_total",
            "pod_request_to_issue_seconds",
        ] {
            assert!(text.contains(&format!("certkit_signer_{name}")), "{name}");
        }
    }
}
