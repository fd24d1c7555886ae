//! Services that really route and names that really resolve: real pods
//! (busybox httpd on the process runtime, each in its own network
//! namespace) behind Services programmed by the service proxy into this
//! machine's packet filter, in both modes, and the cluster DNS answering
//! the pods through the kube-dns Service.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::Value;
use testkit::{HostNetwork, TestCluster, busybox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The body of `GET /` at `address`, or the connection's error.
async fn http_get(address: SocketAddr) -> std::io::Result<String> {
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream
            .write_all(b"GET / HTTP/1.0\r\nHost: test\r\n\r\n")
            .await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        Ok(response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.trim().to_string())
            .unwrap_or_default())
    };
    tokio::time::timeout(Duration::from_secs(5), attempt)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

/// Waits until `check` holds for the answers of `count` requests.
async fn until_answers(
    what: &str,
    address: SocketAddr,
    count: usize,
    check: impl Fn(&[std::io::Result<String>]) -> bool,
) -> Vec<std::io::Result<String>> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut answers = Vec::new();
        for _ in 0..count {
            answers.push(http_get(address).await);
        }
        if check(&answers) {
            return answers;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {answers:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn bodies(answers: &[std::io::Result<String>]) -> BTreeSet<String> {
    answers
        .iter()
        .filter_map(|a| a.as_ref().ok().cloned())
        .collect()
}

/// Runs `script` in a pod of its own (restartPolicy Never) and returns
/// what it printed once it succeeded.
async fn run_in_pod(cluster: &TestCluster, name: &str, script: &str) -> String {
    let manifest = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{
                "name": "client",
                "image": "busybox",
                "command": [busybox(), "sh", "-c", script],
            }],
        },
    });
    cluster.apply(name, &manifest.to_string()).await.ok();
    let deadline = Instant::now() + Duration::from_secs(90);
    let pod = loop {
        let pod = cluster
            .kubectl(&["get", "pod", name, "-o", "json"])
            .await
            .json();
        if matches!(
            pod["status"]["phase"].as_str(),
            Some("Succeeded" | "Failed")
        ) {
            break pod;
        }
        if Instant::now() > deadline {
            let events = cluster.kubectl(&["get", "events"]).await.ok();
            let logs = cluster.kubectl(&["logs", name]).await.ok();
            panic!("{name} did not finish:\n{pod:#}\n{events}\n{logs}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let logs = cluster.kubectl(&["logs", name]).await.ok();
    assert_eq!(pod["status"]["phase"], "Succeeded", "{name} failed: {logs}");
    logs
}

fn cluster_ip(service: &Value) -> SocketAddr {
    let ip = service["spec"]["clusterIP"].as_str().expect("a cluster IP");
    format!("{ip}:80").parse().expect("an address")
}

async fn services_route_and_resolve(mode: proxy::Mode) {
    let _host = HostNetwork::claim().await;
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let kubelet = cluster
        .start_kubelet_with("node-a", |options| {
            options.cluster_dns.servers = vec!["10.96.0.10".parse().unwrap()];
        })
        .await;
    let network = kubelet.network.as_ref().expect("a pod network");
    let gateway = network.cidr.replace(".0/24", ".1");
    cluster
        .eventually(&["get", "node", "node-a"], "the node to be Ready", |n| {
            n["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .await;
    let _dns = cluster
        .start_dns(format!("{gateway}:53").parse().unwrap())
        .await;
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut options = TestCluster::proxy_options("node-a", mode, "10.88.0.0/16");
    options.healthz_bind_address = Some(SocketAddr::from(([127, 0, 0, 1], metrics_port)));
    let proxy = cluster.start_proxy_with(options.clone()).await;

    let bb = busybox();
    let www = cluster.data_dir().join("www");
    let www = www.display();
    let manifest = format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      # httpd is PID 1 of its container and ignores SIGTERM: a scale-down
      # waits out the grace period.
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox
        command: ["{bb}", "sh", "-c", "d={www}/$({bb} hostname); {bb} mkdir -p $d; {bb} hostname > $d/index.html; {bb} touch $d/ready; exec {bb} httpd -f -p 8080 -h $d"]
        readinessProbe:
          httpGet: {{path: /ready, port: 8080}}
          periodSeconds: 1
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {{app: web}}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-nodeport
spec:
  type: NodePort
  selector: {{app: web}}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-external
spec:
  type: LoadBalancer
  selector: {{app: web}}
  externalIPs: [192.0.2.55]
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-sticky
spec:
  selector: {{app: web}}
  sessionAffinity: ClientIP
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector: {{app: db}}
  ports:
  - name: pg
    port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: Parallel
  selector:
    matchLabels: {{app: db}}
  template:
    metadata:
      labels: {{app: db}}
    spec:
      containers:
      - name: db
        image: busybox
        command: ["{bb}", "sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: echo
  labels: {{app: echo}}
spec:
  containers:
  - name: echo
    image: busybox
    command: ["{bb}", "nc", "-ll", "-p", "9000", "-e", "{bb}", "cat"]
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  selector: {{app: echo}}
  ports:
  - port: 9000
"#
    );
    cluster.apply("web", &manifest).await.ok();
    let web = cluster
        .kubectl(&["get", "service", "web", "-o", "json"])
        .await
        .json();
    let web_ip = cluster_ip(&web);
    let pods = cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-l",
                "kubernetes.io/service-name=web",
            ],
            "two ready web endpoints",
            |list| {
                list["items"][0]["endpoints"].as_array().is_some_and(|e| {
                    e.len() == 2 && e.iter().all(|e| e["conditions"]["ready"] == true)
                })
            },
        )
        .await;
    let backends: BTreeSet<String> = pods["items"][0]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["targetRef"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(backends.len(), 2);

    // From the host, the cluster IP reaches both pods.
    let answers = until_answers("both backends via the cluster IP", web_ip, 30, |a| {
        bodies(a) == backends
    })
    .await;
    assert!(answers.iter().all(|a| a.is_ok()), "{answers:?}");

    // From a pod, by DNS name (full, short and by search path) and by IP.
    let script = format!(
        "for i in $({bb} seq 1 20); do {bb} wget -q -O - http://web.default.svc.cluster.local/; done; \
         {bb} wget -q -O - http://web/ >/dev/null && echo short-name-ok; \
         {bb} wget -q -O - http://{web_ip}/ >/dev/null && echo cluster-ip-ok; \
         {bb} cat /etc/resolv.conf; \
         {bb} nslookup db-0.db.default.svc.cluster.local; \
         {bb} nslookup kubernetes.default; \
         {bb} nslookup no-such-service.default.svc.cluster.local || echo nxdomain-ok"
    );
    let out = run_in_pod(&cluster, "client", &script).await;
    let seen: BTreeSet<String> = out
        .lines()
        .filter(|l| backends.contains(*l))
        .map(str::to_string)
        .collect();
    assert_eq!(
        seen, backends,
        "20 requests by name reach both pods:\n{out}"
    );
    assert!(
        out.contains("short-name-ok") && out.contains("cluster-ip-ok"),
        "{out}"
    );
    assert!(out.contains("nameserver 10.96.0.10"), "{out}");
    assert!(
        out.contains("search default.svc.cluster.local svc.cluster.local cluster.local"),
        "{out}"
    );
    assert!(out.contains("options ndots:5"), "{out}");
    let db0 = cluster
        .kubectl(&["get", "pod", "db-0", "-o", "jsonpath={.status.podIP}"])
        .await
        .ok();
    assert!(!db0.is_empty());
    assert!(
        out.contains(&format!("Address: {db0}")) || out.contains(&format!("Address 1: {db0}")),
        "db-0.db resolves to the pod's address {db0}:\n{out}"
    );
    assert!(
        out.contains("10.96.0.1"),
        "kubernetes.default resolves:\n{out}"
    );
    assert!(out.contains("nxdomain-ok"), "{out}");

    // Session affinity pins a client to one pod.
    let sticky = cluster
        .kubectl(&["get", "service", "web-sticky", "-o", "json"])
        .await
        .json();
    let sticky_ip = cluster_ip(&sticky);
    let answers = until_answers("sticky answers", sticky_ip, 15, |a| {
        a.iter().all(|a| a.is_ok())
    })
    .await;
    assert_eq!(
        bodies(&answers).len(),
        1,
        "one backend for one client: {answers:?}"
    );

    // A node port from the host.
    let nodeport = cluster
        .kubectl(&["get", "service", "web-nodeport", "-o", "json"])
        .await
        .json();
    let port = nodeport["spec"]["ports"][0]["nodePort"]
        .as_u64()
        .expect("a node port");
    let address: SocketAddr = format!("{gateway}:{port}").parse().unwrap();
    until_answers("both backends via the node port", address, 30, |a| {
        bodies(a) == backends
    })
    .await;

    // A failing readiness probe takes its pod out of rotation.
    let (unready, still) = {
        let mut names = backends.iter();
        (names.next().unwrap().clone(), names.next().unwrap().clone())
    };
    std::fs::remove_file(cluster.data_dir().join("www").join(&unready).join("ready")).unwrap();
    until_answers("only the ready pod", web_ip, 20, |a| {
        a.iter().all(|a| a.as_ref().is_ok_and(|b| *b == still))
    })
    .await;

    // The rules read as each mode's users expect.
    match mode {
        proxy::Mode::Iptables => {
            let out = std::process::Command::new("iptables")
                .args(["-t", "nat", "-L", "KUBE-SERVICES", "-n"])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("/* default/web cluster IP */"), "{text}");
            assert!(text.contains("KUBE-SVC-"), "{text}");
        }
        proxy::Mode::Nftables => {
            let out = std::process::Command::new("nft")
                .args(["list", "table", "ip", "rudder"])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("default/web/tcp/"), "{text}");
            assert!(text.contains("numgen random mod"), "{text}");
        }
    }
    let health = http_get_path(metrics_port, "/healthz").await;
    assert!(
        health.starts_with("HTTP/1.0 200") && health.contains("lastUpdated"),
        "{health}"
    );
    let metrics = http_get_path(metrics_port, "/metrics").await;
    assert!(
        metrics.contains("kubeproxy_sync_proxy_rules_last_timestamp_seconds"),
        "{metrics}"
    );
    // The Prometheus text format, unless OpenMetrics is asked for.
    assert!(
        metrics.contains("content-type: text/plain; version=0.0.4") && !metrics.contains("# EOF"),
        "{metrics}"
    );
    let open = http_get_accepting(
        metrics_port,
        "/metrics",
        "application/openmetrics-text;version=1.0.0,text/plain;q=0.5",
    )
    .await;
    assert!(
        open.contains("content-type: application/openmetrics-text; version=1.0.0")
            && open.ends_with("# EOF\n"),
        "{open}"
    );

    // A proxy restart rewrites every rule; an established connection
    // carries on through it.
    let echo = cluster
        .kubectl(&["get", "service", "echo", "-o", "json"])
        .await
        .json();
    let echo_ip: SocketAddr = format!("{}:9000", echo["spec"]["clusterIP"].as_str().unwrap())
        .parse()
        .unwrap();
    let mut connection = until_connected(echo_ip).await;
    assert_eq!(echo_line(&mut connection, "before").await, "before");
    proxy.stop().await;
    let _proxy = cluster.start_proxy_with(options).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(echo_line(&mut connection, "after").await, "after");
    let mut fresh = until_connected(echo_ip).await;
    assert_eq!(echo_line(&mut fresh, "new").await, "new");

    // No endpoints: refused at once; endpoints again: answered again.
    cluster
        .kubectl(&["scale", "deployment", "web", "--replicas=0"])
        .await
        .ok();
    until_answers("connection refused", web_ip, 1, |a| {
        a[0].as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
    })
    .await;
    cluster
        .kubectl(&["scale", "deployment", "web", "--replicas=1"])
        .await
        .ok();
    cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-l",
                "kubernetes.io/service-name=web",
            ],
            "a ready web endpoint again",
            |list| {
                list["items"][0]["endpoints"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|e| e["conditions"]["ready"] == true))
            },
        )
        .await;
    until_answers("a backend again", web_ip, 1, |a| a[0].is_ok()).await;
}

/// A connection to `address`, once its Service routes.
async fn until_connected(address: SocketAddr) -> tokio::net::TcpStream {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(address),
        )
        .await
        {
            Ok(Ok(stream)) => return stream,
            other => assert!(
                Instant::now() < deadline,
                "cannot connect to {address}: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Sends a line to the echo pod and reads it back.
async fn echo_line(stream: &mut tokio::net::TcpStream, line: &str) -> String {
    stream
        .write_all(format!("{line}\n").as_bytes())
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while got.last() != Some(&b'\n') {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut byte))
            .await
            .expect("the echo answers")
            .unwrap();
        assert!(n > 0, "the connection closed");
        got.push(byte[0]);
    }
    String::from_utf8_lossy(&got).trim().to_string()
}

async fn http_get_path(port: u16, path: &str) -> String {
    http_get_accepting(port, path, "*/*").await
}

async fn http_get_accepting(port: u16, path: &str, accept: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\nAccept: {accept}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn services_route_and_resolve_with_nftables() {
    services_route_and_resolve(proxy::Mode::Nftables).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn services_route_and_resolve_with_iptables() {
    services_route_and_resolve(proxy::Mode::Iptables).await;
}
