//! The cluster controllers that keep namespaces whole, against a real API
//! server with the real kubectl: deleting a namespace empties it, and
//! every namespace gets its `default` ServiceAccount and `kube-root-ca.crt`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use testkit::TestCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_namespace_gets_its_service_account_and_ca_bundle() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster.kubectl(&["create", "namespace", "team"]).await.ok();
    for namespace in ["default", "kube-system", "team"] {
        cluster
            .eventually(
                &["get", "sa", "default", "-n", namespace],
                "the default account",
                |_| true,
            )
            .await;
        let ca = cluster
            .eventually(
                &["get", "cm", "kube-root-ca.crt", "-n", namespace],
                "the CA bundle",
                |_| true,
            )
            .await;
        let pem = std::fs::read_to_string(cluster.data_dir().join("pki/ca.crt")).unwrap();
        assert_eq!(ca["data"]["ca.crt"], pem.as_str());
        assert!(
            ca["metadata"]["annotations"]["kubernetes.io/description"]
                .as_str()
                .unwrap()
                .starts_with("Contains a CA bundle")
        );
    }
    let printed = cluster.kubectl(&["get", "sa", "-n", "team"]).await.ok();
    let row: Vec<&str> = printed.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(&row[..2], &["default", "0"], "{printed}");
    // Deleted or edited, they come back as they were.
    cluster
        .kubectl(&["delete", "sa", "default", "-n", "team"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "patch",
            "cm",
            "kube-root-ca.crt",
            "-n",
            "team",
            "--type=merge",
            "-p",
            r#"{"data":{"ca.crt":"edited","extra":"x"}}"#,
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "sa", "default", "-n", "team"],
            "the account again",
            |_| true,
        )
        .await;
    cluster
        .eventually(
            &["get", "cm", "kube-root-ca.crt", "-n", "team"],
            "the bundle put back",
            |cm| {
                cm["data"]["ca.crt"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("-----BEGIN CERTIFICATE"))
                    && cm["data"]["extra"].is_null()
            },
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_namespace_empties_it_and_kubectl_returns_once_it_is_gone() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster.kubectl(&["create", "namespace", "shop"]).await.ok();
    cluster
        .kubectl(&[
            "create",
            "configmap",
            "cfg",
            "-n",
            "shop",
            "--from-literal=a=b",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "secret",
            "generic",
            "s",
            "-n",
            "shop",
            "--from-literal=a=b",
        ])
        .await
        .ok();
    cluster
        .kubectl(&["create", "deployment", "web", "-n", "shop", "--image=nginx"])
        .await
        .ok();
    cluster
        .kubectl(&["run", "lone", "-n", "shop", "--image=busybox"])
        .await
        .ok();
    let started = Instant::now();
    let out = cluster
        .kubectl(&["delete", "namespace", "shop", "--timeout=60s"])
        .await
        .ok();
    assert!(out.contains("namespace \"shop\" deleted"), "{out}");
    assert!(!cluster.kubectl(&["get", "namespace", "shop"]).await.success);
    eprintln!("namespace deleted in {:?}", started.elapsed());
    // Nothing of it is left in the store.
    let keys: Vec<String> = cluster
        .store
        .range("/registry/", store::RangeOptions::default())
        .await
        .unwrap()
        .kvs
        .into_iter()
        .map(|kv| kv.key)
        .filter(|k| k.contains("/shop/") || k.ends_with("/shop"))
        .collect();
    assert!(keys.is_empty(), "{keys:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finalizer_that_never_clears_is_named_in_the_conditions() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .kubectl(&["create", "namespace", "stuck"])
        .await
        .ok();
    cluster
        .kubectl(&["create", "configmap", "held", "-n", "stuck"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "patch",
            "cm",
            "held",
            "-n",
            "stuck",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
        ])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "namespace", "stuck", "--wait=false"])
        .await
        .ok();
    let ns = cluster
        .eventually(&["get", "namespace", "stuck"], "the conditions", |ns| {
            ns["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "NamespaceFinalizersRemaining" && c["status"] == "True")
            })
        })
        .await;
    assert_eq!(ns["status"]["phase"], "Terminating");
    let conditions = ns["status"]["conditions"].as_array().unwrap();
    let find = |kind: &str| {
        conditions
            .iter()
            .find(|c| c["type"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(
        find("NamespaceContentRemaining")["message"],
        "Some resources are remaining: configmaps has 1 resource instances"
    );
    assert_eq!(
        find("NamespaceContentRemaining")["reason"],
        "SomeResourcesRemain"
    );
    assert_eq!(
        find("NamespaceFinalizersRemaining")["message"],
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
    );
    assert_eq!(find("NamespaceDeletionDiscoveryFailure")["status"], "False");
    assert_eq!(
        find("NamespaceDeletionDiscoveryFailure")["reason"],
        "ResourcesDiscovered"
    );
    // Released, the namespace finishes.
    cluster
        .kubectl(&[
            "patch",
            "cm",
            "held",
            "-n",
            "stuck",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ])
        .await
        .ok();
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster
        .kubectl(&["get", "namespace", "stuck"])
        .await
        .success
    {
        assert!(
            Instant::now() < deadline,
            "the namespace goes once its content does"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
