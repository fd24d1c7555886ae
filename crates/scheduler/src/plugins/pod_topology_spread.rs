//! PodTopologySpread: `topologySpreadConstraints` keep matching pods
//! spread across topology domains. DoNotSchedule constraints filter nodes
//! whose domain would exceed `maxSkew` over the least loaded domain (with
//! `minDomains`, `nodeAffinityPolicy`, `nodeTaintsPolicy` and
//! `matchLabelKeys` as upstream); ScheduleAnyway constraints score nodes by
//! how few matching pods their domain has.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, TopologySpreadConstraint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use crate::framework::{CycleState, MAX_NODE_SCORE, Plugin, Status};
use crate::labels;
use crate::node_info::NodeInfo;
use crate::plugins::node_affinity::required_matches;
use crate::plugins::taint_toleration::tolerates;

pub const REASON: &str = "node(s) didn't match pod topology spread constraints";
pub const MISSING_LABEL_REASON: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

const FILTER_KEY: &str = "PreFilterPodTopologySpread";
pub const OWNERS_KEY: &str = "Owners";

/// What selects pods, for upstream's default spreading: Services'
/// selectors and the selectors of ReplicaSets, StatefulSets and
/// ReplicationControllers, by `kind/namespace/name`.
#[derive(Clone, Default)]
pub struct Owners {
    pub selectors: BTreeMap<String, LabelSelector>,
}

/// upstream's system default constraints, for pods that have none and are
/// selected by a Service or owned by a controller.
const SYSTEM_DEFAULTS: &[(&str, i64)] = &[
    ("kubernetes.io/hostname", 3),
    ("topology.kubernetes.io/zone", 5),
];

/// The selector default spreading uses: the pod's Services' selectors
/// merged with its controlling owner's; None when nothing selects it.
fn default_selector(pod: &Pod, owners: &Owners) -> Option<LabelSelector> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let mut merged = LabelSelector::default();
    let prefix = format!("Service/{namespace}/");
    for (_, selector) in owners
        .selectors
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
    {
        if selector
            .match_labels
            .as_ref()
            .is_some_and(|m| !m.is_empty())
            && labels::matches(selector, &labels)
        {
            merged
                .match_labels
                .get_or_insert_with(BTreeMap::new)
                .extend(selector.match_labels.clone().unwrap_or_default());
        }
    }
    let controller = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true));
    if let Some(owner) = controller
        && matches!(
            owner.kind.as_str(),
            "ReplicaSet" | "StatefulSet" | "ReplicationController"
        )
        && let Some(selector) = owners
            .selectors
            .get(&format!("{}/{namespace}/{}", owner.kind, owner.name))
    {
        merged
            .match_labels
            .get_or_insert_with(BTreeMap::new)
            .extend(selector.match_labels.clone().unwrap_or_default());
        merged
            .match_expressions
            .get_or_insert_with(Vec::new)
            .extend(selector.match_expressions.clone().unwrap_or_default());
    }
    let empty = merged.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && merged
            .match_expressions
            .as_ref()
            .is_none_or(|e| e.is_empty());
    (!empty).then_some(merged)
}
const SCORE_KEY: &str = "PreScorePodTopologySpread";

pub struct PodTopologySpread;

/// One constraint, with its selector completed by `matchLabelKeys`.
struct Constraint {
    max_skew: i64,
    topology_key: String,
    selector: LabelSelector,
    min_domains: Option<i64>,
    honor_affinity: bool,
    honor_taints: bool,
    /// A system default: nodes without its key are not left out of the
    /// other constraints.
    system_default: bool,
}

fn constraints(pod: &Pod, when: &str, owners: Option<&Owners>) -> Vec<Constraint> {
    let Some(declared) = pod
        .spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .filter(|c| !c.is_empty())
    else {
        // No constraints of its own: upstream's defaults, when something
        // selects the pod (they only ever score).
        let selector = owners
            .filter(|_| when == "ScheduleAnyway")
            .and_then(|o| default_selector(pod, o));
        return selector
            .map(|selector| {
                SYSTEM_DEFAULTS
                    .iter()
                    .map(|(key, skew)| Constraint {
                        max_skew: *skew,
                        topology_key: key.to_string(),
                        selector: selector.clone(),
                        min_domains: None,
                        honor_affinity: true,
                        honor_taints: false,
                        system_default: true,
                    })
                    .collect()
            })
            .unwrap_or_default();
    };
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    declared
        .iter()
        .filter(|c| c.when_unsatisfiable == when)
        .map(|c: &TopologySpreadConstraint| {
            let mut selector = c.label_selector.clone().unwrap_or_default();
            // matchLabelKeys: this pod's values of those keys join the
            // selector (e.g. pod-template-hash, to spread one revision).
            for key in c.match_label_keys.iter().flatten() {
                if let Some(value) = labels.get(key) {
                    selector
                        .match_expressions
                        .get_or_insert_with(Vec::new)
                        .push(LabelSelectorRequirement {
                            key: key.clone(),
                            operator: "In".into(),
                            values: Some(vec![value.clone()]),
                        });
                }
            }
            Constraint {
                max_skew: i64::from(c.max_skew),
                topology_key: c.topology_key.clone(),
                selector,
                min_domains: c.min_domains.map(i64::from),
                honor_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
                honor_taints: c.node_taints_policy.as_deref() == Some("Honor"),
                system_default: false,
            }
        })
        .collect()
}

fn node_label<'a>(node: &'a NodeInfo, key: &str) -> Option<&'a String> {
    node.node.metadata.labels.as_ref().and_then(|l| l.get(key))
}

/// Whether a node's pods count for `constraint` (and the node is a
/// candidate domain at all).
fn eligible(constraint: &Constraint, all: &[Constraint], pod: &Pod, node: &NodeInfo) -> bool {
    let keys_missing = if constraint.system_default {
        node_label(node, &constraint.topology_key).is_none()
    } else {
        all.iter()
            .any(|c| node_label(node, &c.topology_key).is_none())
    };
    if keys_missing {
        return false;
    }
    if constraint.honor_affinity && !required_matches(pod, node) {
        return false;
    }
    if constraint.honor_taints {
        let tolerations = pod
            .spec
            .as_ref()
            .and_then(|s| s.tolerations.as_deref())
            .unwrap_or_default();
        let taints = node
            .node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_deref())
            .unwrap_or_default();
        let blocked = taints.iter().any(|taint| {
            (taint.effect == "NoSchedule" || taint.effect == "NoExecute")
                && !tolerations.iter().any(|t| tolerates(t, taint))
        });
        if blocked {
            return false;
        }
    }
    true
}

/// Matching pods (same namespace, alive) on a node.
fn matching_pods(constraint: &Constraint, pod: &Pod, node: &NodeInfo) -> i64 {
    let namespace = pod.metadata.namespace.as_deref();
    node.pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| p.metadata.namespace.as_deref() == namespace)
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .is_some_and(|l| labels::matches(&constraint.selector, l))
        })
        .count() as i64
}

/// The ScheduleAnyway constraints, their per-domain counts and weights.
type Scoring = (Vec<Constraint>, Vec<BTreeMap<String, i64>>, Vec<f64>);

struct FilterState {
    constraints: Vec<Constraint>,
    /// Per constraint: matching pods per domain value.
    counts: Vec<HashMap<String, i64>>,
    /// Per constraint: the smallest count among domains (0 when fewer
    /// domains than `minDomains`).
    minimum: Vec<i64>,
}

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        "PodTopologySpread"
    }

    fn pre_filter(&self, state: &mut CycleState, pod: &Pod, nodes: &[Arc<NodeInfo>]) -> Status {
        let constraints = constraints(pod, "DoNotSchedule", None);
        if constraints.is_empty() {
            return Status::skip();
        }
        let mut counts = Vec::new();
        let mut minimum = Vec::new();
        for constraint in &constraints {
            let mut per_domain: HashMap<String, i64> = HashMap::new();
            for node in nodes {
                if !eligible(constraint, &constraints, pod, node) {
                    continue;
                }
                let Some(value) = node_label(node, &constraint.topology_key) else {
                    continue;
                };
                *per_domain.entry(value.clone()).or_default() +=
                    matching_pods(constraint, pod, node);
            }
            let mut min = per_domain.values().copied().min().unwrap_or(0);
            if constraint
                .min_domains
                .is_some_and(|wanted| (per_domain.len() as i64) < wanted)
            {
                min = 0;
            }
            counts.push(per_domain);
            minimum.push(min);
        }
        state.write(
            FILTER_KEY,
            FilterState {
                constraints,
                counts,
                minimum,
            },
        );
        Status::success()
    }

    fn filter(&self, state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        let Some(computed) = state.read::<FilterState>(FILTER_KEY) else {
            return Status::success();
        };
        let own_labels = pod.metadata.labels.clone().unwrap_or_default();
        for (i, constraint) in computed.constraints.iter().enumerate() {
            let Some(value) = node_label(node, &constraint.topology_key) else {
                return Status::unresolvable(MISSING_LABEL_REASON);
            };
            let self_match = i64::from(labels::matches(&constraint.selector, &own_labels));
            let count = computed.counts[i].get(value).copied().unwrap_or(0);
            let skew = count + self_match - computed.minimum[i];
            if skew > constraint.max_skew {
                return Status::unschedulable(vec![REASON.into()]);
            }
        }
        Status::success()
    }

    fn pre_score(&self, state: &mut CycleState, pod: &Pod, nodes: &[Arc<NodeInfo>]) -> Status {
        let owners = state.read::<Arc<Owners>>(OWNERS_KEY).cloned();
        let constraints = constraints(pod, "ScheduleAnyway", owners.as_deref());
        if constraints.is_empty() {
            return Status::skip();
        }
        let mut counts = Vec::new();
        let mut weights = Vec::new();
        for constraint in &constraints {
            let mut per_domain: BTreeMap<String, i64> = BTreeMap::new();
            for node in nodes {
                if !eligible(constraint, &constraints, pod, node) {
                    continue;
                }
                if let Some(value) = node_label(node, &constraint.topology_key) {
                    *per_domain.entry(value.clone()).or_default() +=
                        matching_pods(constraint, pod, node);
                }
            }
            // Domains weigh by how many there are, as upstream.
            weights.push(((per_domain.len() + 2) as f64).ln());
            counts.push(per_domain);
        }
        state.write(SCORE_KEY, (constraints, counts, weights));
        Status::success()
    }

    fn score(&self, state: &CycleState, _pod: &Pod, node: &NodeInfo) -> i64 {
        let Some((constraints, counts, weights)) = state.read::<Scoring>(SCORE_KEY) else {
            return 0;
        };
        let mut score = 0.0;
        for (i, constraint) in constraints.iter().enumerate() {
            let Some(value) = node_label(node, &constraint.topology_key) else {
                if constraint.system_default {
                    continue;
                }
                // Nodes without the key are scored lowest after normalizing.
                return -1;
            };
            let count = counts[i].get(value).copied().unwrap_or(0);
            score += count as f64 * weights[i] + (constraint.max_skew - 1) as f64;
        }
        score.round() as i64
    }

    /// Fewer matching pods is better: the lowest raw score becomes 100.
    fn normalize_scores(&self, state: &CycleState, _pod: &Pod, scores: &mut [i64]) {
        if state.read::<Scoring>(SCORE_KEY).is_none() {
            return;
        }
        let valid = || scores.iter().copied().filter(|s| *s >= 0);
        let Some(min) = valid().min() else {
            scores.iter_mut().for_each(|s| *s = 0);
            return;
        };
        let max = valid().max().unwrap_or(0);
        for score in scores.iter_mut() {
            *score = if *score < 0 {
                0
            } else if max == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (max + min - *score) / max
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Code;
    use crate::plugins::testing::{node, pod};
    use serde_json::{Value, json};

    fn zoned(name: &str, zone: &str) -> NodeInfo {
        node(name, json!({"metadata": {"labels": {"zone": zone}}}))
    }

    fn web(name: &str, spec: Value) -> Arc<Pod> {
        let mut p = pod(spec);
        p.metadata.name = Some(name.into());
        p.metadata.labels = Some(BTreeMap::from([("app".to_string(), "web".to_string())]));
        Arc::new(p)
    }

    fn spread(when: &str, extra: Value) -> Value {
        let mut constraint = json!({"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": when,
            "labelSelector": {"matchLabels": {"app": "web"}}});
        for (k, v) in extra.as_object().unwrap() {
            constraint[k] = v.clone();
        }
        json!({"topologySpreadConstraints": [constraint]})
    }

    fn filter_all(incoming: &Pod, nodes: &[Arc<NodeInfo>]) -> Vec<Status> {
        let mut state = CycleState::default();
        PodTopologySpread.pre_filter(&mut state, incoming, nodes);
        nodes
            .iter()
            .map(|n| PodTopologySpread.filter(&state, incoming, n))
            .collect()
    }

    #[test]
    fn do_not_schedule_keeps_the_skew() {
        let mut a = zoned("a", "z1");
        a.add_pod(web("w1", json!({})));
        let b = zoned("b", "z2");
        let unlabelled = node("c", json!({}));
        let nodes = [Arc::new(a), Arc::new(b), Arc::new(unlabelled)];
        let incoming = web("w2", spread("DoNotSchedule", json!({})));
        let statuses = filter_all(&incoming, &nodes);
        // z1 has one already: another there makes the skew 2.
        assert_eq!(statuses[0].code, Code::Unschedulable);
        assert_eq!(statuses[0].reasons, [REASON]);
        assert!(statuses[1].is_success());
        assert_eq!(statuses[2].reasons, [MISSING_LABEL_REASON]);
        assert_eq!(statuses[2].code, Code::UnschedulableAndUnresolvable);
    }

    #[test]
    fn min_domains_counts_missing_domains_as_empty() {
        let mut a = zoned("a", "z1");
        a.add_pod(web("w1", json!({})));
        let mut b = zoned("b", "z2");
        b.add_pod(web("w2", json!({})));
        let nodes = [Arc::new(a), Arc::new(b)];
        // Two domains, each with one: a third pod is fine without minDomains.
        let plain = web("w3", spread("DoNotSchedule", json!({})));
        assert!(filter_all(&plain, &nodes).iter().all(Status::is_success));
        // With minDomains 3 the global minimum is 0, so skew would be 2.
        let strict = web("w3", spread("DoNotSchedule", json!({"minDomains": 3})));
        assert!(filter_all(&strict, &nodes).iter().all(|s| !s.is_success()));
    }

    #[test]
    fn node_affinity_policy_decides_which_domains_count() {
        let mut a = zoned("a", "z1");
        a.add_pod(web("w1", json!({})));
        let b = node(
            "b",
            json!({"metadata": {"labels": {"zone": "z2", "disk": "hdd"}}}),
        );
        let nodes = [Arc::new(a), Arc::new(b)];
        // The pod may only run in z1: z2 does not count, so the
        // minimum is z1's own count and z1 stays open.
        let mut spec = spread("DoNotSchedule", json!({}));
        spec["nodeSelector"] = json!({"zone": "z1"});
        let honoring = web("w2", spec.clone());
        assert!(filter_all(&honoring, &nodes)[0].is_success());
        spec["topologySpreadConstraints"][0]["nodeAffinityPolicy"] = json!("Ignore");
        let ignoring = web("w2", spec);
        assert!(!filter_all(&ignoring, &nodes)[0].is_success());
    }

    #[test]
    fn schedule_anyway_prefers_emptier_domains() {
        let mut a = zoned("a", "z1");
        a.add_pod(web("w1", json!({})));
        a.add_pod(web("w2", json!({})));
        let b = zoned("b", "z2");
        let nodes = [Arc::new(a), Arc::new(b)];
        let incoming = web("w3", spread("ScheduleAnyway", json!({})));
        let mut state = CycleState::default();
        PodTopologySpread.pre_score(&mut state, &incoming, &nodes);
        let mut scores: Vec<i64> = nodes
            .iter()
            .map(|n| PodTopologySpread.score(&state, &incoming, n))
            .collect();
        PodTopologySpread.normalize_scores(&state, &incoming, &mut scores);
        assert!(scores[1] > scores[0], "{scores:?}");
        assert_eq!(scores[1], 100);
    }

    #[test]
    fn pods_selected_by_a_service_spread_by_default() {
        let mut owners = Owners::default();
        owners.selectors.insert(
            "Service/default/web".into(),
            serde_json::from_value(json!({"matchLabels": {"app": "web"}})).unwrap(),
        );
        let mut a = node("a", json!({}));
        a.add_pod(web("w1", json!({})));
        a.add_pod(web("w2", json!({})));
        let b = node("b", json!({}));
        let nodes = [Arc::new(a), Arc::new(b)];
        let incoming = web("w3", json!({}));
        let mut state = CycleState::default();
        state.write(OWNERS_KEY, Arc::new(owners));
        assert!(
            PodTopologySpread
                .pre_score(&mut state, &incoming, &nodes)
                .is_success()
        );
        let mut scores: Vec<i64> = nodes
            .iter()
            .map(|n| PodTopologySpread.score(&state, &incoming, n))
            .collect();
        PodTopologySpread.normalize_scores(&state, &incoming, &mut scores);
        // No zone labels here: the hostname default still spreads.
        assert!(scores[1] > scores[0], "{scores:?}");
        // Nothing selects this one: no default constraints.
        let mut loner = pod(json!({}));
        loner.metadata.labels = Some(BTreeMap::from([("app".into(), "other".into())]));
        let mut state2 = CycleState::default();
        state2.write(OWNERS_KEY, Arc::new(Owners::default()));
        assert_eq!(
            PodTopologySpread
                .pre_score(&mut state2, &loner, &nodes)
                .code,
            crate::framework::Code::Skip
        );
    }
}
