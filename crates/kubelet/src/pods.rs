//! Pods and nodes from the API, routed to this process's nodes: one pod
//! watch (a field selector on spec.nodeName for a single node) hands each
//! pod to its worker, started on first sight; one node watch hands each
//! node its own object. A relist ends the workers of pods that are gone.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::sync::watch;

use crate::worker::{self, Host, PodUpdates};

type Workers = Arc<Mutex<HashMap<String, PodUpdates>>>;

/// Watches the pods bound to `hosts`' nodes and keeps one worker per pod.
pub async fn run_pods(
    client: kube::Client,
    hosts: HashMap<String, Arc<Host>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let api: Api<Pod> = Api::all(client);
    let mut config = watcher::Config::default();
    if hosts.len() == 1
        && let Some(name) = hosts.keys().next()
    {
        config = config.fields(&format!("spec.nodeName={name}"));
    }
    let workers: Workers = Arc::new(Mutex::new(HashMap::new()));
    let mut relisted: Option<HashSet<String>> = None;
    let mut swept = false;
    let mut stream = watcher::watcher(api, config).default_backoff().boxed();
    loop {
        let event = tokio::select! {
            _ = shutdown.changed() => break,
            event = stream.next() => event,
        };
        let Some(event) = event else { break };
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                tracing::debug!(error = %err, "pod watch");
                continue;
            }
        };
        match event {
            Event::Init => relisted = Some(HashSet::new()),
            Event::InitApply(pod) => {
                if let (Some(seen), Some(uid)) = (relisted.as_mut(), pod.metadata.uid.clone()) {
                    seen.insert(uid);
                }
                route(&hosts, &workers, pod);
            }
            Event::InitDone => {
                if let Some(seen) = relisted.take() {
                    {
                        let workers = workers.lock().unwrap_or_else(|e| e.into_inner());
                        for (uid, updates) in workers.iter() {
                            if !seen.contains(uid) {
                                updates.send_replace(None);
                            }
                        }
                    }
                    if !swept {
                        swept = true;
                        for host in hosts.values() {
                            tokio::spawn(sweep_orphans(host.clone(), seen.clone()));
                        }
                    }
                }
            }
            Event::Apply(pod) => route(&hosts, &workers, pod),
            Event::Delete(pod) => {
                let uid = pod.metadata.uid.clone().unwrap_or_default();
                let workers = workers.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(updates) = workers.get(&uid) {
                    updates.send_replace(None);
                }
            }
        }
    }
    // Stopping: every worker is told its pod is gone, and stops it.
    let all: Vec<PodUpdates> = workers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain()
        .map(|(_, u)| u)
        .collect();
    drop(all);
}

/// Once the kubelet knows every pod bound to its node: what earlier
/// kubelets left for pods that are gone (deleted while none ran) is
/// stopped and removed — containers, sandboxes, volumes and logs.
async fn sweep_orphans(host: Arc<Host>, mut keep: HashSet<String>) {
    if host.simulated {
        return;
    }
    if let Some(dir) = &host.pod_manifest_path {
        keep.extend(crate::static_pods::uids(dir, &host.node_name));
    }
    host.runtime.remove_orphans(&keep).await;
    if let Ok(entries) = std::fs::read_dir(&host.pods_dir) {
        for entry in entries.flatten() {
            let uid = entry.file_name().to_string_lossy().into_owned();
            if !keep.contains(&uid) {
                crate::volumes::clean_up(&host.pods_dir, &uid);
            }
        }
    }
    // Log directories are `<namespace>_<name>_<uid>`.
    if let Ok(entries) = std::fs::read_dir(&host.logs_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name
                .rsplit('_')
                .next()
                .is_some_and(|uid| !keep.contains(uid))
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

fn route(hosts: &HashMap<String, Arc<Host>>, workers: &Workers, pod: Pod) {
    let Some(uid) = pod.metadata.uid.clone() else {
        return;
    };
    // A mirror pod's worker is its static pod's.
    if crate::static_pods::is_mirror(&pod) {
        return;
    }
    let node = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .unwrap_or_default();
    let Some(host) = hosts.get(&node) else {
        return;
    };
    let mut map = workers.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(updates) = map.get(&uid) {
        updates.send_replace(Some(Arc::new(pod)));
        return;
    }
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    if matches!(phase, Some("Succeeded") | Some("Failed"))
        && pod.metadata.deletion_timestamp.is_none()
    {
        // Finished before this kubelet started: nothing to run.
        return;
    }
    let registry = workers.clone();
    let key = uid.clone();
    let updates = worker::spawn(host.clone(), Arc::new(pod), move || {
        registry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
    });
    map.insert(uid, updates);
}

/// Watches the Node objects of `nodes` and hands each its own.
pub async fn run_nodes(
    client: kube::Client,
    nodes: HashMap<String, watch::Sender<Option<Arc<Node>>>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let api: Api<Node> = Api::all(client);
    let mut config = watcher::Config::default();
    if nodes.len() == 1
        && let Some(name) = nodes.keys().next()
    {
        config = config.fields(&format!("metadata.name={name}"));
    }
    let mut stream = watcher::watcher(api, config).default_backoff().boxed();
    loop {
        let event = tokio::select! {
            _ = shutdown.changed() => return,
            event = stream.next() => event,
        };
        match event {
            None => return,
            Some(Err(err)) => tracing::debug!(error = %err, "node watch"),
            Some(Ok(Event::Apply(node) | Event::InitApply(node))) => {
                if let Some(sender) = node.metadata.name.as_ref().and_then(|n| nodes.get(n)) {
                    sender.send_replace(Some(Arc::new(node)));
                }
            }
            Some(Ok(Event::Delete(node))) => {
                if let Some(sender) = node.metadata.name.as_ref().and_then(|n| nodes.get(n)) {
                    sender.send_replace(None);
                }
            }
            Some(Ok(Event::Init | Event::InitDone)) => {}
        }
    }
}
