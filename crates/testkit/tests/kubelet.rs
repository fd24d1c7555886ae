//! The kubelet against a real API server, with the real kubectl: pods run
//! as real processes (busybox) in their own network namespaces on a
//! bridge, restart with back-off, are probed, get their volumes and
//! environment, and stop gracefully; simulated nodes carry hundreds of
//! pods.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use testkit::{KillMarked, TestCluster, busybox, pod_ready as ready, processes_marked};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn http_get(address: &str, path: &str) -> std::io::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .await?;
    let mut body = String::new();
    stream.read_to_string(&mut body).await?;
    Ok(body)
}

/// The log file of a container on the test kubelet `node`.
fn log_of(cluster: &TestCluster, node: &str, pod: &Value, container: &str) -> String {
    let logs = cluster
        .dir
        .path()
        .join(format!("kubelet-{node}"))
        .join("logs");
    let name = format!(
        "{}_{}_{}",
        pod["metadata"]["namespace"].as_str().unwrap_or_default(),
        pod["metadata"]["name"].as_str().unwrap_or_default(),
        pod["metadata"]["uid"].as_str().unwrap_or_default()
    );
    std::fs::read_to_string(logs.join(name).join(container).join("0.log")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_runs_as_processes_in_its_own_network() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let kubelet = cluster.start_kubelet("node-a").await;
    let node = cluster
        .eventually(&["get", "node", "node-a"], "the node to be Ready", |n| {
            n["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .await;
    assert_eq!(
        node["metadata"]["labels"]["kubernetes.io/hostname"],
        "node-a"
    );
    assert_eq!(node["metadata"]["labels"]["kubernetes.io/os"], "linux");
    assert!(
        node["status"]["nodeInfo"]["containerRuntimeVersion"]
            .as_str()
            .unwrap()
            .starts_with("process://")
    );
    assert_eq!(node["status"]["capacity"]["pods"], "110");
    let cidr = kubelet.network.as_ref().unwrap().cidr.clone();
    assert_eq!(node["spec"]["podCIDR"], cidr.as_str());
    let lease = cluster
        .kubectl(&[
            "get",
            "lease",
            "node-a",
            "-n",
            "kube-node-lease",
            "-o",
            "json",
        ])
        .await
        .json();
    assert_eq!(lease["spec"]["holderIdentity"], "node-a");
    assert_eq!(lease["metadata"]["ownerReferences"][0]["kind"], "Node");

    let manifest = format!(
        r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: site
data:
  index.html: "hello from a pod"
---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: httpd
    image: busybox
    command: ["{busybox}", "httpd", "-f", "-p", "8080", "-h", "/tmp/rudder-test-mount-www"]
    ports:
    - name: http
      containerPort: 8080
    readinessProbe:
      httpGet:
        path: /index.html
        port: http
      periodSeconds: 1
    volumeMounts:
    - name: site
      mountPath: /tmp/rudder-test-mount-www
  volumes:
  - name: site
    configMap:
      name: site
"#,
        busybox = busybox()
    );
    cluster.apply("web.yaml", &manifest).await.ok();
    let pod = cluster
        .eventually(
            &["get", "pod", "web"],
            "the pod to be Running and Ready",
            |p| p["status"]["phase"] == "Running" && ready(p),
        )
        .await;
    let ip = pod["status"]["podIP"].as_str().unwrap().to_string();
    let prefix = cidr.trim_end_matches(".0/24");
    assert!(
        ip.starts_with(prefix),
        "pod IP {ip} from the node's CIDR {cidr}"
    );
    assert_eq!(pod["status"]["hostIP"], "127.0.0.1");
    let status = &pod["status"]["containerStatuses"][0];
    assert_eq!(status["ready"], true);
    assert_eq!(status["started"], true);
    assert_eq!(status["restartCount"], 0);
    assert!(
        status["containerID"]
            .as_str()
            .unwrap()
            .starts_with("process://")
    );
    assert!(status["state"]["running"]["startedAt"].is_string());
    let types: Vec<&str> = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    for wanted in [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ] {
        assert!(types.contains(&wanted), "{wanted} in {types:?}");
    }
    // The host reaches the pod across the bridge; the page is the ConfigMap's.
    let body = http_get(&format!("{ip}:8080"), "/index.html")
        .await
        .unwrap();
    assert!(body.contains("hello from a pod"), "{body}");
    let namespaces = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap();
    let namespaces = String::from_utf8_lossy(&namespaces.stdout).to_string();
    assert!(namespaces.contains("rudder-"), "{namespaces}");
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=web",
            "-o",
            "json",
        ])
        .await
        .json();
    let reasons: Vec<String> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["reason"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r == "Created Created container httpd"),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r == "Started Started container httpd"),
        "{reasons:?}"
    );
    let described = cluster.kubectl(&["describe", "pod", "web"]).await.ok();
    assert!(described.contains("Started container httpd"), "{described}");

    // Graceful deletion: kubectl returns once the kubelet has stopped the
    // pod and removed it; its namespace is gone.
    let deleted = cluster
        .kubectl(&["delete", "pod", "web", "--timeout=30s"])
        .await;
    assert!(deleted.success, "{}", deleted.stderr);
    let gone = cluster.kubectl(&["get", "pod", "web"]).await;
    assert!(gone.stderr.contains("NotFound"), "{}", gone.stderr);
    assert!(
        http_get(&format!("{ip}:8080"), "/").await.is_err(),
        "the pod's server is gone"
    );
    kubelet.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn crashing_containers_restart_with_growing_back_off() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "echo starting; exit 3"]
"#,
        busybox = busybox()
    );
    cluster.apply("crasher.yaml", &manifest).await.ok();
    // First exit: restarted at once; second: back-off 10 s.
    let pod = cluster
        .eventually(&["get", "pod", "crasher"], "a CrashLoopBackOff", |p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        })
        .await;
    let status = &pod["status"]["containerStatuses"][0];
    assert_eq!(status["restartCount"], 1);
    assert_eq!(status["lastState"]["terminated"]["exitCode"], 3);
    assert_eq!(status["lastState"]["terminated"]["reason"], "Error");
    let message = status["state"]["waiting"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("back-off 10s restarting failed container=main pod=crasher_default("),
        "{message}"
    );
    assert_eq!(pod["status"]["phase"], "Running");
    assert_eq!(status["ready"], false);
    let printed = cluster.kubectl(&["get", "pod", "crasher"]).await.ok();
    assert!(printed.contains("CrashLoopBackOff"), "{printed}");
    // After 10 s it restarts, then waits 20 s.
    let pod = cluster
        .eventually(&["get", "pod", "crasher"], "the second back-off", |p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("back-off 20s"))
        })
        .await;
    assert_eq!(pod["status"]["containerStatuses"][0]["restartCount"], 2);
    let log = log_of(&cluster, "node-a", &pod, "main");
    assert!(log.contains(" stdout F starting"), "CRI log lines: {log}");
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "reason=BackOff",
            "-o",
            "json",
        ])
        .await
        .json();
    assert!(
        events["items"][0]["message"]
            .as_str()
            .is_some_and(|m| m
                .starts_with("Back-off restarting failed container main in pod crasher_default(")),
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn probes_gate_readiness_and_restart_the_unhealthy() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    // Ready only once /work/ready exists; live only while /work/alive does
    // (removed after 4 s, so the liveness probe restarts the container).
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: probed
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ["{busybox}", "sh", "-c", "touch /tmp/rudder-test-mount-work/alive; sleep 2; touch /tmp/rudder-test-mount-work/ready; sleep 2; rm /tmp/rudder-test-mount-work/alive; sleep 3600"]
    readinessProbe:
      exec:
        command: ["{busybox}", "cat", "/tmp/rudder-test-mount-work/ready"]
      periodSeconds: 1
    livenessProbe:
      exec:
        command: ["{busybox}", "cat", "/tmp/rudder-test-mount-work/alive"]
      periodSeconds: 1
      failureThreshold: 2
    volumeMounts:
    - name: work
      mountPath: /tmp/rudder-test-mount-work
  volumes:
  - name: work
    emptyDir: {{}}
"#,
        busybox = busybox()
    );
    cluster.apply("probed.yaml", &manifest).await.ok();
    let pod = cluster
        .eventually(
            &["get", "pod", "probed"],
            "the pod running but not ready",
            |p| p["status"]["containerStatuses"][0]["state"]["running"].is_object(),
        )
        .await;
    assert!(!ready(&pod), "not ready before the readiness file exists");
    cluster
        .eventually(&["get", "pod", "probed"], "readiness", ready)
        .await;
    let pod = cluster
        .eventually(&["get", "pod", "probed"], "a liveness restart", |p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .is_some_and(|n| n >= 1)
        })
        .await;
    // The emptyDir outlives the container: the new one finds /ready at once.
    let last = &pod["status"]["containerStatuses"][0]["lastState"]["terminated"];
    // The shell is PID 1 of its namespace and has no SIGTERM handler, so
    // SIGTERM does nothing and the grace period ends in SIGKILL, as with
    // any container runtime.
    assert_eq!(
        last["exitCode"], 137,
        "killed after the grace period: {last}"
    );
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=probed",
            "-o",
            "json",
        ])
        .await
        .json();
    let messages: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"Container app failed liveness probe, will be restarted"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Liveness probe failed: ")),
        "{messages:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn containers_get_their_environment_and_updated_volumes() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello
  mode: one
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: s3cret
---
apiVersion: v1
kind: Pod
metadata:
  name: envy
  labels:
    app: envy
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "echo \"$GREETING $PASSWORD $POD_NAME $POD_IP $NODE $CFG_mode $(COMBINED)\"; sleep 3600"]
    args: []
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef: {{name: settings, key: greeting}}
    - name: PASSWORD
      valueFrom:
        secretKeyRef: {{name: creds, key: password}}
    - name: POD_NAME
      valueFrom:
        fieldRef: {{fieldPath: metadata.name}}
    - name: POD_IP
      valueFrom:
        fieldRef: {{fieldPath: status.podIP}}
    - name: NODE
      valueFrom:
        fieldRef: {{fieldPath: spec.nodeName}}
    - name: COMBINED
      value: "$(POD_NAME)-on-$(NODE)"
    envFrom:
    - prefix: CFG_
      configMapRef: {{name: settings}}
    readinessProbe:
      exec:
        command: ["{busybox}", "grep", "-q", "two", "/tmp/rudder-test-mount-cfg/mode"]
      periodSeconds: 1
    volumeMounts:
    - name: cfg
      mountPath: /tmp/rudder-test-mount-cfg
    - name: creds
      mountPath: /tmp/rudder-test-mount-creds
  volumes:
  - name: cfg
    configMap:
      name: settings
  - name: creds
    secret:
      secretName: creds
      defaultMode: 0400
"#,
        busybox = busybox()
    );
    cluster.apply("envy.yaml", &manifest).await.ok();
    let pod = cluster
        .eventually(&["get", "pod", "envy"], "the container running", |p| {
            p["status"]["containerStatuses"][0]["state"]["running"].is_object()
        })
        .await;
    let ip = pod["status"]["podIP"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut log = String::new();
    while std::time::Instant::now() < deadline {
        log = log_of(&cluster, "node-a", &pod, "main");
        if !log.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        log.contains(&format!("hello s3cret envy {ip} node-a one envy-on-node-a")),
        "{log}"
    );
    assert!(!ready(&pod), "the volume says one, not two");
    // The secret's files are on a tmpfs, never the node's disk, with the
    // mode the pod asked for.
    let secret_files = cluster
        .kubectl(&[
            "exec",
            "envy",
            "--",
            busybox(),
            "sh",
            "-c",
            "grep ' /tmp/rudder-test-mount-creds ' /proc/mounts; stat -L -c %a /tmp/rudder-test-mount-creds/password; cat /tmp/rudder-test-mount-creds/password",
        ])
        .await
        .ok();
    assert!(
        secret_files.contains(" /tmp/rudder-test-mount-creds tmpfs ")
            && secret_files.contains("\n400\ns3cret"),
        "{secret_files}"
    );
    // The ConfigMap changes; the kubelet rewrites the volume and the probe passes.
    cluster
        .kubectl(&[
            "patch",
            "configmap",
            "settings",
            "--type=merge",
            "-p",
            r#"{"data":{"mode":"two"}}"#,
        ])
        .await
        .ok();
    cluster
        .eventually(&["get", "pod", "envy"], "the updated volume", ready)
        .await;

    // A pod naming a missing ConfigMap says so and does not start.
    let missing = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: lonely
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
    env:
    - name: X
      valueFrom:
        configMapKeyRef: {{name: nowhere, key: x}}
"#,
        busybox = busybox()
    );
    cluster.apply("lonely.yaml", &missing).await.ok();
    let pod = cluster
        .eventually(&["get", "pod", "lonely"], "a config error", |p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
                == "CreateContainerConfigError"
        })
        .await;
    assert_eq!(
        pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"],
        "configmap \"nowhere\" not found"
    );
    // An unknown command is a CreateContainerError naming the process runtime.
    let unknown = r#"
apiVersion: v1
kind: Pod
metadata:
  name: imagey
spec:
  containers:
  - name: main
    image: registry.example/not-a-command-here:1.0
"#;
    cluster.apply("imagey.yaml", unknown).await.ok();
    let pod = cluster
        .eventually(&["get", "pod", "imagey"], "a create error", |p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
                == "CreateContainerError"
        })
        .await;
    let message = pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("process runtime"), "{message}");
    // The other pod is unaffected.
    let envy = cluster
        .kubectl(&["get", "pod", "envy", "-o", "json"])
        .await
        .json();
    assert!(ready(&envy));
    // Stopping the node stops its pods and unmounts their secrets.
    let mounts_of = |uid: &str| {
        std::fs::read_to_string("/proc/self/mounts")
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(uid))
            .count()
    };
    let uid = envy["metadata"]["uid"].as_str().unwrap().to_string();
    assert_eq!(
        mounts_of(&uid),
        2,
        "the tmpfs of the secret volume and of the service account token's"
    );
    kubelet.stop().await;
    assert_eq!(mounts_of(&uid), 0, "a volume left mounted");
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_run_to_completion_on_a_real_node() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  completions: 2
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: prepare
        image: busybox
        command: ["{busybox}", "true"]
      containers:
      - name: work
        image: busybox
        command: ["{busybox}", "sh", "-c", "echo done"]
"#,
        busybox = busybox()
    );
    cluster.apply("job.yaml", &manifest).await.ok();
    let waited = cluster
        .kubectl(&[
            "wait",
            "--for=condition=complete",
            "job/once",
            "--timeout=60s",
        ])
        .await;
    assert!(waited.success, "{}", waited.stderr);
    let pods = cluster
        .kubectl(&["get", "pods", "-l", "job-name=once", "-o", "json"])
        .await
        .json();
    let items = pods["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for pod in items {
        assert_eq!(pod["status"]["phase"], "Succeeded");
        let init = &pod["status"]["initContainerStatuses"][0];
        assert_eq!(init["state"]["terminated"]["reason"], "Completed");
        let main = &pod["status"]["containerStatuses"][0];
        assert_eq!(main["state"]["terminated"]["exitCode"], 0);
    }
    let printed = cluster
        .kubectl(&["get", "pods", "-l", "job-name=once"])
        .await
        .ok();
    assert!(printed.contains("Completed"), "{printed}");
}

#[tokio::test(flavor = "multi_thread")]
async fn simulated_nodes_carry_a_deployment_of_300() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let _nodes = cluster.start_simulated_nodes(100).await;
    cluster
        .eventually(
            &["get", "nodes"],
            "100 Ready nodes with pod CIDRs, no longer tainted not-ready",
            |nodes| {
                nodes["items"].as_array().is_some_and(|items| {
                    items.len() == 100
                        && items.iter().all(|n| {
                            n["spec"]["podCIDR"].is_string()
                                && n["spec"]["taints"]
                                    .as_array()
                                    .is_none_or(|taints| taints.is_empty())
                                && n["status"]["conditions"].as_array().is_some_and(|c| {
                                    c.iter()
                                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                                })
                        })
                })
            },
        )
        .await;
    let printed = cluster.kubectl(&["get", "nodes"]).await.ok();
    assert!(printed.contains("sim-1 "), "{printed}");
    assert!(printed.contains(" Ready "), "{printed}");
    cluster
        .kubectl(&[
            "create",
            "deployment",
            "many",
            "--image=busybox",
            "--replicas=300",
        ])
        .await
        .ok();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let deployment = cluster
            .kubectl(&["get", "deployment", "many", "-o", "json"])
            .await
            .json();
        if deployment["status"]["availableReplicas"] == 300 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "300 available: {}",
            deployment["status"]
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let pods = cluster.kubectl(&["get", "pods", "-o", "json"]).await.json();
    let items = pods["items"].as_array().unwrap();
    assert_eq!(items.len(), 300);
    let mut ips = std::collections::HashSet::new();
    let mut nodes = std::collections::HashSet::new();
    for pod in items {
        assert_eq!(pod["status"]["phase"], "Running");
        assert!(ready(pod));
        ips.insert(pod["status"]["podIP"].as_str().unwrap().to_string());
        nodes.insert(pod["spec"]["nodeName"].as_str().unwrap().to_string());
    }
    assert_eq!(ips.len(), 300, "every pod its own IP");
    assert!(nodes.len() >= 90, "spread over the nodes: {}", nodes.len());
    // Scaling down deletes pods gracefully through their simulated kubelets.
    cluster
        .kubectl(&["scale", "deployment", "many", "--replicas=10"])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods"], "10 pods left", |pods| {
            pods["items"].as_array().is_some_and(|i| i.len() == 10)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_whose_kubelet_stops_goes_unknown_and_is_tainted() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster
        .start_controllers_with(|o| o.node_monitor_grace_period = Duration::from_secs(3))
        .await;
    let kubelet = cluster
        .start_kubelet_with("node-a", |o| {
            o.lease_duration_seconds = 4;
            o.status_update_frequency = Duration::from_secs(1);
        })
        .await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: short-tolerance
spec:
  tolerations:
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: default-tolerance
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
"#,
        busybox = busybox()
    );
    cluster.apply("pods.yaml", &manifest).await.ok();
    for pod in ["short-tolerance", "default-tolerance"] {
        cluster
            .eventually(&["get", "pod", pod], "the pod Ready", ready)
            .await;
    }
    let pod = cluster
        .kubectl(&["get", "pod", "default-tolerance", "-o", "json"])
        .await
        .json();
    assert!(
        pod["spec"]["tolerations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "node.kubernetes.io/unreachable" && t["tolerationSeconds"] == 300),
        "DefaultTolerationSeconds: {}",
        pod["spec"]
    );
    // Cordoned: the unschedulable taint follows spec.unschedulable.
    cluster.kubectl(&["cordon", "node-a"]).await.ok();
    cluster
        .eventually(&["get", "node", "node-a"], "the unschedulable taint", |n| {
            n["spec"]["taints"].as_array().is_some_and(|t| {
                t.iter().any(|t| {
                    t["key"] == "node.kubernetes.io/unschedulable" && t["effect"] == "NoSchedule"
                })
            })
        })
        .await;
    cluster.kubectl(&["uncordon", "node-a"]).await.ok();
    cluster
        .eventually(
            &["get", "node", "node-a"],
            "the taint gone with the cordon",
            |n| n["spec"]["taints"].as_array().is_none_or(|t| t.is_empty()),
        )
        .await;
    kubelet.stop().await;
    let node = cluster
        .eventually(
            &["get", "node", "node-a"],
            "the node Unknown and tainted",
            |n| {
                let unknown = n["status"]["conditions"].as_array().is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "Unknown")
                });
                let tainted = n["spec"]["taints"].as_array().is_some_and(|t| {
                    t.iter().any(|t| {
                        t["key"] == "node.kubernetes.io/unreachable" && t["effect"] == "NoExecute"
                    })
                });
                unknown && tainted
            },
        )
        .await;
    let ready_condition = node["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap()
        .clone();
    assert_eq!(ready_condition["reason"], "NodeStatusUnknown");
    assert_eq!(
        ready_condition["message"],
        "Kubelet stopped posting node status."
    );
    let printed = cluster.kubectl(&["get", "nodes"]).await.ok();
    assert!(printed.contains("NotReady"), "{printed}");
    // The pod tolerating 1 s is evicted; the one with 300 s stays (not Ready).
    cluster
        .eventually(&["get", "pod", "short-tolerance"], "the eviction", |p| {
            p["metadata"]["deletionTimestamp"].is_string()
        })
        .await;
    let kept = cluster
        .kubectl(&["get", "pod", "default-tolerance", "-o", "json"])
        .await
        .json();
    assert!(kept["metadata"]["deletionTimestamp"].is_null());
    assert!(!ready(&kept), "pods of an unreachable node are not Ready");

    // The kubelet comes back: Ready again, untainted, and it finishes the
    // deletion the eviction began.
    let kubelet = cluster.start_kubelet("node-a").await;
    cluster
        .eventually(
            &["get", "node", "node-a"],
            "the node Ready and untainted",
            |n| {
                let ready = n["status"]["conditions"].as_array().is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                });
                ready && n["spec"]["taints"].as_array().is_none_or(|t| t.is_empty())
            },
        )
        .await;
    cluster
        .eventually(&["get", "pods"], "the evicted pod gone", |pods| {
            pods["items"]
                .as_array()
                .is_some_and(|i| i.iter().all(|p| p["metadata"]["name"] != "short-tolerance"))
        })
        .await;
    // A node taken out (its kubelet stopped, its object deleted) leaves
    // no pods bound to it.
    kubelet.stop().await;
    cluster
        .kubectl(&["delete", "node", "node-a", "--wait=false"])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods"], "the orphaned pods collected", |pods| {
            pods["items"].as_array().is_some_and(|i| {
                i.iter()
                    .all(|p| p["metadata"]["name"] != "default-tolerance")
            })
        })
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn static_pods_run_from_files_and_are_mirrored() {
    let cluster = TestCluster::start().await;
    let manifests = cluster.dir.path().join("manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: keeper
  namespace: kube-system
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
"#,
        busybox = busybox()
    );
    std::fs::write(manifests.join("keeper.yaml"), manifest).unwrap();
    let dir = manifests.clone();
    let _kubelet = cluster
        .start_kubelet_with("node-a", move |o| {
            o.pod_manifest_path = Some(dir);
            o.file_check_frequency = Duration::from_millis(500);
        })
        .await;
    // No scheduler runs: a static pod needs none.
    let mirror = cluster
        .eventually(
            &["get", "pod", "keeper-node-a", "-n", "kube-system"],
            "the mirror pod Running and Ready",
            |p| p["status"]["phase"] == "Running" && ready(p),
        )
        .await;
    let annotations = &mirror["metadata"]["annotations"];
    assert!(
        annotations["kubernetes.io/config.mirror"].is_string(),
        "{annotations}"
    );
    assert_eq!(annotations["kubernetes.io/config.source"], "file");
    assert_eq!(mirror["metadata"]["ownerReferences"][0]["kind"], "Node");
    let container = mirror["status"]["containerStatuses"][0]["containerID"].clone();
    // Deleting the mirror does not stop the pod: the mirror comes back.
    let deleted = cluster
        .kubectl(&[
            "delete",
            "pod",
            "keeper-node-a",
            "-n",
            "kube-system",
            "--timeout=30s",
        ])
        .await;
    assert!(deleted.success, "{}", deleted.stderr);
    let back = cluster
        .eventually(
            &["get", "pod", "keeper-node-a", "-n", "kube-system"],
            "the mirror back with the same container",
            |p| p["status"]["containerStatuses"][0]["containerID"] == container,
        )
        .await;
    assert_ne!(back["metadata"]["uid"], mirror["metadata"]["uid"]);
    assert_eq!(back["status"]["containerStatuses"][0]["restartCount"], 0);
    // Removing the file stops the pod and removes the mirror.
    std::fs::remove_file(manifests.join("keeper.yaml")).unwrap();
    cluster
        .eventually(
            &["get", "pods", "-n", "kube-system"],
            "the mirror gone",
            |pods| pods["items"].as_array().is_some_and(|i| i.is_empty()),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_logs_reads_through_the_kubelet() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: talker
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; sleep 0.3; echo oops >&2; sleep 3600"]
  - name: side
    image: busybox
    command: ["{busybox}", "sh", "-c", "echo from the side; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: counter
spec:
  restartPolicy: OnFailure
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "echo run at $(date +%s%N); sleep 1; exit 1"]
---
apiVersion: v1
kind: Pod
metadata:
  name: finite
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "echo one; sleep 2; echo two"]
"#,
        busybox = busybox()
    );
    cluster.apply("talkers.yaml", &manifest).await.ok();
    cluster
        .eventually(&["get", "pod", "talker"], "talker Ready", ready)
        .await;
    // Output needs a moment to reach the log.
    let mut out = String::new();
    for _ in 0..50 {
        out = cluster
            .kubectl(&["logs", "talker", "-c", "main"])
            .await
            .ok();
        if out.contains("oops") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(out, "line 1\nline 2\nline 3\nline 4\nline 5\noops\n");
    let tail = cluster
        .kubectl(&["logs", "talker", "-c", "main", "--tail=2"])
        .await
        .ok();
    assert_eq!(tail, "line 5\noops\n");
    let stamped = cluster
        .kubectl(&["logs", "talker", "-c", "main", "--tail=1", "--timestamps"])
        .await
        .ok();
    assert!(
        stamped.ends_with("Z oops\n") && stamped.starts_with("20"),
        "{stamped}"
    );
    let limited = cluster
        .kubectl(&["logs", "talker", "-c", "main", "--limit-bytes=9"])
        .await
        .ok();
    assert_eq!(limited, "line 1\nli");
    let side = cluster
        .kubectl(&["logs", "talker", "-c", "side"])
        .await
        .ok();
    assert_eq!(side, "from the side\n");
    let all = cluster
        .kubectl(&["logs", "talker", "--all-containers"])
        .await
        .ok();
    assert!(
        all.contains("line 3") && all.contains("from the side"),
        "{all}"
    );
    // kubectl picks the first container itself; the API server, asked
    // with none named, says which there are.
    let defaulted = cluster.kubectl(&["logs", "talker"]).await;
    assert!(
        defaulted
            .stderr
            .contains("Defaulted container \"main\" out of: main, side"),
        "{}",
        defaulted.stderr
    );
    assert!(
        defaulted.stdout.starts_with("line 1\n"),
        "{}",
        defaulted.stdout
    );
    let raw = cluster
        .kubectl(&["get", "--raw", "/api/v1/namespaces/default/pods/talker/log"])
        .await
        .err();
    assert!(
        raw.contains(
            "a container name must be specified for pod talker, choose one of: [main side]"
        ),
        "{raw}"
    );
    // The kubelet's own port: health for anyone, metrics for clients of
    // the cluster CA.
    let node = cluster
        .kubectl(&["get", "node", "node-a", "-o", "json"])
        .await
        .json();
    let port = node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
        .as_u64()
        .unwrap();
    assert!(port > 0);
    let curl = |args: &[&str]| {
        let output = std::process::Command::new("curl")
            .args(["-sk", "-w", " %{http_code}"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(
        curl(&[&format!("https://127.0.0.1:{port}/healthz")]),
        "ok 200"
    );
    assert!(curl(&[&format!("https://127.0.0.1:{port}/metrics")]).ends_with(" 401"));
    let pki = cluster.data_dir().join("pki");
    let metrics = curl(&[
        "--cert",
        pki.join("admin.crt").to_str().unwrap(),
        "--key",
        pki.join("admin.key").to_str().unwrap(),
        &format!("https://127.0.0.1:{port}/metrics"),
    ]);
    let running_pods: i64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("kubelet_running_pods "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1);
    assert!(
        running_pods >= 2,
        "talker and counter have sandboxes: {metrics}"
    );
    assert!(
        metrics.contains("kubelet_pod_start_duration_seconds_count"),
        "{metrics}"
    );
    for operation in ["create", "update"] {
        let count =
            format!("kubelet_pod_worker_duration_seconds_count{{operation_type=\"{operation}\"}}");
        assert!(metrics.contains(&count), "{count} in {metrics}");
    }
    assert!(
        metrics.contains("kubelet_running_containers{container_state=\"running\"}"),
        "{metrics}"
    );
    // A certificate of the cluster CA is not enough: the API server says
    // who may use which part of the port (here kube-proxy may not).
    cluster
        .server
        .component_kubeconfig("proxy", "system:kube-proxy")
        .unwrap();
    let as_proxy = |path: &str| {
        curl(&[
            "--cert",
            pki.join("proxy.crt").to_str().unwrap(),
            "--key",
            pki.join("proxy.key").to_str().unwrap(),
            &format!("https://127.0.0.1:{port}{path}"),
        ])
    };
    assert_eq!(
        as_proxy("/metrics"),
        "Forbidden (user=system:kube-proxy, verb=get, resource=nodes, subresource=metrics) 403"
    );
    assert_eq!(
        as_proxy("/pods"),
        "Forbidden (user=system:kube-proxy, verb=get, resource=nodes, subresource=proxy) 403"
    );
    // Bearer tokens too, reviewed by the API server: a service account
    // allowed `nodes/metrics` reads metrics, and nothing else; a made-up
    // token is no one.
    for args in [
        vec!["create", "serviceaccount", "scraper"],
        vec![
            "create",
            "clusterrole",
            "node-metrics",
            "--verb=get",
            "--resource=nodes/metrics",
        ],
        vec![
            "create",
            "clusterrolebinding",
            "scraper",
            "--clusterrole=node-metrics",
            "--serviceaccount=default:scraper",
        ],
    ] {
        cluster.kubectl(&args).await.ok();
    }
    let token = cluster.kubectl(&["create", "token", "scraper"]).await.ok();
    let bearer = format!("Authorization: Bearer {}", token.trim());
    let as_scraper =
        |path: &str| curl(&["-H", &bearer, &format!("https://127.0.0.1:{port}{path}")]);
    assert!(as_scraper("/metrics").contains("kubelet_running_pods"));
    assert_eq!(
        as_scraper("/pods"),
        "Forbidden (user=system:serviceaccount:default:scraper, verb=get, resource=nodes, subresource=proxy) 403"
    );
    assert_eq!(
        curl(&[
            "-H",
            "Authorization: Bearer made-up",
            &format!("https://127.0.0.1:{port}/metrics")
        ]),
        "Unauthorized 401"
    );
    let wrong = cluster
        .kubectl(&["logs", "talker", "-c", "nope"])
        .await
        .err();
    assert!(
        wrong.contains("container nope is not valid for pod talker"),
        "{wrong}"
    );

    // The instance before the current one, after a restart.
    cluster
        .eventually(&["get", "pod", "counter"], "a restart", |p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .is_some_and(|n| n >= 1)
        })
        .await;
    let previous = cluster
        .kubectl(&["logs", "counter", "--previous"])
        .await
        .ok();
    let current = cluster.kubectl(&["logs", "counter"]).await.ok();
    assert!(previous.starts_with("run at "), "{previous}");
    assert_ne!(
        previous, current,
        "the previous instance's output is its own"
    );

    // Follow: the output as it comes, ending when the container does.
    let followed = tokio::time::timeout(
        Duration::from_secs(20),
        cluster.kubectl(&["logs", "-f", "finite"]),
    )
    .await
    .expect("kubectl logs -f ends with the container");
    assert_eq!(followed.ok(), "one\ntwo\n");
    let pending = r#"
apiVersion: v1
kind: Pod
metadata:
  name: nowhere
spec:
  nodeName: no-such-node
  containers:
  - name: main
    image: busybox
"#;
    cluster.apply("nowhere.yaml", pending).await.ok();
    let waiting = cluster.kubectl(&["logs", "nowhere"]).await.err();
    assert!(waiting.contains("is waiting to start"), "{waiting}");

    // The API server trusts a kubelet only by a serving certificate the
    // cluster CA issued for the address it dials (the node's InternalIP).
    let healthz = |node: &str| format!("/api/v1/nodes/{node}/proxy/healthz");
    assert_eq!(
        cluster
            .kubectl(&["get", "--raw", &healthz("node-a")])
            .await
            .ok(),
        "ok"
    );
    let _self_signed = cluster
        .start_kubelet_with("node-b", |options| {
            if let Some(server) = options.server.as_mut() {
                server.serving = kubelet::server::ServingIdentity::Fixed(
                    serving::ServingCert::self_signed().unwrap(),
                );
            }
        })
        .await;
    // (Read now: the cluster writes the node's usual one in its place.)
    let elsewhere = cluster
        .server
        .pki
        .kubelet_server("node-c", &["node-c".into()], &[[10, 9, 9, 9].into()])
        .unwrap();
    let elsewhere = serving::ServingCert {
        cert_pem: elsewhere.cert_pem().unwrap(),
        key_pem: elsewhere.key_pem().unwrap(),
    };
    let _misnamed = cluster
        .start_kubelet_with("node-c", |options| {
            if let Some(server) = options.server.as_mut() {
                server.serving = kubelet::server::ServingIdentity::Fixed(elsewhere);
            }
        })
        .await;
    for (node, refusal) in [
        (
            "node-b",
            "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        ),
        (
            "node-c",
            "tls: failed to verify certificate: x509: certificate is valid for 10.9.9.9, not 127.0.0.1",
        ),
    ] {
        cluster
            .eventually(&["get", "node", node], "the node registered", |n| {
                n["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
                    .as_i64()
                    .is_some_and(|port| port > 0)
            })
            .await;
        let refused = cluster
            .kubectl(&["get", "--raw", &healthz(node)])
            .await
            .err();
        assert!(refused.contains(refusal), "{node}: {refused}");
    }
}

/// Whether this host lets a kubelet make memory cgroups (cgroup v1's
/// memory hierarchy, or v2 with the memory controller).
fn memory_cgroups() -> bool {
    let v2 = std::fs::read_to_string("/sys/fs/cgroup/cgroup.subtree_control")
        .is_ok_and(|c| c.contains("memory"));
    v2 || std::path::Path::new("/sys/fs/cgroup/memory/cgroup.procs").exists()
}

#[tokio::test(flavor = "multi_thread")]
async fn pods_reach_each_other_and_memory_limits_hold() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    // kubectl run, as people start a pod.
    let run = cluster
        .kubectl(&[
            "run",
            "server",
            "--image=busybox",
            "--port=8080",
            "--command",
            "--",
            busybox(),
            "sh",
            "-c",
            "mkdir -p /tmp/rudder-www-$HOSTNAME && echo pong > /tmp/rudder-www-$HOSTNAME/ping && exec httpd -f -p 8080 -h /tmp/rudder-www-$HOSTNAME",
        ])
        .await;
    assert!(run.success, "{}", run.stderr);
    let server = cluster
        .eventually(&["get", "pod", "server"], "the server running", |p| {
            p["status"]["containerStatuses"][0]["state"]["running"].is_object()
        })
        .await;
    let ip = server["status"]["podIP"].as_str().unwrap().to_string();
    // Another pod reaches it across the bridge, from its own namespace.
    let client = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  restartPolicy: OnFailure
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "wget -qO- http://{ip}:8080/ping && hostname"]
"#,
        busybox = busybox()
    );
    cluster.apply("client.yaml", &client).await.ok();
    let done = cluster
        .eventually(&["get", "pod", "client"], "the client done", |p| {
            p["status"]["phase"] == "Succeeded"
        })
        .await;
    let log = cluster.kubectl(&["logs", "client"]).await.ok();
    assert_eq!(
        log, "pong\nclient\n",
        "the page, then the pod's own hostname"
    );
    assert_ne!(done["status"]["podIP"], server["status"]["podIP"]);

    if !memory_cgroups() {
        eprintln!("skipping the memory limit check: this host has no memory cgroups");
        return;
    }
    // 64 MiB asked for under a 16 MiB limit: the kernel's OOM killer ends it.
    let hungry = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: hungry
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]
    resources:
      limits:
        memory: 16Mi
"#,
        busybox = busybox()
    );
    cluster.apply("hungry.yaml", &hungry).await.ok();
    let pod = cluster
        .eventually(&["get", "pod", "hungry"], "the OOM kill", |p| {
            p["status"]["phase"] == "Failed"
        })
        .await;
    let terminated = &pod["status"]["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(terminated["reason"], "OOMKilled", "{terminated}");
    assert_eq!(terminated["exitCode"], 137);
    assert_eq!(pod["status"]["qosClass"], "Burstable");
}

#[tokio::test(flavor = "multi_thread")]
async fn pods_keep_running_while_the_api_server_is_away() {
    let cluster = TestCluster::start().await;
    let _kubelet = cluster
        .start_kubelet_with("node-a", |o| {
            o.reserved = kubelet::machine::Reserved::default()
                .plus("cpu=500m")
                .unwrap();
        })
        .await;
    // Allocatable is capacity less what is reserved.
    let node = cluster
        .eventually(&["get", "node", "node-a"], "the node's status", |n| {
            n["status"]["allocatable"]["cpu"].is_string()
        })
        .await;
    let cpus: u64 = node["status"]["capacity"]["cpu"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        node["status"]["allocatable"]["cpu"],
        format!("{}m", cpus * 1000 - 500)
    );
    let pod = |name: &str| {
        format!(
            r#"
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  nodeName: node-a
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
"#,
            busybox = busybox()
        )
    };
    cluster.apply("before.yaml", &pod("before")).await.ok();
    let before = cluster
        .eventually(&["get", "pod", "before"], "the pod Ready", ready)
        .await;
    let container = before["status"]["containerStatuses"][0]["containerID"].clone();
    // The API server goes for 3 s and comes back where it was.
    let cluster = cluster.restart_in_place(Duration::from_secs(3)).await;
    let after = cluster
        .kubectl(&["get", "pod", "before", "-o", "json"])
        .await
        .json();
    assert_eq!(
        after["status"]["containerStatuses"][0]["containerID"],
        container
    );
    assert_eq!(after["status"]["containerStatuses"][0]["restartCount"], 0);
    // The kubelet picks up where it left off: new pods run, deletions end.
    cluster.apply("after.yaml", &pod("after")).await.ok();
    cluster
        .eventually(
            &["get", "pod", "after"],
            "a pod made after the outage Ready",
            ready,
        )
        .await;
    let deleted = cluster
        .kubectl(&["delete", "pod", "before", "--timeout=30s"])
        .await;
    assert!(deleted.success, "{}", deleted.stderr);
    cluster
        .eventually(&["get", "node", "node-a"], "the node still Ready", |n| {
            n["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        })
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_pressure_evicts_pods_one_at_a_time() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    // Both pods wait for the node: its kubelet finds them together.
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: guaranteed
spec:
  nodeName: node-a
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
    resources:
      limits: {{cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Pod
metadata:
  name: best-effort
spec:
  nodeName: node-a
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
"#,
        busybox = busybox()
    );
    cluster.apply("pods.yaml", &manifest).await.ok();
    // A threshold no machine meets: the node is under memory pressure.
    let _kubelet = cluster
        .start_kubelet_with("node-a", |o| {
            o.eviction_hard =
                kubelet::machine::Thresholds::parse("memory.available<1000Ti").unwrap();
            o.eviction_monitoring_period = Duration::from_secs(4);
            o.status_update_frequency = Duration::from_secs(1);
        })
        .await;
    let node = cluster
        .eventually(&["get", "node", "node-a"], "MemoryPressure", |n| {
            n["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "MemoryPressure" && c["status"] == "True")
            })
        })
        .await;
    let pressure = node["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "MemoryPressure")
        .unwrap()
        .clone();
    assert_eq!(pressure["reason"], "KubeletHasInsufficientMemory");

    let evicted = cluster
        .eventually(&["get", "pods"], "the first eviction", |pods| {
            pods["items"]
                .as_array()
                .is_some_and(|items| items.iter().any(|p| p["status"]["reason"] == "Evicted"))
        })
        .await;
    // One at a time; which goes first is the ranking's (unit-tested in
    // kubelet::eviction): a busy machine may show the eviction manager
    // only one of the two pods at its first look.
    let items = evicted["items"].as_array().unwrap();
    let first: Vec<&Value> = items
        .iter()
        .filter(|p| p["status"]["reason"] == "Evicted")
        .collect();
    assert_eq!(first.len(), 1, "one pod per period");
    let pod = first[0];
    assert_eq!(pod["status"]["phase"], "Failed");
    let message = pod["status"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("The node was low on resource: memory. Threshold quantity: 1000Ti"),
        "{message}"
    );
    assert!(
        pod["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "DisruptionTarget" && c["reason"] == "TerminationByKubelet"),
        "{}",
        pod["status"]
    );
    // Its container was stopped: terminated, as kubectl prints it.
    let state = &pod["status"]["containerStatuses"][0]["state"];
    assert!(state["terminated"].is_object(), "{state}");
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "reason=Evicted",
            "-o",
            "json",
        ])
        .await
        .json();
    assert_eq!(events["items"][0]["type"], "Warning", "{events}");
    // Then the other.
    let other = if pod["metadata"]["name"] == "guaranteed" {
        "best-effort"
    } else {
        "guaranteed"
    };
    cluster
        .eventually(&["get", "pod", other], "the second eviction", |p| {
            p["status"]["reason"] == "Evicted"
        })
        .await;
    // The node lifecycle controller taints it for the scheduler.
    cluster
        .eventually(
            &["get", "node", "node-a"],
            "the memory-pressure taint",
            |n| {
                n["spec"]["taints"].as_array().is_some_and(|t| {
                    t.iter().any(|t| {
                        t["key"] == "node.kubernetes.io/memory-pressure"
                            && t["effect"] == "NoSchedule"
                    })
                })
            },
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_summary_and_resource_metrics_measure_containers() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: burner
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "while :; do :; done"]
    resources:
      limits:
        cpu: 300m
        memory: 64Mi
"#,
        busybox = busybox()
    );
    cluster.apply("burner.yaml", &manifest).await.ok();
    cluster
        .eventually(&["get", "pod", "burner"], "burner Ready", ready)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let summary: Value = serde_json::from_str(
        &cluster
            .kubectl(&["get", "--raw", "/api/v1/nodes/node-a/proxy/stats/summary"])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(summary["node"]["nodeName"], "node-a");
    assert!(summary["node"]["cpu"]["usageCoreNanoSeconds"].as_u64() > Some(0));
    assert!(summary["node"]["memory"]["workingSetBytes"].as_u64() > Some(0));
    let pod = summary["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["podRef"]["name"] == "burner")
        .cloned()
        .unwrap_or_else(|| panic!("burner in {summary}"));
    let container = &pod["containers"][0];
    assert_eq!(container["name"], "main");
    if container["cpu"]["usageCoreNanoSeconds"].is_null() {
        eprintln!("no writable cgroups on this machine: container usage is not measured");
        return;
    }
    // A busy loop held to 300m: a good part of a core, not more than its limit.
    let cores = container["cpu"]["usageNanoCores"].as_u64().unwrap() as f64 / 1e9;
    assert!(cores > 0.1 && cores < 0.45, "{cores} cores: {container}");
    assert!(container["memory"]["workingSetBytes"].as_u64() > Some(0));
    assert_eq!(
        pod["cpu"]["usageCoreNanoSeconds"],
        container["cpu"]["usageCoreNanoSeconds"]
    );
    let metrics = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/nodes/node-a/proxy/metrics/resource",
        ])
        .await
        .ok();
    for name in [
        "container_cpu_usage_seconds_total{container=\"main\",namespace=\"default\",pod=\"burner\"}",
        "container_memory_working_set_bytes{container=\"main\",namespace=\"default\",pod=\"burner\"}",
        "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"burner\"}",
        "node_cpu_usage_seconds_total ",
        "scrape_error 0",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_probes_ask_the_standard_health_service() {
    use tonic_health::ServingStatus;
    // A real gRPC health server on the node; the pod shares the node's
    // network, so its probe reaches it at the pod's IP.
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("app", ServingStatus::NotServing)
        .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: served
spec:
  hostNetwork: true
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
    readinessProbe:
      grpc:
        port: {port}
        service: app
      periodSeconds: 1
"#,
        busybox = busybox()
    );
    cluster.apply("served.yaml", &manifest).await.ok();
    cluster
        .eventually(&["get", "pod", "served"], "served running", |p| {
            p["status"]["phase"] == "Running"
        })
        .await;
    // NOT_SERVING: running, not ready, and said so in an event.
    cluster
        .eventually(
            &["get", "events", "--field-selector", "reason=Unhealthy"],
            "an Unhealthy event",
            |l| {
                l["items"].as_array().is_some_and(|i| {
                    i.iter().any(|e| {
                        e["message"].as_str().is_some_and(|m| {
                            m.contains("service unhealthy (responded with \"NOT_SERVING\")")
                        })
                    })
                })
            },
        )
        .await;
    let pod = cluster
        .kubectl(&["get", "pod", "served", "-o", "json"])
        .await
        .json();
    assert!(!ready(&pod), "{pod}");
    // SERVING: ready.
    reporter
        .set_service_status("app", ServingStatus::Serving)
        .await;
    cluster
        .eventually(&["get", "pod", "served"], "served Ready", ready)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_have_their_own_pid_namespace_unless_host_pid() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: alone
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "trap 'exit 0' TERM; echo pid $$$$; while true; do {busybox} sleep 1; done"]
---
apiVersion: v1
kind: Pod
metadata:
  name: shared
spec:
  hostPID: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "trap 'exit 0' TERM; echo pid $$$$; while true; do {busybox} sleep 1; done"]
"#,
        busybox = busybox()
    );
    cluster.apply("pids.yaml", &manifest).await.ok();
    for name in ["alone", "shared"] {
        cluster
            .eventually(&["get", "pod", name], "Ready", ready)
            .await;
    }
    let mut logs = String::new();
    for _ in 0..50 {
        logs = cluster.kubectl(&["logs", "alone"]).await.ok();
        if logs.contains("pid") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(logs, "pid 1\n", "the container's command is PID 1");
    // exec'd commands join it, and see only its processes in /proc.
    let ps = cluster
        .kubectl(&["exec", "alone", "--", busybox(), "ps", "-o", "pid,args"])
        .await
        .ok();
    let rows: Vec<&str> = ps.lines().skip(1).collect();
    assert!(rows.len() <= 4, "only the pod's processes: {ps}");
    assert!(
        rows.iter().any(|r| r.trim_start().starts_with("1 ")),
        "{ps}"
    );
    let shared = cluster.kubectl(&["logs", "shared"]).await.ok();
    assert_ne!(shared, "pid 1\n", "hostPID pods share the node's");
    // What a hostPID container leaves running in the background (holding
    // its output open) ends with its command, as with runc.
    let _cleanup = KillMarked("MARK=pid-leftover");
    let leftover = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: leftover
spec:
  hostPID: true
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "{busybox} sleep 3603 & echo started"]
    env: [{{name: MARK, value: pid-leftover}}]
"#,
        busybox = busybox()
    );
    cluster.apply("leftover.yaml", &leftover).await.ok();
    cluster
        .eventually(&["get", "pod", "leftover"], "the pod Succeeded", |p| {
            p["status"]["phase"] == "Succeeded"
        })
        .await;
    assert!(processes_marked("MARK=pid-leftover").is_empty());
    assert_eq!(
        cluster.kubectl(&["logs", "leftover"]).await.ok(),
        "started\n"
    );
    // A handler for SIGTERM ends it gracefully (exit 0, not SIGKILL).
    cluster
        .kubectl(&["delete", "pod", "alone", "--wait=true", "--timeout=20s"])
        .await
        .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_sharing_its_process_namespace_sees_all_its_containers() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: together
spec:
  shareProcessNamespace: true
  containers:
  - name: sleeper
    image: busybox
    command: ["{busybox}", "sleep", "3602"]
  - name: shell
    image: busybox
    command: ["{busybox}", "sh", "-c", "trap 'exit 0' TERM; while true; do {busybox} sleep 1; done"]
"#,
        busybox = busybox()
    );
    cluster.apply("together.yaml", &manifest).await.ok();
    cluster
        .eventually(&["get", "pod", "together"], "Ready", ready)
        .await;
    let exec = |script: &str| {
        let script = script.to_string();
        let cluster = &cluster;
        async move {
            cluster
                .kubectl(&[
                    "exec",
                    "together",
                    "-c",
                    "shell",
                    "--",
                    busybox(),
                    "sh",
                    "-c",
                    &script,
                ])
                .await
                .ok()
        }
    };
    // PID 1 is the pod's pause process; the other container's command is
    // one of the processes.
    // (Its argument area is rewritten in place: NULs fill the rest.)
    assert_eq!(
        exec("cat /proc/1/cmdline").await.trim_end_matches('\0'),
        "/pause"
    );
    let ps = exec("ps -o pid,args").await;
    assert!(ps.contains("sleep 3602"), "{ps}");
    // One container can signal another's processes.
    exec("kill $(pgrep -f 'sleep 360[2]')").await;
    let pod = cluster
        .eventually(&["get", "pod", "together"], "the sleeper restarted", |p| {
            ready(p)
                && p["status"]["containerStatuses"]
                    .as_array()
                    .is_some_and(|c| {
                        c.iter()
                            .any(|c| c["name"] == "sleeper" && c["restartCount"] == 1)
                    })
        })
        .await;
    let sleeper = pod["status"]["containerStatuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sleeper")
        .unwrap()
        .clone();
    // Not PID 1 of its own namespace, SIGTERM's default action ends it.
    assert_eq!(
        sleeper["lastState"]["terminated"]["exitCode"], 143,
        "{sleeper}"
    );
    let began = std::time::Instant::now();
    let deleted = cluster
        .kubectl(&["delete", "pod", "together", "--timeout=30s"])
        .await;
    assert!(deleted.success, "{}", deleted.stderr);
    assert!(
        began.elapsed() < Duration::from_secs(15),
        "SIGTERM ends the containers well within the 30 s grace period"
    );
    // Not with hostPID.
    let both = cluster
        .apply(
            "both.yaml",
            &manifest.replace("name: together", "name: both").replace(
                "shareProcessNamespace: true",
                "shareProcessNamespace: true\n  hostPID: true",
            ),
        )
        .await;
    assert!(!both.success);
    assert!(
        both.stderr
            .contains("spec.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"),
        "{}",
        both.stderr
    );
}

/// The numbers of the `line N` lines in `text` (a CRI log file).
fn line_numbers(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|l| l.rsplit_once(" line ")?.1.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_kubelet_adopts_the_pods_it_left_running() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _cleanup = (
        KillMarked("MARK=adoption-web"),
        KillMarked("MARK=adoption-test"),
        KillMarked("MARK=adoption-doomed"),
        KillMarked("MARK=adoption-leaver"),
    );
    let keep = |o: &mut kubelet::KubeletOptions| o.keep_pods_on_exit = true;
    let kubelet = cluster.start_kubelet_with("node-a", keep).await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  # httpd, PID 1 of its container, ignores SIGTERM.
  terminationGracePeriodSeconds: 2
  volumes:
  - name: data
    emptyDir: {{}}
  initContainers:
  - name: setup
    image: busybox
    command: ["{busybox}", "sh", "-c", "echo ran >> /data/runs"]
    env: [{{name: MARK, value: adoption-web}}]
    volumeMounts:
    - name: data
      mountPath: /data
  containers:
  - name: counter
    image: busybox
    command: ["{busybox}", "sh", "-c", "trap 'exit 0' TERM; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done"]
    env: [{{name: MARK, value: adoption-web}}]
    volumeMounts:
    - name: data
      mountPath: /data
  - name: server
    image: busybox
    command: ["{busybox}", "httpd", "-f", "-p", "8080", "-h", "/data"]
    env: [{{name: MARK, value: adoption-web}}]
    readinessProbe:
      httpGet:
        path: /runs
        port: 8080
      periodSeconds: 1
    volumeMounts:
    - name: data
      mountPath: /data
---
apiVersion: v1
kind: Pod
metadata:
  name: quitter
spec:
  restartPolicy: OnFailure
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "sleep 3; exit 3"]
    env: [{{name: MARK, value: adoption-test}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: doomed
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3601"]
    env: [{{name: MARK, value: adoption-doomed}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: leaver
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    env: [{{name: MARK, value: adoption-leaver}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: echoer
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    stdin: true
    command: ["{busybox}", "sh", "-c", "while read line; do echo got $line; done"]
    env: [{{name: MARK, value: adoption-test}}]
"#,
        busybox = busybox()
    );
    cluster.apply("pods.yaml", &manifest).await.ok();
    let web = cluster
        .eventually(&["get", "pod", "web"], "web Ready and logging", |p| {
            ready(p) && !line_numbers(&log_of(&cluster, "node-a", p, "counter")).is_empty()
        })
        .await;
    cluster
        .eventually(&["get", "pod", "quitter"], "quitter running", |p| {
            p["status"]["containerStatuses"][0]["state"]["running"].is_object()
        })
        .await;
    for pod in ["doomed", "leaver", "echoer"] {
        cluster
            .eventually(&["get", "pod", pod], "the pod Ready", ready)
            .await;
    }
    let address = format!("{}:8080", web["status"]["podIP"].as_str().unwrap());
    let statuses = web["status"]["containerStatuses"].clone();
    let before_stop = line_numbers(&log_of(&cluster, "node-a", &web, "counter"));

    // The kubelet stops; its pods do not.
    let network = kubelet.stop_keeping_network().await.unwrap();
    // Its command and its reaper.
    assert_eq!(
        processes_marked("MARK=adoption-doomed").len(),
        2,
        "doomed's sleep runs on"
    );
    let served = http_get(&address, "/runs").await.unwrap();
    assert!(
        served.contains("200 OK") && served.ends_with("ran\n"),
        "{served}"
    );
    // While no kubelet runs: doomed is deleted from the API, leaver is
    // being deleted (gracefully, which takes a kubelet), quitter ends
    // with 3, and web's counter goes on writing into its pipe.
    cluster
        .kubectl(&["delete", "pod", "doomed", "--grace-period=0", "--force"])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "pod", "leaver", "--wait=false"])
        .await
        .ok();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let down_for = std::time::Instant::now();

    // The next kubelet stops its pods with it (the test's end).
    let _kubelet = cluster.start_kubelet_in("node-a", network, |_| {}).await;
    // The same containers, started when they were, not restarted.
    let adopted = cluster
        .eventually(&["get", "pod", "web"], "web adopted and Ready", |p| {
            ready(p)
                && line_numbers(&log_of(&cluster, "node-a", p, "counter")).len()
                    > before_stop.len() + 40
        })
        .await;
    for (old, new) in statuses
        .as_array()
        .unwrap()
        .iter()
        .zip(adopted["status"]["containerStatuses"].as_array().unwrap())
    {
        assert_eq!(new["containerID"], old["containerID"], "{new}");
        assert_eq!(
            new["state"]["running"]["startedAt"],
            old["state"]["running"]["startedAt"]
        );
        assert_eq!(new["restartCount"], 0, "{new}");
    }
    // The init container is not run again; the emptyDir is the same.
    assert_eq!(
        adopted["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"],
        "Completed"
    );
    let runs = cluster
        .kubectl(&["exec", "web", "-c", "counter", "--", "cat", "/data/runs"])
        .await
        .ok();
    assert_eq!(runs, "ran\n");
    // What the counter wrote while no kubelet read is in its log, in
    // order (a line the stopped kubelet had read but not yet written may
    // be missing).
    let numbers = line_numbers(&log_of(&cluster, "node-a", &adopted, "counter"));
    assert!(numbers.windows(2).all(|w| w[1] > w[0]), "in order");
    let missing = numbers.windows(2).filter(|w| w[1] != w[0] + 1).count();
    assert!(missing <= 1, "lines lost: {numbers:?}");
    assert!(
        *numbers.last().unwrap() as f64 * 0.1 > down_for.elapsed().as_secs_f64() + 4.0,
        "the log covers the time the kubelet was down"
    );
    let logs = cluster
        .kubectl(&["logs", "web", "-c", "counter", "--tail=1"])
        .await
        .ok();
    assert!(logs.starts_with("line "), "{logs}");

    // echoer's stdin is the one it had: attaching feeds it.
    let mut attach = tokio::process::Command::new("timeout")
        .args(["3", "kubectl", "attach", "-i", "echoer"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("HOME", cluster.data_dir().join("home"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(mut stdin) = attach.stdin.take() {
        stdin.write_all(b"hello\n").await.unwrap();
    }
    let attached = attach.wait_with_output().await.unwrap();
    let echoed = String::from_utf8_lossy(&attached.stdout);
    assert!(echoed.contains("got hello"), "{echoed:?}");

    // quitter ended while nobody watched: seen, and restarted per its policy.
    let quitter = cluster
        .eventually(&["get", "pod", "quitter"], "quitter's exit seen", |p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .is_some_and(|n| n >= 1)
        })
        .await;
    let last = &quitter["status"]["containerStatuses"][0]["lastState"]["terminated"];
    assert_eq!(last["exitCode"], 3, "{quitter}");
    assert_eq!(last["reason"], "Error");

    // doomed's pod is gone: its process is stopped.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !processes_marked("MARK=adoption-doomed").is_empty() {
        assert!(std::time::Instant::now() < deadline, "doomed still runs");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // leaver's deletion is finished: stopped, then removed from the API.
    cluster
        .eventually(&["get", "pods"], "leaver gone", |pods| {
            pods["items"]
                .as_array()
                .is_some_and(|i| i.iter().all(|p| p["metadata"]["name"] != "leaver"))
        })
        .await;
    assert!(processes_marked("MARK=adoption-leaver").is_empty());

    // An adopted pod stops as any other.
    let deleted = cluster
        .kubectl(&["delete", "pod", "web", "--timeout=30s"])
        .await;
    assert!(deleted.success, "{}", deleted.stderr);
    assert!(
        processes_marked("MARK=adoption-web").is_empty(),
        "web's containers and their reapers stopped"
    );
}

/// RuntimeClasses: a pod naming a missing one is refused at admission; one
/// that exists gives the pod its overhead and tolerations, and the kubelet
/// runs it only if its runtime has the class's handler.
#[tokio::test(flavor = "multi_thread")]
async fn runtime_classes_gate_pods_and_name_the_handler() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let pod = |name: &str, class: &str| {
        format!(
            r#"
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  runtimeClassName: {class}
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
"#,
            busybox = busybox()
        )
    };
    let refused = cluster
        .apply("missing.yaml", &pod("lost", "missing"))
        .await
        .err();
    assert!(
        refused.contains(
            r#"pods "lost" is forbidden: pod rejected: RuntimeClass "missing" not found"#
        ),
        "{refused}"
    );
    let invalid = cluster
        .apply(
            "bad.yaml",
            "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: bad}\nhandler: Not_A_Label\n",
        )
        .await
        .err();
    assert!(
        invalid.contains("handler: Invalid value: \"Not_A_Label\""),
        "{invalid}"
    );
    cluster
        .apply(
            "classes.yaml",
            r#"
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: native
handler: process
overhead:
  podFixed:
    cpu: 10m
scheduling:
  tolerations:
  - key: sandboxed
    operator: Exists
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor
handler: runsc
"#,
        )
        .await
        .ok();
    let printed = cluster.kubectl(&["get", "runtimeclasses"]).await.ok();
    let lines: Vec<Vec<&str>> = printed
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(lines[0], ["NAME", "HANDLER", "AGE"], "{printed}");
    assert_eq!(lines[1][..2], ["gvisor", "runsc"], "{printed}");
    assert_eq!(lines[2][..2], ["native", "process"], "{printed}");

    cluster
        .apply("native.yaml", &pod("native-pod", "native"))
        .await
        .ok();
    let running = cluster
        .eventually(&["get", "pod", "native-pod"], "native-pod running", |p| {
            p["status"]["phase"] == "Running"
        })
        .await;
    assert_eq!(running["spec"]["overhead"]["cpu"], "10m", "{running}");
    assert!(
        running["spec"]["tolerations"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["key"] == "sandboxed")),
        "{running}"
    );

    cluster
        .apply("gvisor.yaml", &pod("gvisor-pod", "gvisor"))
        .await
        .ok();
    let event = cluster
        .eventually(
            &[
                "get",
                "events",
                "--field-selector",
                "involvedObject.name=gvisor-pod,reason=FailedCreatePodSandBox",
            ],
            "the sandbox refused",
            |list| list["items"].as_array().is_some_and(|i| !i.is_empty()),
        )
        .await;
    assert_eq!(
        event["items"][0]["message"],
        "Failed to create pod sandbox: failed to get sandbox runtime: no runtime for \"runsc\" is configured"
    );
    let phase = cluster
        .kubectl(&["get", "pod", "gvisor-pod", "-o", "jsonpath={.status.phase}"])
        .await
        .ok();
    assert_eq!(phase, "Pending");
}

/// `kubectl debug`: an ephemeral container joins a running pod through
/// pods/ephemeralcontainers, runs once on the node, reports its status and
/// logs, and takes stdin when attached.
#[tokio::test(flavor = "multi_thread")]
async fn kubectl_debug_runs_ephemeral_containers() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    cluster
        .kubectl(&[
            "run",
            "target",
            "--image=busybox",
            "--",
            busybox(),
            "sleep",
            "3600",
        ])
        .await
        .ok();
    cluster
        .eventually(&["get", "pod", "target"], "target running", |p| {
            p["status"]["phase"] == "Running"
        })
        .await;
    let debug = cluster
        .kubectl(&[
            "debug",
            "target",
            "--image=busybox",
            "-c",
            "dbg",
            "--",
            busybox(),
            "sh",
            "-c",
            "echo debugging",
        ])
        .await
        .ok();
    assert!(debug.is_empty() || debug.contains("dbg"), "{debug}");
    let pod = cluster
        .eventually(&["get", "pod", "target"], "dbg done", |p| {
            p["status"]["ephemeralContainerStatuses"][0]["state"]["terminated"]["exitCode"] == 0
        })
        .await;
    assert_eq!(pod["spec"]["ephemeralContainers"][0]["name"], "dbg");
    assert_eq!(pod["status"]["phase"], "Running", "the pod goes on");
    let logs = cluster.kubectl(&["logs", "target", "-c", "dbg"]).await.ok();
    assert_eq!(logs, "debugging\n");

    // Attached: what kubectl reads from its stdin reaches the container.
    let attached = cluster
        .kubectl_with(
            &[
                "debug",
                "-i",
                "target",
                "--image=busybox",
                "-c",
                "dbg2",
                "--",
                busybox(),
                "sh",
                "-c",
                "read line; echo got $line",
            ],
            &[],
            Some("hello\n"),
        )
        .await
        .ok();
    assert!(attached.contains("got hello"), "{attached}");

    // Through the subresource, ephemeral containers are only added: a
    // name already taken, or one removed, is refused.
    let pod = cluster
        .kubectl(&["get", "pod", "target", "-o", "json"])
        .await
        .json();
    let path = "/api/v1/namespaces/default/pods/target/ephemeralcontainers";
    let cluster = &cluster;
    let put = |pod: Value, file: &str| {
        let file = cluster.data_dir().join(file);
        std::fs::write(&file, pod.to_string()).unwrap();
        let file = file.display().to_string();
        async move {
            cluster
                .kubectl(&["replace", "--raw", path, "-f", &file])
                .await
        }
    };
    let mut duplicate = pod.clone();
    let mut again = pod["spec"]["ephemeralContainers"][0].clone();
    again["command"] = serde_json::json!(["true"]);
    duplicate["spec"]["ephemeralContainers"]
        .as_array_mut()
        .unwrap()
        .push(again);
    let taken = put(duplicate, "duplicate.json").await.err();
    assert!(
        taken.contains(r#"spec.ephemeralContainers[2].name: Duplicate value: "dbg""#),
        "{taken}"
    );
    let mut removed = pod.clone();
    removed["spec"]["ephemeralContainers"] = serde_json::json!([]);
    let refused = put(removed, "removed.json").await.err();
    assert!(
        refused.contains(r#"existing ephemeral containers "dbg" may not be removed"#),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_contexts_set_users_groups_and_capabilities() {
    let _cleanup = KillMarked("MARK=security-contexts");
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: secured
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    supplementalGroups: [4000]
    fsGroup: 2000
    seccompProfile: {{type: RuntimeDefault}}
  containers:
  - name: main
    image: busybox
    env: [{{name: MARK, value: security-contexts}}]
    command: ["{busybox}", "sh", "-c", "id; grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status; touch /data/written && ls -ln /data; sleep 3600"]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {{drop: [ALL], add: [NET_BIND_SERVICE]}}
    volumeMounts: [{{name: data, mountPath: /data}}]
  volumes: [{{name: data, emptyDir: {{}}}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: plain
spec:
  containers:
  - name: main
    image: busybox
    env: [{{name: MARK, value: security-contexts}}]
    command: ["{busybox}", "sh", "-c", "id -u; grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: rootless
spec:
  securityContext: {{runAsNonRoot: true}}
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
"#,
        busybox = busybox()
    );
    cluster.apply("secured.yaml", &manifest).await.ok();
    let log = |pod: &'static str, wanted: &'static str| {
        let cluster = &cluster;
        async move {
            for _ in 0..100 {
                let out = cluster.kubectl(&["logs", pod]).await;
                if out.success && out.stdout.contains(wanted) {
                    return out.stdout;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            panic!("{pod} never logged {wanted:?}");
        }
    };
    // Its user and groups (fsGroup among them), only the capability it
    // added, no privilege escalation, and a volume its group may write.
    let secured = log("secured", "written").await.replace('\t', "");
    let id = secured.lines().next().unwrap_or_default();
    // (The node's own user names may show beside the numbers.)
    assert!(
        id.starts_with("uid=1000") && id.contains(" gid=3000 groups="),
        "{secured}"
    );
    assert!(id.contains("2000") && id.contains("4000"), "{secured}");
    assert!(secured.contains("CapEff:0000000000000000"), "{secured}");
    assert!(secured.contains("CapBnd:0000000000000400"), "{secured}");
    assert!(secured.contains("NoNewPrivs:1"), "{secured}");
    let written = secured
        .lines()
        .find(|l| l.ends_with(" written"))
        .unwrap_or_default();
    assert!(
        written.split_whitespace().nth(2) == Some("1000")
            && written.split_whitespace().nth(3) == Some("2000"),
        "{secured}"
    );
    // What the process runtime cannot apply, it says.
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=secured,reason=SecurityContextNotApplied",
            "-o",
            "jsonpath={.items[*].message}",
        ])
        .await
        .ok();
    assert_eq!(
        events,
        "The process runtime does not apply seccompProfile of container main"
    );
    // Without a securityContext: root, with the runtime's default
    // capabilities only.
    let plain = log("plain", "NoNewPrivs").await.replace('\t', "");
    assert!(plain.starts_with("0\n"), "{plain}");
    assert!(plain.contains("CapBnd:00000000a80425fb"), "{plain}");
    assert!(plain.contains("NoNewPrivs:0"), "{plain}");
    // runAsNonRoot with no user: the process would run as root.
    let pod = cluster
        .eventually(&["get", "pod", "rootless"], "a config error", |p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
                == "CreateContainerConfigError"
        })
        .await;
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    assert_eq!(
        pod["status"]["containerStatuses"][0]["state"]["waiting"]["message"],
        format!(
            "container has runAsNonRoot and image will run as root (pod: \"rootless_default({uid})\", container: main)"
        )
    );
}
