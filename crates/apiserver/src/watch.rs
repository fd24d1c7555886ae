//! `?watch=true`: a chunked stream of WatchEvents (`{"type": ..., "object":
//! ...}` per line) from a resourceVersion, with selectors applied to both
//! the old and the new object, bookmarks, and a timeout.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use api::ResourceInfo;
use api::selectors::{FieldSelector, LabelSelector};
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};
use store::{RangeOptions, StoreError, WatchEvent};
use tokio::sync::mpsc;

use crate::handlers::ApiState;
use crate::objects::{decode, set_resource_version};
use crate::request::ResourceRequest;
use crate::status::ApiError;
use crate::tables;
use crate::watch_cache::Freshness;

/// Upstream's `--min-request-timeout`: watches end after about this long.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(60);
/// A watcher that takes no event for this long while its buffer is full is
/// closed (it relists or resumes from its last resourceVersion): a client
/// that stops reading must not hold the events piling up behind it.
const SLOW_WATCHER: Duration = Duration::from_secs(10);

/// Hands one event to the watcher's connection; false if the watch is to
/// end (the client went away, or took nothing for `SLOW_WATCHER`).
async fn deliver(
    tx: &mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
    event: bytes::Bytes,
) -> bool {
    matches!(
        tokio::time::timeout(SLOW_WATCHER, tx.send(Ok(event))).await,
        Ok(Ok(()))
    )
}

struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
    name: Option<String>,
}

impl Filter {
    fn matches(&self, object: &Value) -> bool {
        let name_ok = self
            .name
            .as_deref()
            .is_none_or(|n| object.pointer("/metadata/name").and_then(Value::as_str) == Some(n));
        name_ok && self.labels.matches_object(object) && self.fields.matches(object)
    }
}

pub async fn serve(
    state: Arc<ApiState>,
    resource: ResourceRequest,
    query: HashMap<String, String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let info = resource.info;
    let labels = LabelSelector::parse(query.get("labelSelector").map_or("", String::as_str))
        .map_err(|e| ApiError::bad_request(e.0))?;
    let fields = FieldSelector::parse(
        query.get("fieldSelector").map_or("", String::as_str),
        info.selectable_fields,
    )
    .map_err(|e| ApiError::bad_request(e.0))?;
    let filter = Filter {
        labels,
        fields,
        name: resource.name.clone(),
    };
    let prefix = match &resource.namespace {
        Some(ns) if info.namespaced => info.namespace_prefix(ns),
        _ => info.storage_prefix(),
    };
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        // Without one, between one and two minimum timeouts, at random (as
        // upstream), so watchers reconnect spread out, not all at once.
        .unwrap_or_else(|| DEFAULT_TIMEOUT.mul_f64(1.0 + rand::random::<f64>()));
    let bookmarks = query
        .get("allowWatchBookmarks")
        .is_some_and(|b| b == "true");
    let as_table = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("as=Table"));
    let rv = query.get("resourceVersion").cloned().unwrap_or_default();

    let too_old = |e: StoreError| match e {
        StoreError::Compacted {
            requested,
            compacted,
        } => ApiError::gone(format!(
            "too old resource version: {} ({})",
            requested - 1,
            compacted
        )),
        other => ApiError::from_store(other, info, ""),
    };
    let resource_prefix = info.storage_prefix();
    // "" and "0": the current state first, as ADDED events, then changes;
    // from the watch cache when it can serve it, else from the store.
    let mut initial = Vec::new();
    let (from, mut events) = if rv.is_empty() || rv == "0" {
        let freshness = if rv.is_empty() {
            Freshness::Latest
        } else {
            Freshness::Any
        };
        let cached = state
            .watch_cache
            .list_and_watch(&resource_prefix, &prefix, freshness)
            .await
            .map_err(|e| ApiError::from_store(e, info, ""))?;
        let (kvs, revision, events) = match cached {
            Some((snapshot, events)) => (snapshot.items, snapshot.revision, events),
            None => {
                let (kvs, revision) = read_current(&state, info, &prefix).await?;
                let events = state
                    .watch_cache
                    .watch(&resource_prefix, &prefix, revision + 1)
                    .await
                    .map_err(too_old)?;
                (kvs, revision, events)
            }
        };
        for kv in &kvs {
            let object = decode(info, kv)?;
            if filter.matches(&object) {
                initial.push(object);
            }
        }
        (revision + 1, events)
    } else {
        let rv = crate::handlers::parse_resource_version(&rv)?;
        let events = state
            .watch_cache
            .watch(&resource_prefix, &prefix, rv + 1)
            .await
            .map_err(too_old)?;
        (rv + 1, events)
    };

    let (tx, rx) = mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(256);
    let query = query.clone();
    let watcher = state.metrics.watcher(info.group, info.version, info.kind);
    tokio::spawn(async move {
        let _watcher = watcher;
        let mut encoder = Encoder {
            info,
            as_table,
            first: true,
            query,
        };
        for object in initial {
            if !deliver(&tx, encoder.event("ADDED", object)).await {
                return;
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut bookmark = tokio::time::interval(BOOKMARK_INTERVAL);
        bookmark.tick().await;
        let mut last_revision = from - 1;
        loop {
            let item = tokio::select! {
                item = events.next() => item,
                _ = &mut deadline => return,
                _ = bookmark.tick(), if bookmarks => {
                    let mark = json!({"type": "BOOKMARK", "object": {
                        "kind": info.kind, "apiVersion": info.api_version(),
                        "metadata": {"resourceVersion": last_revision.to_string()}}});
                    if !deliver(&tx, line(&mark)).await {
                        return;
                    }
                    continue;
                }
                _ = tx.closed() => return,
            };
            let event = match item {
                Some(Ok(event)) => event,
                Some(Err(StoreError::Compacted {
                    requested,
                    compacted,
                })) => {
                    let status = ApiError::gone(format!(
                        "too old resource version: {} ({compacted})",
                        requested - 1
                    ))
                    .to_status();
                    let _ = tx
                        .send(Ok(line(&json!({"type": "ERROR", "object": status}))))
                        .await;
                    return;
                }
                Some(Err(err)) => {
                    let status = ApiError::internal(err.to_string()).to_status();
                    let _ = tx
                        .send(Ok(line(&json!({"type": "ERROR", "object": status}))))
                        .await;
                    return;
                }
                None => return,
            };
            last_revision = event.revision();
            let Some((kind, object)) = classify(info, &filter, event) else {
                continue;
            };
            if !deliver(&tx, encoder.event(kind, object)).await {
                return;
            }
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        body,
    )
        .into_response())
}

/// The watch event type a store event becomes for this watcher, if any:
/// an object entering the selection is ADDED, one leaving it DELETED.
fn classify(
    info: &ResourceInfo,
    filter: &Filter,
    event: WatchEvent,
) -> Option<(&'static str, Value)> {
    let parse = |kv: &store::KeyValue| decode(info, kv).ok();
    match event {
        WatchEvent::Put { kv, prev } => {
            let new = parse(&kv)?;
            let old = prev.as_ref().and_then(parse);
            let now = filter.matches(&new);
            let before = old.as_ref().is_some_and(|o| filter.matches(o));
            match (before, now) {
                (false, true) => Some(("ADDED", new)),
                (true, true) => Some(("MODIFIED", new)),
                (true, false) => Some(("DELETED", new)),
                (false, false) => None,
            }
        }
        WatchEvent::Delete { revision, prev, .. } => {
            let mut old = parse(&prev)?;
            if !filter.matches(&old) {
                return None;
            }
            set_resource_version(&mut old, revision);
            Some(("DELETED", old))
        }
    }
}

struct Encoder {
    /// The resource as requested: events carry objects in its version.
    info: &'static ResourceInfo,
    as_table: bool,
    first: bool,
    query: HashMap<String, String>,
}

impl Encoder {
    fn event(&mut self, kind: &str, object: Value) -> bytes::Bytes {
        let object = if self.as_table {
            let table =
                tables::watch_row(self.info.storage_info(), &object, self.first, &self.query);
            self.first = false;
            table
        } else {
            api::conversion::from_storage(self.info, object)
        };
        line(&json!({"type": kind, "object": object}))
    }
}

fn line(value: &Value) -> bytes::Bytes {
    let mut text = value.to_string();
    text.push('\n');
    bytes::Bytes::from(text)
}

/// Every object under `prefix`, read from the store at one revision.
async fn read_current(
    state: &ApiState,
    info: &'static ResourceInfo,
    prefix: &str,
) -> Result<(Vec<Arc<store::KeyValue>>, i64), ApiError> {
    let mut kvs = Vec::new();
    let mut start = None;
    let mut at = None;
    loop {
        let page = state
            .store
            .range(
                prefix,
                RangeOptions {
                    limit: 1000,
                    start: start.clone(),
                    revision: at,
                },
            )
            .await
            .map_err(|e| ApiError::from_store(e, info, ""))?;
        at = Some(page.revision);
        start = page.continue_key();
        let more = page.more;
        kvs.extend(page.kvs.into_iter().map(Arc::new));
        if !more {
            return Ok((kvs, at.unwrap_or(0)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_watcher_that_takes_nothing_is_let_go() {
        let (tx, mut rx) = mpsc::channel(1);
        assert!(deliver(&tx, bytes::Bytes::from_static(b"one")).await);
        // Its buffer is full and nobody reads: after SLOW_WATCHER, give up.
        let started = tokio::time::Instant::now();
        assert!(!deliver(&tx, bytes::Bytes::from_static(b"two")).await);
        assert!(started.elapsed() >= SLOW_WATCHER);
        // A reader that keeps up takes everything.
        assert!(rx.recv().await.is_some());
        assert!(deliver(&tx, bytes::Bytes::from_static(b"three")).await);
        drop(rx);
        assert!(!deliver(&tx, bytes::Bytes::from_static(b"four")).await);
    }
}
