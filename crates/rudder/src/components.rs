//! The control-plane components run on their own (`rudder scheduler`,
//! `rudder controller-manager`), each an API client of a cluster given by
//! a kubeconfig.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The flags of `rudder scheduler`.
#[derive(clap::Args, Debug)]
pub struct SchedulerArgs {
    /// The kubeconfig of the cluster to schedule for (its user needs the
    /// scheduler's rights); else the configuration file's
    /// clientConnection.kubeconfig.
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// A KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1):
    /// profiles, plugins, percentageOfNodesToScore, leader election.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The HTTPS port for /healthz, /readyz and /metrics (0: none).
    #[arg(long, default_value_t = 10259)]
    pub secure_port: u16,
    /// The address the secure port listens on (this machine only, unless
    /// told otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_address: std::net::IpAddr,
    #[command(flatten)]
    pub election: ElectionArgs,
}

/// The flags of `rudder controller-manager`.
#[derive(clap::Args, Debug)]
pub struct ControllerManagerArgs {
    /// The kubeconfig of the cluster to manage (its user needs the
    /// controller manager's rights).
    #[arg(long)]
    pub kubeconfig: PathBuf,
    /// The controllers to run: `*` for all, `name` to enable one, `-name`
    /// to disable one (e.g. `*,-garbage-collector-controller`).
    #[arg(long, value_delimiter = ',', default_value = "*")]
    pub controllers: Vec<String>,
    /// The CA bundle published in every namespace as `kube-root-ca.crt`.
    #[arg(long)]
    pub root_ca_file: Option<PathBuf>,
    /// The CA certificate approved certificate requests are signed with
    /// (with --cluster-signing-key-file; without, none are signed).
    #[arg(long)]
    pub cluster_signing_cert_file: Option<PathBuf>,
    /// The key of --cluster-signing-cert-file.
    #[arg(long)]
    pub cluster_signing_key_file: Option<PathBuf>,
    /// The service account signing key (the API server's
    /// --service-account-signing-key-file; `DATA_DIR/pki/sa.key`): legacy
    /// token Secrets are filled with tokens it signs.
    #[arg(long)]
    pub service_account_private_key_file: Option<PathBuf>,
    /// The HTTPS port for /healthz, /readyz and /metrics (0: none).
    #[arg(long, default_value_t = 10257)]
    pub secure_port: u16,
    /// The address the secure port listens on (this machine only, unless
    /// told otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_address: std::net::IpAddr,
    #[command(flatten)]
    pub tuning: ControllerTuning,
    #[command(flatten)]
    pub election: ElectionArgs,
}

/// The controllers' settings, the same flags on `rudder controller-manager`
/// and `rudder server`.
#[derive(clap::Args, Debug, Clone)]
pub struct ControllerTuning {
    /// How long a node may go without a heartbeat before it is marked
    /// Unknown (e.g. 40s).
    #[arg(long, default_value = "40s", value_parser = crate::serve::parse_duration)]
    pub node_monitor_grace_period: std::time::Duration,
    /// Terminated pods kept before the pod GC deletes the oldest (0: none
    /// are collected).
    #[arg(long, default_value_t = 12500)]
    pub terminated_pod_gc_threshold: usize,
    /// Each controller acts as its own service account in kube-system,
    /// which the bootstrap policy binds to that controller's role (as
    /// kubeadm runs kube-controller-manager); false: every controller uses
    /// the controller manager's own credential, which must then hold every
    /// controller's rights.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub use_service_account_credentials: bool,
}

/// The controller manager's options from its flags.
pub fn controller_options(
    controllers: &[String],
    tuning: &ControllerTuning,
    root_ca_pem: Option<String>,
) -> Result<controllers::ControllerManagerOptions, String> {
    let options = controllers::ControllerManagerOptions {
        controllers: controllers.to_vec(),
        root_ca_pem,
        node_monitor_grace_period: tuning.node_monitor_grace_period,
        terminated_pod_gc_threshold: tuning.terminated_pod_gc_threshold,
        ..Default::default()
    };
    let unknown = options.unknown();
    if !unknown.is_empty() {
        return Err(format!(
            "--controllers names unknown controllers: {} (known: {})",
            unknown.join(", "),
            controllers::CONTROLLERS.join(", ")
        ));
    }
    Ok(options)
}

pub async fn run_controller_manager(args: ControllerManagerArgs) -> Result<(), String> {
    let root_ca = match &args.root_ca_file {
        Some(path) => {
            Some(std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let mut options = controller_options(&args.controllers, &args.tuning, root_ca)?;
    if let (Some(cert), Some(key)) = (
        &args.cluster_signing_cert_file,
        &args.cluster_signing_key_file,
    ) {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
        };
        options.cluster_signing = Some(controllers::csrsigning::SigningCa {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
        });
    }
    if let Some(path) = &args.service_account_private_key_file {
        options.service_account_key_pem =
            Some(std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let mut token_dir = None;
    if args.tuning.use_service_account_credentials {
        // Tokens live as long as this process, in a directory of its own.
        let dir = std::env::temp_dir().join(format!(
            "rudder-controller-manager-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        options.credentials =
            controllers::credentials::Credentials::service_accounts(&args.kubeconfig, dir.clone())
                .await?;
        token_dir = Some(dir);
    }
    let client = client_as(&args.kubeconfig, "kube-controller-manager").await?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut serving = None;
    if args.secure_port != 0 {
        let address = std::net::SocketAddr::new(args.bind_address, args.secure_port);
        let listener = serving::bind(address).await?;
        let cert = serving::ServingCert::self_signed()?;
        serving = Some(serve_controllers_secure(
            listener,
            cert,
            cluster_ca_pem(&args.kubeconfig)?,
            &options,
            stopping.clone(),
        ));
    }
    let election = args
        .election
        .leader_elect
        .then(|| args.election.lease("kube-controller-manager", None));
    let manager = tokio::spawn(run_controllers_elected(client, options, election, stopping));
    tracing::info!(kubeconfig = %args.kubeconfig.display(), "controller manager started");
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    let _ = manager.await;
    if let Some(serving) = serving {
        let _ = serving.await;
    }
    if let Some(dir) = token_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

/// Leader election flags, as kube-scheduler and kube-controller-manager
/// name them.
#[derive(clap::Args, Debug, Clone)]
pub struct ElectionArgs {
    /// Take a Lease before working, so one of several copies works at a time.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub leader_elect: bool,
    /// How long a lease lasts without renewal.
    #[arg(long, default_value = "15s", value_parser = crate::serve::parse_duration)]
    pub leader_elect_lease_duration: Duration,
    /// How long the leader tries to renew before it stops.
    #[arg(long, default_value = "10s", value_parser = crate::serve::parse_duration)]
    pub leader_elect_renew_deadline: Duration,
    /// How often candidates try, and the leader renews.
    #[arg(long, default_value = "2s", value_parser = crate::serve::parse_duration)]
    pub leader_elect_retry_period: Duration,
}

impl ElectionArgs {
    /// These flags, with a configuration file's leaderElection taking
    /// precedence where it says something.
    pub fn with_config(
        &self,
        config: &scheduler::config::LeaderElection,
    ) -> Result<ElectionArgs, String> {
        let duration = |value: &Option<String>, flag: Duration| -> Result<Duration, String> {
            match value {
                Some(text) => scheduler::config::parse_go_duration(text),
                None => Ok(flag),
            }
        };
        Ok(ElectionArgs {
            leader_elect: config.leader_elect.unwrap_or(self.leader_elect),
            leader_elect_lease_duration: duration(
                &config.lease_duration,
                self.leader_elect_lease_duration,
            )?,
            leader_elect_renew_deadline: duration(
                &config.renew_deadline,
                self.leader_elect_renew_deadline,
            )?,
            leader_elect_retry_period: duration(
                &config.retry_period,
                self.leader_elect_retry_period,
            )?,
        })
    }

    /// The lease a configuration file names (default `kube-system/<name>`).
    pub fn lease_named(
        &self,
        config: &scheduler::config::LeaderElection,
        name: &str,
    ) -> leader_election::LeaseConfig {
        let mut lease = self.lease(config.resource_name.as_deref().unwrap_or(name), None);
        if let Some(namespace) = &config.resource_namespace {
            lease.namespace = namespace.clone();
        }
        lease
    }

    /// The lease `kube-system/<name>` with these timings; `identity`
    /// overrides the random one.
    pub fn lease(&self, name: &str, identity: Option<String>) -> leader_election::LeaseConfig {
        let mut config = leader_election::LeaseConfig::new("kube-system", name);
        if let Some(identity) = identity {
            config.identity = identity;
        }
        config.lease_duration = self.leader_elect_lease_duration;
        config.renew_deadline = self.leader_elect_renew_deadline;
        config.retry_period = self.leader_elect_retry_period;
        config
    }
}

/// Runs `work` until `stopping`, behind leader election when asked (then
/// only while this copy holds the lease).
pub async fn run_elected<W, F>(
    client: kube::Client,
    election: Option<leader_election::LeaseConfig>,
    stopping: tokio::sync::watch::Receiver<bool>,
    work: W,
) where
    W: Fn(tokio::sync::watch::Receiver<bool>) -> F,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    match election {
        None => work(stopping).await,
        Some(lease) => leader_election::run(client, lease, stopping, work).await,
    }
}

/// Runs the scheduler until `stopping`, behind leader election when asked.
pub async fn run_scheduler_elected(
    client: kube::Client,
    options: scheduler::SchedulerOptions,
    election: Option<leader_election::LeaseConfig>,
    stopping: tokio::sync::watch::Receiver<bool>,
) {
    let lease_client = client.clone();
    run_elected(lease_client, election, stopping, move |lost| {
        scheduler::run(client.clone(), options.clone(), lost)
    })
    .await
}

/// Runs the controller manager until `stopping`, behind leader election
/// when asked.
pub async fn run_controllers_elected(
    client: kube::Client,
    options: controllers::ControllerManagerOptions,
    election: Option<leader_election::LeaseConfig>,
    stopping: tokio::sync::watch::Receiver<bool>,
) {
    let lease_client = client.clone();
    run_elected(lease_client, election, stopping, move |lost| {
        controllers::run(client.clone(), options.clone(), lost)
    })
    .await
}

/// Serves the controller manager's secure port in a task of its own.
pub fn serve_controllers_secure(
    listener: tokio::net::TcpListener,
    cert: serving::ServingCert,
    client_ca_pem: Option<String>,
    options: &controllers::ControllerManagerOptions,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let options = options.clone();
    tokio::spawn(async move {
        if let Err(err) =
            controllers::serving::serve(listener, cert, client_ca_pem, options, stopping).await
        {
            tracing::error!(error = %err, "the controller manager's secure port");
        }
    })
}

/// Serves a scheduler's secure port in a task of its own.
pub fn serve_secure(
    listener: tokio::net::TcpListener,
    cert: scheduler::serving::ServingCert,
    client_ca_pem: Option<String>,
    options: &scheduler::SchedulerOptions,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let options = options.clone();
    tokio::spawn(async move {
        if let Err(err) =
            scheduler::serving::serve(listener, cert, client_ca_pem, options, stopping).await
        {
            tracing::error!(error = %err, "the scheduler's secure port");
        }
    })
}

/// `<hostname>_<id>` with the id kept in `DATA_DIR/identity` (made on
/// first use); None if the file cannot be kept.
pub fn persistent_identity(data_dir: &Path) -> Option<String> {
    let path = data_dir.join("identity");
    let id = match std::fs::read_to_string(&path) {
        Ok(id) if !id.trim().is_empty() => id.trim().to_string(),
        _ => {
            let id = uuid::Uuid::new_v4().to_string();
            std::fs::write(&path, &id).ok()?;
            id
        }
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "rudder".into());
    Some(format!("{host}_{id}"))
}

/// A client for the cluster and user of a kubeconfig file.
/// The cluster CA of a kubeconfig's current cluster (PEM), if it names one:
/// who may read a component's metrics and debug pages.
pub fn cluster_ca_pem(path: &Path) -> Result<Option<String>, String> {
    use base64::Engine;
    let kubeconfig = kube::config::Kubeconfig::read_from(path)
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    let context = kubeconfig.current_context.as_deref().and_then(|name| {
        kubeconfig
            .contexts
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.context.as_ref())
    });
    let cluster_name = context.map(|c| c.cluster.as_str());
    let cluster = kubeconfig
        .clusters
        .iter()
        .find(|c| cluster_name.is_none_or(|name| c.name == name))
        .and_then(|c| c.cluster.as_ref());
    let Some(cluster) = cluster else {
        return Ok(None);
    };
    if let Some(data) = &cluster.certificate_authority_data {
        let pem = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| format!("{}: certificate-authority-data: {e}", path.display()))?;
        return Ok(Some(String::from_utf8_lossy(&pem).into_owned()));
    }
    match &cluster.certificate_authority {
        Some(file) => std::fs::read_to_string(file)
            .map(Some)
            .map_err(|e| format!("{file}: {e}")),
        None => Ok(None),
    }
}

pub async fn client(path: &Path) -> Result<kube::Client, String> {
    client_as(path, "rudder").await
}

/// The `User-Agent` a component's requests carry, in client-go's form: the
/// API server names the fields a component writes after its first word
/// (`kube-controller-manager`, `kubelet`, ...), as upstream's does.
pub fn user_agent(component: &str) -> (http::HeaderName, http::HeaderValue) {
    let text = format!(
        "{component}/{} ({}/{}) rudder",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        }
    );
    let value = http::HeaderValue::from_str(&text)
        .unwrap_or_else(|_| http::HeaderValue::from_static("rudder"));
    (http::header::USER_AGENT, value)
}

/// A client on the kubeconfig at `path` whose requests say they come from
/// `component`.
pub async fn client_as(path: &Path, component: &str) -> Result<kube::Client, String> {
    let kubeconfig = kube::config::Kubeconfig::read_from(path)
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .map_err(|e| format!("using {}: {e}", path.display()))?;
    config.headers.push(user_agent(component));
    kube::Client::try_from(config).map_err(|e| format!("a client for {}: {e}", path.display()))
}

pub async fn run_scheduler(args: SchedulerArgs) -> Result<(), String> {
    let config = match &args.config {
        Some(path) => scheduler::config::SchedulerConfiguration::parse(
            &std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
        )
        .map_err(|e| format!("{}: {e}", path.display()))?,
        None => scheduler::config::SchedulerConfiguration::default(),
    };
    let kubeconfig = args
        .kubeconfig
        .clone()
        .or_else(|| config.client_connection.kubeconfig.clone())
        .ok_or(
            "a kubeconfig is needed: --kubeconfig, or clientConnection.kubeconfig in --config",
        )?;
    let client = client_as(&kubeconfig, "kube-scheduler").await?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let options = scheduler::SchedulerOptions {
        profiles: config.profiles.clone(),
        percentage_of_nodes_to_score: config.percentage_of_nodes_to_score.filter(|p| *p > 0),
        ..Default::default()
    };
    let mut serving = None;
    if args.secure_port != 0 {
        let address = std::net::SocketAddr::new(args.bind_address, args.secure_port);
        let listener = scheduler::serving::bind(address).await?;
        let cert = scheduler::serving::ServingCert::self_signed()?;
        let clients = cluster_ca_pem(&kubeconfig)?;
        serving = Some(serve_secure(
            listener,
            cert,
            clients,
            &options,
            stopping.clone(),
        ));
    }
    let election = args.election.with_config(&config.leader_election)?;
    let election = election
        .leader_elect
        .then(|| election.lease_named(&config.leader_election, "kube-scheduler"));
    let scheduler = tokio::spawn(run_scheduler_elected(client, options, election, stopping));
    tracing::info!(kubeconfig = %kubeconfig.display(), "scheduler started");
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    let _ = scheduler.await;
    if let Some(serving) = serving {
        let _ = serving.await;
    }
    Ok(())
}
