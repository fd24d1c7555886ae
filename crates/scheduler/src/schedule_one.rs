//! One scheduling cycle: filter the nodes (as many as upstream's adaptive
//! percentage asks for), score the feasible ones, pick the best. Pure: it
//! reads a snapshot and returns a decision or the reasons it could not.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use k8s_openapi::api::core::v1::Pod;
use rand::Rng;

use crate::framework::{Code, CycleState, Listers, Profile, Status};
use crate::metrics::Metrics;
use crate::node_info::NodeInfo;

/// Below this many nodes every node is checked.
const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
const MIN_FEASIBLE_PERCENTAGE: usize = 5;

/// Why a pod fits no node: each node's rejection, or a PreFilter's.
#[derive(Clone, Debug, Default)]
pub struct Diagnosis {
    pub node_statuses: BTreeMap<String, Status>,
    pub pre_filter: Option<Status>,
    pub all_nodes: usize,
    /// What PostFilter (preemption) said, when it could not help:
    /// `preemption: 0/3 nodes are available: ...`.
    pub post_filter: Option<String>,
}

impl Diagnosis {
    /// upstream's FitError message: `0/3 nodes are available: 1 node(s)
    /// had untolerated taint {...}, 2 Insufficient memory.`
    pub fn message(&self) -> String {
        if self.all_nodes == 0 {
            return "no nodes available to schedule pods".to_string();
        }
        let mut message = format!("0/{} nodes are available:", self.all_nodes);
        if let Some(status) = &self.pre_filter {
            message.push_str(&format!(" {}.", status.reasons.join(", ")));
        } else {
            self.filter_reasons(&mut message);
        }
        if let Some(post_filter) = &self.post_filter {
            message.push(' ');
            message.push_str(post_filter);
        }
        message
    }

    fn filter_reasons(&self, message: &mut String) {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for status in self.node_statuses.values() {
            for reason in &status.reasons {
                *counts.entry(reason.as_str()).or_default() += 1;
            }
        }
        let mut reasons: Vec<String> = counts
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect();
        reasons.sort();
        if !reasons.is_empty() {
            message.push_str(&format!(" {}.", reasons.join(", ")));
        }
    }

    /// Each rejected node's failure code.
    pub fn codes(&self) -> BTreeMap<String, Code> {
        self.node_statuses
            .iter()
            .map(|(node, status)| (node.clone(), status.code))
            .collect()
    }

    /// Whether some node might take the pod if the cluster changed (as
    /// opposed to every node rejecting it for good).
    pub fn resolvable(&self) -> bool {
        self.node_statuses
            .values()
            .any(|s| s.code == Code::Unschedulable)
    }
}

#[derive(Clone, Debug)]
pub struct Decision {
    pub node: String,
    /// The feasible nodes and their total scores.
    pub scores: Vec<(String, i64)>,
    /// Each score plugin's weighted contribution, per feasible node (in
    /// the order of `scores`).
    pub breakdown: Vec<(&'static str, Vec<i64>)>,
    pub evaluated: usize,
    pub feasible: usize,
}

pub enum Outcome {
    Scheduled(Decision),
    Unschedulable(Diagnosis),
    Error(String),
}

/// How many feasible nodes to look for among `all` (upstream's adaptive
/// percentageOfNodesToScore).
pub fn feasible_nodes_to_find(all: usize, percentage: Option<usize>) -> usize {
    if all < MIN_FEASIBLE_NODES_TO_FIND {
        return all;
    }
    let percentage = percentage.filter(|p| *p > 0).unwrap_or_else(|| {
        // 50% at small sizes, shrinking with the cluster, never below 5%.
        (50usize.saturating_sub(all / 125)).max(MIN_FEASIBLE_PERCENTAGE)
    });
    if percentage >= 100 {
        return all;
    }
    (all * percentage / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// Schedules `pod` on the best of `nodes`, starting the search at `start`
/// (rotated between cycles so every node gets its turn). Returns the
/// outcome and where the next search should start.
pub fn schedule(
    profile: &Profile,
    pod: &Pod,
    nodes: &[Arc<NodeInfo>],
    start: usize,
    percentage: Option<usize>,
    listers: Option<&Listers>,
    metrics: Option<&Metrics>,
) -> (Outcome, usize) {
    let timed = |point: &str, status: &str, began: Instant| {
        if let Some(metrics) = metrics {
            metrics.extension_point(&profile.scheduler_name, point, status, began.elapsed());
        }
    };
    let mut diagnosis = Diagnosis {
        all_nodes: nodes.len(),
        ..Diagnosis::default()
    };
    if nodes.is_empty() {
        return (Outcome::Unschedulable(diagnosis), start);
    }
    let mut state = CycleState::default();
    if let Some(listers) = listers {
        listers.install(&mut state);
    }
    let began = Instant::now();
    for plugin in &profile.pre_filter {
        let mut status = plugin.pre_filter(&mut state, pod, nodes);
        match status.code {
            Code::Success | Code::Skip => {}
            Code::Error => {
                return (
                    Outcome::Error(format!(
                        "running PreFilter plugin {:?}: {}",
                        plugin.name(),
                        status.reasons.join(", ")
                    )),
                    start,
                );
            }
            Code::Unschedulable | Code::UnschedulableAndUnresolvable => {
                status.plugin = plugin.name();
                diagnosis.pre_filter = Some(status);
                timed("PreFilter", "Unschedulable", began);
                return (Outcome::Unschedulable(diagnosis), start);
            }
        }
    }
    timed("PreFilter", "Success", began);
    let began = Instant::now();
    let wanted = feasible_nodes_to_find(nodes.len(), percentage);
    let mut feasible: Vec<Arc<NodeInfo>> = Vec::new();
    let mut evaluated = 0;
    for i in 0..nodes.len() {
        if feasible.len() >= wanted {
            break;
        }
        let node = &nodes[(start + i) % nodes.len()];
        evaluated += 1;
        let status = profile.run_filters(&state, pod, node);
        match status.code {
            Code::Success => feasible.push(node.clone()),
            Code::Error => {
                return (
                    Outcome::Error(format!(
                        "running Filter plugin {:?}: {}",
                        status.plugin,
                        status.reasons.join(", ")
                    )),
                    start,
                );
            }
            _ => {
                diagnosis
                    .node_statuses
                    .insert(node.name().to_string(), status);
            }
        }
    }
    timed("Filter", "Success", began);
    let next_start = (start + evaluated) % nodes.len();
    if feasible.is_empty() {
        return (Outcome::Unschedulable(diagnosis), next_start);
    }
    let began = Instant::now();
    let (scores, breakdown) = score(profile, &mut state, pod, nodes, &feasible);
    timed("Score", "Success", began);
    let node = select_host(&scores);
    (
        Outcome::Scheduled(Decision {
            node,
            feasible: feasible.len(),
            evaluated,
            scores,
            breakdown,
        }),
        next_start,
    )
}

/// Each feasible node's weighted total over the score plugins, and each
/// plugin's part of it.
type Breakdown = Vec<(&'static str, Vec<i64>)>;

fn score(
    profile: &Profile,
    state: &mut CycleState,
    pod: &Pod,
    all: &[Arc<NodeInfo>],
    feasible: &[Arc<NodeInfo>],
) -> (Vec<(String, i64)>, Breakdown) {
    let mut totals = vec![0i64; feasible.len()];
    let mut breakdown = Vec::new();
    if feasible.len() > 1 {
        for plugin in &profile.pre_score {
            plugin.pre_score(state, pod, all);
        }
        for (plugin, weight) in &profile.score {
            let mut scores: Vec<i64> = feasible
                .iter()
                .map(|node| plugin.score(state, pod, node))
                .collect();
            plugin.normalize_scores(state, pod, &mut scores);
            for (total, score) in totals.iter_mut().zip(scores.iter_mut()) {
                *score *= weight;
                *total += *score;
            }
            breakdown.push((plugin.name(), scores));
        }
    }
    let totals = feasible
        .iter()
        .map(|n| n.name().to_string())
        .zip(totals)
        .collect();
    (totals, breakdown)
}

/// The highest-scoring node; ties are broken at random.
fn select_host(scores: &[(String, i64)]) -> String {
    let mut rng = rand::rng();
    let mut best: Option<&(String, i64)> = None;
    let mut ties = 0;
    for entry in scores {
        match best {
            Some(current) if entry.1 < current.1 => {}
            Some(current) if entry.1 == current.1 => {
                ties += 1;
                if rng.random_range(0..ties + 1) == 0 {
                    best = Some(entry);
                }
            }
            _ => {
                best = Some(entry);
                ties = 0;
            }
        }
    }
    best.map(|b| b.0.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    fn seed_nodes() -> Vec<Arc<NodeInfo>> {
        vec![
            Arc::new(node(
                "hashfoundry-ha-pool-1",
                json!({"spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}}),
            )),
            Arc::new(node(
                "hashfoundry-ha-pool-2",
                json!({"status": {"allocatable": {"memory": "2Gi"}}}),
            )),
            Arc::new(node(
                "hashfoundry-ha-pool-3",
                json!({"status": {"allocatable": {"memory": "2Gi"}}}),
            )),
        ]
    }

    #[test]
    fn the_seed_failure_message() {
        let profile = Profile::default_profile("default-scheduler");
        let big = pod(
            json!({"containers": [{"name": "c", "image": "i", "resources": {"requests": {"memory": "4Gi"}}}]}),
        );
        let (outcome, _) = schedule(&profile, &big, &seed_nodes(), 0, None, None, None);
        let Outcome::Unschedulable(diagnosis) = outcome else {
            panic!("scheduled")
        };
        assert_eq!(
            diagnosis.message(),
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory."
        );
        assert!(diagnosis.resolvable());
    }

    #[test]
    fn pods_go_to_a_fitting_worker() {
        let profile = Profile::default_profile("default-scheduler");
        let small = pod(
            json!({"containers": [{"name": "c", "image": "i", "resources": {"requests": {"memory": "1Gi"}}}]}),
        );
        for start in 0..3 {
            let (outcome, _) = schedule(&profile, &small, &seed_nodes(), start, None, None, None);
            let Outcome::Scheduled(decision) = outcome else {
                panic!("unschedulable")
            };
            assert_ne!(decision.node, "hashfoundry-ha-pool-1");
            assert_eq!(decision.feasible, 2);
        }
        let (outcome, _) = schedule(&profile, &small, &[], 0, None, None, None);
        let Outcome::Unschedulable(diagnosis) = outcome else {
            panic!("scheduled")
        };
        assert_eq!(diagnosis.message(), "no nodes available to schedule pods");
    }

    #[test]
    fn adaptive_percentage_of_nodes() {
        assert_eq!(feasible_nodes_to_find(50, None), 50);
        assert_eq!(feasible_nodes_to_find(1000, None), 420);
        assert_eq!(feasible_nodes_to_find(6000, None), 300);
        assert_eq!(feasible_nodes_to_find(1000, Some(100)), 1000);
        assert_eq!(feasible_nodes_to_find(200, Some(10)), 100);
    }
}
