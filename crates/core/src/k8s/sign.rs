//! Signing CertificateSigningRequest objects as a Kubernetes signer does:
//! only approved requests for our signer, the profile narrowed to what the
//! request asks for, the certificate (and chain) written back into
//! `status.certificate`, or a `Failed` condition when asked for one.

use super::broken_rule::BrokenRule;
use super::document::Document;
use super::object::{Approval, CsrObject};
use super::signer_rules::BuiltinSigner;
use crate::chain::certs::Cert;
use crate::csr::VerifiedCsr;
use crate::error::{Error, Result};
use crate::issue::issuer::{Issued, Issuer};
use crate::policy::{parse_usage, Profile};
use crate::request::name::to_slash_string;
use std::time::Duration;
use time::OffsetDateTime;
use x509_cert::Certificate;

/// The reason written into `Failed` conditions, as kube-controller-manager's
/// signers write it.
pub const FAILED_REASON: &str = "SignerValidationFailure";

/// How to sign objects: the CA and profile, and the signer's choices.
pub struct SignOptions<'a> {
    pub issuer: &'a Issuer,
    pub profile: &'a Profile,
    /// Only objects with this `spec.signerName` are signed.
    pub signer_name: Option<&'a str>,
    /// Sign requests that have no Approved condition (never Denied or Failed ones).
    pub ignore_approval: bool,
    /// Write a `Failed` condition for invalid requests instead of failing.
    pub failed_condition: bool,
    /// Certificates appended after the leaf in `status.certificate`.
    pub intermediates: &'a Intermediates,
}

/// The signed document and what happened to each object.
#[derive(Debug)]
pub struct SignReport {
    /// The document, rendered in its input format.
    pub output: String,
    /// (object name, decimal serial) for each certificate issued.
    pub signed: Vec<(String, String)>,
    /// (object name, reason) for each Failed condition written.
    pub failed: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// Why an object was not signed.
enum Refusal {
    /// Not this signer's to touch (other signer, not approved, decided):
    /// never answered with a Failed condition.
    NotOurs(String),
    /// An invalid request: a Failed condition when asked for.
    Invalid(String),
}

fn invalid(e: impl std::fmt::Display) -> Refusal {
    Refusal::Invalid(e.to_string())
}

/// Signs every object of `doc`, all or nothing: the first refusal (that
/// is not written as a Failed condition) is the error and nothing is output.
pub fn sign_document(mut doc: Document, opts: &SignOptions) -> Result<SignReport> {
    let mut report = SignReport {
        output: String::new(),
        signed: Vec::new(),
        failed: Vec::new(),
        warnings: Vec::new(),
    };
    for item in doc.items.iter_mut() {
        let name = item.name().to_string();
        match sign_object_in_place(item, opts)? {
            ObjectOutcome::Signed { serial, warnings } => {
                report
                    .warnings
                    .extend(warnings.iter().map(|w| format!("{name}: {w}")));
                report.signed.push((name, serial));
            }
            ObjectOutcome::Failed(msg) => report.failed.push((name, msg)),
        }
    }
    report.output = doc.render()?;
    Ok(report)
}

/// What signing one object did to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectOutcome {
    /// `status.certificate` is set (the leaf, then the intermediates).
    Signed {
        /// The certificate's serial number, in decimal.
        serial: String,
        warnings: Vec<String>,
    },
    /// The request is invalid and a `Failed` condition was added (only with
    /// `failed_condition`); the message names the rule.
    Failed(String),
}

/// Signs one object in place: the path `certkit sign` takes for each object
/// of a document and the signer controller takes for each request it
/// sees. An error is a refusal: not this signer's to decide (other signer,
/// not approved, already decided or issued), or invalid without
/// `failed_condition`; the object is then unchanged.
pub fn sign_object_in_place(obj: &mut CsrObject, opts: &SignOptions) -> Result<ObjectOutcome> {
    match sign_object(obj, opts) {
        Ok(issued) => {
            obj.set_certificate(&opts.intermediates.chain(&issued.cert_pem));
            Ok(ObjectOutcome::Signed {
                serial: issued.serial,
                warnings: issued.warnings,
            })
        }
        Err(Refusal::Invalid(msg)) if opts.failed_condition => {
            obj.add_failed_condition(FAILED_REASON, &msg, OffsetDateTime::now_utc());
            Ok(ObjectOutcome::Failed(msg))
        }
        Err(Refusal::Invalid(msg) | Refusal::NotOurs(msg)) => Err(Error::Refused(format!(
            "CertificateSigningRequest {}: {msg}",
            obj.name()
        ))),
    }
}

/// Why a certificate may not be written into an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotSignable {
    #[error("not approved (run kubectl certificate approve first)")]
    NotApproved,
    #[error("the request was denied")]
    Denied,
    #[error("the request already has a Failed condition")]
    Failed,
    #[error("status.certificate is already set")]
    AlreadyIssued,
}

/// Whether a certificate may be written into this object at all: approved
/// (or `ignore_approval` and merely pending), never Denied or Failed, no
/// certificate yet. The error says why not.
pub fn check_signable(obj: &CsrObject, ignore_approval: bool) -> Result<(), NotSignable> {
    match obj.approval() {
        Approval::Approved => {}
        Approval::Pending if ignore_approval => {}
        Approval::Pending => return Err(NotSignable::NotApproved),
        Approval::Denied => return Err(NotSignable::Denied),
        Approval::Failed => return Err(NotSignable::Failed),
    }
    if obj.has_certificate() {
        return Err(NotSignable::AlreadyIssued);
    }
    Ok(())
}

fn sign_object(obj: &CsrObject, opts: &SignOptions) -> Result<Issued, Refusal> {
    let signer = obj.signer_name().map_err(invalid)?;
    if let Some(wanted) = opts.signer_name {
        if signer != wanted {
            return Err(Refusal::NotOurs(format!(
                "spec.signerName is {signer:?}, not {wanted:?}"
            )));
        }
    }
    check_signable(obj, opts.ignore_approval).map_err(|e| Refusal::NotOurs(e.to_string()))?;
    let request = obj.request().map_err(invalid)?;
    let what = format!("CertificateSigningRequest {}: spec.request", obj.name());
    let csr = VerifiedCsr::parse(&request, &what).map_err(invalid)?;
    let usages = obj.usages().map_err(invalid)?;
    let profile = restrict_profile(
        opts.profile,
        &usages,
        obj.expiration_seconds().map_err(invalid)?,
    )
    .map_err(invalid)?;
    if let Some(builtin) = BuiltinSigner::from_name(signer) {
        builtin
            .check(&csr, &usages, profile.ca_constraint.is_ca)
            .map_err(invalid)?;
    }
    opts.issuer.sign(&csr, &profile, None).map_err(invalid)
}

/// The profile narrowed to one request: exactly the requested usages (each
/// of which the profile must allow) and the requested lifetime when it is
/// shorter than the profile's.
pub fn restrict_profile(
    profile: &Profile,
    usage_words: &[String],
    expiration_seconds: Option<u64>,
) -> Result<Profile, BrokenRule> {
    let mut restricted = profile.clone();
    restricted.usages.clear();
    restricted.usage_words.clear();
    for word in usage_words {
        let usage = parse_usage(word)
            .ok_or_else(|| BrokenRule::from(format!("spec.usages: unknown usage {word:?}")))?;
        if !profile.usages.contains(&usage) {
            return Err(format!(
                "spec.usages: {word:?} is not allowed by profile {:?} (it allows: {})",
                profile.name,
                profile.usage_words.join(", ")
            )
            .into());
        }
        if !restricted.usages.contains(&usage) {
            restricted.usages.push(usage);
            restricted.usage_words.push(word.clone());
        }
    }
    if let Some(seconds) = expiration_seconds {
        // expirationSeconds is the usable lifetime from now, as the
        // Kubernetes signers read it; the backdate comes on top.
        let requested = Duration::from_secs(seconds);
        restricted.expiry = restricted
            .expiry
            .min(requested.saturating_add(restricted.backdate));
        if let Some(not_after) = profile.not_after {
            let start = profile.not_before.unwrap_or_else(OffsetDateTime::now_utc);
            restricted.not_after = Some(
                not_after
                    .min(start.saturating_add(requested.try_into().unwrap_or(time::Duration::MAX))),
            );
        }
    }
    Ok(restricted)
}

/// Certificates that follow the leaf in `status.certificate` (and in a
/// PodCertificateRequest's `status.certificateChain`): the signing CA
/// first, then each certificate's issuer in turn.
#[derive(Debug, Default, Clone)]
pub struct Intermediates {
    pems: Vec<String>,
    /// The last certificate's subject, and whether it signed itself (a root).
    top: Option<(String, bool)>,
}

/// The topmost certificate of a bundle: what a trust bundle holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Top<'a> {
    pub pem: &'a str,
    /// The subject, as `/CN=...` text, for messages.
    pub subject: &'a str,
    /// Signed by its own key: a root. Otherwise the bundle stops below one.
    pub self_signed: bool,
}

impl Intermediates {
    /// Reads a PEM bundle and checks it chains up from `ca`: the first
    /// certificate is the CA (its name and key), each next one issued the
    /// previous one (its name, and its key verifies the signature: a root
    /// regenerated under the same name does not pass).
    pub fn load(bytes: &[u8], source: &str, ca: &Certificate) -> Result<Intermediates> {
        let blocks =
            pem::parse_many(bytes).map_err(|e| Error::decode(source, format!("not PEM: {e}")))?;
        let mut expected = ca.tbs_certificate().subject().clone();
        let mut pems = Vec::new();
        let mut previous: Option<Cert> = None;
        for (i, block) in blocks.iter().enumerate() {
            let n = i + 1;
            if block.tag() != "CERTIFICATE" {
                return Err(Error::decode(
                    source,
                    format!("block {n}: {} is not a CERTIFICATE", block.tag()),
                ));
            }
            let cert = Cert::from_der(block.contents())
                .map_err(|e| Error::decode(source, format!("certificate {n}: {e}")))?;
            let tbs = cert.cert.tbs_certificate();
            if tbs.subject() != &expected {
                return Err(Error::decode(
                    source,
                    format!(
                        "certificate {n} is {}, expected {} (the bundle must start with the signing CA, then each issuer in turn)",
                        to_slash_string(tbs.subject()),
                        to_slash_string(&expected)
                    ),
                ));
            }
            match &previous {
                None if tbs.subject_public_key_info()
                    != ca.tbs_certificate().subject_public_key_info() =>
                {
                    return Err(Error::decode(
                        source,
                        format!(
                            "certificate 1 is named {} but holds another key than the signing CA (the bundle must start with the signing CA)",
                            to_slash_string(tbs.subject())
                        ),
                    ));
                }
                Some(child) if !child.signed_by(&cert) => {
                    return Err(Error::decode(
                        source,
                        format!(
                            "certificate {n} ({}) did not sign certificate {i}: same name, another key (the bundle must start with the signing CA, then each issuer in turn)",
                            to_slash_string(tbs.subject())
                        ),
                    ));
                }
                _ => {}
            }
            expected = tbs.issuer().clone();
            pems.push(cert.pem());
            previous = Some(cert);
        }
        let Some(last) = previous else {
            return Err(Error::decode(source, "no certificates found"));
        };
        let top = Some((
            to_slash_string(last.cert.tbs_certificate().subject()),
            last.is_self_signed(),
        ));
        Ok(Intermediates { pems, top })
    }

    /// The leaf followed by these certificates.
    pub fn chain(&self, leaf_pem: &str) -> String {
        let mut out = leaf_pem.to_string();
        for pem in &self.pems {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(pem);
        }
        out
    }

    /// The bundle's last certificate: the root when the bundle reaches one.
    /// None for no bundle.
    pub fn top(&self) -> Option<Top<'_>> {
        let pem = self.pems.last()?;
        let (subject, self_signed) = self.top.as_ref()?;
        Some(Top {
            pem,
            subject,
            self_signed: *self_signed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::SigningConfig;

    fn profile() -> Profile {
        let json = r#"{"signing":{"default":{"usages":["digital signature","key encipherment","server auth"],"expiry":"876000h"}}}"#;
        SigningConfig::from_json(json.as_bytes(), "c")
            .unwrap()
            .config
            .default
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    /// A root, an intermediate it signed (`gencert`'s steps under a CA
    /// profile) and an issuer for the intermediate: (root PEM,
    /// intermediate PEM, issuer).
    fn two_tier(root_cn: &str) -> (String, String, Issuer) {
        use crate::issue::{batch::issue_leaf, initca::new_ca};
        use crate::request::Request;
        let request = |cn: &str| {
            let json = format!(r#"{{"CN":"{cn}","key":{{"algo":"ecdsa","size":256}}}}"#);
            Request::from_json(json.as_bytes(), "r").unwrap().request
        };
        let root = new_ca(&request(root_cn)).unwrap();
        let root_issuer =
            Issuer::load(root.cert_pem.as_bytes(), "r", root.key_pem.as_bytes(), "k").unwrap();
        let int = issue_leaf(
            &root_issuer,
            &Profile::ca_default(),
            &request("Intermediate"),
        )
        .unwrap();
        let issuer =
            Issuer::load(int.cert_pem.as_bytes(), "i", int.key_pem.as_bytes(), "k").unwrap();
        (root.cert_pem, int.cert_pem, issuer)
    }

    #[test]
    fn a_bundle_up_to_the_root_has_the_root_on_top() {
        let (root, int, issuer) = two_tier("Root");
        let full = Intermediates::load(
            format!("{int}{root}").as_bytes(),
            "chain.pem",
            issuer.certificate(),
        )
        .unwrap();
        let chain = full.chain("LEAF\n");
        assert_eq!(chain, format!("LEAF\n{int}{root}"));
        let top = full.top().unwrap();
        assert_eq!(top.pem, root);
        assert!(top.self_signed);
        assert_eq!(top.subject, "/CN=Root");

        let short = Intermediates::load(int.as_bytes(), "int.pem", issuer.certificate()).unwrap();
        let top = short.top().unwrap();
        assert_eq!(top.pem, int);
        assert!(!top.self_signed, "the intermediate is not a root");
        assert!(Intermediates::default().top().is_none());
        assert_eq!(Intermediates::default().chain("LEAF\n"), "LEAF\n");
    }

    #[test]
    fn a_bundle_out_of_order_or_not_chaining_names_the_file() {
        let (root, int, issuer) = two_tier("Root");
        let err = |bytes: String| {
            Intermediates::load(bytes.as_bytes(), "chain.pem", issuer.certificate())
                .unwrap_err()
                .to_string()
        };
        let reversed = err(format!("{root}{int}"));
        assert!(
            reversed.starts_with("chain.pem")
                && reversed.contains("certificate 1 is /CN=Root, expected /CN=Intermediate"),
            "{reversed}"
        );
        // A root regenerated under the same name: the names chain, the
        // signature does not.
        let (other_root, _, _) = two_tier("Root");
        let forged = err(format!("{int}{other_root}"));
        assert!(
            forged.contains("certificate 2 (/CN=Root) did not sign certificate 1"),
            "{forged}"
        );
        // Another intermediate of the same name is not the signing CA.
        let (_, other_int, _) = two_tier("Root");
        let impostor = err(other_int);
        assert!(
            impostor.contains("holds another key than the signing CA"),
            "{impostor}"
        );
        assert!(err(String::new()).contains("no certificates found"));
    }

    #[test]
    fn usages_are_narrowed_to_the_request() {
        let p = restrict_profile(&profile(), &words(&["Server Auth"]), None).unwrap();
        assert_eq!(p.usages, vec![parse_usage("server auth").unwrap()]);
        assert_eq!(p.expiry, profile().expiry);
    }

    #[test]
    fn usage_outside_the_profile_is_refused() {
        let err = restrict_profile(&profile(), &words(&["server auth", "client auth"]), None)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("\"client auth\" is not allowed by profile \"default\""),
            "{err}"
        );
        let err = restrict_profile(&profile(), &words(&["server auht"]), None).unwrap_err();
        assert!(err.to_string().contains("unknown usage"), "{err}");
    }

    #[test]
    fn shorter_expiration_wins_longer_does_not() {
        let short = restrict_profile(&profile(), &words(&["server auth"]), Some(3600)).unwrap();
        assert_eq!(short.expiry, Duration::from_secs(3600) + short.backdate);
        let mut one_hour = profile();
        one_hour.expiry = Duration::from_secs(3600);
        let long = restrict_profile(&one_hour, &words(&["server auth"]), Some(86400)).unwrap();
        assert_eq!(long.expiry, Duration::from_secs(3600));
    }

    #[test]
    fn fixed_not_after_is_capped_by_expiration() {
        let mut fixed = profile();
        fixed.not_after = Some(OffsetDateTime::now_utc() + time::Duration::days(365));
        let p = restrict_profile(&fixed, &words(&["server auth"]), Some(3600)).unwrap();
        assert!(p.not_after.unwrap() < OffsetDateTime::now_utc() + time::Duration::hours(2));
    }
}
