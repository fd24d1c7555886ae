//! PodDisruptionBudgets end to end with the real kubectl: the disruption
//! controller's status for integer and percentage budgets, and
//! `kubectl drain` evicting within the budget while the Deployment
//! replaces the pods on the other (simulated) nodes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::TestCluster;

fn status(budget: &Value, field: &str) -> i64 {
    budget["status"][field].as_i64().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread")]
async fn budgets_count_healthy_pods_and_drain_evicts_within_them() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let _nodes = cluster.start_simulated_nodes(3).await;
    cluster
        .apply(
            "app.yaml",
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-min}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-half}
spec:
  maxUnavailable: 50%
  selector: {matchLabels: {app: web}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: nothing}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: none}}
"#,
        )
        .await
        .ok();
    let budget = cluster
        .eventually(
            &["get", "pdb", "web-min"],
            "the budget to count 3 healthy pods",
            |b| status(b, "currentHealthy") == 3,
        )
        .await;
    assert_eq!(status(&budget, "expectedPods"), 3);
    assert_eq!(status(&budget, "desiredHealthy"), 2);
    assert_eq!(status(&budget, "disruptionsAllowed"), 1);
    assert_eq!(budget["status"]["observedGeneration"], 1);
    let condition = &budget["status"]["conditions"][0];
    assert_eq!(condition["type"], "DisruptionAllowed");
    assert_eq!(condition["status"], "True");
    assert_eq!(condition["reason"], "SufficientPods");
    // 50% of the Deployment's 3 replicas, rounded up, may be unavailable.
    let half = cluster
        .eventually(&["get", "pdb", "web-half"], "the percentage budget", |b| {
            status(b, "currentHealthy") == 3
        })
        .await;
    assert_eq!(status(&half, "desiredHealthy"), 1);
    assert_eq!(status(&half, "disruptionsAllowed"), 2);
    let nothing = cluster
        .eventually(
            &["get", "pdb", "nothing"],
            "the empty budget's status",
            |b| b["status"]["conditions"][0]["reason"] == "InsufficientPods",
        )
        .await;
    assert_eq!(status(&nothing, "expectedPods"), 0);
    assert_eq!(status(&nothing, "disruptionsAllowed"), 0);
    let printed = cluster.kubectl(&["get", "pdb", "web-min"]).await.ok();
    let row = printed.lines().nth(1).unwrap_or_default();
    let columns: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&columns[..4], ["web-min", "2", "N/A", "1"], "{printed}");

    // Drain the node holding the most web pods.
    let pods = cluster
        .kubectl(&["get", "pods", "-l", "app=web", "-o", "json"])
        .await
        .json();
    let mut per_node = std::collections::BTreeMap::<String, usize>::new();
    for pod in pods["items"].as_array().into_iter().flatten() {
        *per_node
            .entry(
                pod["spec"]["nodeName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
            .or_default() += 1;
    }
    let (node, _) = per_node
        .iter()
        .max_by_key(|(_, count)| **count)
        .map(|(n, c)| (n.clone(), *c))
        .unwrap_or_default();
    // Two budgets over one pod: the eviction subresource refuses, as
    // upstream's does.
    let refused = cluster
        .kubectl(&["drain", &node, "--ignore-daemonsets", "--timeout=5s"])
        .await;
    assert!(!refused.success);
    assert!(
        refused
            .stderr
            .contains("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."),
        "{}",
        refused.stderr
    );
    cluster.kubectl(&["delete", "pdb", "web-half"]).await.ok();
    let drained = cluster
        .kubectl(&[
            "drain",
            &node,
            "--ignore-daemonsets",
            "--delete-emptydir-data",
            "--timeout=90s",
        ])
        .await;
    assert!(drained.success, "{}\n{}", drained.stdout, drained.stderr);
    assert!(
        drained.stdout.contains(&format!("node/{node} drained")),
        "{}",
        drained.stdout
    );
    let cordoned = cluster
        .kubectl(&["get", "node", &node, "-o", "json"])
        .await
        .json();
    assert_eq!(cordoned["spec"]["unschedulable"], true);
    let pods = cluster
        .eventually(
            &["get", "pods", "-l", "app=web"],
            "three web pods elsewhere",
            |list| {
                list["items"].as_array().is_some_and(|items| {
                    items.len() == 3
                        && items.iter().all(|p| {
                            p["spec"]["nodeName"] != node.as_str()
                                && p["status"]["phase"] == "Running"
                        })
                })
            },
        )
        .await;
    assert_eq!(pods["items"].as_array().map(Vec::len), Some(3));
    cluster
        .eventually(
            &["get", "pdb", "web-min"],
            "the budget healthy again",
            |b| status(b, "currentHealthy") == 3 && status(b, "disruptionsAllowed") == 1,
        )
        .await;
    let uncordoned = cluster.kubectl(&["uncordon", &node]).await.ok();
    assert!(uncordoned.contains("uncordoned"), "{uncordoned}");
    let node_object = cluster
        .kubectl(&["get", "node", &node, "-o", "json"])
        .await
        .json();
    assert!(
        node_object["spec"]["unschedulable"].is_null()
            || node_object["spec"]["unschedulable"] == false
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pod_gc_keeps_only_the_newest_terminated_pods_over_its_threshold() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster
        .start_controllers_with(|o| o.terminated_pod_gc_threshold = 2)
        .await;
    for name in ["first", "second", "third", "fourth", "running"] {
        let manifest = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  - {{name: app, image: app}}\n"
        );
        cluster.apply(&format!("{name}.yaml"), &manifest).await.ok();
        if name != "running" {
            cluster
                .kubectl(&[
                    "patch",
                    "pod",
                    name,
                    "--subresource=status",
                    "--type=merge",
                    "-p",
                    r#"{"status":{"phase":"Succeeded"}}"#,
                ])
                .await
                .ok();
        }
        // Creation timestamps have whole seconds.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    let left = cluster
        .eventually(
            &["get", "pods"],
            "two terminated pods and the running one",
            |list| {
                list["items"]
                    .as_array()
                    .is_some_and(|items| items.len() == 3)
            },
        )
        .await;
    let mut names: Vec<&str> = left["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["metadata"]["name"].as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["fourth", "running", "third"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_disruption_mark_is_cleared() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .kubectl(&["run", "kept", "--image=busybox"])
        .await
        .ok();
    // Marked by an eviction three minutes ago that never deleted it.
    let marked = seconds_ago(180);
    let status = serde_json::json!({"status": {"conditions": [{
        "type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI",
        "message": "Eviction API: evicting", "lastTransitionTime": marked}]}});
    cluster
        .kubectl(&[
            "patch",
            "pod",
            "kept",
            "--subresource=status",
            "--type=strategic",
            "-p",
            &status.to_string(),
        ])
        .await
        .ok();
    cluster
        .eventually(&["get", "pod", "kept"], "the stale mark cleared", |p| {
            p["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "DisruptionTarget" && c["status"] == "False")
            })
        })
        .await;
}

/// An RFC 3339 time `seconds` ago.
fn seconds_ago(seconds: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    k8s_openapi::jiff::Timestamp::from_second((now - seconds) as i64)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}
