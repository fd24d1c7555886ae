//! A rate-limited work queue with client-go's semantics: a key is queued
//! at most once however often it is added, is never handed to two workers
//! at once (an add while it is being processed queues it again after), and
//! failures are retried after a per-key exponential delay (5 ms doubling
//! to 1000 s, as upstream's default controller rate limiter).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::informer::lock;
use crate::metrics::QueueMetrics;

const BASE_DELAY: Duration = Duration::from_millis(5);
const MAX_DELAY: Duration = Duration::from_secs(1000);

#[derive(Default)]
struct State {
    queue: VecDeque<String>,
    /// Keys waiting to be processed, with when they were added.
    dirty: HashMap<String, Instant>,
    processing: HashMap<String, Instant>,
    failures: HashMap<String, u32>,
    shutting_down: bool,
}

pub struct WorkQueue {
    state: Mutex<State>,
    wake: Notify,
    metrics: QueueMetrics,
    /// What delayed adds wait on.
    clock: Clock,
}

impl WorkQueue {
    pub fn new(metrics: QueueMetrics, clock: Clock) -> Arc<WorkQueue> {
        Arc::new(WorkQueue {
            state: Mutex::default(),
            wake: Notify::new(),
            metrics,
            clock,
        })
    }

    /// Queues `key` unless it is queued already.
    pub fn add(&self, key: impl Into<String>) {
        let key = key.into();
        let mut state = lock(&self.state);
        if state.shutting_down || state.dirty.contains_key(&key) {
            return;
        }
        self.metrics.adds.inc();
        state.dirty.insert(key.clone(), Instant::now());
        if state.processing.contains_key(&key) {
            return;
        }
        state.queue.push_back(key);
        self.metrics.depth.set(state.queue.len() as i64);
        drop(state);
        self.wake.notify_one();
    }

    /// Queues `key` after `delay` on the controllers' clock (a deadline).
    pub fn add_after(self: &Arc<Self>, key: impl Into<String>, delay: Duration) {
        self.add_after_on(key.into(), delay, self.clock.clone());
    }

    fn add_after_on(self: &Arc<Self>, key: String, delay: Duration, clock: Clock) {
        if delay.is_zero() {
            return self.add(key);
        }
        let queue = Arc::downgrade(self);
        tokio::spawn(async move {
            clock.sleep(delay).await;
            if let Some(queue) = queue.upgrade() {
                queue.add(key);
            }
        });
    }

    /// Queues `key` again after its next backoff delay.
    pub fn add_rate_limited(self: &Arc<Self>, key: &str) {
        let delay = {
            let mut state = lock(&self.state);
            let failures = state.failures.entry(key.to_string()).or_insert(0);
            let delay = BASE_DELAY
                .saturating_mul(2u32.saturating_pow(*failures))
                .min(MAX_DELAY);
            *failures = failures.saturating_add(1);
            delay
        };
        self.metrics.retries.inc();
        // Retries of failed calls wait in real time whatever clock the
        // deadlines read: they pace requests to the API server.
        self.add_after_on(key.to_string(), delay, Clock::system());
    }

    /// Forgets `key`'s failures: its next retry starts from the base delay.
    pub fn forget(&self, key: &str) {
        lock(&self.state).failures.remove(key);
    }

    /// The number of times `key` has failed since it was last forgotten.
    pub fn failures(&self, key: &str) -> u32 {
        lock(&self.state).failures.get(key).copied().unwrap_or(0)
    }

    /// The next key to work on; None once the queue shuts down.
    pub async fn get(&self) -> Option<String> {
        loop {
            // Registered before looking, so a wake-up in between is not lost.
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = lock(&self.state);
                if state.shutting_down {
                    return None;
                }
                if let Some(key) = state.queue.pop_front() {
                    self.metrics.depth.set(state.queue.len() as i64);
                    if let Some(added) = state.dirty.remove(&key) {
                        self.metrics
                            .queue_duration
                            .observe(added.elapsed().as_secs_f64());
                    }
                    state.processing.insert(key.clone(), Instant::now());
                    return Some(key);
                }
            }
            notified.await;
        }
    }

    /// Marks `key` done; if it was added meanwhile it is queued again.
    pub fn done(&self, key: &str) {
        let mut state = lock(&self.state);
        if let Some(started) = state.processing.remove(key) {
            self.metrics
                .work_duration
                .observe(started.elapsed().as_secs_f64());
        }
        if state.dirty.contains_key(key) {
            state.queue.push_back(key.to_string());
            self.metrics.depth.set(state.queue.len() as i64);
            drop(state);
            self.wake.notify_one();
        }
    }

    /// Ends every `get`, now and later.
    pub fn shut_down(&self) {
        lock(&self.state).shutting_down = true;
        self.wake.notify_waiters();
    }

    pub fn len(&self) -> usize {
        lock(&self.state).queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a reconcile asks of the queue.
pub enum Outcome {
    /// Done until something changes.
    Done,
    /// Look again after this long (a deadline, minReadySeconds).
    After(Duration),
}

/// Runs `workers` workers taking keys from `queue` into `reconcile` until
/// the queue shuts down. Errors are logged and retried with backoff.
pub async fn run_workers<F, Fut, E>(
    queue: Arc<WorkQueue>,
    workers: usize,
    controller: &'static str,
    reconcile: F,
) where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Outcome, E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let mut tasks = Vec::new();
    for _ in 0..workers.max(1) {
        let queue = queue.clone();
        let reconcile = reconcile.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(key) = queue.get().await {
                match reconcile(key.clone()).await {
                    Ok(outcome) => {
                        queue.forget(&key);
                        if let Outcome::After(delay) = outcome {
                            queue.add_after(key.clone(), delay);
                        }
                    }
                    Err(err) => {
                        let level_warn = queue.failures(&key) >= 5;
                        if level_warn {
                            tracing::warn!(controller, key = %key, error = %err, "reconcile failed; retrying");
                        } else {
                            tracing::debug!(controller, key = %key, error = %err, "reconcile failed; retrying");
                        }
                        queue.add_rate_limited(&key);
                    }
                }
                queue.done(&key);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue() -> Arc<WorkQueue> {
        WorkQueue::new(
            crate::metrics::Metrics::new().queue("test"),
            Clock::system(),
        )
    }

    #[tokio::test]
    async fn a_key_is_queued_once_and_never_processed_twice_at_once() {
        let q = queue();
        q.add("a");
        q.add("a");
        q.add("b");
        assert_eq!(q.len(), 2);
        let first = q.get().await.unwrap();
        assert_eq!(first, "a");
        // Added while being processed: not handed out until done.
        q.add("a");
        assert_eq!(q.get().await.unwrap(), "b");
        assert!(q.is_empty());
        q.done("a");
        assert_eq!(q.get().await.unwrap(), "a");
        q.done("a");
        q.done("b");
        assert!(q.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn failures_back_off_exponentially_until_forgotten() {
        let q = queue();
        q.add_rate_limited("k");
        q.add_rate_limited("k");
        q.add_rate_limited("k");
        assert_eq!(q.failures("k"), 3);
        // The first retry comes after 5 ms.
        tokio::time::sleep(Duration::from_millis(6)).await;
        assert_eq!(q.get().await.as_deref(), Some("k"));
        q.done("k");
        q.forget("k");
        assert_eq!(q.failures("k"), 0);
    }

    #[tokio::test]
    async fn shutting_down_ends_waiting_workers() {
        let q = queue();
        let waiting = tokio::spawn({
            let q = q.clone();
            async move { q.get().await }
        });
        tokio::task::yield_now().await;
        q.shut_down();
        assert_eq!(waiting.await.unwrap(), None);
    }
}
