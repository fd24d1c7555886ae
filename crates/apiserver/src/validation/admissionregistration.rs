//! admissionregistration.k8s.io: webhook configurations, refused when a
//! webhook could not be called as written (upstream's field paths and
//! messages).

use serde_json::Value;

use super::{array_at, str_at};
use crate::error::Cause;

/// A Validating- or MutatingWebhookConfiguration.
pub fn webhook_configuration(object: &Value, mutating: bool, c: &mut Vec<Cause>) {
    let mut names = Vec::new();
    for (i, hook) in array_at(object, "webhooks").iter().enumerate() {
        let at = format!("webhooks[{i}]");
        let name = str_at(hook, "name").unwrap_or_default();
        if name.is_empty() {
            c.push(Cause::required(format!("{at}.name"), ""));
        } else if let Err(err) = api::meta::validate_dns_subdomain(name) {
            c.push(Cause::invalid(format!("{at}.name"), name, &err));
        } else if name.split('.').count() < 3 {
            c.push(Cause::invalid(
                format!("{at}.name"),
                name,
                "should be a domain with at least three segments separated by dots",
            ));
        }
        if names.contains(&name) {
            c.push(Cause::duplicate(format!("{at}.name"), name));
        }
        names.push(name);
        review_versions(hook, &at, c);
        match str_at(hook, "sideEffects").filter(|s| !s.is_empty()) {
            None => c.push(Cause::required(
                format!("{at}.sideEffects"),
                "must specify one of None, NoneOnDryRun",
            )),
            Some("None" | "NoneOnDryRun") => {}
            Some(other) => c.push(Cause::not_supported(
                format!("{at}.sideEffects"),
                other,
                &["None", "NoneOnDryRun"],
            )),
        }
        if let Some(timeout) = hook.get("timeoutSeconds").and_then(Value::as_i64)
            && !(1..=30).contains(&timeout)
        {
            c.push(Cause::invalid_value(
                format!("{at}.timeoutSeconds"),
                &Value::from(timeout),
                "the timeout value must be between 1 and 30 seconds",
            ));
        }
        one_of(hook, &at, "failurePolicy", &["Fail", "Ignore"], c);
        one_of(hook, &at, "matchPolicy", &["Equivalent", "Exact"], c);
        if mutating {
            one_of(hook, &at, "reinvocationPolicy", &["IfNeeded", "Never"], c);
        }
        client_config(hook.get("clientConfig"), &format!("{at}.clientConfig"), c);
        match_conditions(hook, &at, c);
        for (j, rule) in array_at(hook, "rules").iter().enumerate() {
            let at = format!("{at}.rules[{j}]");
            for field in ["operations", "apiGroups", "apiVersions", "resources"] {
                if array_at(rule, field).is_empty() {
                    c.push(Cause::required(format!("{at}.{field}"), ""));
                }
            }
            for (k, operation) in array_at(rule, "operations").iter().enumerate() {
                let operation = operation.as_str().unwrap_or_default();
                if !["*", "CREATE", "UPDATE", "DELETE", "CONNECT"].contains(&operation) {
                    c.push(Cause::not_supported(
                        format!("{at}.operations[{k}]"),
                        operation,
                        &["*", "CONNECT", "CREATE", "DELETE", "UPDATE"],
                    ));
                }
            }
            one_of(rule, &at, "scope", &["*", "Cluster", "Namespaced"], c);
        }
    }
}

/// At most 64 `matchConditions`, each named once and compiling.
fn match_conditions(hook: &Value, at: &str, c: &mut Vec<Cause>) {
    let conditions = array_at(hook, "matchConditions");
    if conditions.len() > 64 {
        c.push(Cause::too_many(
            format!("{at}.matchConditions"),
            conditions.len(),
            64,
        ));
    }
    let mut names = Vec::new();
    for (i, condition) in conditions.iter().enumerate() {
        let at = format!("{at}.matchConditions[{i}]");
        let name = str_at(condition, "name").unwrap_or_default();
        if name.is_empty() {
            c.push(Cause::required(format!("{at}.name"), ""));
        } else if names.contains(&name) {
            c.push(Cause::duplicate(format!("{at}.name"), name));
        }
        names.push(name);
        let expression = str_at(condition, "expression").unwrap_or_default();
        if expression.is_empty() {
            c.push(Cause::required(format!("{at}.expression"), ""));
        } else if let Err(detail) = api::cel::Expression::compile(expression) {
            c.push(Cause::invalid(
                format!("{at}.expression"),
                expression,
                &detail,
            ));
        }
    }
}

fn one_of(object: &Value, at: &str, field: &str, supported: &[&str], c: &mut Vec<Cause>) {
    if let Some(value) = str_at(object, field)
        && !supported.contains(&value)
    {
        c.push(Cause::not_supported(
            format!("{at}.{field}"),
            value,
            supported,
        ));
    }
}

fn review_versions(hook: &Value, at: &str, c: &mut Vec<Cause>) {
    let versions: Vec<&str> = array_at(hook, "admissionReviewVersions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let field = format!("{at}.admissionReviewVersions");
    if versions.is_empty() {
        c.push(Cause::required(field, "must specify one of v1, v1beta1"));
    } else if !versions.iter().any(|v| *v == "v1" || *v == "v1beta1") {
        let shown: Vec<String> = versions.iter().map(|v| format!("{v:?}")).collect();
        c.push(Cause {
            reason: "FieldValueInvalid",
            field,
            message: format!(
                "Invalid value: []string{{{}}}: must include at least one of v1, v1beta1",
                shown.join(", ")
            ),
        });
    }
}

/// A webhook's `clientConfig`: one https URL or one service.
pub fn client_config(config: Option<&Value>, at: &str, c: &mut Vec<Cause>) {
    let url = config.and_then(|c| str_at(c, "url"));
    let service = config
        .and_then(|c| c.get("service"))
        .filter(|s| s.is_object());
    match (url, service) {
        (Some(url), None) => {
            if !url.starts_with("https://") {
                c.push(Cause::invalid(
                    format!("{at}.url"),
                    url,
                    "'https' is the only allowed URL scheme",
                ));
            }
        }
        (None, Some(service)) => {
            for field in ["namespace", "name"] {
                if str_at(service, field).unwrap_or_default().is_empty() {
                    c.push(Cause::required(
                        format!("{at}.service.{field}"),
                        &format!("service {field} is required"),
                    ));
                }
            }
            if let Some(path) = str_at(service, "path")
                && !path.starts_with('/')
            {
                c.push(Cause::invalid(
                    format!("{at}.service.path"),
                    path,
                    "must start with a '/'",
                ));
            }
        }
        _ => c.push(Cause::required(
            at.to_string(),
            "exactly one of url or service is required",
        )),
    }
}
