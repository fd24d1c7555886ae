//! The proxy's `/metrics` (kube-proxy's names) and `/healthz`: healthy
//! once a sync has succeeded and no change has waited for one longer than
//! twice the sync period.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TableLabel {
    pub table: String,
}

pub struct Metrics {
    pub sync_duration: Histogram,
    pub full_sync_duration: Histogram,
    pub partial_sync_duration: Histogram,
    pub last_sync_timestamp: Gauge<f64, std::sync::atomic::AtomicU64>,
    pub rules: Family<TableLabel, Gauge>,
    pub sync_failures: Counter,
    registry: Registry,
}

impl Metrics {
    pub fn new(mode: crate::Mode) -> Metrics {
        let buckets = || Histogram::new(exponential_buckets(0.001, 2.0, 15));
        let metrics = Metrics {
            sync_duration: buckets(),
            full_sync_duration: buckets(),
            partial_sync_duration: buckets(),
            last_sync_timestamp: Gauge::default(),
            rules: Family::default(),
            sync_failures: Counter::default(),
            registry: Registry::default(),
        };
        let mut registry = Registry::default();
        registry.register(
            "kubeproxy_sync_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds",
            metrics.sync_duration.clone(),
        );
        registry.register(
            "kubeproxy_sync_full_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for full resyncs",
            metrics.full_sync_duration.clone(),
        );
        registry.register(
            "kubeproxy_sync_partial_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for partial resyncs",
            metrics.partial_sync_duration.clone(),
        );
        registry.register(
            "kubeproxy_sync_proxy_rules_last_timestamp_seconds",
            "The last time proxy rules were successfully synced",
            metrics.last_sync_timestamp.clone(),
        );
        let (rules_name, failures_name) = match mode {
            crate::Mode::Iptables => (
                "kubeproxy_sync_proxy_rules_iptables",
                "kubeproxy_sync_proxy_rules_iptables_restore_failures",
            ),
            crate::Mode::Nftables => (
                "kubeproxy_sync_proxy_rules_nftables",
                "kubeproxy_sync_proxy_rules_nftables_sync_failures",
            ),
        };
        registry.register(
            format!("{rules_name}_total"),
            "Total number of proxy rules programmed, by table",
            metrics.rules.clone(),
        );
        registry.register(
            failures_name,
            "Cumulative proxy rules sync failures",
            metrics.sync_failures.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// OpenMetrics (see `serving::metrics::exposition` for the scraper's
    /// format).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[derive(Default)]
struct HealthState {
    last_success: Option<(Instant, SystemTime)>,
    pending_since: Option<Instant>,
}

/// What `/healthz` answers from, shared by the sync loop and the server.
#[derive(Clone)]
pub struct Health {
    state: Arc<Mutex<HealthState>>,
    limit: Duration,
}

impl Health {
    pub fn new(sync_period: Duration) -> Health {
        Health {
            state: Arc::default(),
            limit: sync_period * 2,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, HealthState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A change arrived that a sync must write.
    pub fn queued(&self) {
        let mut state = self.state();
        state.pending_since.get_or_insert_with(Instant::now);
    }

    /// A sync wrote everything queued before `started`.
    pub fn synced(&self, started: Instant) {
        let mut state = self.state();
        state.last_success = Some((Instant::now(), SystemTime::now()));
        if state.pending_since.is_some_and(|p| p <= started) {
            state.pending_since = None;
        }
    }

    /// Whether the proxy is keeping up, and the JSON upstream answers.
    pub fn report(&self) -> (bool, String) {
        let state = self.state();
        let healthy = state.last_success.is_some()
            && state
                .pending_since
                .is_none_or(|p| p.elapsed() <= self.limit);
        let rfc3339 = |t: SystemTime| -> String {
            chrono::DateTime::<chrono::Utc>::from(t)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        let last = state
            .last_success
            .map(|(_, wall)| rfc3339(wall))
            .unwrap_or_default();
        let body = serde_json::json!({
            "lastUpdated": last,
            "currentTime": rfc3339(SystemTime::now()),
            "nodeEligible": true,
        });
        (healthy, body.to_string())
    }
}

/// Serves `/healthz`, `/livez` and `/metrics` on `address` until shutdown.
pub async fn serve(
    address: SocketAddr,
    health: Health,
    metrics: Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    use axum::http::StatusCode;
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let health_route = move || {
        let health = health.clone();
        move || {
            let health = health.clone();
            async move {
                let (healthy, body) = health.report();
                let status = if healthy {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                };
                (status, [("content-type", "application/json")], body)
            }
        }
    };
    let app = axum::Router::new()
        .route("/healthz", get(health_route()))
        .route("/livez", get(health_route()))
        .route(
            "/metrics",
            get(move |headers: axum::http::HeaderMap| {
                let metrics = metrics.clone();
                async move { scrape(metrics.render(), &headers) }
            }),
        );
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|s| *s).await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// A `/metrics` answer in the format the scraper asks for.
pub fn scrape(
    openmetrics: String,
    headers: &axum::http::HeaderMap,
) -> ([(&'static str, &'static str); 1], String) {
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|a| a.to_str().ok());
    let (body, content_type) = serving::metrics::exposition(openmetrics, accept);
    ([("content-type", content_type)], body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_needs_a_sync_and_no_stale_change() {
        let health = Health::new(Duration::from_secs(30));
        assert!(!health.report().0);
        let started = Instant::now();
        health.queued();
        health.synced(started + Duration::from_millis(1));
        assert!(health.report().0);
    }
}
