//! The limbo testcase format (x509-limbo's `limbo/models.py`), read from
//! its JSON with the fields the harness needs.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Success,
    Failure,
}

/// A peer name: `kind` is DNS, IP or RFC822.
#[derive(Debug, Clone)]
pub struct PeerName {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub client: bool,
    pub features: Vec<String>,
    pub conflicts_with: Vec<String>,
    pub trusted: Vec<String>,
    pub intermediates: Vec<String>,
    pub leaf: String,
    pub validation_time: Option<String>,
    pub extended_key_usage: Vec<String>,
    pub key_usage: Vec<String>,
    pub signature_algorithms: Vec<String>,
    pub expected: Expected,
    pub names: Vec<PeerName>,
    pub max_chain_depth: Option<u64>,
    pub crls: Vec<String>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn peer(v: &Value) -> Option<PeerName> {
    Some(PeerName {
        kind: v.get("kind")?.as_str()?.to_string(),
        value: v.get("value")?.as_str()?.to_string(),
    })
}

/// Every testcase of the suite's JSON.
pub fn parse(text: &str) -> Vec<Case> {
    let doc: Value = serde_json::from_str(text).expect("limbo.json is JSON");
    doc["testcases"]
        .as_array()
        .expect("testcases")
        .iter()
        .map(|t| {
            let mut names: Vec<PeerName> = peer(&t["expected_peer_name"]).into_iter().collect();
            if let Some(list) = t["expected_peer_names"].as_array() {
                names.extend(list.iter().filter_map(peer));
            }
            Case {
                id: t["id"].as_str().unwrap_or_default().to_string(),
                client: t["validation_kind"] == "CLIENT",
                features: strings(&t["features"]),
                conflicts_with: strings(&t["conflicts_with"]),
                trusted: strings(&t["trusted_certs"]),
                intermediates: strings(&t["untrusted_intermediates"]),
                leaf: t["peer_certificate"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                validation_time: t["validation_time"].as_str().map(String::from),
                extended_key_usage: strings(&t["extended_key_usage"]),
                key_usage: strings(&t["key_usage"]),
                signature_algorithms: strings(&t["signature_algorithms"]),
                expected: if t["expected_result"] == "SUCCESS" {
                    Expected::Success
                } else {
                    Expected::Failure
                },
                names,
                max_chain_depth: t["max_chain_depth"].as_u64(),
                crls: strings(&t["crls"]),
            }
        })
        .collect()
}
