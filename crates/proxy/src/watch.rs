//! The caches both the proxy and the DNS keep: a reflector per kind whose
//! every event calls `on_change`.

use futures::StreamExt;
use kube::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};

/// Watches `api` (objects matching `labels`; empty: all) into a cache;
/// the task ends when aborted.
pub fn reflect<K>(
    api: Api<K>,
    labels: &str,
    on_change: impl Fn() + Send + 'static,
) -> (Store<K>, tokio::task::JoinHandle<()>)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static,
{
    let (reader, writer) = reflector::store();
    let mut config = watcher::Config::default();
    if !labels.is_empty() {
        config = config.labels(labels);
    }
    let stream = watcher(api, config)
        .default_backoff()
        .reflect(writer)
        .touched_objects();
    let task = tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(item) = stream.next().await {
            if let Err(err) = item {
                tracing::debug!("watch: {err}");
            }
            on_change();
        }
    });
    (reader, task)
}
