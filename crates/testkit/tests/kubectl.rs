//! The real kubectl against a real rudder API server: what a person types,
//! and what kubectl prints back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use testkit::TestCluster;

const SHOP: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team: a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: shop
  labels:
    app.kubernetes.io/name: web
    env: a
data:
  a: "1"
  b: "2"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  namespace: shop
  labels:
    env: c
data:
  x: "1"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
    tier: front
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: nginx:1
        ports:
        - containerPort: 80
      - name: side
        image: busybox
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
"#;

fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim_end().to_string()).collect()
}

fn column(text: &str, header: &str) -> Vec<String> {
    let all = lines(text);
    let start = all[0].find(header).expect("column present");
    all[1..]
        .iter()
        .map(|l| {
            l[start..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_namespaces_lists_the_system_namespaces() {
    let cluster = TestCluster::start().await;
    let out = cluster.kubectl(&["get", "ns"]).await.ok();
    let rows = lines(&out);
    assert_eq!(
        rows[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "STATUS", "AGE"]
    );
    assert_eq!(
        column(&out, "NAME"),
        ["default", "kube-node-lease", "kube-public", "kube-system"]
    );
    assert!(column(&out, "STATUS").iter().all(|s| s == "Active"));
    let version = cluster.kubectl(&["version", "-o", "json"]).await.json();
    assert_eq!(version["serverVersion"]["minor"], "33");
    let pcs = cluster
        .kubectl(&["get", "priorityclasses", "-o", "name"])
        .await
        .ok();
    assert!(
        pcs.contains("priorityclass.scheduling.k8s.io/system-node-critical"),
        "{pcs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_get_and_reapply_with_removals() {
    let cluster = TestCluster::start().await;
    let manifest = cluster.file("shop.yaml", SHOP);
    let manifest = manifest.to_str().unwrap();
    let out = cluster.kubectl(&["apply", "-f", manifest]).await.ok();
    assert_eq!(
        lines(&out),
        [
            "namespace/shop created",
            "configmap/cfg created",
            "configmap/other created",
            "deployment.apps/web created",
            "service/web created"
        ]
    );
    let all = cluster.kubectl(&["get", "all", "-n", "shop"]).await.ok();
    assert!(
        all.contains("service/web") && all.contains("deployment.apps/web"),
        "{all}"
    );
    let deploy = cluster
        .kubectl(&["get", "deploy", "-n", "shop", "-o", "wide"])
        .await
        .ok();
    assert_eq!(
        lines(&deploy)[0].split_whitespace().collect::<Vec<_>>(),
        [
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
            "CONTAINERS",
            "IMAGES",
            "SELECTOR"
        ]
    );
    assert!(
        lines(&deploy)[1].contains("0/2")
            && lines(&deploy)[1].contains("app,side")
            && lines(&deploy)[1].contains("nginx:1,busybox"),
        "{deploy}"
    );
    let svc = cluster.kubectl(&["get", "svc", "-n", "shop"]).await.ok();
    assert_eq!(
        lines(&svc)[0].split_whitespace().collect::<Vec<_>>(),
        [
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE"
        ]
    );
    assert!(lines(&svc)[1].contains("80/TCP"));

    // Unchanged: nothing to do.
    let again = cluster.kubectl(&["apply", "-f", manifest]).await.ok();
    assert!(again.contains("deployment.apps/web unchanged"), "{again}");

    // Edit: drop a label, a container and a data key; change the image.
    let edited = SHOP
        .replace("    tier: front\n", "")
        .replace("      - name: side\n        image: busybox\n", "")
        .replace("  b: \"2\"\n", "")
        .replace("image: nginx:1", "image: nginx:2");
    let edited = cluster.file("shop2.yaml", &edited);
    let out = cluster
        .kubectl(&["apply", "-f", edited.to_str().unwrap()])
        .await
        .ok();
    assert!(
        out.contains("deployment.apps/web configured") && out.contains("configmap/cfg configured"),
        "{out}"
    );
    let web = cluster
        .kubectl(&["get", "deploy", "web", "-n", "shop", "-o", "json"])
        .await
        .json();
    assert_eq!(
        web["metadata"]["labels"],
        serde_json::json!({"app.kubernetes.io/name": "web"})
    );
    let containers = web["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 1);
    assert_eq!(containers[0]["image"], "nginx:2");
    assert_eq!(containers[0]["ports"][0]["containerPort"], 80);
    assert_eq!(web["metadata"]["generation"], 2);
    let cfg = cluster
        .kubectl(&["get", "cm", "cfg", "-n", "shop", "-o", "json"])
        .await
        .json();
    assert_eq!(cfg["data"], serde_json::json!({"a": "1"}));

    // --wait=false: the namespace stays Terminating until the namespace
    // controller empties it, and kubectl would wait for it to go.
    let out = cluster
        .kubectl(&["delete", "--wait=false", "-f", edited.to_str().unwrap()])
        .await
        .ok();
    assert!(out.contains("deployment.apps \"web\" deleted"), "{out}");
    // The namespace is Terminating until the namespace controller empties it.
    let ns = cluster
        .kubectl(&["get", "ns", "shop", "-o", "jsonpath={.status.phase}"])
        .await
        .ok();
    assert_eq!(ns, "Terminating");
    let late = cluster.file(
        "late.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: shop\n",
    );
    let err = cluster
        .kubectl(&["create", "-f", late.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains(
            "unable to create new content in namespace shop because it is being terminated"
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selectors_and_output_formats() {
    let cluster = TestCluster::start().await;
    let manifest = cluster.file("shop.yaml", SHOP);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    // Every namespace gets the cluster's CA bundle.
    cluster
        .eventually(
            &["get", "cm", "kube-root-ca.crt", "-n", "shop"],
            "the namespace's root CA",
            |_| true,
        )
        .await;
    let ns = ["-n", "shop"];
    let get = |extra: &[&str]| {
        let mut args = vec!["get", "cm"];
        args.extend_from_slice(&ns);
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>| {
        let cluster = &cluster;
        async move {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            cluster.kubectl(&refs).await
        }
    };
    let out = run(get(&["-l", "app.kubernetes.io/name=web", "-o", "name"]))
        .await
        .ok();
    assert_eq!(out.trim(), "configmap/cfg");
    let out = run(get(&["-l", "env in (a,b)", "-o", "name"])).await.ok();
    assert_eq!(out.trim(), "configmap/cfg");
    // `notin` also matches objects without the label, as the namespace's
    // root CA bundle.
    let out = run(get(&["-l", "env notin (a)", "-o", "name"])).await.ok();
    assert_eq!(out.trim(), "configmap/kube-root-ca.crt\nconfigmap/other");
    let out = run(get(&["-l", "env", "--show-labels"])).await.ok();
    assert!(lines(&out)[0].ends_with("LABELS"), "{out}");
    assert!(out.contains("app.kubernetes.io/name=web,env=a"), "{out}");
    let out = run(get(&["-L", "env"])).await.ok();
    assert_eq!(
        lines(&out)[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "DATA", "AGE", "ENV"]
    );
    let out = run(get(&["-o", "jsonpath={.items[*].metadata.name}"]))
        .await
        .ok();
    assert_eq!(out, "cfg kube-root-ca.crt other");
    let out = run(get(&[
        "-o",
        "custom-columns=NAME:.metadata.name,LABELS:.metadata.labels",
    ]))
    .await
    .ok();
    assert_eq!(
        lines(&out)[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "LABELS"]
    );
    assert!(out.contains("map[env:c]"), "{out}");
    let out = run(get(&["--sort-by=.metadata.name", "-o", "name"]))
        .await
        .ok();
    assert_eq!(
        lines(&out),
        [
            "configmap/cfg",
            "configmap/kube-root-ca.crt",
            "configmap/other"
        ]
    );
    let out = run(get(&[
        "--field-selector",
        "metadata.name=other",
        "-o",
        "name",
    ]))
    .await
    .ok();
    assert_eq!(out.trim(), "configmap/other");
    let out = run(get(&["-o", "yaml"])).await.ok();
    assert!(
        out.contains("kind: List") && out.contains("resourceVersion:"),
        "{out}"
    );
    let all = cluster
        .kubectl(&["get", "cm", "-A", "-o", "name"])
        .await
        .ok();
    // Two of the test's, and the root CA of the four system namespaces
    // and of shop.
    assert_eq!(lines(&all).len(), 7, "{all}");

    // Bad selectors are the server's 400, not an empty list.
    let err = run(get(&["-l", "env in (a"])).await.err();
    assert!(
        err.contains("unable to parse requirement") || err.contains("found"),
        "{err}"
    );
    let err = cluster
        .kubectl(&[
            "get",
            "pods",
            "-n",
            "shop",
            "--field-selector",
            "spec.bogus=x",
        ])
        .await
        .err();
    assert!(
        err.contains("field label not supported: spec.bogus"),
        "{err}"
    );
    let err = cluster.kubectl(&["get", "frobnicators"]).await.err();
    assert!(
        err.contains("the server doesn't have a resource type \"frobnicators\""),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_annotate_patch_scale_and_set_image() {
    let cluster = TestCluster::start().await;
    let manifest = cluster.file("shop.yaml", SHOP);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let ns = "shop";
    assert_eq!(
        cluster
            .kubectl(&["label", "cm", "cfg", "-n", ns, "extra=1"])
            .await
            .ok()
            .trim(),
        "configmap/cfg labeled"
    );
    assert_eq!(
        cluster
            .kubectl(&["label", "cm", "cfg", "-n", ns, "env-"])
            .await
            .ok()
            .trim(),
        "configmap/cfg unlabeled"
    );
    assert_eq!(
        cluster
            .kubectl(&["annotate", "cm", "cfg", "-n", ns, "note=hi"])
            .await
            .ok()
            .trim(),
        "configmap/cfg annotated"
    );
    cluster
        .kubectl(&[
            "patch",
            "cm",
            "cfg",
            "-n",
            ns,
            "--type=merge",
            "-p",
            r#"{"data":{"c":"3"}}"#,
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "patch",
            "cm",
            "cfg",
            "-n",
            ns,
            "--type=json",
            "-p",
            r#"[{"op":"remove","path":"/data/a"}]"#,
        ])
        .await
        .ok();
    cluster.kubectl(&["patch", "deploy", "web", "-n", ns, "--type=strategic", "-p", r#"{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:2"}]}}}}"#]).await.ok();
    let cfg: Value = cluster
        .kubectl(&["get", "cm", "cfg", "-n", ns, "-o", "json"])
        .await
        .json();
    assert_eq!(cfg["data"], serde_json::json!({"b": "2", "c": "3"}));
    assert_eq!(
        cfg["metadata"]["labels"],
        serde_json::json!({"app.kubernetes.io/name": "web", "extra": "1"})
    );
    assert_eq!(cfg["metadata"]["annotations"]["note"], "hi");

    let out = cluster
        .kubectl(&["scale", "deploy", "web", "-n", ns, "--replicas=3"])
        .await
        .ok();
    assert_eq!(out.trim(), "deployment.apps/web scaled");
    let out = cluster
        .kubectl(&["set", "image", "deployment/web", "app=nginx:2", "-n", ns])
        .await
        .ok();
    assert_eq!(out.trim(), "deployment.apps/web image updated");
    let web = cluster
        .kubectl(&["get", "deploy", "web", "-n", ns, "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[*].image} {.metadata.generation}"])
        .await
        .ok();
    assert_eq!(web, "3 nginx:2 busybox:2 4");

    // A patch that does not apply is refused and changes nothing.
    let err = cluster
        .kubectl(&[
            "patch",
            "cm",
            "cfg",
            "-n",
            ns,
            "--type=json",
            "-p",
            r#"[{"op":"remove","path":"/data/zzz"}]"#,
        ])
        .await
        .err();
    assert!(err.contains("rror"), "{err}");
    let after: Value = cluster
        .kubectl(&["get", "cm", "cfg", "-n", ns, "-o", "json"])
        .await
        .json();
    assert_eq!(
        after["metadata"]["resourceVersion"],
        cfg["metadata"]["resourceVersion"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_the_right_status_and_writes_nothing() {
    let cluster = TestCluster::start().await;
    let before = cluster.store.current_revision().await.unwrap();
    let bad_name = cluster.file(
        "bad.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n",
    );
    let err = cluster
        .kubectl(&["create", "-f", bad_name.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains(
            "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\""
        ),
        "{err}"
    );
    let mismatch = cluster.file(
        "ns.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: kube-system\n",
    );
    let err = cluster
        .kubectl(&["create", "-n", "default", "-f", mismatch.to_str().unwrap()])
        .await
        .err();
    assert!(err.contains("does not match the namespace"), "{err}");
    let no_ns = cluster.file(
        "missing.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: nowhere\n",
    );
    let err = cluster
        .kubectl(&["create", "-f", no_ns.to_str().unwrap()])
        .await
        .err();
    assert!(err.contains("namespaces \"nowhere\" not found"), "{err}");
    let bad_deploy = cluster.file(
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector:\n    matchLabels:\n      app: one\n  template:\n    metadata:\n      labels:\n        app: two\n    spec:\n      containers:\n      - name: c\n        image: i\n      - name: c\n        image: i\n",
    );
    let err = cluster
        .kubectl(&["create", "-f", bad_deploy.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains("spec.template.metadata.labels")
            && err.contains("`selector` does not match template `labels`"),
        "{err}"
    );
    assert!(
        err.contains("spec.template.spec.containers[1].name: Duplicate value: \"c\""),
        "{err}"
    );
    assert_eq!(
        cluster.store.current_revision().await.unwrap(),
        before,
        "nothing was written"
    );

    // A stale resourceVersion on replace is a conflict.
    let cm = cluster.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n",
    );
    cluster
        .kubectl(&["create", "-f", cm.to_str().unwrap()])
        .await
        .ok();
    let mut current: Value = cluster
        .kubectl(&["get", "cm", "c", "-o", "json"])
        .await
        .json();
    cluster.kubectl(&["label", "cm", "c", "x=y"]).await.ok();
    current["data"]["k"] = "stale".into();
    let stale = cluster.file("stale.json", &current.to_string());
    let err = cluster
        .kubectl(&["replace", "-f", stale.to_str().unwrap()])
        .await
        .err();
    assert!(err.contains("the object has been modified; please apply your changes to the latest version and try again"), "{err}");
    let err = cluster.kubectl(&["get", "cm", "nope"]).await.err();
    assert!(
        err.contains("Error from server (NotFound): configmaps \"nope\" not found"),
        "{err}"
    );
    let err = cluster
        .kubectl(&["create", "-f", cm.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains("AlreadyExists") && err.contains("configmaps \"c\" already exists"),
        "{err}"
    );

    // Unknown credentials: 401.
    let anonymous = cluster.file(
        "anonymous.yaml",
        &format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    insecure-skip-tls-verify: true\n    server: {}\n  name: c\ncontexts:\n- context:\n    cluster: c\n    user: u\n  name: c\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: not-a-valid-token\n",
            cluster.server.url
        ),
    );
    let err = cluster
        .kubectl(&["--kubeconfig", anonymous.to_str().unwrap(), "get", "ns"])
        .await
        .err();
    assert!(err.contains("Unauthorized"), "{err}");
}

/// Upstream's API Priority and Fairness objects, as `kubectl get` prints
/// them on a fresh cluster; the mandatory ones are fixed and come back;
/// a FlowSchema naming a missing level says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_control_objects_are_upstreams_defaults() {
    let cluster = TestCluster::start().await;
    let table = |out: &str| -> Vec<Vec<String>> {
        out.lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect())
            .collect()
    };
    let schemas = cluster.kubectl(&["get", "flowschemas"]).await.ok();
    let rows = table(&schemas);
    assert_eq!(
        rows[0],
        [
            "NAME",
            "PRIORITYLEVEL",
            "MATCHINGPRECEDENCE",
            "DISTINGUISHERMETHOD",
            "AGE",
            "MISSINGPL"
        ],
        "{schemas}"
    );
    // Upstream's defaults, without the age column.
    let expected = [
        ["exempt", "exempt", "1", "<none>", "False"],
        ["probes", "exempt", "2", "<none>", "False"],
        [
            "system-leader-election",
            "leader-election",
            "100",
            "ByUser",
            "False",
        ],
        [
            "endpoint-controller",
            "workload-high",
            "150",
            "ByUser",
            "False",
        ],
        [
            "workload-leader-election",
            "leader-election",
            "200",
            "ByUser",
            "False",
        ],
        ["system-node-high", "node-high", "400", "ByUser", "False"],
        ["system-nodes", "system", "500", "ByUser", "False"],
        [
            "kube-controller-manager",
            "workload-high",
            "800",
            "ByNamespace",
            "False",
        ],
        [
            "kube-scheduler",
            "workload-high",
            "800",
            "ByNamespace",
            "False",
        ],
        [
            "kube-system-service-accounts",
            "workload-high",
            "900",
            "ByNamespace",
            "False",
        ],
        [
            "service-accounts",
            "workload-low",
            "9000",
            "ByUser",
            "False",
        ],
        [
            "global-default",
            "global-default",
            "9900",
            "ByUser",
            "False",
        ],
        ["catch-all", "catch-all", "10000", "ByUser", "False"],
    ];
    let printed: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| [&r[..4], &r[5..]].concat())
        .collect();
    let mut wanted: Vec<Vec<String>> = expected
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    // kubectl lists them by name.
    wanted.sort();
    assert_eq!(printed, wanted, "{schemas}");

    let levels = cluster
        .kubectl(&["get", "prioritylevelconfigurations"])
        .await
        .ok();
    let rows = table(&levels);
    assert_eq!(
        rows[0],
        [
            "NAME",
            "TYPE",
            "NOMINALCONCURRENCYSHARES",
            "QUEUES",
            "HANDSIZE",
            "QUEUELENGTHLIMIT",
            "AGE"
        ],
        "{levels}"
    );
    let printed: Vec<Vec<String>> = rows[1..].iter().map(|r| r[..6].to_vec()).collect();
    let expected = [
        ["catch-all", "Limited", "5", "<none>", "<none>", "<none>"],
        ["exempt", "Exempt", "<none>", "<none>", "<none>", "<none>"],
        ["global-default", "Limited", "20", "128", "6", "50"],
        ["leader-election", "Limited", "10", "16", "4", "50"],
        ["node-high", "Limited", "40", "64", "6", "50"],
        ["system", "Limited", "30", "64", "6", "50"],
        ["workload-high", "Limited", "40", "128", "6", "50"],
        ["workload-low", "Limited", "100", "128", "6", "50"],
    ];
    assert_eq!(printed, expected, "{levels}");
    let exempt = cluster
        .kubectl(&[
            "get",
            "flowschema",
            "exempt",
            "-o",
            "jsonpath={.metadata.annotations.apf\\.kubernetes\\.io/autoupdate-spec} {.status.conditions[0].reason} {.status.conditions[0].message}",
        ])
        .await
        .ok();
    assert_eq!(
        exempt,
        r#"true Found This FlowSchema references the PriorityLevelConfiguration object named "exempt" and it exists"#
    );

    // The mandatory objects are fixed ...
    let refused = cluster
        .kubectl(&[
            "patch",
            "flowschema",
            "catch-all",
            "--type=merge",
            "-p",
            r#"{"spec":{"matchingPrecedence":9999}}"#,
        ])
        .await
        .err();
    assert!(
        refused.contains("spec of 'catch-all' must equal the fixed value"),
        "{refused}"
    );
    // ... and come back when deleted, as do the suggested ones.
    cluster
        .kubectl(&["delete", "prioritylevelconfiguration", "catch-all"])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "flowschema", "service-accounts"])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "prioritylevelconfiguration", "catch-all"],
            "the catch-all level back",
            |level| level["spec"]["limited"]["nominalConcurrencyShares"] == 5,
        )
        .await;
    cluster
        .eventually(
            &["get", "flowschema", "service-accounts"],
            "the service-accounts schema back",
            |schema| schema["spec"]["matchingPrecedence"] == 9000,
        )
        .await;

    // A schema of one's own is defaulted and validated as upstream does,
    // and says when its priority level is missing.
    let invalid = cluster
        .apply(
            "invalid-schema.yaml",
            r#"
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata:
  name: broken
spec:
  matchingPrecedence: 1
  priorityLevelConfiguration:
    name: batch
  rules:
  - subjects:
    - kind: Robot
"#,
        )
        .await
        .err();
    for message in [
        "spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1",
        "spec.rules[0].subjects[0].kind: Unsupported value: \"Robot\"",
        "spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty",
    ] {
        assert!(invalid.contains(message), "{message}: {invalid}");
    }
    cluster
        .apply(
            "batch-schema.yaml",
            r#"
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata:
  name: batch-jobs
spec:
  priorityLevelConfiguration:
    name: batch
  rules:
  - subjects:
    - kind: Group
      group:
        name: batch-runners
    resourceRules:
    - verbs: ["*"]
      apiGroups: ["batch"]
      resources: ["jobs"]
      namespaces: ["*"]
"#,
        )
        .await
        .ok();
    let dangling = cluster
        .eventually(
            &["get", "flowschema", "batch-jobs"],
            "the schema marked dangling",
            |schema| schema["status"]["conditions"][0]["status"] == "True",
        )
        .await;
    assert_eq!(dangling["spec"]["matchingPrecedence"], 1000);
    assert_eq!(
        dangling["status"]["conditions"][0]["message"],
        r#"This FlowSchema references the PriorityLevelConfiguration object named "batch" but there is no such object"#
    );
    let row = cluster
        .kubectl(&["get", "flowschema", "batch-jobs", "--no-headers"])
        .await
        .ok();
    let row: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        [&row[..4], &row[5..]].concat(),
        ["batch-jobs", "batch", "1000", "<none>", "True"]
    );
    cluster
        .apply(
            "batch-level.yaml",
            r#"
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata:
  name: batch
spec:
  type: Limited
  limited:
    limitResponse:
      type: Queue
      queuing: {}
"#,
        )
        .await
        .ok();
    cluster
        .eventually(
            &["get", "flowschema", "batch-jobs"],
            "the schema's level found",
            |schema| schema["status"]["conditions"][0]["reason"] == "Found",
        )
        .await;
    let level = cluster
        .kubectl(&["get", "prioritylevelconfiguration", "batch", "--no-headers"])
        .await
        .ok();
    assert_eq!(
        level.split_whitespace().take(6).collect::<Vec<_>>(),
        ["batch", "Limited", "30", "64", "8", "50"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_and_cluster_commands() {
    let cluster = TestCluster::start().await;
    // A fresh cache: kubectl asks for aggregated discovery and, getting it,
    // needs no request per group version.
    let run = cluster.kubectl(&["api-resources", "-v=6"]).await;
    let log = run.stderr.clone();
    let resources = run.ok();
    let gets: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("verb=\"GET\""))
        .filter_map(|l| l.split("url=\"").nth(1))
        .filter_map(|l| l.split(['?', '"']).next())
        .collect();
    assert_eq!(
        gets,
        [
            format!("{}/api", cluster.server.url),
            format!("{}/apis", cluster.server.url)
        ],
        "{log}"
    );
    for row in [
        "deployments",
        "statefulsets",
        "leases",
        "endpointslices",
        "poddisruptionbudgets",
        "storageclasses",
        "priorityclasses",
        "horizontalpodautoscalers",
    ] {
        assert!(resources.contains(row), "{row} missing from api-resources");
    }
    let pods = lines(&resources)
        .into_iter()
        .find(|l| l.starts_with("pods "))
        .unwrap();
    assert_eq!(
        pods.split_whitespace().collect::<Vec<_>>(),
        ["pods", "po", "v1", "true", "Pod"]
    );
    let versions = cluster.kubectl(&["api-versions"]).await.ok();
    for v in [
        "v1",
        "apps/v1",
        "batch/v1",
        "coordination.k8s.io/v1",
        "rbac.authorization.k8s.io/v1",
        "admissionregistration.k8s.io/v1",
        "node.k8s.io/v1",
    ] {
        assert!(lines(&versions).contains(&v.to_string()), "{v} missing");
    }
    // The local group versions are registered as APIServices, as the
    // aggregator lists them.
    let services = cluster.kubectl(&["get", "apiservices"]).await.ok();
    let rows: Vec<Vec<&str>> = services
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["NAME", "SERVICE", "AVAILABLE", "AGE"],
        "{services}"
    );
    for name in [
        "v1.",
        "v1.apps",
        "v2.autoscaling",
        "v1.apiregistration.k8s.io",
    ] {
        assert!(
            rows.iter().any(|r| r[..3] == [name, "Local", "True"]),
            "{name}: {services}"
        );
    }
    let apps = cluster
        .kubectl(&["get", "apiservice", "v1.apps", "-o", "jsonpath={.spec.groupPriorityMinimum} {.spec.versionPriority} {.status.conditions[0].reason}"])
        .await
        .ok();
    assert_eq!(apps, "17800 15 Local");
    // Admission configurations are stored and printed as upstream prints
    // them (enforcing them is the webhooks' work).
    cluster
        .apply(
            "webhooks.yaml",
            r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: checks
webhooks:
- name: one.checks.example.com
  clientConfig:
    url: https://checks.example.com/one
  rules:
  - operations: ["CREATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["configmaps"]
  sideEffects: None
  admissionReviewVersions: ["v1"]
- name: two.checks.example.com
  clientConfig:
    url: https://checks.example.com/two
  sideEffects: None
  admissionReviewVersions: ["v1"]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replicas
spec:
  validations:
  - expression: "object.spec.replicas <= 5"
"#,
        )
        .await
        .ok();
    let defaulted = cluster
        .kubectl(&[
            "get",
            "validatingwebhookconfiguration",
            "checks",
            "-o",
            "jsonpath={.webhooks[0].failurePolicy} {.webhooks[0].matchPolicy} {.webhooks[0].rules[0].scope} {.webhooks[0].timeoutSeconds}",
        ])
        .await
        .ok();
    assert_eq!(defaulted, "Fail Equivalent * 10");
    let printed = cluster
        .kubectl(&[
            "get",
            "validatingwebhookconfigurations,mutatingwebhookconfigurations,validatingadmissionpolicies",
        ])
        .await
        .ok();
    let rows: Vec<Vec<&str>> = printed
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["NAME", "WEBHOOKS", "AGE"], "{printed}");
    assert_eq!(
        rows[1][..2],
        [
            "validatingwebhookconfiguration.admissionregistration.k8s.io/checks",
            "2"
        ],
        "{printed}"
    );
    assert!(
        rows.iter().any(|r| r.len() > 2
            && r[..3]
                == [
                    "validatingadmissionpolicy.admissionregistration.k8s.io/replicas",
                    "1",
                    "<unset>"
                ]),
        "{printed}"
    );
    // Its webhooks lead nowhere and fail closed: it goes before any other
    // write it would stop.
    cluster
        .kubectl(&["delete", "validatingwebhookconfiguration", "checks"])
        .await
        .ok();
    let info = cluster.kubectl(&["cluster-info"]).await.ok();
    assert!(
        info.contains(&format!(
            "Kubernetes control plane is running at {}",
            cluster.server.url
        )),
        "{info}"
    );
    let svc = cluster
        .kubectl(&[
            "get",
            "svc",
            "kubernetes",
            "-o",
            "jsonpath={.spec.clusterIP} {.spec.ports[0].port}",
        ])
        .await
        .ok();
    assert_eq!(svc, "10.96.0.1 443");
    let ep = cluster
        .kubectl(&[
            "get",
            "endpoints",
            "kubernetes",
            "-o",
            "jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}",
        ])
        .await;
    // v1 Endpoints are deprecated upstream since 1.33; every use says so.
    assert_eq!(
        ep.stderr.trim(),
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
    );
    assert_eq!(
        ep.ok(),
        format!("127.0.0.1:{}", cluster.server.address.port())
    );
    let described = cluster
        .kubectl(&["describe", "svc", "kubernetes"])
        .await
        .ok();
    assert!(
        described.contains("IP:                       10.96.0.1")
            && described.contains("Events:                   <none>"),
        "{described}"
    );
    cluster.kubectl(&["get", "ns"]).await.ok();
    let metrics = cluster.kubectl(&["get", "--raw", "/metrics"]).await.ok();
    for line in [
        "apiserver_request_total{verb=\"LIST\",group=\"\",version=\"v1\",resource=\"namespaces\",subresource=\"\",scope=\"cluster\",component=\"apiserver\",code=\"200\"}",
        "apiserver_storage_objects{resource=\"namespaces\"} 4",
        "# TYPE apiserver_request_duration_seconds histogram",
        "# TYPE etcd_request_duration_seconds histogram",
        "apiserver_current_inflight_requests{request_kind=\"readOnly\"}",
        // The Prometheus text format: counter families named as their samples.
        "# TYPE apiserver_request_total counter",
    ] {
        assert!(metrics.contains(line), "{line} missing from /metrics");
    }
    assert!(!metrics.contains("# TYPE apiserver_request counter"));
    assert!(!metrics.contains("# EOF"));
    // The reviews kubectl sends as protobuf (`auth can-i`, `auth whoami`), as JSON:
    let access = cluster.file(
        "access.json",
        r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"create","resource":"pods","namespace":"default"}}}"#,
    );
    let allowed: Value = serde_json::from_str(
        &cluster
            .kubectl(&[
                "create",
                "--raw",
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                "-f",
                access.to_str().unwrap(),
            ])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(allowed["status"]["allowed"], true);
    let review = cluster.file(
        "review.json",
        r#"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#,
    );
    let who: Value = serde_json::from_str(
        &cluster
            .kubectl(&[
                "create",
                "--raw",
                "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                "-f",
                review.to_str().unwrap(),
            ])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(who["status"]["userInfo"]["username"], "admin");
    assert!(
        who["status"]["userInfo"]["groups"]
            .as_array()
            .unwrap()
            .contains(&"system:masters".into())
    );
    let ready = cluster.kubectl(&["get", "--raw", "/readyz"]).await.ok();
    assert_eq!(ready, "ok");
    let verbose = cluster
        .kubectl(&["get", "--raw", "/livez?verbose"])
        .await
        .ok();
    assert!(
        verbose.contains("[+]etcd ok") && verbose.contains("livez check passed"),
        "{verbose}"
    );

    // A namespace as the context's default.
    cluster
        .kubectl(&[
            "create",
            "-f",
            cluster
                .file(
                    "ns.yaml",
                    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n",
                )
                .to_str()
                .unwrap(),
        ])
        .await
        .ok();
    cluster
        .kubectl(&["config", "set-context", "--current", "--namespace=team"])
        .await
        .ok();
    let cm = cluster.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: here\n",
    );
    cluster
        .kubectl(&["apply", "-f", cm.to_str().unwrap()])
        .await
        .ok();
    let out = cluster
        .kubectl(&["get", "cm", "here", "-o", "jsonpath={.metadata.namespace}"])
        .await
        .ok();
    assert_eq!(out, "team");
}

/// `componentstatuses` asks each component's secure port for `/healthz`
/// and the store for its revision, as upstream does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn component_statuses_probe_the_components() {
    // A component that answers: another server's /healthz is the same
    // HTTPS probe a controller manager answers.
    let healthy = TestCluster::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_address = closed.local_addr().unwrap();
    drop(closed);
    let cluster = TestCluster::start_with(|config| {
        config.component_probes = vec![
            apiserver::component_health::ComponentProbe {
                name: "controller-manager".into(),
                address: healthy.server.address,
            },
            apiserver::component_health::ComponentProbe {
                name: "scheduler".into(),
                address: closed_address,
            },
        ];
    })
    .await;
    let out = cluster.kubectl(&["get", "componentstatuses"]).await;
    assert!(out.success, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Warning: v1 ComponentStatus is deprecated in v1.19+"),
        "{}",
        out.stderr
    );
    let lines: Vec<&str> = out.stdout.lines().map(str::trim_end).collect();
    assert_eq!(
        lines,
        [
            "NAME                 STATUS      MESSAGE   ERROR".to_string(),
            "controller-manager   Healthy     ok".to_string(),
            "etcd-0               Healthy     ok".to_string(),
            format!(
                "scheduler            Unhealthy             Get \"https://{closed_address}/healthz\": dial tcp {closed_address}: connect: connection refused"
            ),
        ]
    );
    let one = cluster
        .kubectl(&["get", "cs", "etcd-0", "-o", "json"])
        .await
        .json();
    assert_eq!(
        one["conditions"],
        serde_json::json!([{"type": "Healthy", "status": "True", "message": "ok"}])
    );
    let missing = cluster.kubectl(&["get", "cs", "nope"]).await.err();
    assert!(
        missing.contains("componentstatuses \"nope\" not found"),
        "{missing}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_watch_streams_changes() {
    let cluster = TestCluster::start().await;
    let watcher = {
        let kubeconfig = cluster.kubeconfig.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new("kubectl")
                .args([
                    "get",
                    "cm",
                    "-w",
                    "--request-timeout=4s",
                    "-o",
                    "name",
                    "-n",
                    "default",
                ])
                .env("KUBECONFIG", kubeconfig)
                .output()
                .unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for name in ["w1", "w2"] {
        let file = cluster.file(
            &format!("{name}.yaml"),
            &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"),
        );
        cluster
            .kubectl(&["create", "-f", file.to_str().unwrap()])
            .await
            .ok();
    }
    let output = watcher.await.unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("configmap/w1") && out.contains("configmap/w2"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_objects_kubeconfig_and_revisions() {
    restart_keeps_everything(TestCluster::start().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_on_etcd_keeps_objects_kubeconfig_and_revisions() {
    restart_keeps_everything(TestCluster::start_etcd().await).await;
}

/// Stops and starts the API server over the same store: objects, the CA
/// and kubeconfig stay, resourceVersions keep growing, and a watch from a
/// resourceVersion taken before the restart sees what happened after it.
async fn restart_keeps_everything(cluster: TestCluster) {
    let cm = cluster.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\ndata:\n  k: v\n",
    );
    cluster
        .kubectl(&["create", "-f", cm.to_str().unwrap()])
        .await
        .ok();
    let before: Value = cluster
        .kubectl(&["get", "cm", "keep", "-o", "json"])
        .await
        .json();
    let list: Value = cluster
        .kubectl(&["get", "--raw", "/api/v1/namespaces/default/configmaps"])
        .await
        .json();
    let list_rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let ca_before = std::fs::read(cluster.data_dir().join("pki/ca.crt")).unwrap();
    let kubeconfig_before = std::fs::read(&cluster.kubeconfig).unwrap();
    let cluster = cluster.restart().await;
    assert_eq!(
        std::fs::read(cluster.data_dir().join("pki/ca.crt")).unwrap(),
        ca_before,
        "the CA is kept"
    );
    assert_eq!(
        std::fs::read(&cluster.kubeconfig).unwrap().len(),
        kubeconfig_before.len()
    );
    let after: Value = cluster
        .kubectl(&["get", "cm", "keep", "-o", "json"])
        .await
        .json();
    assert_eq!(after["metadata"]["uid"], before["metadata"]["uid"]);
    cluster
        .kubectl(&["label", "cm", "keep", "again=1"])
        .await
        .ok();
    cluster
        .kubectl(&["create", "configmap", "later", "--from-literal=a=b"])
        .await
        .ok();
    let relabeled: Value = cluster
        .kubectl(&["get", "cm", "keep", "-o", "json"])
        .await
        .json();
    let rv = |v: &Value| {
        v["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    assert!(rv(&relabeled) > rv(&before));
    // A client that watched before the restart resumes from where it was.
    let path = format!(
        "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={list_rv}&timeoutSeconds=2"
    );
    let stream = cluster.kubectl(&["get", "--raw", &path]).await.ok();
    let events: Vec<(String, String)> = stream
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let event: Value = serde_json::from_str(line).unwrap();
            (
                event["type"].as_str().unwrap().to_string(),
                event["object"]["metadata"]["name"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![
            ("MODIFIED".to_string(), "keep".to_string()),
            ("ADDED".to_string(), "later".to_string()),
        ],
        "{stream}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_commands_work_on_etcd() {
    let cluster = TestCluster::start_etcd().await;
    let manifest = cluster.file("shop.yaml", SHOP);
    cluster
        .kubectl(&["apply", "-f", manifest.to_str().unwrap()])
        .await
        .ok();
    let out = cluster
        .kubectl(&["get", "cm", "-n", "shop", "-l", "env=a", "-o", "name"])
        .await
        .ok();
    assert_eq!(out.trim(), "configmap/cfg");
    cluster
        .kubectl(&["scale", "deploy", "web", "-n", "shop", "--replicas=5"])
        .await
        .ok();
    let replicas = cluster
        .kubectl(&[
            "get",
            "deploy",
            "web",
            "-n",
            "shop",
            "-o",
            "jsonpath={.spec.replicas}",
        ])
        .await
        .ok();
    assert_eq!(replicas, "5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_and_field_validation() {
    let cluster = TestCluster::start().await;
    let explain = cluster
        .kubectl(&["explain", "pod.spec.containers"])
        .await
        .ok();
    assert!(
        explain.contains("KIND:       Pod") && explain.contains("FIELD: containers <[]Container>"),
        "{explain}"
    );
    let explain = cluster
        .kubectl(&["explain", "deployment.spec.strategy.rollingUpdate"])
        .await
        .ok();
    assert!(explain.contains("maxSurge"), "{explain}");

    let before = cluster.store.current_revision().await.unwrap();
    let bad = cluster.file(
        "bad.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicaz: 2\n  selector:\n    matchLabels:\n      app: x\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n      - name: c\n        image: i\n        imagePullPolcy: Always\n",
    );
    let err = cluster
        .kubectl(&["apply", "-f", bad.to_str().unwrap()])
        .await
        .err();
    assert!(
        err.contains("strict decoding error: unknown field \"spec.replicaz\", unknown field \"spec.template.spec.containers[0].imagePullPolcy\""),
        "{err}"
    );
    assert_eq!(
        cluster.store.current_revision().await.unwrap(),
        before,
        "nothing was written"
    );
    let warned = cluster
        .kubectl(&["apply", "--validate=warn", "-f", bad.to_str().unwrap()])
        .await;
    assert!(warned.success, "{}", warned.stderr);
    assert!(
        warned.stderr.contains("unknown field \"spec.replicaz\""),
        "{}",
        warned.stderr
    );
    let stored = cluster
        .kubectl(&["get", "deploy", "d", "-o", "json"])
        .await
        .json();
    assert!(
        stored["spec"].get("replicaz").is_none(),
        "unknown fields are not stored"
    );

    let wrong_type = cluster.file(
        "wrong.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w\ndata: [1, 2]\n",
    );
    let err = cluster
        .kubectl(&[
            "create",
            "--validate=false",
            "-f",
            wrong_type.to_str().unwrap(),
        ])
        .await
        .err();
    assert!(
        err.contains("ConfigMap in version \"v1\" cannot be handled as a ConfigMap"),
        "{err}"
    );

    let secret = cluster.file(
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: hunter2\n",
    );
    cluster
        .kubectl(&["apply", "-f", secret.to_str().unwrap()])
        .await
        .ok();
    let stored = cluster
        .kubectl(&["get", "secret", "s", "-o", "json"])
        .await
        .json();
    assert_eq!(stored["data"]["password"], "aHVudGVyMg==");
    assert!(stored.get("stringData").is_none());
}

/// Asserts that `actual` holds every field of `expected` with the same value.
#[track_caller]
fn assert_contains(actual: &Value, expected: &Value, context: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (key, value) in e {
                let Some(found) = a.get(key) else {
                    panic!("{context}: {key} missing from {actual}");
                };
                assert_contains(found, value, context);
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{context}: {actual} vs {expected}");
            for (a, e) in a.iter().zip(e) {
                assert_contains(a, e, context);
            }
        }
        _ => assert_eq!(actual, expected, "{context}"),
    }
}

/// Drops nulls, so `creationTimestamp: null` and an absent field compare equal.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generators_send_protobuf_and_the_server_stores_what_they_said() {
    let cluster = TestCluster::start().await;
    cluster.kubectl(&["create", "namespace", "gen"]).await.ok();
    let generators: &[(&[&str], &str, &str)] = &[
        (
            &[
                "create",
                "configmap",
                "c",
                "--from-literal=a=1",
                "--from-literal=b=2",
            ],
            "configmap",
            "c",
        ),
        (
            &["create", "secret", "generic", "s", "--from-literal=p=q"],
            "secret",
            "s",
        ),
        (
            &[
                "create",
                "deployment",
                "web",
                "--image=nginx:1.27",
                "--port=80",
                "--replicas=2",
            ],
            "deployment",
            "web",
        ),
        (
            &[
                "create",
                "deployment",
                "none",
                "--image=nginx",
                "--replicas=0",
            ],
            "deployment",
            "none",
        ),
        (
            &[
                "create",
                "service",
                "nodeport",
                "np",
                "--tcp=80:8080",
                "--node-port=30080",
            ],
            "service",
            "np",
        ),
        (
            &[
                "run",
                "bb",
                "--image=busybox",
                "--env=A=1",
                "--labels=app=bb",
                "--",
                "sleep",
                "1000",
            ],
            "pod",
            "bb",
        ),
        (
            &["create", "job", "j", "--image=busybox", "--", "echo", "hi"],
            "job",
            "j",
        ),
        (
            &[
                "create",
                "cronjob",
                "cj",
                "--image=busybox",
                "--schedule=*/5 * * * *",
            ],
            "cronjob",
            "cj",
        ),
        (
            &["create", "serviceaccount", "robot"],
            "serviceaccount",
            "robot",
        ),
        (
            &["create", "role", "r", "--verb=get,list", "--resource=pods"],
            "role",
            "r",
        ),
        (
            &[
                "create",
                "rolebinding",
                "rb",
                "--role=r",
                "--user=bob",
                "--serviceaccount=gen:robot",
            ],
            "rolebinding",
            "rb",
        ),
        (
            &[
                "create",
                "poddisruptionbudget",
                "pdb",
                "--selector=app=web",
                "--min-available=50%",
            ],
            "pdb",
            "pdb",
        ),
        (
            &[
                "create",
                "quota",
                "q",
                "--hard=cpu=1,limits.memory=1Gi,pods=10",
            ],
            "resourcequota",
            "q",
        ),
        (
            &[
                "create",
                "ingress",
                "ing",
                "--class=nginx",
                "--rule=foo.com/=web:80",
                "--rule=bar.com/api*=web:http,tls=cert",
            ],
            "ingress",
            "ing",
        ),
        (
            &[
                "create",
                "priorityclass",
                "low",
                "--value=0",
                "--description=last",
            ],
            "priorityclass",
            "low",
        ),
        (
            &[
                "create",
                "clusterrole",
                "reader",
                "--verb=get,list",
                "--resource=pods,deployments.apps",
                "--resource-name=x",
            ],
            "clusterrole",
            "reader",
        ),
        (
            &[
                "create",
                "clusterrolebinding",
                "readers",
                "--clusterrole=reader",
                "--group=devs",
            ],
            "clusterrolebinding",
            "readers",
        ),
        (
            &[
                "autoscale",
                "deployment",
                "web",
                "--min=2",
                "--max=5",
                "--cpu-percent=60",
            ],
            "hpa",
            "web",
        ),
    ];
    for (args, kind, name) in generators {
        // Flags go before any `--`, after which the words are the command.
        let mut dry: Vec<&str> = vec!["-n", "gen", "--dry-run=client", "-o", "json"];
        dry.extend(args.iter());
        let expected = cluster.kubectl(&dry).await.json();
        let mut real: Vec<&str> = vec!["-n", "gen"];
        real.extend(args.iter());
        cluster.kubectl(&real).await.ok();
        let mut stored = cluster
            .kubectl(&["get", kind, name, "-n", "gen", "-o", "json"])
            .await
            .json();
        for field in ["uid", "resourceVersion", "creationTimestamp", "generation"] {
            stored["metadata"].as_object_mut().unwrap().remove(field);
        }
        let mut expected = without_nulls(&expected);
        if stored["metadata"].get("namespace").is_some() {
            expected["metadata"]["namespace"] = "gen".into();
        }
        // Everything kubectl said is stored as it said it; the server adds
        // its defaults around it.
        assert_contains(&without_nulls(&stored), &expected, &format!("{args:?}"));
    }
    // And `kubectl get` prints them with upstream's columns.
    for (kind, expected) in [
        (
            "jobs",
            "NAME   STATUS    COMPLETIONS   DURATION   AGE   CONTAINERS   IMAGES    SELECTOR|j      Running   0/1                      *     j            busybox   *",
        ),
        (
            "cronjobs",
            "NAME   SCHEDULE      TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE   CONTAINERS   IMAGES    SELECTOR|cj     */5 * * * *   <none>     False     0        <none>          *     cj           busybox   <none>",
        ),
        (
            "pdb",
            "NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE|pdb    50%             N/A               0                     *",
        ),
        (
            "ingress",
            "NAME   CLASS   HOSTS             ADDRESS   PORTS     AGE|ing    nginx   foo.com,bar.com             80, 443   *",
        ),
        (
            "hpa",
            "NAME   REFERENCE        TARGETS              MINPODS   MAXPODS   REPLICAS   AGE|web    Deployment/web   cpu: <unknown>/60%   2         5         0          *",
        ),
        (
            "rolebindings",
            "NAME   ROLE     AGE   USERS   GROUPS   SERVICEACCOUNTS|rb     Role/r   *     bob              gen/robot",
        ),
        ("roles", "NAME   CREATED AT|r      *"),
        ("quota", "NAME   AGE   REQUEST   LIMIT|q      *"),
    ] {
        let out = cluster
            .kubectl(&["get", kind, "-n", "gen", "-o", "wide"])
            .await
            .ok();
        let printed: Vec<&str> = out.lines().map(str::trim_end).collect();
        let wanted: Vec<&str> = expected.split('|').collect();
        assert_eq!(printed.len(), wanted.len(), "{kind}:\n{out}");
        for (line, pattern) in printed.iter().zip(&wanted) {
            assert!(
                matches_with_wildcards(line, pattern),
                "{kind}:\n{line}\n{pattern}"
            );
        }
    }
    let classes = cluster.kubectl(&["get", "priorityclass", "low"]).await.ok();
    assert!(
        classes.starts_with(
            "NAME   VALUE   GLOBAL-DEFAULT   AGE   PREEMPTIONPOLICY\nlow    0       false"
        ),
        "{classes}"
    );

    let can = cluster
        .kubectl(&["auth", "can-i", "create", "pods"])
        .await
        .ok();
    assert_eq!(can.trim(), "yes");
    // The rules the authorizer grants (everything, for now), as
    // SelfSubjectRulesReview lists them.
    let rules = cluster.kubectl(&["auth", "can-i", "--list"]).await.ok();
    assert_eq!(
        rules,
        "Resources   Non-Resource URLs   Resource Names   Verbs\n\
         *.*         []                  []               [*]\n\
         \x20           [*]                 []               [*]\n",
        "{rules}"
    );
    let who = cluster.kubectl(&["auth", "whoami"]).await.ok();
    assert!(
        who.contains("admin") && who.contains("system:masters"),
        "{who}"
    );
}

/// `line` matches `pattern`, where each `*` in the pattern stands for one
/// run of non-blank characters (an age) and the padding around it may
/// differ by the width of that run.
fn matches_with_wildcards(line: &str, pattern: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let wanted: Vec<&str> = pattern.split_whitespace().collect();
    let same_words =
        words.len() == wanted.len() && words.iter().zip(&wanted).all(|(w, p)| *p == "*" || w == p);
    // Outside the wildcard columns the layout is exact: compare the text
    // before the first wildcard.
    let prefix = pattern.split('*').next().unwrap_or_default();
    same_words && line.starts_with(prefix.trim_end())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_with_an_editor_and_oversized_bodies() {
    let cluster = TestCluster::start().await;
    let cm = cluster.file(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: before\n",
    );
    cluster
        .kubectl(&["apply", "-f", cm.to_str().unwrap()])
        .await
        .ok();
    let edited = cluster
        .kubectl_with(
            &["edit", "cm", "c"],
            &[("KUBE_EDITOR", "sed -i s/before/after/")],
            None,
        )
        .await
        .ok();
    assert_eq!(edited.trim(), "configmap/c edited");
    let value = cluster
        .kubectl(&["get", "cm", "c", "-o", "jsonpath={.data.k}"])
        .await
        .ok();
    assert_eq!(value, "after");

    // A body over 3 MiB is refused with 413 before anything is decoded.
    let before = cluster.store.current_revision().await.unwrap();
    let big = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"big\"}},\"data\":{{\"k\":\"{}\"}}}}",
        "x".repeat(4 * 1024 * 1024)
    );
    let big = cluster.file("big.json", &big);
    let err = cluster
        .kubectl(&[
            "create",
            "--raw",
            "/api/v1/namespaces/default/configmaps",
            "-f",
            big.to_str().unwrap(),
        ])
        .await
        .err();
    assert!(
        err.contains("Request entity too large: limit is 3145728"),
        "{err}"
    );
    assert_eq!(cluster.store.current_revision().await.unwrap(), before);
}

/// A virtualenv with the official Kubernetes Python client, made once under
/// the target directory and reused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_answers_429_and_kubectl_retries() {
    use std::io::BufRead;
    let cluster = TestCluster::start_with(|config| config.max_mutating_requests_inflight = 1).await;
    // A client holds the only write slot with a slow request: deleting a
    // collection of 3,000 ConfigMaps, one store write each. (A slow body
    // holds no slot: bodies are read before one is taken.)
    cluster.kubectl(&["create", "namespace", "bulk"]).await.ok();
    let writes = (0..3_000).map(|i| {
        let store = cluster.store.clone();
        async move {
            let name = format!("cm-{i}");
            let object = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": "bulk", "uid": format!("uid-{i}"),
                    "creationTimestamp": "2026-01-01T00:00:00Z"}});
            store
                .create(
                    &format!("/registry/configmaps/bulk/{name}"),
                    object.to_string().into_bytes(),
                )
                .await
                .unwrap();
        }
    });
    futures::future::join_all(writes).await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/hold_write_slot.py");
    let mut holder = std::process::Command::new("python3")
        .arg(&script)
        .args([
            "127.0.0.1",
            &cluster.server.address.port().to_string(),
            cluster.data_dir().join("pki").to_str().unwrap(),
            "/api/v1/namespaces/bulk/configmaps",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut lines = std::io::BufReader::new(holder.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "holding");

    // Reads have their own limit and go through.
    let read = cluster.kubectl(&["get", "configmaps", "-v=8"]).await;
    assert!(
        read.success && !read.stderr.contains("429 Too Many Requests"),
        "{}",
        read.stderr
    );
    // A write is told to come back in a second; kubectl does, until the
    // slot is free (it gives up after ten tries, which a loaded machine
    // can outlast: then it is run again).
    let mut create = cluster
        .kubectl(&["create", "configmap", "quick", "--from-literal=k=v", "-v=8"])
        .await;
    assert!(
        create.stderr.contains("429 Too Many Requests")
            && create.stderr.contains("Retry-After: 1")
            && create.stderr.contains("Got a Retry-After response"),
        "{}",
        create.stderr
    );
    for _ in 0..3 {
        if create.success {
            break;
        }
        create = cluster
            .kubectl(&["create", "configmap", "quick", "--from-literal=k=v"])
            .await;
    }
    assert!(create.success, "{}", create.stderr);
    assert_eq!(create.stdout.trim(), "configmap/quick created");
    assert_eq!(lines.next().unwrap().unwrap(), "HTTP/1.1 200 OK");
    holder.wait().unwrap();
    let metrics = cluster.kubectl(&["get", "--raw", "/metrics"]).await.ok();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("apiserver_request_total{")
                && l.contains("verb=\"POST\"")
                && l.contains("code=\"429\"")),
        "no 429 counted"
    );
}

/// Create responses carry the status upstream's create strategies give a
/// new object (Go's zero value of the kind's status), whatever was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_responses_carry_the_initial_status() {
    let cluster = TestCluster::start().await;
    let created = |args: &'static [&'static str]| {
        let cluster = &cluster;
        async move {
            let mut args = args.to_vec();
            args.extend(["-o", "json"]);
            cluster.kubectl(&args).await.json()
        }
    };
    let service = created(&["create", "service", "clusterip", "web", "--tcp=80"]).await;
    assert_eq!(service["status"], serde_json::json!({"loadBalancer": {}}));
    let deployment = created(&["create", "deployment", "web", "--image=busybox"]).await;
    assert_eq!(deployment["status"], serde_json::json!({}));
    let job = created(&["create", "job", "once", "--image=busybox"]).await;
    assert_eq!(job["status"], serde_json::json!({}));
    // A status sent with the object is not taken.
    let sent = cluster.file(
        "rs.yaml",
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: rs\nspec:\n  replicas: 0\n  selector:\n    matchLabels: {app: rs}\n  template:\n    metadata:\n      labels: {app: rs}\n    spec:\n      containers: [{name: c, image: busybox}]\nstatus:\n  replicas: 7\n",
    );
    let replicaset = cluster
        .kubectl(&["create", "-f", sent.to_str().unwrap(), "-o", "json"])
        .await
        .json();
    assert_eq!(replicaset["status"], serde_json::json!({"replicas": 0}));
    // An autoscaler starts with upstream's zero status: at autoscaling/v2
    // (kubectl 1.33) a nil currentMetrics, at v1 (kubectl 1.32) both
    // counts.
    let hpa = created(&["autoscale", "deployment", "web", "--max=3"]).await;
    assert_eq!(
        hpa["status"],
        serde_json::json!({"currentMetrics": null, "desiredReplicas": 0})
    );
    let v1 = cluster
        .kubectl_release(
            "1.32",
            &[
                "autoscale",
                "deployment",
                "web",
                "--name=web-v1",
                "--max=3",
                "-o",
                "json",
            ],
        )
        .await
        .json();
    assert_eq!(
        v1["status"],
        serde_json::json!({"currentReplicas": 0, "desiredReplicas": 0})
    );
    let node = cluster.file(
        "node.yaml",
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: bare\n",
    );
    let node = cluster
        .kubectl(&["create", "-f", node.to_str().unwrap(), "-o", "json"])
        .await
        .json();
    assert_eq!(
        node["status"]["daemonEndpoints"],
        serde_json::json!({"kubeletEndpoint": {"Port": 0}})
    );
    assert_eq!(node["status"]["nodeInfo"]["kubeletVersion"], "");
    assert_eq!(node["status"]["nodeInfo"]["machineID"], "");
}

/// Boolean query parameters read as upstream reads them: anything but `0`
/// and `false` is true (`watch=True`, as some clients send it, is a watch).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boolean_query_parameters_read_as_upstream() {
    let cluster = TestCluster::start().await;
    cluster
        .kubectl(&["create", "configmap", "flags"])
        .await
        .ok();
    let path = "/api/v1/namespaces/default/configmaps";
    for watching in ["True", "1", "TRUE", ""] {
        let raw = format!("{path}?watch={watching}&timeoutSeconds=1");
        let out = cluster.kubectl(&["get", "--raw", &raw]).await.ok();
        assert!(
            out.contains(r#""type":"ADDED""#) && out.contains(r#""name":"flags""#),
            "watch={watching}: {out}"
        );
        assert!(!out.contains("ConfigMapList"), "watch={watching}: {out}");
    }
    for listing in ["false", "False", "0"] {
        let raw = format!("{path}?watch={listing}");
        let out = cluster.kubectl(&["get", "--raw", &raw]).await.ok();
        assert!(
            out.contains(r#""kind":"ConfigMapList""#),
            "watch={listing}: {out}"
        );
    }
}

/// One raw HTTPS request (see `python/raw_request.py`): status and body.
async fn raw_request(
    cluster: &TestCluster,
    method: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/raw_request.py");
    let body_file = cluster.file("raw-body", body);
    let args = vec![
        script.to_string_lossy().into_owned(),
        "127.0.0.1".to_string(),
        cluster.server.address.port().to_string(),
        cluster
            .data_dir()
            .join("pki")
            .to_string_lossy()
            .into_owned(),
        method.to_string(),
        path.to_string(),
        content_type.to_string(),
        body_file.to_string_lossy().into_owned(),
    ];
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .args(&args)
            .output()
            .expect("python3")
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (code, rest) = text
        .split_once('\n')
        .unwrap_or_else(|| panic!("no status: {text}"));
    (
        code.trim().parse().unwrap(),
        serde_json::from_str(rest).unwrap_or_else(|e| panic!("{e}: {rest}")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yaml_request_bodies() {
    let cluster = TestCluster::start().await;
    let path = "/api/v1/namespaces/default/configmaps";
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  labels:\n    a: \"1\"\ndata:\n  key: |\n    two\n    lines\n";
    let (code, created) = raw_request(&cluster, "POST", path, "application/yaml", yaml).await;
    assert_eq!(code, 201, "{created}");
    let stored = cluster
        .kubectl(&["get", "configmap", "from-yaml", "-o", "json"])
        .await
        .json();
    assert_eq!(stored["data"]["key"], "two\nlines\n");
    assert_eq!(stored["metadata"]["labels"]["a"], "1");

    // Replaced with YAML too, resourceVersion and all.
    let version = stored["metadata"]["resourceVersion"].as_str().unwrap();
    let update = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n  resourceVersion: \"{version}\"\ndata:\n  key: one\n"
    );
    let (code, updated) = raw_request(
        &cluster,
        "PUT",
        &format!("{path}/from-yaml"),
        "application/yaml",
        &update,
    )
    .await;
    assert_eq!(code, 200, "{updated}");
    assert_eq!(updated["data"]["key"], "one");

    // Malformed YAML, or YAML that is not an object: 400, nothing written.
    for bad in [
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n",
        "- just\n- a list\n",
    ] {
        let (code, status) = raw_request(&cluster, "POST", path, "application/yaml", bad).await;
        assert_eq!(code, 400, "{status}");
        assert_eq!(status["reason"], "BadRequest");
    }
    // An unknown body format: 415.
    let (code, status) = raw_request(&cluster, "POST", path, "text/csv", "a,b\n").await;
    assert_eq!(code, 415, "{status}");
    let names = cluster
        .kubectl(&["get", "configmaps", "-o", "name"])
        .await
        .ok();
    assert_eq!(
        names.trim(),
        "configmap/from-yaml\nconfigmap/kube-root-ca.crt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_client_works() {
    let cluster = TestCluster::start().await;
    let python = tokio::task::spawn_blocking(testkit::python_with_kubernetes)
        .await
        .unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/client.py");
    let kubeconfig = cluster.kubeconfig.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(kubeconfig)
            .output()
            .expect("run python")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "python client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("python client ok"));
}

/// The Python client's informer and streams against a node: exec with
/// stdin (text frames), v5's close of stdin, port-forward over
/// `v4.channel.k8s.io`, and Status bodies byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_clients_informer_and_streams_work() {
    let cluster = TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("node-a").await;
    let python = tokio::task::spawn_blocking(testkit::python_with_kubernetes)
        .await
        .unwrap();
    let www = cluster.data_dir().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "hello from the pod\n").unwrap();
    let busybox = testkit::busybox();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/streams.py");
    let kubeconfig = cluster.kubeconfig.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(kubeconfig)
            .arg(busybox)
            .arg(www)
            .output()
            .expect("run python")
    })
    .await
    .unwrap();
    assert!(
        output.status.success()
            && String::from_utf8_lossy(&output.stdout).contains("python streams ok"),
        "python client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Patches that name no resourceVersion are applied to whatever is
/// current, however many writers race; one that names a stale version is
/// a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_patches_all_apply_and_pinned_ones_conflict() {
    let cluster = TestCluster::start().await;
    cluster
        .kubectl(&["create", "configmap", "shared"])
        .await
        .ok();
    let patches = (0..8).map(|i| {
        let patch = format!(r#"{{"data":{{"k{i}":"v{i}"}}}}"#);
        let cluster = &cluster;
        async move {
            cluster
                .kubectl(&["patch", "configmap", "shared", "--type=merge", "-p", &patch])
                .await
        }
    });
    for result in futures::future::join_all(patches).await {
        assert!(result.success, "{}", result.stderr);
    }
    let data = cluster
        .kubectl(&["get", "configmap", "shared", "-o", "json"])
        .await
        .json()["data"]
        .clone();
    assert_eq!(data.as_object().map(|d| d.len()), Some(8), "{data}");
    let err = cluster
        .kubectl(&[
            "patch",
            "configmap",
            "shared",
            "--type=merge",
            "-p",
            r#"{"metadata":{"resourceVersion":"1"},"data":{"late":"x"}}"#,
        ])
        .await
        .err();
    assert!(err.contains("Conflict"), "{err}");
}

/// A delete without preconditions lands even while someone else keeps
/// writing the object (a controller updating its status): upstream retries
/// such a delete on the newer object instead of answering 409.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_without_preconditions_land_while_others_write() {
    use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
    let cluster = TestCluster::start().await;
    let client = cluster.admin_client().await;
    let maps: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(client, "default");
    for round in 0..20 {
        let name = format!("busy-{round}");
        let map = serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
        maps.create(&PostParams::default(), &map).await.unwrap();
        // Another writer patches it as fast as it can meanwhile.
        let writer = {
            let (maps, name) = (maps.clone(), name.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let patch =
                        serde_json::json!({"metadata": {"annotations": {"n": n.to_string()}}});
                    if maps
                        .patch(&name, &PatchParams::default(), &Patch::Merge(patch))
                        .await
                        .is_err()
                    {
                        return n;
                    }
                }
                0
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let deleted = maps.delete(&name, &DeleteParams::default()).await;
        assert!(deleted.is_ok(), "round {round}: {deleted:?}");
        writer.await.unwrap();
    }
    // With a precondition, the conflict is the client's to see.
    let map = serde_json::from_value(serde_json::json!({"metadata": {"name": "pinned"}})).unwrap();
    let created = maps.create(&PostParams::default(), &map).await.unwrap();
    let patch = serde_json::json!({"metadata": {"annotations": {"changed": "yes"}}});
    maps.patch("pinned", &PatchParams::default(), &Patch::Merge(patch))
        .await
        .unwrap();
    let stale = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            resource_version: created.metadata.resource_version,
            uid: None,
        }),
        ..DeleteParams::default()
    };
    let err = maps.delete("pinned", &stale).await.unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 409),
        "{err:?}"
    );
}

/// A GET over HTTPS as the admin, asking for `accept`: the content type
/// and the body's bytes.
fn get_accepting(cluster: &TestCluster, path: &str, accept: &str) -> (String, Vec<u8>) {
    let pki = cluster.data_dir().join("pki");
    let body = cluster
        .data_dir()
        .join(format!("body-{}", rand_suffix(path)));
    let out = std::process::Command::new("curl")
        .args(["-sk", "-w", "%{content_type}", "-o"])
        .arg(&body)
        .arg("--cert")
        .arg(pki.join("admin.crt"))
        .arg("--key")
        .arg(pki.join("admin.key"))
        .args(["-H", &format!("Accept: {accept}")])
        .arg(format!("{}{path}", cluster.server.url))
        .output()
        .expect("run curl");
    let content_type = String::from_utf8_lossy(&out.stdout).into_owned();
    (content_type, std::fs::read(&body).unwrap_or_default())
}

fn rand_suffix(path: &str) -> String {
    path.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// `value` without what says nothing (nulls, zeros, false, empty strings,
/// lists and maps), and without the items' type fields, which a protobuf
/// list does not repeat.
fn substance(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substance(v)))
                .filter(|(_, v)| !says_nothing(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(substance).collect()),
        other => other.clone(),
    }
}

fn says_nothing(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// A list without what differs between two reads of it: its items' types
/// (protobuf leaves them out) and its own resourceVersion (the store's
/// revision when it was read, which any write elsewhere moves).
fn without_item_types(mut list: Value) -> Value {
    if let Some(metadata) = list.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("resourceVersion");
    }
    for item in list["items"].as_array_mut().into_iter().flatten() {
        if let Some(item) = item.as_object_mut() {
            item.remove("apiVersion");
            item.remove("kind");
        }
    }
    list
}

/// The object inside a protobuf envelope, as k8s-pb's type `T`.
fn unwrap_envelope<T: prost::Message + Default>(body: &[u8]) -> T {
    use prost::Message;
    let envelope = body.strip_prefix(b"k8s\0").expect("the protobuf magic");
    let unknown = k8s_pb::apimachinery::pkg::runtime::Unknown::decode(envelope).unwrap();
    T::decode(unknown.raw.unwrap_or_default().as_slice()).unwrap()
}

/// What Go clients configured for protobuf read: every kind a cluster
/// holds, listed as protobuf, says what its JSON says; single objects,
/// errors and watch events are what upstream's types decode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protobuf_answers_say_what_json_says() {
    use k8s_pb::api::apps::v1 as apps;
    use k8s_pb::api::core::v1 as core;
    use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
    use prost::Message;
    let cluster = TestCluster::start().await;
    cluster
        .apply(
            "objects.yaml",
            r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 80, name: http}]
        resources: {limits: {memory: 64Mi, cpu: 500m}}
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 5}
        env: [{name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}]
        volumeMounts: [{name: data, mountPath: /data}]
      volumes: [{name: data, emptyDir: {sizeLimit: 1Gi}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Secret
metadata: {name: token}
data: {key: aGVsbG8=}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
binaryData: {blob: AAEC}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 50%, selector: {matchLabels: {app: web}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: busybox}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
---
apiVersion: v1
kind: Pod
metadata: {name: lone}
spec:
  containers: [{name: c, image: busybox, command: [sleep, "1"]}]
  tolerations: [{key: k, operator: Exists, effect: NoSchedule}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec: {limits: [{type: Container, default: {cpu: 200m}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: quiet}
spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: slow}
provisioner: example.com/slow
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: sandboxed}
handler: runsc
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: job, image: busybox}]
"#,
        )
        .await
        .ok();
    let protobuf = "application/vnd.kubernetes.protobuf,application/json";
    // Every resource discovery lists that can be listed.
    let mut group_versions = vec!["/api/v1".to_string()];
    let (_, groups) = get_accepting(&cluster, "/apis", "application/json");
    let groups: Value = serde_json::from_slice(&groups).unwrap();
    for group in groups["groups"].as_array().unwrap() {
        for version in group["versions"].as_array().unwrap() {
            group_versions.push(format!(
                "/apis/{}",
                version["groupVersion"].as_str().unwrap()
            ));
        }
    }
    let mut paths = Vec::new();
    for group_version in group_versions {
        let (_, resources) = get_accepting(&cluster, &group_version, "application/json");
        let resources: Value = serde_json::from_slice(&resources).unwrap();
        for resource in resources["resources"].as_array().unwrap() {
            let name = resource["name"].as_str().unwrap();
            let listable = resource["verbs"]
                .as_array()
                .is_some_and(|verbs| verbs.iter().any(|v| v == "list"));
            if listable && !name.contains('/') {
                paths.push(format!("{group_version}/{name}"));
            }
        }
    }
    assert!(paths.len() > 50, "{paths:?}");
    for path in paths.iter().map(String::as_str) {
        let (_, json) = get_accepting(&cluster, path, "application/json");
        let json: Value = serde_json::from_slice(&json).unwrap();
        let (content_type, body) = get_accepting(&cluster, path, protobuf);
        assert_eq!(
            content_type, "application/vnd.kubernetes.protobuf",
            "{path}"
        );
        let decoded = apiserver::protobuf::decode(&body).unwrap();
        assert_eq!(
            substance(&without_item_types(decoded)),
            substance(&without_item_types(json)),
            "{path}"
        );
    }

    // Read by upstream's own types.
    let (_, body) = get_accepting(
        &cluster,
        "/apis/apps/v1/namespaces/default/deployments/web",
        protobuf,
    );
    let deployment: apps::Deployment = unwrap_envelope(&body);
    let spec = deployment.spec.unwrap();
    assert_eq!(spec.replicas, Some(0));
    let rolling = spec.strategy.unwrap().rolling_update.unwrap();
    assert_eq!(rolling.max_surge.unwrap().str_val.as_deref(), Some("25%"));
    assert_eq!(rolling.max_unavailable.unwrap().int_val, Some(0));
    let pod = spec.template.unwrap().spec.unwrap();
    let container = &pod.containers[0];
    assert_eq!(container.image.as_deref(), Some("nginx"));
    let limits = &container.resources.as_ref().unwrap().limits;
    assert_eq!(limits["memory"].string.as_deref(), Some("64Mi"));
    let probe_port = container
        .readiness_probe
        .as_ref()
        .unwrap()
        .handler
        .as_ref()
        .unwrap();
    assert_eq!(
        probe_port
            .http_get
            .as_ref()
            .unwrap()
            .port
            .as_ref()
            .unwrap()
            .str_val
            .as_deref(),
        Some("http")
    );
    let key_ref = container.env[0]
        .value_from
        .as_ref()
        .unwrap()
        .config_map_key_ref
        .as_ref()
        .unwrap();
    assert_eq!(
        key_ref
            .local_object_reference
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("settings")
    );
    assert!(
        pod.volumes[0]
            .volume_source
            .as_ref()
            .unwrap()
            .empty_dir
            .is_some()
    );
    let created = deployment.metadata.unwrap().creation_timestamp.unwrap();
    let json = cluster
        .kubectl(&[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.metadata.creationTimestamp}",
        ])
        .await
        .ok();
    assert_eq!(
        json.parse::<k8s_openapi::jiff::Timestamp>()
            .unwrap()
            .as_second(),
        created.seconds.unwrap()
    );
    let (_, body) = get_accepting(
        &cluster,
        "/api/v1/namespaces/default/secrets/token",
        protobuf,
    );
    let secret: core::Secret = unwrap_envelope(&body);
    assert_eq!(secret.data["key"], b"hello");

    // Errors are Status objects.
    let (content_type, body) = get_accepting(
        &cluster,
        "/api/v1/namespaces/default/pods/missing",
        protobuf,
    );
    assert_eq!(content_type, "application/vnd.kubernetes.protobuf");
    let status: meta::Status = unwrap_envelope(&body);
    assert_eq!(status.code, Some(404));
    assert_eq!(status.reason.as_deref(), Some("NotFound"));
    assert_eq!(
        status.message.as_deref(),
        Some(r#"pods "missing" not found"#)
    );

    // A watch frames each event: its length, then a WatchEvent whose
    // object is an enveloped object.
    let (content_type, body) = get_accepting(
        &cluster,
        "/apis/apps/v1/namespaces/default/deployments?watch=true&timeoutSeconds=1",
        protobuf,
    );
    assert_eq!(
        content_type,
        "application/vnd.kubernetes.protobuf;stream=watch"
    );
    let length = u32::from_be_bytes(body[..4].try_into().unwrap()) as usize;
    assert_eq!(body.len(), 4 + length, "one deployment, one event");
    let event = meta::WatchEvent::decode(&body[4..]).unwrap();
    assert_eq!(event.r#type.as_deref(), Some("ADDED"));
    let raw = event.object.unwrap().raw.unwrap();
    let watched: apps::Deployment = unwrap_envelope(&raw);
    assert_eq!(watched.metadata.unwrap().name.as_deref(), Some("web"));

    // A body with a field this server does not know (a newer client's):
    // warned about and dropped by default, refused when strict.
    let configmap = core::ConfigMap {
        metadata: Some(meta::ObjectMeta {
            name: Some("newer".into()),
            ..Default::default()
        }),
        data: [("k".to_string(), "v".to_string())].into(),
        ..Default::default()
    };
    let mut raw = configmap.encode_to_vec();
    raw.extend_from_slice(&[0xd2, 0x02, 1, b'x']); // field 42, length-delimited
    let unknown = k8s_pb::apimachinery::pkg::runtime::Unknown {
        type_meta: Some(k8s_pb::apimachinery::pkg::runtime::TypeMeta {
            api_version: Some("v1".into()),
            kind: Some("ConfigMap".into()),
        }),
        raw: Some(raw),
        ..Default::default()
    };
    let body = cluster.data_dir().join("newer.pb");
    std::fs::write(
        &body,
        [b"k8s\0".as_slice(), &unknown.encode_to_vec()].concat(),
    )
    .unwrap();
    let post = |query: &str| {
        let pki = cluster.data_dir().join("pki");
        let out = std::process::Command::new("curl")
            .args(["-sk", "-D", "-", "-o", "/dev/null", "--cert"])
            .arg(pki.join("admin.crt"))
            .arg("--key")
            .arg(pki.join("admin.key"))
            .args(["-H", "Content-Type: application/vnd.kubernetes.protobuf"])
            .arg("--data-binary")
            .arg(format!("@{}", body.display()))
            .arg(format!(
                "{}/api/v1/namespaces/default/configmaps{query}",
                cluster.server.url
            ))
            .output()
            .expect("run curl");
        String::from_utf8_lossy(&out.stdout).to_lowercase()
    };
    let strict = post("?fieldValidation=Strict");
    assert!(strict.contains(" 400"), "{strict}");
    let warned = post("");
    assert!(
        warned.contains(" 201")
            && warned.contains(r#"warning: 299 - "unknown field \"(protobuf field 42)\"""#),
        "{warned}"
    );
    let stored = cluster
        .kubectl(&["get", "configmap", "newer", "-o", "json"])
        .await
        .json();
    assert_eq!(stored["data"], serde_json::json!({"k": "v"}));
    assert!(stored.get("(protobuf field 42)").is_none(), "{stored}");
}

/// A kubeconfig that authenticates with `token` alone (no client
/// certificate).
fn token_kubeconfig(cluster: &TestCluster, name: &str, token: &str) -> String {
    let ca = cluster.data_dir().join("pki").join("ca.crt");
    let config = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n",
        cluster.server.url,
        ca.display()
    );
    cluster.file(name, &config).display().to_string()
}

/// `kubectl create token`: a signed token that authenticates as its
/// service account while the account (and the pod it is bound to) exists,
/// that TokenReview reads, and that forgery, expiry or deletion undo.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_account_tokens_authenticate_while_their_objects_exist() {
    let cluster = TestCluster::start().await;
    cluster
        .kubectl(&["create", "serviceaccount", "robot"])
        .await
        .ok();
    // What the token is used for below: listing pods.
    cluster
        .kubectl(&[
            "create",
            "role",
            "pod-reader",
            "--verb=list",
            "--resource=pods",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "rolebinding",
            "robot-reads-pods",
            "--role=pod-reader",
            "--serviceaccount=default:robot",
        ])
        .await
        .ok();
    let token = cluster
        .kubectl(&["create", "token", "robot", "--duration=1h"])
        .await
        .ok();
    let token = token.trim().to_string();
    assert_eq!(token.split('.').count(), 3, "{token}");
    let as_robot = token_kubeconfig(&cluster, "robot.kubeconfig", &token);
    let who = cluster
        .kubectl(&["--kubeconfig", &as_robot, "auth", "whoami", "-o", "json"])
        .await
        .json();
    assert_eq!(
        who["status"]["userInfo"]["username"],
        "system:serviceaccount:default:robot"
    );
    let groups = who["status"]["userInfo"]["groups"].to_string();
    assert!(
        groups.contains("system:serviceaccounts:default")
            && groups.contains("system:authenticated"),
        "{groups}"
    );
    // TokenReview reads it as the API server does.
    let review = cluster.file(
        "review.json",
        &serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
            "spec": {"token": token}})
        .to_string(),
    );
    let reviewed: Value = serde_json::from_str(
        &cluster
            .kubectl(&[
                "create",
                "--raw",
                "/apis/authentication.k8s.io/v1/tokenreviews",
                "-f",
                review.to_str().unwrap(),
            ])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(reviewed["status"]["authenticated"], true);
    assert_eq!(
        reviewed["status"]["user"]["username"],
        "system:serviceaccount:default:robot"
    );
    // A forged token (its payload changed) is refused.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[1].insert(0, 'e');
    let forged = token_kubeconfig(&cluster, "forged.kubeconfig", &parts.join("."));
    let refused = cluster
        .kubectl(&["--kubeconfig", &forged, "get", "pods"])
        .await
        .err();
    assert!(
        refused.contains("Unauthorized") || refused.contains("provide credentials"),
        "{refused}"
    );
    // Too short a life is refused in upstream's words.
    let short = cluster
        .kubectl(&["create", "token", "robot", "--duration=1m"])
        .await
        .err();
    assert!(
        short.contains("may not specify a duration less than 10 minutes"),
        "{short}"
    );
    // Bound to a pod: good while the pod lives.
    cluster
        .apply(
            "lone.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: lone}\nspec: {containers: [{name: c, image: busybox}]}\n",
        )
        .await
        .ok();
    let bound = cluster
        .kubectl(&[
            "create",
            "token",
            "robot",
            "--bound-object-kind=Pod",
            "--bound-object-name=lone",
        ])
        .await
        .ok();
    let as_pod = token_kubeconfig(&cluster, "pod.kubeconfig", bound.trim());
    cluster
        .kubectl(&["--kubeconfig", &as_pod, "get", "pods"])
        .await
        .ok();
    cluster
        .kubectl(&["delete", "pod", "lone", "--grace-period=0", "--force"])
        .await;
    cluster
        .eventually(&["get", "pods"], "the pod gone", |list| {
            list["items"].as_array().is_some_and(|i| i.is_empty())
        })
        .await;
    let gone = cluster
        .kubectl(&["--kubeconfig", &as_pod, "get", "pods"])
        .await
        .err();
    assert!(
        gone.contains("Unauthorized") || gone.contains("provide credentials"),
        "{gone}"
    );
    // The issuer's discovery documents.
    let discovery: Value = serde_json::from_str(
        &cluster
            .kubectl(&["get", "--raw", "/.well-known/openid-configuration"])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(
        discovery["issuer"],
        "https://kubernetes.default.svc.cluster.local"
    );
    let keys: Value = serde_json::from_str(
        &cluster
            .kubectl(&["get", "--raw", "/openid/v1/jwks"])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(keys["keys"][0]["kty"], "EC");
    // The account gone, its token is refused.
    cluster
        .kubectl(&["delete", "serviceaccount", "robot"])
        .await
        .ok();
    let orphan = cluster
        .kubectl(&["--kubeconfig", &as_robot, "get", "pods"])
        .await
        .err();
    assert!(
        orphan.contains("Unauthorized") || orphan.contains("provide credentials"),
        "{orphan}"
    );
}
