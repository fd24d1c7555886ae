//! flowcontrol.apiserver.k8s.io: FlowSchemas and PriorityLevelConfigurations,
//! with the mandatory objects' specs fixed.

use serde_json::Value;

use super::{array_at, int_at, str_at};
use crate::error::Cause;

const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "proxy",
    "update",
    "watch",
];

fn strings(value: &Value, key: &str) -> Vec<String> {
    array_at(value, key)
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

fn has_wildcard(items: &[String]) -> bool {
    items.iter().any(|item| item == "*")
}

fn name_of(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub fn flow_schema(object: &Value, causes: &mut Vec<Cause>) {
    let name = name_of(object);
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let precedence = int_at(spec, "matchingPrecedence").unwrap_or(0);
    let precedence_value = Value::from(precedence);
    if precedence <= 0 {
        causes.push(Cause::invalid_value(
            "spec.matchingPrecedence",
            &precedence_value,
            "must be a positive value",
        ));
    }
    if precedence > 10000 {
        causes.push(Cause::invalid_value(
            "spec.matchingPrecedence",
            &precedence_value,
            "must not be greater than 10000",
        ));
    }
    if precedence == 1 && name != "exempt" {
        causes.push(Cause::invalid_value(
            "spec.matchingPrecedence",
            &precedence_value,
            "only the schema named 'exempt' may have matchingPrecedence 1",
        ));
    }
    if let Some(method) = spec.get("distinguisherMethod").filter(|m| !m.is_null()) {
        let method = str_at(method, "type").unwrap_or_default();
        if !["ByNamespace", "ByUser"].contains(&method) {
            causes.push(Cause::not_supported(
                "spec.distinguisherMethod.type",
                method,
                &["ByNamespace", "ByUser"],
            ));
        }
    }
    let level = spec
        .pointer("/priorityLevelConfiguration/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if level.is_empty() {
        causes.push(Cause::required(
            "spec.priorityLevelConfiguration.name",
            "must reference a priority level",
        ));
    } else if let Err(message) = api::meta::validate_dns_subdomain(level) {
        causes.push(Cause::invalid(
            "spec.priorityLevelConfiguration.name",
            level,
            &message,
        ));
    }
    for (i, rule) in array_at(spec, "rules").iter().enumerate() {
        policy_rules(rule, &format!("spec.rules[{i}]"), causes);
    }
    if let Some(fixed) = crate::flowcontrol::mandatory_flow_schema(name)
        && spec != &fixed
    {
        causes.push(Cause::invalid_value(
            "spec",
            spec,
            &format!("spec of '{name}' must equal the fixed value"),
        ));
    }
    conditions(object, causes);
}

fn policy_rules(rule: &Value, path: &str, causes: &mut Vec<Cause>) {
    let subjects = array_at(rule, "subjects");
    if subjects.is_empty() {
        causes.push(Cause::required(
            format!("{path}.subjects"),
            "subjects must contain at least one value",
        ));
    }
    for (i, subject) in subjects.iter().enumerate() {
        self::subject(subject, &format!("{path}.subjects[{i}]"), causes);
    }
    let resource_rules = array_at(rule, "resourceRules");
    let non_resource_rules = array_at(rule, "nonResourceRules");
    if resource_rules.is_empty() && non_resource_rules.is_empty() {
        causes.push(Cause::required(
            path,
            "at least one of resourceRules and nonResourceRules has to be non-empty",
        ));
    }
    for (i, rule) in resource_rules.iter().enumerate() {
        resource_rule(rule, &format!("{path}.resourceRules[{i}]"), causes);
    }
    for (i, rule) in non_resource_rules.iter().enumerate() {
        non_resource_rule(rule, &format!("{path}.nonResourceRules[{i}]"), causes);
    }
}

fn subject(subject: &Value, path: &str, causes: &mut Vec<Cause>) {
    let present = |key: &str| subject.get(key).is_some_and(|v| !v.is_null());
    let kind = str_at(subject, "kind").unwrap_or_default();
    let (own, others): (&str, &[(&str, &str)]) = match kind {
        "ServiceAccount" => (
            "serviceAccount",
            &[
                ("user", "user is forbidden when subject kind is not 'User'"),
                (
                    "group",
                    "group is forbidden when subject kind is not 'Group'",
                ),
            ],
        ),
        "User" => (
            "user",
            &[
                (
                    "serviceAccount",
                    "serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
                ),
                (
                    "group",
                    "group is forbidden when subject kind is not 'Group'",
                ),
            ],
        ),
        "Group" => (
            "group",
            &[
                (
                    "serviceAccount",
                    "serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
                ),
                ("user", "user is forbidden when subject kind is not 'User'"),
            ],
        ),
        _ => {
            causes.push(Cause::not_supported(
                format!("{path}.kind"),
                kind,
                &["Group", "ServiceAccount", "User"],
            ));
            return;
        }
    };
    match subject.get(own).filter(|v| !v.is_null()) {
        None => causes.push(Cause::required(
            format!("{path}.{own}"),
            &format!("{own} is required when subject kind is '{kind}'"),
        )),
        Some(named) => {
            let name = str_at(named, "name").unwrap_or_default();
            if name.is_empty() {
                causes.push(Cause::required(format!("{path}.{own}.name"), ""));
            }
            if kind == "ServiceAccount" {
                if !name.is_empty()
                    && name != "*"
                    && let Err(message) = api::meta::validate_dns_subdomain(name)
                {
                    causes.push(Cause::invalid(format!("{path}.{own}.name"), name, &message));
                }
                let namespace = str_at(named, "namespace").unwrap_or_default();
                if namespace.is_empty() {
                    causes.push(Cause::required(
                        format!("{path}.{own}.namespace"),
                        "must specify namespace for service account",
                    ));
                } else if let Err(message) = api::meta::validate_dns_label(namespace) {
                    causes.push(Cause::invalid(
                        format!("{path}.{own}.namespace"),
                        namespace,
                        &message,
                    ));
                }
            }
        }
    }
    for (key, message) in others {
        if present(key) {
            causes.push(Cause::forbidden(format!("{path}.{key}"), message));
        }
    }
}

/// `verbs` of a rule: at least one, `*` alone, or upstream's verbs.
fn verbs(rule: &Value, path: &str, causes: &mut Vec<Cause>) {
    let verbs = strings(rule, "verbs");
    if verbs.is_empty() {
        causes.push(Cause::required(
            format!("{path}.verbs"),
            "verbs must contain at least one value",
        ));
    } else if has_wildcard(&verbs) {
        if verbs.len() > 1 {
            causes.push(Cause::invalid_value(
                format!("{path}.verbs"),
                &rule["verbs"],
                "if '*' is present, must not specify other verbs",
            ));
        }
    } else if let Some(unknown) = verbs.iter().find(|v| !VERBS.contains(&v.as_str())) {
        causes.push(Cause::not_supported(
            format!("{path}.verbs"),
            unknown,
            VERBS,
        ));
    }
}

/// A list that must not be empty and may hold `*` only alone.
fn listed(
    rule: &Value,
    key: &str,
    path: &str,
    required: &str,
    what: &str,
    causes: &mut Vec<Cause>,
) {
    let items = strings(rule, key);
    if items.is_empty() {
        causes.push(Cause::required(format!("{path}.{key}"), required));
    } else if items.len() > 1 && has_wildcard(&items) {
        causes.push(Cause::invalid_value(
            format!("{path}.{key}"),
            &rule[key],
            &format!("if '*' is present, must not specify other {what}"),
        ));
    }
}

fn resource_rule(rule: &Value, path: &str, causes: &mut Vec<Cause>) {
    verbs(rule, path, causes);
    listed(
        rule,
        "apiGroups",
        path,
        "resource rules must supply at least one api group",
        "api groups",
        causes,
    );
    listed(
        rule,
        "resources",
        path,
        "resource rules must supply at least one resource",
        "resources",
        causes,
    );
    let namespaces = strings(rule, "namespaces");
    let cluster_scope = rule
        .get("clusterScope")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if namespaces.is_empty() && !cluster_scope {
        causes.push(Cause::required(
            format!("{path}.namespaces"),
            "resource rules that are not cluster scoped must supply at least one namespace",
        ));
    } else if has_wildcard(&namespaces) {
        if namespaces.len() > 1 {
            causes.push(Cause::invalid_value(
                format!("{path}.namespaces"),
                &rule["namespaces"],
                "if '*' is present, must not specify other namespaces",
            ));
        }
    } else {
        for (i, namespace) in namespaces.iter().enumerate() {
            if let Err(message) = api::meta::validate_dns_label(namespace) {
                causes.push(Cause::invalid(
                    format!("{path}.namespaces[{i}]"),
                    namespace,
                    &format!("each member of this list must be '*' or a DNS-1123 label; {message}"),
                ));
            }
        }
    }
}

fn non_resource_rule(rule: &Value, path: &str, causes: &mut Vec<Cause>) {
    verbs(rule, path, causes);
    let urls = strings(rule, "nonResourceURLs");
    if urls.is_empty() {
        causes.push(Cause::required(
            format!("{path}.nonResourceURLs"),
            "nonResourceURLs must contain at least one value",
        ));
    } else if has_wildcard(&urls) {
        if urls.len() > 1 {
            causes.push(Cause::invalid_value(
                format!("{path}.nonResourceURLs"),
                &rule["nonResourceURLs"],
                "if '*' is present, must not specify other non-resource URLs",
            ));
        }
    } else {
        for (i, url) in urls.iter().enumerate() {
            if let Some(problem) = url_problem(url) {
                causes.push(Cause::invalid(
                    format!("{path}.nonResourceURLs[{i}]"),
                    url,
                    problem,
                ));
            }
        }
    }
}

/// What is wrong with a non-resource URL pattern, as upstream checks it.
fn url_problem(url: &str) -> Option<&'static str> {
    if url.is_empty() {
        return Some("must not be empty");
    }
    if url == "/" {
        return None;
    }
    if !url.starts_with('/') {
        return Some("must start with slash");
    }
    if url.contains(' ') {
        return Some("must not contain white-space");
    }
    if url.contains("//") {
        return Some("must not contain double slash");
    }
    let wildcards = url.matches('*').count();
    if wildcards > 1 || (wildcards == 1 && !url.ends_with("/*")) {
        return Some("wildcard can only do suffix matching");
    }
    None
}

/// Condition types are set and not repeated.
fn conditions(object: &Value, causes: &mut Vec<Cause>) {
    let mut seen = Vec::new();
    let conditions = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, condition) in conditions.iter().enumerate() {
        let kind = str_at(condition, "type").unwrap_or_default();
        if kind.is_empty() {
            causes.push(Cause::required(
                format!("status.conditions[{i}].type"),
                "must not be empty",
            ));
        } else if seen.contains(&kind) {
            causes.push(Cause::duplicate(
                format!("status.conditions[{i}].type"),
                kind,
            ));
        }
        seen.push(kind);
    }
}

pub fn priority_level(object: &Value, causes: &mut Vec<Cause>) {
    let name = name_of(object);
    let spec = object.get("spec").unwrap_or(&Value::Null);
    let kind = str_at(spec, "type").unwrap_or_default();
    let present = |key: &str| spec.get(key).is_some_and(|v| !v.is_null());
    if (name == "exempt") != (kind == "Exempt") {
        causes.push(Cause::invalid(
            "spec.type",
            kind,
            "type must be 'Exempt' if and only if name is 'exempt'",
        ));
    }
    match kind {
        "Exempt" => {
            if present("limited") {
                causes.push(Cause::forbidden(
                    "spec.limited",
                    "must be nil if the type is not Limited",
                ));
            }
            if let Some(exempt) = spec.get("exempt") {
                shares_and_lending(exempt, "spec.exempt", causes);
            }
        }
        "Limited" => {
            if present("exempt") {
                causes.push(Cause::forbidden(
                    "spec.exempt",
                    "must be nil if the type is Limited",
                ));
            }
            match spec.get("limited").filter(|l| !l.is_null()) {
                None => causes.push(Cause::required(
                    "spec.limited",
                    "must not be empty when type is Limited",
                )),
                Some(limited) => {
                    shares_and_lending(limited, "spec.limited", causes);
                    if let Some(percent) = int_at(limited, "borrowingLimitPercent")
                        && percent < 0
                    {
                        causes.push(Cause::invalid_value(
                            "spec.limited.borrowingLimitPercent",
                            &Value::from(percent),
                            "if specified, must be a non-negative integer",
                        ));
                    }
                    limit_response(limited.get("limitResponse").unwrap_or(&Value::Null), causes);
                }
            }
        }
        _ => causes.push(Cause::not_supported(
            "spec.type",
            kind,
            &["Exempt", "Limited"],
        )),
    }
    if let Some(fixed) = crate::flowcontrol::mandatory_priority_level(name) {
        // The exempt level's `exempt` may be tuned; nothing else may change.
        let mut compared = spec.clone();
        if name == "exempt" && compared.is_object() {
            compared["exempt"] = fixed["exempt"].clone();
        }
        if compared != fixed {
            let detail = if name == "exempt" {
                format!(
                    "spec of '{name}' except the 'spec.exempt' field must equal the fixed value"
                )
            } else {
                format!("spec of '{name}' must equal the fixed value")
            };
            causes.push(Cause::invalid_value("spec", spec, &detail));
        }
    }
    conditions(object, causes);
}

fn shares_and_lending(config: &Value, path: &str, causes: &mut Vec<Cause>) {
    if let Some(shares) = int_at(config, "nominalConcurrencyShares")
        && shares < 0
    {
        causes.push(Cause::invalid_value(
            format!("{path}.nominalConcurrencyShares"),
            &Value::from(shares),
            "must be a non-negative integer",
        ));
    }
    if let Some(percent) = int_at(config, "lendablePercent")
        && !(0..=100).contains(&percent)
    {
        causes.push(Cause::invalid_value(
            format!("{path}.lendablePercent"),
            &Value::from(percent),
            "must be between 0 and 100, inclusive",
        ));
    }
}

fn limit_response(response: &Value, causes: &mut Vec<Cause>) {
    let path = "spec.limited.limitResponse";
    let queuing = response.get("queuing").filter(|q| !q.is_null());
    match str_at(response, "type").unwrap_or_default() {
        "Reject" => {
            if queuing.is_some() {
                causes.push(Cause::forbidden(
                    format!("{path}.queuing"),
                    "must be nil if limited.limitResponse.type is not Limited",
                ));
            }
        }
        "Queue" => match queuing {
            None => causes.push(Cause::required(
                format!("{path}.queuing"),
                "must not be empty if limited.limitResponse.type is Limited",
            )),
            Some(queuing) => self::queuing(queuing, &format!("{path}.queuing"), causes),
        },
        other => causes.push(Cause::not_supported(
            format!("{path}.type"),
            other,
            &["Queue", "Reject"],
        )),
    }
}

fn queuing(queuing: &Value, path: &str, causes: &mut Vec<Cause>) {
    let queue_length_limit = int_at(queuing, "queueLengthLimit").unwrap_or(0);
    if queue_length_limit <= 0 {
        causes.push(Cause::invalid_value(
            format!("{path}.queueLengthLimit"),
            &Value::from(queue_length_limit),
            "must be positive",
        ));
    }
    let queues = int_at(queuing, "queues").unwrap_or(0);
    if queues <= 0 {
        causes.push(Cause::invalid_value(
            format!("{path}.queues"),
            &Value::from(queues),
            "must be positive",
        ));
    } else if queues > 10_000_000 {
        causes.push(Cause::invalid_value(
            format!("{path}.queues"),
            &Value::from(queues),
            "must not be greater than 10000000",
        ));
    }
    let hand_size = int_at(queuing, "handSize").unwrap_or(0);
    if hand_size <= 0 {
        causes.push(Cause::invalid_value(
            format!("{path}.handSize"),
            &Value::from(hand_size),
            "must be positive",
        ));
    } else if hand_size > queues {
        causes.push(Cause::invalid_value(
            format!("{path}.handSize"),
            &Value::from(hand_size),
            &format!("should not be greater than queues ({queues})"),
        ));
    } else if entropy_bits(queues, hand_size) > 60 {
        causes.push(Cause::invalid_value(
            format!("{path}.handSize"),
            &Value::from(hand_size),
            &format!(
                "required entropy bits of deckSize {queues} and handSize {hand_size} should not be greater than 60"
            ),
        ));
    }
}

/// Bits of hash shuffle sharding takes to deal `hand` cards of `deck`, as
/// upstream counts them: hand * log2(deck), rounded up.
fn entropy_bits(deck: i64, hand: i64) -> u32 {
    ((deck as f64).log2() * hand as f64).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_sharding_entropy_is_bounded() {
        assert!(entropy_bits(128, 6) <= 60);
        assert!(entropy_bits(10_000_000, 5) > 60);
    }

    #[test]
    fn non_resource_urls_glob_only_at_the_end() {
        assert_eq!(url_problem("/healthz"), None);
        assert_eq!(url_problem("/apis/*"), None);
        assert_eq!(
            url_problem("/a*/b"),
            Some("wildcard can only do suffix matching")
        );
        assert_eq!(url_problem("healthz"), Some("must start with slash"));
    }
}
