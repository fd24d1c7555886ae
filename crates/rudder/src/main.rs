//! `rudder`: a Kubernetes cluster in one binary. This file is wiring only:
//! each subcommand hands its flags to the crate that does the work.

mod components;
mod join;
mod killall;
mod network;
mod node;
mod serve;
mod snapshot;
mod storage;
mod token;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "rudder", version, about = "A Kubernetes cluster in one binary")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the control plane on this machine.
    Server(Box<serve::ServerArgs>),
    /// Run only the API server (several can share one etcd cluster).
    Apiserver(Box<serve::ApiServerArgs>),
    /// Run only the scheduler, against the API server of a kubeconfig.
    Scheduler(components::SchedulerArgs),
    /// Run only the controller manager, against the API server of a kubeconfig.
    ControllerManager(components::ControllerManagerArgs),
    /// Run a node (the kubelet) against the API server of a kubeconfig.
    Kubelet(Box<node::KubeletArgs>),
    /// Join this machine to a cluster as a node, with its service proxy
    /// (with --simulated-nodes, many simulated nodes).
    Agent(Box<node::AgentArgs>),
    /// Run only the service proxy (kube-proxy), against the API server of a
    /// kubeconfig.
    Proxy(network::ProxyCommandArgs),
    /// Create, list and delete the bootstrap tokens nodes join with.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Save, inspect and restore snapshots of the cluster state store.
    #[command(subcommand)]
    Snapshot(snapshot::SnapshotCommand),
    /// Stop every pod rudder started on this machine and remove their
    /// sandboxes, network namespaces, veths, bridges, cgroups and the
    /// service proxy's rules; running rudders are stopped first. Data
    /// directories stay.
    Killall(killall::KillallArgs),
    /// `rudder killall`, then remove a data directory.
    Uninstall(killall::UninstallArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUDDER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("rudder: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Server(args) => serve::run(*args).await,
            Command::Apiserver(args) => serve::run_apiserver(*args).await,
            Command::Scheduler(args) => components::run_scheduler(args).await,
            Command::ControllerManager(args) => components::run_controller_manager(args).await,
            Command::Kubelet(args) => node::run_kubelet(*args).await,
            Command::Agent(args) => node::run_agent(*args).await,
            Command::Proxy(args) => network::run_proxy(args).await,
            Command::Token(command) => token::run(command).await,
            Command::Snapshot(command) => snapshot::run(command).await,
            Command::Killall(args) => killall::run_killall(args).await,
            Command::Uninstall(args) => killall::run_uninstall(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rudder: {err}");
            ExitCode::FAILURE
        }
    }
}
