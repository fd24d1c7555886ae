//! A shared informer: one watch of a kind across all namespaces, a local
//! cache of its objects (kube's reflector store), and the handlers of every
//! controller interested in it, called with the object before and after
//! each change. A relist (after a broken watch) is turned into the adds,
//! updates and deletes it amounts to, so no handler misses a change.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tokio::sync::watch;

/// What happened to one object.
pub enum Change<'a, K> {
    Added(&'a K),
    Updated { old: &'a K, new: &'a K },
    Deleted(&'a K),
}

type Handler<K> = Arc<dyn Fn(Change<'_, K>) + Send + Sync>;

/// The bounds of a kind an informer can watch.
pub trait Kind:
    Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
}
impl<K> Kind for K where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static
{
}

pub struct Informer<K: Kind> {
    api: Api<K>,
    store: Store<K>,
    writer: Mutex<Option<reflector::store::Writer<K>>>,
    handlers: Mutex<Vec<Handler<K>>>,
    /// Turns true after the first list. (Not the store's own readiness,
    /// which wakes only one of several waiters.)
    listed: watch::Sender<bool>,
}

impl<K: Kind> Informer<K> {
    pub fn new(api: Api<K>) -> Arc<Informer<K>> {
        let (store, writer) = reflector::store();
        Arc::new(Informer {
            api,
            store,
            writer: Mutex::new(Some(writer)),
            handlers: Mutex::new(Vec::new()),
            listed: watch::channel(false).0,
        })
    }

    /// The cache of every object of the kind.
    pub fn store(&self) -> &Store<K> {
        &self.store
    }

    /// The cached object `namespace/name` (namespace "" for cluster-scoped kinds).
    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<K>> {
        let mut reference = ObjectRef::new(name);
        if !namespace.is_empty() {
            reference = reference.within(namespace);
        }
        self.store.get(&reference)
    }

    /// The cached object of this kind that controls `meta` (its owner
    /// reference with `controller: true`, same name and uid), if any.
    pub fn controller_of(
        &self,
        meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    ) -> Option<Arc<K>> {
        let reference = crate::pods::controller_ref(meta)?;
        if reference.kind != K::kind(&()) {
            return None;
        }
        let owner = self.get(meta.namespace.as_deref().unwrap_or(""), &reference.name)?;
        (owner.meta().uid.as_deref() == Some(reference.uid.as_str())).then_some(owner)
    }

    /// The cached objects of one namespace.
    pub fn list_namespace(&self, namespace: &str) -> Vec<Arc<K>> {
        self.store
            .state_filter(|o| o.meta().namespace.as_deref() == Some(namespace))
    }

    /// Calls `handler` on every change from now on (register before the
    /// informer starts to see the first list too).
    pub fn on_change(&self, handler: impl Fn(Change<'_, K>) + Send + Sync + 'static) {
        lock(&self.handlers).push(Arc::new(handler));
    }

    /// Waits until the first list has been cached.
    pub async fn synced(&self) {
        let mut listed = self.listed.subscribe();
        let _ = listed.wait_for(|listed| *listed).await;
    }

    /// Watches until `shutdown`; retried with backoff when the API server
    /// is away. A second call does nothing.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let Some(mut writer) = lock(&self.writer).take() else {
            return;
        };
        let mut events = watcher(self.api.clone(), watcher::Config::default())
            .default_backoff()
            .boxed();
        let mut relisted: Vec<K> = Vec::new();
        loop {
            let event = tokio::select! {
                event = events.next() => event,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            let Some(event) = event else { return };
            let event = match event {
                Ok(event) => event,
                Err(err) => {
                    tracing::debug!(kind = %K::kind(&()), error = %err, "watch failed; retrying");
                    continue;
                }
            };
            match &event {
                watcher::Event::Apply(object) => {
                    let old = self.store.get(&ObjectRef::from_obj(object));
                    writer.apply_watcher_event(&event);
                    match old {
                        Some(old) => self.dispatch(Change::Updated {
                            old: &old,
                            new: object,
                        }),
                        None => self.dispatch(Change::Added(object)),
                    }
                }
                watcher::Event::Delete(object) => {
                    writer.apply_watcher_event(&event);
                    self.dispatch(Change::Deleted(object));
                }
                watcher::Event::Init => {
                    relisted.clear();
                    writer.apply_watcher_event(&event);
                }
                watcher::Event::InitApply(object) => {
                    relisted.push(object.clone());
                    writer.apply_watcher_event(&event);
                }
                watcher::Event::InitDone => {
                    let mut before: HashMap<ObjectRef<K>, Arc<K>> = self
                        .store
                        .state()
                        .into_iter()
                        .map(|o| (ObjectRef::from_obj(o.as_ref()), o))
                        .collect();
                    writer.apply_watcher_event(&event);
                    for object in std::mem::take(&mut relisted) {
                        match before.remove(&ObjectRef::from_obj(&object)) {
                            // Unchanged objects are passed on too, as a
                            // resync: a level-triggered controller looks again.
                            Some(old) => self.dispatch(Change::Updated {
                                old: &old,
                                new: &object,
                            }),
                            None => self.dispatch(Change::Added(&object)),
                        }
                    }
                    for gone in before.values() {
                        self.dispatch(Change::Deleted(gone));
                    }
                    self.listed.send_replace(true);
                }
            }
        }
    }

    fn dispatch(&self, change: Change<'_, K>) {
        let handlers: Vec<Handler<K>> = lock(&self.handlers).clone();
        for handler in &handlers {
            handler(match &change {
                Change::Added(o) => Change::Added(o),
                Change::Updated { old, new } => Change::Updated { old, new },
                Change::Deleted(o) => Change::Deleted(o),
            });
        }
    }
}

/// `namespace/name`, or `name` for cluster-scoped objects: the key a work
/// queue holds.
pub fn key_of<K: Resource>(object: &K) -> String {
    match object.meta().namespace.as_deref() {
        Some(namespace) if !namespace.is_empty() => format!("{namespace}/{}", object.name_any()),
        _ => object.name_any(),
    }
}

/// Splits a queue key into namespace ("" for cluster-scoped) and name.
pub fn split_key(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("", key))
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Every informer of the controller manager, one per kind, shared by the
/// controllers that need it and started together.
#[derive(Clone)]
pub struct Informers {
    client: kube::Client,
    by_kind: Arc<Mutex<HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>>,
    runners: Arc<Mutex<Vec<Runner>>>,
    all: Arc<Mutex<Vec<Arc<dyn Listed>>>>,
}

/// An informer of any kind, as far as waiting for its first list goes.
trait Listed: Send + Sync {
    fn listed(self: Arc<Self>) -> futures::future::BoxFuture<'static, ()>;
}

impl<K: Kind> Listed for Informer<K> {
    fn listed(self: Arc<Self>) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(async move { self.synced().await })
    }
}

type Runner =
    Box<dyn FnOnce(watch::Receiver<bool>) -> futures::future::BoxFuture<'static, ()> + Send>;

impl Informers {
    pub fn new(client: kube::Client) -> Informers {
        Informers {
            client,
            by_kind: Arc::default(),
            runners: Arc::default(),
            all: Arc::default(),
        }
    }

    /// The informer of kind `K` across all namespaces, made on first use.
    pub fn get<K: Kind>(&self) -> Arc<Informer<K>> {
        let mut by_kind = lock(&self.by_kind);
        let id = std::any::TypeId::of::<K>();
        if let Some(existing) = by_kind.get(&id)
            && let Ok(informer) = existing.clone().downcast::<Informer<K>>()
        {
            return informer;
        }
        let informer = Informer::new(Api::<K>::all(self.client.clone()));
        by_kind.insert(id, informer.clone());
        lock(&self.all).push(informer.clone());
        let running = informer.clone();
        lock(&self.runners).push(Box::new(move |shutdown| Box::pin(running.run(shutdown))));
        informer
    }

    /// Resolves once every informer asked for so far has listed.
    pub fn synced(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let all: Vec<_> = lock(&self.all).iter().map(|i| i.clone().listed()).collect();
        async move {
            futures::future::join_all(all).await;
        }
    }

    /// Starts every informer asked for so far.
    pub fn start(&self, shutdown: &watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
        std::mem::take(&mut *lock(&self.runners))
            .into_iter()
            .map(|run| tokio::spawn(run(shutdown.clone())))
            .collect()
    }
}
