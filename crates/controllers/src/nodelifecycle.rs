//! The node lifecycle controller, with the taint eviction and pod GC parts
//! upstream runs beside it. Every few seconds it looks at each node's
//! heartbeats (its Lease renewals and its Ready condition) as this
//! controller saw them arrive: a node silent for longer than the grace
//! period (40 s) has its conditions set Unknown ("Kubelet stopped posting
//! node status.") and its pods marked not Ready. Taints follow the Ready
//! condition — `node.kubernetes.io/not-ready` when False,
//! `node.kubernetes.io/unreachable` when Unknown, NoSchedule and NoExecute;
//! memory, disk, PID pressure and unschedulable NoSchedule — and pods that do not tolerate a NoExecute taint (or tolerated it for
//! their tolerationSeconds) are deleted. Pods bound to a node that does not
//! exist are deleted once it has been missing for the grace period (upstream
//! pod GC's 40 s quarantine), so a pod bound just before its node registers
//! is left alone.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, Patch, PatchParams, Preconditions};
use serde_json::json;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::informer::Informer;
use crate::pods::tolerates;
use crate::{Context, is_not_found};

pub const NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
/// The NoSchedule taint each condition brings while it is True.
const BY_CONDITION: &[(&str, &str)] = &[
    ("MemoryPressure", "node.kubernetes.io/memory-pressure"),
    ("DiskPressure", "node.kubernetes.io/disk-pressure"),
    ("PIDPressure", "node.kubernetes.io/pid-pressure"),
    (
        "NetworkUnavailable",
        "node.kubernetes.io/network-unavailable",
    ),
];
const LEASE_NAMESPACE: &str = "kube-node-lease";

/// The last heartbeat seen from a node, and when this controller saw it.
struct Health {
    lease_renewal: Option<Timestamp>,
    ready_heartbeat: Option<Timestamp>,
    seen_at: Instant,
}

fn now_time() -> Time {
    Time(Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_else(|_| Timestamp::now()))
}

fn ready_condition(node: &Node) -> Option<&NodeCondition> {
    node.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let nodes: Arc<Informer<Node>> = context.informers.get::<Node>();
    let leases: Arc<Informer<Lease>> = context.informers.get::<Lease>();
    let pods: Arc<Informer<Pod>> = context.informers.get::<Pod>();
    let client = context.client.clone();
    let grace = context.options.node_monitor_grace_period;
    let terminated_threshold = context.options.terminated_pod_gc_threshold;
    let events = events::EventSink::new(context.client.clone(), "node-controller");
    let mut shutdown = shutdown;
    tokio::spawn(async move {
        let synced = async {
            nodes.synced().await;
            leases.synced().await;
            pods.synced().await;
        };
        tokio::select! {
            _ = synced => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        let period = (grace / 8).clamp(Duration::from_millis(250), Duration::from_secs(5));
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut health: HashMap<String, Health> = HashMap::new();
        let monitor = Monitor {
            client,
            nodes,
            leases,
            pods,
            grace,
            terminated_threshold,
            events,
            missing_nodes: std::sync::Mutex::new(HashMap::new()),
        };
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.wait_for(|s| *s) => return,
            }
            monitor.pass(&mut health).await;
        }
    })
}

struct Monitor {
    client: kube::Client,
    nodes: Arc<Informer<Node>>,
    leases: Arc<Informer<Lease>>,
    pods: Arc<Informer<Pod>>,
    grace: Duration,
    terminated_threshold: usize,
    events: events::EventSink,
    /// Nodes that pods are bound to but that do not exist, since when.
    missing_nodes: std::sync::Mutex<HashMap<String, Instant>>,
}

impl Monitor {
    async fn pass(&self, health: &mut HashMap<String, Health>) {
        let nodes = self.nodes.store().state();
        health.retain(|name, _| {
            nodes
                .iter()
                .any(|n| n.metadata.name.as_deref() == Some(name))
        });
        for node in &nodes {
            let Some(name) = node.metadata.name.clone() else {
                continue;
            };
            let lease_renewal = self
                .leases
                .get(LEASE_NAMESPACE, &name)
                .and_then(|l| l.spec.as_ref()?.renew_time.as_ref().map(|t| t.0));
            let ready = ready_condition(node);
            let ready_heartbeat = ready.and_then(|c| c.last_heartbeat_time.as_ref().map(|t| t.0));
            let entry = health.entry(name.clone()).or_insert_with(|| Health {
                lease_renewal,
                ready_heartbeat,
                seen_at: Instant::now(),
            });
            if entry.lease_renewal != lease_renewal || entry.ready_heartbeat != ready_heartbeat {
                entry.lease_renewal = lease_renewal;
                entry.ready_heartbeat = ready_heartbeat;
                entry.seen_at = Instant::now();
            }
            // A node that never reported is given the grace period first,
            // and untainted meanwhile (upstream taints by the conditions
            // a node has).
            let mut status = ready.map(|c| c.status.clone());
            if status.as_deref() != Some("Unknown")
                && entry.seen_at.elapsed() > self.grace
                && self.mark_unknown(node).await
            {
                status = Some("Unknown".into());
                self.events.normal(
                    node.as_ref(),
                    "NodeNotReady",
                    format!("Node {name} status is now: NodeNotReady"),
                );
                self.mark_pods_not_ready(&name).await;
            }
            if let Some(status) = &status {
                self.reconcile_taints(node, status).await;
            }
            self.evict(node).await;
        }
        self.collect_orphans(&nodes).await;
        self.collect_terminated().await;
    }

    /// Deletes the oldest terminated pods beyond the threshold (evicted
    /// ones first), as upstream's pod GC does.
    async fn collect_terminated(&self) {
        if self.terminated_threshold == 0 {
            return;
        }
        let mut terminated: Vec<Arc<Pod>> = self
            .pods
            .store()
            .state()
            .into_iter()
            .filter(|p| {
                matches!(
                    p.status.as_ref().and_then(|s| s.phase.as_deref()),
                    Some("Succeeded" | "Failed")
                ) && p.metadata.deletion_timestamp.is_none()
            })
            .collect();
        if terminated.len() <= self.terminated_threshold {
            return;
        }
        terminated.sort_by_key(|p| gc_order(p));
        let excess = terminated.len() - self.terminated_threshold;
        for pod in terminated.into_iter().take(excess) {
            let pods: Api<Pod> = Api::namespaced(
                self.client.clone(),
                pod.metadata.namespace.as_deref().unwrap_or_default(),
            );
            let params = DeleteParams {
                grace_period_seconds: Some(0),
                preconditions: Some(Preconditions {
                    uid: pod.metadata.uid.clone(),
                    resource_version: None,
                }),
                ..DeleteParams::default()
            };
            let name = pod.metadata.name.clone().unwrap_or_default();
            match pods.delete(&name, &params).await {
                Ok(_) => tracing::info!(pod = %name, "deleted a terminated pod over the threshold"),
                Err(err) if is_not_found(&err) => {}
                Err(err) => {
                    tracing::debug!(pod = %name, error = %err, "collecting a terminated pod")
                }
            }
        }
    }

    /// Sets the kubelet's conditions Unknown; true once written.
    async fn mark_unknown(&self, node: &Node) -> bool {
        let name = node.metadata.name.clone().unwrap_or_default();
        let now = now_time();
        let mut conditions: Vec<NodeCondition> = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.clone())
            .unwrap_or_default();
        for type_ in ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"] {
            match conditions.iter_mut().find(|c| c.type_ == type_) {
                Some(condition) => {
                    if condition.status != "Unknown" {
                        condition.status = "Unknown".into();
                        condition.reason = Some("NodeStatusUnknown".into());
                        condition.message = Some("Kubelet stopped posting node status.".into());
                        condition.last_transition_time = Some(now.clone());
                    }
                }
                None => conditions.push(NodeCondition {
                    type_: type_.into(),
                    status: "Unknown".into(),
                    reason: Some("NodeStatusNeverUpdated".into()),
                    message: Some("Kubelet never posted node status.".into()),
                    last_heartbeat_time: Some(now.clone()),
                    last_transition_time: Some(now.clone()),
                }),
            }
        }
        let api: Api<Node> = Api::all(self.client.clone());
        let patch = json!({"status": {"conditions": conditions}});
        match api
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => true,
            Err(err) => {
                tracing::debug!(node = %name, error = %err, "marking a node's status unknown");
                false
            }
        }
    }

    fn pods_on(&self, node: &str) -> Vec<Arc<Pod>> {
        self.pods
            .store()
            .state()
            .into_iter()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
            .collect()
    }

    async fn mark_pods_not_ready(&self, node: &str) {
        for pod in self.pods_on(node) {
            let mut conditions = pod
                .status
                .as_ref()
                .and_then(|s| s.conditions.clone())
                .unwrap_or_default();
            let mut changed = false;
            for condition in conditions.iter_mut().filter(|c| c.type_ == "Ready") {
                if condition.status != "False" {
                    condition.status = "False".into();
                    condition.last_transition_time = Some(now_time());
                    changed = true;
                }
            }
            if !changed {
                continue;
            }
            let namespace = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            let api: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
            let patch = json!({"status": {"conditions": conditions}});
            if let Err(err) = api
                .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                tracing::debug!(pod = %name, error = %err, "marking a pod not ready");
            }
            self.events
                .warning(pod.as_ref(), "NodeNotReady", "Node is not ready".into());
        }
    }

    /// The taints the node's conditions call for (upstream's
    /// TaintNodesByCondition and taint-based eviction): not-ready or
    /// unreachable (NoSchedule and NoExecute) as Ready says, the pressure
    /// and network taints (NoSchedule) while their conditions hold, and
    /// unschedulable for a cordoned node.
    async fn reconcile_taints(&self, node: &Node, ready: &str) {
        let current: Vec<Taint> = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.clone())
            .unwrap_or_default();
        let mut wanted: Vec<(&str, &str)> = Vec::new();
        match ready {
            "True" => {}
            "False" => wanted.extend([(NOT_READY, "NoSchedule"), (NOT_READY, "NoExecute")]),
            _ => wanted.extend([(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")]),
        }
        let conditions = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.clone())
            .unwrap_or_default();
        if ready != "Unknown" {
            for (condition, key) in BY_CONDITION {
                if conditions
                    .iter()
                    .any(|c| c.type_ == *condition && c.status == "True")
                {
                    wanted.push((key, "NoSchedule"));
                }
            }
        }
        if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
            wanted.push((UNSCHEDULABLE, "NoSchedule"));
        }
        let managed = |key: &str| {
            key == NOT_READY
                || key == UNREACHABLE
                || key == UNSCHEDULABLE
                || BY_CONDITION.iter().any(|(_, k)| *k == key)
        };
        let mut taints: Vec<Taint> = current
            .iter()
            .filter(|t| !managed(&t.key) || wanted.contains(&(t.key.as_str(), t.effect.as_str())))
            .cloned()
            .collect();
        for (key, effect) in wanted {
            if !taints.iter().any(|t| t.key == key && t.effect == effect) {
                taints.push(Taint {
                    key: key.into(),
                    value: None,
                    effect: effect.into(),
                    time_added: Some(now_time()),
                });
            }
        }
        if taints == current {
            return;
        }
        let name = node.metadata.name.clone().unwrap_or_default();
        let api: Api<Node> = Api::all(self.client.clone());
        let patch = json!({"spec": {"taints": taints}});
        if let Err(err) = api
            .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            tracing::debug!(node = %name, error = %err, "tainting a node");
        }
    }

    /// Deletes the node's pods that a NoExecute taint evicts now.
    async fn evict(&self, node: &Node) {
        let taints: Vec<Taint> = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t.effect == "NoExecute")
            .collect();
        if taints.is_empty() {
            return;
        }
        let name = node.metadata.name.clone().unwrap_or_default();
        let now = Timestamp::now();
        for pod in self.pods_on(&name) {
            if pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let tolerations = pod
                .spec
                .as_ref()
                .and_then(|s| s.tolerations.clone())
                .unwrap_or_default();
            let due = taints.iter().any(|taint| {
                let matching: Vec<_> = tolerations.iter().filter(|t| tolerates(t, taint)).collect();
                if matching.is_empty() {
                    return true;
                }
                // Tolerated forever unless every matching toleration has a bound.
                let Some(seconds) = matching
                    .iter()
                    .map(|t| t.toleration_seconds)
                    .collect::<Option<Vec<i64>>>()
                    .and_then(|s| s.into_iter().min())
                else {
                    return false;
                };
                let added = taint.time_added.as_ref().map(|t| t.0).unwrap_or(now);
                now.duration_since(added).as_secs() >= seconds.max(0)
            });
            if !due {
                continue;
            }
            let namespace = pod.metadata.namespace.clone().unwrap_or_default();
            let pod_name = pod.metadata.name.clone().unwrap_or_default();
            self.events.normal(
                pod.as_ref(),
                "TaintManagerEviction",
                format!("Marking for deletion Pod {namespace}/{pod_name}"),
            );
            let api: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: pod.metadata.uid.clone(),
                    resource_version: None,
                }),
                ..DeleteParams::default()
            };
            if let Err(err) = api.delete(&pod_name, &params).await
                && !is_not_found(&err)
            {
                tracing::debug!(pod = %pod_name, error = %err, "evicting a pod");
            }
        }
    }

    /// Force-deletes pods bound to nodes that have not existed for the
    /// grace period (asked of the API server, not only the cache, before a
    /// pod goes).
    async fn collect_orphans(&self, nodes: &[Arc<Node>]) {
        let known: std::collections::HashSet<&str> = nodes
            .iter()
            .filter_map(|n| n.metadata.name.as_deref())
            .collect();
        let pods = self.pods.store().state();
        let quarantined: std::collections::HashSet<String> = {
            let mut missing = self
                .missing_nodes
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let now = Instant::now();
            let bound_to_missing: std::collections::HashSet<&str> = pods
                .iter()
                .filter_map(|pod| pod.spec.as_ref()?.node_name.as_deref())
                .filter(|node| !node.is_empty() && !known.contains(node))
                .collect();
            missing.retain(|node, _| bound_to_missing.contains(node.as_str()));
            for node in bound_to_missing {
                missing.entry(node.to_string()).or_insert(now);
            }
            missing
                .iter()
                .filter(|(_, since)| since.elapsed() >= self.grace)
                .map(|(node, _)| node.clone())
                .collect()
        };
        if quarantined.is_empty() {
            return;
        }
        let api: Api<Node> = Api::all(self.client.clone());
        for pod in pods {
            let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
                continue;
            };
            if !quarantined.contains(node) {
                continue;
            }
            match api.get_opt(node).await {
                Ok(None) => {}
                _ => continue,
            }
            let namespace = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            let pods: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
            let params = DeleteParams {
                grace_period_seconds: Some(0),
                preconditions: Some(Preconditions {
                    uid: pod.metadata.uid.clone(),
                    resource_version: None,
                }),
                ..DeleteParams::default()
            };
            match pods.delete(&name, &params).await {
                Ok(_) => tracing::info!(pod = %name, node, "deleted a pod of a node that is gone"),
                Err(err) if is_not_found(&err) => {}
                Err(err) => {
                    tracing::debug!(pod = %name, error = %err, "collecting an orphaned pod")
                }
            }
        }
    }
}

/// The order terminated pods are collected in: evicted ones first, then
/// the oldest.
fn gc_order(pod: &Pod) -> (bool, Option<Timestamp>, String) {
    let evicted = pod.status.as_ref().and_then(|s| s.reason.as_deref()) == Some("Evicted");
    (
        !evicted,
        pod.metadata.creation_timestamp.as_ref().map(|t| t.0),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, created: &str, reason: Option<&str>) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "creationTimestamp": created},
            "status": {"phase": "Failed", "reason": reason}
        }))
        .unwrap()
    }

    #[test]
    fn evicted_pods_go_first_then_the_oldest() {
        let mut pods = [
            pod("new", "2026-01-03T00:00:00Z", None),
            pod("old", "2026-01-01T00:00:00Z", None),
            pod("evicted", "2026-01-05T00:00:00Z", Some("Evicted")),
        ];
        pods.sort_by_key(gc_order);
        let names: Vec<_> = pods
            .iter()
            .map(|p| p.metadata.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["evicted", "old", "new"]);
    }
}
