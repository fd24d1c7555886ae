//! The kubelet's metrics, under upstream's names.

use std::sync::atomic::{AtomicI64, Ordering};

use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;

fn worker_histogram() -> Histogram {
    // Upstream's default buckets.
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

pub struct Metrics {
    pub pod_start: Histogram,
    /// One pass of a pod worker, by operation_type (create, update, kill).
    pub pod_worker: Family<Labels, Histogram, fn() -> Histogram>,
    pub running_pods: AtomicI64,
    pub running_containers: AtomicI64,
    registry: std::sync::Mutex<Registry>,
}

impl Default for Metrics {
    fn default() -> Self {
        let pod_start = Histogram::new([
            0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 20.0, 30.0, 45.0, 60.0, 120.0,
        ]);
        let mut registry = Registry::default();
        registry.register(
            "kubelet_pod_start_duration_seconds",
            "Duration in seconds from the kubelet seeing a pod for the first time to the pod starting to run",
            pod_start.clone(),
        );
        let pod_worker: Family<Labels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(worker_histogram);
        registry.register(
            "kubelet_pod_worker_duration_seconds",
            "Duration in seconds to sync a single pod. Broken down by operation type: create, update, or sync",
            pod_worker.clone(),
        );
        Metrics {
            pod_start,
            pod_worker,
            running_pods: AtomicI64::new(0),
            running_containers: AtomicI64::new(0),
            registry: std::sync::Mutex::new(registry),
        }
    }
}

impl Metrics {
    pub fn observe_pod_start(&self, seconds: f64) {
        self.pod_start.observe(seconds);
    }

    /// A pod worker's pass of `operation` took `seconds`.
    pub fn observe_pod_worker(&self, operation: &str, seconds: f64) {
        self.pod_worker
            .get_or_create(&vec![("operation_type".to_string(), operation.to_string())])
            .observe(seconds);
    }

    pub fn pod_started(&self) {
        self.running_pods.fetch_add(1, Ordering::Relaxed);
    }

    pub fn pod_stopped(&self) {
        self.running_pods.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn container_started(&self) {
        self.running_containers.fetch_add(1, Ordering::Relaxed);
    }

    pub fn container_stopped(&self) {
        self.running_containers.fetch_sub(1, Ordering::Relaxed);
    }

    /// OpenMetrics (see `serving::metrics::exposition` for the scraper's
    /// format).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(registry) = self.registry.lock() {
            let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        }
        let pods = self.running_pods.load(Ordering::Relaxed);
        let containers = self.running_containers.load(Ordering::Relaxed);
        // The gauges kept outside the registry go before the end marker.
        if let Some(body) = out.strip_suffix("# EOF\n") {
            out = body.to_string();
        }
        out.push_str(&format!(
            "# HELP kubelet_running_pods Number of pods that have a running pod sandbox\n# TYPE kubelet_running_pods gauge\nkubelet_running_pods {pods}\n"
        ));
        out.push_str(&format!(
            "# HELP kubelet_running_containers Number of containers currently running\n# TYPE kubelet_running_containers gauge\nkubelet_running_containers{{container_state=\"running\"}} {containers}\n"
        ));
        out.push_str("# EOF\n");
        out
    }
}
