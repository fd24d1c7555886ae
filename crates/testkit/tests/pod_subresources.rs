//! Binding pods to nodes and evicting them, through the real kubectl: the
//! calls the scheduler and `kubectl drain` make.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::TestCluster;

const NODE_AND_PODS: &str = r#"
apiVersion: v1
kind: Node
metadata:
  name: n1
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  labels:
    app: web
spec:
  containers:
  - name: app
    image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: web-2
  labels:
    app: web
spec:
  containers:
  - name: app
    image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: gated
spec:
  schedulingGates:
  - name: example.com/wait
  containers:
  - name: app
    image: nginx
"#;

fn binding(pod: &str, node: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Binding","metadata":{{"name":"{pod}","annotations":{{"bound-by":"test"}}}},"target":{{"kind":"Node","name":"{node}"}}}}"#
    )
}

async fn pod(cluster: &TestCluster, name: &str) -> Value {
    cluster
        .kubectl(&["get", "pod", name, "-o", "json"])
        .await
        .json()
}

fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_are_bound_to_nodes() {
    let cluster = TestCluster::start().await;
    let manifest = cluster.file("pods.yaml", NODE_AND_PODS);
    cluster
        .kubectl(&["create", "-f", manifest.to_str().unwrap()])
        .await
        .ok();

    // The namespaced `bindings` resource, as `kubectl create -f` sends it.
    let first = cluster.file("b1.json", &binding("web-1", "n1"));
    let out = cluster
        .kubectl(&["create", "-f", first.to_str().unwrap()])
        .await
        .ok();
    // The API answers a binding with a Success Status, which kubectl's name
    // printer shows as it does against upstream.
    assert_eq!(out.trim(), "status/<unknown> created");
    let bound = pod(&cluster, "web-1").await;
    assert_eq!(bound["spec"]["nodeName"], "n1");
    assert_eq!(bound["metadata"]["annotations"]["bound-by"], "test");
    let scheduled = condition(&bound, "PodScheduled").expect("PodScheduled condition");
    assert_eq!(scheduled["status"], "True");
    assert!(scheduled["lastTransitionTime"].is_string());

    // The pods/binding subresource, as the scheduler sends it.
    let second = cluster.file("b2.json", &binding("web-2", "n1"));
    let status: Value = serde_json::from_str(
        &cluster
            .kubectl(&[
                "create",
                "--raw",
                "/api/v1/namespaces/default/pods/web-2/binding",
                "-f",
                second.to_str().unwrap(),
            ])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(status["kind"], "Status");
    assert_eq!(status["status"], "Success");
    assert_eq!(pod(&cluster, "web-2").await["spec"]["nodeName"], "n1");
    let wide = cluster
        .kubectl(&[
            "get",
            "pods",
            "--field-selector",
            "spec.nodeName=n1",
            "-o",
            "name",
        ])
        .await
        .ok();
    assert_eq!(wide.trim(), "pod/web-1\npod/web-2");

    // A pod is bound once; a gated pod is not bound; a binding needs a node.
    let again = cluster.file("b1-again.json", &binding("web-1", "n2"));
    let err = cluster
        .kubectl(&["create", "-f", again.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains(
            "Operation cannot be fulfilled on pods/binding \"web-1\": pod web-1 is already assigned to node \"n1\""
        ),
        "{err}"
    );
    assert_eq!(pod(&cluster, "web-1").await["spec"]["nodeName"], "n1");
    let gated = cluster.file("gated.json", &binding("gated", "n1"));
    let err = cluster
        .kubectl(&["create", "-f", gated.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains("pod gated has non-empty .spec.schedulingGates"),
        "{err}"
    );
    assert!(pod(&cluster, "gated").await["spec"]["nodeName"].is_null());
    let nowhere = cluster.file(
        "nowhere.json",
        r#"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"gated"},"target":{"kind":"Pod","name":""}}"#,
    );
    let err = cluster
        .kubectl(&["create", "-f", nowhere.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains("Binding \"gated\" is invalid")
            && err.contains("target.kind: Unsupported value: \"Pod\"")
            && err.contains("target.name: Required value"),
        "{err}"
    );
    let mismatch = cluster.file("mismatch.json", &binding("web-1", "n1"));
    let err = cluster
        .kubectl(&[
            "create",
            "--raw",
            "/api/v1/namespaces/default/pods/web-2/binding",
            "-f",
            mismatch.to_str().unwrap(),
        ])
        .await
        .err();
    assert!(
        err.contains("name in URL does not match name in Binding object"),
        "{err}"
    );
    let missing = cluster.file("missing.json", &binding("ghost", "n1"));
    let err = cluster
        .kubectl(&["create", "-f", missing.to_str().unwrap()])
        .await
        .err();
    assert!(err.contains("pods \"ghost\" not found"), "{err}");
}

/// Marks a pod as running and ready, as its kubelet would.
async fn run(cluster: &TestCluster, name: &str) {
    cluster
        .kubectl(&[
            "patch",
            "pod",
            name,
            "--subresource=status",
            "--type=merge",
            "-p",
            r#"{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"#,
        ])
        .await
        .ok();
}

fn eviction(pod: &str, grace: Option<i64>) -> String {
    let options = grace.map_or(String::new(), |g| {
        format!(r#","deleteOptions":{{"gracePeriodSeconds":{g}}}"#)
    });
    format!(
        r#"{{"apiVersion":"policy/v1","kind":"Eviction","metadata":{{"name":"{pod}"}}{options}}}"#
    )
}

async fn set_budget_status(cluster: &TestCluster, generation: i64, allowed: i64, desired: i64) {
    let status = serde_json::json!({"status": {
        "observedGeneration": generation,
        "disruptionsAllowed": allowed,
        "currentHealthy": 2,
        "desiredHealthy": desired,
        "expectedPods": 2,
    }});
    cluster
        .kubectl(&[
            "patch",
            "pdb",
            "web",
            "--subresource=status",
            "--type=merge",
            "-p",
            &status.to_string(),
        ])
        .await
        .ok();
}

async fn evict(cluster: &TestCluster, name: &str, grace: Option<i64>) -> testkit::Kubectl {
    let file = cluster.file(&format!("evict-{name}.json"), &eviction(name, grace));
    let path = format!("/api/v1/namespaces/default/pods/{name}/eviction");
    cluster
        .kubectl(&["create", "--raw", &path, "-f", file.to_str().unwrap()])
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evictions_respect_disruption_budgets() {
    let cluster = TestCluster::start().await;
    let manifest = cluster.file("pods.yaml", NODE_AND_PODS);
    cluster
        .kubectl(&["create", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    for name in ["web-1", "web-2"] {
        let file = cluster.file(&format!("{name}.json"), &binding(name, "n1"));
        cluster
            .kubectl(&["create", "-f", file.to_str().unwrap()])
            .await
            .ok();
        run(&cluster, name).await;
    }
    let budget = cluster.file(
        "pdb.yaml",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels:\n      app: web\n",
    );
    cluster
        .kubectl(&["create", "-f", budget.to_str().unwrap()])
        .await
        .ok();

    // Before the disruption controller has seen the budget, evictions are
    // told to come back later (429, Retry-After 10). client-go would honour
    // that for ten rounds, so the request is cut short to read the answer.
    let pending = cluster
        .kubectl(&[
            "create",
            "--raw",
            "/api/v1/namespaces/default/pods/web-1/eviction",
            "-f",
            cluster
                .file("evict-web-1.json", &eviction("web-1", None))
                .to_str()
                .unwrap(),
            "--request-timeout=2s",
            "-v=8",
        ])
        .await
        .err();
    assert!(
        pending.contains("429 Too Many Requests")
            && pending.contains("Retry-After: 10")
            && pending
                .contains("The disruption budget web is still being processed by the server."),
        "{pending}"
    );

    // The controller's view: two pods healthy, two needed.
    set_budget_status(&cluster, 1, 0, 2).await;
    // drain cordons the node, then keeps being refused until its timeout.
    let drain = cluster
        .kubectl(&[
            "drain",
            "n1",
            "--force",
            "--grace-period=0",
            "--timeout=3s",
            "--pod-selector=app=web",
        ])
        .await;
    let err = drain.err();
    assert!(
        err.contains("Cannot evict pod as it would violate the pod's disruption budget.")
            && err.contains("global timeout reached: 3s"),
        "{err}"
    );
    let node = cluster
        .kubectl(&["get", "node", "n1", "-o", "jsonpath={.spec.unschedulable}"])
        .await
        .ok();
    assert_eq!(node, "true");
    assert!(pod(&cluster, "web-1").await["metadata"]["deletionTimestamp"].is_null());

    // The budget is relaxed (generation 2) and the controller allows one.
    cluster
        .kubectl(&[
            "patch",
            "pdb",
            "web",
            "--type=merge",
            "-p",
            r#"{"spec":{"minAvailable":1}}"#,
        ])
        .await
        .ok();
    set_budget_status(&cluster, 2, 1, 1).await;
    let out = evict(&cluster, "web-1", None).await.ok();
    let status: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["status"], "Success");
    // Bound to a node, the pod is deleted gracefully and says why it goes.
    let going = pod(&cluster, "web-1").await;
    assert!(
        going["metadata"]["deletionTimestamp"].is_string(),
        "{going}"
    );
    let target = condition(&going, "DisruptionTarget").expect("DisruptionTarget condition");
    assert_eq!(target["reason"], "EvictionByEvictionAPI");
    assert_eq!(target["message"], "Eviction API: evicting");
    let pdb = cluster
        .kubectl(&["get", "pdb", "web", "-o", "json"])
        .await
        .json();
    assert_eq!(pdb["status"]["disruptionsAllowed"], 0);
    assert!(pdb["status"]["disruptedPods"]["web-1"].is_string(), "{pdb}");
    let allowed = condition(&pdb, "DisruptionAllowed").expect("DisruptionAllowed condition");
    assert_eq!(
        (&allowed["status"], &allowed["reason"]),
        (&Value::from("False"), &Value::from("InsufficientPods"))
    );

    // The budget is spent: 429 with the budget's numbers, nothing deleted.
    let err = evict(&cluster, "web-2", Some(0)).await.err();
    assert!(
        err.contains("Cannot evict pod as it would violate the pod's disruption budget."),
        "{err}"
    );
    let raw = cluster
        .kubectl(&[
            "create",
            "--raw",
            "/api/v1/namespaces/default/pods/web-2/eviction",
            "-f",
            cluster
                .file("evict-web-2.json", &eviction("web-2", Some(0)))
                .to_str()
                .unwrap(),
            "-v=8",
        ])
        .await;
    let log = raw.err();
    assert!(
        log.contains("429 Too Many Requests")
            && log.contains("The disruption budget web needs 1 healthy pods and has 2 currently"),
        "{log}"
    );
    assert!(pod(&cluster, "web-2").await["metadata"]["deletionTimestamp"].is_null());

    // Pods that cost no disruption go without asking: a pending one, and
    // one with no budget; with grace period 0 they are gone at once.
    let err = evict(&cluster, "gated", Some(0)).await.ok();
    assert!(err.contains("Success"), "{err}");
    let gone = cluster.kubectl(&["get", "pod", "gated"]).await.err();
    assert!(gone.contains("pods \"gated\" not found"), "{gone}");
    cluster
        .kubectl(&["label", "pod", "web-2", "app-"])
        .await
        .ok();
    evict(&cluster, "web-2", Some(0)).await.ok();
    let gone = cluster.kubectl(&["get", "pod", "web-2"]).await.err();
    assert!(gone.contains("pods \"web-2\" not found"), "{gone}");

    // Bad evictions.
    let err = evict(&cluster, "ghost", None).await.err();
    assert!(err.contains("pods \"ghost\" not found"), "{err}");
    let wrong = cluster.file("wrong.json", &eviction("web-1", None));
    let err = cluster
        .kubectl(&[
            "create",
            "--raw",
            "/api/v1/namespaces/default/pods/web-2/eviction",
            "-f",
            wrong.to_str().unwrap(),
        ])
        .await
        .err();
    assert!(
        err.contains("name in URL does not match name in Eviction object"),
        "{err}"
    );
}
