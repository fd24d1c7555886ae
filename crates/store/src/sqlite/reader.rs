//! Reads: a small pool of connections, each read one WAL snapshot.
//!
//! SQLite in WAL mode lets readers run beside the writer; every read runs in
//! a transaction, so it sees one committed state and the revision recorded in
//! that same state.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Row, params};

use super::schema::{self, Meta, sqlite_error};
use crate::keys::{prefix_range_end, range_start};
use crate::{KeyValue, RangeOptions, RangeResult, Result, Revision, StoreError, WatchEvent};

/// Idle connections kept for reuse.
const MAX_IDLE: usize = 16;

pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf) -> Self {
        ReadPool {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on a pooled connection on the blocking thread pool.
    async fn run<T, F>(self: &Arc<Self>, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Path, &mut Connection) -> Result<T> + Send + 'static,
    {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = pool
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .pop();
            let mut conn = match pooled {
                Some(conn) => conn,
                None => schema::connect(&pool.path, false)?,
            };
            let result = read(&pool.path, &mut conn);
            // A connection that failed may be in any state: drop it.
            if result.is_ok() {
                let mut idle = pool
                    .idle
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if idle.len() < MAX_IDLE {
                    idle.push(conn);
                }
            }
            result
        })
        .await
        .map_err(|e| StoreError::Io(format!("read task failed: {e}")))?
    }

    pub(crate) async fn get(self: &Arc<Self>, key: String) -> Result<Option<KeyValue>> {
        self.run(move |path, conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT k.create_revision, k.revision, k.value FROM current c \
                     JOIN kv k ON k.revision = c.revision WHERE c.key = ?1",
                )
                .map_err(|e| sqlite_error(path, e))?;
            let mut rows = stmt
                .query([key.as_bytes()])
                .map_err(|e| sqlite_error(path, e))?;
            match rows.next().map_err(|e| sqlite_error(path, e))? {
                Some(row) => Ok(Some(KeyValue {
                    key: key.clone(),
                    create_revision: row.get(0).map_err(|e| sqlite_error(path, e))?,
                    mod_revision: row.get(1).map_err(|e| sqlite_error(path, e))?,
                    value: row
                        .get::<_, Option<Vec<u8>>>(2)
                        .map_err(|e| sqlite_error(path, e))?
                        .unwrap_or_default(),
                })),
                None => Ok(None),
            }
        })
        .await
    }

    pub(crate) async fn meta(self: &Arc<Self>) -> Result<Meta> {
        self.run(|path, conn| schema::read_meta(conn).map_err(|e| sqlite_error(path, e)))
            .await
    }

    pub(crate) async fn compacted_revision(self: &Arc<Self>) -> Result<Revision> {
        Ok(self.meta().await?.compacted)
    }

    pub(crate) async fn count(self: &Arc<Self>, prefix: String) -> Result<i64> {
        self.run(move |path, conn| {
            let end = prefix_range_end(prefix.as_bytes());
            conn.prepare_cached("SELECT COUNT(*) FROM current WHERE key >= ?1 AND key < ?2")
                .and_then(|mut stmt| stmt.query_row(params![prefix.as_bytes(), end], |r| r.get(0)))
                .map_err(|e| sqlite_error(path, e))
        })
        .await
    }

    pub(crate) async fn range(
        self: &Arc<Self>,
        prefix: String,
        options: RangeOptions,
    ) -> Result<RangeResult> {
        self.run(move |path, conn| {
            let err = |e| sqlite_error(path, e);
            let start = range_start(&prefix, options.start.as_deref())?;
            let end = prefix_range_end(prefix.as_bytes());
            let tx = conn.transaction().map_err(err)?;
            let meta = schema::read_meta(&tx).map_err(err)?;
            let at = match options.revision {
                None | Some(0) => meta.revision,
                Some(r) if r > meta.revision => {
                    return Err(StoreError::FutureRevision {
                        requested: r,
                        current: meta.revision,
                    });
                }
                Some(r) if r < meta.compacted => {
                    return Err(StoreError::Compacted {
                        requested: r,
                        compacted: meta.compacted,
                    });
                }
                Some(r) => r,
            };
            // One row more than asked tells whether more follow.
            let fetch = i64::try_from(options.limit)
                .ok()
                .filter(|limit| *limit > 0)
                .and_then(|limit| limit.checked_add(1))
                .unwrap_or(-1);
            let mut kvs = if at == meta.revision {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT c.key, k.create_revision, k.revision, k.value FROM current c \
                         JOIN kv k ON k.revision = c.revision \
                         WHERE c.key >= ?1 AND c.key < ?2 ORDER BY c.key LIMIT ?3",
                    )
                    .map_err(err)?;
                let rows = stmt
                    .query_map(params![start, end, fetch], key_value_row)
                    .map_err(err)?;
                collect(path, rows)?
            } else {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT k.key, k.create_revision, k.revision, k.value FROM \
                         (SELECT MAX(revision) AS revision FROM kv \
                          WHERE key >= ?1 AND key < ?2 AND revision <= ?3 GROUP BY key) AS latest \
                         JOIN kv k ON k.revision = latest.revision \
                         WHERE k.deleted = 0 ORDER BY k.key LIMIT ?4",
                    )
                    .map_err(err)?;
                let rows = stmt
                    .query_map(params![start, end, at, fetch], key_value_row)
                    .map_err(err)?;
                collect(path, rows)?
            };
            let more = options.limit > 0 && kvs.len() > options.limit;
            let count = if more {
                kvs.truncate(options.limit);
                if at == meta.revision {
                    tx.prepare_cached("SELECT COUNT(*) FROM current WHERE key >= ?1 AND key < ?2")
                        .and_then(|mut s| s.query_row(params![start, end], |r| r.get(0)))
                        .map_err(err)?
                } else {
                    tx.prepare_cached(
                        "SELECT COUNT(*) FROM \
                         (SELECT MAX(revision) AS revision FROM kv \
                          WHERE key >= ?1 AND key < ?2 AND revision <= ?3 GROUP BY key) AS latest \
                         JOIN kv k ON k.revision = latest.revision WHERE k.deleted = 0",
                    )
                    .and_then(|mut s| s.query_row(params![start, end, at], |r| r.get(0)))
                    .map_err(err)?
                }
            } else {
                kvs.len() as i64
            };
            Ok(RangeResult {
                kvs,
                revision: at,
                more,
                count,
            })
        })
        .await
    }

    /// Up to `limit` events under `prefix` from `from` on, and the revision
    /// of the snapshot they were read in.
    pub(crate) async fn history(
        self: &Arc<Self>,
        prefix: String,
        from: Revision,
        limit: usize,
    ) -> Result<(Vec<WatchEvent>, Revision)> {
        self.run(move |path, conn| {
            let err = |e| sqlite_error(path, e);
            let end = prefix_range_end(prefix.as_bytes());
            let tx = conn.transaction().map_err(err)?;
            let meta = schema::read_meta(&tx).map_err(err)?;
            if from < meta.compacted {
                return Err(StoreError::Compacted {
                    requested: from,
                    compacted: meta.compacted,
                });
            }
            // NOT INDEXED: walk the log in revision order rather than sort a
            // whole prefix by revision.
            let mut stmt = tx
                .prepare_cached(
                    "SELECT k.revision, k.key, k.create_revision, k.deleted, k.value, \
                     p.create_revision, p.revision, p.value \
                     FROM kv AS k NOT INDEXED LEFT JOIN kv AS p ON p.revision = k.prev_revision \
                     WHERE k.revision >= ?1 AND k.key >= ?2 AND k.key < ?3 \
                     ORDER BY k.revision LIMIT ?4",
                )
                .map_err(err)?;
            let mut rows = stmt
                .query(params![from, prefix.as_bytes(), end, limit as i64])
                .map_err(err)?;
            let mut events = Vec::new();
            while let Some(row) = rows.next().map_err(err)? {
                events.push(history_event(path, row)?);
            }
            Ok((events, meta.revision))
        })
        .await
    }

    /// Runs `VACUUM INTO`: a consistent, compact copy of the database.
    pub(crate) async fn vacuum_into(self: &Arc<Self>, dest: PathBuf) -> Result<()> {
        self.run(move |path, conn| {
            conn.execute("VACUUM INTO ?1", [dest.to_string_lossy().as_ref()])
                .map(|_| ())
                .map_err(|e| sqlite_error(path, e))
        })
        .await
    }
}

type RawKeyValue = (Vec<u8>, Revision, Revision, Option<Vec<u8>>);

fn key_value_row(row: &Row<'_>) -> rusqlite::Result<RawKeyValue> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn decode_key(path: &Path, key: Vec<u8>) -> Result<String> {
    String::from_utf8(key).map_err(|_| StoreError::Corrupt {
        path: schema::display(path),
        reason: "a stored key is not valid UTF-8".into(),
    })
}

fn collect(
    path: &Path,
    rows: impl Iterator<Item = rusqlite::Result<RawKeyValue>>,
) -> Result<Vec<KeyValue>> {
    rows.map(|row| {
        let (key, create_revision, mod_revision, value) = row.map_err(|e| sqlite_error(path, e))?;
        Ok(KeyValue {
            key: decode_key(path, key)?,
            value: value.unwrap_or_default(),
            create_revision,
            mod_revision,
        })
    })
    .collect()
}

fn history_event(path: &Path, row: &Row<'_>) -> Result<WatchEvent> {
    let err = |e| sqlite_error(path, e);
    let revision: Revision = row.get(0).map_err(err)?;
    let key = decode_key(path, row.get(1).map_err(err)?)?;
    let create_revision: Revision = row.get(2).map_err(err)?;
    let deleted: bool = row.get(3).map_err(err)?;
    let value: Option<Vec<u8>> = row.get(4).map_err(err)?;
    let prev = match row.get::<_, Option<Revision>>(6).map_err(err)? {
        Some(prev_revision) => Some(KeyValue {
            key: key.clone(),
            create_revision: row.get(5).map_err(err)?,
            mod_revision: prev_revision,
            value: row
                .get::<_, Option<Vec<u8>>>(7)
                .map_err(err)?
                .unwrap_or_default(),
        }),
        None => None,
    };
    if deleted {
        let prev = prev.ok_or_else(|| StoreError::Corrupt {
            path: schema::display(path),
            reason: format!("the delete of {key:?} at revision {revision} has no previous value"),
        })?;
        Ok(WatchEvent::Delete {
            key,
            revision,
            prev,
        })
    } else {
        Ok(WatchEvent::Put {
            kv: KeyValue {
                key,
                value: value.unwrap_or_default(),
                create_revision,
                mod_revision: revision,
            },
            prev,
        })
    }
}
