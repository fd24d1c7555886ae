//! The scale subresource (`autoscaling/v1` Scale) of workloads.

use serde_json::{Value, json};

use crate::status::Cause;

/// The Scale view of a workload object.
pub fn from_object(object: &Value) -> Value {
    let metadata = object.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let mut scale_meta = json!({});
    for field in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(value) = metadata.get(field) {
            scale_meta[field] = value.clone();
        }
    }
    let selector = match object.pointer("/spec/selector") {
        // ReplicationControllers select with a plain map.
        Some(Value::Object(map))
            if !map.contains_key("matchLabels") && !map.contains_key("matchExpressions") =>
        {
            map.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        }
        Some(selector) => api::table::selector_string(Some(selector)).replace("<none>", ""),
        None => String::new(),
    };
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": object.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)},
        "status": {
            "replicas": object.pointer("/status/replicas").and_then(Value::as_i64).unwrap_or(0),
            "selector": selector,
        },
    })
}

/// The replica count a Scale asks for.
pub fn replicas(scale: &Value) -> Result<i64, Cause> {
    match scale.pointer("/spec/replicas") {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(r) if r >= 0 => Ok(r),
            _ => Err(Cause::invalid(
                "spec.replicas",
                &n.to_string(),
                "must be greater than or equal to 0",
            )),
        },
        None | Some(Value::Null) => Ok(0),
        Some(other) => Err(Cause::invalid(
            "spec.replicas",
            &other.to_string(),
            "must be an integer",
        )),
    }
}
