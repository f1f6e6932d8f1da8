//! The service: loads the CA, connects, elects a leader, and runs the
//! controller while it leads, until SIGTERM or SIGINT.

use crate::context::Context;
use crate::leader::{self, LeaseConfig};
use crate::metrics::{self, Metrics};
use crate::pod::{self, PodContext};
use crate::reconcile;
use crate::signing::{SharedSigning, Signing, SigningSources};
use crate::{trust_bundle, Options};
use certkit_core::error::{Error, Result, UsageError};
use futures::StreamExt;
use k8s_openapi::api::certificates::v1::PodCertificateRequest;
use kube::api::{Api, ApiResource};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::{controller, watcher, Controller};
use kube::Client;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Runs the signer until it is told to stop. Start-up problems (CA, config,
/// kubeconfig, metrics port) are errors before anything is watched.
pub fn run(opts: Options) -> Result<()> {
    init_logging();
    if opts.signer_names.is_empty() {
        return Err(UsageError::missing(
            "no signer name given (--signer-name NAME)",
        ));
    }
    for name in &opts.signer_names {
        if !name
            .split_once('/')
            .is_some_and(|(domain, path)| domain.contains('.') && !path.is_empty())
        {
            return Err(UsageError::bad_value(
                format!("--signer-name {name:?}"),
                "a signer name is a domain and a path, e.g. example.com/serving",
            ));
        }
    }
    let (signing, warnings) = opts.signing.load()?;
    for warning in warnings {
        tracing::warn!(detail = %warning, "config");
    }
    let runtime = certkit_runtime::service()
        .map_err(|e| Error::Service(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(serve(opts, signing))
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // One JSON object per line on stderr; a second init (tests) is harmless.
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn serve(opts: Options, signing: Signing) -> Result<()> {
    let client = client(&opts).await?;
    let metrics = Metrics::new();
    metrics.init_signers(&opts.signer_names);
    let (shutdown_tx, shutdown) = watch::channel(false);
    tokio::spawn(stop_on_signal(shutdown_tx));
    let metrics_task = match opts.metrics_address {
        Some(addr) => Some(
            metrics::serve(addr, metrics.clone(), stopped(shutdown.clone()))
                .await
                .map_err(|e| Error::Service(format!("--metrics-address {addr}: {e}")))?,
        ),
        None => None,
    };

    let (leader_tx, leader) = watch::channel(!opts.leader_elect);
    let election = if opts.leader_elect {
        let config = lease_config(&opts);
        tracing::info!(lease = %config.name, namespace = %config.namespace, identity = %config.identity,
            lease_duration_seconds = config.lease_duration.as_secs(), "leader election");
        let api = Api::namespaced(client.clone(), &config.namespace);
        Some(tokio::spawn(leader::run(
            api,
            config,
            leader_tx,
            metrics.clone(),
            shutdown.clone(),
        )))
    } else {
        metrics.leader.set(1);
        // Kept alive so that `leader` stays true.
        tokio::spawn(async move {
            leader_tx.closed().await;
        });
        None
    };

    let bundles = if opts.cluster_trust_bundle {
        let found = trust_bundle::discover(&client).await;
        if found.is_none() {
            tracing::warn!("the server offers no ClusterTrustBundle API: the CA is not published");
        }
        found
    } else {
        None
    };
    if bundles.is_some() {
        warn_trust_anchor(&signing);
    }
    let shared = SharedSigning::new(signing);
    tokio::spawn(reload(
        opts.clone(),
        shared.clone(),
        client.clone(),
        bundles.clone(),
        leader.clone(),
        shutdown.clone(),
    ));

    let pods = if opts.pods.enabled {
        let served = pod::served(&client).await;
        if !served {
            tracing::warn!("the server offers no certificates.k8s.io/v1 PodCertificateRequest API: pod certificates are not issued");
        }
        served.then(|| {
            Arc::new(PodContext::new(
                client.clone(),
                opts.signer_names.clone(),
                shared.clone(),
                metrics.clone(),
                opts.pods.clone(),
            ))
        })
    } else {
        None
    };
    let ctx = Arc::new(Context::new(client.clone(), &opts, shared.clone(), metrics));
    let mut leading = leader.clone();
    let mut stopping = shutdown.clone();
    loop {
        tokio::select! {
            _ = leading.wait_for(|l| *l) => {}
            _ = stopping.wait_for(|s| *s) => break,
        }
        if *shutdown.borrow() {
            break;
        }
        if let Some(resource) = &bundles {
            publish(
                &client,
                resource,
                &opts.signer_names,
                &shared.current().trust_pem,
            )
            .await;
        }
        tracing::info!(signers = ?opts.signer_names, pod_certificates = pods.is_some(), "controller started");
        let csrs = Controller::new(ctx.api.clone(), watcher::Config::default())
            .with_config(controller::Config::default().concurrency(opts.concurrency))
            .graceful_shutdown_on(lost_or_stopped(leader.clone(), shutdown.clone()))
            .run(reconcile::reconcile, reconcile::error_policy, ctx.clone())
            .for_each(log_watch_error);
        let pod_requests = async {
            if let Some(pod_ctx) = &pods {
                let api: Api<PodCertificateRequest> = Api::all(client.clone());
                Controller::new(api, watcher::Config::default())
                    .with_config(controller::Config::default().concurrency(opts.concurrency))
                    .graceful_shutdown_on(lost_or_stopped(leader.clone(), shutdown.clone()))
                    .run(
                        pod::reconcile::reconcile,
                        pod::reconcile::error_policy,
                        pod_ctx.clone(),
                    )
                    .for_each(log_watch_error)
                    .await;
            }
        };
        // Both stop together: on losing the lease or on shutdown.
        tokio::join!(csrs, pod_requests);
        tracing::info!("controller stopped");
    }
    if let Some(task) = election {
        // Releases the lease so another replica takes over at once.
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    if let Some(task) = metrics_task {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Reconcile failures are logged by the error policies; this is the watch.
async fn log_watch_error<T, E: std::error::Error + 'static, Q: std::error::Error + 'static>(
    result: Result<T, controller::Error<E, Q>>,
) {
    if let Err(e @ controller::Error::QueueError(_)) = result {
        tracing::warn!(error = %e, "watch failed, retrying");
    }
}

async fn client(opts: &Options) -> Result<Client> {
    let config = match &opts.kubeconfig {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(path)
                .map_err(|e| Error::Service(format!("{}: {e}", path.display())))?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                .await
                .map_err(|e| Error::Service(format!("{}: {e}", path.display())))?
        }
        None => kube::Config::infer().await.map_err(|e| {
            Error::Service(format!(
                "no Kubernetes configuration (in-cluster or kubeconfig): {e}"
            ))
        })?,
    };
    Client::try_from(config).map_err(|e| Error::Service(format!("Kubernetes client: {e}")))
}

fn lease_config(opts: &Options) -> LeaseConfig {
    let namespace = opts
        .lease_namespace
        .clone()
        .or_else(|| std::env::var("POD_NAMESPACE").ok())
        .or_else(|| {
            std::fs::read_to_string("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    let host = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "certkit-signer".into());
    let mut nonce = [0u8; 4];
    // A fresh suffix per process: a restarted pod is a new candidate.
    let _ = aws_lc_rs::rand::fill(&mut nonce);
    LeaseConfig {
        namespace,
        name: opts.lease_name.clone(),
        identity: format!("{host}_{}", hex::encode(nonce)),
        lease_duration: opts.lease_duration,
    }
}

async fn stop_on_signal(shutdown: watch::Sender<bool>) {
    let stop = certkit_runtime::shutdown_signal().await;
    tracing::info!(signal = stop.name(), "shutting down");
    shutdown.send_replace(true);
}

async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|s| *s).await;
}

async fn lost_or_stopped(mut leader: watch::Receiver<bool>, mut shutdown: watch::Receiver<bool>) {
    tokio::select! {
        _ = leader.wait_for(|l| !*l) => {}
        _ = shutdown.wait_for(|s| *s) => {}
    }
}

async fn publish(client: &Client, resource: &ApiResource, signers: &[String], anchor_pem: &str) {
    if let Err(e) = trust_bundle::publish(client, resource, signers, anchor_pem).await {
        tracing::warn!(error = %e, "ClusterTrustBundle not published");
    }
}

/// Once per load, when the trust bundles will publish a certificate that
/// is not a root (`--bundle` stops below one).
fn warn_trust_anchor(signing: &Signing) {
    if let Some(warning) = &signing.trust_warning {
        tracing::warn!(detail = %warning, "trust anchor is not self-signed");
    }
}

/// Reloads the CA, profile and bundle when their files change (the bundle
/// checked against the new CA), and republishes
/// the trust bundles while leading. A change that does not load keeps the
/// old CA (and is reported once).
async fn reload(
    opts: Options,
    shared: SharedSigning,
    client: Client,
    bundles: Option<ApiResource>,
    leader: watch::Receiver<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let sources: &SigningSources = &opts.signing;
    let mut refused = String::new();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(opts.reload_interval) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        let fingerprint = sources.fingerprint();
        if fingerprint == shared.current().fingerprint || fingerprint == refused {
            continue;
        }
        match sources.load() {
            Ok((signing, _)) => {
                tracing::info!(ca = %sources.ca, "CA, config or bundle changed: reloaded");
                if bundles.is_some() {
                    warn_trust_anchor(&signing);
                }
                let anchor_pem = signing.trust_pem.clone();
                shared.replace(signing);
                let leading = *leader.borrow();
                if let (Some(resource), true) = (&bundles, leading) {
                    publish(&client, resource, &opts.signer_names, &anchor_pem).await;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "CA, config or bundle changed but does not load: still signing with the old one");
                refused = fingerprint;
            }
        }
    }
}
