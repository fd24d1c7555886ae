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
}

impl Server {
    /// `rudder server` on a free port of 127.0.0.1 with `extra` flags;
    /// returns once the API server is ready, with its port.
    fn start(data_dir: &Path, extra: &[&str]) -> (Server, u16) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_rudder"))
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
                // The host's packet filter is the proxy tests' (their
                // Services share this range); the DNS answers on loopback.
                "--disable-proxy",
                "--cluster-dns-bind-address",
                "127.0.0.1:0",
                "--cluster-dns-metrics-bind-address",
                "",
            ])
            .args(extra)
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rudder server");
        let bridge = extra
            .iter()
            .position(|a| *a == "--pod-bridge")
            .and_then(|i| extra.get(i + 1))
            .map(|b| b.to_string());
        let server = Server {
            child,
            kubeconfig: data_dir.join("kubeconfig.yaml"),
            bridge,
        };
        let kubeconfig = &server.kubeconfig;
        until("the API server", || {
            (kubeconfig.exists() && kubectl(kubeconfig, &["get", "--raw", "/readyz"]).0)
                .then(String::new)
        });
        (server, port)
    }
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
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
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
    let (server, _) = Server::start(
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
    let other_secret = format!("{fingerprint}::nope");
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
