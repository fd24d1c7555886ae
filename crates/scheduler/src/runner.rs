//! The running scheduler: watches of nodes and pods feed the cache and the
//! queue; one loop pops pods and schedules them; bindings, events and
//! status updates go to the API server without holding up the loop.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{
    Binding, Namespace, Node, ObjectReference, PersistentVolume, PersistentVolumeClaim, Pod,
    ReplicationController, Service,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use serde_json::json;
use tokio::sync::{Mutex, mpsc, watch};

use crate::cache::{ClusterCache, key_of, node_name_of};
use crate::config::ProfileConfig;
use crate::framework::Profile;
use crate::metrics::Metrics;
use crate::plugins::volume_binding::{SELECTED_NODE, VolumeAction, bindings};
use crate::preemption::{Plan, Preemption, preempt};
use crate::queue::SchedulingQueue;
use crate::schedule_one::{Diagnosis, Outcome, schedule};
use crate::verdicts::{Verdict, Verdicts};

/// How often waiting pods are checked for the end of their backoff.
const FLUSH_PERIOD: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct SchedulerOptions {
    /// The `spec.schedulerName` this scheduler serves.
    pub scheduler_name: String,
    /// Profiles from a configuration file; none: the default profile,
    /// named `scheduler_name`.
    pub profiles: Vec<ProfileConfig>,
    /// Nodes examined per pod, as a percentage; None: upstream's adaptive
    /// default.
    pub percentage_of_nodes_to_score: Option<usize>,
    /// This instance, for events' `reportingInstance`.
    pub instance: String,
    /// Where the scheduler counts what it does (shared with whoever serves
    /// `/metrics`).
    pub metrics: Arc<Metrics>,
    /// Set once the caches are filled and scheduling has begun (`/readyz`).
    pub ready: Arc<AtomicBool>,
    /// The last verdict on each pod (`/debug/pods/NS/NAME`).
    pub verdicts: Arc<Verdicts>,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        SchedulerOptions {
            scheduler_name: "default-scheduler".into(),
            profiles: Vec::new(),
            percentage_of_nodes_to_score: None,
            instance: std::env::var("HOSTNAME")
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "rudder".into()),
            metrics: Arc::new(Metrics::new()),
            ready: Arc::new(AtomicBool::new(false)),
            verdicts: Arc::new(Verdicts::default()),
        }
    }
}

struct Shared {
    client: Client,
    options: SchedulerOptions,
    profiles: Vec<Profile>,
    cache: Mutex<ClusterCache>,
    queue: SchedulingQueue,
    nodes_synced: AtomicBool,
    pods_synced: AtomicBool,
    next_start: AtomicUsize,
    /// Events to publish, by the profile (reporting controller) they are from.
    events: mpsc::UnboundedSender<(String, Event, ObjectReference)>,
}

/// Runs the scheduler until `shutdown` turns true.
pub async fn run(client: Client, options: SchedulerOptions, mut shutdown: watch::Receiver<bool>) {
    let (events, event_queue) = mpsc::unbounded_channel();
    let mut profiles = Vec::new();
    for config in &options.profiles {
        match config.build() {
            Ok(profile) => profiles.push(profile),
            Err(err) => {
                tracing::error!(profile = %config.name(), error = %err, "a profile that does not build is skipped")
            }
        }
    }
    if profiles.is_empty() {
        profiles.push(Profile::default_profile(&options.scheduler_name));
    }
    let shared = Arc::new(Shared {
        profiles,
        client: client.clone(),
        options: options.clone(),
        cache: Mutex::new(ClusterCache::default()),
        queue: SchedulingQueue::default(),
        nodes_synced: AtomicBool::new(false),
        pods_synced: AtomicBool::new(false),
        next_start: AtomicUsize::new(0),
        events,
    });
    let tasks = vec![
        tokio::spawn(watch_nodes(shared.clone())),
        tokio::spawn(watch_pods(shared.clone())),
        tokio::spawn(watch_namespaces(shared.clone())),
        tokio::spawn(watch_budgets(shared.clone())),
        tokio::spawn(watch_volumes(shared.clone())),
        tokio::spawn(watch_owners(shared.clone())),
        tokio::spawn(flush(shared.clone())),
        tokio::spawn(publish_events(
            client,
            options.instance.clone(),
            event_queue,
        )),
    ];
    tokio::select! {
        _ = schedule_loop(shared.clone()) => {}
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
    for task in tasks {
        task.abort();
    }
}

/// A watch of every object of a kind, relisting as needed; errors are
/// logged and the watch goes on (with backoff).
fn events<K>(
    api: Api<K>,
    what: &'static str,
) -> impl futures::Stream<Item = watcher::Event<K>> + Send + Unpin
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    watcher(api, watcher::Config::default())
        .default_backoff()
        .filter_map(move |event| async move {
            match event {
                Ok(event) => Some(event),
                Err(err) => {
                    tracing::warn!(error = %err, "watching {what}");
                    None
                }
            }
        })
        .boxed()
}

async fn watch_nodes(shared: Arc<Shared>) {
    let mut events = events(Api::<Node>::all(shared.client.clone()), "nodes");
    let mut listed = Vec::new();
    while let Some(event) = events.next().await {
        let mut cache = shared.cache.lock().await;
        match event {
            watcher::Event::Init => listed.clear(),
            watcher::Event::InitApply(node) => listed.push(node),
            watcher::Event::InitDone => {
                cache.replace_nodes(std::mem::take(&mut listed));
                shared.nodes_synced.store(true, Ordering::SeqCst);
                shared.queue.with(|q| q.move_all(Instant::now()));
            }
            watcher::Event::Apply(node) => {
                cache.apply_node(node);
                // A new or changed node may take pods that fit nowhere.
                shared.queue.with(|q| q.move_all(Instant::now()));
            }
            watcher::Event::Delete(node) => {
                cache.delete_node(node.metadata.name.as_deref().unwrap_or_default());
            }
        }
        drop(cache);
        shared.queue.wake.notify_one();
    }
}

/// Namespaces' labels, for affinity terms' namespace selectors.
async fn watch_namespaces(shared: Arc<Shared>) {
    let mut events = events(Api::<Namespace>::all(shared.client.clone()), "namespaces");
    while let Some(event) = events.next().await {
        let mut cache = shared.cache.lock().await;
        match event {
            watcher::Event::Apply(ns) | watcher::Event::InitApply(ns) => {
                let name = ns.metadata.name.clone().unwrap_or_default();
                cache.set_namespace(&name, Some(ns.metadata.labels.unwrap_or_default()));
            }
            watcher::Event::Delete(ns) => {
                cache.set_namespace(ns.metadata.name.as_deref().unwrap_or_default(), None);
            }
            watcher::Event::Init | watcher::Event::InitDone => {}
        }
    }
}

/// The profile that schedules `pod`, if it is this scheduler's.
fn profile_for<'a>(shared: &'a Shared, pod: &Pod) -> Option<&'a Profile> {
    let name = pod
        .spec
        .as_ref()
        .and_then(|s| s.scheduler_name.as_deref())
        .unwrap_or("default-scheduler");
    shared.profiles.iter().find(|p| p.scheduler_name == name)
}

/// Claims, volumes and storage classes, for VolumeBinding. A change may
/// make waiting pods schedulable.
async fn watch_volumes(shared: Arc<Shared>) {
    let claims = events(
        Api::<PersistentVolumeClaim>::all(shared.client.clone()),
        "persistentvolumeclaims",
    );
    let volumes = events(
        Api::<PersistentVolume>::all(shared.client.clone()),
        "persistentvolumes",
    );
    let classes = events(
        Api::<StorageClass>::all(shared.client.clone()),
        "storageclasses",
    );
    // Boxed: the three kinds differ much in size.
    enum Change {
        Claim(Box<watcher::Event<PersistentVolumeClaim>>),
        Volume(Box<watcher::Event<PersistentVolume>>),
        Class(Box<watcher::Event<StorageClass>>),
    }
    let mut changes = futures::stream::select(
        futures::stream::select(
            claims.map(|e| Change::Claim(Box::new(e))),
            volumes.map(|e| Change::Volume(Box::new(e))),
        ),
        classes.map(|e| Change::Class(Box::new(e))),
    );
    let claim_key = |c: &PersistentVolumeClaim| {
        format!(
            "{}/{}",
            c.metadata.namespace.as_deref().unwrap_or_default(),
            c.metadata.name.as_deref().unwrap_or_default()
        )
    };
    let name = |m: &ObjectMeta| m.name.clone().unwrap_or_default();
    // A relist replaces what is known once it is complete.
    let (mut listed_claims, mut listed_volumes, mut listed_classes) =
        (Vec::new(), Vec::new(), Vec::new());
    while let Some(change) = changes.next().await {
        let mut cache = shared.cache.lock().await;
        let volumes = cache.volumes_mut();
        match change {
            Change::Claim(event) => match *event {
                watcher::Event::Init => listed_claims.clear(),
                watcher::Event::InitApply(c) => listed_claims.push(c),
                watcher::Event::InitDone => {
                    volumes.claims = listed_claims
                        .drain(..)
                        .map(|c| (claim_key(&c), Arc::new(c)))
                        .collect();
                }
                watcher::Event::Apply(c) => {
                    volumes.claims.insert(claim_key(&c), Arc::new(c));
                }
                watcher::Event::Delete(c) => {
                    volumes.claims.remove(&claim_key(&c));
                }
            },
            Change::Volume(event) => match *event {
                watcher::Event::Init => listed_volumes.clear(),
                watcher::Event::InitApply(v) => listed_volumes.push(v),
                watcher::Event::InitDone => {
                    volumes.volumes = listed_volumes
                        .drain(..)
                        .map(|v| (name(&v.metadata), Arc::new(v)))
                        .collect();
                }
                watcher::Event::Apply(v) => {
                    volumes.volumes.insert(name(&v.metadata), Arc::new(v));
                }
                watcher::Event::Delete(v) => {
                    volumes.volumes.remove(&name(&v.metadata));
                }
            },
            Change::Class(event) => match *event {
                watcher::Event::Init => listed_classes.clear(),
                watcher::Event::InitApply(c) => listed_classes.push(c),
                watcher::Event::InitDone => {
                    volumes.classes = listed_classes
                        .drain(..)
                        .map(|c| (name(&c.metadata), Arc::new(c)))
                        .collect();
                }
                watcher::Event::Apply(c) => {
                    volumes.classes.insert(name(&c.metadata), Arc::new(c));
                }
                watcher::Event::Delete(c) => {
                    volumes.classes.remove(&name(&c.metadata));
                }
            },
        }
        drop(cache);
        shared.queue.with(|q| q.move_all(Instant::now()));
        shared.queue.wake.notify_one();
    }
}

/// What selects pods (Services, ReplicaSets, StatefulSets,
/// ReplicationControllers), for upstream's default spreading.
async fn watch_owners(shared: Arc<Shared>) {
    type Selected = (String, Option<LabelSelector>);
    fn key(kind: &str, meta: &ObjectMeta) -> String {
        format!(
            "{kind}/{}/{}",
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default()
        )
    }
    fn labels(map: Option<BTreeMap<String, String>>) -> Option<LabelSelector> {
        map.filter(|m| !m.is_empty()).map(|m| LabelSelector {
            match_labels: Some(m),
            ..LabelSelector::default()
        })
    }
    enum Change {
        /// One object's selector (None: it is gone).
        Set(Selected),
        /// A relist of one kind: these are all there are.
        Replace(&'static str, Vec<Selected>),
    }
    fn changes<K>(
        kind: &'static str,
        stream: impl futures::Stream<Item = watcher::Event<K>> + Send + 'static,
        select: impl Fn(K) -> Selected + Send + Sync + Copy + 'static,
    ) -> futures::stream::BoxStream<'static, Change>
    where
        K: Send + 'static,
    {
        stream
            .scan(Vec::new(), move |listed, event| {
                let change = match event {
                    watcher::Event::Apply(o) => Some(Change::Set(select(o))),
                    watcher::Event::Delete(o) => Some(Change::Set((select(o).0, None))),
                    watcher::Event::Init => {
                        listed.clear();
                        None
                    }
                    watcher::Event::InitApply(o) => {
                        listed.push(select(o));
                        None
                    }
                    watcher::Event::InitDone => Some(Change::Replace(kind, std::mem::take(listed))),
                };
                futures::future::ready(Some(change))
            })
            .filter_map(futures::future::ready)
            .boxed()
    }
    let client = &shared.client;
    let services = changes(
        "Service",
        events(Api::<Service>::all(client.clone()), "services"),
        |s| {
            (
                key("Service", &s.metadata),
                labels(s.spec.and_then(|s| s.selector)),
            )
        },
    );
    let sets = changes(
        "ReplicaSet",
        events(Api::<ReplicaSet>::all(client.clone()), "replicasets"),
        |r| (key("ReplicaSet", &r.metadata), r.spec.map(|s| s.selector)),
    );
    let stateful = changes(
        "StatefulSet",
        events(Api::<StatefulSet>::all(client.clone()), "statefulsets"),
        |s| (key("StatefulSet", &s.metadata), s.spec.map(|s| s.selector)),
    );
    let controllers = changes(
        "ReplicationController",
        events(
            Api::<ReplicationController>::all(client.clone()),
            "replicationcontrollers",
        ),
        |r| {
            (
                key("ReplicationController", &r.metadata),
                labels(r.spec.and_then(|s| s.selector)),
            )
        },
    );
    let mut all = futures::stream::select_all([services, sets, stateful, controllers]);
    while let Some(change) = all.next().await {
        let mut cache = shared.cache.lock().await;
        match change {
            Change::Set((key, selector)) => cache.set_selector(key, selector),
            Change::Replace(kind, listed) => cache.replace_selectors(kind, listed),
        }
    }
}

/// PodDisruptionBudgets, kept whole (they are few) for preemption.
async fn watch_budgets(shared: Arc<Shared>) {
    let mut events = events(
        Api::<PodDisruptionBudget>::all(shared.client.clone()),
        "pod disruption budgets",
    );
    let mut known: HashMap<String, PodDisruptionBudget> = HashMap::new();
    let mut listed = Vec::new();
    while let Some(event) = events.next().await {
        let key = |b: &PodDisruptionBudget| {
            format!(
                "{}/{}",
                b.metadata.namespace.as_deref().unwrap_or_default(),
                b.metadata.name.as_deref().unwrap_or_default()
            )
        };
        match event {
            watcher::Event::Init => listed.clear(),
            watcher::Event::InitApply(budget) => listed.push(budget),
            watcher::Event::InitDone => {
                known = std::mem::take(&mut listed)
                    .into_iter()
                    .map(|b| (key(&b), b))
                    .collect();
            }
            watcher::Event::Apply(budget) => {
                known.insert(key(&budget), budget);
            }
            watcher::Event::Delete(budget) => {
                known.remove(&key(&budget));
            }
        }
        shared
            .cache
            .lock()
            .await
            .set_budgets(known.values().cloned().collect());
    }
}

fn ours(shared: &Shared, pod: &Pod) -> bool {
    profile_for(shared, pod).is_some()
}

fn priority(pod: &Pod) -> i32 {
    pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)
}

async fn watch_pods(shared: Arc<Shared>) {
    let mut events = events(Api::<Pod>::all(shared.client.clone()), "pods");
    let mut listed = Vec::new();
    while let Some(event) = events.next().await {
        let mut cache = shared.cache.lock().await;
        let now = Instant::now();
        match event {
            watcher::Event::Init => listed.clear(),
            watcher::Event::InitApply(pod) => listed.push(pod),
            watcher::Event::InitDone => {
                let pods = std::mem::take(&mut listed);
                let mine: Vec<String> = pods
                    .iter()
                    .filter(|p| ours(&shared, p))
                    .map(key_of)
                    .collect();
                let pending = cache.replace_pods(pods);
                shared.queue.with(|q| {
                    for (key, priority) in pending {
                        if mine.contains(&key) {
                            q.add(&key, priority, now);
                        }
                    }
                });
                shared.pods_synced.store(true, Ordering::SeqCst);
            }
            watcher::Event::Apply(pod) => {
                let key = key_of(&pod);
                let mine = ours(&shared, &pod);
                let priority = priority(&pod);
                let bound = node_name_of(&pod).is_some();
                let pending = cache.apply_pod(pod);
                shared.queue.with(|q| {
                    if pending && mine {
                        q.add(&key, priority, now);
                    } else if bound || !pending {
                        q.remove(&key);
                    }
                });
            }
            watcher::Event::Delete(pod) => {
                let key = key_of(&pod);
                let freed = node_name_of(&pod).is_some();
                cache.delete_pod(&key);
                shared.options.verdicts.forget(&key);
                shared.queue.with(|q| {
                    q.remove(&key);
                    // A pod leaving a node frees room for others.
                    if freed {
                        q.move_all(now);
                    }
                });
            }
        }
        drop(cache);
        shared.queue.wake.notify_one();
    }
}

async fn flush(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(FLUSH_PERIOD);
    loop {
        tick.tick().await;
        if shared.queue.with(|q| q.flush(Instant::now())) {
            shared.queue.wake.notify_one();
        }
    }
}

async fn publish_events(
    client: Client,
    instance: String,
    mut queue: mpsc::UnboundedReceiver<(String, Event, ObjectReference)>,
) {
    // One recorder per profile: events name the profile as their source.
    let mut recorders: HashMap<String, Recorder> = HashMap::new();
    while let Some((profile, event, reference)) = queue.recv().await {
        let recorder = recorders.entry(profile.clone()).or_insert_with(|| {
            Recorder::new(
                client.clone(),
                Reporter {
                    controller: profile,
                    instance: Some(instance.clone()),
                },
            )
        });
        if let Err(err) = recorder.publish(&event, &reference).await {
            tracing::debug!(error = %err, reason = %event.reason, "publishing an event");
        }
    }
}

async fn schedule_loop(shared: Arc<Shared>) {
    loop {
        let synced =
            shared.nodes_synced.load(Ordering::SeqCst) && shared.pods_synced.load(Ordering::SeqCst);
        if synced {
            shared.options.ready.store(true, Ordering::SeqCst);
        }
        let next = if synced {
            shared.queue.with(|q| {
                let (active, backoff, unschedulable) = q.lengths();
                shared
                    .options
                    .metrics
                    .pending(active, backoff, unschedulable);
                q.pop()
            })
        } else {
            None
        };
        let Some(key) = next else {
            // Woken by the watches and the flush; the timeout is a safety net.
            let _ = tokio::time::timeout(FLUSH_PERIOD, shared.queue.wake.notified()).await;
            continue;
        };
        schedule_pod(&shared, &key).await;
    }
}

async fn schedule_pod(shared: &Arc<Shared>, key: &str) {
    let began = Instant::now();
    let mut cache = shared.cache.lock().await;
    let Some(pod) = cache.pod(key) else {
        shared.queue.with(|q| q.done(key));
        return;
    };
    let profile = profile_for(shared, &pod);
    let Some(profile) = profile
        .filter(|_| node_name_of(&pod).is_none() && pod.metadata.deletion_timestamp.is_none())
    else {
        shared.queue.with(|q| q.done(key));
        return;
    };
    let profile_name = profile.scheduler_name.clone();
    let nodes = cache.snapshot_for(&pod);
    let listers = cache.listers();
    let start = shared.next_start.load(Ordering::Relaxed);
    let (outcome, next_start) = schedule(
        profile,
        &pod,
        &nodes,
        start,
        shared.options.percentage_of_nodes_to_score,
        Some(&listers),
        Some(&shared.options.metrics),
    );
    shared.next_start.store(next_start, Ordering::Relaxed);
    match outcome {
        Outcome::Scheduled(decision) => {
            cache.assume(&pod, &decision.node);
            drop(cache);
            // PreBind (VolumeBinding): what the claims need on this node.
            let volume_actions = nodes
                .iter()
                .find(|n| n.name() == decision.node)
                .map(|n| bindings(&listers.volumes, &pod, n))
                .unwrap_or_default();
            tracing::debug!(pod = key, node = %decision.node, feasible = decision.feasible, evaluated = decision.evaluated, "scheduled");
            let node = decision.node.clone();
            shared
                .options
                .verdicts
                .record(key, Verdict::Scheduled(decision));
            let shared = shared.clone();
            let key = key.to_string();
            tokio::spawn(
                async move { bind(&shared, &key, &pod, &node, volume_actions, began).await },
            );
        }
        Outcome::Unschedulable(mut diagnosis) => {
            let budgets = cache.budgets();
            drop(cache);
            if profile.preemption {
                let plan = preempt(
                    profile,
                    &pod,
                    &nodes,
                    &diagnosis.codes(),
                    &budgets,
                    Some(&listers),
                );
                shared.options.metrics.preemption_attempt();
                match plan {
                    Preemption::Nominate(plan) => nominate(shared, &pod, plan).await,
                    Preemption::NotHelpful(message) => {
                        diagnosis.post_filter = Some(format!("preemption: {message}"));
                    }
                }
            }
            unschedulable(shared, key, &pod, &diagnosis).await;
            attempted(shared, &profile_name, "unschedulable", began);
            shared.options.verdicts.record(
                key,
                Verdict::Unschedulable {
                    message: diagnosis.message(),
                    diagnosis,
                },
            );
        }
        Outcome::Error(message) => {
            drop(cache);
            tracing::warn!(pod = key, %message, "scheduling failed");
            record_failure(shared, &pod, &message, "SchedulerError").await;
            shared.queue.with(|q| q.failed(key, false, Instant::now()));
            attempted(shared, &profile_name, "error", began);
            shared.options.verdicts.record(key, Verdict::Error(message));
        }
    }
}

/// The schedulerName a pod asks for (its profile).
fn profile_name(pod: &Pod) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.scheduler_name.clone())
        .unwrap_or_else(|| "default-scheduler".into())
}

fn attempted(shared: &Shared, profile: &str, result: &str, began: Instant) {
    shared
        .options
        .metrics
        .attempt(profile, result, began.elapsed());
}

async fn unschedulable(shared: &Arc<Shared>, key: &str, pod: &Pod, diagnosis: &Diagnosis) {
    let message = diagnosis.message();
    tracing::debug!(pod = key, %message, "unschedulable");
    record_failure(shared, pod, &message, "Unschedulable").await;
    shared.queue.with(|q| q.failed(key, true, Instant::now()));
}

/// Carries out a preemption: the pod is nominated to the node, and the
/// victims are deleted gracefully (each told why, as upstream does).
async fn nominate(shared: &Arc<Shared>, pod: &Pod, plan: Plan) {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    tracing::info!(pod = %format!("{namespace}/{name}"), node = %plan.node, victims = plan.victims.len(), "preempting");
    shared
        .options
        .metrics
        .preemption_victims(plan.victims.len());
    let pods: Api<Pod> = Api::namespaced(shared.client.clone(), namespace);
    let patch = json!({"status": {"nominatedNodeName": plan.node}});
    if let Err(err) = pods
        .patch_status(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
    {
        tracing::debug!(pod = name, error = %err, "nominating");
    }
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    for victim in &plan.victims {
        let victim_namespace = victim.metadata.namespace.as_deref().unwrap_or("default");
        let victim_name = victim.metadata.name.as_deref().unwrap_or_default();
        let _ = shared.events.send((
            profile_name(pod),
            Event {
                type_: EventType::Normal,
                reason: "Preempted".into(),
                note: Some(format!("Preempted by pod {uid} on node {}", plan.node)),
                action: "Preempting".into(),
                secondary: Some(pod.object_ref(&())),
            },
            victim.object_ref(&()),
        ));
        let victims: Api<Pod> = Api::namespaced(shared.client.clone(), victim_namespace);
        if let Err(err) = victims.delete(victim_name, &Default::default()).await {
            tracing::debug!(victim = victim_name, error = %err, "deleting a preemption victim");
        }
    }
}

/// The FailedScheduling event and the PodScheduled=False condition.
async fn record_failure(shared: &Arc<Shared>, pod: &Pod, message: &str, reason: &str) {
    let _ = shared.events.send((
        profile_name(pod),
        Event {
            type_: EventType::Warning,
            reason: "FailedScheduling".into(),
            note: Some(message.to_string()),
            action: "Scheduling".into(),
            secondary: None,
        },
        pod.object_ref(&()),
    ));
    let current = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"));
    let unchanged = current.is_some_and(|c| {
        c.status == "False"
            && c.reason.as_deref() == Some(reason)
            && c.message.as_deref() == Some(message)
    });
    if unchanged {
        return;
    }
    let now = k8s_openapi::jiff::Timestamp::now().to_string();
    let patch = json!({"status": {"conditions": [{
        "type": "PodScheduled", "status": "False", "reason": reason, "message": message,
        "lastProbeTime": null, "lastTransitionTime": now}]}});
    let pods: Api<Pod> = Api::namespaced(
        shared.client.clone(),
        pod.metadata.namespace.as_deref().unwrap_or("default"),
    );
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    if let Err(err) = pods
        .patch_status(name, &PatchParams::default(), &Patch::Strategic(patch))
        .await
    {
        tracing::debug!(pod = name, error = %err, "updating the PodScheduled condition");
    }
}

/// Writes what the pod's claims need before it is bound: a volume's
/// claimRef (reserving it for the claim, which the volume controller then
/// binds) or the claim's selected node (for its provisioner).
async fn pre_bind(
    shared: &Shared,
    node: &str,
    actions: Vec<VolumeAction>,
) -> Result<(), kube::Error> {
    for action in actions {
        match action {
            VolumeAction::BindVolume {
                volume,
                namespace,
                claim,
            } => {
                let claims: Api<PersistentVolumeClaim> =
                    Api::namespaced(shared.client.clone(), &namespace);
                let uid = claims.get(&claim).await?.metadata.uid;
                let volumes: Api<PersistentVolume> = Api::all(shared.client.clone());
                let patch = json!({
                    "metadata": {"annotations": {"pv.kubernetes.io/bound-by-controller": "yes"}},
                    "spec": {"claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                        "namespace": namespace, "name": claim, "uid": uid}}});
                volumes
                    .patch(&volume, &PatchParams::default(), &Patch::Merge(patch))
                    .await?;
            }
            VolumeAction::Provision { namespace, claim } => {
                let claims: Api<PersistentVolumeClaim> =
                    Api::namespaced(shared.client.clone(), &namespace);
                let patch = json!({"metadata": {"annotations": {SELECTED_NODE: node}}});
                claims
                    .patch(&claim, &PatchParams::default(), &Patch::Merge(patch))
                    .await?;
            }
        }
    }
    Ok(())
}

async fn bind(
    shared: &Arc<Shared>,
    key: &str,
    pod: &Pod,
    node: &str,
    volume_actions: Vec<VolumeAction>,
    began: Instant,
) {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    if let Err(err) = pre_bind(shared, node, volume_actions).await {
        tracing::warn!(pod = key, node, error = %err, "binding volumes");
        shared.cache.lock().await.forget(key);
        record_failure(
            shared,
            pod,
            &format!("running PreBind plugin \"VolumeBinding\": {err}"),
            "SchedulerError",
        )
        .await;
        shared.queue.with(|q| q.failed(key, false, Instant::now()));
        attempted(shared, &profile_name(pod), "error", began);
        shared.queue.wake.notify_one();
        return;
    }
    let binding = Binding {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(namespace.to_string()),
            uid: pod.metadata.uid.clone(),
            ..ObjectMeta::default()
        },
        target: ObjectReference {
            kind: Some("Node".into()),
            name: Some(node.to_string()),
            ..ObjectReference::default()
        },
    };
    let pods: Api<Pod> = Api::namespaced(shared.client.clone(), namespace);
    let result = pods
        .create_subresource::<_, serde_json::Value>(
            "binding",
            name,
            &PostParams::default(),
            &binding,
        )
        .await;
    match result {
        Ok(_) => {
            let attempts = shared.queue.with(|q| {
                let attempts = q.attempts(key) + 1;
                q.done(key);
                attempts
            });
            attempted(shared, &profile_name(pod), "scheduled", began);
            shared.options.metrics.scheduled_after(attempts);
            let _ = shared.events.send((
                profile_name(pod),
                Event {
                    type_: EventType::Normal,
                    reason: "Scheduled".into(),
                    note: Some(format!(
                        "Successfully assigned {namespace}/{name} to {node}"
                    )),
                    action: "Binding".into(),
                    secondary: None,
                },
                pod.object_ref(&()),
            ));
        }
        Err(err) => {
            shared.cache.lock().await.forget(key);
            let conflict = matches!(&err, kube::Error::Api(status) if status.code == 409);
            if conflict {
                // Bound meanwhile (by another scheduler, or our earlier
                // attempt): the watch brings the truth.
                tracing::debug!(pod = key, error = %err, "binding conflict");
                shared.queue.with(|q| q.failed(key, false, Instant::now()));
            } else {
                tracing::warn!(pod = key, node, error = %err, "binding failed");
                record_failure(
                    shared,
                    pod,
                    &format!("Binding rejected: {err}"),
                    "SchedulerError",
                )
                .await;
                shared.queue.with(|q| q.failed(key, false, Instant::now()));
            }
            attempted(shared, &profile_name(pod), "error", began);
        }
    }
    shared.queue.wake.notify_one();
}
