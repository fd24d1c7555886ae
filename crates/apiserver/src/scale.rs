//! The scale subresource (`autoscaling/v1` Scale) of workloads and of
//! custom kinds whose definitions serve it (at the paths they name).

use api::ResourceInfo;
use api::custom::ScalePaths;
use serde_json::{Value, json};

use crate::error::Cause;

/// A simple path (`.spec.replicas`) as a JSON pointer.
fn pointer(path: &str) -> String {
    path.trim_start_matches('.')
        .split('.')
        .map(|segment| segment.replace('~', "~0").replace('/', "~1"))
        .fold(String::new(), |pointer, segment| pointer + "/" + &segment)
}

/// The Scale view of an object of `info`'s kind.
pub fn of(info: &ResourceInfo, object: &Value) -> Value {
    match info
        .custom
        .as_ref()
        .and_then(|custom| custom.scale.as_ref())
    {
        Some(paths) => from_custom(object, paths),
        None => from_object(object),
    }
}

/// Sets the replicas an object of `info`'s kind asks for.
pub fn set_replicas(info: &ResourceInfo, object: &mut Value, replicas: i64) {
    let path = info
        .custom
        .as_ref()
        .and_then(|custom| custom.scale.as_ref())
        .map_or("/spec/replicas".to_string(), |paths| {
            pointer(&paths.spec_replicas)
        });
    let mut at = object;
    let segments: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, segment) in segments.iter().enumerate() {
        if !at.is_object() {
            *at = json!({});
        }
        let Some(map) = at.as_object_mut() else {
            return;
        };
        if i + 1 == segments.len() {
            map.insert(segment.clone(), json!(replicas));
            return;
        }
        at = map.entry(segment.clone()).or_insert_with(|| json!({}));
    }
}

fn scale_metadata(object: &Value) -> Value {
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
    scale_meta
}

/// The Scale of a custom object, read at its definition's paths (a missing
/// count is 0, as upstream reads it).
fn from_custom(object: &Value, paths: &ScalePaths) -> Value {
    let count = |path: &str| {
        object
            .pointer(&pointer(path))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    };
    let selector = paths
        .label_selector
        .as_deref()
        .and_then(|path| object.pointer(&pointer(path)))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut status = json!({"replicas": count(&paths.status_replicas)});
    if !selector.is_empty() {
        status["selector"] = json!(selector);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_metadata(object),
        "spec": {"replicas": count(&paths.spec_replicas)},
        "status": status,
    })
}

/// The Scale view of a workload object.
fn from_object(object: &Value) -> Value {
    let scale_meta = scale_metadata(object);
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
