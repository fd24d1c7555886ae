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
