//! Per-kind defaulting, applied to every write as kube-apiserver applies
//! its defaulters on decode: what `kubectl get -o yaml` shows that the user
//! never wrote (restartPolicy, imagePullPolicy, strategy, ...).

use serde_json::{Map, Value, json};

/// Sets `key` to `value` when it is absent or null.
fn default(map: &mut Map<String, Value>, key: &str, value: Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.to_string(), value);
    }
}

/// What selects requests for an admission webhook or policy: every
/// namespace and object unless narrowed, equivalent versions matched, and
/// rules of any scope.
fn match_resources(matching: &mut Map<String, Value>) {
    default(matching, "matchPolicy", json!("Equivalent"));
    default(matching, "namespaceSelector", json!({}));
    default(matching, "objectSelector", json!({}));
    for key in ["rules", "resourceRules", "excludeResourceRules"] {
        for rule in matching
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            default(rule, "scope", json!("*"));
        }
    }
}

fn object<'a>(parent: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let entry = parent.entry(key.to_string()).or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    match entry {
        Value::Object(map) => map,
        _ => unreachable!("just made an object"),
    }
}

fn each_object<'a>(
    parent: &'a mut Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> {
    parent
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// The image pull policy upstream picks: Always for `:latest` or no tag.
fn pull_policy(image: &str) -> &'static str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let name = without_digest.rsplit('/').next().unwrap_or(without_digest);
    if image.contains('@') {
        return "IfNotPresent";
    }
    match name.split_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn container(container: &mut Map<String, Value>) {
    default(
        container,
        "terminationMessagePath",
        json!("/dev/termination-log"),
    );
    default(container, "terminationMessagePolicy", json!("File"));
    let image = container
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    default(container, "imagePullPolicy", json!(pull_policy(&image)));
    default(container, "resources", json!({}));
    for port in each_object(container, "ports") {
        default(port, "protocol", json!("TCP"));
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(Value::Object(probe)) = container.get_mut(probe) {
            default(probe, "timeoutSeconds", json!(1));
            default(probe, "periodSeconds", json!(10));
            default(probe, "successThreshold", json!(1));
            default(probe, "failureThreshold", json!(3));
            if let Some(Value::Object(http)) = probe.get_mut("httpGet") {
                default(http, "path", json!("/"));
                default(http, "scheme", json!("HTTP"));
            }
        }
    }
}

fn pod_spec(spec: &mut Map<String, Value>) {
    default(spec, "restartPolicy", json!("Always"));
    default(spec, "terminationGracePeriodSeconds", json!(30));
    default(spec, "dnsPolicy", json!("ClusterFirst"));
    default(spec, "securityContext", json!({}));
    default(spec, "schedulerName", json!("default-scheduler"));
    default(spec, "enableServiceLinks", json!(true));
    // `serviceAccount` is the deprecated spelling of `serviceAccountName`:
    // either given, both read the same.
    let account = ["serviceAccountName", "serviceAccount"]
        .iter()
        .find_map(|field| spec.get(*field).and_then(Value::as_str))
        .filter(|name| !name.is_empty())
        .map(str::to_string);
    if let Some(account) = account {
        spec.insert("serviceAccountName".into(), json!(account));
        spec.insert("serviceAccount".into(), json!(account));
    }
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        for c in each_object(spec, list) {
            container(c);
        }
    }
    for volume in each_object(spec, "volumes") {
        for (source, mode) in [
            ("configMap", 0o644),
            ("secret", 0o644),
            ("downwardAPI", 0o644),
            ("projected", 0o644),
        ] {
            if let Some(Value::Object(source)) = volume.get_mut(source) {
                default(source, "defaultMode", json!(mode));
            }
        }
        if let Some(Value::Array(sources)) = volume
            .get_mut("projected")
            .and_then(|projected| projected.get_mut("sources"))
        {
            for source in sources.iter_mut() {
                if let Some(Value::Object(token)) = source.get_mut("serviceAccountToken") {
                    default(token, "expirationSeconds", json!(3600));
                }
            }
        }
        if let Some(Value::Object(host)) = volume.get_mut("hostPath") {
            default(host, "type", json!(""));
        }
    }
}

fn template(spec: &mut Map<String, Value>) {
    let template = object(spec, "template");
    let pod = object(template, "spec");
    pod_spec(pod);
}

/// Applies the defaults of `kind` to `object`.
pub fn apply(kind: &str, target: &mut Value) {
    let Some(root) = target.as_object_mut() else {
        return;
    };
    match kind {
        "Pod" => {
            pod_spec(object(root, "spec"));
        }
        "PodTemplate" => template(root),
        "ReplicationController" => {
            let spec = object(root, "spec");
            default(spec, "replicas", json!(1));
            template(spec);
        }
        "Deployment" => {
            let spec = object(root, "spec");
            default(spec, "replicas", json!(1));
            default(spec, "revisionHistoryLimit", json!(10));
            default(spec, "progressDeadlineSeconds", json!(600));
            let strategy = object(spec, "strategy");
            default(strategy, "type", json!("RollingUpdate"));
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                let rolling = object(strategy, "rollingUpdate");
                default(rolling, "maxUnavailable", json!("25%"));
                default(rolling, "maxSurge", json!("25%"));
            }
            template(spec);
        }
        "ReplicaSet" => {
            let spec = object(root, "spec");
            default(spec, "replicas", json!(1));
            template(spec);
        }
        "StatefulSet" => {
            let spec = object(root, "spec");
            default(spec, "replicas", json!(1));
            default(spec, "podManagementPolicy", json!("OrderedReady"));
            default(spec, "revisionHistoryLimit", json!(10));
            let strategy = object(spec, "updateStrategy");
            default(strategy, "type", json!("RollingUpdate"));
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                default(object(strategy, "rollingUpdate"), "partition", json!(0));
            }
            let retention = object(spec, "persistentVolumeClaimRetentionPolicy");
            default(retention, "whenDeleted", json!("Retain"));
            default(retention, "whenScaled", json!("Retain"));
            for claim in each_object(spec, "volumeClaimTemplates") {
                let claim_spec = object(claim, "spec");
                default(claim_spec, "volumeMode", json!("Filesystem"));
            }
            template(spec);
        }
        "DaemonSet" => {
            let spec = object(root, "spec");
            default(spec, "revisionHistoryLimit", json!(10));
            let strategy = object(spec, "updateStrategy");
            default(strategy, "type", json!("RollingUpdate"));
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                let rolling = object(strategy, "rollingUpdate");
                default(rolling, "maxUnavailable", json!(1));
                default(rolling, "maxSurge", json!(0));
            }
            template(spec);
        }
        "Job" => job_spec(object(root, "spec")),
        "CronJob" => {
            let spec = object(root, "spec");
            default(spec, "concurrencyPolicy", json!("Allow"));
            default(spec, "suspend", json!(false));
            default(spec, "successfulJobsHistoryLimit", json!(3));
            default(spec, "failedJobsHistoryLimit", json!(1));
            let job_template = object(spec, "jobTemplate");
            job_spec(object(job_template, "spec"));
        }
        "Service" => {
            let spec = object(root, "spec");
            default(spec, "type", json!("ClusterIP"));
            default(spec, "sessionAffinity", json!("None"));
            if spec.get("type").and_then(Value::as_str) != Some("ExternalName") {
                default(spec, "internalTrafficPolicy", json!("Cluster"));
            }
            for port in each_object(spec, "ports") {
                default(port, "protocol", json!("TCP"));
                if let Some(number) = port.get("port").cloned() {
                    default(port, "targetPort", number);
                }
            }
        }
        "Secret" => default(root, "type", json!("Opaque")),
        "PersistentVolumeClaim" => default(object(root, "spec"), "volumeMode", json!("Filesystem")),
        "PersistentVolume" => {
            let spec = object(root, "spec");
            default(spec, "persistentVolumeReclaimPolicy", json!("Retain"));
            default(spec, "volumeMode", json!("Filesystem"));
        }
        "Endpoints" => {
            for subset in each_object(root, "subsets") {
                for port in each_object(subset, "ports") {
                    default(port, "protocol", json!("TCP"));
                }
            }
        }
        "EndpointSlice" => {
            for port in each_object(root, "ports") {
                default(port, "protocol", json!("TCP"));
            }
        }
        "LimitRange" => {
            let spec = object(root, "spec");
            for limit in each_object(spec, "limits") {
                if limit.get("type").and_then(Value::as_str) != Some("Container") {
                    continue;
                }
                // A container's default limit is the max, and its default
                // request the default limit.
                for (from, to) in [("max", "default"), ("default", "defaultRequest")] {
                    let source = limit.get(from).and_then(Value::as_object).cloned();
                    if let Some(source) = source {
                        let target = object(limit, to);
                        for (resource, quantity) in source {
                            target.entry(resource).or_insert(quantity);
                        }
                    }
                }
            }
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            for subject in each_object(root, "subjects") {
                let kind = subject.get("kind").and_then(Value::as_str);
                if matches!(kind, Some("User" | "Group")) {
                    default(subject, "apiGroup", json!("rbac.authorization.k8s.io"));
                }
            }
        }
        "StorageClass" => {
            default(root, "reclaimPolicy", json!("Delete"));
            default(root, "volumeBindingMode", json!("Immediate"));
        }
        "CSIDriver" => {
            let spec = object(root, "spec");
            default(spec, "attachRequired", json!(true));
            default(spec, "podInfoOnMount", json!(false));
            default(spec, "storageCapacity", json!(false));
            default(spec, "fsGroupPolicy", json!("ReadWriteOnceWithFSType"));
            default(spec, "requiresRepublish", json!(false));
            default(spec, "seLinuxMount", json!(false));
            default(spec, "volumeLifecycleModes", json!(["Persistent"]));
        }
        "PriorityClass" => default(root, "preemptionPolicy", json!("PreemptLowerPriority")),
        "FlowSchema" => {
            let spec = object(root, "spec");
            if spec.get("matchingPrecedence").is_none_or(|p| p == 0) {
                spec.insert("matchingPrecedence".into(), json!(1000));
            }
        }
        "PriorityLevelConfiguration" => {
            let spec = object(root, "spec");
            if spec.get("type").and_then(Value::as_str) == Some("Exempt") {
                let exempt = object(spec, "exempt");
                default(exempt, "nominalConcurrencyShares", json!(0));
                default(exempt, "lendablePercent", json!(0));
            }
            if let Some(limited) = spec.get_mut("limited").and_then(Value::as_object_mut) {
                default(limited, "nominalConcurrencyShares", json!(30));
                default(limited, "lendablePercent", json!(0));
                if let Some(queuing) = limited
                    .get_mut("limitResponse")
                    .and_then(|r| r.get_mut("queuing"))
                    .and_then(Value::as_object_mut)
                {
                    for (key, value) in [("handSize", 8), ("queues", 64), ("queueLengthLimit", 50)]
                    {
                        if queuing.get(key).is_none_or(|v| v == 0) {
                            queuing.insert(key.into(), json!(value));
                        }
                    }
                }
            }
        }
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
            let mutating = kind == "MutatingWebhookConfiguration";
            for webhook in root
                .get_mut("webhooks")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                default(webhook, "failurePolicy", json!("Fail"));
                default(webhook, "timeoutSeconds", json!(10));
                if mutating {
                    default(webhook, "reinvocationPolicy", json!("Never"));
                }
                match_resources(webhook);
            }
        }
        "ValidatingAdmissionPolicy" => {
            let spec = object(root, "spec");
            default(spec, "failurePolicy", json!("Fail"));
            if let Some(constraints) = spec
                .get_mut("matchConstraints")
                .and_then(Value::as_object_mut)
            {
                match_resources(constraints);
            }
        }
        "ValidatingAdmissionPolicyBinding" => {
            let spec = object(root, "spec");
            if let Some(resources) = spec
                .get_mut("matchResources")
                .and_then(Value::as_object_mut)
            {
                match_resources(resources);
            }
        }
        "HorizontalPodAutoscaler" => {
            let spec = object(root, "spec");
            default(spec, "minReplicas", json!(1));
            if spec
                .get("metrics")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
            {
                spec.insert(
                    "metrics".into(),
                    json!([{"type": "Resource", "resource": {"name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 80}}}]),
                );
            }
        }
        "NetworkPolicy" => {
            let spec = object(root, "spec");
            default(spec, "podSelector", json!({}));
            if spec
                .get("policyTypes")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
            {
                let mut types = vec![json!("Ingress")];
                if spec.get("egress").is_some_and(|e| !e.is_null()) {
                    types.push(json!("Egress"));
                }
                spec.insert("policyTypes".into(), Value::Array(types));
            }
            for direction in ["ingress", "egress"] {
                for rule in each_object(spec, direction) {
                    for port in each_object(rule, "ports") {
                        default(port, "protocol", json!("TCP"));
                    }
                }
            }
        }
        _ => {}
    }
}

/// The status a new object of `kind` starts with, as upstream's create
/// strategies reset it: Go's zero value of the kind's status, whose fields
/// without `omitempty` (and nested structs) are always written.
fn initial_status(kind: &str) -> Option<Value> {
    Some(match kind {
        "Service" | "Ingress" => json!({"loadBalancer": {}}),
        "Deployment" | "Job" | "CronJob" | "FlowSchema" | "PriorityLevelConfiguration" => {
            json!({})
        }
        "ReplicaSet" | "ReplicationController" => json!({"replicas": 0}),
        "StatefulSet" => json!({"replicas": 0, "availableReplicas": 0}),
        "DaemonSet" => json!({"currentNumberScheduled": 0, "numberMisscheduled": 0,
            "desiredNumberScheduled": 0, "numberReady": 0}),
        "PodDisruptionBudget" => json!({"disruptionsAllowed": 0, "currentHealthy": 0,
            "desiredHealthy": 0, "expectedPods": 0}),
        // autoscaling/v2 writes currentMetrics even when nil.
        "HorizontalPodAutoscaler" => json!({"currentMetrics": null, "desiredReplicas": 0}),
        _ => return None,
    })
}

/// What the server sets only when an object is created: the initial
/// status of workloads, Services and the like; a pod's first status; a
/// Job's selector and the labels it selects, generated from its uid as
/// upstream does unless the Job chooses them (`manualSelector`).
pub fn on_create(kind: &str, target: &mut Value) {
    if let Some(status) = initial_status(kind)
        && let Some(object) = target.as_object_mut()
    {
        object.insert("status".into(), status);
    }
    if kind == "Node" {
        // A node keeps the status it is created with; what it leaves out
        // reads as Go's zero values of the structs upstream always writes.
        if let Some(root) = target.as_object_mut() {
            let status = object(root, "status");
            let endpoint = object(object(status, "daemonEndpoints"), "kubeletEndpoint");
            default(endpoint, "Port", json!(0));
            let info = object(status, "nodeInfo");
            for field in [
                "machineID",
                "systemUUID",
                "bootID",
                "kernelVersion",
                "osImage",
                "containerRuntimeVersion",
                "kubeletVersion",
                "kubeProxyVersion",
                "operatingSystem",
                "architecture",
            ] {
                default(info, field, json!(""));
            }
        }
    }
    if matches!(kind, "PersistentVolume" | "PersistentVolumeClaim") {
        // Both start Pending until the volume controller looks at them.
        target["status"] = json!({"phase": "Pending"});
        return;
    }
    if kind == "Pod" {
        // As upstream's pod defaulting: a limit without a request is also
        // the request.
        for list in ["containers", "initContainers"] {
            let Some(containers) = target
                .pointer_mut(&format!("/spec/{list}"))
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for container in containers {
                let Some(limits) = container
                    .pointer("/resources/limits")
                    .and_then(Value::as_object)
                    .cloned()
                else {
                    continue;
                };
                let resources = &mut container["resources"];
                if !resources["requests"].is_object() {
                    resources["requests"] = json!({});
                }
                if let Some(requests) = resources["requests"].as_object_mut() {
                    for (name, limit) in limits {
                        requests.entry(name).or_insert(limit);
                    }
                }
            }
        }
        // A new pod starts Pending, with the QoS class its resources give.
        let qos = qos_class(target);
        target["status"] = json!({"phase": "Pending", "qosClass": qos});
        return;
    }
    if kind != "Job" {
        return;
    }
    let name = target
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let uid = target
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(root) = target.as_object_mut() else {
        return;
    };
    let spec = object(root, "spec");
    if spec.get("manualSelector").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let labels = object(object(object(spec, "template"), "metadata"), "labels");
    for key in ["batch.kubernetes.io/controller-uid", "controller-uid"] {
        default(labels, key, json!(uid));
    }
    for key in ["batch.kubernetes.io/job-name", "job-name"] {
        default(labels, key, json!(name));
    }
    let match_labels = object(object(spec, "selector"), "matchLabels");
    default(
        match_labels,
        "batch.kubernetes.io/controller-uid",
        json!(uid),
    );
}

fn job_spec(spec: &mut Map<String, Value>) {
    let parallelism_set = spec.get("parallelism").is_some_and(|v| !v.is_null());
    let completions_set = spec.get("completions").is_some_and(|v| !v.is_null());
    if !parallelism_set && !completions_set {
        default(spec, "completions", json!(1));
    }
    default(spec, "parallelism", json!(1));
    default(spec, "backoffLimit", json!(6));
    default(spec, "completionMode", json!("NonIndexed"));
    default(spec, "suspend", json!(false));
    default(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
    let template = object(spec, "template");
    let pod = object(template, "spec");
    // A Job's pods never restart in place unless asked to (validation
    // requires OnFailure or Never; upstream has no default here).
    pod_spec(pod);
}

/// The pod's quality-of-service class, from its containers' resources.
pub fn qos_class(pod: &Value) -> &'static str {
    let containers: Vec<&Value> = ["containers", "initContainers"]
        .iter()
        .filter_map(|list| {
            pod.pointer(&format!("/spec/{list}"))
                .and_then(Value::as_array)
        })
        .flatten()
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for container in &containers {
        let requests = container
            .pointer("/resources/requests")
            .and_then(Value::as_object);
        let limits = container
            .pointer("/resources/limits")
            .and_then(Value::as_object);
        if requests.is_some_and(|r| !r.is_empty()) || limits.is_some_and(|l| !l.is_empty()) {
            any = true;
        }
        for resource in ["cpu", "memory"] {
            let limit = limits.and_then(|l| l.get(resource));
            let request = requests.and_then(|r| r.get(resource)).or(limit);
            if limit.is_none() || request != limit {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_get_upstream_defaults() {
        let mut d = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}}});
        apply("Deployment", &mut d);
        assert_eq!(d["spec"]["replicas"], 1);
        assert_eq!(
            d["spec"]["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        let pod = &d["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Always");
        assert_eq!(pod["containers"][0]["imagePullPolicy"], "Always");
        assert_eq!(pod["containers"][1]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(pod["containers"][1]["ports"][0]["protocol"], "TCP");
        // Values the user set are kept.
        let mut r = json!({"spec": {"replicas": 0, "strategy": {"type": "Recreate"}}});
        apply("Deployment", &mut r);
        assert_eq!(r["spec"]["replicas"], 0);
        assert!(r["spec"]["strategy"].get("rollingUpdate").is_none());
    }

    #[test]
    fn service_ports_target_their_port() {
        let mut s = json!({"spec": {"ports": [{"port": 80}]}});
        apply("Service", &mut s);
        assert_eq!(
            s["spec"]["ports"][0],
            json!({"port": 80, "protocol": "TCP", "targetPort": 80})
        );
        assert_eq!(s["spec"]["type"], "ClusterIP");
    }

    #[test]
    fn image_pull_policy() {
        assert_eq!(pull_policy("busybox"), "Always");
        assert_eq!(pull_policy("registry:5000/busybox"), "Always");
        assert_eq!(pull_policy("registry:5000/busybox:1.36"), "IfNotPresent");
        assert_eq!(pull_policy("busybox@sha256:abc"), "IfNotPresent");
    }
}
