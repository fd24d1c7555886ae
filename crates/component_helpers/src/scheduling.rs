//! Where a pod may go: taints and tolerations, node selectors and required
//! node affinity, as upstream's `component-helpers/scheduling/corev1`
//! decides them (the scheduler filters nodes with these, the DaemonSet
//! controller places its pods with the same answers).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec, Taint, Toleration,
};

/// Whether `toleration` tolerates `taint` (upstream's ToleratesTaint): an
/// empty effect or key matches any; `Exists` matches any value, `Equal`
/// (or no operator) the taint's value.
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let set = |value: &Option<String>| {
        value
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(effect) = set(&toleration.effect)
        && effect != taint.effect
    {
        return false;
    }
    if let Some(key) = set(&toleration.key)
        && key != taint.key
    {
        return false;
    }
    match toleration.operator.as_deref().unwrap_or("Equal") {
        "" | "Equal" => {
            toleration.value.as_deref().unwrap_or_default()
                == taint.value.as_deref().unwrap_or_default()
        }
        "Exists" => true,
        _ => false,
    }
}

/// The first of `taints` that `filter` picks and no toleration tolerates.
pub fn untolerated_taint<'a>(
    taints: &'a [Taint],
    tolerations: &[Toleration],
    filter: impl Fn(&Taint) -> bool,
) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|taint| filter(taint))
        .find(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
}

/// Whether one requirement holds for a value (`None`: the label or field
/// is absent). `Gt` and `Lt` compare integers.
fn requirement_holds(requirement: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = requirement.values.as_deref().unwrap_or_default();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(have), Some(bound)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|b| b.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if requirement.operator == "Gt" {
                have > bound
            } else {
                have < bound
            }
        }
        _ => false,
    }
}

/// Whether a node selector term matches a node with `labels` and `name`:
/// all its requirements hold, `matchFields` only on `metadata.name`. A
/// term with no requirements matches no node.
pub fn term_matches(
    term: &NodeSelectorTerm,
    labels: &BTreeMap<String, String>,
    name: &str,
) -> bool {
    let expressions = term.match_expressions.as_deref().unwrap_or_default();
    let fields = term.match_fields.as_deref().unwrap_or_default();
    if expressions.is_empty() && fields.is_empty() {
        return false;
    }
    expressions
        .iter()
        .all(|r| requirement_holds(r, labels.get(&r.key).map(String::as_str)))
        && fields
            .iter()
            .all(|r| r.key == "metadata.name" && requirement_holds(r, Some(name)))
}

/// Whether a node selector matches: any of its terms does.
pub fn selector_matches(
    selector: &NodeSelector,
    labels: &BTreeMap<String, String>,
    name: &str,
) -> bool {
    selector
        .node_selector_terms
        .iter()
        .any(|term| term_matches(term, labels, name))
}

/// Whether a node with `labels` and `name` satisfies a pod's
/// `nodeSelector` and its required node affinity.
pub fn required_node_affinity_matches(
    spec: &PodSpec,
    labels: &BTreeMap<String, String>,
    name: &str,
) -> bool {
    let selector_ok = spec
        .node_selector
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| {
            n.required_during_scheduling_ignored_during_execution
                .as_ref()
        });
    selector_ok && required.is_none_or(|selector| selector_matches(selector, labels, name))
}

/// The labels and name of a node, as the functions above take them.
pub fn node_labels(node: &Node) -> (BTreeMap<String, String>, &str) {
    (
        node.metadata.labels.clone().unwrap_or_default(),
        node.metadata.name.as_deref().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tolerations_tolerate_as_upstream_says() {
        let taint: Taint =
            serde_json::from_value(json!({"key": "gpu", "value": "yes", "effect": "NoSchedule"}))
                .unwrap();
        let toleration =
            |value: serde_json::Value| -> Toleration { serde_json::from_value(value).unwrap() };
        assert!(tolerates(
            &toleration(json!({"key": "gpu", "value": "yes"})),
            &taint
        ));
        assert!(tolerates(
            &toleration(json!({"key": "gpu", "operator": "Exists"})),
            &taint
        ));
        assert!(tolerates(
            &toleration(json!({"operator": "Exists"})),
            &taint
        ));
        assert!(!tolerates(
            &toleration(json!({"key": "gpu", "value": "no"})),
            &taint
        ));
        assert!(!tolerates(
            &toleration(json!({"key": "gpu", "operator": "Exists", "effect": "NoExecute"})),
            &taint
        ));
        assert!(untolerated_taint(std::slice::from_ref(&taint), &[], |_| true).is_some());
        assert!(untolerated_taint(&[taint], &[], |t| t.effect == "NoExecute").is_none());
    }

    #[test]
    fn node_selector_terms_match_as_the_api_says() {
        let term = |value: serde_json::Value| -> NodeSelectorTerm {
            serde_json::from_value(value).unwrap()
        };
        let node = labels(&[("zone", "a"), ("cores", "8")]);
        assert!(term_matches(
            &term(
                json!({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]})
            ),
            &node,
            "n1"
        ));
        assert!(term_matches(
            &term(
                json!({"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]})
            ),
            &node,
            "n1"
        ));
        assert!(term_matches(
            &term(
                json!({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]})
            ),
            &node,
            "n1"
        ));
        assert!(!term_matches(
            &term(
                json!({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]})
            ),
            &node,
            "n2"
        ));
        // A term with empty requirement lists matches no node.
        assert!(!term_matches(
            &term(json!({"matchExpressions": []})),
            &node,
            "n1"
        ));
        assert!(!term_matches(&term(json!({})), &node, "n1"));
    }
}
