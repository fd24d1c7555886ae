//! The garbage collector: a graph of every object's ownerReferences, fed
//! by a metadata watch of every resource that can be listed, watched and
//! deleted, and two work queues as upstream:
//!
//! - attempt-to-delete: an object whose owners may be gone. Owners are
//!   classified (solid, dangling, waiting for their dependents); an object
//!   with a solid owner only loses its references to the others, one with
//!   none is deleted — in the foreground when an owner waits on it. A
//!   foreground-deleting owner whose blocking dependents are gone loses
//!   its `foregroundDeletion` finalizer. Owners missing from the graph
//!   are looked up live before anything is deleted.
//! - attempt-to-orphan: an owner deleted with propagation Orphan: its
//!   dependents lose their references to it, then it loses its `orphan`
//!   finalizer.
//!
//! Background deletion needs nothing more: the owner is gone, so its
//! dependents' references dangle and they are deleted.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{
    Api, DeleteParams, DynamicObject, Patch, PatchParams, Preconditions, PropagationPolicy,
};
use kube::core::PartialObjectMeta;
use kube::core::discovery::ApiResource;
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;
use tokio::sync::{mpsc, watch};

use crate::discovery::{self, Served};
use crate::informer::lock;
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};

const NAME: &str = "garbage-collector-controller";
const DELETE_WORKERS: usize = 20;
const ORPHAN_WORKERS: usize = 5;
const ORPHAN: &str = "orphan";
const FOREGROUND: &str = "foregroundDeletion";
/// Resources the collector leaves alone, as upstream's default.
const IGNORED: &[(&str, &str)] = &[("", "events"), ("events.k8s.io", "events")];

/// Who an object is.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Identity {
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    uid: String,
}

#[derive(Clone, Debug)]
struct Node {
    identity: Identity,
    owners: Vec<OwnerReference>,
    dependents: HashSet<String>,
    /// Known only as an owner someone names; not (yet) seen by a watch.
    virtual_: bool,
    being_deleted: bool,
    finalizers: Vec<String>,
    /// The resource this object was watched through.
    resource: Option<usize>,
}

impl Node {
    fn deleting_dependents(&self) -> bool {
        self.being_deleted && self.finalizers.iter().any(|f| f == FOREGROUND)
    }
    fn orphaning(&self) -> bool {
        self.being_deleted && self.finalizers.iter().any(|f| f == ORPHAN)
    }
}

#[derive(Default)]
struct Graph {
    nodes: HashMap<String, Node>,
}

struct Collector {
    client: kube::Client,
    /// Every resource watched so far; an index names one for good (a kind
    /// no longer served keeps its place, its watch stopped).
    resources: std::sync::RwLock<Vec<Served>>,
    /// Wakes the discovery resync early: an owner of a kind not watched
    /// yet was named.
    rediscover: tokio::sync::Notify,
    graph: Mutex<Graph>,
    attempt_to_delete: Arc<WorkQueue>,
    attempt_to_orphan: Arc<WorkQueue>,
}

pub fn start(
    context: &Context,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let client = context.client.clone();
    let attempt_to_delete = context.queue("garbage_collector_attempt_to_delete");
    let attempt_to_orphan = context.queue("garbage_collector_attempt_to_orphan");
    tokio::spawn(async move {
        // Discovery first: the API server may still be starting.
        let mut delay = Duration::from_millis(200);
        let resources = loop {
            match discovery::resources(&client).await {
                Ok(resources) => break resources,
                Err(err) => {
                    tracing::debug!(error = %err, "discovery for the garbage collector; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.wait_for(|stop| *stop) => return,
                    }
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        };
        let collector = Arc::new(Collector {
            client,
            resources: std::sync::RwLock::new(collectable(resources)),
            rediscover: tokio::sync::Notify::new(),
            graph: Mutex::default(),
            attempt_to_delete,
            attempt_to_orphan,
        });
        collector.run(shutdown).await;
    })
}

type MetaEvent = watcher::Event<PartialObjectMeta<DynamicObject>>;

/// How often discovery is read again, so kinds that arrive later (custom
/// resources) are watched and those that leave are not, as upstream's
/// `--garbage-collector-sync-period`.
const RESYNC: Duration = Duration::from_secs(30);

/// The resources the collector watches: every one it can list, watch and
/// delete, but those it leaves alone.
fn collectable(resources: Vec<Served>) -> Vec<Served> {
    resources
        .into_iter()
        .filter(|r| r.supports(&["list", "watch", "delete"]))
        .filter(|r| !IGNORED.contains(&(r.resource.group.as_str(), r.resource.plural.as_str())))
        .collect()
}

fn read<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &std::sync::RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn same_resource(a: &Served, b: &Served) -> bool {
    a.resource.api_version == b.resource.api_version && a.resource.plural == b.resource.plural
}

/// Watches one resource's objects' metadata, sending each event with the
/// resource's index.
fn monitor(
    client: kube::Client,
    index: usize,
    served: &Served,
    changes: mpsc::Sender<(usize, MetaEvent)>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let api: Api<PartialObjectMeta<DynamicObject>> = Api::all_with(client, &served.resource);
    tokio::spawn(async move {
        let mut events = watcher(api, watcher::Config::default())
            .default_backoff()
            .boxed();
        loop {
            let event = tokio::select! {
                event = events.next() => event,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            match event {
                Some(Ok(event)) => {
                    if changes.send((index, event)).await.is_err() {
                        return;
                    }
                }
                Some(Err(err)) => {
                    tracing::debug!(error = %err, "a garbage collector watch; retrying")
                }
                None => return,
            }
        }
    })
}

impl Collector {
    async fn run(self: Arc<Self>, shutdown: watch::Receiver<bool>) {
        let (changes, mut incoming) = mpsc::channel::<(usize, MetaEvent)>(1024);
        let monitors = {
            let collector = self.clone();
            let mut shutdown = shutdown.clone();
            tokio::spawn(async move {
                let mut running: HashMap<usize, tokio::task::JoinHandle<()>> = HashMap::new();
                let initial = read(&collector.resources).clone();
                for (index, served) in initial.iter().enumerate() {
                    running.insert(
                        index,
                        monitor(
                            collector.client.clone(),
                            index,
                            served,
                            changes.clone(),
                            shutdown.clone(),
                        ),
                    );
                }
                loop {
                    let asked = tokio::select! {
                        _ = tokio::time::sleep(RESYNC) => false,
                        _ = collector.rediscover.notified() => true,
                        _ = shutdown.wait_for(|stop| *stop) => break,
                    };
                    if asked {
                        // At most once a second, however many ask.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    let Ok(now) = discovery::resources(&collector.client).await else {
                        continue;
                    };
                    let now = collectable(now);
                    let known = read(&collector.resources).clone();
                    // Kinds no longer served: their watches stop.
                    for (index, served) in known.iter().enumerate() {
                        if !now.iter().any(|n| same_resource(n, served))
                            && let Some(handle) = running.remove(&index)
                        {
                            handle.abort();
                        }
                    }
                    // Kinds served now: watched (again, at their old index).
                    for served in now {
                        let index = match known.iter().position(|k| same_resource(k, &served)) {
                            Some(index) => index,
                            None => {
                                let mut resources = write(&collector.resources);
                                resources.push(served.clone());
                                resources.len() - 1
                            }
                        };
                        running.entry(index).or_insert_with(|| {
                            monitor(
                                collector.client.clone(),
                                index,
                                &served,
                                changes.clone(),
                                shutdown.clone(),
                            )
                        });
                    }
                }
                for (_, handle) in running {
                    let _ = handle.await;
                }
            })
        };
        let graph_builder = {
            let collector = self.clone();
            tokio::spawn(async move {
                let mut relisted: HashMap<usize, HashSet<String>> = HashMap::new();
                while let Some((index, event)) = incoming.recv().await {
                    collector.process(index, event, &mut relisted);
                }
            })
        };
        let deleter = {
            let collector = self.clone();
            crate::spawn_workers(
                NAME,
                self.attempt_to_delete.clone(),
                DELETE_WORKERS,
                async {},
                shutdown.clone(),
                move |uid| {
                    let collector = collector.clone();
                    async move { collector.attempt_to_delete(&uid).await }
                },
            )
        };
        let orphaner = {
            let collector = self.clone();
            crate::spawn_workers(
                NAME,
                self.attempt_to_orphan.clone(),
                ORPHAN_WORKERS,
                async {},
                shutdown.clone(),
                move |uid| {
                    let collector = collector.clone();
                    async move { collector.attempt_to_orphan(&uid).await }
                },
            )
        };
        let _ = deleter.await;
        let _ = orphaner.await;
        let _ = monitors.await;
        graph_builder.abort();
    }

    /// Applies one watch event to the graph and queues what it may have
    /// made collectable.
    fn process(
        &self,
        index: usize,
        event: MetaEvent,
        relisted: &mut HashMap<usize, HashSet<String>>,
    ) {
        match event {
            watcher::Event::Apply(object) => self.observe(index, &object),
            watcher::Event::Delete(object) => {
                if let Some(uid) = object.metadata.uid.as_deref() {
                    self.remove(uid);
                }
            }
            watcher::Event::Init => {
                relisted.insert(index, HashSet::new());
            }
            watcher::Event::InitApply(object) => {
                if let Some(uid) = object.metadata.uid.clone() {
                    relisted.entry(index).or_default().insert(uid);
                }
                self.observe(index, &object);
            }
            watcher::Event::InitDone => {
                // What the relist no longer shows was deleted meanwhile.
                let seen = relisted.remove(&index).unwrap_or_default();
                let gone: Vec<String> = lock(&self.graph)
                    .nodes
                    .values()
                    .filter(|n| {
                        n.resource == Some(index) && !n.virtual_ && !seen.contains(&n.identity.uid)
                    })
                    .map(|n| n.identity.uid.clone())
                    .collect();
                for uid in gone {
                    self.remove(&uid);
                }
            }
        }
    }

    fn observe(&self, index: usize, object: &PartialObjectMeta<DynamicObject>) {
        let meta = &object.metadata;
        let Some(uid) = meta.uid.clone() else { return };
        let Some(resource) = read(&self.resources).get(index).map(|s| s.resource.clone()) else {
            return;
        };
        let identity = Identity {
            api_version: resource.api_version.clone(),
            kind: resource.kind.clone(),
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            uid: uid.clone(),
        };
        let owners = meta.owner_references.clone().unwrap_or_default();
        let finalizers = meta.finalizers.clone().unwrap_or_default();
        let being_deleted = meta.deletion_timestamp.is_some();
        let mut to_delete = Vec::new();
        let to_orphan;
        {
            let mut graph = lock(&self.graph);
            let previous = graph.nodes.get(&uid).cloned();
            let was_virtual = previous.as_ref().is_some_and(|p| p.virtual_);
            let old_owners = previous
                .as_ref()
                .map(|p| p.owners.clone())
                .unwrap_or_default();
            let dependents = previous.map(|p| p.dependents).unwrap_or_default();
            let node = Node {
                identity: identity.clone(),
                owners: owners.clone(),
                dependents,
                virtual_: false,
                being_deleted,
                finalizers,
                resource: Some(index),
            };
            let deleting_dependents = node.deleting_dependents();
            to_orphan = node.orphaning();
            if deleting_dependents {
                to_delete.extend(node.dependents.iter().cloned());
                to_delete.push(uid.clone());
            }
            graph.nodes.insert(uid.clone(), node);
            // Links to owners that are new; unlinks from those gone.
            for owner in old_owners
                .iter()
                .filter(|o| !owners.iter().any(|n| n.uid == o.uid))
            {
                if let Some(node) = graph.nodes.get_mut(&owner.uid) {
                    node.dependents.remove(&uid);
                    if node.deleting_dependents() {
                        to_delete.push(owner.uid.clone());
                    }
                }
            }
            for owner in owners
                .iter()
                .filter(|o| !old_owners.iter().any(|n| n.uid == o.uid))
            {
                match graph.nodes.get_mut(&owner.uid) {
                    Some(node) => {
                        node.dependents.insert(uid.clone());
                        if node.being_deleted {
                            to_delete.push(uid.clone());
                        }
                    }
                    None => {
                        let namespace = if self.namespaced(&owner.api_version, &owner.kind) {
                            identity.namespace.clone()
                        } else {
                            String::new()
                        };
                        graph.nodes.insert(
                            owner.uid.clone(),
                            Node {
                                identity: Identity {
                                    api_version: owner.api_version.clone(),
                                    kind: owner.kind.clone(),
                                    namespace,
                                    name: owner.name.clone(),
                                    uid: owner.uid.clone(),
                                },
                                owners: Vec::new(),
                                dependents: HashSet::from([uid.clone()]),
                                virtual_: true,
                                being_deleted: false,
                                finalizers: Vec::new(),
                                resource: None,
                            },
                        );
                        // Is it there at all? Looked up live.
                        to_delete.push(owner.uid.clone());
                    }
                }
            }
            if was_virtual {
                to_delete.extend(graph.nodes[&uid].dependents.iter().cloned());
            }
            // An object whose owner was being deleted when it appeared.
            if !owners.is_empty()
                && owners
                    .iter()
                    .all(|o| graph.nodes.get(&o.uid).is_none_or(|n| n.being_deleted))
            {
                to_delete.push(uid.clone());
            }
        }
        for uid in to_delete {
            self.attempt_to_delete.add(uid);
        }
        if to_orphan {
            self.attempt_to_orphan.add(uid);
        }
    }

    fn remove(&self, uid: &str) {
        let mut to_delete = Vec::new();
        {
            let mut graph = lock(&self.graph);
            let Some(node) = graph.nodes.remove(uid) else {
                return;
            };
            for owner in &node.owners {
                if let Some(owner) = graph.nodes.get_mut(&owner.uid) {
                    owner.dependents.remove(uid);
                    if owner.deleting_dependents() {
                        to_delete.push(owner.identity.uid.clone());
                    }
                }
            }
            // Its dependents' references now dangle.
            to_delete.extend(node.dependents.iter().cloned());
            if !node.dependents.is_empty() {
                // Kept as virtual while dependents still name it, so the
                // dependents find it gone.
                graph.nodes.insert(
                    uid.to_string(),
                    Node {
                        virtual_: true,
                        resource: None,
                        owners: Vec::new(),
                        being_deleted: false,
                        finalizers: Vec::new(),
                        ..node
                    },
                );
            }
        }
        for uid in to_delete {
            self.attempt_to_delete.add(uid);
        }
    }

    fn resource_for(&self, api_version: &str, kind: &str) -> Option<Served> {
        let resources = read(&self.resources);
        resources
            .iter()
            .find(|r| r.resource.api_version == api_version && r.resource.kind == kind)
            .or_else(|| {
                // Another version of the same group and kind.
                let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
                resources
                    .iter()
                    .find(|r| r.resource.group == group && r.resource.kind == kind)
            })
            .cloned()
    }

    fn namespaced(&self, api_version: &str, kind: &str) -> bool {
        self.resource_for(api_version, kind)
            .is_none_or(|r| r.namespaced)
    }

    fn api(&self, identity: &Identity) -> Option<Api<DynamicObject>> {
        let served = self.resource_for(&identity.api_version, &identity.kind)?;
        let resource: &ApiResource = &served.resource;
        Some(if served.namespaced {
            Api::namespaced_with(self.client.clone(), &identity.namespace, resource)
        } else {
            Api::all_with(self.client.clone(), resource)
        })
    }

    /// The owner as it is now: None when it is gone (or replaced by another
    /// object of the same name).
    async fn live(&self, identity: &Identity) -> Result<Option<DynamicObject>, Error> {
        let Some(api) = self.api(identity) else {
            self.rediscover.notify_one();
            return Err(Error::Invalid(format!(
                "no resource serves {} {}",
                identity.api_version, identity.kind
            )));
        };
        let found = api.get_opt(&identity.name).await?;
        Ok(found.filter(|o| o.metadata.uid.as_deref() == Some(identity.uid.as_str())))
    }

    async fn attempt_to_delete(&self, uid: &str) -> Result<Outcome, Error> {
        let Some(node) = lock(&self.graph).nodes.get(uid).cloned() else {
            return Ok(Outcome::Done);
        };
        if node.virtual_ {
            if self.live(&node.identity).await?.is_none() {
                // Gone: whoever names it is collectable.
                let dependents = {
                    let mut graph = lock(&self.graph);
                    graph
                        .nodes
                        .remove(uid)
                        .map(|n| n.dependents)
                        .unwrap_or_default()
                };
                for dependent in dependents {
                    self.attempt_to_delete.add(dependent);
                }
            }
            return Ok(Outcome::Done);
        }
        if node.deleting_dependents() {
            return self.finish_foreground(&node).await;
        }
        if node.being_deleted || node.owners.is_empty() {
            return Ok(Outcome::Done);
        }
        // The graph may lag behind the object: its owners as they are now
        // decide (an orphaned dependent has just lost the reference to an
        // owner that is going away, and must not be collected with it).
        let Some(latest) = self.live(&node.identity).await? else {
            return Ok(Outcome::Done);
        };
        let owners = latest.metadata.owner_references.clone().unwrap_or_default();
        if owners.is_empty() || latest.metadata.deletion_timestamp.is_some() {
            return Ok(Outcome::Done);
        }
        let mut solid = Vec::new();
        let mut dangling = Vec::new();
        let mut waiting = Vec::new();
        for owner in &owners {
            let known = lock(&self.graph).nodes.get(&owner.uid).cloned();
            match known {
                Some(owner_node) if !owner_node.virtual_ => {
                    if owner_node.deleting_dependents() {
                        waiting.push(owner.clone());
                    } else {
                        solid.push(owner.clone());
                    }
                }
                _ => {
                    let identity = Identity {
                        api_version: owner.api_version.clone(),
                        kind: owner.kind.clone(),
                        namespace: if self.namespaced(&owner.api_version, &owner.kind) {
                            node.identity.namespace.clone()
                        } else {
                            String::new()
                        },
                        name: owner.name.clone(),
                        uid: owner.uid.clone(),
                    };
                    match self.live(&identity).await? {
                        None => dangling.push(owner.clone()),
                        Some(live) => {
                            let deleting = live.metadata.deletion_timestamp.is_some()
                                && live
                                    .metadata
                                    .finalizers
                                    .iter()
                                    .flatten()
                                    .any(|f| f == FOREGROUND);
                            if deleting {
                                waiting.push(owner.clone());
                            } else {
                                solid.push(owner.clone());
                            }
                        }
                    }
                }
            }
        }
        if !solid.is_empty() {
            if dangling.is_empty() && waiting.is_empty() {
                return Ok(Outcome::Done);
            }
            // Still owned: only the references that no longer hold go.
            let gone: Vec<&str> = dangling
                .iter()
                .chain(&waiting)
                .map(|o| o.uid.as_str())
                .collect();
            self.remove_owner_references(&node, &gone).await?;
            return Ok(Outcome::Done);
        }
        let policy = if !waiting.is_empty() && !node.dependents.is_empty() {
            // An owner waits on this object: its own blocking dependents
            // must go first.
            PropagationPolicy::Foreground
        } else if node.finalizers.iter().any(|f| f == ORPHAN) {
            PropagationPolicy::Orphan
        } else if node.finalizers.iter().any(|f| f == FOREGROUND) {
            PropagationPolicy::Foreground
        } else {
            PropagationPolicy::Background
        };
        let Some(api) = self.api(&node.identity) else {
            return Ok(Outcome::Done);
        };
        let params = DeleteParams {
            propagation_policy: Some(policy),
            preconditions: Some(Preconditions {
                uid: Some(node.identity.uid.clone()),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        tracing::debug!(
            kind = %node.identity.kind,
            namespace = %node.identity.namespace,
            name = %node.identity.name,
            "deleting an object whose owners are gone"
        );
        match api.delete(&node.identity.name, &params).await {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) || is_precondition_failure(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }

    /// A foreground deletion: once no dependent blocks the owner, its
    /// finalizer goes; until then every dependent is collected.
    async fn finish_foreground(&self, owner: &Node) -> Result<Outcome, Error> {
        let (blocking, all): (Vec<String>, Vec<String>) = {
            let graph = lock(&self.graph);
            let blocking = owner
                .dependents
                .iter()
                .filter(|d| {
                    graph.nodes.get(*d).is_some_and(|n| {
                        !n.virtual_
                            && n.owners.iter().any(|o| {
                                o.uid == owner.identity.uid && o.block_owner_deletion == Some(true)
                            })
                    })
                })
                .cloned()
                .collect();
            (blocking, owner.dependents.iter().cloned().collect())
        };
        if blocking.is_empty() {
            self.remove_finalizer(&owner.identity, FOREGROUND).await?;
            return Ok(Outcome::Done);
        }
        for dependent in all {
            self.attempt_to_delete.add(dependent);
        }
        Ok(Outcome::Done)
    }

    async fn attempt_to_orphan(&self, uid: &str) -> Result<Outcome, Error> {
        let Some(node) = lock(&self.graph).nodes.get(uid).cloned() else {
            return Ok(Outcome::Done);
        };
        if !node.orphaning() {
            return Ok(Outcome::Done);
        }
        let dependents: Vec<Node> = {
            let graph = lock(&self.graph);
            node.dependents
                .iter()
                .filter_map(|d| graph.nodes.get(d).cloned())
                .filter(|d| !d.virtual_)
                .collect()
        };
        for dependent in dependents {
            self.remove_owner_references(&dependent, &[uid]).await?;
        }
        self.remove_finalizer(&node.identity, ORPHAN).await?;
        Ok(Outcome::Done)
    }

    /// Removes the references to `owners` from `node`, by a JSON patch
    /// that tests each reference's uid first (a changed object fails the
    /// patch and is retried from the newer state).
    async fn remove_owner_references(&self, node: &Node, owners: &[&str]) -> Result<(), Error> {
        let Some(api) = self.api(&node.identity) else {
            return Ok(());
        };
        let mut operations = Vec::new();
        for (index, reference) in node.owners.iter().enumerate().rev() {
            if owners.contains(&reference.uid.as_str()) {
                let path = format!("/metadata/ownerReferences/{index}");
                operations.push(
                    json!({"op": "test", "path": format!("{path}/uid"), "value": reference.uid}),
                );
                operations.push(json!({"op": "remove", "path": path}));
            }
        }
        if operations.is_empty() {
            return Ok(());
        }
        let patch: json_patch::Patch = serde_json::from_value(json!(operations))
            .map_err(|e| Error::Invalid(format!("a JSON patch: {e}")))?;
        match api
            .patch(
                &node.identity.name,
                &PatchParams::default(),
                &Patch::<()>::Json(patch),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes `finalizer` from the live object, at its current version.
    async fn remove_finalizer(&self, identity: &Identity, finalizer: &str) -> Result<(), Error> {
        let Some(api) = self.api(identity) else {
            return Ok(());
        };
        let Some(live) = self.live(identity).await? else {
            return Ok(());
        };
        let finalizers: Vec<String> = live
            .metadata
            .finalizers
            .clone()
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f != finalizer)
            .collect();
        let patch = json!({"metadata": {
            "finalizers": finalizers,
            "resourceVersion": live.metadata.resource_version,
        }});
        match api
            .patch(
                &identity.name,
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
}

fn is_precondition_failure(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == 409 && status.message.contains("Precondition failed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    use kube::ResourceExt;

    async fn owner_and_dependents(h: &Harness, owner: &str) -> (ConfigMap, OwnerReference) {
        let created: ConfigMap = h
            .create(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": owner}}))
            .await;
        let reference = OwnerReference {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: owner.into(),
            uid: created.uid().unwrap(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        };
        let _: ConfigMap = h
            .create(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
                "name": format!("{owner}-config"), "ownerReferences": [reference]}}),
            )
            .await;
        let _: Secret = h
            .create(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {
                "name": format!("{owner}-secret"), "ownerReferences": [reference]}}))
            .await;
        (created, reference)
    }

    async fn names<K>(h: &Harness) -> Vec<String>
    where
        K: crate::informer::Kind<Scope = k8s_openapi::NamespaceResourceScope>,
    {
        h.list::<K>("default")
            .await
            .iter()
            .map(|o| o.name_any())
            .filter(|n| n != "kube-root-ca.crt")
            .collect()
    }

    async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
        for _ in 0..200 {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what} did not happen within 10 s");
    }

    #[tokio::test]
    async fn dependents_follow_their_owner_as_the_propagation_policy_says() {
        let h = Harness::start().await;
        let _collector = start(&h.context, h.shutdown());
        // The fixtures are written through informers of their own kinds.
        h.context.informers.get::<ConfigMap>();
        h.context.informers.get::<Secret>();
        h.start_informers().await;
        let configs: Api<ConfigMap> = Api::namespaced(h.client.clone(), "default");
        let secrets: Api<Secret> = Api::namespaced(h.client.clone(), "default");

        // Background: the owner goes at once, its dependents after.
        owner_and_dependents(&h, "bg").await;
        configs
            .delete("bg", &DeleteParams::background())
            .await
            .unwrap();
        until("background collection", async || {
            names::<ConfigMap>(&h).await.is_empty() && names::<Secret>(&h).await.is_empty()
        })
        .await;

        // Foreground: the owner stays, marked, until its blocking
        // dependents are gone.
        owner_and_dependents(&h, "fg").await;
        configs
            .delete("fg", &DeleteParams::foreground())
            .await
            .unwrap();
        let marked = configs.get("fg").await.unwrap();
        assert!(marked.finalizers().iter().any(|f| f == FOREGROUND));
        until("foreground collection", async || {
            names::<ConfigMap>(&h).await.is_empty() && names::<Secret>(&h).await.is_empty()
        })
        .await;

        // Orphan: the dependents stay without the reference.
        owner_and_dependents(&h, "or").await;
        configs.delete("or", &DeleteParams::orphan()).await.unwrap();
        until("orphaning", async || {
            names::<ConfigMap>(&h).await == ["or-config"]
        })
        .await;
        let kept = configs.get("or-config").await.unwrap();
        assert!(kept.owner_references().is_empty());
        let kept = secrets.get("or-secret").await.unwrap();
        assert!(kept.owner_references().is_empty());
    }

    #[tokio::test]
    async fn an_object_whose_owner_never_existed_is_collected() {
        let h = Harness::start().await;
        let _collector = start(&h.context, h.shutdown());
        // The fixtures are written through informers of their own kinds.
        h.context.informers.get::<ConfigMap>();
        h.context.informers.get::<Secret>();
        h.start_informers().await;
        let dangling = OwnerReference {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "gone".into(),
            uid: "00000000-0000-0000-0000-000000000001".into(),
            controller: None,
            block_owner_deletion: None,
        };
        // Written straight through the API: the collector may delete it
        // before an informer of the test's would have seen it.
        let secrets: Api<Secret> = Api::namespaced(h.client.clone(), "default");
        let secret: Secret = serde_json::from_value(json!({"metadata": {
            "name": "left-behind", "ownerReferences": [dangling]}}))
        .unwrap();
        secrets.create(&Default::default(), &secret).await.unwrap();
        until("collection of the dangling dependent", async || {
            names::<Secret>(&h).await.is_empty()
        })
        .await;
    }
}
