//! Watch fan-out for the SQLite backend.
//!
//! The writer publishes each committed batch once; every watcher filters by
//! its prefix. A watcher that starts in the past, or that falls behind the
//! fan-out buffer, reads the missed revisions from the log in the database,
//! so no event is lost or repeated: `next` is the next revision it owes its
//! consumer, whichever source delivers it first.

use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, mpsc};

use super::reader::ReadPool;
use crate::{Result, Revision, StoreError, WatchEvent, WatchStream};

/// Batches buffered for watchers before a slow one has to catch up from disk.
const FANOUT_BUFFER: usize = 4096;
/// Events read from the log per catch-up query.
const CATCH_UP_PAGE: usize = 1000;
/// Events buffered per watcher before the watcher task waits for its consumer.
const WATCHER_BUFFER: usize = 1024;

pub(crate) struct WatchHub {
    state: Mutex<HubState>,
}

struct HubState {
    revision: Revision,
    sender: Option<broadcast::Sender<Arc<[WatchEvent]>>>,
}

impl WatchHub {
    pub(crate) fn new(revision: Revision) -> Self {
        let (sender, _) = broadcast::channel(FANOUT_BUFFER);
        WatchHub {
            state: Mutex::new(HubState {
                revision,
                sender: Some(sender),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        // A panic while holding this lock cannot leave the state half-updated
        // (two plain assignments), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Called by the writer after a commit, in commit order.
    pub(crate) fn publish(&self, events: Vec<WatchEvent>, revision: Revision) {
        let mut state = self.lock();
        state.revision = revision;
        if !events.is_empty()
            && let Some(sender) = &state.sender
        {
            // No receivers is fine: nobody is watching.
            let _ = sender.send(Arc::from(events));
        }
    }

    /// The writer is gone: watchers end.
    pub(crate) fn close(&self) {
        self.lock().sender = None;
    }

    pub(crate) fn revision(&self) -> Revision {
        self.lock().revision
    }

    /// A live feed and the revision it starts after: every commit above that
    /// revision arrives on the feed.
    fn subscribe(&self) -> Option<(broadcast::Receiver<Arc<[WatchEvent]>>, Revision)> {
        let state = self.lock();
        state
            .sender
            .as_ref()
            .map(|sender| (sender.subscribe(), state.revision))
    }
}

pub(crate) async fn watch(
    hub: &Arc<WatchHub>,
    readers: &Arc<ReadPool>,
    prefix: &str,
    from_revision: Revision,
) -> Result<WatchStream> {
    let (live, head) = hub.subscribe().ok_or(StoreError::Closed)?;
    let next = if from_revision <= 0 {
        head + 1
    } else {
        from_revision
    };
    if next <= head {
        let compacted = readers.compacted_revision().await?;
        if next < compacted {
            return Err(StoreError::Compacted {
                requested: next,
                compacted,
            });
        }
    }
    let (tx, rx) = mpsc::channel(WATCHER_BUFFER);
    let watcher = Watcher {
        prefix: prefix.to_string(),
        next,
        readers: readers.clone(),
        tx,
    };
    tokio::spawn(watcher.run(live));
    Ok(Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx)))
}

struct Watcher {
    prefix: String,
    next: Revision,
    readers: Arc<ReadPool>,
    tx: mpsc::Sender<Result<WatchEvent>>,
}

impl Watcher {
    async fn run(mut self, mut live: broadcast::Receiver<Arc<[WatchEvent]>>) {
        if self.catch_up().await.is_err() {
            return;
        }
        loop {
            let received = tokio::select! {
                received = live.recv() => received,
                _ = self.tx.closed() => return,
            };
            match received {
                Ok(batch) => {
                    for event in batch.iter() {
                        if self.deliver(event.clone()).await.is_err() {
                            return;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if self.catch_up().await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => {
                    let _ = self.tx.send(Err(StoreError::Closed)).await;
                    return;
                }
            }
        }
    }

    /// Sends an event if it is the next one owed and under the prefix.
    /// Err means the consumer is gone.
    async fn deliver(&mut self, event: WatchEvent) -> Result<(), ()> {
        let revision = event.revision();
        if revision < self.next {
            return Ok(());
        }
        self.next = revision + 1;
        if event.key().starts_with(&self.prefix) {
            self.tx.send(Ok(event)).await.map_err(|_| ())?;
        }
        Ok(())
    }

    /// Reads from the log until the database has nothing newer. Err means
    /// the watch is over (the consumer is gone, or an error was sent).
    async fn catch_up(&mut self) -> Result<(), ()> {
        loop {
            let page = self
                .readers
                .history(self.prefix.clone(), self.next, CATCH_UP_PAGE)
                .await;
            let (events, head) = match page {
                Ok(page) => page,
                Err(err) => {
                    let _ = self.tx.send(Err(err)).await;
                    return Err(());
                }
            };
            let complete = events.len() < CATCH_UP_PAGE;
            for event in events {
                self.deliver(event).await?;
            }
            if complete {
                // Nothing else under the prefix up to the snapshot's head.
                self.next = self.next.max(head + 1);
                return Ok(());
            }
        }
    }
}
