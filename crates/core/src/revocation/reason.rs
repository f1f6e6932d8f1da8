//! Revocation reasons (RFC 5280 5.3.1 CRLReason), named as cfssl's
//! `revoke -reason` and `ocspsign -reason` accept them.

use crate::error::{Error, Result};

/// A CRLReason code. 7 is unassigned in RFC 5280 and has no variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6,
    RemoveFromCrl = 8,
    PrivilegeWithdrawn = 9,
    AaCompromise = 10,
}

const ALL: [(Reason, &str); 10] = [
    (Reason::Unspecified, "unspecified"),
    (Reason::KeyCompromise, "keyCompromise"),
    (Reason::CaCompromise, "cACompromise"),
    (Reason::AffiliationChanged, "affiliationChanged"),
    (Reason::Superseded, "superseded"),
    (Reason::CessationOfOperation, "cessationOfOperation"),
    (Reason::CertificateHold, "certificateHold"),
    (Reason::RemoveFromCrl, "removeFromCRL"),
    (Reason::PrivilegeWithdrawn, "privilegeWithdrawn"),
    (Reason::AaCompromise, "aACompromise"),
];

impl Reason {
    /// Parses a reason as cfssl does: empty is unspecified, names are
    /// case-insensitive, numbers are the RFC 5280 codes. Stricter than
    /// cfssl, which also takes the unassigned code 7.
    pub fn parse(text: &str) -> Result<Reason> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Reason::Unspecified);
        }
        if let Some((reason, _)) = ALL.iter().find(|(_, n)| n.eq_ignore_ascii_case(text)) {
            return Ok(*reason);
        }
        text.parse::<u8>()
            .ok()
            .and_then(Reason::from_code)
            .ok_or_else(|| {
                Error::Refused(format!(
                    "invalid revocation reason {text:?} (a code 0-10 other than 7, or one of {})",
                    ALL.map(|(_, n)| n).join(", ")
                ))
            })
    }

    /// The reason for a numeric code, `None` for 7 and codes above 10.
    pub fn from_code(code: u8) -> Option<Reason> {
        ALL.iter().find(|(r, _)| *r as u8 == code).map(|(r, _)| *r)
    }

    /// The numeric code, as cfssl stores it in the certificates table.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The RFC 5280 name (`keyCompromise`, ...).
    pub fn name(self) -> &'static str {
        ALL.iter().find(|(r, _)| *r == self).map_or("", |(_, n)| n)
    }

    /// The x509-cert (der 0.8) CRLReason, for CRL entries.
    pub fn to_crl_reason(self) -> x509_cert::ext::pkix::CrlReason {
        use x509_cert::ext::pkix::CrlReason as R;
        match self {
            Reason::Unspecified => R::Unspecified,
            Reason::KeyCompromise => R::KeyCompromise,
            Reason::CaCompromise => R::CaCompromise,
            Reason::AffiliationChanged => R::AffiliationChanged,
            Reason::Superseded => R::Superseded,
            Reason::CessationOfOperation => R::CessationOfOperation,
            Reason::CertificateHold => R::CertificateHold,
            Reason::RemoveFromCrl => R::RemoveFromCRL,
            Reason::PrivilegeWithdrawn => R::PrivilegeWithdrawn,
            Reason::AaCompromise => R::AaCompromise,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_as_cfssl() {
        assert_eq!(Reason::parse("").unwrap(), Reason::Unspecified);
        assert_eq!(
            Reason::parse("keycompromise").unwrap(),
            Reason::KeyCompromise
        );
        assert_eq!(Reason::parse("cACompromise").unwrap(), Reason::CaCompromise);
        assert_eq!(
            Reason::parse("removeFromCRL").unwrap(),
            Reason::RemoveFromCrl
        );
        assert_eq!(Reason::parse("AACOMPROMISE").unwrap(), Reason::AaCompromise);
        assert_eq!(Reason::parse("4").unwrap(), Reason::Superseded);
        assert_eq!(Reason::parse("9").unwrap(), Reason::PrivilegeWithdrawn);
        for bad in ["7", "11", "-1", "compromised", "256"] {
            assert!(Reason::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for code in (0..=10).filter(|c| *c != 7) {
            let r = Reason::from_code(code).unwrap();
            assert_eq!(r.code(), code);
            assert_eq!(Reason::parse(r.name()).unwrap(), r);
            assert_eq!(r.to_crl_reason() as u8, code);
        }
    }
}
