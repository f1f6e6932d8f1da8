//! Automatic approval, through the `/approval` subresource with the
//! resourceVersion it read (a racing writer gets 409):
//! - `--approve-kubelet-serving`: a pending kubelet-serving request is
//!   approved when `certkit_core::k8s::approve` says the node asked for its
//!   own addresses, denied with the rule otherwise;
//! - `--approve-kubelet-client`: a pending kubelet client request that
//!   passes its signer's rules is approved when its requester may `create`
//!   `certificatesigningrequests/selfnodeclient` (a node renewing) or
//!   `.../nodeclient` (bootstrap), asked with a SubjectAccessReview as
//!   kube-controller-manager does; otherwise it is left pending.
//!
//! A denial is also reported as an Event about the request (reason
//! `CertkitAutoDenied`, the rule as its note), so that `kubectl get events`
//! and `kubectl describe csr` say why.

use crate::context::{Context, Error};
use certkit_core::k8s::approve::{
    kubelet_client_claim, kubelet_serving_claim, APPROVED_REASON, DENIED_REASON,
};
use certkit_core::k8s::broken_rule::BrokenRule;
use certkit_core::k8s::object::Approval;
use certkit_core::k8s::signer_rules::BuiltinSigner;
use certkit_core::k8s::CsrObject;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Api, PostParams};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use time::OffsetDateTime;

/// The approvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approver {
    KubeletServing,
    KubeletClient,
}

/// The approver that decides this object, if one is on and it is pending.
pub fn approver_for(obj: &CsrObject, serving: bool, client: bool) -> Option<Approver> {
    if obj.approval() != Approval::Pending {
        return None;
    }
    match obj.signer_name().ok().and_then(BuiltinSigner::from_name) {
        Some(BuiltinSigner::KubeletServing) if serving => Some(Approver::KubeletServing),
        Some(BuiltinSigner::KubeletClient) if client => Some(Approver::KubeletClient),
        _ => None,
    }
}

/// Approves a kubelet client request when its requester has the
/// permission for it; leaves it pending otherwise.
pub async fn decide_client(
    obj: CsrObject,
    csr: &CertificateSigningRequest,
    ctx: &Context,
) -> Result<(), Error> {
    let name = obj.name().to_string();
    let claim = match kubelet_client_claim(&obj) {
        Ok(claim) => claim,
        Err(rule) => {
            tracing::info!(csr = %name, decision = "left pending", detail = %rule, "decision");
            return Ok(());
        }
    };
    let spec = &csr.spec;
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: spec.username.clone(),
            groups: spec.groups.clone(),
            uid: spec.uid.clone(),
            extra: spec.extra.clone(),
            resource_attributes: Some(ResourceAttributes {
                group: Some("certificates.k8s.io".into()),
                resource: Some("certificatesigningrequests".into()),
                subresource: Some(claim.subresource.into()),
                verb: Some("create".into()),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    let reviews: Api<SubjectAccessReview> = Api::all(ctx.client.clone());
    let allowed = reviews
        .create(&PostParams::default(), &review)
        .await?
        .status
        .is_some_and(|s| s.allowed);
    let requester = spec.username.clone().unwrap_or_default();
    let permission = format!("create certificatesigningrequests/{}", claim.subresource);
    if !allowed {
        tracing::info!(csr = %name, decision = "left pending",
            detail = %format!("{requester} may not {permission}"), "decision");
        return Ok(());
    }
    let why = format!(
        "kubelet client certificate for node {} ({requester} may {permission})",
        claim.node
    );
    write(obj, Ok(why), ctx).await
}

/// Approves or denies a kubelet serving request and writes the decision.
pub async fn decide_serving(obj: CsrObject, ctx: &Context) -> Result<(), Error> {
    let verdict = match kubelet_serving_claim(&obj) {
        Err(rule) => Err(rule),
        // S9: the operator's limits first: the node's addresses are what
        // the node itself wrote, so they alone prove nothing.
        Ok(claim) => match claim.check_limits(&ctx.serving_limits) {
            Err(rule) => Err(rule),
            Ok(()) => {
                let nodes: Api<Node> = Api::all(ctx.client.clone());
                match nodes.get_opt(&claim.node).await? {
                    None => Err(format!("node {} does not exist", claim.node).into()),
                    Some(node) => {
                        let addresses: Vec<String> = node
                            .status
                            .and_then(|s| s.addresses)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|a| a.address)
                            .collect();
                        claim.check_addresses(&addresses).map(|()| {
                            format!("kubelet serving certificate for node {}", claim.node)
                        })
                    }
                }
            }
        },
    };
    write(obj, verdict, ctx).await
}

/// Writes an Approved (Ok, why) or Denied (Err, the rule) condition.
async fn write(
    mut obj: CsrObject,
    verdict: Result<String, BrokenRule>,
    ctx: &Context,
) -> Result<(), Error> {
    let name = obj.name().to_string();
    let now = OffsetDateTime::now_utc();
    let (kind, reason, message) = match &verdict {
        Ok(why) => (
            "Approved",
            APPROVED_REASON,
            format!("certkit signer: {why}"),
        ),
        Err(rule) => ("Denied", DENIED_REASON, format!("certkit signer: {rule}")),
    };
    obj.add_condition(kind, reason, &message, now);
    let uid = obj.as_value()["metadata"]["uid"].as_str().map(String::from);
    ctx.api
        .replace_subresource("approval", &name, &PostParams::default(), &obj.into_value())
        .await?;
    if verdict.is_err() {
        deny_event(ctx, &name, uid, &message).await;
    }
    match verdict {
        Ok(_) => ctx.metrics.approved.inc(),
        Err(_) => ctx.metrics.denied.inc(),
    }
    tracing::info!(csr = %name, decision = %kind.to_lowercase(), reason = %reason, detail = %message, "decision");
    Ok(())
}

/// An Event (events.k8s.io) about a denied request; a failure to write it
/// is logged and otherwise ignored: the Denied condition is the decision.
async fn deny_event(ctx: &Context, name: &str, uid: Option<String>, message: &str) {
    let recorder = Recorder::new(
        ctx.client.clone(),
        Reporter {
            controller: "certkit-signer".into(),
            instance: std::env::var("POD_NAME").ok(),
        },
    );
    let reference = ObjectReference {
        api_version: Some("certificates.k8s.io/v1".into()),
        kind: Some("CertificateSigningRequest".into()),
        name: Some(name.into()),
        uid,
        ..ObjectReference::default()
    };
    let event = Event {
        type_: EventType::Warning,
        reason: DENIED_REASON.into(),
        note: Some(message.chars().take(1000).collect()),
        action: "Deny".into(),
        secondary: None,
    };
    if let Err(e) = recorder.publish(&event, &reference).await {
        tracing::warn!(csr = %name, error = %e, "could not write the denial's Event");
    }
}
