//! The resource registry: one row per kind. Routing, discovery, storage
//! keys, Table printing and field selectors all read from this table, so
//! adding a kind is adding a row.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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

/// Text of a registry row: borrowed for built-in kinds, owned for kinds a
/// CustomResourceDefinition adds while the server runs.
pub type Text = Cow<'static, str>;
/// A list of names in a registry row (short names, categories, fields).
pub type Texts = Cow<'static, [Text]>;

/// Everything the API server needs to know about one kind.
#[derive(Debug)]
pub struct ResourceInfo {
    /// API group; "" for the core group.
    pub group: Text,
    pub version: Text,
    pub kind: Text,
    pub plural: Text,
    pub singular: Text,
    pub short_names: Texts,
    pub categories: Texts,
    pub namespaced: bool,
    pub verbs: &'static [&'static str],
    /// Subresources served under the resource (`status`, `scale`, ...).
    pub subresources: &'static [&'static str],
    /// The storage key segment, as kube-apiserver lays out etcd:
    /// `/registry/<storage>/<namespace>/<name>`.
    pub storage: Text,
    /// Fields usable in field selectors beyond metadata.name/namespace.
    pub selectable_fields: Texts,
    /// How `kubectl get` prints this kind.
    pub printer: Printer,
    /// Whether objects are stored (false for virtual kinds such as reviews).
    pub stored: bool,
    /// The warning every request for this resource gets, when upstream
    /// has deprecated it.
    pub deprecation: Option<Text>,
    /// For a kind also served at another version: the apiVersion its
    /// objects are stored at (see `conversion`). None: stored as served.
    pub stored_as: Option<Text>,
    /// What a CustomResourceDefinition says of a kind it adds.
    pub custom: Option<Arc<crate::custom::CustomKind>>,
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

    /// The kind, for a built-in row: what the built-in strategies
    /// (defaulting, validation, admission) key on. Empty for a custom kind,
    /// which never gets a built-in kind's behaviour whatever it is called.
    pub fn builtin_kind(&self) -> &str {
        if self.custom.is_some() {
            ""
        } else {
            &self.kind
        }
    }

    /// Whether objects change on their way out of storage: converted to
    /// another version, or (a custom kind with defaults) defaulted again, as
    /// upstream defaults custom objects read from storage.
    pub fn changes_on_read(&self) -> bool {
        self.stored_as.is_some()
            || self
                .custom
                .as_ref()
                .and_then(|custom| custom.schema.as_ref())
                .is_some_and(|schema| schema.has_defaults)
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
            .as_deref()
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
            group: Cow::Borrowed($group),
            version: Cow::Borrowed($version),
            kind: Cow::Borrowed($kind),
            plural: Cow::Borrowed($plural),
            singular: Cow::Borrowed($singular),
            short_names: Cow::Borrowed(&[$($(Cow::Borrowed($short)),*)?]),
            categories: Cow::Borrowed(&[$($(Cow::Borrowed($category)),*)?]),
            namespaced: $namespaced,
            verbs: { #[allow(unused_variables)] let verbs = ALL_VERBS; $(let verbs = $verbs;)? verbs },
            subresources: &[$($($sub),*)?],
            storage: Cow::Borrowed($storage),
            selectable_fields: Cow::Borrowed(&[$($(Cow::Borrowed($field)),*)?]),
            printer: { #[allow(unused_variables)] let printer = Printer::Default; $(let printer = $printer;)? printer },
            stored: { #[allow(unused_variables)] let stored = true; $(let stored = $stored;)? stored },
            deprecation: { #[allow(unused_variables)] let deprecation: Option<Text> = None; $(let deprecation = Some(Cow::Borrowed($deprecation));)? deprecation },
            stored_as: { #[allow(unused_variables)] let stored_as: Option<Text> = None; $(let stored_as = Some(Cow::Borrowed($stored_as));)? stored_as },
            custom: None,
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
    // apiextensions.k8s.io/v1: each definition adds its kinds while the
    // server runs (see `crate::custom` and `Registry`).
    resource!("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
        "customresourcedefinition", namespaced: false, storage: "apiextensions.k8s.io/customresourcedefinitions",
        short: ["crd", "crds"], categories: ["api-extensions"], subresources: ["status"],
        printer: Printer::CreatedAt),
];

/// Finds the built-in resource served at `group/version/plural`.
pub fn lookup(group: &str, version: &str, plural: &str) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Finds a built-in kind by group and kind name.
pub fn by_kind(group: &str, kind: &str) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.kind == kind)
}

/// A row of the registry as a request holds it: a built-in kind's static
/// row, or a custom kind's row, which lives while a request uses it even if
/// its definition changes meanwhile.
#[derive(Clone, Debug)]
pub enum Resource {
    Builtin(&'static ResourceInfo),
    Custom(Arc<ResourceInfo>),
}

impl std::ops::Deref for Resource {
    type Target = ResourceInfo;

    fn deref(&self) -> &ResourceInfo {
        match self {
            Resource::Builtin(info) => info,
            Resource::Custom(info) => info,
        }
    }
}

impl From<&'static ResourceInfo> for Resource {
    fn from(info: &'static ResourceInfo) -> Self {
        Resource::Builtin(info)
    }
}

impl Resource {
    /// The row whose printer prints this resource's objects: a built-in
    /// kind's storage version (objects are printed as stored); a custom
    /// kind's requested version, whose columns its definition lists.
    pub fn printer_info(&self) -> Resource {
        if self.custom.is_some() {
            self.clone()
        } else {
            self.storage_info()
        }
    }

    /// The row of the version this kind is stored at (see
    /// `ResourceInfo::storage_info`; a custom kind's storage version).
    pub fn storage_info(&self) -> Resource {
        match self {
            Resource::Builtin(info) => Resource::Builtin(info.storage_info()),
            Resource::Custom(info) => info
                .custom
                .as_ref()
                .and_then(|custom| custom.storage_row.clone())
                .map_or_else(|| self.clone(), Resource::Custom),
        }
    }
}

/// The kinds one API server serves: the built-in rows and the rows its
/// CustomResourceDefinitions add while it runs. Requests read a snapshot;
/// a definition's rows are replaced whole.
#[derive(Default)]
pub struct Registry {
    custom: RwLock<Arc<CustomRows>>,
}

#[derive(Default)]
struct CustomRows {
    /// Each definition's rows (one per served version), by its name.
    by_definition: std::collections::BTreeMap<String, Vec<Arc<ResourceInfo>>>,
    /// Every row by `group/version/plural`.
    by_path: HashMap<String, Arc<ResourceInfo>>,
}

fn path_key(group: &str, version: &str, plural: &str) -> String {
    format!("{group}/{version}/{plural}")
}

impl Registry {
    fn snapshot(&self) -> Arc<CustomRows> {
        match self.custom.read() {
            Ok(rows) => rows.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The resource served at `group/version/plural`: a built-in one, else a
    /// custom one.
    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<Resource> {
        if let Some(info) = lookup(group, version, plural) {
            return Some(Resource::Builtin(info));
        }
        self.snapshot()
            .by_path
            .get(&path_key(group, version, plural))
            .cloned()
            .map(Resource::Custom)
    }

    /// Every row served: the built-in ones, then the custom ones by
    /// definition name.
    pub fn rows(&self) -> Vec<Resource> {
        let custom = self.snapshot();
        RESOURCES
            .iter()
            .map(Resource::Builtin)
            .chain(
                custom
                    .by_definition
                    .values()
                    .flatten()
                    .cloned()
                    .map(Resource::Custom),
            )
            .collect()
    }

    /// The custom rows, one list per definition.
    pub fn custom_rows(&self) -> Vec<Vec<Arc<ResourceInfo>>> {
        self.snapshot().by_definition.values().cloned().collect()
    }

    /// Serves `rows` for the definition `name` from now on (none: it is
    /// served no more).
    pub fn set_definition(&self, name: &str, rows: Vec<Arc<ResourceInfo>>) {
        let mut guard = match self.custom.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut by_definition = guard.by_definition.clone();
        if rows.is_empty() {
            by_definition.remove(name);
        } else {
            by_definition.insert(name.to_string(), rows);
        }
        let by_path = by_definition
            .values()
            .flatten()
            .map(|row| (path_key(&row.group, &row.version, &row.plural), row.clone()))
            .collect();
        *guard = Arc::new(CustomRows {
            by_definition,
            by_path,
        });
    }
}

/// The groups of `rows`, in discovery order (core first, then as listed).
pub fn groups<'a>(rows: impl IntoIterator<Item = &'a ResourceInfo>) -> Vec<&'a str> {
    let mut groups: Vec<&'a str> = Vec::new();
    for resource in rows {
        if !groups.contains(&&*resource.group) {
            groups.push(&resource.group);
        }
    }
    groups
}

/// The versions of `group` among `rows`, preferred first.
pub fn versions<'a>(rows: impl IntoIterator<Item = &'a ResourceInfo>, group: &str) -> Vec<&'a str> {
    let mut versions: Vec<&'a str> = Vec::new();
    for resource in rows.into_iter().filter(|r| r.group == group) {
        if !versions.contains(&&*resource.version) {
            versions.push(&resource.version);
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
        assert!(groups(RESOURCES).starts_with(&["", "apps", "batch"]));
        // Another version of a kind shares its storage.
        let hpa_v1 = lookup("autoscaling", "v1", "horizontalpodautoscalers").unwrap();
        assert_eq!(hpa_v1.storage_info().version, "v2");
        assert_eq!(versions(RESOURCES, "autoscaling"), ["v2", "v1"]);
        let events = lookup("events.k8s.io", "v1", "events").unwrap();
        assert_eq!(events.storage_info().group, "");
        assert_eq!(events.storage_prefix(), "/registry/events/");
        assert!(std::ptr::eq(deploy.storage_info(), deploy));
    }
}
