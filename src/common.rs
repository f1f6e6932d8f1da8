//! What several commands share: the flags defined once (CA, policy, key
//! output and input passwords), showing an operation's report, printing.

use crate::log;
use crate::values::GoBool;
use certkit_core::error::{Error, Result, UsageError};
use certkit_core::issue::issuer::Issuer;
use certkit_core::policy::SigningConfig;
use certkit_core::report::{Note, Report};
use certkit_ops::load::{self, CaSource};
use certkit_ops::signer::Signer;
use certkit_ops::store::DbFile;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Shows an operation's log lines and prints its output.
pub fn emit(report: Report) -> Result<()> {
    for note in &report.notes {
        match note {
            Note::Info(m) => log::info(m),
            Note::Warning(m) => log::warning(m),
        }
    }
    print_stdout(&report.output)
}

/// Reads a signing config (cfssl's default when none), logging its warnings.
pub fn load_config(path: Option<&Path>) -> Result<SigningConfig> {
    let mut report = Report::default();
    let config = load::config(path, &mut report);
    emit_notes(&report);
    config
}

/// Shows an operation's log lines.
pub fn emit_notes(report: &Report) {
    for note in &report.notes {
        match note {
            Note::Info(m) => log::info(m),
            Note::Warning(m) => log::warning(m),
        }
    }
}

/// Logs warnings a library step returned.
pub fn log_warnings(warnings: &[String]) {
    for w in warnings {
        log::warning(w);
    }
}

/// Prints the JSON output on stdout. A closed pipe is not an error worth
/// a panic; it is reported like any other write failure.
pub fn print_stdout(text: &str) -> Result<()> {
    print_bytes(text.as_bytes())
}

/// The flags of every command that writes a private key. Add to a
/// command's Args with `#[command(flatten)] pub key_output: KeyOutputArgs`
/// and write keys with `keys.pem(&key)?`, where `keys` is
/// `args.key_output.encoder()?`, called first so that a bad password file
/// fails before slow key generation.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KeyOutputArgs {
    /// Private key structure: pkcs1 (RSA), sec1 (ECDSA) or pkcs8 (any; Java, netty).
    /// Default as cfssl: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519
    #[arg(long = "key-format", value_enum, value_name = "FORMAT")]
    pub key_format: Option<crate::values::KeyFormatArg>,

    /// Encrypt the new private key (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC)
    /// with the password on the first line of FILE (or env:VAR)
    #[arg(long = "key-password-file", value_name = "FILE")]
    pub key_password_file: Option<String>,
}

impl KeyOutputArgs {
    /// The encoder these flags ask for (reads the password file).
    pub fn encoder(&self) -> Result<certkit_core::keys::format::KeyEncoder> {
        let password = self
            .key_password_file
            .as_deref()
            .map(certkit_core::input::password::read_password)
            .transpose()?;
        Ok(certkit_core::keys::format::KeyEncoder {
            format: self.key_format.map(Into::into),
            password,
        })
    }
}

/// The CA every signing command signs with: `-ca`, `-ca-key` and the
/// key's password. Add with `#[command(flatten)] pub ca: CaArgs`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CaArgs {
    /// CA certificate (PEM) to sign with
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    /// CA private key to sign with: a PEM file, or a pkcs11: URI (RFC 7512) for a key that stays in a token
    #[arg(long = "ca-key", value_name = "FILE")]
    pub ca_key: Option<PathBuf>,

    #[command(flatten)]
    pub ca_key_password: CaKeyPasswordArgs,
}

impl CaArgs {
    /// Loads the CA, decrypting its key when it is encrypted.
    pub fn load_issuer(&self) -> Result<Issuer> {
        load::issuer(self.source())
    }

    /// `-ca`, `-ca-key` and `-ca-key-password-file` as UTF-8 text, for
    /// the server and the signer controller (which take text).
    pub fn utf8_paths(self) -> Result<[Option<String>; 3]> {
        Ok([
            utf8_path_buf(self.ca, "-ca")?,
            utf8_path_buf(self.ca_key, "-ca-key")?,
            utf8_path_buf(
                self.ca_key_password.ca_key_password_file,
                "-ca-key-password-file",
            )?,
        ])
    }

    /// Where the CA comes from, for the library's operations.
    pub fn source(&self) -> CaSource<'_> {
        CaSource {
            cert: self.ca.as_deref(),
            key: self.ca_key.as_deref(),
            password_file: self.ca_key_password.ca_key_password_file.as_deref(),
        }
    }
}

/// The signing policy flags: `-config` and `-profile`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// Signing configuration (cfssl config JSON); default: cfssl's default profile
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Signing profile from the config (default: signing.default)
    #[arg(long, value_name = "NAME", default_value = "")]
    pub profile: String,
}

impl PolicyArgs {
    /// The config, or cfssl's default one; pick the profile with
    /// `config.profile(&args.policy.profile)`.
    pub fn load(&self) -> Result<SigningConfig> {
        load_config(self.config.as_deref())
    }
}

/// The password flag of every command that reads a CA key (`-ca-key`);
/// part of [`CaArgs`].
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CaKeyPasswordArgs {
    /// Password of an encrypted -ca-key (PKCS#8 or legacy PEM), from the first
    /// line of FILE (or env:VAR); default: $CFSSL_CA_PK_PASSWORD, as cfssl
    #[arg(long = "ca-key-password-file", value_name = "FILE")]
    pub ca_key_password_file: Option<PathBuf>,
}

impl CaKeyPasswordArgs {
    /// Loads the CA, decrypting its key when it is encrypted.
    pub fn load_issuer(&self, ca: Option<&Path>, ca_key: Option<&Path>) -> Result<Issuer> {
        load::issuer(CaSource {
            cert: ca,
            key: ca_key,
            password_file: self.ca_key_password_file.as_deref(),
        })
    }
}

/// The password flag of every command that reads a private key (`-key`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct KeyInputArgs {
    /// Password of an encrypted -key (PKCS#8 or legacy PEM), from the first
    /// line of FILE (or env:VAR)
    #[arg(long = "key-in-password-file", value_name = "FILE")]
    pub key_in_password_file: Option<String>,
}

impl KeyInputArgs {
    /// Reads the private key at `path` (a file, `-`, `env:VAR`, `file:PATH`).
    pub fn load_key(&self, path: &Path) -> Result<certkit_core::keys::KeyPair> {
        let password = self
            .key_in_password_file
            .as_deref()
            .map(certkit_core::input::password::read_password)
            .transpose()?;
        load::key(path, password.as_deref().map(|p| p.as_slice()))
    }
}

/// Writes raw bytes (a DER key, say) on stdout.
pub fn print_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

/// The flags of commands that can ask a remote cfssl API (`-remote`,
/// `-label`, client TLS). Add with `#[command(flatten)] pub remote: RemoteArgs`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RemoteArgs {
    /// Remote cfssl API (HOST:PORT, IP:PORT or URL; "a,b" is a failover group tried in order); replaces the config's remotes
    #[arg(long, value_name = "HOST:PORT")]
    pub remote: Option<String>,

    /// Signer label on the remote (multirootca chooses its CA by it)
    #[arg(long, value_name = "LABEL", default_value = "")]
    pub label: String,

    #[command(flatten)]
    pub tls: RemoteTlsArgs,
}

/// How to reach a remote cfssl API over TLS: the CA to trust and a client
/// certificate for mutual TLS (sign, gencert and info's `-remote`, and
/// serve's `-remote` front end).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RemoteTlsArgs {
    /// CA certificates to trust for an https remote (default: the system's)
    #[arg(long = "tls-remote-ca", value_name = "FILE")]
    pub tls_remote_ca: Option<String>,

    /// Client certificate for a remote that requires mutual TLS
    #[arg(
        long = "mutual-tls-client-cert",
        value_name = "FILE",
        requires = "mutual_tls_client_key"
    )]
    pub mutual_tls_client_cert: Option<String>,

    /// Private key of -mutual-tls-client-cert
    #[arg(
        long = "mutual-tls-client-key",
        value_name = "FILE",
        requires = "mutual_tls_client_cert"
    )]
    pub mutual_tls_client_key: Option<String>,
}

impl RemoteTlsArgs {
    /// The client's TLS settings.
    pub fn client_tls(&self) -> certkit_remote::ClientTls {
        certkit_remote::ClientTls {
            remote_ca: self.tls_remote_ca.clone(),
            client_cert: self.mutual_tls_client_cert.clone(),
            client_key: self.mutual_tls_client_key.clone(),
        }
    }
}

impl RemoteArgs {
    /// Whether to sign remotely: -remote given, or the config's profile
    /// has `remote` or `auth_remote`. With [`RemoteArgs::connect`], the one
    /// place the CLI chooses where signing happens (cfssl's
    /// `signer/universal`): `sign`, `gencert`, `info` and `serve`.
    pub fn applies(&self, policy: &PolicyArgs) -> Result<bool> {
        if self.remote.is_some() {
            return Ok(true);
        }
        if policy.config.is_none() {
            return Ok(false);
        }
        let config = certkit_ops::load::config(policy.config.as_deref(), &mut Report::default())?;
        Ok(certkit_remote::signer::profile_is_remote(
            &config,
            &policy.profile,
        ))
    }

    /// Connects the remote signer of these flags and the policy's config
    /// and profile, when the operation reaches that step.
    pub fn connect<'a>(
        &'a self,
        policy: &'a PolicyArgs,
    ) -> impl Fn(&mut Report) -> Result<Box<dyn Signer>> + 'a {
        move |report| {
            let config = certkit_ops::load::config(policy.config.as_deref(), report)?;
            let inputs = certkit_remote::RemoteInputs {
                remote: self.remote.as_deref(),
                tls: self.tls.client_tls(),
            };
            Ok(Box::new(certkit_remote::RemoteSigner::new(
                &inputs,
                &config,
                &policy.profile,
            )?))
        }
    }

    /// The profile and label a remote request names.
    pub fn names<'a>(&'a self, policy: &'a PolicyArgs) -> certkit_ops::remote::Names<'a> {
        certkit_ops::remote::Names {
            profile: &policy.profile,
            label: &self.label,
        }
    }
}
/// The OCSP signer flags: `-ca`, `-responder`, `-responder-key`,
/// `-interval`, and `-config`, whose `ocsp` section gives those not given.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ResponderArgs {
    /// The CA whose certificates the responses are about
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,

    /// The responder certificate: the CA itself, or one it issued for OCSP signing
    #[arg(long, value_name = "FILE")]
    pub responder: Option<String>,

    /// The responder certificate's private key: a PEM file or a pkcs11: URI
    #[arg(long = "responder-key", value_name = "FILE")]
    pub responder_key: Option<String>,

    /// How long signed responses are valid, thisUpdate to nextUpdate (a Go duration; default 96h)
    #[arg(long, value_name = "DURATION")]
    pub interval: Option<String>,

    /// Signing config whose "ocsp" section (CACertFile, ResponderCertFile, KeyFile, Interval) gives the flags not given
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The `ocsp` section's Interval, when -interval is not given.
    #[arg(skip)]
    pub config_interval: Option<std::time::Duration>,
}

/// cfssl's default OCSP response validity.
const DEFAULT_OCSP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(96 * 3600);

impl ResponderArgs {
    /// `-interval` as a duration (else the config's, else 96h).
    pub fn interval(&self) -> Result<std::time::Duration> {
        match &self.interval {
            Some(text) => certkit_core::input::duration::parse_go_duration(text)
                .map_err(|e| UsageError::bad_value("-interval", e)),
            None => Ok(self.config_interval.unwrap_or(DEFAULT_OCSP_INTERVAL)),
        }
    }

    /// These flags with what `-config`'s `ocsp` section gives for those
    /// not given (flags win, as cfssl's flags win over its config).
    pub fn resolved(mut self) -> Result<Self> {
        let Some(path) = self.config.as_deref() else {
            return Ok(self);
        };
        let Some(section) = load_config(Some(path))?.ocsp else {
            return Ok(self);
        };
        self.ca = self.ca.or(section.ca_cert_file);
        self.responder = self.responder.or(section.responder_cert_file);
        self.responder_key = self.responder_key.or(section.key_file);
        self.config_interval = section.interval;
        Ok(self)
    }

    pub fn source(&self) -> certkit_ops::revocation::ResponderSource<'_> {
        certkit_ops::revocation::ResponderSource {
            ca: self.ca.as_deref(),
            responder: self.responder.as_deref(),
            key: self.responder_key.as_deref(),
        }
    }
}

/// `-db-config`: cfssl's certificate database configuration file, the
/// one definition of the flag for every command that takes it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DbConfigArg {
    /// Certificate database configuration ({"driver": "sqlite3"|"postgres", "data_source": ...})
    #[arg(long = "db-config", value_name = "FILE")]
    pub db_config: Option<String>,
}

impl DbConfigArg {
    /// The flag's help for the commands that issue a certificate (sign,
    /// gencert), where the database is where it gets recorded:
    /// `#[command(mut_arg("db_config", DbConfigArg::records_issued))]`.
    pub fn records_issued(arg: clap::Arg) -> clap::Arg {
        arg.help("Record the certificate in this certificate database (cfssl's db config JSON)")
    }

    /// The database the flag names, opened by `certkit-certdb` (the
    /// operations and the server see only the store seam).
    pub fn file(&self) -> Option<DbFile> {
        self.db_config.as_ref().map(|path| DbFile {
            path: path.clone(),
            open: certkit_certdb::open_file,
        })
    }
}

/// `-allow-sha1` of bundle, mkbundle and verify: legacy cryptography in a
/// chain. Add with `#[command(flatten)] pub legacy: LegacyChainArgs`.
#[derive(Debug, clap::Args)]
pub struct LegacyChainArgs {
    /// Accept SHA-1 signatures and weak keys (RSA below 2048 bits, DSA, curves other than P-256/P-384/P-521) in the chain, as cfssl does (refused by default: verify's rules)
    #[arg(long = "allow-sha1", go_bool())]
    pub allow_sha1: bool,
}

impl LegacyChainArgs {
    pub fn bundle_options(&self) -> certkit_core::chain::bundle::BundleOptions {
        certkit_core::chain::bundle::BundleOptions {
            allow_sha1: self.allow_sha1,
        }
    }
}

/// A path as UTF-8 text, for what still takes text (the server, the
/// signer controller, remote requests); a path that is not UTF-8 is
/// refused, naming the flag.
pub fn utf8_path<'a>(path: &'a Path, flag: &str) -> Result<&'a str> {
    path.to_str().ok_or_else(|| {
        UsageError::bad_value(
            format!("{flag} {}", certkit_core::input::display_path(path)),
            "this command takes UTF-8 paths only",
        )
    })
}

/// [`utf8_path`] for an owned, optional path.
pub fn utf8_path_buf(path: Option<PathBuf>, flag: &str) -> Result<Option<String>> {
    path.map(|p| utf8_path(&p, flag).map(str::to_string))
        .transpose()
}

/// `-max-connections` of the servers: a positive count. Zero is a usage
/// error because a server that accepts no connection starts, logs that it
/// listens, and leaves every client hanging.
pub fn max_connections(
    value: &str,
) -> std::result::Result<std::num::NonZeroUsize, MaxConnectionsError> {
    match value.parse::<usize>() {
        Ok(0) => Err(MaxConnectionsError::Zero),
        Ok(n) => Ok(std::num::NonZeroUsize::new(n).unwrap_or(std::num::NonZeroUsize::MIN)),
        Err(e) => Err(MaxConnectionsError::NotANumber(e)),
    }
}

/// Why a `-max-connections` value is refused (clap shows the message).
#[derive(Debug, thiserror::Error)]
pub enum MaxConnectionsError {
    #[error("must be at least 1 (0 would accept no connection)")]
    Zero,
    #[error("{0}")]
    NotANumber(std::num::ParseIntError),
}
