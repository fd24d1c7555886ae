//! The PersistentVolume controller: binds claims to volumes and keeps both
//! phases true. An unbound claim of an Immediate class (or of no class)
//! gets the smallest Available volume that fits it — class, access modes,
//! capacity, volume mode and selector — or a volume it or the volume names
//! (pre-binding); a claim of a WaitForFirstConsumer class waits until the
//! scheduler has reserved a volume for it (the volume's claimRef) or named
//! its node for the provisioner (`volume.kubernetes.io/selected-node`).
//! Claims that need a new volume are handed to their class's provisioner
//! (`volume.kubernetes.io/storage-provisioner`). A volume whose claim is
//! gone is Released; its reclaim policy then decides: Retain keeps it,
//! Delete is the provisioner's to carry out for volumes it made.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_conflict, is_not_found, pods};

pub const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
pub const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
pub const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
pub const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
const BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";
const RESYNC: std::time::Duration = std::time::Duration::from_secs(15);

struct VolumeController {
    client: kube::Client,
    claims: Arc<Informer<PersistentVolumeClaim>>,
    volumes: Arc<Informer<PersistentVolume>>,
    classes: Arc<Informer<StorageClass>>,
    queue: Arc<WorkQueue>,
    events: events::EventSink,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = Arc::new(VolumeController {
        client: context.client.clone(),
        claims: context.informers.get(),
        volumes: context.informers.get(),
        classes: context.informers.get(),
        queue: context.queue("persistentvolume"),
        events: events::EventSink::new(context.client.clone(), "persistentvolume-controller"),
    });
    {
        let queue = controller.queue.clone();
        controller.claims.on_change(move |change| match change {
            Change::Added(c) | Change::Updated { new: c, .. } => {
                queue.add(format!("claim:{}", key_of(c)))
            }
            // Its volume is released now, not at the next resync.
            Change::Deleted(c) => {
                queue.add(format!("claim:{}", key_of(c)));
                if let Some(volume) = c.spec.as_ref().and_then(|s| s.volume_name.as_deref()) {
                    queue.add(format!("volume:{volume}"));
                }
            }
        });
    }
    {
        let handler = controller.clone();
        controller.volumes.on_change(move |change| {
            let volume = match change {
                Change::Added(v) | Change::Deleted(v) => v,
                Change::Updated { new, .. } => new,
            };
            handler.queue.add(format!("volume:{}", volume.name_any()));
            match volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                // The claim it names may now bind (or have lost its volume).
                Some(claim) => handler.queue.add(format!(
                    "claim:{}/{}",
                    claim.namespace.as_deref().unwrap_or_default(),
                    claim.name.as_deref().unwrap_or_default()
                )),
                // A free volume: the unbound claims it fits may take it.
                None => {
                    for claim in handler.claims.store().state() {
                        let unbound = claim
                            .spec
                            .as_ref()
                            .and_then(|s| s.volume_name.as_deref())
                            .is_none_or(str::is_empty);
                        if unbound && fits(volume, &claim) {
                            handler
                                .queue
                                .add(format!("claim:{}", key_of(claim.as_ref())));
                        }
                    }
                }
            }
        });
    }
    {
        // A class that appears may unblock its claims; a new default
        // class is given to unbound claims made without one.
        let handler = controller.clone();
        controller.classes.on_change(move |change| {
            let class = match change {
                Change::Added(class) | Change::Updated { new: class, .. } => class,
                Change::Deleted(_) => return,
            };
            let default = is_default_class(class);
            for claim in handler.claims.store().state() {
                let classless = claim
                    .spec
                    .as_ref()
                    .is_some_and(|s| s.storage_class_name.is_none() && s.volume_name.is_none());
                if class_of(&claim) == class.name_any() || (default && classless) {
                    handler
                        .queue
                        .add(format!("claim:{}", key_of(claim.as_ref())));
                }
            }
        });
    }
    let synced = {
        let c = controller.clone();
        async move {
            c.claims.synced().await;
            c.volumes.synced().await;
            c.classes.synced().await;
        }
    };
    // Everything again every 15 s, as upstream's binder resyncs: what a
    // lost write or an unseen change left undone is redone.
    {
        let controller = controller.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RESYNC);
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = shutdown.wait_for(|stop| *stop) => return,
                }
                for claim in controller.claims.store().state() {
                    controller
                        .queue
                        .add(format!("claim:{}", key_of(claim.as_ref())));
                }
                for volume in controller.volumes.store().state() {
                    controller
                        .queue
                        .add(format!("volume:{}", volume.name_any()));
                }
            }
        });
    }
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "persistentvolume-binder-controller",
        queue,
        2,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move {
                let result = match key.split_once(':') {
                    Some(("claim", claim)) => controller.sync_claim(claim).await,
                    Some(("volume", volume)) => controller.sync_volume(volume).await,
                    _ => Ok(Outcome::Done),
                };
                match result {
                    // A stale cache: the newer object is on its way.
                    Err(Error::Api(err)) if is_conflict(&err) || is_not_found(&err) => {
                        Ok(Outcome::Done)
                    }
                    other => other,
                }
            }
        },
    )
}

fn annotation<'a>(
    meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    key: &str,
) -> Option<&'a str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// Marked the cluster's default by the StorageClass annotation (or its
/// beta form).
fn is_default_class(class: &StorageClass) -> bool {
    class.metadata.annotations.as_ref().is_some_and(|a| {
        [
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        ]
        .iter()
        .any(|key| a.get(*key).map(String::as_str) == Some("true"))
    })
}

fn class_of(claim: &PersistentVolumeClaim) -> String {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default()
}

fn volume_class(volume: &PersistentVolume) -> String {
    volume
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default()
}

fn phase_of(volume: &PersistentVolume) -> &str {
    volume
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

fn claim_phase(claim: &PersistentVolumeClaim) -> &str {
    claim
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

/// Bytes, or 0 for a missing or unreadable quantity.
fn bytes(q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>) -> f64 {
    q.and_then(|q| api::quantity::value(&q.0)).unwrap_or(0.0)
}

fn requested(claim: &PersistentVolumeClaim) -> f64 {
    bytes(
        claim
            .spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage")),
    )
}

fn capacity(volume: &PersistentVolume) -> f64 {
    bytes(
        volume
            .spec
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage")),
    )
}

/// Whether the claim reference names `claim` (its uid too, when it has one).
fn refers_to(reference: &ObjectReference, claim: &PersistentVolumeClaim) -> bool {
    reference.name.as_deref() == claim.metadata.name.as_deref()
        && reference.namespace.as_deref() == claim.metadata.namespace.as_deref()
        && reference
            .uid
            .as_deref()
            .is_none_or(|uid| uid.is_empty() || Some(uid) == claim.metadata.uid.as_deref())
}

/// Whether `volume` could serve `claim`: class, access modes, capacity,
/// volume mode and the claim's selector. (Availability is the caller's.)
pub fn fits(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let (Some(vspec), Some(cspec)) = (volume.spec.as_ref(), claim.spec.as_ref()) else {
        return false;
    };
    if volume_class(volume) != class_of(claim) {
        return false;
    }
    let offered = vspec.access_modes.clone().unwrap_or_default();
    if !cspec
        .access_modes
        .iter()
        .flatten()
        .all(|mode| offered.contains(mode))
    {
        return false;
    }
    let mode = |m: Option<&String>| m.map_or("Filesystem".to_string(), Clone::clone);
    if mode(vspec.volume_mode.as_ref()) != mode(cspec.volume_mode.as_ref()) {
        return false;
    }
    if capacity(volume) < requested(claim) {
        return false;
    }
    match &cspec.selector {
        Some(selector) => {
            pods::selector(selector).is_some_and(|s| s.matches(&pods::labels(&volume.metadata)))
        }
        None => true,
    }
}

/// The smallest of `volumes` that is free and fits `claim`.
fn best_match<'a>(
    volumes: &'a [Arc<PersistentVolume>],
    claim: &PersistentVolumeClaim,
) -> Option<&'a Arc<PersistentVolume>> {
    volumes
        .iter()
        .filter(|v| v.metadata.deletion_timestamp.is_none())
        .filter(|v| v.spec.as_ref().is_some_and(|s| s.claim_ref.is_none()))
        .filter(|v| matches!(phase_of(v), "Available" | "Pending" | ""))
        .filter(|v| fits(v, claim))
        .min_by(|a, b| capacity(a).total_cmp(&capacity(b)))
}

impl VolumeController {
    fn class(&self, name: &str) -> Option<Arc<StorageClass>> {
        (!name.is_empty())
            .then(|| self.classes.get("", name))
            .flatten()
    }

    /// Whether binding waits for the claim's first pod to be scheduled.
    fn delays_binding(&self, claim: &PersistentVolumeClaim) -> bool {
        self.class(&class_of(claim))
            .is_some_and(|c| c.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
    }

    /// The default class: the newest marked default, as admission picks it.
    fn default_class(&self) -> Option<String> {
        self.classes
            .store()
            .state()
            .iter()
            .filter(|c| is_default_class(c))
            .max_by_key(|c| {
                (
                    c.metadata.creation_timestamp.clone().map(|t| t.0),
                    c.name_any(),
                )
            })
            .map(|c| c.name_any())
    }

    async fn sync_claim(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(claim) = self.claims.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        if claim.metadata.deletion_timestamp.is_some() {
            return Ok(Outcome::Done);
        }
        let volume_name = claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.clone())
            .unwrap_or_default();
        if volume_name.is_empty() {
            return self.sync_unbound_claim(&claim).await;
        }
        let bind_completed = annotation(&claim.metadata, BIND_COMPLETED).is_some();
        let Some(volume) = self.volumes.get("", &volume_name) else {
            if bind_completed && claim_phase(&claim) != "Lost" {
                self.events.warning(
                    claim.as_ref(),
                    "ClaimLost",
                    "Bound claim has lost its PersistentVolume. Data on the volume is lost!".into(),
                );
                self.claim_status(&claim, "Lost", None).await?;
            }
            // Pre-bound to a volume that does not exist yet: Pending.
            return Ok(Outcome::Done);
        };
        match volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
            Some(reference) if !refers_to(reference, &claim) => {
                if bind_completed {
                    if claim_phase(&claim) != "Lost" {
                        self.events.warning(
                            claim.as_ref(),
                            "ClaimMisbound",
                            "Two claims are bound to the same volume, this one is bound incorrectly".into(),
                        );
                        self.claim_status(&claim, "Lost", None).await?;
                    }
                } else {
                    self.events.warning(
                        claim.as_ref(),
                        "FailedBinding",
                        format!("volume \"{volume_name}\" already bound to a different claim."),
                    );
                }
                Ok(Outcome::Done)
            }
            _ => {
                self.bind(&volume, &claim).await?;
                Ok(Outcome::Done)
            }
        }
    }

    async fn sync_unbound_claim(&self, claim: &PersistentVolumeClaim) -> Result<Outcome, Error> {
        // Made when no class was the default: it gets today's default, as
        // if admission had given it then.
        if claim
            .spec
            .as_ref()
            .is_some_and(|s| s.storage_class_name.is_none())
            && let Some(default) = self.default_class()
        {
            let api: Api<PersistentVolumeClaim> =
                Api::namespaced(self.client.clone(), &claim.namespace().unwrap_or_default());
            let patch = serde_json::json!({
                "metadata": {"resourceVersion": claim.resource_version()},
                "spec": {"storageClassName": default},
            });
            api.patch(
                &claim.name_any(),
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(patch),
            )
            .await?;
            return Ok(Outcome::Done);
        }
        let volumes = self.volumes.store().state();
        // A volume reserved for this claim (by the scheduler or by hand).
        if let Some(volume) = volumes.iter().find(|v| {
            v.metadata.deletion_timestamp.is_none()
                && v.spec
                    .as_ref()
                    .and_then(|s| s.claim_ref.as_ref())
                    .is_some_and(|r| refers_to(r, claim))
                && fits(v, claim)
        }) {
            self.bind(volume, claim).await?;
            return Ok(Outcome::Done);
        }
        let delayed = self.delays_binding(claim);
        let selected_node = annotation(&claim.metadata, SELECTED_NODE).is_some();
        if !delayed && let Some(volume) = best_match(&volumes, claim) {
            self.bind(volume, claim).await?;
            return Ok(Outcome::Done);
        }
        let class_name = class_of(claim);
        if delayed && !selected_node {
            self.events.normal(
                claim,
                "WaitForFirstConsumer",
                "waiting for first consumer to be created before binding".into(),
            );
            return Ok(Outcome::Done);
        }
        if class_name.is_empty() {
            self.events.normal(
                claim,
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set".into(),
            );
            return Ok(Outcome::Done);
        }
        let Some(class) = self.class(&class_name) else {
            self.events.warning(
                claim,
                "ProvisioningFailed",
                format!("storageclass.storage.k8s.io \"{class_name}\" not found"),
            );
            return Ok(Outcome::Done);
        };
        if class.provisioner == NO_PROVISIONER {
            self.events.normal(
                claim,
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set".into(),
            );
            return Ok(Outcome::Done);
        }
        if annotation(&claim.metadata, STORAGE_PROVISIONER) != Some(class.provisioner.as_str()) {
            let patch = serde_json::json!({"metadata": {
            "resourceVersion": claim.metadata.resource_version,
            "annotations": {
                STORAGE_PROVISIONER: class.provisioner,
                BETA_STORAGE_PROVISIONER: class.provisioner,
            }}});
            self.claims_api(claim)
                .patch(
                    &claim.name_any(),
                    &kube::api::PatchParams::default(),
                    &kube::api::Patch::Merge(patch),
                )
                .await?;
        }
        self.events.normal(
            claim,
            "ExternalProvisioning",
            format!(
                "Waiting for a volume to be created either by the external provisioner '{}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                class.provisioner
            ),
        );
        Ok(Outcome::Done)
    }

    fn claims_api(&self, claim: &PersistentVolumeClaim) -> Api<PersistentVolumeClaim> {
        Api::namespaced(self.client.clone(), &claim.namespace().unwrap_or_default())
    }

    /// Binds `volume` and `claim` to each other, each step written only
    /// when it is missing: the volume's claimRef, the volume Bound, the
    /// claim's volumeName, the claim Bound.
    async fn bind(
        &self,
        volume: &PersistentVolume,
        claim: &PersistentVolumeClaim,
    ) -> Result<(), Error> {
        let volumes: Api<PersistentVolume> = Api::all(self.client.clone());
        let mut volume = volume.clone();
        let reference = ObjectReference {
            api_version: Some("v1".into()),
            kind: Some("PersistentVolumeClaim".into()),
            namespace: claim.metadata.namespace.clone(),
            name: claim.metadata.name.clone(),
            uid: claim.metadata.uid.clone(),
            resource_version: claim.metadata.resource_version.clone(),
            ..ObjectReference::default()
        };
        let spec = volume.spec.get_or_insert_with(Default::default);
        let referenced_uid = spec.claim_ref.as_ref().and_then(|r| r.uid.clone());
        if referenced_uid.as_deref() != claim.metadata.uid.as_deref() {
            if spec.claim_ref.is_none() {
                volume
                    .metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(BOUND_BY_CONTROLLER.into(), "yes".into());
            }
            let spec = volume.spec.get_or_insert_with(Default::default);
            spec.claim_ref = Some(reference);
            volume = volumes
                .replace(&volume.name_any(), &PostParams::default(), &volume)
                .await?;
        }
        if phase_of(&volume) != "Bound" {
            let mut bound = volume.clone();
            bound.status = Some(PersistentVolumeStatus {
                phase: Some("Bound".into()),
                ..bound.status.clone().unwrap_or_default()
            });
            volume = volumes
                .replace_status(&volume.name_any(), &PostParams::default(), &bound)
                .await?;
        }
        let claims = self.claims_api(claim);
        let mut claim = claim.clone();
        let volume_name = volume.name_any();
        let needs_name = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref())
            != Some(volume_name.as_str());
        if needs_name || annotation(&claim.metadata, BIND_COMPLETED).is_none() {
            let annotations = claim.metadata.annotations.get_or_insert_with(BTreeMap::new);
            annotations.insert(BIND_COMPLETED.into(), "yes".into());
            if needs_name {
                annotations.insert(BOUND_BY_CONTROLLER.into(), "yes".into());
            }
            claim.spec.get_or_insert_with(Default::default).volume_name = Some(volume_name);
            claim = claims
                .replace(&claim.name_any(), &PostParams::default(), &claim)
                .await?;
        }
        self.claim_status(&claim, "Bound", Some(&volume)).await?;
        Ok(())
    }

    /// Sets the claim's phase (with the volume's capacity and access modes
    /// when Bound), if it differs.
    async fn claim_status(
        &self,
        claim: &PersistentVolumeClaim,
        phase: &str,
        volume: Option<&PersistentVolume>,
    ) -> Result<(), Error> {
        let mut status = claim.status.clone().unwrap_or_default();
        status.phase = Some(phase.into());
        if let Some(spec) = volume.and_then(|v| v.spec.as_ref()) {
            status.capacity = spec.capacity.clone();
            status.access_modes = spec.access_modes.clone();
        }
        if claim.status.as_ref() == Some(&status) {
            return Ok(());
        }
        let mut updated = claim.clone();
        updated.status = Some(status);
        self.claims_api(claim)
            .replace_status(&claim.name_any(), &PostParams::default(), &updated)
            .await?;
        Ok(())
    }

    async fn volume_phase(
        &self,
        volume: &PersistentVolume,
        phase: &str,
        message: Option<String>,
    ) -> Result<(), Error> {
        if phase_of(volume) == phase {
            return Ok(());
        }
        let mut updated = volume.clone();
        updated.status = Some(PersistentVolumeStatus {
            phase: Some(phase.into()),
            message,
            ..Default::default()
        });
        Api::<PersistentVolume>::all(self.client.clone())
            .replace_status(&volume.name_any(), &PostParams::default(), &updated)
            .await?;
        Ok(())
    }

    async fn sync_volume(&self, name: &str) -> Result<Outcome, Error> {
        // A volume being deleted is still synced: its phase leaving Bound
        // is what lets the PV protection controller release it.
        let Some(volume) = self.volumes.get("", name) else {
            return Ok(Outcome::Done);
        };
        let Some(reference) = volume.spec.as_ref().and_then(|s| s.claim_ref.clone()) else {
            self.volume_phase(&volume, "Available", None).await?;
            return Ok(Outcome::Done);
        };
        let namespace = reference.namespace.clone().unwrap_or_default();
        let claim_name = reference.name.clone().unwrap_or_default();
        let uid = reference.uid.clone().unwrap_or_default();
        let claim = self
            .claims
            .get(&namespace, &claim_name)
            .filter(|c| uid.is_empty() || c.metadata.uid.as_deref() == Some(uid.as_str()));
        match claim {
            // Reserved for a claim that is yet to bind (or to exist).
            _ if uid.is_empty() => self.volume_phase(&volume, "Available", None).await?,
            None => self.release(&volume).await?,
            Some(claim) => {
                let claimed = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref());
                match claimed {
                    Some(v) if v == name => self.volume_phase(&volume, "Bound", None).await?,
                    // The claim sync finishes the binding.
                    None | Some("") => {}
                    // The claim went to another volume: a volume this
                    // controller reserved is freed again.
                    Some(_) => {
                        if annotation(&volume.metadata, BOUND_BY_CONTROLLER).is_some() {
                            let mut freed = (*volume).clone();
                            if let Some(spec) = freed.spec.as_mut() {
                                spec.claim_ref = None;
                            }
                            if let Some(a) = freed.metadata.annotations.as_mut() {
                                a.remove(BOUND_BY_CONTROLLER);
                            }
                            Api::<PersistentVolume>::all(self.client.clone())
                                .replace(name, &PostParams::default(), &freed)
                                .await?;
                        } else {
                            self.release(&volume).await?;
                        }
                    }
                }
            }
        }
        Ok(Outcome::Done)
    }

    /// The claim is gone: Released, then the reclaim policy. Volumes a
    /// provisioner made are deleted by that provisioner; there is no
    /// in-tree deleter or recycler, so other volumes asking for either
    /// fail as upstream's do without a plugin.
    async fn release(&self, volume: &PersistentVolume) -> Result<(), Error> {
        let policy = volume
            .spec
            .as_ref()
            .and_then(|s| s.persistent_volume_reclaim_policy.clone())
            .unwrap_or_else(|| "Retain".into());
        let provisioned = annotation(&volume.metadata, PROVISIONED_BY).is_some();
        match policy.as_str() {
            "Delete" if !provisioned => {
                let message = format!(
                    "error getting deleter volume plugin for volume \"{}\": no deletable volume plugin matched",
                    volume.name_any()
                );
                if phase_of(volume) != "Failed" {
                    self.events
                        .warning(volume, "VolumeFailedDelete", message.clone());
                }
                self.volume_phase(volume, "Failed", Some(message)).await
            }
            "Recycle" => {
                let message = "No recycler plugin found for the volume!".to_string();
                if phase_of(volume) != "Failed" {
                    self.events
                        .warning(volume, "VolumeFailedRecycle", message.clone());
                }
                self.volume_phase(volume, "Failed", Some(message)).await
            }
            _ => {
                if phase_of(volume) != "Failed" {
                    self.volume_phase(volume, "Released", None).await?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn volume(name: &str, size: &str, modes: &[&str], class: &str) -> Arc<PersistentVolume> {
        Arc::new(
            serde_json::from_value(json!({
                "metadata": {"name": name, "labels": {"tier": "fast"}},
                "spec": {"capacity": {"storage": size}, "accessModes": modes,
                         "storageClassName": class, "hostPath": {"path": "/tmp"}},
                "status": {"phase": "Available"}
            }))
            .unwrap(),
        )
    }

    fn claim(size: &str, modes: &[&str], class: &str) -> PersistentVolumeClaim {
        serde_json::from_value(json!({
            "metadata": {"name": "data", "namespace": "default", "uid": "u1"},
            "spec": {"accessModes": modes, "storageClassName": class,
                     "resources": {"requests": {"storage": size}}}
        }))
        .unwrap()
    }

    #[test]
    fn the_smallest_fitting_volume_is_chosen() {
        let volumes = vec![
            volume("big", "100Gi", &["ReadWriteOnce"], ""),
            volume("small", "5Gi", &["ReadWriteOnce"], ""),
            volume("right", "10Gi", &["ReadWriteOnce", "ReadOnlyMany"], ""),
            volume("other-class", "10Gi", &["ReadWriteOnce"], "fast"),
            volume("rwx-only", "10Gi", &["ReadWriteMany"], ""),
        ];
        let chosen = best_match(&volumes, &claim("10Gi", &["ReadWriteOnce"], ""));
        assert_eq!(chosen.map(|v| v.name_any()).as_deref(), Some("right"));
        assert!(best_match(&volumes, &claim("1Ti", &["ReadWriteOnce"], "")).is_none());
        let fast = best_match(&volumes, &claim("1Gi", &["ReadWriteOnce"], "fast"));
        assert_eq!(fast.map(|v| v.name_any()).as_deref(), Some("other-class"));
    }

    #[test]
    fn selectors_and_reservations_are_honoured() {
        let mut wants_slow = claim("1Gi", &["ReadWriteOnce"], "");
        wants_slow.spec.as_mut().unwrap().selector =
            serde_json::from_value(json!({"matchLabels": {"tier": "slow"}})).unwrap();
        let volumes = vec![volume("fast", "5Gi", &["ReadWriteOnce"], "")];
        assert!(best_match(&volumes, &wants_slow).is_none());
        let mut reserved = (*volumes[0]).clone();
        reserved.spec.as_mut().unwrap().claim_ref =
            serde_json::from_value(json!({"namespace": "default", "name": "other"})).unwrap();
        assert!(best_match(&[Arc::new(reserved)], &claim("1Gi", &["ReadWriteOnce"], "")).is_none());
    }

    #[test]
    fn a_claim_reference_without_uid_names_any_claim_of_that_name() {
        let c = claim("1Gi", &["ReadWriteOnce"], "");
        let by_name: ObjectReference =
            serde_json::from_value(json!({"namespace": "default", "name": "data"})).unwrap();
        assert!(refers_to(&by_name, &c));
        let other_uid: ObjectReference =
            serde_json::from_value(json!({"namespace": "default", "name": "data", "uid": "u2"}))
                .unwrap();
        assert!(!refers_to(&other_uid, &c));
    }
}
