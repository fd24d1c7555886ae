//! Per-kind validation through the real kubectl: what upstream rejects is
//! rejected with its field paths and messages, on create and on update,
//! and nothing is written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::TestCluster;

/// Runs `kubectl <args> -f -` with `manifest` on stdin; its stderr, which
/// must report a failure.
async fn refused(cluster: &TestCluster, args: &[&str], manifest: &str) -> String {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-f", "-"]);
    cluster.kubectl_with(&all, &[], Some(manifest)).await.err()
}

async fn accepted(cluster: &TestCluster, args: &[&str], manifest: &str) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-f", "-"]);
    cluster.kubectl_with(&all, &[], Some(manifest)).await.ok();
}

fn deployment(selector_app: &str) -> String {
    format!(
        r#"{{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {{"name": "web"}},
        "spec": {{"selector": {{"matchLabels": {{"app": "{selector_app}"}}}},
          "template": {{"metadata": {{"labels": {{"app": "{selector_app}"}}}},
            "spec": {{"containers": [{{"name": "web", "image": "nginx"}}]}}}}}}}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_that_upstream_refuses_are_refused() {
    let cluster = TestCluster::start().await;
    let before = cluster.store.current_revision().await.unwrap();
    let cases: &[(&str, &str)] = &[
        (
            r#"{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
              "spec": {"schedule": "61 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}}"#,
            "The CronJob \"c\" is invalid: spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61",
        ),
        (
            r#"{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
              "spec": {"template": {"spec": {"restartPolicy": "Always",
                "containers": [{"name": "c", "image": "busybox"}]}}}}"#,
            "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"",
        ),
        (
            r#"{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
              "spec": {"rules": [{"host": "10.0.0.1", "http": {"paths": [{"path": "/",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}"#,
            "The Ingress \"i\" is invalid: \n* spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address\n* spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
        ),
        (
            r#"{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
              "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 5, "maxReplicas": 2}}"#,
            "The HorizontalPodAutoscaler \"h\" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
        ),
        (
            r#"{"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "huge"},
              "value": 2000000000}"#,
            "The PriorityClass \"huge\" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
        ),
        (
            r#"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls"}, "type": "kubernetes.io/tls",
              "data": {"tls.crt": "Y2VydA=="}}"#,
            "The Secret \"tls\" is invalid: data[tls.key]: Required value",
        ),
        (
            r#"{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"},
              "spec": {"minAvailable": 1, "maxUnavailable": "120%", "selector": {"matchLabels": {"app": "web"}}}}"#,
            "minAvailable and maxUnavailable cannot be both set",
        ),
        (
            r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"},
              "rules": [{"resources": ["pods"], "verbs": ["get"]}, {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]}"#,
            "The Role \"r\" is invalid: \n* rules[0].apiGroups: Required value: resource rules must supply at least one api group\n* rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs",
        ),
        (
            r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
              "spec": {"containers": [{"name": "c", "image": "busybox",
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "resources": {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}}]}}"#,
            "The Pod \"p\" is invalid: \n* spec.containers[0].volumeMounts[0].name: Not found: \"data\"\n* spec.containers[0].resources.requests: Invalid value: \"2Gi\": must be less than or equal to memory limit of 1Gi",
        ),
        (
            r#"{"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "s"},
              "provisioner": "example.com/disk", "reclaimPolicy": "Recycle"}"#,
            "The StorageClass \"s\" is invalid: reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", \"Retain\"",
        ),
    ];
    for (manifest, expected) in cases {
        let err = refused(&cluster, &["create"], manifest).await;
        assert!(err.contains(expected), "wanted: {expected}\ngot: {err}");
    }
    assert_eq!(
        cluster.store.current_revision().await.unwrap(),
        before,
        "nothing was written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_keep_immutable_fields() {
    let cluster = TestCluster::start().await;
    accepted(&cluster, &["apply"], &deployment("web")).await;
    let err = refused(&cluster, &["apply"], &deployment("web2")).await;
    assert!(
        err.contains("The Deployment \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"),
        "{err}"
    );

    // A binding's role is fixed.
    cluster
        .kubectl(&["create", "role", "reader", "--verb=get", "--resource=pods"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "rolebinding",
            "rb",
            "--role=reader",
            "--user=alice",
        ])
        .await
        .ok();
    let err = cluster
        .kubectl(&[
            "patch",
            "rolebinding",
            "rb",
            "--type=merge",
            "-p",
            r#"{"roleRef":{"name":"writer"}}"#,
        ])
        .await
        .err();
    assert!(
        err.contains("roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"writer\"}: cannot change roleRef"),
        "{err}"
    );
    let subjects = cluster
        .kubectl(&[
            "get",
            "rolebinding",
            "rb",
            "-o",
            "jsonpath={.subjects[0].apiGroup}",
        ])
        .await
        .ok();
    assert_eq!(subjects, "rbac.authorization.k8s.io", "defaulted apiGroup");

    // A pod changes only its images (and a few scheduling fields).
    accepted(
        &cluster,
        &["create"],
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
          "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}"#,
    )
    .await;
    cluster
        .kubectl(&["set", "image", "pod/p", "c=busybox:1.37"])
        .await
        .ok();
    let err = cluster
        .kubectl(&[
            "patch",
            "pod",
            "p",
            "-p",
            r#"{"spec":{"nodeSelector":{"disk":"ssd"}}}"#,
        ])
        .await
        .err();
    assert!(
        err.contains("The Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"),
        "{err}"
    );

    // A StatefulSet's service and claims are fixed.
    accepted(
        &cluster,
        &["apply"],
        r#"{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
          "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}},
              "spec": {"containers": [{"name": "db", "image": "postgres"}]}}}}"#,
    )
    .await;
    let err = cluster
        .kubectl(&[
            "patch",
            "sts",
            "db",
            "--type=merge",
            "-p",
            r#"{"spec":{"serviceName":"other"}}"#,
        ])
        .await
        .err();
    assert!(
        err.contains("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"),
        "{err}"
    );
    cluster
        .kubectl(&["scale", "sts", "db", "--replicas=3"])
        .await
        .ok();

    // A Job's selector is generated from its uid; its template is fixed.
    cluster
        .kubectl(&["create", "job", "once", "--image=busybox", "--", "true"])
        .await
        .ok();
    let job = cluster
        .kubectl(&["get", "job", "once", "-o", "json"])
        .await
        .json();
    let uid = job["metadata"]["uid"].as_str().unwrap();
    assert_eq!(
        job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
        uid
    );
    let labels = &job["spec"]["template"]["metadata"]["labels"];
    assert_eq!(labels["batch.kubernetes.io/job-name"], "once");
    assert_eq!(labels["controller-uid"], uid);
    let err = cluster
        .kubectl(&["set", "image", "job/once", "once=busybox:1.37"])
        .await
        .err();
    assert!(
        err.contains("spec.template: Invalid value:") && err.contains("field is immutable"),
        "{err}"
    );
}
