//! `certkit signer` against a REAL kube-apiserver and etcd on 127.0.0.1,
//! driven by a real kubectl: started by `scripts/peers/k8s start` in a
//! temporary directory and stopped by a Drop guard. When the binaries are
//! not cached (`scripts/peers/k8s build` makes them) the test prints SKIP
//! and returns.
//!
//! One cluster serves every scenario, run in order in one test (an API
//! server costs ~400 MB and 10 s to start on a 2-core machine); each
//! scenario uses its own signer names and object names.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::softhsm::SoftHsm;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

// An intermediate CA with --bundle (CSRs, pods, the trust bundle), on
// the same cluster.
mod chain;
// PodCertificateRequests, on the same cluster.
mod pods;

// ------------------------------------------------------------ the peer

/// A running kube-apiserver + etcd; stopped (by PID, by the script) on drop.
struct Cluster {
    script: PathBuf,
    dir: tempfile::TempDir,
    env: HashMap<String, String>,
    work: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .arg("stop")
            .arg(self.dir.path().join("k8s"))
            .output();
    }
}

fn start_cluster() -> Option<Cluster> {
    // CERTKIT_K8S_PEER points at the script elsewhere (e.g. before the
    // peers branch is merged).
    let script = std::env::var_os("CERTKIT_K8S_PEER")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(REPO).join("scripts/peers/k8s"));
    if !script.exists() {
        eprintln!(
            "SKIP signer tests: {} is missing (the real-Kubernetes peer script)",
            script.display()
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let k8s = dir.path().join("k8s");
    let out = Command::new(&script)
        .arg("start")
        .arg(&k8s)
        .output()
        .unwrap();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        eprintln!(
            "SKIP signer tests: no real kube-apiserver (run `scripts/peers/k8s build` once to build and cache it): {}",
            stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        );
        let _ = Command::new(&script).arg("stop").arg(&k8s).output();
        return None;
    }
    let env = std::fs::read_to_string(k8s.join("env"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let cluster = Cluster {
        script,
        dir,
        env,
        work,
    };
    eprintln!("real Kubernetes: {}", cluster.env["K8S_FLAVOR"]);
    Some(cluster)
}

impl Cluster {
    /// Runs a bash script in the work directory with kubectl and certkit
    /// on PATH and the admin kubeconfig.
    fn sh(&self, script: &str) -> Output {
        let certkit = support::certkit();
        let certkit_dir = certkit.parent().unwrap();
        let path = format!(
            "{}:{}:{}",
            certkit_dir.display(),
            self.env["KUBE_BIN"],
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("bash")
            .args(["-o", "pipefail", "-ec", script])
            .current_dir(&self.work)
            .env("PATH", path)
            .env("KUBECONFIG", &self.env["KUBECONFIG"])
            .env("KUBECONFIG_NODE1", &self.env["KUBECONFIG_NODE1"])
            .env("KUBECONFIG_ADMIN", &self.env["KUBECONFIG"])
            .env("REPO", REPO)
            .output()
            .unwrap()
    }

    /// `sh`, which must succeed; its standard output.
    fn run(&self, script: &str) -> String {
        let out = self.sh(script);
        assert!(
            out.status.success(),
            "failed: {script}\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn csr(&self, name: &str) -> Value {
        serde_json::from_str(&self.run(&format!("kubectl get csr {name} -o json"))).unwrap()
    }

    /// `kubectl get csr NAME`'s CONDITION column.
    fn condition(&self, name: &str) -> String {
        let table = self.run(&format!("kubectl get csr {name} --no-headers"));
        table
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .to_string()
    }

    fn wait_condition(&self, name: &str, want: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        let mut seen = String::new();
        while start.elapsed() < limit {
            seen = self.condition(name);
            if seen == want {
                return start.elapsed();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("csr {name} is {seen:?} after {limit:?}, expected {want:?}");
    }

    /// Writes the CSR's certificate to FILE and checks it against the CA
    /// and the key.
    /// Writes PREFIX.json: a List of `n` CertificateSigningRequests for
    /// `signer`, all of server.csr, named PREFIX-000 ...; returns the names.
    fn request_list(&self, signer: &str, prefix: &str, n: usize) -> Vec<String> {
        let template: Value = serde_json::from_str(&self.run(&format!(
            "certkit k8s request -name x -signer-name {signer} -o json server.csr"
        )))
        .unwrap();
        let names: Vec<String> = (0..n).map(|i| format!("{prefix}-{i:03}")).collect();
        let items: Vec<Value> = names
            .iter()
            .map(|name| {
                let mut item = template.clone();
                item["metadata"]["name"] = Value::String(name.clone());
                item
            })
            .collect();
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
        std::fs::write(self.work.join(format!("{prefix}.json")), list.to_string()).unwrap();
        names
    }

    fn check_certificate(&self, name: &str, ca: &str, key: &str) {
        self.run(&format!(
            "kubectl get csr {name} -o jsonpath='{{.status.certificate}}' | base64 -d > {name}.pem
             openssl verify -CAfile {ca} {name}.pem
             [ \"$(openssl x509 -in {name}.pem -noout -pubkey)\" = \"$(openssl pkey -in {key} -pubout)\" ]"
        ));
    }
}

fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out after {limit:?} waiting for {what}");
}

fn free_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

// ------------------------------------------------------------ the signer

/// A running `certkit signer`; SIGTERM (then SIGKILL) on drop.
struct Signer {
    child: Child,
    log: PathBuf,
    metrics: SocketAddr,
}

impl Signer {
    fn start(cluster: &Cluster, name: &str, kubeconfig: &str, args: &[&str]) -> Signer {
        let mut cmd = Command::new(support::certkit());
        cmd.args(["signer", "-ca", "ca.pem", "-ca-key", "ca-key.pem"]);
        Signer::start_command(cluster, name, kubeconfig, cmd, args)
    }

    /// A signer for `signer_name` without leader election or trust bundle,
    /// to race another one for the same requests.
    fn racer(cluster: &Cluster, name: &str, signer_name: &str) -> Signer {
        Signer::start(
            cluster,
            name,
            &cluster.env["KUBECONFIG"],
            &[
                &format!("--signer-name={signer_name}"),
                "--cluster-trust-bundle=false",
            ],
        )
    }

    /// A signer whose CA key is `ca_key` in the SoftHSM2 token `hsm`.
    fn start_in_token(
        cluster: &Cluster,
        hsm: &SoftHsm,
        name: &str,
        ca_key: &str,
        args: &[&str],
    ) -> Signer {
        let mut cmd = Command::new(support::certkit_dynamic());
        hsm.env(&mut cmd)
            .args(["signer", "-ca", "token-ca.pem", "-ca-key", ca_key]);
        let kubeconfig = cluster.env["KUBECONFIG"].clone();
        Signer::start_command(cluster, name, &kubeconfig, cmd, args)
    }

    fn start_command(
        cluster: &Cluster,
        name: &str,
        kubeconfig: &str,
        mut cmd: Command,
        args: &[&str],
    ) -> Signer {
        let log = cluster.work.join(format!("{name}.log"));
        let metrics = free_address();
        let child = cmd
            .args(["-config", "signing.json", "--kubeconfig", kubeconfig])
            .arg(format!("--metrics-address={metrics}"))
            .args(args)
            .current_dir(&cluster.work)
            .env("POD_NAME", name)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let signer = Signer {
            child,
            log,
            metrics,
        };
        wait_until(
            &format!("signer {name} to start"),
            Duration::from_secs(30),
            || {
                signer.log().contains("\"message\":\"controller started\"")
                    || signer.log().contains("\"message\":\"leader election\"")
            },
        );
        signer
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The decision lines of the log, parsed.
    fn decisions(&self) -> Vec<Value> {
        self.log()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["message"] == "decision")
            .collect()
    }

    fn metrics(&self) -> String {
        let out = Command::new("curl")
            .args(["-sf", &format!("http://{}/metrics", self.metrics)])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.pid().to_string()])
            .status();
    }
}

impl Drop for Signer {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.signal("-TERM");
            let end = Instant::now() + Duration::from_secs(10);
            while Instant::now() < end && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------ scenarios

#[test]
fn signer_against_a_real_kube_apiserver() {
    let Some(cluster) = start_cluster() else {
        return;
    };
    cluster.run(
        "certkit genkey -initca $REPO/fixtures/workflow/ca-csr.json | certkit json -bare ca
         cp $REPO/fixtures/workflow/server-signing-config.json signing.json
         certkit genkey $REPO/fixtures/workflow/server-csr.json | certkit json -bare server",
    );
    deploy_manifests_pass_server_dry_run(&cluster);
    seed_workflow_with_the_deployed_rbac(&cluster);
    one_shot_pipeline(&cluster);
    token_ca_key(&cluster);
    kubelet_requests(&cluster);
    two_replicas_and_kill_9_of_the_leader(&cluster);
    two_signers_racing_without_election(&cluster);
    pods::pod_certificate_requests(&cluster);
    chain::intermediate_ca(&cluster);
}

fn deploy_manifests_pass_server_dry_run(c: &Cluster) {
    eprintln!("== deploy/ (a kustomize base) passes kubectl apply --dry-run=server");
    // Namespaced objects need their namespace to exist, even in a dry run.
    c.run("kubectl apply -f $REPO/deploy/namespace.yaml");
    let out = c.run("kubectl apply --dry-run=server -k $REPO/deploy/");
    for object in [
        "serviceaccount/certkit-signer",
        "clusterrole.rbac.authorization.k8s.io/certkit-signer",
        "clusterrolebinding.rbac.authorization.k8s.io/certkit-signer",
        "role.rbac.authorization.k8s.io/certkit-signer-leader-election",
        "deployment.apps/certkit-signer",
        "configmap/certkit-signer-config",
    ] {
        assert!(out.contains(object), "{object} missing from:\n{out}");
    }
}

/// The seed's workflow, with the signer running as deploy/'s ServiceAccount
/// under deploy/'s RBAC (so the ClusterRole is shown to be enough).
fn seed_workflow_with_the_deployed_rbac(c: &Cluster) {
    eprintln!("== seed workflow: certkit k8s request | kubectl apply, approve, the signer issues");
    c.run(
        "kubectl apply -f $REPO/deploy/rbac.yaml
         token=$(kubectl -n certkit-system create token certkit-signer --duration=1h)
         server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
         kubectl config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > cluster-ca.crt
         export KUBECONFIG=$PWD/sa.kubeconfig
         kubectl config set-cluster c --server=$server --certificate-authority=cluster-ca.crt --embed-certs >/dev/null
         kubectl config set-credentials sa --token=$token >/dev/null
         kubectl config set-context c --cluster=c --user=sa >/dev/null
         kubectl config use-context c >/dev/null",
    );
    let signer = Signer::start(
        c,
        "seed",
        "sa.kubeconfig",
        &[
            "--signer-name=example.com/serving",
            "--leader-elect",
            "--leader-elect-namespace=certkit-system",
            "--reload-interval=1s",
        ],
    );
    c.run(
        "certkit k8s request -name my-svc.my-namespace -signer-name example.com/serving server.csr | kubectl apply -f -
         kubectl certificate approve my-svc.my-namespace",
    );
    let took = c.wait_condition(
        "my-svc.my-namespace",
        "Approved,Issued",
        Duration::from_secs(30),
    );
    eprintln!("   Approved,Issued {took:?} after approval (kubectl polling included)");
    c.check_certificate("my-svc.my-namespace", "ca.pem", "server-key.pem");
    let issued = signer.decisions();
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!(issued[0]["decision"], "issued");
    assert_eq!(issued[0]["csr"], "my-svc.my-namespace");
    let metrics = signer.metrics();
    assert!(
        metrics.contains("certkit_signer_issued_total{signer=\"example.com/serving\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("certkit_signer_approval_to_issue_seconds_count 1"));
    assert!(metrics.contains("certkit_signer_leader 1"));

    eprintln!("== a refused request gets a Failed condition");
    c.run(
        "certkit k8s request -name wrong-usage -signer-name example.com/serving -usages 'digital signature,client auth' server.csr | kubectl apply -f -
         kubectl certificate approve wrong-usage",
    );
    c.wait_condition("wrong-usage", "Approved,Failed", Duration::from_secs(30));
    let failed = c.csr("wrong-usage");
    let condition = failed["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Failed")
        .unwrap()
        .clone();
    assert_eq!(condition["reason"], "SignerValidationFailure");
    let message = condition["message"].as_str().unwrap();
    assert!(
        message.contains("\"client auth\" is not allowed by profile"),
        "{message}"
    );
    assert!(failed["status"]["certificate"].is_null());

    eprintln!("== expirationSeconds is honoured");
    c.run(
        "certkit k8s request -name short-lived -signer-name example.com/serving -expiration-seconds 3600 server.csr | kubectl apply -f -
         kubectl certificate approve short-lived",
    );
    c.wait_condition("short-lived", "Approved,Issued", Duration::from_secs(30));
    c.check_certificate("short-lived", "ca.pem", "server-key.pem");
    let days =
        c.run("openssl x509 -in short-lived.pem -noout -checkend 3700 >/dev/null && echo long || echo short");
    assert_eq!(
        days.trim(),
        "short",
        "a 3600 s request must not outlive an hour"
    );

    eprintln!("== the CA is published as a ClusterTrustBundle, and republished when it changes");
    let bundle = |c: &Cluster| {
        c.run("kubectl get clustertrustbundle example.com:serving:certkit -o jsonpath='{.spec.trustBundle}'")
    };
    let ca = std::fs::read_to_string(c.work.join("ca.pem")).unwrap();
    wait_until("the trust bundle", Duration::from_secs(10), || {
        bundle(c).trim() == ca.trim()
    });
    c.run(
        "certkit genkey -initca $REPO/fixtures/workflow/ca-csr.json | certkit json -bare new-ca
         cp new-ca.pem ca.pem.tmp && cp new-ca-key.pem ca-key.pem.tmp
         mv ca-key.pem.tmp ca-key.pem && mv ca.pem.tmp ca.pem",
    );
    let new_ca = std::fs::read_to_string(c.work.join("new-ca.pem")).unwrap();
    // S18: the new CA first, the old one kept while unexpired (its
    // certificates are still valid); it used to be replaced outright.
    wait_until(
        "the new CA in the trust bundle, the old one kept",
        Duration::from_secs(20),
        || {
            let now = bundle(c);
            now.trim().starts_with(new_ca.trim())
                && now.contains(ca.trim())
                && now.matches("BEGIN CERTIFICATE").count() == 2
        },
    );
    c.run(
        "certkit k8s request -name after-rotation -signer-name example.com/serving server.csr | kubectl apply -f -
         kubectl certificate approve after-rotation",
    );
    c.wait_condition("after-rotation", "Approved,Issued", Duration::from_secs(30));
    c.check_certificate("after-rotation", "new-ca.pem", "server-key.pem");

    eprintln!("== SIGTERM: graceful shutdown releases the lease");
    signer.signal("-TERM");
    wait_until("the signer to stop", Duration::from_secs(15), || {
        signer.log().contains("\"message\":\"stopped\"")
    });
    assert!(signer.log().contains("lease released"));
    let holder = c.run(
        "kubectl -n certkit-system get lease certkit-signer -o jsonpath='{.spec.holderIdentity}'",
    );
    assert_eq!(holder.trim(), "", "the lease is released on shutdown");
    // Back to the first CA for the scenarios that follow.
    c.run("certkit genkey -initca $REPO/fixtures/workflow/ca-csr.json | certkit json -bare ca");
}

/// `kubectl get csr X -o json | certkit sign … | kubectl replace --raw …/status -f -`
fn one_shot_pipeline(c: &Cluster) {
    eprintln!("== one-shot pipeline: kubectl get | certkit sign | kubectl replace --raw");
    c.run(
        "certkit k8s request -name oneshot -signer-name example.com/oneshot server.csr | kubectl apply -f -
         kubectl certificate approve oneshot
         kubectl get csr oneshot -o json | \
           certkit sign -ca ca.pem -ca-key ca-key.pem -config signing.json - | \
           kubectl replace --raw /apis/certificates.k8s.io/v1/certificatesigningrequests/oneshot/status -f - >/dev/null",
    );
    assert_eq!(c.condition("oneshot"), "Approved,Issued");
    c.check_certificate("oneshot", "ca.pem", "server-key.pem");
}

/// The CA key in a PKCS#11 token (SoftHSM2): the signer signs through it,
/// named by `-ca-key pkcs11:URI` and, as deploy/'s Secret names it, by a
/// key file holding the URI.
fn token_ca_key(c: &Cluster) {
    eprintln!(
        "== the CA key in a PKCS#11 token (SoftHSM2): -ca-key URI, and a key file holding the URI"
    );
    let hsm = SoftHsm::new();
    hsm.keygen("EC:prime256v1", "k8s-ca", "01");
    let uri = hsm.uri("k8s-ca");
    let out = hsm
        .env(&mut Command::new(support::certkit_dynamic()))
        .args([
            "gencert",
            "-initca",
            "-ca-key",
            &uri,
            "fixtures/workflow/ca-csr.json",
        ])
        .current_dir(REPO)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ca = support::dir::field(&String::from_utf8(out.stdout).unwrap(), "cert");
    std::fs::write(c.work.join("token-ca.pem"), ca).unwrap();
    std::fs::write(c.work.join("token-ca-key.uri"), format!("{uri}\n")).unwrap();
    for (n, ca_key) in [uri.as_str(), "token-ca-key.uri"].into_iter().enumerate() {
        let signer_name = format!("example.com/token{n}");
        let signer = Signer::start_in_token(
            c,
            &hsm,
            &format!("token{n}"),
            ca_key,
            &[&format!("--signer-name={signer_name}")],
        );
        let csr = format!("token-svc-{n}");
        c.run(&format!(
            "certkit k8s request -name {csr} -signer-name {signer_name} server.csr | kubectl apply -f -
             kubectl certificate approve {csr}"
        ));
        c.wait_condition(&csr, "Approved,Issued", Duration::from_secs(30));
        c.check_certificate(&csr, "token-ca.pem", "server-key.pem");
        let issued = signer.decisions();
        assert_eq!(issued.len(), 1, "{issued:?}");
        assert_eq!(issued[0]["decision"], "issued");
        assert!(
            !signer.log().contains(support::softhsm::PIN),
            "the PIN is in the log"
        );
    }
}

/// Requests made as a kubelet makes them (by the node's own identity):
/// serving requests approved or denied by the node's addresses, client
/// requests approved when the requester may renew (RBAC, asked with a
/// SubjectAccessReview), left pending otherwise; the approved ones signed.
fn kubelet_requests(c: &Cluster) {
    eprintln!("== kubelet requests: auto-approval by the node's addresses, signing");
    c.run(
        r#"echo '{"apiVersion":"v1","kind":"Node","metadata":{"name":"node1"}}' | kubectl create -f -
         kubectl patch node node1 --subresource=status --type=merge \
           -p '{"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.7"},{"type":"Hostname","address":"node1"}]}}'
         echo '{"CN":"system:node:node1","names":[{"O":"system:nodes"}],"hosts":["node1","10.0.0.7"],"key":{"algo":"ecdsa","size":256}}' > node1.json
         echo '{"CN":"system:node:node1","names":[{"O":"system:nodes"}],"hosts":["node1","evil.example.com"],"key":{"algo":"ecdsa","size":256}}' > foreign.json
         echo '{"CN":"system:node:node1","names":[{"O":"system:nodes"}],"key":{"algo":"ecdsa","size":256}}' > client.json
         for r in node1 foreign client; do certkit genkey $r.json | certkit json -bare $r; done
         # Nodes may renew their own client certificates, as kubeadm sets up.
         kubectl create clusterrolebinding node-autoapprove-certificate-rotation \
           --clusterrole=system:certificates.k8s.io:certificatesigningrequests:selfnodeclient --group=system:nodes
         # From here on the profile allows client certificates too.
         echo '{"signing":{"default":{"usages":["digital signature","key encipherment","server auth","client auth"],"expiry":"8760h"}}}' > signing.json"#,
    );
    let signer = Signer::start(
        c,
        "kubelet",
        &c.env["KUBECONFIG"],
        &[
            "--signer-name=kubernetes.io/kubelet-serving,kubernetes.io/kube-apiserver-client-kubelet",
            "--approve-kubelet-serving",
            "--approve-kubelet-client",
            "--cluster-trust-bundle=false",
        ],
    );
    // As the kubelet: its own credentials, the usages it sends for EC keys.
    c.run(
        "export KUBECONFIG=$KUBECONFIG_NODE1
         certkit k8s request -name node1-serving -signer-name kubernetes.io/kubelet-serving \
           -usages 'digital signature,server auth' node1.csr | kubectl create -f -
         certkit k8s request -name node1-foreign -signer-name kubernetes.io/kubelet-serving \
           -usages 'digital signature,server auth' foreign.csr | kubectl create -f -
         certkit k8s request -name node1-client -signer-name kubernetes.io/kube-apiserver-client-kubelet \
           -usages 'digital signature,client auth' client.csr | kubectl create -f -
         # Another node asking for node1's client certificate: not allowed.
         export KUBECONFIG=$KUBECONFIG_ADMIN
         certkit k8s request -name node2-for-node1 -signer-name kubernetes.io/kube-apiserver-client-kubelet \
           -usages 'digital signature,client auth' client.csr | \
           kubectl create --as=system:node:node2 --as-group=system:nodes -f -",
    );
    c.wait_condition("node1-serving", "Approved,Issued", Duration::from_secs(30));
    c.check_certificate("node1-serving", "ca.pem", "node1-key.pem");
    c.wait_condition("node1-foreign", "Denied", Duration::from_secs(30));
    let denied = c.csr("node1-foreign");
    let condition = &denied["status"]["conditions"][0];
    assert_eq!(condition["type"], "Denied");
    assert_eq!(condition["reason"], "CertkitAutoDenied");
    let message = condition["message"].as_str().unwrap();
    assert!(
        message.contains("SAN evil.example.com is not an address of node node1"),
        "{message}"
    );
    c.wait_condition("node1-client", "Approved,Issued", Duration::from_secs(30));
    c.check_certificate("node1-client", "ca.pem", "client-key.pem");
    let approved = &c.csr("node1-client")["status"]["conditions"][0];
    assert_eq!(approved["reason"], "CertkitAutoApproved");
    assert!(approved["message"]
        .as_str()
        .unwrap()
        .contains("system:node:node1 may create certificatesigningrequests/selfnodeclient"));
    wait_until(
        "the decision on node2-for-node1",
        Duration::from_secs(30),
        || {
            signer
                .decisions()
                .iter()
                .any(|d| d["csr"] == "node2-for-node1")
        },
    );
    assert_eq!(c.condition("node2-for-node1"), "Pending");
    let metrics = signer.metrics();
    assert!(
        metrics.contains("certkit_signer_approved_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("certkit_signer_denied_total 1"),
        "{metrics}"
    );
}

/// Two replicas with leader election; the leader is killed with SIGKILL
/// while requests are being approved. Every request ends Issued, with one
/// certificate, and no request is reported issued by both replicas.
fn two_replicas_and_kill_9_of_the_leader(c: &Cluster) {
    const N: usize = 200;
    eprintln!("== two replicas, kill -9 of the leader during {N} approvals");
    let replica = |name: &str| {
        Signer::start(
            c,
            name,
            &c.env["KUBECONFIG"],
            &[
                "--signer-name=example.com/ha",
                "--leader-elect",
                "--leader-elect-lease-name=certkit-signer-ha",
                "--leader-elect-lease-duration=4s",
                "--cluster-trust-bundle=false",
            ],
        )
    };
    let a = replica("replica-a");
    let b = replica("replica-b");
    let holder = || {
        c.run("kubectl get lease certkit-signer-ha -o jsonpath='{.spec.holderIdentity}' 2>/dev/null || true")
    };
    wait_until("a leader", Duration::from_secs(20), || {
        !holder().trim().is_empty()
    });
    let (leader, follower) = if holder().starts_with("replica-a_") {
        (a, b)
    } else {
        (b, a)
    };
    // N objects sharing one key (names differ), created in one call.
    let names = c.request_list("example.com/ha", "ha", N);
    c.run("kubectl create -f ha.json >/dev/null");
    let (first, second) = names.split_at(N / 2);
    // Approvals as several administrators would send them: 4 at a time.
    let approve = |names: &[String]| {
        c.run(&format!(
            "printf '%s\\n' {} | xargs -n 10 -P 4 kubectl certificate approve >/dev/null",
            names.join(" ")
        ))
    };
    approve(first);
    // Kill the leader as soon as it has issued something, mid-stream.
    wait_until("the leader to issue", Duration::from_secs(30), || {
        !leader.decisions().is_empty()
    });
    leader.signal("-KILL");
    let killed = Instant::now();
    let killed_at = time::OffsetDateTime::now_utc();
    approve(second);
    wait_until("the follower to take over", Duration::from_secs(30), || {
        follower.log().contains("\"leader\":true")
    });
    let took_over_at = follower
        .log()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["leader"] == true)
        .and_then(|v| v["timestamp"].as_str().map(str::to_string))
        .unwrap();
    let took_over_at = time::OffsetDateTime::parse(
        &took_over_at,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let takeover = (took_over_at - killed_at).as_seconds_f64();
    // Lease duration 4 s, plus a retry period and a busy machine's slack.
    assert!(takeover < 15.0, "takeover took {takeover} s");
    let all_issued = || {
        let list: Value = serde_json::from_str(&c.run("kubectl get csr -o json")).unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["spec"]["signerName"] == "example.com/ha")
            .filter(|o| o["status"]["certificate"].is_string())
            .count()
    };
    wait_until("every request issued", Duration::from_secs(120), || {
        all_issued() == N
    });
    let everything = killed.elapsed();

    // Each object: Approved,Issued, one certificate, verifying; all serials distinct.
    let list: Value = serde_json::from_str(&c.run("kubectl get csr -o json")).unwrap();
    let mut pems = String::new();
    for item in list["items"].as_array().unwrap() {
        if item["spec"]["signerName"] != "example.com/ha" {
            continue;
        }
        let types: Vec<&str> = item["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["type"].as_str())
            .collect();
        assert_eq!(types, ["Approved"], "{}", item["metadata"]["name"]);
        let pem = base64_decode(item["status"]["certificate"].as_str().unwrap());
        assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 1);
        pems.push_str(&pem);
    }
    std::fs::write(c.work.join("ha-certs.pem"), &pems).unwrap();
    let out = c.run(
        "awk '/BEGIN CERT/{n++} {print > (\"ha-cert-\" n \".pem\")}' ha-certs.pem
         openssl verify -CAfile ca.pem ha-cert-*.pem | grep -c ': OK$'
         for f in ha-cert-*.pem; do openssl x509 -in $f -noout -serial; done | sort -u | wc -l",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0].trim(), N.to_string(), "every certificate verifies");
    assert_eq!(lines[1].trim(), N.to_string(), "every serial is distinct");

    // No object reported issued twice across the two replicas' logs.
    let mut issued: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let (leader_log, follower_log) = (leader.decisions(), follower.decisions());
    for (who, decisions) in [("leader", &leader_log), ("follower", &follower_log)] {
        for d in decisions.iter().filter(|d| d["decision"] == "issued") {
            issued
                .entry(d["csr"].as_str().unwrap().to_string())
                .or_default()
                .push(who);
        }
    }
    let twice: Vec<_> = issued.iter().filter(|(_, w)| w.len() > 1).collect();
    assert!(twice.is_empty(), "issued more than once: {twice:?}");
    // A certificate the killed leader wrote just before SIGKILL has no log
    // line; only writes in flight at the kill (at most --concurrency) can.
    let unlogged = N - issued.len();
    assert!(
        unlogged <= 8,
        "{unlogged} certificates without a decision line"
    );
    let by_leader = leader_log.len();
    let by_follower = follower_log.len();
    assert!(by_follower > 0, "the follower issued nothing");
    eprintln!(
        "   {N} requests: {by_leader} issued by the killed leader, {by_follower} by the follower, {unlogged} written by the leader as it was killed; \
         takeover {takeover:.2} s after kill -9 (lease 4 s), all issued {everything:?} after it"
    );
}

/// Waits until the racing `signers` have logged `n` "issued" decisions
/// between them, then a second more (a late duplicate would show up as
/// another line), and checks that each object (`field` of the decision
/// line) was issued exactly once.
fn each_issued_once(signers: [&Signer; 2], field: &str, n: usize) {
    let issued_lines = || {
        signers
            .iter()
            .flat_map(|s| s.decisions())
            .filter(|d| d["decision"] == "issued")
            .map(|d| d[field].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    wait_until(
        &format!("{n} racing requests issued"),
        Duration::from_secs(60),
        || issued_lines().len() >= n,
    );
    std::thread::sleep(Duration::from_secs(1));
    let mut lines = issued_lines();
    lines.sort();
    let mut unique = lines.clone();
    unique.dedup();
    assert_eq!(lines.len(), n, "issued lines: {lines:?}");
    assert_eq!(unique.len(), n);
}

/// Two signers without leader election sign every approved request at the
/// same time; the resourceVersion on each status write lets exactly one
/// of them publish a certificate per request, the other gets 409 Conflict.
fn two_signers_racing_without_election(c: &Cluster) {
    const N: usize = 50;
    eprintln!("== two signers without leader election racing for {N} requests");
    let a = Signer::racer(c, "race-a", "example.com/race");
    let b = Signer::racer(c, "race-b", "example.com/race");
    let names = c.request_list("example.com/race", "race", N);
    c.run(&format!(
        "kubectl create -f race.json >/dev/null
         kubectl certificate approve {} >/dev/null",
        names.join(" ")
    ));
    each_issued_once([&a, &b], "csr", N);
    for name in &names {
        assert_eq!(c.condition(name), "Approved,Issued", "{name}");
    }
    let conflicts = |s: &Signer| {
        s.metrics()
            .lines()
            .find_map(|l| l.strip_prefix("certkit_signer_conflicts_total "))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    eprintln!(
        "   {N} requests: {} issued by one, {} by the other, {} conflicts lost the race",
        a.decisions().len(),
        b.decisions().len(),
        conflicts(&a) + conflicts(&b)
    );
}

fn base64_decode(text: &str) -> String {
    use base64::Engine;
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap(),
    )
    .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
