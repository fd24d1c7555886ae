//! NodeUnschedulable: cordoned nodes (`spec.unschedulable`) take no pods,
//! unless a pod tolerates the `node.kubernetes.io/unschedulable` taint.

use k8s_openapi::api::core::v1::{Pod, Taint};

use crate::framework::{CycleState, Plugin, Status};
use crate::node_info::NodeInfo;
use crate::plugins::taint_toleration::tolerates;

pub const REASON: &str = "node(s) were unschedulable";
const TAINT_KEY: &str = "node.kubernetes.io/unschedulable";

pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        "NodeUnschedulable"
    }

    fn filter(&self, _state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        let cordoned = node
            .node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false);
        if !cordoned {
            return Status::success();
        }
        let taint = Taint {
            key: TAINT_KEY.into(),
            effect: "NoSchedule".into(),
            ..Taint::default()
        };
        let tolerated = pod
            .spec
            .as_ref()
            .and_then(|s| s.tolerations.as_ref())
            .into_iter()
            .flatten()
            .any(|t| tolerates(t, &taint));
        if tolerated {
            Status::success()
        } else {
            Status::unresolvable(REASON)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Code;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    #[test]
    fn cordoned_nodes_take_only_tolerating_pods() {
        let cordoned = node("n", json!({"spec": {"unschedulable": true}}));
        let state = CycleState::default();
        let plain = pod(json!({}));
        assert_eq!(
            NodeUnschedulable.filter(&state, &plain, &cordoned).code,
            Code::UnschedulableAndUnresolvable
        );
        let tolerant = pod(
            json!({"tolerations": [{"key": TAINT_KEY, "operator": "Exists", "effect": "NoSchedule"}]}),
        );
        assert!(
            NodeUnschedulable
                .filter(&state, &tolerant, &cordoned)
                .is_success()
        );
        assert!(
            NodeUnschedulable
                .filter(&state, &plain, &node("m", json!({})))
                .is_success()
        );
    }
}
