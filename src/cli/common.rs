//! Small steps several commands share: loading a request, a config or a
//! CA, logging the library's warnings, printing JSON.

use crate::error::{Error, Result};
use crate::input::{display_name, read_input};
use crate::issuer::Issuer;
use crate::log;
use crate::policy::SigningConfig;
use crate::request::Request;
use std::io::Write;

/// Reads and parses a CSR JSON request, logging its warnings.
pub fn load_request(path: &str) -> Result<Request> {
    let bytes = read_input(path)?;
    let parsed = Request::from_json(&bytes, display_name(path))?;
    for w in &parsed.warnings {
        log::warning(&format!("{}: {w}", display_name(path)));
    }
    Ok(parsed.request)
}

/// Reads a signing config, or cfssl's default when none is given.
pub fn load_config(path: Option<&str>) -> Result<SigningConfig> {
    let Some(path) = path else {
        return Ok(SigningConfig::default());
    };
    let bytes = read_input(path)?;
    let parsed = SigningConfig::from_json(&bytes, display_name(path))?;
    for w in &parsed.warnings {
        log::warning(&format!("{}: {w}", display_name(path)));
    }
    Ok(parsed.config)
}

/// Logs warnings a library step returned.
pub fn log_warnings(warnings: &[String]) {
    for w in warnings {
        log::warning(w);
    }
}

/// Splits `-hostname a,b` into hosts.
pub fn split_hosts(hostname: &str) -> Vec<String> {
    hostname
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .collect()
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
    pub key_format: Option<crate::key_format::KeyFormat>,

    /// Encrypt the new private key (PKCS#8, PBES2 PBKDF2-SHA256 AES-256-CBC)
    /// with the password on the first line of FILE (or env:VAR)
    #[arg(long = "key-password-file", value_name = "FILE")]
    pub key_password_file: Option<String>,
}

impl KeyOutputArgs {
    /// The encoder these flags ask for (reads the password file).
    pub fn encoder(&self) -> Result<crate::key_format::KeyEncoder> {
        let password = self
            .key_password_file
            .as_deref()
            .map(crate::password::read_password)
            .transpose()?;
        Ok(crate::key_format::KeyEncoder {
            format: self.key_format,
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
    pub ca: Option<String>,

    /// CA private key (PEM) to sign with
    #[arg(long = "ca-key", value_name = "FILE")]
    pub ca_key: Option<String>,

    #[command(flatten)]
    pub ca_key_password: CaKeyPasswordArgs,
}

impl CaArgs {
    /// Loads the CA, decrypting its key when it is encrypted.
    pub fn load_issuer(&self) -> Result<Issuer> {
        self.ca_key_password
            .load_issuer(self.ca.as_deref(), self.ca_key.as_deref())
    }
}

/// The signing policy flags: `-config` and `-profile`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// Signing configuration (cfssl config JSON); default: cfssl's default profile
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

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
    pub ca_key_password_file: Option<String>,
}

impl CaKeyPasswordArgs {
    /// Loads the CA, decrypting its key when it is encrypted.
    pub fn load_issuer(&self, ca: Option<&str>, ca_key: Option<&str>) -> Result<Issuer> {
        load_issuer_with(ca, ca_key, self.ca_key_password_file.as_deref())
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
    pub fn load_key(&self, path: &str) -> Result<crate::key::KeyPair> {
        let password = self
            .key_in_password_file
            .as_deref()
            .map(crate::password::read_password)
            .transpose()?;
        load_key(path, password.as_deref().map(|p| p.as_slice()))
    }
}

/// Reads a private key in any encoding, decrypting it with `password`.
pub fn load_key(path: &str, password: Option<&[u8]>) -> Result<crate::key::KeyPair> {
    let bytes = zeroize::Zeroizing::new(read_input(path)?);
    crate::key_format::read_private_key(&bytes, display_name(path), password)
}

fn load_issuer_with(
    ca: Option<&str>,
    ca_key: Option<&str>,
    password_file: Option<&str>,
) -> Result<Issuer> {
    let ca = ca.ok_or_else(|| Error::Refused("no CA certificate given (use -ca FILE)".into()))?;
    let ca_key =
        ca_key.ok_or_else(|| Error::Refused("no CA key given (use -ca-key FILE)".into()))?;
    let password = crate::password::ca_key_password(password_file)?;
    let key = load_key(ca_key, password.as_deref().map(|p| p.as_slice()))?;
    Issuer::with_key(
        &read_input(ca)?,
        display_name(ca),
        key,
        display_name(ca_key),
    )
}

/// Writes raw bytes (a DER key, say) on stdout.
pub fn print_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}
