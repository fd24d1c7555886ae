//! InterPodAffinity: required pod affinity and anti-affinity (the incoming
//! pod's, and existing pods' anti-affinity against it) filter nodes by
//! topology domain; preferred terms of both sides add or subtract their
//! weights, per domain, to the score.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, PodAffinityTerm};

use crate::framework::{CycleState, MAX_NODE_SCORE, Plugin, Status};
use crate::labels;
use crate::node_info::NodeInfo;

pub const AFFINITY_REASON: &str = "node(s) didn't match pod affinity rules";
pub const ANTI_AFFINITY_REASON: &str = "node(s) didn't match pod anti-affinity rules";
pub const EXISTING_ANTI_AFFINITY_REASON: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";

/// Existing pods' required affinity counts for the symmetric score, as
/// upstream's default `hardPodAffinityWeight`.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

const FILTER_KEY: &str = "PreFilterInterPodAffinity";
const SCORE_KEY: &str = "PreScoreInterPodAffinity";
/// Where the runner leaves namespace labels for namespace selectors.
pub const NAMESPACES_KEY: &str = "NamespaceLabels";

pub type NamespaceLabels = BTreeMap<String, BTreeMap<String, String>>;

/// A topology domain: a label key and its value on some node.
type Domain = (String, String);
/// PreScore's sums: topology key → its value → score.
type DomainScores = HashMap<String, HashMap<String, i64>>;

pub struct InterPodAffinity;

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

fn pod_labels(pod: &Pod) -> &BTreeMap<String, String> {
    pod.metadata.labels.as_ref().unwrap_or(&NO_LABELS)
}

fn namespace_of(pod: &Pod) -> &str {
    pod.metadata.namespace.as_deref().unwrap_or("default")
}

/// Whether `term`, written in a pod of `owner_namespace`, selects `pod`.
fn term_matches(
    term: &PodAffinityTerm,
    owner_namespace: &str,
    pod: &Pod,
    namespaces: Option<&NamespaceLabels>,
) -> bool {
    let Some(selector) = term.label_selector.as_ref() else {
        return false;
    };
    let namespace = namespace_of(pod);
    let listed = term.namespaces.as_deref().unwrap_or_default();
    let namespace_ok = match &term.namespace_selector {
        None if listed.is_empty() => namespace == owner_namespace,
        None => listed.iter().any(|n| n == namespace),
        Some(selector) => {
            listed.iter().any(|n| n == namespace)
                || namespaces
                    .and_then(|all| all.get(namespace))
                    .is_some_and(|ns_labels| labels::matches(selector, ns_labels))
                || (selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
                    && selector
                        .match_expressions
                        .as_ref()
                        .is_none_or(|e| e.is_empty()))
        }
    };
    namespace_ok && labels::matches(selector, pod_labels(pod))
}

/// The one `key: value` a term selects on, when that is all it asks
/// (pods of the incoming pod's own namespace with that label).
fn single_label(term: &PodAffinityTerm) -> Option<(&str, &str)> {
    if term.namespace_selector.is_some() || term.namespaces.as_ref().is_some_and(|n| !n.is_empty())
    {
        return None;
    }
    let selector = term.label_selector.as_ref()?;
    if selector
        .match_expressions
        .as_ref()
        .is_some_and(|e| !e.is_empty())
    {
        return None;
    }
    let labels = selector.match_labels.as_ref()?;
    if labels.len() != 1 {
        return None;
    }
    labels.iter().next().map(|(k, v)| (k.as_str(), v.as_str()))
}

fn required_terms(pod: &Pod, anti: bool) -> &[PodAffinityTerm] {
    let affinity = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
    let terms = if anti {
        affinity
            .and_then(|a| a.pod_anti_affinity.as_ref())
            .and_then(|a| {
                a.required_during_scheduling_ignored_during_execution
                    .as_deref()
            })
    } else {
        affinity
            .and_then(|a| a.pod_affinity.as_ref())
            .and_then(|a| {
                a.required_during_scheduling_ignored_during_execution
                    .as_deref()
            })
    };
    terms.unwrap_or_default()
}

/// (weight, term) of the preferred terms; anti-affinity weights negative.
/// A pod's preferred terms with their signed weights (anti-affinity
/// negative), without collecting them.
fn preferred_terms(pod: &Pod) -> impl Iterator<Item = (i64, &PodAffinityTerm)> {
    let affinity = pod.spec.as_ref().and_then(|s| s.affinity.as_ref());
    let attract = affinity
        .and_then(|a| a.pod_affinity.as_ref())
        .and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_deref()
        })
        .unwrap_or_default()
        .iter()
        .map(|w| (i64::from(w.weight), &w.pod_affinity_term));
    let repel = affinity
        .and_then(|a| a.pod_anti_affinity.as_ref())
        .and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_deref()
        })
        .unwrap_or_default()
        .iter()
        .map(|w| (-i64::from(w.weight), &w.pod_affinity_term));
    attract.chain(repel)
}

fn domain(node: &NodeInfo, key: &str) -> Option<Domain> {
    node.node
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(key))
        .map(|value| (key.to_string(), value.clone()))
}

#[derive(Default)]
struct FilterState {
    /// Domains where an existing pod's required anti-affinity rejects the
    /// incoming pod.
    existing_anti: HashMap<Domain, i64>,
    /// Pods matching all of the incoming pod's affinity terms, per domain.
    affinity: HashMap<Domain, i64>,
    /// Pods matching one of its anti-affinity terms, per domain.
    anti: HashMap<Domain, i64>,
}

impl Plugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        "InterPodAffinity"
    }

    fn pre_filter(&self, state: &mut CycleState, pod: &Pod, nodes: &[Arc<NodeInfo>]) -> Status {
        let namespaces = state.read::<Arc<NamespaceLabels>>(NAMESPACES_KEY).cloned();
        let namespaces = namespaces.as_deref();
        let affinity_terms = required_terms(pod, false);
        let anti_terms = required_terms(pod, true);
        let own = namespace_of(pod);
        let mut computed = FilterState::default();
        for node in nodes {
            for existing in &node.pods_with_affinity {
                for term in required_terms(existing, true) {
                    if term_matches(term, namespace_of(existing), pod, namespaces)
                        && let Some(d) = domain(node, &term.topology_key)
                    {
                        *computed.existing_anti.entry(d).or_default() += 1;
                    }
                }
            }
            if affinity_terms.is_empty() && anti_terms.is_empty() {
                continue;
            }
            // Count per node first; a node's domain is looked up once.
            if !affinity_terms.is_empty() {
                let matching = node
                    .pods
                    .iter()
                    .filter(|existing| {
                        affinity_terms
                            .iter()
                            .all(|t| term_matches(t, own, existing, namespaces))
                    })
                    .count() as i64;
                if matching > 0 {
                    for term in affinity_terms {
                        if let Some(d) = domain(node, &term.topology_key) {
                            *computed.affinity.entry(d).or_default() += matching;
                        }
                    }
                }
            }
            for term in anti_terms {
                let matching = node
                    .pods
                    .iter()
                    .filter(|existing| term_matches(term, own, existing, namespaces))
                    .count() as i64;
                if matching > 0
                    && let Some(d) = domain(node, &term.topology_key)
                {
                    *computed.anti.entry(d).or_default() += matching;
                }
            }
        }
        let nothing =
            computed.existing_anti.is_empty() && affinity_terms.is_empty() && anti_terms.is_empty();
        state.write(FILTER_KEY, computed);
        if nothing {
            Status::skip()
        } else {
            Status::success()
        }
    }

    fn filter(&self, state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        let Some(computed) = state.read::<FilterState>(FILTER_KEY) else {
            return Status::success();
        };
        let affinity_terms = required_terms(pod, false);
        if !affinity_terms.is_empty() {
            let satisfied = affinity_terms.iter().all(|term| {
                domain(node, &term.topology_key)
                    .is_some_and(|d| computed.affinity.get(&d).copied().unwrap_or(0) > 0)
            });
            // The first pod of a group that selects itself may go anywhere
            // its topology keys exist.
            let first_of_its_kind = computed.affinity.is_empty()
                && affinity_terms.iter().all(|t| {
                    term_matches(t, namespace_of(pod), pod, None)
                        && domain(node, &t.topology_key).is_some()
                });
            if !satisfied && !first_of_its_kind {
                return Status::unresolvable(AFFINITY_REASON);
            }
        }
        for term in required_terms(pod, true) {
            if let Some(d) = domain(node, &term.topology_key)
                && computed.anti.get(&d).copied().unwrap_or(0) > 0
            {
                return Status::unschedulable(vec![ANTI_AFFINITY_REASON.into()]);
            }
        }
        for (d, count) in &computed.existing_anti {
            if *count > 0 && domain(node, &d.0).as_ref() == Some(d) {
                return Status::unschedulable(vec![EXISTING_ANTI_AFFINITY_REASON.into()]);
            }
        }
        Status::success()
    }

    fn pre_score(&self, state: &mut CycleState, pod: &Pod, nodes: &[Arc<NodeInfo>]) -> Status {
        let namespaces = state.read::<Arc<NamespaceLabels>>(NAMESPACES_KEY).cloned();
        let namespaces = namespaces.as_deref();
        let incoming: Vec<(i64, &PodAffinityTerm)> = preferred_terms(pod).collect();
        let own = namespace_of(pod);
        let mut scores: HashMap<Domain, i64> = HashMap::new();
        for node in nodes {
            // The incoming pod's preferences count every existing pod.
            for (weight, term) in &incoming {
                let matching = match single_label(term) {
                    Some((key, value)) => node.count_labelled(own, key, value),
                    None => node
                        .pods
                        .iter()
                        .filter(|existing| term_matches(term, own, existing, namespaces))
                        .count(),
                } as i64;
                if matching > 0
                    && let Some(d) = domain(node, &term.topology_key)
                {
                    *scores.entry(d).or_default() += weight * matching;
                }
            }
            // Existing pods' own terms, where they have any.
            for existing in &node.pods_with_affinity {
                let theirs = preferred_terms(existing).chain(
                    required_terms(existing, false)
                        .iter()
                        .map(|t| (HARD_POD_AFFINITY_WEIGHT, t)),
                );
                for (weight, term) in theirs {
                    if term_matches(term, namespace_of(existing), pod, namespaces)
                        && let Some(d) = domain(node, &term.topology_key)
                    {
                        *scores.entry(d).or_default() += weight;
                    }
                }
            }
        }
        scores.retain(|_, score| *score != 0);
        let empty = scores.is_empty();
        // By topology key, then value: a node's score is one lookup per key.
        let mut by_key: DomainScores = HashMap::new();
        for ((key, value), score) in scores {
            by_key.entry(key).or_default().insert(value, score);
        }
        state.write(SCORE_KEY, by_key);
        if empty {
            Status::skip()
        } else {
            Status::success()
        }
    }

    fn score(&self, state: &CycleState, _pod: &Pod, node: &NodeInfo) -> i64 {
        let Some(scores) = state.read::<DomainScores>(SCORE_KEY) else {
            return 0;
        };
        let labels = node.node.metadata.labels.as_ref();
        scores
            .iter()
            .filter_map(|(key, values)| values.get(labels?.get(key)?))
            .sum()
    }

    /// Scales the scores to 0..=100 between the lowest and the highest.
    fn normalize_scores(&self, state: &CycleState, _pod: &Pod, scores: &mut [i64]) {
        if state.read::<DomainScores>(SCORE_KEY).is_none() {
            return;
        }
        let (min, max) = scores
            .iter()
            .fold((i64::MAX, i64::MIN), |(lo, hi), s| (lo.min(*s), hi.max(*s)));
        for score in scores.iter_mut() {
            *score = if max > min {
                MAX_NODE_SCORE * (*score - min) / (max - min)
            } else {
                0
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

    fn labelled(name: &str, labels: Value, spec: Value) -> Arc<Pod> {
        let mut p = pod(spec);
        p.metadata.name = Some(name.into());
        p.metadata.labels = serde_json::from_value(labels).unwrap();
        Arc::new(p)
    }

    fn anti(selector: Value, key: &str) -> Value {
        json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": selector}, "topologyKey": key}]}}})
    }

    fn run_filter(incoming: &Pod, nodes: &[Arc<NodeInfo>]) -> Vec<Status> {
        let mut state = CycleState::default();
        InterPodAffinity.pre_filter(&mut state, incoming, nodes);
        nodes
            .iter()
            .map(|n| InterPodAffinity.filter(&state, incoming, n))
            .collect()
    }

    #[test]
    fn required_anti_affinity_both_ways() {
        let mut a = node("a", json!({"metadata": {"labels": {"zone": "z1"}}}));
        a.add_pod(labelled("web-1", json!({"app": "web"}), json!({})));
        let b = node("b", json!({"metadata": {"labels": {"zone": "z1"}}}));
        let c = node("c", json!({"metadata": {"labels": {"zone": "z2"}}}));
        let nodes = [Arc::new(a), Arc::new(b), Arc::new(c)];
        // The incoming pod refuses nodes (by hostname) with a web pod.
        let incoming = labelled(
            "web-2",
            json!({"app": "web"}),
            anti(json!({"app": "web"}), "kubernetes.io/hostname"),
        );
        let statuses = run_filter(&incoming, &nodes);
        assert_eq!(statuses[0].reasons, [ANTI_AFFINITY_REASON]);
        assert_eq!(statuses[0].code, Code::Unschedulable);
        assert!(statuses[1].is_success() && statuses[2].is_success());
        // By zone, b shares a's domain.
        let incoming = labelled(
            "web-2",
            json!({"app": "web"}),
            anti(json!({"app": "web"}), "zone"),
        );
        let statuses = run_filter(&incoming, &nodes);
        assert!(!statuses[1].is_success() && statuses[2].is_success());
        // An existing pod's anti-affinity keeps others away from it.
        let mut a = node("a", json!({}));
        a.add_pod(labelled(
            "db",
            json!({"app": "db"}),
            anti(json!({"app": "web"}), "kubernetes.io/hostname"),
        ));
        let nodes = [Arc::new(a), Arc::new(node("b", json!({})))];
        let statuses = run_filter(&labelled("web", json!({"app": "web"}), json!({})), &nodes);
        assert_eq!(statuses[0].reasons, [EXISTING_ANTI_AFFINITY_REASON]);
        assert!(statuses[1].is_success());
    }

    #[test]
    fn required_affinity_follows_its_peers_except_the_first() {
        let affinity = json!({"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "kubernetes.io/hostname"}]}}});
        let first = labelled("cache-1", json!({"app": "cache"}), affinity.clone());
        let nodes = [
            Arc::new(node("a", json!({}))),
            Arc::new(node("b", json!({}))),
        ];
        assert!(run_filter(&first, &nodes).iter().all(Status::is_success));
        let mut a = node("a", json!({}));
        a.add_pod(first.clone());
        let nodes = [Arc::new(a), Arc::new(node("b", json!({})))];
        let second = labelled("cache-2", json!({"app": "cache"}), affinity);
        let statuses = run_filter(&second, &nodes);
        assert!(statuses[0].is_success());
        assert_eq!(statuses[1].reasons, [AFFINITY_REASON]);
        assert_eq!(statuses[1].code, Code::UnschedulableAndUnresolvable);
    }

    #[test]
    fn alice_avoids_bob() {
        // The seed's validators: alice prefers nodes without bob.
        let mut with_bob = node("pool-2", json!({}));
        with_bob.add_pod(labelled(
            "bob-0",
            json!({"app.kubernetes.io/role": "bob"}),
            json!({}),
        ));
        let nodes = [Arc::new(with_bob), Arc::new(node("pool-3", json!({})))];
        let alice = labelled(
            "alice-0",
            json!({"app.kubernetes.io/role": "alice"}),
            json!({"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchExpressions": [
                    {"key": "app.kubernetes.io/role", "operator": "In", "values": ["bob"]}]},
                    "topologyKey": "kubernetes.io/hostname"}}]}}}),
        );
        let mut state = CycleState::default();
        InterPodAffinity.pre_score(&mut state, &alice, &nodes);
        let mut scores: Vec<i64> = nodes
            .iter()
            .map(|n| InterPodAffinity.score(&state, &alice, n))
            .collect();
        assert_eq!(scores, [-100, 0]);
        InterPodAffinity.normalize_scores(&state, &alice, &mut scores);
        assert_eq!(scores, [0, 100]);
    }
}
