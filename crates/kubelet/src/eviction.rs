//! Node-pressure eviction: when memory.available or nodefs.available falls
//! under its hard threshold, the kubelet ends one pod per monitoring period
//! — those using more memory than they request first, then the lowest
//! priority, then the largest use above the request — reporting it Failed
//! with reason Evicted and upstream's message. Static pods are left alone.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use tokio::sync::{Notify, watch};

use crate::machine::{Available, Thresholds};
use crate::runtime::Runtime;

/// A pod the kubelet runs, as the eviction manager sees it.
struct Active {
    pod: Arc<Pod>,
    /// (container name, runtime id) of its running containers.
    containers: Vec<(String, String)>,
    eviction: Option<String>,
    wake: Arc<Notify>,
}

/// (container name, runtime id) of a pod's running containers.
pub type RunningContainers = Vec<(String, String)>;

/// The pods running on a node, kept by their workers.
#[derive(Default)]
pub struct ActivePods(Mutex<HashMap<String, Active>>);

impl ActivePods {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Active>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn register(&self, uid: &str, pod: Arc<Pod>, wake: Arc<Notify>) {
        self.lock().insert(
            uid.to_string(),
            Active {
                pod,
                containers: Vec::new(),
                eviction: None,
                wake,
            },
        );
    }

    pub fn update(&self, uid: &str, pod: Arc<Pod>) {
        if let Some(active) = self.lock().get_mut(uid) {
            active.pod = pod;
        }
    }

    pub fn containers(&self, uid: &str, containers: Vec<(String, String)>) {
        if let Some(active) = self.lock().get_mut(uid) {
            active.containers = containers;
        }
    }

    pub fn remove(&self, uid: &str) {
        self.lock().remove(uid);
    }

    /// Every pod running here.
    pub fn pods(&self) -> Vec<Arc<Pod>> {
        self.lock().values().map(|a| a.pod.clone()).collect()
    }

    /// The pod `namespace/name` running here and (name, runtime id) of its
    /// running containers: what exec, attach and port-forward reach.
    pub fn find(&self, namespace: &str, name: &str) -> Option<(Arc<Pod>, RunningContainers)> {
        self.lock()
            .values()
            .find(|a| {
                a.pod.metadata.namespace.as_deref() == Some(namespace)
                    && a.pod.metadata.name.as_deref() == Some(name)
            })
            .map(|a| (a.pod.clone(), a.containers.clone()))
    }

    /// The eviction decided for a pod, if any.
    pub fn eviction(&self, uid: &str) -> Option<String> {
        self.lock().get(uid).and_then(|a| a.eviction.clone())
    }
}

fn memory_request(pod: &Pod, container: &str) -> u64 {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| {
            c.resources
                .as_ref()?
                .requests
                .as_ref()?
                .get("memory")
                .cloned()
        })
        .and_then(|q| api::quantity::value(&q.0))
        .map(|v| v as u64)
        .unwrap_or(0)
}

fn is_static(pod: &Pod) -> bool {
    pod.metadata.annotations.as_ref().is_some_and(|a| {
        a.get(crate::static_pods::SOURCE_ANNOTATION)
            .is_some_and(|s| s == "file")
    })
}

fn show_bytes(bytes: u64) -> String {
    format!("{}Ki", bytes / 1024)
}

/// A threshold as a quantity with the largest binary suffix that fits.
fn show_threshold(bytes: u64) -> String {
    for (shift, suffix) in [(50, "Pi"), (40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{}{suffix}", bytes >> shift);
        }
    }
    bytes.to_string()
}

/// (pod uid, uses more than it requests, priority, use above requests,
/// message).
type Candidate = (String, bool, i32, i128, String);

/// Upstream's memory ranking: pods over their requests first, then lower
/// priority, then more use above the request.
fn rank(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)).then(b.3.cmp(&a.3)));
}

/// Watches the node's resources every `period` until shutdown.
pub async fn run(
    pods: Arc<ActivePods>,
    runtime: Arc<dyn Runtime>,
    root_dir: PathBuf,
    thresholds: Thresholds,
    period: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    // The first measurement a period in, once the pods the kubelet
    // found at start have their workers.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        let available = Available::measure(&root_dir);
        let memory = available.memory_bytes < thresholds.memory_available_bytes;
        let disk = available.nodefs_total_bytes > 0
            && (available.nodefs_bytes as f64)
                < available.nodefs_total_bytes as f64 * thresholds.nodefs_available;
        if !memory && !disk {
            continue;
        }
        let mut map = pods.lock();
        if map.values().any(|a| a.eviction.is_some()) {
            // One at a time: the last one is still going.
            continue;
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        for (uid, active) in map.iter() {
            if is_static(&active.pod) {
                continue;
            }
            let (mut used, mut requested) = (0u64, 0u64);
            let mut heaviest: Option<(String, u64, u64)> = None;
            for (name, id) in &active.containers {
                let usage = runtime.memory_usage(id).unwrap_or(0);
                let request = memory_request(&active.pod, name);
                used += usage;
                requested += request;
                if heaviest.as_ref().is_none_or(|(_, u, _)| usage > *u) {
                    heaviest = Some((name.clone(), usage, request));
                }
            }
            let priority = active
                .pod
                .spec
                .as_ref()
                .and_then(|s| s.priority)
                .unwrap_or(0);
            let message = if memory {
                let mut message = format!(
                    "The node was low on resource: memory. Threshold quantity: {}, available: {}. ",
                    show_threshold(thresholds.memory_available_bytes),
                    show_bytes(available.memory_bytes)
                );
                if let Some((name, usage, request)) = heaviest {
                    message.push_str(&format!(
                        "Container {name} was using {}, request is {}, has larger consumption of memory. ",
                        show_bytes(usage),
                        if request == 0 { "0".to_string() } else { show_bytes(request) }
                    ));
                }
                message
            } else {
                format!(
                    "The node was low on resource: ephemeral-storage. Threshold quantity: {:.0}%, available: {}. ",
                    thresholds.nodefs_available * 100.0,
                    show_bytes(available.nodefs_bytes)
                )
            };
            candidates.push((
                uid.clone(),
                used > requested,
                priority,
                i128::from(used) - i128::from(requested),
                message,
            ));
        }
        rank(&mut candidates);
        if let Some((uid, _, _, _, message)) = candidates.into_iter().next()
            && let Some(active) = map.get_mut(&uid)
        {
            tracing::warn!(pod = ?active.pod.metadata.name, %message, "evicting a pod");
            active.eviction = Some(message);
            active.wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(uid: &str, exceeds: bool, priority: i32, above: i128) -> Candidate {
        (uid.to_string(), exceeds, priority, above, String::new())
    }

    #[test]
    fn pods_over_their_requests_go_first_then_by_priority_and_use() {
        let mut candidates = vec![
            candidate("guaranteed", false, 0, -(64 << 20)),
            candidate("important-hog", true, 1000, 1 << 20),
            candidate("best-effort", true, 0, 256 << 10),
            candidate("big-best-effort", true, 0, 8 << 20),
        ];
        rank(&mut candidates);
        let order: Vec<&str> = candidates.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            order,
            [
                "big-best-effort",
                "best-effort",
                "important-hog",
                "guaranteed"
            ]
        );
    }
}
