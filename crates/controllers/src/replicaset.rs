//! The ReplicaSet controller: keeps `spec.replicas` pods matching each
//! ReplicaSet's selector. It adopts matching orphans and releases pods that
//! stop matching (controller ownerReferences), creates pods in slow-start
//! batches (1, 2, 4, ...) so a failing template costs one request, deletes
//! surplus pods in upstream's order, and keeps the status (replicas,
//! fullyLabeledReplicas, readyReplicas, availableReplicas after
//! minReadySeconds, observedGeneration, the ReplicaFailure condition).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec, ReplicationController};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::expectations::Expectations;
use crate::informer::{Change, Informer, key_of, split_key};
use crate::pods;
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};
use events::EventSink;

const WORKERS: usize = 5;
/// At most this many creations or deletions per sync, as upstream.
pub(crate) const BURST_REPLICAS: usize = 500;

/// What the controller needs of the kinds it runs: ReplicaSets, and the
/// ReplicationControllers before them (a map selector, the same status).
pub trait ReplicaKind:
    crate::informer::Kind<Scope = k8s_openapi::NamespaceResourceScope> + serde::Serialize
{
    /// The controller's name in events and `--controllers`, and its queue's.
    const CONTROLLER: &'static str;
    const QUEUE: &'static str;
    fn selector(&self) -> Option<api::selectors::LabelSelector>;
    fn template(&self) -> Option<&PodTemplateSpec>;
    fn replicas(&self) -> i32;
    fn min_ready_seconds(&self) -> i32;
    /// The status as JSON, for comparing with the one wanted.
    fn status_json(&self) -> Value;
}

impl ReplicaKind for ReplicaSet {
    const CONTROLLER: &'static str = "replicaset-controller";
    const QUEUE: &'static str = "replicaset";
    fn selector(&self) -> Option<api::selectors::LabelSelector> {
        self.spec.as_ref().and_then(|s| pods::selector(&s.selector))
    }
    fn template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref()?.template.as_ref()
    }
    fn replicas(&self) -> i32 {
        self.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
    }
    fn min_ready_seconds(&self) -> i32 {
        self.spec
            .as_ref()
            .and_then(|s| s.min_ready_seconds)
            .unwrap_or(0)
    }
    fn status_json(&self) -> Value {
        serde_json::to_value(&self.status).unwrap_or(Value::Null)
    }
}

impl ReplicaKind for ReplicationController {
    const CONTROLLER: &'static str = "replication-controller";
    const QUEUE: &'static str = "replicationmanager";
    fn selector(&self) -> Option<api::selectors::LabelSelector> {
        let labels = self.spec.as_ref()?.selector.clone()?;
        api::selectors::LabelSelector::from_api(&json!({"matchLabels": labels})).ok()
    }
    fn template(&self) -> Option<&PodTemplateSpec> {
        self.spec.as_ref()?.template.as_ref()
    }
    fn replicas(&self) -> i32 {
        self.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
    }
    fn min_ready_seconds(&self) -> i32 {
        self.spec
            .as_ref()
            .and_then(|s| s.min_ready_seconds)
            .unwrap_or(0)
    }
    fn status_json(&self) -> Value {
        serde_json::to_value(&self.status).unwrap_or(Value::Null)
    }
}

pub struct ReplicaSetController<K: ReplicaKind> {
    client: kube::Client,
    sets: Arc<Informer<K>>,
    pods: Arc<Informer<Pod>>,
    queue: Arc<WorkQueue>,
    expectations: Expectations,
    events: EventSink,
    clock: crate::Clock,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    start_for::<ReplicaSet>(context, shutdown)
}

/// The ReplicationController manager: the same controller over the core
/// kind.
pub fn start_replication(
    context: &Context,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    start_for::<ReplicationController>(context, shutdown)
}

fn start_for<K: ReplicaKind>(
    context: &Context,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let controller = ReplicaSetController::<K>::new(context);
    let (sets, pods) = (controller.sets.clone(), controller.pods.clone());
    let synced = async move {
        sets.synced().await;
        pods.synced().await;
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        K::CONTROLLER,
        queue,
        WORKERS,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move { controller.sync(&key).await }
        },
    )
}

impl<K: ReplicaKind> ReplicaSetController<K> {
    /// The controller with its informer handlers registered; its workers
    /// are started by [`start`].
    pub fn new(context: &Context) -> Arc<Self> {
        let sets = context.informers.get::<K>();
        let pods = context.informers.get::<Pod>();
        let controller = Arc::new(ReplicaSetController {
            client: context.client.clone(),
            sets: sets.clone(),
            pods: pods.clone(),
            queue: context.queue(K::QUEUE),
            expectations: Expectations::default(),
            events: EventSink::new(context.client.clone(), K::CONTROLLER),
            clock: context.clock(),
        });
        let handler = controller.clone();
        sets.on_change(move |change| handler.on_replicaset(change));
        let handler = controller.clone();
        pods.on_change(move |change| handler.on_pod(change));
        controller
    }

    fn on_replicaset(&self, change: Change<'_, K>) {
        match change {
            Change::Added(rs) | Change::Updated { new: rs, .. } => self.queue.add(key_of(rs)),
            Change::Deleted(rs) => {
                let key = key_of(rs);
                self.expectations.forget(&key);
                self.queue.add(key);
            }
        }
    }

    /// The ReplicaSet a controller reference names, if it is cached with
    /// that uid.
    fn resolve(&self, pod: &Pod) -> Option<Arc<K>> {
        self.sets.controller_of(&pod.metadata)
    }

    /// Every cached ReplicaSet of the pod's namespace whose selector
    /// matches it (for orphans, which any of them may adopt).
    fn matching(&self, pod: &Pod) -> Vec<Arc<K>> {
        let namespace = pod.namespace().unwrap_or_default();
        self.sets
            .list_namespace(&namespace)
            .into_iter()
            .filter(|rs| {
                rs.selector()
                    .is_some_and(|selector| pods::selects(&selector, &pod.metadata))
            })
            .collect()
    }

    fn on_pod(&self, change: Change<'_, Pod>) {
        match change {
            Change::Added(pod) => {
                if pod.metadata.deletion_timestamp.is_some() {
                    return self.pod_gone(pod);
                }
                if pods::controller_ref(&pod.metadata).is_some() {
                    if let Some(rs) = self.resolve(pod) {
                        let key = key_of(rs.as_ref());
                        self.expectations.creation_observed(&key);
                        self.queue.add(key);
                    }
                    return;
                }
                for rs in self.matching(pod) {
                    self.queue.add(key_of(rs.as_ref()));
                }
            }
            Change::Updated { old, new } => {
                if new.metadata.deletion_timestamp.is_some()
                    && old.metadata.deletion_timestamp.is_none()
                {
                    // A graceful deletion begins: the pod is as good as gone.
                    self.pod_gone(new);
                    if old.metadata.labels != new.metadata.labels {
                        self.pod_gone(old);
                    }
                    return;
                }
                let old_ref = pods::controller_ref(&old.metadata);
                let new_ref = pods::controller_ref(&new.metadata);
                if old_ref != new_ref
                    && old_ref.is_some()
                    && let Some(rs) = self.resolve(old)
                {
                    self.queue.add(key_of(rs.as_ref()));
                }
                if new_ref.is_some() {
                    if let Some(rs) = self.resolve(new) {
                        let key = key_of(rs.as_ref());
                        self.queue.add(key.clone());
                        // Look again when the pod becomes available.
                        let min_ready = rs.min_ready_seconds();
                        if min_ready > 0 && !pods::is_ready(old) && pods::is_ready(new) {
                            self.queue
                                .add_after(key, Duration::from_secs(min_ready as u64 + 1));
                        }
                    }
                    return;
                }
                if old.metadata.labels != new.metadata.labels || old_ref != new_ref {
                    for rs in self.matching(new) {
                        self.queue.add(key_of(rs.as_ref()));
                    }
                }
            }
            Change::Deleted(pod) => self.pod_gone(pod),
        }
    }

    fn pod_gone(&self, pod: &Pod) {
        if let Some(rs) = self.resolve(pod) {
            let key = key_of(rs.as_ref());
            self.expectations.deletion_observed(&key, &key_of(pod));
            self.queue.add(key);
        }
    }

    /// Reconciles the ReplicaSet `namespace/name` once.
    pub async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(rs) = self.sets.get(namespace, name) else {
            self.expectations.forget(key);
            return Ok(Outcome::Done);
        };
        let Some(selector) = rs.selector() else {
            tracing::warn!(
                controller = K::CONTROLLER,
                key,
                "the selector cannot be read; nothing is done"
            );
            return Ok(Outcome::Done);
        };
        let needs_sync = self.expectations.satisfied(key);
        let active: Vec<Arc<Pod>> = self
            .pods
            .list_namespace(namespace)
            .into_iter()
            .filter(|p| pods::is_active(p))
            .collect();
        let owned =
            crate::controller_ref_manager::claim(&self.client, rs.as_ref(), &selector, active)
                .await?;
        let mut failure = None;
        if needs_sync && rs.meta().deletion_timestamp.is_none() {
            failure = self.manage_replicas(key, rs.as_ref(), &owned).await.err();
        }
        let min_ready = rs.min_ready_seconds();
        let status = status_of(rs.as_ref(), &owned, failure.as_ref(), self.clock.now());
        if status_changed(rs.as_ref(), &status) {
            let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
            match api
                .patch_status(
                    name,
                    &PatchParams::default(),
                    &Patch::Merge(json!({"status": status})),
                )
                .await
            {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => return Ok(Outcome::Done),
                Err(err) => return Err(err.into()),
            }
        }
        if let Some(failure) = failure {
            return Err(failure);
        }
        let ready = status["readyReplicas"].as_i64().unwrap_or(0);
        let available = status["availableReplicas"].as_i64().unwrap_or(0);
        if min_ready > 0 && ready != available {
            return Ok(Outcome::After(Duration::from_secs(min_ready as u64)));
        }
        Ok(Outcome::Done)
    }

    async fn manage_replicas(&self, key: &str, rs: &K, owned: &[Arc<Pod>]) -> Result<(), Error> {
        let namespace = rs.namespace().unwrap_or_default();
        let desired = rs.replicas().max(0) as usize;
        let pods_api: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
        if owned.len() < desired {
            let wanted = (desired - owned.len()).min(BURST_REPLICAS);
            let Some(template) = rs.template() else {
                return Ok(());
            };
            self.expectations.expect(key, wanted as i64, Vec::new());
            let pod = pods::from_template(
                template,
                &namespace,
                &pods::name_prefix(&rs.name_any()),
                pods::controller_reference(rs),
            );
            let created = slow_start(wanted, |_| {
                let (api, pod) = (pods_api.clone(), pod.clone());
                async move { api.create(&PostParams::default(), &pod).await }
            })
            .await;
            let failed = wanted - created.succeeded.len();
            // What was not created will never be observed.
            self.expectations.lower_creations(key, failed as i64);
            for pod in &created.succeeded {
                self.events.normal(
                    rs,
                    "SuccessfulCreate",
                    format!("Created pod: {}", pod.name_any()),
                );
            }
            if let Some(err) = created.error {
                self.events.warning(
                    rs,
                    "FailedCreate",
                    format!("Error creating: {}", api_message(&err)),
                );
                return Err(err.into());
            }
        } else if owned.len() > desired {
            let surplus = (owned.len() - desired).min(BURST_REPLICAS);
            let victims = pods_to_delete(owned, surplus);
            self.expectations
                .expect(key, 0, victims.iter().map(|p| key_of(p.as_ref())).collect());
            let deletions = futures::future::join_all(victims.iter().map(|pod| {
                let api = pods_api.clone();
                async move {
                    (
                        pod,
                        api.delete(&pod.name_any(), &DeleteParams::default()).await,
                    )
                }
            }))
            .await;
            let mut error = None;
            for (pod, result) in deletions {
                match result {
                    Ok(_) => self.events.normal(
                        rs,
                        "SuccessfulDelete",
                        format!("Deleted pod: {}", pod.name_any()),
                    ),
                    Err(err) if is_not_found(&err) => self
                        .expectations
                        .deletion_observed(key, &key_of(pod.as_ref())),
                    Err(err) => {
                        self.expectations
                            .deletion_observed(key, &key_of(pod.as_ref()));
                        self.events.warning(
                            rs,
                            "FailedDelete",
                            format!("Error deleting: {}", api_message(&err)),
                        );
                        error = Some(err);
                    }
                }
            }
            if let Some(err) = error {
                return Err(err.into());
            }
        }
        Ok(())
    }
}

/// The message of an API error as upstream's events quote it.
pub fn api_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

/// What a slow-start run made, and the first error that stopped it.
pub struct SlowStart<T> {
    pub succeeded: Vec<T>,
    pub error: Option<kube::Error>,
}

/// Runs `count` calls in batches of 1, 2, 4, ... and stops after the first
/// batch with a failure, so a template the API rejects costs one request
/// rather than hundreds.
pub async fn slow_start<T, F, Fut>(count: usize, call: F) -> SlowStart<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, kube::Error>>,
{
    let mut result = SlowStart {
        succeeded: Vec::new(),
        error: None,
    };
    let mut batch = 1;
    let mut done = 0;
    while done < count {
        let size = batch.min(count - done);
        let outcomes = futures::future::join_all((done..done + size).map(&call)).await;
        done += size;
        for outcome in outcomes {
            match outcome {
                Ok(made) => result.succeeded.push(made),
                Err(err) => {
                    if result.error.is_none() {
                        result.error = Some(err);
                    }
                }
            }
        }
        if result.error.is_some() {
            break;
        }
        batch *= 2;
    }
    result
}

/// The owned pods to delete: the first `count` in upstream's order, pods
/// sharing a node with more of their siblings going first.
fn pods_to_delete(owned: &[Arc<Pod>], count: usize) -> Vec<Arc<Pod>> {
    let node = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone());
    let mut per_node: HashMap<String, usize> = HashMap::new();
    for pod in owned {
        if let Some(node) = node(pod) {
            *per_node.entry(node).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&Pod, usize)> = owned
        .iter()
        .map(|p| {
            (
                p.as_ref(),
                node(p).and_then(|n| per_node.get(&n).copied()).unwrap_or(0),
            )
        })
        .collect();
    pods::sort_for_deletion(&mut ranked);
    ranked
        .into_iter()
        .take(count)
        .filter_map(|(pod, _)| {
            owned
                .iter()
                .find(|p| std::ptr::eq(p.as_ref(), pod))
                .cloned()
        })
        .collect()
}

/// Zero as absent, as upstream's `omitempty` fields are.
fn count(n: usize) -> Value {
    if n == 0 { Value::Null } else { json!(n) }
}

/// The status the ReplicaSet should have, as a merge patch body (absent
/// fields as null).
fn status_of<K: ReplicaKind>(
    rs: &K,
    owned: &[Arc<Pod>],
    failure: Option<&Error>,
    now: k8s_openapi::jiff::Timestamp,
) -> Value {
    let template_labels = rs
        .template()
        .and_then(|t| t.metadata.as_ref())
        .map(pods::labels)
        .unwrap_or_default();
    let min_ready = rs.min_ready_seconds();
    let fully_labeled = owned
        .iter()
        .filter(|p| {
            let labels = pods::labels(&p.metadata);
            template_labels
                .iter()
                .all(|(k, v)| labels.get(k) == Some(v))
        })
        .count();
    let ready = owned.iter().filter(|p| pods::is_ready(p)).count();
    let available = owned
        .iter()
        .filter(|p| pods::is_available(p, min_ready, now))
        .count();
    let existing: Vec<Value> = rs.status_json()["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut conditions: Vec<Value> = existing
        .iter()
        .filter(|c| c["type"] != "ReplicaFailure")
        .cloned()
        .collect();
    if let Some(failure) = failure {
        let previous = existing.iter().find(|c| c["type"] == "ReplicaFailure");
        let reason = if owned.len() < rs.replicas().max(0) as usize {
            "FailedCreate"
        } else {
            "FailedDelete"
        };
        let message = match failure {
            Error::Api(err) => api_message(err),
            other => other.to_string(),
        };
        let since = previous
            .filter(|c| c["reason"] == reason && c["message"] == message.as_str())
            .and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| json!(pods::timestamp(now)));
        conditions.push(json!({
            "type": "ReplicaFailure",
            "status": "True",
            "lastTransitionTime": since,
            "reason": reason,
            "message": message,
        }));
    }
    json!({
        "replicas": owned.len(),
        "fullyLabeledReplicas": count(fully_labeled),
        "readyReplicas": count(ready),
        "availableReplicas": count(available),
        "observedGeneration": rs.meta().generation,
        "conditions": if conditions.is_empty() { Value::Null } else { json!(conditions) },
    })
}

fn status_changed<K: ReplicaKind>(rs: &K, wanted: &Value) -> bool {
    let current = Some(rs.status_json())
        .filter(|s| !s.is_null())
        .unwrap_or_else(|| json!({}));
    let number = |v: &Value| v.as_i64().unwrap_or(0);
    [
        "replicas",
        "fullyLabeledReplicas",
        "readyReplicas",
        "availableReplicas",
        "observedGeneration",
    ]
    .iter()
    .any(|field| number(&current[field]) != number(&wanted[field]))
        || current.get("conditions").cloned().unwrap_or(Value::Null)
            != wanted.get("conditions").cloned().unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;

    fn replicaset(name: &str, replicas: i32, min_ready: i32) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name},
            "spec": {
                "replicas": replicas,
                "minReadySeconds": min_ready,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "c", "image": "busybox"}]},
                },
            },
        })
    }

    fn active(pods: &[Pod]) -> Vec<&Pod> {
        pods.iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect()
    }

    #[tokio::test]
    async fn replicas_are_created_once_and_available_after_min_ready_seconds() {
        let h = Harness::start().await;
        let controller = ReplicaSetController::<ReplicaSet>::new(&h.context);
        h.start_informers().await;
        let rs: ReplicaSet = h.create(replicaset("web", 3, 10)).await;

        controller.sync("default/web").await.unwrap();
        let pods = h.pods("default").await;
        assert_eq!(pods.len(), 3);
        for pod in &pods {
            let name = pod.name_any();
            assert!(
                name.starts_with("web-") && name.len() == "web-".len() + 5,
                "{name}"
            );
            let owner = pods::controller_ref(&pod.metadata).expect("a controller reference");
            assert_eq!(owner.uid, rs.uid().unwrap());
            assert_eq!(owner.kind, "ReplicaSet");
        }
        // A second look with every creation observed makes no more.
        controller.sync("default/web").await.unwrap();
        assert_eq!(h.pods("default").await.len(), 3);

        for pod in &pods {
            h.mark_ready(pod).await;
        }
        let outcome = controller.sync("default/web").await.unwrap();
        assert!(
            matches!(outcome, Outcome::After(d) if d == Duration::from_secs(10)),
            "looks again when minReadySeconds pass"
        );
        let status = h
            .fresh::<ReplicaSet>("default", "web")
            .await
            .status
            .unwrap();
        assert_eq!(status.replicas, 3);
        assert_eq!(status.ready_replicas, Some(3));
        assert_eq!(status.available_replicas, None);

        h.clock.advance(Duration::from_secs(10));
        let outcome = controller.sync("default/web").await.unwrap();
        assert!(matches!(outcome, Outcome::Done));
        let status = h
            .fresh::<ReplicaSet>("default", "web")
            .await
            .status
            .unwrap();
        assert_eq!(status.available_replicas, Some(3));
        assert_eq!(status.fully_labeled_replicas, Some(3));
        assert_eq!(status.observed_generation, Some(1));
    }

    #[tokio::test]
    async fn orphans_are_adopted_and_scale_down_takes_the_least_ready_first() {
        let h = Harness::start().await;
        let controller = ReplicaSetController::<ReplicaSet>::new(&h.context);
        h.start_informers().await;
        let orphan: Pod = h
            .create(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "stray", "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            }))
            .await;
        let rs: ReplicaSet = h.create(replicaset("web", 3, 0)).await;
        controller.sync("default/web").await.unwrap();
        let pods = h.pods("default").await;
        assert_eq!(pods.len(), 3, "the orphan counts as one of three");
        let adopted = pods.iter().find(|p| p.name_any() == "stray").unwrap();
        assert_eq!(
            pods::controller_ref(&adopted.metadata).map(|r| r.uid.clone()),
            rs.uid()
        );

        // One pod bound and ready, one bound and not ready, the orphan
        // never scheduled: scaling to one keeps the ready one.
        let others: Vec<&Pod> = pods.iter().filter(|p| p.name_any() != "stray").collect();
        h.bind(others[0], "node-a").await;
        h.bind(others[1], "node-a").await;
        let ready = h.fresh::<Pod>("default", &others[0].name_any()).await;
        h.mark_ready(&ready).await;
        let api: Api<ReplicaSet> = Api::namespaced(h.client.clone(), "default");
        let scaled = api
            .patch(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 1}})),
            )
            .await
            .unwrap();
        h.cached(&scaled).await;
        controller.sync("default/web").await.unwrap();
        let left = h.list::<Pod>("default").await;
        let left = active(&left);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].name_any(), others[0].name_any());
        assert!(orphan.uid().is_some());
    }

    #[tokio::test]
    async fn a_pod_that_stops_matching_is_released() {
        let h = Harness::start().await;
        let controller = ReplicaSetController::<ReplicaSet>::new(&h.context);
        h.start_informers().await;
        let _: ReplicaSet = h.create(replicaset("web", 1, 0)).await;
        controller.sync("default/web").await.unwrap();
        let pod = h.pods("default").await.remove(0);
        let api: Api<Pod> = Api::namespaced(h.client.clone(), "default");
        let relabelled = api
            .patch(
                &pod.name_any(),
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"labels": {"app": "debug"}}})),
            )
            .await
            .unwrap();
        h.cached(&relabelled).await;
        controller.sync("default/web").await.unwrap();
        let released = h.fresh::<Pod>("default", &pod.name_any()).await;
        assert!(pods::controller_ref(&released.metadata).is_none());
        let pods = h.pods("default").await;
        assert_eq!(pods.len(), 2, "a replacement is made for the released pod");
    }
}
