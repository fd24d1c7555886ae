//! The scheduler against a real API server, with Node objects standing in
//! for machines: the seed's three-node cluster (a tainted control-plane
//! node and two workers) and its scheduling examples and messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::TestCluster;

fn node(name: &str, memory: &str, labels: Value, taints: Value) -> String {
    let mut all_labels = json!({"kubernetes.io/hostname": name, "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux"});
    for (k, v) in labels.as_object().unwrap() {
        all_labels[k] = v.clone();
    }
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": all_labels},
        "spec": {"taints": taints},
        "status": {"capacity": {"cpu": "2", "memory": memory, "pods": "110"},
                   "allocatable": {"cpu": "2", "memory": memory, "pods": "110"}}})
    .to_string()
}

async fn create(cluster: &TestCluster, manifest: &str) {
    cluster
        .kubectl_with(&["create", "-f", "-"], &[], Some(manifest))
        .await
        .ok();
}

fn pod(name: &str, spec: Value) -> String {
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]}});
    for (k, v) in spec.as_object().unwrap() {
        pod["spec"][k] = v.clone();
    }
    pod.to_string()
}

/// Waits until `check` passes on the pod, or fails the test.
async fn wait_for_pod(cluster: &TestCluster, name: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pod = cluster
            .kubectl(&["get", "pod", name, "-o", "json"])
            .await
            .json();
        if check(&pod) {
            return pod;
        }
        assert!(
            Instant::now() < deadline,
            "pod {name} never got there: {pod}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn node_of(pod: &Value) -> &str {
    pod["spec"]["nodeName"].as_str().unwrap_or_default()
}

async fn scheduled(cluster: &TestCluster, name: &str) -> String {
    let pod = wait_for_pod(cluster, name, |p| !node_of(p).is_empty()).await;
    node_of(&pod).to_string()
}

async fn failed_scheduling(cluster: &TestCluster, name: &str) -> String {
    let pod = wait_for_pod(cluster, name, |p| {
        p["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "PodScheduled" && c["status"] == "False")
        })
    })
    .await;
    let condition = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "PodScheduled")
        .unwrap()
        .clone();
    assert_eq!(condition["reason"], "Unschedulable");
    condition["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_cluster_schedules_as_upstream() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let control_plane =
        json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    create(
        &cluster,
        &node(
            "hashfoundry-ha-pool-1",
            "4Gi",
            json!({"node-role.kubernetes.io/control-plane": ""}),
            control_plane,
        ),
    )
    .await;
    create(
        &cluster,
        &node(
            "hashfoundry-ha-pool-2",
            "4Gi",
            json!({"node-type": "worker"}),
            json!([]),
        ),
    )
    .await;
    create(
        &cluster,
        &node(
            "hashfoundry-ha-pool-3",
            "4Gi",
            json!({"node-type": "worker", "storage-type": "ssd", "node-role": "storage"}),
            json!([]),
        ),
    )
    .await;

    // A plain pod lands on a worker, never on the tainted control plane.
    create(&cluster, &pod("plain", json!({}))).await;
    let placed = scheduled(&cluster, "plain").await;
    assert!(placed == "hashfoundry-ha-pool-2" || placed == "hashfoundry-ha-pool-3");
    let wide = cluster
        .kubectl(&["get", "pod", "plain", "-o", "wide"])
        .await
        .ok();
    assert!(wide.contains(&placed), "{wide}");

    // The NFS server needs `storage-type: ssd`.
    create(
        &cluster,
        &pod(
            "nfs-server",
            json!({"nodeSelector": {"storage-type": "ssd", "node-role": "storage"}}),
        ),
    )
    .await;
    assert_eq!(
        scheduled(&cluster, "nfs-server").await,
        "hashfoundry-ha-pool-3"
    );

    // Validators holding the same host port take one worker each; a third
    // fits nowhere, with the seed's message.
    let validator = |port: i32| {
        json!({"containers": [{"name": "substrate", "image": "parity/substrate",
            "ports": [{"containerPort": 30333, "hostPort": port}]}]})
    };
    create(&cluster, &pod("alice", validator(30333))).await;
    let alice = scheduled(&cluster, "alice").await;
    create(&cluster, &pod("bob", validator(30333))).await;
    let bob = scheduled(&cluster, "bob").await;
    assert_ne!(alice, bob);
    create(&cluster, &pod("charlie", validator(30333))).await;
    let message = failed_scheduling(&cluster, "charlie").await;
    assert_eq!(
        message,
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );

    // More memory than any node has.
    create(
        &cluster,
        &pod(
            "large-app",
            json!({"containers": [{"name": "app", "image": "app",
            "resources": {"requests": {"memory": "16Gi"}}}]}),
        ),
    )
    .await;
    let message = failed_scheduling(&cluster, "large-app").await;
    assert_eq!(
        message,
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    let described = cluster
        .kubectl(&["describe", "pod", "large-app"])
        .await
        .ok();
    assert!(
        described.contains("Warning  FailedScheduling")
            && described.contains("default-scheduler  0/3 nodes are available"),
        "{described}"
    );
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "reason=FailedScheduling",
        ])
        .await
        .ok();
    assert!(events.contains("pod/large-app"), "{events}");

    // A new, bigger node takes both waiting pods.
    create(
        &cluster,
        &node(
            "hashfoundry-ha-pool-4",
            "32Gi",
            json!({"node-type": "worker"}),
            json!([]),
        ),
    )
    .await;
    assert_eq!(
        scheduled(&cluster, "charlie").await,
        "hashfoundry-ha-pool-4"
    );
    assert_eq!(
        scheduled(&cluster, "large-app").await,
        "hashfoundry-ha-pool-4"
    );
    let bound = wait_for_pod(&cluster, "large-app", |p| {
        p["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "PodScheduled" && c["status"] == "True")
        })
    })
    .await;
    assert_eq!(node_of(&bound), "hashfoundry-ha-pool-4");

    // The binding is reported as upstream reports it.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let events = cluster
            .kubectl(&[
                "get",
                "events",
                "--field-selector",
                "reason=Scheduled,involvedObject.name=large-app",
            ])
            .await
            .ok();
        if events.contains("Successfully assigned default/large-app to hashfoundry-ha-pool-4") {
            break;
        }
        assert!(Instant::now() < deadline, "{events}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Pods for another scheduler are left alone.
    create(
        &cluster,
        &pod("elsewhere", json!({"schedulerName": "my-scheduler"})),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let other = cluster
        .kubectl(&["get", "pod", "elsewhere", "-o", "json"])
        .await
        .json();
    assert_eq!(node_of(&other), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_affinity_spreads_and_gathers() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let control_plane =
        json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    create(
        &cluster,
        &node(
            "pool-1",
            "4Gi",
            json!({"node-role.kubernetes.io/control-plane": ""}),
            control_plane,
        ),
    )
    .await;
    create(
        &cluster,
        &node("pool-2", "4Gi", json!({"node-type": "worker"}), json!([])),
    )
    .await;
    create(
        &cluster,
        &node("pool-3", "4Gi", json!({"node-type": "worker"}), json!([])),
    )
    .await;

    // The seed's validators: alice prefers not to share a node with bob.
    let validator = |role: &str, avoid: &str| {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{role}-0"), "namespace": "default",
                "labels": {"app.kubernetes.io/role": role}},
            "spec": {"containers": [{"name": "substrate", "image": "parity/substrate",
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}],
                "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchExpressions": [
                        {"key": "app.kubernetes.io/role", "operator": "In", "values": [avoid]}]},
                        "topologyKey": "kubernetes.io/hostname"}}]}}}})
        .to_string()
    };
    create(&cluster, &validator("bob", "alice")).await;
    let bob = scheduled(&cluster, "bob-0").await;
    create(&cluster, &validator("alice", "bob")).await;
    let alice = scheduled(&cluster, "alice-0").await;
    assert_ne!(alice, bob, "alice and bob share {alice}");

    // Required anti-affinity: one replica per node, then no room.
    let replica = |name: &str| {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "etcd"}},
            "spec": {"containers": [{"name": "etcd", "image": "etcd"}],
                "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": "etcd"}}, "topologyKey": "kubernetes.io/hostname"}]}}}})
        .to_string()
    };
    create(&cluster, &replica("etcd-0")).await;
    create(&cluster, &replica("etcd-1")).await;
    let first = scheduled(&cluster, "etcd-0").await;
    let second = scheduled(&cluster, "etcd-1").await;
    assert_ne!(first, second);
    create(&cluster, &replica("etcd-2")).await;
    assert_eq!(
        failed_scheduling(&cluster, "etcd-2").await,
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );

    // Required affinity: a sidecar follows its app to the same node.
    create(
        &cluster,
        &json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "exporter", "namespace": "default"},
            "spec": {"containers": [{"name": "exporter", "image": "exporter"}],
                "affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app.kubernetes.io/role": "alice"}},
                     "topologyKey": "kubernetes.io/hostname"}]}}}})
        .to_string(),
    )
    .await;
    assert_eq!(scheduled(&cluster, "exporter").await, alice);
    // Removing a replica frees its node for the waiting one (at once: no
    // kubelet here to finish a graceful deletion).
    cluster
        .kubectl(&["delete", "pod", "etcd-0", "--grace-period=0", "--force"])
        .await
        .ok();
    assert_eq!(scheduled(&cluster, "etcd-2").await, first);
}

/// `curl -sk` of the scheduler's secure port: (status, body).
/// GET over HTTPS with curl, anonymously or as the admin of `pki` (a
/// cluster's pki directory): the status code and body.
fn fetch_as(
    pki: Option<&std::path::Path>,
    address: std::net::SocketAddr,
    path: &str,
) -> (String, String) {
    let mut command = std::process::Command::new("curl");
    command.args(["-sk", "-w", "\n%{http_code}"]);
    if let Some(pki) = pki {
        command
            .arg("--cert")
            .arg(pki.join("admin.crt"))
            .arg("--key")
            .arg(pki.join("admin.key"));
    }
    let out = command
        .arg(format!("https://{address}{path}"))
        .output()
        .expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or((&text, ""));
    (code.to_string(), body.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secure_port_answers_health_probes_and_metrics() {
    let listener = scheduler::serving::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    let cluster = TestCluster::start_with(|config| {
        config.component_probes = vec![apiserver::component_health::ComponentProbe {
            name: "scheduler".into(),
            address,
        }];
    })
    .await;
    let options = scheduler::SchedulerOptions::default();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let pki = cluster.data_dir().join("pki");
    let serving = tokio::spawn(scheduler::serving::serve(
        listener,
        scheduler::serving::ServingCert::self_signed().unwrap(),
        Some(std::fs::read_to_string(pki.join("ca.crt")).unwrap()),
        options.clone(),
        stopping,
    ));
    let fetch = |address, path| fetch_as(Some(&pki), address, path);
    // Health for anyone; the rest only for the cluster's clients.
    assert_eq!(fetch_as(None, address, "/healthz").0, "200");
    assert_eq!(
        fetch_as(None, address, "/metrics"),
        (
            "403".into(),
            "forbidden: User \"system:anonymous\" cannot get path \"/metrics\"".into()
        )
    );
    assert_eq!(fetch_as(None, address, "/debug/pods/default/p").0, "403");
    let _scheduler = cluster.start_scheduler(options).await;
    create(&cluster, &node("n1", "4Gi", json!({}), json!([]))).await;
    create(&cluster, &pod("p", json!({}))).await;
    scheduled(&cluster, "p").await;

    let statuses = cluster.kubectl(&["get", "componentstatuses"]).await.ok();
    assert!(
        statuses
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["scheduler", "Healthy", "ok"]),
        "{statuses}"
    );
    assert_eq!(fetch(address, "/healthz"), ("200".into(), "ok".into()));
    assert_eq!(fetch(address, "/readyz"), ("200".into(), "ok".into()));
    let (code, metrics) = fetch(address, "/metrics");
    assert_eq!(code, "200");
    assert!(
        metrics.contains(
            "scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("scheduler_pending_pods{queue=\"active\"}"));
    assert_eq!(fetch(address, "/nope").0, "404");

    // Why a pod went where it went, and why another fits nowhere.
    let (code, verdict) = fetch(address, "/debug/pods/default/p");
    assert_eq!(code, "200");
    let verdict: Value = serde_json::from_str(&verdict).unwrap();
    assert_eq!(verdict["result"], "Scheduled");
    assert_eq!(verdict["node"], "n1");
    create(
        &cluster,
        &pod(
            "huge",
            json!({"containers": [{"name": "c", "image": "i",
            "resources": {"requests": {"cpu": "64"}}}]}),
        ),
    )
    .await;
    failed_scheduling(&cluster, "huge").await;
    let (_, verdict) = fetch(address, "/debug/pods/default/huge");
    let verdict: Value = serde_json::from_str(&verdict).unwrap();
    assert_eq!(verdict["result"], "Unschedulable");
    assert_eq!(verdict["nodes"]["n1"]["plugin"], "NodeResourcesFit");
    assert_eq!(
        verdict["nodes"]["n1"]["reasons"],
        json!(["Insufficient cpu"])
    );
    assert_eq!(fetch(address, "/debug/pods/default/unknown").0, "404");
    let _ = stop.send(true);
    serving.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_scheduler_takes_over_when_the_leader_dies() {
    let cluster = TestCluster::start().await;
    let lease = |identity: &str| leader_election::LeaseConfig {
        identity: identity.into(),
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1500),
        retry_period: Duration::from_millis(200),
        ..leader_election::LeaseConfig::new("kube-system", "kube-scheduler")
    };
    let first = cluster
        .start_scheduler_elected(Default::default(), lease("first"))
        .await;
    // Let the first one lead before the standby starts.
    let deadline = Instant::now() + Duration::from_secs(10);
    let holder = |out: String| out.trim().to_string();
    loop {
        let out = cluster
            .kubectl(&[
                "get",
                "lease",
                "-n",
                "kube-system",
                "kube-scheduler",
                "-o",
                "jsonpath={.spec.holderIdentity}",
            ])
            .await;
        if out.success && holder(out.stdout) == "first" {
            break;
        }
        assert!(Instant::now() < deadline, "no leader");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _second = cluster
        .start_scheduler_elected(Default::default(), lease("second"))
        .await;
    create(&cluster, &node("n1", "4Gi", json!({}), json!([]))).await;
    create(&cluster, &pod("before", json!({}))).await;
    assert_eq!(scheduled(&cluster, "before").await, "n1");

    first.kill();
    let died = Instant::now();
    create(&cluster, &pod("after", json!({}))).await;
    assert_eq!(scheduled(&cluster, "after").await, "n1");
    assert!(
        died.elapsed() < Duration::from_secs(10),
        "took {:?}",
        died.elapsed()
    );
    let lease = cluster
        .kubectl(&[
            "get",
            "lease",
            "-n",
            "kube-system",
            "kube-scheduler",
            "-o",
            "jsonpath={.spec.holderIdentity} {.spec.leaseTransitions}",
        ])
        .await
        .ok();
    assert_eq!(lease.trim(), "second 1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_spread_constraints_balance_zones() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    for (name, zone) in [("a1", "zone-a"), ("a2", "zone-a"), ("b1", "zone-b")] {
        create(
            &cluster,
            &node(
                name,
                "8Gi",
                json!({"topology.kubernetes.io/zone": zone}),
                json!([]),
            ),
        )
        .await;
    }
    let spread = |name: &str, extra: Value| {
        let mut spec = json!({"containers": [{"name": "web", "image": "nginx"}],
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]});
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}}, "spec": spec})
        .to_string()
    };
    let mut zones = Vec::new();
    for i in 0..4 {
        let name = format!("web-{i}");
        create(&cluster, &spread(&name, json!({}))).await;
        let node = scheduled(&cluster, &name).await;
        zones.push(if node.starts_with('a') {
            "zone-a"
        } else {
            "zone-b"
        });
    }
    zones.sort();
    assert_eq!(zones, ["zone-a", "zone-a", "zone-b", "zone-b"]);
    // Pinned to zone-a, where a third pod would make the skew 2.
    create(
        &cluster,
        &spread(
            "web-4",
            json!({"nodeSelector": {"topology.kubernetes.io/zone": "zone-a"}}),
        ),
    )
    .await;
    // zone-b is not a domain for a pod that cannot go there, so the skew
    // counts only zone-a: it fits.
    assert!(scheduled(&cluster, "web-4").await.starts_with('a'));
    let mut ignoring = json!({"nodeSelector": {"topology.kubernetes.io/zone": "zone-a"}});
    ignoring["topologySpreadConstraints"] = json!([{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}},
        "nodeAffinityPolicy": "Ignore"}]);
    create(&cluster, &spread("web-5", ignoring)).await;
    assert_eq!(
        failed_scheduling(&cluster, "web-5").await,
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) didn't match pod topology spread constraints. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_from_a_configuration_file() {
    let cluster = TestCluster::start().await;
    let config = scheduler::config::SchedulerConfiguration::parse(
        r#"
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: bin-packer
  plugins:
    score:
      disabled:
      - name: "*"
      enabled:
      - name: NodeResourcesFit
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
"#,
    )
    .unwrap();
    let _scheduler = cluster
        .start_scheduler(scheduler::SchedulerOptions {
            profiles: config.profiles,
            ..Default::default()
        })
        .await;
    create(&cluster, &node("n1", "8Gi", json!({}), json!([]))).await;
    create(&cluster, &node("n2", "8Gi", json!({}), json!([]))).await;
    let packed = |name: &str| {
        pod(
            name,
            json!({"schedulerName": "bin-packer",
                "containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}]}),
        )
    };
    create(&cluster, &packed("packed-0")).await;
    let first = scheduled(&cluster, "packed-0").await;
    for i in 1..4 {
        let name = format!("packed-{i}");
        create(&cluster, &packed(&name)).await;
        assert_eq!(scheduled(&cluster, &name).await, first, "bin packing");
    }
    // The default profile still spreads, and each profile signs its events.
    create(
        &cluster,
        &pod(
            "spread",
            json!({"containers": [{"name": "c", "image": "i",
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}]}),
        ),
    )
    .await;
    assert_ne!(scheduled(&cluster, "spread").await, first);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let described = cluster.kubectl(&["describe", "pod", "packed-0"]).await.ok();
        if described.contains("bin-packer  Successfully assigned default/packed-0") {
            break;
        }
        assert!(Instant::now() < deadline, "{described}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn higher_priority_pods_preempt_lower_ones() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    cluster
        .kubectl(&["create", "priorityclass", "batch", "--value=100"])
        .await
        .ok();
    cluster
        .kubectl(&["create", "priorityclass", "critical", "--value=10000"])
        .await
        .ok();
    create(&cluster, &node("n1", "4Gi", json!({}), json!([]))).await;
    let asking = |name: &str, class: &str, cpu: &str| {
        pod(
            name,
            json!({"priorityClassName": class, "containers": [{"name": "c", "image": "i",
                "resources": {"requests": {"cpu": cpu}}}]}),
        )
    };
    create(&cluster, &asking("batch-1", "batch", "1")).await;
    create(&cluster, &asking("batch-2", "batch", "1")).await;
    scheduled(&cluster, "batch-1").await;
    scheduled(&cluster, "batch-2").await;
    // The node (2 cpu) is full; a critical pod needing 1 cpu evicts one
    // batch pod, no more, and is nominated to the node.
    create(&cluster, &asking("critical", "critical", "1")).await;
    let nominated = wait_for_pod(&cluster, "critical", |p| {
        p["status"]["nominatedNodeName"] == "n1"
    })
    .await;
    assert_eq!(node_of(&nominated), "");
    let deadline = Instant::now() + Duration::from_secs(10);
    let victims = loop {
        let mut victims = Vec::new();
        for name in ["batch-1", "batch-2"] {
            let p = cluster
                .kubectl(&["get", "pod", name, "-o", "json"])
                .await
                .json();
            if p["metadata"]["deletionTimestamp"].is_string() {
                victims.push(name.to_string());
            }
        }
        if !victims.is_empty() {
            break victims;
        }
        assert!(Instant::now() < deadline, "no victim");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(victims.len(), 1, "exactly one victim");
    let victim = &victims[0];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let events = cluster
            .kubectl(&["get", "events", "--field-selector", "reason=Preempted"])
            .await
            .ok();
        if events.contains(&format!("pod/{victim}")) && events.contains("Preempted by pod") {
            break;
        }
        assert!(Instant::now() < deadline, "{events}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The kubelet would finish the victim's graceful deletion; here it is
    // finished by hand, and the critical pod takes its place.
    cluster
        .kubectl(&["delete", "pod", victim, "--grace-period=0", "--force"])
        .await
        .ok();
    assert_eq!(scheduled(&cluster, "critical").await, "n1");
    // A pod that may not preempt says so.
    create(
        &cluster,
        &pod(
            "polite",
            json!({"priorityClassName": "critical", "preemptionPolicy": "Never",
                "containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "1"}}}]}),
        ),
    )
    .await;
    assert_eq!(
        failed_scheduling(&cluster, "polite").await,
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_and_volumes_decide_placement() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    create(&cluster, &node("a", "8Gi", json!({}), json!([]))).await;
    create(&cluster, &node("b", "8Gi", json!({}), json!([]))).await;
    for (name, provisioner, mode) in [
        ("standard", "example.com/disk", "Immediate"),
        (
            "local",
            "kubernetes.io/no-provisioner",
            "WaitForFirstConsumer",
        ),
        ("cloud", "example.com/disk", "WaitForFirstConsumer"),
    ] {
        create(
            &cluster,
            &json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
                "provisioner": provisioner, "volumeBindingMode": mode})
            .to_string(),
        )
        .await;
    }
    create(
        &cluster,
        &json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "disk-on-b"},
            "spec": {"storageClassName": "local", "capacity": {"storage": "10Gi"},
                "accessModes": ["ReadWriteOnce"], "local": {"path": "/mnt/disk"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "kubernetes.io/hostname", "operator": "In", "values": ["b"]}]}]}}}})
        .to_string(),
    )
    .await;
    for (claim, class) in [("now", "standard"), ("here", "local"), ("made", "cloud")] {
        create(
            &cluster,
            &json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": claim, "namespace": "default"},
                "spec": {"storageClassName": class, "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}})
            .to_string(),
        )
        .await;
    }
    let using = |name: &str, claim: &str| {
        pod(
            name,
            json!({"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]}),
        )
    };
    // An Immediate claim the volume controller has not bound yet.
    create(&cluster, &using("waits", "now")).await;
    assert_eq!(
        failed_scheduling(&cluster, "waits").await,
        "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
    );
    create(&cluster, &using("lost", "nope")).await;
    assert!(
        failed_scheduling(&cluster, "lost")
            .await
            .starts_with("0/2 nodes are available: persistentvolumeclaim \"nope\" not found.")
    );
    // A local volume decides the node, and is reserved for the claim.
    create(&cluster, &using("local-user", "here")).await;
    assert_eq!(scheduled(&cluster, "local-user").await, "b");
    let volume = cluster
        .kubectl(&["get", "pv", "disk-on-b", "-o", "json"])
        .await
        .json();
    assert_eq!(volume["spec"]["claimRef"]["name"], "here");
    // A provisioned volume: the claim learns where it is needed.
    create(&cluster, &using("cloud-user", "made")).await;
    let node = scheduled(&cluster, "cloud-user").await;
    let claim = cluster
        .kubectl(&["get", "pvc", "made", "-o", "json"])
        .await
        .json();
    assert_eq!(
        claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"],
        node.as_str()
    );

    // A ReadWriteOncePod claim serves one pod in the whole cluster.
    create(
        &cluster,
        &json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "solo-disk"},
            "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOncePod"],
                "hostPath": {"path": "/srv/solo"}}})
        .to_string(),
    )
    .await;
    create(
        &cluster,
        &json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "solo", "namespace": "default"},
            "spec": {"volumeName": "solo-disk", "storageClassName": "", "accessModes": ["ReadWriteOncePod"],
                "resources": {"requests": {"storage": "1Gi"}}}})
        .to_string(),
    )
    .await;
    create(&cluster, &using("solo-1", "solo")).await;
    scheduled(&cluster, "solo-1").await;
    create(&cluster, &using("solo-2", "solo")).await;
    assert_eq!(
        failed_scheduling(&cluster, "solo-2").await,
        "0/2 nodes are available: 2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_resumes_after_losing_the_api_server() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    create(&cluster, &node("n1", "4Gi", json!({}), json!([]))).await;
    create(&cluster, &pod("before", json!({}))).await;
    assert_eq!(scheduled(&cluster, "before").await, "n1");
    let bound = cluster
        .kubectl(&[
            "get",
            "pod",
            "before",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ])
        .await
        .ok();

    // The API server goes away for a while and comes back on its port.
    let cluster = cluster.restart_in_place(Duration::from_secs(2)).await;
    create(&cluster, &pod("after", json!({}))).await;
    assert_eq!(scheduled(&cluster, "after").await, "n1");
    // The pod bound before was not bound again.
    let still = cluster
        .kubectl(&[
            "get",
            "pod",
            "before",
            "-o",
            "jsonpath={.metadata.resourceVersion}",
        ])
        .await
        .ok();
    assert_eq!(bound, still);
}
