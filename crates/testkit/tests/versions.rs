//! Kinds served at more than one version: autoscaling/v1 and v2
//! HorizontalPodAutoscalers, core and events.k8s.io Events. Each version
//! reads and writes the same stored objects in its own shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use testkit::TestCluster;

async fn raw(cluster: &TestCluster, path: &str) -> Value {
    cluster.kubectl(&["get", "--raw", path]).await.json()
}

const HPA_V1: &str = "horizontalpodautoscalers.v1.autoscaling";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoscalers_are_served_at_v1_and_v2() {
    let cluster = TestCluster::start().await;
    let versions = cluster.kubectl(&["api-versions"]).await.ok();
    assert!(
        versions.contains("autoscaling/v1\n") && versions.contains("autoscaling/v2\n"),
        "{versions}"
    );
    let group = raw(&cluster, "/apis/autoscaling").await;
    assert_eq!(group["preferredVersion"]["version"], "v2");

    cluster
        .kubectl(&["create", "deployment", "web", "--image=nginx"])
        .await
        .ok();
    // kubectl 1.32 creates autoscalers through autoscaling/v1 (protobuf).
    let created = cluster
        .kubectl_release(
            "1.32",
            &[
                "autoscale",
                "deployment",
                "web",
                "--min=2",
                "--max=5",
                "--cpu-percent=60",
            ],
        )
        .await
        .ok();
    assert_eq!(
        created.trim(),
        "horizontalpodautoscaler.autoscaling/web autoscaled"
    );
    let v2 = cluster
        .kubectl(&["get", "hpa", "web", "-o", "json"])
        .await
        .json();
    assert_eq!(v2["apiVersion"], "autoscaling/v2");
    assert_eq!(
        v2["spec"]["metrics"],
        json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 60}}}])
    );
    let v1 = cluster
        .kubectl(&["get", HPA_V1, "web", "-o", "json"])
        .await
        .json();
    assert_eq!(v1["apiVersion"], "autoscaling/v1");
    assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 60);
    assert!(v1["spec"].get("metrics").is_none());
    assert_eq!(
        v1["metadata"]["resourceVersion"],
        v2["metadata"]["resourceVersion"]
    );

    // A patch in v1's shape changes the v2 object.
    cluster
        .kubectl(&[
            "patch",
            HPA_V1,
            "web",
            "--type=merge",
            "-p",
            r#"{"spec":{"targetCPUUtilizationPercentage":75}}"#,
        ])
        .await
        .ok();
    let v2 = raw(
        &cluster,
        "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web",
    )
    .await;
    assert_eq!(
        v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        75
    );
    let printed = cluster.kubectl(&["get", "hpa"]).await.ok();
    assert!(
        printed
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("cpu: <unknown>/75%")),
        "{printed}"
    );

    // Metrics v1 has no field for survive a v1 client's read-modify-write.
    cluster
        .kubectl_with(
            &["apply", "-f", "-"],
            &[],
            Some(
                r#"{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "mem"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                  "maxReplicas": 4,
                  "metrics": [{"type": "Resource", "resource": {"name": "memory",
                    "target": {"type": "AverageValue", "averageValue": "100Mi"}}}]}}"#,
            ),
        )
        .await
        .ok();
    let mut v1 = cluster
        .kubectl(&["get", HPA_V1, "mem", "-o", "json"])
        .await
        .json();
    let kept = v1["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"]
        .as_str()
        .expect("other metrics kept in an annotation")
        .to_string();
    assert!(kept.contains("\"targetAverageValue\":\"100Mi\""), "{kept}");
    v1["spec"]["maxReplicas"] = json!(6);
    cluster
        .kubectl_with(&["replace", "-f", "-"], &[], Some(&v1.to_string()))
        .await
        .ok();
    let v2 = cluster
        .kubectl(&["get", "hpa", "mem", "-o", "json"])
        .await
        .json();
    assert_eq!(v2["spec"]["maxReplicas"], 6);
    assert_eq!(
        v2["spec"]["metrics"],
        json!([{"type": "Resource", "resource": {"name": "memory",
            "target": {"type": "AverageValue", "averageValue": "100Mi"}}}])
    );
    assert!(
        v2["metadata"]
            .get("annotations")
            .is_none_or(|a| a.get("autoscaling.alpha.kubernetes.io/metrics").is_none())
    );

    // Field validation knows each version's fields.
    let refused = cluster
        .kubectl_with(
            &["create", "--validate=strict", "-f", "-"],
            &[],
            Some(
                r#"{"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "bad"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 2,
                  "metrics": []}}"#,
            ),
        )
        .await
        .err();
    assert!(
        refused.contains("unknown field \"spec.metrics\""),
        "{refused}"
    );

    // Lists and watches speak the requested version too.
    let list = raw(
        &cluster,
        "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
    )
    .await;
    assert_eq!(list["kind"], "HorizontalPodAutoscalerList");
    assert_eq!(list["apiVersion"], "autoscaling/v1");
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["apiVersion"] == "autoscaling/v1" && i["spec"].get("metrics").is_none())
    );
    let watched = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers?watch=1&timeoutSeconds=1",
        ])
        .await
        .ok();
    let events: Vec<Value> = watched
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2, "{watched}");
    assert!(
        events
            .iter()
            .all(|e| e["object"]["apiVersion"] == "autoscaling/v1")
    );
    cluster.kubectl(&["delete", HPA_V1, "web"]).await.ok();
    let gone = cluster.kubectl(&["get", "hpa", "web"]).await.err();
    assert!(
        gone.contains("horizontalpodautoscalers.autoscaling \"web\" not found"),
        "{gone}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_served_by_both_event_apis() {
    let cluster = TestCluster::start().await;
    cluster
        .kubectl_with(
            &["create", "-f", "-"],
            &[],
            Some(
                r#"{"apiVersion": "events.k8s.io/v1", "kind": "Event",
                "metadata": {"name": "web.1", "namespace": "default"},
                "eventTime": "2026-01-01T00:00:00.000000Z",
                "reportingController": "example.com/scaler", "reportingInstance": "scaler-1",
                "action": "Scale", "reason": "Scaled", "type": "Normal", "note": "scaled web to 3",
                "regarding": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "default"}}"#,
            ),
        )
        .await
        .ok();
    // The core API sees the same event with the older field names.
    let core = cluster
        .kubectl(&["get", "events.v1.", "web.1", "-o", "json"])
        .await
        .json();
    assert_eq!(core["apiVersion"], "v1");
    assert_eq!(core["message"], "scaled web to 3");
    assert_eq!(core["involvedObject"]["name"], "web");
    assert_eq!(core["reportingComponent"], "example.com/scaler");
    let printed = cluster.kubectl(&["get", "events"]).await.ok();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    );
    assert!(
        lines[1].contains("Normal   Scaled   deployment/web   scaled web to 3"),
        "{printed}"
    );

    // An event written through the core API reads in the new shape.
    cluster
        .kubectl_with(
            &["create", "-f", "-"],
            &[],
            Some(
                r#"{"apiVersion": "v1", "kind": "Event",
                "metadata": {"name": "web.2", "namespace": "default"},
                "involvedObject": {"kind": "Pod", "name": "web-1", "namespace": "default"},
                "reason": "Pulled", "message": "image pulled", "type": "Normal", "count": 2,
                "source": {"component": "kubelet", "host": "n1"},
                "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:01:00Z"}"#,
            ),
        )
        .await
        .ok();
    let new = raw(
        &cluster,
        "/apis/events.k8s.io/v1/namespaces/default/events/web.2",
    )
    .await;
    assert_eq!(new["apiVersion"], "events.k8s.io/v1");
    assert_eq!(new["note"], "image pulled");
    assert_eq!(new["regarding"]["name"], "web-1");
    assert_eq!(new["deprecatedCount"], 2);
    assert_eq!(new["deprecatedSource"]["component"], "kubelet");
    assert_eq!(new["deprecatedLastTimestamp"], "2026-01-01T00:01:00Z");
    assert!(new.get("message").is_none() && new.get("involvedObject").is_none());

    // Field selectors and watches work through the new API as well.
    let selected = raw(
        &cluster,
        "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=reason%3DPulled",
    )
    .await;
    let names: Vec<&str> = selected["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["metadata"]["name"].as_str())
        .collect();
    assert_eq!(names, ["web.2"]);
    let watched = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/apis/events.k8s.io/v1/namespaces/default/events?watch=1&timeoutSeconds=1",
        ])
        .await
        .ok();
    assert_eq!(watched.lines().count(), 2, "{watched}");
    for line in watched.lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        assert_eq!(event["object"]["apiVersion"], "events.k8s.io/v1");
        assert!(event["object"].get("note").is_some());
    }
}
