//! The embedded backend: one SQLite database file holding an MVCC revision
//! log, written by one group-committing thread, read through WAL snapshots.

mod reader;
mod schema;
pub mod snapshot;
mod watch;
mod writer;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use crate::keys::{validate_key, validate_prefix, validate_value};
use crate::{
    KeyValue, RangeOptions, RangeResult, Result, Revision, Store, StoreError, WatchStream,
};
use reader::ReadPool;
use watch::WatchHub;
use writer::{WriteOp, WriteOutcome, Writer, WriterMsg};

/// Writes queued beyond this many make writers wait (back-pressure).
const WRITE_QUEUE: usize = 8192;

/// The file name of the store inside its directory.
pub const DATABASE_FILE: &str = "state.db";

pub struct SqliteStore {
    path: PathBuf,
    writer: mpsc::Sender<WriterMsg>,
    readers: Arc<ReadPool>,
    hub: Arc<WatchHub>,
    // Held for the life of the store: one process per database file.
    _lock: File,
}

impl SqliteStore {
    /// Opens (or creates) the store in `dir`/state.db. Fails if another
    /// process has it open, or if the file is not a rudder store.
    pub fn open_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        crate::private::dir(dir).map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        Self::open(dir.join(DATABASE_FILE))
    }

    /// Opens (or creates) the store in the database file `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let lock = lock_file(&path)?;
        // The database (SQLite gives its WAL and shared memory the same
        // mode), and whatever an older version left more open.
        let private = |file: &Path| {
            crate::private::create(file)
                .map_err(|e| StoreError::Io(format!("{}: {e}", file.display())))
        };
        private(&path)?;
        for suffix in ["-wal", "-shm"] {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            crate::private::restrict(Path::new(&name))
                .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
        }
        let (conn, meta) = schema::open_for_writing(&path)?;
        let hub = Arc::new(WatchHub::new(meta.revision));
        let (tx, rx) = mpsc::channel(WRITE_QUEUE);
        let writer = Writer::new(path.clone(), conn, meta, hub.clone(), rx);
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer.run())
            .map_err(|e| StoreError::Io(format!("cannot start the store writer: {e}")))?;
        Ok(SqliteStore {
            readers: Arc::new(ReadPool::new(path.clone())),
            path,
            writer: tx,
            hub,
            _lock: lock,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a consistent copy of the live store to `dest` (which must not
    /// exist) while it keeps serving.
    pub async fn snapshot(&self, dest: impl AsRef<Path>) -> Result<snapshot::SnapshotStatus> {
        snapshot::save_with(&self.readers, dest.as_ref()).await
    }

    /// The revision below which history is gone.
    pub async fn compacted_revision(&self) -> Result<Revision> {
        self.readers.compacted_revision().await
    }

    async fn write(&self, op: WriteOp) -> Result<WriteOutcome> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(WriterMsg::Write(op, reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

/// Takes an exclusive lock next to the database, so two processes never
/// write one store (each would keep its own revision counter).
fn lock_file(path: &Path) -> Result<File> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| StoreError::Io(format!("{}: {e}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Io(format!(
            "{}: the store is in use by another process",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(StoreError::Io(format!("{}: {e}", lock_path.display())))
        }
    }
}

fn unexpected(outcome: &str) -> StoreError {
    StoreError::Io(format!(
        "store writer answered with an unexpected {outcome}"
    ))
}

#[async_trait]
impl Store for SqliteStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        validate_key(key)?;
        self.readers.get(key.to_string()).await
    }

    async fn range(&self, prefix: &str, options: RangeOptions) -> Result<RangeResult> {
        validate_prefix(prefix)?;
        self.readers.range(prefix.to_string(), options).await
    }

    async fn count(&self, prefix: &str) -> Result<i64> {
        validate_prefix(prefix)?;
        self.readers.count(prefix.to_string()).await
    }

    async fn create(&self, key: &str, value: Vec<u8>) -> Result<Revision> {
        validate_key(key)?;
        validate_value(key, &value)?;
        let op = WriteOp::Create {
            key: key.to_string(),
            value,
        };
        match self.write(op).await? {
            WriteOutcome::Written(revision) => Ok(revision),
            WriteOutcome::Deleted(..) => Err(unexpected("delete")),
        }
    }

    async fn update(
        &self,
        key: &str,
        value: Vec<u8>,
        expected_mod_revision: Revision,
    ) -> Result<Revision> {
        validate_key(key)?;
        validate_value(key, &value)?;
        let op = WriteOp::Update {
            key: key.to_string(),
            value,
            expected: expected_mod_revision,
        };
        match self.write(op).await? {
            WriteOutcome::Written(revision) => Ok(revision),
            WriteOutcome::Deleted(..) => Err(unexpected("delete")),
        }
    }

    async fn delete(
        &self,
        key: &str,
        expected_mod_revision: Option<Revision>,
    ) -> Result<(Revision, KeyValue)> {
        validate_key(key)?;
        let op = WriteOp::Delete {
            key: key.to_string(),
            expected: expected_mod_revision,
        };
        match self.write(op).await? {
            WriteOutcome::Deleted(revision, prev) => Ok((revision, prev)),
            WriteOutcome::Written(_) => Err(unexpected("write")),
        }
    }

    async fn watch(&self, prefix: &str, from_revision: Revision) -> Result<WatchStream> {
        validate_prefix(prefix)?;
        watch::watch(&self.hub, &self.readers, prefix, from_revision).await
    }

    async fn current_revision(&self) -> Result<Revision> {
        Ok(self.hub.revision())
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(WriterMsg::Compact(revision, reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
