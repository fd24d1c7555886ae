//! The control-plane components run on their own (`rudder scheduler`),
//! each an API client of a cluster given by a kubeconfig.

use std::path::{Path, PathBuf};

/// The flags of `rudder scheduler`.
#[derive(clap::Args, Debug)]
pub struct SchedulerArgs {
    /// The kubeconfig of the cluster to schedule for (its user needs the
    /// scheduler's rights).
    #[arg(long)]
    pub kubeconfig: PathBuf,
    /// The HTTPS port for /healthz, /readyz and /metrics (0: none).
    #[arg(long, default_value_t = 10259)]
    pub secure_port: u16,
    /// The address the secure port listens on.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind_address: std::net::IpAddr,
}

/// Serves a scheduler's secure port in a task of its own.
pub fn serve_secure(
    listener: tokio::net::TcpListener,
    cert: scheduler::serving::ServingCert,
    options: &scheduler::SchedulerOptions,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let (metrics, ready) = (options.metrics.clone(), options.ready.clone());
    tokio::spawn(async move {
        if let Err(err) = scheduler::serving::serve(listener, cert, metrics, ready, stopping).await
        {
            tracing::error!(error = %err, "the scheduler's secure port");
        }
    })
}

/// A client for the cluster and user of a kubeconfig file.
pub async fn client(path: &Path) -> Result<kube::Client, String> {
    let kubeconfig = kube::config::Kubeconfig::read_from(path)
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    let config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .map_err(|e| format!("using {}: {e}", path.display()))?;
    kube::Client::try_from(config).map_err(|e| format!("a client for {}: {e}", path.display()))
}

pub async fn run_scheduler(args: SchedulerArgs) -> Result<(), String> {
    let client = client(&args.kubeconfig).await?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let options = scheduler::SchedulerOptions::default();
    let mut serving = None;
    if args.secure_port != 0 {
        let address = std::net::SocketAddr::new(args.bind_address, args.secure_port);
        let listener = scheduler::serving::bind(address).await?;
        let cert = scheduler::serving::ServingCert::self_signed()?;
        serving = Some(serve_secure(listener, cert, &options, stopping.clone()));
    }
    let scheduler = tokio::spawn(scheduler::run(client, options, stopping));
    tracing::info!(kubeconfig = %args.kubeconfig.display(), "scheduler started");
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    let _ = scheduler.await;
    if let Some(serving) = serving {
        let _ = serving.await;
    }
    Ok(())
}
