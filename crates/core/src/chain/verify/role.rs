//! Where a certificate sits in a path, and how the refusals of `verify`
//! and `bundle` name it: its role and subject.

use crate::chain::certs::Cert;

/// Where a certificate sits in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Leaf,
    Intermediate,
    Anchor,
}

/// How refusals name a certificate: its role and subject.
pub fn who(cert: &Cert, role: Role) -> String {
    let role = match role {
        Role::Leaf => "leaf",
        Role::Intermediate => "intermediate",
        Role::Anchor => "root",
    };
    format!("{role} {}", short_subject(cert))
}

/// The subject, quoted, for messages; a hostile subject can hold
/// thousands of attributes, so those are counted instead.
pub fn short_subject(cert: &Cert) -> String {
    let subject = cert.cert.tbs_certificate().subject();
    match subject.iter().count() {
        n if n > 16 => format!("with a {n}-attribute subject"),
        _ => format!("{:?}", subject.to_string()),
    }
}
