//! The scheduler's view of the cluster, fed by its watches: every node
//! with the pods placed on it (bound, or assumed while their binding is in
//! flight), kept up to date incrementally so a cycle's snapshot is a cheap
//! copy of shared node infos.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use crate::framework::Listers;
use crate::node_info::NodeInfo;
use crate::plugins::inter_pod_affinity::NamespaceLabels;
use crate::plugins::pod_topology_spread::Owners;
use crate::plugins::volume_binding::Volumes;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

pub fn key_of(pod: &Pod) -> String {
    format!(
        "{}/{}",
        pod.metadata.namespace.as_deref().unwrap_or_default(),
        pod.metadata.name.as_deref().unwrap_or_default()
    )
}

/// Pods that no longer hold resources on their node.
fn terminated(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

pub fn node_name_of(pod: &Pod) -> Option<&str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
}

#[derive(Default)]
pub struct ClusterCache {
    nodes: BTreeMap<String, Arc<NodeInfo>>,
    /// Every pod the watch has shown, by key.
    pods: HashMap<String, Arc<Pod>>,
    /// Where each placed pod counts: its node.
    placed: HashMap<String, String>,
    /// Pods assumed on a node while their binding is in flight.
    assumed: HashMap<String, String>,
    /// Namespaces' labels, for namespace selectors in affinity terms
    /// (shared with the cycles that read them).
    namespaces: Arc<NamespaceLabels>,
    /// Pods nominated to a node by preemption, not yet bound: key → node.
    nominated: HashMap<String, String>,
    /// Claims, volumes and storage classes, for VolumeBinding.
    volumes: Arc<Volumes>,
    /// Pod selectors of Services and controllers, for default spreading.
    owners: Arc<Owners>,
    /// PodDisruptionBudgets, which preemption spares where it can.
    budgets: Arc<Vec<PodDisruptionBudget>>,
}

impl ClusterCache {
    pub fn pod(&self, key: &str) -> Option<Arc<Pod>> {
        self.pods.get(key).cloned()
    }

    pub fn budgets(&self) -> Arc<Vec<PodDisruptionBudget>> {
        self.budgets.clone()
    }

    pub fn set_budgets(&mut self, budgets: Vec<PodDisruptionBudget>) {
        self.budgets = Arc::new(budgets);
    }

    /// What plugins read beyond nodes and pods.
    pub fn listers(&self) -> Listers {
        Listers {
            namespaces: self.namespaces.clone(),
            volumes: self.volumes.clone(),
            owners: self.owners.clone(),
        }
    }

    /// After a relist of `kind`: its selectors are exactly `listed`.
    pub fn replace_selectors(&mut self, kind: &str, listed: Vec<(String, Option<LabelSelector>)>) {
        let prefix = format!("{kind}/");
        let owners = Arc::make_mut(&mut self.owners);
        owners.selectors.retain(|key, _| !key.starts_with(&prefix));
        for (key, selector) in listed {
            if let Some(selector) = selector {
                owners.selectors.insert(key, selector);
            }
        }
    }

    /// Sets (or, with None, removes) the selector of `kind/namespace/name`.
    pub fn set_selector(&mut self, key: String, selector: Option<LabelSelector>) {
        let owners = Arc::make_mut(&mut self.owners);
        match selector {
            Some(selector) => owners.selectors.insert(key, selector),
            None => owners.selectors.remove(&key),
        };
    }

    pub fn volumes_mut(&mut self) -> &mut Volumes {
        Arc::make_mut(&mut self.volumes)
    }

    pub fn set_namespace(&mut self, name: &str, labels: Option<BTreeMap<String, String>>) {
        let namespaces = Arc::make_mut(&mut self.namespaces);
        match labels {
            Some(labels) => namespaces.insert(name.to_string(), labels),
            None => namespaces.remove(name),
        };
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes as they are now, in name order.
    pub fn snapshot(&self) -> Vec<Arc<NodeInfo>> {
        self.nodes.values().cloned().collect()
    }

    /// The nodes as `pod` must see them: pods nominated to a node (by an
    /// earlier preemption) with at least its priority count there already,
    /// so the room made for them is not taken.
    pub fn snapshot_for(&self, pod: &Pod) -> Vec<Arc<NodeInfo>> {
        let mut nodes = self.snapshot();
        if self.nominated.is_empty() {
            return nodes;
        }
        let own = key_of(pod);
        let priority = |p: &Pod| p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0);
        for info in nodes.iter_mut() {
            let waiting: Vec<Arc<Pod>> = self
                .nominated
                .iter()
                .filter(|(key, node)| **key != own && node.as_str() == info.name())
                .filter_map(|(key, _)| self.pods.get(key))
                .filter(|p| priority(p) >= priority(pod))
                .cloned()
                .collect();
            if !waiting.is_empty() {
                let with = Arc::make_mut(info);
                for nominated in waiting {
                    with.add_pod(nominated);
                }
            }
        }
        nodes
    }

    pub fn apply_node(&mut self, node: Node) {
        let name = node.metadata.name.clone().unwrap_or_default();
        let mut info = NodeInfo::new(Arc::new(node));
        if let Some(previous) = self.nodes.get(&name) {
            for pod in &previous.pods {
                info.add_pod(pod.clone());
            }
        } else {
            // Pods bound before their node was seen.
            for (key, node) in &self.placed {
                if *node == name
                    && let Some(pod) = self.pods.get(key)
                {
                    info.add_pod(pod.clone());
                }
            }
        }
        self.nodes.insert(name, Arc::new(info));
    }

    pub fn delete_node(&mut self, name: &str) {
        self.nodes.remove(name);
    }

    /// Replaces the set of nodes after a relist.
    pub fn replace_nodes(&mut self, nodes: Vec<Node>) {
        let names: Vec<String> = nodes
            .iter()
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        self.nodes.retain(|name, _| names.contains(name));
        for node in nodes {
            self.apply_node(node);
        }
    }

    /// A pod as the watch shows it. Returns whether it now waits for
    /// scheduling (unassigned and alive).
    pub fn apply_pod(&mut self, pod: Pod) -> bool {
        let key = key_of(&pod);
        let pod = Arc::new(pod);
        let wants_node = node_name_of(&pod).is_none()
            && pod.metadata.deletion_timestamp.is_none()
            && !terminated(&pod);
        let target = node_name_of(&pod)
            .filter(|_| !terminated(&pod))
            .map(str::to_string);
        if target.is_some() {
            // Bound: the binding confirmed any assumption.
            self.assumed.remove(&key);
        }
        let current = self.placed.get(&key).cloned();
        if let Some(node) = &current
            && Some(node) != target.as_ref()
            && !self.assumed.contains_key(&key)
        {
            self.unplace(&key, node);
        }
        let nominated = pod
            .status
            .as_ref()
            .and_then(|s| s.nominated_node_name.clone())
            .filter(|n| !n.is_empty() && wants_node);
        match nominated {
            Some(node) => self.nominated.insert(key.clone(), node),
            None => self.nominated.remove(&key),
        };
        self.pods.insert(key.clone(), pod.clone());
        if let Some(node) = target {
            if current.as_ref() == Some(&node) {
                // Same node: refresh the pod object there.
                self.unplace(&key, &node);
            }
            self.place(&key, &node, pod);
        }
        wants_node
    }

    pub fn delete_pod(&mut self, key: &str) {
        self.pods.remove(key);
        self.nominated.remove(key);
        self.assumed.remove(key);
        if let Some(node) = self.placed.get(key).cloned() {
            self.unplace(key, &node);
        }
    }

    /// Replaces every pod after a relist; returns the keys that wait for
    /// scheduling.
    pub fn replace_pods(&mut self, pods: Vec<Pod>) -> Vec<(String, i32)> {
        let keys: Vec<String> = pods.iter().map(key_of).collect();
        let gone: Vec<String> = self
            .pods
            .keys()
            .filter(|k| !keys.contains(k) && !self.assumed.contains_key(*k))
            .cloned()
            .collect();
        for key in gone {
            self.delete_pod(&key);
        }
        let mut pending = Vec::new();
        for pod in pods {
            let key = key_of(&pod);
            let priority = pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0);
            if self.apply_pod(pod) {
                pending.push((key, priority));
            }
        }
        pending
    }

    /// Counts `pod` on `node` before its binding is confirmed, so the next
    /// cycles see the node's resources taken.
    pub fn assume(&mut self, pod: &Pod, node: &str) {
        let key = key_of(pod);
        let mut placed = pod.clone();
        if let Some(spec) = placed.spec.as_mut() {
            spec.node_name = Some(node.to_string());
        }
        self.assumed.insert(key.clone(), node.to_string());
        self.place(&key, node, Arc::new(placed));
    }

    /// The binding failed: the assumed pod no longer counts.
    pub fn forget(&mut self, key: &str) {
        if let Some(node) = self.assumed.remove(key) {
            self.unplace(key, &node);
        }
    }

    fn place(&mut self, key: &str, node: &str, pod: Arc<Pod>) {
        self.placed.insert(key.to_string(), node.to_string());
        if let Some(info) = self.nodes.get_mut(node) {
            Arc::make_mut(info).add_pod(pod);
        }
    }

    fn unplace(&mut self, key: &str, node: &str) {
        self.placed.remove(key);
        if let Some(info) = self.nodes.get_mut(node) {
            let remaining: Vec<Arc<Pod>> = info
                .pods
                .iter()
                .filter(|p| key_of(p) != key)
                .cloned()
                .collect();
            let mut rebuilt = NodeInfo::new(info.node.clone());
            for pod in remaining {
                rebuilt.add_pod(pod);
            }
            *info = Arc::new(rebuilt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str) -> Node {
        serde_json::from_value(json!({"metadata": {"name": name},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}))
        .unwrap()
    }

    fn pod(name: &str, node: Option<&str>, cpu: &str) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": name, "namespace": "d"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "i",
                "resources": {"requests": {"cpu": cpu}}}]}}))
        .unwrap()
    }

    fn requested(cache: &ClusterCache, node: &str) -> i64 {
        cache
            .snapshot()
            .iter()
            .find(|n| n.name() == node)
            .map(|n| n.requested.milli_cpu)
            .unwrap()
    }

    #[test]
    fn pods_count_where_they_are_placed() {
        let mut cache = ClusterCache::default();
        cache.apply_node(node("a"));
        cache.apply_node(node("b"));
        assert!(cache.apply_pod(pod("p", None, "1")));
        let p = cache.pod("d/p").unwrap();
        cache.assume(&p, "a");
        assert_eq!(requested(&cache, "a"), 1000);
        // The watch confirms the binding: still counted once.
        assert!(!cache.apply_pod(pod("p", Some("a"), "1")));
        assert_eq!(requested(&cache, "a"), 1000);
        // A pod bound elsewhere before its node is known is counted when
        // the node appears.
        cache.apply_pod(pod("q", Some("c"), "500m"));
        cache.apply_node(node("c"));
        assert_eq!(requested(&cache, "c"), 500);
        cache.delete_pod("d/p");
        assert_eq!(requested(&cache, "a"), 0);
        // A pod nominated to a node counts there for pods of lower priority.
        let nominated: Pod =
            serde_json::from_value(json!({"metadata": {"name": "n", "namespace": "d"},
            "spec": {"priority": 100, "containers": [{"name": "c", "image": "i",
                "resources": {"requests": {"cpu": "3"}}}]},
            "status": {"nominatedNodeName": "b"}}))
            .unwrap();
        cache.apply_pod(nominated);
        let low = pod("low", None, "1");
        let seen = cache.snapshot_for(&low);
        let b = seen.iter().find(|n| n.name() == "b").unwrap();
        assert_eq!(b.requested.milli_cpu, 3000);
        assert_eq!(requested(&cache, "b"), 0, "only in that pod's view");
        // A failed binding is forgotten.
        cache.apply_pod(pod("r", None, "2"));
        let r = cache.pod("d/r").unwrap();
        cache.assume(&r, "b");
        cache.forget("d/r");
        assert_eq!(requested(&cache, "b"), 0);
    }
}
