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
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};
use store::{RangeOptions, StoreError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::error::ApiError;
use crate::handlers::ApiState;
use crate::objects::decode;
use crate::request::ResourceRequest;
use crate::tables;
use crate::watch_cache::{CachedEvent, Freshness};

/// Upstream's `--min-request-timeout`: watches end after about this long.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(60);
/// A watcher that takes no event for this long while its buffer is full is
/// closed (it relists or resumes from its last resourceVersion): a client
/// that stops reading must not hold the events piling up behind it.
const SLOW_WATCHER: Duration = Duration::from_secs(10);

/// Bytes of encoded events queued for one watcher's connection, at most
/// (an event larger than this still goes, alone).
const WATCHER_BUFFER: usize = 1 << 20;
/// Objects larger than this are sent as their own chunk rather than copied
/// into the event's line.
const SHARED_CHUNK: usize = 16 << 10;

/// Encoded events on their way to one watcher's connection; what is
/// queued is bounded in bytes.
struct Outbox {
    tx: mpsc::Sender<Chunk>,
    budget: Arc<Semaphore>,
}

struct Chunk {
    bytes: Bytes,
    /// Its share of the watcher's buffer, given back when the connection
    /// takes the chunk.
    _queued: OwnedSemaphorePermit,
}

impl Outbox {
    fn new() -> (Outbox, mpsc::Receiver<Chunk>) {
        let (tx, rx) = mpsc::channel(256);
        let budget = Arc::new(Semaphore::new(WATCHER_BUFFER));
        (Outbox { tx, budget }, rx)
    }

    /// Hands one event to the watcher's connection; false if the watch is
    /// to end (the client went away, or took nothing for `SLOW_WATCHER`).
    async fn deliver(&self, chunks: Vec<Bytes>) -> bool {
        let send = async {
            for bytes in chunks {
                let size = bytes.len().min(WATCHER_BUFFER) as u32;
                let queued = self.budget.clone().acquire_many_owned(size).await.ok()?;
                self.tx
                    .send(Chunk {
                        bytes,
                        _queued: queued,
                    })
                    .await
                    .ok()?;
            }
            Some(())
        };
        matches!(tokio::time::timeout(SLOW_WATCHER, send).await, Ok(Some(())))
    }
}

/// Watches open per user, against `--max-watches-per-user`.
pub struct WatchCounts {
    limit: usize,
    open: std::sync::Mutex<HashMap<String, usize>>,
}

/// One open watch, counted until dropped.
pub struct CountedWatch {
    state: Arc<ApiState>,
    user: String,
}

impl WatchCounts {
    pub fn new(limit: usize) -> WatchCounts {
        WatchCounts {
            limit: limit.max(1),
            open: std::sync::Mutex::new(HashMap::new()),
        }
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Counts a new watch of `user`; a 429 when they hold the most they may.
fn count_watch(state: &Arc<ApiState>, user: &str) -> Result<CountedWatch, ApiError> {
    let mut open = state.watches.open();
    let held = open.entry(user.to_string()).or_insert(0);
    if *held >= state.watches.limit {
        return Err(ApiError::too_many_requests());
    }
    *held += 1;
    Ok(CountedWatch {
        state: state.clone(),
        user: user.to_string(),
    })
}

impl Drop for CountedWatch {
    fn drop(&mut self) {
        let mut open = self.state.watches.open();
        if let Some(held) = open.get_mut(&self.user) {
            *held -= 1;
            if *held == 0 {
                open.remove(&self.user);
            }
        }
    }
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
    user: &str,
    resource: ResourceRequest,
    query: HashMap<String, String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let counted = count_watch(&state, user)?;
    let info = resource.info;
    let labels = LabelSelector::parse(query.get("labelSelector").map_or("", String::as_str))
        .map_err(|e| ApiError::bad_request(e.0))?;
    let fields = FieldSelector::parse(
        query.get("fieldSelector").map_or("", String::as_str),
        &info.selectable_fields,
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
    let bookmarks = api::params::flag(query.get("allowWatchBookmarks").map(String::as_str));
    let as_table = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("as=Table"));
    let protobuf = !as_table && crate::protobuf::wants_protobuf(&headers);
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
        other => ApiError::from_store(other, &info, ""),
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
            .map_err(|e| ApiError::from_store(e, &info, ""))?;
        let (kvs, revision, events) = match cached {
            Some((snapshot, events)) => (snapshot.items, snapshot.revision, events),
            None => {
                let (kvs, revision) = read_current(&state, &info, &prefix).await?;
                let events = state
                    .watch_cache
                    .watch(&resource_prefix, &prefix, revision + 1)
                    .await
                    .map_err(too_old)?;
                (kvs, revision, events)
            }
        };
        for kv in &kvs {
            let object = decode(&info, kv)?;
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

    let (outbox, rx) = Outbox::new();
    let query = query.clone();
    let watcher = state
        .metrics
        .watcher(&info.group, &info.version, &info.kind);
    let converting = crate::conversion_webhook::needed(&info);
    tokio::spawn(async move {
        let _counted = (counted, watcher);
        let mut encoder = Encoder {
            info: info.clone(),
            as_table,
            protobuf,
            first: true,
            query,
        };
        let initial = if converting {
            match converted(&state, &info, initial, &encoder, &outbox).await {
                Some(converted) => converted,
                None => return,
            }
        } else {
            initial
        };
        for object in initial {
            if !outbox.deliver(encoder.event("ADDED", object)).await {
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
                    let mark = json!({
                        "kind": info.kind, "apiVersion": info.api_version(),
                        "metadata": {"resourceVersion": last_revision.to_string()}});
                    if !outbox.deliver(vec![encoder.one("BOOKMARK", &mark)]).await {
                        return;
                    }
                    continue;
                }
                _ = outbox.tx.closed() => return,
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
                    outbox.deliver(vec![encoder.one("ERROR", &status)]).await;
                    return;
                }
                Some(Err(err)) => {
                    let status = ApiError::internal(err.to_string()).to_status();
                    outbox.deliver(vec![encoder.one("ERROR", &status)]).await;
                    return;
                }
                None => return,
            };
            last_revision = event.revision();
            let Some(kind) = classify(&filter, &event) else {
                continue;
            };
            let chunks = if converting {
                let Some(object) = event.object() else {
                    continue;
                };
                let converted = converted(&state, &info, vec![object.clone()], &encoder, &outbox);
                match converted.await.map(|mut objects| objects.pop()) {
                    Some(Some(object)) => encoder.event(kind, object),
                    Some(None) => continue,
                    None => return,
                }
            } else {
                let Some(chunks) = encoder.cached_event(kind, &event) else {
                    continue;
                };
                chunks
            };
            if !outbox.deliver(chunks).await {
                return;
            }
        }
    });
    let chunks = tokio_stream::wrappers::ReceiverStream::new(rx)
        .map(|chunk| Ok::<_, std::io::Error>(chunk.bytes));
    let body = Body::from_stream(chunks);
    let content_type = if protobuf {
        crate::protobuf::WATCH_MEDIA_TYPE
    } else {
        "application/json"
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        body,
    )
        .into_response())
}

/// The watch event type a store event becomes for this watcher, if any:
/// an object entering the selection is ADDED, one leaving it DELETED.
fn classify(filter: &Filter, event: &CachedEvent) -> Option<&'static str> {
    let object = event.object()?;
    match &event.event {
        store::WatchEvent::Put { .. } => {
            let now = filter.matches(object);
            let before = event.previous().is_some_and(|o| filter.matches(o));
            match (before, now) {
                (false, true) => Some("ADDED"),
                (true, true) => Some("MODIFIED"),
                (true, false) => Some("DELETED"),
                (false, false) => None,
            }
        }
        store::WatchEvent::Delete { .. } => filter.matches(object).then_some("DELETED"),
    }
}

struct Encoder {
    /// The resource as requested: events carry objects in its version.
    info: api::Resource,
    as_table: bool,
    /// Events framed as protobuf `WatchEvent`s rather than JSON lines.
    protobuf: bool,
    first: bool,
    query: HashMap<String, String>,
}

impl Encoder {
    /// An event the server makes (a bookmark, an error), in the watch's
    /// encoding.
    fn one(&self, kind: &str, object: &Value) -> Bytes {
        if self.protobuf
            && let Some(frame) = crate::protobuf::watch_frame(kind, object)
        {
            return Bytes::from(frame);
        }
        line(kind, object)
    }

    /// One event's line, in chunks.
    fn event(&mut self, kind: &str, object: Value) -> Vec<Bytes> {
        let object = if self.as_table {
            let table =
                tables::watch_row(&self.info.printer_info(), &object, self.first, &self.query);
            self.first = false;
            table
        } else {
            api::conversion::from_storage(&self.info, object)
        };
        vec![self.one(kind, &object)]
    }

    /// A shared event's line: its object as stored is encoded once for
    /// every watcher that takes it as stored (not as a table, nor in
    /// another version).
    fn cached_event(&mut self, kind: &str, event: &CachedEvent) -> Option<Vec<Bytes>> {
        if self.as_table || self.protobuf || self.info.changes_on_read() {
            return Some(self.event(kind, event.object()?.clone()));
        }
        let json = event.object_json()?;
        let head = format!("{{\"type\":\"{kind}\",\"object\":");
        Some(if json.len() < SHARED_CHUNK {
            let mut text = Vec::with_capacity(head.len() + json.len() + 2);
            text.extend_from_slice(head.as_bytes());
            text.extend_from_slice(json);
            text.extend_from_slice(b"}\n");
            vec![Bytes::from(text)]
        } else {
            vec![Bytes::from(head), json.clone(), Bytes::from_static(b"}\n")]
        })
    }
}

/// A watch event's line: `{"type":...,"object":...}` and a newline, in
/// upstream's field order.
fn line(kind: &str, object: &Value) -> Bytes {
    let object = if object.get("kind").and_then(Value::as_str) == Some("Status") {
        crate::error::status_json(object)
    } else {
        object.to_string()
    };
    let mut text = format!("{{\"type\":\"{kind}\",\"object\":{object}}}");
    text.push('\n');
    Bytes::from(text)
}

/// Every object under `prefix`, read from the store at one revision.
/// Objects converted by their definition's webhook for a watcher of
/// another version; when that fails, the watcher is sent the error and the
/// watch ends (none).
async fn converted(
    state: &ApiState,
    info: &ResourceInfo,
    objects: Vec<Value>,
    encoder: &Encoder,
    outbox: &Outbox,
) -> Option<Vec<Value>> {
    match crate::conversion_webhook::convert(state, info, objects, &info.api_version()).await {
        Ok(converted) => Some(converted),
        Err(err) => {
            outbox
                .deliver(vec![encoder.one("ERROR", &err.to_status())])
                .await;
            None
        }
    }
}

async fn read_current(
    state: &ApiState,
    info: &ResourceInfo,
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

    fn chunk(size: usize) -> Vec<Bytes> {
        vec![Bytes::from(vec![b'x'; size])]
    }

    #[tokio::test(start_paused = true)]
    async fn a_watcher_that_takes_nothing_is_let_go() {
        let (outbox, mut rx) = Outbox::new();
        assert!(outbox.deliver(chunk(700 << 10)).await);
        // What is queued is bounded in bytes: with nobody reading, the
        // next event waits, and after SLOW_WATCHER the watch gives up.
        let started = tokio::time::Instant::now();
        assert!(!outbox.deliver(chunk(700 << 10)).await);
        assert!(started.elapsed() >= SLOW_WATCHER);
        // A reader that keeps up takes everything, even an event larger
        // than the whole buffer.
        assert!(rx.recv().await.is_some());
        assert!(outbox.deliver(chunk(3 << 20)).await);
        assert_eq!(rx.recv().await.map(|c| c.bytes.len()), Some(3 << 20));
        assert!(outbox.deliver(chunk(10)).await);
        drop(rx);
        assert!(!outbox.deliver(chunk(10)).await);
    }
}
