//! The three patch types kubectl sends: JSON patch, JSON merge patch, and
//! strategic merge patch, whose lists merge by key (containers by name,
//! volume mounts by mountPath, ...) with the `$patch`, `$retainKeys`,
//! `$setElementOrder` and `$deleteFromPrimitiveList` directives.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::merge_keys;

pub const JSON_PATCH: &str = "application/json-patch+json";
pub const MERGE_PATCH: &str = "application/merge-patch+json";
pub const STRATEGIC_MERGE_PATCH: &str = "application/strategic-merge-patch+json";
pub const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// Applies a patch of `content_type` to `original`.
pub fn apply(
    schema: Option<&str>,
    content_type: &str,
    original: &Value,
    body: &[u8],
) -> Result<Value, ApiError> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    let patched = match media {
        JSON_PATCH => json_patch_apply(original, body),
        MERGE_PATCH => {
            let patch = parse_object(body)?;
            let mut patched = original.clone();
            json_patch::merge(&mut patched, &patch);
            Ok(patched)
        }
        STRATEGIC_MERGE_PATCH => {
            let patch = parse_object(body)?;
            strategic_merge(schema, original, &patch).map_err(ApiError::bad_request)
        }
        // Apply patches are merged by the field manager, never here.
        APPLY_PATCH => Err(ApiError::unsupported_media_type(format!(
            "the body of the request was in an unknown format - accepted media types include: {JSON_PATCH}, {MERGE_PATCH}, {STRATEGIC_MERGE_PATCH}"
        ))),
        _ => Err(ApiError::unsupported_media_type(format!(
            "the body of the request was in an unknown format - accepted media types include: {JSON_PATCH}, {MERGE_PATCH}, {STRATEGIC_MERGE_PATCH}"
        ))),
    }?;
    // A patch may grow an object past what a request could have sent.
    let size = encoded_size(&patched);
    if size > crate::handlers::MAX_BODY_BYTES {
        return Err(ApiError::too_large(crate::handlers::MAX_BODY_BYTES));
    }
    Ok(patched)
}

/// Upstream's bound on the operations of one JSON patch.
pub const MAX_JSON_PATCH_OPERATIONS: usize = 10_000;

/// How deep a patched object may nest. Objects are stored as JSON and read
/// back with a parser that refuses more than 128 levels, so a patch must not
/// write what could never be read again.
pub const MAX_OBJECT_DEPTH: usize = 100;

/// Applies a JSON patch one operation at a time, bounding what it can grow:
/// the operations it may hold, the bytes its `copy` operations may add in all
/// (upstream's accumulated copy size limit, the request body limit), and how
/// deep the document may become.
fn json_patch_apply(original: &Value, body: &[u8]) -> Result<Value, ApiError> {
    let operations: json_patch::Patch = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    let operations = operations.0;
    if operations.len() > MAX_JSON_PATCH_OPERATIONS {
        return Err(ApiError::too_large_because(format!(
            "The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {}",
            operations.len()
        )));
    }
    let failed = |message: String| {
        ApiError::unprocessable(format!(
            "the server rejected our request due to an error in our request: {message}"
        ))
    };
    let mut patched = original.clone();
    // An upper bound on the document's depth, kept without walking it.
    let mut depth = depth_of(&patched);
    let mut copied = 0usize;
    for (index, operation) in operations.iter().enumerate() {
        use json_patch::PatchOperation as Op;
        let segments = |pointer: &json_patch::jsonptr::Pointer| pointer.count();
        let reaches = match operation {
            Op::Add(op) => segments(&op.path) + depth_of(&op.value),
            Op::Replace(op) => segments(&op.path) + depth_of(&op.value),
            Op::Move(op) => segments(&op.path) + depth.saturating_sub(segments(&op.from)),
            Op::Copy(op) => {
                let size = patched
                    .pointer(op.from.as_str())
                    .map(encoded_size)
                    .unwrap_or(0);
                copied = copied.saturating_add(size);
                if copied > crate::handlers::MAX_BODY_BYTES {
                    return Err(failed(format!(
                        "Unable to complete the copy, the accumulated size increase of copy is {copied}, exceeding the limit {}",
                        crate::handlers::MAX_BODY_BYTES
                    )));
                }
                segments(&op.path) + depth.saturating_sub(segments(&op.from))
            }
            Op::Remove(_) | Op::Test(_) => 0,
        };
        depth = depth.max(reaches);
        if depth > MAX_OBJECT_DEPTH {
            return Err(failed(format!(
                "operation '/{index}' would nest the object deeper than {MAX_OBJECT_DEPTH} levels"
            )));
        }
        json_patch::patch(&mut patched, std::slice::from_ref(operation)).map_err(|e| {
            failed(format!(
                "operation '/{index}' failed at path '{}': {}",
                e.path, e.kind
            ))
        })?;
    }
    Ok(patched)
}

/// How many levels of arrays and objects `value` nests (a scalar is 0),
/// found without recursion.
pub fn depth_of(value: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 0usize)];
    while let Some((value, level)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        deepest = deepest.max(level + 1);
        pending.extend(children.map(|child| (child, level + 1)));
    }
    deepest
}

/// About the bytes `value` takes encoded as JSON, found without recursion.
fn encoded_size(value: &Value) -> usize {
    let mut size = 0usize;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        size += match value {
            Value::Null | Value::Bool(_) => 5,
            Value::Number(_) => 8,
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                pending.extend(items.iter());
                items.len() + 2
            }
            Value::Object(map) => {
                size += map.keys().map(|k| k.len() + 4).sum::<usize>();
                pending.extend(map.values());
                2
            }
        };
    }
    size
}

fn parse_object(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "error decoding patch: a merge patch must be a JSON object",
        ));
    }
    Ok(value)
}

/// How a list field merges: by a key field, as a set of primitives, or not
/// at all (the patch replaces it).
enum ListStrategy {
    Key(&'static str),
    Primitives,
    Replace,
}

fn list_strategy(schema: Option<&str>, field: &str) -> ListStrategy {
    match schema.and_then(|s| merge_keys::lookup(s, field)) {
        Some((strategy, key)) if strategy.split(',').any(|s| s == "merge") => {
            if key.is_empty() {
                ListStrategy::Primitives
            } else {
                ListStrategy::Key(key)
            }
        }
        _ => ListStrategy::Replace,
    }
}

/// The schema of `field` inside `schema`, and of its list items.
fn child_schema(schema: Option<&str>, field: &str) -> Option<&'static str> {
    let property = crate::openapi::definitions()
        .get(schema?)?
        .get("properties")?
        .get(field)?;
    let target = property.get("items").unwrap_or(property);
    reference(target)
}

fn reference(schema: &Value) -> Option<&'static str> {
    let text = schema
        .get("$ref")
        .or_else(|| schema.get("allOf")?.get(0)?.get("$ref"))?
        .as_str()?;
    let name = text.rsplit('/').next()?;
    // Names are keys of the static definitions map: return that key.
    crate::openapi::definitions()
        .get_key_value(name)
        .map(|(k, _)| k.as_str())
}

/// Applies a strategic merge patch to an object whose schema is `schema`
/// (None: every list is replaced, every map merged).
pub fn strategic_merge(
    schema: Option<&str>,
    original: &Value,
    patch: &Value,
) -> Result<Value, String> {
    match merge_value(schema, Some(original), patch)? {
        Some(value) => Ok(value),
        None => Err("the patch deletes the whole object".to_string()),
    }
}

/// Merges `patch` into `original`; None means "delete this value".
fn merge_value(
    schema: Option<&str>,
    original: Option<&Value>,
    patch: &Value,
) -> Result<Option<Value>, String> {
    match patch {
        Value::Null => Ok(None),
        Value::Object(patch_map) => {
            let original_map = original.and_then(Value::as_object);
            merge_map(schema, original_map, patch_map)
        }
        other => Ok(Some(other.clone())),
    }
}

fn merge_map(
    schema: Option<&str>,
    original: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
) -> Result<Option<Value>, String> {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("delete") => return Ok(None),
        Some("replace") => {
            let mut replaced = patch.clone();
            replaced.remove("$patch");
            return Ok(Some(Value::Object(strip_directives(&replaced))));
        }
        Some(other) if other != "merge" => return Err(format!("unknown patch type: {other}")),
        _ => {}
    }
    let mut result = original.cloned().unwrap_or_default();
    if let Some(retain) = patch.get("$retainKeys") {
        let keep: HashSet<&str> = retain
            .as_array()
            .ok_or("$retainKeys must be a list")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        result.retain(|k, _| keep.contains(k.as_str()));
    }
    for (key, value) in patch {
        if key == "$patch" || key == "$retainKeys" || key.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            let remove = value
                .as_array()
                .ok_or("$deleteFromPrimitiveList needs a list")?;
            let remove: HashSet<String> = remove.iter().map(Value::to_string).collect();
            if let Some(Value::Array(items)) = result.get_mut(field) {
                items.retain(|item| !remove.contains(&item.to_string()));
            }
            continue;
        }
        let child = child_schema(schema, key);
        let merged = match value {
            Value::Array(patch_items) => {
                let original_items = result.get(key).and_then(Value::as_array).cloned();
                let strategy = list_strategy(schema, key);
                Some(Value::Array(merge_list(
                    strategy,
                    child,
                    key,
                    original_items,
                    patch_items,
                )?))
            }
            _ => merge_value(child, result.get(key), value)?,
        };
        match merged {
            Some(v) => {
                result.insert(key.clone(), v);
            }
            None => {
                result.remove(key);
            }
        }
    }
    Ok(Some(Value::Object(result)))
}

fn merge_list(
    strategy: ListStrategy,
    item_schema: Option<&str>,
    field: &str,
    original: Option<Vec<Value>>,
    patch: &[Value],
) -> Result<Vec<Value>, String> {
    // `[{"$patch": "replace"}, ...]` replaces the list with the rest.
    if patch
        .iter()
        .any(|p| p.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        return Ok(patch
            .iter()
            .filter(|p| p.get("$patch").is_none())
            .map(|p| match p {
                Value::Object(m) => Value::Object(strip_directives(m)),
                other => other.clone(),
            })
            .collect());
    }
    let mut result = original.unwrap_or_default();
    match strategy {
        ListStrategy::Replace => Ok(patch
            .iter()
            .map(|p| match p {
                Value::Object(m) => Value::Object(strip_directives(m)),
                other => other.clone(),
            })
            .collect()),
        ListStrategy::Primitives => {
            // Indexed, so a long list costs linear time, not quadratic.
            let mut present: HashSet<String> = result.iter().map(Value::to_string).collect();
            for item in patch {
                if present.insert(item.to_string()) {
                    result.push(item.clone());
                }
            }
            Ok(result)
        }
        ListStrategy::Key(key) => {
            // Items by merge key (the first of duplicates, as a linear
            // search would find); deleted items are dropped at the end.
            let mut slots: Vec<Option<Value>> = result.into_iter().map(Some).collect();
            let mut by_key: HashMap<String, usize> = HashMap::new();
            for (at, item) in slots.iter().enumerate() {
                if let Some(id) = item.as_ref().and_then(|i| i.get(key)) {
                    by_key.entry(id.to_string()).or_insert(at);
                }
            }
            for item in patch {
                let Some(item_map) = item.as_object() else {
                    return Err(format!("{field}: list items must be objects"));
                };
                let Some(id) = item_map.get(key) else {
                    return Err(format!(
                        "map: {item} does not contain declared merge key: {key}"
                    ));
                };
                let id = id.to_string();
                let position = by_key.get(&id).copied();
                let delete = item_map.get("$patch").and_then(Value::as_str) == Some("delete");
                let merged = match (position, delete) {
                    (_, true) => None,
                    (Some(at), false) => {
                        let existing = slots[at].as_ref().and_then(Value::as_object);
                        merge_map(item_schema, existing, item_map)?
                    }
                    (None, false) => merge_map(item_schema, None, item_map)?,
                };
                match (position, merged) {
                    (Some(at), merged) => {
                        if merged.is_none() {
                            by_key.remove(&id);
                        }
                        slots[at] = merged;
                    }
                    (None, Some(value)) => {
                        by_key.insert(id, slots.len());
                        slots.push(Some(value));
                    }
                    (None, None) => {}
                }
            }
            Ok(slots.into_iter().flatten().collect())
        }
    }
}

/// A map without patch directives, recursively (for replaced values).
fn strip_directives(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .map(|(k, v)| {
            let v = match v {
                Value::Object(inner) => Value::Object(strip_directives(inner)),
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|i| match i {
                            Value::Object(inner) => Value::Object(strip_directives(inner)),
                            other => other.clone(),
                        })
                        .collect(),
                ),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({"metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a"]},
               "spec": {"replicas": 1, "template": {"spec": {"containers": [
                   {"name": "app", "image": "nginx:1", "ports": [{"containerPort": 80}],
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                   {"name": "sidecar", "image": "busybox"}]}}}})
    }

    #[test]
    fn set_image_merges_containers_by_name() {
        let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}});
        let out =
            strategic_merge(Some("io.k8s.api.apps.v1.Deployment"), &deployment(), &patch).unwrap();
        let containers = out
            .pointer("/spec/template/spec/containers")
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(containers.len(), 2);
        assert_eq!(containers[0]["image"], "nginx:2");
        assert_eq!(
            containers[0]["ports"][0]["containerPort"], 80,
            "untouched fields stay"
        );
        assert_eq!(containers[1]["image"], "busybox");
    }

    #[test]
    fn directives_delete_and_replace() {
        let patch = json!({"metadata": {"labels": {"app": null, "tier": "db"}, "finalizers": ["b"]},
            "spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [{"name": "sidecar", "$patch": "delete"},
                               {"name": "app", "env": [{"name": "B", "$patch": "delete"}]}]}}}});
        let out =
            strategic_merge(Some("io.k8s.api.apps.v1.Deployment"), &deployment(), &patch).unwrap();
        assert_eq!(out["metadata"]["labels"], json!({"tier": "db"}));
        assert_eq!(out["metadata"]["finalizers"], json!(["a", "b"]));
        let containers = out
            .pointer("/spec/template/spec/containers")
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(containers.len(), 1);
        assert_eq!(containers[0]["env"], json!([{"name": "A", "value": "1"}]));
        assert!(
            out.pointer("/spec/template/spec/$setElementOrder~1containers")
                .is_none()
        );

        let replace = json!({"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "x"}]}}}});
        let out = strategic_merge(
            Some("io.k8s.api.apps.v1.Deployment"),
            &deployment(),
            &replace,
        )
        .unwrap();
        assert_eq!(
            out.pointer("/spec/template/spec/containers").unwrap(),
            &json!([{"name": "only", "image": "x"}])
        );
        let retain = json!({"spec": {"$retainKeys": ["replicas"], "replicas": 2}});
        let out = strategic_merge(
            Some("io.k8s.api.apps.v1.Deployment"),
            &deployment(),
            &retain,
        )
        .unwrap();
        assert_eq!(out["spec"], json!({"replicas": 2}));
    }

    #[test]
    fn long_lists_merge_by_key_in_place() {
        // 20,000 containers patched by 20,000 items: indexed, this is
        // linear; compared pairwise it would be 400 million comparisons.
        let containers: Vec<Value> = (0..20_000)
            .map(|n| json!({"name": format!("c{n}"), "image": "old"}))
            .collect();
        let pod = json!({"spec": {"containers": containers}});
        let mut items: Vec<Value> = (0..20_000)
            .rev()
            .step_by(2)
            .map(|n| json!({"name": format!("c{n}"), "image": "new"}))
            .collect();
        items.push(json!({"name": "c0", "$patch": "delete"}));
        items.push(json!({"name": "extra", "image": "x"}));
        items.push(json!({"name": "c0", "image": "again"}));
        let patch = json!({"spec": {"containers": items}});
        let out = strategic_merge(Some("io.k8s.api.core.v1.Pod"), &pod, &patch).unwrap();
        let merged = out["spec"]["containers"].as_array().unwrap();
        assert_eq!(merged.len(), 20_001);
        assert_eq!(merged[0], json!({"name": "c1", "image": "new"}));
        assert_eq!(merged[1], json!({"name": "c2", "image": "old"}));
        assert_eq!(merged[19_998], json!({"name": "c19999", "image": "new"}));
        assert_eq!(merged[19_999], json!({"name": "extra", "image": "x"}));
        assert_eq!(merged[20_000], json!({"name": "c0", "image": "again"}));

        let finalizers: Vec<Value> = (0..20_000).map(|n| json!(format!("f{n}"))).collect();
        let object = json!({"metadata": {"finalizers": finalizers}});
        let more: Vec<Value> = (10_000..30_000).map(|n| json!(format!("f{n}"))).collect();
        let out = strategic_merge(
            Some("io.k8s.api.core.v1.Pod"),
            &object,
            &json!({"metadata": {"finalizers": more,
                "$deleteFromPrimitiveList/finalizers": ["f1", "f2"]}}),
        )
        .unwrap();
        assert_eq!(
            out["metadata"]["finalizers"].as_array().unwrap().len(),
            30_000 - 2
        );
    }

    #[test]
    fn service_ports_merge_by_port() {
        let svc = json!({"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}});
        let patch = json!({"spec": {"ports": [{"port": 443, "targetPort": 8443}]}});
        let out = strategic_merge(Some("io.k8s.api.core.v1.Service"), &svc, &patch).unwrap();
        assert_eq!(
            out["spec"]["ports"][1],
            json!({"port": 443, "name": "https", "targetPort": 8443})
        );
    }

    #[test]
    fn patch_types() {
        let original = json!({"a": 1, "b": {"c": 2}});
        let merged = apply(
            None,
            MERGE_PATCH,
            &original,
            br#"{"b": {"c": null, "d": 3}}"#,
        )
        .unwrap();
        assert_eq!(merged, json!({"a": 1, "b": {"d": 3}}));
        let patched = apply(
            None,
            JSON_PATCH,
            &original,
            br#"[{"op": "replace", "path": "/a", "value": 5}]"#,
        )
        .unwrap();
        assert_eq!(patched["a"], 5);
        assert_eq!(
            apply(
                None,
                JSON_PATCH,
                &original,
                br#"[{"op": "remove", "path": "/zzz"}]"#
            )
            .unwrap_err()
            .code,
            422
        );
        assert_eq!(
            apply(None, APPLY_PATCH, &original, b"{}").unwrap_err().code,
            415
        );
        assert_eq!(
            apply(None, "text/plain", &original, b"{}")
                .unwrap_err()
                .code,
            415
        );
        assert_eq!(
            apply(None, MERGE_PATCH, &original, b"[1]")
                .unwrap_err()
                .code,
            400
        );
    }

    #[test]
    fn json_patches_are_bounded() {
        let original = serde_json::json!({"metadata": {"name": "x", "labels": {"a": "b"}}});
        // Too many operations: 413 before anything is applied.
        let many: Vec<Value> = (0..=MAX_JSON_PATCH_OPERATIONS)
            .map(|_| serde_json::json!({"op": "test", "path": "/metadata/name", "value": "x"}))
            .collect();
        let body = serde_json::to_vec(&many).unwrap();
        let err = apply(None, JSON_PATCH, &original, &body).unwrap_err();
        assert_eq!(err.code, 413, "{}", err.message);
        assert!(
            err.message.contains("is 10000, got 10001"),
            "{}",
            err.message
        );

        // Copies that double the object each time stop at the copy budget.
        let doubling: Vec<Value> = (0..40)
            .map(|i| serde_json::json!({"op": "copy", "from": "/metadata", "path": format!("/metadata/c{i}")}))
            .collect();
        let body = serde_json::to_vec(&doubling).unwrap();
        let err = apply(None, JSON_PATCH, &original, &body).unwrap_err();
        assert_eq!(err.code, 422, "{}", err.message);
        assert!(
            err.message.contains("accumulated size increase of copy"),
            "{}",
            err.message
        );

        // Moves that nest the object into itself stop at the depth bound.
        let nesting: Vec<Value> = (0..500)
            .flat_map(|_| {
                [
                    serde_json::json!({"op": "add", "path": "/n", "value": {}}),
                    serde_json::json!({"op": "move", "from": "/metadata", "path": "/n/m"}),
                    serde_json::json!({"op": "move", "from": "/n", "path": "/metadata"}),
                ]
            })
            .collect();
        let body = serde_json::to_vec(&nesting).unwrap();
        let err = apply(None, JSON_PATCH, &original, &body).unwrap_err();
        assert_eq!(err.code, 422, "{}", err.message);
        assert!(
            err.message.contains("deeper than 100 levels"),
            "{}",
            err.message
        );

        // A few ordinary operations still apply, and errors name their index.
        let body =
            br#"[{"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"},
                        {"op": "remove", "path": "/nope"}]"#;
        let err = apply(None, JSON_PATCH, &original, body).unwrap_err();
        assert!(
            err.message.contains("operation '/1' failed"),
            "{}",
            err.message
        );
        let body =
            br#"[{"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"}]"#;
        let patched = apply(None, JSON_PATCH, &original, body).unwrap();
        assert_eq!(patched["metadata"]["annotations"]["a"], "b");
    }

    #[test]
    fn a_patch_may_not_grow_the_object_past_the_body_limit() {
        let original = serde_json::json!({"data": {"a": "x".repeat(2 * 1024 * 1024)}});
        let body =
            serde_json::to_vec(&serde_json::json!({"data": {"b": "y".repeat(2 * 1024 * 1024)}}))
                .unwrap();
        assert_eq!(
            apply(None, MERGE_PATCH, &original, &body).unwrap_err().code,
            413
        );
    }

    #[test]
    fn depth_is_counted_without_recursion() {
        assert_eq!(depth_of(&serde_json::json!(1)), 0);
        assert_eq!(depth_of(&serde_json::json!({"a": [1, {"b": {}}]})), 4);
    }
}
