//! What client-go's event correlator does before an event is written, so a
//! component in trouble cannot flood the store with events:
//!
//! - **Similar events are combined.** Once ten events about one object with
//!   the same type and reason but different messages have come within ten
//!   minutes, the next ones become one event, "(combined from similar
//!   events): <latest message>", counted up.
//! - **Identical events are counted**: the recorded event's count and
//!   lastTimestamp go up instead of a new event being made.
//! - **Floods are throttled.** Each object may have 25 events written at
//!   once, and one more every five minutes; past that, events about it are
//!   dropped (counts still include them when the next one is written).
//!
//! Every table is bounded (forgotten wholesale past `REMEMBERED` entries, as
//! a cold cache).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::Pending;

/// Entries each table keeps (client-go's LRU caches hold 4,096).
const REMEMBERED: usize = 4096;
/// Similar events (differing only in message) before they are combined.
const SIMILAR_BEFORE_COMBINING: usize = 10;
/// How long similar events are remembered after the last of them.
const SIMILAR_WINDOW: Duration = Duration::from_secs(600);
/// Events about one object written at once, at most.
const BURST: f64 = 25.0;
/// How often one more event about an object may be written after a burst.
const REFILL_EVERY: Duration = Duration::from_secs(300);

pub(crate) enum Decision {
    /// Write a new event; `key` is what later identical ones are counted under.
    Create { key: String, pending: Pending },
    /// Bump the recorded event `name` (in the event's namespace); if it is
    /// gone, write `pending` as a new one.
    Update {
        name: String,
        count: i32,
        message: String,
        key: String,
        pending: Pending,
    },
    /// Throttled: write nothing.
    Skip,
}

struct Similar {
    messages: HashSet<String>,
    last: Instant,
}

struct Recorded {
    namespace: String,
    name: String,
    count: i32,
}

/// A token bucket per object.
struct Budget {
    tokens: f64,
    refilled: Instant,
}

impl Budget {
    fn take(&mut self, now: Instant) -> bool {
        let earned =
            now.saturating_duration_since(self.refilled).as_secs_f64() / REFILL_EVERY.as_secs_f64();
        self.tokens = (self.tokens + earned).min(BURST);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Default)]
pub(crate) struct Correlator {
    similar: HashMap<String, Similar>,
    recorded: HashMap<String, Recorded>,
    budgets: HashMap<String, Budget>,
}

fn bounded<V>(table: &mut HashMap<String, V>) {
    if table.len() >= REMEMBERED {
        table.clear();
    }
}

impl Correlator {
    /// What to do with `pending`, an event to be written in `namespace`.
    pub(crate) fn correlate(
        &mut self,
        now: Instant,
        namespace: &str,
        mut pending: Pending,
    ) -> Decision {
        let object = &pending.regarding;
        let field = |value: &Option<String>| value.clone().unwrap_or_default();
        let object_key = [
            field(&object.kind),
            field(&object.namespace),
            field(&object.name),
            field(&object.uid),
            field(&object.api_version),
        ]
        .join("\0");
        let similar_key = format!("{object_key}\0{}\0{}", pending.type_, pending.reason);

        // Combine similar events past the threshold.
        bounded(&mut self.similar);
        let similar = self
            .similar
            .entry(similar_key.clone())
            .or_insert_with(|| Similar {
                messages: HashSet::new(),
                last: now,
            });
        if now.saturating_duration_since(similar.last) > SIMILAR_WINDOW {
            similar.messages.clear();
        }
        similar.messages.insert(pending.message.clone());
        similar.last = now;
        let key = if similar.messages.len() < SIMILAR_BEFORE_COMBINING {
            format!(
                "{similar_key}\0{}\0{}",
                field(&object.field_path),
                pending.message
            )
        } else {
            if let Some(any) = similar.messages.iter().next().cloned() {
                similar.messages.remove(&any);
            }
            pending.message = format!("(combined from similar events): {}", pending.message);
            similar_key
        };

        // Count identical events; the count includes throttled ones.
        let update = match self.recorded.get_mut(&key) {
            Some(recorded) if recorded.namespace == namespace => {
                recorded.count = recorded.count.saturating_add(1);
                Some((recorded.name.clone(), recorded.count))
            }
            _ => None,
        };

        // Throttle floods about one object.
        bounded(&mut self.budgets);
        let allowed = self
            .budgets
            .entry(object_key)
            .or_insert(Budget {
                tokens: BURST,
                refilled: now,
            })
            .take(now);
        if !allowed {
            return Decision::Skip;
        }
        match update {
            Some((name, count)) => Decision::Update {
                name,
                count,
                message: pending.message.clone(),
                key,
                pending,
            },
            None => Decision::Create { key, pending },
        }
    }

    /// Records that the event for `key` was written as `name`.
    pub(crate) fn created(&mut self, key: String, namespace: &str, name: String) {
        bounded(&mut self.recorded);
        self.recorded.insert(
            key,
            Recorded {
                namespace: namespace.to_string(),
                name,
                count: 1,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ObjectReference;

    fn about(name: &str, reason: &str, message: &str) -> Pending {
        Pending {
            regarding: ObjectReference {
                kind: Some("Pod".into()),
                namespace: Some("default".into()),
                name: Some(name.into()),
                uid: Some(format!("uid-{name}")),
                api_version: Some("v1".into()),
                ..ObjectReference::default()
            },
            type_: "Warning",
            reason: reason.into(),
            message: message.into(),
        }
    }

    /// Writes what the correlator decides, naming events `e0`, `e1`, ...;
    /// what was written: (name, count, message) per write.
    fn write(
        correlator: &mut Correlator,
        now: Instant,
        pending: Pending,
        written: &mut Vec<(String, i32, String)>,
    ) {
        match correlator.correlate(now, "default", pending) {
            Decision::Skip => {}
            Decision::Create { key, pending } => {
                let name = format!("e{}", written.len());
                written.push((name.clone(), 1, pending.message));
                correlator.created(key, "default", name);
            }
            Decision::Update {
                name,
                count,
                message,
                ..
            } => written.push((name, count, message)),
        }
    }

    #[test]
    fn identical_events_are_counted() {
        let mut correlator = Correlator::default();
        let mut written = Vec::new();
        let now = Instant::now();
        for _ in 0..3 {
            write(
                &mut correlator,
                now,
                about("web", "BackOff", "Back-off restarting failed container"),
                &mut written,
            );
        }
        let counts: Vec<_> = written.iter().map(|(n, c, _)| (n.as_str(), *c)).collect();
        assert_eq!(counts, [("e0", 1), ("e0", 2), ("e0", 3)]);
    }

    #[test]
    fn similar_events_are_combined_after_ten() {
        let mut correlator = Correlator::default();
        let mut written = Vec::new();
        let now = Instant::now();
        for n in 0..12 {
            write(
                &mut correlator,
                now,
                about("web", "FailedMount", &format!("volume {n} is missing")),
                &mut written,
            );
        }
        // Nine events of their own, then one combined event counted up.
        let names: HashSet<&str> = written.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names.len(), 10);
        assert_eq!(
            written[9],
            (
                "e9".to_string(),
                1,
                "(combined from similar events): volume 9 is missing".to_string()
            )
        );
        assert_eq!(
            written[11],
            (
                "e9".to_string(),
                3,
                "(combined from similar events): volume 11 is missing".to_string()
            )
        );
        // Another reason is not similar.
        write(
            &mut correlator,
            now,
            about("web", "Failed", "volume 1 is missing"),
            &mut written,
        );
        assert_eq!(written[12].2, "volume 1 is missing");
        // Ten minutes later, a message is its own event again.
        write(
            &mut correlator,
            now + SIMILAR_WINDOW + Duration::from_secs(1),
            about("web", "FailedMount", "volume 12 is missing"),
            &mut written,
        );
        assert_eq!(written[13].2, "volume 12 is missing");
    }

    #[test]
    fn a_flood_about_one_object_is_throttled() {
        let mut correlator = Correlator::default();
        let mut written = Vec::new();
        let start = Instant::now();
        for n in 0..40 {
            write(
                &mut correlator,
                start,
                about("web", &format!("Reason{n}"), "m"),
                &mut written,
            );
        }
        assert_eq!(written.len(), 25, "a burst of 25, then nothing");
        // Another object has its own budget.
        write(
            &mut correlator,
            start,
            about("db", "Reason", "m"),
            &mut written,
        );
        assert_eq!(written.len(), 26);
        // One more every five minutes.
        let later = start + REFILL_EVERY;
        for n in 0..3 {
            write(
                &mut correlator,
                later,
                about("web", &format!("Later{n}"), "m"),
                &mut written,
            );
        }
        assert_eq!(written.len(), 27);
        // An identical event throttled still counts: the next one written
        // carries every occurrence.
        let much_later = later + REFILL_EVERY * 30;
        write(
            &mut correlator,
            much_later,
            about("web", "Reason0", "m"),
            &mut written,
        );
        assert_eq!(
            written.last().map(|(n, c, _)| (n.as_str(), *c)),
            Some(("e0", 2))
        );
        for _ in 0..30 {
            write(
                &mut correlator,
                much_later,
                about("web", "Reason0", "m"),
                &mut written,
            );
        }
        let count = written.last().map(|(_, c, _)| *c);
        assert_eq!(count, Some(26), "the 24 left in the bucket were written");
        write(
            &mut correlator,
            much_later + REFILL_EVERY,
            about("web", "Reason0", "m"),
            &mut written,
        );
        assert_eq!(written.last().map(|(_, c, _)| *c), Some(33));
    }
}
