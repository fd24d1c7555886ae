//! The seed's whole example cluster on three simulated nodes (one a
//! control-plane node tainted NoSchedule): applied with the real kubectl,
//! it converges — every pod Running and Ready on a worker, every claim
//! Bound, every Service with endpoints, the ingress budget allowing one
//! disruption — and deleting its namespaces tears it all down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::TestCluster;

use testkit::seed::{FIXTURE, NAMESPACES, PODS};

fn items(list: &Value) -> Vec<&Value> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| {
                    i["metadata"]["namespace"]
                        .as_str()
                        .is_some_and(|ns| NAMESPACES.contains(&ns))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn ready(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running"
        && pod["status"]["conditions"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

fn addresses(endpoints: &Value) -> usize {
    endpoints["subsets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["addresses"].as_array().map_or(0, Vec::len))
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_cluster_converges_and_is_torn_down_with_its_namespaces() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let (control_plane, workers) = testkit::seed::fleets();
    let _control_plane = cluster.start_simulated_nodes_with(control_plane).await;
    let _workers = cluster.start_simulated_nodes_with(workers).await;

    cluster.apply("seed-cluster.yaml", FIXTURE).await.ok();

    // None on the control plane.
    let pods = cluster
        .eventually(
            &["get", "pods", "-A"],
            "every pod of the seed cluster Running and Ready",
            |list| {
                let pods = items(list);
                pods.len() == PODS && pods.iter().all(|p| ready(p))
            },
        )
        .await;
    for pod in items(&pods) {
        let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
        assert!(
            node.starts_with("hashfoundry-ha-pool-"),
            "{} ran on {node}",
            pod["metadata"]["name"]
        );
    }
    let claims = cluster
        .eventually(&["get", "pvc", "-A"], "every claim Bound", |list| {
            let claims = items(list);
            claims.len() == 3 && claims.iter().all(|c| c["status"]["phase"] == "Bound")
        })
        .await;
    let volume_of = |name: &str| {
        items(&claims)
            .into_iter()
            .find(|c| c["metadata"]["name"] == name)
            .and_then(|c| c["spec"]["volumeName"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        volume_of("blockchain-data-substrate-blockchain-alice-0").starts_with("blockchain-data-")
    );
    assert!(volume_of("nfs-provisioner-server-pvc").starts_with("pvc-"));
    let endpoints = cluster
        .eventually(
            &["get", "endpoints", "-A"],
            "every Service with endpoints",
            |list| {
                let endpoints = items(list);
                endpoints.len() == 7 && endpoints.iter().all(|e| addresses(e) > 0)
            },
        )
        .await;
    let alice = items(&endpoints)
        .into_iter()
        .find(|e| e["metadata"]["name"] == "substrate-blockchain-alice")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        alice["subsets"][0]["addresses"][0]["hostname"],
        "substrate-blockchain-alice-0"
    );
    let ingress = cluster
        .kubectl(&[
            "get",
            "endpoints",
            "nginx-ingress-ingress-nginx-controller",
            "-n",
            "ingress-nginx",
            "-o",
            "json",
        ])
        .await
        .json();
    assert_eq!(addresses(&ingress), 2);
    cluster
        .eventually(
            &[
                "get",
                "pdb",
                "nginx-ingress-controller-pdb",
                "-n",
                "ingress-nginx",
            ],
            "the ingress budget to allow one disruption",
            |pdb| pdb["status"]["currentHealthy"] == 2 && pdb["status"]["disruptionsAllowed"] == 1,
        )
        .await;

    // Teardown: kubectl returns once every namespace is gone.
    let mut delete = vec!["delete", "namespace"];
    delete.extend(NAMESPACES);
    delete.push("--timeout=60s");
    cluster.kubectl(&delete).await.ok();
    let namespaces = cluster
        .kubectl(&["get", "namespaces", "-o", "json"])
        .await
        .json();
    let left: Vec<&Value> = namespaces["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| {
            n["metadata"]["name"]
                .as_str()
                .is_some_and(|name| NAMESPACES.contains(&name))
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let pods = cluster
        .kubectl(&["get", "pods", "-A", "-o", "json"])
        .await
        .json();
    assert!(items(&pods).is_empty(), "{pods}");
    // The provisioned volume goes with its claim; the hand-made ones stay,
    // Released, as their Retain policy says.
    cluster
        .eventually(&["get", "pv"], "the volumes released or deleted", |list| {
            let volumes = list["items"].as_array().cloned().unwrap_or_default();
            volumes.len() == 2 && volumes.iter().all(|v| v["status"]["phase"] == "Released")
        })
        .await;
}
