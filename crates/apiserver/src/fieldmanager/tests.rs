//! The managed fields matrix: two managers, conflicts, force, keyed list
//! merges, removal by omission, and client-side apply's hand-over.

use serde_json::{Value, json};

use super::*;

fn deployments() -> &'static ResourceInfo {
    api::registry::RESOURCES
        .iter()
        .find(|r| r.kind == "Deployment" && r.group == "apps")
        .unwrap()
}

fn writer<'a>(manager: &'a str, now: &str) -> Writer<'a> {
    Writer {
        manager,
        api_version: "apps/v1".into(),
        subresource: None,
        now: now.into(),
    }
}

fn deployment(replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    })
}

fn managers(object: &Value) -> Vec<(String, String)> {
    object["metadata"]["managedFields"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    (
                        e["manager"].as_str().unwrap().to_string(),
                        e["operation"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn fields_of(object: &Value, manager: &str) -> Value {
    object["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == manager)
        .map(|e| e["fieldsV1"].clone())
        .unwrap_or(Value::Null)
}

fn stored(config: &Value) -> Value {
    let skeleton = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}});
    apply(
        deployments(),
        &skeleton,
        config,
        &writer("alice", "2026-01-01T00:00:00Z"),
        false,
    )
    .unwrap()
}

#[test]
fn apply_records_what_the_manager_set() {
    let object = stored(&deployment(2, "nginx:1"));
    assert_eq!(
        managers(&object),
        [("alice".to_string(), "Apply".to_string())]
    );
    assert_eq!(
        fields_of(&object, "alice"),
        json!({
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}}}},
                },
            },
        })
    );
    let entry = &object["metadata"]["managedFields"][0];
    assert_eq!(entry["apiVersion"], "apps/v1");
    assert_eq!(entry["fieldsType"], "FieldsV1");
    assert_eq!(entry["time"], "2026-01-01T00:00:00Z");
}

#[test]
fn a_second_manager_conflicts_unless_it_agrees_or_forces() {
    let object = stored(&deployment(2, "nginx:1"));
    let bob = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}});
    let err = apply(deployments(), &object, &bob, &writer("bob", "t2"), false).unwrap_err();
    assert_eq!(err.code, 409);
    assert_eq!(
        err.message,
        "Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas"
    );
    assert_eq!(
        err.details.unwrap()["causes"],
        json!([{"type": "FieldManagerConflict", "message": "conflict with \"alice\"", "field": ".spec.replicas"}])
    );
    // The same value is shared ownership, not a conflict.
    let same = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 2}});
    let shared = apply(deployments(), &object, &same, &writer("bob", "t2"), false).unwrap();
    assert_eq!(
        fields_of(&shared, "bob"),
        json!({"f:spec": {"f:replicas": {}}})
    );
    assert!(
        fields_of(&shared, "alice")["f:spec"]
            .get("f:replicas")
            .is_some()
    );
    // Forcing takes the field from alice.
    let forced = apply(deployments(), &object, &bob, &writer("bob", "t2"), true).unwrap();
    assert_eq!(forced["spec"]["replicas"], 3);
    assert!(
        fields_of(&forced, "alice")["f:spec"]
            .get("f:replicas")
            .is_none()
    );
    assert_eq!(
        fields_of(&forced, "bob"),
        json!({"f:spec": {"f:replicas": {}}})
    );
}

#[test]
fn conflicts_with_several_managers_are_listed_by_manager() {
    let object = stored(&deployment(2, "nginx:1"));
    let mut edited = object.clone();
    edited["metadata"]["labels"]["team"] = json!("a");
    update(
        deployments(),
        Some(&object),
        &mut edited,
        &writer("kubectl-edit", "t2"),
    );
    let carol = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"team": "b"}}, "spec": {"replicas": 5}});
    let err = apply(
        deployments(),
        &edited,
        &carol,
        &writer("carol", "t3"),
        false,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.replicas\nconflicts with \"kubectl-edit\" using apps/v1:\n- .metadata.labels.team"
    );
}

#[test]
fn fields_a_manager_stops_applying_are_removed_unless_others_hold_them() {
    let mut config = deployment(2, "nginx:1");
    config["metadata"]["labels"]["tier"] = json!("front");
    config["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "log", "image": "busybox"}));
    let object = stored(&config);
    // Someone else sets an env var on the log container.
    let mut edited = object.clone();
    edited["spec"]["template"]["spec"]["containers"][1]["env"] =
        json!([{"name": "X", "value": "1"}]);
    update(
        deployments(),
        Some(&object),
        &mut edited,
        &writer("kubectl-edit", "t2"),
    );
    // Alice drops the tier label and the log container.
    let now = apply(
        deployments(),
        &edited,
        &deployment(2, "nginx:1"),
        &writer("alice", "t3"),
        false,
    )
    .unwrap();
    assert_eq!(now["metadata"]["labels"], json!({"app": "web"}));
    let containers = now["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(
        containers.len(),
        2,
        "the log container keeps what another manager owns"
    );
    assert_eq!(
        containers[1],
        json!({"name": "log", "env": [{"name": "X", "value": "1"}]})
    );
}

#[test]
fn keyed_lists_merge_with_other_managers_items() {
    let object = stored(&deployment(2, "nginx:1"));
    let sidecar = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "proxy", "image": "envoy"}]}}}});
    let merged = apply(
        deployments(),
        &object,
        &sidecar,
        &writer("mesh", "t2"),
        false,
    )
    .unwrap();
    let names: Vec<&str> = merged["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web", "proxy"]);
    // Alice re-applies without knowing of the proxy: it stays.
    let again = apply(
        deployments(),
        &merged,
        &deployment(2, "nginx:2"),
        &writer("alice", "t3"),
        false,
    )
    .unwrap();
    assert_eq!(
        again["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        again["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:2"
    );
}

#[test]
fn updates_take_the_fields_they_change() {
    let object = stored(&deployment(2, "nginx:1"));
    let mut scaled = object.clone();
    scaled["spec"]["replicas"] = json!(7);
    let mut w = writer("kube-controller-manager", "t2");
    w.subresource = Some("scale");
    update(deployments(), Some(&object), &mut scaled, &w);
    assert!(
        fields_of(&scaled, "alice")["f:spec"]
            .get("f:replicas")
            .is_none()
    );
    let entry = scaled["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "kube-controller-manager")
        .unwrap()
        .clone();
    assert_eq!(entry["operation"], "Update");
    assert_eq!(entry["subresource"], "scale");
    assert_eq!(entry["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
    // An update that changes nothing records nothing.
    let mut same = scaled.clone();
    update(
        deployments(),
        Some(&scaled),
        &mut same,
        &writer("other", "t3"),
    );
    assert_eq!(same, scaled);
}

#[test]
fn clients_may_replace_or_clear_managed_fields() {
    let object = stored(&deployment(2, "nginx:1"));
    let mut cleared = object.clone();
    cleared["metadata"]["managedFields"] = json!([{}]);
    update(
        deployments(),
        Some(&object),
        &mut cleared,
        &writer("x", "t2"),
    );
    assert!(cleared["metadata"].get("managedFields").is_none());
    // Without managedFields in the body the stored ones are kept.
    let mut plain = object.clone();
    plain["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("managedFields");
    update(deployments(), Some(&object), &mut plain, &writer("x", "t2"));
    assert_eq!(
        plain["metadata"]["managedFields"],
        object["metadata"]["managedFields"]
    );
}

#[test]
fn kubectl_takes_over_from_client_side_apply() {
    // An object made by client-side apply: its manager owns everything.
    let mut object = deployment(2, "nginx:1");
    let mut last = deployment(2, "nginx:1");
    last["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    object["metadata"]["annotations"] = json!({LAST_APPLIED: last.to_string()});
    let mut created = object.clone();
    update(
        deployments(),
        None,
        &mut created,
        &writer("kubectl-client-side-apply", "t1"),
    );
    // Another manager named kubectl-something would conflict...
    let err = apply(
        deployments(),
        &created,
        &deployment(3, "nginx:1"),
        &writer("ci", "t2"),
        false,
    )
    .unwrap_err();
    assert_eq!(err.code, 409);
    // ...but kubectl itself may take what its last-applied configuration set.
    let applied = apply(
        deployments(),
        &created,
        &deployment(3, "nginx:1"),
        &writer("kubectl", "t2"),
        false,
    )
    .unwrap();
    assert_eq!(applied["spec"]["replicas"], 3);
    let annotation: Value = serde_json::from_str(
        applied["metadata"]["annotations"][LAST_APPLIED]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        annotation["spec"]["replicas"], 3,
        "the annotation follows the apply"
    );
    // A field that differs from the last-applied configuration (changed by
    // someone since) still conflicts.
    let mut drifted = created.clone();
    drifted["spec"]["replicas"] = json!(9);
    update(
        deployments(),
        Some(&created),
        &mut drifted,
        &writer("kubectl-client-side-apply", "t3"),
    );
    let err = apply(
        deployments(),
        &drifted,
        &deployment(3, "nginx:1"),
        &writer("kubectl", "t4"),
        false,
    )
    .unwrap_err();
    assert!(err.message.contains(".spec.replicas"), "{}", err.message);
}

#[test]
fn unchanged_applies_keep_their_time() {
    let mut object = stored(&deployment(2, "nginx:1"));
    // As read back from the store.
    object["metadata"]["resourceVersion"] = json!("12");
    let mut again = apply(
        deployments(),
        &object,
        &deployment(2, "nginx:1"),
        &writer("alice", "2027-01-01T00:00:00Z"),
        false,
    )
    .unwrap();
    keep_times_if_unchanged(&object, &mut again);
    assert!(!crate::objects::changed(&object, &again));
}

#[test]
fn update_managers_are_capped() {
    let mut object = stored(&deployment(2, "nginx:1"));
    for i in 0..15 {
        let mut next = object.clone();
        next["metadata"]["labels"][format!("l{i}")] = json!("v");
        update(
            deployments(),
            Some(&object),
            &mut next,
            &writer(&format!("m{i}"), &format!("2026-01-01T00:00:{i:02}Z")),
        );
        object = next;
    }
    let entries = managers(&object);
    let updates = entries.iter().filter(|(_, op)| op == "Update").count();
    assert_eq!(updates, MAX_UPDATE_MANAGERS);
    assert!(entries.iter().any(|(m, _)| m == ANCIENT_CHANGES));
}

#[test]
fn manager_names_come_from_the_user_agent_when_not_given() {
    assert_eq!(
        manager_name(None, "kubectl/v1.32.0 (linux/amd64) kubernetes/abc"),
        "kubectl"
    );
    assert_eq!(manager_name(Some("helm"), "kubectl/v1.32.0"), "helm");
    assert_eq!(
        manager_name(None, &"x".repeat(300)).len(),
        MAX_MANAGER_LENGTH
    );
    assert!(manager_problem(&"x".repeat(129)).is_some());
    assert!(manager_problem("ok-manager").is_none());
}
