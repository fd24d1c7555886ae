//! rbac.authorization.k8s.io/v1: roles' rules and bindings' references.

use serde_json::Value;

use super::{array_at, str_at};
use crate::error::Cause;

const GROUP: &str = "rbac.authorization.k8s.io";

pub fn role(namespaced: bool, object: &Value, causes: &mut Vec<Cause>) {
    for (i, rule) in array_at(object, "rules").iter().enumerate() {
        let path = format!("rules[{i}]");
        if array_at(rule, "verbs").is_empty() {
            causes.push(Cause::required(
                format!("{path}.verbs"),
                "verbs must contain at least one value",
            ));
        }
        let urls = rule
            .get("nonResourceURLs")
            .filter(|u| u.as_array().is_some_and(|u| !u.is_empty()));
        if let Some(urls) = urls {
            if namespaced {
                causes.push(Cause::invalid_value(
                    format!("{path}.nonResourceURLs"),
                    urls,
                    "namespaced rules cannot apply to non-resource URLs",
                ));
            }
            if ["apiGroups", "resources", "resourceNames"]
                .iter()
                .any(|f| !array_at(rule, f).is_empty())
            {
                causes.push(Cause::invalid_value(
                    format!("{path}.nonResourceURLs"),
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                ));
            }
            continue;
        }
        if array_at(rule, "apiGroups").is_empty() {
            causes.push(Cause::required(
                format!("{path}.apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
        if array_at(rule, "resources").is_empty() {
            causes.push(Cause::required(
                format!("{path}.resources"),
                "resource rules must supply at least one resource",
            ));
        }
    }
}

pub fn binding(namespaced: bool, object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    let role_ref = object.get("roleRef").unwrap_or(&Value::Null);
    let group = str_at(role_ref, "apiGroup").unwrap_or_default();
    if group != GROUP {
        causes.push(Cause::not_supported("roleRef.apiGroup", group, &[GROUP]));
    }
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    let kind = str_at(role_ref, "kind").unwrap_or_default();
    if !kinds.contains(&kind) {
        causes.push(Cause::not_supported("roleRef.kind", kind, kinds));
    }
    match str_at(role_ref, "name").filter(|n| !n.is_empty()) {
        None => causes.push(Cause::required("roleRef.name", "")),
        Some(name) => {
            if let Err(detail) = api::meta::validate_path_segment(name) {
                causes.push(Cause::invalid("roleRef.name", name, &detail));
            }
        }
    }
    for (i, subject) in array_at(object, "subjects").iter().enumerate() {
        subject_rules(subject, namespaced, &format!("subjects[{i}]"), causes);
    }
    if let Some(old) = old
        && old.get("roleRef") != object.get("roleRef")
    {
        causes.push(Cause {
            reason: "FieldValueInvalid",
            field: "roleRef".into(),
            message: format!(
                "Invalid value: rbac.RoleRef{{APIGroup:{group:?}, Kind:{kind:?}, Name:{:?}}}: cannot change roleRef",
                str_at(role_ref, "name").unwrap_or_default()
            ),
        });
    }
}

fn subject_rules(subject: &Value, namespaced: bool, path: &str, causes: &mut Vec<Cause>) {
    let name = str_at(subject, "name").unwrap_or_default();
    if name.is_empty() {
        causes.push(Cause::required(format!("{path}.name"), ""));
    }
    let group = str_at(subject, "apiGroup").unwrap_or_default();
    match str_at(subject, "kind").unwrap_or_default() {
        "ServiceAccount" => {
            if !name.is_empty()
                && let Err(detail) = api::meta::validate_dns_subdomain(name)
            {
                causes.push(Cause::invalid(format!("{path}.name"), name, &detail));
            }
            if !group.is_empty() {
                causes.push(Cause::not_supported(
                    format!("{path}.apiGroup"),
                    group,
                    &[""],
                ));
            }
            if !namespaced && str_at(subject, "namespace").is_none_or(str::is_empty) {
                causes.push(Cause::required(format!("{path}.namespace"), ""));
            }
        }
        "User" | "Group" => {
            if group != GROUP {
                causes.push(Cause::not_supported(
                    format!("{path}.apiGroup"),
                    group,
                    &[GROUP],
                ));
            }
        }
        other => causes.push(Cause::not_supported(
            format!("{path}.kind"),
            other,
            &["ServiceAccount", "User", "Group"],
        )),
    }
}
