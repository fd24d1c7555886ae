//! The store's errors. The API server maps each to a Kubernetes `Status`.

use crate::Revision;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("key {0:?} not found")]
    NotFound(String),

    #[error("key {0:?} already exists")]
    AlreadyExists(String),

    /// Compare-and-swap failed: the key changed since it was read.
    #[error("conflict on key {key:?}: expected mod revision {expected}, found {actual}")]
    Conflict {
        key: String,
        expected: Revision,
        actual: Revision,
    },

    /// The requested revision is older than the compacted history.
    #[error("revision {requested} has been compacted; the oldest available is {compacted}")]
    Compacted {
        requested: Revision,
        compacted: Revision,
    },

    #[error("revision {requested} is newer than the current revision {current}")]
    FutureRevision {
        requested: Revision,
        current: Revision,
    },

    #[error("invalid key {key:?}: {reason}")]
    InvalidKey { key: String, reason: String },

    #[error("value for key {key:?} is {size} bytes, over the limit of {limit} bytes")]
    ValueTooLarge {
        key: String,
        size: usize,
        limit: usize,
    },

    /// The backend could not be reached in time (etcd members down, a timeout).
    #[error("store unavailable: {0}")]
    Unavailable(String),

    /// The database file is not a usable rudder store.
    #[error("{path}: {reason}")]
    Corrupt { path: String, reason: String },

    /// A write or read failed in the backend (disk full, I/O error); nothing
    /// of a failed write is visible.
    #[error("store I/O error: {0}")]
    Io(String),

    /// A value could not be encrypted for, or decrypted from, the store
    /// (a key missing from the encryption configuration, say).
    #[error("value of key {key:?} cannot be transformed: {reason}")]
    Transform { key: String, reason: String },

    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    #[error("store is closed")]
    Closed,
}

impl StoreError {
    /// Whether retrying the same request later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Io(_))
    }
}
