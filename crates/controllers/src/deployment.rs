//! The Deployment controller: one ReplicaSet per pod template
//! (`<deployment>-<hash>`, labelled `pod-template-hash`), rolled out as
//! upstream does — RollingUpdate within maxSurge and maxUnavailable
//! (integers or percentages), Recreate, proportional scaling of every
//! ReplicaSet during a rollout, paused deployments — with revision
//! annotations (so `kubectl rollout history|undo` work), old ReplicaSets
//! beyond revisionHistoryLimit removed, and the Progressing and Available
//! conditions with upstream's reasons and messages.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_already_exists, is_conflict, is_not_found, pods};
use events::EventSink;

const NAME: &str = "deployment-controller";
const WORKERS: usize = 5;
pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const TEMPLATE_HASH: &str = "pod-template-hash";
/// Deployment annotations never copied to its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

pub struct DeploymentController {
    client: kube::Client,
    deployments: Arc<Informer<Deployment>>,
    sets: Arc<Informer<ReplicaSet>>,
    pods: Arc<Informer<Pod>>,
    queue: Arc<WorkQueue>,
    events: EventSink,
    clock: crate::Clock,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = DeploymentController::new(context);
    let (deployments, sets, pods) = (
        controller.deployments.clone(),
        controller.sets.clone(),
        controller.pods.clone(),
    );
    let synced = async move {
        deployments.synced().await;
        sets.synced().await;
        pods.synced().await;
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

/// `value` of `total` (a count or a percentage), rounded up or down.
fn scaled_value(value: Option<&IntOrString>, total: i32, round_up: bool) -> i32 {
    value.map_or(0, |v| {
        crate::int_or_percent(v, total, round_up).unwrap_or(0)
    })
}

fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn is_rolling(d: &Deployment) -> bool {
    d.spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("RollingUpdate")
        == "RollingUpdate"
}

/// maxSurge and maxUnavailable as counts; never both zero.
fn fenceposts(d: &Deployment) -> (i32, i32) {
    if !is_rolling(d) {
        return (0, 0);
    }
    let rolling = d
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref());
    let default = IntOrString::String("25%".into());
    let surge_value = rolling.map_or(Some(&default), |r| r.max_surge.as_ref());
    let unavailable_value = rolling.map_or(Some(&default), |r| r.max_unavailable.as_ref());
    let desired = replicas(d);
    let surge = scaled_value(surge_value, desired, true);
    let unavailable = scaled_value(unavailable_value, desired, false);
    if surge == 0 && unavailable == 0 {
        return (0, 1);
    }
    (surge, unavailable)
}

fn max_surge(d: &Deployment) -> i32 {
    fenceposts(d).0
}

fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling(d) || replicas(d) == 0 {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

fn annotation<K: Resource>(object: &K, name: &str) -> Option<String> {
    object.meta().annotations.as_ref()?.get(name).cloned()
}

fn revision(rs: &ReplicaSet) -> i64 {
    annotation(rs, REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn created(rs: &ReplicaSet) -> Option<Timestamp> {
    rs.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// Oldest first, names breaking ties.
fn by_creation(sets: &mut [ReplicaSet]) {
    sets.sort_by(|a, b| {
        created(a)
            .cmp(&created(b))
            .then(a.name_any().cmp(&b.name_any()))
    });
}

/// The template without its `pod-template-hash` label, for comparing.
fn template_without_hash(template: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>) -> Value {
    let mut value = serde_json::to_value(template).unwrap_or(Value::Null);
    if let Some(labels) = value
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(TEMPLATE_HASH);
        if labels.is_empty()
            && let Some(metadata) = value
                .pointer_mut("/metadata")
                .and_then(Value::as_object_mut)
        {
            metadata.remove("labels");
        }
    }
    value
}

/// The pod template hash, as upstream renders it: a 32-bit FNV-1a hash of
/// the template (and the collision count, when there is one), its decimal
/// digits mapped onto the alphabet of safe characters.
pub fn template_hash(template: &Value, collision_count: Option<i32>) -> String {
    use component_helpers::hash::{FNV32_OFFSET, fnv1a32};
    let mut hash = fnv1a32(FNV32_OFFSET, template.to_string().as_bytes());
    if let Some(count) = collision_count {
        hash = fnv1a32(hash, &(count as u32).to_le_bytes());
    }
    safe_encode(&hash.to_string())
}

/// Maps each character onto an alphabet without vowels or look-alikes.
fn safe_encode(text: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    text.bytes()
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

fn condition<'a>(status: &'a DeploymentStatus, kind: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.iter().flatten().find(|c| c.type_ == kind)
}

/// Sets a condition as upstream does: the same status and reason change
/// nothing; the same status keeps its transition time.
fn set_condition(
    now: &Time,
    status: &mut DeploymentStatus,
    kind: &str,
    value: &str,
    reason: &str,
    message: String,
) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let existing = conditions.iter().position(|c| c.type_ == kind);
    let mut fresh = DeploymentCondition {
        type_: kind.to_string(),
        status: value.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message),
        last_update_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    };
    if let Some(index) = existing {
        let current = &conditions[index];
        if current.status == fresh.status && current.reason == fresh.reason {
            return;
        }
        if current.status == fresh.status {
            fresh.last_transition_time = current.last_transition_time.clone();
        }
        conditions.remove(index);
    }
    conditions.push(fresh);
}

fn remove_condition(status: &mut DeploymentStatus, kind: &str) {
    if let Some(conditions) = status.conditions.as_mut() {
        conditions.retain(|c| c.type_ != kind);
        if conditions.is_empty() {
            status.conditions = None;
        }
    }
}

fn progress_deadline(d: &Deployment) -> Option<i32> {
    d.spec
        .as_ref()
        .and_then(|s| s.progress_deadline_seconds)
        .filter(|s| *s != i32::MAX)
}

impl DeploymentController {
    /// The controller with its informer handlers registered; its workers
    /// are started by [`start`].
    pub fn new(context: &Context) -> Arc<Self> {
        let deployments = context.informers.get::<Deployment>();
        let sets = context.informers.get::<ReplicaSet>();
        let pods = context.informers.get::<Pod>();
        let controller = Arc::new(DeploymentController {
            client: context.client.clone(),
            deployments: deployments.clone(),
            sets: sets.clone(),
            pods: pods.clone(),
            queue: context.queue("deployment"),
            events: EventSink::new(context.client.clone(), NAME),
            clock: context.clock(),
        });
        let handler = controller.clone();
        deployments.on_change(move |change| match change {
            Change::Added(d) | Change::Updated { new: d, .. } | Change::Deleted(d) => {
                handler.queue.add(key_of(d))
            }
        });
        let handler = controller.clone();
        sets.on_change(move |change| handler.on_replicaset(change));
        let handler = controller.clone();
        pods.on_change(move |change| {
            // A Recreate rollout waits for the old pods to be gone.
            if let Change::Deleted(pod) = change
                && let Some(d) = handler.owner_of_pod(pod)
            {
                handler.queue.add(key_of(d.as_ref()));
            }
        });
        controller
    }

    fn deployment_of(&self, rs: &ReplicaSet) -> Option<Arc<Deployment>> {
        self.deployments.controller_of(&rs.metadata)
    }

    fn owner_of_pod(&self, pod: &Pod) -> Option<Arc<Deployment>> {
        let rs = self.sets.controller_of(&pod.metadata)?;
        self.deployment_of(&rs)
    }

    fn matching(&self, rs: &ReplicaSet) -> Vec<Arc<Deployment>> {
        self.deployments
            .list_namespace(&rs.namespace().unwrap_or_default())
            .into_iter()
            .filter(|d| {
                d.spec
                    .as_ref()
                    .and_then(|s| pods::selector(&s.selector))
                    .is_some_and(|selector| pods::selects(&selector, &rs.metadata))
            })
            .collect()
    }

    fn on_replicaset(&self, change: Change<'_, ReplicaSet>) {
        match change {
            Change::Added(rs) | Change::Deleted(rs) => {
                if pods::controller_ref(&rs.metadata).is_some() {
                    if let Some(d) = self.deployment_of(rs) {
                        self.queue.add(key_of(d.as_ref()));
                    }
                } else if let Change::Added(_) = change {
                    for d in self.matching(rs) {
                        self.queue.add(key_of(d.as_ref()));
                    }
                }
            }
            Change::Updated { old, new } => {
                let (old_ref, new_ref) = (
                    pods::controller_ref(&old.metadata),
                    pods::controller_ref(&new.metadata),
                );
                if old_ref != new_ref
                    && let Some(d) = self.deployment_of(old)
                {
                    self.queue.add(key_of(d.as_ref()));
                }
                if new_ref.is_some() {
                    if let Some(d) = self.deployment_of(new) {
                        self.queue.add(key_of(d.as_ref()));
                    }
                } else if old.metadata.labels != new.metadata.labels || old_ref != new_ref {
                    for d in self.matching(new) {
                        self.queue.add(key_of(d.as_ref()));
                    }
                }
            }
        }
    }

    /// Reconciles the object a queue key names, once.
    pub async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(cached) = self.deployments.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let mut d = (*cached).clone();
        let Some(spec) = d.spec.clone() else {
            return Ok(Outcome::Done);
        };
        let selector = pods::selector(&spec.selector).filter(|s| !s.is_empty());
        let Some(selector) = selector else {
            self.events.warning(
                &d,
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.".into(),
            );
            return Ok(Outcome::Done);
        };
        let candidates: Vec<Arc<ReplicaSet>> = self.sets.list_namespace(namespace);
        let sets = self.claim(&d, &selector, candidates).await?;
        if d.metadata.deletion_timestamp.is_some() {
            return self.sync_status_only(&mut d, sets).await;
        }
        self.check_paused_condition(&mut d).await?;
        if spec.paused == Some(true) {
            return self.sync_scale(&mut d, sets).await;
        }
        if self.is_scaling_event(&d, &sets) {
            return self.sync_scale(&mut d, sets).await;
        }
        if is_rolling(&d) {
            self.rollout_rolling(&mut d, sets).await
        } else {
            self.rollout_recreate(&mut d, sets).await
        }
    }

    /// The ReplicaSets the deployment controls (after adopting matching
    /// orphans and releasing those that no longer match), oldest first.
    async fn claim(
        &self,
        d: &Deployment,
        selector: &api::selectors::LabelSelector,
        candidates: Vec<Arc<ReplicaSet>>,
    ) -> Result<Vec<ReplicaSet>, Error> {
        let claimed =
            crate::controller_ref_manager::claim(&self.client, d, selector, candidates).await?;
        let mut owned: Vec<ReplicaSet> = claimed.iter().map(|rs| (**rs).clone()).collect();
        by_creation(&mut owned);
        Ok(owned)
    }

    /// The ReplicaSet whose template is the deployment's (the oldest, if
    /// several), and the others.
    fn split(d: &Deployment, sets: Vec<ReplicaSet>) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
        let wanted = template_without_hash(d.spec.as_ref().map(|s| &s.template));
        let mut new = None;
        let mut old = Vec::new();
        for rs in sets {
            let template =
                template_without_hash(rs.spec.as_ref().and_then(|s| s.template.as_ref()));
            if new.is_none() && template == wanted {
                new = Some(rs);
            } else {
                old.push(rs);
            }
        }
        (new, old)
    }

    fn is_scaling_event(&self, d: &Deployment, sets: &[ReplicaSet]) -> bool {
        sets.iter().filter(|rs| rs_replicas(rs) > 0).any(|rs| {
            annotation(rs, DESIRED_REPLICAS)
                .and_then(|v| v.parse::<i32>().ok())
                .is_some_and(|desired| desired != replicas(d))
        })
    }

    async fn check_paused_condition(&self, d: &mut Deployment) -> Result<(), Error> {
        if progress_deadline(d).is_none() {
            return Ok(());
        }
        let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
        let mut status = d.status.clone().unwrap_or_default();
        let reason = condition(&status, "Progressing").and_then(|c| c.reason.clone());
        let paused_now = reason.as_deref() == Some("DeploymentPaused");
        if paused && !paused_now {
            set_condition(
                &self.clock.now_time(),
                &mut status,
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused".into(),
            );
        } else if !paused && paused_now {
            set_condition(
                &self.clock.now_time(),
                &mut status,
                "Progressing",
                "Unknown",
                "DeploymentResumed",
                "Deployment is resumed".into(),
            );
        } else {
            return Ok(());
        }
        self.write_status(d, status).await
    }

    /// Brings the new ReplicaSet's annotations and revision up to date or,
    /// when `create`, makes it; returns it with the old ones.
    async fn new_and_old(
        &self,
        d: &mut Deployment,
        sets: Vec<ReplicaSet>,
        create: bool,
    ) -> Result<(Option<ReplicaSet>, Vec<ReplicaSet>), Error> {
        let (existing, old) = Self::split(d, sets);
        let max_old = old.iter().map(revision).max().unwrap_or(0);
        let next = max_old + 1;
        let namespace = d.namespace().unwrap_or_default();
        let api: Api<ReplicaSet> = Api::namespaced(self.client.clone(), &namespace);
        let new = match existing {
            Some(mut rs) => {
                let mut changed = self.copy_annotations(d, &mut rs, next);
                let min_ready = d.spec.as_ref().and_then(|s| s.min_ready_seconds);
                if let Some(spec) = rs.spec.as_mut()
                    && spec.min_ready_seconds != min_ready
                {
                    spec.min_ready_seconds = min_ready;
                    changed = true;
                }
                if changed {
                    rs = api
                        .replace(&rs.name_any(), &PostParams::default(), &rs)
                        .await?;
                }
                let mut status = d.status.clone().unwrap_or_default();
                if progress_deadline(d).is_some() && condition(&status, "Progressing").is_none() {
                    set_condition(
                        &self.clock.now_time(),
                        &mut status,
                        "Progressing",
                        "True",
                        "FoundNewReplicaSet",
                        format!("Found new replica set {:?}", rs.name_any()),
                    );
                    self.set_revision(d, revision(&rs)).await?;
                    self.write_status(d, status).await?;
                } else {
                    self.set_revision(d, revision(&rs)).await?;
                }
                Some(rs)
            }
            None if create => Some(self.create_new(d, &old, next).await?),
            None => None,
        };
        Ok((new, old))
    }

    /// Copies the deployment's annotations onto `rs` with the revision
    /// (which only grows; a reused revision is kept in the history) and the
    /// replica annotations. True when something changed.
    fn copy_annotations(&self, d: &Deployment, rs: &mut ReplicaSet, next: i64) -> bool {
        let before = rs.metadata.annotations.clone().unwrap_or_default();
        let mut annotations = before.clone();
        for (k, v) in d.metadata.annotations.iter().flatten() {
            if !NOT_COPIED.contains(&k.as_str()) {
                annotations.insert(k.clone(), v.clone());
            }
        }
        let current: i64 = before
            .get(REVISION)
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        if current < next {
            if current > 0 {
                let history = match before.get(REVISION_HISTORY) {
                    Some(h) if !h.is_empty() => format!("{h},{current}"),
                    _ => current.to_string(),
                };
                annotations.insert(REVISION_HISTORY.into(), history);
            }
            annotations.insert(REVISION.into(), next.to_string());
        }
        annotations.insert(DESIRED_REPLICAS.into(), replicas(d).to_string());
        annotations.insert(
            MAX_REPLICAS.into(),
            (replicas(d) + max_surge(d)).to_string(),
        );
        let changed = annotations != before;
        rs.metadata.annotations = Some(annotations);
        changed
    }

    async fn set_revision(&self, d: &mut Deployment, revision: i64) -> Result<(), Error> {
        if annotation(d, REVISION).as_deref() == Some(revision.to_string().as_str())
            || revision == 0
        {
            return Ok(());
        }
        let api: Api<Deployment> =
            Api::namespaced(self.client.clone(), &d.namespace().unwrap_or_default());
        let patch = json!({"metadata": {"annotations": {REVISION: revision.to_string()}}});
        let updated = api
            .patch(&d.name_any(), &PatchParams::default(), &Patch::Merge(patch))
            .await?;
        d.metadata = updated.metadata;
        Ok(())
    }

    async fn create_new(
        &self,
        d: &mut Deployment,
        old: &[ReplicaSet],
        next: i64,
    ) -> Result<ReplicaSet, Error> {
        let spec = d.spec.clone().unwrap_or_default();
        let collision_count = d.status.as_ref().and_then(|s| s.collision_count);
        let hash = template_hash(
            &template_without_hash(Some(&spec.template)),
            collision_count,
        );
        let mut template = spec.template.clone();
        template
            .metadata
            .get_or_insert_with(ObjectMeta::default)
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(TEMPLATE_HASH.into(), hash.clone());
        let mut selector: LabelSelector = spec.selector.clone();
        selector
            .match_labels
            .get_or_insert_with(BTreeMap::new)
            .insert(TEMPLATE_HASH.into(), hash.clone());
        let name = format!("{}-{hash}", d.name_any());
        let namespace = d.namespace().unwrap_or_default();
        let mut all: Vec<ReplicaSet> = old.to_vec();
        let size = if is_rolling(d) {
            new_rs_replicas(d, &all, None)
        } else {
            replicas(d)
        };
        let mut rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(namespace.clone()),
                labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
                owner_references: Some(vec![pods::controller_reference(d)]),
                ..ObjectMeta::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(0),
                min_ready_seconds: spec.min_ready_seconds,
                selector,
                template: Some(template),
            }),
            status: None,
        };
        self.copy_annotations(d, &mut rs, next);
        if let Some(spec) = rs.spec.as_mut() {
            spec.replicas = Some(size);
        }
        let api: Api<ReplicaSet> = Api::namespaced(self.client.clone(), &namespace);
        let created = match api.create(&PostParams::default(), &rs).await {
            Ok(created) => created,
            Err(err) if is_already_exists(&err) => {
                // Ours already (a stale cache), or a hash collision.
                let existing = api.get(&name).await?;
                let ours = pods::controller_ref(&existing.metadata).map(|r| r.uid.as_str())
                    == d.metadata.uid.as_deref();
                let same =
                    template_without_hash(existing.spec.as_ref().and_then(|s| s.template.as_ref()))
                        == template_without_hash(Some(&spec.template));
                if ours && same {
                    return Ok(existing);
                }
                let mut status = d.status.clone().unwrap_or_default();
                status.collision_count = Some(collision_count.unwrap_or(0) + 1);
                self.write_status(d, status).await?;
                return Err(Error::Invalid(format!(
                    "hash collision for replica set {name}; retrying"
                )));
            }
            Err(err) => {
                let mut status = d.status.clone().unwrap_or_default();
                set_condition(
                    &self.clock.now_time(),
                    &mut status,
                    "ReplicaFailure",
                    "True",
                    "FailedCreate",
                    crate::replicaset::api_message(&err),
                );
                self.events.warning(
                    d,
                    "FailedCreate",
                    format!(
                        "Failed to create new replica set {name:?}: {}",
                        crate::replicaset::api_message(&err)
                    ),
                );
                self.write_status(d, status).await?;
                return Err(err.into());
            }
        };
        if size > 0 {
            self.events.normal(
                d,
                "ScalingReplicaSet",
                format!(
                    "Scaled up replica set {} from 0 to {size}",
                    created.name_any()
                ),
            );
        }
        all.push(created.clone());
        self.set_revision(d, next).await?;
        if progress_deadline(d).is_some() {
            let mut status = d.status.clone().unwrap_or_default();
            set_condition(
                &self.clock.now_time(),
                &mut status,
                "Progressing",
                "True",
                "NewReplicaSetCreated",
                format!("Created new replica set {name:?}"),
            );
            self.write_status(d, status).await?;
        }
        Ok(created)
    }

    /// Scales `rs` to `size` (and refreshes its replica annotations).
    async fn scale(&self, d: &Deployment, rs: &mut ReplicaSet, size: i32) -> Result<bool, Error> {
        let old_size = rs_replicas(rs);
        let wanted_desired = replicas(d).to_string();
        let wanted_max = (replicas(d) + max_surge(d)).to_string();
        let annotations_stale = annotation(rs, DESIRED_REPLICAS).as_deref()
            != Some(wanted_desired.as_str())
            || annotation(rs, MAX_REPLICAS).as_deref() != Some(wanted_max.as_str());
        if old_size == size && !annotations_stale {
            return Ok(false);
        }
        let mut updated = rs.clone();
        if let Some(spec) = updated.spec.as_mut() {
            spec.replicas = Some(size);
        }
        let annotations = updated
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new);
        annotations.insert(DESIRED_REPLICAS.into(), wanted_desired);
        annotations.insert(MAX_REPLICAS.into(), wanted_max);
        let api: Api<ReplicaSet> =
            Api::namespaced(self.client.clone(), &rs.namespace().unwrap_or_default());
        *rs = api
            .replace(&rs.name_any(), &PostParams::default(), &updated)
            .await?;
        if old_size != size {
            let direction = if old_size < size { "up" } else { "down" };
            self.events.normal(
                d,
                "ScalingReplicaSet",
                format!(
                    "Scaled {direction} replica set {} from {old_size} to {size}",
                    rs.name_any()
                ),
            );
            return Ok(true);
        }
        Ok(false)
    }

    async fn rollout_rolling(
        &self,
        d: &mut Deployment,
        sets: Vec<ReplicaSet>,
    ) -> Result<Outcome, Error> {
        let (new, mut old) = self.new_and_old(d, sets, true).await?;
        let Some(mut new) = new else {
            return Ok(Outcome::Done);
        };
        // Scale the new one up as far as maxSurge allows.
        let all: Vec<ReplicaSet> = old.iter().cloned().chain([new.clone()]).collect();
        let scaled_up = if rs_replicas(&new) == replicas(d) {
            false
        } else if rs_replicas(&new) > replicas(d) {
            self.scale(d, &mut new, replicas(d)).await?
        } else {
            let size = new_rs_replicas(d, &all, Some(&new));
            self.scale(d, &mut new, size).await?
        };
        if scaled_up {
            return self.sync_rollout_status(d, &old, Some(&new)).await;
        }
        // Then the old ones down as far as maxUnavailable allows.
        if self.reconcile_old(d, &mut old, &new).await? {
            return self.sync_rollout_status(d, &old, Some(&new)).await;
        }
        let status = calculate_status(self.clock.now(), d, &old, Some(&new));
        if complete(d, &status) {
            self.cleanup(d, &old).await?;
        }
        self.sync_rollout_status(d, &old, Some(&new)).await
    }

    async fn reconcile_old(
        &self,
        d: &Deployment,
        old: &mut [ReplicaSet],
        new: &ReplicaSet,
    ) -> Result<bool, Error> {
        let old_pods: i32 = old.iter().map(rs_replicas).sum();
        if old_pods == 0 {
            return Ok(false);
        }
        let all_pods: i32 = old_pods + rs_replicas(new);
        let min_available = replicas(d) - max_unavailable(d);
        let new_unavailable = rs_replicas(new) - rs_available(new);
        let max_scaled_down = all_pods - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return Ok(false);
        }
        // Unhealthy replicas go first: they cost no availability.
        let mut cleaned = 0;
        for rs in old.iter_mut() {
            if cleaned >= max_scaled_down {
                break;
            }
            let size = rs_replicas(rs);
            if size == 0 || size == rs_available(rs) {
                continue;
            }
            let count = (max_scaled_down - cleaned).min(size - rs_available(rs));
            if count <= 0 {
                continue;
            }
            self.scale(d, rs, size - count).await?;
            cleaned += count;
        }
        // Then healthy ones, while enough stay available.
        let available: i32 = old.iter().map(rs_available).sum::<i32>() + rs_available(new);
        let mut scaled = 0;
        if available > min_available {
            let total = available - min_available;
            for rs in old.iter_mut() {
                if scaled >= total {
                    break;
                }
                let size = rs_replicas(rs);
                if size == 0 {
                    continue;
                }
                let count = size.min(total - scaled);
                self.scale(d, rs, size - count).await?;
                scaled += count;
            }
        }
        Ok(cleaned + scaled > 0)
    }

    async fn rollout_recreate(
        &self,
        d: &mut Deployment,
        sets: Vec<ReplicaSet>,
    ) -> Result<Outcome, Error> {
        let (new, mut old) = self.new_and_old(d, sets.clone(), false).await?;
        let mut scaled_down = false;
        for rs in old.iter_mut().filter(|rs| rs_replicas(rs) > 0) {
            scaled_down |= self.scale(d, rs, 0).await?;
        }
        if scaled_down {
            return self.sync_rollout_status(d, &old, new.as_ref()).await;
        }
        // Wait until no old pod runs.
        let old_uids: Vec<String> = old
            .iter()
            .filter_map(|rs| rs.metadata.uid.clone())
            .collect();
        let namespace = d.namespace().unwrap_or_default();
        let old_running = self.pods.list_namespace(&namespace).iter().any(|pod| {
            pods::controller_ref(&pod.metadata).is_some_and(|r| old_uids.contains(&r.uid))
                && !matches!(
                    pod.status.as_ref().and_then(|s| s.phase.as_deref()),
                    Some("Failed") | Some("Succeeded")
                )
        });
        if old_running {
            return self.sync_rollout_status(d, &old, new.as_ref()).await;
        }
        let (new, old) = match new {
            Some(new) => (new, old),
            None => {
                let (new, old) = self.new_and_old(d, sets, true).await?;
                match new {
                    Some(new) => (new, old),
                    None => return Ok(Outcome::Done),
                }
            }
        };
        let mut new = new;
        self.scale(d, &mut new, replicas(d)).await?;
        let status = calculate_status(self.clock.now(), d, &old, Some(&new));
        if complete(d, &status) {
            self.cleanup(d, &old).await?;
        }
        self.sync_rollout_status(d, &old, Some(&new)).await
    }

    /// A change of replicas only (or a paused deployment): every active
    /// ReplicaSet is resized in proportion, no rollout step is taken.
    async fn sync_scale(
        &self,
        d: &mut Deployment,
        sets: Vec<ReplicaSet>,
    ) -> Result<Outcome, Error> {
        let (new, mut old) = self.new_and_old(d, sets, false).await?;
        let mut new = new;
        self.proportional_scale(d, new.as_mut(), &mut old).await?;
        if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
            self.cleanup(d, &old).await?;
        }
        let mut status = calculate_status(self.clock.now(), d, &old, new.as_ref());
        if progress_deadline(d).is_none() {
            remove_condition(&mut status, "Progressing");
        }
        self.write_status(d, status).await?;
        Ok(Outcome::Done)
    }

    async fn proportional_scale(
        &self,
        d: &Deployment,
        new: Option<&mut ReplicaSet>,
        old: &mut [ReplicaSet],
    ) -> Result<(), Error> {
        let desired = replicas(d);
        let active_count = old.iter().filter(|rs| rs_replicas(rs) > 0).count()
            + usize::from(new.as_ref().is_some_and(|n| rs_replicas(n) > 0));
        // One active (or none): it simply takes the deployment's size.
        if active_count <= 1 {
            let target: Option<&mut ReplicaSet> = match new {
                Some(n) if rs_replicas(n) > 0 || active_count == 0 => Some(n),
                Some(_) | None => old
                    .iter_mut()
                    .filter(|rs| active_count == 0 || rs_replicas(rs) > 0)
                    .max_by_key(|rs| created(rs)),
            };
            if let Some(rs) = target {
                self.scale(d, rs, desired).await?;
            }
            return Ok(());
        }
        let new_saturated = new.as_ref().is_some_and(|n| {
            rs_replicas(n) == desired
                && annotation(*n, DESIRED_REPLICAS).as_deref() == Some(desired.to_string().as_str())
                && rs_available(n) == desired
        });
        if new_saturated {
            for rs in old.iter_mut().filter(|rs| rs_replicas(rs) > 0) {
                self.scale(d, rs, 0).await?;
            }
            return Ok(());
        }
        if !is_rolling(d) {
            return Ok(());
        }
        let mut active: Vec<&mut ReplicaSet> =
            old.iter_mut().filter(|rs| rs_replicas(rs) > 0).collect();
        if let Some(n) = new
            && rs_replicas(n) > 0
        {
            active.push(n);
        }
        let current: i32 = active.iter().map(|rs| rs_replicas(rs)).sum();
        let allowed = if desired > 0 {
            desired + max_surge(d)
        } else {
            0
        };
        let to_add = allowed - current;
        // Larger first; newer first when growing, older first when shrinking.
        active.sort_by(|a, b| {
            rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| {
                if to_add > 0 {
                    created(b).cmp(&created(a))
                } else {
                    created(a).cmp(&created(b))
                }
            })
        });
        let mut sizes: Vec<i32> = Vec::new();
        let mut added = 0;
        for rs in &active {
            if to_add == 0 {
                sizes.push(rs_replicas(rs));
                continue;
            }
            let proportion = proportion(rs, d, to_add, added);
            sizes.push(rs_replicas(rs) + proportion);
            added += proportion;
        }
        if to_add != 0 && !sizes.is_empty() {
            sizes[0] = (sizes[0] + to_add - added).max(0);
        }
        for (rs, size) in active.into_iter().zip(sizes) {
            self.scale(d, rs, size.max(0)).await?;
        }
        Ok(())
    }

    /// Old ReplicaSets beyond revisionHistoryLimit that run nothing go.
    async fn cleanup(&self, d: &Deployment, old: &[ReplicaSet]) -> Result<(), Error> {
        let Some(limit) = d.spec.as_ref().and_then(|s| s.revision_history_limit) else {
            return Ok(());
        };
        let mut cleanable: Vec<&ReplicaSet> = old
            .iter()
            .filter(|rs| rs.metadata.deletion_timestamp.is_none())
            .collect();
        let surplus = cleanable.len() as i64 - i64::from(limit);
        if surplus <= 0 {
            return Ok(());
        }
        cleanable.sort_by_key(|rs| (revision(rs), created(rs)));
        let api: Api<ReplicaSet> =
            Api::namespaced(self.client.clone(), &d.namespace().unwrap_or_default());
        for rs in cleanable.into_iter().take(surplus as usize) {
            let running = rs.status.as_ref().map_or(0, |s| s.replicas);
            let observed = rs
                .status
                .as_ref()
                .and_then(|s| s.observed_generation)
                .unwrap_or(0);
            if running != 0
                || rs_replicas(rs) != 0
                || rs.metadata.generation.unwrap_or(0) > observed
            {
                continue;
            }
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: rs.metadata.uid.clone(),
                    resource_version: None,
                }),
                ..DeleteParams::default()
            };
            match api.delete(&rs.name_any(), &params).await {
                Ok(_) => {}
                Err(err) if is_not_found(&err) || is_conflict(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    async fn sync_status_only(
        &self,
        d: &mut Deployment,
        sets: Vec<ReplicaSet>,
    ) -> Result<Outcome, Error> {
        let (new, old) = Self::split(d, sets);
        let status = calculate_status(self.clock.now(), d, &old, new.as_ref());
        self.write_status(d, status).await?;
        Ok(Outcome::Done)
    }

    /// The status after a rollout step, with the Progressing condition
    /// (and, while progressing, a look again at the deadline).
    async fn sync_rollout_status(
        &self,
        d: &mut Deployment,
        old: &[ReplicaSet],
        new: Option<&ReplicaSet>,
    ) -> Result<Outcome, Error> {
        let mut status = calculate_status(self.clock.now(), d, old, new);
        let deadline = progress_deadline(d);
        if deadline.is_none() {
            remove_condition(&mut status, "Progressing");
        }
        let complete_already = status.replicas == status.updated_replicas
            && condition(&status, "Progressing").and_then(|c| c.reason.as_deref())
                == Some("NewReplicaSetAvailable");
        if deadline.is_some() && !complete_already {
            let name = new.map(|n| n.name_any()).unwrap_or_default();
            if complete(d, &status) {
                set_condition(
                    &self.clock.now_time(),
                    &mut status,
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet {name:?} has successfully progressed."),
                );
            } else if progressing(d, &status) {
                let message = if new.is_some() {
                    format!("ReplicaSet {name:?} is progressing.")
                } else {
                    "Deployment is progressing.".into()
                };
                // Progress refreshes the condition's update time.
                let previous = condition(&status, "Progressing").cloned();
                remove_condition(&mut status, "Progressing");
                set_condition(
                    &self.clock.now_time(),
                    &mut status,
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    message,
                );
                if let Some(previous) = previous
                    && previous.status == "True"
                    && let Some(c) = status
                        .conditions
                        .iter_mut()
                        .flatten()
                        .find(|c| c.type_ == "Progressing")
                {
                    c.last_transition_time = previous.last_transition_time;
                }
            } else if timed_out(d, &status, self.clock.now()) {
                let message = if new.is_some() {
                    format!("ReplicaSet {name:?} has timed out progressing.")
                } else {
                    format!("Deployment {:?} has timed out progressing.", d.name_any())
                };
                set_condition(
                    &self.clock.now_time(),
                    &mut status,
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    message,
                );
            }
        }
        // A ReplicaSet that cannot make its pods says so on the deployment.
        let failure = old
            .iter()
            .chain(new)
            .filter_map(|rs| {
                rs.status
                    .as_ref()?
                    .conditions
                    .as_ref()?
                    .iter()
                    .find(|c| c.type_ == "ReplicaFailure")
                    .cloned()
            })
            .next();
        match failure {
            Some(f) => set_condition(
                &self.clock.now_time(),
                &mut status,
                "ReplicaFailure",
                &f.status,
                f.reason.as_deref().unwrap_or_default(),
                f.message.unwrap_or_default(),
            ),
            None => remove_condition(&mut status, "ReplicaFailure"),
        }
        self.write_status(d, status.clone()).await?;
        // Look again when the deadline would pass.
        if let Some(seconds) = deadline
            && !complete(d, &status)
            && let Some(c) = condition(&status, "Progressing")
            && c.reason.as_deref() != Some("ProgressDeadlineExceeded")
            && let Some(updated) = &c.last_update_time
        {
            let due = updated
                .0
                .checked_add(SignedDuration::from_secs(seconds.into()))
                .ok();
            if let Some(due) = due {
                let left = self.clock.until(due);
                return Ok(Outcome::After(left + Duration::from_secs(1)));
            }
        }
        Ok(Outcome::Done)
    }

    async fn write_status(
        &self,
        d: &mut Deployment,
        status: DeploymentStatus,
    ) -> Result<(), Error> {
        if d.status.as_ref() == Some(&status) {
            return Ok(());
        }
        let zero_as_absent = |n: Option<i32>| match n {
            Some(0) | None => Value::Null,
            Some(n) => json!(n),
        };
        let body = json!({"status": {
            "observedGeneration": status.observed_generation,
            "replicas": zero_as_absent(status.replicas),
            "updatedReplicas": zero_as_absent(status.updated_replicas),
            "readyReplicas": zero_as_absent(status.ready_replicas),
            "availableReplicas": zero_as_absent(status.available_replicas),
            "unavailableReplicas": zero_as_absent(status.unavailable_replicas),
            "collisionCount": status.collision_count,
            "conditions": status.conditions,
        }});
        let api: Api<Deployment> =
            Api::namespaced(self.client.clone(), &d.namespace().unwrap_or_default());
        match api
            .patch_status(&d.name_any(), &PatchParams::default(), &Patch::Merge(body))
            .await
        {
            Ok(updated) => {
                *d = updated;
                Ok(())
            }
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}

/// How many replicas the new ReplicaSet should have now, within maxSurge.
fn new_rs_replicas(d: &Deployment, all: &[ReplicaSet], new: Option<&ReplicaSet>) -> i32 {
    let new_size = new.map_or(0, rs_replicas);
    let current: i32 =
        all.iter().map(rs_replicas).sum::<i32>() + if new.is_some() { 0 } else { new_size };
    let max_total = replicas(d) + max_surge(d);
    if current >= max_total {
        return new_size;
    }
    let up = (max_total - current).min(replicas(d) - new_size);
    new_size + up.max(0)
}

/// `rs`'s share of `to_add` replicas, by its size against the size the
/// deployment had when the ReplicaSet was last scaled.
fn proportion(rs: &ReplicaSet, d: &Deployment, to_add: i32, added: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if replicas(d) == 0 {
        -rs_replicas(rs)
    } else {
        let total = replicas(d) + max_surge(d);
        let annotated = annotation(rs, MAX_REPLICAS)
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or_else(|| d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0));
        if annotated == 0 {
            0
        } else {
            let size = f64::from(rs_replicas(rs)) * f64::from(total) / f64::from(annotated);
            size.round() as i32 - rs_replicas(rs)
        }
    };
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

fn calculate_status(
    now: Timestamp,
    d: &Deployment,
    old: &[ReplicaSet],
    new: Option<&ReplicaSet>,
) -> DeploymentStatus {
    let all: Vec<&ReplicaSet> = old.iter().chain(new).collect();
    let sum = |f: &dyn Fn(&ReplicaSet) -> i32| all.iter().map(|rs| f(rs)).sum::<i32>();
    let actual = |rs: &ReplicaSet| rs.status.as_ref().map_or(0, |s| s.replicas);
    let available = sum(&rs_available);
    let total = sum(&rs_replicas);
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: Some(sum(&actual)),
        updated_replicas: Some(new.map_or(0, actual)),
        ready_replicas: Some(sum(&|rs: &ReplicaSet| {
            rs.status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0)
        })),
        available_replicas: Some(available),
        unavailable_replicas: Some((total - available).max(0)),
        collision_count: d.status.as_ref().and_then(|s| s.collision_count),
        conditions: d.status.as_ref().and_then(|s| s.conditions.clone()),
        terminating_replicas: None,
    };
    let now = Time(Timestamp::from_second(now.as_second()).unwrap_or(now));
    if available >= replicas(d) - max_unavailable(d) {
        set_condition(
            &now,
            &mut status,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
        );
    } else {
        set_condition(
            &now,
            &mut status,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
        );
    }
    status
}

/// Every replica updated and available, and the latest spec observed.
fn complete(d: &Deployment, status: &DeploymentStatus) -> bool {
    let desired = replicas(d);
    status.updated_replicas.unwrap_or(0) == desired
        && status.replicas.unwrap_or(0) == desired
        && status.available_replicas.unwrap_or(0) == desired
        && status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// More updated, fewer old, or more ready or available replicas than the
/// deployment's last status said.
fn progressing(d: &Deployment, status: &DeploymentStatus) -> bool {
    let Some(before) = d.status.as_ref() else {
        return true;
    };
    let value = |n: Option<i32>| n.unwrap_or(0);
    let old_now = value(status.replicas) - value(status.updated_replicas);
    let old_before = value(before.replicas) - value(before.updated_replicas);
    value(status.updated_replicas) > value(before.updated_replicas)
        || old_now < old_before
        || value(status.ready_replicas) > value(before.ready_replicas)
        || value(status.available_replicas) > value(before.available_replicas)
}

fn timed_out(d: &Deployment, status: &DeploymentStatus, now: Timestamp) -> bool {
    let Some(seconds) = progress_deadline(d) else {
        return false;
    };
    let Some(c) = condition(status, "Progressing") else {
        return false;
    };
    match c.reason.as_deref() {
        Some("ProgressDeadlineExceeded") => return true,
        Some("NewReplicaSetAvailable") => return false,
        _ => {}
    }
    let Some(updated) = &c.last_update_time else {
        return false;
    };
    updated
        .0
        .checked_add(SignedDuration::from_secs(seconds.into()))
        .is_ok_and(|due| due < now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(replicas: i32, surge: Value, unavailable: Value) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "web"},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}},
            },
        }))
        .unwrap()
    }

    #[test]
    fn percentages_round_as_upstream() {
        // 25% of 10: surge rounds up to 3, unavailable down to 2.
        assert_eq!(
            fenceposts(&deployment(10, json!("25%"), json!("25%"))),
            (3, 2)
        );
        // Both zero is not allowed to stall: one may be unavailable.
        assert_eq!(fenceposts(&deployment(1, json!("0%"), json!("0%"))), (0, 1));
        assert_eq!(max_unavailable(&deployment(3, json!(1), json!(5))), 3);
    }

    #[test]
    fn the_new_set_grows_within_max_surge() {
        let d = deployment(10, json!(3), json!(2));
        let rs = |size: i32| -> ReplicaSet {
            serde_json::from_value(
                json!({"metadata": {"name": "x"}, "spec": {"replicas": size, "selector": {}}}),
            )
            .unwrap()
        };
        let old = rs(10);
        let new = rs(0);
        assert_eq!(
            new_rs_replicas(&d, &[old.clone(), new.clone()], Some(&new)),
            3
        );
        let new = rs(3);
        assert_eq!(new_rs_replicas(&d, &[old, new.clone()], Some(&new)), 3);
    }

    #[test]
    fn template_hashes_are_stable_and_safe() {
        let template = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        let hash = template_hash(&template, None);
        assert_eq!(hash, template_hash(&template, None));
        assert_ne!(hash, template_hash(&template, Some(1)));
        assert!(
            hash.chars()
                .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)),
            "{hash}"
        );
        assert!((8..=10).contains(&hash.len()), "{hash}");
    }

    mod reconcile {
        use super::*;
        use crate::testing::{Harness, condition};

        fn web(replicas: i32, image: &str) -> Value {
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {
                    "replicas": replicas,
                    "progressDeadlineSeconds": 30,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "c", "image": image}]},
                    },
                },
            })
        }

        async fn sets(h: &Harness) -> Vec<ReplicaSet> {
            let sets: Vec<ReplicaSet> = h.list("default").await;
            for rs in &sets {
                h.cached(rs).await;
            }
            sets
        }

        fn status_json(d: &Deployment) -> Value {
            serde_json::to_value(&d.status).unwrap()
        }

        #[tokio::test]
        async fn a_replicaset_per_template_and_a_missed_progress_deadline() {
            let h = Harness::start().await;
            let controller = DeploymentController::new(&h.context);
            h.start_informers().await;
            let _: Deployment = h.create(web(2, "busybox:1")).await;

            controller.sync("default/web").await.unwrap();
            let created = sets(&h).await;
            assert_eq!(created.len(), 1);
            let rs = &created[0];
            let hash = rs
                .labels()
                .get(TEMPLATE_HASH)
                .cloned()
                .expect("pod-template-hash");
            assert_eq!(rs.name_any(), format!("web-{hash}"));
            assert_eq!(rs_replicas(rs), 2);
            assert_eq!(annotation(rs, REVISION).as_deref(), Some("1"));
            let d: Deployment = h.fresh("default", "web").await;
            let progressing = condition(&status_json(&d), "Progressing");
            assert_eq!(progressing["status"], "True");
            assert_eq!(progressing["reason"], "NewReplicaSetCreated");

            // Nothing becomes available; 30 s later the rollout has timed out.
            h.clock.advance(Duration::from_secs(20));
            controller.sync("default/web").await.unwrap();
            let d: Deployment = h.fresh("default", "web").await;
            assert_eq!(condition(&status_json(&d), "Progressing")["status"], "True");
            h.clock.advance(Duration::from_secs(11));
            controller.sync("default/web").await.unwrap();
            let d: Deployment = h.fresh("default", "web").await;
            let progressing = condition(&status_json(&d), "Progressing");
            assert_eq!(progressing["status"], "False");
            assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
            assert_eq!(
                progressing["message"],
                format!("ReplicaSet \"web-{hash}\" has timed out progressing.")
            );
            let available = condition(&status_json(&d), "Available");
            assert_eq!(available["reason"], "MinimumReplicasUnavailable");
        }

        #[tokio::test]
        async fn a_new_template_surges_and_old_replicas_go_as_new_ones_are_available() {
            let h = Harness::start().await;
            let controller = DeploymentController::new(&h.context);
            h.start_informers().await;
            let _: Deployment = h.create(web(4, "busybox:1")).await;
            controller.sync("default/web").await.unwrap();
            let old = sets(&h).await.remove(0);
            let all_there = json!({"status": {
                "replicas": 4, "readyReplicas": 4, "availableReplicas": 4,
                "observedGeneration": 1,
            }});
            let _: ReplicaSet = h.patch_status("default", &old.name_any(), all_there).await;
            controller.sync("default/web").await.unwrap();
            let d: Deployment = h.fresh("default", "web").await;
            let progressing = condition(&status_json(&d), "Progressing");
            assert_eq!(progressing["reason"], "NewReplicaSetAvailable");
            assert_eq!(condition(&status_json(&d), "Available")["status"], "True");

            // 25% of 4: one more may be made, one may be missing.
            let _: Deployment = h
                .patch(
                    "default",
                    "web",
                    json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox:2"}]}}}}),
                )
                .await;
            controller.sync("default/web").await.unwrap();
            let now = sets(&h).await;
            assert_eq!(now.len(), 2);
            let new = now
                .iter()
                .find(|rs| rs.name_any() != old.name_any())
                .unwrap();
            assert_eq!(annotation(new, REVISION).as_deref(), Some("2"));
            let old_now = now
                .iter()
                .find(|rs| rs.name_any() == old.name_any())
                .unwrap();
            // The surge comes first; the old set then gives up the one
            // replica it may lose.
            assert_eq!(rs_replicas(new), 1);
            controller.sync("default/web").await.unwrap();
            let now = sets(&h).await;
            let old_now2 = now
                .iter()
                .find(|rs| rs.name_any() == old.name_any())
                .unwrap();
            assert!(rs_replicas(old_now2) <= rs_replicas(old_now));
            assert_eq!(rs_replicas(old_now2), 3);

            // The new set's replica becomes available: the rollout moves on.
            let _: ReplicaSet = h
                .patch_status(
                    "default",
                    &new.name_any(),
                    json!({"status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}}),
                )
                .await;
            let _: ReplicaSet = h
                .patch_status(
                    "default",
                    &old.name_any(),
                    json!({"status": {"replicas": 3, "readyReplicas": 3, "availableReplicas": 3}}),
                )
                .await;
            controller.sync("default/web").await.unwrap();
            let now = sets(&h).await;
            let new_now = now
                .iter()
                .find(|rs| rs.name_any() == new.name_any())
                .unwrap();
            assert_eq!(rs_replicas(new_now), 2);
            let d: Deployment = h.fresh("default", "web").await;
            assert_eq!(
                condition(&status_json(&d), "Progressing")["reason"],
                "ReplicaSetUpdated"
            );
        }
    }
}
