//! `rudder server` as a person runs it: one process with the API server,
//! the scheduler and the controller manager, each reachable where
//! upstream's are, and a Deployment that becomes ReplicaSets and pods.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    kubeconfig: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
            "--data-dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rudder server");
    let server = Server {
        child,
        kubeconfig: dir.path().join("kubeconfig.yaml"),
    };
    let kubeconfig = &server.kubeconfig;
    until("the API server", || {
        (kubeconfig.exists() && kubectl(kubeconfig, &["get", "--raw", "/readyz"]).0)
            .then(String::new)
    });
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
    // The controller manager's metrics, as kube-controller-manager names them.
    let metrics = Command::new("curl")
        .args(["-sk", "https://127.0.0.1:10257/metrics"])
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

    let (ok, out) = kubectl(
        kubeconfig,
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=2",
        ],
    );
    assert!(ok, "{out}");
    let pods = until("two pods", || {
        let (ok, out) = kubectl(kubeconfig, &["get", "pods", "-l", "app=web", "-o", "name"]);
        (ok && out.lines().count() == 2).then_some(out)
    });
    for pod in pods.lines() {
        assert!(pod.starts_with("pod/web-"), "{pods}");
    }
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
