//! Scenario `scheduler`: the scheduler and the API server in this process
//! (the scheduler a real client over HTTPS, as in `rudder server`), 1,000
//! Node objects, then 10,000 pods created by 32 clients, in four mixes:
//! plain pods, pods whose requests fill the nodes, pods with required node
//! affinity, pods with preferred pod anti-affinity.
//!
//! Figures per mix: `pods_per_s` (from the first create to the last pod
//! seen bound, through a watch), `bound_p50_ms`/`bound_p99_ms` (each pod's
//! create to its binding), and `attempt_p50_ms`/`attempt_p99_ms` from the
//! scheduler's own `scheduler_scheduling_attempt_duration_seconds`
//! histogram (interpolated within buckets, as Prometheus does).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;

use crate::report::{figure, millis, quantile};

#[derive(clap::Args)]
pub struct Args {
    /// Node objects.
    #[arg(long, default_value_t = 1_000)]
    nodes: usize,
    /// Pods per mix.
    #[arg(long, default_value_t = 10_000)]
    pods: usize,
    /// Concurrent clients creating them.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Mixes to run.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "plain,resources,node-affinity,pod-anti-affinity"
    )]
    mixes: Vec<String>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub async fn run(args: Args) -> Result<(), BoxError> {
    for mix in &args.mixes {
        if !["plain", "resources", "node-affinity", "pod-anti-affinity"].contains(&mix.as_str()) {
            return Err(format!("unknown mix {mix:?}").into());
        }
        measure(mix, &args).await?;
    }
    Ok(())
}

fn node(i: usize) -> Result<Node, BoxError> {
    let name = format!("node-{i:04}");
    let zone = format!("zone-{}", i % 4);
    Ok(serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
            "topology.kubernetes.io/zone": zone, "kubernetes.io/os": "linux"}},
        "status": {"capacity": {"cpu": "32", "memory": "128Gi", "pods": "110"},
                   "allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"}}}))?)
}

fn pod(mix: &str, i: usize) -> Result<Pod, BoxError> {
    let app = format!("app-{}", i % 100);
    let mut spec = json!({"containers": [{"name": "app", "image": "registry.example/app:1.0"}]});
    match mix {
        // About a dozen per node by cpu, so nodes fill as pods arrive.
        "resources" => {
            spec["containers"][0]["resources"] =
                json!({"requests": {"cpu": "2500m", "memory": "8Gi"}});
        }
        "node-affinity" => {
            spec["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                {"nodeSelectorTerms": [{"matchExpressions": [{"key": "topology.kubernetes.io/zone",
                    "operator": "In", "values": ["zone-0", "zone-1"]}]}]}}});
        }
        "pod-anti-affinity" => {
            spec["affinity"] = json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": app}},
                    "topologyKey": "kubernetes.io/hostname"}}]}});
        }
        _ => {}
    }
    Ok(serde_json::from_value(json!({
        "metadata": {"name": format!("pod-{i:05}"), "labels": {"app": app}},
        "spec": spec,
    }))?)
}

async fn measure(mix: &str, args: &Args) -> Result<(), BoxError> {
    let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
    let server = crate::apiserver_scenario::start_sqlite_server(dir.path()).await?;
    let admin = crate::apiserver_scenario::client(&server.kubeconfig).await?;

    let nodes: Api<Node> = Api::all(admin.clone());
    let mut creates = futures::stream::iter(0..args.nodes)
        .map(|i| {
            let nodes = nodes.clone();
            async move {
                nodes
                    .create(&PostParams::default(), &node(i)?)
                    .await
                    .map_err(BoxError::from)
            }
        })
        .buffer_unordered(args.clients);
    while let Some(created) = creates.next().await {
        created?;
    }

    let scheduler_kubeconfig = server.component_kubeconfig("scheduler", "system:kube-scheduler")?;
    let metrics = Arc::new(scheduler::Metrics::new());
    let options = scheduler::SchedulerOptions {
        metrics: metrics.clone(),
        ..Default::default()
    };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let scheduler_task = tokio::spawn(scheduler::run(
        crate::apiserver_scenario::client(&scheduler_kubeconfig).await?,
        options,
        stopping,
    ));

    // Bindings as a watch shows them.
    let pods: Api<Pod> = Api::namespaced(admin.clone(), "default");
    let (bound_tx, mut bound_rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    let watch = tokio::spawn({
        let pods = pods.clone();
        async move {
            let mut stream = watcher(pods, watcher::Config::default())
                .default_backoff()
                .applied_objects()
                .boxed();
            while let Ok(Some(pod)) = stream.try_next().await {
                if pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_ref())
                    .is_some()
                {
                    let name = pod.metadata.name.unwrap_or_default();
                    if bound_tx.send((name, Instant::now())).is_err() {
                        return;
                    }
                }
            }
        }
    });

    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let client = crate::apiserver_scenario::client(&server.kubeconfig).await?;
        let (total, clients, mix) = (args.pods, args.clients, mix.to_string());
        tasks.push(tokio::spawn(async move {
            let api: Api<Pod> = Api::namespaced(client, "default");
            let mut created = Vec::new();
            for i in (c..total).step_by(clients) {
                let pod = pod(&mix, i)?;
                let name = pod.metadata.name.clone().unwrap_or_default();
                let at = Instant::now();
                api.create(&PostParams::default(), &pod).await?;
                created.push((name, at));
            }
            Ok::<_, BoxError>(created)
        }));
    }
    let mut created_at = HashMap::new();
    for task in tasks {
        created_at.extend(task.await??);
    }
    let mut bound_at: HashMap<String, Instant> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(600);
    while bound_at.len() < args.pods {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, bound_rx.recv()).await {
            Ok(Some((name, at))) => {
                bound_at.entry(name).or_insert(at);
            }
            _ => {
                return Err(
                    format!("{mix}: only {} of {} pods bound", bound_at.len(), args.pods).into(),
                );
            }
        }
    }
    let last = bound_at.values().max().copied().unwrap_or(started);
    let case = format!("{mix}/{}-nodes/{}-pods", args.nodes, args.pods);
    figure(
        "scheduler",
        &case,
        "pods_per_s",
        args.pods as f64 / last.duration_since(started).as_secs_f64(),
        "1/s",
    );
    let mut latencies: Vec<Duration> = bound_at
        .iter()
        .filter_map(|(name, at)| Some(at.saturating_duration_since(*created_at.get(name)?)))
        .collect();
    for (q, metric) in [(0.5, "bound_p50_ms"), (0.99, "bound_p99_ms")] {
        if let Some(value) = quantile(&mut latencies, q) {
            figure("scheduler", &case, metric, millis(value), "ms");
        }
    }
    let text = metrics.render();
    for (q, metric) in [(0.5, "attempt_p50_ms"), (0.99, "attempt_p99_ms")] {
        if let Some(seconds) = histogram_quantile(
            &text,
            "scheduler_scheduling_attempt_duration_seconds",
            "result=\"scheduled\"",
            q,
        ) {
            figure("scheduler", &case, metric, seconds * 1000.0, "ms");
        }
    }
    let _ = stop.send(true);
    let _ = scheduler_task.await;
    watch.abort();
    drop(server);
    Ok(())
}

/// The `q` quantile of a Prometheus histogram in text form, interpolated
/// linearly within the bucket that holds it.
fn histogram_quantile(text: &str, name: &str, labels: &str, q: f64) -> Option<f64> {
    let prefix = format!("{name}_bucket{{");
    let mut buckets: Vec<(f64, f64)> = text
        .lines()
        .filter(|l| l.starts_with(&prefix) && l.contains(labels))
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?;
            let bound = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            let count: f64 = l.rsplit(' ').next()?.parse().ok()?;
            Some((bound, count))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = buckets.last()?.1;
    if total == 0.0 {
        return None;
    }
    let rank = q * total;
    let mut lower = (0.0, 0.0);
    for (bound, count) in buckets {
        if count >= rank {
            if bound.is_infinite() {
                return Some(lower.0);
            }
            let within = (rank - lower.1) / (count - lower.1).max(f64::MIN_POSITIVE);
            return Some(lower.0 + (bound - lower.0) * within);
        }
        lower = (bound, count);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::histogram_quantile;

    #[test]
    fn quantiles_interpolate_within_buckets() {
        let text = "h_bucket{r=\"a\",le=\"0.001\"} 0\nh_bucket{r=\"a\",le=\"0.002\"} 50\nh_bucket{r=\"a\",le=\"0.004\"} 100\nh_bucket{r=\"a\",le=\"+Inf\"} 100\n";
        let p50 = histogram_quantile(text, "h", "r=\"a\"", 0.5).unwrap();
        assert!((p50 - 0.002).abs() < 1e-9);
        let p75 = histogram_quantile(text, "h", "r=\"a\"", 0.75).unwrap();
        assert!((p75 - 0.003).abs() < 1e-9);
    }
}
