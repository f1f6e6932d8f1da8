//! certkit on a REAL node: a one-node Kubernetes 1.37 cluster
//! (`scripts/peers/node`: etcd, kube-apiserver, kube-scheduler,
//! kube-controller-manager without any certificate controller, containerd,
//! runc, a CNI and a real kubelet) whose whole PKI `certkit cluster init`
//! wrote, with `certkit signer` as the only CSR approver and signer:
//!
//! - the kubelet's TLS bootstrap with a bootstrap token: its client
//!   certificate (approved by certkit's SubjectAccessReview rule), its serving
//!   certificate (approved by the node-address rules), Node Ready, `kubectl
//!   logs` and `exec` through that serving certificate, verified by the API
//!   server;
//! - rotation of both with one-minute certificates, the node Ready throughout;
//!   a serving request for a foreign name denied, with the reason in an Event;
//! - certkit's image (scripts/image) imported into containerd, `kubectl apply
//!   -k` of an overlay of `deploy/`: two replicas Ready, one holding the
//!   Lease, the kubelet bootstrapping again through the in-cluster signer,
//!   the leader's pod deleted while requests are approved (none lost);
//! - the Helm chart: lint, `helm template | kubectl apply --dry-run=server`,
//!   `helm install` serving a kubelet bootstrap;
//! - pod certificates (`pods.rs`): podCertificate volumes issued by certkit,
//!   mutual TLS between pods with them, refresh in place;
//! - `stop` leaves the host as it was (mounts, cgroups, sysctls, paths,
//!   network links, processes).
//!
//! Needs root, containerd, runc, buildah and the cached builds
//! (`scripts/peers/node build`, `scripts/peers/helm build`); prints SKIP and
//! why otherwise.
//!
//! If you're testing what happens on a real kubelet, a pod or certkit's
//! own image and manifests in a cluster, it goes in here. It is a test
//! binary of its own because making the image relinks the certkit binary
//! statically in place: no other test may run certkit meanwhile.

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

// Pod certificates on the real kubelet: a test of its own (its own node).
mod pods;
const KUBELET_CLIENT: &str = "kubernetes.io/kube-apiserver-client-kubelet";
const KUBELET_SERVING: &str = "kubernetes.io/kubelet-serving";
/// Certificates of one minute (five seconds of it backdated): the kubelet
/// renews each at 70-90 % of its life, so every 42-54 s.
const SHORT_POLICY: &str = r#"{"signing":{"default":{"usages":["digital signature","key encipherment","server auth","client auth"],"expiry":"1m","backdate":"5s"}}}"#;

fn peer(name: &str) -> PathBuf {
    Path::new(REPO).join("scripts/peers").join(name)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ready() {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("timed out after {limit:?} waiting for {what}");
}

/// The tests here run one at a time: one node per host (fixed paths and
/// ports), and the image's relink replaces target/debug/certkit in place
/// while another test would run it.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Why this machine cannot run the node, if it cannot (`node check`).
fn why_not() -> Option<String> {
    let out = Command::new(peer("node")).arg("check").output().unwrap();
    (!out.status.success()).then(|| text(&out).trim().to_string())
}

/// The static certkit the image is made of: CERTKIT_STATIC, or
/// `scripts/release --profile dev` (which relinks target/debug/certkit
/// statically: the same program, so the other steps of these tests run it
/// unchanged), without its debug information. Built once per test binary,
/// before any test here runs certkit.
fn static_certkit() -> Result<PathBuf, String> {
    static STATIC: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    STATIC
        .get_or_init(|| {
            if let Some(path) = std::env::var_os("CERTKIT_STATIC") {
                return Ok(PathBuf::from(path));
            }
            let dir = Path::new(REPO).join("target/node-test");
            std::fs::create_dir_all(&dir).unwrap();
            // scripts/release replaces target/debug/certkit with the static
            // link; the one the tests were built with is put back after.
            let kept = dir.join("certkit-as-built");
            std::fs::copy(support::certkit(), &kept).unwrap();
            let out = Command::new(Path::new(REPO).join("scripts/release"))
                .args(["--profile", "dev", "--out"])
                .arg(dir.join("dist"))
                .output()
                .unwrap();
            std::fs::rename(&kept, support::certkit()).unwrap();
            if !out.status.success() {
                return Err(format!("scripts/release failed: {}", text(&out)));
            }
            let built = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let stripped = dir.join("certkit");
            let out = Command::new("strip")
                .arg("-o")
                .arg(&stripped)
                .arg(&built)
                .output()
                .unwrap();
            if !out.status.success() {
                return Err(format!("strip failed: {}", text(&out)));
            }
            Ok(stripped)
        })
        .clone()
}

/// `scripts/image --binary BIN --out DIR`; the archive's path.
fn build_image(binary: &Path, out: &Path) -> PathBuf {
    let run = Command::new(Path::new(REPO).join("scripts/image"))
        .arg("--binary")
        .arg(binary)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(run.status.success(), "scripts/image: {}", text(&run));
    PathBuf::from(String::from_utf8_lossy(&run.stdout).trim())
}

// ------------------------------------------------------------ host state

/// What a node could leave on the host; compared before start and after stop.
#[derive(Debug, PartialEq)]
struct HostState {
    paths: Vec<(String, bool)>,
    sysctls: Vec<(String, String)>,
    links: BTreeSet<String>,
}

const NODE_PATHS: &[&str] = &[
    "/var/lib/kubelet",
    "/var/lib/cni",
    "/var/log/containers",
    "/var/log/pods",
    "/run/containerd",
    "/var/lib/containerd",
    "/var/lib/containers",
    "/run/containers",
    "/etc/cni/net.d",
    "/usr/libexec/kubernetes",
    "/run/mount/utab",
    "/root/.kube",
    "/root/.cache/helm",
    "/root/.config/helm",
];
const SYSCTLS: &[&str] = &[
    "vm/overcommit_memory",
    "vm/panic_on_oom",
    "kernel/panic",
    "kernel/panic_on_oops",
    "kernel/keys/root_maxkeys",
    "kernel/keys/root_maxbytes",
];

impl HostState {
    fn now() -> HostState {
        let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
        HostState {
            paths: NODE_PATHS
                .iter()
                .map(|p| (p.to_string(), Path::new(p).exists()))
                .collect(),
            sysctls: SYSCTLS
                .iter()
                .map(|s| {
                    let v = std::fs::read_to_string(format!("/proc/sys/{s}")).unwrap_or_default();
                    (s.to_string(), v.trim().to_string())
                })
                .collect(),
            links: String::from_utf8_lossy(&links.stdout)
                .lines()
                .filter_map(|l| l.split(": ").nth(1))
                .map(|name| name.split('@').next().unwrap().to_string())
                .collect(),
        }
    }

    /// Mounts, cgroups and processes that name the run directory or the node.
    fn leftovers(dir: &Path, cgroup_root: &str) -> Vec<String> {
        let dir = dir.to_string_lossy().to_string();
        let mut left: Vec<String> = std::fs::read_to_string("/proc/self/mounts")
            .unwrap()
            .lines()
            .filter(|l| l.contains(&dir) || l.contains("certkit-node"))
            .map(|l| format!("mount: {l}"))
            .collect();
        if !cgroup_root.is_empty() {
            for h in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
                let p = h.path().join(cgroup_root.trim_start_matches('/'));
                if p.exists() {
                    left.push(format!("cgroup: {}", p.display()));
                }
            }
            let v2 = Path::new("/sys/fs/cgroup").join(cgroup_root.trim_start_matches('/'));
            if v2.exists() {
                left.push(format!("cgroup: {}", v2.display()));
            }
        }
        for p in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(cmd) = std::fs::read(p.path().join("cmdline")) else {
                continue;
            };
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(&dir) {
                left.push(format!(
                    "process {}: {cmd}",
                    p.file_name().to_string_lossy()
                ));
            }
        }
        left
    }
}

// ------------------------------------------------------------ the node

/// A running cluster; `scripts/peers/node stop` (by PID) on drop.
struct Node {
    _tmp: tempfile::TempDir,
    /// The cluster's directory (DIR of the script).
    d: PathBuf,
    work: PathBuf,
    env: HashMap<String, String>,
    stopped: bool,
}

impl Drop for Node {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = Command::new(peer("node")).arg("stop").arg(&self.d).output();
        }
    }
}

impl Node {
    /// certkit's PKI, then the control plane (no node yet). None: SKIP.
    fn start_control_plane() -> Option<Node> {
        if let Some(why) = why_not() {
            eprintln!("SKIP node tests: {why}");
            return None;
        }
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("cluster");
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        let mut node = Node {
            _tmp: tmp,
            d,
            work,
            env: HashMap::new(),
            stopped: true,
        };
        // The cluster's PKI, all of it from certkit: kubeadm's layout
        // (etcd, API server, front proxy, service accounts) and an admin.
        node.host_sh(
            r#"cat > cluster.json <<'EOF'
{"cluster_name": "certkit-node",
 "nodes": [{"name": "localhost", "ip": "10.88.0.1"}],
 "load_balancers": ["127.0.0.1"],
 "service_ip": "10.0.0.1",
 "key": "ecdsa-p256", "ca_expiry": "48h", "leaf_expiry": "24h"}
EOF
            certkit cluster init -config cluster.json --out "$D/pki"
            echo '{"signing":{"default":{"usages":["digital signature","key encipherment","client auth"],"expiry":"24h"}}}' > client-policy.json
            echo '{"CN":"admin","names":[{"O":"system:masters"}],"key":{"algo":"ecdsa","size":256}}' |
              certkit gencert -ca "$D/pki/ca.crt" -ca-key "$D/pki/ca.key" -config client-policy.json - |
              certkit json -bare admin
            mv admin.pem "$D/admin.crt"; mv admin-key.pem "$D/admin.key""#,
        );
        let t0 = Instant::now();
        node.stopped = false;
        let out = Command::new(peer("node"))
            .arg("start-cp")
            .arg(&node.d)
            .env(
                "KCM_CONTROLLERS",
                "serviceaccount-controller,root-ca-certificate-publisher-controller,\
                 node-lifecycle-controller,deployment-controller,replicaset-controller,\
                 garbage-collector-controller",
            )
            .output()
            .unwrap();
        if !out.status.success() {
            let why = text(&out);
            if why.contains("run '") && why.contains(" build'") {
                eprintln!("SKIP node tests: not built ({})", why.trim());
                return None;
            }
            panic!("node start-cp failed: {why}");
        }
        node.env = std::fs::read_to_string(node.d.join("env"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        eprintln!("control plane on certkit's PKI ready in {:?}", t0.elapsed());
        Some(node)
    }

    fn script(&self, verb: &str, extra: &[&str]) -> Output {
        Command::new(peer("node"))
            .arg(verb)
            .arg(&self.d)
            .args(extra)
            .output()
            .unwrap()
    }

    fn script_ok(&self, verb: &str, extra: &[&str]) {
        let out = self.script(verb, extra);
        assert!(out.status.success(), "node {verb}: {}", text(&out));
    }

    fn command(&self, script: &str, in_cluster_net: bool) -> Command {
        let certkit = support::certkit();
        let certkit_dir = certkit.parent().unwrap();
        let path = format!(
            "{}:{}:{}",
            certkit_dir.display(),
            self.env.get("KUBE_BIN").map(String::as_str).unwrap_or(""),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = if in_cluster_net {
            let mut c = Command::new("nsenter");
            c.arg(format!("--net={}", self.env["NETNS"])).arg("--");
            c.arg("bash");
            c
        } else {
            Command::new("bash")
        };
        cmd.args(["-o", "pipefail", "-ec", script])
            .current_dir(&self.work)
            .env("PATH", path)
            .env("D", &self.d)
            .env("REPO", REPO)
            .env("KUBECACHEDIR", self.d.join("kubectl-cache"))
            .env("HELM_CACHE_HOME", self.work.join("helm/cache"))
            .env("HELM_CONFIG_HOME", self.work.join("helm/config"))
            .env("HELM_DATA_HOME", self.work.join("helm/data"));
        if let Some(k) = self.env.get("KUBECONFIG") {
            cmd.env("KUBECONFIG", k);
        }
        cmd
    }

    /// Bash in the work directory on the host; must succeed; its standard output.
    fn host_sh(&self, script: &str) -> String {
        let out = self.command(script, false).output().unwrap();
        assert!(out.status.success(), "failed: {script}\n{}", text(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Bash in the cluster's network namespace (kubectl, curl, openssl).
    fn sh(&self, script: &str) -> Output {
        self.command(script, true).output().unwrap()
    }

    fn run(&self, script: &str) -> String {
        let out = self.sh(script);
        assert!(out.status.success(), "failed: {script}\n{}", text(&out));
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, kubectl_args: &str) -> Value {
        serde_json::from_str(&self.run(&format!("kubectl {kubectl_args} -o json"))).unwrap()
    }

    fn csrs(&self) -> Vec<Value> {
        self.json("get csr")["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn node_ready(&self) -> bool {
        let out = self.sh("kubectl get node localhost -o json");
        if !out.status.success() {
            return false;
        }
        let node: Value = serde_json::from_slice(&out.stdout).unwrap();
        node["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    }

    /// The certificate the kubelet serves on 127.0.0.1:10250, verified against the CA (PEM).
    fn served_certificate(&self) -> String {
        self.run(
            "openssl s_client -connect 127.0.0.1:10250 -CAfile \"$D/pki/ca.crt\" -verify_return_error \
               -servername localhost </dev/null 2>/dev/null | openssl x509",
        )
    }

    fn stop(&mut self) -> Duration {
        let t0 = Instant::now();
        let out = self.script("stop", &[]);
        self.stopped = true;
        assert!(out.status.success(), "node stop: {}", text(&out));
        t0.elapsed()
    }
}

/// The condition types of a CSR, e.g. "Approved,Issued".
fn condition(csr: &Value) -> String {
    let mut types: Vec<String> = csr["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["type"].as_str().unwrap_or_default().to_string())
        .collect();
    if csr["status"]["certificate"].is_string() {
        types.push("Issued".into());
    }
    types.join(",")
}

fn signer_of(csr: &Value) -> &str {
    csr["spec"]["signerName"].as_str().unwrap_or_default()
}

fn requester(csr: &Value) -> &str {
    csr["spec"]["username"].as_str().unwrap_or_default()
}

fn name_of(v: &Value) -> &str {
    v["metadata"]["name"].as_str().unwrap_or_default()
}

/// A `certkit signer` beside the control plane, in its network namespace;
/// SIGTERM on drop.
struct OutsideSigner {
    child: Child,
    log: PathBuf,
}

impl OutsideSigner {
    fn start(node: &Node, args: &[&str]) -> OutsideSigner {
        let (ca, key) = (node.d.join("pki/ca.crt"), node.d.join("pki/ca.key"));
        OutsideSigner::start_with(node, "signer.log", &ca, &key, args)
    }

    /// A signer with its own log file and CA (and `-config signing.json`).
    fn start_with(
        node: &Node,
        log: &str,
        ca: &Path,
        ca_key: &Path,
        args: &[&str],
    ) -> OutsideSigner {
        let log = node.work.join(log);
        let child = Command::new("nsenter")
            .arg(format!("--net={}", node.env["NETNS"]))
            .arg("--")
            .arg(support::certkit())
            .arg("signer")
            .arg("-ca")
            .arg(ca)
            .arg("-ca-key")
            .arg(ca_key)
            .args(["-config", "signing.json", "--kubeconfig"])
            .arg(&node.env["KUBECONFIG"])
            .args(args)
            .current_dir(&node.work)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let signer = OutsideSigner { child, log };
        wait_until("the signer to start", Duration::from_secs(30), || {
            signer.log().contains("\"message\":\"controller started\"")
        });
        signer
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for OutsideSigner {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------ the tests

#[test]
fn a_real_node_bootstraps_and_rotates_through_certkit() {
    let _one = one_at_a_time();
    let before = HostState::now();
    let Some(mut node) = Node::start_control_plane() else {
        return;
    };
    let cgroup_root = format!("/certkit-node-{}", node.env["HOLDER_PID"]);
    let image_binary = static_certkit();
    std::fs::write(node.work.join("signing.json"), SHORT_POLICY).unwrap();
    let signer = OutsideSigner::start(
        &node,
        &[
            &format!("--signer-name={KUBELET_CLIENT},{KUBELET_SERVING}"),
            "--approve-kubelet-client",
            "--approve-kubelet-serving",
            "--metrics-address=127.0.0.1:9091",
        ],
    );
    kubelet_joins_through_certkit(&node);
    pods_logs_and_exec_through_the_serving_certificate(&node);
    both_certificates_rotate_and_the_node_stays_ready(&node);
    a_foreign_serving_request_is_denied(&node, &signer);
    match &image_binary {
        // The signer beside the cluster stops once the one inside runs:
        // one-minute certificates do not outlive a gap.
        Ok(binary) => {
            in_cluster_signer_from_deploy(&node, binary, signer);
            match helm() {
                Some(helm) => helm_chart_installs_and_serves(&node, &helm),
                None => eprintln!("SKIP helm install: no cached helm (scripts/peers/helm build)"),
            }
        }
        Err(why) => {
            drop(signer);
            eprintln!("SKIP the in-cluster signer: no static certkit: {why}")
        }
    }
    let stop = node.stop();
    eprintln!("stopped in {stop:?}");
    let left = HostState::leftovers(&node.d, &cgroup_root);
    assert!(left.is_empty(), "left on the host: {left:#?}");
    assert_eq!(HostState::now(), before, "the host changed");
}

fn kubelet_joins_through_certkit(node: &Node) {
    eprintln!("== the kubelet joins with a bootstrap token; certkit approves and signs");
    let t0 = Instant::now();
    node.script_ok("start-node", &[]);
    let ready = wait_until("node localhost Ready", Duration::from_secs(120), || {
        node.node_ready()
    });
    eprintln!(
        "node Ready {:?} after start-node ({ready:?} after the kubelet started)",
        t0.elapsed()
    );
    let token_id = node.env["BOOTSTRAP_TOKEN"]
        .split('.')
        .next()
        .unwrap()
        .to_string();
    let csrs = node.csrs();
    let bootstrap = csrs
        .iter()
        .find(|c| {
            signer_of(c) == KUBELET_CLIENT && requester(c) == format!("system:bootstrap:{token_id}")
        })
        .unwrap_or_else(|| panic!("no client CSR from the bootstrap token: {csrs:#?}"));
    assert_eq!(condition(bootstrap), "Approved,Issued");
    let approved = &bootstrap["status"]["conditions"][0];
    assert_eq!(approved["reason"], "CertkitAutoApproved");
    let message = approved["message"].as_str().unwrap();
    assert!(
        message.contains("may create certificatesigningrequests/nodeclient"),
        "{message}"
    );
    // The kubelet's client certificate: from the cluster CA, a node's identity, one minute.
    let subject = node.run(
        "openssl verify -CAfile \"$D/pki/ca.crt\" \"$D/node/pki/kubelet-client-current.pem\" >&2
         openssl x509 -in \"$D/node/pki/kubelet-client-current.pem\" -noout -subject -nameopt RFC2253",
    );
    assert!(
        subject.contains("CN=system:node:localhost,O=system:nodes"),
        "{subject}"
    );
    // The serving certificate follows registration.
    wait_until(
        "the kubelet's serving certificate",
        Duration::from_secs(60),
        || {
            node.csrs()
                .iter()
                .any(|c| signer_of(c) == KUBELET_SERVING && condition(c) == "Approved,Issued")
        },
    );
    let serving = node
        .csrs()
        .into_iter()
        .find(|c| signer_of(c) == KUBELET_SERVING)
        .unwrap();
    assert_eq!(requester(&serving), "system:node:localhost");
    assert_eq!(
        serving["status"]["conditions"][0]["reason"],
        "CertkitAutoApproved"
    );
    let served = node.served_certificate();
    let sans = node.run(&format!(
        "echo '{served}' | openssl x509 -noout -ext subjectAltName"
    ));
    assert!(
        sans.contains("DNS:localhost") && sans.contains("IP Address:10.88.0.1"),
        "{sans}"
    );
    eprintln!("bootstrap complete {:?} after start-node", t0.elapsed());
}

fn pods_logs_and_exec_through_the_serving_certificate(node: &Node) {
    eprintln!("== a pod; kubectl logs and exec through the kubelet's serving certificate");
    let t0 = Instant::now();
    node.run(
        "kubectl run hello --image=localhost/certkit-test/busybox:1 --image-pull-policy=Never \
           --restart=Never -- sh -c 'echo hello-from-busybox; exec sleep 3600'
         kubectl wait --for=condition=Ready pod/hello --timeout=90s",
    );
    eprintln!("pod Ready in {:?}", t0.elapsed());
    let logs = node.run("kubectl logs hello");
    assert_eq!(logs.trim(), "hello-from-busybox");
    let exec = node.run("kubectl exec hello -- echo exec-ok");
    assert_eq!(exec.trim(), "exec-ok");
    let stdin = node.run("echo stdin-ok | kubectl exec -i hello -- cat");
    assert_eq!(stdin.trim(), "stdin-ok");
    // The pod has its own network: an address from the CNI, the API server
    // through the kubernetes Service's address.
    let ip = node.run("kubectl get pod hello -o jsonpath='{.status.podIP}'");
    assert!(ip.starts_with("10.88."), "pod IP {ip}");
    let reach =
        node.run("kubectl exec hello -- sh -c 'nc -w 2 10.0.0.1 443 </dev/null && echo reached'");
    assert_eq!(reach.trim(), "reached");
}

fn renewals(node: &Node, signer: &str) -> usize {
    node.csrs()
        .iter()
        .filter(|c| {
            signer_of(c) == signer
                && requester(c) == "system:node:localhost"
                && condition(c) == "Approved,Issued"
        })
        .count()
}

fn both_certificates_rotate_and_the_node_stays_ready(node: &Node) {
    eprintln!("== one-minute certificates: the kubelet renews both, the node stays Ready");
    let t0 = Instant::now();
    // The first serving certificate is itself a request from the node: 3 renewals = 4 requests.
    let mut not_ready = 0;
    let mut checks = 0;
    wait_until(
        "three renewals of the client and the serving certificate",
        Duration::from_secs(300),
        || {
            checks += 1;
            if !node.node_ready() {
                not_ready += 1;
            }
            std::thread::sleep(Duration::from_secs(1));
            renewals(node, KUBELET_CLIENT) >= 3 && renewals(node, KUBELET_SERVING) >= 4
        },
    );
    eprintln!(
        "{} client renewals, {} serving certificates in {:?}; Ready at {} of {} checks",
        renewals(node, KUBELET_CLIENT),
        renewals(node, KUBELET_SERVING),
        t0.elapsed(),
        checks - not_ready,
        checks
    );
    assert_eq!(not_ready, 0, "the node was NotReady during rotation");
    // Still the one-minute certificates, still working.
    let life = node.run(
        "for f in kubelet-client-current.pem kubelet-server-current.pem; do
           openssl verify -CAfile \"$D/pki/ca.crt\" \"$D/node/pki/$f\" >&2
           b=$(date -d \"$(openssl x509 -in \"$D/node/pki/$f\" -noout -startdate | cut -d= -f2)\" +%s)
           a=$(date -d \"$(openssl x509 -in \"$D/node/pki/$f\" -noout -enddate | cut -d= -f2)\" +%s)
           echo $((a - b))
         done",
    );
    assert_eq!(life.split_whitespace().collect::<Vec<_>>(), ["60", "60"]);
    assert_eq!(node.run("kubectl logs hello").trim(), "hello-from-busybox");
    assert!(node.node_ready());
}

fn a_foreign_serving_request_is_denied(node: &Node, signer: &OutsideSigner) {
    eprintln!("== a serving request for a foreign name, with the node's own credentials: denied");
    let before = node.served_certificate();
    node.run(
        r#"cp "$D/node/pki/kubelet-client-current.pem" node-cred.pem
         kubectl config view --raw --minify > node.kubeconfig
         kubectl --kubeconfig node.kubeconfig config set-credentials node --client-certificate=node-cred.pem \
           --client-key=node-cred.pem --embed-certs >/dev/null
         kubectl --kubeconfig node.kubeconfig config set-context --current --user=node >/dev/null
         echo '{"CN":"system:node:localhost","names":[{"O":"system:nodes"}],"hosts":["localhost","evil.example.com"],"key":{"algo":"ecdsa","size":256}}' |
           certkit genkey - | certkit json -bare foreign
         certkit k8s request -name foreign-serving -signer-name kubernetes.io/kubelet-serving \
           -usages 'digital signature,server auth' foreign.csr |
           kubectl --kubeconfig node.kubeconfig create -f -"#,
    );
    wait_until(
        "the foreign request's decision",
        Duration::from_secs(30),
        || condition(&node.json("get csr foreign-serving")) == "Denied",
    );
    let csr = node.json("get csr foreign-serving");
    assert_eq!(requester(&csr), "system:node:localhost");
    let denied = &csr["status"]["conditions"][0];
    assert_eq!(denied["reason"], "CertkitAutoDenied");
    let message = denied["message"].as_str().unwrap();
    assert!(
        message.contains("SAN evil.example.com is not an address of node localhost"),
        "{message}"
    );
    assert!(signer.log().contains("foreign-serving"));
    // Nothing new is served: no certificate was issued, the kubelet serves what it had.
    assert!(csr["status"]["certificate"].is_null());
    let after = node.served_certificate();
    let sans = node.run(&format!(
        "echo '{after}' | openssl x509 -noout -ext subjectAltName"
    ));
    assert!(!sans.contains("evil.example.com"), "{sans}");
    let _ = before;
    // The reason, in an Event about the request.
    let events = wait_for_event(node, "foreign-serving");
    assert!(
        events.contains("SAN evil.example.com is not an address of node localhost"),
        "{events}"
    );
}

fn wait_for_event(node: &Node, csr: &str) -> String {
    let mut found = String::new();
    wait_until(
        &format!("an Event about {csr}"),
        Duration::from_secs(30),
        || {
            let events = node.json(&format!(
                "get events -A --field-selector involvedObject.name={csr}"
            ));
            found = events["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| format!("{}: {}", e["reason"], e["message"]))
                .collect::<Vec<_>>()
                .join("\n");
            !found.is_empty()
        },
    );
    found
}

// ------------------------------------------------------------ in the cluster

/// The overlay of deploy/ that makes certkit the kubelets' signer (README
/// "certkit in the cluster" shows the same one), with one-minute certificates.
fn write_overlay(dir: &Path, deploy: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let base = relative(deploy, dir);
    let policy = serde_json::to_string(SHORT_POLICY).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        format!(
            r#"apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - {base}
patches:
  - target: {{kind: Deployment, name: certkit-signer}}
    patch: |
      - op: replace
        path: /spec/template/spec/containers/0/args/1
        value: --signer-name=kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving,example.com/serving
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --approve-kubelet-client
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --approve-kubelet-serving
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --kubelet-serving-ips=10.88.0.0/16
  - target: {{kind: ClusterRole, name: certkit-signer}}
    patch: |
      - op: add
        path: /rules/-
        value: {{apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [kubernetes.io/kube-apiserver-client-kubelet, kubernetes.io/kubelet-serving], verbs: [sign, attest]}}
      - op: add
        path: /rules/-
        value: {{apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: [kubernetes.io/kube-apiserver-client-kubelet], verbs: [approve]}}
      - op: add
        path: /rules/-
        value: {{apiGroups: [authorization.k8s.io], resources: [subjectaccessreviews], verbs: [create]}}
  - target: {{kind: ConfigMap, name: certkit-signer-config}}
    patch: |
      - op: replace
        path: /data/signing.json
        value: {policy}
"#
        ),
    )
    .unwrap();
}

/// `to` relative to the directory `from` (both absolute).
fn relative(to: &Path, from: &Path) -> String {
    let to: Vec<_> = to.components().collect();
    let from: Vec<_> = from.components().collect();
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().to_string()),
    );
    parts.join("/")
}

/// The pods of a namespace that are Ready, by name.
fn ready_pods(node: &Node, namespace: &str) -> Vec<String> {
    node.json(&format!("-n {namespace} get pods"))["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .filter(|p| {
            p["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
        .map(|p| name_of(p).to_string())
        .collect()
}

/// Both replicas Ready and one of them holding the Lease; the leader.
fn two_replicas_one_leader(node: &Node, namespace: &str, lease: &str) -> String {
    let pods = ready_pods(node, namespace);
    assert_eq!(pods.len(), 2, "{pods:?}");
    let mut leader = String::new();
    wait_until(
        &format!("a replica holding the Lease {namespace}/{lease}"),
        Duration::from_secs(30),
        || {
            leader = lease_holder(node, namespace, lease);
            pods.contains(&leader)
        },
    );
    leader
}

/// The pod holding the Lease: its holderIdentity is POD_NAME_NONCE.
fn lease_holder(node: &Node, namespace: &str, lease: &str) -> String {
    let out = node.sh(&format!(
        "kubectl -n {namespace} get lease {lease} -o jsonpath='{{.spec.holderIdentity}}'"
    ));
    let identity = String::from_utf8_lossy(&out.stdout).to_string();
    match identity.rsplit_once('_') {
        Some((pod, _nonce)) => pod.to_string(),
        None => identity,
    }
}

/// Restarts the kubelet without its certificates; checks that the new
/// bootstrap request is approved and signed and that `decided_by`'s log (read
/// with kubectl logs, through the new serving certificate) has its decision.
fn kubelet_bootstraps_again(node: &Node, namespace: &str, leader: &str) {
    let known: BTreeSet<String> = node.csrs().iter().map(|c| name_of(c).to_string()).collect();
    let t0 = Instant::now();
    node.script_ok("restart-kubelet", &["--rebootstrap"]);
    let mut fresh = Vec::new();
    wait_until(
        "a new bootstrap request, approved and issued, and a new serving certificate",
        Duration::from_secs(120),
        || {
            fresh = node
                .csrs()
                .into_iter()
                .filter(|c| !known.contains(name_of(c)))
                .filter(|c| condition(c) == "Approved,Issued")
                .collect();
            fresh
                .iter()
                .any(|c| requester(c).starts_with("system:bootstrap:"))
                && fresh.iter().any(|c| signer_of(c) == KUBELET_SERVING)
        },
    );
    wait_until("node Ready", Duration::from_secs(60), || node.node_ready());
    eprintln!("the kubelet bootstrapped again in {:?}", t0.elapsed());
    let bootstrap = fresh
        .iter()
        .find(|c| requester(c).starts_with("system:bootstrap:"))
        .unwrap();
    // Right after its restart the kubelet may not know the pod yet (404).
    wait_until(
        &format!(
            "{leader}'s log, with its decision on {}",
            name_of(bootstrap)
        ),
        Duration::from_secs(30),
        || {
            let out = node.sh(&format!("kubectl -n {namespace} logs {leader}"));
            out.status.success() && text(&out).contains(name_of(bootstrap))
        },
    );
}

fn in_cluster_signer_from_deploy(node: &Node, binary: &Path, outside: OutsideSigner) {
    eprintln!("== certkit's image in containerd, deploy/ applied: the kubelet bootstraps through the in-cluster signer");
    let t0 = Instant::now();
    let archive = build_image(binary, &node.work.join("image"));
    eprintln!("image built in {:?}", t0.elapsed());
    node.script_ok("import", &[archive.to_str().unwrap()]);
    let overlay = node.work.join("kubelet-signer");
    write_overlay(&overlay, &Path::new(REPO).join("deploy"));
    let t0 = Instant::now();
    node.run(
        "kubectl create namespace certkit-system
         kubectl -n certkit-system create secret tls certkit-signer-ca --cert=\"$D/pki/ca.crt\" --key=\"$D/pki/ca.key\"
         kubectl apply -k kubelet-signer
         kubectl -n certkit-system rollout status deployment/certkit-signer --timeout=180s",
    );
    let leader = two_replicas_one_leader(node, "certkit-system", "certkit-signer");
    eprintln!(
        "2 replicas Ready, {leader} leads, {:?} after apply -k",
        t0.elapsed()
    );
    drop(outside);
    // As deploy/ says: not root, read-only root, no shell in the image.
    let pod = node.json(&format!("-n certkit-system get pod {leader}"));
    assert_eq!(pod["spec"]["securityContext"]["runAsUser"], 65532);
    let version = node.run(&format!(
        "kubectl -n certkit-system exec {leader} -- /usr/bin/certkit version"
    ));
    assert!(version.contains("0.1.0"), "{version}");
    let shell = node.sh(&format!(
        "kubectl -n certkit-system exec {leader} -- /bin/sh -c true"
    ));
    assert!(!shell.status.success(), "the image has a shell");

    kubelet_bootstraps_again(node, "certkit-system", &leader);
    leader_pod_deleted_while_requests_are_approved(node, &leader);
}

fn leader_pod_deleted_while_requests_are_approved(node: &Node, leader: &str) {
    eprintln!("== the leader's pod deleted while 20 requests are approved: none lost");
    node.run(
        r#"echo '{"CN":"svc","hosts":["svc.example.com"],"key":{"algo":"ecdsa","size":256}}' |
           certkit genkey - | certkit json -bare handover
         for i in $(seq -w 0 19); do
           certkit k8s request -name handover-$i -signer-name example.com/serving -o json handover.csr
         done | jq -s '{apiVersion: "v1", kind: "List", items: .}' > handover.json
         kubectl create -f handover.json >/dev/null"#,
    );
    let t0 = Instant::now();
    node.run(&format!(
        "for i in $(seq -w 0 19); do kubectl certificate approve handover-$i >/dev/null; done &
         kubectl -n certkit-system delete pod {leader} --wait=false
         wait"
    ));
    let mut holder = String::new();
    let handover = wait_until(
        "another replica to take the Lease",
        Duration::from_secs(30),
        || {
            holder = lease_holder(node, "certkit-system", "certkit-signer");
            !holder.is_empty() && holder != leader
        },
    );
    eprintln!("{holder} took over {handover:?} after the delete");
    assert!(
        handover < Duration::from_secs(15),
        "handover took {handover:?}"
    );
    wait_until("all 20 requests issued", Duration::from_secs(60), || {
        node.csrs()
            .iter()
            .filter(|c| name_of(c).starts_with("handover-"))
            .filter(|c| condition(c) == "Approved,Issued")
            .count()
            == 20
    });
    eprintln!("all 20 issued {:?} after the delete", t0.elapsed());
    node.run(
        "for i in $(seq -w 0 19); do
           kubectl get csr handover-$i -o jsonpath='{.status.certificate}' | base64 -d > h.pem
           openssl verify -CAfile \"$D/pki/ca.crt\" h.pem >/dev/null
         done",
    );
}

// ------------------------------------------------------------ helm

fn helm() -> Option<PathBuf> {
    let out = Command::new(peer("helm")).arg("path").output().ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn helm_chart_installs_and_serves(node: &Node, helm: &Path) {
    eprintln!("== the Helm chart: lint, template | apply --dry-run=server, install");
    let values = node.work.join("kubelet-values.yaml");
    std::fs::write(
        &values,
        format!(
            "signerNames: [{KUBELET_CLIENT}, {KUBELET_SERVING}, example.com/serving]\n\
             approveKubeletClient: true\n\
             approveKubeletServing: true\n\
             allowedIpPrefixes: [10.88.0.0/16]\n\
             signingConfig: {}\n",
            serde_json::to_string(SHORT_POLICY).unwrap()
        ),
    )
    .unwrap();
    let helm = helm.display();
    let chart = "$REPO/deploy/helm/certkit-signer";
    node.run(&format!(
        "{helm} lint {chart}
         {helm} lint {chart} -f kubelet-values.yaml
         kubectl create namespace certkit-helm
         {helm} template ck {chart} -n certkit-helm -f kubelet-values.yaml | kubectl apply --dry-run=server -f - > dry-run.out
         kubectl -n certkit-helm create secret tls certkit-signer-ca --cert=\"$D/pki/ca.crt\" --key=\"$D/pki/ca.key\""
    ));
    let dry = std::fs::read_to_string(node.work.join("dry-run.out")).unwrap();
    for object in [
        "serviceaccount/ck-certkit-signer",
        "clusterrole.rbac.authorization.k8s.io/ck-certkit-signer",
        "deployment.apps/ck-certkit-signer",
        "service/ck-certkit-signer-metrics",
    ] {
        assert!(
            dry.contains(object),
            "{object} missing from the dry run:\n{dry}"
        );
    }
    let t0 = Instant::now();
    node.run(&format!(
        "{helm} install ck {chart} -n certkit-helm -f kubelet-values.yaml --wait --timeout 180s"
    ));
    let leader = two_replicas_one_leader(node, "certkit-helm", "ck-certkit-signer");
    eprintln!(
        "helm install: 2 replicas Ready, {leader} leads, {:?}",
        t0.elapsed()
    );
    // One signer at a time from here: the kustomize one steps aside.
    node.run(
        "kubectl -n certkit-system scale deployment/certkit-signer --replicas=0
         kubectl -n certkit-system wait --for=delete pod -l app.kubernetes.io/name=certkit-signer --timeout=60s",
    );
    kubelet_bootstraps_again(node, "certkit-helm", &leader);
    node.run(&format!(
        "{helm} uninstall ck -n certkit-helm --wait --timeout 120s"
    ));
}

#[test]
fn the_helm_chart_renders_the_kustomize_base() {
    let Some(helm) = helm() else {
        eprintln!("SKIP helm chart: no cached helm (scripts/peers/helm build)");
        return;
    };
    let kubectl = kubectl_path();
    let Some(kubectl) = kubectl else {
        eprintln!("SKIP helm chart: no cached kubectl (scripts/peers/k8s build)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let home = |cmd: &mut Command| {
        cmd.env("HELM_CACHE_HOME", tmp.path().join("cache"))
            .env("HELM_CONFIG_HOME", tmp.path().join("config"))
            .env("HELM_DATA_HOME", tmp.path().join("data"))
            .env("KUBECACHEDIR", tmp.path().join("kubectl-cache"));
    };
    let mut cmd = Command::new(&kubectl);
    cmd.args(["kustomize", &format!("{REPO}/deploy")]);
    home(&mut cmd);
    let base = cmd.output().unwrap();
    assert!(base.status.success(), "kubectl kustomize: {}", text(&base));
    let mut cmd = Command::new(&helm);
    cmd.args([
        "template",
        "certkit-signer",
        &format!("{REPO}/deploy/helm/certkit-signer"),
        "-n",
        "certkit-system",
    ]);
    home(&mut cmd);
    let chart = cmd.output().unwrap();
    assert!(chart.status.success(), "helm template: {}", text(&chart));
    let base = objects(&String::from_utf8(base.stdout).unwrap());
    let chart = objects(&String::from_utf8(chart.stdout).unwrap());
    let kinds =
        |m: &std::collections::BTreeMap<String, Value>| m.keys().cloned().collect::<Vec<_>>();
    let mut base_without_namespace = base.clone();
    base_without_namespace.remove("Namespace/certkit-system");
    assert_eq!(kinds(&base_without_namespace), kinds(&chart));
    for (key, want) in &base_without_namespace {
        assert_eq!(
            &chart[key], want,
            "{key} differs between the chart and deploy/"
        );
    }
    // The switches that add to the default objects.
    let with = |set: &str| {
        let mut cmd = Command::new(&helm);
        cmd.args([
            "template",
            "certkit-signer",
            &format!("{REPO}/deploy/helm/certkit-signer"),
            "--set",
            set,
        ]);
        home(&mut cmd);
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(with("metrics.serviceMonitor.enabled=true").contains("kind: ServiceMonitor"));
    // An intermediate CA: the Secret's chain key as --bundle.
    let chained = with("caSecret.bundleKey=chain.pem");
    assert!(
        chained.contains("- --bundle=/etc/certkit/ca/chain.pem\n"),
        "{chained}"
    );
}

fn kubectl_path() -> Option<PathBuf> {
    let peers = std::env::var_os("CERTKIT_PEERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/certkit-peers")
        });
    let k = peers.join("k8s-v1.37.2/bin/kubectl");
    k.exists().then_some(k)
}

/// File modes as the API server reads them: YAML 1.1 takes `0440` for
/// octal, the YAML 1.2 parser here for a string.
fn octal_modes(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "defaultMode" || key == "mode" {
                    if let Some(mode) = v.as_str().and_then(|t| u32::from_str_radix(t, 8).ok()) {
                        *v = Value::from(mode);
                    }
                }
                octal_modes(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(octal_modes),
        _ => {}
    }
}

/// KIND/NAME -> the object, without what only Helm adds (its labels).
fn objects(yaml: &str) -> std::collections::BTreeMap<String, Value> {
    let mut map = std::collections::BTreeMap::new();
    for doc in yaml.split("\n---") {
        let value: Value = match serde_norway::from_str(doc) {
            Ok(v) => v,
            Err(_) => continue,
        };
        if value.is_null() {
            continue;
        }
        let mut value = value;
        if let Some(labels) = value["metadata"]["labels"].as_object_mut() {
            for helm_only in [
                "app.kubernetes.io/instance",
                "app.kubernetes.io/managed-by",
                "helm.sh/chart",
            ] {
                labels.remove(helm_only);
            }
        }
        octal_modes(&mut value);
        let key = format!("{}/{}", value["kind"].as_str().unwrap(), name_of(&value));
        map.insert(key, value);
    }
    map
}

#[test]
fn the_image_is_static_unprivileged_labelled_and_reproducible() {
    let _one = one_at_a_time();
    if Command::new("buildah").arg("--version").output().is_err() {
        eprintln!("SKIP image: no buildah (Debian: apt-get install buildah)");
        return;
    }
    if why_not().is_some_and(|w| w.starts_with("not root")) {
        eprintln!(
            "SKIP image: not root (scripts/image runs rootless buildah then, which needs subuids)"
        );
        return;
    }
    let binary = match static_certkit() {
        Ok(b) => b,
        Err(why) => panic!("no static certkit: {why}"),
    };
    let tmp = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    let a = build_image(&binary, &tmp.path().join("a"));
    eprintln!("image built in {:?}", t0.elapsed());
    let b = build_image(&binary, &tmp.path().join("b"));
    let digest = |archive: &Path| {
        std::fs::read_to_string(archive.with_extension("").with_extension("digest")).unwrap()
    };
    assert_eq!(digest(&a), digest(&b), "two builds, two digests");
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "two builds, two archives"
    );
    // Inside: one layer holding the binary alone; user 65532; the annotations.
    let layout = tmp.path().join("layout");
    std::fs::create_dir(&layout).unwrap();
    let out = Command::new("tar")
        .arg("xf")
        .arg(&a)
        .arg("-C")
        .arg(&layout)
        .output()
        .unwrap();
    assert!(out.status.success());
    let blob = |digest: &str| {
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let read = |digest: &str| -> Value {
        serde_json::from_slice(&std::fs::read(blob(digest)).unwrap()).unwrap()
    };
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "docker.io/library/certkit:0.1.0"
    );
    let manifest = read(index["manifests"][0]["digest"].as_str().unwrap());
    assert_eq!(
        index["manifests"][0]["digest"].as_str().unwrap(),
        digest(&a).trim()
    );
    let annotations = &manifest["annotations"];
    assert_eq!(annotations["org.opencontainers.image.version"], "0.1.0");
    assert_eq!(
        annotations["org.opencontainers.image.licenses"],
        "MIT OR Apache-2.0"
    );
    assert!(annotations["org.opencontainers.image.source"].is_string());
    assert!(annotations["org.opencontainers.image.revision"].is_string());
    let config = read(manifest["config"]["digest"].as_str().unwrap());
    assert_eq!(config["config"]["User"], "65532:65532");
    assert_eq!(config["config"]["Entrypoint"][0], "/usr/bin/certkit");
    assert_eq!(
        config["config"]["Labels"]["org.opencontainers.image.version"],
        "0.1.0"
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    let out = Command::new("tar")
        .arg("tzvf")
        .arg(blob(layers[0]["digest"].as_str().unwrap()))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    let files: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    assert_eq!(files, ["usr/", "usr/bin/", "usr/bin/certkit"], "{listing}");
    assert!(listing.contains("-r-xr-xr-x 0/0"), "{listing}");
}
