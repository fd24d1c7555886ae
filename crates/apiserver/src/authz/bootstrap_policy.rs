//! Upstream's bootstrap RBAC policy: the ClusterRoles and ClusterRoleBindings
//! every cluster starts with (`cluster-admin`, `admin`, `edit`, `view`, the
//! `system:*` roles of users and components), created at start and
//! reconciled as kube-apiserver does: objects annotated
//! `rbac.authorization.kubernetes.io/autoupdate: "true"` get back what is
//! missing (rules, subjects, labels) and never lose what was added.

use serde_json::{Value, json};
use store::{SharedStore, StoreError};

use crate::objects::encode;

pub const AUTO_UPDATE: &str = "rbac.authorization.kubernetes.io/autoupdate";
const BOOTSTRAPPING: &str = "kubernetes.io/bootstrapping";
const AGGREGATE_TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const AGGREGATE_TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const AGGREGATE_TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

fn named(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "resourceNames": names, "verbs": verbs})
}

fn urls(verbs: &[&str], urls: &[&str]) -> Value {
    json!({"nonResourceURLs": urls, "verbs": verbs})
}

fn events() -> Value {
    rule(
        &["create", "patch", "update"],
        &["", "events.k8s.io"],
        &["events"],
    )
}

/// One bootstrap ClusterRole: rules, or an aggregation rule selecting by
/// one label, and the labels that aggregate it elsewhere.
struct Role {
    name: &'static str,
    rules: Vec<Value>,
    aggregate_from: Option<&'static str>,
    labels: &'static [&'static str],
}

fn role(name: &'static str, rules: Vec<Value>) -> Role {
    Role {
        name,
        rules,
        aggregate_from: None,
        labels: &[],
    }
}

fn roles() -> Vec<Role> {
    let mut roles = vec![
        role(
            "cluster-admin",
            vec![rule(&["*"], &["*"], &["*"]), urls(&["*"], &["*"])],
        ),
        role(
            "system:discovery",
            vec![urls(
                &["get"],
                &[
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/openapi",
                    "/openapi/*",
                    "/readyz",
                    "/version",
                    "/version/",
                ],
            )],
        ),
        role(
            "system:monitoring",
            vec![urls(
                &["get"],
                &[
                    "/healthz",
                    "/healthz/*",
                    "/livez",
                    "/livez/*",
                    "/metrics",
                    "/metrics/slis",
                    "/readyz",
                    "/readyz/*",
                ],
            )],
        ),
        role(
            "system:basic-user",
            vec![
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                ),
                rule(
                    &["create"],
                    &["authentication.k8s.io"],
                    &["selfsubjectreviews"],
                ),
            ],
        ),
        role(
            "system:public-info-viewer",
            vec![urls(
                &["get"],
                &["/healthz", "/livez", "/readyz", "/version", "/version/"],
            )],
        ),
        Role {
            name: "admin",
            rules: Vec::new(),
            aggregate_from: Some(AGGREGATE_TO_ADMIN),
            labels: &[],
        },
        Role {
            name: "edit",
            rules: Vec::new(),
            aggregate_from: Some(AGGREGATE_TO_EDIT),
            labels: &[AGGREGATE_TO_ADMIN],
        },
        Role {
            name: "view",
            rules: Vec::new(),
            aggregate_from: Some(AGGREGATE_TO_VIEW),
            labels: &[AGGREGATE_TO_EDIT],
        },
        Role {
            name: "system:aggregate-to-admin",
            rules: vec![
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["localsubjectaccessreviews"],
                ),
                rule(
                    READ_WRITE,
                    &["rbac.authorization.k8s.io"],
                    &["rolebindings", "roles"],
                ),
            ],
            aggregate_from: None,
            labels: &[AGGREGATE_TO_ADMIN],
        },
        Role {
            name: "system:aggregate-to-edit",
            rules: vec![
                rule(
                    READ,
                    &[""],
                    &[
                        "pods/attach",
                        "pods/exec",
                        "pods/portforward",
                        "pods/proxy",
                        "secrets",
                        "services/proxy",
                    ],
                ),
                rule(&["impersonate"], &[""], &["serviceaccounts"]),
                rule(
                    WRITE,
                    &[""],
                    &[
                        "pods",
                        "pods/attach",
                        "pods/exec",
                        "pods/portforward",
                        "pods/proxy",
                    ],
                ),
                rule(&["create"], &[""], &["pods/eviction"]),
                rule(
                    WRITE,
                    &[""],
                    &[
                        "configmaps",
                        "events",
                        "persistentvolumeclaims",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "secrets",
                        "serviceaccounts",
                        "services",
                        "services/proxy",
                    ],
                ),
                rule(&["create"], &[""], &["serviceaccounts/token"]),
                rule(
                    WRITE,
                    &["apps"],
                    &[
                        "daemonsets",
                        "deployments",
                        "deployments/rollback",
                        "deployments/scale",
                        "replicasets",
                        "replicasets/scale",
                        "statefulsets",
                        "statefulsets/scale",
                    ],
                ),
                rule(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
                rule(WRITE, &["batch"], &["cronjobs", "jobs"]),
                rule(
                    WRITE,
                    &["extensions"],
                    &[
                        "daemonsets",
                        "deployments",
                        "deployments/rollback",
                        "deployments/scale",
                        "ingresses",
                        "networkpolicies",
                        "replicasets",
                        "replicasets/scale",
                        "replicationcontrollers/scale",
                    ],
                ),
                rule(WRITE, &["policy"], &["poddisruptionbudgets"]),
                rule(
                    WRITE,
                    &["networking.k8s.io"],
                    &["ingresses", "networkpolicies"],
                ),
                rule(WRITE, &["coordination.k8s.io"], &["leases"]),
            ],
            aggregate_from: None,
            labels: &[AGGREGATE_TO_EDIT],
        },
        Role {
            name: "system:aggregate-to-view",
            rules: vec![
                rule(
                    READ,
                    &[""],
                    &[
                        "configmaps",
                        "endpoints",
                        "persistentvolumeclaims",
                        "persistentvolumeclaims/status",
                        "pods",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "serviceaccounts",
                        "services",
                        "services/status",
                    ],
                ),
                rule(
                    READ,
                    &[""],
                    &[
                        "bindings",
                        "events",
                        "limitranges",
                        "namespaces/status",
                        "pods/log",
                        "pods/status",
                        "replicationcontrollers/status",
                        "resourcequotas",
                        "resourcequotas/status",
                    ],
                ),
                rule(READ, &[""], &["namespaces"]),
                rule(READ, &["discovery.k8s.io"], &["endpointslices"]),
                rule(
                    READ,
                    &["apps"],
                    &[
                        "controllerrevisions",
                        "daemonsets",
                        "daemonsets/status",
                        "deployments",
                        "deployments/scale",
                        "deployments/status",
                        "replicasets",
                        "replicasets/scale",
                        "replicasets/status",
                        "statefulsets",
                        "statefulsets/scale",
                        "statefulsets/status",
                    ],
                ),
                rule(
                    READ,
                    &["autoscaling"],
                    &[
                        "horizontalpodautoscalers",
                        "horizontalpodautoscalers/status",
                    ],
                ),
                rule(
                    READ,
                    &["batch"],
                    &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
                ),
                rule(
                    READ,
                    &["extensions"],
                    &[
                        "daemonsets",
                        "daemonsets/status",
                        "deployments",
                        "deployments/scale",
                        "deployments/status",
                        "ingresses",
                        "ingresses/status",
                        "networkpolicies",
                        "replicasets",
                        "replicasets/scale",
                        "replicasets/status",
                        "replicationcontrollers/scale",
                    ],
                ),
                rule(
                    READ,
                    &["policy"],
                    &["poddisruptionbudgets", "poddisruptionbudgets/status"],
                ),
                rule(
                    READ,
                    &["networking.k8s.io"],
                    &["ingresses", "ingresses/status", "networkpolicies"],
                ),
            ],
            aggregate_from: None,
            labels: &[AGGREGATE_TO_VIEW],
        },
        role(
            "system:heapster",
            vec![
                rule(READ, &[""], &["events", "namespaces", "nodes", "pods"]),
                rule(READ, &["extensions"], &["deployments"]),
            ],
        ),
        role(
            "system:node",
            super::node::node_rules()
                .into_iter()
                .filter_map(|r| serde_json::to_value(RuleJson::from(r)).ok())
                .collect(),
        ),
        role(
            "system:node-problem-detector",
            vec![
                rule(&["get"], &[""], &["nodes"]),
                rule(&["patch"], &[""], &["nodes/status"]),
                events(),
            ],
        ),
        role(
            "system:kubelet-api-admin",
            vec![
                rule(&["get", "list", "watch"], &[""], &["nodes"]),
                rule(&["proxy"], &[""], &["nodes"]),
                rule(
                    &["*"],
                    &[""],
                    &["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"],
                ),
            ],
        ),
        role(
            "system:node-bootstrapper",
            vec![rule(
                &["create", "get", "list", "watch"],
                &["certificates.k8s.io"],
                &["certificatesigningrequests"],
            )],
        ),
        role(
            "system:auth-delegator",
            vec![
                rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["subjectaccessreviews"],
                ),
            ],
        ),
        role(
            "system:kube-aggregator",
            vec![rule(READ, &[""], &["endpoints", "services"])],
        ),
        role(
            "system:kube-controller-manager",
            vec![
                events(),
                rule(&["create"], &["coordination.k8s.io"], &["leases"]),
                named(
                    &["get", "update"],
                    &["coordination.k8s.io"],
                    &["leases"],
                    &["kube-controller-manager"],
                ),
                rule(&["create"], &[""], &["secrets", "serviceaccounts"]),
                rule(&["delete"], &[""], &["secrets"]),
                rule(
                    &["get"],
                    &[""],
                    &["namespaces", "secrets", "serviceaccounts"],
                ),
                rule(&["update"], &[""], &["secrets", "serviceaccounts"]),
                rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["subjectaccessreviews"],
                ),
                rule(&["list", "watch"], &["*"], &["*"]),
                rule(&["create"], &[""], &["serviceaccounts/token"]),
            ],
        ),
        role(
            "system:kube-dns",
            vec![rule(&["list", "watch"], &[""], &["endpoints", "services"])],
        ),
        role(
            "system:persistent-volume-provisioner",
            vec![
                rule(
                    &["create", "delete", "get", "list", "watch"],
                    &[""],
                    &["persistentvolumes"],
                ),
                rule(
                    &["get", "list", "update", "watch"],
                    &[""],
                    &["persistentvolumeclaims"],
                ),
                rule(READ, &["storage.k8s.io"], &["storageclasses"]),
                rule(&["watch"], &[""], &["events"]),
                events(),
            ],
        ),
        role(
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            vec![rule(
                &["create"],
                &["certificates.k8s.io"],
                &["certificatesigningrequests/nodeclient"],
            )],
        ),
        role(
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![rule(
                &["create"],
                &["certificates.k8s.io"],
                &["certificatesigningrequests/selfnodeclient"],
            )],
        ),
        role(
            "system:volume-scheduler",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["persistentvolumes"],
                ),
                rule(READ, &["storage.k8s.io"], &["storageclasses"]),
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["persistentvolumeclaims"],
                ),
            ],
        ),
        role(
            "system:certificates.k8s.io:legacy-unknown-approver",
            vec![named(
                &["approve"],
                &["certificates.k8s.io"],
                &["signers"],
                &["kubernetes.io/legacy-unknown"],
            )],
        ),
        role(
            "system:certificates.k8s.io:kubelet-serving-approver",
            vec![named(
                &["approve"],
                &["certificates.k8s.io"],
                &["signers"],
                &["kubernetes.io/kubelet-serving"],
            )],
        ),
        role(
            "system:certificates.k8s.io:kube-apiserver-client-approver",
            vec![named(
                &["approve"],
                &["certificates.k8s.io"],
                &["signers"],
                &["kubernetes.io/kube-apiserver-client"],
            )],
        ),
        role(
            "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
            vec![named(
                &["approve"],
                &["certificates.k8s.io"],
                &["signers"],
                &["kubernetes.io/kube-apiserver-client-kubelet"],
            )],
        ),
        role(
            "system:service-account-issuer-discovery",
            vec![urls(
                &["get"],
                &[
                    "/.well-known/openid-configuration",
                    "/.well-known/openid-configuration/",
                    "/openid/v1/jwks",
                    "/openid/v1/jwks/",
                ],
            )],
        ),
        role(
            "system:node-proxier",
            vec![
                rule(&["list", "watch"], &[""], &["endpoints", "services"]),
                rule(&["get", "list", "watch"], &[""], &["nodes"]),
                events(),
                rule(
                    &["list", "watch"],
                    &["discovery.k8s.io"],
                    &["endpointslices"],
                ),
            ],
        ),
        role(
            "system:kube-scheduler",
            vec![
                events(),
                rule(&["create"], &["coordination.k8s.io"], &["leases"]),
                named(
                    &["get", "update"],
                    &["coordination.k8s.io"],
                    &["leases"],
                    &["kube-scheduler"],
                ),
                rule(READ, &[""], &["nodes"]),
                rule(&["delete", "get", "list", "watch"], &[""], &["pods"]),
                rule(&["create"], &[""], &["bindings", "pods/binding"]),
                rule(&["patch", "update"], &[""], &["pods/status"]),
                rule(READ, &[""], &["replicationcontrollers", "services"]),
                rule(READ, &["apps", "extensions"], &["replicasets"]),
                rule(READ, &["apps"], &["statefulsets"]),
                rule(READ, &["policy"], &["poddisruptionbudgets"]),
                rule(
                    READ,
                    &[""],
                    &["persistentvolumeclaims", "persistentvolumes"],
                ),
                rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["subjectaccessreviews"],
                ),
                rule(READ, &["storage.k8s.io"], &["csinodes"]),
                rule(READ, &[""], &["namespaces"]),
                rule(
                    READ,
                    &["storage.k8s.io"],
                    &["csidrivers", "csistoragecapacities"],
                ),
            ],
        ),
        // The cluster DNS (CoreDNS's role, as kubeadm installs it).
        role(
            "system:coredns",
            vec![
                rule(
                    &["list", "watch"],
                    &[""],
                    &["endpoints", "namespaces", "pods", "services"],
                ),
                rule(
                    &["list", "watch"],
                    &["discovery.k8s.io"],
                    &["endpointslices"],
                ),
            ],
        ),
    ];
    roles.extend(
        controller_roles()
            .into_iter()
            .map(|(name, _, rules)| role(name, rules)),
    );
    roles.sort_by_key(|role| role.name);
    roles
}

/// Each controller's role (`system:controller:<account>`) and the service
/// account of kube-system it is bound to: upstream's controller roles,
/// with `patch` wherever the controller patches.
fn controller_roles() -> Vec<(&'static str, &'static str, Vec<Value>)> {
    const RW: &[&str] = &[
        "create", "delete", "get", "list", "patch", "update", "watch",
    ];
    let status = |group: &str, resources: &[&str]| rule(&["patch", "update"], &[group], resources);
    vec![
        (
            "system:controller:certificate-controller",
            "certificate-controller",
            vec![
                rule(
                    &["delete", "get", "list", "watch"],
                    &["certificates.k8s.io"],
                    &["certificatesigningrequests"],
                ),
                rule(
                    &["update"],
                    &["certificates.k8s.io"],
                    &[
                        "certificatesigningrequests/approval",
                        "certificatesigningrequests/status",
                    ],
                ),
                named(
                    &["approve"],
                    &["certificates.k8s.io"],
                    &["signers"],
                    &["kubernetes.io/kube-apiserver-client-kubelet"],
                ),
                named(
                    &["sign"],
                    &["certificates.k8s.io"],
                    &["signers"],
                    &[
                        "kubernetes.io/kube-apiserver-client",
                        "kubernetes.io/kube-apiserver-client-kubelet",
                        "kubernetes.io/kubelet-serving",
                        "kubernetes.io/legacy-unknown",
                    ],
                ),
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["subjectaccessreviews"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:clusterrole-aggregation-controller",
            "clusterrole-aggregation-controller",
            vec![rule(
                &["escalate", "get", "list", "patch", "update", "watch"],
                &["rbac.authorization.k8s.io"],
                &["clusterroles"],
            )],
        ),
        (
            "system:controller:cronjob-controller",
            "cronjob-controller",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &["batch"],
                    &["cronjobs"],
                ),
                rule(RW, &["batch"], &["jobs"]),
                status("batch", &["cronjobs/status"]),
                rule(&["update"], &["batch"], &["cronjobs/finalizers"]),
                rule(&["delete", "list"], &[""], &["pods"]),
                events(),
            ],
        ),
        (
            "system:controller:daemon-set-controller",
            "daemon-set-controller",
            vec![
                rule(READ, &["apps", "extensions"], &["daemonsets"]),
                status("apps", &["daemonsets/status"]),
                rule(
                    &["update"],
                    &["apps", "extensions"],
                    &["daemonsets/finalizers"],
                ),
                rule(&["list", "watch"], &[""], &["nodes"]),
                rule(
                    &["create", "delete", "list", "patch", "watch"],
                    &[""],
                    &["pods"],
                ),
                rule(&["create"], &[""], &["pods/binding"]),
                rule(RW, &["apps"], &["controllerrevisions"]),
                events(),
            ],
        ),
        (
            "system:controller:deployment-controller",
            "deployment-controller",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &["apps", "extensions"],
                    &["deployments"],
                ),
                status("apps", &["deployments/status"]),
                rule(
                    &["update"],
                    &["apps", "extensions"],
                    &["deployments/finalizers"],
                ),
                rule(RW, &["apps", "extensions"], &["replicasets"]),
                rule(&["get", "list", "update", "watch"], &[""], &["pods"]),
                events(),
            ],
        ),
        (
            "system:controller:disruption-controller",
            "disruption-controller",
            vec![
                rule(
                    READ,
                    &["apps", "extensions"],
                    &["deployments", "replicasets"],
                ),
                rule(READ, &[""], &["replicationcontrollers"]),
                rule(READ, &["policy"], &["poddisruptionbudgets"]),
                rule(READ, &["apps"], &["statefulsets"]),
                status("policy", &["poddisruptionbudgets/status"]),
                rule(&["get"], &["*"], &["*/scale"]),
                status("", &["pods/status"]),
                events(),
            ],
        ),
        (
            "system:controller:endpoint-controller",
            "endpoint-controller",
            vec![
                rule(READ, &[""], &["pods", "services"]),
                rule(
                    &["create", "delete", "get", "list", "update"],
                    &[""],
                    &["endpoints"],
                ),
                rule(&["create"], &[""], &["endpoints/restricted"]),
                events(),
            ],
        ),
        (
            "system:controller:endpointslice-controller",
            "endpointslice-controller",
            vec![
                rule(READ, &[""], &["nodes", "pods", "services"]),
                rule(&["update"], &[""], &["services/finalizers"]),
                rule(
                    &["create", "delete", "get", "list", "update"],
                    &["discovery.k8s.io"],
                    &["endpointslices"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:endpointslicemirroring-controller",
            "endpointslicemirroring-controller",
            vec![
                rule(READ, &[""], &["endpoints", "services"]),
                rule(&["update"], &[""], &["services/finalizers"]),
                rule(&["update"], &[""], &["endpoints/finalizers"]),
                rule(
                    &["create", "delete", "get", "list", "update"],
                    &["discovery.k8s.io"],
                    &["endpointslices"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:generic-garbage-collector",
            "generic-garbage-collector",
            vec![
                rule(
                    &["delete", "get", "list", "patch", "update", "watch"],
                    &["*"],
                    &["*"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:job-controller",
            "job-controller",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &["batch"],
                    &["jobs"],
                ),
                status("batch", &["jobs/status"]),
                rule(&["update"], &["batch"], &["jobs/finalizers"]),
                rule(
                    &["create", "delete", "list", "patch", "watch"],
                    &[""],
                    &["pods"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:namespace-controller",
            "namespace-controller",
            vec![
                rule(&["delete", "get", "list", "watch"], &[""], &["namespaces"]),
                rule(
                    &["patch", "update"],
                    &[""],
                    &["namespaces/finalize", "namespaces/status"],
                ),
                rule(
                    &["delete", "deletecollection", "get", "list"],
                    &["*"],
                    &["*"],
                ),
            ],
        ),
        (
            "system:controller:node-controller",
            "node-controller",
            vec![
                rule(
                    &["delete", "get", "list", "patch", "update"],
                    &[""],
                    &["nodes"],
                ),
                status("", &["nodes/status"]),
                status("", &["pods/status"]),
                rule(&["delete", "list"], &[""], &["pods"]),
                rule(&["create"], &[""], &["pods/eviction"]),
                events(),
            ],
        ),
        (
            "system:controller:persistent-volume-binder",
            "persistent-volume-binder",
            vec![
                rule(RW, &[""], &["persistentvolumes"]),
                status("", &["persistentvolumes/status"]),
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["persistentvolumeclaims"],
                ),
                status("", &["persistentvolumeclaims/status"]),
                rule(
                    &["create", "delete", "get", "list", "watch"],
                    &[""],
                    &["pods"],
                ),
                rule(&["get"], &[""], &["secrets"]),
                rule(READ, &[""], &["nodes"]),
                rule(READ, &["storage.k8s.io"], &["storageclasses"]),
                rule(&["watch"], &[""], &["events"]),
                events(),
            ],
        ),
        (
            "system:controller:pv-protection-controller",
            "pv-protection-controller",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["persistentvolumes"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:pvc-protection-controller",
            "pvc-protection-controller",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["persistentvolumeclaims"],
                ),
                rule(READ, &[""], &["pods"]),
                events(),
            ],
        ),
        (
            "system:controller:replicaset-controller",
            "replicaset-controller",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &["apps", "extensions"],
                    &["replicasets"],
                ),
                status("apps", &["replicasets/status"]),
                rule(
                    &["update"],
                    &["apps", "extensions"],
                    &["replicasets/finalizers"],
                ),
                rule(
                    &["create", "delete", "list", "patch", "watch"],
                    &[""],
                    &["pods"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:replication-controller",
            "replication-controller",
            vec![
                rule(
                    &["get", "list", "patch", "update", "watch"],
                    &[""],
                    &["replicationcontrollers"],
                ),
                status("", &["replicationcontrollers/status"]),
                rule(&["update"], &[""], &["replicationcontrollers/finalizers"]),
                rule(
                    &["create", "delete", "list", "patch", "watch"],
                    &[""],
                    &["pods"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:resourcequota-controller",
            "resourcequota-controller",
            vec![
                rule(&["list", "watch"], &["*"], &["*"]),
                status("", &["resourcequotas/status"]),
                events(),
            ],
        ),
        (
            "system:controller:root-ca-cert-publisher",
            "root-ca-cert-publisher",
            vec![
                rule(&["create", "update"], &[""], &["configmaps"]),
                events(),
            ],
        ),
        (
            "system:controller:service-account-controller",
            "service-account-controller",
            vec![rule(&["create"], &[""], &["serviceaccounts"]), events()],
        ),
        (
            "system:controller:statefulset-controller",
            "statefulset-controller",
            vec![
                rule(&["list", "watch"], &[""], &["pods"]),
                rule(READ, &["apps"], &["statefulsets"]),
                status("apps", &["statefulsets/status"]),
                rule(&["update"], &["apps"], &["statefulsets/finalizers"]),
                rule(
                    &["create", "delete", "get", "patch", "update"],
                    &[""],
                    &["pods"],
                ),
                rule(RW, &["apps"], &["controllerrevisions"]),
                rule(
                    &["create", "delete", "get", "patch", "update"],
                    &[""],
                    &["persistentvolumeclaims"],
                ),
                events(),
            ],
        ),
        (
            "system:controller:ttl-after-finished-controller",
            "ttl-after-finished-controller",
            vec![
                rule(&["delete", "get", "list", "watch"], &["batch"], &["jobs"]),
                events(),
            ],
        ),
    ]
}

/// A PolicyRule as stored (the Node authorizer's rules, written out for
/// the `system:node` role).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleJson {
    api_groups: Vec<String>,
    resources: Vec<String>,
    verbs: Vec<String>,
}

impl From<super::rbac::Rule> for RuleJson {
    fn from(rule: super::rbac::Rule) -> RuleJson {
        RuleJson {
            api_groups: rule.api_groups,
            resources: rule.resources,
            verbs: rule.verbs,
        }
    }
}

/// A bootstrap ClusterRoleBinding: its role and subjects as
/// (kind, name, namespace).
struct Binding {
    name: &'static str,
    role: &'static str,
    subjects: Vec<(&'static str, &'static str, &'static str)>,
}

fn binding(
    name: &'static str,
    subjects: Vec<(&'static str, &'static str, &'static str)>,
) -> Binding {
    Binding {
        name,
        role: name,
        subjects,
    }
}

fn bindings() -> Vec<Binding> {
    let group = |name| ("Group", name, "");
    let user = |name| ("User", name, "");
    let controllers = controller_roles()
        .into_iter()
        .map(|(name, account, _)| Binding {
            name,
            role: name,
            subjects: vec![("ServiceAccount", account, "kube-system")],
        });
    let mut all = vec![
        binding("cluster-admin", vec![group("system:masters")]),
        binding("system:monitoring", vec![group("system:monitoring")]),
        binding("system:discovery", vec![group("system:authenticated")]),
        binding("system:basic-user", vec![group("system:authenticated")]),
        binding(
            "system:public-info-viewer",
            vec![
                group("system:authenticated"),
                group("system:unauthenticated"),
            ],
        ),
        binding("system:node-proxier", vec![user("system:kube-proxy")]),
        binding(
            "system:kube-controller-manager",
            vec![user("system:kube-controller-manager")],
        ),
        binding(
            "system:kube-dns",
            vec![("ServiceAccount", "kube-dns", "kube-system")],
        ),
        binding("system:kube-scheduler", vec![user("system:kube-scheduler")]),
        binding(
            "system:volume-scheduler",
            vec![user("system:kube-scheduler")],
        ),
        binding("system:node", vec![]),
        binding(
            "system:service-account-issuer-discovery",
            vec![group("system:serviceaccounts")],
        ),
        binding(
            "system:coredns",
            vec![("ServiceAccount", "coredns", "kube-system")],
        ),
        // The API server reaches kubelets (logs, exec, proxy) as this user.
        Binding {
            name: "system:rudder:kube-apiserver-kubelet-client",
            role: "system:kubelet-api-admin",
            subjects: vec![user("kube-apiserver-kubelet-client")],
        },
        // Every rudder node runs the local volume provisioner.
        Binding {
            name: "system:rudder:local-path-provisioner",
            role: "system:persistent-volume-provisioner",
            subjects: vec![group("system:nodes")],
        },
        // Joining nodes, with the default node token's group, may ask for
        // their first client certificate, which the approving controller
        // approves (kubeadm binds the same for its token group).
        Binding {
            name: "system:rudder:kubelet-bootstrap",
            role: "system:node-bootstrapper",
            subjects: vec![group(crate::bootstrap_tokens::DEFAULT_NODE_TOKEN_GROUP)],
        },
        Binding {
            name: "system:rudder:node-autoapprove-bootstrap",
            role: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            subjects: vec![group(crate::bootstrap_tokens::DEFAULT_NODE_TOKEN_GROUP)],
        },
        // Nodes renew their client certificates through CSRs the approving
        // controller approves (kubeadm binds the same).
        Binding {
            name: "system:rudder:node-autoapprove-certificate-rotation",
            role: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            subjects: vec![group("system:nodes")],
        },
    ];
    all.extend(controllers);
    all
}

fn metadata(name: &str, labels: &[&str]) -> Value {
    let mut label_map = json!({BOOTSTRAPPING: "rbac-defaults"});
    for label in labels {
        label_map[*label] = json!("true");
    }
    json!({"name": name, "labels": label_map, "annotations": {AUTO_UPDATE: "true"}})
}

fn cluster_role(role: &Role) -> Value {
    let mut object = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": metadata(role.name, role.labels),
    });
    match role.aggregate_from {
        Some(label) => {
            object["aggregationRule"] =
                json!({"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]});
            object["rules"] = json!([]);
        }
        None => object["rules"] = Value::Array(role.rules.clone()),
    }
    object
}

fn cluster_role_binding(binding: &Binding) -> Value {
    let subjects: Vec<Value> = binding
        .subjects
        .iter()
        .map(|(kind, name, namespace)| {
            let mut subject = json!({"kind": kind, "name": name});
            if *kind == "ServiceAccount" {
                subject["namespace"] = json!(namespace);
            } else {
                subject["apiGroup"] = json!("rbac.authorization.k8s.io");
            }
            subject
        })
        .collect();
    let mut object = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": metadata(binding.name, &[]),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": binding.role},
    });
    if !subjects.is_empty() {
        object["subjects"] = Value::Array(subjects);
    }
    object
}

/// Upstream's roles of kube-system and their bindings: what controllers
/// need in that namespace only.
fn namespaced_policy() -> Vec<(Value, Value)> {
    let name = "system:controller:token-cleaner";
    let role = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": metadata(name, &[]),
        "rules": [
            rule(&["delete", "get", "list", "watch"], &[""], &["secrets"]),
            events(),
        ],
    });
    let binding = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": metadata(name, &[]),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": "token-cleaner", "namespace": "kube-system"}],
    });
    vec![(role, binding)]
}

/// What reconciling `current` towards `wanted` gives, or None when
/// nothing is missing: labels and annotations added, and for roles the
/// rules (or aggregation selectors), for bindings the subjects.
fn reconciled(current: &Value, wanted: &Value) -> Option<Value> {
    let mut merged = current.clone();
    for field in ["labels", "annotations"] {
        for (key, value) in wanted["metadata"][field].as_object().into_iter().flatten() {
            if merged["metadata"][field].get(key).is_none() {
                if !merged["metadata"][field].is_object() {
                    merged["metadata"][field] = json!({});
                }
                merged["metadata"][field][key] = value.clone();
            }
        }
    }
    let union = |merged: &mut Value, pointer: &str, parent: &str, field: &str| {
        let wanted_items = wanted.pointer(pointer).and_then(Value::as_array).cloned();
        for item in wanted_items.into_iter().flatten() {
            let present = merged
                .pointer(pointer)
                .and_then(Value::as_array)
                .is_some_and(|items| items.contains(&item));
            if present {
                continue;
            }
            let target = if parent.is_empty() {
                &mut *merged
            } else {
                &mut merged[parent]
            };
            if !target[field].is_array() {
                target[field] = json!([]);
            }
            if let Some(items) = target[field].as_array_mut() {
                items.push(item);
            }
        }
    };
    if wanted.get("aggregationRule").is_some() {
        if !merged["aggregationRule"].is_object() {
            merged["aggregationRule"] = json!({});
        }
        union(
            &mut merged,
            "/aggregationRule/clusterRoleSelectors",
            "aggregationRule",
            "clusterRoleSelectors",
        );
    } else if wanted["kind"] == "ClusterRole" || wanted["kind"] == "Role" {
        union(&mut merged, "/rules", "", "rules");
    } else {
        union(&mut merged, "/subjects", "", "subjects");
    }
    (merged != *current).then_some(merged)
}

/// Creates the missing bootstrap roles and bindings and reconciles the
/// auto-updating ones.
pub async fn ensure(store: &SharedStore) -> Result<(), String> {
    let role_info = api::registry::by_kind("rbac.authorization.k8s.io", "ClusterRole")
        .ok_or("no ClusterRole in the registry")?;
    let binding_info = api::registry::by_kind("rbac.authorization.k8s.io", "ClusterRoleBinding")
        .ok_or("no ClusterRoleBinding in the registry")?;
    for role in roles() {
        ensure_one(store, role_info, None, cluster_role(&role)).await?;
    }
    for binding in bindings() {
        ensure_one(store, binding_info, None, cluster_role_binding(&binding)).await?;
    }
    let namespaced_role = api::registry::by_kind("rbac.authorization.k8s.io", "Role")
        .ok_or("no Role in the registry")?;
    let namespaced_binding = api::registry::by_kind("rbac.authorization.k8s.io", "RoleBinding")
        .ok_or("no RoleBinding in the registry")?;
    for (role, binding) in namespaced_policy() {
        ensure_one(store, namespaced_role, Some("kube-system"), role).await?;
        ensure_one(store, namespaced_binding, Some("kube-system"), binding).await?;
    }
    Ok(())
}

async fn ensure_one(
    store: &SharedStore,
    info: &'static api::ResourceInfo,
    namespace: Option<&str>,
    wanted: Value,
) -> Result<(), String> {
    let name = wanted["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let key = info.storage_key(namespace, &name);
    for _ in 0..5 {
        match store.get(&key).await.map_err(|e| e.to_string())? {
            None => {
                let mut object = wanted.clone();
                crate::objects::prepare_create(info, namespace, &mut object, 0)
                    .map_err(|e| e.message)?;
                match store.create(&key, encode(&object)).await {
                    Ok(_) => return Ok(()),
                    Err(StoreError::AlreadyExists(_)) => continue,
                    Err(err) => {
                        return Err(format!("cannot create {} {name}: {err}", info.kind));
                    }
                }
            }
            Some(kv) => {
                let current: Value =
                    serde_json::from_slice(&kv.value).map_err(|e| e.to_string())?;
                let auto_update = current
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get(AUTO_UPDATE))
                    .and_then(Value::as_str)
                    != Some("false");
                let Some(updated) = reconciled(&current, &wanted).filter(|_| auto_update) else {
                    return Ok(());
                };
                match store.update(&key, encode(&updated), kv.mod_revision).await {
                    Ok(_) => return Ok(()),
                    Err(StoreError::Conflict { .. }) => continue,
                    Err(err) => {
                        return Err(format!("cannot update {} {name}: {err}", info.kind));
                    }
                }
            }
        }
    }
    Err(format!("{} {name} kept changing", info.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconciling_adds_and_never_removes() {
        let wanted = cluster_role(&role(
            "r",
            vec![
                rule(&["get"], &[""], &["pods"]),
                rule(&["list"], &[""], &["pods"]),
            ],
        ));
        let mut current = wanted.clone();
        current["rules"] = json!([
            rule(&["get"], &[""], &["pods"]),
            rule(&["get"], &[""], &["nodes"])
        ]);
        let merged = reconciled(&current, &wanted).expect("a rule is missing");
        assert_eq!(merged["rules"].as_array().map(Vec::len), Some(3));
        assert!(reconciled(&merged, &wanted).is_none());
        let view = roles()
            .into_iter()
            .find(|r| r.name == "view")
            .expect("view");
        let wanted = cluster_role(&view);
        let mut current = wanted.clone();
        current["rules"] = json!([rule(&["get"], &[""], &["pods"])]);
        assert!(
            reconciled(&current, &wanted).is_none(),
            "aggregated rules are the controller's"
        );
    }

    #[test]
    fn every_binding_names_a_bootstrap_role() {
        let names: Vec<&str> = roles().iter().map(|r| r.name).collect();
        for binding in bindings() {
            assert!(names.contains(&binding.role), "{}", binding.role);
        }
    }
}
