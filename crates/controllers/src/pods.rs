//! What several controllers ask of pods and owners: activity, readiness
//! and availability, controller references, pods made from templates,
//! label selectors, and the order in which surplus pods go.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::Resource;

/// The owner reference marked `controller: true`, if any.
pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
}

/// A reference to `owner` as the controller of what it makes.
pub fn controller_reference<K: Resource<DynamicType = ()>>(owner: &K) -> OwnerReference {
    OwnerReference {
        api_version: K::api_version(&()).into_owned(),
        kind: K::kind(&()).into_owned(),
        name: owner.meta().name.clone().unwrap_or_default(),
        uid: owner.meta().uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

/// Neither finished nor being deleted: counts toward a controller's replicas.
pub fn is_active(pod: &Pod) -> bool {
    !matches!(phase(pod), "Succeeded" | "Failed") && pod.metadata.deletion_timestamp.is_none()
}

/// When the pod's Ready condition last turned True; None if it is not Ready.
pub fn ready_since(pod: &Pod) -> Option<Option<Timestamp>> {
    let condition = pod
        .status
        .as_ref()?
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "Ready")?;
    (condition.status == "True").then(|| condition.last_transition_time.as_ref().map(|t| t.0))
}

pub fn is_ready(pod: &Pod) -> bool {
    ready_since(pod).is_some()
}

/// Ready for at least `min_ready_seconds` at `now`.
pub fn is_available(pod: &Pod, min_ready_seconds: i32, now: Timestamp) -> bool {
    match ready_since(pod) {
        None => false,
        Some(_) if min_ready_seconds <= 0 => true,
        Some(None) => false,
        Some(Some(since)) => since
            .checked_add(SignedDuration::from_secs(min_ready_seconds.into()))
            .is_ok_and(|at| at <= now),
    }
}

/// A timestamp as the API writes one (seconds, UTC).
pub fn timestamp(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The labels of an object.
pub fn labels(meta: &ObjectMeta) -> BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

/// A typed selector as one that can match; None if it cannot be read (it
/// then selects nothing, as upstream treats a selector that fails to
/// convert).
pub fn selector(selector: &LabelSelector) -> Option<api::selectors::LabelSelector> {
    let value = serde_json::to_value(selector).ok()?;
    api::selectors::LabelSelector::from_api(&value).ok()
}

/// Whether `selector` selects `meta`'s labels; an empty selector selects
/// nothing here, as controllers never own everything.
pub fn selects(selector: &api::selectors::LabelSelector, meta: &ObjectMeta) -> bool {
    !selector.is_empty() && selector.matches(&labels(meta))
}

/// The pod a controller creates from `template`: its labels, annotations
/// and finalizers, a generated name after `prefix`, owned by `owner`.
pub fn from_template(
    template: &PodTemplateSpec,
    namespace: &str,
    prefix: &str,
    owner: OwnerReference,
) -> Pod {
    let source = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(prefix.to_string()),
            namespace: Some(namespace.to_string()),
            labels: source.labels,
            annotations: source.annotations,
            finalizers: source.finalizers,
            owner_references: Some(vec![owner]),
            ..ObjectMeta::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// The `generateName` prefix of pods owned by `name`, as upstream makes it:
/// `name-` when that is a valid prefix, else the name itself.
pub fn name_prefix(name: &str) -> String {
    // Room for the five random characters the API server appends.
    if name.len() < 253 - 6 {
        format!("{name}-")
    } else {
        name.to_string()
    }
}

fn restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|statuses| statuses.iter().map(|c| c.restart_count).max().unwrap_or(0))
        .unwrap_or(0)
}

/// Sorts `pods` into the order a controller deletes surplus pods in, as
/// upstream ranks them: unscheduled before scheduled, Pending before
/// Unknown before Running, not ready before ready, pods sharing a node
/// with more of their siblings first (`rank`), recently ready before
/// long ready, more restarts first, newer before older.
pub fn sort_for_deletion(pods: &mut [(&Pod, usize)]) {
    fn phase_rank(pod: &Pod) -> u8 {
        match phase(pod) {
            "Pending" => 0,
            "Unknown" => 1,
            "Running" => 2,
            _ => 3,
        }
    }
    pods.sort_by(|(a, rank_a), (b, rank_b)| {
        let scheduled = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
        scheduled(a)
            .cmp(&scheduled(b))
            .then(phase_rank(a).cmp(&phase_rank(b)))
            .then(is_ready(a).cmp(&is_ready(b)))
            .then(rank_b.cmp(rank_a))
            .then_with(
                || match (ready_since(a).flatten(), ready_since(b).flatten()) {
                    (Some(ta), Some(tb)) => tb.cmp(&ta),
                    _ => std::cmp::Ordering::Equal,
                },
            )
            .then(restarts(b).cmp(&restarts(a)))
            .then_with(|| {
                let created = |p: &Pod| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
                created(b).cmp(&created(a))
            })
    });
}

/// Whether a toleration tolerates a taint, as the scheduler decides it.
pub use component_helpers::scheduling::tolerates;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, extra: serde_json::Value) -> Pod {
        let mut value =
            json!({"metadata": {"name": name, "creationTimestamp": "2026-01-01T00:00:00Z"}});
        if let (Some(base), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn surplus_pods_go_in_upstreams_order() {
        let ready =
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]});
        let running = pod(
            "running",
            json!({"spec": {"containers": [], "nodeName": "n"}, "status": {"phase": "Running"}}),
        );
        let ready_pod = pod(
            "ready",
            json!({"spec": {"containers": [], "nodeName": "n"}, "status": ready}),
        );
        let pending = pod(
            "pending",
            json!({"spec": {"containers": [], "nodeName": "n"}, "status": {"phase": "Pending"}}),
        );
        let unscheduled = pod(
            "unscheduled",
            json!({"spec": {"containers": []}, "status": {"phase": "Pending"}}),
        );
        let mut pods = vec![
            (&ready_pod, 0),
            (&running, 0),
            (&pending, 0),
            (&unscheduled, 0),
        ];
        sort_for_deletion(&mut pods);
        let names: Vec<_> = pods
            .iter()
            .map(|(p, _)| p.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["unscheduled", "pending", "running", "ready"]);
    }

    #[test]
    fn availability_waits_for_min_ready_seconds() {
        let p = pod(
            "p",
            json!({"status": {"conditions": [{"type": "Ready", "status": "True",
                "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}),
        );
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert!(is_available(&p, 0, at("2026-01-01T00:00:00Z")));
        assert!(!is_available(&p, 10, at("2026-01-01T00:00:05Z")));
        assert!(is_available(&p, 10, at("2026-01-01T00:00:10Z")));
    }
}
