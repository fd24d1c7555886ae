//! Events expire, as upstream's `--event-ttl` (1h) makes them: an Event not
//! written again for that long is deleted, so recording events cannot grow
//! the store without end. (Upstream gives each Event an etcd lease; here a
//! sweep every minute removes the ones whose last write is older.)

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use store::{RangeOptions, SharedStore};
use tokio::sync::watch;

/// Where core/v1 Events (and events.k8s.io ones, stored as them) live.
const PREFIX: &str = "/registry/events/";
/// How often expired Events are looked for.
const SWEEP: Duration = Duration::from_secs(60);
/// Events read per store request.
const PAGE: usize = 500;

/// The last time an Event was written: the latest of its timestamps.
fn last_written(event: &Value) -> Option<DateTime<Utc>> {
    [
        "/lastTimestamp",
        "/eventTime",
        "/series/lastObservedTime",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .filter_map(|pointer| event.pointer(pointer).and_then(Value::as_str))
    .filter_map(|text| DateTime::parse_from_rfc3339(text).ok())
    .map(|time| time.with_timezone(&Utc))
    .max()
}

/// Deletes the Events last written before `now - ttl`; returns how many.
pub async fn sweep(store: &SharedStore, ttl: Duration, now: DateTime<Utc>) -> usize {
    let Ok(ttl) = chrono::Duration::from_std(ttl) else {
        return 0;
    };
    let cutoff = now - ttl;
    let mut deleted = 0;
    let mut start = None;
    loop {
        let options = RangeOptions {
            limit: PAGE,
            start: start.take(),
            revision: None,
        };
        let Ok(page) = store.range(PREFIX, options).await else {
            return deleted;
        };
        for kv in &page.kvs {
            let expired = serde_json::from_slice::<Value>(&kv.value)
                .ok()
                .and_then(|event| last_written(&event))
                .is_some_and(|written| written < cutoff);
            // Only the version judged: one written again meanwhile stays.
            if expired && store.delete(&kv.key, Some(kv.mod_revision)).await.is_ok() {
                deleted += 1;
            }
        }
        match (page.more, page.kvs.last()) {
            (true, Some(last)) => start = Some(format!("{}\0", last.key)),
            _ => return deleted,
        }
    }
}

/// Sweeps every minute until `stopping`.
pub async fn run(store: SharedStore, ttl: Duration, mut stopping: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(SWEEP) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
        let deleted = sweep(&store, ttl, Utc::now()).await;
        if deleted > 0 {
            tracing::debug!(deleted, "expired events removed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn events_last_written_before_the_ttl_go() {
        let dir = tempfile::tempdir().unwrap();
        let store: SharedStore =
            Arc::new(store::sqlite::SqliteStore::open_dir(dir.path()).unwrap());
        let event = |name: &str, created: &str, last: Option<&str>| {
            let mut event = serde_json::json!({"metadata": {"name": name, "namespace": "default",
                "creationTimestamp": created}});
            if let Some(last) = last {
                event["lastTimestamp"] = last.into();
            }
            event.to_string().into_bytes()
        };
        for (name, created, last) in [
            ("old", "2026-01-01T00:00:00Z", None),
            (
                "old-but-repeated",
                "2026-01-01T00:00:00Z",
                Some("2026-01-01T11:30:00Z"),
            ),
            ("fresh", "2026-01-01T11:59:00Z", None),
        ] {
            store
                .create(
                    &format!("{PREFIX}default/{name}"),
                    event(name, created, last),
                )
                .await
                .unwrap();
        }
        store
            .create(
                "/registry/configmaps/default/old",
                event("old", "2026-01-01T00:00:00Z", None),
            )
            .await
            .unwrap();
        let now = DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(sweep(&store, Duration::from_secs(3600), now).await, 1);
        let left: Vec<String> = store
            .range("/registry/", RangeOptions::default())
            .await
            .unwrap()
            .kvs
            .into_iter()
            .map(|kv| kv.key)
            .collect();
        assert_eq!(
            left,
            [
                "/registry/configmaps/default/old",
                "/registry/events/default/fresh",
                "/registry/events/default/old-but-repeated",
            ]
        );
    }
}
