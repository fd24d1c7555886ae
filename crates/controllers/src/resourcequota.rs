//! The resource quota controller: keeps each ResourceQuota's status —
//! `hard` as the spec sets it, `used` counted from what the namespace
//! really holds. Admission charges creates as they happen; this
//! controller gives back what deletions and finished pods release, and
//! corrects what a charged write that then failed left behind: on spec
//! changes, on deletions (and pods turning terminal), and for every quota
//! every five minutes as upstream's `--resource-quota-sync-period`.
//!
//! Pods, Services and claims come from shared informers; other kinds a
//! quota counts (`count/deployments.apps`, `configmaps`) are listed when
//! counted, and watched for deletions by a monitor per kind.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api::quota::{
    Evaluator, ResourceList, add, counted_resource, evaluator_counts, mask, parse_list,
    scopes_match, usage,
};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, Pod, ResourceQuota, ResourceQuotaStatus, Service,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use kube::ResourceExt;
use kube::api::{Api, DynamicObject, ListParams, PartialObjectMeta, PostParams};
use kube::core::discovery::ApiResource;
use kube::runtime::watcher;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, discovery, is_not_found};

/// How often every quota is recounted regardless of events.
const FULL_RESYNC: Duration = Duration::from_secs(300);

struct ResourceQuotaController {
    client: kube::Client,
    quotas: Arc<Informer<ResourceQuota>>,
    pods: Arc<Informer<Pod>>,
    services: Arc<Informer<Service>>,
    claims: Arc<Informer<PersistentVolumeClaim>>,
    queue: Arc<WorkQueue>,
    /// Deletion watches of the other kinds quotas count, by (group, plural).
    monitors: Mutex<HashMap<(String, String), tokio::task::JoinHandle<()>>>,
    /// Namespaced resources as discovery last listed them.
    served: Mutex<Vec<ApiResource>>,
    shutdown: watch::Receiver<bool>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = Arc::new(ResourceQuotaController {
        client: context.client.clone(),
        quotas: context.informers.get(),
        pods: context.informers.get(),
        services: context.informers.get(),
        claims: context.informers.get(),
        queue: context.queue("resourcequota"),
        monitors: Mutex::new(HashMap::new()),
        served: Mutex::new(Vec::new()),
        shutdown: shutdown.clone(),
    });
    {
        let queue = controller.queue.clone();
        controller.quotas.on_change(move |change| match change {
            Change::Added(quota) => queue.add(key_of(quota)),
            // Only spec changes: status writes are this controller's and
            // admission's own, and recounting on each would be a full
            // count per create.
            Change::Updated { old, new } => {
                let hard = |q: &ResourceQuota| q.spec.as_ref().and_then(|s| s.hard.clone());
                let counted = new.status.as_ref().and_then(|s| s.hard.clone());
                if old.spec != new.spec || hard(new) != counted {
                    queue.add(key_of(new));
                }
            }
            Change::Deleted(_) => {}
        });
    }
    {
        let handler = controller.clone();
        controller.pods.on_change(move |change| match change {
            Change::Added(_) => {}
            Change::Deleted(pod) => handler.queue_namespace(&pod.namespace().unwrap_or_default()),
            // A pod that finished gives its compute resources back.
            Change::Updated { old, new } => {
                let terminal = |p: &Pod| {
                    matches!(
                        p.status.as_ref().and_then(|s| s.phase.as_deref()),
                        Some("Succeeded" | "Failed")
                    )
                };
                if terminal(old) != terminal(new)
                    || old.metadata.deletion_timestamp != new.metadata.deletion_timestamp
                {
                    handler.queue_namespace(&new.namespace().unwrap_or_default());
                }
            }
        });
    }
    macro_rules! on_change_or_delete {
        ($informer:ident) => {{
            let handler = controller.clone();
            controller.$informer.on_change(move |change| match change {
                Change::Added(_) => {}
                Change::Updated { new: o, .. } | Change::Deleted(o) => {
                    handler.queue_namespace(&o.namespace().unwrap_or_default())
                }
            });
        }};
    }
    on_change_or_delete!(services);
    on_change_or_delete!(claims);
    let synced = {
        let c = controller.clone();
        async move {
            c.quotas.synced().await;
            c.pods.synced().await;
            c.services.synced().await;
            c.claims.synced().await;
        }
    };
    {
        let controller = controller.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FULL_RESYNC);
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = shutdown.wait_for(|stop| *stop) => return,
                }
                for quota in controller.quotas.store().state() {
                    controller.queue.add(key_of(quota.as_ref()));
                }
            }
        });
    }
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "resourcequota-controller",
        queue,
        2,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move { controller.sync(&key).await }
        },
    )
}

fn to_value<K: Serialize>(object: &K) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}

fn to_list(map: Option<&BTreeMap<String, ApiQuantity>>) -> ResourceList {
    let value = map.map(to_value);
    parse_list(value.as_ref())
}

fn from_list(list: &ResourceList) -> BTreeMap<String, ApiQuantity> {
    list.iter()
        .map(|(name, q)| (name.clone(), ApiQuantity(q.to_string())))
        .collect()
}

impl ResourceQuotaController {
    fn queue_namespace(&self, namespace: &str) {
        for quota in self.quotas.list_namespace(namespace) {
            self.queue.add(key_of(quota.as_ref()));
        }
    }

    async fn sync(self: &Arc<Self>, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(quota) = self.quotas.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let hard = to_list(quota.spec.as_ref().and_then(|s| s.hard.as_ref()));
        let used = self.count(namespace, &quota, &hard).await?;
        let status = quota.status.clone().unwrap_or_default();
        let counted_hard = to_list(status.hard.as_ref());
        let counted_used = to_list(status.used.as_ref());
        if counted_hard == hard
            && counted_hard.keys().eq(hard.keys())
            && counted_used == used
            && counted_used.keys().eq(used.keys())
        {
            return Ok(Outcome::Done);
        }
        let mut updated = quota.as_ref().clone();
        updated.status = Some(ResourceQuotaStatus {
            hard: Some(from_list(&hard)),
            used: Some(from_list(&used)),
        });
        // On the resourceVersion read: admission's charges in between are
        // not overwritten; the conflict brings a recount.
        let api: Api<ResourceQuota> = Api::namespaced(self.client.clone(), namespace);
        match api
            .replace_status(name, &PostParams::default(), &updated)
            .await
        {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }

    /// What the namespace uses of each resource in `hard` that quota knows
    /// how to count (0 for those nothing uses).
    async fn count(
        self: &Arc<Self>,
        namespace: &str,
        quota: &ResourceQuota,
        hard: &ResourceList,
    ) -> Result<ResourceList, Error> {
        let quota_json = to_value(quota);
        let now = chrono::Utc::now();
        let mut used = ResourceList::new();
        let typed: [(Evaluator, &str, Vec<Value>); 3] = [
            (
                Evaluator::Pods,
                "pods",
                self.pods
                    .list_namespace(namespace)
                    .iter()
                    .map(|p| to_value(p.as_ref()))
                    .collect(),
            ),
            (
                Evaluator::Services,
                "services",
                self.services
                    .list_namespace(namespace)
                    .iter()
                    .map(|s| to_value(s.as_ref()))
                    .collect(),
            ),
            (
                Evaluator::PersistentVolumeClaims,
                "persistentvolumeclaims",
                self.claims
                    .list_namespace(namespace)
                    .iter()
                    .map(|c| to_value(c.as_ref()))
                    .collect(),
            ),
        ];
        for (evaluator, plural, objects) in typed {
            let names: Vec<&String> = hard
                .keys()
                .filter(|r| evaluator_counts(evaluator, "", plural, r))
                .collect();
            if names.is_empty() {
                continue;
            }
            for name in &names {
                used.insert((*name).clone(), Default::default());
            }
            for object in objects
                .iter()
                .filter(|o| scopes_match(&quota_json, evaluator, o))
            {
                used = add(
                    &used,
                    &mask(&usage("", plural, object, now), names.iter().copied()),
                );
            }
        }
        // Other kinds: counted by listing, their deletions monitored.
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for name in hard.keys() {
            let Some(resource) = counted_resource(name) else {
                continue;
            };
            if !scopes_match(&quota_json, Evaluator::ObjectCount, &Value::Null) {
                continue;
            }
            let count = match counts.get(&resource) {
                Some(count) => *count,
                None => {
                    let Some(count) = self.count_objects(namespace, &resource).await? else {
                        continue;
                    };
                    counts.insert(resource.clone(), count);
                    count
                }
            };
            used.insert(
                name.clone(),
                api::quantity::Quantity::count(i64::try_from(count).unwrap_or(i64::MAX)),
            );
        }
        Ok(used)
    }

    /// How many objects of (group, plural) the namespace holds; None when
    /// the API serves no such resource (a CRD not installed yet).
    async fn count_objects(
        self: &Arc<Self>,
        namespace: &str,
        (group, plural): &(String, String),
    ) -> Result<Option<usize>, Error> {
        if group.is_empty() && plural == "resourcequotas" {
            return Ok(Some(self.quotas.list_namespace(namespace).len()));
        }
        let Some(resource) = self.resource(group, plural).await? else {
            return Ok(None);
        };
        self.monitor(&resource);
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), namespace, &resource);
        let mut count = 0;
        let mut params = ListParams::default().limit(500);
        loop {
            let page = api.list_metadata(&params).await?;
            count += page.items.len();
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(token) => params = params.continue_token(&token),
                None => break,
            }
        }
        Ok(Some(count))
    }

    /// The namespaced resource (group, plural) at its preferred version,
    /// asking discovery again when it is not known yet.
    async fn resource(&self, group: &str, plural: &str) -> Result<Option<ApiResource>, Error> {
        let find = |served: &[ApiResource]| {
            served
                .iter()
                .find(|r| r.group == group && r.plural == plural)
                .cloned()
        };
        if let Some(found) = self.served.lock().ok().and_then(|s| find(&s)) {
            return Ok(Some(found));
        }
        let served: Vec<ApiResource> = discovery::resources(&self.client)
            .await?
            .into_iter()
            .filter(|s| s.namespaced)
            .map(|s| s.resource)
            .collect();
        let found = find(&served);
        if let Ok(mut cache) = self.served.lock() {
            *cache = served;
        }
        Ok(found)
    }

    /// Watches the kind for deletions (once), recounting the quotas of the
    /// namespace an object left.
    fn monitor(self: &Arc<Self>, resource: &ApiResource) {
        let key = (resource.group.clone(), resource.plural.clone());
        let Ok(mut monitors) = self.monitors.lock() else {
            return;
        };
        if monitors.get(&key).is_some_and(|task| !task.is_finished()) {
            return;
        }
        let api: Api<PartialObjectMeta<DynamicObject>> =
            Api::all_with(self.client.clone(), resource);
        let controller = Arc::downgrade(self);
        let mut shutdown = self.shutdown.clone();
        let task = tokio::spawn(async move {
            let mut events = std::pin::pin!(watcher::watcher(api, watcher::Config::default()));
            loop {
                let event = tokio::select! {
                    event = events.next() => event,
                    _ = shutdown.wait_for(|stop| *stop) => return,
                };
                let Some(controller) = controller.upgrade() else {
                    return;
                };
                match event {
                    Some(Ok(watcher::Event::Delete(object))) => {
                        controller.queue_namespace(&object.namespace().unwrap_or_default());
                    }
                    // A relist may hide deletions: recount everything.
                    Some(Ok(watcher::Event::InitDone)) => {
                        for quota in controller.quotas.store().state() {
                            controller.queue.add(key_of(quota.as_ref()));
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(err)) => {
                        tracing::debug!("resource quota monitor: {err}");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    None => return,
                }
            }
        });
        monitors.insert(key, task);
    }
}
