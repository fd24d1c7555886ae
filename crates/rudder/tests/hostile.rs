//! Hostile input against a live `rudder server`: requests and objects built
//! to crash, exhaust or wedge it. Each must get its exact status code (or be
//! taken and handled in bounded memory), write nothing it should not, and
//! leave the server answering `/readyz` and `kubectl get pods`, with its
//! resident memory under a bound.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server's resident memory may not pass this, whatever was sent.
const RSS_BOUND_MB: u64 = 1024;

struct Server {
    child: Child,
    kubeconfig: PathBuf,
    port: u16,
}

impl Server {
    /// `rudder server` with two simulated nodes: the API server, the
    /// scheduler and the controller manager are real; no pod runs.
    /// With `descriptors`, the server may open only that many files.
    fn start(data_dir: &Path, extra: &[&str], descriptors: Option<u64>) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_rudder"));
        if let Some(descriptors) = descriptors {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit is async-signal-safe; between fork and exec
            // the child does nothing else.
            unsafe {
                command.pre_exec(move || {
                    let limit = libc::rlimit {
                        rlim_cur: descriptors,
                        rlim_max: descriptors,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let child = command
            .args([
                "server",
                "--bind-address",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--simulated-nodes",
                "2",
                "--disable-proxy",
                "--disable-dns",
                // Other tests' servers may hold the components' ports.
                "--scheduler-secure-port",
                "0",
                "--controller-manager-secure-port",
                "0",
            ])
            .args(extra)
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(data_dir.join("server.log"))
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
            )
            .spawn()
            .expect("start rudder server");
        let server = Server {
            child,
            kubeconfig: data_dir.join("kubeconfig.yaml"),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !(server.kubeconfig.exists() && server.kubectl(&["get", "--raw", "/readyz"]).0) {
            assert!(
                Instant::now() < deadline,
                "the server did not become ready: {}",
                std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn kubectl(&self, args: &[&str]) -> (bool, String) {
        let home = self.kubeconfig.with_file_name("home");
        let output = Command::new("kubectl")
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
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

    fn rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status (has it died?)");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmRSS")
            / 1024
    }

    /// How many files (sockets among them) the server has open.
    fn open_descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .expect("the server's /proc fd directory (has it died?)")
            .count()
    }

    /// Alive, ready, listing pods, and within its memory bound.
    fn assert_healthy(&mut self, after: &str) {
        assert!(
            matches!(self.child.try_wait(), Ok(None)),
            "the server exited after {after}"
        );
        let (ready, out) = self.kubectl(&["get", "--raw", "/readyz"]);
        assert!(
            ready && out.trim() == "ok",
            "not ready after {after}: {out}"
        );
        let (listed, out) = self.kubectl(&["get", "pods", "-A"]);
        assert!(listed, "kubectl get pods failed after {after}: {out}");
        let rss = self.rss_mb();
        assert!(
            rss < RSS_BOUND_MB,
            "RSS {rss} MB after {after} (bound {RSS_BOUND_MB} MB)"
        );
    }
}

impl Drop for Server {
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
    }
}

/// Raw requests with the admin's credentials.
struct Raw(kube::Client);

impl Raw {
    async fn new(kubeconfig: &Path) -> Raw {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(kubeconfig).expect("kubeconfig"),
            &Default::default(),
        )
        .await
        .expect("client config");
        Raw(kube::Client::try_from(config).expect("client"))
    }

    /// The status code and body (JSON, or a string) of one request.
    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("Content-Type", content_type)
            .body(kube::client::Body::from(body))
            .expect("a request");
        let response = self.0.send(request).await.expect("a response");
        let code = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect_bytes()
            .await
            .expect("the body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (code, body)
    }

    async fn json(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        self.send(
            method,
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
        .await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, "application/json", Vec::new()).await
    }
}

fn expect(what: &str, (code, body): (u16, Value), want: u16) -> Value {
    if code != want {
        let shown: String = body.to_string().chars().take(600).collect();
        panic!("{what}: {code}, not {want}: {shown}");
    }
    if want >= 400 {
        assert_eq!(body["kind"], "Status", "{what}: {body}");
        assert_eq!(body["code"], want, "{what}: {body}");
    }
    body
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn bytes_field(number: u64, data: &[u8], out: &mut Vec<u8>) {
    varint(number << 3 | 2, out);
    varint(data.len() as u64, out);
    out.extend_from_slice(data);
}

/// A protobuf ConfigMap whose unknown field 42 nests `depth` messages.
fn nested_protobuf(depth: usize) -> Vec<u8> {
    let mut lengths = vec![0u64];
    for _ in 0..depth {
        let inner = lengths[lengths.len() - 1];
        let mut header = Vec::new();
        varint(inner, &mut header);
        lengths.push(inner + 1 + header.len() as u64);
    }
    let mut nested = Vec::new();
    for inner in lengths.iter().rev().skip(1) {
        varint(1 << 3 | 2, &mut nested);
        varint(*inner, &mut nested);
    }
    let mut meta = Vec::new();
    bytes_field(1, b"deep", &mut meta);
    let mut configmap = Vec::new();
    bytes_field(1, &meta, &mut configmap);
    bytes_field(42, &nested, &mut configmap);
    let mut type_meta = Vec::new();
    bytes_field(1, b"v1", &mut type_meta);
    bytes_field(2, b"ConfigMap", &mut type_meta);
    let mut body = b"k8s\0".to_vec();
    bytes_field(1, &type_meta, &mut body);
    bytes_field(2, &configmap, &mut body);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_clear_errors_and_the_server_stays_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(dir.path(), &[], None);
    let raw = Raw::new(&server.kubeconfig).await;
    // What holds the cluster's state and keys is the owner's alone.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| {
            std::fs::metadata(path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        assert_eq!(mode(dir.path()), 0o700, "the data directory");
        for file in ["state.db", "state.db-wal", "state.db-shm"] {
            assert_eq!(mode(&dir.path().join("store").join(file)), 0o600, "{file}");
        }
    }
    let ns = "/api/v1/namespaces/hostile";
    expect(
        "namespace",
        raw.json(
            "POST",
            "/api/v1/namespaces",
            &json!({"metadata": {"name": "hostile"}}),
        )
        .await,
        201,
    );
    let target = expect(
        "target",
        raw.json(
            "POST",
            &format!("{ns}/configmaps"),
            &json!({"metadata": {"name": "target"}, "data": {"a": "b"}}),
        )
        .await,
        201,
    );
    let target_version = target["metadata"]["resourceVersion"].clone();
    let baseline = server.rss_mb();

    // Protobuf: 100,000 nested messages in an unknown field, passed over
    // without following them; strict field validation refuses the field.
    let refused = expect(
        "nested protobuf",
        raw.send(
            "POST",
            &format!("{ns}/configmaps?fieldValidation=Strict"),
            "application/vnd.kubernetes.protobuf",
            nested_protobuf(100_000),
        )
        .await,
        400,
    );
    assert_eq!(
        refused["message"],
        r#"strict decoding error: unknown field "(protobuf field 42)""#
    );
    server.assert_healthy("nested protobuf");

    // JSON patch: too many operations, then copies doubling the object.
    let target_path = format!("{ns}/configmaps/target");
    let many: Vec<Value> = (0..10_001)
        .map(|_| json!({"op": "test", "path": "/data/a", "value": "b"}))
        .collect();
    let body = expect(
        "10,001 patch operations",
        raw.send(
            "PATCH",
            &target_path,
            "application/json-patch+json",
            serde_json::to_vec(&many).unwrap_or_default(),
        )
        .await,
        413,
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("10000, got 10001")),
        "{body}"
    );
    let doubling: Vec<Value> = (0..40)
        .map(|i| json!({"op": "copy", "from": "/data", "path": format!("/data/c{i}")}))
        .collect();
    expect(
        "doubling copies",
        raw.send(
            "PATCH",
            &target_path,
            "application/json-patch+json",
            serde_json::to_vec(&doubling).unwrap_or_default(),
        )
        .await,
        422,
    );
    let after = expect("target after patches", raw.get(&target_path).await, 200);
    assert_eq!(
        after["metadata"]["resourceVersion"], target_version,
        "{after}"
    );
    server.assert_healthy("JSON patches");

    // YAML: an anchor named thousands of times.
    let anchor = vec!["xxxxxxxxxx"; 10_000].join(", ");
    let aliases = vec!["*a"; 5_000].join(", ");
    let bomb = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: bomb}}\ndata: {{}}\nbig: &a [{anchor}]\nmany: [{aliases}]\n"
    );
    expect(
        "YAML alias bomb",
        raw.send(
            "POST",
            &format!("{ns}/configmaps"),
            "application/yaml",
            bomb.into_bytes(),
        )
        .await,
        400,
    );
    expect(
        "no bomb written",
        raw.get(&format!("{ns}/configmaps/bomb")).await,
        404,
    );
    server.assert_healthy("a YAML alias bomb");

    // Oversized and deeply nested bodies; huge label values.
    // (Through kubectl: the server answers before reading such a body, and
    // Go's client, unlike this test's, reports the answer it got while
    // still sending.)
    let big = dir.path().join("big");
    std::fs::write(&big, "x".repeat(4 << 20)).expect("a big file");
    let (created, out) = server.kubectl(&[
        "create",
        "configmap",
        "big",
        "-n",
        "hostile",
        &format!("--from-file=a={}", big.display()),
    ]);
    assert!(
        !created && out.contains("Request entity too large: limit is 3145728"),
        "a 4 MiB body: {out}"
    );
    let deep = format!(
        "{{\"metadata\": {{\"name\": \"deep\"}}, \"data\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    expect(
        "10,000 nested arrays",
        raw.send(
            "POST",
            &format!("{ns}/configmaps"),
            "application/json",
            deep.into_bytes(),
        )
        .await,
        400,
    );
    let label = json!({"metadata": {"name": "labelled", "labels": {"a": "x".repeat(1 << 20)}}});
    expect(
        "a 1 MiB label value",
        raw.json("POST", &format!("{ns}/configmaps"), &label).await,
        422,
    );
    // (Existence terms: the shortest, so 10,000 fit in a URI.)
    let selector = vec!["k"; 10_000].join(",");
    let (code, body) = raw
        .get(&format!("{ns}/pods?labelSelector={selector}"))
        .await;
    assert!(
        code == 200 || code == 400,
        "10,000 selector terms: {code} {body}"
    );
    server.assert_healthy("oversized bodies");

    // Bodies that are not objects, for every kind of review.
    for (path, body) in [
        (
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "[1]",
        ),
        (
            "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            "\"x\"",
        ),
        ("/apis/authentication.k8s.io/v1/selfsubjectreviews", "true"),
        ("/apis/authentication.k8s.io/v1/tokenreviews", "5"),
        (
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            "null",
        ),
    ] {
        expect(
            &format!("{body} to {path}"),
            raw.send("POST", path, "application/json", body.as_bytes().to_vec())
                .await,
            400,
        );
    }
    server.assert_healthy("non-object reviews");

    // An eviction whose deleteOptions is a number.
    expect(
        "victim",
        raw.json(
            "POST",
            &format!("{ns}/pods"),
            &json!({"metadata": {"name": "victim"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}),
        )
        .await,
        201,
    );
    expect(
        "a scalar deleteOptions",
        raw.json(
            "POST",
            &format!("{ns}/pods/victim/eviction"),
            &json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "victim"}, "deleteOptions": 5}),
        )
        .await,
        400,
    );
    let victim = expect(
        "the victim stays",
        raw.get(&format!("{ns}/pods/victim")).await,
        200,
    );
    assert!(
        victim["metadata"]["deletionTimestamp"].is_null(),
        "{victim}"
    );
    // An update whose containers are not objects (found by the property
    // tests): refused as invalid, the pod unchanged.
    let mut update = victim.clone();
    update["spec"]["containers"] = json!([false]);
    let (code, body) = raw.json("PUT", &format!("{ns}/pods/victim"), &update).await;
    assert!(code == 400 || code == 422, "{code}: {body}");
    let after = expect(
        "the victim",
        raw.get(&format!("{ns}/pods/victim")).await,
        200,
    );
    assert_eq!(after["spec"]["containers"], victim["spec"]["containers"]);

    // A generateName of multi-byte characters cut at the length limit.
    expect(
        "multi-byte generateName",
        raw.json(
            "POST",
            &format!("{ns}/configmaps"),
            &json!({"metadata": {"generateName": "é".repeat(40)}}),
        )
        .await,
        422,
    );

    // Cron schedules with huge numbers.
    let cronjob = |name: &str, schedule: &str| {
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
               "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {
                   "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}})
    };
    let cronjobs = "/apis/batch/v1/namespaces/hostile/cronjobs";
    expect(
        "a step past every minute",
        raw.json(
            "POST",
            cronjobs,
            &cronjob("stepper", "1/9223372036854775807 * * * *"),
        )
        .await,
        201,
    );
    expect(
        "@every longer than Go's durations",
        raw.json("POST", cronjobs, &cronjob("forever", "@every 9999999999h"))
            .await,
        422,
    );

    // Huge numbers in queries.
    expect(
        "the largest limit",
        raw.get(&format!("{ns}/configmaps?limit=9223372036854775807"))
            .await,
        200,
    );
    expect(
        "a negative limit",
        raw.get(&format!("{ns}/configmaps?limit=-1")).await,
        200,
    );
    for rv in ["9223372036854775807", "-5"] {
        expect(
            &format!("a watch from {rv}"),
            raw.get(&format!("{ns}/configmaps?watch=true&resourceVersion={rv}"))
                .await,
            400,
        );
    }
    // A pod whose grace period is the largest int64, deleted.
    expect(
        "a pod with the longest grace",
        raw.json(
            "POST",
            &format!("{ns}/pods"),
            &json!({"metadata": {"name": "patient"}, "spec": {
                "terminationGracePeriodSeconds": i64::MAX,
                "containers": [{"name": "c", "image": "busybox"}]}}),
        )
        .await,
        201,
    );
    expect(
        "deleting it",
        raw.json("DELETE", &format!("{ns}/pods/patient"), &json!({}))
            .await,
        200,
    );
    server.assert_healthy("huge numbers");

    // An Indexed Job of two billion completions, all but the last two
    // written as done through the status.
    let template = json!({"metadata": {"labels": {"app": "huge"}}, "spec": {
        "containers": [{"name": "c", "image": "busybox"}]}});
    let mut job_template = template.clone();
    job_template["spec"]["restartPolicy"] = json!("Never");
    job_template["metadata"] = json!({});
    expect(
        "an Indexed Job of every index",
        raw.json(
            "POST",
            "/apis/batch/v1/namespaces/hostile/jobs",
            &json!({"metadata": {"name": "indexed"}, "spec": {"parallelism": 2, "completions": i32::MAX,
                "completionMode": "Indexed", "suspend": true, "template": job_template}}),
        )
        .await,
        201,
    );
    // Nearly every index written as completed, through the status.
    expect(
        "completed indexes",
        raw.send(
            "PATCH",
            "/apis/batch/v1/namespaces/hostile/jobs/indexed/status",
            "application/merge-patch+json",
            json!({"status": {"completedIndexes": "0-2147483640"}})
                .to_string()
                .into_bytes(),
        )
        .await,
        200,
    );
    expect(
        "resuming it",
        raw.send(
            "PATCH",
            "/apis/batch/v1/namespaces/hostile/jobs/indexed",
            "application/merge-patch+json",
            json!({"spec": {"suspend": false}}).to_string().into_bytes(),
        )
        .await,
        200,
    );
    // It runs the two indexes left, the highest there are.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pods = expect(
            "indexed pods",
            raw.get(&format!("{ns}/pods?labelSelector=job-name%3Dindexed"))
                .await,
            200,
        );
        let mut names: Vec<String> = pods["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"].as_str()
            })
            .map(String::from)
            .collect();
        names.sort();
        if names == ["2147483641", "2147483642"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the indexed job did not run its last indexes: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    server.assert_healthy("an Indexed Job of two billion completions");

    // Controllers sized by user integers: at most the quota's pods are made,
    // in bounded memory, and the server keeps serving.
    expect(
        "a quota",
        raw.json(
            "POST",
            &format!("{ns}/resourcequotas"),
            &json!({"metadata": {"name": "pods"}, "spec": {"hard": {"pods": "12"}}}),
        )
        .await,
        201,
    );
    expect(
        "a huge StatefulSet",
        raw.json(
            "POST",
            "/apis/apps/v1/namespaces/hostile/statefulsets",
            &json!({"metadata": {"name": "huge"}, "spec": {
                "replicas": i32::MAX, "podManagementPolicy": "Parallel", "serviceName": "huge",
                "selector": {"matchLabels": {"app": "huge"}}, "template": template}}),
        )
        .await,
        201,
    );
    expect(
        "a huge Job",
        raw.json(
            "POST",
            "/apis/batch/v1/namespaces/hostile/jobs",
            &json!({"metadata": {"name": "huge"}, "spec": {"parallelism": i32::MAX, "template": job_template}}),
        )
        .await,
        201,
    );
    expect(
        "an Indexed Job past upstream's parallelism",
        raw.json(
            "POST",
            "/apis/batch/v1/namespaces/hostile/jobs",
            &json!({"metadata": {"name": "wide"}, "spec": {"parallelism": 100_001, "completions": i32::MAX,
                "completionMode": "Indexed", "template": job_template}}),
        )
        .await,
        422,
    );
    // The controllers act on both within seconds; the quota holds the pods
    // they make.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pods = expect("pods", raw.get(&format!("{ns}/pods")).await, 200);
        let count = pods["items"].as_array().map_or(0, Vec::len);
        assert!(count <= 12, "{count} pods past the quota");
        if count == 12 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the controllers did not fill the quota with the huge sets' pods: {count} pods"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    server.assert_healthy("controllers sized by huge integers");
    let rss = server.rss_mb();
    eprintln!("RSS: {baseline} MB before the hostile requests, {rss} MB after");
}

/// TLS to the server as the admin (its client certificate from the data
/// directory), not checking the server's certificate.
fn admin_tls(data_dir: &Path) -> tokio_rustls::TlsConnector {
    let pki = data_dir.join("pki");
    let cert = std::fs::read(pki.join("admin.crt")).expect("admin.crt");
    let key = std::fs::read(pki.join("admin.key")).expect("admin.key");
    tokio_rustls::TlsConnector::from(
        serving::client_config_with_certificate(&cert, &key).expect("a client configuration"),
    )
}

async fn tls_connect(
    connector: &tokio_rustls::TlsConnector,
    port: u16,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    connector
        .connect(
            rustls::pki_types::ServerName::try_from("127.0.0.1").expect("a name"),
            tcp,
        )
        .await
        .expect("TLS handshake")
}

/// How long until the server closes `stream` (reading what it sends), at
/// most `within`; `None` if it is still open then.
async fn closed_within<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
    within: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        let left = within.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// Lets this process (and the server it starts) hold as many descriptors
/// as the machine allows.
fn raise_descriptor_limit() {
    // SAFETY: getrlimit/setrlimit on this process with a valid struct.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_hold_no_request_slots_and_are_cut_off() {
    raise_descriptor_limit();
    let dir = tempfile::tempdir().expect("temp dir");
    // A server that may open 8,192 descriptors, fewer than the flood below
    // holds open at once.
    let mut server = Server::start(
        dir.path(),
        &["--max-mutating-requests-inflight", "20"],
        Some(8192),
    );
    let raw = Raw::new(&server.kubeconfig).await;
    let port = server.port;
    let connector = admin_tls(dir.path());

    // A connection that completes its handshake and sends nothing is closed
    // once the first-request deadline (10 s) passes.
    let silent = {
        let connector = connector.clone();
        tokio::spawn(async move {
            let mut stream = tls_connect(&connector, port).await;
            closed_within(&mut stream, Duration::from_secs(20)).await
        })
    };
    // A kept-alive connection whose second request's headers come a byte
    // at a time is closed at the header deadline (32 s).
    let dribbler = {
        let connector = connector.clone();
        tokio::spawn(async move {
            let mut stream = tls_connect(&connector, port).await;
            stream
                .write_all(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .await
                .expect("a request");
            let mut buffer = [0u8; 4096];
            let read = stream.read(&mut buffer).await.expect("a response");
            assert!(
                String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 200"),
                "{}",
                String::from_utf8_lossy(&buffer[..read])
            );
            stream
                .write_all(b"GET /version HTTP/1.1\r\n")
                .await
                .expect("a partial request");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(50) {
                if stream.write_all(b"X").await.is_err() {
                    return Some(started.elapsed());
                }
                if let Some(_closed) = closed_within(&mut stream, Duration::from_secs(2)).await {
                    return Some(started.elapsed());
                }
            }
            None
        })
    };

    // Sixty uploads that stall after their first byte hold none of the
    // twenty slots for writes.
    let mut uploads = Vec::new();
    for _ in 0..60 {
        let mut stream = tls_connect(&connector, port).await;
        stream
            .write_all(
                b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                  Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
            )
            .await
            .expect("a slow upload");
        uploads.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for n in 0..5 {
        expect(
            "a write while uploads stall",
            raw.json(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                &json!({"metadata": {"name": format!("fast-{n}")}}),
            )
            .await,
            201,
        );
    }

    let silent = silent.await.expect("the silent connection");
    assert!(
        silent.is_some_and(|after| after >= Duration::from_secs(9)),
        "a silent connection was closed after {silent:?}, not at the first-request deadline"
    );

    // 100,000 connections that never send a byte, 4,000 a second, at most
    // 9,000 open at a time (from several loopback addresses, for enough
    // ports): new clients keep being served meanwhile.
    let flood = tokio::spawn(async move {
        let mut open = std::collections::VecDeque::new();
        let mut refused = 0usize;
        let mut pace = tokio::time::interval(Duration::from_millis(10));
        for n in 0..100_000u32 {
            if n % 40 == 0 {
                pace.tick().await;
            }
            let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
            let source = std::net::Ipv4Addr::new(127, 0, 0, 2 + (n % 8) as u8);
            if socket.bind((source, 0).into()).is_err() {
                refused += 1;
                continue;
            }
            match socket.connect(([127, 0, 0, 1], port).into()).await {
                Ok(stream) => open.push_back(stream),
                Err(_) => refused += 1,
            }
            if open.len() > 9_000 {
                open.pop_front();
            }
        }
        refused
    });
    let mut served = 0;
    while !flood.is_finished() {
        let (ok, out) = server.kubectl(&["get", "--raw", "/api/v1/namespaces/default/configmaps"]);
        assert!(ok, "a new client was not served during the flood: {out}");
        served += 1;
    }
    let refused = flood.await.expect("the flood");
    assert!(served >= 1, "no request was made during the flood");
    eprintln!("{served} new clients served during the flood; {refused} flood connects failed");

    let dribbler = dribbler.await.expect("the dribbling connection");
    assert!(
        dribbler.is_some_and(|after| after >= Duration::from_secs(30)),
        "a dribbling connection was closed after {dribbler:?}, not at the header deadline"
    );
    drop(uploads);
    server.assert_healthy("slow clients");
}

/// A watch request over its own TLS connection (HTTP/1.1) whose client
/// reads nothing, with a small receive buffer so the server meets a full
/// connection soon.
async fn silent_watch(
    connector: &tokio_rustls::TlsConnector,
    port: u16,
    path: &str,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(16 << 10).expect("SO_RCVBUF");
    let tcp = socket
        .connect(([127, 0, 0, 1], port).into())
        .await
        .expect("connect");
    let mut stream = connector
        .connect(
            rustls::pki_types::ServerName::try_from("127.0.0.1").expect("a name"),
            tcp,
        )
        .await
        .expect("TLS handshake");
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .await
        .expect("a watch request");
    // The status line only, so the watch is known to be admitted (a
    // watcher turned away would be a finished exchange on a kept-alive
    // connection, not a silent watcher); nothing of the events is read.
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        stream.read_exact(&mut byte).await.expect("a status line");
        line.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&line);
    assert!(
        line.starts_with("HTTP/1.1 200"),
        "a silent watch answered {line}"
    );
    stream
}

/// The status code of a GET over a connection of its own.
async fn status_of(connector: &tokio_rustls::TlsConnector, port: u16, path: &str) -> u16 {
    let mut stream = tls_connect(connector, port).await;
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .await
        .expect("a request");
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.expect("a status line");
    String::from_utf8_lossy(&head[9..12])
        .parse()
        .expect("a status code")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_that_never_read_are_bounded_and_closed() {
    raise_descriptor_limit();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(dir.path(), &["--max-watches-per-user", "520"], None);
    // The components' own connections are open before the count is taken
    // (their nodes are Ready).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, ready) = server.kubectl(&[
            "get",
            "nodes",
            "-o",
            "jsonpath={.items[*].status.conditions[?(@.type=='Ready')].status}",
        ]);
        if ready.trim() == "True True" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the nodes never became Ready: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let raw = Raw::new(&server.kubeconfig).await;
    let connector = admin_tls(dir.path());
    let path = "/api/v1/namespaces/default/configmaps";
    let value = "x".repeat(512 << 10);
    let mut version = expect(
        "a large configmap",
        raw.json(
            "POST",
            path,
            &json!({"metadata": {"name": "large"}, "data": {"k": value}}),
        )
        .await,
        201,
    )["metadata"]["resourceVersion"]
        .as_str()
        .expect("a resourceVersion")
        .to_string();
    let baseline = server.rss_mb();
    let descriptors = server.open_descriptors();

    // 500 watchers of the configmaps that never read what they are sent.
    let watch_path = format!("{path}?watch=true&resourceVersion={version}");
    let mut silent = Vec::new();
    for _ in 0..500 {
        silent.push(silent_watch(&connector, server.port, &watch_path).await);
    }
    // A user may hold only so many watches at once: past the limit, 429.
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(silent_watch(&connector, server.port, &watch_path).await);
    }
    // (Once the server has taken all their requests; kubectl and kube-rs
    // would retry a 429 themselves, so this asks over a connection of its own.)
    let deadline = Instant::now() + Duration::from_secs(30);
    let over = format!("{path}?watch=true&timeoutSeconds=1");
    loop {
        let code = status_of(&connector, server.port, &over).await;
        if code == 429 {
            break;
        }
        assert_eq!(code, 200);
        assert!(
            Instant::now() < deadline,
            "no 429 past the user's watch limit"
        );
    }
    drop(held);

    // Forty updates of half a MiB each: 20 GB if every watcher were sent a
    // copy of each, with nobody taking it.
    let mut peak = 0;
    for n in 0..40 {
        let updated = expect(
            "an update of the large configmap",
            raw.json(
                "PUT",
                &format!("{path}/large"),
                &json!({"metadata": {"name": "large", "resourceVersion": version},
                    "data": {"k": value, "n": n.to_string()}}),
            )
            .await,
            200,
        );
        version = updated["metadata"]["resourceVersion"]
            .as_str()
            .expect("a resourceVersion")
            .to_string();
        peak = peak.max(server.rss_mb());
    }
    server.assert_healthy("500 watchers that never read");
    // A watcher that keeps up gets the latest state at once.
    let (ok, out) = server.kubectl(&["get", "configmap", "large", "-o", "jsonpath={.data.n}"]);
    assert!(ok && out == "39", "{out}");

    // Each silent watcher is closed without ever reading: once its buffers
    // are full (encrypting megabytes for 500 connections takes a while on a
    // busy machine) it takes nothing for the slow-watcher deadline (10 s),
    // then its connection can write nothing for a minute. Reading before
    // the server lets go would make the watcher a reader again, so the
    // server's own descriptors tell when it has closed them.
    // (A connection read before the server lets go of it finishes its
    // answer instead and then idles, kept alive, up to the 32 s header
    // timeout: so wait for them all.)
    let deadline = Instant::now() + Duration::from_secs(180);
    while server.open_descriptors() > descriptors + 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let left = server.open_descriptors();
    let mut closing = tokio::task::JoinSet::new();
    for mut stream in silent {
        closing.spawn(async move { closed_within(&mut stream, Duration::from_secs(40)).await });
    }
    let mut open = 0;
    while let Some(closed) = closing.join_next().await {
        open += usize::from(closed.expect("a reader").is_none());
    }
    assert_eq!(
        open, 0,
        "{open} of 500 silent watchers still open; the server held {left} descriptors, {descriptors} before them"
    );
    // Their watches are gone: the user may watch again.
    let watched = raw
        .get(&format!("{path}?watch=true&timeoutSeconds=1"))
        .await;
    expect("a watch once the silent ones are closed", watched, 200);
    let rss = server.rss_mb();
    eprintln!(
        "RSS: {baseline} MB before 500 silent watchers, {peak} MB at most during 40 updates of 512 KiB, {rss} MB after"
    );
    assert!(
        peak < baseline + 400,
        "RSS rose from {baseline} MB to {peak} MB"
    );
    server.assert_healthy("500 silent watchers closed");
}
