//! Endpoints and EndpointSlices that follow the pods Services select,
//! against a real API server with the real kubectl. No kubelet runs here:
//! the test gives pods their IPs and readiness through the status
//! subresource, as a kubelet would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::TestCluster;

/// Reports `pod` as a kubelet would: Running with `ip`, Ready or not.
async fn report(cluster: &TestCluster, namespace: &str, pod: &str, ip: &str, ready: bool) {
    let status = json!({"status": {
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" },
            "lastTransitionTime": "2026-01-01T00:00:00Z"}],
    }});
    cluster
        .kubectl(&[
            "patch",
            "pod",
            pod,
            "-n",
            namespace,
            "--subresource=status",
            "--type=merge",
            "-p",
            &status.to_string(),
        ])
        .await
        .ok();
}

const ALICE: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: blockchain
---
apiVersion: v1
kind: Service
metadata:
  name: substrate-blockchain-alice
  namespace: blockchain
  labels:
    app.kubernetes.io/name: substrate-blockchain
    app.kubernetes.io/role: alice
spec:
  selector:
    app.kubernetes.io/name: substrate-blockchain
    app.kubernetes.io/role: alice
  ports:
  - name: p2p
    port: 30333
  - name: rpc-http
    port: 9933
  - name: rpc-ws
    port: 9944
    targetPort: ws
---
apiVersion: v1
kind: Pod
metadata:
  name: substrate-blockchain-alice-0
  namespace: blockchain
  labels:
    app.kubernetes.io/name: substrate-blockchain
    app.kubernetes.io/role: alice
spec:
  hostname: substrate-blockchain-alice-0
  subdomain: substrate-blockchain-alice
  containers:
  - name: substrate
    image: parity/substrate:latest
    ports:
    - name: ws
      containerPort: 9944
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_follow_the_selected_pods_readiness() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file("alice.yaml", ALICE);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let ns = "blockchain";
    let pod = "substrate-blockchain-alice-0";
    // Without an IP the pod is not an endpoint at all.
    let endpoints = cluster
        .eventually(
            &["get", "endpoints", "substrate-blockchain-alice", "-n", ns],
            "the endpoints",
            |_| true,
        )
        .await;
    assert!(endpoints["subsets"].is_null(), "{endpoints}");
    assert_eq!(
        endpoints["metadata"]["labels"]["app.kubernetes.io/role"],
        "alice"
    );

    report(&cluster, ns, pod, "10.244.1.15", false).await;
    let endpoints = cluster
        .eventually(
            &["get", "endpoints", "substrate-blockchain-alice", "-n", ns],
            "a not-ready address",
            |e| e["subsets"][0]["notReadyAddresses"][0]["ip"] == "10.244.1.15",
        )
        .await;
    assert!(endpoints["subsets"][0]["addresses"].is_null());
    report(&cluster, ns, pod, "10.244.1.15", true).await;
    let endpoints = cluster
        .eventually(
            &["get", "endpoints", "substrate-blockchain-alice", "-n", ns],
            "a ready address",
            |e| e["subsets"][0]["addresses"][0]["ip"] == "10.244.1.15",
        )
        .await;
    let address = &endpoints["subsets"][0]["addresses"][0];
    assert_eq!(address["targetRef"]["kind"], "Pod");
    assert_eq!(address["targetRef"]["name"], pod);
    assert_eq!(
        address["hostname"], pod,
        "the pod's hostname under its subdomain"
    );
    let ports: Vec<(String, i64)> = endpoints["subsets"][0]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["port"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ports,
        vec![
            ("p2p".to_string(), 30333),
            ("rpc-http".to_string(), 9933),
            ("rpc-ws".to_string(), 9944)
        ]
    );
    let printed = cluster
        .kubectl(&["get", "endpoints", "substrate-blockchain-alice", "-n", ns])
        .await
        .ok();
    assert!(
        printed.contains("10.244.1.15:30333,10.244.1.15:9933,10.244.1.15:9944"),
        "{printed}"
    );
    let described = cluster
        .kubectl(&[
            "describe",
            "endpoints",
            "substrate-blockchain-alice",
            "-n",
            ns,
        ])
        .await
        .ok();
    assert!(
        described.contains("Addresses:          10.244.1.15"),
        "{described}"
    );
    assert!(
        described.contains("NotReadyAddresses:  <none>"),
        "{described}"
    );

    // The EndpointSlice says the same, with conditions.
    let slices = cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-n",
                ns,
                "-l",
                "kubernetes.io/service-name=substrate-blockchain-alice",
            ],
            "a ready slice",
            |l| l["items"][0]["endpoints"][0]["conditions"]["ready"] == true,
        )
        .await;
    let slice = &slices["items"][0];
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(
        slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert!(
        slice["metadata"]["name"]
            .as_str()
            .unwrap()
            .starts_with("substrate-blockchain-alice-")
    );
    assert_eq!(slice["metadata"]["ownerReferences"][0]["kind"], "Service");
    assert_eq!(slice["endpoints"][0]["addresses"], json!(["10.244.1.15"]));
    assert_eq!(slice["endpoints"][0]["targetRef"]["name"], pod);
    assert_eq!(
        slice["endpoints"][0]["conditions"],
        json!({"ready": true, "serving": true, "terminating": false})
    );
    assert_eq!(slice["ports"].as_array().unwrap().len(), 3);

    // A pod that stops matching leaves; the Service's deletion takes both.
    cluster
        .kubectl(&[
            "label",
            "pod",
            pod,
            "-n",
            ns,
            "app.kubernetes.io/role=bob",
            "--overwrite",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "endpoints", "substrate-blockchain-alice", "-n", ns],
            "no address",
            |e| e["subsets"].is_null(),
        )
        .await;
    cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-n",
                ns,
                "-l",
                "kubernetes.io/service-name=substrate-blockchain-alice",
            ],
            "an empty slice",
            |l| {
                l["items"][0]["endpoints"]
                    .as_array()
                    .is_none_or(|e| e.is_empty())
            },
        )
        .await;
    cluster
        .kubectl(&["delete", "service", "substrate-blockchain-alice", "-n", ns])
        .await
        .ok();
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster
        .kubectl(&["get", "endpoints", "substrate-blockchain-alice", "-n", ns])
        .await
        .success
    {
        assert!(
            Instant::now() < deadline,
            "the endpoints go with the Service"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-n",
                ns,
                "-l",
                "kubernetes.io/service-name=substrate-blockchain-alice",
            ],
            "no slices",
            |l| l["items"].as_array().is_some_and(|i| i.is_empty()),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_and_selectorless_services() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = cluster.file(
        "headless.yaml",
        r#"
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    app: db
  ports:
  - port: 5432
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  labels:
    app: db
spec:
  containers:
  - name: postgres
    image: postgres:16
---
apiVersion: v1
kind: Service
metadata:
  name: external
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external
subsets:
- addresses:
  - ip: 192.0.2.10
  ports:
  - port: 80
"#,
    );
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    report(&cluster, "default", "db-0", "10.244.2.3", false).await;
    // Not ready, but published anyway.
    let endpoints = cluster
        .eventually(&["get", "endpoints", "db"], "a published address", |e| {
            e["subsets"][0]["addresses"][0]["ip"] == "10.244.2.3"
        })
        .await;
    assert_eq!(
        endpoints["metadata"]["labels"]["service.kubernetes.io/headless"],
        ""
    );
    // Hand-made endpoints of a Service without a selector are left alone.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let external: Value = cluster
        .kubectl(&["get", "endpoints", "external", "-o", "json"])
        .await
        .json();
    assert_eq!(external["subsets"][0]["addresses"][0]["ip"], "192.0.2.10");
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoints_of_selectorless_services_are_mirrored_into_slices() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let manifest = r#"
apiVersion: v1
kind: Service
metadata:
  name: external-db
spec:
  ports:
  - name: sql
    port: 5432
---
apiVersion: v1
kind: Endpoints
metadata:
  name: external-db
  labels:
    team: data
subsets:
- addresses:
  - ip: 192.0.2.10
  - ip: 192.0.2.11
  notReadyAddresses:
  - ip: 192.0.2.12
  ports:
  - name: sql
    port: 5432
"#;
    let file = cluster.file("external.yaml", manifest);
    cluster
        .kubectl(&["apply", "-f", file.to_str().unwrap()])
        .await
        .ok();
    let slices = cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-l",
                "kubernetes.io/service-name=external-db",
            ],
            "the mirrored slice",
            |list| list["items"].as_array().is_some_and(|i| i.len() == 1),
        )
        .await;
    let slice = &slices["items"][0];
    let labels = &slice["metadata"]["labels"];
    assert_eq!(
        labels["endpointslice.kubernetes.io/managed-by"],
        "endpointslicemirroring-controller.k8s.io"
    );
    assert_eq!(labels["team"], "data", "the Endpoints' labels are kept");
    assert_eq!(slice["metadata"]["ownerReferences"][0]["kind"], "Endpoints");
    assert_eq!(slice["ports"][0]["port"], 5432);
    let endpoints = slice["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 3);
    let ready: Vec<bool> = endpoints
        .iter()
        .map(|e| e["conditions"]["ready"].as_bool().unwrap())
        .collect();
    assert_eq!(ready, [true, true, false]);
    // An update is mirrored; deleting the Endpoints removes the slice.
    cluster
        .kubectl(&[
            "patch",
            "endpoints",
            "external-db",
            "--type=json",
            "-p",
            r#"[{"op":"remove","path":"/subsets/0/notReadyAddresses"}]"#,
        ])
        .await
        .ok();
    cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-l",
                "kubernetes.io/service-name=external-db",
            ],
            "two endpoints mirrored",
            |list| {
                list["items"][0]["endpoints"]
                    .as_array()
                    .is_some_and(|e| e.len() == 2)
            },
        )
        .await;
    cluster
        .kubectl(&["delete", "endpoints", "external-db"])
        .await
        .ok();
    cluster
        .eventually(
            &[
                "get",
                "endpointslices",
                "-l",
                "kubernetes.io/service-name=external-db",
            ],
            "the mirrored slice gone",
            |list| list["items"].as_array().is_some_and(|i| i.is_empty()),
        )
        .await;
    // The API server's own `kubernetes` endpoints are not mirrored.
    let kubernetes = cluster
        .kubectl(&[
            "get",
            "endpointslices",
            "-l",
            "endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io",
            "-A",
            "-o",
            "json",
        ])
        .await
        .json();
    assert!(
        kubernetes["items"].as_array().unwrap().is_empty(),
        "{kubernetes}"
    );
}
