//! Scenario `kubelet`: pod startup latency — a pod's create to a watcher
//! seeing it Running and Ready — with the API server, scheduler,
//! controller manager and kubelets in this process (each a real client
//! over HTTPS, as in `rudder server`).
//!
//! Cases: `process/<n>-pods` creates `--process-pods` busybox pods at
//! `--rate` pods/s on one kubelet with the process runtime (real processes
//! in network namespaces; needs root and busybox); `simulated/<n>-pods-<m>-nodes`
//! creates `--simulated-pods` pods as fast as 16 clients can over
//! `--simulated-nodes` simulated nodes; `simulated/rss` runs
//! `--scale-nodes` simulated nodes with `--scale-pods` pods and reports
//! the process's resident memory before the nodes started and once every
//! pod is Ready.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, PostParams};
use kube::runtime::{WatchStreamExt, watcher};

use crate::report::{figure, millis, quantile};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 100)]
    process_pods: usize,
    /// Pods created per second on the process runtime.
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    #[arg(long, default_value_t = 3_000)]
    simulated_pods: usize,
    #[arg(long, default_value_t = 100)]
    simulated_nodes: usize,
    #[arg(long, default_value_t = 1_000)]
    scale_nodes: usize,
    #[arg(long, default_value_t = 30_000)]
    scale_pods: usize,
    /// Leave out cases: any of process, simulated, rss.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub(crate) struct Cluster {
    pub(crate) server: apiserver::ApiServer,
    pub(crate) admin: kube::Client,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

pub(crate) async fn cluster() -> Result<Cluster, BoxError> {
    let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
    let server = crate::apiserver_scenario::start_sqlite_server(dir.path()).await?;
    let admin = crate::apiserver_scenario::client(&server.kubeconfig).await?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let scheduler = crate::apiserver_scenario::client(
        &server.component_kubeconfig("scheduler", "system:kube-scheduler")?,
    )
    .await?;
    let manager_kubeconfig = server.controller_manager_kubeconfig()?;
    let manager = crate::apiserver_scenario::client(&manager_kubeconfig).await?;
    let credentials = controllers::credentials::Credentials::service_accounts(
        &manager_kubeconfig,
        manager_kubeconfig.with_file_name("controller-manager-tokens"),
    )
    .await?;
    let tasks = vec![
        tokio::spawn(scheduler::run(
            scheduler,
            Default::default(),
            stopping.clone(),
        )),
        tokio::spawn(controllers::run(
            manager,
            controllers::ControllerManagerOptions {
                cluster_cidr: controllers::nodeipam::CidrSet::new("10.0.0.0/8", 24).ok(),
                credentials,
                ..Default::default()
            },
            stopping,
        )),
    ];
    Ok(Cluster {
        server,
        admin,
        stop,
        tasks,
        _dir: dir,
    })
}

impl Cluster {
    pub(crate) async fn node_client(&self, name: &str) -> Result<kube::Client, BoxError> {
        crate::apiserver_scenario::client(&self.server.node_kubeconfig(name)?).await
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        self.server.stop().await;
    }
}

fn ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Watches pods and records when each was first seen Ready.
fn watch_ready(
    admin: &kube::Client,
) -> (
    Arc<Mutex<HashMap<String, Instant>>>,
    tokio::task::JoinHandle<()>,
) {
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let pods: Api<Pod> = Api::namespaced(admin.clone(), "default");
    let task = tokio::spawn({
        let seen = seen.clone();
        async move {
            let mut stream = watcher(pods, watcher::Config::default())
                .default_backoff()
                .applied_objects()
                .boxed();
            while let Ok(Some(pod)) = stream.try_next().await {
                if ready(&pod)
                    && let (Some(name), Ok(mut seen)) = (pod.metadata.name.clone(), seen.lock())
                {
                    seen.entry(name).or_insert_with(Instant::now);
                }
            }
        }
    });
    (seen, task)
}

fn pod(name: &str, command: &[&str]) -> Result<Pod, BoxError> {
    Ok(serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "bench"}},
        "spec": {
            "terminationGracePeriodSeconds": 1,
            "containers": [{"name": "app", "image": "busybox", "command": command,
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]},
    }))?)
}

/// Creates `count` pods (`rate` per second, or 16 at a time as fast as
/// possible) and waits until each is Ready; returns each pod's latency.
async fn start_pods(
    admin: &kube::Client,
    count: usize,
    rate: Option<f64>,
    command: &[&str],
) -> Result<(Vec<Duration>, Duration), BoxError> {
    let (seen, watch) = watch_ready(admin);
    let pods: Api<Pod> = Api::namespaced(admin.clone(), "default");
    let created: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let began = Instant::now();
    match rate {
        Some(rate) => {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            for index in 0..count {
                tick.tick().await;
                let name = format!("bench-{index}");
                let at = Instant::now();
                pods.create(&PostParams::default(), &pod(&name, command)?)
                    .await?;
                created.lock().map_err(|_| "poisoned")?.insert(name, at);
            }
        }
        None => {
            let names: Vec<String> = (0..count).map(|i| format!("bench-{i}")).collect();
            let results = futures::stream::iter(names)
                .map(|name| {
                    let (pods, created) = (pods.clone(), created.clone());
                    async move {
                        let at = Instant::now();
                        pods.create(&PostParams::default(), &pod(&name, command)?)
                            .await?;
                        created.lock().map_err(|_| "poisoned")?.insert(name, at);
                        Ok::<(), BoxError>(())
                    }
                })
                .buffer_unordered(16)
                .collect::<Vec<_>>()
                .await;
            for result in results {
                result?;
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        if seen.lock().map_err(|_| "poisoned")?.len() >= count {
            break;
        }
        if Instant::now() > deadline {
            return Err("timed out waiting for the pods to be Ready".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = began.elapsed();
    watch.abort();
    let seen = seen.lock().map_err(|_| "poisoned")?;
    let created = created.lock().map_err(|_| "poisoned")?;
    let latencies = created
        .iter()
        .filter_map(|(name, at)| {
            seen.get(name)
                .map(|ready| ready.saturating_duration_since(*at))
        })
        .collect();
    Ok((latencies, elapsed))
}

fn report(case: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    let count = latencies.len();
    for (metric, q) in [("startup_p50_ms", 0.5), ("startup_p99_ms", 0.99)] {
        if let Some(value) = quantile(&mut latencies, q) {
            figure("kubelet", case, metric, millis(value), "ms");
        }
    }
    figure(
        "kubelet",
        case,
        "pods_per_s",
        count as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmRSS:")
                    .map(|v| v.trim().trim_end_matches("kB").trim().to_string())
            })
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn busybox() -> Option<&'static str> {
    ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

pub async fn run(args: Args) -> Result<(), BoxError> {
    if !args.skip.iter().any(|s| s == "process") {
        let busybox =
            busybox().ok_or("the process case needs busybox (Debian's busybox-static)")?;
        let cluster = cluster().await?;
        let client = cluster.node_client("bench-node").await?;
        let root = tempfile::Builder::new()
            .prefix("rudder-bench-kubelet-")
            .tempdir()?;
        let mut options = kubelet::KubeletOptions::new("bench-node", root.path().to_path_buf());
        options.pod_cidr = Some("10.89.0.0/24".into());
        options.bridge = kubelet::BridgeConfig {
            name: "rbench0".into(),
            ..Default::default()
        };
        options.node_ip = Some([127, 0, 0, 1].into());
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let node = tokio::spawn(kubelet::run(client, options, stopping));
        // Pod startup is measured on a Ready node (its network set up), as
        // upstream's SLO is.
        wait_nodes(&cluster.admin, 1).await?;
        let (latencies, elapsed) = start_pods(
            &cluster.admin,
            args.process_pods,
            Some(args.rate),
            &[busybox, "sleep", "3600"],
        )
        .await?;
        report(
            &format!("process/{}-pods", args.process_pods),
            latencies,
            elapsed,
        );
        let _ = stop.send(true);
        let _ = node.await;
        let _ = std::process::Command::new("ip")
            .args(["link", "del", "dev", "rbench0"])
            .output();
        cluster.stop().await;
    }
    if !args.skip.iter().any(|s| s == "simulated") {
        let cluster = cluster().await?;
        let client = cluster.node_client("sim").await?;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let mut nodes = kubelet::SimulatedNodes::new(args.simulated_nodes);
        nodes.prefix = "sim".into();
        let fleet = tokio::spawn(kubelet::run_simulated(client, nodes, stopping));
        wait_nodes(&cluster.admin, args.simulated_nodes).await?;
        let (latencies, elapsed) =
            start_pods(&cluster.admin, args.simulated_pods, None, &["sleep"]).await?;
        report(
            &format!(
                "simulated/{}-pods-{}-nodes",
                args.simulated_pods, args.simulated_nodes
            ),
            latencies,
            elapsed,
        );
        let _ = stop.send(true);
        let _ = fleet.await;
        cluster.stop().await;
    }
    if !args.skip.iter().any(|s| s == "rss") {
        let cluster = cluster().await?;
        let client = cluster.node_client("sim").await?;
        let before = rss_mb();
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let mut nodes = kubelet::SimulatedNodes::new(args.scale_nodes);
        nodes.prefix = "sim".into();
        let fleet = tokio::spawn(kubelet::run_simulated(client, nodes, stopping));
        wait_nodes(&cluster.admin, args.scale_nodes).await?;
        let (latencies, elapsed) =
            start_pods(&cluster.admin, args.scale_pods, None, &["sleep"]).await?;
        let case = format!(
            "simulated/{}-pods-{}-nodes",
            args.scale_pods, args.scale_nodes
        );
        report(&case, latencies, elapsed);
        figure("kubelet", &case, "rss_before_nodes_mb", before, "MB");
        figure("kubelet", &case, "rss_mb", rss_mb(), "MB");
        let _ = stop.send(true);
        let _ = fleet.await;
        cluster.stop().await;
    }
    Ok(())
}

/// Waits until `count` nodes have pod CIDRs and are Ready.
pub(crate) async fn wait_nodes(admin: &kube::Client, count: usize) -> Result<(), BoxError> {
    let nodes: Api<k8s_openapi::api::core::v1::Node> = Api::all(admin.clone());
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let list = nodes.list(&Default::default()).await?;
        let ready = list
            .items
            .iter()
            .filter(|n| {
                n.spec.as_ref().and_then(|s| s.pod_cidr.as_ref()).is_some()
                    && n.status
                        .as_ref()
                        .and_then(|s| s.conditions.as_ref())
                        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
            .count();
        if ready >= count {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("only {ready} of {count} nodes Ready").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
