//! `rudder apiserver`: several API servers over one etcd serve one
//! cluster. Each is a real `rudder apiserver` process; they share the
//! cluster CA, see each other's writes at once (lists and watches), and
//! keep the `kubernetes` Service's endpoints listing exactly the servers
//! that are up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use store::testing::EtcdCluster;

/// A `rudder apiserver` process, killed on drop.
struct ApiServer {
    child: Child,
    kubeconfig: PathBuf,
}

impl ApiServer {
    fn start(
        data_dir: &Path,
        etcd: &EtcdCluster,
        address: &str,
        port: u16,
        extra: &[&str],
    ) -> ApiServer {
        let child = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args([
                "apiserver",
                "--storage",
                "etcd",
                "--etcd-servers",
                &etcd.endpoints().join(","),
                "--bind-address",
                address,
                "--port",
                &port.to_string(),
                "--etcd-compaction-interval",
                "0",
                "--data-dir",
            ])
            .arg(data_dir)
            .args(extra)
            .env_remove("RUDDER_DATA_DIR")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rudder apiserver");
        let server = ApiServer {
            child,
            kubeconfig: data_dir.join("kubeconfig.yaml"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if server.kubeconfig.exists()
                && kubectl(&server.kubeconfig, &["get", "--raw", "/readyz"]).0
            {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("rudder apiserver on {address}:{port} did not become ready");
    }

    fn kubectl(&self, args: &[&str]) -> String {
        let (ok, out, err) = kubectl(&self.kubeconfig, args);
        assert!(ok, "kubectl {args:?} failed: {out}{err}");
        out
    }

    /// SIGTERM, as a service manager stops it, and wait for the exit.
    fn terminate(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "a clean exit: {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("rudder apiserver did not stop on SIGTERM");
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kubectl(kubeconfig: &Path, args: &[&str]) -> (bool, String, String) {
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
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A port free on both loopback addresses the servers use.
fn free_port() -> u16 {
    for _ in 0..50 {
        let first = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = first.local_addr().expect("address").port();
        if std::net::TcpListener::bind(("127.0.0.2", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free on 127.0.0.1 and 127.0.0.2");
}

fn endpoint_addresses(server: &ApiServer) -> String {
    server.kubectl(&[
        "get",
        "endpoints",
        "kubernetes",
        "-o",
        "jsonpath={.subsets[*].addresses[*].ip}",
    ])
}

#[test]
fn api_servers_sharing_etcd_serve_one_cluster() {
    let etcd = EtcdCluster::start(1).expect("start etcd");
    etcd.wait_healthy(Duration::from_secs(20))
        .expect("etcd healthy");
    let dir = tempfile::tempdir().expect("temp dir");
    let (dir_a, dir_b) = (dir.path().join("a"), dir.path().join("b"));
    let port = free_port();
    let a = ApiServer::start(&dir_a, &etcd, "127.0.0.1", port, &[]);
    // The second server shares the cluster CA and issues its own certificates.
    std::fs::create_dir_all(dir_b.join("pki")).expect("pki dir");
    for file in ["ca.crt", "ca.key"] {
        std::fs::copy(dir_a.join("pki").join(file), dir_b.join("pki").join(file)).expect("copy CA");
    }
    // It signs service account tokens with the first one's key.
    let key = dir_a.join("pki/sa.key");
    let b = ApiServer::start(
        &dir_b,
        &etcd,
        "127.0.0.2",
        port,
        &["--service-account-signing-key-file", key.to_str().unwrap()],
    );

    // Both servers are behind the `kubernetes` Service.
    assert_eq!(endpoint_addresses(&a), "127.0.0.1 127.0.0.2");
    let slice = b.kubectl(&[
        "get",
        "endpointslice",
        "kubernetes",
        "-o",
        "jsonpath={.endpoints[*].addresses[0]}",
    ]);
    assert_eq!(slice, "127.0.0.1 127.0.0.2");

    // A write through one is in the next list through the other.
    for i in 0..5 {
        let name = format!("from-a-{i}");
        a.kubectl(&["create", "configmap", &name, "--from-literal=k=v"]);
        let names = b.kubectl(&["get", "configmaps", "-o", "name"]);
        assert!(names.contains(&format!("configmap/{name}")), "{names}");
    }

    // A token one issues, the other accepts.
    a.kubectl(&["create", "serviceaccount", "robot"]);
    let token = a.kubectl(&["create", "token", "robot"]);
    let review = serde_json::json!({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "metadata": {},
        "spec": {"token": token.trim()},
    });
    let file = dir.path().join("review.json");
    std::fs::write(&file, review.to_string()).unwrap();
    let reviewed = b.kubectl(&[
        "create",
        "-f",
        file.to_str().unwrap(),
        "-o",
        "jsonpath={.status.user.username}",
    ]);
    assert_eq!(reviewed, "system:serviceaccount:default:robot");

    // A watch on one sees writes made through the other.
    let mut watch = Command::new("kubectl")
        .args([
            "get",
            "configmaps",
            "--watch-only",
            "-o",
            "name",
            "--request-timeout=20s",
        ])
        .env("KUBECONFIG", &b.kubeconfig)
        .env("HOME", dir_b.join("home"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl get -w");
    let stdout = watch.stdout.take().expect("watch output");
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = seen_tx.send(line);
        }
    });
    // Keep writing until the watch (which starts asynchronously) reports.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = None;
    let mut n = 0;
    while seen.is_none() && Instant::now() < deadline {
        a.kubectl(&[
            "create",
            "configmap",
            &format!("watched-{n}"),
            "--from-literal=k=v",
        ]);
        n += 1;
        seen = seen_rx.recv_timeout(Duration::from_millis(500)).ok();
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let seen = seen.expect("the watch through b saw a write through a");
    assert!(seen.starts_with("configmap/watched-"), "{seen}");

    // A server that stops leaves the endpoints at once.
    b.terminate();
    assert_eq!(endpoint_addresses(&a), "127.0.0.1");
}
