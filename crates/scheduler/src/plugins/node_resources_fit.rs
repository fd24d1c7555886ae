//! NodeResourcesFit: a pod fits a node whose allocatable resources, less
//! what its pods request, cover the pod's requests (and its pod count);
//! nodes are scored by how much would be left (LeastAllocated, upstream's
//! default) or used (MostAllocated).

use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;

use crate::framework::{CycleState, MAX_NODE_SCORE, Plugin, Status};
use crate::node_info::{DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, NodeInfo};
use crate::resources::{Resources, pod_requests};

const STATE_KEY: &str = "PreFilterNodeResourcesFit";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ScoringStrategy {
    #[default]
    LeastAllocated,
    MostAllocated,
    /// A broken-line function of utilization (0..=100) to score (0..=10),
    /// as (utilization, score) points in increasing utilization.
    RequestedToCapacityRatio(Vec<(i64, i64)>),
}

pub struct NodeResourcesFit {
    pub strategy: ScoringStrategy,
    /// The resources scored and their weights (cpu and memory, 1 each, by
    /// default).
    pub resources: Vec<(String, i64)>,
}

impl Default for NodeResourcesFit {
    fn default() -> Self {
        NodeResourcesFit {
            strategy: ScoringStrategy::LeastAllocated,
            resources: vec![("cpu".into(), 1), ("memory".into(), 1)],
        }
    }
}

/// upstream's broken linear function, its scores scaled from 0..=10 to
/// 0..=100.
fn broken_line(shape: &[(i64, i64)], utilization: i64) -> i64 {
    // Scaled first, as upstream does, so interpolation keeps precision.
    let scale = MAX_NODE_SCORE / 10;
    for (i, (point, score)) in shape.iter().enumerate() {
        if utilization <= *point {
            if i == 0 {
                return score * scale;
            }
            let (previous_point, previous_score) = shape[i - 1];
            let span = (point - previous_point).max(1);
            return previous_score * scale
                + (score - previous_score) * scale * (utilization - previous_point) / span;
        }
    }
    shape.last().map_or(0, |(_, score)| score * scale)
}

fn requests(state: &CycleState, pod: &Pod) -> Resources {
    state
        .read::<Resources>(STATE_KEY)
        .cloned()
        .unwrap_or_else(|| pod_requests(pod))
}

/// The reasons a node cannot hold `wanted`, as upstream words them.
pub fn insufficient(wanted: &Resources, node: &NodeInfo) -> Vec<String> {
    let mut reasons = Vec::new();
    let free = |allocatable: i64, requested: i64| allocatable - requested;
    if node.pods.len() as i64 + 1 > node.allocatable.pods {
        reasons.push("Too many pods".to_string());
    }
    let checks = [
        (
            "cpu",
            wanted.milli_cpu,
            node.allocatable.milli_cpu,
            node.requested.milli_cpu,
        ),
        (
            "memory",
            wanted.memory,
            node.allocatable.memory,
            node.requested.memory,
        ),
        (
            "ephemeral-storage",
            wanted.ephemeral_storage,
            node.allocatable.ephemeral_storage,
            node.requested.ephemeral_storage,
        ),
    ];
    for (name, want, allocatable, requested) in checks {
        if want > 0 && want > free(allocatable, requested) {
            reasons.push(format!("Insufficient {name}"));
        }
    }
    for (name, want) in &wanted.scalar {
        let allocatable = node.allocatable.scalar.get(name).copied().unwrap_or(0);
        let requested = node.requested.scalar.get(name).copied().unwrap_or(0);
        if *want > 0 && *want > free(allocatable, requested) {
            reasons.push(format!("Insufficient {name}"));
        }
    }
    reasons
}

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        "NodeResourcesFit"
    }

    fn pre_filter(&self, state: &mut CycleState, pod: &Pod, _nodes: &[Arc<NodeInfo>]) -> Status {
        state.write(STATE_KEY, pod_requests(pod));
        Status::success()
    }

    fn filter(&self, state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        let reasons = insufficient(&requests(state, pod), node);
        if reasons.is_empty() {
            Status::success()
        } else {
            Status::unschedulable(reasons)
        }
    }

    fn score(&self, state: &CycleState, pod: &Pod, node: &NodeInfo) -> i64 {
        let wanted = requests(state, pod);
        // What the node would have requested with the pod, and what it has;
        // cpu and memory count upstream's defaults for pods asking nothing.
        let amounts = |name: &str| -> (i64, i64) {
            match name {
                "cpu" => (
                    node.non_zero_requested.milli_cpu
                        + if wanted.milli_cpu == 0 {
                            DEFAULT_MILLI_CPU_REQUEST
                        } else {
                            wanted.milli_cpu
                        },
                    node.allocatable.milli_cpu,
                ),
                "memory" => (
                    node.non_zero_requested.memory
                        + if wanted.memory == 0 {
                            DEFAULT_MEMORY_REQUEST
                        } else {
                            wanted.memory
                        },
                    node.allocatable.memory,
                ),
                "ephemeral-storage" => (
                    node.requested.ephemeral_storage + wanted.ephemeral_storage,
                    node.allocatable.ephemeral_storage,
                ),
                other => (
                    node.requested.scalar.get(other).copied().unwrap_or(0)
                        + wanted.scalar.get(other).copied().unwrap_or(0),
                    node.allocatable.scalar.get(other).copied().unwrap_or(0),
                ),
            }
        };
        let (mut total, mut weights) = (0, 0);
        for (name, weight) in &self.resources {
            let (requested, capacity) = amounts(name);
            let score = match &self.strategy {
                ScoringStrategy::LeastAllocated if capacity == 0 || requested > capacity => 0,
                ScoringStrategy::LeastAllocated => {
                    (capacity - requested) * MAX_NODE_SCORE / capacity
                }
                ScoringStrategy::MostAllocated if capacity == 0 => 0,
                ScoringStrategy::MostAllocated => {
                    requested.min(capacity) * MAX_NODE_SCORE / capacity
                }
                ScoringStrategy::RequestedToCapacityRatio(shape) => {
                    // Resources the node lacks, and scores of 0, do not count.
                    if capacity == 0 {
                        continue;
                    }
                    let utilization = if requested > capacity {
                        100
                    } else {
                        requested * 100 / capacity
                    };
                    let score = broken_line(shape, utilization);
                    if score == 0 {
                        continue;
                    }
                    score
                }
            };
            total += score * weight;
            weights += weight;
        }
        if weights == 0 { 0 } else { total / weights }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Code;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    fn asking(cpu: &str, memory: &str) -> Pod {
        pod(json!({"containers": [{"name": "c", "image": "i",
            "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}))
    }

    #[test]
    fn requests_must_fit_what_is_left() {
        let mut n = node(
            "n",
            json!({"status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "2"}}}),
        );
        n.add_pod(Arc::new(asking("1500m", "1Gi")));
        let state = CycleState::default();
        assert!(
            NodeResourcesFit::default()
                .filter(&state, &asking("500m", "3Gi"), &n)
                .is_success()
        );
        let status = NodeResourcesFit::default().filter(&state, &asking("600m", "4Gi"), &n);
        assert_eq!(status.code, Code::Unschedulable);
        assert_eq!(status.reasons, ["Insufficient cpu", "Insufficient memory"]);
        n.add_pod(Arc::new(asking("0", "0")));
        let status = NodeResourcesFit::default().filter(&state, &asking("0", "0"), &n);
        assert_eq!(status.reasons, ["Too many pods"]);
    }

    #[test]
    fn least_allocated_prefers_emptier_nodes() {
        let empty = node("a", json!({}));
        let mut busy = node("b", json!({}));
        busy.add_pod(Arc::new(asking("2", "4Gi")));
        let state = CycleState::default();
        let p = asking("1", "2Gi");
        let fit = NodeResourcesFit::default();
        // 4 cpu, 8Gi: (3/4 + 6/8)/2 = 75 when empty; (1/4 + 2/8)/2 = 25 busy.
        assert_eq!(fit.score(&state, &p, &empty), 75);
        assert_eq!(fit.score(&state, &p, &busy), 25);
        let most = NodeResourcesFit {
            strategy: ScoringStrategy::MostAllocated,
            ..NodeResourcesFit::default()
        };
        assert_eq!(most.score(&state, &p, &busy), 75);
        // Bin packing by a custom shape: fuller is better, up to 10 (100).
        let ratio = NodeResourcesFit {
            strategy: ScoringStrategy::RequestedToCapacityRatio(vec![(0, 0), (100, 10)]),
            ..NodeResourcesFit::default()
        };
        assert_eq!(ratio.score(&state, &p, &busy), 75);
        assert_eq!(ratio.score(&state, &p, &empty), 25);
        assert_eq!(broken_line(&[(0, 10), (50, 0), (100, 10)], 25), 50);
    }
}
