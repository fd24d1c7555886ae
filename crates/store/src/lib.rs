//! The cluster state store.
//!
//! One MVCC key-value contract ([`Store`]) with two backends of identical
//! semantics: [`sqlite::SqliteStore`], a single embedded database file (the
//! default), and [`etcd::EtcdStore`], a real etcd v3 cluster. Every value
//! carries the revision that created its key and the revision that last
//! modified it; revisions are global and strictly increasing, exactly as in
//! etcd, so the API server can use them as `resourceVersion`s.

pub mod compactor;
pub mod encryption;
pub mod error;
pub mod etcd;
mod keys;
pub mod private;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use futures::Stream;

pub use error::{Result, StoreError};
pub use keys::{MAX_KEY_BYTES, MAX_VALUE_BYTES, prefix_range_end, validate_key, validate_prefix};

/// A store revision: the value of the global write counter after a write.
pub type Revision = i64;

/// One key as stored at some revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: Vec<u8>,
    /// The revision of the write that created this incarnation of the key.
    pub create_revision: Revision,
    /// The revision of the last write to the key.
    pub mod_revision: Revision,
}

/// One change seen by a watcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchEvent {
    /// A key was created or updated. `prev` is the value it replaced, if any.
    Put {
        kv: KeyValue,
        prev: Option<KeyValue>,
    },
    /// A key was deleted at `revision`; `prev` is the value it had.
    Delete {
        key: String,
        revision: Revision,
        prev: KeyValue,
    },
}

impl WatchEvent {
    /// The revision of the write that produced this event.
    pub fn revision(&self) -> Revision {
        match self {
            WatchEvent::Put { kv, .. } => kv.mod_revision,
            WatchEvent::Delete { revision, .. } => *revision,
        }
    }

    pub fn key(&self) -> &str {
        match self {
            WatchEvent::Put { kv, .. } => &kv.key,
            WatchEvent::Delete { key, .. } => key,
        }
    }
}

/// A stream of watch events in revision order. It ends with an error when the
/// watch cannot continue (for example [`StoreError::Compacted`] when the
/// watcher fell behind compaction); the caller re-lists and watches again.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<WatchEvent>> + Send>>;

/// Options of a range read.
#[derive(Clone, Debug, Default)]
pub struct RangeOptions {
    /// At most this many keys; 0 means no limit.
    pub limit: usize,
    /// Start at this key (inclusive) instead of the prefix itself; must lie
    /// inside the prefix. Used to continue a paginated read: pass
    /// [`RangeResult::continue_key`] of the previous page.
    pub start: Option<String>,
    /// Read the snapshot at this revision instead of the current one.
    pub revision: Option<Revision>,
}

/// The answer to a range read: a consistent snapshot at `revision`.
#[derive(Clone, Debug, Default)]
pub struct RangeResult {
    pub kvs: Vec<KeyValue>,
    /// The revision the range was read at.
    pub revision: Revision,
    /// Whether more keys follow the returned ones in the requested range.
    pub more: bool,
    /// How many keys the requested range held (from `start` to the end of the
    /// prefix), at `revision`, regardless of `limit`.
    pub count: i64,
}

impl RangeResult {
    /// Where the next page starts, when there is one.
    pub fn continue_key(&self) -> Option<String> {
        if !self.more {
            return None;
        }
        self.kvs.last().map(|kv| format!("{}\0", kv.key))
    }
}

/// The storage contract every backend implements with the same semantics.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// The live value of `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<KeyValue>>;

    /// Keys under `prefix` in key order, from one consistent snapshot.
    async fn range(&self, prefix: &str, options: RangeOptions) -> Result<RangeResult>;

    /// How many live keys are under `prefix`.
    async fn count(&self, prefix: &str) -> Result<i64>;

    /// Creates `key`; fails with [`StoreError::AlreadyExists`] if it is live.
    /// Returns the new revision.
    async fn create(&self, key: &str, value: Vec<u8>) -> Result<Revision>;

    /// Replaces the value of `key` if its mod revision is still
    /// `expected_mod_revision` ([`StoreError::Conflict`] otherwise,
    /// [`StoreError::NotFound`] if the key is not live).
    async fn update(
        &self,
        key: &str,
        value: Vec<u8>,
        expected_mod_revision: Revision,
    ) -> Result<Revision>;

    /// Deletes `key`, optionally only if its mod revision matches. Returns
    /// the revision of the delete and the value that was deleted.
    async fn delete(
        &self,
        key: &str,
        expected_mod_revision: Option<Revision>,
    ) -> Result<(Revision, KeyValue)>;

    /// Every change under `prefix` from `from_revision` (inclusive) on, in
    /// revision order. `from_revision` 0 means "changes after now".
    async fn watch(&self, prefix: &str, from_revision: Revision) -> Result<WatchStream>;

    /// The revision of the last write.
    async fn current_revision(&self) -> Result<Revision>;

    /// Discards history older than `revision`: reads and watches below it
    /// fail with [`StoreError::Compacted`] from then on.
    async fn compact(&self, revision: Revision) -> Result<()>;

    /// The name of the backend, for logs and health checks.
    fn backend(&self) -> &'static str;

    /// Whether the live value of `key` should be written again even when
    /// it does not change: it is stored in a form this store no longer
    /// writes (encrypted with a key that is no longer the first).
    async fn stale(&self, _key: &str) -> Result<bool> {
        Ok(false)
    }
}

/// A store shared by the components of one process.
pub type SharedStore = Arc<dyn Store>;
