//! The `rudder.io/local-path` provisioner, run by each node for itself (as
//! k3s's local-path provisioner runs a helper on the node it provisions
//! on): a claim of a class with this provisioner, once the scheduler has
//! picked this node for its pod (`volume.kubernetes.io/selected-node`),
//! gets a directory under the node's data directory and a PersistentVolume
//! pointing at it, pinned to the node by node affinity and pre-bound to
//! the claim (the volume controller completes the binding). When such a
//! volume is Released and its reclaim policy is Delete, the node removes
//! the directory and then the volume.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use futures::StreamExt;
use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, ObjectReference,
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Resource, ResourceExt};
use tokio::sync::watch;

/// The provisioner's name, as StorageClasses name it.
pub const PROVISIONER: &str = "rudder.io/local-path";
/// The default StorageClass `rudder server` creates.
pub const STORAGE_CLASS: &str = "local-path";
const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";

/// Where one node keeps its volumes.
#[derive(Clone, Debug)]
pub struct NodeStorage {
    pub dir: PathBuf,
    /// False for simulated nodes: their volumes are records only.
    pub real: bool,
}

/// The `local-path` StorageClass, the cluster's default.
pub fn default_storage_class() -> StorageClass {
    StorageClass {
        metadata: ObjectMeta {
            name: Some(STORAGE_CLASS.into()),
            annotations: Some(BTreeMap::from([(
                "storageclass.kubernetes.io/is-default-class".to_string(),
                "true".to_string(),
            )])),
            ..ObjectMeta::default()
        },
        provisioner: PROVISIONER.into(),
        reclaim_policy: Some("Delete".into()),
        volume_binding_mode: Some("WaitForFirstConsumer".into()),
        ..StorageClass::default()
    }
}

fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// The directory a claim's volume lives in, under the node's storage.
fn volume_dir(storage: &NodeStorage, claim: &PersistentVolumeClaim) -> PathBuf {
    storage.dir.join(format!(
        "pvc-{}_{}_{}",
        claim.metadata.uid.as_deref().unwrap_or_default(),
        claim.namespace().unwrap_or_default(),
        claim.name_any()
    ))
}

/// The directory a Released volume of this node's may have removed: the one
/// its provisioning made, named from the volume and its claim, never a path
/// taken from the object as written (anyone who may update volumes could
/// point it at `/etc`). It must be a real directory directly under the
/// node's storage, not a link out of it.
fn reclaimable_dir(storage: &NodeStorage, volume: &PersistentVolume) -> Result<PathBuf, String> {
    let claim = volume
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .ok_or("the volume names no claim")?;
    let name = format!(
        "{}_{}_{}",
        volume.name_any(),
        claim.namespace.as_deref().unwrap_or_default(),
        claim.name.as_deref().unwrap_or_default()
    );
    if name.contains('/') || name.contains("..") {
        return Err(format!(
            "{name:?} is not a volume directory's name; left in place"
        ));
    }
    let expected = storage.dir.join(&name);
    let written = volume
        .spec
        .as_ref()
        .and_then(|s| s.host_path.as_ref())
        .map(|h| PathBuf::from(&h.path));
    if written.as_ref() != Some(&expected) {
        return Err(format!(
            "the volume's path {written:?} is not the directory made for it ({}); left in place",
            expected.display()
        ));
    }
    match std::fs::symlink_metadata(&expected) {
        Ok(meta) if !meta.is_dir() => Err(format!(
            "{} is not a directory; left in place",
            expected.display()
        )),
        _ => Ok(expected),
    }
}

/// The node a volume made here is pinned to.
fn pinned_node(volume: &PersistentVolume) -> Option<&str> {
    volume
        .spec
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required
        .as_ref()?
        .node_selector_terms
        .first()?
        .match_expressions
        .iter()
        .flatten()
        .find(|e| e.key == "kubernetes.io/hostname")?
        .values
        .as_ref()?
        .first()
        .map(String::as_str)
}

/// The volume for `claim` on `node`, with its directory at `path`.
pub fn volume_for(
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
    node: &str,
    path: &str,
) -> PersistentVolume {
    let spec = claim.spec.clone().unwrap_or_default();
    let size = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage").cloned());
    PersistentVolume {
        metadata: ObjectMeta {
            name: Some(format!(
                "pvc-{}",
                claim.metadata.uid.as_deref().unwrap_or_default()
            )),
            annotations: Some(BTreeMap::from([(
                PROVISIONED_BY.to_string(),
                PROVISIONER.to_string(),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeSpec {
            capacity: size.map(|s| BTreeMap::from([("storage".to_string(), s)])),
            access_modes: spec.access_modes.clone(),
            volume_mode: spec.volume_mode.clone(),
            storage_class_name: Some(class.name_any()),
            persistent_volume_reclaim_policy: Some(
                class
                    .reclaim_policy
                    .clone()
                    .unwrap_or_else(|| "Delete".into()),
            ),
            claim_ref: Some(ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("PersistentVolumeClaim".into()),
                namespace: claim.metadata.namespace.clone(),
                name: claim.metadata.name.clone(),
                uid: claim.metadata.uid.clone(),
                ..ObjectReference::default()
            }),
            host_path: Some(HostPathVolumeSource {
                path: path.to_string(),
                type_: Some("DirectoryOrCreate".into()),
            }),
            node_affinity: Some(VolumeNodeAffinity {
                required: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key: "kubernetes.io/hostname".into(),
                            operator: "In".into(),
                            values: Some(vec![node.to_string()]),
                        }]),
                        match_fields: None,
                    }],
                }),
            }),
            ..PersistentVolumeSpec::default()
        }),
        status: None,
    }
}

struct Provisioner {
    client: kube::Client,
    nodes: HashMap<String, NodeStorage>,
    events: events::EventSink,
}

/// Provisions and deletes volumes for `nodes` until `shutdown`.
pub async fn run(
    client: kube::Client,
    nodes: HashMap<String, NodeStorage>,
    shutdown: watch::Receiver<bool>,
) {
    if nodes.is_empty() {
        return;
    }
    let provisioner = std::sync::Arc::new(Provisioner {
        events: events::EventSink::new(client.clone(), PROVISIONER),
        client,
        nodes,
    });
    let claims = {
        let provisioner = provisioner.clone();
        tokio::spawn(each_applied(
            Api::all(provisioner.client.clone()),
            shutdown.clone(),
            move |claim: PersistentVolumeClaim| {
                let provisioner = provisioner.clone();
                async move { provisioner.on_claim(&claim).await }
            },
        ))
    };
    let volumes = tokio::spawn(each_applied(
        Api::all(provisioner.client.clone()),
        shutdown,
        move |volume: PersistentVolume| {
            let provisioner = provisioner.clone();
            async move {
                if let Err(err) = provisioner.reclaim(&volume).await {
                    tracing::warn!(volume = %volume.name_any(), error = %err, "deleting a released volume");
                }
            }
        },
    ));
    let _ = claims.await;
    let _ = volumes.await;
}

/// Hands every object of the watch (listed or changed) to `handle`, one
/// at a time, until `shutdown`.
async fn each_applied<K, F, Fut>(api: Api<K>, mut shutdown: watch::Receiver<bool>, mut handle: F)
where
    K: Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + 'static,
    F: FnMut(K) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut stream = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    loop {
        let event = tokio::select! {
            _ = shutdown.changed() => return,
            event = stream.next() => event,
        };
        match event {
            None => return,
            Some(Ok(Event::Apply(object) | Event::InitApply(object))) => handle(object).await,
            Some(Ok(_)) => {}
            Some(Err(err)) => tracing::debug!(kind = %K::kind(&()), error = %err, "watch"),
        }
    }
}

impl Provisioner {
    async fn on_claim(&self, claim: &PersistentVolumeClaim) {
        if let Err(err) = self.provision(claim).await {
            tracing::warn!(claim = %claim.name_any(), error = %err, "provisioning");
            let class = claim
                .spec
                .as_ref()
                .and_then(|s| s.storage_class_name.clone())
                .unwrap_or_default();
            self.events.warning(
                claim,
                "ProvisioningFailed",
                format!("failed to provision volume with StorageClass {class:?}: {err}"),
            );
        }
    }

    /// Makes the claim's volume if it is this provisioner's to make here.
    async fn provision(&self, claim: &PersistentVolumeClaim) -> Result<(), String> {
        let Some(node) = annotation(&claim.metadata, SELECTED_NODE) else {
            return Ok(());
        };
        let Some(storage) = self.nodes.get(node) else {
            return Ok(());
        };
        let unbound = claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.as_deref())
            .is_none_or(str::is_empty);
        if !unbound
            || claim.metadata.deletion_timestamp.is_some()
            || annotation(&claim.metadata, STORAGE_PROVISIONER) != Some(PROVISIONER)
        {
            return Ok(());
        }
        let class_name = claim
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.clone())
            .unwrap_or_default();
        let classes: Api<StorageClass> = Api::all(self.client.clone());
        let class = classes
            .get(&class_name)
            .await
            .map_err(|e| format!("storageclass {class_name:?}: {e}"))?;
        if class.provisioner != PROVISIONER {
            return Ok(());
        }
        let volumes: Api<PersistentVolume> = Api::all(self.client.clone());
        let name = format!("pvc-{}", claim.metadata.uid.as_deref().unwrap_or_default());
        if volumes
            .get_opt(&name)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            return Ok(());
        }
        let key = format!(
            "{}/{}",
            claim.namespace().unwrap_or_default(),
            claim.name_any()
        );
        self.events.normal(
            claim,
            "Provisioning",
            format!("External provisioner is provisioning volume for claim \"{key}\""),
        );
        let dir = volume_dir(storage, claim);
        if storage.real {
            create_dir(&dir)?;
        }
        let volume = volume_for(claim, &class, node, &dir.to_string_lossy());
        match volumes.create(&PostParams::default(), &volume).await {
            Ok(_) => {
                self.events.normal(
                    claim,
                    "ProvisioningSucceeded",
                    format!("Successfully provisioned volume {name}"),
                );
                Ok(())
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
            Err(err) => Err(err.to_string()),
        }
    }

    /// Deletes a Released volume this node made, directory first.
    async fn reclaim(&self, volume: &PersistentVolume) -> Result<(), String> {
        let released = volume.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
        let deletes = volume
            .spec
            .as_ref()
            .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
            == Some("Delete");
        if !released
            || !deletes
            || annotation(&volume.metadata, PROVISIONED_BY) != Some(PROVISIONER)
            || volume.metadata.deletion_timestamp.is_some()
        {
            return Ok(());
        }
        let Some(storage) = pinned_node(volume).and_then(|n| self.nodes.get(n)) else {
            return Ok(());
        };
        if storage.real {
            let path = reclaimable_dir(storage, volume)?;
            match std::fs::remove_dir_all(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("removing {}: {e}", path.display())),
            }
        }
        let volumes: Api<PersistentVolume> = Api::all(self.client.clone());
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: volume.meta().uid.clone(),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match volumes.delete(&volume.name_any(), &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 || status.code == 409 => Ok(()),
            Err(err) => Err(err.to_string()),
        }
    }
}

/// Creates the volume's directory, open to every user (a pod may run as
/// any uid).
fn create_dir(dir: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777))
        .map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_provisioned_volume_is_pinned_to_its_node_and_reserved_for_its_claim() {
        let claim: PersistentVolumeClaim = serde_json::from_value(json!({
            "metadata": {"name": "data", "namespace": "db", "uid": "1234"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local-path",
                     "resources": {"requests": {"storage": "10Gi"}}}
        }))
        .unwrap();
        let storage = NodeStorage {
            dir: PathBuf::from("/var/lib/rudder/storage"),
            real: true,
        };
        let dir = volume_dir(&storage, &claim);
        assert_eq!(
            dir,
            PathBuf::from("/var/lib/rudder/storage/pvc-1234_db_data")
        );
        let volume = volume_for(
            &claim,
            &default_storage_class(),
            "node-1",
            &dir.to_string_lossy(),
        );
        assert_eq!(volume.name_any(), "pvc-1234");
        assert_eq!(pinned_node(&volume), Some("node-1"));
        assert_eq!(reclaimable_dir(&storage, &volume), Ok(dir.clone()));
        let spec = volume.spec.as_ref().unwrap();
        assert_eq!(
            spec.claim_ref.as_ref().unwrap().uid.as_deref(),
            Some("1234")
        );
        assert_eq!(spec.capacity.as_ref().unwrap()["storage"].0, "10Gi");
        assert_eq!(
            spec.persistent_volume_reclaim_policy.as_deref(),
            Some("Delete")
        );
        assert_eq!(spec.storage_class_name.as_deref(), Some("local-path"));
    }

    #[test]
    fn only_the_directory_made_for_a_volume_is_reclaimed() {
        let root = tempfile::tempdir().unwrap();
        let storage = NodeStorage {
            dir: root.path().join("storage"),
            real: true,
        };
        let claim: PersistentVolumeClaim = serde_json::from_value(json!({
            "metadata": {"name": "data", "namespace": "db", "uid": "1234"},
            "spec": {"storageClassName": "local-path", "resources": {"requests": {"storage": "1Gi"}}}
        }))
        .unwrap();
        let made = volume_dir(&storage, &claim);
        let volume = |path: &str| volume_for(&claim, &default_storage_class(), "n", path);
        assert_eq!(
            reclaimable_dir(&storage, &volume(&made.to_string_lossy())),
            Ok(made.clone())
        );
        // A path edited to reach out of the storage, or elsewhere in it.
        for path in [
            format!("{}/../../etc", made.display()),
            format!("{}/storage/../etc", root.path().display()),
            "/etc".to_string(),
            format!("{}/pvc-9_db_other", storage.dir.display()),
        ] {
            assert!(reclaimable_dir(&storage, &volume(&path)).is_err(), "{path}");
        }
        // The directory replaced by a link out of the storage.
        std::fs::create_dir_all(&storage.dir).unwrap();
        std::os::unix::fs::symlink(root.path(), &made).unwrap();
        assert!(reclaimable_dir(&storage, &volume(&made.to_string_lossy())).is_err());
    }
}
