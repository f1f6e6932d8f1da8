//! `print-defaults`: the template config and request cfssl prints.

use crate::error::{Error, Result};

/// cfssl's default signing config template.
pub const CONFIG: &str = r#"{
    "signing": {
        "default": {
            "expiry": "168h"
        },
        "profiles": {
            "www": {
                "expiry": "8760h",
                "usages": [
                    "signing",
                    "key encipherment",
                    "server auth"
                ]
            },
            "client": {
                "expiry": "8760h",
                "usages": [
                    "signing",
                    "key encipherment",
                    "client auth"
                ]
            }
        }
    }
}
"#;

/// cfssl's default CSR JSON template.
pub const CSR: &str = r#"{
    "CN": "example.net",
    "hosts": [
        "example.net",
        "www.example.net"
    ],
    "key": {
        "algo": "ecdsa",
        "size": 256
    },
    "names": [
        {
            "C": "US",
            "ST": "CA",
            "L": "San Francisco"
        }
    ]
}
"#;

/// The template names, sorted.
pub const NAMES: [&str; 2] = ["config", "csr"];

/// The list cfssl prints for `print-defaults list`.
pub fn list() -> String {
    let mut out = String::from("Default configurations are available for:\n");
    for name in NAMES {
        out.push('\t');
        out.push_str(name);
        out.push('\n');
    }
    out
}

/// What `print-defaults NAME` prints (cfssl adds a newline after the
/// template).
pub fn print(name: &str) -> Result<String> {
    match name {
        "list" => Ok(list()),
        "config" => Ok(format!("{CONFIG}\n")),
        "csr" => Ok(format!("{CSR}\n")),
        // Beyond cfssl (so not in its list): the `cluster init` input.
        "cluster" => Ok(crate::cluster::spec::EXAMPLE_SPEC.to_string()),
        other => Err(Error::Request(format!(
            "print-defaults: unknown type {other:?} (available: list, {}, cluster)",
            NAMES.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_load_as_what_they_are() {
        assert!(crate::policy::SigningConfig::from_json(CONFIG.as_bytes(), "config").is_ok());
        let csr = crate::request::Request::from_json(CSR.as_bytes(), "csr").unwrap();
        assert!(csr.warnings.is_empty());
        assert_eq!(csr.request.hosts.len(), 2);
    }

    #[test]
    fn unknown_type_is_an_error_listing_the_types() {
        let e = print("cert").unwrap_err().to_string();
        assert!(e.contains("config, csr, cluster"), "{e}");
        let cluster = print("cluster").unwrap();
        let names = crate::cluster::layout::key_names();
        assert!(crate::cluster::spec::ClusterSpec::from_json(
            cluster.as_bytes(),
            "cluster",
            &names
        )
        .is_ok());
        assert!(print("list").unwrap().contains("\tcsr\n"));
    }
}
