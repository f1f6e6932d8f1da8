//! `sign`: a certificate for a CSR, from a CA and a signing profile.

use crate::common::{emit, CaArgs, DbConfigArg, PolicyArgs, RemoteArgs};
use crate::values::GoBool;
use certkit_core::error::{Result, UsageError};
use certkit_ops::record::{recorded, Issuance};
use certkit_ops::remote;
use certkit_ops::sign::{sign, SignInputs};

/// Sign a certificate signing request with a CA
#[derive(Debug, clap::Args)]
#[command(mut_arg("db_config", DbConfigArg::records_issued))]
#[command(after_help = "EXAMPLES:
  Sign an approved Kubernetes CSR read from standard input:
    kubectl get csr my-svc.my-namespace -o jsonpath='{.spec.request}' | base64 --decode | \\
      certkit sign -ca ca.pem -ca-key ca-key.pem -config server-signing-config.json - | \\
      certkit json -bare ca-signed-server
  Or sign the CertificateSigningRequest object itself and write it back:
    kubectl get csr my-svc.my-namespace -o json | \\
      certkit sign -ca ca.pem -ca-key ca-key.pem -config server-signing-config.json - | \\
      kubectl replace -f - --raw \\
        /apis/certificates.k8s.io/v1/certificatesigningrequests/my-svc.my-namespace/status

  Sign a CSR file with an encrypted CA key, its password in ca.pass:
    certkit sign -ca ca-encrypted.pem -ca-key ca-encrypted-key.pem \\
      -ca-key-password-file ca.pass server.csr | certkit json -bare server4
  Replace the CSR's subject (subject.json: {\"CN\": \"svc\", \"names\": [{\"O\": \"ops\"}]}):
    certkit sign -ca ca.pem -ca-key ca-key.pem server.csr subject.json | \\
      certkit json -bare server5
  Sign a legacy device's SHA-1 CSR, letting the certificate outlive the CA as cfssl did:
    certkit sign -ca ca.pem -ca-key ca-key.pem -allow-sha1 -allow-beyond-ca-expiry legacy.csr | \\
      certkit json -bare legacy")]
pub struct Args {
    #[command(flatten)]
    pub ca: CaArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub remote: RemoteArgs,

    #[command(flatten)]
    pub db: DbConfigArg,

    /// Comma-separated hosts that replace the CSR's SANs
    #[arg(long, value_name = "HOSTS")]
    pub hostname: Option<String>,

    /// CSR file (PEM), instead of the positional argument
    #[arg(long = "csr", value_name = "FILE")]
    pub csr_file: Option<std::path::PathBuf>,

    /// CSR file (PEM) or CertificateSigningRequest object (JSON or YAML), or - for standard input
    #[arg(value_name = "CSR")]
    pub csr: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub k8s: super::k8s::SignObjectArgs,

    /// JSON file with CN, names and SerialNumber whose non-empty values replace the CSR's subject attributes
    #[arg(value_name = "SUBJECT")]
    pub subject: Option<std::path::PathBuf>,

    /// Accept a CSR signed with SHA-1 (refused by default: SHA-1 collisions are practical)
    #[arg(long = "allow-sha1", go_bool())]
    pub allow_sha1: bool,

    /// Let the certificate outlive the CA as cfssl does (by default notAfter is capped at the CA's)
    #[arg(long = "allow-beyond-ca-expiry", go_bool())]
    pub allow_beyond_ca_expiry: bool,

    /// Issue a certificate with an empty subject and no SAN as cfssl does (refused by default: RFC 5280 forbids it)
    #[arg(long = "allow-empty-subject", go_bool())]
    pub allow_empty_subject: bool,
    /// CRL distribution point URL that replaces the profile's crl_url (cfssl's CRL override)
    #[arg(long, value_name = "URL")]
    pub crl: Option<String>,
}

pub fn run(args: Args) -> Result<()> {
    // As in cfssl, with -csr the first positional argument is the SUBJECT.
    let (csr_path, subject_path) = match args.csr_file {
        Some(file) => (Some(file), args.subject.or(args.csr)),
        None => (args.csr, args.subject),
    };
    let csr_path = csr_path.ok_or_else(|| {
        UsageError::missing("no CSR given (a file, - for standard input, or -csr FILE)")
    })?;
    if args.remote.applies(&args.policy)? {
        if args.crl.is_some() {
            crate::log::warning(
                "-crl is not sent to a remote signer: the remote's profile decides the CRL distribution point",
            );
        }
        return emit(remote::sign(
            &args.remote.connect(&args.policy),
            args.remote.names(&args.policy),
            crate::common::utf8_path(&csr_path, "CSR")?,
            args.hostname.as_deref(),
            subject_path
                .as_deref()
                .map(|p| crate::common::utf8_path(p, "SUBJECT"))
                .transpose()?,
        )?);
    }
    let report = sign(&SignInputs {
        ca: args.ca.source(),
        config: args.policy.config.as_deref(),
        profile: &args.policy.profile,
        hostname: args.hostname.as_deref(),
        csr: csr_path.as_os_str(),
        subject: subject_path.as_deref(),
        allow_sha1: args.allow_sha1,
        allow_beyond_ca_expiry: args.allow_beyond_ca_expiry,
        // Scripts written for cfssl (Nomad's TLS guide: `echo '{}' | cfssl
        // gencert`) must run under its name; the issuer still warns.
        allow_empty_subject: args.allow_empty_subject || crate::args::invoked_as_cfssl(),
        crl: args.crl.as_deref(),
        objects: args.k8s.inputs(),
    })?;
    record(args.db.file(), report)
}

/// With -db-config, records the certificate before printing it.
pub fn record(db: Option<certkit_ops::store::DbFile>, issuance: Issuance) -> Result<()> {
    emit(recorded(db.as_ref(), issuance)?)
}
