//! `rudder server` as a person runs it: one process with the API server,
//! the scheduler, the controller manager and a node, each reachable where
//! upstream's are, and a Deployment that becomes ReplicaSets and running
//! pods.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    kubeconfig: PathBuf,
    /// The pod bridge its node made (removed with it).
    bridge: Option<String>,
    /// Where its standard error goes.
    log: PathBuf,
}

impl Server {
    /// `rudder server` on a free port of 127.0.0.1 with `extra` flags;
    /// returns once the API server is ready, with its port.
    fn start(data_dir: &Path, extra: &[&str]) -> (Server, u16) {
        let mut flags = extra.to_vec();
        // The host's packet filter is the proxy tests' (their Services
        // share this range).
        flags.push("--disable-proxy");
        Server::start_with_proxy(data_dir, &flags)
    }

    /// [`Server::start`] with the service proxy (the caller holds the
    /// host's packet filter: `testkit::HostNetwork`).
    fn start_with_proxy(data_dir: &Path, extra: &[&str]) -> (Server, u16) {
        std::fs::create_dir_all(data_dir).expect("make the data directory");
        let (mut command, port) = server_command(data_dir, extra);
        // The server's log, shown when a test fails.
        let log_path = data_dir.join("server.log");
        let log = std::fs::File::create(&log_path).expect("create the server log");
        let child = command.stderr(log).spawn().expect("start rudder server");
        let bridge = extra
            .iter()
            .position(|a| *a == "--pod-bridge")
            .and_then(|i| extra.get(i + 1))
            .map(|b| b.to_string());
        let server = Server {
            child,
            kubeconfig: data_dir.join("kubeconfig.yaml"),
            bridge,
            log: log_path,
        };
        let kubeconfig = &server.kubeconfig;
        until("the API server", || {
            (kubeconfig.exists() && kubectl(kubeconfig, &["get", "--raw", "/readyz"]).0)
                .then(String::new)
        });
        (server, port)
    }
}

/// A `/metrics` as the admin scrapes it, asking for `accept`: the content
/// type and the body.
fn scrape(pki: &Path, url: &str, accept: Option<&str>) -> (String, String) {
    let mut curl = Command::new("curl");
    curl.args(["-sk", "-w", "\n%{content_type}", url, "--cert"])
        .arg(pki.join("admin.crt"))
        .arg("--key")
        .arg(pki.join("admin.key"));
    if let Some(accept) = accept {
        curl.args(["-H", &format!("Accept: {accept}")]);
    }
    let out = curl.output().expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, content_type) = text.rsplit_once('\n').unwrap_or((&text, ""));
    (content_type.to_string(), body.to_string())
}

/// `rudder server` on a free port of 127.0.0.1 with `extra` flags, and the
/// port.
fn server_command(data_dir: &Path, extra: &[&str]) -> (Command, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_rudder"));
    command
        .args([
            "server",
            "--bind-address",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            // Not about this machine's disk: a nearly full one must
            // not taint the node.
            "--eviction-hard",
            "memory.available<100Mi,nodefs.available<1%",
            // The DNS answers on loopback.
            "--cluster-dns-bind-address",
            "127.0.0.1:0",
            "--cluster-dns-metrics-bind-address",
            "",
        ])
        .args(extra)
        .arg("--data-dir")
        .arg(data_dir)
        .stdout(Stdio::null());
    (command, port)
}

impl Server {
    /// Ends the server as a crash would (SIGKILL): nothing stops its pods
    /// or removes its bridge.
    fn crash(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.bridge = None;
    }
}

impl Drop for Server {
    /// SIGTERM first, so the server's kubelet stops its pods (the tests
    /// give `--stop-pods-on-exit`); then its pod bridge goes.
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(80)..];
            eprintln!("--- the server's log, last lines ---\n{}", tail.join("\n"));
        }
        if let Ok(None) = self.child.try_wait() {
            // SAFETY: kill(2) on our own child, not yet reaped.
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(bridge) = &self.bridge {
            let _ = Command::new("ip")
                .args(["link", "del", "dev", bridge])
                .output();
        }
    }
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> (bool, String) {
    let home = kubeconfig.with_file_name("home");
    let output = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", &home)
        .env("KUBECACHEDIR", home.join("cache"))
        .output()
        .expect("run kubectl (is it on the PATH?)");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

fn until(what: &str, mut check: impl FnMut() -> Option<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_server_runs_every_control_plane_component() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, port) = Server::start(
        dir.path(),
        &[
            // A pod network of this test's own.
            "--pod-bridge",
            "rsrvtest0",
            "--cluster-cidr",
            "10.87.0.0/16",
            "--node-name",
            "rudder-server-test",
            "--stop-pods-on-exit",
        ],
    );
    let kubeconfig = &server.kubeconfig;
    // componentstatuses probes the scheduler and controller manager on
    // their secure ports.
    let statuses = until("healthy components", || {
        let (ok, out) = kubectl(kubeconfig, &["get", "componentstatuses"]);
        (ok && out.lines().filter(|l| l.contains("Healthy")).count() == 3).then_some(out)
    });
    assert!(
        statuses.contains("controller-manager   Healthy"),
        "{statuses}"
    );
    // The cluster DNS publishes itself as kube-dns, where cluster-info
    // looks for it.
    let info = until("kube-dns in cluster-info", || {
        let (ok, out) = kubectl(kubeconfig, &["cluster-info"]);
        (ok && out.contains("CoreDNS")).then_some(out)
    });
    assert!(
        info.contains("CoreDNS is running at https://127.0.0.1:")
            && info.contains("/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy"),
        "{info}"
    );
    let (_, service) = kubectl(
        kubeconfig,
        &["get", "service", "kube-dns", "-n", "kube-system"],
    );
    assert!(
        service.contains("10.96.0.10") && service.contains("53/UDP,53/TCP,9153/TCP"),
        "{service}"
    );
    // The controller manager's metrics, as kube-controller-manager names
    // them, for the cluster's clients only.
    let anonymous = Command::new("curl")
        .args(["-sk", "https://127.0.0.1:10257/metrics"])
        .output()
        .expect("run curl");
    let anonymous = String::from_utf8_lossy(&anonymous.stdout);
    assert!(anonymous.starts_with("forbidden: "), "{anonymous}");
    let pki = dir.path().join("pki");
    let metrics = Command::new("curl")
        .args(["-sk", "https://127.0.0.1:10257/metrics", "--cert"])
        .arg(pki.join("admin.crt"))
        .arg("--key")
        .arg(pki.join("admin.key"))
        .output()
        .expect("run curl");
    let metrics = String::from_utf8_lossy(&metrics.stdout);
    assert!(
        metrics.contains("workqueue_depth{name=\"deployment\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("workqueue_adds_total{name=\"replicaset\"}"),
        "{metrics}"
    );
    // Every component's metrics: the Prometheus text format unless the
    // scraper asks for OpenMetrics, as Prometheus does.
    let openmetrics = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    for (url, family, counter) in [
        (
            format!("https://127.0.0.1:{port}/metrics"),
            "apiserver_request",
            true,
        ),
        (
            "https://127.0.0.1:10257/metrics".into(),
            "workqueue_adds",
            true,
        ),
        (
            "https://127.0.0.1:10259/metrics".into(),
            "scheduler_preemption_attempts",
            true,
        ),
        (
            "https://127.0.0.1:10250/metrics".into(),
            "kubelet_pod_start_duration_seconds",
            false,
        ),
    ] {
        // A counter's family is named with `_total` in the text format only.
        let (text_type, open_type) = if counter {
            (
                format!("# TYPE {family}_total counter"),
                format!("# TYPE {family} counter"),
            )
        } else {
            let line = format!("# TYPE {family} histogram");
            (line.clone(), line)
        };
        let (content_type, text) = scrape(&pki, &url, None);
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{url}: {content_type}"
        );
        assert!(
            text.contains(&text_type) && !text.contains("# EOF"),
            "{url}: {text}"
        );
        let (content_type, text) = scrape(&pki, &url, Some(openmetrics));
        assert!(
            content_type.starts_with("application/openmetrics-text; version=1.0.0"),
            "{url}: {content_type}"
        );
        assert!(
            text.contains(&open_type) && text.ends_with("# EOF\n"),
            "{url}: {text}"
        );
    }

    // The server is a node too: Ready, with a pod CIDR from the cluster CIDR.
    let nodes = until("the server's node Ready", || {
        let (ok, out) = kubectl(kubeconfig, &["get", "nodes"]);
        (ok && out.contains("rudder-server-test   Ready")).then_some(out)
    });
    assert!(nodes.contains("control-plane"), "{nodes}");
    let (_, cidr) = kubectl(
        kubeconfig,
        &[
            "get",
            "node",
            "rudder-server-test",
            "-o",
            "jsonpath={.spec.podCIDR}",
        ],
    );
    assert_eq!(cidr.trim(), "10.87.0.0/24");

    let (ok, out) = kubectl(
        kubeconfig,
        &[
            "create",
            "deployment",
            "web",
            "--image=busybox",
            "--replicas=2",
            "--",
            // PID 1 of its container: without a handler SIGTERM would
            // be ignored and deletion would wait out the grace period.
            "sh",
            "-c",
            "trap 'exit 0' TERM; while :; do sleep 1; done",
        ],
    );
    assert!(ok, "{out}");
    let pods = until("two running pods", || {
        let (ok, out) = kubectl(
            kubeconfig,
            &["get", "pods", "-l", "app=web", "--no-headers"],
        );
        (ok && out
            .lines()
            .filter(|l| l.contains("1/1") && l.contains("Running"))
            .count()
            == 2)
            .then_some(out)
    });
    for pod in pods.lines() {
        assert!(pod.starts_with("web-"), "{pods}");
    }
    let (ok, out) = kubectl(kubeconfig, &["delete", "deployment", "web"]);
    assert!(ok, "{out}");
    until("the pods stopped and gone", || {
        let (ok, out) = kubectl(kubeconfig, &["get", "pods", "-o", "name"]);
        (ok && out.trim().is_empty()).then(String::new)
    });
    // Every namespace has its account and CA bundle; deleting one empties it.
    until("the default account", || {
        kubectl(kubeconfig, &["get", "sa", "default"])
            .0
            .then(String::new)
    });
    let (ok, out) = kubectl(
        kubeconfig,
        &["delete", "namespace", "default", "--wait=false"],
    );
    assert!(!ok && out.contains("forbidden"), "{out}");
    assert!(kubectl(kubeconfig, &["create", "namespace", "scratch"]).0);
    assert!(kubectl(kubeconfig, &["create", "configmap", "c", "-n", "scratch"]).0);
    let (ok, out) = kubectl(
        kubeconfig,
        &["delete", "namespace", "scratch", "--timeout=30s"],
    );
    assert!(ok, "{out}");
    assert!(!kubectl(kubeconfig, &["get", "namespace", "scratch"]).0);
}

#[test]
fn an_agent_joins_with_the_token_the_server_prints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, port) = Server::start(
        dir.path(),
        &[
            "--scheduler-secure-port",
            "0",
            "--controller-manager-secure-port",
            "0",
            "--disable-kubelet",
        ],
    );
    let kubeconfig = &server.kubeconfig;
    let token = until("the join token", || {
        std::fs::read_to_string(dir.path().join("node-token"))
            .ok()
            .filter(|t| t.contains("::"))
    });
    let token = token.trim().to_string();
    let url = format!("https://127.0.0.1:{port}");
    let agent_dir = tempfile::tempdir().expect("temp dir");
    let agent = |token: &str| {
        Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args([
                "agent",
                "--server",
                &url,
                "--token",
                token,
                "--simulated-nodes",
                "2",
            ])
            .args(["--simulated-node-prefix", "joined", "--root-dir"])
            .arg(agent_dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rudder agent")
    };
    // A token pinning another CA, or with another secret, is refused.
    let (fingerprint, secret) = token.split_once("::").unwrap();
    let other_ca = format!("{}::{secret}", "0".repeat(fingerprint.len()));
    let refused = agent(&other_ca).wait_with_output().expect("agent output");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("refusing to join"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let other_secret = format!("{fingerprint}::abcdef.0123456789abcdef");
    let refused = agent(&other_secret)
        .wait_with_output()
        .expect("agent output");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("refused the token"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let mut joined = agent(&token);
    let nodes = until("two joined nodes Ready", || {
        let (ok, out) = kubectl(kubeconfig, &["get", "nodes", "--no-headers"]);
        (ok && out
            .lines()
            .filter(|l| l.starts_with("joined-") && l.contains(" Ready "))
            .count()
            == 2)
            .then_some(out)
    });
    assert!(nodes.contains("joined-1"), "{nodes}");
    let _ = joined.kill();
    let _ = joined.wait();
}

/// `rudder agent` joining a test server as a real node, stopped (SIGTERM,
/// its bridge removed) when dropped; its pods run on.
struct Agent {
    child: Child,
    bridge: &'static str,
    log: PathBuf,
}

impl Agent {
    fn start(url: &str, token: &str, root: &Path, kubelet_port: u16) -> Agent {
        std::fs::create_dir_all(root).expect("the agent's directory");
        let log = root.with_extension("log");
        let bridge = "rjointest0";
        let child = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args(["agent", "--server", url, "--token", token])
            .args(["--node-name", "joined-real", "--node-ip", "127.0.0.1"])
            .args(["--kubelet-port", &kubelet_port.to_string()])
            .args(["--pod-bridge", bridge, "--disable-proxy"])
            .args([
                "--eviction-hard",
                "memory.available<100Mi,nodefs.available<1%",
            ])
            .arg("--root-dir")
            .arg(root)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("the agent's log"))
            .spawn()
            .expect("start rudder agent");
        Agent { child, bridge, log }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(60)..];
            eprintln!("--- the agent's log, last lines ---\n{}", tail.join("\n"));
        }
        // SAFETY: kill(2) on our own child, not yet reaped.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = Command::new("ip")
            .args(["link", "del", "dev", self.bridge])
            .output();
    }
}

/// The lines of `kubectl get csr` (upstream's columns) naming `signer`.
fn csrs_of(kubeconfig: &Path, signer: &str) -> Vec<String> {
    let (ok, out) = kubectl(kubeconfig, &["get", "csr", "--no-headers"]);
    assert!(ok, "{out}");
    out.lines()
        .filter(|line| line.split_whitespace().nth(2) == Some(signer))
        .map(str::to_string)
        .collect()
}

/// A client certificate for `subject` from the CA in `pki`, valid from
/// `from` to `to` seconds from now: certificate then key, in PEM.
fn node_certificate(pki: &Path, subject: &str, from: i64, to: i64) -> String {
    let ca_pem = std::fs::read_to_string(pki.join("ca.crt")).unwrap();
    let ca_key =
        rcgen::KeyPair::from_pem(&std::fs::read_to_string(pki.join("ca.key")).unwrap()).unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_pem(&ca_pem, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "system:nodes");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, subject);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::seconds(from);
    params.not_after = now + time::Duration::seconds(to);
    let cert = params.signed_by(&key, &issuer).unwrap();
    format!("{}{}", cert.pem(), key.serialize_pem())
}

/// Seconds from now until the certificate in `pem` expires.
fn seconds_left(pem: &str) -> i64 {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    let cert = pem.parse_x509().unwrap();
    cert.validity().not_after.timestamp() - time::OffsetDateTime::now_utc().unix_timestamp()
}

#[test]
fn a_joined_node_gets_its_certificates_through_csrs_and_renews_them() {
    let _cleanup = testkit::KillMarked("MARK=joined-node");
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, port) = Server::start(
        dir.path(),
        &[
            "--scheduler-secure-port",
            "0",
            "--controller-manager-secure-port",
            "0",
            "--disable-kubelet",
            "--cluster-cidr",
            "10.85.0.0/16",
        ],
    );
    let kubeconfig = &server.kubeconfig;
    // Written once the server has made its bootstrap token, after the API
    // is ready.
    let token = until("the node token", || {
        std::fs::read_to_string(dir.path().join("node-token")).ok()
    });
    let token = token.trim();
    let token_id = token
        .split_once("::")
        .and_then(|(_, t)| t.split_once('.'))
        .map(|(id, _)| id.to_string())
        .expect("<fingerprint>::<id>.<secret>");
    let url = format!("https://127.0.0.1:{port}");
    let root = dir.path().join("agent");
    let kubelet_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let agent = Agent::start(&url, token, &root, kubelet_port);
    until("the joined node Ready", || {
        let (ok, out) = kubectl(kubeconfig, &["get", "node", "joined-real", "--no-headers"]);
        (ok && out.contains(" Ready ")).then_some(out)
    });
    // Its client certificate was asked for with the token and approved at
    // once; its serving certificate waits for an operator.
    let client = csrs_of(kubeconfig, "kubernetes.io/kube-apiserver-client-kubelet");
    assert_eq!(client.len(), 1, "{client:?}");
    assert!(client[0].starts_with("node-csr-"), "{client:?}");
    assert!(
        client[0].contains(&format!("system:bootstrap:{token_id}"))
            && client[0].ends_with("Approved,Issued"),
        "{client:?}"
    );
    let serving = until("the serving certificate's request", || {
        let lines = csrs_of(kubeconfig, "kubernetes.io/kubelet-serving");
        (lines.len() == 1).then(|| lines[0].clone())
    });
    assert!(
        serving.starts_with("csr-")
            && serving.contains("system:node:joined-real")
            && serving.ends_with("Pending"),
        "{serving}"
    );
    let (ok, out) = kubectl(
        kubeconfig,
        &[
            "run",
            "talker",
            "--image=busybox",
            "--env=MARK=joined-node",
            "--",
            "sh",
            "-c",
            "echo hello from the joined node; trap 'exit 0' TERM; while :; do sleep 1; done",
        ],
    );
    assert!(ok, "{out}");
    until("talker running", || {
        let (_, out) = kubectl(
            kubeconfig,
            &["get", "pod", "talker", "-o", "jsonpath={.status.phase}"],
        );
        (out == "Running").then_some(out)
    });
    // Until the serving certificate is approved, the API server cannot
    // trust the kubelet and says so.
    let (ok, out) = kubectl(kubeconfig, &["logs", "talker"]);
    assert!(
        !ok && out.contains(&format!("127.0.0.1:{kubelet_port}")),
        "{out}"
    );
    let csr_name = serving.split_whitespace().next().unwrap_or_default();
    let (ok, out) = kubectl(kubeconfig, &["certificate", "approve", csr_name]);
    assert!(ok, "{out}");
    until("logs through the approved certificate", || {
        let (ok, out) = kubectl(kubeconfig, &["logs", "talker"]);
        (ok && out.contains("hello from the joined node")).then_some(out)
    });
    let (ok, out) = kubectl(kubeconfig, &["exec", "talker", "--", "echo", "exec works"]);
    assert!(ok && out.contains("exec works"), "{out}");

    // Started again, it keeps its certificates; one near its end is
    // renewed through a request as the node, approved at once.
    drop(agent);
    let pki = root.join("pki");
    let near_end = node_certificate(
        &dir.path().join("pki"),
        "system:node:joined-real",
        -1200,
        120,
    );
    std::fs::write(pki.join("kubelet-client-current.pem"), &near_end).unwrap();
    let _agent = Agent::start(&url, token, &root, kubelet_port);
    let renewed = until("the renewed client certificate", || {
        let lines = csrs_of(kubeconfig, "kubernetes.io/kube-apiserver-client-kubelet");
        lines
            .iter()
            .find(|l| l.starts_with("csr-") && l.ends_with("Approved,Issued"))
            .cloned()
    });
    assert!(renewed.contains("system:node:joined-real"), "{renewed}");
    let current = until("the renewed certificate in use", || {
        std::fs::read_to_string(pki.join("kubelet-client-current.pem"))
            .ok()
            .filter(|pem| *pem != near_end)
    });
    assert!(seconds_left(&current) > 300 * 24 * 3600, "{current}");
    assert_eq!(
        csrs_of(kubeconfig, "kubernetes.io/kube-apiserver-client-kubelet").len(),
        2,
        "no second bootstrap request"
    );
    assert_eq!(
        csrs_of(kubeconfig, "kubernetes.io/kubelet-serving").len(),
        1,
        "the serving certificate is kept"
    );
    until("logs after the restart", || {
        let (ok, out) = kubectl(kubeconfig, &["logs", "talker"]);
        (ok && out.contains("hello from the joined node")).then_some(out)
    });
}

#[test]
fn pods_outlive_a_crashed_server_and_are_adopted_when_it_starts_again() {
    let _cleanup = testkit::KillMarked("MARK=server-restart");
    let dir = tempfile::tempdir().expect("temp dir");
    let flags = [
        "--pod-bridge",
        "rsrvtest1",
        "--cluster-cidr",
        "10.86.0.0/16",
        "--node-name",
        "rudder-restart-test",
        "--scheduler-secure-port",
        "0",
        "--controller-manager-secure-port",
        "0",
        "--kubelet-port",
        "0",
    ];
    let (server, _) = Server::start(dir.path(), &flags);
    let kubeconfig = server.kubeconfig.clone();
    let (ok, out) = kubectl(
        &kubeconfig,
        &[
            "run",
            "keeper",
            "--image=busybox",
            "--env=MARK=server-restart",
            "--",
            "sh",
            "-c",
            "trap 'exit 0' TERM; while :; do sleep 1; done",
        ],
    );
    assert!(ok, "{out}");
    let status = |kubeconfig: &Path| {
        let (ok, out) = kubectl(
            kubeconfig,
            &[
                "get",
                "pod",
                "keeper",
                "-o",
                "jsonpath={.status.containerStatuses[0].ready} {.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}",
            ],
        );
        ok.then_some(out)
    };
    let before = until("keeper Ready", || {
        status(&kubeconfig).filter(|s| s.starts_with("true process://"))
    });
    let container = before.split(' ').nth(1).unwrap_or_default().to_string();

    server.crash();
    // The container (its shell, the shell's sleep) and its reaper run on
    // without the server.
    std::thread::sleep(Duration::from_secs(1));
    let pod_processes = testkit::processes_marked("MARK=server-restart");
    assert!(pod_processes.len() >= 2, "{pod_processes:?}");

    let mut restarted = flags.to_vec();
    restarted.push("--stop-pods-on-exit");
    let (server, _) = Server::start(dir.path(), &restarted);
    let after = until("keeper adopted and Ready", || {
        status(&server.kubeconfig).filter(|s| s.starts_with("true "))
    });
    assert_eq!(
        after.split(' ').collect::<Vec<_>>(),
        ["true", container.as_str(), "0"],
        "the same container, never restarted"
    );
    // The new kubelet owns the old processes: deleting the pod stops them
    // (a kubelet that had not adopted them would start a container of its
    // own and leave them running).
    let (ok, out) = kubectl(
        &server.kubeconfig,
        &["delete", "pod", "keeper", "--timeout=30s"],
    );
    assert!(ok, "{out}");
    let alive: Vec<i32> = pod_processes
        .iter()
        .copied()
        .filter(|pid| testkit::processes_marked("MARK=server-restart").contains(pid))
        .collect();
    assert!(alive.is_empty(), "still running: {alive:?}");
}

/// `ip` with `args`: (succeeded, stdout).
fn ip(args: &[&str]) -> (bool, String) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `rudder killall`/`uninstall` with `args`: (succeeded, stdout and stderr).
fn rudder(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .output()
        .expect("run rudder");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A pod serving `dir` over HTTP on port 8080 once Running; its IP.
fn web_pod(kubeconfig: &Path, name: &str, dir: &Path) -> String {
    let (ok, out) = kubectl(
        kubeconfig,
        &[
            "run",
            name,
            "--image=busybox",
            "--env=MARK=killall-test",
            "--",
            "busybox",
            "httpd",
            "-f",
            "-p",
            "8080",
            "-h",
            &dir.display().to_string(),
        ],
    );
    assert!(ok, "{out}");
    until(&format!("{name} running"), || {
        let (ok, out) = kubectl(
            kubeconfig,
            &[
                "get",
                "pod",
                name,
                "-o",
                "jsonpath={.status.phase} {.status.podIP}",
            ],
        );
        let ip = out.strip_prefix("Running ")?.trim().to_string();
        (ok && !ip.is_empty()).then_some(ip)
    })
}

/// What a pod at `ip` serves (None: nothing answers).
fn fetch(ip: &str) -> Option<String> {
    let out = Command::new("curl")
        .args([
            "-sf",
            "--max-time",
            "3",
            &format!("http://{ip}:8080/index.html"),
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn data_directories_share_a_bridge_and_rudder_comes_off_the_machine() {
    let _killed = testkit::KillMarked("MARK=killall-test");
    // killall removes the service proxy's rules, which are host-wide.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let _host_network = runtime.block_on(testkit::HostNetwork::claim());
    let root = tempfile::tempdir().expect("temp dir");
    let host = root.path().join("host");
    let host_flag = host.display().to_string();
    let flags = [
        "--pod-bridge",
        "rsrvtest2",
        "--cluster-cidr",
        "10.84.0.0/16",
        "--node-name",
        "rudder-killall-test",
        "--host-state-dir",
        &host_flag,
        "--scheduler-secure-port",
        "0",
        "--controller-manager-secure-port",
        "0",
        "--kubelet-port",
        "0",
    ];
    let site = |name: &str| {
        let dir = root.path().join(format!("www-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), format!("from {name}\n")).unwrap();
        dir
    };

    // Data directory a: two pods, left running by a crash.
    let a = root.path().join("a");
    let (server_a, _) = Server::start_with_proxy(&a, &flags);
    let ip_a1 = web_pod(&server_a.kubeconfig, "web-a1", &site("a1"));
    let ip_a2 = web_pod(&server_a.kubeconfig, "web-a2", &site("a2"));
    server_a.crash();
    assert_eq!(fetch(&ip_a1).as_deref(), Some("from a1"));
    // The first pod as a rudder that recorded its addresses nowhere left
    // it: only the link says the address is taken.
    let leases = host.join("bridges/rsrvtest2/addresses");
    std::fs::remove_file(leases.join(&ip_a1)).expect("a1's lease");
    assert!(leases.join(&ip_a2).exists());

    // Data directory b on the same bridge: other addresses, reachable.
    let b = root.path().join("b");
    let (server_b, _) = Server::start_with_proxy(&b, &flags);
    let ip_b = web_pod(&server_b.kubeconfig, "web-b", &site("b"));
    assert!(ip_b != ip_a1 && ip_b != ip_a2, "{ip_b}: {ip_a1} {ip_a2}");
    assert_eq!(fetch(&ip_b).as_deref(), Some("from b"));
    assert_eq!(fetch(&ip_a1).as_deref(), Some("from a1"));
    assert_eq!(fetch(&ip_a2).as_deref(), Some("from a2"));
    // The orphans are reported on the node.
    let report = until("the orphans reported", || {
        let (ok, out) = kubectl(
            &server_b.kubeconfig,
            &[
                "get",
                "events",
                "--field-selector",
                "reason=OrphanedSandboxes,involvedObject.kind=Node",
                "-o",
                "jsonpath={.items[*].message}",
            ],
        );
        (ok && !out.is_empty()).then_some(out)
    });
    assert!(
        report.contains(&format!("1 of data directory {} ({ip_a2})", a.display()))
            && report.contains("1 of no recorded data directory (veth")
            && report.contains("`rudder killall --orphans` removes them"),
        "{report}"
    );

    // A second live server on the bridge is refused, naming the holder.
    let c = root.path().join("c");
    std::fs::create_dir_all(&c).unwrap();
    let (mut command, _) = server_command(&c, &[&flags[..], &["--disable-proxy"]].concat());
    let refused = command
        .stderr(Stdio::piped())
        .output()
        .expect("run rudder server");
    let refused_text = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        refused_text.contains(&format!(
            "pod bridge rsrvtest2 is held by the kubelet of process {} (data directory {})",
            server_b.child.id(),
            b.display()
        )),
        "{refused_text}"
    );

    // The orphans go; b and its pod stay.
    let (ok, out) = rudder(&[
        "killall",
        "--orphans",
        "--dry-run",
        "--host-state-dir",
        &host_flag,
    ]);
    assert!(ok && out.contains("would kill container web-a2"), "{out}");
    assert!(!out.contains("web-b"), "{out}");
    assert_eq!(fetch(&ip_a2).as_deref(), Some("from a2"), "a dry run");
    let (ok, out) = rudder(&["killall", "--orphans", "--host-state-dir", &host_flag]);
    assert!(ok, "{out}");
    assert_eq!(fetch(&ip_a1), None, "{out}");
    assert_eq!(fetch(&ip_a2), None, "{out}");
    assert_eq!(fetch(&ip_b).as_deref(), Some("from b"), "{out}");

    // Everything goes: b's server, its pods, namespaces, veths, bridge,
    // cgroups and the proxy's rules.
    let veths: Vec<String> = ip(&["-o", "link", "show", "master", "rsrvtest2"])
        .1
        .lines()
        .filter_map(|l| l.split(':').nth(1))
        .map(|n| n.trim().split('@').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(veths.len(), 1, "b's pod alone: {veths:?}");
    let cgroups =
        std::fs::read_to_string(host.join("bridges/rsrvtest2/cgroups")).unwrap_or_default();
    // Half removed already: b's pod's network namespace (its veth stays).
    let sandbox = veths[0].trim_start_matches("veth");
    let namespace = ip(&["netns", "list"])
        .1
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .find(|n| n.starts_with(&format!("rudder-{sandbox}")))
        .map(str::to_string)
        .expect("b's pod's namespace");
    assert!(ip(&["netns", "del", &namespace]).0);
    let (ok, out) = rudder(&["killall", "--dry-run", "--host-state-dir", &host_flag]);
    assert!(
        ok && out.contains(&format!(
            "would stop rudder process {} (data directory {})",
            server_b.child.id(),
            b.display()
        )),
        "{out}"
    );
    let (ok, out) = rudder(&["killall", "--host-state-dir", &host_flag]);
    assert!(ok, "{out}");
    let mut server_b = server_b;
    let ended = server_b.child.try_wait().expect("server b's status");
    assert!(ended.is_some(), "server b still runs: {out}");
    server_b.bridge = None;
    assert!(
        testkit::processes_marked("MARK=killall-test").is_empty(),
        "{out}"
    );
    assert!(
        !ip(&["link", "show", "dev", "rsrvtest2"]).0,
        "the bridge: {out}"
    );
    let links = ip(&["-o", "link"]).1;
    let namespaces = ip(&["netns", "list"]).1;
    for veth in &veths {
        assert!(!links.contains(&format!(" {veth}@")), "{veth}: {links}");
        let sandbox = veth.trim_start_matches("veth");
        assert!(
            !namespaces.contains(&format!("rudder-{sandbox}")),
            "{namespaces}"
        );
    }
    for dir in cgroups.lines() {
        assert!(!Path::new(dir).exists(), "cgroup {dir}: {out}");
    }
    let nft = Command::new("nft")
        .args(["list", "ruleset"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&nft.stdout).contains("table ip rudder"));
    let iptables = Command::new("iptables-save").output().unwrap();
    assert!(!String::from_utf8_lossy(&iptables.stdout).contains("KUBE-"));
    // Again, with nothing left: nothing to do, and no error.
    let (ok, out) = rudder(&["killall", "--host-state-dir", &host_flag]);
    assert!(
        ok && !out.contains("kill") && !out.contains("warning"),
        "{out}"
    );

    // uninstall refuses what is not a data directory of rudder's, and
    // removes one that is (twice is fine).
    let stranger = root.path().join("photos");
    std::fs::create_dir_all(&stranger).unwrap();
    let stranger_flag = stranger.display().to_string();
    let (ok, out) = rudder(&[
        "uninstall",
        "--data-dir",
        &stranger_flag,
        "--host-state-dir",
        &host_flag,
    ]);
    assert!(
        !ok && out.contains("is not a data directory of rudder"),
        "{out}"
    );
    assert!(stranger.exists());
    let b_flag = b.display().to_string();
    let (ok, out) = rudder(&[
        "uninstall",
        "--data-dir",
        &b_flag,
        "--host-state-dir",
        &host_flag,
    ]);
    assert!(ok && !b.exists(), "{out}");
    let (ok, out) = rudder(&[
        "uninstall",
        "--data-dir",
        &b_flag,
        "--host-state-dir",
        &host_flag,
    ]);
    assert!(ok && out.contains("is not there"), "{out}");
}
