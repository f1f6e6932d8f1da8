//! Kubernetes CertificateSigningRequest objects through the binary: steps
//! 2, 4 and 5 of the workflow as one certkit command each, fed objects
//! shaped as `kubectl get csr NAME -o json` prints them (no API server runs
//! here), checked with openssl and the kubernetes Python client's models.

use assert_cmd::Command;
use base64::Engine;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::cmd;
use tempfile::TempDir;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn fixture(name: &str) -> PathBuf {
    support::fixtures().join(name)
}

fn approved() -> Value {
    serde_json::from_slice(&std::fs::read(fixture("k8s/csr-approved.json")).unwrap()).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `certkit sign` with the workflow's CA and config, the object on stdin.
fn sign(object: &Value, extra: &[&str]) -> Output {
    sign_with_config(object, Some("workflow/server-signing-config.json"), extra)
}

/// `certkit k8s request` for the workflow's object name.
fn k8s_request(signer: &str) -> Command {
    let mut cmd = cmd();
    cmd.args([
        "k8s",
        "request",
        "-name",
        "my-svc.my-namespace",
        "-signer-name",
        signer,
    ]);
    cmd
}

/// `certkit sign` with the fixture CA.
fn sign_cmd() -> Command {
    let mut cmd = cmd();
    cmd.arg("sign")
        .arg("-ca")
        .arg(fixture("k8s/ca.pem"))
        .arg("-ca-key")
        .arg(fixture("k8s/ca-key.pem"));
    cmd
}

fn sign_with_config(object: &Value, config: Option<&str>, extra: &[&str]) -> Output {
    let mut cmd = sign_cmd();
    if let Some(config) = config {
        cmd.arg("-config").arg(fixture(config));
    }
    cmd.args(extra)
        .arg("-")
        .write_stdin(serde_json::to_string(object).unwrap())
        .output()
        .unwrap()
}

fn signed_object(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "sign failed: {}",
        text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Asserts a refusal: non-zero exit, nothing on stdout, `why` on stderr.
fn assert_refused(output: &Output, why: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected a refusal, stderr: {stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "stdout must be empty on refusal: {}",
        text(&output.stdout)
    );
    assert!(stderr.contains(why), "stderr lacks {why:?}: {stderr}");
}

/// Runs a tool that must exist: a missing tool fails the test.
fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The PEM blocks of `status.certificate`.
fn certificate_chain(object: &Value) -> Vec<String> {
    let pem = B64
        .decode(
            object["status"]["certificate"]
                .as_str()
                .expect("status.certificate"),
        )
        .unwrap();
    pem::parse_many(&pem)
        .unwrap()
        .iter()
        .map(|block| {
            pem::encode_config(
                block,
                pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
            )
        })
        .collect()
}

fn without_status(object: &Value) -> Value {
    let mut copy = object.clone();
    copy.as_object_mut().unwrap().remove("status");
    copy
}

/// What the workflow requires of a signed object: every field but status
/// unchanged, the conditions kept, a certificate openssl verifies against
/// `root` (through the rest of the chain) whose key is spec.request's.
fn assert_round_trip(input: &Value, output: &Value, root: &Path) {
    assert_eq!(without_status(input), without_status(output));
    assert_eq!(
        input["status"]["conditions"],
        output["status"]["conditions"]
    );
    let dir = TempDir::new().unwrap();
    let chain = certificate_chain(output);
    std::fs::write(dir.path().join("leaf.pem"), &chain[0]).unwrap();
    std::fs::write(dir.path().join("rest.pem"), chain[1..].concat()).unwrap();
    let csr = B64
        .decode(output["spec"]["request"].as_str().unwrap())
        .unwrap();
    std::fs::write(dir.path().join("req.csr"), csr).unwrap();
    let root = root.to_str().unwrap();
    let mut verify = vec!["verify", "-CAfile", root];
    if chain.len() > 1 {
        verify.extend(["-untrusted", "rest.pem"]);
    }
    verify.push("leaf.pem");
    assert!(run("openssl", &verify, dir.path()).contains("leaf.pem: OK"));
    let csr_key = run(
        "openssl",
        &["req", "-in", "req.csr", "-pubkey", "-noout"],
        dir.path(),
    );
    let cert_key = run(
        "openssl",
        &["x509", "-in", "leaf.pem", "-pubkey", "-noout"],
        dir.path(),
    );
    assert!(csr_key.contains("BEGIN PUBLIC KEY"), "{csr_key}");
    assert_eq!(csr_key, cert_key);
}

/// Validates a manifest with the kubernetes Python client's models.
fn assert_valid_v1_manifest(manifest: &[u8]) {
    let out = std::process::Command::new("python3")
        .arg(support::repo().join("tests/support/validate_k8s_csr.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(manifest)?;
            child.wait_with_output()
        })
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "schema validation failed (scripts/test installs the kubernetes client): {}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout).trim(), "valid");
}

/// A base64 CSR made by `certkit genkey` from a request JSON.
fn csr_for(request: Value) -> String {
    let out = cmd()
        .arg("genkey")
        .arg("-")
        .write_stdin(request.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    B64.encode(response["csr"].as_str().unwrap())
}

fn with_spec(mut object: Value, request: &str, signer: &str, usages: &[&str]) -> Value {
    object["spec"]["request"] = json!(request);
    object["spec"]["signerName"] = json!(signer);
    object["spec"]["usages"] = json!(usages);
    object
}

#[test]
fn help_shows_the_k8s_commands_and_sign_flags() {
    let out = cmd().arg("--help").output().unwrap();
    assert!(text(&out.stdout).contains("k8s"), "{}", text(&out.stdout));
    let out = cmd().args(["k8s", "--help"]).output().unwrap();
    for sub in ["request", "attach", "show"] {
        assert!(text(&out.stdout).contains(sub), "{}", text(&out.stdout));
    }
    let out = cmd().args(["sign", "--help"]).output().unwrap();
    for flag in [
        "--bundle",
        "--signer-name",
        "--ignore-approval",
        "--failed-condition",
    ] {
        assert!(text(&out.stdout).contains(flag), "{}", text(&out.stdout));
    }
}

#[test]
fn step2_manifest_from_a_csr_is_a_valid_v1_object() {
    let csr = fixture("k8s/server.csr");
    let out = k8s_request("example.com/serving")
        .args(["-o", "json"])
        .args(["-expiration-seconds", "86400"])
        .arg(&csr)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_valid_v1_manifest(&out.stdout);
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(manifest["metadata"]["name"], "my-svc.my-namespace");
    assert_eq!(manifest["spec"]["signerName"], "example.com/serving");
    assert_eq!(
        manifest["spec"]["usages"],
        json!(["digital signature", "key encipherment", "server auth"])
    );
    assert_eq!(manifest["spec"]["expirationSeconds"], 86400);
    let request = manifest["spec"]["request"].as_str().unwrap();
    assert_eq!(B64.decode(request).unwrap(), std::fs::read(&csr).unwrap());

    // The default output is the same manifest as YAML.
    let yaml = k8s_request("example.com/serving")
        .args(["-expiration-seconds", "86400"])
        .arg(&csr)
        .output()
        .unwrap();
    assert!(yaml.status.success(), "{}", text(&yaml.stderr));
    let from_yaml: Value = serde_norway::from_slice(&yaml.stdout).unwrap();
    assert_eq!(from_yaml, manifest);
}

#[test]
fn step2_manifest_from_a_request_json_writes_the_key_0600() {
    let dir = TempDir::new().unwrap();
    let key = dir.path().join("server-key.pem");
    let out = k8s_request("example.com/serving")
        .args(["-o", "json"])
        .arg("-key-out")
        .arg(&key)
        .arg(fixture("workflow/server-csr.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_valid_v1_manifest(&out.stdout);
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    std::fs::write(
        dir.path().join("req.csr"),
        B64.decode(manifest["spec"]["request"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let csr_key = run(
        "openssl",
        &["req", "-in", "req.csr", "-pubkey", "-noout", "-verify"],
        dir.path(),
    );
    let key_pub = run(
        "openssl",
        &["pkey", "-in", "server-key.pem", "-pubout"],
        dir.path(),
    );
    assert_eq!(csr_key, key_pub);
    let sans = run(
        "openssl",
        &["req", "-in", "req.csr", "-noout", "-text"],
        dir.path(),
    );
    assert!(sans.contains("IP Address:192.0.2.24"), "{sans}");
}

#[test]
fn request_refuses_bad_manifests_before_writing_anything() {
    let dir = TempDir::new().unwrap();
    let request_json = fixture("workflow/server-csr.json");
    let csr = fixture("k8s/server.csr");
    const SERVING: &str = "example.com/serving";
    const KUBELET: &str = "kubernetes.io/kubelet-serving";
    let cases: [(&str, &[&str], &Path, &str); 4] = [
        (SERVING, &[], &request_json, "-key-out"),
        (
            SERVING,
            &["-expiration-seconds", "599"],
            &csr,
            "expirationSeconds: 599",
        ),
        (
            SERVING,
            &["-usages", "server auht"],
            &csr,
            "unknown usage \"server auht\"",
        ),
        (
            KUBELET,
            &[],
            &csr,
            "kubernetes.io/kubelet-serving signer rule: subject O",
        ),
    ];
    for (signer, extra, input, why) in cases {
        let out = k8s_request(signer)
            .args(extra)
            .arg(input)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_refused(&out, why);
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn step4_signs_the_object_kubectl_prints() {
    let input = approved();
    let output = signed_object(&sign(&input, &[]));
    assert_round_trip(&input, &output, &fixture("k8s/ca.pem"));
    assert_eq!(certificate_chain(&output).len(), 1);
}

#[test]
fn step4_yaml_in_yaml_out() {
    let out = sign_cmd()
        .arg("-config")
        .arg(fixture("workflow/server-signing-config.json"))
        .arg(fixture("k8s/csr-approved.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !out.stdout.starts_with(b"{"),
        "expected YAML: {}",
        text(&out.stdout)
    );
    let output: Value = serde_norway::from_slice(&out.stdout).unwrap();
    assert_round_trip(&approved(), &output, &fixture("k8s/ca.pem"));
}

#[test]
fn step4_signs_every_object_of_a_list() {
    let list: Value =
        serde_json::from_slice(&std::fs::read(fixture("k8s/csr-list.json")).unwrap()).unwrap();
    let output = signed_object(&sign(&list, &[]));
    assert_eq!(output["kind"], "List");
    assert_eq!(output["metadata"], list["metadata"]);
    let items = output["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for (input, output) in list["items"].as_array().unwrap().iter().zip(items) {
        assert_round_trip(input, output, &fixture("k8s/ca.pem"));
    }
}

#[test]
fn step5_attaches_a_certificate_from_the_pem_path() {
    let dir = TempDir::new().unwrap();
    let signed = sign_cmd()
        .arg("-config")
        .arg(fixture("workflow/server-signing-config.json"))
        .arg(fixture("k8s/server.csr"))
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let response: Value = serde_json::from_slice(&signed.stdout).unwrap();
    let cert = dir.path().join("ca-signed-server.pem");
    std::fs::write(&cert, response["cert"].as_str().unwrap()).unwrap();
    let input = approved();
    let out = cmd()
        .args(["k8s", "attach", "-cert"])
        .arg(&cert)
        .arg("-")
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    let output = signed_object(&out);
    assert_round_trip(&input, &output, &fixture("k8s/ca.pem"));
    assert_eq!(
        certificate_chain(&output)[0],
        response["cert"].as_str().unwrap()
    );

    // A certificate for another key is refused.
    let other = with_spec(
        approved(),
        &csr_for(json!({"CN": "other"})),
        "example.com/serving",
        &["server auth"],
    );
    let out = cmd()
        .args(["k8s", "attach", "-cert"])
        .arg(&cert)
        .arg("-")
        .write_stdin(other.to_string())
        .output()
        .unwrap();
    assert_refused(&out, "public key is not the one");
}

#[test]
fn expiration_seconds_shortens_the_certificate() {
    let mut input = approved();
    input["spec"]["expirationSeconds"] = json!(3600);
    let output = signed_object(&sign(&input, &[]));
    let der = pem::parse(&certificate_chain(&output)[0])
        .unwrap()
        .into_contents();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    let validity = cert.validity();
    // expirationSeconds counts from now, as Kubernetes' signers read it;
    // notBefore is backdated 5 minutes on top.
    assert_eq!(
        validity.not_after.timestamp() - validity.not_before.timestamp(),
        3600 + 300
    );
}

#[test]
fn usages_are_the_requested_ones_not_the_whole_profile() {
    let input = with_spec(
        approved(),
        approved()["spec"]["request"].as_str().unwrap(),
        "example.com/serving",
        &["digital signature", "server auth"],
    );
    // cfssl's default profile also allows client auth; the request does not ask for it.
    let output = signed_object(&sign_with_config(&input, None, &[]));
    let der = pem::parse(&certificate_chain(&output)[0])
        .unwrap()
        .into_contents();
    let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
    let eku = cert.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && !eku.client_auth, "{eku:?}");
}

#[test]
fn refuses_unapproved_denied_and_foreign_objects() {
    let mut pending = approved();
    pending["status"] = json!({});
    assert_refused(
        &sign(&pending, &[]),
        "CertificateSigningRequest my-svc.my-namespace: not approved",
    );
    // Even when Failed conditions are asked for: the request is not ours to fail.
    assert_refused(&sign(&pending, &["-failed-condition"]), "not approved");

    let mut denied = approved();
    denied["status"]["conditions"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "lastTransitionTime": "2026-11-22T10:02:00Z", "lastUpdateTime": "2026-11-22T10:02:00Z",
            "message": "no", "reason": "KubectlDeny", "status": "True", "type": "Denied"
        }));
    assert_refused(&sign(&denied, &[]), "denied");
    assert_refused(&sign(&denied, &["-ignore-approval"]), "denied");

    let out = sign(&approved(), &["-signer-name", "example.com/other"]);
    assert_refused(
        &out,
        "spec.signerName is \"example.com/serving\", not \"example.com/other\"",
    );

    let already = signed_object(&sign(&approved(), &[]));
    assert_refused(&sign(&already, &[]), "status.certificate is already set");
}

#[test]
fn ignore_approval_signs_a_pending_object() {
    let mut pending = approved();
    pending["status"] = json!({});
    let output = signed_object(&sign(&pending, &["-ignore-approval"]));
    assert_eq!(certificate_chain(&output).len(), 1);
}

#[test]
fn refuses_disallowed_usage_and_short_expiration() {
    let mut usage = approved();
    usage["spec"]["usages"]
        .as_array_mut()
        .unwrap()
        .push(json!("client auth"));
    assert_refused(
        &sign(&usage, &[]),
        "spec.usages: \"client auth\" is not allowed by profile \"default\"",
    );
    let mut short = approved();
    short["spec"]["expirationSeconds"] = json!(599);
    assert_refused(
        &sign(&short, &[]),
        "spec.expirationSeconds: 599 is below the minimum of 600",
    );
}

#[test]
fn failed_condition_reports_an_invalid_request_in_the_object() {
    let mut input = approved();
    input["spec"]["usages"]
        .as_array_mut()
        .unwrap()
        .push(json!("code signing"));
    let out = sign(&input, &["-failed-condition"]);
    let output = signed_object(&out);
    assert_eq!(without_status(&input), without_status(&output));
    assert!(output["status"].get("certificate").is_none());
    let conditions = output["status"]["conditions"].as_array().unwrap();
    assert_eq!(conditions.len(), 2);
    assert_eq!(conditions[0], input["status"]["conditions"][0]);
    let failed = &conditions[1];
    assert_eq!(failed["type"], "Failed");
    assert_eq!(failed["status"], "True");
    assert_eq!(failed["reason"], "SignerValidationFailure");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("\"code signing\" is not allowed"),
        "{failed}"
    );
    for stamp in ["lastUpdateTime", "lastTransitionTime"] {
        let t = failed[stamp].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).is_ok(),
            "{t}"
        );
    }
    assert!(
        text(&out.stderr).contains("Failed condition written"),
        "{}",
        text(&out.stderr)
    );
}

fn node_csr(cn: &str, org: &str, hosts: &[&str]) -> String {
    csr_for(
        json!({"CN": cn, "names": [{"O": org}], "hosts": hosts, "key": {"algo": "ecdsa", "size": 256}}),
    )
}

/// Signs under a built-in signer with cfssl's default profile (signing,
/// key encipherment, server auth, client auth).
fn sign_builtin(request: &str, signer: &str, usages: &[&str]) -> Output {
    let object = with_spec(approved(), request, signer, usages);
    sign_with_config(&object, None, &["-signer-name", signer])
}

#[test]
fn kubelet_client_signer_rules() {
    const SIGNER: &str = "kubernetes.io/kube-apiserver-client-kubelet";
    const USAGES: &[&str] = &["digital signature", "client auth"];
    let good = node_csr("system:node:node-1", "system:nodes", &[]);
    assert_eq!(
        certificate_chain(&signed_object(&sign_builtin(&good, SIGNER, USAGES))).len(),
        1
    );
    let out = sign_builtin(
        &node_csr("system:node:node-1", "system:masters", &[]),
        SIGNER,
        USAGES,
    );
    assert_refused(&out, "kubernetes.io/kube-apiserver-client-kubelet signer rule: subject O must be exactly [\"system:nodes\"]");
    let out = sign_builtin(&node_csr("node-1", "system:nodes", &[]), SIGNER, USAGES);
    assert_refused(
        &out,
        "signer rule: subject CN must be \"system:node:<nodeName>\"",
    );
    let out = sign_builtin(
        &node_csr("system:node:node-1", "system:nodes", &["node-1.example"]),
        SIGNER,
        USAGES,
    );
    assert_refused(
        &out,
        "signer rule: subject alternative names are not allowed",
    );
    let out = sign_builtin(
        &good,
        SIGNER,
        &["digital signature", "client auth", "server auth"],
    );
    assert_refused(&out, "signer rule: usage \"server auth\" is not allowed");
}

#[test]
fn kubelet_serving_signer_rules() {
    const SIGNER: &str = "kubernetes.io/kubelet-serving";
    const USAGES: &[&str] = &["digital signature", "server auth"];
    let good = node_csr(
        "system:node:node-1",
        "system:nodes",
        &["node-1.example", "10.0.0.7"],
    );
    assert_eq!(
        certificate_chain(&signed_object(&sign_builtin(&good, SIGNER, USAGES))).len(),
        1
    );
    let out = sign_builtin(
        &node_csr("system:node:node-1", "system:nodes", &[]),
        SIGNER,
        USAGES,
    );
    assert_refused(&out, "kubernetes.io/kubelet-serving signer rule: at least one DNS or IP subject alternative name is required");
    let out = sign_builtin(
        &node_csr(
            "system:node:node-1",
            "system:nodes",
            &["node-1.example", "ops@example.com"],
        ),
        SIGNER,
        USAGES,
    );
    assert_refused(
        &out,
        "signer rule: email and URI subject alternative names are not allowed",
    );
    let out = sign_builtin(
        &node_csr(
            "system:node:node-1",
            "system:nodes",
            &["node-1.example", "spiffe://c/n"],
        ),
        SIGNER,
        USAGES,
    );
    assert_refused(
        &out,
        "signer rule: email and URI subject alternative names are not allowed",
    );
    let out = sign_builtin(&good, SIGNER, &["digital signature", "client auth"]);
    assert_refused(&out, "signer rule: usage \"server auth\" is required");
    let out = sign_builtin(
        &node_csr("system:node:node-1", "ops", &["node-1.example"]),
        SIGNER,
        USAGES,
    );
    assert_refused(&out, "signer rule: subject O must be exactly");
}

#[test]
fn kube_apiserver_client_signer_rules() {
    const SIGNER: &str = "kubernetes.io/kube-apiserver-client";
    let jane = csr_for(json!({"CN": "jane", "names": [{"O": "devs"}]}));
    assert_eq!(
        certificate_chain(&signed_object(&sign_builtin(
            &jane,
            SIGNER,
            &["client auth"]
        )))
        .len(),
        1
    );
    let out = sign_builtin(&jane, SIGNER, &["digital signature", "server auth"]);
    assert_refused(
        &out,
        "kubernetes.io/kube-apiserver-client signer rule: usage \"client auth\" is required",
    );
    let ca_request = csr_for(json!({"CN": "sub-ca", "ca": {"pathlen": 0}}));
    let out = sign_builtin(&ca_request, SIGNER, &["client auth"]);
    assert_refused(&out, "signer rule: CA certificates are not allowed");
}

/// An intermediate CA under the fixture CA, in `dir` as int.pem and
/// int-key.pem; gencert's response.
fn intermediate_under_the_fixture_ca(dir: &Path) -> Value {
    std::fs::write(
        dir.join("config.json"),
        r#"{"signing":{"profiles":{"intermediate":{"usages":["cert sign","crl sign"],"expiry":"8760h","ca_constraint":{"is_ca":true,"max_path_len":0,"max_path_len_zero":true}}}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("int.json"),
        r#"{"CN":"Intermediate","key":{"algo":"ecdsa","size":256}}"#,
    )
    .unwrap();
    let out = cmd()
        .args(["gencert", "-ca"])
        .arg(fixture("k8s/ca.pem"))
        .arg("-ca-key")
        .arg(fixture("k8s/ca-key.pem"))
        .args([
            "-config",
            "config.json",
            "-profile",
            "intermediate",
            "int.json",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    std::fs::write(dir.join("int.pem"), response["cert"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("int-key.pem"), response["key"].as_str().unwrap()).unwrap();
    response
}

#[test]
fn bundle_puts_the_chain_after_the_leaf() {
    let dir = TempDir::new().unwrap();
    let response = intermediate_under_the_fixture_ca(dir.path());

    let sign_under_intermediate = |bundle: &Path| {
        cmd()
            .args([
                "sign",
                "-ca",
                "int.pem",
                "-ca-key",
                "int-key.pem",
                "-bundle",
            ])
            .arg(bundle)
            .arg("-config")
            .arg(fixture("workflow/server-signing-config.json"))
            .arg("-")
            .write_stdin(approved().to_string())
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let output = signed_object(&sign_under_intermediate(&dir.path().join("int.pem")));
    let chain = certificate_chain(&output);
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[1], response["cert"].as_str().unwrap());
    assert_round_trip(&approved(), &output, &fixture("k8s/ca.pem"));

    // A bundle that does not start with the signing CA is refused.
    assert_refused(
        &sign_under_intermediate(&fixture("k8s/ca.pem")),
        "the bundle must start with the signing CA",
    );
}

/// `certkit signer --bundle` is `sign --bundle`'s flag and check: a bundle
/// that does not start with the CA, or does not chain, stops the signer
/// at start with one line naming the file, before any connection (a good
/// bundle gets as far as the missing kubeconfig).
#[test]
fn signer_refuses_a_bad_bundle_before_connecting() {
    let dir = TempDir::new().unwrap();
    intermediate_under_the_fixture_ca(dir.path());
    let int = std::fs::read_to_string(dir.path().join("int.pem")).unwrap();
    let root = std::fs::read_to_string(fixture("k8s/ca.pem")).unwrap();
    std::fs::write(dir.path().join("reversed.pem"), format!("{root}{int}")).unwrap();
    std::fs::write(dir.path().join("root-only.pem"), &root).unwrap();
    std::fs::write(dir.path().join("good.pem"), format!("{int}{root}")).unwrap();
    let signer = |bundle: &str| {
        Command::from_std(crate::signer_under_intermediate(bundle))
            .args([
                "--signer-name",
                "example.com/serving",
                "--kubeconfig",
                "missing.kubeconfig",
            ])
            .current_dir(dir.path())
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap()
    };
    for (bundle, why) in [
        (
            "reversed.pem",
            "reversed.pem: certificate 1 is /CN=My Example Signer, expected /CN=Intermediate",
        ),
        (
            "root-only.pem",
            "root-only.pem: certificate 1 is /CN=My Example Signer, expected /CN=Intermediate",
        ),
    ] {
        let out = signer(bundle);
        assert_refused(&out, why);
        assert!(
            text(&out.stderr).contains("the bundle must start with the signing CA"),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(
            text(&out.stderr).lines().count(),
            1,
            "{}",
            text(&out.stderr)
        );
    }
    let out = signer("good.pem");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("missing.kubeconfig") && !stderr.contains("good.pem"),
        "a good bundle passes the check: {stderr}"
    );
}

#[test]
fn pem_csr_path_is_unchanged() {
    let out = sign_cmd().arg(fixture("k8s/server.csr")).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&String> = response.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["cert", "csr"]);
    assert_eq!(
        response["csr"].as_str().unwrap().as_bytes(),
        std::fs::read(fixture("k8s/server.csr")).unwrap()
    );
    let out = sign_cmd()
        .args(["-signer-name", "example.com/serving"])
        .arg(fixture("k8s/server.csr"))
        .output()
        .unwrap();
    assert_refused(&out, "apply only to CertificateSigningRequest objects");
}

#[test]
fn malformed_objects_are_refused_with_the_field() {
    assert_refused(
        &sign(&json!({"apiVersion": "v1", "kind": "Pod"}), &[]),
        "kind is \"Pod\"",
    );
    let mut bad = approved();
    bad["spec"]["request"] = json!("not base64!");
    assert_refused(
        &sign(&bad, &[]),
        "CertificateSigningRequest my-svc.my-namespace: spec.request: not base64",
    );
    let out = sign(&approved(), &["-hostname", "other.example"]);
    assert_refused(&out, "-hostname");
}

#[test]
fn show_decodes_request_and_certificate() {
    let signed = sign(&approved(), &[]);
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let out = cmd()
        .args(["k8s", "show", "-o", "json", "-"])
        .write_stdin(signed.stdout)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["name"], "my-svc.my-namespace");
    assert_eq!(shown["state"], "Approved");
    assert_eq!(
        shown["request"]["subject"],
        "/CN=my-pod.my-namespace.pod.cluster.local"
    );
    assert_eq!(shown["certificates"][0]["issuer"], "/CN=My Example Signer");
    assert_eq!(shown["certificates"][0]["sans"][2], "IP:192.0.2.24");
    assert_eq!(shown["certificateMatchesRequest"], true);
}

#[test]
fn show_describes_a_list_as_an_array() {
    let out = cmd()
        .args(["k8s", "show", "-o", "json"])
        .arg(fixture("k8s/csr-list.json"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["my-svc.my-namespace", "my-other-svc.my-namespace"]);
    assert!(shown[0].get("certificates").is_none());
}

/// S9: deploy/ does not turn on kubelet serving auto-approval, whose check
/// rests on addresses the node writes itself, unless it also sets the
/// operator's limits (it used to pass --approve-kubelet-serving alone).
#[test]
fn deploy_enables_serving_approval_only_with_limits() {
    let yaml = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/deployment.yaml"),
    )
    .unwrap();
    let args: Vec<&str> = yaml
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("- "))
        .collect();
    if args
        .iter()
        .any(|a| a.starts_with("--approve-kubelet-serving"))
    {
        assert!(
            args.iter().any(|a| a.starts_with("--kubelet-serving-dns")
                || a.starts_with("--kubelet-serving-ips")),
            "{args:?}"
        );
    }
}
