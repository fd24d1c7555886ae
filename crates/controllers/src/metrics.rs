//! The controller manager's metrics, with client-go's workqueue names:
//! depth, adds, retries, time queued and time worked, per queue (one queue
//! per controller, named as upstream's).

use std::sync::Arc;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

fn seconds_histogram() -> Histogram {
    // 10 µs growing tenfold to ~100 s, as client-go's workqueue metrics.
    Histogram::new(exponential_buckets(0.00001, 10.0, 8))
}

pub struct Metrics {
    registry: Arc<Registry>,
    depth: Family<Labels, Gauge>,
    adds: Family<Labels, Counter>,
    retries: Family<Labels, Counter>,
    queue_duration: Histograms,
    work_duration: Histograms,
}

/// One queue's series.
#[derive(Clone)]
pub struct QueueMetrics {
    pub depth: Gauge,
    pub adds: Counter,
    pub retries: Counter,
    pub queue_duration: Histogram,
    pub work_duration: Histogram,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let depth = Family::<Labels, Gauge>::default();
        let adds = Family::<Labels, Counter>::default();
        let retries = Family::<Labels, Counter>::default();
        let queue_duration: Histograms = Family::new_with_constructor(seconds_histogram);
        let work_duration: Histograms = Family::new_with_constructor(seconds_histogram);
        registry.register(
            "workqueue_depth",
            "Current depth of workqueue",
            depth.clone(),
        );
        registry.register(
            "workqueue_adds",
            "Total number of adds handled by workqueue",
            adds.clone(),
        );
        registry.register(
            "workqueue_retries",
            "Total number of retries handled by workqueue",
            retries.clone(),
        );
        registry.register(
            "workqueue_queue_duration_seconds",
            "How long in seconds an item stays in workqueue before being requested.",
            queue_duration.clone(),
        );
        registry.register(
            "workqueue_work_duration_seconds",
            "How long in seconds processing an item from workqueue takes.",
            work_duration.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            depth,
            adds,
            retries,
            queue_duration,
            work_duration,
        }
    }

    /// The series of the queue `name`.
    pub fn queue(&self, name: &str) -> QueueMetrics {
        let labels = vec![("name".to_string(), name.to_string())];
        QueueMetrics {
            depth: self.depth.get_or_create(&labels).clone(),
            adds: self.adds.get_or_create(&labels).clone(),
            retries: self.retries.get_or_create(&labels).clone(),
            queue_duration: self.queue_duration.get_or_create(&labels).clone(),
            work_duration: self.work_duration.get_or_create(&labels).clone(),
        }
    }

    /// Prometheus text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
