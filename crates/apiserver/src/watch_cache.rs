//! The watch cache: one store watch per resource, fanned out to every
//! client watch of that resource, with a window of recent events so a
//! client resuming from a recent resourceVersion is served from memory.
//! A thousand watchers of pods cost one store watch.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use store::{Revision, SharedStore, StoreError, WatchEvent, WatchStream};
use tokio::sync::{broadcast, mpsc};

/// Recent events kept per resource.
const WINDOW: usize = 4096;
/// Events a slow watcher may fall behind before its watch is ended (it
/// then resumes from its last resourceVersion, usually still in the window).
const FANOUT_BUFFER: usize = 8192;

pub struct WatchCaches {
    store: SharedStore,
    caches: Mutex<HashMap<String, Arc<Cache>>>,
}

struct Cache {
    state: Mutex<CacheState>,
}

struct CacheState {
    /// Recent events, in revision order.
    window: VecDeque<Arc<WatchEvent>>,
    /// Every event from this revision on is in the window or still to come.
    complete_from: Revision,
    /// None while no store watch runs (not started, or it ended).
    sender: Option<broadcast::Sender<Arc<WatchEvent>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded state is replaced whole or pushed to; a panic elsewhere
    // cannot leave it torn, so a poisoned lock is still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl WatchCaches {
    pub fn new(store: SharedStore) -> WatchCaches {
        WatchCaches {
            store,
            caches: Mutex::new(HashMap::new()),
        }
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
        let cache = {
            let mut caches = lock(&self.caches);
            caches
                .entry(resource_prefix.to_string())
                .or_insert_with(|| {
                    Arc::new(Cache {
                        state: Mutex::new(CacheState {
                            window: VecDeque::new(),
                            complete_from: Revision::MAX,
                            sender: None,
                        }),
                    })
                })
                .clone()
        };
        self.ensure_running(&cache, resource_prefix).await?;
        let subscription = {
            let state = lock(&cache.state);
            match &state.sender {
                Some(sender) if from >= state.complete_from => {
                    let replay: Vec<Arc<WatchEvent>> = state
                        .window
                        .iter()
                        .filter(|e| e.revision() >= from)
                        .cloned()
                        .collect();
                    Some((replay, sender.subscribe()))
                }
                _ => None,
            }
        };
        let Some((replay, live)) = subscription else {
            return self.store.watch(prefix, from).await;
        };
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(forward(prefix.to_string(), from, replay, live, tx));
        Ok(Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx)))
    }

    /// Starts the store watch of a resource if none runs.
    async fn ensure_running(
        &self,
        cache: &Arc<Cache>,
        resource_prefix: &str,
    ) -> Result<(), StoreError> {
        if lock(&cache.state).sender.is_some() {
            return Ok(());
        }
        let head = self.store.current_revision().await?;
        let stream = self.store.watch(resource_prefix, head + 1).await?;
        let (sender, _) = broadcast::channel(FANOUT_BUFFER);
        {
            let mut state = lock(&cache.state);
            if state.sender.is_some() {
                // Another request started it meanwhile; ours is dropped.
                return Ok(());
            }
            state.window.clear();
            state.complete_from = head + 1;
            state.sender = Some(sender);
        }
        tokio::spawn(pump(cache.clone(), stream));
        Ok(())
    }
}

/// Moves store events into the window and out to subscribers.
async fn pump(cache: Arc<Cache>, mut stream: WatchStream) {
    while let Some(Ok(event)) = stream.next().await {
        let event = Arc::new(event);
        let mut state = lock(&cache.state);
        state.window.push_back(event.clone());
        if state.window.len() > WINDOW
            && let Some(oldest) = state.window.pop_front()
        {
            state.complete_from = oldest.revision() + 1;
        }
        if let Some(sender) = &state.sender {
            // No subscriber at the moment is fine.
            let _ = sender.send(event);
        }
    }
    // The store watch ended (compaction overtook it, the store closed):
    // subscribers end, and the next watch starts a fresh one.
    let mut state = lock(&cache.state);
    state.sender = None;
    state.window.clear();
    state.complete_from = Revision::MAX;
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
}
