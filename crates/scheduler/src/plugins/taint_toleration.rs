//! TaintToleration: a node's NoSchedule and NoExecute taints keep off
//! pods that do not tolerate them; PreferNoSchedule taints only lower the
//! node's score.

use k8s_openapi::api::core::v1::{Pod, Taint, Toleration};

use crate::framework::{CycleState, Plugin, Status, default_normalize};
use crate::node_info::NodeInfo;

pub struct TaintToleration;

pub use component_helpers::scheduling::tolerates;
use component_helpers::scheduling::untolerated_taint;

fn tolerations(pod: &Pod) -> &[Toleration] {
    pod.spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default()
}

fn taints(node: &NodeInfo) -> &[Taint] {
    node.node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
}

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }

    fn filter(&self, _state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        let untolerated = untolerated_taint(taints(node), tolerations(pod), |taint| {
            taint.effect == "NoSchedule" || taint.effect == "NoExecute"
        });
        match untolerated {
            None => Status::success(),
            Some(taint) => Status::unresolvable(format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint.key,
                taint.value.as_deref().unwrap_or_default()
            )),
        }
    }

    /// The number of PreferNoSchedule taints the pod does not tolerate
    /// (fewer is better; normalization reverses it).
    fn score(&self, _state: &CycleState, pod: &Pod, node: &NodeInfo) -> i64 {
        let tolerations: Vec<&Toleration> = tolerations(pod)
            .iter()
            .filter(|t| {
                t.effect
                    .as_deref()
                    .is_none_or(|e| e.is_empty() || e == "PreferNoSchedule")
            })
            .collect();
        taints(node)
            .iter()
            .filter(|taint| taint.effect == "PreferNoSchedule")
            .filter(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
            .count() as i64
    }

    fn normalize_scores(&self, _state: &CycleState, _pod: &Pod, scores: &mut [i64]) {
        default_normalize(scores, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Code;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    #[test]
    fn untolerated_taints_keep_pods_off() {
        let control_plane = node(
            "cp",
            json!({"spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}}),
        );
        let state = CycleState::default();
        let status = TaintToleration.filter(&state, &pod(json!({})), &control_plane);
        assert_eq!(status.code, Code::UnschedulableAndUnresolvable);
        assert_eq!(
            status.reasons,
            ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"]
        );
        for toleration in [
            json!({"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}),
            json!({"operator": "Exists"}),
            json!({"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}),
        ] {
            let tolerant = pod(json!({"tolerations": [toleration]}));
            assert!(
                TaintToleration
                    .filter(&state, &tolerant, &control_plane)
                    .is_success()
            );
        }
        let wrong_value = pod(
            json!({"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "value": "x", "effect": "NoSchedule"}]}),
        );
        assert!(
            !TaintToleration
                .filter(&state, &wrong_value, &control_plane)
                .is_success()
        );
    }

    #[test]
    fn prefer_no_schedule_lowers_the_score() {
        let soft = node(
            "soft",
            json!({"spec": {"taints": [{"key": "a", "effect": "PreferNoSchedule"}, {"key": "b", "effect": "PreferNoSchedule"}]}}),
        );
        let clean = node("clean", json!({}));
        let state = CycleState::default();
        let p = pod(json!({"tolerations": [{"key": "a", "operator": "Exists"}]}));
        let mut scores = [
            TaintToleration.score(&state, &p, &soft),
            TaintToleration.score(&state, &p, &clean),
        ];
        assert_eq!(scores, [1, 0]);
        TaintToleration.normalize_scores(&state, &p, &mut scores);
        assert_eq!(scores, [0, 100]);
    }
}
