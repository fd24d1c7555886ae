//! ResourceQuotas and LimitRanges end to end with the real kubectl:
//! LimitRanger's defaults and bounds, quota admission charging and
//! refusing in upstream's words, the resource quota controller giving
//! back what deletions free, and concurrent creates never overspending.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::TestCluster;

fn used(quota: &Value, resource: &str) -> String {
    quota["status"]["used"][resource]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn quota(cluster: &TestCluster, namespace: &str, name: &str) -> Value {
    cluster
        .kubectl(&["get", "quota", name, "-n", namespace, "-o", "json"])
        .await
        .json()
}

const COMPUTE: &str = r#"
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: team}
spec:
  hard: {pods: "2", requests.cpu: "1", limits.memory: 1Gi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: objects, namespace: team}
spec:
  hard: {count/configmaps: "2", persistentvolumeclaims: "5", requests.storage: 10Gi}
"#;

const LIMITS: &str = r#"
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: team}
spec:
  limits:
  - type: Container
    default: {memory: 256Mi}
    defaultRequest: {cpu: 400m}
    max: {cpu: "1"}
  - type: PersistentVolumeClaim
    max: {storage: 2Gi}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn quotas_charge_refuse_and_give_back_and_limit_ranges_default() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster.kubectl(&["create", "namespace", "team"]).await.ok();
    cluster.apply("quota.yaml", COMPUTE).await.ok();
    let compute = cluster
        .eventually(
            &["get", "quota", "compute", "-n", "team"],
            "the controller to count the quota",
            |q| used(q, "pods") == "0",
        )
        .await;
    assert_eq!(compute["status"]["hard"]["limits.memory"], "1Gi");
    assert_eq!(used(&compute, "requests.cpu"), "0");
    // The namespace's kube-root-ca.crt is a config map already.
    let objects = cluster
        .eventually(
            &["get", "quota", "objects", "-n", "team"],
            "the object counts",
            |q| used(q, "count/configmaps") == "1",
        )
        .await;
    assert_eq!(used(&objects, "requests.storage"), "0");

    // A compute quota makes every container state what it limits.
    let refused = cluster
        .kubectl(&["run", "bare", "-n", "team", "--image=busybox"])
        .await
        .err();
    assert!(
        refused.contains(
            r#"pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: bare; requests.cpu for: bare"#
        ),
        "{refused}"
    );

    // The LimitRange fills the defaults in, and says so.
    cluster.apply("limits.yaml", LIMITS).await.ok();
    cluster
        .kubectl(&["run", "a", "-n", "team", "--image=busybox"])
        .await
        .ok();
    let pod = cluster
        .kubectl(&["get", "pod", "a", "-n", "team", "-o", "json"])
        .await
        .json();
    let resources = &pod["spec"]["containers"][0]["resources"];
    assert_eq!(resources["requests"]["cpu"], "400m");
    assert_eq!(resources["limits"]["memory"], "256Mi");
    // The LimitRange's own defaulting: the default limit is the max,
    // the default request the default limit.
    assert_eq!(resources["limits"]["cpu"], "1");
    assert_eq!(resources["requests"]["memory"], "256Mi");
    assert_eq!(
        pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
        "LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a"
    );
    // Admission charged the quota before the pod was stored.
    let compute = quota(&cluster, "team", "compute").await;
    assert_eq!(used(&compute, "pods"), "1");
    assert_eq!(used(&compute, "requests.cpu"), "400m");
    assert_eq!(used(&compute, "limits.memory"), "256Mi");

    let too_big = cluster
        .kubectl(&[
            "run",
            "big",
            "-n",
            "team",
            "--image=busybox",
            "--overrides",
            r#"{"spec": {"containers": [{"name": "big", "image": "busybox", "resources": {"limits": {"cpu": "2"}}}]}}"#,
        ])
        .await
        .err();
    assert!(
        too_big.contains(
            r#"pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2"#
        ),
        "{too_big}"
    );

    cluster
        .kubectl(&["run", "b", "-n", "team", "--image=busybox"])
        .await
        .ok();
    let exceeded = cluster
        .kubectl(&["run", "c", "-n", "team", "--image=busybox"])
        .await
        .err();
    assert!(
        exceeded.contains(
            r#"pods "c" is forbidden: exceeded quota: compute, requested: pods=1,requests.cpu=400m, used: pods=2,requests.cpu=800m, limited: pods=2,requests.cpu=1"#
        ),
        "{exceeded}"
    );
    let table = cluster
        .kubectl(&["get", "quota", "compute", "-n", "team"])
        .await
        .ok();
    assert!(
        table.contains("pods: 2/2, requests.cpu: 800m/1")
            && table.contains("limits.memory: 512Mi/1Gi"),
        "{table}"
    );
    let described = cluster
        .kubectl(&["describe", "quota", "compute", "-n", "team"])
        .await
        .ok();
    assert!(
        described
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["requests.cpu", "800m", "1"]),
        "{described}"
    );

    // Deleting a pod gives its share back; then a Deployment gets only
    // what is left, and its ReplicaSet says why.
    cluster
        .kubectl(&["delete", "pod", "a", "-n", "team", "--wait=false"])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "quota", "compute", "-n", "team"],
            "the deleted pod's share to come back",
            |q| used(q, "pods") == "1" && used(q, "requests.cpu") == "400m",
        )
        .await;
    cluster
        .kubectl(&[
            "create",
            "deployment",
            "web",
            "-n",
            "team",
            "--image=nginx",
            "--replicas=3",
        ])
        .await
        .ok();
    let events = cluster
        .eventually(
            &[
                "get",
                "events",
                "-n",
                "team",
                "--field-selector",
                "reason=FailedCreate",
            ],
            "the ReplicaSet to report the quota",
            |list| {
                list["items"].as_array().is_some_and(|items| {
                    items.iter().any(|e| {
                        e["message"].as_str().is_some_and(|m| {
                            m.starts_with("Error creating: pods \"web-")
                                && m.contains("is forbidden: exceeded quota: compute")
                        })
                    })
                })
            },
        )
        .await;
    assert!(events["items"][0]["involvedObject"]["kind"] == "ReplicaSet");
    let pods = cluster
        .kubectl(&["get", "pods", "-n", "team", "-l", "app=web", "-o", "json"])
        .await
        .json();
    assert_eq!(pods["items"].as_array().map(Vec::len), Some(1));

    // Object counts and claims.
    cluster
        .kubectl(&["create", "configmap", "one", "-n", "team"])
        .await
        .ok();
    let second = cluster
        .kubectl(&["create", "configmap", "two", "-n", "team"])
        .await
        .err();
    assert!(
        second.contains(
            r#"configmaps "two" is forbidden: exceeded quota: objects, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2"#
        ),
        "{second}"
    );
    cluster
        .kubectl(&["delete", "configmap", "one", "-n", "team"])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "quota", "objects", "-n", "team"],
            "the deleted config map to be given back",
            |q| used(q, "count/configmaps") == "1",
        )
        .await;
    let claim = |name: &str, size: &str| {
        format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}, namespace: team}}\n\
             spec: {{accessModes: [ReadWriteOnce], storageClassName: \"\", resources: {{requests: {{storage: {size}}}}}}}\n"
        )
    };
    cluster
        .apply("small.yaml", &claim("small", "1Gi"))
        .await
        .ok();
    let large = cluster
        .apply("large.yaml", &claim("large", "5Gi"))
        .await
        .err();
    assert!(
        large.contains(
            r#"persistentvolumeclaims "large" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"#
        ),
        "{large}"
    );
    let objects = quota(&cluster, "team", "objects").await;
    assert_eq!(used(&objects, "persistentvolumeclaims"), "1");
    assert_eq!(used(&objects, "requests.storage"), "1Gi");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_creates_never_overspend_a_quota() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .kubectl(&["create", "namespace", "burst"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "quota",
            "five",
            "-n",
            "burst",
            "--hard=count/secrets=5",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "quota", "five", "-n", "burst"],
            "the quota to be counted",
            |q| used(q, "count/secrets") == "0",
        )
        .await;
    let creates = (0..12).map(|i| {
        let name = format!("s{i}");
        let cluster = &cluster;
        async move {
            cluster
                .kubectl(&["create", "secret", "generic", &name, "-n", "burst"])
                .await
        }
    });
    let results = futures::future::join_all(creates).await;
    let created = results.iter().filter(|r| r.success).count();
    assert_eq!(created, 5, "{results:#?}");
    for refused in results.iter().filter(|r| !r.success) {
        assert!(
            refused.stderr.contains("exceeded quota: five"),
            "{}",
            refused.stderr
        );
    }
    let secrets = cluster
        .kubectl(&["get", "secrets", "-n", "burst", "-o", "json"])
        .await
        .json();
    assert_eq!(secrets["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        used(&quota(&cluster, "burst", "five").await, "count/secrets"),
        "5"
    );
}
