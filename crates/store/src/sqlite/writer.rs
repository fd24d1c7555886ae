//! The single writer thread: group commit and compaction.
//!
//! All writes go through one thread that owns the write connection. It takes
//! every request waiting in its queue, applies them in one transaction and
//! commits once, so concurrent writers share one fsync. Nothing is
//! acknowledged or published to watchers before the commit is durable; if the
//! commit fails, the whole batch fails and the revision counter is rewound.

use std::path::PathBuf;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio::sync::{mpsc, oneshot};

use super::schema::{Meta, sqlite_error};
use super::watch::WatchHub;
use crate::{KeyValue, Result, Revision, StoreError, WatchEvent};

/// Requests waiting beyond this many are taken in the next batch.
const MAX_BATCH: usize = 512;
/// Compaction removes history in steps of this many revisions, one
/// transaction each, so writes are never held up for long.
const COMPACTION_STEP: Revision = 5_000;

pub(crate) enum WriteOp {
    Create {
        key: String,
        value: Vec<u8>,
    },
    Update {
        key: String,
        value: Vec<u8>,
        expected: Revision,
    },
    Delete {
        key: String,
        expected: Option<Revision>,
    },
}

pub(crate) enum WriteOutcome {
    Written(Revision),
    Deleted(Revision, KeyValue),
}

pub(crate) enum WriterMsg {
    Write(WriteOp, oneshot::Sender<Result<WriteOutcome>>),
    Compact(Revision, oneshot::Sender<Result<()>>),
}

struct Compaction {
    target: Revision,
    /// History below this revision has been removed already.
    done_up_to: Revision,
    waiters: Vec<oneshot::Sender<Result<()>>>,
}

pub(crate) struct Writer {
    path: PathBuf,
    conn: Connection,
    meta: Meta,
    hub: Arc<WatchHub>,
    rx: mpsc::Receiver<WriterMsg>,
    compaction: Option<Compaction>,
}

impl Writer {
    pub(crate) fn new(
        path: PathBuf,
        conn: Connection,
        meta: Meta,
        hub: Arc<WatchHub>,
        rx: mpsc::Receiver<WriterMsg>,
    ) -> Self {
        Writer {
            path,
            conn,
            meta,
            hub,
            rx,
            compaction: None,
        }
    }

    pub(crate) fn run(mut self) {
        loop {
            let mut batch = Vec::new();
            if self.compaction.is_none() {
                match self.rx.blocking_recv() {
                    Some(msg) => self.accept(msg, &mut batch),
                    None => break,
                }
            }
            while batch.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(msg) => self.accept(msg, &mut batch),
                    Err(_) => break,
                }
            }
            if !batch.is_empty() {
                self.commit(batch);
            }
            if self.compaction.is_some() {
                self.compaction_step();
            }
        }
        self.hub.close();
    }

    fn accept(
        &mut self,
        msg: WriterMsg,
        batch: &mut Vec<(WriteOp, oneshot::Sender<Result<WriteOutcome>>)>,
    ) {
        match msg {
            WriterMsg::Write(op, reply) => batch.push((op, reply)),
            WriterMsg::Compact(revision, reply) => self.start_compaction(revision, reply),
        }
    }

    fn commit(&mut self, batch: Vec<(WriteOp, oneshot::Sender<Result<WriteOutcome>>)>) {
        let start = self.meta.revision;
        let mut revision = start;
        let applied = apply_batch(&mut self.conn, &mut revision, &batch);
        match applied {
            Ok(results) => {
                self.meta.revision = revision;
                let events: Vec<WatchEvent> = results
                    .iter()
                    .filter_map(|r| r.as_ref().ok().map(|(_, ev)| ev.clone()))
                    .collect();
                self.hub.publish(events, revision);
                for ((_, reply), result) in batch.into_iter().zip(results) {
                    let _ = reply.send(result.map(|(outcome, _)| outcome));
                }
            }
            Err(err) => {
                // The transaction rolled back: nothing of this batch exists.
                let err = sqlite_error(&self.path, err);
                tracing::error!(error = %err, writes = batch.len(), "store write batch failed");
                for (_, reply) in batch {
                    let _ = reply.send(Err(err.clone()));
                }
            }
        }
    }

    fn start_compaction(&mut self, revision: Revision, reply: oneshot::Sender<Result<()>>) {
        if revision > self.meta.revision {
            let _ = reply.send(Err(StoreError::FutureRevision {
                requested: revision,
                current: self.meta.revision,
            }));
            return;
        }
        if revision <= self.meta.compacted {
            let _ = reply.send(Err(StoreError::Compacted {
                requested: revision,
                compacted: self.meta.compacted,
            }));
            return;
        }
        // Record the new floor first, durably: from now on reads and watches
        // below it fail, even while old rows are still being removed.
        let recorded = self.conn.execute(
            "UPDATE meta SET value = ?1 WHERE name = 'compacted'",
            [revision],
        );
        if let Err(err) = recorded {
            let _ = reply.send(Err(sqlite_error(&self.path, err)));
            return;
        }
        let previous = self.meta.compacted;
        self.meta.compacted = revision;
        match &mut self.compaction {
            Some(running) => {
                running.target = revision;
                running.waiters.push(reply);
            }
            None => {
                self.compaction = Some(Compaction {
                    target: revision,
                    done_up_to: previous,
                    waiters: vec![reply],
                })
            }
        }
    }

    fn compaction_step(&mut self) {
        let Some(job) = &mut self.compaction else {
            return;
        };
        let low = job.done_up_to;
        let high = (low + COMPACTION_STEP).min(job.target);
        let step = compact_range(&mut self.conn, low, high, job.target);
        match step {
            Ok(()) => job.done_up_to = high,
            Err(err) => {
                let err = sqlite_error(&self.path, err);
                tracing::error!(error = %err, "store compaction failed");
                if let Some(job) = self.compaction.take() {
                    for waiter in job.waiters {
                        let _ = waiter.send(Err(err.clone()));
                    }
                }
                return;
            }
        }
        if job.done_up_to >= job.target
            && let Some(job) = self.compaction.take()
        {
            for waiter in job.waiters {
                let _ = waiter.send(Ok(()));
            }
        }
    }
}

type OpResult = Result<(WriteOutcome, WatchEvent)>;

/// Applies the batch in one transaction. The outer error is a database
/// failure (the batch is void); the inner results are each request's answer.
fn apply_batch(
    conn: &mut Connection,
    revision: &mut Revision,
    batch: &[(WriteOp, oneshot::Sender<Result<WriteOutcome>>)],
) -> rusqlite::Result<Vec<OpResult>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    for (op, _) in batch {
        results.push(apply(&tx, revision, op)?);
    }
    tx.prepare_cached("UPDATE meta SET value = ?1 WHERE name = 'revision'")?
        .execute([*revision])?;
    tx.commit()?;
    Ok(results)
}

fn live(conn: &Connection, key: &str) -> rusqlite::Result<Option<KeyValue>> {
    conn.prepare_cached(
        "SELECT k.create_revision, k.revision, k.value FROM current c \
         JOIN kv k ON k.revision = c.revision WHERE c.key = ?1",
    )?
    .query_row([key.as_bytes()], |r| {
        Ok(KeyValue {
            key: key.to_string(),
            create_revision: r.get(0)?,
            mod_revision: r.get(1)?,
            value: r.get::<_, Option<Vec<u8>>>(2)?.unwrap_or_default(),
        })
    })
    .optional()
}

fn insert_row(
    conn: &Connection,
    revision: Revision,
    key: &str,
    create_revision: Revision,
    prev_revision: Option<Revision>,
    value: Option<&[u8]>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO kv (revision, key, create_revision, prev_revision, deleted, value) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        revision,
        key.as_bytes(),
        create_revision,
        prev_revision,
        value.is_none(),
        value
    ])?;
    if value.is_some() {
        conn.prepare_cached(
            "INSERT INTO current (key, revision) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET revision = excluded.revision",
        )?
        .execute(params![key.as_bytes(), revision])?;
    } else {
        conn.prepare_cached("DELETE FROM current WHERE key = ?1")?
            .execute([key.as_bytes()])?;
    }
    Ok(())
}

fn apply(conn: &Connection, revision: &mut Revision, op: &WriteOp) -> rusqlite::Result<OpResult> {
    match op {
        WriteOp::Create { key, value } => {
            let exists: Option<Revision> = conn
                .prepare_cached("SELECT revision FROM current WHERE key = ?1")?
                .query_row([key.as_bytes()], |r| r.get(0))
                .optional()?;
            if exists.is_some() {
                return Ok(Err(StoreError::AlreadyExists(key.clone())));
            }
            let rev = *revision + 1;
            insert_row(conn, rev, key, rev, None, Some(value))?;
            *revision = rev;
            let kv = KeyValue {
                key: key.clone(),
                value: value.clone(),
                create_revision: rev,
                mod_revision: rev,
            };
            Ok(Ok((
                WriteOutcome::Written(rev),
                WatchEvent::Put { kv, prev: None },
            )))
        }
        WriteOp::Update {
            key,
            value,
            expected,
        } => {
            let Some(prev) = live(conn, key)? else {
                return Ok(Err(StoreError::NotFound(key.clone())));
            };
            if prev.mod_revision != *expected {
                return Ok(Err(StoreError::Conflict {
                    key: key.clone(),
                    expected: *expected,
                    actual: prev.mod_revision,
                }));
            }
            let rev = *revision + 1;
            insert_row(
                conn,
                rev,
                key,
                prev.create_revision,
                Some(prev.mod_revision),
                Some(value),
            )?;
            *revision = rev;
            let kv = KeyValue {
                key: key.clone(),
                value: value.clone(),
                create_revision: prev.create_revision,
                mod_revision: rev,
            };
            Ok(Ok((
                WriteOutcome::Written(rev),
                WatchEvent::Put {
                    kv,
                    prev: Some(prev),
                },
            )))
        }
        WriteOp::Delete { key, expected } => {
            let Some(prev) = live(conn, key)? else {
                return Ok(Err(StoreError::NotFound(key.clone())));
            };
            if let Some(expected) = expected
                && prev.mod_revision != *expected
            {
                return Ok(Err(StoreError::Conflict {
                    key: key.clone(),
                    expected: *expected,
                    actual: prev.mod_revision,
                }));
            }
            let rev = *revision + 1;
            insert_row(
                conn,
                rev,
                key,
                prev.create_revision,
                Some(prev.mod_revision),
                None,
            )?;
            *revision = rev;
            Ok(Ok((
                WriteOutcome::Deleted(rev, prev.clone()),
                WatchEvent::Delete {
                    key: key.clone(),
                    revision: rev,
                    prev,
                },
            )))
        }
    }
}

/// Removes the rows in (low, high] that no read at or above `target` can
/// see: rows superseded by a later row of the same key at or below `target`,
/// and tombstones at or below `target`.
fn compact_range(
    conn: &mut Connection,
    low: Revision,
    high: Revision,
    target: Revision,
) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "DELETE FROM kv WHERE revision > ?1 AND revision <= ?2 AND (deleted = 1 OR EXISTS \
         (SELECT 1 FROM kv AS later WHERE later.key = kv.key \
          AND later.revision > kv.revision AND later.revision <= ?3))",
        params![low, high, target],
    )?;
    tx.commit()
}
