//! Volumes end to end with the real kubectl: the volume controller binds
//! claims to volumes and releases them, the DefaultStorageClass admission
//! plugin gives class-less claims the default class, and the nodes'
//! `local-path` provisioner makes a directory-backed volume where the pod
//! was scheduled — on a real node whose pod writes into it, and on
//! simulated nodes for a StatefulSet's claims.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::{TestCluster, busybox};

fn phase(object: &Value) -> &str {
    object["status"]["phase"].as_str().unwrap_or_default()
}

const LOCAL_PATH_CLASS: &str = r#"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: rudder.io/local-path
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
"#;

#[tokio::test(flavor = "multi_thread")]
async fn claims_bind_to_the_smallest_fitting_volume_and_are_released() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .apply(
            "volumes.yaml",
            r#"
apiVersion: v1
kind: PersistentVolume
metadata: {name: small}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/rudder-small}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: large}
spec:
  capacity: {storage: 20Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /tmp/rudder-large}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: huge}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Delete
  hostPath: {path: /tmp/rudder-huge}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  resources: {requests: {storage: 10Gi}}
"#,
        )
        .await
        .ok();
    let claim = cluster
        .eventually(&["get", "pvc", "data"], "the claim to be Bound", |c| {
            phase(c) == "Bound"
        })
        .await;
    assert_eq!(claim["spec"]["volumeName"], "large");
    assert_eq!(claim["status"]["capacity"]["storage"], "20Gi");
    assert_eq!(claim["status"]["accessModes"][0], "ReadWriteOnce");
    assert_eq!(
        claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"],
        "yes"
    );
    let volume = cluster
        .eventually(&["get", "pv", "large"], "the volume to be Bound", |v| {
            phase(v) == "Bound"
        })
        .await;
    assert_eq!(volume["spec"]["claimRef"]["name"], "data");
    assert_eq!(volume["spec"]["claimRef"]["uid"], claim["metadata"]["uid"]);
    cluster
        .eventually(&["get", "pv", "small"], "the others Available", |v| {
            phase(v) == "Available"
        })
        .await;
    let printed = cluster.kubectl(&["get", "pv", "large"]).await.ok();
    let row = printed.lines().nth(1).unwrap_or_default();
    for column in ["large", "20Gi", "RWO", "Retain", "Bound", "default/data"] {
        assert!(row.contains(column), "{column} missing from {printed}");
    }
    let printed = cluster.kubectl(&["get", "pvc", "data"]).await.ok();
    assert!(
        printed
            .lines()
            .nth(1)
            .unwrap_or_default()
            .contains("Bound    large"),
        "{printed}"
    );

    // A claim asking for more than any volume has waits, saying why.
    cluster
        .apply(
            "big-claim.yaml",
            r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: too-big}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  resources: {requests: {storage: 1Ti}}
"#,
        )
        .await
        .ok();
    cluster
        .eventually(
            &["get", "events", "--field-selector", "involvedObject.name=too-big"],
            "a FailedBinding event",
            |events| {
                events["items"].as_array().is_some_and(|items| {
                    items.iter().any(|e| {
                        e["reason"] == "FailedBinding"
                            && e["message"]
                                == "no persistent volumes available for this claim and no storage class is set"
                    })
                })
            },
        )
        .await;
    let claim = cluster
        .kubectl(&["get", "pvc", "too-big", "-o", "json"])
        .await
        .json();
    assert_eq!(phase(&claim), "Pending");

    // Deleting the claim releases its Retain volume.
    cluster.kubectl(&["delete", "pvc", "data"]).await.ok();
    cluster
        .eventually(&["get", "pv", "large"], "the volume to be Released", |v| {
            phase(v) == "Released"
        })
        .await;

    // A hand-made volume with reclaim policy Delete has no deleter: Failed.
    cluster
        .apply(
            "huge-claim.yaml",
            r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: huge-claim}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  volumeName: huge
  resources: {requests: {storage: 1Gi}}
"#,
        )
        .await
        .ok();
    cluster
        .eventually(
            &["get", "pv", "huge"],
            "the pre-bound volume to be Bound",
            |v| phase(v) == "Bound" && v["spec"]["claimRef"]["name"] == "huge-claim",
        )
        .await;
    cluster.kubectl(&["delete", "pvc", "huge-claim"]).await.ok();
    let failed = cluster
        .eventually(&["get", "pv", "huge"], "the volume to be Failed", |v| {
            phase(v) == "Failed"
        })
        .await;
    assert_eq!(
        failed["status"]["message"],
        "error getting deleter volume plugin for volume \"huge\": no deletable volume plugin matched"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_local_path_provisioner_makes_a_volume_on_the_pods_node() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let kubelet = cluster.start_kubelet("store-node").await;
    cluster.apply("class.yaml", LOCAL_PATH_CLASS).await.ok();
    cluster
        .apply(
            "claim.yaml",
            r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: notes}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"#,
        )
        .await
        .ok();
    // The default class was given, and binding waits for a pod.
    let claim = cluster
        .kubectl(&["get", "pvc", "notes", "-o", "json"])
        .await
        .json();
    assert_eq!(claim["spec"]["storageClassName"], "local-path");
    cluster
        .eventually(
            &[
                "get",
                "events",
                "--field-selector",
                "involvedObject.name=notes",
            ],
            "a WaitForFirstConsumer event",
            |events| {
                events["items"].as_array().is_some_and(|items| {
                    items.iter().any(|e| e["reason"] == "WaitForFirstConsumer")
                })
            },
        )
        .await;
    assert_eq!(
        phase(
            &cluster
                .kubectl(&["get", "pvc", "notes", "-o", "json"])
                .await
                .json()
        ),
        "Pending"
    );
    let sh = busybox();
    cluster
        .apply(
            "writer.yaml",
            &format!(
                r#"
apiVersion: v1
kind: Pod
metadata: {{name: writer}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["{sh}", "sh", "-c", "echo kept > /data/note && exec {sh} sleep 3600"]
    volumeMounts:
    - {{name: notes, mountPath: /data}}
  volumes:
  - name: notes
    persistentVolumeClaim: {{claimName: notes}}
"#
            ),
        )
        .await
        .ok();
    let claim = cluster
        .eventually(&["get", "pvc", "notes"], "the claim to be Bound", |c| {
            phase(c) == "Bound"
        })
        .await;
    let uid = claim["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let volume_name = format!("pvc-{uid}");
    assert_eq!(claim["spec"]["volumeName"], volume_name.as_str());
    assert_eq!(
        claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"],
        "store-node"
    );
    let volume = cluster
        .kubectl(&["get", "pv", &volume_name, "-o", "json"])
        .await
        .json();
    assert_eq!(volume["spec"]["storageClassName"], "local-path");
    assert_eq!(volume["spec"]["persistentVolumeReclaimPolicy"], "Delete");
    assert_eq!(
        volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"]
            [0],
        "store-node"
    );
    assert_eq!(
        volume["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"],
        "rudder.io/local-path"
    );
    let dir = std::path::PathBuf::from(
        volume["spec"]["hostPath"]["path"]
            .as_str()
            .unwrap_or_default(),
    );
    assert!(
        dir.starts_with(
            cluster
                .dir
                .path()
                .join("kubelet-store-node")
                .join("storage")
        ),
        "{}",
        dir.display()
    );
    cluster
        .eventually(&["get", "pod", "writer"], "the writer to run", |p| {
            phase(p) == "Running"
        })
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_to_string(dir.join("note")).unwrap_or_default() != "kept\n" {
        assert!(
            std::time::Instant::now() < deadline,
            "the pod's write never reached {}",
            dir.display()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let events = cluster
        .kubectl(&[
            "get",
            "events",
            "--field-selector",
            "involvedObject.name=notes",
            "-o",
            "json",
        ])
        .await
        .json();
    let reasons: Vec<&str> = events["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["reason"].as_str())
        .collect();
    assert!(reasons.contains(&"Provisioning"), "{reasons:?}");
    assert!(reasons.contains(&"ProvisioningSucceeded"), "{reasons:?}");

    // Delete reclaims: the volume and its directory go with the claim.
    cluster.kubectl(&["delete", "pod", "writer"]).await.ok();
    cluster.kubectl(&["delete", "pvc", "notes"]).await.ok();
    cluster
        .eventually(&["get", "pv"], "the volume to be deleted", |list| {
            list["items"]
                .as_array()
                .is_some_and(|items| items.is_empty())
        })
        .await;
    assert!(!dir.exists(), "{} was left behind", dir.display());
    kubelet.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statefulsets_claims_are_provisioned_on_simulated_nodes() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let _nodes = cluster.start_simulated_nodes(3).await;
    cluster.apply("class.yaml", LOCAL_PATH_CLASS).await.ok();
    cluster
        .apply(
            "sts.yaml",
            r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ledger}
spec:
  serviceName: ledger
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      containers:
      - {name: app, image: ledger:1}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 10Gi}}
"#,
        )
        .await
        .ok();
    let claims = cluster
        .eventually(&["get", "pvc"], "three Bound claims", |list| {
            list["items"]
                .as_array()
                .is_some_and(|items| items.len() == 3 && items.iter().all(|c| phase(c) == "Bound"))
        })
        .await;
    cluster
        .eventually(&["get", "sts", "ledger"], "every replica ready", |s| {
            s["status"]["readyReplicas"] == 3
        })
        .await;
    // Each volume is pinned to the node its pod runs on.
    for claim in claims["items"].as_array().into_iter().flatten() {
        let name = claim["metadata"]["name"].as_str().unwrap_or_default();
        let ordinal = name.rsplit('-').next().unwrap_or_default();
        let pod = cluster
            .kubectl(&["get", "pod", &format!("ledger-{ordinal}"), "-o", "json"])
            .await
            .json();
        let volume = cluster
            .kubectl(&[
                "get",
                "pv",
                claim["spec"]["volumeName"].as_str().unwrap_or_default(),
                "-o",
                "json",
            ])
            .await
            .json();
        assert_eq!(
            volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"]
                [0]["values"][0],
            pod["spec"]["nodeName"],
            "{name}"
        );
        assert_eq!(volume["status"]["phase"], "Bound");
    }
    let printed = cluster.kubectl(&["get", "pvc", "data-ledger-0"]).await.ok();
    let row = printed.lines().nth(1).unwrap_or_default();
    for column in [
        "data-ledger-0",
        "Bound",
        "pvc-",
        "10Gi",
        "RWO",
        "local-path",
    ] {
        assert!(row.contains(column), "{column} missing from {printed}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn claims_and_volumes_in_use_are_protected_from_deletion() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _controllers = cluster.start_controllers().await;
    let _nodes = cluster.start_simulated_nodes(1).await;
    cluster
        .apply(
            "used.yaml",
            r#"
apiVersion: v1
kind: PersistentVolume
metadata: {name: shelf}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /var/lib/shelf}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: books}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  containers:
  - name: app
    image: reader:1
    volumeMounts: [{name: books, mountPath: /books}]
  volumes:
  - {name: books, persistentVolumeClaim: {claimName: books}}
"#,
        )
        .await
        .ok();
    let claim = cluster
        .eventually(&["get", "pvc", "books"], "the claim Bound", |c| {
            phase(c) == "Bound"
        })
        .await;
    assert_eq!(
        claim["metadata"]["finalizers"][0],
        "kubernetes.io/pvc-protection"
    );
    let volume = cluster
        .kubectl(&["get", "pv", "shelf", "-o", "json"])
        .await
        .json();
    assert_eq!(
        volume["metadata"]["finalizers"][0],
        "kubernetes.io/pv-protection"
    );
    cluster
        .eventually(&["get", "pod", "reader"], "the reader running", |p| {
            p["status"]["phase"] == "Running"
        })
        .await;

    // In use: both stay, Terminating.
    cluster
        .kubectl(&["delete", "pvc", "books", "--wait=false"])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "pv", "shelf", "--wait=false"])
        .await
        .ok();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let claim = cluster
        .kubectl(&["get", "pvc", "books", "-o", "json"])
        .await
        .json();
    assert!(
        claim["metadata"]["deletionTimestamp"].is_string(),
        "{claim}"
    );
    assert_eq!(phase(&claim), "Bound");
    let printed = cluster.kubectl(&["get", "pvc", "books"]).await.ok();
    assert!(printed.contains("Terminating"), "{printed}");
    let described = cluster.kubectl(&["describe", "pvc", "books"]).await.ok();
    assert!(
        described.contains("kubernetes.io/pvc-protection"),
        "{described}"
    );
    let volume = cluster
        .kubectl(&["get", "pv", "shelf", "-o", "json"])
        .await
        .json();
    assert!(
        volume["metadata"]["deletionTimestamp"].is_string(),
        "{volume}"
    );

    // The pod goes: the claim follows, then the volume it released.
    cluster.kubectl(&["delete", "pod", "reader"]).await.ok();
    cluster
        .eventually(&["get", "pvc"], "the claim gone", |list| {
            list["items"].as_array().is_some_and(Vec::is_empty)
        })
        .await;
    cluster
        .eventually(&["get", "pv"], "the volume gone", |list| {
            list["items"].as_array().is_some_and(Vec::is_empty)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_default_class_is_given_to_claims_made_without_one() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .apply(
            "early.yaml",
            r#"
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: early}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: classless}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  resources: {requests: {storage: 1Gi}}
"#,
        )
        .await
        .ok();
    let early = cluster
        .kubectl(&["get", "pvc", "early", "-o", "json"])
        .await
        .json();
    assert!(early["spec"].get("storageClassName").is_none(), "{early}");
    cluster.apply("class.yaml", LOCAL_PATH_CLASS).await.ok();
    cluster
        .eventually(&["get", "pvc", "early"], "the default class given", |c| {
            c["spec"]["storageClassName"] == "local-path"
        })
        .await;
    // Asking for no class is kept.
    let classless = cluster
        .kubectl(&["get", "pvc", "classless", "-o", "json"])
        .await
        .json();
    assert_eq!(classless["spec"]["storageClassName"], "");
}
