//! Lists and the watch cache: reads without an exact resourceVersion are
//! served from memory, stay consistent with every write, and page through
//! one revision.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use testkit::TestCluster;

/// `apiserver_cache_list_total` for a resource, from `/metrics`.
async fn cache_lists(cluster: &TestCluster, resource: &str) -> u64 {
    let metrics = cluster.kubectl(&["get", "--raw", "/metrics"]).await.ok();
    let wanted = format!("resource=\"{resource}\"");
    metrics
        .lines()
        .filter(|l| l.starts_with("apiserver_cache_list_total{") && l.contains(&wanted))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn raw(cluster: &TestCluster, path: &str) -> Value {
    cluster.kubectl(&["get", "--raw", path]).await.json()
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            i["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_served_from_the_watch_cache() {
    let cluster = TestCluster::start().await;
    let before = cache_lists(&cluster, "configmaps").await;
    for name in ["a", "b", "c"] {
        cluster
            .kubectl(&["create", "configmap", name, "--from-literal=k=v"])
            .await
            .ok();
        // Each write is in the very next list (read-your-writes).
        let out = cluster
            .kubectl(&["get", "configmaps", "-o", "name"])
            .await
            .ok();
        assert!(out.contains(&format!("configmap/{name}")), "{out}");
    }
    assert!(cache_lists(&cluster, "configmaps").await >= before + 3);

    // A first page from memory, the rest at the same revision: what is
    // written in between is not in this list, and the pages agree.
    let first = raw(&cluster, "/api/v1/namespaces/default/configmaps?limit=2").await;
    // (Each namespace also holds the cluster's CA bundle,
    // `kube-root-ca.crt`, last in key order.)
    assert_eq!(names(&first), ["a", "b"]);
    assert_eq!(first["metadata"]["remainingItemCount"], 2);
    let token = first["metadata"]["continue"]
        .as_str()
        .expect("continue")
        .to_string();
    let revision = first["metadata"]["resourceVersion"].clone();
    cluster
        .kubectl(&["create", "configmap", "b2", "--from-literal=k=v"])
        .await
        .ok();
    cluster.kubectl(&["delete", "configmap", "c"]).await.ok();
    let rest = raw(
        &cluster,
        &format!("/api/v1/namespaces/default/configmaps?limit=2&continue={token}"),
    )
    .await;
    assert_eq!(names(&rest), ["c", "kube-root-ca.crt"]);
    assert_eq!(rest["metadata"]["resourceVersion"], revision);
    assert!(rest["metadata"]["continue"].is_null());
    let now = raw(&cluster, "/api/v1/namespaces/default/configmaps").await;
    assert_eq!(names(&now), ["a", "b", "b2", "kube-root-ca.crt"]);

    // kubectl's own paging (chunks of one) and selectors over the cache.
    let out = cluster
        .kubectl(&["get", "configmaps", "--chunk-size=1", "-o", "name"])
        .await
        .ok();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "configmap/a",
            "configmap/b",
            "configmap/b2",
            "configmap/kube-root-ca.crt"
        ]
    );
    let selected = raw(
        &cluster,
        "/api/v1/configmaps?resourceVersion=0&fieldSelector=metadata.name%3Db2",
    )
    .await;
    assert_eq!(names(&selected), ["b2"]);

    // Not older than a revision the cluster has reached: served; one it
    // has not: 504 with the current revision, as upstream (kubectl tries
    // again each second, ten times, before giving up).
    let current: i64 = now["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("a revision");
    let fresh = raw(
        &cluster,
        &format!("/api/v1/namespaces/default/configmaps?resourceVersion={current}&resourceVersionMatch=NotOlderThan"),
    )
    .await;
    assert_eq!(names(&fresh), ["a", "b", "b2", "kube-root-ca.crt"]);
    let future = current + 1_000;
    let log = cluster
        .kubectl(&[
            "get",
            "--raw",
            &format!("/api/v1/namespaces/default/configmaps?resourceVersion={future}&resourceVersionMatch=NotOlderThan"),
            "-v=8",
        ])
        .await
        .err();
    assert!(
        log.contains("504 Gateway Timeout")
            && log.contains(&format!("Too large resource version: {future}, current: ")),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consistent_lists_see_writes_made_elsewhere_on_etcd() {
    // Another API server on the same etcd writes straight to the store;
    // this server's next list must include it, though its cache learns of
    // it only through its watch.
    let cluster = TestCluster::start_etcd().await;
    cluster.kubectl(&["get", "configmaps"]).await.ok();
    for i in 0..20 {
        let name = format!("elsewhere-{i}");
        let object = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": "default",
                "uid": format!("00000000-0000-0000-0000-{i:012}"),
                "creationTimestamp": "2026-01-01T00:00:00Z",
            },
            "data": {"k": "v"},
        });
        cluster
            .store
            .create(
                &format!("/registry/configmaps/default/{name}"),
                object.to_string().into_bytes(),
            )
            .await
            .expect("written to etcd");
        let list = raw(&cluster, "/api/v1/namespaces/default/configmaps").await;
        assert!(names(&list).contains(&name), "{list}");
    }
    assert!(cache_lists(&cluster, "configmaps").await >= 20);
}
