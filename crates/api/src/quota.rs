//! Resource quota accounting, shared by the ResourceQuota admission plugin
//! (which charges each new object) and the resource quota controller
//! (which recounts a namespace): what one object uses of each quota
//! resource, whether a quota's scopes cover it, and the arithmetic on
//! resource lists as upstream's quota package does it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::quantity::Quantity;

/// Resource names and their quantities, sorted by name.
pub type ResourceList = BTreeMap<String, Quantity>;

/// The kinds quota knows beyond plain object counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evaluator {
    Pods,
    Services,
    PersistentVolumeClaims,
    /// Any other resource: `count/<resource>.<group>` (and the legacy
    /// names of a few core ones).
    ObjectCount,
}

impl Evaluator {
    pub fn of(group: &str, plural: &str) -> Evaluator {
        match (group, plural) {
            ("", "pods") => Evaluator::Pods,
            ("", "services") => Evaluator::Services,
            ("", "persistentvolumeclaims") => Evaluator::PersistentVolumeClaims,
            _ => Evaluator::ObjectCount,
        }
    }

    /// Whether a write can change usage: creates always; updates only
    /// where usage can change afterwards (a service's type, a claim's
    /// size).
    pub fn handles_update(self) -> bool {
        matches!(
            self,
            Evaluator::Services | Evaluator::PersistentVolumeClaims
        )
    }
}

/// `count/<resource>` for the core group, `count/<resource>.<group>`
/// otherwise.
pub fn object_count_name(group: &str, plural: &str) -> String {
    if group.is_empty() {
        format!("count/{plural}")
    } else {
        format!("count/{plural}.{group}")
    }
}

/// The pre-`count/` names of core object counts.
fn legacy_count_name(group: &str, plural: &str) -> Option<&'static str> {
    match (group, plural) {
        ("", "configmaps") => Some("configmaps"),
        ("", "secrets") => Some("secrets"),
        ("", "replicationcontrollers") => Some("replicationcontrollers"),
        ("", "resourcequotas") => Some("resourcequotas"),
        _ => None,
    }
}

/// The resource a quota's `count/...` or legacy name counts, as
/// (group, plural); None for the names the typed evaluators own.
pub fn counted_resource(name: &str) -> Option<(String, String)> {
    if let Some(legacy) = [
        "configmaps",
        "secrets",
        "replicationcontrollers",
        "resourcequotas",
    ]
    .into_iter()
    .find(|l| *l == name)
    {
        return Some((String::new(), legacy.to_string()));
    }
    let resource = name.strip_prefix("count/")?;
    let (plural, group) = resource.split_once('.').unwrap_or((resource, ""));
    if matches!(
        (group, plural),
        ("", "pods" | "services" | "persistentvolumeclaims")
    ) {
        return None;
    }
    Some((group.to_string(), plural.to_string()))
}

const STORAGE_CLASS_SUFFIX: &str = ".storageclass.storage.k8s.io/";

/// Whether the quota resource `name` is one `evaluator` counts.
pub fn evaluator_counts(evaluator: Evaluator, group: &str, plural: &str, name: &str) -> bool {
    match evaluator {
        Evaluator::Pods => {
            matches!(
                name,
                "pods"
                    | "count/pods"
                    | "cpu"
                    | "memory"
                    | "ephemeral-storage"
                    | "requests.cpu"
                    | "requests.memory"
                    | "requests.ephemeral-storage"
                    | "limits.cpu"
                    | "limits.memory"
                    | "limits.ephemeral-storage"
            ) || name.starts_with("hugepages-")
                || name.starts_with("requests.hugepages-")
                || name.starts_with("limits.hugepages-")
                // Extended resources are quota'd by request only.
                || name.strip_prefix("requests.").is_some_and(|r| r.contains('/'))
        }
        Evaluator::Services => matches!(
            name,
            "services" | "count/services" | "services.nodeports" | "services.loadbalancers"
        ),
        Evaluator::PersistentVolumeClaims => {
            matches!(
                name,
                "persistentvolumeclaims" | "count/persistentvolumeclaims" | "requests.storage"
            ) || name
                .split_once(STORAGE_CLASS_SUFFIX)
                .is_some_and(|(_, r)| matches!(r, "requests.storage" | "persistentvolumeclaims"))
        }
        Evaluator::ObjectCount => {
            name == object_count_name(group, plural)
                || legacy_count_name(group, plural) == Some(name)
        }
    }
}

/// What `object` (of `group`/`plural`) uses, by quota resource name.
pub fn usage(group: &str, plural: &str, object: &Value, now: DateTime<Utc>) -> ResourceList {
    let one = Quantity::count(1);
    let mut used = ResourceList::new();
    match Evaluator::of(group, plural) {
        Evaluator::Pods => {
            // count/pods counts every stored pod; the rest only live ones.
            used.insert("count/pods".into(), one);
            if counts_as_live(object, now) {
                used.insert("pods".into(), one);
                used.extend(pod_compute_usage(object));
            }
        }
        Evaluator::Services => {
            used.insert("services".into(), one);
            used.insert("count/services".into(), one);
            let ports = object
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let mut node_ports = 0;
            let mut balancers = 0;
            match object.pointer("/spec/type").and_then(Value::as_str) {
                Some("NodePort") => node_ports = ports,
                Some("LoadBalancer") => {
                    balancers = 1;
                    node_ports = if object.pointer("/spec/allocateLoadBalancerNodePorts")
                        == Some(&Value::Bool(false))
                    {
                        object
                            .pointer("/spec/ports")
                            .and_then(Value::as_array)
                            .map_or(0, |ports| {
                                ports
                                    .iter()
                                    .filter(|p| {
                                        p.get("nodePort").is_some_and(|n| n.as_i64() != Some(0))
                                    })
                                    .count()
                            })
                    } else {
                        ports
                    };
                }
                _ => {}
            }
            used.insert("services.nodeports".into(), count(node_ports));
            used.insert("services.loadbalancers".into(), count(balancers));
        }
        Evaluator::PersistentVolumeClaims => {
            used.insert("persistentvolumeclaims".into(), one);
            used.insert("count/persistentvolumeclaims".into(), one);
            let class = object
                .pointer("/spec/storageClassName")
                .and_then(Value::as_str)
                .or_else(|| {
                    object
                        .pointer("/metadata/annotations/volume.beta.kubernetes.io~1storage-class")
                        .and_then(Value::as_str)
                })
                .filter(|c| !c.is_empty());
            if let Some(class) = class {
                used.insert(
                    format!("{class}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"),
                    one,
                );
            }
            // A claim being resized is charged its larger size.
            let requested = quantity_at(object, "/spec/resources/requests/storage");
            let allocated = quantity_at(object, "/status/allocatedResources/storage");
            if let Some(storage) = requested.into_iter().chain(allocated).max() {
                used.insert("requests.storage".into(), storage);
                if let Some(class) = class {
                    used.insert(
                        format!("{class}{STORAGE_CLASS_SUFFIX}requests.storage"),
                        storage,
                    );
                }
            }
        }
        Evaluator::ObjectCount => {
            used.insert(object_count_name(group, plural), one);
            if let Some(legacy) = legacy_count_name(group, plural) {
                used.insert(legacy.into(), one);
            }
        }
    }
    used
}

fn count(n: usize) -> Quantity {
    Quantity::count(i64::try_from(n).unwrap_or(i64::MAX))
}

fn quantity_at(object: &Value, pointer: &str) -> Option<Quantity> {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(Quantity::parse)
}

/// A pod charges compute resources until it is terminal, or stuck
/// terminating past its grace period (a lost node must not hold quota).
fn counts_as_live(pod: &Value, now: DateTime<Utc>) -> bool {
    if matches!(
        pod.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    ) {
        return false;
    }
    let deletion = pod
        .pointer("/metadata/deletionTimestamp")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let grace = pod
        .pointer("/metadata/deletionGracePeriodSeconds")
        .and_then(Value::as_i64);
    match (deletion, grace) {
        (Some(deletion), Some(grace)) => now <= deletion + chrono::Duration::seconds(grace),
        _ => true,
    }
}

/// A resource list from an API object's `{name: "quantity"}` map; names
/// whose quantity does not parse are left out.
pub fn parse_list(value: Option<&Value>) -> ResourceList {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, q)| {
            let text = match q {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Quantity::parse(&text).map(|q| (name.clone(), q))
        })
        .collect()
}

pub fn to_json(list: &ResourceList) -> Value {
    Value::Object(
        list.iter()
            .map(|(name, q)| (name.clone(), Value::String(q.to_string())))
            .collect::<Map<String, Value>>(),
    )
}

/// A pod's requests and limits as the scheduler adds them up: the
/// containers' sum (with sidecars), at least the largest init container,
/// plus the pod's overhead.
pub fn pod_totals(pod: &Value, field: &str) -> ResourceList {
    let of = |container: &Value| parse_list(container.pointer(&format!("/resources/{field}")));
    let containers = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let init_containers = pod
        .pointer("/spec/initContainers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut total = containers
        .iter()
        .map(of)
        .fold(ResourceList::new(), |sum, c| add(&sum, &c));
    let mut sidecars = ResourceList::new();
    for init in &init_containers {
        let resources = of(init);
        if init.get("restartPolicy").and_then(Value::as_str) == Some("Always") {
            sidecars = add(&sidecars, &resources);
            total = add(&total, &resources);
        } else {
            // A plain init container runs beside the sidecars before it.
            let running = add(&resources, &sidecars);
            for (name, q) in running {
                let entry = total.entry(name).or_default();
                if q > *entry {
                    *entry = q;
                }
            }
        }
    }
    add(&total, &parse_list(pod.pointer("/spec/overhead")))
}

fn pod_compute_usage(pod: &Value) -> ResourceList {
    let requests = pod_totals(pod, "requests");
    let limits = pod_totals(pod, "limits");
    let mut used = ResourceList::new();
    for resource in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(request) = requests.get(resource) {
            used.insert(resource.into(), *request);
            used.insert(format!("requests.{resource}"), *request);
        }
        if let Some(limit) = limits.get(resource) {
            used.insert(format!("limits.{resource}"), *limit);
        }
    }
    for (resource, request) in &requests {
        if resource.starts_with("hugepages-") {
            used.insert(resource.clone(), *request);
            used.insert(format!("requests.{resource}"), *request);
        } else if is_extended(resource) {
            used.insert(format!("requests.{resource}"), *request);
        }
    }
    used
}

/// Extended resources: names in a domain other than kubernetes.io's.
fn is_extended(resource: &str) -> bool {
    resource
        .split_once('/')
        .is_some_and(|(domain, _)| domain != "kubernetes.io" && !domain.ends_with(".kubernetes.io"))
        && !resource.starts_with("requests.")
}

/// Whether the quota's scopes (spec.scopes and spec.scopeSelector) cover
/// the object. Scopes speak of pods only: a scoped quota covers no other
/// kind.
pub fn scopes_match(quota: &Value, evaluator: Evaluator, object: &Value) -> bool {
    let mut selectors: Vec<(String, String, Vec<String>)> = quota
        .pointer("/spec/scopes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|scope| (scope.to_string(), "Exists".to_string(), Vec::new()))
        .collect();
    selectors.extend(
        quota
            .pointer("/spec/scopeSelector/matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| {
                let text = |f: &str| {
                    e.get(f)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let values = e
                    .get("values")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                (text("scopeName"), text("operator"), values)
            }),
    );
    if selectors.is_empty() {
        return true;
    }
    if evaluator != Evaluator::Pods {
        return false;
    }
    selectors
        .iter()
        .all(|(scope, operator, values)| pod_matches_scope(object, scope, operator, values))
}

fn pod_matches_scope(pod: &Value, scope: &str, operator: &str, values: &[String]) -> bool {
    let terminating = pod
        .pointer("/spec/activeDeadlineSeconds")
        .and_then(Value::as_i64)
        .is_some_and(|s| s >= 0);
    let best_effort = is_best_effort(pod);
    let holds = match scope {
        "Terminating" => terminating,
        "NotTerminating" => !terminating,
        "BestEffort" => best_effort,
        "NotBestEffort" => !best_effort,
        "PriorityClass" => {
            let class = pod
                .pointer("/spec/priorityClassName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            return match operator {
                "In" => values.iter().any(|v| v == class),
                "NotIn" => !values.iter().any(|v| v == class),
                "Exists" => !class.is_empty(),
                "DoesNotExist" => class.is_empty(),
                _ => false,
            };
        }
        "CrossNamespacePodAffinity" => has_cross_namespace_affinity(pod),
        _ => false,
    };
    match operator {
        "DoesNotExist" => !holds,
        _ => holds,
    }
}

/// A pod's containers, then its init containers.
pub fn all_containers(pod: &Value) -> impl Iterator<Item = &Value> {
    ["containers", "initContainers"]
        .into_iter()
        .flat_map(move |list| {
            pod.get("spec")
                .and_then(|spec| spec.get(list))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
}

/// BestEffort QoS: no container asks for or limits CPU or memory.
fn is_best_effort(pod: &Value) -> bool {
    all_containers(pod).all(|c| {
        ["requests", "limits"].iter().all(|field| {
            let list = parse_list(c.pointer(&format!("/resources/{field}")));
            !list.contains_key("cpu") && !list.contains_key("memory")
        })
    })
}

fn has_cross_namespace_affinity(pod: &Value) -> bool {
    ["podAffinity", "podAntiAffinity"].iter().any(|kind| {
        let Some(affinity) = pod.pointer(&format!("/spec/affinity/{kind}")) else {
            return false;
        };
        let required = affinity
            .get("requiredDuringSchedulingIgnoredDuringExecution")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let preferred = affinity
            .get("preferredDuringSchedulingIgnoredDuringExecution")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|w| w.get("podAffinityTerm").cloned());
        required.into_iter().chain(preferred).any(|term| {
            term.get("namespaces")
                .and_then(Value::as_array)
                .is_some_and(|n| !n.is_empty())
                || term.get("namespaceSelector").is_some_and(|s| !s.is_null())
        })
    })
}

/// BACKWARD COMPATIBILITY, as upstream keeps it: a quota on CPU or memory
/// requests or limits makes every container state that resource.
/// Returns upstream's `must specify ...` reason when one does not.
pub fn pod_constraints(required: &BTreeSet<String>, pod: &Value) -> Result<(), String> {
    let checked = [
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "limits.cpu",
        "limits.memory",
    ];
    let mut missing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for container in all_containers(pod) {
        let name = container
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let requests = parse_list(container.pointer("/resources/requests"));
        let limits = parse_list(container.pointer("/resources/limits"));
        for resource in required.iter().filter(|r| checked.contains(&r.as_str())) {
            let stated = match resource.split_once('.') {
                Some(("limits", r)) => limits.contains_key(r),
                Some((_, r)) => requests.contains_key(r),
                None => requests.contains_key(resource.as_str()),
            };
            if !stated {
                missing
                    .entry(resource.clone())
                    .or_default()
                    .insert(name.to_string());
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = missing
        .iter()
        .map(|(resource, containers)| {
            format!(
                "{resource} for: {}",
                containers.iter().cloned().collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    Err(format!("must specify {}", reasons.join("; ")))
}

pub fn add(a: &ResourceList, b: &ResourceList) -> ResourceList {
    let mut sum = a.clone();
    for (name, q) in b {
        sum.entry(name.clone())
            .and_modify(|s| *s = s.plus(*q))
            .or_insert(*q);
    }
    sum
}

pub fn subtract(a: &ResourceList, b: &ResourceList) -> ResourceList {
    let mut difference = a.clone();
    for (name, q) in b {
        difference
            .entry(name.clone())
            .and_modify(|d| *d = d.minus(*q))
            .or_insert(Quantity::count(0).minus(*q));
    }
    difference
}

/// Only the resources named in `names`.
pub fn mask<'a>(list: &ResourceList, names: impl IntoIterator<Item = &'a String>) -> ResourceList {
    names
        .into_iter()
        .filter_map(|n| list.get(n).map(|q| (n.clone(), *q)))
        .collect()
}

/// The resources of `a` above their limit in `b` (empty when `a` fits).
pub fn exceeding(a: &ResourceList, b: &ResourceList) -> Vec<String> {
    a.iter()
        .filter(|(name, q)| b.get(*name).is_some_and(|limit| *q > limit))
        .map(|(name, _)| name.clone())
        .collect()
}

/// `name=value,...` sorted by name, as upstream's quota errors print lists.
pub fn pretty(list: &ResourceList) -> String {
    list.iter()
        .map(|(name, q)| format!("{name}={q}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list(pairs: &[(&str, &str)]) -> ResourceList {
        pairs
            .iter()
            .filter_map(|(n, q)| Quantity::parse(q).map(|q| (n.to_string(), q)))
            .collect()
    }

    fn pod(containers: Value) -> Value {
        json!({"metadata": {"name": "p"}, "spec": {"containers": containers}, "status": {"phase": "Running"}})
    }

    #[test]
    fn a_pod_counts_its_containers_and_its_largest_init_container() {
        let mut p = pod(json!([
            {"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}},
            {"name": "b", "resources": {"requests": {"cpu": "200m", "example.com/gpu": "1"}}}
        ]));
        p["spec"]["initContainers"] =
            json!([{"name": "init", "resources": {"requests": {"cpu": "500m"}}}]);
        let used = usage("", "pods", &p, Utc::now());
        assert_eq!(
            pretty(&used),
            "count/pods=1,cpu=500m,limits.memory=128Mi,memory=64Mi,pods=1,\
             requests.cpu=500m,requests.example.com/gpu=1,requests.memory=64Mi"
        );
        p["status"]["phase"] = json!("Succeeded");
        assert_eq!(pretty(&usage("", "pods", &p, Utc::now())), "count/pods=1");
    }

    #[test]
    fn a_pod_stuck_terminating_past_its_grace_stops_counting() {
        let mut p = pod(json!([{"name": "a"}]));
        p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        p["metadata"]["deletionGracePeriodSeconds"] = json!(30);
        let before = "2026-01-01T00:00:10Z".parse().unwrap();
        let after = "2026-01-01T00:01:00Z".parse().unwrap();
        assert!(usage("", "pods", &p, before).contains_key("pods"));
        assert!(!usage("", "pods", &p, after).contains_key("pods"));
    }

    #[test]
    fn services_count_node_ports_and_load_balancers() {
        let svc = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80}, {"port": 443}]}});
        assert_eq!(
            pretty(&usage("", "services", &svc, Utc::now())),
            "count/services=1,services=1,services.loadbalancers=1,services.nodeports=2"
        );
    }

    #[test]
    fn claims_count_by_class() {
        let claim = json!({"spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "1Gi"}}},
                           "status": {"allocatedResources": {"storage": "2Gi"}}});
        assert_eq!(
            pretty(&usage("", "persistentvolumeclaims", &claim, Utc::now())),
            "count/persistentvolumeclaims=1,fast.storageclass.storage.k8s.io/persistentvolumeclaims=1,\
             fast.storageclass.storage.k8s.io/requests.storage=2Gi,persistentvolumeclaims=1,requests.storage=2Gi"
        );
    }

    #[test]
    fn object_counts_name_the_group() {
        let used = usage("apps", "deployments", &json!({}), Utc::now());
        assert_eq!(pretty(&used), "count/deployments.apps=1");
        assert_eq!(
            pretty(&usage("", "configmaps", &json!({}), Utc::now())),
            "configmaps=1,count/configmaps=1"
        );
        assert_eq!(
            counted_resource("count/deployments.apps"),
            Some(("apps".into(), "deployments".into()))
        );
        assert_eq!(
            counted_resource("secrets"),
            Some((String::new(), "secrets".into()))
        );
        assert_eq!(counted_resource("count/pods"), None);
        assert!(evaluator_counts(
            Evaluator::Pods,
            "",
            "pods",
            "requests.nvidia.com/gpu"
        ));
        assert!(!evaluator_counts(
            Evaluator::Pods,
            "",
            "pods",
            "requests.storage"
        ));
    }

    #[test]
    fn scopes_select_pods() {
        let best_effort = pod(json!([{"name": "a"}]));
        let mut burstable = pod(json!([{"name": "a", "resources": {"requests": {"cpu": "1"}}}]));
        burstable["spec"]["activeDeadlineSeconds"] = json!(60);
        burstable["spec"]["priorityClassName"] = json!("high");
        let quota = |spec: Value| json!({"spec": spec});
        let q = quota(json!({"scopes": ["BestEffort"]}));
        assert!(scopes_match(&q, Evaluator::Pods, &best_effort));
        assert!(!scopes_match(&q, Evaluator::Pods, &burstable));
        assert!(!scopes_match(&q, Evaluator::Services, &json!({})));
        let q = quota(json!({"scopes": ["Terminating", "NotBestEffort"]}));
        assert!(scopes_match(&q, Evaluator::Pods, &burstable));
        let q = quota(json!({"scopeSelector": {"matchExpressions": [
            {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}));
        assert!(scopes_match(&q, Evaluator::Pods, &burstable));
        assert!(!scopes_match(&q, Evaluator::Pods, &best_effort));
        assert!(scopes_match(
            &quota(json!({})),
            Evaluator::Services,
            &json!({})
        ));
    }

    #[test]
    fn compute_quotas_require_every_container_to_state_them() {
        let p = pod(json!([
            {"name": "web", "resources": {"requests": {"cpu": "1"}}},
            {"name": "sidecar"}
        ]));
        let required: BTreeSet<String> = ["requests.cpu", "limits.memory", "pods"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            pod_constraints(&required, &p),
            Err("must specify limits.memory for: sidecar,web; requests.cpu for: sidecar".into())
        );
    }

    #[test]
    fn lists_add_subtract_and_compare() {
        let used = list(&[("pods", "2"), ("requests.cpu", "1500m")]);
        let hard = list(&[("pods", "2"), ("requests.cpu", "2")]);
        let more = add(&used, &list(&[("pods", "1"), ("requests.cpu", "500m")]));
        assert_eq!(pretty(&more), "pods=3,requests.cpu=2");
        assert_eq!(exceeding(&more, &hard), vec!["pods".to_string()]);
        assert_eq!(pretty(&subtract(&more, &used)), "pods=1,requests.cpu=500m");
    }
}
