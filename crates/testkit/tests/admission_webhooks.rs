//! Admission webhooks: the cluster's Validating and
//! MutatingWebhookConfigurations called for the writes they match, with
//! real kubectl against webhook servers written here (HTTPS with their own
//! CA, behind Services).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use testkit::TestCluster;
use testkit::webhook::{Reply, WebhookServer, admission_response, serve};

/// A Service `name` in `default` whose endpoint is the webhook server.
fn service_for(name: &str, server: &WebhookServer) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  ports:\n  - name: https\n    port: 443\n    targetPort: {port}\n---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: {name}\n  namespace: default\nsubsets:\n- addresses:\n  - ip: 127.0.0.1\n  ports:\n  - name: https\n    port: {port}\n",
        port = server.port
    )
}

/// One webhook of a configuration, reached through the Service `service`.
fn webhook(name: &str, service: &str, bundle: &str, extra: &str) -> String {
    format!(
        "- name: {name}\n  admissionReviewVersions: [v1]\n  sideEffects: None\n  clientConfig:\n    service: {{namespace: default, name: {service}, path: /{name}}}\n    caBundle: {bundle}\n{extra}"
    )
}

fn configuration(kind: &str, name: &str, webhooks: &[String]) -> String {
    format!(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {name}\nwebhooks:\n{}",
        webhooks.concat()
    )
}

const CONFIGMAP_RULES: &str = "  rules:\n  - operations: [CREATE, UPDATE]\n    apiGroups: [\"\"]\n    apiVersions: [v1]\n    resources: [configmaps]\n";

/// The handler of every webhook in this test, by its path.
fn handle(path: &str, review: &Value) -> Reply {
    let request = &review["request"];
    let object = &request["object"];
    match path.split('?').next().unwrap_or_default() {
        // Refuses ConfigMaps holding a `forbidden` key, warns about `old`.
        "/deny.example.com" => {
            if object["data"].get("forbidden").is_some() {
                Reply::Json(admission_response(
                    review,
                    false,
                    Some("the forbidden key is not allowed here"),
                    None,
                    &[],
                ))
            } else if object["data"].get("old").is_some() {
                Reply::Json(admission_response(
                    review,
                    true,
                    None,
                    None,
                    &["the old key is deprecated"],
                ))
            } else {
                Reply::Json(admission_response(review, true, None, None, &[]))
            }
        }
        // Two mutating webhooks, in order: the second sees the first's label.
        "/first.example.com" => {
            let patch = if object["metadata"].get("labels").is_some() {
                json!([{"op": "add", "path": "/metadata/labels/order", "value": "first"}])
            } else {
                json!([{"op": "add", "path": "/metadata/labels", "value": {"order": "first"}}])
            };
            Reply::Json(admission_response(review, true, None, Some(patch), &[]))
        }
        "/second.example.com" => {
            let seen = object["metadata"]["labels"]["order"]
                .as_str()
                .unwrap_or("none");
            let patch = json!([{"op": "replace", "path": "/metadata/labels/order", "value": format!("{seen}-second")}]);
            Reply::Json(admission_response(review, true, None, Some(patch), &[]))
        }
        "/slow.example.com" => Reply::Hang(std::time::Duration::from_secs(5)),
        // Custom objects: too big ones refused, the others labelled.
        "/gizmo-size.example.com" => {
            let allowed = object["spec"]["size"].as_i64().unwrap_or(0) <= 10;
            Reply::Json(admission_response(
                review,
                allowed,
                (!allowed).then_some("gizmos are at most 10"),
                None,
                &[],
            ))
        }
        "/gizmo-label.example.com" => {
            let patch = json!([{"op": "add", "path": "/metadata/labels", "value": {"checked": "by-webhook"}}]);
            Reply::Json(admission_response(review, true, None, Some(patch), &[]))
        }
        "/everything.example.com" => Reply::Json(admission_response(
            review,
            false,
            Some("no writes at all"),
            None,
            &[],
        )),
        _ => Reply::Raw("not a review".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admission_webhooks_deny_mutate_and_fail_as_configured() {
    let cluster = TestCluster::start().await;
    let server = serve(&["hooks.default.svc"], |received| {
        handle(&received.path, &received.body)
    })
    .await;
    let bundle = server.ca_bundle.clone();
    cluster
        .apply("hooks.yaml", &service_for("hooks", &server))
        .await
        .ok();
    cluster
        .kubectl(&["create", "namespace", "guarded"])
        .await
        .ok();
    cluster
        .kubectl(&["label", "namespace", "guarded", "webhooks=on"])
        .await
        .ok();
    cluster.kubectl(&["create", "namespace", "open"]).await.ok();

    // Configurations whose webhooks could not be called are refused.
    let broken = configuration(
        "ValidatingWebhookConfiguration",
        "broken",
        &[format!(
            "- name: short\n  admissionReviewVersions: [v2]\n  timeoutSeconds: 31\n  clientConfig:\n    url: http://127.0.0.1:1/\n  matchConditions:\n  - name: broken\n    expression: \"object.metadata.name ==\"\n{CONFIGMAP_RULES}"
        )],
    );
    let refused = cluster.apply("broken.yaml", &broken).await.err();
    for expected in [
        "webhooks[0].name: Invalid value: \"short\": should be a domain with at least three segments separated by dots",
        "webhooks[0].admissionReviewVersions: Invalid value: []string{\"v2\"}: must include at least one of v1, v1beta1",
        "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
        "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
        "webhooks[0].clientConfig.url: Invalid value: \"http://127.0.0.1:1/\": 'https' is the only allowed URL scheme",
        "webhooks[0].matchConditions[0].expression: Invalid value: \"object.metadata.name ==\": compilation failed: ERROR: <input>:1:",
    ] {
        assert!(refused.contains(expected), "{expected} not in {refused}");
    }

    // A validating webhook for ConfigMaps in namespaces labelled webhooks=on.
    let deny = webhook(
        "deny.example.com",
        "hooks",
        &bundle,
        &format!(
            "{CONFIGMAP_RULES}  namespaceSelector:\n    matchLabels: {{webhooks: \"on\"}}\n  matchConditions:\n  - name: not-skipped\n    expression: \"!object.metadata.name.startsWith('skip-')\"\n"
        ),
    );
    cluster
        .apply(
            "deny.yaml",
            &configuration("ValidatingWebhookConfiguration", "deny", &[deny]),
        )
        .await
        .ok();
    let refused = cluster
        .kubectl(&[
            "create",
            "configmap",
            "bad",
            "-n",
            "guarded",
            "--from-literal=forbidden=1",
        ])
        .await
        .err();
    assert!(
        refused.contains(
            "admission webhook \"deny.example.com\" denied the request: the forbidden key is not allowed here"
        ),
        "{refused}"
    );
    // An object its match conditions leave out: not asked.
    cluster
        .kubectl(&[
            "create",
            "configmap",
            "skip-this",
            "-n",
            "guarded",
            "--from-literal=forbidden=1",
        ])
        .await
        .ok();
    // Not in a selected namespace: not asked.
    cluster
        .kubectl(&[
            "create",
            "configmap",
            "bad",
            "-n",
            "open",
            "--from-literal=forbidden=1",
        ])
        .await
        .ok();
    // Warnings reach the client.
    let warned = cluster
        .kubectl(&[
            "create",
            "configmap",
            "aging",
            "-n",
            "guarded",
            "--from-literal=old=1",
        ])
        .await;
    assert!(
        warned.stderr.contains("Warning: the old key is deprecated"),
        "{}",
        warned.stderr
    );
    // A dry run goes to webhooks without side effects.
    let refused = cluster
        .kubectl(&[
            "create",
            "configmap",
            "dry",
            "-n",
            "guarded",
            "--from-literal=forbidden=1",
            "--dry-run=server",
        ])
        .await
        .err();
    assert!(refused.contains("denied the request"), "{refused}");
    let review = server
        .received
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r.path.starts_with("/deny.example.com"))
        .map(|r| r.body.clone())
        .unwrap();
    let request = &review["request"];
    assert_eq!(request["dryRun"], true);
    assert_eq!(request["operation"], "CREATE");
    assert_eq!(request["namespace"], "guarded");
    assert_eq!(
        request["resource"],
        json!({"group": "", "version": "v1", "resource": "configmaps"})
    );
    assert_eq!(request["userInfo"]["username"], "admin");
    assert!(
        server
            .received
            .lock()
            .unwrap()
            .iter()
            .all(|r| r.path.contains("timeout=10s"))
    );

    // Two mutating webhooks in order, for objects labelled mutate=yes.
    let selector = "  objectSelector:\n    matchLabels: {mutate: \"yes\"}\n";
    let first = webhook(
        "first.example.com",
        "hooks",
        &bundle,
        &format!("{CONFIGMAP_RULES}{selector}"),
    );
    let second = webhook(
        "second.example.com",
        "hooks",
        &bundle,
        &format!("{CONFIGMAP_RULES}{selector}"),
    );
    cluster
        .apply(
            "mutate.yaml",
            &configuration("MutatingWebhookConfiguration", "mutate", &[first, second]),
        )
        .await
        .ok();
    cluster
        .apply(
            "mutated.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mutated\n  namespace: open\n  labels: {mutate: \"yes\"}\ndata: {a: b}\n",
        )
        .await
        .ok();
    let order = cluster
        .kubectl(&[
            "get",
            "configmap",
            "mutated",
            "-n",
            "open",
            "-o",
            "jsonpath={.metadata.labels.order}",
        ])
        .await
        .ok();
    assert_eq!(order, "first-second");
    cluster
        .kubectl(&["create", "configmap", "untouched", "-n", "open"])
        .await
        .ok();
    let labels = cluster
        .kubectl(&[
            "get",
            "configmap",
            "untouched",
            "-n",
            "open",
            "-o",
            "jsonpath={.metadata.labels}",
        ])
        .await
        .ok();
    assert_eq!(labels, "", "not selected, not mutated");

    // A webhook that does not answer in time: Ignore lets the write
    // through, Fail refuses it, each within its timeout.
    let slow = |policy: &str| {
        webhook(
            "slow.example.com",
            "hooks",
            &bundle,
            &format!(
                "{CONFIGMAP_RULES}  timeoutSeconds: 1\n  failurePolicy: {policy}\n  namespaceSelector:\n    matchLabels: {{slow: \"yes\"}}\n"
            ),
        )
    };
    cluster.kubectl(&["create", "namespace", "slow"]).await.ok();
    cluster
        .kubectl(&["label", "namespace", "slow", "slow=yes"])
        .await
        .ok();
    cluster
        .apply(
            "slow.yaml",
            &configuration("ValidatingWebhookConfiguration", "slow", &[slow("Ignore")]),
        )
        .await
        .ok();
    let started = std::time::Instant::now();
    cluster
        .kubectl(&["create", "configmap", "through", "-n", "slow"])
        .await
        .ok();
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    cluster
        .apply(
            "slow.yaml",
            &configuration("ValidatingWebhookConfiguration", "slow", &[slow("Fail")]),
        )
        .await
        .ok();
    let refused = cluster
        .kubectl(&["create", "configmap", "stopped", "-n", "slow"])
        .await
        .err();
    assert!(
        refused.contains("failed calling webhook \"slow.example.com\"")
            && refused.contains("context deadline exceeded"),
        "{refused}"
    );
    assert!(
        cluster
            .kubectl(&["get", "configmap", "stopped", "-n", "slow"])
            .await
            .err()
            .contains("NotFound")
    );

    // Without the CA bundle the webhook's certificate is not trusted: a
    // failing-closed webhook refuses.
    let untrusted = webhook(
        "deny.example.com",
        "hooks",
        "\"\"",
        &format!("{CONFIGMAP_RULES}  namespaceSelector:\n    matchLabels: {{webhooks: \"on\"}}\n"),
    );
    cluster
        .apply(
            "deny.yaml",
            &configuration("ValidatingWebhookConfiguration", "deny", &[untrusted]),
        )
        .await
        .ok();
    let refused = cluster
        .kubectl(&["create", "configmap", "fine", "-n", "guarded"])
        .await
        .err();
    assert!(
        refused.contains("failed calling webhook \"deny.example.com\""),
        "{refused}"
    );

    // Custom objects go through webhooks as built-in ones do.
    cluster
        .apply(
            "gizmo-crd.yaml",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gizmos.example.com\nspec:\n  group: example.com\n  names: {kind: Gizmo, plural: gizmos}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size: {type: integer}\n",
        )
        .await
        .ok();
    cluster
        .kubectl(&[
            "wait",
            "--for=condition=Established",
            "crd/gizmos.example.com",
            "--timeout=30s",
        ])
        .await
        .ok();
    let gizmo_rules = "  rules:\n  - operations: [CREATE, UPDATE]\n    apiGroups: [example.com]\n    apiVersions: [v1]\n    resources: [gizmos]\n";
    cluster
        .apply(
            "gizmo-size.yaml",
            &configuration(
                "ValidatingWebhookConfiguration",
                "gizmo-size",
                &[webhook(
                    "gizmo-size.example.com",
                    "hooks",
                    &bundle,
                    gizmo_rules,
                )],
            ),
        )
        .await
        .ok();
    cluster
        .apply(
            "gizmo-label.yaml",
            &configuration(
                "MutatingWebhookConfiguration",
                "gizmo-label",
                &[webhook(
                    "gizmo-label.example.com",
                    "hooks",
                    &bundle,
                    gizmo_rules,
                )],
            ),
        )
        .await
        .ok();
    let gizmo = |name: &str, size: i64| {
        format!(
            "apiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: {name}\n  namespace: open\nspec:\n  size: {size}\n"
        )
    };
    let refused = cluster.apply("big.yaml", &gizmo("big", 11)).await.err();
    assert!(
        refused.contains(
            "admission webhook \"gizmo-size.example.com\" denied the request: gizmos are at most 10"
        ),
        "{refused}"
    );
    cluster.apply("small.yaml", &gizmo("small", 3)).await.ok();
    let label = cluster
        .kubectl(&[
            "get",
            "gizmo",
            "small",
            "-n",
            "open",
            "-o",
            "jsonpath={.metadata.labels.checked}",
        ])
        .await
        .ok();
    assert_eq!(label, "by-webhook");

    // Calls and refusals are counted as upstream counts them.
    let metrics = cluster.kubectl(&["get", "--raw", "/metrics"]).await.ok();
    assert!(
        metrics.lines().any(
            |l| l.starts_with("apiserver_admission_webhook_rejection_count{")
                && l.contains("name=\"deny.example.com\"")
                && l.contains("error_type=\"no_error\"")
                && l.contains("rejection_code=\"403\"")
        ),
        "{metrics}"
    );
    assert!(
        metrics.lines().any(
            |l| l.starts_with("apiserver_admission_webhook_fail_open_count{")
                && l.contains("name=\"slow.example.com\"")
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("apiserver_admission_webhook_admission_duration_seconds_bucket{"),
        "{metrics}"
    );

    // A webhook refusing every write still lets its own configuration go:
    // configurations never pass through webhooks.
    let everything = webhook(
        "everything.example.com",
        "hooks",
        &bundle,
        "  rules:\n  - operations: [\"*\"]\n    apiGroups: [\"*\"]\n    apiVersions: [\"*\"]\n    resources: [\"*/*\"]\n",
    );
    cluster
        .apply(
            "everything.yaml",
            &configuration(
                "ValidatingWebhookConfiguration",
                "everything",
                &[everything],
            ),
        )
        .await
        .ok();
    let refused = cluster
        .kubectl(&["create", "configmap", "any", "-n", "open"])
        .await
        .err();
    assert!(refused.contains("no writes at all"), "{refused}");
    cluster
        .kubectl(&[
            "delete",
            "validatingwebhookconfiguration",
            "everything",
            "deny",
            "slow",
        ])
        .await
        .ok();
    cluster
        .kubectl(&["create", "configmap", "any", "-n", "open"])
        .await
        .ok();
}
