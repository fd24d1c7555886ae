//! Pods as API clients: the ServiceAccount admission plugin gives every
//! pod its account and a projected token volume, the kubelet fills it with
//! a token bound to the pod and tells containers where the API server is,
//! and the official Python client inside a pod works with what it finds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testkit::{HostNetwork, TestCluster, TestNetwork, busybox};

const TOKEN_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Waits until pod `name` in `namespace` has finished, and returns it with
/// its logs; fails with its events if it does not succeed.
async fn finished(cluster: &TestCluster, namespace: &str, name: &str) -> (Value, String) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let pod = cluster
            .kubectl(&["get", "pod", name, "-n", namespace, "-o", "json"])
            .await
            .json();
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if phase == "Succeeded" || phase == "Failed" {
            let logs = cluster.kubectl(&["logs", name, "-n", namespace]).await.ok();
            assert_eq!(phase, "Succeeded", "{name} failed:\n{logs}");
            return (pod, logs);
        }
        if Instant::now() > deadline {
            let events = cluster
                .kubectl(&["get", "events", "-n", namespace])
                .await
                .ok();
            panic!("{name} did not finish:\n{pod:#}\n{events}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn pod(name: &str, script: &str, spec: Value) -> String {
    let mut manifest = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{
                "name": "main",
                "image": "busybox",
                "command": [busybox(), "sh", "-c", script],
            }],
        },
    });
    if let (Some(target), Some(extra)) = (manifest["spec"].as_object_mut(), spec.as_object()) {
        target.extend(extra.clone());
    }
    manifest.to_string()
}

/// Who the API server says `token` is (a TokenReview by the admin).
async fn review(cluster: &TestCluster, token: &str) -> Value {
    let review = json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenReview",
        "metadata": {},
        "spec": {"token": token},
    });
    let file = cluster.file("review.json", &review.to_string());
    cluster
        .kubectl(&["create", "-f", file.to_str().unwrap(), "-o", "json"])
        .await
        .json()["status"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_get_their_account_a_bound_token_and_the_service_variables() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;

    // Admission: the default account, its token volume in every
    // container, mounted read-only at the well-known path.
    let script = format!(
        "cat {TOKEN_DIR}/namespace; echo; cat {TOKEN_DIR}/token; echo; \
         grep -c CERTIFICATE {TOKEN_DIR}/ca.crt; env | grep ^KUBERNETES_ | sort"
    );
    cluster
        .apply("show", &pod("show", &script, json!({})))
        .await
        .ok();
    let (shown, logs) = finished(&cluster, "default", "show").await;
    let spec = &shown["spec"];
    assert_eq!(spec["serviceAccountName"], "default");
    assert_eq!(spec["serviceAccount"], "default");
    let volume = &spec["volumes"][0];
    let volume_name = volume["name"].as_str().unwrap();
    assert!(volume_name.starts_with("kube-api-access-"), "{volume:#}");
    let sources = &volume["projected"]["sources"];
    assert_eq!(sources[0]["serviceAccountToken"]["expirationSeconds"], 3607);
    assert_eq!(sources[1]["configMap"]["name"], "kube-root-ca.crt");
    assert_eq!(
        sources[2]["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"],
        "metadata.namespace"
    );
    assert_eq!(
        spec["containers"][0]["volumeMounts"][0],
        json!({"name": volume_name, "mountPath": TOKEN_DIR, "readOnly": true})
    );

    // The kubelet: the namespace, a token bound to this pod, the CA, and
    // where the API server is.
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(lines[0], "default", "{logs}");
    let token = lines[1];
    assert_ne!(lines[2], "0", "the CA bundle:\n{logs}");
    assert!(
        logs.contains("KUBERNETES_SERVICE_HOST=10.96.0.1\n")
            && logs.contains("KUBERNETES_SERVICE_PORT=443\n")
            && logs.contains("KUBERNETES_SERVICE_PORT_HTTPS=443\n")
            && logs.contains("KUBERNETES_PORT=tcp://10.96.0.1:443\n")
            && logs.contains("KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1\n"),
        "{logs}"
    );
    let status = review(&cluster, token).await;
    assert_eq!(status["authenticated"], true, "{status:#}");
    assert_eq!(
        status["user"]["username"],
        "system:serviceaccount:default:default"
    );
    assert_eq!(
        status["user"]["extra"]["authentication.kubernetes.io/pod-name"],
        json!(["show"]),
        "{status:#}"
    );
    // The token dies with its pod.
    cluster
        .kubectl(&["delete", "pod", "show", "--wait=false"])
        .await
        .ok();
    cluster
        .kubectl(&["wait", "--for=delete", "pod/show", "--timeout=60s"])
        .await
        .ok();
    let status = review(&cluster, token).await;
    assert_ne!(status["authenticated"], true, "{status:#}");

    // Service links: a Service of the namespace appears in containers
    // started after it, unless the pod turns links off.
    cluster
        .kubectl(&[
            "create",
            "service",
            "clusterip",
            "web-front",
            "--tcp=80:8080",
        ])
        .await
        .ok();
    let env = "env | grep -e ^WEB_FRONT_ -e ^KUBERNETES_SERVICE_HOST | sort";
    cluster
        .apply("linked", &pod("linked", env, json!({})))
        .await
        .ok();
    cluster
        .apply(
            "unlinked",
            &pod("unlinked", env, json!({"enableServiceLinks": false})),
        )
        .await
        .ok();
    let (_, linked) = finished(&cluster, "default", "linked").await;
    let front = cluster
        .kubectl(&[
            "get",
            "service",
            "web-front",
            "-o",
            "jsonpath={.spec.clusterIP}",
        ])
        .await
        .ok();
    assert!(
        linked.contains(&format!("WEB_FRONT_SERVICE_HOST={front}\n"))
            && linked.contains("WEB_FRONT_SERVICE_PORT=80\n")
            && linked.contains(&format!("WEB_FRONT_PORT_80_TCP=tcp://{front}:80\n")),
        "{linked}"
    );
    let (_, unlinked) = finished(&cluster, "default", "unlinked").await;
    assert!(!unlinked.contains("WEB_FRONT"), "{unlinked}");
    assert!(unlinked.contains("KUBERNETES_SERVICE_HOST="), "{unlinked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admission_checks_the_account_and_honours_opting_out() {
    let cluster = TestCluster::start().await;
    let sleeper = |name: &str, spec: Value| pod(name, "sleep 1", spec);

    // An account that does not exist: refused, nothing written.
    let err = cluster
        .apply(
            "lost",
            &sleeper("lost", json!({"serviceAccountName": "robot"})),
        )
        .await
        .err();
    assert!(
        err.contains(
            "pods \"lost\" is forbidden: error looking up service account default/robot: serviceaccount \"robot\" not found"
        ),
        "{err}"
    );
    let missing = cluster.kubectl(&["get", "pod", "lost"]).await.err();
    assert!(missing.contains("NotFound"), "{missing}");

    // The deprecated field names the account too.
    cluster
        .kubectl(&["create", "serviceaccount", "robot"])
        .await
        .ok();
    cluster
        .apply("old", &sleeper("old", json!({"serviceAccount": "robot"})))
        .await
        .ok();
    let old = cluster
        .kubectl(&["get", "pod", "old", "-o", "json"])
        .await
        .json();
    assert_eq!(old["spec"]["serviceAccountName"], "robot");

    // The pod opts out; the account opts out and the pod does not say;
    // the account opts out and the pod opts back in.
    cluster
        .apply(
            "quiet",
            &sleeper("quiet", json!({"automountServiceAccountToken": false})),
        )
        .await
        .ok();
    let account = json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "builder"},
        "automountServiceAccountToken": false,
        "imagePullSecrets": [{"name": "registry"}],
    });
    cluster.apply("builder", &account.to_string()).await.ok();
    cluster
        .apply(
            "built",
            &sleeper("built", json!({"serviceAccountName": "builder"})),
        )
        .await
        .ok();
    cluster
        .apply(
            "insists",
            &sleeper(
                "insists",
                json!({"serviceAccountName": "builder", "automountServiceAccountToken": true}),
            ),
        )
        .await
        .ok();
    let volumes = |name: &str| {
        let cluster = &cluster;
        let name = name.to_string();
        async move {
            cluster
                .kubectl(&["get", "pod", &name, "-o", "json"])
                .await
                .json()["spec"]
                .clone()
        }
    };
    assert!(volumes("quiet").await["volumes"].is_null());
    let built = volumes("built").await;
    assert!(built["volumes"].is_null(), "{built:#}");
    // The account's pull secrets, for a pod that names none.
    assert_eq!(built["imagePullSecrets"], json!([{"name": "registry"}]));
    let insists = volumes("insists").await;
    assert!(
        insists["volumes"][0]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("kube-api-access-")),
        "{insists:#}"
    );

    // Mirror pods (the kubelet's copies of its static pods) may not use
    // accounts or secrets.
    let mirror = |name: &str, spec: Value| {
        let mut manifest: Value = serde_json::from_str(&sleeper(name, spec)).unwrap();
        manifest["metadata"]["annotations"] = json!({"kubernetes.io/config.mirror": "x"});
        manifest["spec"]["nodeName"] = json!("node-a");
        manifest.to_string()
    };
    let err = cluster
        .apply(
            "mirror-account",
            &mirror("mirror-account", json!({"serviceAccountName": "robot"})),
        )
        .await
        .err();
    assert!(
        err.contains("a mirror pod may not reference service accounts"),
        "{err}"
    );
    let err = cluster
        .apply(
            "mirror-secret",
            &mirror(
                "mirror-secret",
                json!({"volumes": [{"name": "s", "secret": {"secretName": "k"}}]}),
            ),
        )
        .await
        .err();
    assert!(
        err.contains("a mirror pod may not reference secrets"),
        "{err}"
    );
    cluster
        .apply("mirror-plain", &mirror("mirror-plain", json!({})))
        .await
        .ok();
    let plain = volumes("mirror-plain").await;
    assert!(
        plain["volumes"].is_null() && plain["serviceAccountName"].is_null(),
        "a mirror pod is left as written: {plain:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_gets_tokens_only_for_its_own_pods() {
    let cluster = TestCluster::start().await;
    for (name, node) in [("here", "node-a"), ("there", "node-b")] {
        cluster
            .apply(name, &pod(name, "sleep 1", json!({"nodeName": node})))
            .await
            .ok();
    }
    let uid = |name: &str| {
        let cluster = &cluster;
        let name = name.to_string();
        async move {
            cluster
                .kubectl(&["get", "pod", &name, "-o", "jsonpath={.metadata.uid}"])
                .await
                .ok()
        }
    };
    let node_a = cluster.server.node_kubeconfig("node-a").unwrap();
    let as_node = |args: Vec<String>| {
        let cluster = &cluster;
        let kubeconfig = node_a.to_str().unwrap().to_string();
        async move {
            let mut all = vec!["--kubeconfig".to_string(), kubeconfig];
            all.extend(args);
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            cluster.kubectl(&refs).await
        }
    };
    let token_for = |pod: &str, uid: &str| {
        vec![
            "create".to_string(),
            "token".to_string(),
            "default".to_string(),
            "--bound-object-kind=Pod".to_string(),
            format!("--bound-object-name={pod}"),
            format!("--bound-object-uid={uid}"),
        ]
    };
    let here = uid("here").await;
    let token = as_node(token_for("here", &here)).await.ok();
    let status = review(&cluster, token.trim()).await;
    assert_eq!(status["authenticated"], true, "{status:#}");

    let there = uid("there").await;
    let err = as_node(token_for("there", &there)).await.err();
    assert!(
        err.contains("node requested token bound to a pod scheduled on a different node"),
        "{err}"
    );
    let err = as_node(token_for("here", "not-its-uid")).await.err();
    assert!(
        err.contains("the UID in the bound object reference (not-its-uid) does not match"),
        "{err}"
    );
    let err = as_node(vec!["create".into(), "token".into(), "default".into()])
        .await
        .err();
    assert!(
        err.contains("node requested token not bound to a pod"),
        "{err}"
    );
}

/// The official client inside a pod: `load_incluster_config()` reads the
/// token, CA and namespace the pod was given and reaches the API server at
/// the `kubernetes` Service's address through the service proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_client_works_in_cluster() {
    let _host = HostNetwork::claim().await;
    let network = TestNetwork::claim();
    let gateway: std::net::IpAddr = network.cidr.replace(".0/24", ".1").parse().unwrap();
    // The API server is reached from pods at an address of this machine
    // on their bridge, as a node's address would be.
    let cluster = TestCluster::start_with(|config| {
        config.bind_address = [0, 0, 0, 0].into();
        config.advertise_address = Some(gateway);
    })
    .await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet_in("node-a", network, |_| {}).await;
    let _proxy = cluster
        .start_proxy("node-a", proxy::Mode::Nftables, "10.88.0.0/16")
        .await;
    let python = tokio::task::spawn_blocking(testkit::python_with_kubernetes)
        .await
        .unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/in_cluster.py");

    for args in [
        vec!["create", "namespace", "apps"],
        vec!["create", "serviceaccount", "reader", "-n", "apps"],
        vec![
            "create",
            "role",
            "pod-reader",
            "-n",
            "apps",
            "--verb=get,list,watch",
            "--resource=pods",
        ],
        vec![
            "create",
            "rolebinding",
            "reader",
            "-n",
            "apps",
            "--role=pod-reader",
            "--serviceaccount=apps:reader",
        ],
    ] {
        cluster.kubectl(&args).await.ok();
    }
    let manifest = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "client", "namespace": "apps"},
        "spec": {
            "serviceAccountName": "reader",
            "restartPolicy": "Never",
            "containers": [{
                "name": "python",
                "image": "python",
                "command": [python, script],
            }],
        },
    });
    cluster.apply("client", &manifest.to_string()).await.ok();
    let (_, logs) = finished(&cluster, "apps", "client").await;
    assert!(logs.contains("namespace apps\n"), "{logs}");
    assert!(logs.contains("pods client\n"), "{logs}");
    assert!(logs.contains("secrets 403 Forbidden\n"), "{logs}");
    assert!(
        logs.contains("other-namespace-pods 403 Forbidden\n"),
        "{logs}"
    );
    assert!(logs.contains("in-cluster client ok"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_token_secrets_are_filled_and_live_with_their_secret_and_account() {
    use base64::Engine;
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .kubectl(&["create", "serviceaccount", "builder"])
        .await
        .ok();
    let secret = |name: &str, annotations: Value| {
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "annotations": annotations},
            "type": "kubernetes.io/service-account-token",
        })
        .to_string()
    };
    // The Secret must say whose token it holds.
    let refused = cluster
        .apply("nameless", &secret("nameless", json!({})))
        .await
        .err();
    assert!(
        refused
            .contains("metadata.annotations[kubernetes.io/service-account.name]: Required value"),
        "{refused}"
    );
    let annotations = json!({"kubernetes.io/service-account.name": "builder"});
    cluster
        .apply(
            "builder-token",
            &secret("builder-token", annotations.clone()),
        )
        .await
        .ok();
    let filled = cluster
        .eventually(
            &["get", "secret", "builder-token"],
            "the token Secret filled",
            |s| s["data"]["token"].is_string(),
        )
        .await;
    let account = cluster
        .kubectl(&["get", "serviceaccount", "builder", "-o", "json"])
        .await
        .json();
    assert_eq!(
        filled["metadata"]["annotations"]["kubernetes.io/service-account.uid"],
        account["metadata"]["uid"]
    );
    let decode = |field: &str| {
        let data = filled["data"][field].as_str().unwrap_or_default();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(decode("namespace"), "default");
    assert!(decode("ca.crt").starts_with("-----BEGIN CERTIFICATE-----"));
    let token = decode("token");
    let status = review(&cluster, &token).await;
    assert_eq!(status["authenticated"], true, "{status:#}");
    assert_eq!(
        status["user"]["username"],
        "system:serviceaccount:default:builder"
    );
    // `kubectl describe` shows the token, as upstream's does.
    let described = cluster
        .kubectl(&["describe", "secret", "builder-token"])
        .await
        .ok();
    assert!(described.contains("token:"), "{described}");

    // Good while its Secret holds it.
    cluster
        .kubectl(&["delete", "secret", "builder-token"])
        .await
        .ok();
    assert_ne!(review(&cluster, &token).await["authenticated"], true);

    // The account's going takes its token Secrets along.
    cluster
        .apply("second-token", &secret("second-token", annotations))
        .await
        .ok();
    let second = cluster
        .eventually(
            &["get", "secret", "second-token"],
            "the second Secret filled",
            |s| s["data"]["token"].is_string(),
        )
        .await;
    cluster
        .kubectl(&["delete", "serviceaccount", "builder"])
        .await
        .ok();
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster
        .kubectl(&["get", "secret", "second-token"])
        .await
        .success
    {
        assert!(
            Instant::now() < deadline,
            "second-token outlived its account"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second_token = base64::engine::general_purpose::STANDARD
        .decode(second["data"]["token"].as_str().unwrap_or_default())
        .unwrap();
    let second_token = String::from_utf8(second_token).unwrap();
    assert_ne!(review(&cluster, &second_token).await["authenticated"], true);
}
