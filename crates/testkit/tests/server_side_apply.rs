//! Server-side apply with the real kubectl: managed fields on every write,
//! two managers sharing and fighting over fields, forcing, keyed list
//! merges, removal by omission, client-side apply handing over, custom
//! kinds' list types, and refusals that write nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use testkit::TestCluster;

fn deployment(replicas: u32, extra_label: Option<&str>) -> String {
    let label = extra_label
        .map(|l| format!("\n    tier: {l}"))
        .unwrap_or_default();
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web{label}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
"#
    )
}

/// The managers of an object and their operations, as `kubectl` shows them.
fn managers(object: &Value) -> Vec<(String, String)> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["manager"].as_str().unwrap_or_default().to_string(),
                e["operation"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn owned_by(object: &Value, manager: &str) -> Value {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["manager"] == manager)
        .map(|e| e["fieldsV1"].clone())
        .unwrap_or(Value::Null)
}

async fn get(cluster: &TestCluster, what: &[&str]) -> Value {
    let mut args = vec!["get"];
    args.extend_from_slice(what);
    args.extend(["-o", "json", "--show-managed-fields"]);
    cluster.kubectl(&args).await.json()
}

async fn apply_as(
    cluster: &TestCluster,
    manager: &str,
    file: &str,
    extra: &[&str],
) -> testkit::Kubectl {
    let mut args = vec![
        "apply",
        "--server-side",
        "--field-manager",
        manager,
        "-f",
        file,
    ];
    args.extend_from_slice(extra);
    cluster.kubectl(&args).await
}

#[tokio::test]
async fn two_managers_share_fight_force_and_merge_keyed_lists() {
    let cluster = TestCluster::start().await;
    let first = cluster.file("first.yaml", &deployment(2, Some("front")));
    let first = first.to_string_lossy();
    let out = apply_as(&cluster, "alice", &first, &[]).await.ok();
    assert!(
        out.contains("deployment.apps/web serverside-applied"),
        "{out}"
    );
    let created = get(&cluster, &["deployment", "web"]).await;
    assert_eq!(
        managers(&created),
        [("alice".to_string(), "Apply".to_string())]
    );
    assert_eq!(
        owned_by(&created, "alice")["f:spec"]["f:template"]["f:spec"]["f:containers"],
        json!({"k:{\"name\":\"web\"}": {
            ".": {}, "f:image": {}, "f:name": {},
            "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}},
        }})
    );
    // Defaults are the server's, owned by no one.
    assert_eq!(
        created["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"],
        "TCP"
    );
    // Plain `get -o yaml` hides them, as upstream's kubectl does.
    let plain = cluster
        .kubectl(&["get", "deployment", "web", "-o", "yaml"])
        .await
        .ok();
    assert!(!plain.contains("managedFields"), "{plain}");

    // The same configuration again changes nothing.
    apply_as(&cluster, "alice", &first, &[]).await.ok();
    let again = get(&cluster, &["deployment", "web"]).await;
    assert_eq!(
        again["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );

    // Bob wants other replicas: a conflict naming alice and the field.
    let bob = cluster.file(
        "bob.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
    );
    let bob = bob.to_string_lossy();
    let err = apply_as(&cluster, "bob", &bob, &[]).await.err();
    assert!(
        err.contains(r#"Apply failed with 1 conflict: conflict with "alice": .spec.replicas"#),
        "{err}"
    );
    assert!(
        err.contains("--force-conflicts"),
        "kubectl explains conflicts: {err}"
    );
    // Agreeing on the value shares the field.
    let agree = cluster.file(
        "agree.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
    );
    apply_as(&cluster, "bob", &agree.to_string_lossy(), &[])
        .await
        .ok();
    let shared = get(&cluster, &["deployment", "web"]).await;
    assert_eq!(
        owned_by(&shared, "bob"),
        json!({"f:spec": {"f:replicas": {}}})
    );
    assert!(
        owned_by(&shared, "alice")["f:spec"]
            .get("f:replicas")
            .is_some()
    );
    // Forcing takes it.
    apply_as(&cluster, "bob", &bob, &["--force-conflicts"])
        .await
        .ok();
    let forced = get(&cluster, &["deployment", "web"]).await;
    assert_eq!(forced["spec"]["replicas"], 3);
    assert!(
        owned_by(&forced, "alice")["f:spec"]
            .get("f:replicas")
            .is_none()
    );

    // A second manager's container joins the list by its name.
    let sidecar = cluster.file(
        "sidecar.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: proxy, image: envoy:1}\n",
    );
    apply_as(&cluster, "mesh", &sidecar.to_string_lossy(), &[])
        .await
        .ok();
    // Alice applies again without the tier label and without replicas.
    let second = cluster.file(
        "second.yaml",
        &deployment(2, None).replace("  replicas: 2\n", ""),
    );
    apply_as(&cluster, "alice", &second.to_string_lossy(), &[])
        .await
        .ok();
    let now = get(&cluster, &["deployment", "web"]).await;
    let names: Vec<&str> = now["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web", "proxy"], "the mesh's container stays");
    assert_eq!(
        now["metadata"]["labels"],
        json!({"app": "web"}),
        "the dropped label goes"
    );
    assert_eq!(now["spec"]["replicas"], 3, "bob still owns replicas");

    // Server-side dry runs and diffs write nothing.
    let nine = cluster.file(
        "nine.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 9}\n",
    );
    let nine = nine.to_string_lossy();
    let dry = apply_as(&cluster, "bob", &nine, &["--dry-run=server"])
        .await
        .ok();
    assert!(dry.contains("serverside-applied (server dry run)"), "{dry}");
    let diff = cluster
        .kubectl(&[
            "diff",
            "--server-side",
            "--field-manager",
            "bob",
            "-f",
            &nine,
        ])
        .await;
    assert_eq!(diff.code, Some(1), "{}", diff.stderr);
    assert!(
        diff.stdout.contains("-  replicas: 3") && diff.stdout.contains("+  replicas: 9"),
        "{}",
        diff.stdout
    );
    let unchanged = get(&cluster, &["deployment", "web"]).await;
    assert_eq!(
        unchanged["metadata"]["resourceVersion"],
        now["metadata"]["resourceVersion"]
    );

    // An ordinary write records an Update by its manager.
    cluster
        .kubectl(&["label", "deployment", "web", "owner=ops"])
        .await
        .ok();
    let labelled = get(&cluster, &["deployment", "web"]).await;
    assert!(
        managers(&labelled).contains(&("kubectl-label".to_string(), "Update".to_string())),
        "{:?}",
        managers(&labelled)
    );
    assert_eq!(
        owned_by(&labelled, "kubectl-label"),
        json!({"f:metadata": {"f:labels": {"f:owner": {}}}})
    );
}

#[tokio::test]
async fn client_side_apply_hands_over_to_server_side_apply() {
    let cluster = TestCluster::start().await;
    let config = cluster.file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: a, level: '1'}\n");
    let config = config.to_string_lossy();
    cluster.kubectl(&["apply", "-f", &config]).await.ok();
    let before = get(&cluster, &["configmap", "settings"]).await;
    assert_eq!(
        managers(&before),
        [(
            "kubectl-client-side-apply".to_string(),
            "Update".to_string()
        )]
    );
    let changed = cluster.file("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: b, level: '1'}\n");
    let changed = changed.to_string_lossy();
    cluster
        .kubectl(&["apply", "--server-side", "-f", &changed])
        .await
        .ok();
    let after = get(&cluster, &["configmap", "settings"]).await;
    assert_eq!(after["data"], json!({"mode": "b", "level": "1"}));
    let names: Vec<String> = managers(&after).into_iter().map(|(m, _)| m).collect();
    assert!(names.contains(&"kubectl".to_string()), "{names:?}");
    assert!(
        !names.contains(&"kubectl-client-side-apply".to_string()),
        "{names:?}"
    );
    // The annotation follows, so client-side apply still works after.
    let last: Value = serde_json::from_str(
        after["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["data"]["mode"], "b");
    cluster.kubectl(&["apply", "-f", &config]).await.ok();
    let back = get(&cluster, &["configmap", "settings"]).await;
    assert_eq!(back["data"]["mode"], "a");
}

#[tokio::test]
async fn seed_manifests_apply_server_side_twice_without_change() {
    let cluster = TestCluster::start().await;
    let seed = cluster.file("seed.yaml", testkit::seed::FIXTURE);
    let seed = seed.to_string_lossy();
    let first = cluster
        .kubectl(&["apply", "--server-side", "-f", &seed])
        .await
        .ok();
    let applied = first.matches(" serverside-applied").count();
    assert!(applied >= 20, "{first}");
    let kinds = "deployments,statefulsets,services,persistentvolumeclaims,poddisruptionbudgets";
    let versions = |list: &Value| -> Vec<(String, String)> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    format!("{}/{}", o["kind"], o["metadata"]["name"]),
                    o["metadata"]["resourceVersion"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let before = cluster
        .kubectl(&["get", kinds, "-A", "-o", "json"])
        .await
        .json();
    let count = before["items"].as_array().unwrap().len();
    assert!(count >= 15, "{count} objects");
    let second = cluster
        .kubectl(&["apply", "--server-side", "-f", &seed])
        .await
        .ok();
    assert!(!second.contains("conflict"), "{second}");
    let after = cluster
        .kubectl(&["get", kinds, "-A", "-o", "json"])
        .await
        .json();
    assert_eq!(
        versions(&before),
        versions(&after),
        "nothing was written again"
    );
}

const WIDGETS: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [port]
                items:
                  type: object
                  required: [port]
                  properties:
                    port: {type: integer}
                    name: {type: string}
              tags:
                type: array
                x-kubernetes-list-type: set
                items: {type: string}
              notes:
                type: array
                items: {type: string}
          status:
            type: object
            properties:
              phase: {type: string}
"#;

#[tokio::test]
async fn custom_kinds_merge_by_their_schemas_list_types() {
    let cluster = TestCluster::start().await;
    cluster.apply("crd.yaml", WIDGETS).await.ok();
    cluster
        .eventually(
            &["get", "crd", "widgets.example.com"],
            "the definition established",
            |crd| {
                crd["status"]["conditions"].as_array().is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Established" && c["status"] == "True")
                })
            },
        )
        .await;
    let team_a = cluster.file(
        "a.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 1\n  ports: [{port: 80, name: http}]\n  tags: [a]\n  notes: [x]\n",
    );
    let team_b = cluster.file(
        "b.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  ports: [{port: 443, name: https}]\n  tags: [b]\n",
    );
    // Until the new kind is in kubectl's discovery.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !apply_as(&cluster, "team-a", &team_a.to_string_lossy(), &[])
        .await
        .success
    {
        assert!(std::time::Instant::now() < deadline, "widgets never served");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    apply_as(&cluster, "team-b", &team_b.to_string_lossy(), &[])
        .await
        .ok();
    let widget = get(&cluster, &["widget", "w"]).await;
    assert_eq!(
        widget["spec"]["ports"],
        json!([{"port": 80, "name": "http"}, {"port": 443, "name": "https"}])
    );
    assert_eq!(widget["spec"]["tags"], json!(["a", "b"]));
    assert_eq!(widget["spec"]["notes"], json!(["x"]));
    // An atomic list is one field: replacing it is a conflict.
    let notes = cluster.file(
        "notes.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {notes: [y]}\n",
    );
    let err = apply_as(&cluster, "team-b", &notes.to_string_lossy(), &[])
        .await
        .err();
    assert!(
        err.contains(r#"conflict with "team-a": .spec.notes"#),
        "{err}"
    );
    // Status is applied through its subresource, by its own manager.
    let status = cluster.file(
        "status.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nstatus: {phase: Ready}\n",
    );
    apply_as(
        &cluster,
        "widget-controller",
        &status.to_string_lossy(),
        &["--subresource=status"],
    )
    .await
    .ok();
    let widget = get(&cluster, &["widget", "w"]).await;
    assert_eq!(widget["status"]["phase"], "Ready");
    let entry = widget["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "widget-controller")
        .unwrap()
        .clone();
    assert_eq!(entry["subresource"], "status");
    assert_eq!(entry["fieldsV1"], json!({"f:status": {"f:phase": {}}}));
    // Team b drops its port: only that one goes.
    let b2 = cluster.file(
        "b2.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  tags: [b]\n",
    );
    apply_as(&cluster, "team-b", &b2.to_string_lossy(), &[])
        .await
        .ok();
    let widget = get(&cluster, &["widget", "w"]).await;
    assert_eq!(
        widget["spec"]["ports"],
        json!([{"port": 80, "name": "http"}])
    );
}

#[tokio::test]
async fn bad_applies_are_refused_and_write_nothing() {
    let cluster = TestCluster::start().await;
    cluster
        .kubectl(&["create", "configmap", "c", "--from-literal=a=1"])
        .await
        .ok();
    let client = cluster.admin_client().await;
    let before = get(&cluster, &["configmap", "c"]).await;
    let send = |query: &str, content_type: &str, body: &str| {
        http::Request::builder()
            .method("PATCH")
            .uri(format!("/api/v1/namespaces/default/configmaps/c{query}"))
            .header("Content-Type", content_type)
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    let refused = |result: Result<Value, kube::Error>| match result {
        Err(kube::Error::Api(status)) => (status.code, status.message),
        other => panic!("expected a refusal, got {other:?}"),
    };
    let apply = "application/apply-patch+yaml";
    let cases = [
        (
            "",
            apply,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n",
            422,
            r#"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch"#,
        ),
        (
            "?fieldManager=t",
            apply,
            "apiVersion: v2\nkind: ConfigMap\nmetadata: {name: c}\n",
            400,
            "Incorrect version specified in apply patch. Specified patch version: v2, expected: v1",
        ),
        (
            "?fieldManager=t",
            apply,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, managedFields: [{manager: x}]}\n",
            400,
            "metadata.managedFields must be nil",
        ),
        (
            "?fieldManager=t",
            apply,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [1, 2\n",
            400,
            "yaml parse error",
        ),
        (
            "?fieldManager=t&force=true",
            "application/merge-patch+json",
            r#"{"data":{"a":"2"}}"#,
            422,
            "force: Forbidden: may not be specified for non-apply patch",
        ),
        (
            "",
            "application/merge-patch+json",
            r#"{"metadata":{"managedFields":[{"manager":"m","operation":"Replace","fieldsType":"FieldsV1","fieldsV1":{}}]}}"#,
            422,
            "metadata.managedFields[0].operation: Invalid value: \"Replace\": must be `Apply` or `Update`",
        ),
        (
            &format!("?fieldManager={}", "m".repeat(129)),
            apply,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
            422,
            "fieldManager: Too long: may not be more than 128 bytes",
        ),
    ];
    for (query, content_type, body, code, message) in cases {
        let (got_code, got) = refused(
            client
                .request::<Value>(send(query, content_type, body))
                .await,
        );
        assert_eq!(got_code, code, "{query} {body}: {got}");
        assert!(got.contains(message), "{query} {body}: {got}");
    }
    // Lists keyed by name cannot hold one name twice.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: x}\n  - {name: a, image: y}\n";
    let request = http::Request::builder()
        .method("PATCH")
        .uri("/api/v1/namespaces/default/pods/p?fieldManager=t")
        .header("Content-Type", apply)
        .body(pod.as_bytes().to_vec())
        .unwrap();
    let (code, message) = refused(client.request::<Value>(request).await);
    assert_eq!(code, 400, "{message}");
    assert!(
        message.contains(r#".spec.containers: duplicate entries for key [name="a"]"#),
        "{message}"
    );
    assert!(
        !cluster.kubectl(&["get", "pod", "p"]).await.success,
        "no pod was made"
    );
    let after = get(&cluster, &["configmap", "c"]).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn replicas_are_applied_through_the_scale_subresource() {
    let cluster = TestCluster::start().await;
    let web = cluster.file("web.yaml", &deployment(2, None));
    apply_as(&cluster, "alice", &web.to_string_lossy(), &[])
        .await
        .ok();
    // As an autoscaler applies a Scale (kubectl maps files to resources,
    // and Scale is none).
    let client = cluster.admin_client().await;
    let apply_scale = |force: bool| {
        http::Request::builder()
            .method("PATCH")
            .uri(format!(
                "/apis/apps/v1/namespaces/default/deployments/web/scale?fieldManager=autoscaler&force={force}"
            ))
            .header("Content-Type", "application/apply-patch+yaml")
            .body(b"apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: web}\nspec: {replicas: 5}\n".to_vec())
            .unwrap()
    };
    match client.request::<Value>(apply_scale(false)).await {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 409);
            assert_eq!(
                status.message,
                r#"Apply failed with 1 conflict: conflict with "alice": .spec.replicas"#
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let scale: Value = client.request(apply_scale(true)).await.unwrap();
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["spec"]["replicas"], 5);
    let scaled = get(&cluster, &["deployment", "web"]).await;
    assert_eq!(scaled["spec"]["replicas"], 5);
    let entry = scaled["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "autoscaler")
        .unwrap()
        .clone();
    assert_eq!(entry["operation"], "Apply");
    assert_eq!(entry["subresource"], "scale");
    assert_eq!(entry["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
    assert!(
        owned_by(&scaled, "alice")["f:spec"]
            .get("f:replicas")
            .is_none()
    );
}
