//! Admission on create, after defaulting and before validation: the
//! plugins kube-apiserver enables by default that shape a new pod
//! (Priority, DefaultTolerationSeconds) and the status a new pod starts with.

use api::ResourceInfo;
use serde_json::{Value, json};
use store::SharedStore;

use crate::status::ApiError;

/// DefaultTolerationSeconds: how long pods stay on a not-ready or
/// unreachable node before eviction.
const DEFAULT_TOLERATION_SECONDS: i64 = 300;

pub async fn admit_create(
    store: &SharedStore,
    info: &ResourceInfo,
    object: &mut Value,
) -> Result<(), ApiError> {
    if info.kind != "Pod" {
        return Ok(());
    }
    priority(store, object).await?;
    default_tolerations(object);
    let qos = qos_class(object);
    object["status"] = json!({"phase": "Pending", "qosClass": qos});
    Ok(())
}

/// Priority: the pod's priority comes from its PriorityClass.
async fn priority(store: &SharedStore, pod: &mut Value) -> Result<(), ApiError> {
    let class_name = pod
        .pointer("/spec/priorityClassName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let (value, policy) = if class_name.is_empty() {
        (0, "PreemptLowerPriority".to_string())
    } else {
        let classes = api::registry::lookup("scheduling.k8s.io", "v1", "priorityclasses")
            .ok_or_else(|| ApiError::internal("no priorityclasses resource"))?;
        let kv = store
            .get(&classes.storage_key(None, &class_name))
            .await
            .map_err(|e| ApiError::from_store(e, classes, &class_name))?
            .ok_or_else(|| {
                ApiError::forbidden(format!(
                    "pods \"{}\" is forbidden: no PriorityClass with name {class_name} was found",
                    pod.pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                ))
            })?;
        let class: Value = serde_json::from_slice(&kv.value)
            .map_err(|e| ApiError::internal(format!("stored PriorityClass {class_name}: {e}")))?;
        (
            class.get("value").and_then(Value::as_i64).unwrap_or(0),
            class
                .get("preemptionPolicy")
                .and_then(Value::as_str)
                .unwrap_or("PreemptLowerPriority")
                .to_string(),
        )
    };
    if let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) {
        if let Some(given) = spec.get("priority").and_then(Value::as_i64)
            && given != value
        {
            return Err(ApiError::forbidden(format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name"
            )));
        }
        spec.insert("priority".into(), json!(value));
        spec.entry("preemptionPolicy").or_insert(json!(policy));
    }
    Ok(())
}

fn default_tolerations(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
    let Some(list) = tolerations.as_array_mut() else {
        return;
    };
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let covered = list.iter().any(|t| {
            let t_key = t.get("key").and_then(Value::as_str);
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            let exists_all =
                t_key.is_none() && t.get("operator").and_then(Value::as_str) == Some("Exists");
            (t_key == Some(key) || exists_all) && (effect.is_empty() || effect == "NoExecute")
        });
        if !covered {
            list.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": DEFAULT_TOLERATION_SECONDS}));
        }
    }
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
