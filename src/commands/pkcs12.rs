//! `pkcs12`: a key, its certificate and the CA chain in one PKCS#12 file.

use crate::common::KeyInputArgs;
use certkit_core::error::Result;
use certkit_core::input::password::read_password;
use certkit_core::input::{display_name, read_input};
use certkit_core::keys::pkcs12::{build, pem_certificates};

/// Bundle a private key, its certificate and CA chain into a PKCS#12 (.p12/.pfx) file
#[derive(Debug, clap::Args)]
#[command(after_help = "EXAMPLES:
  A server's key, certificate and CA for Java (password in p12.pass):
    certkit pkcs12 -cert server.pem -key server-key.pem -ca ca.pem \\
      -name server -password-file p12.pass -out server.p12
    keytool -list -keystore server.p12 -storetype PKCS12 -storepass:file p12.pass
  The password from an environment variable instead of a file:
    P12_PASSWORD=changeit certkit pkcs12 -cert server.pem -key server-key.pem \\
      -password-file env:P12_PASSWORD -out server-env.p12

The file is protected with PBES2 (PBKDF2-SHA256, AES-256-CBC) and an
HMAC-SHA256 MAC, which openssl 1.1+, Java 11+ and current Windows read.")]
pub struct Args {
    /// Certificate (PEM) of the key; further CERTIFICATE blocks in it are taken as its chain
    #[arg(long, value_name = "FILE")]
    pub cert: String,

    /// Private key of the certificate (PEM or DER; PKCS#1, SEC1, PKCS#8, encrypted or not)
    #[arg(long, value_name = "FILE")]
    pub key: String,

    /// CA certificates (PEM) to include after the certificate, issuer first; repeatable
    #[arg(long = "ca", value_name = "FILE")]
    pub ca: Vec<String>,

    /// Friendly name of the entry (the alias keytool shows)
    #[arg(long, value_name = "NAME", default_value = "certkit")]
    pub name: String,

    /// Password that protects the PKCS#12 file: first line of FILE, or env:VAR
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: String,

    /// The PKCS#12 file to write (mode 0600, written atomically)
    #[arg(long, value_name = "FILE")]
    pub out: String,

    #[command(flatten)]
    pub key_input: KeyInputArgs,
}

pub fn run(args: Args) -> Result<()> {
    let key = args.key_input.load_key(std::path::Path::new(&args.key))?;
    let mut chain = pem_certificates(&read_input(&args.cert)?, display_name(&args.cert))?;
    for ca in &args.ca {
        chain.extend(pem_certificates(&read_input(ca)?, display_name(ca))?);
    }
    let password = read_password(&args.password_file)?;
    let p12 = build(&key, &chain, &args.name, &password)?;
    certkit_files::atomic::write_atomic(std::path::Path::new(&args.out), &p12, 0o600)
}
