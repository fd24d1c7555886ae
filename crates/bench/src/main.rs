//! Benchmark scenarios. Each prints one JSON object per line and per figure:
//! `{"scenario":..,"case":..,"metric":..,"value":..,"unit":..}`.

// A benchmark harness: a broken set-up should stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apiserver_limits;
mod apiserver_scenario;
mod cluster_scenario;
mod controllers_scenario;
mod crd_scenario;
mod kubelet_scenario;
mod proxy_scenario;
mod report;
mod scheduler_scenario;
mod store_scenario;
mod streaming_scenario;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bench",
    about = "rudder benchmark scenarios (JSON lines on stdout)"
)]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Store writes/s, write latency and watch delivery latency, SQLite and
    /// a single-member etcd side by side.
    Store(store_scenario::Args),
    /// API server creates, gets, lists and watch delivery over HTTPS with a
    /// real client, on SQLite and on a single-member etcd.
    Apiserver(apiserver_scenario::Args),
    /// Pods scheduled per second and scheduling latency: 1,000 Node
    /// objects, 10,000 pods in four mixes.
    Scheduler(scheduler_scenario::Args),
    /// A Deployment of 1,000 replicas created, made available (pods marked
    /// ready by a kubelet stand-in) and rolled to a new image; a
    /// 100-replica OrderedReady StatefulSet made ready.
    Controllers(controllers_scenario::Args),
    /// Custom resources: 100 CustomResourceDefinitions established (time,
    /// RSS per definition); custom-object creates/s against ConfigMap
    /// creates/s in the same run.
    Crd(crd_scenario::Args),
    /// Pod startup latency (create to Ready, p50/p99): 100 pods at 10/s on
    /// the process runtime, 3,000 pods over 100 simulated nodes; the RSS of
    /// 1,000 simulated nodes with 30,000 pods.
    Kubelet(kubelet_scenario::Args),
    /// The seed's example cluster converged on simulated nodes and torn
    /// down with its namespaces; a 1,000-pod namespace deleted.
    Cluster(cluster_scenario::Args),
    /// 1,000 Services of 10 endpoints programmed (nftables and iptables,
    /// full and incremental sync) in a network namespace of its own; DNS
    /// questions answered per second and their latency.
    Proxy(proxy_scenario::Args),
    /// kubectl port-forward and exec through the API server to a pod on
    /// the process runtime: a 100 MB download and a 100 MB `cat` (MB/s),
    /// 1-byte exec round trips (p50/p99).
    Streaming(streaming_scenario::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bench: cannot start the runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.scenario {
            Scenario::Store(args) => store_scenario::run(args).await,
            Scenario::Apiserver(args) => apiserver_scenario::run(args).await,
            Scenario::Scheduler(args) => scheduler_scenario::run(args).await,
            Scenario::Controllers(args) => controllers_scenario::run(args).await,
            Scenario::Crd(args) => crd_scenario::run(args).await,
            Scenario::Kubelet(args) => kubelet_scenario::run(args).await,
            Scenario::Cluster(args) => cluster_scenario::run(args).await,
            Scenario::Proxy(args) => proxy_scenario::run(args).await,
            Scenario::Streaming(args) => streaming_scenario::run(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
