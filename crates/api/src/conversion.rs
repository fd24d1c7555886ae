//! Conversion between the versions a kind is served at and the version it
//! is stored at. Most kinds have one version and pass through untouched;
//! `autoscaling/v1` HorizontalPodAutoscalers are stored as `autoscaling/v2`
//! and `events.k8s.io/v1` Events as core `v1` Events, as upstream stores
//! them, so every version reads and writes the same objects.

use serde_json::{Map, Value, json};

use crate::ResourceInfo;

/// Annotations in which `autoscaling/v1` keeps what it has no fields for,
/// so that a v1 client's read-modify-write keeps the v2 fields.
const HPA_METRICS: &str = "autoscaling.alpha.kubernetes.io/metrics";
const HPA_CURRENT_METRICS: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
const HPA_CONDITIONS: &str = "autoscaling.alpha.kubernetes.io/conditions";
const HPA_BEHAVIOR: &str = "autoscaling.alpha.kubernetes.io/behavior";
const HPA_ANNOTATIONS: &[&str] = &[
    HPA_METRICS,
    HPA_CURRENT_METRICS,
    HPA_CONDITIONS,
    HPA_BEHAVIOR,
];
/// The target an `autoscaling/v1` autoscaler without one gets.
const DEFAULT_CPU_UTILIZATION: i64 = 80;

/// `object`, in the version `served` speaks, converted to the stored form.
pub fn to_storage(served: &ResourceInfo, object: Value) -> Value {
    let Some(stored_as) = served.stored_as.as_deref() else {
        return object;
    };
    let mut object = match (&*served.group, &*served.kind) {
        ("autoscaling", "HorizontalPodAutoscaler") => hpa_v1_to_v2(object),
        ("events.k8s.io", "Event") => event_to_core(object),
        _ => object,
    };
    set_type(&mut object, stored_as, &served.kind);
    object
}

/// A stored object converted to the version `served` speaks.
pub fn from_storage(served: &ResourceInfo, object: Value) -> Value {
    let object = with_defaults(served, object);
    if served.stored_as.is_none() {
        return object;
    }
    let mut object = match (&*served.group, &*served.kind) {
        ("autoscaling", "HorizontalPodAutoscaler") => hpa_v2_to_v1(object),
        ("events.k8s.io", "Event") => event_from_core(object),
        _ => object,
    };
    set_type(&mut object, &served.api_version(), &served.kind);
    object
}

/// A custom object with its schema's defaults (which may have been added
/// since it was stored).
fn with_defaults(served: &ResourceInfo, mut object: Value) -> Value {
    if let Some(schema) = served
        .custom
        .as_ref()
        .and_then(|custom| custom.schema.as_ref())
        .filter(|schema| schema.has_defaults)
    {
        schema.apply_defaults(&mut object);
    }
    object
}

fn set_type(object: &mut Value, api_version: &str, kind: &str) {
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
}

/// Moves `from` to `to` within one JSON object, if present.
fn rename(map: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = map.remove(from) {
        map.insert(to.into(), value);
    }
}

// events.k8s.io/v1 Event <-> core v1 Event: the same object, with the
// fields the newer API renamed.
const EVENT_RENAMES: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

fn event_to_core(mut object: Value) -> Value {
    if let Some(map) = object.as_object_mut() {
        for (events, core) in EVENT_RENAMES {
            rename(map, events, core);
        }
    }
    object
}

fn event_from_core(mut object: Value) -> Value {
    if let Some(map) = object.as_object_mut() {
        for (events, core) in EVENT_RENAMES {
            rename(map, core, events);
        }
    }
    object
}

// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler.

fn is_cpu_utilization(metric: &Value) -> bool {
    metric.get("type").and_then(Value::as_str) == Some("Resource")
        && metric.pointer("/resource/name").and_then(Value::as_str) == Some("cpu")
        && metric
            .pointer("/resource/target/averageUtilization")
            .is_some()
}

fn annotations_mut(object: &mut Value) -> Option<&mut Map<String, Value>> {
    let metadata = object
        .as_object_mut()?
        .get_mut("metadata")?
        .as_object_mut()?;
    let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
    if !annotations.is_object() {
        *annotations = json!({});
    }
    annotations.as_object_mut()
}

/// Takes (removes) an annotation holding JSON, parsed.
fn take_json_annotation(object: &mut Value, key: &str) -> Option<Value> {
    let annotations = annotations_mut(object)?;
    let text = annotations.remove(key)?;
    serde_json::from_str(text.as_str()?).ok()
}

fn drop_empty_annotations(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut)
        && metadata
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
    {
        metadata.remove("annotations");
    }
}

fn hpa_v1_to_v2(mut object: Value) -> Value {
    let other_metrics = take_json_annotation(&mut object, HPA_METRICS);
    let current_metrics = take_json_annotation(&mut object, HPA_CURRENT_METRICS);
    let conditions = take_json_annotation(&mut object, HPA_CONDITIONS);
    let behavior = take_json_annotation(&mut object, HPA_BEHAVIOR);
    drop_empty_annotations(&mut object);
    let Some(map) = object.as_object_mut() else {
        return object;
    };
    if let Some(Value::Object(spec)) = map.get_mut("spec") {
        let mut metrics = Vec::new();
        if let Some(target) = spec.remove("targetCPUUtilizationPercentage")
            && !target.is_null()
        {
            metrics.push(json!({"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": target}}}));
        }
        for metric in other_metrics
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            metrics.push(metric_spec_v1_to_v2(metric));
        }
        if metrics.is_empty() {
            // v1 always had an implicit CPU target; v2 says it.
            metrics.push(json!({"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}));
        }
        spec.insert("metrics".into(), Value::Array(metrics));
        if let Some(behavior) = behavior {
            spec.insert("behavior".into(), behavior);
        }
    }
    if let Some(Value::Object(status)) = map.get_mut("status") {
        let cpu = status.remove("currentCPUUtilizationPercentage");
        let current: Vec<Value> = match current_metrics {
            // The annotation has more than the single v1 figure.
            Some(Value::Array(metrics)) => metrics.iter().map(metric_status_v1_to_v2).collect(),
            _ => cpu
                .filter(|c| !c.is_null())
                .map(|cpu| {
                    vec![json!({"type": "Resource", "resource": {"name": "cpu",
                        "current": {"averageUtilization": cpu}}})]
                })
                .unwrap_or_default(),
        };
        if !current.is_empty() {
            status.insert("currentMetrics".into(), Value::Array(current));
        }
        if let Some(conditions) = conditions {
            status.insert("conditions".into(), conditions);
        }
    }
    object
}

fn hpa_v2_to_v1(mut object: Value) -> Value {
    let mut annotations: Vec<(&str, Value)> = Vec::new();
    if let Some(Value::Object(spec)) = object.get_mut("spec") {
        let metrics = spec
            .remove("metrics")
            .and_then(|m| m.as_array().cloned())
            .unwrap_or_default();
        let cpu = metrics
            .iter()
            .find(|m| is_cpu_utilization(m))
            .and_then(|m| m.pointer("/resource/target/averageUtilization").cloned());
        if let Some(cpu) = cpu {
            spec.insert("targetCPUUtilizationPercentage".into(), cpu);
        }
        let others: Vec<Value> = metrics
            .iter()
            .filter(|m| !is_cpu_utilization(m))
            .map(metric_spec_v2_to_v1)
            .collect();
        if !others.is_empty() {
            annotations.push((HPA_METRICS, Value::Array(others)));
        }
        if let Some(behavior) = spec.remove("behavior").filter(|b| !b.is_null()) {
            annotations.push((HPA_BEHAVIOR, behavior));
        }
    }
    if let Some(Value::Object(status)) = object.get_mut("status") {
        // autoscaling/v1 always writes both counts.
        for count in ["currentReplicas", "desiredReplicas"] {
            status.entry(count).or_insert(Value::from(0));
        }
        let current = status
            .remove("currentMetrics")
            .and_then(|m| m.as_array().cloned())
            .unwrap_or_default();
        let cpu = current
            .iter()
            .find(|m| {
                m.get("type").and_then(Value::as_str) == Some("Resource")
                    && m.pointer("/resource/name").and_then(Value::as_str) == Some("cpu")
            })
            .and_then(|m| m.pointer("/resource/current/averageUtilization").cloned());
        if let Some(cpu) = cpu {
            status.insert("currentCPUUtilizationPercentage".into(), cpu);
        }
        if !current.is_empty() {
            annotations.push((
                HPA_CURRENT_METRICS,
                Value::Array(current.iter().map(metric_status_v2_to_v1).collect()),
            ));
        }
        if let Some(conditions) = status
            .remove("conditions")
            .filter(|c| c.as_array().is_some_and(|c| !c.is_empty()))
        {
            annotations.push((HPA_CONDITIONS, conditions));
        }
    }
    if !annotations.is_empty()
        && let Some(map) = annotations_mut(&mut object)
    {
        for (key, value) in annotations {
            map.insert(key.into(), json!(value.to_string()));
        }
    }
    object
}

/// Whether `key` is one of the annotations `autoscaling/v1` keeps v2
/// fields in (they never reach the stored v2 object).
pub fn is_hpa_round_trip_annotation(key: &str) -> bool {
    HPA_ANNOTATIONS.contains(&key)
}

// autoscaling/v1 keeps other metrics in its own older shape (targets as
// flat fields), which these two functions map to and from v2's.

fn metric_spec_v2_to_v1(metric: &Value) -> Value {
    let kind = metric.get("type").and_then(Value::as_str).unwrap_or("");
    let target = |source: &Value| source.get("target").cloned().unwrap_or(json!({}));
    let mut out = json!({"type": kind});
    match kind {
        "Resource" | "ContainerResource" => {
            let field = if kind == "Resource" {
                "resource"
            } else {
                "containerResource"
            };
            let source = metric.get(field).cloned().unwrap_or(json!({}));
            let target = target(&source);
            let mut v1 = json!({"name": source.get("name")});
            if let Some(container) = source.get("container") {
                v1["container"] = container.clone();
            }
            copy(
                &target,
                "averageUtilization",
                &mut v1,
                "targetAverageUtilization",
            );
            copy(&target, "averageValue", &mut v1, "targetAverageValue");
            out[field] = v1;
        }
        "Pods" => {
            let source = metric.get("pods").cloned().unwrap_or(json!({}));
            let mut v1 = json!({"metricName": source.pointer("/metric/name")});
            copy(&source, "/metric/selector", &mut v1, "selector");
            copy(
                &target(&source),
                "averageValue",
                &mut v1,
                "targetAverageValue",
            );
            out["pods"] = v1;
        }
        "Object" => {
            let source = metric.get("object").cloned().unwrap_or(json!({}));
            let mut v1 = json!({"metricName": source.pointer("/metric/name"),
                "target": source.get("describedObject")});
            copy(&source, "/metric/selector", &mut v1, "selector");
            copy(&target(&source), "value", &mut v1, "targetValue");
            copy(&target(&source), "averageValue", &mut v1, "averageValue");
            out["object"] = v1;
        }
        "External" => {
            let source = metric.get("external").cloned().unwrap_or(json!({}));
            let mut v1 = json!({"metricName": source.pointer("/metric/name")});
            copy(&source, "/metric/selector", &mut v1, "metricSelector");
            copy(&target(&source), "value", &mut v1, "targetValue");
            copy(
                &target(&source),
                "averageValue",
                &mut v1,
                "targetAverageValue",
            );
            out["external"] = v1;
        }
        _ => return metric.clone(),
    }
    out
}

fn metric_spec_v1_to_v2(metric: &Value) -> Value {
    let kind = metric.get("type").and_then(Value::as_str).unwrap_or("");
    let mut out = json!({"type": kind});
    // v2 targets name their type; v1 says it by which field is set.
    let target = |source: &Value, fields: &[(&str, &str, &str)]| {
        for (v1, kind, v2) in fields {
            if let Some(value) = source.get(*v1).filter(|v| !v.is_null()) {
                return json!({"type": kind, (*v2): value});
            }
        }
        json!({})
    };
    match kind {
        "Resource" | "ContainerResource" => {
            let field = if kind == "Resource" {
                "resource"
            } else {
                "containerResource"
            };
            let source = metric.get(field).cloned().unwrap_or(json!({}));
            let mut v2 = json!({"name": source.get("name"), "target": target(&source, &[
                ("targetAverageUtilization", "Utilization", "averageUtilization"),
                ("targetAverageValue", "AverageValue", "averageValue"),
            ])});
            if let Some(container) = source.get("container") {
                v2["container"] = container.clone();
            }
            out[field] = v2;
        }
        "Pods" => {
            let source = metric.get("pods").cloned().unwrap_or(json!({}));
            out["pods"] = json!({"metric": metric_identifier(&source, "selector"),
                "target": target(&source, &[("targetAverageValue", "AverageValue", "averageValue")])});
        }
        "Object" => {
            let source = metric.get("object").cloned().unwrap_or(json!({}));
            out["object"] = json!({"describedObject": source.get("target"),
                "metric": metric_identifier(&source, "selector"),
                "target": target(&source, &[("targetValue", "Value", "value"),
                    ("averageValue", "AverageValue", "averageValue")])});
        }
        "External" => {
            let source = metric.get("external").cloned().unwrap_or(json!({}));
            out["external"] = json!({"metric": metric_identifier(&source, "metricSelector"),
                "target": target(&source, &[("targetValue", "Value", "value"),
                    ("targetAverageValue", "AverageValue", "averageValue")])});
        }
        _ => return metric.clone(),
    }
    out
}

fn metric_identifier(source: &Value, selector: &str) -> Value {
    let mut identifier = json!({"name": source.get("metricName")});
    if let Some(selector) = source.get(selector).filter(|s| !s.is_null()) {
        identifier["selector"] = selector.clone();
    }
    identifier
}

fn metric_status_v2_to_v1(metric: &Value) -> Value {
    let kind = metric.get("type").and_then(Value::as_str).unwrap_or("");
    let field = match kind {
        "Resource" => "resource",
        "ContainerResource" => "containerResource",
        "Pods" => "pods",
        "Object" => "object",
        "External" => "external",
        _ => return metric.clone(),
    };
    let source = metric.get(field).cloned().unwrap_or(json!({}));
    let current = source.get("current").cloned().unwrap_or(json!({}));
    let mut v1 = match field {
        "resource" | "containerResource" => {
            let mut v1 = json!({"name": source.get("name")});
            copy(&source, "container", &mut v1, "container");
            copy(
                &current,
                "averageUtilization",
                &mut v1,
                "currentAverageUtilization",
            );
            copy(&current, "averageValue", &mut v1, "currentAverageValue");
            v1
        }
        "pods" => {
            let mut v1 = json!({"metricName": source.pointer("/metric/name")});
            copy(&current, "averageValue", &mut v1, "currentAverageValue");
            v1
        }
        "object" => {
            let mut v1 = json!({"metricName": source.pointer("/metric/name"),
                "target": source.get("describedObject")});
            copy(&current, "value", &mut v1, "currentValue");
            copy(&current, "averageValue", &mut v1, "averageValue");
            v1
        }
        _ => {
            let mut v1 = json!({"metricName": source.pointer("/metric/name")});
            copy(&current, "value", &mut v1, "currentValue");
            copy(&current, "averageValue", &mut v1, "currentAverageValue");
            v1
        }
    };
    let selector_field = if field == "external" {
        "metricSelector"
    } else {
        "selector"
    };
    if !matches!(field, "resource" | "containerResource") {
        copy(&source, "/metric/selector", &mut v1, selector_field);
    }
    json!({"type": kind, (field): v1})
}

fn metric_status_v1_to_v2(metric: &Value) -> Value {
    let kind = metric.get("type").and_then(Value::as_str).unwrap_or("");
    let field = match kind {
        "Resource" => "resource",
        "ContainerResource" => "containerResource",
        "Pods" => "pods",
        "Object" => "object",
        "External" => "external",
        _ => return metric.clone(),
    };
    let source = metric.get(field).cloned().unwrap_or(json!({}));
    let mut current = json!({});
    for (v1, v2) in [
        ("currentAverageUtilization", "averageUtilization"),
        ("currentAverageValue", "averageValue"),
        ("currentValue", "value"),
        ("averageValue", "averageValue"),
    ] {
        copy(&source, v1, &mut current, v2);
    }
    let v2 = match field {
        "resource" | "containerResource" => {
            let mut v2 = json!({"name": source.get("name"), "current": current});
            copy(&source, "container", &mut v2, "container");
            v2
        }
        "object" => json!({"describedObject": source.get("target"),
            "metric": metric_identifier(&source, "selector"), "current": current}),
        "external" => {
            json!({"metric": metric_identifier(&source, "metricSelector"), "current": current})
        }
        _ => json!({"metric": metric_identifier(&source, "selector"), "current": current}),
    };
    json!({"type": kind, (field): v2})
}

/// Copies `from[path]` (a key, or a JSON pointer when it starts with '/')
/// to `to[key]` when it is set.
fn copy(from: &Value, path: &str, to: &mut Value, key: &str) {
    let value = if path.starts_with('/') {
        from.pointer(path)
    } else {
        from.get(path)
    };
    if let Some(value) = value.filter(|v| !v.is_null()) {
        to[key] = value.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::lookup;

    #[test]
    fn hpa_v1_round_trips_through_v2() {
        let v1 = lookup("autoscaling", "v1", "horizontalpodautoscalers").unwrap();
        let object = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                     "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60},
            "status": {"currentReplicas": 2, "desiredReplicas": 2, "currentCPUUtilizationPercentage": 40}});
        let stored = to_storage(v1, object.clone());
        assert_eq!(stored["apiVersion"], "autoscaling/v2");
        assert_eq!(
            stored["spec"]["metrics"],
            json!([{"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 60}}}])
        );
        assert_eq!(
            stored["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"],
            40
        );
        let mut served = from_storage(v1, stored);
        // As upstream, v1 keeps the full current metrics in an annotation.
        let annotations = served["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("annotations")
            .unwrap();
        assert!(annotations.get(HPA_CURRENT_METRICS).is_some());
        assert_eq!(served, object);
    }

    #[test]
    fn hpa_v2_metrics_survive_a_v1_client() {
        let v1 = lookup("autoscaling", "v1", "horizontalpodautoscalers").unwrap();
        let stored = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5,
                "metrics": [
                    {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}},
                    {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}},
                    {"type": "External", "external": {"metric": {"name": "queue", "selector": {"matchLabels": {"q": "a"}}},
                        "target": {"type": "Value", "value": "30"}}}],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}});
        let served = from_storage(v1, stored.clone());
        assert!(
            served["spec"]
                .get("targetCPUUtilizationPercentage")
                .is_none()
        );
        let kept: Value = serde_json::from_str(
            served["metadata"]["annotations"][HPA_METRICS]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(kept[0]["resource"]["targetAverageValue"], "100Mi");
        assert_eq!(kept[1]["pods"]["metricName"], "qps");
        assert_eq!(kept[2]["external"]["targetValue"], "30");
        // Written back unchanged by a v1 client, the v2 object is the same.
        assert_eq!(to_storage(v1, served), stored);
    }

    #[test]
    fn a_v1_autoscaler_without_a_target_gets_the_implicit_one() {
        let v1 = lookup("autoscaling", "v1", "horizontalpodautoscalers").unwrap();
        let stored = to_storage(
            v1,
            json!({"metadata": {"name": "a"}, "spec": {"maxReplicas": 3}}),
        );
        assert_eq!(
            stored["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            80
        );
    }

    #[test]
    fn events_api_renames_core_fields() {
        let events = lookup("events.k8s.io", "v1", "events").unwrap();
        let object = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"},
            "regarding": {"kind": "Pod", "name": "p"}, "note": "pulled", "reason": "Pulled",
            "reportingController": "kubelet", "reportingInstance": "n1", "action": "Pull",
            "eventTime": "2026-01-01T00:00:00.000000Z", "deprecatedCount": 2});
        let stored = to_storage(events, object.clone());
        assert_eq!(stored["apiVersion"], "v1");
        assert_eq!(stored["involvedObject"]["name"], "p");
        assert_eq!(stored["message"], "pulled");
        assert_eq!(stored["reportingComponent"], "kubelet");
        assert_eq!(stored["count"], 2);
        assert_eq!(from_storage(events, stored), object);
    }
}
