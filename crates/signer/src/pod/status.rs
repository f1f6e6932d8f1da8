//! The status a signer writes: on issuance the chain, notBefore, notAfter
//! and beginRefreshAt with an `Issued` condition; otherwise one `Denied`
//! or `Failed` condition. The API allows at most one of the three.

use k8s_openapi::api::certificates::v1::PodCertificateRequestStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;
use time::OffsetDateTime;

pub const ISSUED: &str = "Issued";
pub const DENIED: &str = "Denied";
pub const FAILED: &str = "Failed";
/// The reason on our Issued condition.
pub const ISSUED_REASON: &str = "CertkitIssued";

/// Whether the request is decided (issued, denied or failed).
pub fn decided(status: Option<&PodCertificateRequestStatus>) -> bool {
    status.is_some_and(|s| {
        s.certificate_chain.as_ref().is_some_and(|c| !c.is_empty())
            || s.conditions
                .iter()
                .flatten()
                .any(|c| [ISSUED, DENIED, FAILED].contains(&c.type_.as_str()) && c.status == "True")
    })
}

pub fn time(t: OffsetDateTime) -> Time {
    Time(Timestamp::from_second(t.unix_timestamp()).unwrap_or(Timestamp::UNIX_EPOCH))
}

pub fn condition(kind: &str, reason: &str, message: &str, generation: Option<i64>) -> Condition {
    Condition {
        type_: kind.into(),
        status: "True".into(),
        reason: reason.into(),
        // The API caps condition messages at 32768 bytes.
        message: message.chars().take(4000).collect(),
        last_transition_time: time(OffsetDateTime::now_utc()),
        observed_generation: generation,
    }
}

pub fn issued(
    chain: String,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    refresh: OffsetDateTime,
    message: &str,
    generation: Option<i64>,
) -> PodCertificateRequestStatus {
    PodCertificateRequestStatus {
        certificate_chain: Some(chain),
        not_before: Some(time(not_before)),
        not_after: Some(time(not_after)),
        begin_refresh_at: Some(time(refresh)),
        conditions: Some(vec![condition(ISSUED, ISSUED_REASON, message, generation)]),
    }
}

pub fn refused(
    kind: &str,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) -> PodCertificateRequestStatus {
    PodCertificateRequestStatus {
        conditions: Some(vec![condition(kind, reason, message, generation)]),
        ..PodCertificateRequestStatus::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decided_means_any_terminal_condition_or_a_chain() {
        assert!(!decided(None));
        assert!(!decided(Some(&PodCertificateRequestStatus::default())));
        for kind in [ISSUED, DENIED, FAILED] {
            assert!(decided(Some(&refused(kind, "R", "m", None))), "{kind}");
        }
        let mut other = refused("Progressing", "R", "m", None);
        assert!(!decided(Some(&other)));
        other.certificate_chain = Some("x".into());
        assert!(decided(Some(&other)));
    }
}
