//! The resource registry: one row per kind. Routing, discovery, storage
//! keys, Table printing and field selectors all read from this table, so
//! adding a kind is adding a row.

use crate::table::Printer;

/// The verbs upstream lists in discovery for an ordinary resource.
pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const READ_VERBS: &[&str] = &["get", "list"];
const CREATE_ONLY: &[&str] = &["create"];
const WATCHABLE_READ_VERBS: &[&str] = &["get", "list", "watch"];

/// Everything the API server needs to know about one kind.
#[derive(Debug)]
pub struct ResourceInfo {
    /// API group; "" for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub namespaced: bool,
    pub verbs: &'static [&'static str],
    /// Subresources served under the resource (`status`, `scale`, ...).
    pub subresources: &'static [&'static str],
    /// The storage key segment, as kube-apiserver lays out etcd:
    /// `/registry/<storage>/<namespace>/<name>`.
    pub storage: &'static str,
    /// Fields usable in field selectors beyond metadata.name/namespace.
    pub selectable_fields: &'static [&'static str],
    /// How `kubectl get` prints this kind.
    pub printer: Printer,
    /// Whether objects are stored (false for virtual kinds such as reviews).
    pub stored: bool,
    /// The warning every request for this resource gets, when upstream
    /// has deprecated it.
    pub deprecation: Option<&'static str>,
    /// For a kind also served at another version: the apiVersion its
    /// objects are stored at (see `conversion`). None: stored as served.
    pub stored_as: Option<&'static str>,
}

impl ResourceInfo {
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `plural` or `plural.group`, as used in error messages.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The storage prefix of every object of this kind (with trailing '/').
    pub fn storage_prefix(&self) -> String {
        format!("/registry/{}/", self.storage)
    }

    /// The storage prefix of one namespace's objects.
    pub fn namespace_prefix(&self, namespace: &str) -> String {
        format!("/registry/{}/{}/", self.storage, namespace)
    }

    pub fn storage_key(&self, namespace: Option<&str>, name: &str) -> String {
        match namespace {
            Some(namespace) if self.namespaced => {
                format!("/registry/{}/{}/{}", self.storage, namespace, name)
            }
            _ => format!("/registry/{}/{}", self.storage, name),
        }
    }

    pub fn has_subresource(&self, name: &str) -> bool {
        self.subresources.contains(&name)
    }

    pub fn allows(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }

    /// The row of the version this kind is stored at: itself, unless it is
    /// served at a version converted on the way in and out.
    pub fn storage_info(&'static self) -> &'static ResourceInfo {
        self.stored_as
            .and_then(|api_version| {
                RESOURCES
                    .iter()
                    .find(|r| r.kind == self.kind && r.api_version() == api_version)
            })
            .unwrap_or(self)
    }
}

macro_rules! resource {
    ($group:expr, $version:expr, $kind:expr, $plural:expr, $singular:expr,
     namespaced: $namespaced:expr, storage: $storage:expr
     $(, short: [$($short:expr),*])?
     $(, categories: [$($category:expr),*])?
     $(, subresources: [$($sub:expr),*])?
     $(, fields: [$($field:expr),*])?
     $(, verbs: $verbs:expr)?
     $(, printer: $printer:expr)?
     $(, stored: $stored:expr)?
     $(, deprecation: $deprecation:expr)?
     $(, stored_as: $stored_as:expr)?
    ) => {
        ResourceInfo {
            group: $group,
            version: $version,
            kind: $kind,
            plural: $plural,
            singular: $singular,
            short_names: &[$($($short),*)?],
            categories: &[$($($category),*)?],
            namespaced: $namespaced,
            verbs: { #[allow(unused_variables)] let verbs = ALL_VERBS; $(let verbs = $verbs;)? verbs },
            subresources: &[$($($sub),*)?],
            storage: $storage,
            selectable_fields: &[$($($field),*)?],
            printer: { #[allow(unused_variables)] let printer = Printer::Default; $(let printer = $printer;)? printer },
            stored: { #[allow(unused_variables)] let stored = true; $(let stored = $stored;)? stored },
            deprecation: { #[allow(unused_variables)] let deprecation: Option<&'static str> = None; $(let deprecation = Some($deprecation);)? deprecation },
            stored_as: { #[allow(unused_variables)] let stored_as: Option<&'static str> = None; $(let stored_as = Some($stored_as);)? stored_as },
        }
    };
}

/// Every kind rudder serves.
pub static RESOURCES: &[ResourceInfo] = &[
    // core/v1
    resource!("", "v1", "Namespace", "namespaces", "namespace", namespaced: false, storage: "namespaces",
        short: ["ns"], subresources: ["status", "finalize"], fields: ["status.phase"], printer: Printer::Namespace),
    resource!("", "v1", "Pod", "pods", "pod", namespaced: true, storage: "pods",
        short: ["po"], categories: ["all"], subresources: ["status", "binding", "eviction", "log", "exec", "attach", "portforward", "proxy", "ephemeralcontainers"],
        fields: ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                 "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        printer: Printer::Pod),
    resource!("", "v1", "Service", "services", "service", namespaced: true, storage: "services/specs",
        short: ["svc"], categories: ["all"], subresources: ["status", "proxy"], fields: ["spec.clusterIP", "spec.type"],
        printer: Printer::Service),
    resource!("", "v1", "Endpoints", "endpoints", "endpoints", namespaced: true, storage: "services/endpoints",
        short: ["ep"], printer: Printer::Endpoints,
        deprecation: "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"),
    resource!("", "v1", "Node", "nodes", "node", namespaced: false, storage: "minions",
        short: ["no"], subresources: ["status", "proxy"], fields: ["spec.unschedulable"], printer: Printer::Node),
    resource!("", "v1", "ConfigMap", "configmaps", "configmap", namespaced: true, storage: "configmaps",
        short: ["cm"], printer: Printer::ConfigMap),
    resource!("", "v1", "Secret", "secrets", "secret", namespaced: true, storage: "secrets",
        fields: ["type"], printer: Printer::Secret),
    resource!("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", namespaced: true,
        storage: "serviceaccounts", short: ["sa"], subresources: ["token"],
        printer: Printer::ServiceAccount),
    resource!("", "v1", "Event", "events", "event", namespaced: true, storage: "events",
        short: ["ev"],
        fields: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                 "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                 "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        printer: Printer::Event),
    resource!("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", namespaced: false,
        storage: "persistentvolumes", short: ["pv"], subresources: ["status"], printer: Printer::PersistentVolume),
    resource!("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim",
        namespaced: true, storage: "persistentvolumeclaims", short: ["pvc"], subresources: ["status"],
        printer: Printer::PersistentVolumeClaim),
    resource!("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", namespaced: true,
        storage: "resourcequotas", short: ["quota"], subresources: ["status"],
        printer: Printer::ResourceQuota),
    resource!("", "v1", "LimitRange", "limitranges", "limitrange", namespaced: true,
        storage: "limitranges", short: ["limits"],
        printer: Printer::CreatedAt),
    resource!("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller",
        namespaced: true, storage: "controllers", short: ["rc"], categories: ["all"],
        subresources: ["status", "scale"], fields: ["status.replicas"],
        printer: Printer::ReplicationController),
    resource!("", "v1", "PodTemplate", "podtemplates", "podtemplate", namespaced: true,
        storage: "podtemplates",
        printer: Printer::PodTemplate),
    resource!("", "v1", "ComponentStatus", "componentstatuses", "componentstatus", namespaced: false,
        storage: "componentstatuses", short: ["cs"], verbs: READ_VERBS, printer: Printer::ComponentStatus,
        stored: false, deprecation: "v1 ComponentStatus is deprecated in v1.19+"),
    // The scheduler's older way to bind a pod (`pods/binding` is the other).
    resource!("", "v1", "Binding", "bindings", "binding", namespaced: true, storage: "bindings",
        verbs: CREATE_ONLY, stored: false),
    // apps/v1
    resource!("apps", "v1", "Deployment", "deployments", "deployment", namespaced: true,
        storage: "deployments", short: ["deploy"], categories: ["all"], subresources: ["status", "scale"],
        printer: Printer::Deployment),
    resource!("apps", "v1", "ReplicaSet", "replicasets", "replicaset", namespaced: true,
        storage: "replicasets", short: ["rs"], categories: ["all"], subresources: ["status", "scale"],
        printer: Printer::ReplicaSet),
    resource!("apps", "v1", "StatefulSet", "statefulsets", "statefulset", namespaced: true,
        storage: "statefulsets", short: ["sts"], categories: ["all"], subresources: ["status", "scale"],
        printer: Printer::StatefulSet),
    resource!("apps", "v1", "DaemonSet", "daemonsets", "daemonset", namespaced: true,
        storage: "daemonsets", short: ["ds"], categories: ["all"], subresources: ["status"],
        printer: Printer::DaemonSet),
    resource!("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision",
        namespaced: true, storage: "controllerrevisions",
        printer: Printer::ControllerRevision),
    // batch/v1
    resource!("batch", "v1", "Job", "jobs", "job", namespaced: true, storage: "jobs",
        categories: ["all"], subresources: ["status"], fields: ["status.successful"],
        printer: Printer::Job),
    resource!("batch", "v1", "CronJob", "cronjobs", "cronjob", namespaced: true, storage: "cronjobs",
        short: ["cj"], categories: ["all"], subresources: ["status"],
        printer: Printer::CronJob),
    // coordination.k8s.io/v1
    resource!("coordination.k8s.io", "v1", "Lease", "leases", "lease", namespaced: true, storage: "leases",
        printer: Printer::Lease),
    // discovery.k8s.io/v1
    resource!("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice",
        namespaced: true, storage: "endpointslices",
        printer: Printer::EndpointSlice),
    // events.k8s.io/v1: core Events, read and written in the newer shape.
    resource!("events.k8s.io", "v1", "Event", "events", "event", namespaced: true, storage: "events",
        short: ["ev"],
        fields: ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                 "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                 "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        printer: Printer::Event, stored_as: "v1"),
    // policy/v1
    resource!("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget",
        namespaced: true, storage: "poddisruptionbudgets", short: ["pdb"], subresources: ["status"],
        printer: Printer::PodDisruptionBudget),
    // rbac.authorization.k8s.io/v1
    resource!("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole",
        namespaced: false, storage: "clusterroles",
        printer: Printer::CreatedAt),
    resource!("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
        "clusterrolebinding", namespaced: false, storage: "clusterrolebindings",
        printer: Printer::RoleBinding),
    resource!("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", namespaced: true,
        storage: "roles",
        printer: Printer::CreatedAt),
    resource!("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding",
        namespaced: true, storage: "rolebindings",
        printer: Printer::RoleBinding),
    // storage.k8s.io/v1
    resource!("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass",
        namespaced: false, storage: "storageclasses", short: ["sc"],
        printer: Printer::StorageClass),
    resource!("storage.k8s.io", "v1", "CSIDriver", "csidrivers", "csidriver", namespaced: false,
        storage: "csidrivers",
        printer: Printer::CsiDriver),
    resource!("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "volumeattachment",
        namespaced: false, storage: "volumeattachments", subresources: ["status"],
        printer: Printer::VolumeAttachment),
    // networking.k8s.io/v1
    resource!("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", namespaced: true,
        storage: "ingress", short: ["ing"], subresources: ["status"],
        printer: Printer::Ingress),
    resource!("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass",
        namespaced: false, storage: "ingressclasses",
        printer: Printer::IngressClass),
    resource!("networking.k8s.io", "v1", "IPAddress", "ipaddresses", "ipaddress",
        namespaced: false, storage: "ipaddresses", short: ["ip"],
        printer: Printer::IpAddress),
    resource!("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy",
        namespaced: true, storage: "networkpolicies", short: ["netpol"],
        printer: Printer::NetworkPolicy),
    // node.k8s.io/v1
    resource!("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass",
        namespaced: false, storage: "runtimeclasses", printer: Printer::RuntimeClass),
    // admissionregistration.k8s.io/v1: stored and listed (not yet enforced)
    resource!("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", namespaced: false,
        storage: "mutatingwebhookconfigurations", categories: ["api-extensions"],
        printer: Printer::WebhookConfiguration),
    resource!("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations", "validatingwebhookconfiguration", namespaced: false,
        storage: "validatingwebhookconfigurations", categories: ["api-extensions"],
        printer: Printer::WebhookConfiguration),
    resource!("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies", "validatingadmissionpolicy", namespaced: false,
        storage: "validatingadmissionpolicies", categories: ["api-extensions"],
        subresources: ["status"], printer: Printer::ValidatingAdmissionPolicy),
    resource!("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings", "validatingadmissionpolicybinding",
        namespaced: false, storage: "validatingadmissionpolicybindings",
        categories: ["api-extensions"], printer: Printer::ValidatingAdmissionPolicyBinding),
    // apiregistration.k8s.io/v1: the aggregation layer's APIServices; the
    // local groups are registered at start (proxying to others is not built)
    resource!("apiregistration.k8s.io", "v1", "APIService", "apiservices", "apiservice",
        namespaced: false, storage: "apiregistration.k8s.io/apiservices",
        categories: ["api-extensions"], subresources: ["status"], printer: Printer::ApiService),
    // flowcontrol.apiserver.k8s.io/v1: API Priority and Fairness
    // configuration, upstream's bootstrap objects kept by the server
    resource!("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", "flowschemas", "flowschema",
        namespaced: false, storage: "flowschemas", subresources: ["status"],
        printer: Printer::FlowSchema),
    resource!("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration",
        "prioritylevelconfigurations", "prioritylevelconfiguration", namespaced: false,
        storage: "prioritylevelconfigurations", subresources: ["status"],
        printer: Printer::PriorityLevelConfiguration),
    // scheduling.k8s.io/v1
    resource!("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass",
        namespaced: false, storage: "priorityclasses", short: ["pc"],
        printer: Printer::PriorityClass),
    // autoscaling/v2
    resource!("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
        "horizontalpodautoscaler", namespaced: true, storage: "horizontalpodautoscalers",
        short: ["hpa"], categories: ["all"], subresources: ["status"],
        printer: Printer::HorizontalPodAutoscaler),
    // autoscaling/v1: the same objects, read and written in v1's shape.
    resource!("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
        "horizontalpodautoscaler", namespaced: true, storage: "horizontalpodautoscalers",
        short: ["hpa"], categories: ["all"], subresources: ["status"],
        printer: Printer::HorizontalPodAutoscaler, stored_as: "autoscaling/v2"),
    // certificates.k8s.io/v1
    resource!("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests",
        "certificatesigningrequest", namespaced: false, storage: "certificatesigningrequests",
        short: ["csr"], subresources: ["status", "approval"], fields: ["spec.signerName"],
        printer: Printer::CertificateSigningRequest),
    // authorization.k8s.io/v1 and authentication.k8s.io/v1: reviews are
    // answered, never stored.
    resource!("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews",
        "selfsubjectaccessreview", namespaced: false, storage: "selfsubjectaccessreviews",
        verbs: CREATE_ONLY, stored: false),
    resource!("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews",
        "selfsubjectrulesreview", namespaced: false, storage: "selfsubjectrulesreviews",
        verbs: CREATE_ONLY, stored: false),
    resource!("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews",
        "subjectaccessreview", namespaced: false, storage: "subjectaccessreviews",
        verbs: CREATE_ONLY, stored: false),
    resource!("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews",
        "localsubjectaccessreview", namespaced: true, storage: "localsubjectaccessreviews",
        verbs: CREATE_ONLY, stored: false),
    resource!("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews",
        "selfsubjectreview", namespaced: false, storage: "selfsubjectreviews",
        verbs: CREATE_ONLY, stored: false),
    resource!("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", "tokenreview",
        namespaced: false, storage: "tokenreviews", verbs: CREATE_ONLY, stored: false),
    // apiextensions.k8s.io/v1: readable, so clients that look for custom
    // resources (kubectl's manifest validation) find that there are none.
    // Serving custom resources is not built yet; creating one is refused.
    resource!("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
        "customresourcedefinition", namespaced: false, storage: "apiextensions.k8s.io/customresourcedefinitions",
        short: ["crd", "crds"], categories: ["api-extensions"], verbs: WATCHABLE_READ_VERBS,
        printer: Printer::CreatedAt),
];

/// Finds the resource served at `group/version/plural`.
pub fn lookup(group: &str, version: &str, plural: &str) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Finds a kind by group and kind name.
pub fn by_kind(group: &str, kind: &str) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.kind == kind)
}

/// The groups served, in discovery order (core first, then as listed).
pub fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for resource in RESOURCES {
        if !groups.contains(&resource.group) {
            groups.push(resource.group);
        }
    }
    groups
}

/// The versions served for `group`, preferred first.
pub fn versions(group: &str) -> Vec<&'static str> {
    let mut versions: Vec<&'static str> = Vec::new();
    for resource in RESOURCES.iter().filter(|r| r.group == group) {
        if !versions.contains(&resource.version) {
            versions.push(resource.version);
        }
    }
    versions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_prefixes_never_nest() {
        // A list of one kind must never see another kind's keys.
        let stored = || {
            RESOURCES
                .iter()
                .filter(|r| r.stored && r.stored_as.is_none())
        };
        for a in stored() {
            for b in stored() {
                if !std::ptr::eq(a, b) {
                    assert!(
                        !b.storage_prefix().starts_with(&a.storage_prefix()),
                        "{} inside {}",
                        b.storage,
                        a.storage
                    );
                }
            }
        }
    }

    #[test]
    fn keys_follow_kube_apiserver_layout() {
        let pods = lookup("", "v1", "pods").unwrap();
        assert_eq!(
            pods.storage_key(Some("default"), "web"),
            "/registry/pods/default/web"
        );
        let nodes = lookup("", "v1", "nodes").unwrap();
        assert_eq!(nodes.storage_key(None, "n1"), "/registry/minions/n1");
        let deploy = lookup("apps", "v1", "deployments").unwrap();
        assert_eq!(deploy.qualified_plural(), "deployments.apps");
        assert_eq!(deploy.api_version(), "apps/v1");
        assert!(groups().starts_with(&["", "apps", "batch"]));
        // Another version of a kind shares its storage.
        let hpa_v1 = lookup("autoscaling", "v1", "horizontalpodautoscalers").unwrap();
        assert_eq!(hpa_v1.storage_info().version, "v2");
        assert_eq!(versions("autoscaling"), ["v2", "v1"]);
        let events = lookup("events.k8s.io", "v1", "events").unwrap();
        assert_eq!(events.storage_info().group, "");
        assert_eq!(events.storage_prefix(), "/registry/events/");
        assert!(std::ptr::eq(deploy.storage_info(), deploy));
    }
}
