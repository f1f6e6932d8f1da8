//! cfssl's own signing-config test data loads, or fails, as cfssl's
//! config_test.go (TestLoadFile) expects.

use certkit_core::policy::SigningConfig;
use std::path::PathBuf;

fn load(name: &str) -> certkit_core::Result<certkit_core::policy::ParsedConfig> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cfssl/config")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    SigningConfig::from_json(&bytes, name)
}

#[test]
fn valid_configs_load() {
    for name in [
        "valid_config.json",
        "valid_config_auth.json",
        "valid_config_no_default.json",
        "valid_config_auth_no_default.json",
    ] {
        if let Err(e) = load(name) {
            panic!("{name} should load: {e}");
        }
    }
}

#[test]
fn invalid_configs_fail_naming_the_problem() {
    for (name, needle) in [
        ("invalid_default.json", "expiry"),
        ("invalid_profile.json", "expiry"),
        ("invalid_usage.json", "BAD_USAGE"),
        ("invalid_config.json", "invalid JSON"),
        ("invalid_auth.json", "unknown authentication type"),
        ("invalid_auth_bad_key.json", "hex"),
        (
            "invalid_no_auth_keys.json",
            "not found in the auth_keys section",
        ),
        ("invalid_remotes.json", "\"localhoster\""),
        ("invalid_no_remotes.json", "\"localhoster\""),
    ] {
        match load(name) {
            Ok(_) => panic!("{name} should fail to load"),
            Err(e) => assert!(e.to_string().contains(needle), "{name}: {e}"),
        }
    }
}

#[test]
fn remote_profiles_keep_their_remote_and_key() {
    let cfg = load("valid_config_auth.json").unwrap().config;
    let ca = cfg.profile("CA").unwrap();
    assert_eq!(
        (ca.remote.as_str(), ca.auth_key.as_str()),
        ("localhost", "garbage")
    );
    assert_eq!(
        cfg.remotes.remotes.get("localhost").map(String::as_str),
        Some("127.0.0.1:8888")
    );
    let no_default = load("valid_config_auth_no_default.json").unwrap().config;
    assert_eq!(
        no_default.profile("").unwrap().expiry,
        std::time::Duration::from_secs(8760 * 3600)
    );
}

#[test]
fn misplaced_auth_key_section_is_warned_about() {
    // valid_config.json has "auth_key" where cfssl reads "auth_keys":
    // cfssl ignores it silently, certkit names it.
    let parsed = load("valid_config.json").unwrap();
    assert!(
        parsed.warnings.iter().any(|w| w.contains("\"auth_key\"")),
        "{:?}",
        parsed.warnings
    );
}
