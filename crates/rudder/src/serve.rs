//! `rudder server`: the control plane on this machine, and `rudder
//! apiserver`: the API server alone (several may share one etcd). Both open
//! the cluster state store chosen by the storage flags, keep it compacted,
//! and serve the Kubernetes API; `rudder server` also starts the other
//! control-plane components (scheduler, controller manager) and a node
//! (the kubelet, or simulated nodes) here.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::storage::StorageArgs;

/// The flags of `rudder server`.
#[derive(clap::Args, Debug)]
pub struct ServerArgs {
    #[command(flatten)]
    pub api: ApiServerArgs,
    /// Do not run the scheduler in this process (run `rudder scheduler`
    /// elsewhere, or none).
    #[arg(long)]
    pub disable_scheduler: bool,
    /// The scheduler's HTTPS port for /healthz and /metrics on 127.0.0.1
    /// (0: none).
    #[arg(long, default_value_t = 10259)]
    pub scheduler_secure_port: u16,
    /// Do not run the controller manager in this process.
    #[arg(long)]
    pub disable_controller_manager: bool,
    /// The controllers to run: `*` for all, `-name` to leave one out.
    #[arg(long, value_delimiter = ',', default_value = "*")]
    pub controllers: Vec<String>,
    /// The controller manager's HTTPS port for /healthz and /metrics on
    /// 127.0.0.1 (0: none).
    #[arg(long, default_value_t = 10257)]
    pub controller_manager_secure_port: u16,
    /// Pod CIDRs for nodes are cut from this range (the node IPAM
    /// controller's; empty: nodes bring their own).
    #[arg(long, default_value = "10.244.0.0/16")]
    pub cluster_cidr: String,
    /// The prefix length of each node's pod CIDR.
    #[arg(long, default_value_t = 24)]
    pub node_cidr_mask_size: u8,
    /// Do not run a node (kubelet) in this process.
    #[arg(long)]
    pub disable_kubelet: bool,
    /// Do not create the `local-path` StorageClass (the cluster's default,
    /// provisioned by each node under its data directory).
    #[arg(long)]
    pub disable_local_storage: bool,
    #[command(flatten)]
    pub tuning: crate::components::ControllerTuning,
    #[command(flatten)]
    pub node: crate::node::NodeArgs,
    /// Do not run the service proxy in this process.
    #[arg(long)]
    pub disable_proxy: bool,
    #[command(flatten)]
    pub proxy: crate::network::ProxyArgs,
    #[command(flatten)]
    pub dns: crate::network::DnsArgs,
    /// Leader election of the components this server runs (for several
    /// servers on one etcd).
    #[command(flatten)]
    pub election: crate::components::ElectionArgs,
}

/// The flags of `rudder apiserver`, which `rudder server` shares.
#[derive(clap::Args, Debug)]
pub struct ApiServerArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Encrypt resources at rest as this EncryptionConfiguration
    /// (apiserver.config.k8s.io/v1) says: aescbc, aesgcm, secretbox or
    /// identity providers, the first of each resource writing.
    #[arg(long)]
    pub encryption_provider_config: Option<std::path::PathBuf>,
    /// Audit requests as this audit.k8s.io/v1 Policy says (with
    /// --audit-log-path; without either nothing is audited).
    #[arg(long)]
    pub audit_policy_file: Option<std::path::PathBuf>,
    /// Where audit events are written, one JSON object per line (`-`:
    /// standard output).
    #[arg(long)]
    pub audit_log_path: Option<std::path::PathBuf>,
    /// Days to keep rotated audit logs (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub audit_log_maxage: u64,
    /// Rotated audit logs to keep (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub audit_log_maxbackup: usize,
    /// Megabytes an audit log grows to before it is rotated (0: never).
    #[arg(long, default_value_t = 0)]
    pub audit_log_maxsize: u64,
    /// How often to compact store history, as kube-apiserver's flag of the
    /// same name (e.g. 5m, 300s, 1h; 0 turns compaction off).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub etcd_compaction_interval: Duration,
    /// The address the API server listens on.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind_address: IpAddr,
    /// The API server's HTTPS port (0 picks a free one).
    #[arg(long, default_value_t = 6443)]
    pub port: u16,
    /// More names or addresses for the API server's certificate (repeatable).
    #[arg(long = "tls-san")]
    pub tls_san: Vec<String>,
    /// Static bearer tokens: CSV lines `token,user,uid,"group1,group2"`.
    #[arg(long)]
    pub token_auth_file: Option<PathBuf>,
    /// The address the cluster reaches the API server at (the `kubernetes`
    /// Service's endpoint); defaults to the bind address, or when that is
    /// 0.0.0.0 to the address of the default route's interface.
    #[arg(long)]
    pub advertise_address: Option<IpAddr>,
    /// Service IPs are taken from this range; the `kubernetes` Service gets its first.
    #[arg(long, default_value = "10.96.0.0/12")]
    pub service_cluster_ip_range: String,
    /// NodePorts are taken from this range of ports.
    #[arg(long, default_value = "30000-32767")]
    pub service_node_port_range: String,
    /// Read-only requests (watches aside) served at once; more get 429.
    #[arg(long, default_value_t = 400)]
    pub max_requests_inflight: usize,
    /// Writes served at once; more get 429.
    #[arg(long, default_value_t = 200)]
    pub max_mutating_requests_inflight: usize,
    /// How long an Event is kept after it was last written (`90s`, `5m`,
    /// `1h`).
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub event_ttl: Duration,
    /// Watches one user may hold open at once; more get 429.
    #[arg(long, default_value_t = 10_000)]
    pub max_watches_per_user: usize,
    /// The `iss` of service account tokens, and the audience the API
    /// server accepts them for.
    #[arg(long, default_value = "https://kubernetes.default.svc.cluster.local")]
    pub service_account_issuer: String,
    /// The key service account tokens are signed with (PEM: a P-256
    /// ECDSA key signs ES256, an RSA key RS256; default
    /// `DATA_DIR/pki/sa.key`, made on first start).
    #[arg(long)]
    pub service_account_signing_key_file: Option<PathBuf>,
    /// More keys tokens are accepted from (PEM public or private keys, or
    /// certificates; repeatable): other API servers', a rotated key's.
    #[arg(long)]
    pub service_account_key_file: Vec<PathBuf>,
    /// The authorizers every request is asked of, in order: `Node`,
    /// `RBAC`, `AlwaysAllow`, `AlwaysDeny` (members of `system:masters`
    /// pass them all).
    #[arg(long, default_value = "Node,RBAC")]
    pub authorization_mode: String,
}

/// Parses `90s`, `5m`, `1h` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 90s, 5m or 1h"))?;
    let seconds = match unit {
        "s" => value,
        "m" => value * 60,
        "h" => value * 3600,
        _ => return Err(format!("{text:?} is not a duration like 90s, 5m or 1h")),
    };
    Ok(Duration::from_secs(seconds))
}

/// The API server and, unless disabled, the other control-plane
/// components, each talking to the API server over HTTPS as its own user.
pub async fn run(mut args: ServerArgs) -> Result<(), String> {
    let data_dir = args.api.storage.data_dir.clone();
    let signing_key_file = args.api.service_account_signing_key_file.clone();
    let dns_ip = crate::network::dns_service_ip(&args.api.service_cluster_ip_range)?;
    let node_ip = args
        .node
        .node_ip
        .unwrap_or_else(kubelet::runtime::process::node_address);
    if !args.dns.disable_dns && args.node.cluster_dns.is_empty() {
        args.node.cluster_dns = vec![IpAddr::V4(dns_ip)];
    }
    let server = start_apiserver(args.api).await?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut components = Vec::new();
    if !args.disable_local_storage {
        let client = crate::components::client(&server.kubeconfig).await?;
        ensure_storage_class(client).await?;
    }
    if !args.disable_scheduler {
        let kubeconfig = server.component_kubeconfig("scheduler", "system:kube-scheduler")?;
        let client = crate::components::client_as(&kubeconfig, "kube-scheduler").await?;
        let options = scheduler::SchedulerOptions::default();
        if args.scheduler_secure_port != 0 {
            let (listener, cert) =
                secure_port(&server, "scheduler-serving", args.scheduler_secure_port).await?;
            components.push(crate::components::serve_secure(
                listener,
                cert,
                Some(server.pki.ca.cert_pem().map_err(|e| e.to_string())?),
                &options,
                stopping.clone(),
            ));
        }
        // An identity kept with the data, so a restarted server renews its
        // own lease instead of waiting for it to expire.
        let election = args.election.leader_elect.then(|| {
            let identity = crate::components::persistent_identity(&data_dir);
            args.election.lease("kube-scheduler", identity)
        });
        components.push(tokio::spawn(crate::components::run_scheduler_elected(
            client,
            options,
            election,
            stopping.clone(),
        )));
        tracing::info!("scheduler started");
    }
    if !args.disable_controller_manager {
        let ca = server.pki.ca.cert_pem().map_err(|e| e.to_string())?;
        let mut options = crate::components::controller_options(
            &args.controllers,
            &args.tuning,
            Some(ca.clone()),
        )?;
        // Approved certificate requests are signed with the cluster CA.
        options.cluster_signing = Some(controllers::csrsigning::SigningCa {
            cert_pem: ca,
            key_pem: server.pki.ca.key_pem().map_err(|e| e.to_string())?,
        });
        // Legacy token Secrets are signed with the service account key.
        let sa_key = signing_key_file.unwrap_or_else(|| data_dir.join("pki/sa.key"));
        options.service_account_key_pem = std::fs::read_to_string(&sa_key).ok();
        if !args.cluster_cidr.is_empty() {
            options.cluster_cidr = Some(controllers::nodeipam::CidrSet::new(
                &args.cluster_cidr,
                args.node_cidr_mask_size,
            )?);
        }
        let kubeconfig = server.controller_manager_kubeconfig()?;
        if args.tuning.use_service_account_credentials {
            options.credentials = controllers::credentials::Credentials::service_accounts(
                &kubeconfig,
                data_dir.join("controller-manager"),
            )
            .await?;
        }
        let client = crate::components::client_as(&kubeconfig, "kube-controller-manager").await?;
        if args.controller_manager_secure_port != 0 {
            let (listener, cert) = secure_port(
                &server,
                "controller-manager-serving",
                args.controller_manager_secure_port,
            )
            .await?;
            components.push(crate::components::serve_controllers_secure(
                listener,
                cert,
                Some(server.pki.ca.cert_pem().map_err(|e| e.to_string())?),
                &options,
                stopping.clone(),
            ));
        }
        let election = args.election.leader_elect.then(|| {
            let identity = crate::components::persistent_identity(&data_dir);
            args.election.lease("kube-controller-manager", identity)
        });
        components.push(tokio::spawn(crate::components::run_controllers_elected(
            client,
            options,
            election,
            stopping.clone(),
        )));
        tracing::info!("controller manager started");
    }
    if !args.dns.disable_dns {
        let kubeconfig = server.dns_kubeconfig()?;
        let client = crate::components::client_as(&kubeconfig, "coredns").await?;
        let cluster_cidr = (!args.cluster_cidr.is_empty())
            .then(|| proxy::Ipv4Net::parse(&args.cluster_cidr))
            .transpose()
            .map_err(|e| format!("--cluster-cidr: {e}"))?;
        let options = args
            .dns
            .options(node_ip, &args.node.cluster_domain, dns_ip, cluster_cidr)?;
        let admin = crate::components::client(&server.kubeconfig).await?;
        components.push(crate::network::spawn_dns(
            client,
            admin,
            options,
            stopping.clone(),
        ));
    }
    if !args.disable_proxy && !args.disable_kubelet && args.node.simulated_nodes == 0 {
        let kubeconfig = server.component_kubeconfig("proxy", "system:kube-proxy")?;
        let client = crate::components::client_as(&kubeconfig, "kube-proxy").await?;
        let options = args
            .proxy
            .options(&args.node.name(), &args.cluster_cidr)
            .await?;
        components.push(crate::network::spawn_proxy(
            client,
            options,
            stopping.clone(),
        ));
    }
    if !args.disable_kubelet {
        let name = if args.node.simulated_nodes > 0 {
            args.node.simulated_node_prefix.clone()
        } else {
            args.node.name()
        };
        // A simulated fleet stands in for many kubelets at once, as kwok's
        // controller does, so it cannot act as any one node: it writes as
        // an operator. A real node is itself, under the Node authorizer.
        let kubeconfig = if args.node.simulated_nodes > 0 {
            server.component_kubeconfig_in(
                "simulated-nodes",
                "system:rudder:simulated-nodes",
                &["system:masters"],
            )?
        } else {
            server.node_kubeconfig(&name)?
        };
        let client = crate::components::client_as(&kubeconfig, "kubelet").await?;
        let ca = server.pki.ca.cert_pem().map_err(|e| e.to_string())?;
        // The node's serving certificate names it and its address.
        let node_ip = args
            .node
            .node_ip
            .unwrap_or_else(kubelet::runtime::process::node_address);
        let serving = server
            .pki
            .kubelet_server(
                &name,
                &[name.clone(), kubelet::machine::hostname()],
                &[node_ip, std::net::IpAddr::from([127, 0, 0, 1])],
            )
            .and_then(|pair| {
                Ok(serving::ServingCert {
                    cert_pem: pair.cert_pem()?,
                    key_pem: pair.key_pem()?,
                })
            })
            .map_err(|e| format!("the kubelet's serving certificate: {e}"))?;
        components.push(crate::node::spawn(
            client,
            None,
            &args.node,
            &data_dir,
            data_dir.join("kubelet"),
            &[],
            Some(ca),
            Some(kubelet::server::ServingIdentity::Fixed(serving)),
            stopping.clone(),
        )?);
    }
    if !args.disable_kubelet && args.node.simulated_nodes == 0 {
        // The role label is the operator's to set (NodeRestriction keeps
        // node-role labels from kubelets), so the server sets it.
        let admin = crate::components::client(&server.kubeconfig).await?;
        tokio::spawn(label_control_plane(admin, args.node.name()));
    }
    wait_for_shutdown().await;
    tracing::info!("shutting down");
    let _ = stop.send(true);
    for component in components {
        let _ = component.await;
    }
    server.stop().await;
    Ok(())
}

/// Creates the `local-path` StorageClass unless it exists (a class the
/// administrator changed is left as it is).
async fn ensure_storage_class(client: kube::Client) -> Result<(), String> {
    let classes: kube::Api<k8s_openapi::api::storage::v1::StorageClass> = kube::Api::all(client);
    let class = kubelet::local_path::default_storage_class();
    match classes
        .create(&kube::api::PostParams::default(), &class)
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(err) => Err(format!("creating the local-path StorageClass: {err}")),
    }
}

/// A component's secure port on 127.0.0.1, with a certificate from the
/// cluster CA (kept in the data directory as `name`).
async fn secure_port(
    server: &apiserver::ApiServer,
    name: &str,
    port: u16,
) -> Result<(tokio::net::TcpListener, serving::ServingCert), String> {
    let listener = serving::bind(std::net::SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let pair = server.pki.server(name).map_err(|e| e.to_string())?;
    let cert = serving::ServingCert {
        cert_pem: pair.cert_pem().map_err(|e| e.to_string())?,
        key_pem: pair.key_pem().map_err(|e| e.to_string())?,
    };
    Ok((listener, cert))
}

pub async fn run_apiserver(args: ApiServerArgs) -> Result<(), String> {
    let server = start_apiserver(args).await?;
    wait_for_shutdown().await;
    tracing::info!("shutting down");
    // Graceful: this server leaves the `kubernetes` endpoints first.
    server.stop().await;
    Ok(())
}

async fn start_apiserver(args: ApiServerArgs) -> Result<apiserver::ApiServer, String> {
    let started = Instant::now();
    let mut store = args.storage.open().await?;
    if let Some(path) = &args.encryption_provider_config {
        let rules = apiserver::encryption_config::load(path)?;
        store = std::sync::Arc::new(store::encryption::EncryptedStore::new(store, rules));
    }
    let revision = store
        .current_revision()
        .await
        .map_err(|e| format!("the store does not answer: {e}"))?;
    tracing::info!(
        backend = store.backend(),
        revision,
        data_dir = %args.storage.data_dir.display(),
        "cluster state store ready"
    );
    if !args.etcd_compaction_interval.is_zero() {
        tokio::spawn(store::compactor::run(
            store.clone(),
            args.etcd_compaction_interval,
        ));
    }
    let mut config = apiserver::Config::new(args.storage.data_dir.clone());
    config.bind_address = args.bind_address;
    config.port = args.port;
    config.tls_san = args.tls_san.clone();
    if let (Some(policy_file), Some(log_path)) = (&args.audit_policy_file, &args.audit_log_path) {
        config.audit = Some(apiserver::audit::AuditConfig {
            policy_file: policy_file.clone(),
            log_path: log_path.clone(),
            max_age_days: args.audit_log_maxage,
            max_backups: args.audit_log_maxbackup,
            max_size_mb: args.audit_log_maxsize,
        });
    }
    config.token_auth_file = args.token_auth_file.clone();
    // As kube-apiserver: listening everywhere, it advertises the address
    // of the default route's interface, which pods can reach (the
    // `kubernetes` Service's endpoint).
    config.advertise_address = args.advertise_address.or_else(|| {
        args.bind_address
            .is_unspecified()
            .then(kubelet::runtime::process::node_address)
    });
    config.service_cluster_ip_range = args.service_cluster_ip_range.clone();
    config.service_node_port_range = args.service_node_port_range.clone();
    config.max_requests_inflight = args.max_requests_inflight;
    config.max_mutating_requests_inflight = args.max_mutating_requests_inflight;
    config.event_ttl = args.event_ttl;
    config.max_watches_per_user = args.max_watches_per_user;
    config.service_account_issuer = args.service_account_issuer.clone();
    config.service_account_signing_key_file = args.service_account_signing_key_file.clone();
    config.service_account_key_files = args.service_account_key_file.clone();
    config.authorization_modes = apiserver::authz::parse_modes(&args.authorization_mode)?;
    let server = apiserver::start(config, store).await?;
    tracing::info!(url = %server.url, elapsed_ms = started.elapsed().as_millis() as u64, "API server ready");
    let (token, made_now) = crate::join::node_token(&server, &args.storage.data_dir).await?;
    // The token itself goes to a terminal once, when it is made; never
    // to a log.
    use std::io::IsTerminal;
    let token_path = args.storage.data_dir.join("node-token");
    let token = if made_now && std::io::stderr().is_terminal() {
        token
    } else {
        format!("\"$(cat {})\"", token_path.display())
    };
    eprintln!(
        "rudder is serving the Kubernetes API at {}\n\n  export KUBECONFIG={}\n  kubectl get nodes,ns\n\nJoin another machine as a node (as root there; the token is in {}):\n\n  rudder agent --server {} --token {token}\n",
        server.url,
        server.kubeconfig.display(),
        token_path.display(),
        server.url,
    );
    Ok(server)
}

pub async fn wait_for_shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(terminate) => terminate,
        Err(err) => {
            tracing::warn!(error = %err, "cannot listen for SIGTERM");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

/// Labels this server's node `node-role.kubernetes.io/control-plane` once
/// its kubelet has registered it.
async fn label_control_plane(admin: kube::Client, node: String) {
    let nodes: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(admin);
    let patch =
        serde_json::json!({"metadata": {"labels": {"node-role.kubernetes.io/control-plane": ""}}});
    for _ in 0..600 {
        let params = kube::api::PatchParams::default();
        match nodes
            .patch(&node, &params, &kube::api::Patch::Merge(&patch))
            .await
        {
            Ok(_) => return,
            Err(err) => tracing::debug!(error = %err, "the control-plane label waits for the node"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    tracing::warn!(
        node,
        "the node never registered; it has no control-plane label"
    );
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_parse_like_upstream_flags() {
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("m").is_err());
    }
}
