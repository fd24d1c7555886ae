//! DefaultPreemption (PostFilter): when a pod fits nowhere, find a node
//! where removing lower-priority pods would make it fit, with as few and as
//! unimportant victims as possible and disruption budgets respected where
//! possible. Pure: it returns the plan (node and victims) or why
//! preemption cannot help; the runner nominates and evicts.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use crate::framework::{Code, CycleState, Listers, Profile};
use crate::labels;
use crate::node_info::NodeInfo;

pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";

#[derive(Debug)]
pub struct Plan {
    pub node: String,
    pub victims: Vec<Arc<Pod>>,
    pub pdb_violations: usize,
}

pub enum Preemption {
    Nominate(Plan),
    /// Why preemption cannot help, as the part of the FailedScheduling
    /// message after `preemption: `.
    NotHelpful(String),
}

pub fn priority(pod: &Pod) -> i32 {
    pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)
}

fn start_time(pod: &Pod) -> String {
    pod.status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map(|t| t.0.to_string())
        .or_else(|| {
            pod.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.to_string())
        })
        .unwrap_or_default()
}

/// Whether evicting `victim` would break a budget that has no disruptions
/// left; spends one disruption from `allowed` when it does not.
fn violates_budget(
    victim: &Pod,
    budgets: &[PodDisruptionBudget],
    allowed: &mut BTreeMap<String, i32>,
) -> bool {
    let namespace = victim.metadata.namespace.as_deref();
    let labels = victim.metadata.labels.clone().unwrap_or_default();
    let mut violates = false;
    for budget in budgets {
        if budget.metadata.namespace.as_deref() != namespace {
            continue;
        }
        let Some(selector) = budget.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
            continue;
        };
        let selects_anything = selector
            .match_labels
            .as_ref()
            .is_some_and(|m| !m.is_empty())
            || selector
                .match_expressions
                .as_ref()
                .is_some_and(|e| !e.is_empty());
        if !selects_anything || !labels::matches(selector, &labels) {
            continue;
        }
        let key = format!(
            "{}/{}",
            namespace.unwrap_or_default(),
            budget.metadata.name.as_deref().unwrap_or_default()
        );
        let left = allowed
            .entry(key)
            .or_insert_with(|| budget.status.as_ref().map_or(0, |s| s.disruptions_allowed));
        if *left <= 0 {
            violates = true;
        } else {
            *left -= 1;
        }
    }
    violates
}

/// Whether `pod` fits `node` (given every node, for the plugins that look
/// across nodes).
fn fits(
    profile: &Profile,
    pod: &Pod,
    node: &NodeInfo,
    nodes: &[Arc<NodeInfo>],
    listers: Option<&Listers>,
) -> bool {
    let mut state = CycleState::default();
    if let Some(listers) = listers {
        listers.install(&mut state);
    }
    for plugin in &profile.pre_filter {
        let status = plugin.pre_filter(&mut state, pod, nodes);
        if !matches!(status.code, Code::Success | Code::Skip) {
            return false;
        }
    }
    profile.run_filters(&state, pod, node).is_success()
}

fn without(node: &NodeInfo, removed: &[Arc<Pod>]) -> NodeInfo {
    let mut reduced = NodeInfo::new(node.node.clone());
    for pod in &node.pods {
        if !removed.iter().any(|r| Arc::ptr_eq(r, pod)) {
            reduced.add_pod(pod.clone());
        }
    }
    reduced
}

/// The victims on one node: the fewest lower-priority pods whose removal
/// lets `pod` fit, reprieving the most important first. None when even
/// removing all of them does not help.
fn select_victims(
    profile: &Profile,
    pod: &Pod,
    index: usize,
    nodes: &[Arc<NodeInfo>],
    budgets: &[PodDisruptionBudget],
    listers: Option<&Listers>,
) -> Option<Plan> {
    let node = &nodes[index];
    let incoming = priority(pod);
    let mut candidates: Vec<Arc<Pod>> = node
        .pods
        .iter()
        .filter(|p| priority(p) < incoming)
        .cloned()
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let mut trial: Vec<Arc<NodeInfo>> = nodes.to_vec();
    trial[index] = Arc::new(without(node, &candidates));
    if !fits(profile, pod, &trial[index], &trial, listers) {
        return None;
    }
    // Most important first: higher priority, then the one running longer.
    candidates.sort_by(|a, b| {
        priority(b)
            .cmp(&priority(a))
            .then_with(|| start_time(a).cmp(&start_time(b)))
    });
    let mut allowed = BTreeMap::new();
    let (violating, safe): (Vec<Arc<Pod>>, Vec<Arc<Pod>>) = candidates
        .into_iter()
        .partition(|p| violates_budget(p, budgets, &mut allowed));
    let mut removed: Vec<Arc<Pod>> = violating.iter().chain(safe.iter()).cloned().collect();
    let mut victims = Vec::new();
    let mut pdb_violations = 0;
    for (pod_to_keep, violates) in violating
        .iter()
        .map(|p| (p, true))
        .chain(safe.iter().map(|p| (p, false)))
    {
        removed.retain(|r| !Arc::ptr_eq(r, pod_to_keep));
        trial[index] = Arc::new(without(node, &removed));
        if !fits(profile, pod, &trial[index], &trial, listers) {
            // Needed: it goes.
            removed.push(pod_to_keep.clone());
            victims.push(pod_to_keep.clone());
            if violates {
                pdb_violations += 1;
            }
        }
    }
    Some(Plan {
        node: node.name().to_string(),
        victims,
        pdb_violations,
    })
}

/// Picks the plan upstream would: fewest budget violations, then the
/// lowest highest-priority victim, the lowest sum of priorities, the
/// fewest victims, and the most recently started top victim.
fn pick(mut plans: Vec<Plan>) -> Option<Plan> {
    plans.sort_by(|a, b| {
        let top = |p: &Plan| {
            p.victims
                .iter()
                .map(|v| priority(v))
                .max()
                .unwrap_or(i32::MIN)
        };
        let sum = |p: &Plan| {
            p.victims
                .iter()
                .map(|v| i64::from(priority(v)))
                .sum::<i64>()
        };
        let latest_top_start = |p: &Plan| {
            let top = top(p);
            p.victims
                .iter()
                .filter(|v| priority(v) == top)
                .map(|v| start_time(v))
                .min()
                .unwrap_or_default()
        };
        a.pdb_violations
            .cmp(&b.pdb_violations)
            .then_with(|| top(a).cmp(&top(b)))
            .then_with(|| sum(a).cmp(&sum(b)))
            .then_with(|| a.victims.len().cmp(&b.victims.len()))
            .then_with(|| latest_top_start(b).cmp(&latest_top_start(a)))
    });
    plans.into_iter().next()
}

/// DefaultPreemption for `pod`, which failed with `statuses` (node →
/// failure code) over `nodes`.
pub fn preempt(
    profile: &Profile,
    pod: &Pod,
    nodes: &[Arc<NodeInfo>],
    statuses: &BTreeMap<String, Code>,
    budgets: &[PodDisruptionBudget],
    listers: Option<&Listers>,
) -> Preemption {
    if pod
        .spec
        .as_ref()
        .and_then(|s| s.preemption_policy.as_deref())
        == Some("Never")
    {
        return Preemption::NotHelpful("not eligible due to preemptionPolicy=Never.".into());
    }
    // Victims chosen earlier are still leaving: wait for them rather than
    // choose more.
    let nominated = pod
        .status
        .as_ref()
        .and_then(|s| s.nominated_node_name.as_deref())
        .filter(|n| !n.is_empty());
    if let Some(nominated) = nominated
        && nodes.iter().any(|n| {
            n.name() == nominated
                && n.pods
                    .iter()
                    .any(|p| p.metadata.deletion_timestamp.is_some() && priority(p) < priority(pod))
        })
    {
        return Preemption::NotHelpful(
            "not eligible due to a terminating pod on the nominated node.".into(),
        );
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let mut plans = Vec::new();
    // As upstream, enough candidates to choose well, not every node: 10%
    // of the nodes, at least 100.
    let enough = (nodes.len() / 10).max(100);
    for (index, node) in nodes.iter().enumerate() {
        if plans.len() >= enough {
            break;
        }
        if statuses.get(node.name()) != Some(&Code::Unschedulable) {
            *reasons.entry(NOT_HELPFUL).or_default() += 1;
            continue;
        }
        match select_victims(profile, pod, index, nodes, budgets, listers) {
            Some(plan) => plans.push(plan),
            None => *reasons.entry(NO_VICTIMS).or_default() += 1,
        }
    }
    match pick(plans) {
        Some(plan) => Preemption::Nominate(plan),
        None => {
            let mut parts: Vec<String> = reasons
                .iter()
                .map(|(reason, count)| format!("{count} {reason}"))
                .collect();
            parts.sort();
            Preemption::NotHelpful(format!(
                "0/{} nodes are available: {}.",
                nodes.len(),
                parts.join(", ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    fn with_priority(name: &str, priority: i32, cpu: &str, labels: serde_json::Value) -> Arc<Pod> {
        let mut p = pod(
            json!({"priority": priority, "containers": [{"name": "c", "image": "i",
            "resources": {"requests": {"cpu": cpu}}}]}),
        );
        p.metadata.name = Some(name.into());
        p.metadata.labels = serde_json::from_value(labels).unwrap();
        Arc::new(p)
    }

    fn statuses(nodes: &[Arc<NodeInfo>]) -> BTreeMap<String, Code> {
        nodes
            .iter()
            .map(|n| (n.name().to_string(), Code::Unschedulable))
            .collect()
    }

    #[test]
    fn the_fewest_least_important_victims() {
        let profile = Profile::default_profile("default-scheduler");
        // Node a: two low pods (1 cpu each); node b: one middling pod (2 cpu).
        let mut a = node("a", json!({"status": {"allocatable": {"cpu": "2"}}}));
        a.add_pod(with_priority("low-1", 10, "1", json!({})));
        a.add_pod(with_priority("low-2", 10, "1", json!({})));
        let mut b = node("b", json!({"status": {"allocatable": {"cpu": "2"}}}));
        b.add_pod(with_priority("mid", 50, "2", json!({})));
        let nodes = [Arc::new(a), Arc::new(b)];
        let incoming = with_priority("high", 100, "1", json!({}));
        let Preemption::Nominate(plan) =
            preempt(&profile, &incoming, &nodes, &statuses(&nodes), &[], None)
        else {
            panic!("no plan")
        };
        // One low pod is enough on a, and low beats middling.
        assert_eq!(plan.node, "a");
        assert_eq!(plan.victims.len(), 1);
        assert_eq!(priority(&plan.victims[0]), 10);
    }

    #[test]
    fn budgets_are_respected_where_possible() {
        let profile = Profile::default_profile("default-scheduler");
        let mut a = node("a", json!({"status": {"allocatable": {"cpu": "1"}}}));
        a.add_pod(with_priority("guarded", 10, "1", json!({"app": "db"})));
        let mut b = node("b", json!({"status": {"allocatable": {"cpu": "1"}}}));
        b.add_pod(with_priority("free", 20, "1", json!({"app": "web"})));
        let nodes = [Arc::new(a), Arc::new(b)];
        let budget: PodDisruptionBudget = serde_json::from_value(json!({
            "metadata": {"name": "db", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "db"}}, "minAvailable": 1},
            "status": {"disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1}}))
        .unwrap();
        let incoming = with_priority("high", 100, "1", json!({}));
        let Preemption::Nominate(plan) = preempt(
            &profile,
            &incoming,
            &nodes,
            &statuses(&nodes),
            &[budget],
            None,
        ) else {
            panic!("no plan")
        };
        assert_eq!(plan.node, "b", "the budget-guarded pod is spared");
        assert_eq!(plan.pdb_violations, 0);
    }

    #[test]
    fn when_preemption_cannot_help() {
        let profile = Profile::default_profile("default-scheduler");
        let mut a = node("a", json!({"status": {"allocatable": {"cpu": "1"}}}));
        a.add_pod(with_priority("peer", 100, "1", json!({})));
        let b = node("b", json!({}));
        let nodes = [Arc::new(a), Arc::new(b)];
        let mut codes = statuses(&nodes);
        codes.insert("b".into(), Code::UnschedulableAndUnresolvable);
        let incoming = with_priority("same", 100, "1", json!({}));
        let Preemption::NotHelpful(message) =
            preempt(&profile, &incoming, &nodes, &codes, &[], None)
        else {
            panic!("a plan")
        };
        assert_eq!(
            message,
            "0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
        );
        let mut never = (*incoming).clone();
        never.spec.as_mut().unwrap().preemption_policy = Some("Never".into());
        let Preemption::NotHelpful(message) = preempt(&profile, &never, &nodes, &codes, &[], None)
        else {
            panic!("a plan")
        };
        assert_eq!(message, "not eligible due to preemptionPolicy=Never.");
    }
}
