//! `rudder snapshot` as a user runs it: the real binary, a real store on
//! disk, a server holding the store open, and a real etcd.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use store::sqlite::SqliteStore;
use store::testing::EtcdCluster;
use store::{RangeOptions, Store};

fn rudder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .env_remove("RUDDER_DATA_DIR")
        .output()
        .expect("run rudder")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn fill(data_dir: &Path, count: usize) -> i64 {
    let store = SqliteStore::open_dir(data_dir.join("store")).unwrap();
    for i in 0..count {
        store
            .create(
                &format!("/registry/configmaps/default/cm-{i}"),
                format!("{{\"n\":{i}}}").into_bytes(),
            )
            .await
            .unwrap();
    }
    store.current_revision().await.unwrap()
}

/// A `rudder server` on a data directory, stopped on drop.
struct Server(Child);

impl Server {
    fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, &[])
    }

    fn start_with(data_dir: &Path, extra: &[&str]) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args([
                "server",
                "--etcd-compaction-interval",
                "0",
                "--bind-address",
                "127.0.0.1",
                "--port",
                "0",
                // Only the API server: the store's revisions are counted.
                "--disable-scheduler",
                "--disable-controller-manager",
                "--disable-kubelet",
                "--disable-local-storage",
                "--disable-proxy",
                "--disable-dns",
                "--data-dir",
            ])
            .arg(data_dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rudder server");
        // Owned at once, so the child is reaped on every path.
        let server = Server(child);
        // The node token is written once the server has opened the store
        // and created the system objects and the token's Secret.
        let token = data_dir.join("node-token");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if token.exists() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("rudder server did not open its store");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn save_status_restore_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let filled = fill(&data, 40).await;
    let _server = Server::start(&data);
    // The first start adds the four system namespaces, two priority classes,
    // an APIService for each of the 21 local group versions, the 13
    // FlowSchemas and 8 priority levels of upstream's flow control
    // configuration, the 55 ClusterRoles and 41 ClusterRoleBindings of the
    // bootstrap RBAC policy (23 of each for the controllers) and the token
    // cleaner's Role and RoleBinding in kube-system, the server's
    // endpoint lease, the `kubernetes` Service with its Endpoints and
    // EndpointSlice, the IPAddress holding its ClusterIP, and the
    // bootstrap token nodes join with.
    let revision = filled + 152;
    let objects = 192;

    let file = dir.path().join("backup.db");
    let save = rudder(&[
        "snapshot",
        "save",
        file.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(save.status.success(), "{}", text(&save.stderr));
    assert!(
        text(&save.stdout).starts_with(&format!("Snapshot saved at {}", file.display())),
        "{}",
        text(&save.stdout)
    );

    let table = rudder(&[
        "snapshot",
        "status",
        file.to_str().unwrap(),
        "--write-out=table",
    ]);
    assert!(table.status.success(), "{}", text(&table.stderr));
    let lines: Vec<String> = text(&table.stdout).lines().map(String::from).collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(
        lines[1].contains("HASH")
            && lines[1].contains("REVISION")
            && lines[1].contains("TOTAL KEYS")
            && lines[1].contains("TOTAL SIZE")
    );
    let cells: Vec<&str> = lines[3]
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(cells[1], revision.to_string());
    assert_eq!(cells[2], objects.to_string());
    assert!(cells[3].ends_with("kB"), "{}", cells[3]);

    let json = rudder(&["snapshot", "status", file.to_str().unwrap(), "-w", "json"]);
    let status: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(status["revision"], revision);
    assert_eq!(status["totalKey"], objects);
    assert_eq!(
        status["totalSize"].as_u64().unwrap(),
        std::fs::metadata(&file).unwrap().len()
    );
    let simple = rudder(&["snapshot", "status", file.to_str().unwrap()]);
    assert_eq!(
        text(&simple.stdout).trim().split(", ").nth(1),
        Some(revision.to_string().as_str())
    );

    // Saving over an existing file is refused.
    let again = rudder(&[
        "snapshot",
        "save",
        file.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );

    // Restore into a fresh directory and read the objects back.
    let restored = dir.path().join("restored");
    let restore = rudder(&[
        "snapshot",
        "restore",
        file.to_str().unwrap(),
        "--data-dir",
        restored.to_str().unwrap(),
    ]);
    assert!(restore.status.success(), "{}", text(&restore.stderr));
    let busy = rudder(&[
        "snapshot",
        "restore",
        file.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(
        !busy.status.success(),
        "restoring over a live store must fail"
    );
    let store = SqliteStore::open_dir(restored.join("store")).unwrap();
    assert_eq!(store.current_revision().await.unwrap(), revision);
    let all = store
        .range("/registry/configmaps/", RangeOptions::default())
        .await
        .unwrap();
    assert_eq!(all.kvs.len(), 40);
}

#[test]
fn status_of_a_file_that_is_not_a_snapshot_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "not a snapshot at all, just some words\n").unwrap();
    let out = rudder(&["snapshot", "status", junk.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(junk.to_str().unwrap()) && err.contains("not a rudder store"),
        "{err}"
    );
    let missing = rudder(&[
        "snapshot",
        "status",
        dir.path().join("none.db").to_str().unwrap(),
    ]);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("none.db"));
}

#[tokio::test(flavor = "multi_thread")]
async fn save_from_etcd_writes_an_etcd_snapshot() {
    let cluster = tokio::task::spawn_blocking(|| EtcdCluster::start(1))
        .await
        .unwrap()
        .unwrap();
    let endpoints = cluster.endpoints().join(",");
    let store = store::etcd::EtcdStore::connect(store::etcd::EtcdOptions::new(cluster.endpoints()))
        .await
        .unwrap();
    for i in 0..10 {
        store
            .create(&format!("/registry/pods/default/p{i}"), b"{}".to_vec())
            .await
            .unwrap();
    }
    let revision = store.current_revision().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("etcd.db");
    let out = rudder(&[
        "snapshot",
        "save",
        file.to_str().unwrap(),
        "--storage",
        "etcd",
        "--etcd-servers",
        &endpoints,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // etcd's own tool reads what was saved.
    let status = Command::new("etcdctl")
        .args(["snapshot", "status", "-w", "json"])
        .arg(&file)
        .env("ETCDCTL_API", "3")
        .output()
        .expect("run etcdctl (Debian's etcd-client)");
    assert!(status.status.success(), "{}", text(&status.stderr));
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["revision"], revision);
}

/// Waits until the server on `data_dir` answers (after a restart its
/// kubeconfig is there before it listens).
fn wait_ready(data_dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(data_dir.join("kubeconfig.yaml"))
            .args(["get", "--raw", "/readyz"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ready {
            return;
        }
        assert!(Instant::now() < deadline, "the server did not get ready");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kubectl(data_dir: &Path, args: &[&str]) -> String {
    let output = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(data_dir.join("kubeconfig.yaml"))
        .args(args)
        .output()
        .expect("run kubectl");
    assert!(
        output.status.success(),
        "kubectl {args:?}: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Whether `needle` is anywhere in the files under `dir` (the database,
/// its write-ahead log).
fn found_in(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path()).ok())
        .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
}

fn encryption_config(dir: &Path, name: &str, keys: &[(&str, u8)]) -> String {
    use base64::Engine;
    let keys: Vec<String> = keys
        .iter()
        .map(|(key, byte)| {
            let secret = base64::engine::general_purpose::STANDARD.encode([*byte; 32]);
            format!("          - name: {key}\n            secret: {secret}\n")
        })
        .collect();
    let yaml = format!(
        "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources:\n      - secrets\n    providers:\n      - aescbc:\n          keys:\n{}      - identity: {{}}\n",
        keys.concat()
    );
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path.to_str().unwrap().to_string()
}

/// `--encryption-provider-config`: a Secret is in neither the database
/// nor a snapshot in plain text, reads back through the API, and moves to
/// a new key when rewritten.
#[tokio::test]
async fn secrets_are_encrypted_at_rest_and_in_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = encryption_config(dir.path(), "first.yaml", &[("key1", 1)]);
    let server = Server::start_with(&data, &["--encryption-provider-config", &first]);
    wait_ready(&data);
    kubectl(
        &data,
        &[
            "create",
            "secret",
            "generic",
            "db",
            "--from-literal=password=hunter2-in-plain",
        ],
    );
    kubectl(
        &data,
        &[
            "create",
            "configmap",
            "visible",
            "--from-literal=note=plain-configmap-value",
        ],
    );
    let password = kubectl(
        &data,
        &["get", "secret", "db", "-o", "jsonpath={.data.password}"],
    );
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(password.trim())
        .unwrap();
    assert_eq!(decoded, b"hunter2-in-plain");

    let snapshot = dir.path().join("backup.db");
    let save = rudder(&[
        "snapshot",
        "save",
        snapshot.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(save.status.success(), "{}", text(&save.stderr));
    drop(server);
    let store_dir = data.join("store");
    // ConfigMaps are not in the configuration: the search itself works.
    assert!(found_in(&store_dir, "plain-configmap-value"));
    for needle in ["hunter2-in-plain", password.trim()] {
        assert!(!found_in(&store_dir, needle), "{needle} in the database");
        let bytes = std::fs::read(&snapshot).unwrap();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} in the snapshot"
        );
    }
    let stored = || {
        let store = SqliteStore::open_dir(&store_dir).unwrap();
        async move {
            store
                .get("/registry/secrets/default/db")
                .await
                .unwrap()
                .unwrap()
                .value
        }
    };
    assert!(stored().await.starts_with(b"k8s:enc:aescbc:v1:key1:"));

    // Rotation: a new first key, the old one still read; rewriting every
    // Secret moves it to the new key, after which the old key can go.
    let rotated = encryption_config(dir.path(), "rotated.yaml", &[("key2", 2), ("key1", 1)]);
    let server = Server::start_with(&data, &["--encryption-provider-config", &rotated]);
    wait_ready(&data);
    let all = kubectl(&data, &["get", "secrets", "-A", "-o", "json"]);
    let file = dir.path().join("secrets.json");
    std::fs::write(&file, all).unwrap();
    kubectl(&data, &["replace", "-f", file.to_str().unwrap()]);
    drop(server);
    assert!(stored().await.starts_with(b"k8s:enc:aescbc:v1:key2:"));
    let last = encryption_config(dir.path(), "last.yaml", &[("key2", 2)]);
    let _server = Server::start_with(&data, &["--encryption-provider-config", &last]);
    wait_ready(&data);
    let again = kubectl(
        &data,
        &["get", "secret", "db", "-o", "jsonpath={.data.password}"],
    );
    assert_eq!(again, password);
}
