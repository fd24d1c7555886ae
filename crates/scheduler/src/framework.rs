//! The scheduling framework: upstream's extension points as one plugin
//! trait whose methods default to "nothing to do", the status a plugin
//! answers with, the per-cycle state plugins share, and a profile — which
//! plugins run at each point, with which score weights.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;

use crate::node_info::NodeInfo;

/// The highest score a node gets from one plugin, after normalization.
pub const MAX_NODE_SCORE: i64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Success,
    /// The pod does not fit now; preemption or a cluster change may help.
    Unschedulable,
    /// The pod cannot fit this node whatever is removed from it.
    UnschedulableAndUnresolvable,
    /// The plugin itself failed.
    Error,
    /// The plugin has nothing to do for this pod (PreFilter/PreScore).
    Skip,
}

/// A plugin's answer: a code and the reasons shown to users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: Code,
    pub reasons: Vec<String>,
    /// The plugin that answered (set by the framework).
    pub plugin: &'static str,
}

impl Status {
    pub fn success() -> Status {
        Status {
            code: Code::Success,
            reasons: Vec::new(),
            plugin: "",
        }
    }

    pub fn skip() -> Status {
        Status {
            code: Code::Skip,
            ..Status::success()
        }
    }

    pub fn unschedulable(reasons: Vec<String>) -> Status {
        Status {
            code: Code::Unschedulable,
            reasons,
            plugin: "",
        }
    }

    pub fn unresolvable(reason: impl Into<String>) -> Status {
        Status {
            code: Code::UnschedulableAndUnresolvable,
            reasons: vec![reason.into()],
            plugin: "",
        }
    }

    pub fn error(reason: impl Into<String>) -> Status {
        Status {
            code: Code::Error,
            reasons: vec![reason.into()],
            plugin: "",
        }
    }

    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }
}

/// Data plugins compute once per scheduling cycle (in PreFilter or
/// PreScore) and read for every node.
#[derive(Default)]
pub struct CycleState {
    data: HashMap<&'static str, Box<dyn Any + Send + Sync>>,
}

impl CycleState {
    pub fn write<T: Any + Send + Sync>(&mut self, key: &'static str, value: T) {
        self.data.insert(key, Box::new(value));
    }

    pub fn read<T: Any + Send + Sync>(&self, key: &'static str) -> Option<&T> {
        self.data.get(key).and_then(|v| v.downcast_ref())
    }
}

/// Cluster objects beyond nodes and pods that plugins read (as the
/// runner's watches last saw them), put into each cycle's state.
#[derive(Clone, Default)]
pub struct Listers {
    pub namespaces: Arc<crate::plugins::inter_pod_affinity::NamespaceLabels>,
    pub volumes: Arc<crate::plugins::volume_binding::Volumes>,
    pub owners: Arc<crate::plugins::pod_topology_spread::Owners>,
}

impl Listers {
    pub fn install(&self, state: &mut CycleState) {
        state.write(
            crate::plugins::inter_pod_affinity::NAMESPACES_KEY,
            self.namespaces.clone(),
        );
        state.write(
            crate::plugins::volume_binding::VOLUMES_KEY,
            self.volumes.clone(),
        );
        state.write(
            crate::plugins::pod_topology_spread::OWNERS_KEY,
            self.owners.clone(),
        );
    }
}

/// A scheduling plugin. Each implements only the extension points it
/// takes part in; the profile lists where it runs.
pub trait Plugin: Send + Sync {
    fn name(&self) -> &'static str;

    /// Once per cycle, before filtering: compute what Filter needs, or
    /// reject the pod outright.
    fn pre_filter(&self, _state: &mut CycleState, _pod: &Pod, _nodes: &[Arc<NodeInfo>]) -> Status {
        Status::skip()
    }

    /// Whether the pod can run on `node`.
    fn filter(&self, _state: &CycleState, _pod: &Pod, _node: &NodeInfo) -> Status {
        Status::success()
    }

    /// Once per cycle, before scoring the feasible nodes.
    fn pre_score(&self, _state: &mut CycleState, _pod: &Pod, _nodes: &[Arc<NodeInfo>]) -> Status {
        Status::skip()
    }

    /// How well the pod fits `node` (0..=100 after normalization).
    fn score(&self, _state: &CycleState, _pod: &Pod, _node: &NodeInfo) -> i64 {
        0
    }

    /// Rescales the raw scores of all feasible nodes to 0..=100.
    fn normalize_scores(&self, _state: &CycleState, _pod: &Pod, _scores: &mut [i64]) {}
}

/// Scales scores so the highest becomes 100 (or, `reverse`, so the lowest
/// does), as upstream's DefaultNormalizeScore.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for score in scores.iter_mut() {
        let scaled = MAX_NODE_SCORE * *score / max;
        *score = if reverse {
            MAX_NODE_SCORE - scaled
        } else {
            scaled
        };
    }
}

/// One scheduling profile: the plugins at each extension point.
pub struct Profile {
    pub scheduler_name: String,
    pub pre_filter: Vec<Arc<dyn Plugin>>,
    pub filter: Vec<Arc<dyn Plugin>>,
    pub pre_score: Vec<Arc<dyn Plugin>>,
    /// Score plugins with their weights.
    pub score: Vec<(Arc<dyn Plugin>, i64)>,
    /// Whether DefaultPreemption runs at PostFilter.
    pub preemption: bool,
}

impl Profile {
    /// upstream's default profile, for the plugins rudder has, in
    /// upstream's order and with its weights.
    pub fn default_profile(scheduler_name: &str) -> Profile {
        let config = crate::config::ProfileConfig {
            scheduler_name: Some(scheduler_name.to_string()),
            ..Default::default()
        };
        // The defaults always build; an empty profile is never used.
        config.build().unwrap_or_else(|_| Profile {
            scheduler_name: scheduler_name.to_string(),
            pre_filter: Vec::new(),
            filter: Vec::new(),
            pre_score: Vec::new(),
            score: Vec::new(),
            preemption: false,
        })
    }

    /// Runs every filter on one node, stopping at the first that fails.
    pub fn run_filters(&self, state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        for plugin in &self.filter {
            let mut status = plugin.filter(state, pod, node);
            if !status.is_success() {
                status.plugin = plugin.name();
                return status;
            }
        }
        Status::success()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_scales_to_the_maximum() {
        let mut scores = [0, 5, 10];
        default_normalize(&mut scores, false);
        assert_eq!(scores, [0, 50, 100]);
        let mut scores = [0, 5, 10];
        default_normalize(&mut scores, true);
        assert_eq!(scores, [100, 50, 0]);
        let mut zeros = [0, 0];
        default_normalize(&mut zeros, true);
        assert_eq!(zeros, [100, 100]);
    }
}
