//! The admission chain through the real kubectl: NamespaceLifecycle,
//! Priority and DefaultTolerationSeconds as upstream enables them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::TestCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespace_lifecycle_guards_namespaces() {
    let cluster = TestCluster::start().await;
    for namespace in ["default", "kube-system", "kube-public"] {
        let err = cluster
            .kubectl(&["delete", "namespace", namespace])
            .await
            .err();
        assert!(
            err.contains(&format!(
                "namespaces \"{namespace}\" is forbidden: this namespace may not be deleted"
            )),
            "{err}"
        );
    }
    // Writes to a missing namespace are refused before the object is even
    // validated.
    let err = cluster
        .kubectl_with(
            &["create", "-n", "nowhere", "-f", "-"],
            &[],
            Some(r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}"#),
        )
        .await
        .err();
    assert!(err.contains("namespaces \"nowhere\" not found"), "{err}");

    // A namespace being deleted takes no new objects but keeps its own.
    cluster
        .kubectl(&["create", "namespace", "going"])
        .await
        .ok();
    cluster
        .kubectl(&["create", "configmap", "kept", "-n", "going"])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "namespace", "going", "--wait=false"])
        .await
        .ok();
    let err = cluster
        .kubectl(&["create", "configmap", "new", "-n", "going"])
        .await
        .err();
    assert!(
        err.contains("configmaps \"new\" is forbidden: unable to create new content in namespace going because it is being terminated"),
        "{err}"
    );
    cluster
        .kubectl(&["label", "configmap", "kept", "-n", "going", "still=here"])
        .await
        .ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_comes_from_classes_and_one_default() {
    let cluster = TestCluster::start().await;
    let run = |name: &'static str| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "{name}"}},
            "spec": {{"containers": [{{"name": "c", "image": "busybox"}}]}}}}"#
        )
    };
    cluster
        .kubectl_with(&["create", "-f", "-"], &[], Some(&run("before")))
        .await
        .ok();
    let pod = cluster
        .kubectl(&["get", "pod", "before", "-o", "json"])
        .await
        .json();
    assert_eq!(pod["spec"]["priority"], 0);
    assert!(pod["spec"].get("priorityClassName").is_none());
    // The pod tolerates unreachable nodes for five minutes.
    let tolerations = pod["spec"]["tolerations"].as_array().unwrap();
    assert!(
        tolerations
            .iter()
            .any(|t| t["key"] == "node.kubernetes.io/unreachable" && t["tolerationSeconds"] == 300)
    );
    assert_eq!(pod["status"]["phase"], "Pending");
    assert_eq!(pod["status"]["qosClass"], "BestEffort");

    cluster
        .kubectl(&[
            "create",
            "priorityclass",
            "normal",
            "--value=1000",
            "--global-default=true",
        ])
        .await
        .ok();
    let err = cluster
        .kubectl(&[
            "create",
            "priorityclass",
            "other",
            "--value=5",
            "--global-default=true",
        ])
        .await
        .err();
    assert!(
        err.contains("priorityclasses.scheduling.k8s.io \"other\" is forbidden: PriorityClass normal is already marked as default. Only one default can exist"),
        "{err}"
    );
    // New pods without a class get the default one.
    cluster
        .kubectl_with(&["create", "-f", "-"], &[], Some(&run("after")))
        .await
        .ok();
    let pod = cluster
        .kubectl(&["get", "pod", "after", "-o", "json"])
        .await
        .json();
    assert_eq!(pod["spec"]["priority"], 1000);
    assert_eq!(pod["spec"]["priorityClassName"], "normal");

    let err = cluster
        .kubectl(&["delete", "priorityclass", "system-node-critical"])
        .await
        .err();
    assert!(
        err.contains("priorityclasses.scheduling.k8s.io \"system-node-critical\" is forbidden: this is a system priority class and cannot be deleted"),
        "{err}"
    );
    let err = cluster
        .kubectl_with(
            &["create", "-f", "-"],
            &[],
            Some(
                r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nope"},
                "spec": {"priorityClassName": "missing", "containers": [{"name": "c", "image": "busybox"}]}}"#,
            ),
        )
        .await
        .err();
    assert!(
        err.contains("pods \"nope\" is forbidden: no PriorityClass with name missing was found"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_security_levels_refuse_warn_and_check_existing_pods() {
    let cluster = TestCluster::start().await;
    let kubectl = |args: &'static [&'static str]| cluster.kubectl(args);
    kubectl(&["create", "namespace", "secure"]).await.ok();
    kubectl(&[
        "label",
        "namespace",
        "secure",
        "pod-security.kubernetes.io/enforce=restricted",
    ])
    .await
    .ok();
    // A pod as `kubectl run` makes it breaks the restricted level.
    let refused = kubectl(&["run", "plain", "-n", "secure", "--image=busybox"])
        .await
        .err();
    assert_eq!(
        refused.trim(),
        "Error from server (Forbidden): pods \"plain\" is forbidden: violates PodSecurity \"restricted:latest\": \
         allowPrivilegeEscalation != false (container \"plain\" must set securityContext.allowPrivilegeEscalation=false), \
         unrestricted capabilities (container \"plain\" must set securityContext.capabilities.drop=[\"ALL\"]), \
         runAsNonRoot != true (pod or container \"plain\" must set securityContext.runAsNonRoot=true), \
         seccompProfile (pod or container \"plain\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    let hardened = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hardened"},
        "spec": {"securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
                 "containers": [{"name": "main", "image": "busybox",
                                 "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}}"#;
    cluster
        .kubectl_with(&["create", "-n", "secure", "-f", "-"], &[], Some(hardened))
        .await
        .ok();
    // A label that does not parse is refused, and changes nothing.
    let invalid = kubectl(&[
        "label",
        "namespace",
        "secure",
        "--overwrite",
        "pod-security.kubernetes.io/enforce=strict",
    ])
    .await
    .err();
    assert!(
        invalid.contains(
            "The Namespace \"secure\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted"
        ),
        "{invalid}"
    );

    // The warn level lets pods and workloads through with a warning.
    kubectl(&["create", "namespace", "loose"]).await.ok();
    kubectl(&[
        "label",
        "namespace",
        "loose",
        "pod-security.kubernetes.io/enforce=baseline",
        "pod-security.kubernetes.io/warn=restricted",
    ])
    .await
    .ok();
    let created = kubectl(&[
        "create",
        "deployment",
        "web",
        "-n",
        "loose",
        "--image=busybox",
    ])
    .await;
    assert!(created.success, "{}", created.stderr);
    assert!(
        created
            .stderr
            .contains("Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"busybox\""),
        "{}",
        created.stderr
    );
    let host = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "host"},
        "spec": {"hostNetwork": true, "containers": [{"name": "main", "image": "busybox"}]}}"#;
    let refused = cluster
        .kubectl_with(&["create", "-n", "loose", "-f", "-"], &[], Some(host))
        .await
        .err();
    assert!(
        refused.contains(
            "pods \"host\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork)"
        ),
        "{refused}"
    );

    // Tightening a namespace's enforce level names the pods it would
    // refuse now (they stay).
    kubectl(&["create", "namespace", "open"]).await.ok();
    for name in ["b", "a"] {
        let pod = format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "{name}"}},
                "spec": {{"hostPID": true, "containers": [{{"name": "main", "image": "busybox"}}]}}}}"#
        );
        cluster
            .kubectl_with(&["create", "-n", "open", "-f", "-"], &[], Some(&pod))
            .await
            .ok();
    }
    let labelled = kubectl(&[
        "label",
        "namespace",
        "open",
        "pod-security.kubernetes.io/enforce=baseline",
    ])
    .await;
    assert!(labelled.success, "{}", labelled.stderr);
    assert_eq!(
        labelled.stderr.trim(),
        "Warning: existing pods in namespace \"open\" violate the new PodSecurity enforce level \"baseline:latest\"\n\
         Warning: a (and 1 other pod): host namespaces",
    );
    assert_eq!(
        kubectl(&["get", "pods", "-n", "open", "-o", "name"])
            .await
            .ok()
            .lines()
            .count(),
        2
    );
}
