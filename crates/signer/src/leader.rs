//! Leader election through a `coordination.k8s.io/v1` Lease, with the
//! semantics of client-go's leaderelection: the holder renews every retry
//! period and steps down when it could not renew for the renew deadline; a
//! follower takes the lease over once it has seen no renewal for the lease
//! duration, measured on its own clock (never by comparing clocks). Every
//! write carries the resourceVersion it read, so two candidates racing for
//! the lease cannot both win: one gets 409 Conflict.
//!
//! Leadership saves work; it is not what keeps certificates from being
//! issued twice: each status write also carries the object's
//! resourceVersion (see `reconcile`).

use crate::metrics::Metrics;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Which Lease, who we are, and how long a lease lasts.
#[derive(Debug, Clone)]
pub struct LeaseConfig {
    pub namespace: String,
    pub name: String,
    pub identity: String,
    pub lease_duration: Duration,
}

impl LeaseConfig {
    /// client-go's defaults are 15 s / 10 s / 2 s; the same ratios.
    fn renew_deadline(&self) -> Duration {
        self.lease_duration * 2 / 3
    }

    fn retry_period(&self) -> Duration {
        (self.lease_duration / 7).max(Duration::from_millis(200))
    }
}

/// Runs the election until `shutdown` turns true; `leader` says whether we
/// hold the lease. On shutdown a held lease is released so that another
/// replica takes over at once.
pub async fn run(
    api: Api<Lease>,
    config: LeaseConfig,
    leader: watch::Sender<bool>,
    metrics: Metrics,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut elector = Elector {
        api,
        config,
        observed: None,
    };
    let mut last_renewal: Option<Instant> = None;
    loop {
        let was_leader = *leader.borrow();
        let is_leader = match elector.try_acquire_or_renew().await {
            Ok(held) => {
                if held {
                    last_renewal = Some(Instant::now());
                }
                held
            }
            Err(e) => {
                metrics.api_errors.inc();
                tracing::warn!(lease = %elector.config.name, error = %e, "lease update failed");
                // Keep leading only while the last renewal is recent enough.
                was_leader
                    && last_renewal.is_some_and(|t| t.elapsed() < elector.config.renew_deadline())
            }
        };
        if is_leader != was_leader {
            tracing::info!(
                lease = %elector.config.name,
                identity = %elector.config.identity,
                leader = is_leader,
                "leadership changed"
            );
            metrics.leader.set(i64::from(is_leader));
            leader.send_replace(is_leader);
        }
        tokio::select! {
            _ = tokio::time::sleep(elector.config.retry_period()) => {}
            _ = shutdown.wait_for(|stop| *stop) => break,
        }
    }
    if *leader.borrow() {
        leader.send_replace(false);
        metrics.leader.set(0);
        match elector.release().await {
            Ok(()) => tracing::info!(lease = %elector.config.name, "lease released"),
            Err(e) => {
                tracing::warn!(lease = %elector.config.name, error = %e, "lease release failed")
            }
        }
    }
}

struct Elector {
    api: Api<Lease>,
    config: LeaseConfig,
    /// The lease's resourceVersion when we last saw it change, and when.
    observed: Option<(String, Instant)>,
}

fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(status) if status.code == 409)
}

impl Elector {
    /// Ok(true) when we hold the lease after this round.
    async fn try_acquire_or_renew(&mut self) -> Result<bool, kube::Error> {
        let now = MicroTime(Timestamp::now());
        let duration_secs = self.config.lease_duration.as_secs().max(1) as i32;
        let Some(mut lease) = self.api.get_opt(&self.config.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.config.name.clone()),
                    namespace: Some(self.config.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(self.config.identity.clone()),
                    lease_duration_seconds: Some(duration_secs),
                    acquire_time: Some(now.clone()),
                    renew_time: Some(now),
                    lease_transitions: Some(0),
                    ..LeaseSpec::default()
                }),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(created) => {
                    self.observe(&created);
                    Ok(true)
                }
                Err(e) if is_conflict(&e) => Ok(false),
                Err(e) => Err(e),
            };
        };
        self.observe(&lease);
        let mut spec = lease.spec.clone().unwrap_or_default();
        let holder = spec.holder_identity.clone().unwrap_or_default();
        let ours = holder == self.config.identity;
        if !ours && !holder.is_empty() {
            let held_for = Duration::from_secs(
                spec.lease_duration_seconds.unwrap_or(duration_secs).max(1) as u64,
            );
            let unchanged_for = self.observed.as_ref().map(|(_, at)| at.elapsed());
            if unchanged_for.is_none_or(|d| d < held_for) {
                return Ok(false);
            }
            tracing::info!(lease = %self.config.name, expired_holder = %holder, "lease expired: taking over");
        }
        if !ours {
            spec.holder_identity = Some(self.config.identity.clone());
            spec.acquire_time = Some(now.clone());
            spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
        }
        spec.renew_time = Some(now);
        spec.lease_duration_seconds = Some(duration_secs);
        lease.spec = Some(spec);
        match self
            .api
            .replace(&self.config.name, &PostParams::default(), &lease)
            .await
        {
            Ok(updated) => {
                self.observe(&updated);
                Ok(true)
            }
            Err(e) if is_conflict(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn observe(&mut self, lease: &Lease) {
        let version = lease.metadata.resource_version.clone().unwrap_or_default();
        if self.observed.as_ref().map(|(v, _)| v) != Some(&version) {
            self.observed = Some((version, Instant::now()));
        }
    }

    /// Gives the lease up (no holder, one-second duration), as client-go
    /// does with ReleaseOnCancel.
    async fn release(&mut self) -> Result<(), kube::Error> {
        let Some(mut lease) = self.api.get_opt(&self.config.name).await? else {
            return Ok(());
        };
        let mut spec = lease.spec.clone().unwrap_or_default();
        if spec.holder_identity.as_deref() != Some(self.config.identity.as_str()) {
            return Ok(());
        }
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(MicroTime(Timestamp::now()));
        lease.spec = Some(spec);
        self.api
            .replace(&self.config.name, &PostParams::default(), &lease)
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_keep_client_go_ratios() {
        let config = LeaseConfig {
            namespace: "default".into(),
            name: "l".into(),
            identity: "me".into(),
            lease_duration: Duration::from_secs(15),
        };
        assert_eq!(config.renew_deadline(), Duration::from_secs(10));
        assert!(config.retry_period() >= Duration::from_secs(2));
        // The holder gives up before a follower may take over.
        assert!(config.renew_deadline() + config.retry_period() < config.lease_duration);
        let short = LeaseConfig {
            lease_duration: Duration::from_secs(1),
            ..config
        };
        assert_eq!(short.retry_period(), Duration::from_millis(200));
    }
}
