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

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use store::{KeyValue, RangeOptions, Revision, SharedStore, StoreError, WatchEvent, WatchStream};
use tokio::sync::{broadcast, mpsc, watch};

/// Everything the API server stores lives under this prefix.
const ROOT: &str = "/registry/";
/// Recent events kept per resource.
const WINDOW: usize = 4096;
/// Events a slow watcher may fall behind before its watch is ended (it
/// then resumes from its last resourceVersion, usually still in the window).
const FANOUT_BUFFER: usize = 8192;
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
}

struct Cache {
    /// Recent events, in revision order.
    window: VecDeque<Arc<WatchEvent>>,
    /// Every event from this revision on is in the window or still to come.
    complete_from: Revision,
    sender: broadcast::Sender<Arc<WatchEvent>>,
    objects: Objects,
}

enum Objects {
    /// Not read yet; only the window is kept.
    Unloaded,
    /// Being read from the store; events arriving meanwhile wait here.
    Loading(Vec<Arc<WatchEvent>>),
    /// The current objects, reflecting every event after `since` (the
    /// revision the load read at).
    Loaded {
        by_key: BTreeMap<String, Arc<KeyValue>>,
        since: Revision,
    },
}

impl Objects {
    fn apply(&mut self, event: &Arc<WatchEvent>) {
        match self {
            Objects::Unloaded => {}
            Objects::Loading(pending) => pending.push(event.clone()),
            Objects::Loaded { by_key, since } => apply(by_key, *since, event),
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
                window: VecDeque::new(),
                complete_from: observed + 1,
                sender: broadcast::channel(FANOUT_BUFFER).0,
                objects: Objects::Unloaded,
            })
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
    ) -> Result<Option<(Snapshot, WatchStream)>, StoreError> {
        if !self.ready(resource_prefix, freshness).await? {
            return Ok(None);
        }
        let (snapshot, replay, live) = {
            let mut state = lock(&self.shared.state);
            let Some(snapshot) = state.snapshot(resource_prefix, prefix) else {
                return Ok(None);
            };
            let cache = state.cache(resource_prefix);
            // Everything after the snapshot is in the window or to come:
            // the cache existed (loading) before the snapshot's revision.
            let replay = replay_from(cache, snapshot.revision + 1);
            (snapshot, replay, cache.sender.subscribe())
        };
        let from = snapshot.revision + 1;
        Ok(Some((snapshot, spawn_forward(prefix, from, replay, live))))
    }

    /// Every change under `prefix` (inside the resource's `resource_prefix`)
    /// from revision `from` on. Served from the cache when it covers `from`,
    /// else straight from the store.
    pub async fn watch(
        &self,
        resource_prefix: &str,
        prefix: &str,
        from: Revision,
    ) -> Result<WatchStream, StoreError> {
        self.ensure_running().await?;
        let subscription = {
            let mut state = lock(&self.shared.state);
            if state.running {
                let cache = state.cache(resource_prefix);
                (from >= cache.complete_from)
                    .then(|| (replay_from(cache, from), cache.sender.subscribe()))
            } else {
                None
            }
        };
        match subscription {
            Some((replay, live)) => Ok(spawn_forward(prefix, from, replay, live)),
            None => self.store.watch(prefix, from).await,
        }
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
            state.caches.clear();
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
            apply(&mut by_key, since, event);
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

/// The window's events from revision `from` on.
fn replay_from(cache: &Cache, from: Revision) -> Vec<Arc<WatchEvent>> {
    cache
        .window
        .iter()
        .filter(|e| e.revision() >= from)
        .cloned()
        .collect()
}

fn spawn_forward(
    prefix: &str,
    from: Revision,
    replay: Vec<Arc<WatchEvent>>,
    live: broadcast::Receiver<Arc<WatchEvent>>,
) -> WatchStream {
    let (tx, rx) = mpsc::channel(1024);
    tokio::spawn(forward(prefix.to_string(), from, replay, live, tx));
    Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx))
}

/// Moves store events into their resource's cache and out to subscribers.
async fn pump(shared: Arc<Shared>, generation: u64, mut stream: WatchStream) {
    while let Some(Ok(event)) = stream.next().await {
        let event = Arc::new(event);
        let revision = event.revision();
        {
            let mut state = lock(&shared.state);
            if state.generation != generation {
                return;
            }
            if let Some(cache) = state
                .caches
                .iter_mut()
                .find(|(prefix, _)| event.key().starts_with(prefix.as_str()))
                .map(|(_, cache)| cache)
            {
                cache.window.push_back(event.clone());
                if cache.window.len() > WINDOW
                    && let Some(oldest) = cache.window.pop_front()
                {
                    cache.complete_from = oldest.revision() + 1;
                }
                cache.objects.apply(&event);
                // No subscriber at the moment is fine.
                let _ = cache.sender.send(event);
            }
            state.observed = revision;
        }
        shared.observed.send_replace(revision);
    }
    // The store watch ended (compaction overtook it, the store closed):
    // the caches go, their watches end (clients resume from their last
    // resourceVersion) and the next request starts afresh.
    let mut state = lock(&shared.state);
    if state.generation == generation {
        state.running = false;
        state.caches.clear();
    }
}

async fn forward(
    prefix: String,
    from: Revision,
    replay: Vec<Arc<WatchEvent>>,
    mut live: broadcast::Receiver<Arc<WatchEvent>>,
    tx: mpsc::Sender<Result<WatchEvent, StoreError>>,
) {
    let mut next = from;
    for event in replay {
        next = event.revision() + 1;
        if event.key().starts_with(&prefix) && tx.send(Ok((*event).clone())).await.is_err() {
            return;
        }
    }
    loop {
        let received = tokio::select! {
            received = live.recv() => received,
            _ = tx.closed() => return,
        };
        match received {
            Ok(event) => {
                if event.revision() < next {
                    continue;
                }
                next = event.revision() + 1;
                if event.key().starts_with(&prefix) && tx.send(Ok((*event).clone())).await.is_err()
                {
                    return;
                }
            }
            // Too slow, or the cache's store watch ended: end this watch;
            // the client resumes from its last resourceVersion.
            Err(_) => return,
        }
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

    async fn next(stream: &mut WatchStream) -> WatchEvent {
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
}
