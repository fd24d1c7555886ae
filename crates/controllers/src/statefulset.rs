//! The StatefulSet controller: pods with stable identities
//! (`<set>-<ordinal>`, hostname the pod's name, subdomain the set's
//! service) and stable storage (a claim `<template>-<set>-<ordinal>` per
//! volumeClaimTemplate, made before its pod and kept unless the retention
//! policy says otherwise). OrderedReady sets create ordinal N+1 only once
//! N is Running and Ready and remove from the highest ordinal, one at a
//! time; Parallel sets do both at once. Each template is a
//! ControllerRevision; RollingUpdate replaces pods from the highest
//! ordinal down to the partition, one at a time; OnDelete waits for the
//! user. Status as upstream: replicas, ready, available, current and
//! updated replicas, current and update revisions.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_already_exists, is_not_found, pods};
use events::EventSink;

const NAME: &str = "statefulset-controller";
const WORKERS: usize = 5;
pub const REVISION_LABEL: &str = "controller-revision-hash";
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

pub struct StatefulSetController {
    client: kube::Client,
    sets: Arc<Informer<StatefulSet>>,
    pods: Arc<Informer<Pod>>,
    claims: Arc<Informer<PersistentVolumeClaim>>,
    revisions: Arc<Informer<ControllerRevision>>,
    queue: Arc<WorkQueue>,
    events: EventSink,
    clock: crate::Clock,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = StatefulSetController::new(context);
    let (sets, pods, claims, revisions) = (
        controller.sets.clone(),
        controller.pods.clone(),
        controller.claims.clone(),
        controller.revisions.clone(),
    );
    let synced = async move {
        sets.synced().await;
        pods.synced().await;
        claims.synced().await;
        revisions.synced().await;
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

/// The ordinal in a pod's name `<set>-<ordinal>`, if it is one of the set's.
pub fn ordinal(set: &str, pod: &str) -> Option<usize> {
    let digits = pod.strip_prefix(set)?.strip_prefix('-')?;
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok()
}

fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

fn running_and_ready(pod: &Pod) -> bool {
    phase(pod) == "Running" && pods::is_ready(pod)
}

fn terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

fn revision_of(pod: &Pod) -> Option<&str> {
    pod.metadata
        .labels
        .as_ref()?
        .get(REVISION_LABEL)
        .map(String::as_str)
}

fn set_replicas(set: &StatefulSet) -> usize {
    set.spec
        .as_ref()
        .and_then(|s| s.replicas)
        .unwrap_or(1)
        .max(0) as usize
}

fn ordered_ready(set: &StatefulSet) -> bool {
    set.spec
        .as_ref()
        .and_then(|s| s.pod_management_policy.as_deref())
        .unwrap_or("OrderedReady")
        == "OrderedReady"
}

fn update_strategy(set: &StatefulSet) -> (&str, usize) {
    let strategy = set.spec.as_ref().and_then(|s| s.update_strategy.as_ref());
    let kind = strategy
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("RollingUpdate");
    let partition = strategy
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0)
        .max(0) as usize;
    (kind, partition)
}

fn min_ready(set: &StatefulSet) -> i32 {
    set.spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0)
}

/// The claim name of template `template` for ordinal `ordinal`.
pub fn claim_name(template: &str, set: &str, ordinal: usize) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// What a revision records: the pod template, as a patch that replaces it.
fn revision_data(set: &StatefulSet) -> Value {
    let mut template =
        serde_json::to_value(set.spec.as_ref().map(|s| &s.template)).unwrap_or(Value::Null);
    if let Some(object) = template.as_object_mut() {
        object.insert("$patch".into(), json!("replace"));
    }
    json!({"spec": {"template": template}})
}

impl StatefulSetController {
    /// The controller with its informer handlers registered; its workers
    /// are started by [`start`].
    pub fn new(context: &Context) -> Arc<Self> {
        let sets = context.informers.get::<StatefulSet>();
        let pods = context.informers.get::<Pod>();
        let claims = context.informers.get::<PersistentVolumeClaim>();
        let revisions = context.informers.get::<ControllerRevision>();
        let controller = Arc::new(StatefulSetController {
            client: context.client.clone(),
            sets: sets.clone(),
            pods: pods.clone(),
            claims: claims.clone(),
            revisions: revisions.clone(),
            queue: context.queue("statefulset"),
            events: EventSink::new(context.client.clone(), NAME),
            clock: context.clock(),
        });
        let handler = controller.clone();
        sets.on_change(move |change| match change {
            Change::Added(s) | Change::Updated { new: s, .. } | Change::Deleted(s) => {
                handler.queue.add(key_of(s))
            }
        });
        let handler = controller.clone();
        pods.on_change(move |change| {
            let (old, new) = match change {
                Change::Added(p) | Change::Deleted(p) => (None, p),
                Change::Updated { old, new } => (Some(old), new),
            };
            for pod in old.into_iter().chain([new]) {
                match handler.owner(pod) {
                    Some(set) => handler.queue.add(key_of(set.as_ref())),
                    None if pods::controller_ref(&pod.metadata).is_none() => {
                        for set in handler.matching(pod) {
                            handler.queue.add(key_of(set.as_ref()));
                        }
                    }
                    None => {}
                }
            }
        });
        controller
    }

    fn owner(&self, pod: &Pod) -> Option<Arc<StatefulSet>> {
        self.sets.controller_of(&pod.metadata)
    }

    fn matching(&self, pod: &Pod) -> Vec<Arc<StatefulSet>> {
        self.sets
            .list_namespace(&pod.namespace().unwrap_or_default())
            .into_iter()
            .filter(|set| {
                set.spec
                    .as_ref()
                    .and_then(|s| pods::selector(&s.selector))
                    .is_some_and(|selector| pods::selects(&selector, &pod.metadata))
            })
            .collect()
    }

    /// Reconciles the object a queue key names, once.
    pub async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(set) = self.sets.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let Some(selector) = set.spec.as_ref().and_then(|s| pods::selector(&s.selector)) else {
            return Ok(Outcome::Done);
        };
        let candidates: Vec<Arc<Pod>> = self.pods.list_namespace(namespace);
        let owned =
            crate::controller_ref_manager::claim(&self.client, set.as_ref(), &selector, candidates)
                .await?;
        // Only pods named as the set's ordinals are its replicas.
        let owned: Vec<Arc<Pod>> = owned
            .into_iter()
            .filter(|p| ordinal(name, &p.name_any()).is_some())
            .collect();
        let (current, update) = self.revisions(set.as_ref()).await?;
        if set.metadata.deletion_timestamp.is_some() {
            self.write_status(set.as_ref(), &owned, &current, &update)
                .await?;
            return Ok(Outcome::Done);
        }
        let step = self.update(set.as_ref(), &owned, &current, &update).await;
        let owned_now: Vec<Arc<Pod>> = self
            .pods
            .list_namespace(namespace)
            .into_iter()
            .filter(|p| self.owner(p).is_some() && ordinal(name, &p.name_any()).is_some())
            .collect();
        let status = self
            .write_status(set.as_ref(), &owned_now, &current, &update)
            .await?;
        step?;
        self.truncate_history(set.as_ref(), &current, &update)
            .await?;
        if min_ready(&set) > 0 && status.0 != status.1 {
            return Ok(Outcome::After(Duration::from_secs(min_ready(&set) as u64)));
        }
        Ok(Outcome::Done)
    }

    /// The set's revisions, oldest first.
    fn owned_revisions(&self, set: &StatefulSet) -> Vec<Arc<ControllerRevision>> {
        let uid = set.metadata.uid.clone().unwrap_or_default();
        let mut revisions: Vec<Arc<ControllerRevision>> = self
            .revisions
            .list_namespace(&set.namespace().unwrap_or_default())
            .into_iter()
            .filter(|r| pods::controller_ref(&r.metadata).is_some_and(|o| o.uid == uid))
            .collect();
        revisions.sort_by_key(|r| r.revision);
        revisions
    }

    /// The current and update revisions (names), creating the update
    /// revision when the template is new, and renumbering an old one when
    /// the template went back to it.
    async fn revisions(&self, set: &StatefulSet) -> Result<(String, String), Error> {
        let data = revision_data(set);
        let existing = self.owned_revisions(set);
        let next = existing.last().map_or(1, |r| r.revision + 1);
        let namespace = set.namespace().unwrap_or_default();
        let api: Api<ControllerRevision> = Api::namespaced(self.client.clone(), &namespace);
        let equal: Vec<&Arc<ControllerRevision>> = existing
            .iter()
            .filter(|r| r.data.as_ref().map(|d| &d.0) == Some(&data))
            .collect();
        let update = match (equal.last(), existing.last()) {
            (Some(found), Some(latest)) if found.metadata.name == latest.metadata.name => {
                found.name_any()
            }
            (Some(found), _) => {
                let patch = json!({"revision": next});
                api.patch(
                    &found.name_any(),
                    &PatchParams::default(),
                    &Patch::Merge(patch),
                )
                .await?;
                found.name_any()
            }
            (None, _) => {
                let collisions = set.status.as_ref().and_then(|s| s.collision_count);
                let hash = crate::deployment::template_hash(&data, collisions);
                let name = format!("{}-{hash}", set.name_any());
                let revision = ControllerRevision {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        namespace: Some(namespace.clone()),
                        labels: set
                            .spec
                            .as_ref()
                            .and_then(|s| s.template.metadata.as_ref())
                            .and_then(|m| m.labels.clone()),
                        owner_references: Some(vec![pods::controller_reference(set)]),
                        ..ObjectMeta::default()
                    },
                    data: Some(RawExtension(data.clone())),
                    revision: next,
                };
                match api.create(&PostParams::default(), &revision).await {
                    Ok(_) => {}
                    Err(err) if is_already_exists(&err) => {
                        let live = api.get(&name).await?;
                        if live.data.as_ref().map(|d| &d.0) != Some(&data) {
                            // A different template with the same hash.
                            let sets: Api<StatefulSet> =
                                Api::namespaced(self.client.clone(), &namespace);
                            let patch =
                                json!({"status": {"collisionCount": collisions.unwrap_or(0) + 1}});
                            sets.patch_status(
                                &set.name_any(),
                                &PatchParams::default(),
                                &Patch::Merge(patch),
                            )
                            .await?;
                            return Err(Error::Invalid(format!(
                                "revision hash collision for {name}; retrying"
                            )));
                        }
                    }
                    Err(err) => return Err(err.into()),
                }
                name
            }
        };
        let current = set
            .status
            .as_ref()
            .and_then(|s| s.current_revision.clone())
            .filter(|c| !c.is_empty() && existing.iter().any(|r| r.name_any() == *c))
            .unwrap_or_else(|| update.clone());
        Ok((current, update))
    }

    /// The pod of `ordinal` at `revision` (its template read back from the
    /// revision, so pods of the current revision keep the old template).
    fn new_pod(&self, set: &StatefulSet, revision: &str, ordinal: usize) -> Pod {
        let template = self
            .owned_revisions(set)
            .iter()
            .find(|r| r.name_any() == revision)
            .and_then(|r| r.data.as_ref())
            .and_then(|d| d.0.pointer("/spec/template").cloned())
            .and_then(|mut t| {
                if let Some(o) = t.as_object_mut() {
                    o.remove("$patch");
                }
                serde_json::from_value(t).ok()
            })
            .or_else(|| set.spec.as_ref().map(|s| s.template.clone()))
            .unwrap_or_default();
        let set_name = set.name_any();
        let name = format!("{set_name}-{ordinal}");
        let mut pod = pods::from_template(
            &template,
            &set.namespace().unwrap_or_default(),
            "",
            pods::controller_reference(set),
        );
        pod.metadata.generate_name = None;
        pod.metadata.name = Some(name.clone());
        let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
        labels.insert(REVISION_LABEL.into(), revision.to_string());
        labels.insert(POD_NAME_LABEL.into(), name.clone());
        labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
        let service = set
            .spec
            .as_ref()
            .and_then(|s| s.service_name.clone())
            .filter(|s| !s.is_empty());
        if let Some(spec) = pod.spec.as_mut() {
            spec.hostname = Some(name.clone());
            spec.subdomain = service;
            let volumes = spec.volumes.get_or_insert_with(Vec::new);
            for claim in set
                .spec
                .as_ref()
                .and_then(|s| s.volume_claim_templates.as_ref())
                .into_iter()
                .flatten()
            {
                let template = claim.metadata.name.clone().unwrap_or_default();
                volumes.retain(|v| v.name != template);
                volumes.push(Volume {
                    name: template.clone(),
                    persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                        claim_name: claim_name(&template, &set_name, ordinal),
                        read_only: None,
                    }),
                    ..Volume::default()
                });
            }
        }
        pod
    }

    /// Makes the claims of `ordinal` that do not exist yet.
    async fn create_claims(
        &self,
        set: &StatefulSet,
        ordinal: usize,
        pod_name: &str,
    ) -> Result<(), Error> {
        let namespace = set.namespace().unwrap_or_default();
        let set_name = set.name_any();
        let api: Api<PersistentVolumeClaim> = Api::namespaced(self.client.clone(), &namespace);
        let when_deleted = set
            .spec
            .as_ref()
            .and_then(|s| s.persistent_volume_claim_retention_policy.as_ref())
            .and_then(|p| p.when_deleted.clone())
            .unwrap_or_else(|| "Retain".into());
        let selector_labels = set
            .spec
            .as_ref()
            .and_then(|s| s.selector.match_labels.clone())
            .unwrap_or_default();
        for template in set
            .spec
            .as_ref()
            .and_then(|s| s.volume_claim_templates.as_ref())
            .into_iter()
            .flatten()
        {
            let template_name = template.metadata.name.clone().unwrap_or_default();
            let name = claim_name(&template_name, &set_name, ordinal);
            if self.claims.get(&namespace, &name).is_some() {
                continue;
            }
            let mut labels = template.metadata.labels.clone().unwrap_or_default();
            labels.extend(selector_labels.clone());
            let owners: Option<Vec<OwnerReference>> =
                (when_deleted == "Delete").then(|| vec![pods::controller_reference(set)]);
            let claim = PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    namespace: Some(namespace.clone()),
                    labels: Some(labels),
                    annotations: template.metadata.annotations.clone(),
                    owner_references: owners,
                    ..ObjectMeta::default()
                },
                spec: template.spec.clone(),
                status: None,
            };
            match api.create(&PostParams::default(), &claim).await {
                Ok(_) => self.events.normal(
                    set,
                    "SuccessfulCreate",
                    format!("create Claim {name} Pod {pod_name} in StatefulSet {set_name} success"),
                ),
                Err(err) if is_already_exists(&err) => {}
                Err(err) => {
                    self.events.warning(
                        set,
                        "FailedCreate",
                        format!(
                            "create Claim {name} for Pod {pod_name} in StatefulSet {set_name} failed error: {}",
                            crate::replicaset::api_message(&err)
                        ),
                    );
                    return Err(err.into());
                }
            }
        }
        Ok(())
    }

    async fn create_pod(
        &self,
        set: &StatefulSet,
        ordinal: usize,
        revision: &str,
    ) -> Result<(), Error> {
        let pod = self.new_pod(set, revision, ordinal);
        let pod_name = pod.name_any();
        self.create_claims(set, ordinal, &pod_name).await?;
        let api: Api<Pod> =
            Api::namespaced(self.client.clone(), &set.namespace().unwrap_or_default());
        match api.create(&PostParams::default(), &pod).await {
            Ok(_) => {
                self.events.normal(
                    set,
                    "SuccessfulCreate",
                    format!(
                        "create Pod {pod_name} in StatefulSet {} successful",
                        set.name_any()
                    ),
                );
                Ok(())
            }
            Err(err) if is_already_exists(&err) => Ok(()),
            Err(err) => {
                self.events.warning(
                    set,
                    "FailedCreate",
                    format!(
                        "create Pod {pod_name} in StatefulSet {} failed error: {}",
                        set.name_any(),
                        crate::replicaset::api_message(&err)
                    ),
                );
                Err(err.into())
            }
        }
    }

    async fn delete_pod(&self, set: &StatefulSet, pod: &Pod) -> Result<(), Error> {
        let api: Api<Pod> =
            Api::namespaced(self.client.clone(), &set.namespace().unwrap_or_default());
        match api.delete(&pod.name_any(), &DeleteParams::default()).await {
            Ok(_) => {
                self.events.normal(
                    set,
                    "SuccessfulDelete",
                    format!(
                        "delete Pod {} in StatefulSet {} successful",
                        pod.name_any(),
                        set.name_any()
                    ),
                );
                Ok(())
            }
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => {
                self.events.warning(
                    set,
                    "FailedDelete",
                    format!(
                        "delete Pod {} in StatefulSet {} failed error: {}",
                        pod.name_any(),
                        set.name_any(),
                        crate::replicaset::api_message(&err)
                    ),
                );
                Err(err.into())
            }
        }
    }

    /// Claims of a pod removed by a scale-down go with it when the
    /// retention policy says `whenScaled: Delete`: the pod becomes their
    /// owner, and the garbage collector does the rest once it is gone.
    async fn release_claims_on_scale_down(
        &self,
        set: &StatefulSet,
        pod: &Pod,
        ordinal: usize,
    ) -> Result<(), Error> {
        let when_scaled = set
            .spec
            .as_ref()
            .and_then(|s| s.persistent_volume_claim_retention_policy.as_ref())
            .and_then(|p| p.when_scaled.clone())
            .unwrap_or_else(|| "Retain".into());
        if when_scaled != "Delete" {
            return Ok(());
        }
        let namespace = set.namespace().unwrap_or_default();
        let api: Api<PersistentVolumeClaim> = Api::namespaced(self.client.clone(), &namespace);
        for template in set
            .spec
            .as_ref()
            .and_then(|s| s.volume_claim_templates.as_ref())
            .into_iter()
            .flatten()
        {
            let name = claim_name(
                &template.metadata.name.clone().unwrap_or_default(),
                &set.name_any(),
                ordinal,
            );
            let owner = OwnerReference {
                api_version: "v1".into(),
                kind: "Pod".into(),
                name: pod.name_any(),
                uid: pod.metadata.uid.clone().unwrap_or_default(),
                controller: None,
                block_owner_deletion: None,
            };
            // The pod becomes the claim's only owner (a reference to the
            // set, from `whenDeleted: Delete`, would keep it).
            let patch = json!({"metadata": {"ownerReferences": [owner]}});
            match api
                .patch(&name, &PatchParams::default(), &Patch::Merge(patch))
                .await
            {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    /// One step toward the spec; in OrderedReady sets, waits (returns)
    /// whenever a pod it depends on is not Running and Ready yet.
    async fn update(
        &self,
        set: &StatefulSet,
        owned: &[Arc<Pod>],
        current: &str,
        update: &str,
    ) -> Result<(), Error> {
        let name = set.name_any();
        let count = set_replicas(set);
        // The pods that exist, by ordinal: `replicas` is the user's number
        // and may be huge, so nothing is allocated per desired replica.
        let mut replicas: BTreeMap<usize, Arc<Pod>> = BTreeMap::new();
        let mut condemned: Vec<(usize, Arc<Pod>)> = Vec::new();
        for pod in owned {
            let Some(ord) = ordinal(&name, &pod.name_any()) else {
                continue;
            };
            if ord < count {
                replicas.insert(ord, pod.clone());
            } else {
                condemned.push((ord, pod.clone()));
            }
        }
        condemned.sort_by_key(|(ordinal, _)| std::cmp::Reverse(*ordinal));
        let monotonic = ordered_ready(set);
        let (strategy, partition) = update_strategy(set);
        let has_rolling_update = set
            .spec
            .as_ref()
            .and_then(|s| s.update_strategy.as_ref())
            .is_some_and(|s| s.rolling_update.is_some());
        let current_replicas = set
            .status
            .as_ref()
            .and_then(|s| s.current_replicas)
            .unwrap_or(0)
            .max(0) as usize;
        let healthy = |pod: &Pod| {
            running_and_ready(pod)
                && (min_ready(set) <= 0
                    || pods::is_available(pod, min_ready(set), self.clock.now()))
        };
        let mut first_unhealthy: Option<String> = None;
        let mut created = 0;
        for ord in 0..count {
            match replicas.get(&ord) {
                None => {
                    // Created in bursts; their creation events bring the
                    // next sync, which goes on from here.
                    if created == crate::replicaset::BURST_REPLICAS {
                        return Ok(());
                    }
                    created += 1;
                    // As upstream: below the partition a pod is made at the
                    // current revision; only a set without rollingUpdate
                    // settings (never so once defaulted) keeps the
                    // ordinals of its current replicas at it.
                    let below = if has_rolling_update {
                        ord < partition
                    } else {
                        ord < current_replicas
                    };
                    let revision = if strategy == "RollingUpdate" && below {
                        current
                    } else {
                        update
                    };
                    self.create_pod(set, ord, revision).await?;
                    if monotonic {
                        return Ok(());
                    }
                }
                Some(pod) => {
                    if matches!(phase(pod), "Failed" | "Succeeded") && !terminating(pod) {
                        // Recreated at the next sync, with the same identity.
                        self.delete_pod(set, pod).await?;
                        if monotonic {
                            return Ok(());
                        }
                        continue;
                    }
                    if !healthy(pod) && first_unhealthy.is_none() {
                        first_unhealthy = Some(pod.name_any());
                    }
                    if terminating(pod) && monotonic {
                        return Ok(());
                    }
                    // Each ordinal waits for its predecessors to be
                    // Running and available (minReadySeconds), as upstream.
                    if !healthy(pod) && monotonic {
                        return Ok(());
                    }
                    self.fix_identity(set, pod, ord).await?;
                }
            }
        }
        for (ord, pod) in &condemned {
            if terminating(pod) {
                if monotonic {
                    return Ok(());
                }
                continue;
            }
            if monotonic
                && first_unhealthy
                    .as_ref()
                    .is_some_and(|u| *u != pod.name_any())
            {
                return Ok(());
            }
            self.release_claims_on_scale_down(set, pod, *ord).await?;
            self.delete_pod(set, pod).await?;
            if monotonic {
                return Ok(());
            }
        }
        if strategy != "RollingUpdate" {
            return Ok(());
        }
        for ord in (partition.min(count)..count).rev() {
            let Some(pod) = replicas.get(&ord) else {
                return Ok(());
            };
            if revision_of(pod) != Some(update) && !terminating(pod) {
                self.delete_pod(set, pod).await?;
                return Ok(());
            }
            if !healthy(pod) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// A pod's identity labels and hostname, restored if changed.
    async fn fix_identity(
        &self,
        set: &StatefulSet,
        pod: &Pod,
        ordinal: usize,
    ) -> Result<(), Error> {
        let name = pod.name_any();
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let right = labels.get(POD_NAME_LABEL) == Some(&name)
            && labels.get(POD_INDEX_LABEL) == Some(&ordinal.to_string());
        if right {
            return Ok(());
        }
        let api: Api<Pod> =
            Api::namespaced(self.client.clone(), &set.namespace().unwrap_or_default());
        let patch = json!({"metadata": {"labels": {POD_NAME_LABEL: name, POD_INDEX_LABEL: ordinal.to_string()}}});
        match api
            .patch(
                &pod.name_any(),
                &PatchParams::default(),
                &Patch::Merge(patch),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Writes the status; returns (ready, available) replicas.
    async fn write_status(
        &self,
        set: &StatefulSet,
        owned: &[Arc<Pod>],
        current: &str,
        update: &str,
    ) -> Result<(i32, i32), Error> {
        let now = self.clock.now();
        let mut replicas = 0;
        let mut ready = 0;
        let mut available = 0;
        let mut current_replicas = 0;
        let mut updated_replicas = 0;
        for pod in owned {
            replicas += 1;
            if running_and_ready(pod) {
                ready += 1;
                if pods::is_available(pod, min_ready(set), now) {
                    available += 1;
                }
            }
            if !terminating(pod) {
                if revision_of(pod) == Some(current) {
                    current_replicas += 1;
                }
                if revision_of(pod) == Some(update) {
                    updated_replicas += 1;
                }
            }
        }
        let desired = set_replicas(set) as i32;
        let (strategy, _) = update_strategy(set);
        let (mut current_revision, mut current_count) = (current.to_string(), current_replicas);
        // A finished rolling update makes the update revision current.
        if strategy == "RollingUpdate"
            && updated_replicas == desired
            && ready == desired
            && replicas == desired
        {
            current_revision = update.to_string();
            current_count = updated_replicas;
        }
        let zero = |n: i32| if n == 0 { Value::Null } else { json!(n) };
        let wanted = json!({
            "observedGeneration": set.metadata.generation,
            "replicas": replicas,
            "readyReplicas": zero(ready),
            "availableReplicas": available,
            "currentReplicas": zero(current_count),
            "updatedReplicas": zero(updated_replicas),
            "currentRevision": current_revision,
            "updateRevision": update,
            "collisionCount": set.status.as_ref().and_then(|s| s.collision_count),
        });
        let existing =
            serde_json::to_value(set.status.clone().unwrap_or_default()).unwrap_or(Value::Null);
        let same =
            wanted
                .as_object()
                .into_iter()
                .flatten()
                .all(|(k, v)| match (v, existing.get(k)) {
                    (Value::Null, None) => true,
                    (Value::Null, Some(Value::Number(n))) => n.as_i64() == Some(0),
                    (v, Some(e)) => v == e,
                    (_, None) => false,
                });
        if !same {
            let api: Api<StatefulSet> =
                Api::namespaced(self.client.clone(), &set.namespace().unwrap_or_default());
            match api
                .patch_status(
                    &set.name_any(),
                    &PatchParams::default(),
                    &Patch::Merge(json!({"status": wanted})),
                )
                .await
            {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok((ready, available))
    }

    /// Revisions beyond revisionHistoryLimit that no pod uses go.
    async fn truncate_history(
        &self,
        set: &StatefulSet,
        current: &str,
        update: &str,
    ) -> Result<(), Error> {
        let limit = set
            .spec
            .as_ref()
            .and_then(|s| s.revision_history_limit)
            .unwrap_or(10)
            .max(0) as usize;
        let namespace = set.namespace().unwrap_or_default();
        let live: Vec<String> = self
            .pods
            .list_namespace(&namespace)
            .iter()
            .filter(|p| self.owner(p).is_some())
            .filter_map(|p| revision_of(p).map(str::to_string))
            .collect();
        let history: Vec<Arc<ControllerRevision>> = self
            .owned_revisions(set)
            .into_iter()
            .filter(|r| {
                let name = r.name_any();
                name != current && name != update && !live.contains(&name)
            })
            .collect();
        if history.len() <= limit {
            return Ok(());
        }
        let api: Api<ControllerRevision> = Api::namespaced(self.client.clone(), &namespace);
        for revision in &history[..history.len() - limit] {
            match api
                .delete(&revision.name_any(), &DeleteParams::default())
                .await
            {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_are_read_from_pod_names() {
        assert_eq!(ordinal("web", "web-0"), Some(0));
        assert_eq!(ordinal("web", "web-12"), Some(12));
        assert_eq!(ordinal("web", "web-01"), None);
        assert_eq!(ordinal("web", "web-x"), None);
        assert_eq!(ordinal("web", "webby-1"), None);
        assert_eq!(
            ordinal("substrate-blockchain-alice", "substrate-blockchain-alice-0"),
            Some(0)
        );
        assert_eq!(
            claim_name("blockchain-data", "substrate-blockchain-alice", 0),
            "blockchain-data-substrate-blockchain-alice-0"
        );
    }

    mod reconcile {
        use super::*;
        use crate::testing::Harness;

        fn db(replicas: i32) -> Value {
            json!({
                "apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "db"},
                "spec": {
                    "replicas": replicas,
                    "serviceName": "db",
                    "minReadySeconds": 5,
                    "selector": {"matchLabels": {"app": "db"}},
                    "template": {
                        "metadata": {"labels": {"app": "db"}},
                        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
                    },
                    "volumeClaimTemplates": [{
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "1Gi"}},
                        },
                    }],
                },
            })
        }

        fn live(pods: &[Pod]) -> Vec<String> {
            pods.iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .map(|p| p.name_any())
                .collect()
        }

        #[tokio::test]
        async fn ordinals_start_in_order_after_min_ready_seconds_with_their_claims() {
            let h = Harness::start().await;
            let controller = StatefulSetController::new(&h.context);
            h.start_informers().await;
            let _: StatefulSet = h.create(db(2)).await;

            controller.sync("default/db").await.unwrap();
            let claims: Vec<PersistentVolumeClaim> = h.list("default").await;
            assert_eq!(
                claims.iter().map(|c| c.name_any()).collect::<Vec<_>>(),
                ["data-db-0"]
            );
            let pods = h.pods("default").await;
            assert_eq!(live(&pods), ["db-0"]);
            let first = &pods[0];
            let spec = first.spec.as_ref().unwrap();
            assert_eq!(spec.hostname.as_deref(), Some("db-0"));
            assert_eq!(spec.subdomain.as_deref(), Some("db"));
            assert_eq!(
                first.labels().get(POD_NAME_LABEL).map(String::as_str),
                Some("db-0")
            );
            let volume = spec
                .volumes
                .iter()
                .flatten()
                .find(|v| v.name == "data")
                .unwrap();
            assert_eq!(
                volume
                    .persistent_volume_claim
                    .as_ref()
                    .map(|c| c.claim_name.as_str()),
                Some("data-db-0")
            );

            // db-1 waits until db-0 has been ready for minReadySeconds.
            h.mark_ready(first).await;
            controller.sync("default/db").await.unwrap();
            assert_eq!(live(&h.pods("default").await), ["db-0"]);
            h.clock.advance(Duration::from_secs(5));
            controller.sync("default/db").await.unwrap();
            let pods = h.pods("default").await;
            assert_eq!(live(&pods), ["db-0", "db-1"]);

            h.mark_ready(&pods[1]).await;
            h.clock.advance(Duration::from_secs(5));
            controller.sync("default/db").await.unwrap();
            let set: StatefulSet = h.fresh("default", "db").await;
            let status = set.status.unwrap();
            assert_eq!(status.replicas, 2);
            assert_eq!(status.ready_replicas, Some(2));
            assert_eq!(status.available_replicas, Some(2));
            assert_eq!(status.current_revision, status.update_revision);
            let revisions: Vec<ControllerRevision> = h.list("default").await;
            assert_eq!(
                revisions.iter().map(|r| r.name_any()).collect::<Vec<_>>(),
                [status.update_revision.unwrap()]
            );

            // Scaling down removes the highest ordinal and keeps its claim.
            let _: StatefulSet = h
                .patch("default", "db", json!({"spec": {"replicas": 1}}))
                .await;
            controller.sync("default/db").await.unwrap();
            assert_eq!(live(&h.list::<Pod>("default").await), ["db-0"]);
            let claims: Vec<PersistentVolumeClaim> = h.list("default").await;
            assert_eq!(claims.len(), 2, "claims outlive their pods by default");
        }
    }
}
