//! `--approve-kubelet-serving`: approves a pending kubelet-serving request
//! when `certkit_core::k8s::approve` says the node asked for its own
//! addresses, denies it with the rule otherwise, through the `/approval`
//! subresource with the resourceVersion it read (a racing writer gets 409).

use crate::reconcile::{Context, Error};
use certkit_core::k8s::approve::{kubelet_serving_claim, APPROVED_REASON, DENIED_REASON};
use certkit_core::k8s::object::Approval;
use certkit_core::k8s::signer_rules::BuiltinSigner;
use certkit_core::k8s::CsrObject;
use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, PostParams};
use time::OffsetDateTime;

/// Whether the approver decides this object: a pending kubelet-serving request.
pub fn applies(obj: &CsrObject) -> bool {
    obj.signer_name().ok() == Some(BuiltinSigner::KubeletServing.name())
        && obj.approval() == Approval::Pending
}

/// Approves or denies `obj` and writes the decision.
pub async fn decide(mut obj: CsrObject, ctx: &Context) -> Result<(), Error> {
    let verdict = match kubelet_serving_claim(&obj) {
        Err(rule) => Err(rule),
        Ok(claim) => {
            let nodes: Api<Node> = Api::all(ctx.client.clone());
            match nodes.get_opt(&claim.node).await? {
                None => Err(format!("node {} does not exist", claim.node)),
                Some(node) => {
                    let addresses: Vec<String> = node
                        .status
                        .and_then(|s| s.addresses)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|a| a.address)
                        .collect();
                    claim
                        .check_addresses(&addresses)
                        .map(|()| format!("kubelet serving certificate for node {}", claim.node))
                }
            }
        }
    };
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
    ctx.api
        .replace_subresource("approval", &name, &PostParams::default(), &obj.into_value())
        .await?;
    match verdict {
        Ok(_) => ctx.metrics.approved.inc(),
        Err(_) => ctx.metrics.denied.inc(),
    }
    tracing::info!(csr = %name, decision = %kind.to_lowercase(), reason = %reason, message = %message, "decision");
    Ok(())
}
