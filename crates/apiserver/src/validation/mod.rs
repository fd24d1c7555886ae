//! Per-kind validation: what upstream's validation rejects, rejected with
//! the same field paths and messages, on create and (with the stored
//! object) on update, where upstream also guards immutable fields. Objects
//! arrive in their stored version's shape; one module per API group.

mod admissionregistration;
mod apiextensions;
mod apps;
mod batch;
mod core;
mod flowcontrol;
mod networking;
mod pod;
mod rbac;
mod storage;
mod various;

use api::ResourceInfo;
use serde_json::Value;

use crate::error::Cause;

pub use pod::selector_matches;

/// A custom object's schema violation as a field error.
fn schema_cause(violation: api::schema::Violation) -> Cause {
    use api::schema::Violation;
    match violation {
        Violation::Invalid {
            field,
            value,
            detail,
        } => Cause::invalid_value(field, &value, &detail),
        Violation::Required { field, detail } => Cause::required(field, &detail),
        Violation::Forbidden { field, detail } => Cause::forbidden(field, &detail),
        Violation::NotSupported {
            field,
            value,
            supported,
        } => Cause {
            reason: "FieldValueNotSupported",
            field,
            message: format!(
                "Unsupported value: {}: supported values: {}",
                crate::error::go_value(&value),
                supported
                    .iter()
                    .map(crate::error::go_value)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        Violation::TooLong { field, max } => Cause::too_long(field, max as usize),
        Violation::TooMany { field, actual, max } => Cause::too_many(field, actual, max as usize),
        Violation::Duplicate { field, value } => Cause {
            reason: "FieldValueDuplicate",
            field,
            message: format!("Duplicate value: {}", crate::error::go_value(&value)),
        },
    }
}

/// A custom kind's validation rules over `object`. They run on a thread of
/// their own; the worker waiting for them hands its other tasks over.
fn run_rules(
    schema: &api::schema::Schema,
    object: &Value,
    old: Option<&Value>,
) -> Vec<api::schema::Violation> {
    let run = || api::cel::validate(schema, object, old);
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(run)
        }
        _ => run(),
    }
}

/// Validates `object` of the kind `served` names (requested at its
/// version); `old` is the stored object on update.
pub fn validate(
    served: &ResourceInfo,
    object: &Value,
    old: Option<&Value>,
) -> Result<(), Vec<Cause>> {
    let mut causes = Vec::new();
    let c = &mut causes;
    if let Some(schema) = served
        .custom
        .as_ref()
        .and_then(|custom| custom.schema.as_ref())
    {
        c.extend(schema.validate(object).into_iter().map(schema_cause));
        if schema.has_rules {
            c.extend(run_rules(schema, object, old).into_iter().map(schema_cause));
        }
    }
    match served.builtin_kind() {
        "CustomResourceDefinition" => apiextensions::definition(object, old, c),
        "ValidatingWebhookConfiguration" => {
            admissionregistration::webhook_configuration(object, false, c)
        }
        "MutatingWebhookConfiguration" => {
            admissionregistration::webhook_configuration(object, true, c)
        }
        "Pod" => pod::pod(object, old, c),
        "PodTemplate" => pod::pod_template(object.get("template"), "template", c),
        "ReplicationController" => apps::replication_controller(object, c),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            apps::workload(&served.kind, object, old, c)
        }
        "ControllerRevision" => apps::controller_revision(object, old, c),
        "Job" => batch::job(object, old, c),
        "CronJob" => batch::cron_job(object, c),
        "Service" => core::service(object, old, c),
        "ConfigMap" | "Secret" => core::config_data(&served.kind, object, old, c),
        "Node" => core::node(object, c),
        "PersistentVolume" => core::persistent_volume(object, c),
        "PersistentVolumeClaim" => core::persistent_volume_claim(object, old, c),
        "Endpoints" => core::endpoints(object, c),
        "Event" => core::event(served.group == "events.k8s.io", object, c),
        "LimitRange" => core::limit_range(object, c),
        "ResourceQuota" => core::resource_quota(object, c),
        "Role" | "ClusterRole" => rbac::role(served.builtin_kind() == "Role", object, c),
        "RoleBinding" | "ClusterRoleBinding" => {
            rbac::binding(served.builtin_kind() == "RoleBinding", object, old, c)
        }
        "Ingress" => networking::ingress(object, c),
        "IngressClass" => networking::ingress_class(object, old, c),
        "NetworkPolicy" => networking::network_policy(object, c),
        "EndpointSlice" => networking::endpoint_slice(object, old, c),
        "StorageClass" => storage::storage_class(object, old, c),
        "CSIDriver" => storage::csi_driver(object, old, c),
        "VolumeAttachment" => storage::volume_attachment(object, old, c),
        "PodDisruptionBudget" => various::pod_disruption_budget(object, c),
        "PriorityClass" => various::priority_class(object, old, c),
        "RuntimeClass" => various::runtime_class(object, old, c),
        "APIService" => various::api_service(object, c),
        "FlowSchema" => flowcontrol::flow_schema(object, c),
        "PriorityLevelConfiguration" => flowcontrol::priority_level(object, c),
        "HorizontalPodAutoscaler" => various::horizontal_pod_autoscaler(object, c),
        "Lease" => various::lease(object, c),
        "CertificateSigningRequest" => various::certificate_signing_request(object, old, c),
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(causes)
    }
}

// Small readers and checks shared by the kinds' rules.

fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn int_at(value: &Value, key: &str) -> Option<i64> {
    value.get(key).and_then(Value::as_i64)
}

fn array_at<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A string field that must be set and non-empty.
fn required_str<'a>(
    value: &'a Value,
    key: &str,
    path: &str,
    causes: &mut Vec<Cause>,
) -> Option<&'a str> {
    match str_at(value, key).filter(|s| !s.is_empty()) {
        Some(s) => Some(s),
        None => {
            causes.push(Cause::required(path, ""));
            None
        }
    }
}

/// A string field that, when set, must be one of `supported`.
fn one_of(value: &Value, key: &str, path: &str, supported: &[&str], causes: &mut Vec<Cause>) {
    if let Some(s) = str_at(value, key)
        && !supported.contains(&s)
    {
        causes.push(Cause::not_supported(path, s, supported));
    }
}

/// An integer field that, when set, must be at least `min`.
fn at_least(value: &Value, key: &str, path: &str, min: i64, causes: &mut Vec<Cause>) {
    if let Some(n) = int_at(value, key)
        && n < min
    {
        let detail = if min == 0 {
            "must be greater than or equal to 0".to_string()
        } else {
            format!("must be greater than or equal to {min}")
        };
        causes.push(Cause::invalid_value(path, &Value::from(n), &detail));
    }
}

/// An integer field that, when set, must be a port number.
fn port_number(value: &Value, key: &str, path: &str, causes: &mut Vec<Cause>) {
    if let Some(n) = int_at(value, key)
        && !(1..=65535).contains(&n)
    {
        causes.push(Cause::invalid_value(
            path,
            &Value::from(n),
            "must be between 1 and 65535, inclusive",
        ));
    }
}

/// `field is immutable` when the value at `pointer` changed.
fn immutable(new: &Value, old: &Value, pointer: &str, path: &str, causes: &mut Vec<Cause>) {
    let (now, before) = (new.pointer(pointer), old.pointer(pointer));
    if now != before {
        causes.push(Cause::invalid_value(
            path,
            now.unwrap_or(&Value::Null),
            "field is immutable",
        ));
    }
}

/// A metav1.LabelSelector: valid keys, values and operators.
fn label_selector(selector: Option<&Value>, path: &str, causes: &mut Vec<Cause>) {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return;
    };
    for (key, value) in selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Err(detail) = api::meta::validate_label_key(key) {
            causes.push(Cause::invalid(format!("{path}.matchLabels"), key, &detail));
        }
        if let Err(detail) = api::meta::validate_label_value(value.as_str().unwrap_or_default()) {
            causes.push(Cause::invalid(
                format!("{path}.matchLabels"),
                value.as_str().unwrap_or_default(),
                &detail,
            ));
        }
    }
    for (i, expression) in array_at(selector, "matchExpressions").iter().enumerate() {
        let field = format!("{path}.matchExpressions[{i}]");
        let key = str_at(expression, "key").unwrap_or_default();
        if let Err(detail) = api::meta::validate_label_key(key) {
            causes.push(Cause::invalid(format!("{field}.key"), key, &detail));
        }
        let values = array_at(expression, "values");
        match str_at(expression, "operator").unwrap_or_default() {
            "In" | "NotIn" if values.is_empty() => causes.push(Cause::required(
                format!("{field}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if !values.is_empty() => causes.push(Cause::forbidden(
                format!("{field}.values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => causes.push(Cause::not_supported(
                format!("{field}.operator"),
                other,
                &["In", "NotIn", "Exists", "DoesNotExist"],
            )),
        }
    }
}

/// Whether a selector object selects nothing in particular (no labels, no
/// expressions).
fn selector_is_empty(selector: Option<&Value>) -> bool {
    selector.is_none_or(|s| {
        s.get("matchLabels")
            .and_then(Value::as_object)
            .is_none_or(|m| m.is_empty())
            && array_at(s, "matchExpressions").is_empty()
    })
}

/// An int-or-percent field (`maxSurge`, `minAvailable`): a non-negative
/// integer or a percentage string.
fn int_or_percent(value: Option<&Value>, path: &str, causes: &mut Vec<Cause>) {
    match value {
        Some(Value::Number(n)) if n.as_i64().is_some_and(|n| n < 0) => {
            causes.push(Cause::invalid_value(
                path,
                &Value::Number(n.clone()),
                "must be greater than or equal to 0",
            ))
        }
        Some(Value::String(s)) => match s.strip_suffix('%').map(str::parse::<i64>) {
            Some(Ok(p)) if p >= 0 => {}
            Some(Ok(_)) => causes.push(Cause::invalid(
                path,
                s,
                "must be greater than or equal to 0",
            )),
            _ => causes.push(Cause::invalid(
                path,
                s,
                "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
            )),
        },
        _ => {}
    }
}

/// Whether an int-or-percent value is zero (0 or "0%").
fn is_zero(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Number(n)) => n.as_i64() == Some(0),
        Some(Value::String(s)) => s == "0%" || s == "0",
        _ => false,
    }
}

/// Each value of a resource list (`requests`, `hard`, `capacity`) must be
/// a quantity and not negative.
fn resource_list(list: Option<&Value>, path: &str, causes: &mut Vec<Cause>) {
    for (name, quantity) in list.and_then(Value::as_object).into_iter().flatten() {
        let text = match quantity {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        if !api::quantity::is_valid(&text) {
            causes.push(Cause::invalid(
                format!("{path}[{name}]"),
                &text,
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ));
        } else if text.starts_with('-') {
            causes.push(Cause::invalid(
                format!("{path}[{name}]"),
                &text,
                "must be greater than or equal to 0",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn info(group: &str, kind: &str) -> &'static ResourceInfo {
        api::RESOURCES
            .iter()
            .find(|r| r.group == group && r.kind == kind)
            .unwrap()
    }

    fn messages(group: &str, kind: &str, object: Value, old: Option<Value>) -> Vec<String> {
        match validate(info(group, kind), &object, old.as_ref()) {
            Ok(()) => Vec::new(),
            Err(causes) => causes
                .into_iter()
                .map(|c| format!("{}: {}", c.field, c.message))
                .collect(),
        }
    }

    #[test]
    fn immutable_selectors_are_printed_as_upstream_prints_them() {
        let deploy = |app: &str| {
            json!({"spec": {"selector": {"matchLabels": {"app": app}},
                "template": {"metadata": {"labels": {"app": app}},
                    "spec": {"containers": [{"name": "c", "image": "i"}]}}}})
        };
        assert_eq!(
            messages("apps", "Deployment", deploy("b"), Some(deploy("a"))),
            [
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
            ]
        );
    }

    #[test]
    fn every_group_has_rules() {
        let cases = [
            (
                "rbac.authorization.k8s.io",
                "Role",
                json!({"rules": [{"resources": ["pods"]}]}),
                "rules[0].verbs: Required value: verbs must contain at least one value",
            ),
            (
                "rbac.authorization.k8s.io",
                "RoleBinding",
                json!({"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Pod", "name": "x"}}),
                "roleRef.kind: Unsupported value: \"Pod\": supported values: \"Role\", \"ClusterRole\"",
            ),
            (
                "networking.k8s.io",
                "Ingress",
                json!({"spec": {"rules": [{"host": "a.com", "http": {"paths": [{"path": "/", "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}}]}}),
                "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
            ),
            (
                "storage.k8s.io",
                "StorageClass",
                json!({}),
                "provisioner: Required value",
            ),
            (
                "policy",
                "PodDisruptionBudget",
                json!({"spec": {"minAvailable": 1, "maxUnavailable": 1}}),
                "minAvailable and maxUnavailable cannot be both set",
            ),
            (
                "scheduling.k8s.io",
                "PriorityClass",
                json!({"metadata": {"name": "big"}, "value": 2000000000}),
                "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
            ),
            (
                "autoscaling",
                "HorizontalPodAutoscaler",
                json!({"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d"}, "minReplicas": 3, "maxReplicas": 2}}),
                "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
            ),
            (
                "batch",
                "CronJob",
                json!({"spec": {"schedule": "* * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}}}),
                "spec.schedule: Invalid value: \"* * *\": expected exactly 5 fields, found 3: \"* * *\"",
            ),
            (
                "",
                "PersistentVolumeClaim",
                json!({"spec": {"resources": {"requests": {"storage": "1Gi"}}}}),
                "spec.accessModes: Required value: at least 1 access mode is required",
            ),
            (
                "coordination.k8s.io",
                "Lease",
                json!({"spec": {"leaseDurationSeconds": 0}}),
                "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
            ),
        ];
        for (group, kind, object, expected) in cases {
            let found = messages(group, kind, object, None);
            assert!(
                found.iter().any(|m| m.ends_with(expected)),
                "{kind}: {found:?}"
            );
        }
    }
}
