//! The scheduling queue, as upstream's: an active queue ordered by
//! priority then by when the pod was queued; a backoff queue where pods
//! that failed wait 1 s, doubling per attempt up to 10 s; and the
//! unschedulable pods, which move back when the cluster changes in a way
//! that could help them, or after five minutes.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

pub const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Unschedulable pods are retried at least this often.
pub const MAX_IN_UNSCHEDULABLE: Duration = Duration::from_secs(300);

/// A pod's queue key: `namespace/name`.
pub type Key = String;

#[derive(Clone, Debug)]
struct Entry {
    key: Key,
    priority: i32,
    /// When the pod first entered the queue (kept across attempts).
    queued: Instant,
    attempts: u32,
    /// When the last attempt failed (for backoff and the unschedulable
    /// timeout).
    failed_at: Option<Instant>,
}

/// Ordering for the active heap: higher priority first, then older.
struct Active(Entry);

impl PartialEq for Active {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Active {}
impl PartialOrd for Active {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Active {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .priority
            .cmp(&other.0.priority)
            .then_with(|| other.0.queued.cmp(&self.0.queued))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    Active,
    Backoff,
    Unschedulable,
    /// Being scheduled right now.
    InFlight,
}

/// The queue's state; the scheduler owns one behind a mutex.
#[derive(Default)]
pub struct Queues {
    active: BinaryHeap<Active>,
    backoff: HashMap<Key, Entry>,
    unschedulable: HashMap<Key, Entry>,
    in_flight: HashMap<Key, Entry>,
    /// Where each known pod is (the heap cannot be searched).
    location: HashMap<Key, Where>,
    /// Pods whose cluster changed while they were being scheduled: a
    /// failure then goes to backoff, not to the unschedulable set.
    moved_during_flight: HashMap<Key, bool>,
}

pub fn backoff_for(attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(16);
    (INITIAL_BACKOFF * 2u32.pow(exponent)).min(MAX_BACKOFF)
}

impl Queues {
    /// A new or updated pending pod: queued now unless it is already known
    /// (an update to an unschedulable pod makes it active again).
    pub fn add(&mut self, key: &str, priority: i32, now: Instant) {
        match self.location.get(key) {
            None => {
                self.location.insert(key.to_string(), Where::Active);
                self.active.push(Active(Entry {
                    key: key.to_string(),
                    priority,
                    queued: now,
                    attempts: 0,
                    failed_at: None,
                }));
            }
            Some(Where::Unschedulable) => {
                if let Some(mut entry) = self.unschedulable.remove(key) {
                    entry.priority = priority;
                    self.activate(entry, now);
                }
            }
            Some(Where::InFlight) => {
                self.moved_during_flight.insert(key.to_string(), true);
            }
            Some(Where::Active | Where::Backoff) => {}
        }
    }

    /// Forgets a pod (deleted, or bound by someone else).
    pub fn remove(&mut self, key: &str) {
        if let Some(place) = self.location.remove(key) {
            match place {
                Where::Backoff => {
                    self.backoff.remove(key);
                }
                Where::Unschedulable => {
                    self.unschedulable.remove(key);
                }
                Where::InFlight => {
                    self.in_flight.remove(key);
                }
                // Dropped lazily when popped.
                Where::Active => {}
            }
        }
        self.moved_during_flight.remove(key);
    }

    /// The next pod to schedule, if any is active.
    pub fn pop(&mut self) -> Option<Key> {
        while let Some(Active(entry)) = self.active.pop() {
            if self.location.get(&entry.key) != Some(&Where::Active) {
                continue;
            }
            let key = entry.key.clone();
            self.location.insert(key.clone(), Where::InFlight);
            self.in_flight.insert(key.clone(), entry);
            return Some(key);
        }
        None
    }

    /// The pod was bound (or left the scheduler's hands): forget it.
    pub fn done(&mut self, key: &str) {
        self.remove(key);
    }

    /// The attempt failed. `unschedulable` pods wait for a cluster change
    /// (unless one came during the attempt); errors back off.
    pub fn failed(&mut self, key: &str, unschedulable: bool, now: Instant) {
        let Some(mut entry) = self.in_flight.remove(key) else {
            return;
        };
        entry.attempts += 1;
        entry.failed_at = Some(now);
        let moved = self.moved_during_flight.remove(key).unwrap_or(false);
        if unschedulable && !moved {
            self.location.insert(key.to_string(), Where::Unschedulable);
            self.unschedulable.insert(key.to_string(), entry);
        } else {
            self.location.insert(key.to_string(), Where::Backoff);
            self.backoff.insert(key.to_string(), entry);
        }
    }

    /// A cluster change that may make pods schedulable: every
    /// unschedulable pod moves to backoff (or straight to active when its
    /// backoff is over); pods in flight will retry if they fail.
    pub fn move_all(&mut self, now: Instant) {
        let waiting: Vec<Entry> = self.unschedulable.drain().map(|(_, e)| e).collect();
        for entry in waiting {
            self.activate(entry, now);
        }
        for key in self.in_flight.keys() {
            self.moved_during_flight.insert(key.clone(), true);
        }
    }

    fn activate(&mut self, entry: Entry, now: Instant) {
        let key = entry.key.clone();
        let backing_off = entry
            .failed_at
            .is_some_and(|at| now < at + backoff_for(entry.attempts));
        if backing_off {
            self.location.insert(key.clone(), Where::Backoff);
            self.backoff.insert(key, entry);
        } else {
            self.location.insert(key, Where::Active);
            self.active.push(Active(entry));
        }
    }

    /// Moves pods whose backoff is over to the active queue, and pods
    /// unschedulable for too long back to it. Returns whether any moved.
    pub fn flush(&mut self, now: Instant) -> bool {
        let ready: Vec<Key> = self
            .backoff
            .values()
            .filter(|e| {
                e.failed_at
                    .is_none_or(|at| now >= at + backoff_for(e.attempts))
            })
            .map(|e| e.key.clone())
            .collect();
        let stale: Vec<Key> = self
            .unschedulable
            .values()
            .filter(|e| {
                e.failed_at
                    .is_none_or(|at| now >= at + MAX_IN_UNSCHEDULABLE)
            })
            .map(|e| e.key.clone())
            .collect();
        let moved = !ready.is_empty() || !stale.is_empty();
        for key in ready {
            if let Some(entry) = self.backoff.remove(&key) {
                self.location.insert(key, Where::Active);
                self.active.push(Active(entry));
            }
        }
        for key in stale {
            if let Some(entry) = self.unschedulable.remove(&key) {
                self.location.insert(key, Where::Active);
                self.active.push(Active(entry));
            }
        }
        moved
    }

    /// How many pods wait in each queue: active, backoff, unschedulable.
    pub fn lengths(&self) -> (usize, usize, usize) {
        let active = self
            .location
            .values()
            .filter(|w| **w == Where::Active)
            .count();
        (active, self.backoff.len(), self.unschedulable.len())
    }

    /// How many attempts a pod being scheduled has had before this one.
    pub fn attempts(&self, key: &str) -> u32 {
        self.in_flight.get(key).map_or(0, |e| e.attempts)
    }

    pub fn where_is(&self, key: &str) -> Option<Where> {
        self.location.get(key).copied()
    }
}

/// The queue shared by the watchers (which add) and the scheduling loop
/// (which pops), with a wake-up for the loop.
#[derive(Default)]
pub struct SchedulingQueue {
    pub queues: std::sync::Mutex<Queues>,
    pub wake: Notify,
}

impl SchedulingQueue {
    pub fn with<T>(&self, f: impl FnOnce(&mut Queues) -> T) -> T {
        let mut queues = match self.queues.lock() {
            Ok(queues) => queues,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut queues)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_then_age() {
        let mut q = Queues::default();
        let t = Instant::now();
        q.add("a", 0, t);
        q.add("b", 100, t + Duration::from_millis(1));
        q.add("c", 0, t + Duration::from_millis(2));
        assert_eq!(q.pop().as_deref(), Some("b"));
        assert_eq!(q.pop().as_deref(), Some("a"));
        assert_eq!(q.pop().as_deref(), Some("c"));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn backoff_doubles_to_ten_seconds() {
        assert_eq!(backoff_for(1), Duration::from_secs(1));
        assert_eq!(backoff_for(2), Duration::from_secs(2));
        assert_eq!(backoff_for(4), Duration::from_secs(8));
        assert_eq!(backoff_for(5), Duration::from_secs(10));
        assert_eq!(backoff_for(30), Duration::from_secs(10));
    }

    #[test]
    fn unschedulable_pods_wait_for_a_cluster_change() {
        let mut q = Queues::default();
        let t = Instant::now();
        q.add("p", 0, t);
        assert_eq!(q.pop().as_deref(), Some("p"));
        q.failed("p", true, t);
        assert_eq!(q.where_is("p"), Some(Where::Unschedulable));
        // Time alone (short of five minutes) does not bring it back.
        assert!(!q.flush(t + Duration::from_secs(60)));
        // A node appears: it backs off first, then is active.
        q.move_all(t + Duration::from_millis(100));
        assert_eq!(q.where_is("p"), Some(Where::Backoff));
        q.flush(t + Duration::from_secs(1));
        assert_eq!(q.pop().as_deref(), Some("p"));
        // A change during the attempt means a failure retries after backoff.
        q.move_all(t + Duration::from_secs(2));
        q.failed("p", true, t + Duration::from_secs(2));
        assert_eq!(q.where_is("p"), Some(Where::Backoff));
        q.flush(t + Duration::from_secs(3));
        assert_eq!(
            q.where_is("p"),
            Some(Where::Backoff),
            "2nd attempt waits 2 s"
        );
        q.flush(t + Duration::from_secs(4));
        assert_eq!(q.where_is("p"), Some(Where::Active));
        q.remove("p");
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn stale_unschedulable_pods_are_retried() {
        let mut q = Queues::default();
        let t = Instant::now();
        q.add("p", 0, t);
        q.pop();
        q.failed("p", true, t);
        assert!(q.flush(t + MAX_IN_UNSCHEDULABLE));
        assert_eq!(q.pop().as_deref(), Some("p"));
    }
}
