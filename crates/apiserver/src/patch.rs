//! The three patch types kubectl sends: JSON patch, JSON merge patch, and
//! strategic merge patch, whose lists merge by key (containers by name,
//! volume mounts by mountPath, ...) with the `$patch`, `$retainKeys`,
//! `$setElementOrder` and `$deleteFromPrimitiveList` directives.

use serde_json::{Map, Value};

use crate::merge_keys;
use crate::status::ApiError;

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
    match media {
        JSON_PATCH => {
            let operations: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            let mut patched = original.clone();
            json_patch::patch(&mut patched, &operations.0).map_err(|e| {
                ApiError::unprocessable(format!(
                    "the server rejected our request due to an error in our request: {e}"
                ))
            })?;
            Ok(patched)
        }
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
        APPLY_PATCH => Err(ApiError::unsupported_media_type(
            "server-side apply is not supported by this server yet; use client-side apply (kubectl apply --server-side=false)",
        )),
        _ => Err(ApiError::unsupported_media_type(format!(
            "the body of the request was in an unknown format - accepted media types include: {JSON_PATCH}, {MERGE_PATCH}, {STRATEGIC_MERGE_PATCH}"
        ))),
    }
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
        let keep: Vec<&str> = retain
            .as_array()
            .ok_or("$retainKeys must be a list")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        result.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (key, value) in patch {
        if key == "$patch" || key == "$retainKeys" || key.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            let remove = value
                .as_array()
                .ok_or("$deleteFromPrimitiveList needs a list")?;
            if let Some(Value::Array(items)) = result.get_mut(field) {
                items.retain(|item| !remove.contains(item));
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
            for item in patch {
                if !result.contains(item) {
                    result.push(item.clone());
                }
            }
            Ok(result)
        }
        ListStrategy::Key(key) => {
            for item in patch {
                let Some(item_map) = item.as_object() else {
                    return Err(format!("{field}: list items must be objects"));
                };
                let Some(id) = item_map.get(key) else {
                    return Err(format!(
                        "map: {item} does not contain declared merge key: {key}"
                    ));
                };
                let position = result
                    .iter()
                    .position(|existing| existing.get(key) == Some(id));
                let delete = item_map.get("$patch").and_then(Value::as_str) == Some("delete");
                match (position, delete) {
                    (Some(at), true) => {
                        result.remove(at);
                    }
                    (None, true) => {}
                    (Some(at), false) => {
                        match merge_map(item_schema, result[at].as_object(), item_map)? {
                            Some(value) => result[at] = value,
                            None => {
                                result.remove(at);
                            }
                        }
                    }
                    (None, false) => {
                        if let Some(value) = merge_map(item_schema, None, item_map)? {
                            result.push(value);
                        }
                    }
                }
            }
            Ok(result)
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
}
