//! LimitRanger: the namespace's LimitRanges give a new pod's containers
//! their default requests and limits (noted in the
//! `kubernetes.io/limit-ranger` annotation), then bound what containers,
//! pods and claims may ask for: min, max and maxLimitRequestRatio.
//! Containers cannot change after creation, so pod updates pass untouched;
//! claims are checked on create and on resize.

use api::quota::{ResourceList, all_containers, parse_list, pod_totals};
use async_trait::async_trait;
use serde_json::{Value, json};

use super::{AdmissionPlugin, Attributes, Operation, forbidden};
use crate::error::ApiError;

const ANNOTATION: &str = "kubernetes.io/limit-ranger";

pub struct LimitRanger;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Pod,
    Claim,
}

fn target(attributes: &Attributes<'_>) -> Option<Target> {
    if attributes.subresource.is_some() {
        return None;
    }
    match (attributes.info.builtin_kind(), attributes.operation) {
        ("Pod", Operation::Create) => Some(Target::Pod),
        ("PersistentVolumeClaim", Operation::Create | Operation::Update) => Some(Target::Claim),
        _ => None,
    }
}

/// The `spec.limits` items of the namespace's LimitRanges, one list per
/// LimitRange.
async fn limit_ranges(attributes: &Attributes<'_>) -> Result<Vec<Vec<Value>>, ApiError> {
    let Some(namespace) = attributes.namespace else {
        return Ok(Vec::new());
    };
    let (_, ranges) =
        super::stored_objects(attributes, ("", "v1", "limitranges"), Some(namespace)).await?;
    Ok(ranges
        .into_iter()
        .map(|(_, range)| {
            range
                .pointer("/spec/limits")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect())
}

fn items_of<'a>(limits: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    limits
        .iter()
        .filter(move |l| l.get("type").and_then(Value::as_str) == Some(kind))
}

#[async_trait]
impl AdmissionPlugin for LimitRanger {
    fn name(&self) -> &'static str {
        "LimitRanger"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        let (Some(Target::Pod), Some(pod)) = (target(attributes), object) else {
            return Ok(());
        };
        for limits in limit_ranges(attributes).await? {
            let (requests, limits) = defaults_of(&limits);
            apply_defaults(pod, &requests, &limits);
        }
        Ok(())
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        let (Some(target), Some(object)) = (target(attributes), object) else {
            return Ok(());
        };
        if object.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(());
        }
        for limits in limit_ranges(attributes).await? {
            let problems = match target {
                Target::Pod => pod_problems(&limits, object),
                Target::Claim => claim_problems(&limits, object),
            };
            if !problems.is_empty() {
                return Err(forbidden(attributes, &aggregate(problems)));
            }
        }
        Ok(())
    }
}

/// The default requests and limits of a LimitRange's Container items.
fn defaults_of(limits: &[Value]) -> (ResourceList, ResourceList) {
    let mut defaults = (ResourceList::new(), ResourceList::new());
    for item in items_of(limits, "Container") {
        defaults.0.extend(parse_list(item.get("defaultRequest")));
        defaults.1.extend(parse_list(item.get("default")));
    }
    defaults
}

/// Sets each container's missing requests and limits from the defaults
/// and records what was set, as upstream's annotation words it.
fn apply_defaults(pod: &mut Value, requests: &ResourceList, limits: &ResourceList) {
    if requests.is_empty() && limits.is_empty() {
        return;
    }
    let mut notes = Vec::new();
    for (list, label) in [
        ("containers", "container"),
        ("initContainers", "init container"),
    ] {
        let Some(containers) = pod
            .pointer_mut(&format!("/spec/{list}"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for container in containers {
            let name = container
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let set_requests = fill(container, "requests", requests);
            let set_limits = fill(container, "limits", limits);
            if !set_requests.is_empty() {
                notes.push(format!(
                    "{} request for {label} {name}",
                    set_requests.join(", ")
                ));
            }
            if !set_limits.is_empty() {
                notes.push(format!(
                    "{} limit for {label} {name}",
                    set_limits.join(", ")
                ));
            }
        }
    }
    if notes.is_empty() {
        return;
    }
    let Some(metadata) = pod.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
    if !annotations.is_object() {
        *annotations = json!({});
    }
    annotations[ANNOTATION] = json!(format!("LimitRanger plugin set: {}", notes.join("; ")));
}

/// Adds the defaults a container's `resources.<field>` lacks; the names
/// set, sorted.
fn fill(container: &mut Value, field: &str, defaults: &ResourceList) -> Vec<String> {
    if defaults.is_empty() || !container.is_object() {
        return Vec::new();
    }
    if !container["resources"].is_object() {
        container["resources"] = json!({});
    }
    if !container["resources"][field].is_object() {
        container["resources"][field] = json!({});
    }
    let Some(present) = container["resources"][field].as_object_mut() else {
        return Vec::new();
    };
    let mut set = Vec::new();
    for (name, quantity) in defaults {
        if !present.contains_key(name) {
            present.insert(name.clone(), json!(quantity.to_string()));
            set.push(name.clone());
        }
    }
    set
}

/// The min, max and ratio bounds of one item, checked against a request
/// and limit list (a container's, or the pod's totals).
fn check_bounds(
    item: &Value,
    kind: &str,
    requests: &ResourceList,
    limits: &ResourceList,
    problems: &mut Vec<String>,
) {
    for (resource, min) in parse_list(item.get("min")) {
        let request = requests.get(&resource);
        let limit = limits.get(&resource);
        match request {
            None => problems.push(format!(
                "minimum {resource} usage per {kind} is {min}.  No request is specified"
            )),
            Some(request) if *request < min => problems.push(format!(
                "minimum {resource} usage per {kind} is {min}, but request is {request}"
            )),
            _ => {
                if let Some(limit) = limit.filter(|l| **l < min) {
                    problems.push(format!(
                        "minimum {resource} usage per {kind} is {min}, but limit is {limit}"
                    ));
                }
            }
        }
    }
    for (resource, max) in parse_list(item.get("max")) {
        let request = requests.get(&resource);
        match limits.get(&resource) {
            None => problems.push(format!(
                "maximum {resource} usage per {kind} is {max}.  No limit is specified"
            )),
            Some(limit) if *limit > max => problems.push(format!(
                "maximum {resource} usage per {kind} is {max}, but limit is {limit}"
            )),
            _ => {
                if let Some(request) = request.filter(|r| **r > max) {
                    problems.push(format!(
                        "maximum {resource} usage per {kind} is {max}, but request is {request}"
                    ));
                }
            }
        }
    }
    for (resource, ratio) in parse_list(item.get("maxLimitRequestRatio")) {
        let request = requests.get(&resource).filter(|r| !r.is_zero());
        let limit = limits.get(&resource).filter(|l| !l.is_zero());
        let Some(request) = request else {
            problems.push(format!(
                "{resource} max limit to request ratio per {kind} is {ratio}, but no request is specified or request is 0"
            ));
            continue;
        };
        let Some(limit) = limit else {
            problems.push(format!(
                "{resource} max limit to request ratio per {kind} is {ratio}, but no limit is specified or limit is 0"
            ));
            continue;
        };
        let observed = limit.milli_value() as f64 / request.milli_value() as f64;
        if observed * 1000.0 > ratio.milli_value() as f64 {
            problems.push(format!(
                "{resource} max limit to request ratio per {kind} is {ratio}, but provided ratio is {observed:.6}"
            ));
        }
    }
}

fn container_lists(container: &Value) -> (ResourceList, ResourceList) {
    (
        parse_list(container.pointer("/resources/requests")),
        parse_list(container.pointer("/resources/limits")),
    )
}

fn pod_problems(limits: &[Value], pod: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for item in items_of(limits, "Container") {
        for container in all_containers(pod) {
            let (requests, limits) = container_lists(container);
            check_bounds(item, "Container", &requests, &limits, &mut problems);
        }
    }
    for item in items_of(limits, "Pod") {
        let requests = pod_totals(pod, "requests");
        let limits = pod_totals(pod, "limits");
        check_bounds(item, "Pod", &requests, &limits, &mut problems);
    }
    problems
}

/// A claim is bounded by what it requests (its limits are not the user's
/// to set).
fn claim_problems(limits: &[Value], claim: &Value) -> Vec<String> {
    let requests = parse_list(claim.pointer("/spec/resources/requests"));
    let mut problems = Vec::new();
    let kind = "PersistentVolumeClaim";
    for item in items_of(limits, kind) {
        for (resource, min) in parse_list(item.get("min")) {
            match requests.get(&resource) {
                None => problems.push(format!(
                    "minimum {resource} usage per {kind} is {min}.  No request is specified"
                )),
                Some(request) if *request < min => problems.push(format!(
                    "minimum {resource} usage per {kind} is {min}, but request is {request}"
                )),
                _ => {}
            }
        }
        for (resource, max) in parse_list(item.get("max")) {
            match requests.get(&resource) {
                None => problems.push(format!(
                    "maximum {resource} usage per {kind} is {max}.  No request is specified"
                )),
                Some(request) if *request > max => problems.push(format!(
                    "maximum {resource} usage per {kind} is {max}, but request is {request}"
                )),
                _ => {}
            }
        }
    }
    problems
}

/// One message, or `[a, b]` for several, as Go's error aggregates print
/// (repeats dropped).
fn aggregate(mut problems: Vec<String>) -> String {
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    if problems.len() == 1 {
        problems.remove(0)
    } else {
        format!("[{}]", problems.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges() -> Vec<Value> {
        vec![
            json!({"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                   "defaultRequest": {"cpu": "250m", "memory": "128Mi"},
                   "min": {"cpu": "100m"}, "max": {"cpu": "1", "memory": "1Gi"},
                   "maxLimitRequestRatio": {"cpu": "4"}}),
            json!({"type": "Pod", "max": {"memory": "1Gi"}}),
        ]
    }

    #[test]
    fn containers_get_the_missing_defaults_and_the_annotation_says_which() {
        let mut pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "web", "resources": {"limits": {"cpu": "800m"}, "requests": {"cpu": "800m"}}},
            {"name": "log"}
        ]}});
        let (requests, limits) = defaults_of(&ranges());
        apply_defaults(&mut pod, &requests, &limits);
        assert_eq!(
            pod["spec"]["containers"][0]["resources"],
            json!({"limits": {"cpu": "800m", "memory": "256Mi"}, "requests": {"cpu": "800m", "memory": "128Mi"}})
        );
        assert_eq!(
            pod["spec"]["containers"][1]["resources"],
            json!({"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "250m", "memory": "128Mi"}})
        );
        assert_eq!(
            pod["metadata"]["annotations"][ANNOTATION],
            "LimitRanger plugin set: memory request for container web; memory limit for container web; \
             cpu, memory request for container log; cpu, memory limit for container log"
        );
        assert!(pod_problems(&ranges(), &pod).is_empty());
    }

    #[test]
    fn bounds_are_reported_in_upstreams_words() {
        let pod = json!({"spec": {"containers": [
            {"name": "big", "resources": {"requests": {"cpu": "50m", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}}}
        ]}});
        assert_eq!(
            pod_problems(&ranges(), &pod),
            vec![
                "minimum cpu usage per Container is 100m, but request is 50m",
                "maximum cpu usage per Container is 1, but limit is 2",
                "maximum memory usage per Container is 1Gi, but limit is 2Gi",
                "cpu max limit to request ratio per Container is 4, but provided ratio is 40.000000",
                "maximum memory usage per Pod is 1Gi, but limit is 2Gi",
            ]
        );
        let bare = json!({"spec": {"containers": [{"name": "bare"}]}});
        assert_eq!(
            aggregate(pod_problems(&ranges()[..1], &bare)),
            "[minimum cpu usage per Container is 100m.  No request is specified, \
             maximum cpu usage per Container is 1.  No limit is specified, \
             maximum memory usage per Container is 1Gi.  No limit is specified, \
             cpu max limit to request ratio per Container is 4, but no request is specified or request is 0]"
        );
    }

    #[test]
    fn claims_are_bounded_by_their_request() {
        let limits = vec![
            json!({"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "10Gi"}}),
        ];
        let claim = |size: &str| json!({"spec": {"resources": {"requests": {"storage": size}}}});
        assert!(claim_problems(&limits, &claim("5Gi")).is_empty());
        assert_eq!(
            claim_problems(&limits, &claim("20Gi")),
            vec!["maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi"]
        );
        assert_eq!(
            claim_problems(&limits, &claim("500Mi")),
            vec!["minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"]
        );
    }
}
