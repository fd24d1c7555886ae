//! The kubelet: the node agent. It registers its node, reports the node's
//! status and renews its Lease, and runs the pods bound to it — one worker
//! per pod over a CRI-shaped runtime (`runtime::process` for real
//! processes in their own namespaces, `runtime::simulated` for nodes
//! without processes) — reporting each pod's status back.
//!
//! `run` is one node on this machine; `run_simulated` is many simulated
//! nodes in this process (for scale tests and demos, as kwok does).

pub mod authenticator;
pub mod authorizer;
pub mod certificate;
pub mod dns;
pub mod env;
pub mod eviction;
pub mod local_path;
pub mod logs;
pub mod machine;
pub mod metrics;
pub mod node;
mod pods;
pub mod probes;
pub mod runtime;
pub mod security_context;
pub mod server;
pub mod static_pods;
pub mod stats;
pub mod status;
pub mod streaming;
mod tokens;
pub mod volumes;
mod worker;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Taint;
use tokio::sync::watch;

pub use node::NodeConfig;
pub use runtime::process::BridgeConfig;
pub use runtime::simulated::SimulatedTiming;

use runtime::Runtime;

/// Which runtime the node's pods run on.
#[derive(Clone, Debug)]
pub enum RuntimeChoice {
    Process,
    Simulated(SimulatedTiming),
}

/// One kubelet on this machine.
#[derive(Clone, Debug)]
pub struct KubeletOptions {
    pub node_name: String,
    /// The node's InternalIP (else the source address of the default route).
    pub node_ip: Option<IpAddr>,
    pub node_labels: BTreeMap<String, String>,
    pub register_with_taints: Vec<Taint>,
    /// `<root>/pods` holds volumes, `<root>/logs` container logs.
    pub root_dir: PathBuf,
    /// Container logs (default `<root>/logs`, as /var/log/pods).
    pub pod_logs_dir: Option<PathBuf>,
    /// A fixed pod CIDR; else the node IPAM controller's.
    pub pod_cidr: Option<String>,
    pub bridge: BridgeConfig,
    pub runtime: RuntimeChoice,
    pub lease_duration_seconds: i32,
    pub status_update_frequency: Duration,
    pub status_report_frequency: Duration,
    /// A directory of static pod manifests (`--pod-manifest-path`).
    pub pod_manifest_path: Option<PathBuf>,
    /// How often that directory is read (20 s).
    pub file_check_frequency: Duration,
    /// The kubelet's server (logs, metrics, health); none: not served.
    pub server: Option<server::ServerOptions>,
    /// `--eviction-hard`: pods are evicted under these.
    pub eviction_hard: machine::Thresholds,
    /// `--system-reserved` plus `--kube-reserved`, kept from pods.
    pub reserved: machine::Reserved,
    /// How often the eviction manager measures (10 s).
    pub eviction_monitoring_period: Duration,
    /// The cluster DNS pods are pointed at (`--cluster-dns`,
    /// `--cluster-domain`, `--resolv-conf`).
    pub cluster_dns: dns::ClusterDns,
    /// The pods go on running when the kubelet stops, for the next kubelet
    /// on this root directory to adopt (as upstream's containers outlive
    /// their kubelet); else they are stopped with it.
    pub keep_pods_on_exit: bool,
}

impl KubeletOptions {
    pub fn new(node_name: &str, root_dir: PathBuf) -> KubeletOptions {
        KubeletOptions {
            node_name: node_name.to_string(),
            node_ip: None,
            node_labels: BTreeMap::new(),
            register_with_taints: Vec::new(),
            root_dir,
            pod_logs_dir: None,
            pod_cidr: None,
            bridge: BridgeConfig::default(),
            runtime: RuntimeChoice::Process,
            lease_duration_seconds: 40,
            status_update_frequency: Duration::from_secs(10),
            status_report_frequency: Duration::from_secs(300),
            pod_manifest_path: None,
            file_check_frequency: Duration::from_secs(20),
            server: None,
            eviction_hard: machine::Thresholds::default(),
            reserved: machine::Reserved::default(),
            eviction_monitoring_period: Duration::from_secs(10),
            cluster_dns: dns::ClusterDns::default(),
            keep_pods_on_exit: false,
        }
    }
}

/// Many simulated nodes in one process.
#[derive(Clone, Debug)]
pub struct SimulatedNodes {
    pub count: usize,
    /// Nodes are `<prefix>-1` .. `<prefix>-N`.
    pub prefix: String,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub pods: u32,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub timing: SimulatedTiming,
    /// The address every simulated node reports.
    pub address: IpAddr,
    pub lease_duration_seconds: i32,
    pub status_update_frequency: Duration,
}

impl SimulatedNodes {
    pub fn new(count: usize) -> SimulatedNodes {
        SimulatedNodes {
            count,
            prefix: "rudder-sim".into(),
            cpu_millis: 2000,
            memory_bytes: 4 << 30,
            pods: 110,
            labels: BTreeMap::new(),
            taints: Vec::new(),
            timing: SimulatedTiming::default(),
            address: IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            lease_duration_seconds: 40,
            status_update_frequency: Duration::from_secs(10),
        }
    }
}

/// Runs one node until `shutdown`; its pods stop with it.
pub async fn run(client: kube::Client, options: KubeletOptions, shutdown: watch::Receiver<bool>) {
    let address = options
        .node_ip
        .unwrap_or_else(runtime::process::node_address);
    let mut orphans = None;
    let (runtime, simulated, capacity): (Arc<dyn Runtime>, bool, machine::Capacity) = match &options
        .runtime
    {
        RuntimeChoice::Process => {
            let claim = match options.bridge.claim.clone() {
                Some(claim) => claim,
                None => {
                    let bridge = options.bridge.clone();
                    let root = options.root_dir.clone();
                    let taken = tokio::task::spawn_blocking(move || bridge.take(&root))
                        .await
                        .map_err(|e| e.to_string())
                        .and_then(|taken| taken);
                    match taken {
                        Ok(claim) => Arc::new(claim),
                        Err(err) => {
                            tracing::error!("the kubelet cannot start: {err}");
                            return;
                        }
                    }
                }
            };
            let process = runtime::process::ProcessRuntime::new(
                options.bridge.clone(),
                claim,
                address,
                &runtime::process::runtime_state_dir(&options.root_dir),
                options.keep_pods_on_exit,
            );
            orphans =
                runtime::process::host::describe_orphans(&options.bridge.name, process.orphans());
            (
                Arc::new(process),
                false,
                machine::Capacity::of_machine(&options.root_dir),
            )
        }
        RuntimeChoice::Simulated(timing) => (
            Arc::new(runtime::simulated::SimulatedRuntime::new(*timing, address)),
            true,
            machine::Capacity::simulated(2000, 4 << 30, 110),
        ),
    };
    let mut capacity = capacity;
    capacity.reserved = options.reserved;
    capacity.thresholds = options.eviction_hard;
    let mut labels = options.node_labels.clone();
    labels
        .entry("kubernetes.io/hostname".into())
        .or_insert_with(|| options.node_name.clone());
    let config = NodeConfig {
        name: options.node_name.clone(),
        address,
        labels,
        taints: options.register_with_taints.clone(),
        capacity,
        identity: machine::Identity::of_machine(),
        pod_cidr: options.pod_cidr.clone(),
        measure_dir: (!simulated).then(|| options.root_dir.clone()),
        eviction_thresholds: options.eviction_hard,
        lease_duration_seconds: options.lease_duration_seconds,
        status_update_frequency: options.status_update_frequency,
        status_report_frequency: options.status_report_frequency,
        kubelet_port: 0,
    };
    let mut config = config;
    let mut serving = None;
    let live_logs = Arc::new(logs::LiveLogs::default());
    let metrics = Arc::new(metrics::Metrics::default());
    let active_pods: Arc<eviction::ActivePods> = Arc::default();
    let logs_dir = options
        .pod_logs_dir
        .clone()
        .unwrap_or_else(|| options.root_dir.join("logs"));
    if let Some(server_options) = &options.server {
        match tokio::net::TcpListener::bind(server_options.address).await {
            Ok(listener) => {
                config.kubelet_port = listener
                    .local_addr()
                    .map(|a| i32::from(a.port()))
                    .unwrap_or(0);
                let shared = Arc::new(server::Shared {
                    logs_dir: logs_dir.clone(),
                    live_logs: live_logs.clone(),
                    metrics: metrics.clone(),
                    streams: Arc::new(streaming::Streams {
                        pods: active_pods.clone(),
                        runtime: runtime.clone(),
                    }),
                    node_name: options.node_name.clone(),
                    stats: stats::Stats::default(),
                    authorizer: authorizer::KubeletAuthorizer::new(
                        client.clone(),
                        options.node_name.clone(),
                    ),
                    authenticator: authenticator::TokenAuthenticator::new(client.clone()),
                });
                let server_options = server_options.clone();
                let stopping = shutdown.clone();
                serving = Some(tokio::spawn(async move {
                    if let Err(err) =
                        server::serve(listener, server_options, shared, stopping).await
                    {
                        tracing::error!(error = %err, "the kubelet's server");
                    }
                }));
            }
            Err(err) => tracing::error!(
                address = %server_options.address,
                error = %err,
                "cannot listen for the kubelet's server; logs will not be served"
            ),
        }
    }
    let host = Arc::new(worker::Host {
        client: client.clone(),
        node_ip: address,
        runtime: runtime.clone(),
        events: events::EventSink::on_host(client.clone(), "kubelet", &options.node_name),
        pods_dir: options.root_dir.join("pods"),
        logs_dir,
        live_logs,
        active_pods,
        simulated,
        allocatable: config.capacity.allocatable(),
        metrics,
        dns: options.cluster_dns.clone(),
        stopping: shutdown.clone(),
        keep_pods_on_exit: options.keep_pods_on_exit && !simulated,
        pod_manifest_path: options.pod_manifest_path.clone(),
        node_name: options.node_name.clone(),
        tokens: tokens::TokenManager::default(),
        services: (!simulated).then(|| follow_services(client.clone(), shutdown.clone())),
    });
    if let Some(report) = orphans {
        // Recorded as the kubelet records its node's events: in the
        // default namespace, with the node's name for its uid.
        let node = k8s_openapi::api::core::v1::Node {
            metadata: kube::api::ObjectMeta {
                name: Some(options.node_name.clone()),
                uid: Some(options.node_name.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        host.events.warning(&node, "OrphanedSandboxes", report);
    }
    let evictions = (!simulated).then(|| {
        tokio::spawn(eviction::run(
            host.active_pods.clone(),
            runtime.clone(),
            options.root_dir.clone(),
            options.eviction_hard,
            options.eviction_monitoring_period,
            shutdown.clone(),
        ))
    });
    let static_pods = options.pod_manifest_path.clone().map(|dir| {
        tokio::spawn(static_pods::run(
            host.clone(),
            options.node_name.clone(),
            dir,
            options.file_check_frequency,
            shutdown.clone(),
        ))
    });
    let storage = local_path::NodeStorage {
        dir: options.root_dir.join("storage"),
        real: !simulated,
    };
    run_fleet(client, vec![(config, host, storage)], shutdown).await;
    if let Some(task) = static_pods {
        let _ = task.await;
    }
    if let Some(task) = serving {
        let _ = task.await;
    }
    if let Some(task) = evictions {
        let _ = task.await;
    }
    runtime.shutdown().await;
    // Pods that stop with the kubelet take their volumes' mounts with them.
    if !options.keep_pods_on_exit
        && !simulated
        && let Ok(entries) = std::fs::read_dir(options.root_dir.join("pods"))
    {
        for entry in entries.flatten() {
            let uid = entry.file_name().to_string_lossy().into_owned();
            volumes::clean_up(&options.root_dir.join("pods"), &uid);
        }
    }
}

/// Runs `nodes.count` simulated nodes until `shutdown`, all writing with
/// `client`.
pub async fn run_simulated(
    client: kube::Client,
    nodes: SimulatedNodes,
    shutdown: watch::Receiver<bool>,
) {
    let shared = client.clone();
    run_simulated_as(client, move |_| shared.clone(), nodes, shutdown).await
}

/// Runs `nodes.count` simulated nodes until `shutdown`, each node writing
/// its Node, Lease and pods with `client_for(name)` (its own identity, for
/// the Node authorizer), the rest with `client`.
pub async fn run_simulated_as(
    client: kube::Client,
    client_for: impl Fn(&str) -> kube::Client,
    nodes: SimulatedNodes,
    shutdown: watch::Receiver<bool>,
) {
    let events = events::EventSink::on_host(client.clone(), "kubelet", &nodes.prefix);
    let metrics = Arc::new(metrics::Metrics::default());
    let identity = machine::Identity::of_machine();
    let mut fleet = Vec::new();
    for index in 1..=nodes.count {
        let name = format!("{}-{index}", nodes.prefix);
        let runtime: Arc<dyn Runtime> = Arc::new(runtime::simulated::SimulatedRuntime::new(
            nodes.timing,
            nodes.address,
        ));
        let capacity =
            machine::Capacity::simulated(nodes.cpu_millis, nodes.memory_bytes, nodes.pods);
        let mut labels = nodes.labels.clone();
        labels.insert("type".into(), "simulated".into());
        let config = NodeConfig {
            name: name.clone(),
            address: nodes.address,
            labels,
            taints: nodes.taints.clone(),
            capacity: capacity.clone(),
            identity: identity.clone(),
            pod_cidr: None,
            measure_dir: None,
            eviction_thresholds: machine::Thresholds::default(),
            lease_duration_seconds: nodes.lease_duration_seconds,
            status_update_frequency: nodes.status_update_frequency,
            status_report_frequency: Duration::from_secs(300),
            kubelet_port: 0,
        };
        let host = Arc::new(worker::Host {
            client: client_for(&name),
            node_ip: nodes.address,
            runtime,
            events: events.clone(),
            pods_dir: PathBuf::from("/nonexistent"),
            logs_dir: PathBuf::from("/nonexistent"),
            live_logs: Arc::default(),
            active_pods: Arc::default(),
            simulated: true,
            allocatable: capacity.allocatable(),
            metrics: metrics.clone(),
            dns: dns::ClusterDns::default(),
            stopping: shutdown.clone(),
            keep_pods_on_exit: false,
            pod_manifest_path: None,
            node_name: name.clone(),
            tokens: tokens::TokenManager::default(),
            services: None,
        });
        let storage = local_path::NodeStorage {
            dir: PathBuf::from(format!("/simulated/{name}/storage")),
            real: false,
        };
        fleet.push((config, host, storage));
    }
    run_fleet(client, fleet, shutdown).await;
}

async fn run_fleet(
    client: kube::Client,
    fleet: Vec<(NodeConfig, Arc<worker::Host>, local_path::NodeStorage)>,
    shutdown: watch::Receiver<bool>,
) {
    let mut node_senders = HashMap::new();
    let mut hosts = HashMap::new();
    let mut storage = HashMap::new();
    let mut tasks = Vec::new();
    for (config, host, node_storage) in fleet {
        storage.insert(config.name.clone(), node_storage);
        let (sender, receiver) = watch::channel(None);
        node_senders.insert(config.name.clone(), sender);
        hosts.insert(config.name.clone(), host.clone());
        tasks.push(tokio::spawn(node::run(
            host.client.clone(),
            config,
            host.runtime.clone(),
            receiver,
            shutdown.clone(),
        )));
    }
    tasks.push(tokio::spawn(pods::run_nodes(
        client.clone(),
        node_senders,
        shutdown.clone(),
    )));
    tasks.push(tokio::spawn(local_path::run(
        client.clone(),
        storage,
        shutdown.clone(),
    )));
    tasks.push(tokio::spawn(pods::run_pods(client, hosts, shutdown)));
    for task in tasks {
        let _ = task.await;
    }
}

/// Every Service, followed for the containers' service environment
/// variables until `shutdown`.
fn follow_services(
    client: kube::Client,
    mut shutdown: watch::Receiver<bool>,
) -> kube::runtime::reflector::Store<k8s_openapi::api::core::v1::Service> {
    use futures::StreamExt;
    use kube::runtime::WatchStreamExt;
    let (reader, writer) = kube::runtime::reflector::store();
    let api: kube::Api<k8s_openapi::api::core::v1::Service> = kube::Api::all(client);
    let stream = kube::runtime::reflector(
        writer,
        kube::runtime::watcher(api, kube::runtime::watcher::Config::default()),
    )
    .default_backoff();
    tokio::spawn(async move {
        let mut stream = std::pin::pin!(stream);
        loop {
            tokio::select! {
                next = stream.next() => match next {
                    Some(Ok(_)) => {}
                    Some(Err(err)) => tracing::debug!(error = %err, "watching services"),
                    None => return,
                },
                _ = shutdown.changed() => return,
            }
        }
    });
    reader
}
