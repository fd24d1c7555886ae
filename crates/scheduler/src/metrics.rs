//! The scheduler's metrics, with kube-scheduler's names: pending pods per
//! queue, attempts and their duration by result, attempts per scheduled
//! pod, extension point durations.

use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

fn duration_histogram() -> Histogram {
    // 1 ms doubling to ~16 s, as upstream.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn fine_histogram() -> Histogram {
    // 0.1 ms doubling to ~1.6 s, for single extension points.
    Histogram::new(exponential_buckets(0.0001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    pending: Family<Labels, Gauge>,
    attempts: Family<Labels, Counter>,
    attempt_duration: Histograms,
    attempts_per_pod: Histogram,
    extension_points: Histograms,
    preemption_attempts: Counter,
    preemption_victims: Histogram,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let pending = Family::<Labels, Gauge>::default();
        let attempts = Family::<Labels, Counter>::default();
        let attempt_duration: Histograms = Family::new_with_constructor(duration_histogram);
        let attempts_per_pod = Histogram::new(exponential_buckets(1.0, 2.0, 5));
        let extension_points: Histograms = Family::new_with_constructor(fine_histogram);
        let preemption_attempts = Counter::default();
        let preemption_victims = Histogram::new(exponential_buckets(1.0, 2.0, 7));
        registry.register(
            "scheduler_preemption_attempts",
            "Total preemption attempts in the cluster till now",
            preemption_attempts.clone(),
        );
        registry.register(
            "scheduler_preemption_victims",
            "Number of selected preemption victims",
            preemption_victims.clone(),
        );
        registry.register(
            "scheduler_pending_pods",
            "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods",
            pending.clone(),
        );
        registry.register(
            "scheduler_schedule_attempts",
            "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem",
            attempts.clone(),
        );
        registry.register(
            "scheduler_scheduling_attempt_duration_seconds",
            "Scheduling attempt latency in seconds (scheduling algorithm + binding)",
            attempt_duration.clone(),
        );
        registry.register(
            "scheduler_pod_scheduling_attempts",
            "Number of attempts to successfully schedule a pod",
            attempts_per_pod.clone(),
        );
        registry.register(
            "scheduler_framework_extension_point_duration_seconds",
            "Latency for running all plugins of a specific extension point",
            extension_points.clone(),
        );
        Metrics {
            registry,
            pending,
            attempts,
            attempt_duration,
            attempts_per_pod,
            extension_points,
            preemption_attempts,
            preemption_victims,
        }
    }

    pub fn preemption_attempt(&self) {
        self.preemption_attempts.inc();
    }

    pub fn preemption_victims(&self, victims: usize) {
        self.preemption_victims.observe(victims as f64);
    }

    /// One finished attempt: `result` is scheduled, unschedulable or error.
    pub fn attempt(&self, profile: &str, result: &str, took: Duration) {
        let labels = vec![
            ("profile".to_string(), profile.to_string()),
            ("result".to_string(), result.to_string()),
        ];
        self.attempts.get_or_create(&labels).inc();
        self.attempt_duration
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// A pod bound after `attempts` attempts.
    pub fn scheduled_after(&self, attempts: u32) {
        self.attempts_per_pod.observe(f64::from(attempts));
    }

    pub fn extension_point(&self, profile: &str, point: &str, status: &str, took: Duration) {
        let labels = vec![
            ("extension_point".to_string(), point.to_string()),
            ("profile".to_string(), profile.to_string()),
            ("status".to_string(), status.to_string()),
        ];
        self.extension_points
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn pending(&self, active: usize, backoff: usize, unschedulable: usize) {
        for (queue, count) in [
            ("active", active),
            ("backoff", backoff),
            ("unschedulable", unschedulable),
            ("gated", 0),
        ] {
            self.pending
                .get_or_create(&vec![("queue".to_string(), queue.to_string())])
                .set(count as i64);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_exposed_with_upstream_names() {
        let metrics = Metrics::new();
        metrics.attempt("default-scheduler", "scheduled", Duration::from_millis(3));
        metrics.pending(1, 2, 3);
        let text = metrics.render();
        assert!(text.contains(
            "scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 1"
        ));
        assert!(text.contains("scheduler_pending_pods{queue=\"unschedulable\"} 3"));
        assert!(text.contains("scheduler_scheduling_attempt_duration_seconds_bucket{"));
    }
}
