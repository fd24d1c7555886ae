//! `/metrics` in Prometheus text format, with kube-apiserver's metric
//! names: requests by verb, resource and code, request latency, requests in
//! flight, watchers, objects stored, and store operation latency.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use store::{
    KeyValue, RangeOptions, RangeResult, Result, Revision, SharedStore, Store, WatchStream,
};

type Labels = Vec<(String, String)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms to ~65 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    durations: Histograms,
    inflight: Family<Labels, Gauge>,
    watchers: Family<Labels, Gauge>,
    storage_latency: Histograms,
    storage_objects: Family<Labels, Gauge>,
    cache_lists: Family<Labels, Counter>,
    cache_list_returned: Family<Labels, Counter>,
    webhook_durations: Histograms,
    /// Upstream's `_count` names: gauges, so that no `_total` is added.
    webhook_rejections: Family<Labels, Gauge>,
    webhook_fail_open: Family<Labels, Gauge>,
}

fn webhook_histogram() -> Histogram {
    Histogram::new([0.005, 0.025, 0.1, 0.5, 1.0, 2.5, 10.0, 25.0])
}

/// What a request was, for its metrics.
#[derive(Clone, Debug, Default)]
pub struct RequestLabels {
    pub verb: String,
    pub group: String,
    pub version: String,
    pub resource: String,
    pub subresource: String,
    pub scope: String,
}

impl RequestLabels {
    fn labels(&self) -> Labels {
        vec![
            ("verb".into(), self.verb.clone()),
            ("group".into(), self.group.clone()),
            ("version".into(), self.version.clone()),
            ("resource".into(), self.resource.clone()),
            ("subresource".into(), self.subresource.clone()),
            ("scope".into(), self.scope.clone()),
            ("component".into(), "apiserver".into()),
        ]
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<Labels, Counter>::default();
        let durations: Histograms = Family::new_with_constructor(latency_histogram);
        let inflight = Family::<Labels, Gauge>::default();
        let watchers = Family::<Labels, Gauge>::default();
        let storage_latency: Histograms = Family::new_with_constructor(latency_histogram);
        let storage_objects = Family::<Labels, Gauge>::default();
        let cache_lists = Family::<Labels, Counter>::default();
        let cache_list_returned = Family::<Labels, Counter>::default();
        let webhook_durations: Histograms = Family::new_with_constructor(webhook_histogram);
        let webhook_rejections = Family::<Labels, Gauge>::default();
        let webhook_fail_open = Family::<Labels, Gauge>::default();
        registry.register(
            "apiserver_admission_webhook_admission_duration_seconds",
            "Admission webhook latency histogram in seconds, identified by name and broken out for each operation and API resource and type (validate or admit)",
            webhook_durations.clone(),
        );
        registry.register(
            "apiserver_admission_webhook_rejection_count",
            "Admission webhook rejection count, identified by name and broken out for each admission type (validating or admit) and operation",
            webhook_rejections.clone(),
        );
        registry.register(
            "apiserver_admission_webhook_fail_open_count",
            "Admission webhook fail open count, identified by name and broken out for each admission type (validating or admit)",
            webhook_fail_open.clone(),
        );
        registry.register(
            "apiserver_request",
            "Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code",
            requests.clone(),
        );
        registry.register(
            "apiserver_request_duration_seconds",
            "Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component",
            durations.clone(),
        );
        registry.register(
            "apiserver_current_inflight_requests",
            "Maximal number of currently used inflight request limit of this apiserver per request kind in last second",
            inflight.clone(),
        );
        registry.register(
            "apiserver_registered_watchers",
            "Number of currently registered watchers for a given resources",
            watchers.clone(),
        );
        registry.register(
            "etcd_request_duration_seconds",
            "Etcd request latency in seconds for each operation and object type",
            storage_latency.clone(),
        );
        registry.register(
            "apiserver_storage_objects",
            "Number of stored objects at the time of last check split by kind",
            storage_objects.clone(),
        );
        registry.register(
            "apiserver_cache_list",
            "Number of LIST requests served from watch cache",
            cache_lists.clone(),
        );
        registry.register(
            "apiserver_cache_list_returned_objects",
            "Number of objects returned for a LIST request from watch cache",
            cache_list_returned.clone(),
        );
        Metrics {
            registry,
            requests,
            durations,
            inflight,
            watchers,
            storage_latency,
            storage_objects,
            cache_lists,
            cache_list_returned,
            webhook_durations,
            webhook_rejections,
            webhook_fail_open,
        }
    }

    /// One admission webhook call: how long it took and whether it refused.
    pub fn webhook_call(
        &self,
        name: &str,
        operation: &str,
        kind: &str,
        rejected: bool,
        started: Instant,
    ) {
        let labels = vec![
            ("name".into(), name.to_string()),
            ("operation".into(), operation.to_string()),
            ("rejected".into(), rejected.to_string()),
            ("type".into(), kind.to_string()),
        ];
        self.webhook_durations
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
    }

    /// A write an admission webhook refused (`no_error`: it said no) or
    /// could not be called for (`calling_webhook_error`).
    pub fn webhook_rejection(
        &self,
        name: &str,
        operation: &str,
        kind: &str,
        error_type: &str,
        code: u16,
    ) {
        let labels = vec![
            ("name".into(), name.to_string()),
            ("operation".into(), operation.to_string()),
            ("type".into(), kind.to_string()),
            ("error_type".into(), error_type.to_string()),
            ("rejection_code".into(), code.to_string()),
        ];
        self.webhook_rejections.get_or_create(&labels).inc();
    }

    /// A webhook that could not be called and was skipped (`Ignore`).
    pub fn webhook_fail_open(&self, name: &str, kind: &str) {
        let labels = vec![
            ("name".into(), name.to_string()),
            ("type".into(), kind.to_string()),
        ];
        self.webhook_fail_open.get_or_create(&labels).inc();
    }

    /// A list served from the watch cache, returning `returned` objects.
    pub fn cache_list(&self, group: &str, resource: &str, returned: usize) {
        let labels = vec![
            ("group".to_string(), group.to_string()),
            ("resource".to_string(), resource.to_string()),
            ("index".to_string(), String::new()),
        ];
        self.cache_lists.get_or_create(&labels).inc();
        self.cache_list_returned
            .get_or_create(&labels)
            .inc_by(returned as u64);
    }

    /// Counts a request in flight until the returned guard is dropped.
    pub fn inflight(self: &Arc<Self>, mutating: bool) -> InflightGuard {
        let labels = vec![(
            "request_kind".to_string(),
            if mutating { "mutating" } else { "readOnly" }.to_string(),
        )];
        self.inflight.get_or_create(&labels).inc();
        InflightGuard {
            metrics: self.clone(),
            labels,
        }
    }

    pub fn observe_request(&self, request: &RequestLabels, code: u16, started: Instant) {
        let labels = request.labels();
        self.durations
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
        let mut with_code = labels;
        with_code.push(("code".into(), code.to_string()));
        self.requests.get_or_create(&with_code).inc();
    }

    pub fn watcher(self: &Arc<Self>, group: &str, version: &str, kind: &str) -> WatcherGuard {
        let labels = vec![
            ("group".to_string(), group.to_string()),
            ("version".to_string(), version.to_string()),
            ("kind".to_string(), kind.to_string()),
        ];
        self.watchers.get_or_create(&labels).inc();
        WatcherGuard {
            metrics: self.clone(),
            labels,
        }
    }

    /// The text exposition, after refreshing the object counts from `store`.
    pub async fn render(&self, store: &SharedStore) -> String {
        for info in api::RESOURCES
            .iter()
            .filter(|r| r.stored && r.stored_as.is_none())
        {
            if let Ok(count) = store.count(&info.storage_prefix()).await {
                self.storage_objects
                    .get_or_create(&vec![("resource".to_string(), info.qualified_plural())])
                    .set(count);
            }
        }
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

pub struct InflightGuard {
    metrics: Arc<Metrics>,
    labels: Labels,
}

impl Drop for InflightGuard {
    fn drop(&mut self) {
        self.metrics.inflight.get_or_create(&self.labels).dec();
    }
}

pub struct WatcherGuard {
    metrics: Arc<Metrics>,
    labels: Labels,
}

impl Drop for WatcherGuard {
    fn drop(&mut self) {
        self.metrics.watchers.get_or_create(&self.labels).dec();
    }
}

/// The store, with the latency of every operation measured.
pub struct MeteredStore {
    inner: SharedStore,
    metrics: Arc<Metrics>,
}

impl MeteredStore {
    pub fn wrap(inner: SharedStore, metrics: Arc<Metrics>) -> SharedStore {
        Arc::new(MeteredStore { inner, metrics })
    }

    fn observe(&self, operation: &str, key: &str, started: Instant) {
        // The storage segment names the kind: /registry/<segment>/...
        let kind = key
            .trim_start_matches("/registry/")
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        self.metrics
            .storage_latency
            .get_or_create(&vec![
                ("operation".into(), operation.into()),
                ("type".into(), kind),
            ])
            .observe(started.elapsed().as_secs_f64());
    }
}

#[async_trait]
impl Store for MeteredStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        let started = Instant::now();
        let result = self.inner.get(key).await;
        self.observe("get", key, started);
        result
    }

    async fn range(&self, prefix: &str, options: RangeOptions) -> Result<RangeResult> {
        let started = Instant::now();
        let result = self.inner.range(prefix, options).await;
        self.observe("list", prefix, started);
        result
    }

    async fn count(&self, prefix: &str) -> Result<i64> {
        let started = Instant::now();
        let result = self.inner.count(prefix).await;
        self.observe("count", prefix, started);
        result
    }

    async fn create(&self, key: &str, value: Vec<u8>) -> Result<Revision> {
        let started = Instant::now();
        let result = self.inner.create(key, value).await;
        self.observe("create", key, started);
        result
    }

    async fn update(&self, key: &str, value: Vec<u8>, expected: Revision) -> Result<Revision> {
        let started = Instant::now();
        let result = self.inner.update(key, value, expected).await;
        self.observe("update", key, started);
        result
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<(Revision, KeyValue)> {
        let started = Instant::now();
        let result = self.inner.delete(key, expected).await;
        self.observe("delete", key, started);
        result
    }

    async fn watch(&self, prefix: &str, from_revision: Revision) -> Result<WatchStream> {
        let started = Instant::now();
        let result = self.inner.watch(prefix, from_revision).await;
        self.observe("watch", prefix, started);
        result
    }

    async fn current_revision(&self) -> Result<Revision> {
        self.inner.current_revision().await
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        self.inner.compact(revision).await
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn stale(&self, key: &str) -> store::Result<bool> {
        self.inner.stale(key).await
    }
}
