//! NodeAffinity: `spec.nodeSelector` and required node affinity filter
//! nodes; preferred node affinity terms add their weights to the score.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{NodeSelectorRequirement, NodeSelectorTerm, Pod};

use crate::framework::{CycleState, Plugin, Status, default_normalize};
use crate::node_info::NodeInfo;

pub const REASON: &str = "node(s) didn't match Pod's node affinity/selector";

pub struct NodeAffinity;

/// Whether one requirement holds for a node's labels (or, for
/// `matchFields`, its name under the key `metadata.name`).
fn requirement_matches(
    requirement: &NodeSelectorRequirement,
    labels: &BTreeMap<String, String>,
) -> bool {
    let value = labels.get(&requirement.key);
    let values = requirement.values.as_deref().unwrap_or_default();
    let number = |text: &str| text.parse::<i64>().ok();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(have), Some(bound)) = (
                value.and_then(|v| number(v)),
                values.first().and_then(|v| number(v)),
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

/// A term matches when all its requirements do; an empty term matches
/// nothing.
pub fn term_matches(term: &NodeSelectorTerm, node: &NodeInfo) -> bool {
    let expressions = term.match_expressions.as_deref().unwrap_or_default();
    let fields = term.match_fields.as_deref().unwrap_or_default();
    if expressions.is_empty() && fields.is_empty() {
        return false;
    }
    let labels = node.labels();
    let node_fields = BTreeMap::from([("metadata.name".to_string(), node.name().to_string())]);
    expressions.iter().all(|r| requirement_matches(r, labels))
        && fields.iter().all(|r| requirement_matches(r, &node_fields))
}

/// Whether the node satisfies the pod's nodeSelector and required node
/// affinity.
pub fn required_matches(pod: &Pod, node: &NodeInfo) -> bool {
    let Some(spec) = pod.spec.as_ref() else {
        return true;
    };
    let labels = node.labels();
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
    let affinity_ok = required.is_none_or(|selector| {
        selector
            .node_selector_terms
            .iter()
            .any(|term| term_matches(term, node))
    });
    selector_ok && affinity_ok
}

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }

    fn filter(&self, _state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        if required_matches(pod, node) {
            Status::success()
        } else {
            Status::unresolvable(REASON)
        }
    }

    fn score(&self, _state: &CycleState, pod: &Pod, node: &NodeInfo) -> i64 {
        pod.spec
            .as_ref()
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|n| {
                n.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })
            .into_iter()
            .flatten()
            .filter(|term| term.weight != 0 && term_matches(&term.preference, node))
            .map(|term| i64::from(term.weight))
            .sum()
    }

    fn normalize_scores(&self, _state: &CycleState, _pod: &Pod, scores: &mut [i64]) {
        default_normalize(scores, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    #[test]
    fn selectors_and_required_terms_filter() {
        let ssd = node(
            "a",
            json!({"metadata": {"labels": {"storage-type": "ssd", "node-role": "storage", "cores": "8"}}}),
        );
        let plain = node("b", json!({}));
        let state = CycleState::default();
        let nfs = pod(json!({"nodeSelector": {"storage-type": "ssd", "node-role": "storage"}}));
        assert!(NodeAffinity.filter(&state, &nfs, &ssd).is_success());
        assert_eq!(NodeAffinity.filter(&state, &nfs, &plain).reasons, [REASON]);
        let cases = [
            (
                json!({"key": "cores", "operator": "Gt", "values": ["4"]}),
                true,
            ),
            (
                json!({"key": "cores", "operator": "Lt", "values": ["4"]}),
                false,
            ),
            (
                json!({"key": "storage-type", "operator": "NotIn", "values": ["hdd"]}),
                true,
            ),
            (json!({"key": "gpu", "operator": "DoesNotExist"}), true),
            (json!({"key": "gpu", "operator": "Exists"}), false),
        ];
        for (requirement, fits) in cases {
            let p = pod(
                json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                {"nodeSelectorTerms": [{"matchExpressions": [requirement.clone()]}]}}}}),
            );
            assert_eq!(
                NodeAffinity.filter(&state, &p, &ssd).is_success(),
                fits,
                "{requirement}"
            );
        }
        let by_name = pod(
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]}]}}}}),
        );
        assert!(NodeAffinity.filter(&state, &by_name, &plain).is_success());
        assert!(!NodeAffinity.filter(&state, &by_name, &ssd).is_success());
    }

    #[test]
    fn preferred_terms_score_their_weights() {
        let ssd = node(
            "a",
            json!({"metadata": {"labels": {"storage-type": "ssd"}}}),
        );
        let plain = node("b", json!({}));
        let state = CycleState::default();
        let p = pod(
            json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 30, "preference": {"matchExpressions": [{"key": "storage-type", "operator": "In", "values": ["ssd"]}]}}]}}}),
        );
        let mut scores = [
            NodeAffinity.score(&state, &p, &ssd),
            NodeAffinity.score(&state, &p, &plain),
        ];
        assert_eq!(scores, [30, 0]);
        NodeAffinity.normalize_scores(&state, &p, &mut scores);
        assert_eq!(scores, [100, 0]);
    }
}
