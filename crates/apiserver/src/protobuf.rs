//! Request bodies in Kubernetes' protobuf encoding
//! (`application/vnd.kubernetes.protobuf`), which kubectl's generators
//! (`create namespace|configmap|secret|deployment|service|job|cronjob|role|
//! rolebinding|ingress|poddisruptionbudget|priorityclass|quota`, `run`,
//! `expose`, `autoscale`, `auth can-i`, `auth whoami`, `drain`) send and
//! cannot be told to replace with JSON.
//!
//! The envelope is the magic `k8s\0` and a `runtime.Unknown` carrying the
//! type and the encoded object. Objects are decoded to JSON with a table of
//! the messages those commands send (field number → JSON name and type, from
//! the wire format of the served API version). A field the table does not
//! know is refused rather than dropped: nothing is written that the client
//! did not fully say.

use serde_json::{Map, Value, json};

use crate::status::ApiError;

const MAGIC: &[u8] = b"k8s\0";
/// `time.Time{}` in seconds since the Unix epoch.
const GO_ZERO_TIME: i64 = -62_135_596_800;

#[derive(Clone, Copy)]
enum Kind {
    Str,
    Bytes,
    /// A plain integer or bool: Go writes it even when zero, which means unset.
    Int,
    Bool,
    /// A pointer integer or bool: written only when set, so zero is a value.
    IntPtr,
    BoolPtr,
    Msg(&'static str),
    /// `resource.Quantity`: a message whose field 1 is the string form.
    Quantity,
    /// `metav1.Time`: seconds and nanos since the epoch.
    Time,
    /// `intstr.IntOrString`: type, intVal, strVal.
    IntOrString,
    /// `map<string, string|bytes|Quantity>`: repeated entries (key 1, value 2).
    Map(&'static Kind),
}

/// (field number, JSON name, type, repeated)
type Field = (u32, &'static str, Kind, bool);

const S: Kind = Kind::Str;
const I: Kind = Kind::Int;
const B: Kind = Kind::Bool;
const IP: Kind = Kind::IntPtr;
const BP: Kind = Kind::BoolPtr;
const STRING_MAP: Kind = Kind::Map(&Kind::Str);
const BYTES_MAP: Kind = Kind::Map(&Kind::Bytes);
const QUANTITY_MAP: Kind = Kind::Map(&Kind::Quantity);

fn fields(message: &str) -> Option<&'static [Field]> {
    use Kind::*;
    Some(match message {
        "ObjectMeta" => &[
            (1, "name", S, false),
            (2, "generateName", S, false),
            (3, "namespace", S, false),
            (5, "uid", S, false),
            (6, "resourceVersion", S, false),
            (7, "generation", I, false),
            (8, "creationTimestamp", Time, false),
            (9, "deletionTimestamp", Time, false),
            (10, "deletionGracePeriodSeconds", IP, false),
            (11, "labels", STRING_MAP, false),
            (12, "annotations", STRING_MAP, false),
            (13, "ownerReferences", Msg("OwnerReference"), true),
            (14, "finalizers", S, true),
        ],
        "OwnerReference" => &[
            (1, "kind", S, false),
            (3, "name", S, false),
            (4, "uid", S, false),
            (5, "apiVersion", S, false),
            (6, "controller", BP, false),
            (7, "blockOwnerDeletion", BP, false),
        ],
        "LabelSelector" => &[
            (1, "matchLabels", STRING_MAP, false),
            (2, "matchExpressions", Msg("LabelSelectorRequirement"), true),
        ],
        "LabelSelectorRequirement" => &[
            (1, "key", S, false),
            (2, "operator", S, false),
            (3, "values", S, true),
        ],
        "DeleteOptions" => &[
            (1, "gracePeriodSeconds", IP, false),
            (2, "preconditions", Msg("Preconditions"), false),
            (3, "orphanDependents", BP, false),
            (4, "propagationPolicy", S, false),
            (5, "dryRun", S, true),
        ],
        "Preconditions" => &[(1, "uid", S, false), (2, "resourceVersion", S, false)],
        "Namespace" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("NamespaceSpec"), false),
            (3, "status", Msg("NamespaceStatus"), false),
        ],
        "NamespaceSpec" => &[(1, "finalizers", S, true)],
        "NamespaceStatus" => &[(1, "phase", S, false)],
        "ConfigMap" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "data", STRING_MAP, false),
            (3, "binaryData", BYTES_MAP, false),
            (4, "immutable", BP, false),
        ],
        "Secret" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "data", BYTES_MAP, false),
            (3, "type", S, false),
            (4, "stringData", STRING_MAP, false),
            (5, "immutable", BP, false),
        ],
        "ServiceAccount" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "secrets", Msg("ObjectReference"), true),
            (3, "imagePullSecrets", Msg("LocalObjectReference"), true),
            (4, "automountServiceAccountToken", BP, false),
        ],
        "LocalObjectReference" => &[(1, "name", S, false)],
        "ObjectReference" => &[
            (1, "kind", S, false),
            (2, "namespace", S, false),
            (3, "name", S, false),
            (4, "uid", S, false),
            (5, "apiVersion", S, false),
            (6, "resourceVersion", S, false),
            (7, "fieldPath", S, false),
        ],
        "Pod" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("PodSpec"), false),
            (3, "status", Msg("Empty"), false),
        ],
        "PodTemplateSpec" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("PodSpec"), false),
        ],
        "PodSpec" => &[
            (2, "containers", Msg("Container"), true),
            (3, "restartPolicy", S, false),
            (4, "terminationGracePeriodSeconds", IP, false),
            (5, "activeDeadlineSeconds", IP, false),
            (6, "dnsPolicy", S, false),
            (7, "nodeSelector", STRING_MAP, false),
            (8, "serviceAccountName", S, false),
            (10, "nodeName", S, false),
            (11, "hostNetwork", B, false),
            (12, "hostPID", B, false),
            (13, "hostIPC", B, false),
            (14, "securityContext", Msg("Empty"), false),
            (15, "imagePullSecrets", Msg("LocalObjectReference"), true),
            (16, "hostname", S, false),
            (17, "subdomain", S, false),
            (19, "schedulerName", S, false),
            (20, "initContainers", Msg("Container"), true),
            (21, "automountServiceAccountToken", BP, false),
            (22, "tolerations", Msg("Toleration"), true),
            (24, "priorityClassName", S, false),
            (25, "priority", IP, false),
            (29, "runtimeClassName", S, false),
            (30, "enableServiceLinks", BP, false),
            (31, "preemptionPolicy", S, false),
        ],
        "Toleration" => &[
            (1, "key", S, false),
            (2, "operator", S, false),
            (3, "value", S, false),
            (4, "effect", S, false),
            (5, "tolerationSeconds", IP, false),
        ],
        "Container" => &[
            (1, "name", S, false),
            (2, "image", S, false),
            (3, "command", S, true),
            (4, "args", S, true),
            (5, "workingDir", S, false),
            (6, "ports", Msg("ContainerPort"), true),
            (7, "env", Msg("EnvVar"), true),
            (8, "resources", Msg("ResourceRequirements"), false),
            (9, "volumeMounts", Msg("VolumeMount"), true),
            (13, "terminationMessagePath", S, false),
            (14, "imagePullPolicy", S, false),
            (16, "stdin", B, false),
            (17, "stdinOnce", B, false),
            (18, "tty", B, false),
            (20, "terminationMessagePolicy", S, false),
            (24, "restartPolicy", S, false),
        ],
        "ContainerPort" => &[
            (1, "name", S, false),
            (2, "hostPort", I, false),
            (3, "containerPort", I, false),
            (4, "protocol", S, false),
            (5, "hostIP", S, false),
        ],
        "EnvVar" => &[(1, "name", S, false), (2, "value", S, false)],
        "VolumeMount" => &[
            (1, "name", S, false),
            (2, "readOnly", B, false),
            (3, "mountPath", S, false),
            (4, "subPath", S, false),
            (5, "mountPropagation", S, false),
            (6, "subPathExpr", S, false),
        ],
        "ResourceRequirements" => &[
            (1, "limits", QUANTITY_MAP, false),
            (2, "requests", QUANTITY_MAP, false),
        ],
        "Service" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("ServiceSpec"), false),
            (3, "status", Msg("ServiceStatus"), false),
        ],
        "ServiceSpec" => &[
            (1, "ports", Msg("ServicePort"), true),
            (2, "selector", STRING_MAP, false),
            (3, "clusterIP", S, false),
            (4, "type", S, false),
            (5, "externalIPs", S, true),
            (7, "sessionAffinity", S, false),
            (8, "loadBalancerIP", S, false),
            (10, "externalName", S, false),
            (11, "externalTrafficPolicy", S, false),
            (13, "publishNotReadyAddresses", B, false),
        ],
        "ServicePort" => &[
            (1, "name", S, false),
            (2, "protocol", S, false),
            (3, "port", I, false),
            (4, "targetPort", IntOrString, false),
            (5, "nodePort", I, false),
            (6, "appProtocol", S, false),
        ],
        "ServiceStatus" => &[(1, "loadBalancer", Msg("Empty"), false)],
        "Deployment" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("DeploymentSpec"), false),
            (3, "status", Msg("Empty"), false),
        ],
        "DeploymentSpec" => &[
            (1, "replicas", IP, false),
            (2, "selector", Msg("LabelSelector"), false),
            (3, "template", Msg("PodTemplateSpec"), false),
            (4, "strategy", Msg("DeploymentStrategy"), false),
            (5, "minReadySeconds", I, false),
            (6, "revisionHistoryLimit", IP, false),
            (7, "paused", B, false),
            (9, "progressDeadlineSeconds", IP, false),
        ],
        "DeploymentStrategy" => &[
            (1, "type", S, false),
            (2, "rollingUpdate", Msg("RollingUpdateDeployment"), false),
        ],
        "RollingUpdateDeployment" => &[
            (1, "maxUnavailable", IntOrString, false),
            (2, "maxSurge", IntOrString, false),
        ],
        "Job" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("JobSpec"), false),
            (3, "status", Msg("Empty"), false),
        ],
        "JobSpec" => &[
            (1, "parallelism", IP, false),
            (2, "completions", IP, false),
            (3, "activeDeadlineSeconds", IP, false),
            (4, "selector", Msg("LabelSelector"), false),
            (5, "manualSelector", BP, false),
            (6, "template", Msg("PodTemplateSpec"), false),
            (7, "backoffLimit", IP, false),
            (8, "ttlSecondsAfterFinished", IP, false),
            (9, "completionMode", S, false),
            (10, "suspend", BP, false),
            (11, "podFailurePolicy", Msg("PodFailurePolicy"), false),
            (12, "backoffLimitPerIndex", IP, false),
            (13, "maxFailedIndexes", IP, false),
            (14, "podReplacementPolicy", S, false),
            (15, "managedBy", S, false),
            (16, "successPolicy", Msg("SuccessPolicy"), false),
        ],
        "PodFailurePolicy" => &[(1, "rules", Msg("PodFailurePolicyRule"), true)],
        "PodFailurePolicyRule" => &[
            (1, "action", S, false),
            (
                2,
                "onExitCodes",
                Msg("PodFailurePolicyOnExitCodesRequirement"),
                false,
            ),
            (
                3,
                "onPodConditions",
                Msg("PodFailurePolicyOnPodConditionsPattern"),
                true,
            ),
        ],
        "PodFailurePolicyOnExitCodesRequirement" => &[
            (1, "containerName", S, false),
            (2, "operator", S, false),
            (3, "values", I, true),
        ],
        "PodFailurePolicyOnPodConditionsPattern" => {
            &[(1, "type", S, false), (2, "status", S, false)]
        }
        "SuccessPolicy" => &[(1, "rules", Msg("SuccessPolicyRule"), true)],
        "SuccessPolicyRule" => &[
            (1, "succeededIndexes", S, false),
            (2, "succeededCount", IP, false),
        ],
        "CronJob" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("CronJobSpec"), false),
            (3, "status", Msg("Empty"), false),
        ],
        "CronJobSpec" => &[
            (1, "schedule", S, false),
            (2, "startingDeadlineSeconds", IP, false),
            (3, "concurrencyPolicy", S, false),
            (4, "suspend", BP, false),
            (5, "jobTemplate", Msg("JobTemplateSpec"), false),
            (6, "successfulJobsHistoryLimit", IP, false),
            (7, "failedJobsHistoryLimit", IP, false),
            (8, "timeZone", S, false),
        ],
        "JobTemplateSpec" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("JobSpec"), false),
        ],
        "Role" | "ClusterRole" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "rules", Msg("PolicyRule"), true),
        ],
        "PolicyRule" => &[
            (1, "verbs", S, true),
            (2, "apiGroups", S, true),
            (3, "resources", S, true),
            (4, "resourceNames", S, true),
            (5, "nonResourceURLs", S, true),
        ],
        "RoleBinding" | "ClusterRoleBinding" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "subjects", Msg("Subject"), true),
            (3, "roleRef", Msg("RoleRef"), false),
        ],
        "Subject" => &[
            (1, "kind", S, false),
            (2, "apiGroup", S, false),
            (3, "name", S, false),
            (4, "namespace", S, false),
        ],
        "RoleRef" => &[
            (1, "apiGroup", S, false),
            (2, "kind", S, false),
            (3, "name", S, false),
        ],
        "SelfSubjectAccessReview" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("SelfSubjectAccessReviewSpec"), false),
            (3, "status", Msg("Empty"), false),
        ],
        "SelfSubjectRulesReview" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("SelfSubjectRulesReviewSpec"), false),
            (3, "status", Msg("Empty"), false),
        ],
        "SelfSubjectRulesReviewSpec" => &[(1, "namespace", S, false)],
        "SelfSubjectAccessReviewSpec" => &[
            (1, "resourceAttributes", Msg("ResourceAttributes"), false),
            (
                2,
                "nonResourceAttributes",
                Msg("NonResourceAttributes"),
                false,
            ),
        ],
        "ResourceAttributes" => &[
            (1, "namespace", S, false),
            (2, "verb", S, false),
            (3, "group", S, false),
            (4, "version", S, false),
            (5, "resource", S, false),
            (6, "subresource", S, false),
            (7, "name", S, false),
        ],
        "NonResourceAttributes" => &[(1, "path", S, false), (2, "verb", S, false)],
        "SelfSubjectReview" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "status", Msg("Empty"), false),
        ],
        "Eviction" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "deleteOptions", Msg("DeleteOptions"), false),
        ],
        // Status stanzas and the like that clients send empty.
        "PodDisruptionBudget" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("PodDisruptionBudgetSpec"), false),
            (3, "status", Msg("PodDisruptionBudgetStatus"), false),
        ],
        "PodDisruptionBudgetSpec" => &[
            (1, "minAvailable", IntOrString, false),
            (2, "selector", Msg("LabelSelector"), false),
            (3, "maxUnavailable", IntOrString, false),
            (4, "unhealthyPodEvictionPolicy", S, false),
        ],
        // A new budget's status: nothing computed yet.
        "PodDisruptionBudgetStatus" => &[
            (1, "observedGeneration", I, false),
            (3, "disruptionsAllowed", I, false),
            (4, "currentHealthy", I, false),
            (5, "desiredHealthy", I, false),
            (6, "expectedPods", I, false),
        ],
        "ResourceQuota" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("ResourceQuotaSpec"), false),
            (3, "status", Msg("ResourceQuotaStatus"), false),
        ],
        "ResourceQuotaSpec" => &[
            (1, "hard", QUANTITY_MAP, false),
            (2, "scopes", S, true),
            (3, "scopeSelector", Msg("ScopeSelector"), false),
        ],
        "ScopeSelector" => &[(
            1,
            "matchExpressions",
            Msg("ScopedResourceSelectorRequirement"),
            true,
        )],
        "ScopedResourceSelectorRequirement" => &[
            (1, "scopeName", S, false),
            (2, "operator", S, false),
            (3, "values", S, true),
        ],
        "ResourceQuotaStatus" => &[
            (1, "hard", QUANTITY_MAP, false),
            (2, "used", QUANTITY_MAP, false),
        ],
        "Ingress" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("IngressSpec"), false),
            (3, "status", Msg("IngressStatus"), false),
        ],
        "IngressSpec" => &[
            (1, "defaultBackend", Msg("IngressBackend"), false),
            (2, "tls", Msg("IngressTLS"), true),
            (3, "rules", Msg("IngressRule"), true),
            (4, "ingressClassName", S, false),
        ],
        "IngressBackend" => &[
            (3, "resource", Msg("TypedLocalObjectReference"), false),
            (4, "service", Msg("IngressServiceBackend"), false),
        ],
        "TypedLocalObjectReference" => &[
            (1, "apiGroup", S, false),
            (2, "kind", S, false),
            (3, "name", S, false),
        ],
        "IngressServiceBackend" => &[
            (1, "name", S, false),
            (2, "port", Msg("ServiceBackendPort"), false),
        ],
        "ServiceBackendPort" => &[(1, "name", S, false), (2, "number", I, false)],
        "IngressTLS" => &[(1, "hosts", S, true), (2, "secretName", S, false)],
        // `ingressRuleValue` is embedded inline in Go: `http` is the rule's own field.
        "IngressRule" => &[
            (1, "host", S, false),
            (2, "", Msg("IngressRuleValue"), false),
        ],
        "IngressRuleValue" => &[(1, "http", Msg("HTTPIngressRuleValue"), false)],
        "HTTPIngressRuleValue" => &[(1, "paths", Msg("HTTPIngressPath"), true)],
        "HTTPIngressPath" => &[
            (1, "path", S, false),
            (2, "backend", Msg("IngressBackend"), false),
            (3, "pathType", S, false),
        ],
        "IngressStatus" => &[(1, "loadBalancer", Msg("Empty"), false)],
        // `value` is a plain int32 that Go always writes; zero is a value.
        "PriorityClass" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "value", IP, false),
            (3, "globalDefault", B, false),
            (4, "description", S, false),
            (5, "preemptionPolicy", S, false),
        ],
        // autoscaling/v1, as kubectl 1.32's `autoscale` sends it.
        "HorizontalPodAutoscaler.v1" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("HorizontalPodAutoscalerSpec.v1"), false),
        ],
        "HorizontalPodAutoscalerSpec.v1" => &[
            (
                1,
                "scaleTargetRef",
                Msg("CrossVersionObjectReference"),
                false,
            ),
            (2, "minReplicas", IP, false),
            (3, "maxReplicas", I, false),
            (4, "targetCPUUtilizationPercentage", IP, false),
        ],
        // autoscaling/v2, as later kubectl's `autoscale` sends it.
        "HorizontalPodAutoscaler" => &[
            (1, "metadata", Msg("ObjectMeta"), false),
            (2, "spec", Msg("HorizontalPodAutoscalerSpec"), false),
            (3, "status", Msg("HorizontalPodAutoscalerStatus"), false),
        ],
        "HorizontalPodAutoscalerSpec" => &[
            (
                1,
                "scaleTargetRef",
                Msg("CrossVersionObjectReference"),
                false,
            ),
            (2, "minReplicas", IP, false),
            (3, "maxReplicas", I, false),
            (4, "metrics", Msg("MetricSpec"), true),
            (5, "behavior", Msg("HorizontalPodAutoscalerBehavior"), false),
        ],
        "CrossVersionObjectReference" => &[
            (1, "kind", S, false),
            (2, "name", S, false),
            (3, "apiVersion", S, false),
        ],
        "MetricSpec" => &[
            (1, "type", S, false),
            (2, "object", Msg("ObjectMetricSource"), false),
            (3, "pods", Msg("PodsMetricSource"), false),
            (4, "resource", Msg("ResourceMetricSource"), false),
            (5, "external", Msg("ExternalMetricSource"), false),
            (
                7,
                "containerResource",
                Msg("ContainerResourceMetricSource"),
                false,
            ),
        ],
        "ObjectMetricSource" => &[
            (
                1,
                "describedObject",
                Msg("CrossVersionObjectReference"),
                false,
            ),
            (2, "target", Msg("MetricTarget"), false),
            (3, "metric", Msg("MetricIdentifier"), false),
        ],
        "PodsMetricSource" | "ExternalMetricSource" => &[
            (1, "metric", Msg("MetricIdentifier"), false),
            (2, "target", Msg("MetricTarget"), false),
        ],
        "ResourceMetricSource" => &[
            (1, "name", S, false),
            (2, "target", Msg("MetricTarget"), false),
        ],
        "ContainerResourceMetricSource" => &[
            (1, "name", S, false),
            (2, "target", Msg("MetricTarget"), false),
            (3, "container", S, false),
        ],
        "MetricIdentifier" => &[
            (1, "name", S, false),
            (2, "selector", Msg("LabelSelector"), false),
        ],
        "MetricTarget" => &[
            (1, "type", S, false),
            (2, "value", Quantity, false),
            (3, "averageValue", Quantity, false),
            (4, "averageUtilization", IP, false),
        ],
        "HorizontalPodAutoscalerBehavior" => &[
            (1, "scaleUp", Msg("HPAScalingRules"), false),
            (2, "scaleDown", Msg("HPAScalingRules"), false),
        ],
        "HPAScalingRules" => &[
            (1, "selectPolicy", S, false),
            (2, "policies", Msg("HPAScalingPolicy"), true),
            (3, "stabilizationWindowSeconds", IP, false),
            (4, "tolerance", Quantity, false),
        ],
        "HPAScalingPolicy" => &[
            (1, "type", S, false),
            (2, "value", I, false),
            (3, "periodSeconds", I, false),
        ],
        // A new autoscaler's status: nothing observed yet.
        "HorizontalPodAutoscalerStatus" => &[
            (1, "observedGeneration", IP, false),
            (2, "lastScaleTime", Time, false),
            (3, "currentReplicas", I, false),
            (4, "desiredReplicas", I, false),
        ],
        "Empty" => &[],
        _ => return None,
    })
}

/// The message of a top-level kind.
/// The message a body of `kind` at `api_version` is encoded as.
fn message_of(api_version: &str, kind: &str) -> Option<&'static str> {
    if kind == "HorizontalPodAutoscaler" {
        return match api_version {
            "autoscaling/v1" => Some("HorizontalPodAutoscaler.v1"),
            "autoscaling/v2" => Some("HorizontalPodAutoscaler"),
            _ => None,
        };
    }
    let known = [
        "Namespace",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "Pod",
        "Service",
        "Deployment",
        "Job",
        "CronJob",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "SelfSubjectReview",
        "Eviction",
        "PodDisruptionBudget",
        "ResourceQuota",
        "Ingress",
        "PriorityClass",
    ];
    known.into_iter().find(|k| *k == kind)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn malformed(what: &str) -> ApiError {
    ApiError::bad_request(format!("the protobuf request body is malformed: {what}"))
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn varint(&mut self) -> Result<u64, ApiError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or_else(|| malformed("truncated varint"))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed("varint too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], ApiError> {
        let len = usize::try_from(self.varint()?).map_err(|_| malformed("length too large"))?;
        let end = self
            .at
            .checked_add(len)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| malformed("truncated field"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    /// The next field: number, wire type, and its varint or bytes.
    fn field(&mut self) -> Result<(u32, Wire<'a>), ApiError> {
        let key = self.varint()?;
        let number = u32::try_from(key >> 3).map_err(|_| malformed("field number too large"))?;
        let wire = match key & 7 {
            0 => Wire::Varint(self.varint()?),
            2 => Wire::Bytes(self.bytes()?),
            1 => {
                let end = self.at + 8;
                if end > self.bytes.len() {
                    return Err(malformed("truncated fixed64"));
                }
                self.at = end;
                Wire::Fixed
            }
            5 => {
                let end = self.at + 4;
                if end > self.bytes.len() {
                    return Err(malformed("truncated fixed32"));
                }
                self.at = end;
                Wire::Fixed
            }
            other => return Err(malformed(&format!("unsupported wire type {other}"))),
        };
        Ok((number, wire))
    }
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

fn text(bytes: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed("a string is not UTF-8"))
}

fn scalar(kind: Kind, wire: Wire<'_>, message: &str, name: &str) -> Result<Value, ApiError> {
    use base64::Engine;
    let wrong = || malformed(&format!("{message}.{name} has an unexpected wire type"));
    Ok(match (kind, wire) {
        (Kind::Str, Wire::Bytes(b)) => Value::String(text(b)?),
        (Kind::Bytes, Wire::Bytes(b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        // int32 fields carry negative numbers sign-extended to 64 bits.
        (Kind::Int | Kind::IntPtr, Wire::Varint(v)) => json!(v as i64),
        (Kind::Bool | Kind::BoolPtr, Wire::Varint(v)) => Value::Bool(v != 0),
        (Kind::Msg(inner), Wire::Bytes(b)) => decode_message(inner, b)?,
        (Kind::Quantity, Wire::Bytes(b)) => {
            let mut reader = Reader::new(b);
            let mut value = String::new();
            while !reader.done() {
                if let (1, Wire::Bytes(s)) = reader.field()? {
                    value = text(s)?;
                }
            }
            Value::String(value)
        }
        (Kind::Time, Wire::Bytes(b)) => {
            let mut reader = Reader::new(b);
            let mut seconds = None;
            while !reader.done() {
                if let (1, Wire::Varint(v)) = reader.field()? {
                    seconds = Some(v as i64);
                }
            }
            // An empty message, or Go's zero time (year 1), is an unset timestamp.
            let Some(seconds) = seconds.filter(|s| *s > GO_ZERO_TIME) else {
                return Ok(Value::Null);
            };
            if seconds <= GO_ZERO_TIME {
                return Ok(Value::Null);
            }
            let time = chrono::DateTime::from_timestamp(seconds, 0)
                .ok_or_else(|| malformed("time out of range"))?;
            Value::String(time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        }
        (Kind::IntOrString, Wire::Bytes(b)) => {
            let mut reader = Reader::new(b);
            let (mut is_string, mut int, mut string) = (false, 0i64, String::new());
            while !reader.done() {
                match reader.field()? {
                    (1, Wire::Varint(v)) => is_string = v == 1,
                    (2, Wire::Varint(v)) => int = v as i32 as i64,
                    (3, Wire::Bytes(s)) => string = text(s)?,
                    _ => {}
                }
            }
            if is_string {
                Value::String(string)
            } else {
                json!(int)
            }
        }
        _ => return Err(wrong()),
    })
}

fn decode_message(message: &'static str, bytes: &[u8]) -> Result<Value, ApiError> {
    let table = fields(message).ok_or_else(|| unsupported(message))?;
    let mut object = Map::new();
    let mut reader = Reader::new(bytes);
    while !reader.done() {
        let (number, wire) = reader.field()?;
        let Some((_, name, kind, repeated)) = table.iter().find(|f| f.0 == number).copied() else {
            // Go writes every plain field, set or not: an unknown field that
            // carries nothing says nothing.
            let says_nothing = match wire {
                Wire::Varint(v) => v == 0,
                Wire::Fixed => true,
                Wire::Bytes(b) => b.is_empty() || is_zero_message(b, 0),
            };
            if says_nothing {
                continue;
            }
            return Err(ApiError::unsupported_media_type(format!(
                "field {number} of {message} in a protobuf request body is not understood by this server; send the object as JSON"
            )));
        };
        match kind {
            Kind::Map(value_kind) => {
                let Wire::Bytes(entry) = wire else {
                    return Err(malformed("a map entry is not length-delimited"));
                };
                let mut entry_reader = Reader::new(entry);
                let (mut key, mut value) = (String::new(), None);
                while !entry_reader.done() {
                    match entry_reader.field()? {
                        (1, Wire::Bytes(k)) => key = text(k)?,
                        (2, w) => value = Some(scalar(*value_kind, w, message, name)?),
                        _ => {}
                    }
                }
                let map = object.entry(name).or_insert_with(|| json!({}));
                if let Some(map) = map.as_object_mut() {
                    map.insert(key, value.unwrap_or_else(|| empty_of(*value_kind)));
                }
            }
            _ if repeated => {
                let value = scalar(kind, wire, message, name)?;
                let list = object.entry(name).or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    list.push(value);
                }
            }
            _ => {
                let value = scalar(kind, wire, message, name)?;
                // A Go struct embedded inline: its fields are the parent's.
                if name.is_empty() {
                    if let Value::Object(inner) = value {
                        object.extend(inner);
                    }
                    continue;
                }
                let unset = match (kind, &value) {
                    (_, Value::Null) => true,
                    (Kind::Str, Value::String(s)) => s.is_empty(),
                    (Kind::Int, v) => v.as_i64() == Some(0),
                    (Kind::Bool, Value::Bool(b)) => !b,
                    _ => false,
                };
                if !unset {
                    object.insert(name.to_string(), value);
                }
            }
        }
    }
    Ok(Value::Object(object))
}

/// Whether `bytes` parse as a message whose every field is zero or empty
/// (a Go struct written with nothing set). Nesting deeper than any built-in
/// kind's messages do is not taken for empty.
fn is_zero_message(bytes: &[u8], depth: usize) -> bool {
    const MAX_DEPTH: usize = 32;
    if depth > MAX_DEPTH {
        return false;
    }
    let mut reader = Reader::new(bytes);
    while !reader.done() {
        match reader.field() {
            Ok((_, Wire::Varint(0))) => {}
            Ok((_, Wire::Bytes(b))) if b.is_empty() || is_zero_message(b, depth + 1) => {}
            _ => return false,
        }
    }
    true
}

fn empty_of(kind: Kind) -> Value {
    match kind {
        Kind::Int => json!(0),
        Kind::Bool => json!(false),
        _ => json!(""),
    }
}

fn unsupported(what: &str) -> ApiError {
    ApiError::unsupported_media_type(format!(
        "protobuf request bodies for {what} are not supported by this server; send the object as JSON"
    ))
}

/// Decodes a protobuf request body into the JSON object it encodes.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| malformed("missing the k8s protobuf magic prefix"))?;
    let mut reader = Reader::new(envelope);
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), None);
    while !reader.done() {
        match reader.field()? {
            (1, Wire::Bytes(type_meta)) => {
                let mut inner = Reader::new(type_meta);
                while !inner.done() {
                    match inner.field()? {
                        (1, Wire::Bytes(v)) => api_version = text(v)?,
                        (2, Wire::Bytes(k)) => kind = text(k)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(bytes)) => raw = Some(bytes),
            (3, Wire::Bytes(encoding)) if !encoding.is_empty() => {
                return Err(unsupported(&format!(
                    "content encoding {}",
                    String::from_utf8_lossy(encoding)
                )));
            }
            _ => {}
        }
    }
    let message = message_of(&api_version, &kind)
        .ok_or_else(|| unsupported(if kind.is_empty() { "this type" } else { &kind }))?;
    let mut object = decode_message(message, raw.unwrap_or_default())?;
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn bytes_field(number: u32, data: &[u8], out: &mut Vec<u8>) {
        varint(u64::from(number) << 3 | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }

    /// A v1 ConfigMap request body whose message is `configmap`.
    fn configmap_body(configmap: &[u8]) -> Vec<u8> {
        let mut type_meta = Vec::new();
        bytes_field(1, b"v1", &mut type_meta);
        bytes_field(2, b"ConfigMap", &mut type_meta);
        let mut body = MAGIC.to_vec();
        bytes_field(1, &type_meta, &mut body);
        bytes_field(2, configmap, &mut body);
        body
    }

    #[test]
    fn a_configmap_decodes() {
        let mut meta = Vec::new();
        bytes_field(1, b"cfg", &mut meta);
        let mut entry = Vec::new();
        bytes_field(1, b"k", &mut entry);
        bytes_field(2, b"v", &mut entry);
        let mut cm = Vec::new();
        bytes_field(1, &meta, &mut cm);
        bytes_field(2, &entry, &mut cm);
        let object = decode(&configmap_body(&cm)).unwrap();
        assert_eq!(
            object,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": "v"}})
        );

        // An unknown field is refused, not dropped.
        let mut odd = Vec::new();
        bytes_field(1, &meta, &mut odd);
        bytes_field(42, b"?", &mut odd);
        assert_eq!(decode(&configmap_body(&odd)).unwrap_err().code, 415);
        assert_eq!(decode(b"garbage").unwrap_err().code, 400);
    }

    #[test]
    fn deeply_nested_unknown_fields_are_refused_without_recursing_through_them() {
        // 100,000 messages each holding the next as field 1, written
        // outside in: each header is the tag and the length of the rest.
        let mut lengths = vec![0u64];
        for _ in 0..100_000 {
            let inner = *lengths.last().unwrap();
            let mut header = Vec::new();
            varint(inner, &mut header);
            lengths.push(inner + 1 + header.len() as u64);
        }
        let mut nested = Vec::new();
        for inner in lengths.iter().rev().skip(1) {
            varint(1 << 3 | 2, &mut nested);
            varint(*inner, &mut nested);
        }
        let mut meta = Vec::new();
        bytes_field(1, b"cfg", &mut meta);
        let mut cm = Vec::new();
        bytes_field(1, &meta, &mut cm);
        bytes_field(42, &nested, &mut cm);
        assert_eq!(decode(&configmap_body(&cm)).unwrap_err().code, 415);
    }
}
