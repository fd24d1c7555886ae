//! Authorization with real credentials: the bootstrap policy, RBAC for
//! users and service accounts, component identities, the Node authorizer
//! and NodeRestriction, and escalation prevention — each checked with
//! kubectl holding the identity's own certificate or token.

use std::time::Duration;

use testkit::TestCluster;

/// A kubeconfig holding a bearer token.
fn token_kubeconfig(cluster: &TestCluster, name: &str, token: &str) -> String {
    let ca = cluster.data_dir().join("pki").join("ca.crt");
    let config = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n",
        cluster.server.url,
        ca.display()
    );
    cluster.file(name, &config).display().to_string()
}

/// A service account of `namespace` and a kubeconfig with its token.
async fn account(cluster: &TestCluster, namespace: &str, name: &str) -> String {
    cluster
        .kubectl(&["create", "serviceaccount", name, "-n", namespace])
        .await
        .ok();
    let token = cluster
        .kubectl(&["create", "token", name, "-n", namespace, "--duration=1h"])
        .await
        .ok();
    token_kubeconfig(
        cluster,
        &format!("{namespace}-{name}.kubeconfig"),
        token.trim(),
    )
}

/// kubectl as the user of `kubeconfig`.
async fn kubectl_as(cluster: &TestCluster, kubeconfig: &str, args: &[&str]) -> testkit::Kubectl {
    let mut all = vec!["--kubeconfig", kubeconfig];
    all.extend_from_slice(args);
    cluster.kubectl(&all).await
}

/// `kubectl auth can-i` as the kubeconfig's own user: "yes" or "no".
async fn can_i(cluster: &TestCluster, kubeconfig: &str, args: &[&str]) -> String {
    let mut all = vec!["--kubeconfig", kubeconfig, "auth", "can-i"];
    all.extend_from_slice(args);
    let out = cluster.kubectl(&all).await;
    assert!(
        out.success || out.code == Some(1),
        "can-i {args:?}: {}",
        out.stderr
    );
    out.stdout.trim().to_string()
}

/// Waits for a permission granted a moment ago (the policy follows the
/// store through a watch).
async fn until_allowed(cluster: &TestCluster, kubeconfig: &str, args: &[&str]) {
    for _ in 0..100 {
        if can_i(cluster, kubeconfig, args).await == "yes" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never allowed: {args:?}");
}

/// Checks each (args, answer) row.
async fn matrix(cluster: &TestCluster, who: &str, kubeconfig: &str, rows: &[(&[&str], &str)]) {
    for (args, expected) in rows {
        assert_eq!(
            can_i(cluster, kubeconfig, args).await,
            *expected,
            "{who}: can-i {args:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bootstrap_policy_is_upstreams_and_admin_edit_view_aggregate() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let roles = cluster
        .kubectl(&["get", "clusterroles", "-o", "name"])
        .await
        .ok();
    for role in [
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:basic-user",
        "system:discovery",
        "system:public-info-viewer",
        "system:node",
        "system:node-proxier",
        "system:kube-scheduler",
        "system:kube-controller-manager",
        "system:aggregate-to-view",
    ] {
        assert!(
            roles
                .lines()
                .any(|l| l == format!("clusterrole.rbac.authorization.k8s.io/{role}")),
            "{role} in {roles}"
        );
    }
    let admin = cluster
        .kubectl(&["get", "clusterrolebinding", "cluster-admin", "-o", "json"])
        .await
        .json();
    assert_eq!(admin["subjects"][0]["kind"], "Group");
    assert_eq!(admin["subjects"][0]["name"], "system:masters");
    assert_eq!(
        admin["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"],
        "true"
    );
    assert_eq!(
        admin["metadata"]["labels"]["kubernetes.io/bootstrapping"],
        "rbac-defaults"
    );
    // `view` is made of what is labelled for it, by the aggregation
    // controller; `edit` includes `view`, `admin` includes `edit`.
    let mut aggregated = false;
    for _ in 0..100 {
        let admin = cluster
            .kubectl(&["get", "clusterrole", "admin", "-o", "json"])
            .await
            .json();
        let rules = admin["rules"].to_string();
        if rules.contains("\"rolebindings\"")
            && rules.contains("\"deployments\"")
            && rules.contains("\"pods/log\"")
        {
            aggregated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(aggregated, "admin never gathered edit's and view's rules");
    // A deleted bootstrap role comes back at the next start; an edited one
    // keeps what was added.
    let custom = cluster.file(
        "custom.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: widget-viewer\n  labels:\n    rbac.authorization.k8s.io/aggregate-to-view: \"true\"\nrules:\n- apiGroups: [example.com]\n  resources: [widgets]\n  verbs: [get]\n",
    );
    cluster
        .kubectl(&["apply", "-f", custom.to_str().unwrap()])
        .await
        .ok();
    let mut picked = false;
    for _ in 0..100 {
        let view = cluster
            .kubectl(&["get", "clusterrole", "view", "-o", "json"])
            .await
            .json();
        if view["rules"].to_string().contains("widgets") {
            picked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(picked, "view never gathered a role labelled for it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_service_accounts_get_what_their_bindings_give() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    for namespace in ["team", "other"] {
        cluster
            .kubectl(&["create", "namespace", namespace])
            .await
            .ok();
    }
    let viewer = account(&cluster, "team", "viewer").await;
    let editor = account(&cluster, "team", "editor").await;
    let owner = account(&cluster, "team", "owner").await;
    let reader = account(&cluster, "team", "reader").await;
    // Nothing bound yet: a service account may only learn about itself.
    let refused = cluster
        .kubectl(&["--kubeconfig", &viewer, "get", "pods", "-n", "team"])
        .await
        .err();
    assert!(
        refused.contains(
            "pods is forbidden: User \"system:serviceaccount:team:viewer\" cannot list resource \"pods\" in API group \"\" in the namespace \"team\""
        ),
        "{refused}"
    );
    for (name, role) in [("viewer", "view"), ("editor", "edit"), ("owner", "admin")] {
        cluster
            .kubectl(&[
                "create",
                "rolebinding",
                &format!("{name}-binding"),
                &format!("--clusterrole={role}"),
                &format!("--serviceaccount=team:{name}"),
                "-n",
                "team",
            ])
            .await
            .ok();
    }
    cluster
        .kubectl(&[
            "create",
            "role",
            "one-config",
            "--verb=get",
            "--resource=configmaps",
            "--resource-name=settings",
            "-n",
            "team",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "rolebinding",
            "reader-binding",
            "--role=one-config",
            "--serviceaccount=team:reader",
            "-n",
            "team",
        ])
        .await
        .ok();
    until_allowed(&cluster, &viewer, &["list", "pods", "-n", "team"]).await;
    until_allowed(&cluster, &editor, &["create", "deployments", "-n", "team"]).await;
    until_allowed(&cluster, &owner, &["create", "rolebindings", "-n", "team"]).await;
    until_allowed(
        &cluster,
        &reader,
        &["get", "configmaps/settings", "-n", "team"],
    )
    .await;
    matrix(
        &cluster,
        "viewer",
        &viewer,
        &[
            (&["get", "pods", "-n", "team"], "yes"),
            (&["get", "pods", "--subresource=log", "-n", "team"], "yes"),
            (&["get", "secrets", "-n", "team"], "no"),
            (&["create", "pods", "-n", "team"], "no"),
            (
                &["create", "pods", "--subresource=exec", "-n", "team"],
                "no",
            ),
            (&["list", "pods", "-n", "other"], "no"),
            (&["list", "nodes"], "no"),
        ],
    )
    .await;
    matrix(
        &cluster,
        "editor",
        &editor,
        &[
            (&["create", "deployments.apps", "-n", "team"], "yes"),
            (
                &[
                    "patch",
                    "deployments.apps",
                    "--subresource=scale",
                    "-n",
                    "team",
                ],
                "yes",
            ),
            (&["get", "secrets", "-n", "team"], "yes"),
            (
                &["create", "pods", "--subresource=exec", "-n", "team"],
                "yes",
            ),
            (&["create", "rolebindings", "-n", "team"], "no"),
            (&["update", "resourcequotas", "-n", "team"], "no"),
            (&["create", "deployments.apps", "-n", "other"], "no"),
        ],
    )
    .await;
    matrix(
        &cluster,
        "owner",
        &owner,
        &[
            (&["create", "roles", "-n", "team"], "yes"),
            (&["delete", "secrets", "-n", "team"], "yes"),
            (&["create", "namespaces"], "no"),
            (&["delete", "nodes"], "no"),
        ],
    )
    .await;
    matrix(
        &cluster,
        "reader",
        &reader,
        &[
            (&["get", "configmaps/settings", "-n", "team"], "yes"),
            (&["get", "configmaps/other", "-n", "team"], "no"),
            (&["list", "configmaps", "-n", "team"], "no"),
        ],
    )
    .await;
    // Real requests, not only reviews.
    cluster
        .kubectl(&[
            "create",
            "configmap",
            "settings",
            "--from-literal=a=b",
            "-n",
            "team",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "--kubeconfig",
            &reader,
            "get",
            "configmap",
            "settings",
            "-n",
            "team",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "--kubeconfig",
            &editor,
            "create",
            "deployment",
            "web",
            "--image=busybox",
            "-n",
            "team",
        ])
        .await
        .ok();
    let refused = cluster
        .kubectl(&[
            "--kubeconfig",
            &viewer,
            "delete",
            "deployment",
            "web",
            "-n",
            "team",
        ])
        .await
        .err();
    assert!(
        refused.contains(
            "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:team:viewer\" cannot delete resource \"deployments\" in API group \"apps\" in the namespace \"team\""
        ),
        "{refused}"
    );
    // What a review of one's own rules says.
    let rules = cluster
        .kubectl(&[
            "--kubeconfig",
            &reader,
            "auth",
            "can-i",
            "--list",
            "-n",
            "team",
        ])
        .await
        .ok();
    assert!(
        rules.lines().any(|l| l.starts_with("configmaps ")
            && l.contains("[settings]")
            && l.contains("[get]")),
        "{rules}"
    );
    assert!(
        rules
            .lines()
            .any(|l| l.starts_with("selfsubjectaccessreviews.authorization.k8s.io")),
        "{rules}"
    );
    // `kubectl auth reconcile` creates what is missing, twice harmlessly.
    let reconciled = cluster.file(
        "reconcile.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: erin-reads, namespace: team}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: erin-reads, namespace: team}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: erin-reads}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}\n",
    );
    for _ in 0..2 {
        let out = cluster
            .kubectl(&["auth", "reconcile", "-f", reconciled.to_str().unwrap()])
            .await
            .ok();
        assert!(
            out.contains("rolebinding.rbac.authorization.k8s.io/erin-reads reconciled"),
            "{out}"
        );
    }
    until_allowed(
        &cluster,
        cluster.server.kubeconfig.to_str().unwrap(),
        &["list", "pods", "-n", "team", "--as=erin"],
    )
    .await;
    // Paths: discovery for everyone, metrics only for monitoring.
    cluster
        .kubectl(&["--kubeconfig", &viewer, "get", "--raw", "/apis"])
        .await
        .ok();
    let metrics = cluster
        .kubectl(&["--kubeconfig", &viewer, "get", "--raw", "/metrics"])
        .await
        .err();
    assert!(
        metrics.contains(
            "forbidden: User \"system:serviceaccount:team:viewer\" cannot get path \"/metrics\""
        ),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_hold_only_their_own_rights() {
    let cluster = TestCluster::start().await;
    let path = |component: &str, user: &str| {
        cluster
            .server
            .component_kubeconfig(component, user)
            .expect("kubeconfig")
            .display()
            .to_string()
    };
    let scheduler = path("scheduler", "system:kube-scheduler");
    let proxy = path("proxy", "system:kube-proxy");
    let dns = cluster
        .server
        .dns_kubeconfig()
        .expect("dns")
        .display()
        .to_string();
    matrix(
        &cluster,
        "scheduler",
        &scheduler,
        &[
            (
                &["create", "pods", "--subresource=binding", "-n", "default"],
                "yes",
            ),
            (&["list", "nodes"], "yes"),
            (
                &["patch", "pods", "--subresource=status", "-n", "default"],
                "yes",
            ),
            (
                &["update", "leases/kube-scheduler", "-n", "kube-system"],
                "yes",
            ),
            (
                &[
                    "update",
                    "leases/kube-controller-manager",
                    "-n",
                    "kube-system",
                ],
                "no",
            ),
            (&["get", "secrets", "-n", "default"], "no"),
            (&["delete", "nodes"], "no"),
        ],
    )
    .await;
    matrix(
        &cluster,
        "proxy",
        &proxy,
        &[
            (&["list", "endpointslices.discovery.k8s.io"], "yes"),
            (&["watch", "services"], "yes"),
            (&["create", "pods", "-n", "default"], "no"),
            (&["get", "secrets", "-n", "kube-system"], "no"),
        ],
    )
    .await;
    matrix(
        &cluster,
        "dns",
        &dns,
        &[
            (&["list", "endpointslices.discovery.k8s.io"], "yes"),
            (&["watch", "services"], "yes"),
            (&["get", "configmaps", "-n", "kube-system"], "no"),
            (&["create", "services", "-n", "default"], "no"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_reaches_only_what_its_pods_use() {
    let cluster = TestCluster::start().await;
    let node_a = cluster
        .server
        .node_kubeconfig("node-a")
        .expect("node a")
        .display()
        .to_string();
    let node = |name: &str| {
        format!("{{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{{\"name\":\"{name}\"}}}}")
    };
    // A node registers itself, not another.
    let a = cluster.file("a.json", &node("node-a"));
    let b = cluster.file("b.json", &node("node-b"));
    kubectl_as(&cluster, &node_a, &["create", "-f", a.to_str().unwrap()])
        .await
        .ok();
    let refused = kubectl_as(&cluster, &node_a, &["create", "-f", b.to_str().unwrap()])
        .await
        .err();
    assert!(
        refused.contains("node \"node-a\" is not allowed to modify node \"node-b\""),
        "{refused}"
    );
    cluster
        .kubectl(&["create", "-f", b.to_str().unwrap()])
        .await
        .ok();
    let refused = kubectl_as(&cluster, &node_a, &["label", "node", "node-b", "rack=1"])
        .await
        .err();
    assert!(
        refused.contains("node \"node-a\" is not allowed to modify node \"node-b\""),
        "{refused}"
    );
    let refused = kubectl_as(
        &cluster,
        &node_a,
        &[
            "label",
            "node",
            "node-a",
            "node-restriction.kubernetes.io/pool=x",
        ],
    )
    .await
    .err();
    assert!(
        refused.contains("is not allowed to modify labels: node-restriction.kubernetes.io/pool"),
        "{refused}"
    );
    // Secrets: only those a pod bound to the node uses.
    for secret in ["used", "unused"] {
        cluster
            .kubectl(&["create", "secret", "generic", secret, "--from-literal=k=v"])
            .await
            .ok();
    }
    let pod = cluster.file(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: user\nspec:\n  nodeName: node-a\n  containers:\n  - name: c\n    image: busybox\n    env:\n    - name: K\n      valueFrom:\n        secretKeyRef: {name: used, key: k}\n",
    );
    cluster
        .kubectl(&["create", "-f", pod.to_str().unwrap()])
        .await
        .ok();
    let mut read = false;
    for _ in 0..100 {
        if kubectl_as(&cluster, &node_a, &["get", "secret", "used"])
            .await
            .success
        {
            read = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(read, "node-a never read the secret its pod uses");
    let refused = kubectl_as(&cluster, &node_a, &["get", "secret", "unused"])
        .await
        .err();
    assert!(
        refused.contains(
            "secrets \"unused\" is forbidden: User \"system:node:node-a\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": no relationship found between node 'node-a' and this object"
        ),
        "{refused}"
    );
    let refused = kubectl_as(&cluster, &node_a, &["get", "secrets"])
        .await
        .err();
    assert!(
        refused.contains("cannot list resource \"secrets\""),
        "{refused}"
    );
    // Pods: only mirror pods of its own, and only its own pods' deletion.
    let plain = cluster.file(
        "plain.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\nspec:\n  nodeName: node-a\n  containers:\n  - name: c\n    image: busybox\n",
    );
    let refused = kubectl_as(
        &cluster,
        &node_a,
        &["create", "-f", plain.to_str().unwrap()],
    )
    .await
    .err();
    assert!(
        refused.contains("pod does not have \"kubernetes.io/config.mirror\" annotation, node \"node-a\" can only create mirror pods"),
        "{refused}"
    );
    let elsewhere = cluster.file(
        "elsewhere.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: elsewhere\nspec:\n  nodeName: node-b\n  containers:\n  - name: c\n    image: busybox\n",
    );
    cluster
        .kubectl(&["create", "-f", elsewhere.to_str().unwrap()])
        .await
        .ok();
    let refused = kubectl_as(
        &cluster,
        &node_a,
        &["delete", "pod", "elsewhere", "--wait=false"],
    )
    .await
    .err();
    assert!(
        refused.contains("node \"node-a\" can only delete pods with spec.nodeName set to itself"),
        "{refused}"
    );
    kubectl_as(
        &cluster,
        &node_a,
        &["delete", "pod", "user", "--wait=false"],
    )
    .await
    .ok();
    // Leases: its own only.
    let lease = |name: &str| {
        format!(
            "{{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"kube-node-lease\"}}}}"
        )
    };
    let own = cluster.file("own-lease.json", &lease("node-a"));
    let other = cluster.file("other-lease.json", &lease("node-b"));
    kubectl_as(&cluster, &node_a, &["create", "-f", own.to_str().unwrap()])
        .await
        .ok();
    let refused = kubectl_as(
        &cluster,
        &node_a,
        &["create", "-f", other.to_str().unwrap()],
    )
    .await
    .err();
    assert!(
        refused.contains("can only access node lease with the same name as the requesting node"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_grants_what_they_do_not_hold() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster.kubectl(&["create", "namespace", "team"]).await.ok();
    let owner = account(&cluster, "team", "owner").await;
    cluster
        .kubectl(&[
            "create",
            "rolebinding",
            "owner-binding",
            "--clusterrole=admin",
            "--serviceaccount=team:owner",
            "-n",
            "team",
        ])
        .await
        .ok();
    until_allowed(&cluster, &owner, &["create", "roles", "-n", "team"]).await;
    // Within what admin holds: fine.
    let mut created = false;
    for _ in 0..100 {
        // (admin's rules arrive through aggregation.)
        if cluster
            .kubectl(&[
                "--kubeconfig",
                &owner,
                "create",
                "role",
                "pod-reader",
                "--verb=get,list",
                "--resource=pods",
                "-n",
                "team",
            ])
            .await
            .success
        {
            created = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(created, "admin could not create a role within its rights");
    cluster
        .kubectl(&[
            "--kubeconfig",
            &owner,
            "create",
            "rolebinding",
            "view-binding",
            "--clusterrole=view",
            "--user=carol",
            "-n",
            "team",
        ])
        .await
        .ok();
    // Beyond it: refused, with what is missing.
    let refused = cluster
        .kubectl(&[
            "--kubeconfig",
            &owner,
            "create",
            "role",
            "node-reader",
            "--verb=get",
            "--resource=nodes",
            "-n",
            "team",
        ])
        .await
        .err();
    assert!(
        refused.contains("roles.rbac.authorization.k8s.io \"node-reader\" is forbidden: user \"system:serviceaccount:team:owner\" (groups=[\"system:serviceaccounts\" \"system:serviceaccounts:team\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\"]}"),
        "{refused}"
    );
    let refused = cluster
        .kubectl(&[
            "--kubeconfig",
            &owner,
            "create",
            "rolebinding",
            "root",
            "--clusterrole=cluster-admin",
            "--user=carol",
            "-n",
            "team",
        ])
        .await
        .err();
    assert!(
        refused.contains("rolebindings.rbac.authorization.k8s.io \"root\" is forbidden: user \"system:serviceaccount:team:owner\"")
            && refused.contains("is attempting to grant RBAC permissions not currently held"),
        "{refused}"
    );
    // With `bind` on cluster-admin, binding it is allowed.
    cluster
        .kubectl(&[
            "create",
            "clusterrole",
            "bind-admin",
            "--verb=bind",
            "--resource=clusterroles",
            "--resource-name=cluster-admin",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "rolebinding",
            "owner-may-bind",
            "--clusterrole=bind-admin",
            "--serviceaccount=team:owner",
            "-n",
            "team",
        ])
        .await
        .ok();
    until_allowed(
        &cluster,
        &owner,
        &["bind", "clusterroles/cluster-admin", "-n", "team"],
    )
    .await;
    cluster
        .kubectl(&[
            "--kubeconfig",
            &owner,
            "create",
            "rolebinding",
            "root",
            "--clusterrole=cluster-admin",
            "--user=carol",
            "-n",
            "team",
        ])
        .await
        .ok();
    // Nothing refused was written.
    let roles = cluster
        .kubectl(&["get", "roles", "-n", "team", "-o", "name"])
        .await
        .ok();
    assert!(!roles.contains("node-reader"), "{roles}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impersonation_needs_the_impersonate_verb() {
    let cluster = TestCluster::start().await;
    cluster.kubectl(&["create", "namespace", "team"]).await.ok();
    cluster
        .kubectl(&[
            "create",
            "role",
            "pod-reader",
            "--verb=get,list",
            "--resource=pods",
            "-n",
            "team",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "rolebinding",
            "dev-reads",
            "--role=pod-reader",
            "--group=dev",
            "-n",
            "team",
        ])
        .await
        .ok();
    // The administrator acts as others: what they may do, not more.
    until_allowed(
        &cluster,
        cluster.server.kubeconfig.to_str().unwrap(),
        &["list", "pods", "-n", "team", "--as=carol", "--as-group=dev"],
    )
    .await;
    assert_eq!(
        can_i(
            &cluster,
            cluster.server.kubeconfig.to_str().unwrap(),
            &["list", "pods", "-n", "team", "--as=carol"]
        )
        .await,
        "no"
    );
    let refused = cluster
        .kubectl(&["get", "pods", "-n", "team", "--as=carol"])
        .await
        .err();
    assert!(
        refused.contains("pods is forbidden: User \"carol\" cannot list resource \"pods\" in API group \"\" in the namespace \"team\""),
        "{refused}"
    );
    let who = cluster
        .kubectl(&[
            "auth",
            "whoami",
            "--as=system:serviceaccount:team:robot",
            "-o",
            "json",
        ])
        .await
        .json();
    let groups = who["status"]["userInfo"]["groups"].to_string();
    assert_eq!(
        who["status"]["userInfo"]["username"],
        "system:serviceaccount:team:robot"
    );
    assert!(groups.contains("system:serviceaccounts:team"), "{groups}");
    // Without the verb, impersonating is refused and nothing is done.
    let alice = account(&cluster, "team", "alice").await;
    let refused = cluster
        .kubectl(&[
            "--kubeconfig",
            &alice,
            "get",
            "pods",
            "-n",
            "team",
            "--as=carol",
            "--as-group=dev",
        ])
        .await
        .err();
    assert!(
        refused.contains("users \"carol\" is forbidden: User \"system:serviceaccount:team:alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"),
        "{refused}"
    );
    // Given it for one user and one group, it works for those.
    cluster
        .kubectl(&[
            "create",
            "clusterrole",
            "be-carol",
            "--verb=impersonate",
            "--resource=users,groups",
            "--resource-name=carol",
            "--resource-name=dev",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "clusterrolebinding",
            "alice-is-carol",
            "--clusterrole=be-carol",
            "--serviceaccount=team:alice",
        ])
        .await
        .ok();
    let mut listed = false;
    for _ in 0..100 {
        if cluster
            .kubectl(&[
                "--kubeconfig",
                &alice,
                "get",
                "pods",
                "-n",
                "team",
                "--as=carol",
                "--as-group=dev",
            ])
            .await
            .success
        {
            listed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(listed, "alice never listed pods as carol of dev");
    let refused = cluster
        .kubectl(&[
            "--kubeconfig",
            &alice,
            "get",
            "pods",
            "-n",
            "team",
            "--as=dave",
        ])
        .await
        .err();
    assert!(
        refused.contains("cannot impersonate resource \"users\""),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controllers_act_as_their_own_service_accounts() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .kubectl(&[
            "create",
            "deployment",
            "web",
            "--image=busybox",
            "--replicas=2",
        ])
        .await
        .ok();
    cluster
        .eventually(&["get", "pods"], "two pods", |list| {
            list["items"]
                .as_array()
                .is_some_and(|items| items.len() == 2)
        })
        .await;
    let accounts = cluster
        .kubectl(&["get", "serviceaccounts", "-n", "kube-system", "-o", "name"])
        .await
        .ok();
    for account in [
        "deployment-controller",
        "replicaset-controller",
        "generic-garbage-collector",
        "node-controller",
    ] {
        assert!(
            accounts.contains(&format!("serviceaccount/{account}")),
            "{account} in {accounts}"
        );
    }
    let admin = cluster.server.kubeconfig.to_str().unwrap().to_string();
    matrix(
        &cluster,
        "controllers",
        &admin,
        &[
            (
                &[
                    "create",
                    "replicasets.apps",
                    "--as=system:serviceaccount:kube-system:deployment-controller",
                ],
                "yes",
            ),
            (
                &[
                    "create",
                    "pods",
                    "--as=system:serviceaccount:kube-system:deployment-controller",
                ],
                "no",
            ),
            (
                &[
                    "create",
                    "pods",
                    "--as=system:serviceaccount:kube-system:replicaset-controller",
                ],
                "yes",
            ),
            (
                &[
                    "get",
                    "secrets",
                    "--as=system:serviceaccount:kube-system:replicaset-controller",
                ],
                "no",
            ),
            // The controller manager itself only watches and issues tokens.
            (
                &["watch", "pods", "--as=system:kube-controller-manager"],
                "yes",
            ),
            (
                &["create", "pods", "--as=system:kube-controller-manager"],
                "no",
            ),
            (
                &[
                    "create",
                    "serviceaccounts",
                    "--subresource=token",
                    "-n",
                    "kube-system",
                    "--as=system:kube-controller-manager",
                ],
                "yes",
            ),
        ],
    )
    .await;
    // Their tokens are private to the controller manager.
    use std::os::unix::fs::PermissionsExt;
    let tokens = cluster.data_dir().join("controller-manager");
    let mode = std::fs::metadata(&tokens).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{:o}", mode);
    let token = std::fs::metadata(tokens.join("deployment-controller")).unwrap();
    assert_eq!(token.permissions().mode() & 0o077, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_garbage_collector_releases_roles_granting_more_than_it_holds() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    cluster
        .kubectl(&["create", "configmap", "owner"])
        .await
        .ok();
    let owner = cluster
        .kubectl(&["get", "configmap", "owner", "-o", "json"])
        .await
        .json();
    let uid = owner["metadata"]["uid"].as_str().unwrap().to_string();
    // The collector may not create pods; the role grants it.
    let role = cluster.file(
        "owned-role.yaml",
        &format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: owned\n  ownerReferences:\n  - {{apiVersion: v1, kind: ConfigMap, name: owner, uid: {uid}}}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [create]\n"
        ),
    );
    cluster
        .kubectl(&["create", "-f", role.to_str().unwrap()])
        .await
        .ok();
    cluster
        .kubectl(&[
            "delete",
            "configmap",
            "owner",
            "--cascade=orphan",
            "--wait=false",
        ])
        .await
        .ok();
    cluster
        .eventually(
            &["get", "role", "owned"],
            "the owner reference removed",
            |role| {
                role["metadata"]["ownerReferences"]
                    .as_array()
                    .is_none_or(|refs| refs.is_empty())
            },
        )
        .await;
}

/// LocalSubjectAccessReview: a review confined to the namespace of its
/// path, which namespace admins may ask.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_subject_access_reviews_answer_within_their_namespace() {
    let cluster = TestCluster::start().await;
    for args in [
        vec!["create", "namespace", "team"],
        vec![
            "create",
            "role",
            "deployer",
            "--verb=create,get",
            "--resource=deployments.apps",
            "-n",
            "team",
        ],
        vec![
            "create",
            "rolebinding",
            "dev-deploys",
            "--role=deployer",
            "--user=dev",
            "-n",
            "team",
        ],
    ] {
        cluster.kubectl(&args).await.ok();
    }
    let review = |namespace: &str, attributes_namespace: &str, verb: &str| {
        serde_json::json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "LocalSubjectAccessReview",
            "metadata": {"namespace": namespace},
            "spec": {
                "user": "dev",
                "resourceAttributes": {"namespace": attributes_namespace, "verb": verb, "resource": "deployments", "group": "apps"},
            },
        })
        .to_string()
    };
    let ask = |body: String| {
        let cluster = &cluster;
        async move {
            let file = cluster.file("review.json", &body);
            cluster
                .kubectl(&["create", "-f", file.to_str().unwrap(), "-o", "json"])
                .await
        }
    };
    let allowed = ask(review("team", "team", "create")).await.json();
    assert_eq!(allowed["status"]["allowed"], true, "{allowed:#}");
    let denied = ask(review("team", "team", "escalate")).await.json();
    assert_eq!(denied["status"]["allowed"], false, "{denied:#}");
    let elsewhere = ask(review("default", "default", "create")).await.json();
    assert_eq!(elsewhere["status"]["allowed"], false, "{elsewhere:#}");
    let err = ask(review("team", "default", "create")).await.err();
    assert!(err.contains("must match metadata.namespace"), "{err}");
}
