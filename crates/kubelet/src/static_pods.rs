//! Static pods: pods the kubelet runs from manifest files in
//! `--pod-manifest-path` (read every 20 s), whatever the API server says,
//! each shown in the API as a mirror pod (`<name>-<node>`, annotation
//! `kubernetes.io/config.mirror`, owned by the Node). A deleted mirror pod
//! comes back; a removed file stops its pod and removes the mirror.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use tokio::sync::watch;

use crate::worker::{self, Host, PodUpdates};

pub const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";
pub const HASH_ANNOTATION: &str = "kubernetes.io/config.hash";
pub const SOURCE_ANNOTATION: &str = "kubernetes.io/config.source";

use component_helpers::hash::fnv1a64 as fnv;

/// A static pod's uid (and config hash): from its manifest and node.
fn config_hash(manifest: &[u8], node: &str) -> String {
    let mut bytes = manifest.to_vec();
    bytes.extend_from_slice(node.as_bytes());
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325, &bytes),
        fnv(0x8422_2325_cbf2_9ce4, &bytes)
    )
}

/// The uids of the static pods the manifest directory holds now.
pub fn uids(dir: &Path, node: &str) -> std::collections::HashSet<String> {
    read_manifests(dir, node)
        .into_values()
        .filter_map(|pod| pod.metadata.uid)
        .collect()
}

/// The pods of the manifest directory, by file; files that are not a pod
/// are logged and left out.
fn read_manifests(dir: &Path, node: &str) -> BTreeMap<PathBuf, Pod> {
    let mut pods = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return pods;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || !path.is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let parsed: Result<Pod, String> = if name.ends_with(".json") {
            serde_json::from_slice(&bytes).map_err(|e| e.to_string())
        } else {
            serde_norway::from_slice(&bytes).map_err(|e| e.to_string())
        };
        let mut pod = match parsed {
            Ok(pod) if pod.metadata.name.as_deref().is_some_and(|n| !n.is_empty()) => pod,
            Ok(_) => {
                tracing::warn!(file = %path.display(), "a static pod manifest without a name");
                continue;
            }
            Err(err) => {
                tracing::warn!(file = %path.display(), error = %err, "not a pod manifest");
                continue;
            }
        };
        let hash = config_hash(&bytes, node);
        let meta = &mut pod.metadata;
        meta.name = Some(format!("{}-{node}", meta.name.clone().unwrap_or_default()));
        meta.namespace.get_or_insert_with(|| "default".into());
        meta.uid = Some(hash.clone());
        let annotations = meta.annotations.get_or_insert_with(BTreeMap::new);
        annotations.insert(HASH_ANNOTATION.into(), hash.clone());
        annotations.insert(SOURCE_ANNOTATION.into(), "file".into());
        let spec = pod.spec.get_or_insert_with(Default::default);
        spec.node_name = Some(node.to_string());
        // Static pods tolerate every NoExecute taint, as upstream's.
        spec.tolerations
            .get_or_insert_with(Vec::new)
            .push(Toleration {
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                ..Toleration::default()
            });
        spec.restart_policy.get_or_insert_with(|| "Always".into());
        spec.termination_grace_period_seconds.get_or_insert(30);
        pod.status = None;
        pods.insert(path, pod);
    }
    pods
}

/// The mirror of a static pod as the API holds it.
fn mirror_of(pod: &Pod, node: &Node) -> Pod {
    let mut mirror = pod.clone();
    let meta = &mut mirror.metadata;
    meta.uid = None;
    meta.resource_version = None;
    let hash = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(HASH_ANNOTATION).cloned())
        .unwrap_or_default();
    meta.annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(MIRROR_ANNOTATION.into(), hash);
    meta.owner_references = Some(vec![OwnerReference {
        api_version: "v1".into(),
        kind: "Node".into(),
        name: node.metadata.name.clone().unwrap_or_default(),
        uid: node.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        ..OwnerReference::default()
    }]);
    mirror
}

struct Running {
    pod: Pod,
    updates: PodUpdates,
}

/// Runs the static pods of `dir` on `host`'s node until shutdown.
pub async fn run(
    host: Arc<Host>,
    node_name: String,
    dir: PathBuf,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut running: HashMap<PathBuf, Running> = HashMap::new();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => break,
        }
        let wanted = read_manifests(&dir, &node_name);
        // Gone or changed: stop the old pod and remove its mirror.
        let stale: Vec<PathBuf> = running
            .iter()
            .filter(|(path, r)| {
                wanted
                    .get(*path)
                    .is_none_or(|p| p.metadata.uid != r.pod.metadata.uid)
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in stale {
            if let Some(old) = running.remove(&path) {
                old.updates.send_replace(None);
                delete_mirror(&host.client, &old.pod).await;
            }
        }
        for (path, pod) in wanted {
            if !running.contains_key(&path) {
                tracing::info!(pod = ?pod.metadata.name, file = %path.display(), "static pod started");
                let updates = worker::spawn(host.clone(), Arc::new(pod.clone()), || {});
                running.insert(path.clone(), Running { pod, updates });
            }
        }
        for static_pod in running.values() {
            if ensure_mirror(&host.client, &node_name, &static_pod.pod).await {
                // A new mirror knows no status yet: the worker reports again.
                static_pod
                    .updates
                    .send_replace(Some(Arc::new(static_pod.pod.clone())));
            }
        }
    }
    for (_, old) in running.drain() {
        old.updates.send_replace(None);
    }
}

/// Makes the mirror exist; true when it was (re)created.
async fn ensure_mirror(client: &kube::Client, node_name: &str, pod: &Pod) -> bool {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let api: Api<Pod> = Api::namespaced(client.clone(), &namespace);
    let hash = pod.metadata.uid.clone().unwrap_or_default();
    match api.get_opt(&name).await {
        Ok(Some(mirror)) => {
            let annotations = mirror.metadata.annotations.clone().unwrap_or_default();
            let ours = annotations.get(MIRROR_ANNOTATION) == Some(&hash);
            if ours && mirror.metadata.deletion_timestamp.is_none() {
                return false;
            }
            // Deleted by someone, or another pod's: the mirror is made anew.
            let params = DeleteParams {
                grace_period_seconds: Some(0),
                ..DeleteParams::default()
            };
            let _ = api.delete(&name, &params).await;
        }
        Ok(None) => {}
        Err(err) => {
            tracing::debug!(pod = %name, error = %err, "reading a mirror pod");
            return false;
        }
    }
    let nodes: Api<Node> = Api::all(client.clone());
    let Ok(node) = nodes.get(node_name).await else {
        return false;
    };
    match api
        .create(&PostParams::default(), &mirror_of(pod, &node))
        .await
    {
        Ok(_) => true,
        Err(err) => {
            tracing::debug!(pod = %name, error = %err, "creating a mirror pod");
            false
        }
    }
}

async fn delete_mirror(client: &kube::Client, pod: &Pod) {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let api: Api<Pod> = Api::namespaced(client.clone(), &namespace);
    let params = DeleteParams {
        grace_period_seconds: Some(0),
        ..DeleteParams::default()
    };
    let _ = api.delete(&name, &params).await;
}

/// Whether an API pod is a mirror (its worker is the static pod's).
pub fn is_mirror(pod: &Pod) -> bool {
    pod.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(MIRROR_ANNOTATION))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_become_static_pods() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("web.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: busybox\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("junk.yaml"), "not: [a pod").unwrap();
        let pods = read_manifests(dir.path(), "node-a");
        assert_eq!(pods.len(), 1);
        let pod = pods.values().next().unwrap();
        assert_eq!(pod.metadata.name.as_deref(), Some("web-node-a"));
        assert_eq!(pod.metadata.namespace.as_deref(), Some("default"));
        let uid = pod.metadata.uid.clone().unwrap();
        assert_eq!(uid.len(), 32);
        assert_eq!(
            pod.spec.as_ref().unwrap().node_name.as_deref(),
            Some("node-a")
        );
        let again = read_manifests(dir.path(), "node-a");
        assert_eq!(
            again.values().next().unwrap().metadata.uid.as_deref(),
            Some(uid.as_str()),
            "stable"
        );
        let elsewhere = read_manifests(dir.path(), "node-b");
        assert_ne!(
            elsewhere.values().next().unwrap().metadata.uid.as_deref(),
            Some(uid.as_str())
        );
    }
}
