//! Expectations, as upstream's controllers keep them: after asking for N
//! creations or deletions, a controller waits until its informer has seen
//! them before it counts pods again, so a burst of creates is never
//! doubled by a reconcile that runs before the cache caught up. A record
//! older than five minutes is ignored (a lost event must not stall the
//! controller forever).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::informer::lock;

const TIMEOUT: Duration = Duration::from_secs(5 * 60);

struct Record {
    adds: i64,
    /// The pods (`namespace/name`) whose deletion is awaited: a pod seen
    /// first with a deletionTimestamp and then gone counts once.
    deletes: HashSet<String>,
    set: Instant,
}

#[derive(Default)]
pub struct Expectations {
    records: Mutex<HashMap<String, Record>>,
}

impl Expectations {
    /// From now on `key` waits for `adds` creations and the deletion of
    /// each of `deletes`.
    pub fn expect(&self, key: &str, adds: i64, deletes: Vec<String>) {
        lock(&self.records).insert(
            key.to_string(),
            Record {
                adds,
                deletes: deletes.into_iter().collect(),
                set: Instant::now(),
            },
        );
    }

    /// One creation seen (or one that failed and will never be seen).
    pub fn creation_observed(&self, key: &str) {
        self.lower_creations(key, 1);
    }

    pub fn lower_creations(&self, key: &str, count: i64) {
        if let Some(record) = lock(&self.records).get_mut(key) {
            record.adds -= count;
        }
    }

    /// The deletion of `pod` seen (or failed).
    pub fn deletion_observed(&self, key: &str, pod: &str) {
        if let Some(record) = lock(&self.records).get_mut(key) {
            record.deletes.remove(pod);
        }
    }

    /// Whether `key` may act: nothing is awaited (or the wait timed out).
    pub fn satisfied(&self, key: &str) -> bool {
        match lock(&self.records).get(key) {
            None => true,
            Some(record) => {
                (record.adds <= 0 && record.deletes.is_empty()) || record.set.elapsed() > TIMEOUT
            }
        }
    }

    pub fn forget(&self, key: &str) {
        lock(&self.records).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satisfied_once_every_expected_change_is_observed() {
        let e = Expectations::default();
        assert!(e.satisfied("ns/rs"));
        e.expect("ns/rs", 2, vec!["ns/p".to_string()]);
        assert!(!e.satisfied("ns/rs"));
        e.creation_observed("ns/rs");
        e.deletion_observed("ns/rs", "ns/p");
        // Seen twice (deleting, then gone): counted once.
        e.deletion_observed("ns/rs", "ns/p");
        assert!(!e.satisfied("ns/rs"));
        e.creation_observed("ns/rs");
        assert!(e.satisfied("ns/rs"));
        e.forget("ns/rs");
        assert!(e.satisfied("ns/rs"));
    }
}
