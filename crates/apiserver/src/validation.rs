//! Per-kind validation: what upstream's validation rejects, rejected with
//! the same field paths. Kinds without rules here accept any well-formed
//! object with valid metadata.

use api::ResourceInfo;
use api::selectors::labels_of;
use serde_json::Value;

use crate::status::Cause;

pub fn validate(
    info: &ResourceInfo,
    object: &Value,
    _old: Option<&Value>,
) -> Result<(), Vec<Cause>> {
    let mut causes = Vec::new();
    match info.kind {
        "Pod" => pod_spec(object.get("spec"), "spec", &mut causes),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => workload(object, &mut causes),
        "Service" => service(object, &mut causes),
        "ConfigMap" | "Secret" => data_keys(object, &mut causes),
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(causes)
    }
}

fn pod_spec(spec: Option<&Value>, path: &str, causes: &mut Vec<Cause>) {
    let Some(spec) = spec else {
        causes.push(Cause::required(format!("{path}.containers"), ""));
        return;
    };
    let containers = spec
        .get("containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if containers.is_empty() {
        causes.push(Cause::required(format!("{path}.containers"), ""));
    }
    let mut seen: Vec<String> = Vec::new();
    for (list, items) in [
        (
            "initContainers",
            spec.get("initContainers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        ),
        ("containers", containers),
    ] {
        for (i, container) in items.iter().enumerate() {
            let field = format!("{path}.{list}[{i}]");
            let name = container
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if name.is_empty() {
                causes.push(Cause::required(format!("{field}.name"), ""));
            } else if let Err(detail) = api::meta::validate_dns_label(name) {
                causes.push(Cause::invalid(format!("{field}.name"), name, &detail));
            } else if seen.iter().any(|s| s == name) {
                causes.push(Cause::duplicate(format!("{field}.name"), name));
            } else {
                seen.push(name.to_string());
            }
            if container
                .get("image")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                causes.push(Cause::required(format!("{field}.image"), ""));
            }
            for (j, port) in container
                .get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let number = port
                    .get("containerPort")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if !(1..=65535).contains(&number) {
                    causes.push(Cause::invalid(
                        format!("{field}.ports[{j}].containerPort"),
                        &number.to_string(),
                        "must be between 1 and 65535, inclusive",
                    ));
                }
            }
        }
    }
    if let Some(policy) = spec.get("restartPolicy").and_then(Value::as_str)
        && !["Always", "OnFailure", "Never"].contains(&policy)
    {
        causes.push(Cause::not_supported(
            format!("{path}.restartPolicy"),
            policy,
            &["Always", "OnFailure", "Never"],
        ));
    }
}

fn workload(object: &Value, causes: &mut Vec<Cause>) {
    let Some(spec) = object.get("spec") else {
        causes.push(Cause::required("spec.selector", ""));
        return;
    };
    if let Some(replicas) = spec.get("replicas").and_then(Value::as_i64)
        && replicas < 0
    {
        causes.push(Cause::invalid(
            "spec.replicas",
            &replicas.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    let selector = spec.get("selector");
    let empty = selector.is_none_or(|s| {
        s.get("matchLabels")
            .and_then(Value::as_object)
            .is_none_or(|m| m.is_empty())
            && s.get("matchExpressions")
                .and_then(Value::as_array)
                .is_none_or(|m| m.is_empty())
    });
    if empty {
        causes.push(Cause::required("spec.selector", ""));
    }
    let template_labels = spec.get("template").map(labels_of).unwrap_or_default();
    if !empty
        && let Some(selector) = selector
        && !selector_matches(selector, &template_labels)
    {
        let labels = template_labels
            .iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join(",");
        causes.push(Cause::invalid(
            "spec.template.metadata.labels",
            &format!("map[{labels}]"),
            "`selector` does not match template `labels`",
        ));
    }
    pod_spec(spec.pointer("/template/spec"), "spec.template.spec", causes);
}

/// Whether a LabelSelector object (matchLabels/matchExpressions) selects `labels`.
pub fn selector_matches(
    selector: &Value,
    labels: &std::collections::BTreeMap<String, String>,
) -> bool {
    let labels_ok = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let expressions_ok = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e.get("key").and_then(Value::as_str).unwrap_or_default();
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match e.get("operator").and_then(Value::as_str) {
                Some("In") => labels
                    .get(key)
                    .is_some_and(|l| values.contains(&l.as_str())),
                Some("NotIn") => labels
                    .get(key)
                    .is_none_or(|l| !values.contains(&l.as_str())),
                Some("Exists") => labels.contains_key(key),
                Some("DoesNotExist") => !labels.contains_key(key),
                _ => false,
            }
        });
    labels_ok && expressions_ok
}

fn service(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").cloned().unwrap_or(Value::Null);
    let kind = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP");
    let types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
    if !types.contains(&kind) {
        causes.push(Cause::not_supported("spec.type", kind, &types));
    }
    let ports = spec
        .get("ports")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if ports.is_empty()
        && kind != "ExternalName"
        && spec.get("clusterIP").and_then(Value::as_str) != Some("None")
    {
        causes.push(Cause::required("spec.ports", ""));
    }
    let mut names = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let field = format!("spec.ports[{i}]");
        let name = port.get("name").and_then(Value::as_str).unwrap_or_default();
        if ports.len() > 1 && name.is_empty() {
            causes.push(Cause::required(format!("{field}.name"), ""));
        } else if !name.is_empty() && names.contains(&name) {
            causes.push(Cause::duplicate(format!("{field}.name"), name));
        }
        names.push(name);
        match port.get("port").and_then(Value::as_i64) {
            Some(n) if (1..=65535).contains(&n) => {}
            Some(n) => causes.push(Cause::invalid(
                format!("{field}.port"),
                &n.to_string(),
                "must be between 1 and 65535, inclusive",
            )),
            None => causes.push(Cause::required(format!("{field}.port"), "")),
        }
        if let Some(protocol) = port.get("protocol").and_then(Value::as_str)
            && !["TCP", "UDP", "SCTP"].contains(&protocol)
        {
            causes.push(Cause::not_supported(
                format!("{field}.protocol"),
                protocol,
                &["SCTP", "TCP", "UDP"],
            ));
        }
        if let Some(target) = port.get("targetPort").and_then(Value::as_i64)
            && !(1..=65535).contains(&target)
        {
            causes.push(Cause::invalid(
                format!("{field}.targetPort"),
                &target.to_string(),
                "must be between 1 and 65535, inclusive",
            ));
        }
    }
}

fn data_keys(object: &Value, causes: &mut Vec<Cause>) {
    for field in ["data", "binaryData", "stringData"] {
        for key in object
            .get(field)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            let valid = !key.is_empty()
                && key.len() <= 253
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
            if !valid {
                causes.push(Cause::invalid(
                    format!("{field}[{key}]"),
                    key,
                    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                ));
            }
        }
    }
}
