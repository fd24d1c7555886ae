//! The workload controllers against a real API server, driven with the
//! real kubectl: ReplicaSets, Deployments and the garbage collector. No
//! kubelet runs here; where a test needs pods Running and Ready it marks
//! them so through the status subresource, as a kubelet would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::TestCluster;

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
    let pods = cluster
        .eventually(&["get", "pods", "-l", "tier=frontend"], "3 pods", |l| {
            items(l).len() == 3
        })
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
    cluster
        .eventually(&["get", "rs", "frontend"], "ready replicas", |rs| {
            rs["status"]["readyReplicas"] == 3
                && rs["status"]["availableReplicas"] == 3
                && rs["status"]["fullyLabeledReplicas"] == 3
                && rs["status"]["observedGeneration"] == 1
        })
        .await;
    let printed = cluster.kubectl(&["get", "rs", "frontend"]).await.ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..4], &["frontend", "3", "3", "3"], "{printed}");

    // A deleted pod is replaced.
    cluster
        .kubectl(&["delete", "pod", &generated[0], "--wait=false"])
        .await
        .ok();
    cluster
        .eventually(
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
    let left = cluster
        .eventually(&["get", "pods", "-l", "tier=frontend"], "one pod", |l| {
            items(l).len() == 1
        })
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
    let released = cluster
        .eventually(&["get", "pod", &kept], "the release", |p| {
            p["metadata"]["ownerReferences"]
                .as_array()
                .is_none_or(|r| r.is_empty())
        })
        .await;
    assert_eq!(released["metadata"]["labels"]["tier"], "debug");
    cluster
        .eventually(&["get", "pods", "-l", "tier=frontend"], "a new pod", |l| {
            items(l).len() == 1
        })
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
    let rs = cluster
        .eventually(&["get", "rs", "frontend"], "a ReplicaFailure", |rs| {
            rs["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["type"] == "ReplicaFailure"))
        })
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
    cluster
        .eventually(&["get", "rs", "frontend"], "recovery", |rs| {
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
    let pods = cluster
        .eventually(&["get", "pods", "-l", "tier=frontend"], "3 pods", |l| {
            items(l).len() == 3
        })
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
    cluster
        .eventually(
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
    let waiting = cluster
        .eventually(&["get", "rs", "frontend"], "a foreground deletion", |rs| {
            rs["metadata"]["deletionTimestamp"].is_string()
        })
        .await;
    assert_eq!(
        waiting["metadata"]["finalizers"],
        json!(["foregroundDeletion"])
    );
    cluster
        .eventually(
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
    let kept = cluster
        .eventually(
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

/// Stands in for the kubelets: marks every pod of `namespace` Running and
/// Ready as it appears, until dropped.
struct Kubelets(tokio::task::JoinHandle<()>);

impl Drop for Kubelets {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn kubelets(cluster: &TestCluster, namespace: &str) -> Kubelets {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, ListParams, Patch, PatchParams};
    let client = cluster.admin_client().await;
    let pods: Api<Pod> = Api::namespaced(client, namespace);
    Kubelets(tokio::spawn(async move {
        loop {
            if let Ok(list) = pods.list(&ListParams::default()).await {
                for pod in list.items {
                    let running =
                        pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
                    if running || pod.metadata.deletion_timestamp.is_some() {
                        continue;
                    }
                    let now = k8s_openapi::jiff::Timestamp::now()
                        .strftime("%Y-%m-%dT%H:%M:%SZ")
                        .to_string();
                    let status = json!({"status": {"phase": "Running", "conditions": [
                        {"type": "Ready", "status": "True", "lastTransitionTime": now},
                    ]}});
                    let name = pod.metadata.name.unwrap_or_default();
                    let _ = pods
                        .patch_status(&name, &PatchParams::default(), &Patch::Merge(status))
                        .await;
                }
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }))
}

const NFS_EXPORTER: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nfs-exporter
  namespace: monitoring
  labels:
    helm.sh/chart: nfs-exporter-1.0.0
    app.kubernetes.io/name: nfs-exporter
    app.kubernetes.io/instance: monitoring
    app.kubernetes.io/version: "1.0.0"
    app.kubernetes.io/managed-by: Helm
    app.kubernetes.io/component: nfs-exporter
    app.kubernetes.io/part-of: monitoring
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: nfs-exporter
      app.kubernetes.io/instance: monitoring
  template:
    metadata:
      labels:
        app.kubernetes.io/name: nfs-exporter
        app.kubernetes.io/instance: monitoring
    spec:
      containers:
      - name: exporter
        image: prom/node-exporter:v1.6.0
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_deployment_converges_to_one_named_pod() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file("nfs.yaml", NFS_EXPORTER);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let _kubelets = kubelets(&cluster, "monitoring").await;
    let out = cluster
        .kubectl(&[
            "rollout",
            "status",
            "deployment/nfs-exporter",
            "-n",
            "monitoring",
            "--timeout=60s",
        ])
        .await
        .ok();
    assert!(out.contains("successfully rolled out"), "{out}");
    let pods = cluster
        .kubectl(&[
            "get",
            "pods",
            "-n",
            "monitoring",
            "-l",
            "app.kubernetes.io/name=nfs-exporter",
            "-o",
            "json",
        ])
        .await
        .json();
    let names = names(&pods);
    assert_eq!(names.len(), 1);
    let rs: Value = cluster
        .kubectl(&["get", "rs", "-n", "monitoring", "-o", "json"])
        .await
        .json();
    let rs = &items(&rs)[0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap();
    assert_eq!(rs["metadata"]["name"], format!("nfs-exporter-{hash}"));
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"],
        "1"
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"],
        "2"
    );
    let suffix = names[0]
        .strip_prefix(&format!("nfs-exporter-{hash}-"))
        .expect("named after its set");
    assert_eq!(suffix.len(), 5);
    let d: Value = cluster
        .kubectl(&[
            "get",
            "deploy",
            "nfs-exporter",
            "-n",
            "monitoring",
            "-o",
            "json",
        ])
        .await
        .json();
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let conditions = d["status"]["conditions"].as_array().unwrap();
    let find = |kind: &str| {
        conditions
            .iter()
            .find(|c| c["type"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(find("Available")["reason"], "MinimumReplicasAvailable");
    assert_eq!(
        find("Available")["message"],
        "Deployment has minimum availability."
    );
    assert_eq!(find("Progressing")["reason"], "NewReplicaSetAvailable");
    assert_eq!(
        find("Progressing")["message"],
        format!("ReplicaSet \"nfs-exporter-{hash}\" has successfully progressed.")
    );
    let printed = cluster
        .kubectl(&["get", "deploy", "-n", "monitoring"])
        .await
        .ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..4], &["nfs-exporter", "1/1", "1", "1"], "{printed}");
    let described = cluster
        .kubectl(&["describe", "deploy", "nfs-exporter", "-n", "monitoring"])
        .await
        .ok();
    assert!(
        described.contains(&format!(
            "NewReplicaSet:   nfs-exporter-{hash} (1/1 replicas created)"
        )),
        "{described}"
    );
    assert!(
        described.contains(&format!(
            "Scaled up replica set nfs-exporter-{hash} from 0 to 1"
        )),
        "{described}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_update_history_undo_scale_pause_and_restart() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let _kubelets = kubelets(&cluster, "default").await;
    cluster
        .kubectl(&[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.25",
            "--replicas=4",
        ])
        .await
        .ok();
    cluster
        .kubectl(&["rollout", "status", "deploy/web", "--timeout=60s"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "annotate",
            "deploy/web",
            "kubernetes.io/change-cause=image 1.26",
        ])
        .await
        .ok();
    cluster
        .kubectl(&["set", "image", "deploy/web", "nginx=nginx:1.26"])
        .await
        .ok();
    let out = cluster
        .kubectl(&["rollout", "status", "deploy/web", "--timeout=60s"])
        .await
        .ok();
    assert!(out.contains("successfully rolled out"), "{out}");
    let sets: Value = cluster
        .kubectl(&["get", "rs", "-l", "app=web", "-o", "json"])
        .await
        .json();
    let mut sizes: Vec<(String, i64)> = items(&sets)
        .iter()
        .map(|rs| {
            (
                rs["spec"]["template"]["spec"]["containers"][0]["image"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                rs["spec"]["replicas"].as_i64().unwrap(),
            )
        })
        .collect();
    sizes.sort();
    assert_eq!(
        sizes,
        vec![("nginx:1.25".to_string(), 0), ("nginx:1.26".to_string(), 4)]
    );
    let pods: Value = cluster
        .kubectl(&["get", "pods", "-l", "app=web", "-o", "json"])
        .await
        .json();
    let live: Vec<Value> = items(&pods)
        .into_iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .collect();
    assert!(
        live.iter()
            .all(|p| p["spec"]["containers"][0]["image"] == "nginx:1.26")
    );

    let history = cluster
        .kubectl(&["rollout", "history", "deploy/web"])
        .await
        .ok();
    let lines: Vec<&str> = history.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines[1].starts_with("REVISION"), "{history}");
    assert!(lines[2].starts_with('1'), "{history}");
    assert!(
        lines[3].starts_with('2') && lines[3].contains("image 1.26"),
        "{history}"
    );

    cluster
        .kubectl(&["rollout", "undo", "deploy/web"])
        .await
        .ok();
    cluster
        .kubectl(&["rollout", "status", "deploy/web", "--timeout=60s"])
        .await
        .ok();
    let d: Value = cluster
        .kubectl(&["get", "deploy", "web", "-o", "json"])
        .await
        .json();
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.25"
    );
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    let sets: Value = cluster
        .kubectl(&["get", "rs", "-l", "app=web", "-o", "json"])
        .await
        .json();
    assert_eq!(items(&sets).len(), 2, "the old set is reused, not copied");

    // Scaling resizes the one active set.
    cluster
        .kubectl(&["scale", "deploy/web", "--replicas=6"])
        .await
        .ok();
    cluster
        .eventually(&["get", "deploy", "web"], "6 available", |d| {
            d["status"]["availableReplicas"] == 6
        })
        .await;

    // Paused: template changes wait.
    cluster
        .kubectl(&["rollout", "pause", "deploy/web"])
        .await
        .ok();
    cluster
        .kubectl(&["set", "image", "deploy/web", "nginx=nginx:1.27"])
        .await
        .ok();
    let paused = cluster
        .eventually(&["get", "deploy", "web"], "the paused condition", |d| {
            d["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["reason"] == "DeploymentPaused"))
        })
        .await;
    // No new set yet: nothing updated (zero is left out, as upstream).
    assert!(paused["status"]["updatedReplicas"].is_null(), "{paused}");
    assert_eq!(
        items(
            &cluster
                .kubectl(&["get", "rs", "-l", "app=web", "-o", "json"])
                .await
                .json()
        )
        .len(),
        2
    );
    cluster
        .kubectl(&["rollout", "resume", "deploy/web"])
        .await
        .ok();
    cluster
        .kubectl(&["rollout", "status", "deploy/web", "--timeout=60s"])
        .await
        .ok();
    // A restart is a new template: a new set rolls out.
    cluster
        .kubectl(&["rollout", "restart", "deploy/web"])
        .await
        .ok();
    cluster
        .kubectl(&["rollout", "status", "deploy/web", "--timeout=60s"])
        .await
        .ok();
    let sets: Value = cluster
        .kubectl(&["get", "rs", "-l", "app=web", "-o", "json"])
        .await
        .json();
    assert_eq!(items(&sets).len(), 4);
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "reason=ScalingReplicaSet",
        ])
        .await
        .ok();
    assert!(events.contains("Scaled up replica set web-"), "{events}");
    assert!(events.contains("Scaled down replica set web-"), "{events}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recreate_stops_every_old_pod_before_starting_new_ones() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let _kubelets = kubelets(&cluster, "default").await;
    cluster
        .kubectl(&[
            "create",
            "deployment",
            "db",
            "--image=postgres:15",
            "--replicas=2",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "patch",
            "deploy/db",
            "--type=merge",
            "-p",
            r#"{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}"#,
        ])
        .await
        .ok();
    cluster
        .kubectl(&["rollout", "status", "deploy/db", "--timeout=60s"])
        .await
        .ok();
    cluster
        .kubectl(&["set", "image", "deploy/db", "postgres=postgres:16"])
        .await
        .ok();
    cluster
        .kubectl(&["rollout", "status", "deploy/db", "--timeout=60s"])
        .await
        .ok();
    // Events are published after the fact: wait for the last one.
    let scaling = |events: &Value| -> Vec<String> {
        items(events)
            .iter()
            .filter(|e| e["reason"] == "ScalingReplicaSet")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let events = cluster
        .eventually(
            &["get", "events", "--sort-by=.metadata.creationTimestamp"],
            "3 scaling events",
            |e| scaling(e).len() >= 3,
        )
        .await;
    let scaling = scaling(&events);
    let down = scaling
        .iter()
        .position(|m| m.contains("Scaled down"))
        .expect("the old set scaled down");
    let up = scaling
        .iter()
        .rposition(|m| m.starts_with("Scaled up"))
        .unwrap();
    assert!(down < up, "{scaling:?}");
    assert!(scaling[down].ends_with("from 2 to 0"), "{scaling:?}");
}

const ALICE: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: blockchain
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: substrate-blockchain-alice
  namespace: blockchain
  labels:
    app.kubernetes.io/component: validator
    app.kubernetes.io/role: alice
spec:
  serviceName: substrate-blockchain-alice
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: substrate-blockchain
      app.kubernetes.io/role: alice
  template:
    metadata:
      labels:
        app.kubernetes.io/name: substrate-blockchain
        app.kubernetes.io/role: alice
    spec:
      containers:
      - name: substrate
        image: "parity/substrate:latest"
        ports:
        - name: p2p
          containerPort: 30333
        volumeMounts:
        - name: blockchain-data
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: blockchain-data
      labels:
        app.kubernetes.io/component: validator
        app.kubernetes.io/role: alice
    spec:
      accessModes:
      - ReadWriteOnce
      storageClassName: ""
      resources:
        requests:
          storage: 10Gi
"#;

async fn pod_names(cluster: &TestCluster, namespace: &str, selector: &str) -> Vec<String> {
    let list = cluster
        .kubectl(&["get", "pods", "-n", namespace, "-l", selector, "-o", "json"])
        .await
        .json();
    items(&list)
        .iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_statefulset_keeps_identity_order_and_storage() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file("alice.yaml", ALICE);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let selector = "app.kubernetes.io/role=alice";
    let pod = cluster
        .eventually(
            &[
                "get",
                "pod",
                "substrate-blockchain-alice-0",
                "-n",
                "blockchain",
            ],
            "alice-0",
            |_| true,
        )
        .await;
    assert_eq!(pod["spec"]["hostname"], "substrate-blockchain-alice-0");
    assert_eq!(pod["spec"]["subdomain"], "substrate-blockchain-alice");
    assert_eq!(
        pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"],
        "substrate-blockchain-alice-0"
    );
    assert_eq!(
        pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
        "0"
    );
    assert!(
        pod["metadata"]["labels"]["controller-revision-hash"]
            .as_str()
            .unwrap()
            .starts_with("substrate-blockchain-alice-")
    );
    let volume = pod["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "blockchain-data")
        .unwrap()
        .clone();
    assert_eq!(
        volume["persistentVolumeClaim"]["claimName"],
        "blockchain-data-substrate-blockchain-alice-0"
    );
    let claims = cluster
        .kubectl(&[
            "get",
            "pvc",
            "-n",
            "blockchain",
            "-l",
            selector,
            "-o",
            "name",
        ])
        .await
        .ok();
    assert_eq!(
        claims.trim(),
        "persistentvolumeclaim/blockchain-data-substrate-blockchain-alice-0"
    );

    // OrderedReady: ordinal 1 waits until 0 is Running and Ready.
    cluster
        .kubectl(&[
            "scale",
            "sts",
            "substrate-blockchain-alice",
            "-n",
            "blockchain",
            "--replicas=3",
        ])
        .await
        .ok();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        pod_names(&cluster, "blockchain", selector).await,
        vec!["substrate-blockchain-alice-0"]
    );
    mark_ready(&cluster, "blockchain", selector).await;
    cluster
        .eventually(
            &["get", "pods", "-n", "blockchain", "-l", selector],
            "alice-1",
            |l| items(l).len() == 2,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        pod_names(&cluster, "blockchain", selector).await.len(),
        2,
        "alice-2 waits for alice-1"
    );
    let _kubelets = kubelets(&cluster, "blockchain").await;
    cluster
        .kubectl(&[
            "rollout",
            "status",
            "sts/substrate-blockchain-alice",
            "-n",
            "blockchain",
            "--timeout=60s",
        ])
        .await
        .ok();
    let mut names = pod_names(&cluster, "blockchain", selector).await;
    names.sort();
    assert_eq!(
        names,
        vec![
            "substrate-blockchain-alice-0",
            "substrate-blockchain-alice-1",
            "substrate-blockchain-alice-2"
        ]
    );
    let claims = cluster
        .kubectl(&[
            "get",
            "pvc",
            "-n",
            "blockchain",
            "-l",
            selector,
            "-o",
            "name",
        ])
        .await
        .ok();
    assert_eq!(claims.lines().count(), 3, "{claims}");
    let printed = cluster
        .kubectl(&["get", "sts", "-n", "blockchain"])
        .await
        .ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        &row[..2],
        &["substrate-blockchain-alice", "3/3"],
        "{printed}"
    );

    // A rolling update goes from the highest ordinal down.
    cluster
        .kubectl(&[
            "set",
            "image",
            "sts/substrate-blockchain-alice",
            "-n",
            "blockchain",
            "substrate=parity/substrate:v2",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "rollout",
            "status",
            "sts/substrate-blockchain-alice",
            "-n",
            "blockchain",
            "--timeout=60s",
        ])
        .await
        .ok();
    let set = cluster
        .eventually(
            &[
                "get",
                "sts",
                "substrate-blockchain-alice",
                "-n",
                "blockchain",
            ],
            "the update done",
            |s| {
                s["status"]["currentRevision"] == s["status"]["updateRevision"]
                    && s["status"]["updatedReplicas"] == 3
            },
        )
        .await;
    let update = set["status"]["updateRevision"]
        .as_str()
        .unwrap()
        .to_string();
    let pods = cluster
        .kubectl(&[
            "get",
            "pods",
            "-n",
            "blockchain",
            "-l",
            selector,
            "-o",
            "json",
        ])
        .await
        .json();
    for pod in items(&pods) {
        assert_eq!(
            pod["metadata"]["labels"]["controller-revision-hash"],
            update.as_str()
        );
        assert_eq!(pod["spec"]["containers"][0]["image"], "parity/substrate:v2");
    }
    // Events are recorded off the controller's path: the last may land
    // just after the update is done.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let deletions = loop {
        let events = cluster
            .kubectl(&[
                "get",
                "events",
                "-n",
                "blockchain",
                "--sort-by=.metadata.creationTimestamp",
                "-o",
                "json",
            ])
            .await
            .json();
        let deletions: Vec<String> = items(&events)
            .iter()
            .filter(|e| e["reason"] == "SuccessfulDelete")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect();
        if deletions.len() >= 3 || std::time::Instant::now() > deadline {
            let all: Vec<String> = items(&events)
                .iter()
                .map(|e| format!("{} x{} {}", e["reason"], e["count"], e["message"]))
                .collect();
            eprintln!("events of the namespace:\n{}", all.join("\n"));
            break deletions;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        deletions,
        vec![
            "delete Pod substrate-blockchain-alice-2 in StatefulSet substrate-blockchain-alice successful",
            "delete Pod substrate-blockchain-alice-1 in StatefulSet substrate-blockchain-alice successful",
            "delete Pod substrate-blockchain-alice-0 in StatefulSet substrate-blockchain-alice successful",
        ]
    );
    let history = cluster
        .kubectl(&[
            "rollout",
            "history",
            "sts/substrate-blockchain-alice",
            "-n",
            "blockchain",
        ])
        .await
        .ok();
    assert!(
        history.lines().any(|l| l.starts_with('1')) && history.lines().any(|l| l.starts_with('2')),
        "{history}"
    );
    cluster
        .kubectl(&[
            "rollout",
            "undo",
            "sts/substrate-blockchain-alice",
            "-n",
            "blockchain",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "rollout",
            "status",
            "sts/substrate-blockchain-alice",
            "-n",
            "blockchain",
            "--timeout=60s",
        ])
        .await
        .ok();
    let pods = cluster
        .kubectl(&[
            "get",
            "pods",
            "-n",
            "blockchain",
            "-l",
            selector,
            "-o",
            "json",
        ])
        .await
        .json();
    for pod in items(&pods) {
        assert_eq!(
            pod["spec"]["containers"][0]["image"], "parity/substrate:latest",
            "undone"
        );
    }

    // Scaled down from the highest ordinal; the claims stay.
    cluster
        .kubectl(&[
            "scale",
            "sts",
            "substrate-blockchain-alice",
            "-n",
            "blockchain",
            "--replicas=1",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pods", "-n", "blockchain", "-l", selector],
            "one pod",
            |l| items(l).len() == 1,
        )
        .await;
    assert_eq!(
        pod_names(&cluster, "blockchain", selector).await,
        vec!["substrate-blockchain-alice-0"]
    );
    // Deleting the set leaves the claims, as upstream's default retention.
    cluster
        .kubectl(&[
            "delete",
            "sts",
            "substrate-blockchain-alice",
            "-n",
            "blockchain",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pods", "-n", "blockchain", "-l", selector],
            "no pods",
            |l| items(l).is_empty(),
        )
        .await;
    let claims = cluster
        .kubectl(&[
            "get",
            "pvc",
            "-n",
            "blockchain",
            "-l",
            selector,
            "-o",
            "name",
        ])
        .await
        .ok();
    assert_eq!(claims.lines().count(), 3, "{claims}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_statefulsets_create_and_delete_at_once() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file(
        "alice.yaml",
        &ALICE
            .replace("  replicas: 1\n", "  replicas: 4\n  podManagementPolicy: Parallel\n")
            .replace("  volumeClaimTemplates:", "  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n    whenScaled: Delete\n  volumeClaimTemplates:"),
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let selector = "app.kubernetes.io/role=alice";
    // No pod is ready, yet all four exist.
    cluster
        .eventually(
            &["get", "pods", "-n", "blockchain", "-l", selector],
            "four pods",
            |l| items(l).len() == 4,
        )
        .await;
    cluster
        .kubectl(&[
            "scale",
            "sts",
            "substrate-blockchain-alice",
            "-n",
            "blockchain",
            "--replicas=2",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pods", "-n", "blockchain", "-l", selector],
            "two pods",
            |l| items(l).len() == 2,
        )
        .await;
    // whenScaled: Delete — the removed pods' claims go with them.
    cluster
        .eventually(
            &["get", "pvc", "-n", "blockchain", "-l", selector],
            "two claims",
            |l| items(l).len() == 2,
        )
        .await;
    // whenDeleted: Delete — the rest go with the set.
    cluster
        .kubectl(&[
            "delete",
            "sts",
            "substrate-blockchain-alice",
            "-n",
            "blockchain",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pvc", "-n", "blockchain", "-l", selector],
            "no claims",
            |l| items(l).is_empty(),
        )
        .await;
}

/// Ends every running pod selected by `selector` with `phase`, as a
/// kubelet reports a finished container.
async fn finish_pods(cluster: &TestCluster, selector: &str, phase: &str) -> usize {
    let list = cluster
        .kubectl(&["get", "pods", "-l", selector, "-o", "json"])
        .await
        .json();
    let mut finished = 0;
    for pod in items(&list) {
        if pod["status"]["phase"] == "Succeeded" || pod["status"]["phase"] == "Failed" {
            continue;
        }
        let name = pod["metadata"]["name"].as_str().unwrap().to_string();
        let code = if phase == "Succeeded" { 0 } else { 1 };
        let status = json!({"status": {"phase": phase, "containerStatuses": [{
            "name": pod["spec"]["containers"][0]["name"], "image": "busybox", "imageID": "", "ready": false,
            "restartCount": 0, "state": {"terminated": {"exitCode": code}}}]}});
        cluster
            .kubectl(&[
                "patch",
                "pod",
                &name,
                "--subresource=status",
                "--type=merge",
                "-p",
                &status.to_string(),
            ])
            .await
            .ok();
        finished += 1;
    }
    finished
}

fn job_condition(job: &Value, kind: &str) -> Option<Value> {
    job["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind && c["status"] == "True")
        .cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_runs_its_completions_in_parallel() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file(
        "pi.yaml",
        r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  parallelism: 2
  completions: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34
        command: ["perl", "-e", "print 1"]
"#,
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let selector = "batch.kubernetes.io/job-name=pi";
    let pods = cluster
        .eventually(&["get", "pods", "-l", selector], "two pods", |l| {
            items(l).len() == 2
        })
        .await;
    for pod in items(&pods) {
        assert!(
            pod["metadata"]["finalizers"]
                .as_array()
                .unwrap()
                .contains(&json!("batch.kubernetes.io/job-tracking"))
        );
        assert!(pod["metadata"]["name"].as_str().unwrap().starts_with("pi-"));
    }
    // Two succeed; one more runs; it succeeds too.
    assert_eq!(finish_pods(&cluster, selector, "Succeeded").await, 2);
    cluster
        .eventually(&["get", "job", "pi"], "two counted", |j| {
            j["status"]["succeeded"] == 2
        })
        .await;
    cluster
        .eventually(&["get", "pods", "-l", selector], "a third pod", |l| {
            items(l).len() == 3
        })
        .await;
    finish_pods(&cluster, selector, "Succeeded").await;
    let job = cluster
        .eventually(&["get", "job", "pi"], "completion", |j| {
            job_condition(j, "Complete").is_some()
        })
        .await;
    assert_eq!(job["status"]["succeeded"], 3);
    assert!(job["status"]["completionTime"].is_string());
    assert_eq!(
        job_condition(&job, "SuccessCriteriaMet").unwrap()["reason"],
        "CompletionsReached"
    );
    assert_eq!(
        job_condition(&job, "Complete").unwrap()["reason"],
        "CompletionsReached"
    );
    // Counted pods lose their finalizer.
    let pods = cluster
        .kubectl(&["get", "pods", "-l", selector, "-o", "json"])
        .await
        .json();
    for pod in items(&pods) {
        assert!(
            pod["metadata"]["finalizers"]
                .as_array()
                .is_none_or(|f| f.is_empty()),
            "{pod}"
        );
    }
    let printed = cluster.kubectl(&["get", "jobs"]).await.ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..3], &["pi", "Complete", "3/3"], "{printed}");
    // ttlSecondsAfterFinished: the finished Job goes, its pods with it.
    cluster
        .kubectl(&[
            "patch",
            "job",
            "pi",
            "--type=merge",
            "-p",
            r#"{"spec":{"ttlSecondsAfterFinished":1}}"#,
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pods", "-l", selector],
            "the pods collected",
            |l| items(l).is_empty(),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.kubectl(&["get", "job", "pi"]).await.success {
        assert!(
            Instant::now() < deadline,
            "the job is deleted after its TTL"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=pi",
        ])
        .await
        .ok();
    assert!(
        events.contains("Completed") && events.contains("Job completed"),
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_fails_after_its_backoff_limit() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file(
        "job.yaml",
        r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: flaky
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
"#,
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let selector = "batch.kubernetes.io/job-name=flaky";
    for attempt in 1..=2 {
        cluster
            .eventually(&["get", "pods", "-l", selector], "a pod to fail", |l| {
                items(l)
                    .iter()
                    .filter(|p| p["status"]["phase"] != "Failed")
                    .count()
                    == 1
            })
            .await;
        finish_pods(&cluster, selector, "Failed").await;
        cluster
            .eventually(&["get", "job", "flaky"], "the failure counted", |j| {
                j["status"]["failed"] == attempt
            })
            .await;
    }
    let job = cluster
        .eventually(&["get", "job", "flaky"], "the job failed", |j| {
            job_condition(j, "Failed").is_some()
        })
        .await;
    let failed = job_condition(&job, "Failed").unwrap();
    assert_eq!(failed["reason"], "BackoffLimitExceeded");
    assert_eq!(
        failed["message"],
        "Job has reached the specified backoff limit"
    );
    assert!(job_condition(&job, "FailureTarget").is_some());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pods = cluster
        .kubectl(&["get", "pods", "-l", selector, "-o", "json"])
        .await
        .json();
    assert_eq!(items(&pods).len(), 2, "no pod after the limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexed_jobs_and_suspension() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file(
        "job.yaml",
        r#"
apiVersion: batch/v1
kind: Job
metadata:
  name: shards
spec:
  completionMode: Indexed
  completions: 3
  parallelism: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
"#,
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let selector = "batch.kubernetes.io/job-name=shards";
    let pods = cluster
        .eventually(&["get", "pods", "-l", selector], "three pods", |l| {
            items(l).len() == 3
        })
        .await;
    let mut indexes: Vec<String> = items(&pods)
        .iter()
        .map(|p| {
            let index = p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(p["spec"]["hostname"], format!("shards-{index}"));
            assert!(
                p["metadata"]["name"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("shards-{index}-"))
            );
            let env = &p["spec"]["containers"][0]["env"][0];
            assert_eq!(env["name"], "JOB_COMPLETION_INDEX");
            index
        })
        .collect();
    indexes.sort();
    assert_eq!(indexes, vec!["0", "1", "2"]);
    // Suspended: the pods go, and come back on resume.
    cluster
        .kubectl(&[
            "patch",
            "job",
            "shards",
            "--type=merge",
            "-p",
            r#"{"spec":{"suspend":true}}"#,
        ])
        .await
        .ok();
    let job = cluster
        .eventually(&["get", "job", "shards"], "suspension", |j| {
            job_condition(j, "Suspended").is_some()
        })
        .await;
    assert_eq!(
        job_condition(&job, "Suspended").unwrap()["reason"],
        "JobSuspended"
    );
    cluster
        .eventually(&["get", "pods", "-l", selector], "no pods", |l| {
            items(l).is_empty()
        })
        .await;
    let job: Value = cluster
        .kubectl(&["get", "job", "shards", "-o", "json"])
        .await
        .json();
    assert!(
        job["status"]["failed"].as_i64().unwrap_or(0) == 0,
        "suspension is no failure: {job}"
    );
    cluster
        .kubectl(&[
            "patch",
            "job",
            "shards",
            "--type=merge",
            "-p",
            r#"{"spec":{"suspend":false}}"#,
        ])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods", "-l", selector], "three pods again", |l| {
            items(l).len() == 3
        })
        .await;
    finish_pods(&cluster, selector, "Succeeded").await;
    let job = cluster
        .eventually(&["get", "job", "shards"], "completion", |j| {
            job_condition(j, "Complete").is_some()
        })
        .await;
    assert_eq!(job["status"]["completedIndexes"], "0-2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cronjob_starts_jobs_on_schedule() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file(
        "cron.yaml",
        r#"
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "@every 2s"
  concurrencyPolicy: Forbid
  jobTemplate:
    metadata:
      labels:
        team: ops
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: tick
            image: busybox
            command: ["date"]
"#,
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let cronjob = cluster
        .eventually(&["get", "cronjob", "tick"], "a scheduled job", |c| {
            c["status"]["active"]
                .as_array()
                .is_some_and(|a| a.len() == 1)
        })
        .await;
    assert!(cronjob["status"]["lastScheduleTime"].is_string());
    let name = cronjob["status"]["active"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let minutes: i64 = name.strip_prefix("tick-").unwrap().parse().unwrap();
    let job: Value = cluster
        .kubectl(&["get", "job", &name, "-o", "json"])
        .await
        .json();
    assert_eq!(job["metadata"]["labels"]["team"], "ops");
    assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    let scheduled =
        job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
            .as_str()
            .unwrap();
    let at: k8s_openapi::jiff::Timestamp = scheduled.parse().unwrap();
    assert_eq!(
        at.as_second() / 60,
        minutes,
        "named after the scheduled minute"
    );
    // Forbid: while it runs, nothing else starts.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let jobs = cluster.kubectl(&["get", "jobs", "-o", "json"]).await.json();
    assert_eq!(items(&jobs).len(), 1, "{jobs}");
    // A job made by hand from the CronJob is its own, and listed.
    cluster
        .kubectl(&["create", "job", "--from=cronjob/tick", "manual"])
        .await
        .ok();
    cluster
        .eventually(&["get", "cronjob", "tick"], "the manual job listed", |c| {
            c["status"]["active"]
                .as_array()
                .is_some_and(|a| a.iter().any(|r| r["name"] == "manual"))
        })
        .await;
    let printed = cluster.kubectl(&["get", "cronjobs"]).await.ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..3], &["tick", "@every", "2s"], "{printed}");
    // Finished jobs leave the active list.
    let selector = format!("batch.kubernetes.io/job-name={name}");
    cluster
        .eventually(&["get", "pods", "-l", &selector], "the job's pod", |l| {
            !items(l).is_empty()
        })
        .await;
    finish_pods(&cluster, &selector, "Succeeded").await;
    let cronjob = cluster
        .eventually(&["get", "cronjob", "tick"], "a success", |c| {
            c["status"]["lastSuccessfulTime"].is_string()
        })
        .await;
    assert!(
        cronjob["status"]["active"]
            .as_array()
            .is_none_or(|a| !a.iter().any(|r| r["name"] == name.as_str())),
        "{cronjob}"
    );
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=tick",
        ])
        .await
        .ok();
    assert!(events.contains(&format!("Created job {name}")), "{events}");
    assert!(events.contains("SawCompletedJob"), "{events}");
}

fn node_manifest(name: &str, taints: Value) -> String {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name,
        "labels": {"kubernetes.io/hostname": name}}, "spec": {"taints": taints}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemonset_runs_one_pod_per_eligible_node() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    for (name, taints) in [
        (
            "control-plane",
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
        ),
        ("worker-1", json!([])),
        ("worker-2", json!([])),
    ] {
        let path = cluster.file(&format!("{name}.json"), &node_manifest(name, taints));
        cluster
            .kubectl(&["create", "-f", path.to_str().unwrap()])
            .await
            .ok();
    }
    let manifest = cluster.file(
        "ds.yaml",
        r#"
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
spec:
  selector:
    matchLabels:
      app: node-exporter
  template:
    metadata:
      labels:
        app: node-exporter
    spec:
      containers:
      - name: exporter
        image: prom/node-exporter:v1.6.0
"#,
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let _kubelets = kubelets(&cluster, "default").await;
    let pinned = |list: &Value| -> Vec<String> {
        let mut nodes: Vec<String> = items(list)
            .iter()
            .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
            .map(|p| {
                p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
                    ["matchFields"][0]["values"][0]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        nodes.sort();
        nodes
    };
    let pods = cluster
        .eventually(
            &["get", "pods", "-l", "app=node-exporter"],
            "a pod per worker",
            |l| pinned(l) == vec!["worker-1", "worker-2"],
        )
        .await;
    let pod = &items(&pods)[0];
    let tolerations = pod["spec"]["tolerations"].as_array().unwrap();
    assert!(
        tolerations
            .iter()
            .any(|t| t["key"] == "node.kubernetes.io/unreachable" && t["effect"] == "NoExecute")
    );
    assert!(pod["metadata"]["labels"]["controller-revision-hash"].is_string());
    cluster
        .kubectl(&["rollout", "status", "ds/node-exporter", "--timeout=60s"])
        .await
        .ok();
    let printed = cluster.kubectl(&["get", "ds", "node-exporter"]).await.ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        &row[..6],
        &["node-exporter", "2", "2", "2", "2", "2"],
        "{printed}"
    );

    // A new node gets its pod; a node that evicts loses it.
    let path = cluster.file("worker-3.json", &node_manifest("worker-3", json!([])));
    cluster
        .kubectl(&["create", "-f", path.to_str().unwrap()])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pods", "-l", "app=node-exporter"],
            "a pod on worker-3",
            |l| pinned(l).len() == 3,
        )
        .await;
    cluster
        .kubectl(&["taint", "node", "worker-1", "dedicated=db:NoExecute"])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pods", "-l", "app=node-exporter"],
            "worker-1 emptied",
            |l| pinned(l) == vec!["worker-2", "worker-3"],
        )
        .await;

    // A rolling update replaces them one at a time.
    cluster
        .kubectl(&[
            "set",
            "image",
            "ds/node-exporter",
            "exporter=prom/node-exporter:v1.7.0",
        ])
        .await
        .ok();
    cluster
        .kubectl(&["rollout", "status", "ds/node-exporter", "--timeout=60s"])
        .await
        .ok();
    let pods = cluster
        .kubectl(&["get", "pods", "-l", "app=node-exporter", "-o", "json"])
        .await
        .json();
    let live: Vec<Value> = items(&pods)
        .into_iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .collect();
    assert_eq!(live.len(), 2);
    for pod in live {
        assert_eq!(
            pod["spec"]["containers"][0]["image"],
            "prom/node-exporter:v1.7.0"
        );
    }
    let history = cluster
        .kubectl(&["rollout", "history", "ds/node-exporter"])
        .await
        .ok();
    assert!(history.lines().any(|l| l.starts_with('2')), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replication_controller_holds_its_replicas() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file(
        "rc.yaml",
        r#"
apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy
spec:
  replicas: 2
  selector:
    app: legacy
  template:
    metadata:
      labels:
        app: legacy
    spec:
      containers:
      - name: web
        image: nginx
"#,
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let pods = cluster
        .eventually(&["get", "pods", "-l", "app=legacy"], "two pods", |l| {
            items(l).len() == 2
        })
        .await;
    for pod in items(&pods) {
        assert_eq!(
            pod["metadata"]["ownerReferences"][0]["kind"],
            "ReplicationController"
        );
        assert!(
            pod["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("legacy-")
        );
    }
    mark_ready(&cluster, "default", "app=legacy").await;
    cluster
        .eventually(&["get", "rc", "legacy"], "ready replicas", |rc| {
            rc["status"]["readyReplicas"] == 2
        })
        .await;
    cluster
        .kubectl(&["scale", "rc", "legacy", "--replicas=1"])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods", "-l", "app=legacy"], "one pod", |l| {
            items(l)
                .iter()
                .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
                .count()
                == 1
        })
        .await;
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=legacy",
        ])
        .await
        .ok();
    assert!(
        events.contains("SuccessfulCreate") && events.contains("SuccessfulDelete"),
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_controller_manager_takes_over_when_the_leader_dies() {
    let cluster = TestCluster::start().await;
    let lease = |identity: &str| leader_election::LeaseConfig {
        identity: identity.into(),
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1500),
        retry_period: Duration::from_millis(200),
        ..leader_election::LeaseConfig::new("kube-system", "kube-controller-manager")
    };
    let first = cluster.start_controllers_elected(lease("first")).await;
    let holder = |lease: &Value| {
        lease["spec"]["holderIdentity"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    cluster
        .eventually(
            &[
                "get",
                "lease",
                "-n",
                "kube-system",
                "kube-controller-manager",
            ],
            "a leader",
            |l| holder(l) == "first",
        )
        .await;
    let _second = cluster.start_controllers_elected(lease("second")).await;
    cluster
        .kubectl(&[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--replicas=2",
        ])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods", "-l", "app=web"], "two pods", |l| {
            items(l).len() == 2
        })
        .await;
    first.kill();
    let died = Instant::now();
    cluster
        .kubectl(&["scale", "deploy/web", "--replicas=3"])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods", "-l", "app=web"], "three pods", |l| {
            items(l).len() == 3
        })
        .await;
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
            "kube-controller-manager",
            "-o",
            "json",
        ])
        .await
        .json();
    assert_eq!(holder(&lease), "second");
    assert_eq!(lease["spec"]["leaseTransitions"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_rollout_exceeds_its_progress_deadline() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    // No kubelet: the pods never become ready.
    cluster
        .kubectl(&["create", "deployment", "stuck", "--image=nginx"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "patch",
            "deploy/stuck",
            "--type=merge",
            "-p",
            r#"{"spec":{"progressDeadlineSeconds":2}}"#,
        ])
        .await
        .ok();
    let d = cluster
        .eventually(&["get", "deploy", "stuck"], "the deadline", |d| {
            d["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["reason"] == "ProgressDeadlineExceeded"))
        })
        .await;
    let progressing = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Progressing")
        .unwrap()
        .clone();
    assert_eq!(progressing["status"], "False");
    let hash_name = d["metadata"]["name"].as_str().unwrap();
    assert!(
        progressing["message"]
            .as_str()
            .unwrap()
            .contains("has timed out progressing"),
        "{progressing} {hash_name}"
    );
    let available = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Available")
        .unwrap()
        .clone();
    assert_eq!(available["reason"], "MinimumReplicasUnavailable");
    let err = cluster
        .kubectl(&["rollout", "status", "deploy/stuck", "--timeout=10s"])
        .await
        .err();
    assert!(err.contains("exceeded its progress deadline"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controllers_resume_after_losing_the_api_server_without_duplicates() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .kubectl(&[
            "create",
            "deployment",
            "web",
            "--image=busybox",
            "--replicas=3",
        ])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods", "-l", "app=web"], "3 pods", |l| {
            items(l).len() == 3
        })
        .await;

    // The API server goes away and comes back on its port; what changed
    // around the outage is found by the informers' relist.
    let cluster = cluster.restart_in_place(Duration::from_secs(2)).await;
    cluster
        .kubectl(&["scale", "deployment", "web", "--replicas=5"])
        .await
        .ok();
    let victim = cluster
        .kubectl(&[
            "get",
            "pods",
            "-l",
            "app=web",
            "-o",
            "jsonpath={.items[0].metadata.name}",
        ])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "pod", &victim, "--wait=false"])
        .await
        .ok();
    let live = |l: &Value| {
        items(l)
            .iter()
            .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
            .count()
    };
    cluster
        .eventually(&["get", "pods", "-l", "app=web"], "5 live pods", |l| {
            live(l) == 5
        })
        .await;
    // Nothing more comes: the set is not doubled, and one ReplicaSet
    // holds every pod.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pods = cluster
        .kubectl(&["get", "pods", "-l", "app=web", "-o", "json"])
        .await
        .json();
    assert_eq!(live(&pods), 5, "{pods}");
    let sets = cluster
        .kubectl(&["get", "rs", "-l", "app=web", "-o", "json"])
        .await
        .json();
    assert_eq!(items(&sets).len(), 1);
    assert_eq!(items(&sets)[0]["spec"]["replicas"], 5);
}
