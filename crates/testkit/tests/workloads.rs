//! The workload controllers against a real API server, driven with the
//! real kubectl: ReplicaSets, Deployments and the garbage collector. No
//! kubelet runs here; where a test needs pods Running and Ready it marks
//! them so through the status subresource, as a kubelet would.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::TestCluster;

/// Polls `check` on `kubectl get ARGS -o json` until it holds (30 s).
async fn eventually(
    cluster: &TestCluster,
    args: &[&str],
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut args: Vec<&str> = args.to_vec();
    args.extend(["-o", "json"]);
    loop {
        let out = cluster.kubectl(&args).await;
        if out.success {
            let value: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
            if check(&value) {
                return value;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; last seen:\n{}",
                    serde_json::to_string_pretty(&value).unwrap()
                );
            }
        } else if Instant::now() > deadline {
            panic!("timed out waiting for {what}: {}", out.stderr);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = items(list)
        .iter()
        .map(|i| {
            i["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

/// Marks every pod of `namespace` selected by `selector` Running and
/// Ready, as a kubelet would report them.
async fn mark_ready(cluster: &TestCluster, namespace: &str, selector: &str) {
    let list = cluster
        .kubectl(&["get", "pods", "-n", namespace, "-l", selector, "-o", "json"])
        .await
        .json();
    for pod in items(&list) {
        let name = pod["metadata"]["name"].as_str().unwrap().to_string();
        if pod["status"]["phase"] == "Running" || pod["metadata"]["deletionTimestamp"].is_string() {
            continue;
        }
        let now = "2026-01-01T00:00:00Z";
        let status = json!({"status": {
            "phase": "Running",
            "podIP": "10.244.0.10",
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": now},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
            ],
        }});
        cluster
            .kubectl(&[
                "patch",
                "pod",
                &name,
                "-n",
                namespace,
                "--subresource=status",
                "--type=merge",
                "-p",
                &status.to_string(),
            ])
            .await;
    }
}

const REPLICASET: &str = r#"
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
  labels:
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php
        image: php:8
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replicaset_holds_its_replicas() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    // An orphan that matches is adopted rather than doubled.
    cluster
        .kubectl(&["run", "orphan", "--image=php:8", "--labels=tier=frontend"])
        .await
        .ok();
    let manifest = cluster.file("rs.yaml", REPLICASET);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let pods = eventually(
        &cluster,
        &["get", "pods", "-l", "tier=frontend"],
        "3 pods",
        |l| items(l).len() == 3,
    )
    .await;
    let rs: Value = cluster
        .kubectl(&["get", "rs", "frontend", "-o", "json"])
        .await
        .json();
    let uid = rs["metadata"]["uid"].as_str().unwrap();
    for pod in items(&pods) {
        let owner = &pod["metadata"]["ownerReferences"][0];
        assert_eq!(owner["uid"], uid, "{pod}");
        assert_eq!(owner["controller"], true);
        assert_eq!(owner["blockOwnerDeletion"], true);
        assert_eq!(owner["kind"], "ReplicaSet");
    }
    let generated: Vec<String> = names(&pods).into_iter().filter(|n| n != "orphan").collect();
    assert_eq!(generated.len(), 2);
    for name in &generated {
        let suffix = name.strip_prefix("frontend-").expect("named after the set");
        assert_eq!(suffix.len(), 5, "{name}");
    }
    // Status follows readiness.
    mark_ready(&cluster, "default", "tier=frontend").await;
    eventually(
        &cluster,
        &["get", "rs", "frontend"],
        "ready replicas",
        |rs| {
            rs["status"]["readyReplicas"] == 3
                && rs["status"]["availableReplicas"] == 3
                && rs["status"]["fullyLabeledReplicas"] == 3
                && rs["status"]["observedGeneration"] == 1
        },
    )
    .await;
    let printed = cluster.kubectl(&["get", "rs", "frontend"]).await.ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..4], &["frontend", "3", "3", "3"], "{printed}");

    // A deleted pod is replaced.
    cluster
        .kubectl(&["delete", "pod", &generated[0], "--wait=false"])
        .await
        .ok();
    eventually(
        &cluster,
        &["get", "pods", "-l", "tier=frontend"],
        "a replacement",
        |l| {
            let names = names(l);
            names.len() == 3 && !names.contains(&generated[0])
        },
    )
    .await;

    // Scaled down, the not-ready pods go first.
    cluster
        .kubectl(&["scale", "rs", "frontend", "--replicas=1"])
        .await
        .ok();
    let left = eventually(
        &cluster,
        &["get", "pods", "-l", "tier=frontend"],
        "one pod",
        |l| items(l).len() == 1,
    )
    .await;
    assert_eq!(
        items(&left)[0]["status"]["phase"],
        "Running",
        "the ready pod stays"
    );

    // A pod relabelled out of the selector is released and replaced.
    let kept = names(&left)[0].clone();
    cluster
        .kubectl(&["label", "pod", &kept, "tier=debug", "--overwrite"])
        .await
        .ok();
    let released = eventually(&cluster, &["get", "pod", &kept], "the release", |p| {
        p["metadata"]["ownerReferences"]
            .as_array()
            .is_none_or(|r| r.is_empty())
    })
    .await;
    assert_eq!(released["metadata"]["labels"]["tier"], "debug");
    eventually(
        &cluster,
        &["get", "pods", "-l", "tier=frontend"],
        "a new pod",
        |l| items(l).len() == 1,
    )
    .await;

    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=frontend",
        ])
        .await
        .ok();
    assert!(events.contains("SuccessfulCreate"), "{events}");
    assert!(events.contains("SuccessfulDelete"), "{events}");
    assert!(events.contains("Created pod: frontend-"), "{events}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_rejected_by_admission_make_a_replica_failure() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    // The set is valid; its pods name a PriorityClass that does not exist,
    // which the Priority admission plugin refuses.
    let manifest = cluster.file(
        "rs.yaml",
        &REPLICASET.replace(
            "    spec:\n      containers:",
            "    spec:\n      priorityClassName: nope\n      containers:",
        ),
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let rs = eventually(
        &cluster,
        &["get", "rs", "frontend"],
        "a ReplicaFailure",
        |rs| {
            rs["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["type"] == "ReplicaFailure"))
        },
    )
    .await;
    let condition = &rs["status"]["conditions"][0];
    assert_eq!(condition["status"], "True");
    assert_eq!(condition["reason"], "FailedCreate");
    assert!(
        condition["message"]
            .as_str()
            .unwrap()
            .contains("no PriorityClass with name nope was found"),
        "{condition}"
    );
    assert_eq!(rs["status"]["replicas"], 0);
    let events = cluster
        .kubectl(&["get", "events", "--field-selector", "reason=FailedCreate"])
        .await
        .ok();
    assert!(
        events.contains("Error creating: pods \"frontend-\" is forbidden"),
        "{events}"
    );
    // Fixing the template clears the condition.
    cluster
        .kubectl(&[
            "apply",
            "-f",
            cluster.file("ok.yaml", REPLICASET).to_str().unwrap(),
        ])
        .await
        .ok();
    eventually(&cluster, &["get", "rs", "frontend"], "recovery", |rs| {
        rs["status"]["replicas"] == 3 && rs["status"]["conditions"].is_null()
    })
    .await;
}

async fn replicaset_with_pods(cluster: &TestCluster) -> Vec<String> {
    let manifest = cluster.file("rs.yaml", REPLICASET);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let pods = eventually(
        cluster,
        &["get", "pods", "-l", "tier=frontend"],
        "3 pods",
        |l| items(l).len() == 3,
    )
    .await;
    names(&pods)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cascading_deletion_in_the_background_foreground_and_orphaning() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;

    // Background (kubectl's default): the set goes at once, its pods after.
    replicaset_with_pods(&cluster).await;
    cluster.kubectl(&["delete", "rs", "frontend"]).await.ok();
    eventually(
        &cluster,
        &["get", "pods", "-l", "tier=frontend"],
        "the pods collected",
        |l| items(l).is_empty(),
    )
    .await;

    // Orphan: the pods stay, without their owner reference.
    let orphans = replicaset_with_pods(&cluster).await;
    cluster
        .kubectl(&["delete", "rs", "frontend", "--cascade=orphan"])
        .await
        .ok();
    let gone = cluster.kubectl(&["get", "rs", "frontend"]).await;
    assert!(!gone.success, "kubectl waits until the set is gone");
    let left = cluster
        .kubectl(&["get", "pods", "-l", "tier=frontend", "-o", "json"])
        .await
        .json();
    assert_eq!(names(&left), orphans);
    for pod in items(&left) {
        assert!(
            pod["metadata"]["ownerReferences"]
                .as_array()
                .is_none_or(|r| r.is_empty()),
            "{pod}"
        );
    }
    cluster
        .kubectl(&["delete", "pods", "-l", "tier=frontend"])
        .await
        .ok();

    // Foreground: the set waits, with its finalizer, until its pods are gone.
    replicaset_with_pods(&cluster).await;
    // A finalizer on one pod holds the set back.
    let held = names(
        &cluster
            .kubectl(&["get", "pods", "-l", "tier=frontend", "-o", "json"])
            .await
            .json(),
    )[0]
    .clone();
    cluster
        .kubectl(&[
            "patch",
            "pod",
            &held,
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "delete",
            "rs",
            "frontend",
            "--cascade=foreground",
            "--wait=false",
        ])
        .await
        .ok();
    let waiting = eventually(
        &cluster,
        &["get", "rs", "frontend"],
        "a foreground deletion",
        |rs| rs["metadata"]["deletionTimestamp"].is_string(),
    )
    .await;
    assert_eq!(
        waiting["metadata"]["finalizers"],
        json!(["foregroundDeletion"])
    );
    eventually(
        &cluster,
        &["get", "pods", "-l", "tier=frontend"],
        "the other pods collected",
        |l| names(l) == vec![held.clone()],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        cluster.kubectl(&["get", "rs", "frontend"]).await.success,
        "the set waits for its last pod"
    );
    cluster
        .kubectl(&[
            "patch",
            "pod",
            &held,
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ])
        .await
        .ok();
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.kubectl(&["get", "rs", "frontend"]).await.success {
        assert!(
            Instant::now() < deadline,
            "the set is removed once its pods are"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_whose_owner_is_gone_are_collected() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    // Owned by a ConfigMap that exists, and by one that never did.
    cluster
        .kubectl(&["create", "configmap", "owner"])
        .await
        .ok();
    let owner: Value = cluster
        .kubectl(&["get", "cm", "owner", "-o", "json"])
        .await
        .json();
    let reference = |name: &str, uid: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "name": name, "uid": uid});
    let kept = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "kept", "ownerReferences": [
        reference("owner", owner["metadata"]["uid"].as_str().unwrap()),
        reference("ghost", "00000000-0000-0000-0000-000000000001"),
    ]}});
    let dangling = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "dangling", "ownerReferences": [
        reference("ghost", "00000000-0000-0000-0000-000000000001"),
    ]}});
    for object in [kept, dangling] {
        let path = cluster.file("secret.json", &object.to_string());
        cluster
            .kubectl(&["create", "-f", path.to_str().unwrap()])
            .await
            .ok();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster
        .kubectl(&["get", "secret", "dangling"])
        .await
        .success
    {
        assert!(
            Instant::now() < deadline,
            "an object with only a missing owner is deleted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let kept = eventually(
        &cluster,
        &["get", "secret", "kept"],
        "the dangling reference removed",
        |s| {
            s["metadata"]["ownerReferences"]
                .as_array()
                .is_some_and(|r| r.len() == 1)
        },
    )
    .await;
    assert_eq!(kept["metadata"]["ownerReferences"][0]["name"], "owner");
    // Deleting the owner takes it along.
    cluster.kubectl(&["delete", "cm", "owner"]).await.ok();
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.kubectl(&["get", "secret", "kept"]).await.success {
        assert!(Instant::now() < deadline, "collected after its owner");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
