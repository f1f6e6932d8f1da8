//! A SoftHSM2 token in a test's temporary directory: its own
//! softhsm2.conf (SOFTHSM2_CONF) and token directory, a token initialised
//! with `softhsm2-util`, keys generated in it with OpenSC's `pkcs11-tool`,
//! and the PIN in a file for `pin-source`. Nothing outside the directory.

use std::path::PathBuf;
use std::process::Command;
use tempfile::TempDir;

pub const LABEL: &str = "certkit";
pub const PIN: &str = "417305";
const SO_PIN: &str = "924816";

/// Debian's SoftHSM2 module; the tests fail, not skip, without it
/// (scripts/test installs softhsm2).
pub fn module() -> PathBuf {
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
    .expect("SoftHSM2 is not installed; run scripts/test, which installs softhsm2")
}

/// A directory holding an initialised token.
pub struct SoftHsm {
    pub dir: TempDir,
}

impl SoftHsm {
    /// A token labelled [`LABEL`] with user PIN [`PIN`] (also in `pin`).
    pub fn new() -> SoftHsm {
        let dir = TempDir::new().unwrap();
        std::fs::create_dir(dir.path().join("tokens")).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.path().join("tokens").display()
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("pin"), format!("{PIN}\n")).unwrap();
        let hsm = SoftHsm { dir };
        hsm.run(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                LABEL,
                "--pin",
                PIN,
                "--so-pin",
                SO_PIN,
            ],
        );
        hsm
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Sets SOFTHSM2_CONF on a command, so the module finds this token.
    pub fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("SOFTHSM2_CONF", self.path("softhsm2.conf"))
            .env_remove("CERTKIT_PKCS11_MODULE")
    }

    /// Runs a tool against the token (SOFTHSM2_CONF set); it must succeed.
    pub fn run(&self, program: &str, args: &[&str]) -> Vec<u8> {
        let out = self
            .env(&mut Command::new(crate::require_tool(program)))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// `pkcs11-tool` with the module, the token and the PIN.
    pub fn pkcs11_tool(&self, args: &[&str]) -> Vec<u8> {
        let module = module();
        let mut all = vec![
            "--module",
            module.to_str().unwrap(),
            "--token-label",
            LABEL,
            "--login",
            "--pin",
            PIN,
        ];
        all.extend_from_slice(args);
        self.run("pkcs11-tool", &all)
    }

    /// Generates a key pair in the token (`key_type` as pkcs11-tool
    /// names it: `EC:prime256v1`, `rsa:2048`), labelled `label`.
    pub fn keygen(&self, key_type: &str, label: &str, id: &str) {
        self.pkcs11_tool(&[
            "--keypairgen",
            "--key-type",
            key_type,
            "--label",
            label,
            "--id",
            id,
        ]);
    }

    /// The public key of `label`, as `pkcs11-tool --read-object` gives it
    /// (a SubjectPublicKeyInfo: DER, or PEM for Ed25519).
    pub fn public_key_der(&self, label: &str) -> Vec<u8> {
        self.pkcs11_tool(&["--read-object", "--type", "pubkey", "--label", label])
    }

    /// certkit's URI for key `object`, the PIN read from the `pin` file.
    pub fn uri(&self, object: &str) -> String {
        format!(
            "pkcs11:token={LABEL};object={object};type=private?module-path={}&pin-source=file:{}",
            module().display(),
            self.path("pin").display()
        )
    }

    /// "Removes" the token from running processes: SoftHSM2 has no slot
    /// hardware, a token is its directory under the token directory, and
    /// a process that finds it gone fails its sessions (and lists no such
    /// token) until it is back.
    pub fn remove_token(&self) {
        let tokens = self.path("tokens");
        std::fs::rename(&tokens, self.path("tokens.removed")).unwrap();
        std::fs::create_dir(&tokens).unwrap();
    }

    /// Puts a token [`SoftHsm::remove_token`] took away back.
    pub fn restore_token(&self) {
        let tokens = self.path("tokens");
        std::fs::remove_dir(&tokens).unwrap();
        std::fs::rename(self.path("tokens.removed"), &tokens).unwrap();
    }
}

impl Default for SoftHsm {
    fn default() -> Self {
        SoftHsm::new()
    }
}
