//! Periodic compaction, as kube-apiserver does it: every interval, discard
//! the history older than the revision seen one interval ago, so watchers
//! always have at least one interval of history to resume from.

use std::time::Duration;

use crate::{Revision, SharedStore, StoreError};

/// kube-apiserver's default `--etcd-compaction-interval`.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// Runs until the store is closed.
pub async fn run(store: SharedStore, interval: Duration) {
    let mut previous: Option<Revision> = None;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Some(target) = previous.filter(|r| *r > 0) {
            match store.compact(target).await {
                // Already compacted to or past it (another API server did).
                Ok(()) | Err(StoreError::Compacted { .. }) => {
                    tracing::debug!(revision = target, "store compacted");
                }
                Err(StoreError::Closed) => return,
                Err(err) => {
                    tracing::warn!(error = %err, revision = target, "store compaction failed")
                }
            }
        }
        match store.current_revision().await {
            Ok(revision) => previous = Some(revision),
            Err(StoreError::Closed) => return,
            Err(err) => tracing::warn!(error = %err, "cannot read the store revision"),
        }
    }
}
