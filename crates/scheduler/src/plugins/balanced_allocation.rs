//! NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory
//! would be used in equal proportion once the pod runs there.

use k8s_openapi::api::core::v1::Pod;

use crate::framework::{CycleState, MAX_NODE_SCORE, Plugin};
use crate::node_info::NodeInfo;
use crate::resources::pod_requests;

pub struct NodeResourcesBalancedAllocation;

impl Plugin for NodeResourcesBalancedAllocation {
    fn name(&self) -> &'static str {
        "NodeResourcesBalancedAllocation"
    }

    fn score(&self, _state: &CycleState, pod: &Pod, node: &NodeInfo) -> i64 {
        let wanted = pod_requests(pod);
        // Best-effort pods are skipped, as upstream does.
        if wanted.milli_cpu == 0 && wanted.memory == 0 {
            return 0;
        }
        let fraction = |requested: i64, allocatable: i64| -> Option<f64> {
            (allocatable > 0).then(|| (requested as f64 / allocatable as f64).min(1.0))
        };
        let fractions: Vec<f64> = [
            fraction(
                node.requested.milli_cpu + wanted.milli_cpu,
                node.allocatable.milli_cpu,
            ),
            fraction(
                node.requested.memory + wanted.memory,
                node.allocatable.memory,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        let spread = match fractions.as_slice() {
            [a, b] => ((a - b) / 2.0).abs(),
            _ => 0.0,
        };
        ((1.0 - spread) * MAX_NODE_SCORE as f64) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    #[test]
    fn balanced_use_scores_higher() {
        let n = node("n", json!({}));
        let state = CycleState::default();
        let even = pod(
            json!({"containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "2", "memory": "4Gi"}}}]}),
        );
        let skewed = pod(
            json!({"containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "4", "memory": "0"}}}]}),
        );
        assert_eq!(
            NodeResourcesBalancedAllocation.score(&state, &even, &n),
            100
        );
        assert_eq!(
            NodeResourcesBalancedAllocation.score(&state, &skewed, &n),
            50
        );
        assert_eq!(
            NodeResourcesBalancedAllocation.score(&state, &pod(json!({})), &n),
            0
        );
    }
}
