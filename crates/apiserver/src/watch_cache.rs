//! The watch cache. One store watch of everything under `/registry/` feeds
//! a cache per resource: the resource's current objects (loaded on first
//! use, then kept up to date from the events) and a window of its recent
//! events. Lists with resourceVersion "0", unset or not-older-than, and
//! every watch, are served from it: a thousand watchers of pods cost one
//! store watch, and a consistent list costs one store round trip (the
//! current revision) instead of reading every object.
//!
//! Because the one store watch sees every write, the cache knows how far
//! the whole store has been observed; a consistent read waits until that
//! reaches the store's current revision (as upstream's consistent reads
//! from cache do), and is served by the store if that takes too long.
//!
//! Watchers read their events straight from the window, each event shared
//! (decoded and encoded once, however many watchers take it). The window is
//! bounded in bytes, per resource and for all resources together; a watcher
//! that falls behind its start is ended, and resumes from its last
//! resourceVersion (from the store, when the window no longer covers it).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde_json::Value;
use store::{KeyValue, RangeOptions, Revision, SharedStore, StoreError, WatchEvent, WatchStream};
use tokio::sync::watch;

/// Everything the API server stores lives under this prefix.
const ROOT: &str = "/registry/";
/// Recent events kept per resource, at most.
const WINDOW: usize = 4096;
/// What one resource's window may hold, in `CachedEvent::cost` bytes.
const WINDOW_BYTES: usize = 64 << 20;
/// What all windows together may hold; past it, the largest gives way.
const ALL_WINDOWS_BYTES: usize = 256 << 20;
/// Events a watcher takes from the window at a time.
const READ_BATCH: usize = 64;
/// How long a read waits for the cache to catch up before the store
/// serves it instead.
const CATCH_UP: Duration = Duration::from_secs(3);
/// Objects read per store request while loading a resource.
const LOAD_PAGE: usize = 1000;

/// How fresh a cached read must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Whatever the cache holds (resourceVersion "0").
    Any,
    /// At least this revision (resourceVersion "N", not older than).
    AtLeast(Revision),
    /// The store's current revision at the time of the request (unset).
    Latest,
}

/// A resource's objects under a prefix, as of `revision`, in key order.
pub struct Snapshot {
    pub items: Vec<Arc<KeyValue>>,
    pub revision: Revision,
}

/// Changes as watchers receive them: shared, not copied, between them.
pub type EventStream = Pin<Box<dyn Stream<Item = Result<Arc<CachedEvent>, StoreError>> + Send>>;

/// A store event with what every watcher of it needs, worked out once:
/// the objects decoded (with their resourceVersion) and the object's JSON.
pub struct CachedEvent {
    pub event: WatchEvent,
    object: OnceLock<Option<Value>>,
    previous: OnceLock<Option<Value>>,
    object_json: OnceLock<Option<Bytes>>,
    cost: usize,
}

impl CachedEvent {
    pub fn new(event: WatchEvent) -> CachedEvent {
        let stored = match &event {
            WatchEvent::Put { kv, prev } => {
                kv.key.len() + kv.value.len() + prev.as_ref().map_or(0, |p| p.value.len())
            }
            WatchEvent::Delete { key, prev, .. } => key.len() + prev.value.len(),
        };
        CachedEvent {
            event,
            object: OnceLock::new(),
            previous: OnceLock::new(),
            object_json: OnceLock::new(),
            // Decoded values and the encoded JSON come on top of the stored
            // bytes; counting four times those covers them.
            cost: 4 * stored + 256,
        }
    }

    pub fn revision(&self) -> Revision {
        self.event.revision()
    }

    pub fn key(&self) -> &str {
        self.event.key()
    }

    /// The object the event is about: the new one for a put, the last one
    /// (at the deletion's resourceVersion) for a delete. None when the
    /// stored bytes are not an object.
    pub fn object(&self) -> Option<&Value> {
        self.object
            .get_or_init(|| match &self.event {
                WatchEvent::Put { kv, .. } => decode(kv),
                WatchEvent::Delete { revision, prev, .. } => {
                    let mut object = decode(prev)?;
                    crate::objects::set_resource_version(&mut object, *revision);
                    Some(object)
                }
            })
            .as_ref()
    }

    /// The object a put replaced.
    pub fn previous(&self) -> Option<&Value> {
        self.previous
            .get_or_init(|| match &self.event {
                WatchEvent::Put { prev, .. } => prev.as_ref().and_then(decode),
                WatchEvent::Delete { .. } => None,
            })
            .as_ref()
    }

    /// `object()` as JSON.
    pub fn object_json(&self) -> Option<&Bytes> {
        self.object_json
            .get_or_init(|| {
                self.object()
                    .and_then(|object| serde_json::to_vec(object).ok())
                    .map(Bytes::from)
            })
            .as_ref()
    }
}

fn decode(kv: &KeyValue) -> Option<Value> {
    let mut object: Value = serde_json::from_slice(&kv.value).ok()?;
    crate::objects::set_resource_version(&mut object, kv.mod_revision);
    Some(object)
}

/// The resource prefix a stored key is under: a built-in kind's, or
/// `/registry/<group>/<plural>/` of a custom kind's (its group has a dot).
/// None for keys of no resource (leases of API servers, allocation maps).
fn resource_prefix_of(key: &str) -> Option<String> {
    static BUILTIN: OnceLock<Vec<String>> = OnceLock::new();
    let builtin = BUILTIN.get_or_init(|| {
        api::registry::RESOURCES
            .iter()
            .filter(|r| r.stored && r.stored_as.is_none())
            .map(|r| r.storage_prefix())
            .collect()
    });
    if let Some(prefix) = builtin.iter().find(|p| key.starts_with(p.as_str())) {
        return Some(prefix.clone());
    }
    let mut parts = key.strip_prefix(ROOT)?.splitn(3, '/');
    let (group, plural, rest) = (parts.next()?, parts.next()?, parts.next()?);
    (group.contains('.') && !plural.is_empty() && !rest.is_empty())
        .then(|| format!("{ROOT}{group}/{plural}/"))
}

pub struct WatchCaches {
    store: SharedStore,
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// The revision up to which every store event has been dispatched.
    observed: watch::Sender<Revision>,
}

struct State {
    /// Bumped each time the store watch (re)starts; caches of an earlier
    /// generation are gone.
    generation: u64,
    running: bool,
    observed: Revision,
    /// Per resource storage prefix.
    caches: HashMap<String, Cache>,
    /// What all windows hold, in `CachedEvent::cost` bytes.
    window_bytes: usize,
}

struct Cache {
    feed: Arc<Feed>,
    objects: Objects,
}

/// A resource's recent events, which its watchers read.
struct Feed {
    window: Mutex<Window>,
    /// The revision of the newest event in the window; watchers wait on it.
    pushed: watch::Sender<Revision>,
}

struct Window {
    /// In revision order.
    events: VecDeque<Arc<CachedEvent>>,
    bytes: usize,
    /// Every event from this revision on is in the window or still to come.
    complete_from: Revision,
    /// The store watch behind the window ended: its watchers end.
    closed: bool,
}

impl Window {
    /// Drops the oldest event; what that freed.
    fn pop_oldest(&mut self) -> usize {
        let Some(oldest) = self.events.pop_front() else {
            return 0;
        };
        self.complete_from = oldest.revision() + 1;
        self.bytes -= oldest.cost;
        oldest.cost
    }
}

impl Feed {
    fn new(complete_from: Revision) -> Feed {
        Feed {
            window: Mutex::new(Window {
                events: VecDeque::new(),
                bytes: 0,
                complete_from,
                closed: false,
            }),
            pushed: watch::channel(complete_from - 1).0,
        }
    }

    /// Appends an event, keeping the window within its own bounds (the
    /// newest event always stays); what was freed.
    fn push(&self, event: Arc<CachedEvent>) -> usize {
        let revision = event.revision();
        let mut freed = 0;
        {
            let mut window = lock(&self.window);
            window.bytes += event.cost;
            window.events.push_back(event);
            while window.events.len() > 1
                && (window.events.len() > WINDOW || window.bytes > WINDOW_BYTES)
            {
                freed += window.pop_oldest();
            }
        }
        self.pushed.send_replace(revision);
        freed
    }

    fn bytes(&self) -> usize {
        lock(&self.window).bytes
    }

    fn close(&self) {
        let mut window = lock(&self.window);
        window.closed = true;
        window.events.clear();
        window.bytes = 0;
        drop(window);
        self.pushed.send_modify(|_| {});
    }

    /// The events under `prefix` from revision `from` on, read from the
    /// window as they come.
    fn read(self: Arc<Feed>, prefix: &str, from: Revision) -> EventStream {
        let reader = Reader {
            wake: self.pushed.subscribe(),
            feed: self,
            prefix: prefix.to_string(),
            next: from,
            pending: VecDeque::new(),
        };
        Box::pin(futures::stream::unfold(reader, |mut reader| async move {
            loop {
                if let Some(event) = reader.pending.pop_front() {
                    return Some((Ok(event), reader));
                }
                // Seen before reading, so a push after the read wakes us.
                reader.wake.borrow_and_update();
                if !reader.fill() {
                    return None;
                }
                if reader.pending.is_empty() && reader.wake.changed().await.is_err() {
                    return None;
                }
            }
        }))
    }
}

/// One watcher's place in a feed.
struct Reader {
    feed: Arc<Feed>,
    prefix: String,
    /// The first revision not yet read.
    next: Revision,
    pending: VecDeque<Arc<CachedEvent>>,
    wake: watch::Receiver<Revision>,
}

impl Reader {
    /// Takes the next events from the window; false when the watch is to
    /// end (the window moved past this reader, or closed).
    fn fill(&mut self) -> bool {
        let window = lock(&self.feed.window);
        if window.closed || self.next < window.complete_from {
            return false;
        }
        let start = window.events.partition_point(|e| e.revision() < self.next);
        for event in window.events.range(start..).take(READ_BATCH) {
            self.next = event.revision() + 1;
            if event.key().starts_with(&self.prefix) {
                self.pending.push_back(event.clone());
            }
        }
        true
    }
}

enum Objects {
    /// Not read yet; only the window is kept.
    Unloaded,
    /// Being read from the store; events arriving meanwhile wait here.
    Loading(Vec<Arc<CachedEvent>>),
    /// The current objects, reflecting every event after `since` (the
    /// revision the load read at).
    Loaded {
        by_key: BTreeMap<String, Arc<KeyValue>>,
        since: Revision,
    },
}

impl Objects {
    fn apply(&mut self, event: &Arc<CachedEvent>) {
        match self {
            Objects::Unloaded => {}
            Objects::Loading(pending) => pending.push(event.clone()),
            Objects::Loaded { by_key, since } => apply(by_key, *since, &event.event),
        }
    }
}

fn apply(by_key: &mut BTreeMap<String, Arc<KeyValue>>, since: Revision, event: &WatchEvent) {
    if event.revision() <= since {
        return;
    }
    match event {
        WatchEvent::Put { kv, .. } => {
            by_key.insert(kv.key.clone(), Arc::new(kv.clone()));
        }
        WatchEvent::Delete { key, .. } => {
            by_key.remove(key);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded state is replaced whole or pushed to; a panic elsewhere
    // cannot leave it torn, so a poisoned lock is still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// The resource's cache, created (window empty, objects not loaded)
    /// when it has none.
    fn cache(&mut self, resource_prefix: &str) -> &mut Cache {
        let observed = self.observed;
        self.caches
            .entry(resource_prefix.to_string())
            .or_insert_with(|| Cache {
                feed: Arc::new(Feed::new(observed + 1)),
                objects: Objects::Unloaded,
            })
    }

    /// Drops every cache; their watchers end.
    fn clear(&mut self) {
        for cache in self.caches.values() {
            cache.feed.close();
        }
        self.caches.clear();
        self.window_bytes = 0;
    }

    /// Files a store event under its resource and keeps the windows within
    /// their bounds.
    fn dispatch(&mut self, event: &Arc<CachedEvent>) {
        // Every resource keeps its window from the first event seen, asked
        // for or not: a watch from any revision since is served from it,
        // shared, rather than from a store watch of its own.
        if !self
            .caches
            .keys()
            .any(|prefix| event.key().starts_with(prefix.as_str()))
            && let Some(prefix) = resource_prefix_of(event.key())
        {
            self.cache(&prefix);
        }
        if let Some(cache) = self
            .caches
            .iter_mut()
            .find(|(prefix, _)| event.key().starts_with(prefix.as_str()))
            .map(|(_, cache)| cache)
        {
            cache.objects.apply(event);
            let freed = cache.feed.push(event.clone());
            self.window_bytes = (self.window_bytes + event.cost).saturating_sub(freed);
        }
        while self.window_bytes > ALL_WINDOWS_BYTES {
            let Some(largest) = self.caches.values().max_by_key(|c| c.feed.bytes()) else {
                break;
            };
            let freed = lock(&largest.feed.window).pop_oldest();
            if freed == 0 {
                break;
            }
            self.window_bytes -= freed;
        }
        self.observed = event.revision();
    }

    /// The loaded objects under `prefix` and the revision they reflect.
    fn snapshot(&self, resource_prefix: &str, prefix: &str) -> Option<Snapshot> {
        let Objects::Loaded { by_key, since } = &self.caches.get(resource_prefix)?.objects else {
            return None;
        };
        let items = by_key
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(_, kv)| kv.clone())
            .collect();
        Some(Snapshot {
            items,
            revision: self.observed.max(*since),
        })
    }
}

impl WatchCaches {
    pub fn new(store: SharedStore) -> WatchCaches {
        WatchCaches {
            store,
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    generation: 0,
                    running: false,
                    observed: 0,
                    caches: HashMap::new(),
                    window_bytes: 0,
                }),
                observed: watch::channel(0).0,
            }),
        }
    }

    /// The objects under `prefix` (inside the resource's `resource_prefix`)
    /// as fresh as asked, or None when the cache cannot serve the read in
    /// time (the caller reads the store).
    pub async fn list(
        &self,
        resource_prefix: &str,
        prefix: &str,
        freshness: Freshness,
    ) -> Result<Option<Snapshot>, StoreError> {
        if !self.ready(resource_prefix, freshness).await? {
            return Ok(None);
        }
        Ok(lock(&self.shared.state).snapshot(resource_prefix, prefix))
    }

    /// The current objects under `prefix` and every change after them:
    /// a watch without a resourceVersion. None as for `list`.
    pub async fn list_and_watch(
        &self,
        resource_prefix: &str,
        prefix: &str,
        freshness: Freshness,
    ) -> Result<Option<(Snapshot, EventStream)>, StoreError> {
        if !self.ready(resource_prefix, freshness).await? {
            return Ok(None);
        }
        let (snapshot, feed) = {
            let mut state = lock(&self.shared.state);
            let Some(snapshot) = state.snapshot(resource_prefix, prefix) else {
                return Ok(None);
            };
            // Everything after the snapshot is in the window or to come:
            // the cache existed (loading) before the snapshot's revision.
            (snapshot, state.cache(resource_prefix).feed.clone())
        };
        let from = snapshot.revision + 1;
        Ok(Some((snapshot, feed.read(prefix, from))))
    }

    /// Every change under `prefix` (inside the resource's `resource_prefix`)
    /// from revision `from` on. Served from the cache when it covers `from`,
    /// else straight from the store.
    pub async fn watch(
        &self,
        resource_prefix: &str,
        prefix: &str,
        from: Revision,
    ) -> Result<EventStream, StoreError> {
        self.ensure_running().await?;
        let feed = {
            let mut state = lock(&self.shared.state);
            if state.running {
                let feed = &state.cache(resource_prefix).feed;
                (from >= lock(&feed.window).complete_from).then(|| feed.clone())
            } else {
                None
            }
        };
        match feed {
            Some(feed) => Ok(feed.read(prefix, from)),
            None => {
                let events = self.store.watch(prefix, from).await?;
                Ok(events
                    .map(|event| event.map(|event| Arc::new(CachedEvent::new(event))))
                    .boxed())
            }
        }
    }

    /// What all windows hold, in `CachedEvent::cost` bytes.
    #[cfg(test)]
    fn window_bytes(&self) -> usize {
        lock(&self.shared.state).window_bytes
    }

    /// Makes sure the resource's objects are loaded and the cache has seen
    /// the revision `freshness` asks for. False when that does not happen
    /// in time.
    async fn ready(&self, resource_prefix: &str, freshness: Freshness) -> Result<bool, StoreError> {
        self.ensure_running().await?;
        let wanted = match freshness {
            Freshness::Any => 0,
            Freshness::AtLeast(revision) => revision,
            Freshness::Latest => self.store.current_revision().await?,
        };
        if !self.ensure_loaded(resource_prefix).await? {
            return Ok(false);
        }
        let mut observed = self.shared.observed.subscribe();
        let caught_up = tokio::time::timeout(CATCH_UP, observed.wait_for(|seen| *seen >= wanted));
        Ok(matches!(caught_up.await, Ok(Ok(_))))
    }

    /// Starts the store watch if none runs.
    async fn ensure_running(&self) -> Result<(), StoreError> {
        if lock(&self.shared.state).running {
            return Ok(());
        }
        let head = self.store.current_revision().await?;
        let stream = self.store.watch(ROOT, head + 1).await?;
        let generation = {
            let mut state = lock(&self.shared.state);
            if state.running {
                // Another request started it meanwhile; ours is dropped.
                return Ok(());
            }
            state.running = true;
            state.generation += 1;
            state.observed = head;
            state.clear();
            self.shared.observed.send_replace(head);
            state.generation
        };
        tokio::spawn(pump(self.shared.clone(), generation, stream));
        Ok(())
    }

    /// Loads the resource's objects if nobody has. False when another
    /// request is loading them, or the store watch restarted meanwhile.
    async fn ensure_loaded(&self, resource_prefix: &str) -> Result<bool, StoreError> {
        let generation = {
            let mut state = lock(&self.shared.state);
            if !state.running {
                return Ok(false);
            }
            let generation = state.generation;
            let cache = state.cache(resource_prefix);
            match cache.objects {
                Objects::Loaded { .. } => return Ok(true),
                Objects::Loading(_) => return Ok(false),
                // Claimed: from now on events are kept for the load. Any
                // event not kept is older than the read below.
                Objects::Unloaded => cache.objects = Objects::Loading(Vec::new()),
            }
            generation
        };
        let loaded = self.read_all(resource_prefix).await;
        let mut state = lock(&self.shared.state);
        if state.generation != generation {
            return Ok(false);
        }
        let Some(cache) = state.caches.get_mut(resource_prefix) else {
            return Ok(false);
        };
        let pending = match std::mem::replace(&mut cache.objects, Objects::Unloaded) {
            Objects::Loading(pending) => pending,
            _ => Vec::new(),
        };
        let (kvs, since) = loaded?;
        let mut by_key: BTreeMap<String, Arc<KeyValue>> = kvs
            .into_iter()
            .map(|kv| (kv.key.clone(), Arc::new(kv)))
            .collect();
        for event in &pending {
            apply(&mut by_key, since, &event.event);
        }
        cache.objects = Objects::Loaded { by_key, since };
        Ok(true)
    }

    /// Every object of a resource, read from the store at one revision.
    async fn read_all(
        &self,
        resource_prefix: &str,
    ) -> Result<(Vec<KeyValue>, Revision), StoreError> {
        let mut kvs = Vec::new();
        let mut start = None;
        let mut at = None;
        loop {
            let page = self
                .store
                .range(
                    resource_prefix,
                    RangeOptions {
                        limit: LOAD_PAGE,
                        start: start.clone(),
                        revision: at,
                    },
                )
                .await?;
            at = Some(page.revision);
            start = page.continue_key();
            let more = page.more;
            kvs.extend(page.kvs);
            if !more {
                return Ok((kvs, at.unwrap_or(0)));
            }
        }
    }
}

/// Moves store events into their resource's cache, where watchers read them.
async fn pump(shared: Arc<Shared>, generation: u64, mut stream: WatchStream) {
    while let Some(Ok(event)) = stream.next().await {
        let event = Arc::new(CachedEvent::new(event));
        let revision = event.revision();
        {
            let mut state = lock(&shared.state);
            if state.generation != generation {
                return;
            }
            state.dispatch(&event);
        }
        shared.observed.send_replace(revision);
    }
    // The store watch ended (compaction overtook it, the store closed):
    // the caches go, their watches end (clients resume from their last
    // resourceVersion) and the next request starts afresh.
    let mut state = lock(&shared.state);
    if state.generation == generation {
        state.running = false;
        state.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use store::sqlite::SqliteStore;
    use store::{KeyValue, RangeOptions, RangeResult, Store};

    /// The SQLite store, counting the store watches opened on it.
    struct Counting {
        inner: SqliteStore,
        watches: AtomicUsize,
    }

    #[async_trait]
    impl Store for Counting {
        async fn get(&self, key: &str) -> store::Result<Option<KeyValue>> {
            self.inner.get(key).await
        }
        async fn range(&self, prefix: &str, options: RangeOptions) -> store::Result<RangeResult> {
            self.inner.range(prefix, options).await
        }
        async fn count(&self, prefix: &str) -> store::Result<i64> {
            self.inner.count(prefix).await
        }
        async fn create(&self, key: &str, value: Vec<u8>) -> store::Result<Revision> {
            self.inner.create(key, value).await
        }
        async fn update(
            &self,
            key: &str,
            value: Vec<u8>,
            expected: Revision,
        ) -> store::Result<Revision> {
            self.inner.update(key, value, expected).await
        }
        async fn delete(
            &self,
            key: &str,
            expected: Option<Revision>,
        ) -> store::Result<(Revision, KeyValue)> {
            self.inner.delete(key, expected).await
        }
        async fn watch(&self, prefix: &str, from: Revision) -> store::Result<WatchStream> {
            self.watches.fetch_add(1, Ordering::SeqCst);
            self.inner.watch(prefix, from).await
        }
        async fn current_revision(&self) -> store::Result<Revision> {
            self.inner.current_revision().await
        }
        async fn compact(&self, revision: Revision) -> store::Result<()> {
            self.inner.compact(revision).await
        }
        fn backend(&self) -> &'static str {
            "counting"
        }
    }

    async fn next(stream: &mut EventStream) -> Arc<CachedEvent> {
        tokio::time::timeout(std::time::Duration::from_secs(5), stream.next())
            .await
            .expect("an event in time")
            .expect("the stream goes on")
            .expect("no error")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_watchers_share_one_store_watch() {
        let dir = tempfile::tempdir().unwrap();
        let counting = Arc::new(Counting {
            inner: SqliteStore::open_dir(dir.path()).unwrap(),
            watches: AtomicUsize::new(0),
        });
        let store: SharedStore = counting.clone();
        let caches = WatchCaches::new(store.clone());
        let before = store
            .create("/registry/pods/a/early", b"{}".to_vec())
            .await
            .unwrap();
        let start = before + 1;
        let mut watchers = Vec::new();
        for i in 0..200 {
            let ns = if i % 2 == 0 { "a" } else { "b" };
            let prefix = format!("/registry/pods/{ns}/");
            watchers.push((
                ns,
                caches
                    .watch("/registry/pods/", &prefix, start)
                    .await
                    .unwrap(),
            ));
        }
        assert_eq!(
            counting.watches.load(Ordering::SeqCst),
            1,
            "one store watch for all"
        );

        let ra = store
            .create("/registry/pods/a/p", b"{}".to_vec())
            .await
            .unwrap();
        let rb = store
            .create("/registry/pods/b/p", b"{}".to_vec())
            .await
            .unwrap();
        for (ns, stream) in watchers.iter_mut() {
            let event = next(stream).await;
            assert_eq!(event.revision(), if *ns == "a" { ra } else { rb });
        }

        // Resuming from a recent revision replays from the window.
        let mut resumed = caches
            .watch("/registry/pods/", "/registry/pods/", ra)
            .await
            .unwrap();
        assert_eq!(next(&mut resumed).await.revision(), ra);
        assert_eq!(next(&mut resumed).await.revision(), rb);
        assert_eq!(counting.watches.load(Ordering::SeqCst), 1);

        // From before the cache began: the store serves it, still in order.
        let mut old = caches
            .watch("/registry/pods/", "/registry/pods/", before)
            .await
            .unwrap();
        assert_eq!(next(&mut old).await.revision(), before);
        assert_eq!(next(&mut old).await.revision(), ra);
        assert_eq!(counting.watches.load(Ordering::SeqCst), 2);
    }

    fn keys(snapshot: &Snapshot) -> Vec<&str> {
        snapshot.items.iter().map(|kv| kv.key.as_str()).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lists_are_served_from_memory_and_stay_current() {
        let dir = tempfile::tempdir().unwrap();
        let counting = Arc::new(Counting {
            inner: SqliteStore::open_dir(dir.path()).unwrap(),
            watches: AtomicUsize::new(0),
        });
        let store: SharedStore = counting.clone();
        let caches = WatchCaches::new(store.clone());
        store
            .create("/registry/pods/a/one", b"1".to_vec())
            .await
            .unwrap();
        store
            .create("/registry/pods/b/two", b"2".to_vec())
            .await
            .unwrap();
        store
            .create("/registry/configmaps/a/x", b"x".to_vec())
            .await
            .unwrap();

        let all = caches
            .list("/registry/pods/", "/registry/pods/", Freshness::Latest)
            .await
            .unwrap()
            .expect("served from the cache");
        assert_eq!(keys(&all), ["/registry/pods/a/one", "/registry/pods/b/two"]);
        assert_eq!(all.revision, store.current_revision().await.unwrap());

        // Writes show up in the next consistent read at once, each with
        // its revision; deletes disappear; other resources do not mix in.
        let three = store
            .create("/registry/pods/a/three", b"3".to_vec())
            .await
            .unwrap();
        store.delete("/registry/pods/b/two", None).await.unwrap();
        let head = store
            .create("/registry/configmaps/a/y", b"y".to_vec())
            .await
            .unwrap();
        let now = caches
            .list("/registry/pods/", "/registry/pods/a/", Freshness::Latest)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            keys(&now),
            ["/registry/pods/a/one", "/registry/pods/a/three"]
        );
        assert_eq!(now.items[1].mod_revision, three);
        assert_eq!(now.revision, head, "the cache has seen every write");

        // A watch without a version: the snapshot, then what follows it.
        let (snapshot, mut changes) = caches
            .list_and_watch("/registry/pods/", "/registry/pods/", Freshness::Any)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            keys(&snapshot),
            ["/registry/pods/a/one", "/registry/pods/a/three"]
        );
        let four = store
            .create("/registry/pods/b/four", b"4".to_vec())
            .await
            .unwrap();
        let event = next(&mut changes).await;
        assert_eq!(
            (event.key(), event.revision()),
            ("/registry/pods/b/four", four)
        );

        // Not older than a revision the store has not reached: not served.
        let future = caches
            .list(
                "/registry/pods/",
                "/registry/pods/",
                Freshness::AtLeast(four + 1_000),
            )
            .await
            .unwrap();
        assert!(future.is_none());
        assert_eq!(
            counting.watches.load(Ordering::SeqCst),
            1,
            "one store watch"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn loading_under_concurrent_writes_misses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store: SharedStore = Arc::new(SqliteStore::open_dir(dir.path()).unwrap());
        let caches = Arc::new(WatchCaches::new(store.clone()));
        for i in 0..2_000 {
            store
                .create(&format!("/registry/pods/a/p{i:05}"), b"{}".to_vec())
                .await
                .unwrap();
        }
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..500 {
                    store
                        .delete(&format!("/registry/pods/a/p{i:05}"), None)
                        .await
                        .unwrap();
                    store
                        .create(&format!("/registry/pods/a/q{i:05}"), b"{}".to_vec())
                        .await
                        .unwrap();
                }
            })
        };
        // Loads while the writer runs; whichever revision each read is
        // at, it must match the store's own list at that revision.
        let mut checked = 0;
        while !writer.is_finished() || checked == 0 {
            if let Some(snapshot) = caches
                .list("/registry/pods/", "/registry/pods/", Freshness::Latest)
                .await
                .unwrap()
            {
                let expected = store
                    .range(
                        "/registry/pods/",
                        RangeOptions {
                            limit: 0,
                            start: None,
                            revision: Some(snapshot.revision),
                        },
                    )
                    .await
                    .unwrap();
                let expected: Vec<&str> = expected.kvs.iter().map(|kv| kv.key.as_str()).collect();
                assert_eq!(keys(&snapshot), expected, "at {}", snapshot.revision);
                checked += 1;
            }
        }
        writer.await.unwrap();
        let last = caches
            .list("/registry/pods/", "/registry/pods/", Freshness::Latest)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(last.items.len(), 2_000);
        let replaced = last.items.iter().filter(|kv| kv.key.contains("/q")).count();
        assert_eq!(replaced, 500);
        assert_eq!(last.items[0].key, "/registry/pods/a/p00500");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn windows_hold_bytes_not_counts_and_watchers_share_events() {
        let dir = tempfile::tempdir().unwrap();
        let store: SharedStore = Arc::new(SqliteStore::open_dir(dir.path()).unwrap());
        let caches = WatchCaches::new(store.clone());
        let mut revision = store
            .create("/registry/configmaps/a/big", b"{}".to_vec())
            .await
            .unwrap();
        let first = revision + 1;
        let prefix = "/registry/configmaps/";
        let mut keeping_up = caches.watch(prefix, prefix, first).await.unwrap();
        let mut also_keeping_up = caches
            .watch(prefix, "/registry/configmaps/a/", first)
            .await
            .unwrap();
        let mut never_reads = caches.watch(prefix, prefix, first).await.unwrap();

        // 60 updates of half a MiB: far more than one window's bytes.
        let value = format!("{{\"data\":{{\"k\":\"{}\"}}}}", "x".repeat(512 << 10));
        for _ in 0..60 {
            revision = store
                .update(
                    "/registry/configmaps/a/big",
                    value.clone().into_bytes(),
                    revision,
                )
                .await
                .unwrap();
            let one = next(&mut keeping_up).await;
            let other = next(&mut also_keeping_up).await;
            assert_eq!(one.revision(), revision);
            assert!(Arc::ptr_eq(&one, &other), "one event, shared");
            assert_eq!(
                one.object_json().map(|json| json.as_ptr()),
                other.object_json().map(|json| json.as_ptr()),
                "encoded once"
            );
        }
        let held = caches.window_bytes();
        assert!(held <= WINDOW_BYTES, "window holds {held} bytes");
        assert!(held >= WINDOW_BYTES / 2, "window holds {held} bytes");

        // The watcher that read nothing fell behind the window: it ends
        // (its client resumes from its last resourceVersion).
        let ended = tokio::time::timeout(Duration::from_secs(5), never_reads.next())
            .await
            .expect("ends at once");
        assert!(ended.is_none());

        // Resuming from before the window: the store serves it, in order.
        let mut resumed = caches.watch(prefix, prefix, first).await.unwrap();
        assert_eq!(next(&mut resumed).await.revision(), first);
        assert_eq!(next(&mut resumed).await.revision(), first + 1);
    }

    #[test]
    fn all_windows_together_stay_within_their_budget() {
        let mut state = State {
            generation: 1,
            running: true,
            observed: 0,
            caches: HashMap::new(),
            window_bytes: 0,
        };
        let resources: Vec<String> = (0..6).map(|i| format!("/registry/kind{i}/")).collect();
        for resource in &resources {
            state.cache(resource);
        }
        let mut revision = 0;
        for round in 0..4 {
            for resource in &resources {
                revision += 1;
                let kv = KeyValue {
                    key: format!("{resource}ns/o{round}"),
                    value: vec![b' '; 4 << 20],
                    create_revision: revision,
                    mod_revision: revision,
                };
                state.dispatch(&Arc::new(CachedEvent::new(WatchEvent::Put {
                    kv,
                    prev: None,
                })));
                assert!(state.window_bytes <= ALL_WINDOWS_BYTES);
                let counted: usize = state.caches.values().map(|c| c.feed.bytes()).sum();
                assert_eq!(counted, state.window_bytes);
            }
        }
        // Every resource keeps its newest events; none was emptied.
        for resource in &resources {
            let window = lock(&state.caches[resource].feed.window);
            assert!(!window.events.is_empty(), "{resource}");
            assert_eq!(
                window.events.back().map(|e| e.key().to_string()),
                Some(format!("{resource}ns/o3"))
            );
        }
        assert_eq!(state.observed, revision);
    }

    #[test]
    fn resources_keep_windows_before_anyone_asks() {
        let mut state = State {
            generation: 1,
            running: true,
            observed: 0,
            caches: HashMap::new(),
            window_bytes: 0,
        };
        let keys = [
            "/registry/configmaps/default/a",
            "/registry/services/specs/default/web",
            "/registry/example.com/widgets/default/w",
            "/registry/masterleases/10.0.0.1",
        ];
        for (index, key) in keys.iter().enumerate() {
            let revision = index as i64 + 1;
            let kv = KeyValue {
                key: key.to_string(),
                value: b"{}".to_vec(),
                create_revision: revision,
                mod_revision: revision,
            };
            state.dispatch(&Arc::new(CachedEvent::new(WatchEvent::Put {
                kv,
                prev: None,
            })));
        }
        let mut prefixes: Vec<&str> = state.caches.keys().map(String::as_str).collect();
        prefixes.sort();
        assert_eq!(
            prefixes,
            [
                "/registry/configmaps/",
                "/registry/example.com/widgets/",
                "/registry/services/specs/"
            ],
            "a window for each resource; none for keys of no resource"
        );
        let window = lock(&state.caches["/registry/configmaps/"].feed.window);
        assert_eq!(window.complete_from, 1, "complete from its first event");
        assert_eq!(window.events.len(), 1);
    }
}
