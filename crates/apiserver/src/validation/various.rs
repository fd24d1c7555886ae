//! Kinds of the smaller groups: policy/v1 PodDisruptionBudgets,
//! scheduling.k8s.io PriorityClasses, node.k8s.io RuntimeClasses,
//! autoscaling HorizontalPodAutoscalers,
//! coordination.k8s.io Leases and certificates.k8s.io signing requests.

use serde_json::Value;

use super::{
    array_at, at_least, immutable, int_at, int_or_percent, label_selector, one_of, required_str,
    str_at,
};
use crate::error::Cause;

pub fn pod_disruption_budget(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let min = spec.get("minAvailable").filter(|v| !v.is_null());
    let max = spec.get("maxUnavailable").filter(|v| !v.is_null());
    if min.is_some() && max.is_some() {
        causes.push(Cause::invalid_value(
            "spec",
            spec,
            "minAvailable and maxUnavailable cannot be both set",
        ));
    }
    for (value, path) in [(min, "spec.minAvailable"), (max, "spec.maxUnavailable")] {
        int_or_percent(value, path, causes);
        if let Some(Value::String(p)) = value
            && p.strip_suffix('%')
                .and_then(|p| p.parse::<i64>().ok())
                .is_some_and(|p| p > 100)
        {
            causes.push(Cause::invalid(path, p, "must not be greater than 100%"));
        }
    }
    label_selector(spec.get("selector"), "spec.selector", causes);
    one_of(
        spec,
        "unhealthyPodEvictionPolicy",
        "spec.unhealthyPodEvictionPolicy",
        &["AlwaysAllow", "IfHealthyBudget"],
        causes,
    );
}

/// The system classes: the only names with the `system-` prefix.
const SYSTEM_CLASSES: &[(&str, i64)] = &[
    ("system-node-critical", 2_000_001_000),
    ("system-cluster-critical", 2_000_000_000),
];
const HIGHEST_USER_PRIORITY: i64 = 1_000_000_000;

pub fn priority_class(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = int_at(object, "value").unwrap_or(0);
    if name.starts_with("system-") {
        let problem = match SYSTEM_CLASSES.iter().find(|(n, _)| *n == name) {
            None => Some(format!("{name} is not a known system priority class")),
            Some((_, wanted)) if *wanted != value => {
                Some(format!("value of {name} PriorityClass must be {wanted}"))
            }
            Some(_) if object.get("globalDefault").and_then(Value::as_bool) == Some(true) => Some(
                format!("globalDefault of {name} PriorityClass must be false"),
            ),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            causes.push(Cause::forbidden(
                "metadata.name",
                &format!(
                    "priority class names with 'system-' prefix are reserved for system use only. error: {problem}"
                ),
            ));
        }
    } else if value > HIGHEST_USER_PRIORITY {
        causes.push(Cause::forbidden(
            "value",
            &format!("maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}"),
        ));
    }
    one_of(
        object,
        "preemptionPolicy",
        "preemptionPolicy",
        &["Never", "PreemptLowerPriority"],
        causes,
    );
    if let Some(old) = old {
        for field in ["value", "preemptionPolicy"] {
            if object.get(field) != old.get(field) {
                causes.push(Cause::forbidden(field, "may not be changed in an update."));
            }
        }
    }
}

const METRIC_TYPES: &[&str] = &[
    "ContainerResource",
    "External",
    "Object",
    "Pods",
    "Resource",
];

pub fn horizontal_pod_autoscaler(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let target = spec.get("scaleTargetRef").unwrap_or(&Value::Null);
    for field in ["kind", "name"] {
        match str_at(target, field).filter(|s| !s.is_empty()) {
            None => causes.push(Cause::required(format!("spec.scaleTargetRef.{field}"), "")),
            Some(text) => {
                if let Err(detail) = api::meta::validate_path_segment(text) {
                    causes.push(Cause::invalid(
                        format!("spec.scaleTargetRef.{field}"),
                        text,
                        &detail,
                    ));
                }
            }
        }
    }
    at_least(spec, "minReplicas", "spec.minReplicas", 1, causes);
    let max = int_at(spec, "maxReplicas").unwrap_or(0);
    if max < 1 {
        causes.push(Cause::invalid_value(
            "spec.maxReplicas",
            &Value::from(max),
            "must be greater than 0",
        ));
    }
    if let Some(min) = int_at(spec, "minReplicas")
        && max < min
    {
        causes.push(Cause::invalid_value(
            "spec.maxReplicas",
            &Value::from(max),
            "must be greater than or equal to `minReplicas`",
        ));
    }
    for (i, metric) in array_at(spec, "metrics").iter().enumerate() {
        let path = format!("spec.metrics[{i}]");
        let kind = str_at(metric, "type").unwrap_or_default();
        let source = match kind {
            "Resource" => "resource",
            "ContainerResource" => "containerResource",
            "Pods" => "pods",
            "Object" => "object",
            "External" => "external",
            "" => {
                causes.push(Cause::required(
                    format!("{path}.type"),
                    "must specify a metric source type",
                ));
                continue;
            }
            other => {
                causes.push(Cause::not_supported(
                    format!("{path}.type"),
                    other,
                    METRIC_TYPES,
                ));
                continue;
            }
        };
        let Some(details) = metric.get(source).filter(|s| !s.is_null()) else {
            causes.push(Cause::required(
                format!("{path}.{source}"),
                "must populate information for the given metric source",
            ));
            continue;
        };
        let metric_target = details.get("target").unwrap_or(&Value::Null);
        let at = format!("{path}.{source}.target");
        match str_at(metric_target, "type") {
            Some("Utilization") => match int_at(metric_target, "averageUtilization") {
                Some(u) if u <= 0 => causes.push(Cause::invalid_value(
                    format!("{at}.averageUtilization"),
                    &Value::from(u),
                    "must be greater than 0",
                )),
                Some(_) => {}
                None => causes.push(Cause::required(
                    format!("{at}.averageUtilization"),
                    "must set either a target raw value or a target utilization",
                )),
            },
            Some("Value" | "AverageValue") => {}
            Some(other) => causes.push(Cause::not_supported(
                format!("{at}.type"),
                other,
                &["AverageValue", "Utilization", "Value"],
            )),
            None => causes.push(Cause::required(
                format!("{at}.type"),
                "must specify a metric target type",
            )),
        }
    }
}

pub fn lease(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    if let Some(duration) = int_at(spec, "leaseDurationSeconds")
        && duration <= 0
    {
        causes.push(Cause::invalid_value(
            "spec.leaseDurationSeconds",
            &Value::from(duration),
            "must be greater than 0",
        ));
    }
    at_least(spec, "leaseTransitions", "spec.leaseTransitions", 0, causes);
}

const KEY_USAGES: &[&str] = &[
    "any",
    "cert sign",
    "client auth",
    "code signing",
    "content commitment",
    "crl sign",
    "data encipherment",
    "decipher only",
    "digital signature",
    "email protection",
    "encipher only",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "key agreement",
    "key encipherment",
    "microsoft sgc",
    "netscape sgc",
    "ocsp signing",
    "s/mime",
    "server auth",
    "signing",
    "timestamping",
];

pub fn certificate_signing_request(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    match str_at(spec, "request").filter(|r| !r.is_empty()) {
        None => causes.push(Cause::required("spec.request", "")),
        Some(encoded) => {
            use base64::Engine;
            let pem = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_default();
            if !pem.contains("-----BEGIN CERTIFICATE REQUEST-----") {
                causes.push(Cause {
                    reason: "FieldValueInvalid",
                    field: "spec.request".into(),
                    message:
                        "Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST"
                            .into(),
                });
            }
        }
    }
    match str_at(spec, "signerName").filter(|s| !s.is_empty()) {
        None => causes.push(Cause::required("spec.signerName", "")),
        Some(signer) => {
            let valid = signer.split_once('/').is_some_and(|(domain, path)| {
                api::meta::validate_dns_subdomain(domain).is_ok() && !path.is_empty()
            });
            if !valid {
                causes.push(Cause::invalid(
                    "spec.signerName",
                    signer,
                    "must be a fully qualified domain and path of the form 'example.com/signer-name'",
                ));
            }
        }
    }
    let usages = array_at(spec, "usages");
    if usages.is_empty() {
        causes.push(Cause::required("spec.usages", "usages must be provided"));
    }
    for (i, usage) in usages.iter().enumerate() {
        let usage = usage.as_str().unwrap_or_default();
        if !KEY_USAGES.contains(&usage) {
            causes.push(Cause::not_supported(
                format!("spec.usages[{i}]"),
                usage,
                KEY_USAGES,
            ));
        }
    }
    if let Some(seconds) = int_at(spec, "expirationSeconds")
        && seconds < 600
    {
        causes.push(Cause::invalid_value(
            "spec.expirationSeconds",
            &Value::from(seconds),
            "may not specify a duration less than 600 seconds (10 minutes)",
        ));
    }
    if let Some(old) = old {
        immutable(object, old, "/spec/request", "spec.request", causes);
        immutable(object, old, "/spec/signerName", "spec.signerName", causes);
        crate::certificates::validate_update(object, old, causes);
    }
}

/// A RuntimeClass names the runtime handler its pods run with: a DNS
/// label, fixed once made.
pub fn runtime_class(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    if let Some(handler) = required_str(object, "handler", "handler", causes)
        && let Err(message) = api::meta::validate_dns_label(handler)
    {
        causes.push(Cause::invalid("handler", handler, &message));
    }
    if let Some(old) = old {
        immutable(object, old, "/handler", "handler", causes);
    }
}

/// An APIService is named `version.group` after its spec, with priorities
/// in upstream's ranges.
pub fn api_service(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let version = str_at(spec, "version").unwrap_or_default();
    let group = str_at(spec, "group").unwrap_or_default();
    if version.is_empty() {
        causes.push(Cause::required("spec.version", ""));
    }
    if name != format!("{version}.{group}") {
        causes.push(Cause::invalid(
            "metadata.name",
            name,
            "must be `spec.version+\".\"+spec.group`",
        ));
    }
    let group_priority = int_at(spec, "groupPriorityMinimum").unwrap_or(0);
    if !(1..=20000).contains(&group_priority) {
        causes.push(Cause::invalid_value(
            "spec.groupPriorityMinimum",
            &Value::from(group_priority),
            "must be positive and less than 20000",
        ));
    }
    let version_priority = int_at(spec, "versionPriority").unwrap_or(0);
    if !(1..=1000).contains(&version_priority) {
        causes.push(Cause::invalid_value(
            "spec.versionPriority",
            &Value::from(version_priority),
            "must be positive and less than 1000",
        ));
    }
}
