//! State the API server keeps in memory from a few store prefixes (the
//! authorizers' policy and node graph, the custom resource definitions):
//! loaded at one revision before the server answers, then followed by a
//! watch of each prefix, and loaded again whenever a watch cannot go on.

use std::sync::RwLock;
use std::time::Duration;

use futures::StreamExt;
use store::{RangeOptions, SharedStore, WatchEvent};
use tokio::sync::watch;

/// Objects of some prefixes folded into a state.
pub trait Mirror: Send + Sync + 'static {
    type State: Default + Send + Sync;

    /// What is followed, for logs.
    const WHAT: &'static str;

    /// The storage prefixes followed.
    fn prefixes(&self) -> Vec<String>;

    fn state(&self) -> &RwLock<Self::State>;

    /// Puts the object stored at `key` (None: deleted) into `state`.
    fn apply(&self, state: &mut Self::State, key: &str, value: Option<&[u8]>);
}

/// Reads every object of the prefixes at one revision into a fresh state;
/// the revision read at.
pub async fn load<M: Mirror>(mirror: &M, store: &SharedStore) -> Result<i64, String> {
    let revision = store.current_revision().await.map_err(|e| e.to_string())?;
    let mut fresh = M::State::default();
    for prefix in mirror.prefixes() {
        let mut start = None;
        loop {
            let page = store
                .range(
                    &prefix,
                    RangeOptions {
                        limit: 1000,
                        start: start.take(),
                        revision: Some(revision),
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
            for kv in &page.kvs {
                mirror.apply(&mut fresh, &kv.key, Some(&kv.value));
            }
            match page.continue_key() {
                Some(next) if page.more => start = Some(next),
                _ => break,
            }
        }
    }
    if let Ok(mut state) = mirror.state().write() {
        *state = fresh;
    }
    Ok(revision)
}

/// Follows the prefixes after `revision` until `stopping`.
pub async fn follow<M: Mirror>(
    mirror: &M,
    store: SharedStore,
    mut revision: i64,
    mut stopping: watch::Receiver<bool>,
) {
    let prefixes = mirror.prefixes();
    loop {
        let mut streams = Vec::new();
        for prefix in &prefixes {
            match store.watch(prefix, revision + 1).await {
                Ok(stream) => streams.push(stream),
                Err(err) => {
                    tracing::warn!(prefix, error = %err, "{}: cannot watch", M::WHAT)
                }
            }
        }
        if streams.len() == prefixes.len() {
            let mut events = futures::stream::select_all(streams);
            loop {
                tokio::select! {
                    event = events.next() => match event {
                        Some(Ok(event)) => {
                            revision = revision.max(event.revision());
                            let value = match &event {
                                WatchEvent::Put { kv, .. } => Some(kv.value.as_slice()),
                                WatchEvent::Delete { .. } => None,
                            };
                            if let Ok(mut state) = mirror.state().write() {
                                mirror.apply(&mut state, event.key(), value);
                            }
                        }
                        Some(Err(err)) => {
                            tracing::debug!(error = %err, "{}: watch ended", M::WHAT);
                            break;
                        }
                        None => break,
                    },
                    _ = stopping.wait_for(|stop| *stop) => return,
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
        match load(mirror, &store).await {
            Ok(now) => revision = now,
            Err(err) => tracing::warn!(error = %err, "{}: cannot load", M::WHAT),
        }
    }
}
