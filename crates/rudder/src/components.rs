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
    let scheduler = tokio::spawn(scheduler::run(
        client,
        scheduler::SchedulerOptions::default(),
        stopping,
    ));
    tracing::info!(kubeconfig = %args.kubeconfig.display(), "scheduler started");
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    let _ = scheduler.await;
    Ok(())
}
