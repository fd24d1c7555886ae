//! NodeAffinity: `spec.nodeSelector` and required node affinity filter
//! nodes; preferred node affinity terms add their weights to the score.

use component_helpers::scheduling;
use k8s_openapi::api::core::v1::{NodeSelectorTerm, Pod};

use crate::framework::{CycleState, Plugin, Status, default_normalize};
use crate::node_info::NodeInfo;

pub const REASON: &str = "node(s) didn't match Pod's node affinity/selector";

pub struct NodeAffinity;

/// A term matches when all its requirements do; an empty term matches
/// nothing.
pub fn term_matches(term: &NodeSelectorTerm, node: &NodeInfo) -> bool {
    scheduling::term_matches(term, node.labels(), node.name())
}

/// Whether the node satisfies the pod's nodeSelector and required node
/// affinity.
pub fn required_matches(pod: &Pod, node: &NodeInfo) -> bool {
    pod.spec.as_ref().is_none_or(|spec| {
        scheduling::required_node_affinity_matches(spec, node.labels(), node.name())
    })
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
