//! The API server: the only component that touches the store. It serves the
//! Kubernetes REST API over HTTPS to kubectl, client libraries and every
//! other rudder component.

mod admission;
mod apiextensions;
pub mod audit;
pub mod auth;
pub mod authz;
mod bootstrap;
pub mod bootstrap_tokens;
mod certificates;
pub mod component_health;
mod connect;
mod conversion_webhook;
mod defaults;
pub mod discovery;
pub mod encryption_config;
mod endpoint_leases;
pub mod error;
mod event_ttl;
mod fieldmanager;
mod flowcontrol;
#[cfg(test)]
mod fuzz_tests;
pub mod handlers;
mod impersonation;
mod merge_keys;
pub mod metrics;
mod mirror;
pub mod objects;
mod openapi;
mod openapi_v2;
pub mod patch;
pub mod pki;
mod pod_log;
mod pod_subresources;
pub mod protobuf;
mod raw_json;
pub mod request;
mod request_body;
mod scale;
mod server;
mod service_account_tokens;
pub mod service_allocation;
mod tables;
mod typed;
pub mod validation;
mod virtual_kinds;
mod watch;
mod watch_cache;
pub(crate) mod webhook_client;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use store::SharedStore;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::auth::TokenFile;
use crate::handlers::ApiState;
use crate::pki::ClusterPki;

/// How to run the API server.
#[derive(Clone, Debug)]
pub struct Config {
    /// Certificates live in `DATA_DIR/pki`, the kubeconfig in `DATA_DIR/kubeconfig.yaml`.
    pub data_dir: PathBuf,
    pub bind_address: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Extra names and addresses for the serving certificate.
    pub tls_san: Vec<String>,
    /// `--token-auth-file`: static bearer tokens.
    pub token_auth_file: Option<PathBuf>,
    /// Read-only requests (other than watches) served at once before 429.
    pub max_requests_inflight: usize,
    /// Writes served at once before 429.
    pub max_mutating_requests_inflight: usize,
    /// The address other members of the cluster reach this server at (the
    /// `kubernetes` Service's endpoint); the bind address when it is
    /// specific, else 127.0.0.1.
    pub advertise_address: Option<IpAddr>,
    /// `--service-cluster-ip-range`: the `kubernetes` Service gets its first address.
    pub service_cluster_ip_range: String,
    /// `--service-node-port-range`: where NodePorts come from.
    pub service_node_port_range: String,
    /// The components `componentstatuses` reports on, besides the store.
    pub component_probes: Vec<component_health::ComponentProbe>,
    /// `--event-ttl`: how long an Event lives after its last write.
    pub event_ttl: std::time::Duration,
    /// Watches one user may hold open at once; more get 429.
    pub max_watches_per_user: usize,
    /// `--service-account-issuer`: the `iss` of service account tokens.
    pub service_account_issuer: String,
    /// `--service-account-signing-key-file` (default: `pki/sa.key`, made
    /// on first start).
    pub service_account_signing_key_file: Option<PathBuf>,
    /// `--service-account-key-file`: more public keys tokens are accepted
    /// from (other API servers', a rotated key's).
    pub service_account_key_files: Vec<PathBuf>,
    /// `--authorization-mode`: the authorizers asked, in order.
    pub authorization_modes: Vec<authz::Mode>,
    /// `--audit-policy-file` with `--audit-log-*` (none: no auditing).
    pub audit: Option<audit::AuditConfig>,
}

impl Config {
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            bind_address: [0, 0, 0, 0].into(),
            port: 6443,
            tls_san: Vec::new(),
            token_auth_file: None,
            max_requests_inflight: 400,
            max_mutating_requests_inflight: 200,
            advertise_address: None,
            service_cluster_ip_range: "10.96.0.0/12".to_string(),
            service_node_port_range: "30000-32767".to_string(),
            component_probes: component_health::default_probes(),
            event_ttl: std::time::Duration::from_secs(3600),
            max_watches_per_user: 10_000,
            service_account_issuer: service_account_tokens::DEFAULT_ISSUER.to_string(),
            service_account_signing_key_file: None,
            service_account_key_files: Vec::new(),
            authorization_modes: vec![authz::Mode::Node, authz::Mode::Rbac],
            audit: None,
        }
    }
}

/// A running API server; dropping it stops serving.
pub struct ApiServer {
    /// Where it listens.
    pub address: SocketAddr,
    /// `https://127.0.0.1:<port>` (or the bind address when it is specific).
    pub url: String,
    /// The admin kubeconfig written at start.
    pub kubeconfig: PathBuf,
    pub pki: ClusterPki,
    shutdown: tokio::sync::watch::Sender<bool>,
    task: JoinHandle<()>,
    /// Keeps this server in the `kubernetes` endpoints; on shutdown it
    /// takes it out.
    leases: JoinHandle<()>,
    state: Arc<handlers::ApiState>,
}

impl ApiServer {
    /// The user an `Authorization` header's bearer token stands for, as a
    /// request with it is authenticated (for tools that measure or embed
    /// the server).
    pub async fn authenticate_bearer(&self, authorization: &str) -> Option<auth::User> {
        handlers::authenticate_bearer(&self.state, Some(authorization)).await
    }

    /// Writes `DATA_DIR/<component>.kubeconfig`: this server, the cluster
    /// CA, and a client certificate for `user` (`system:kube-scheduler`,
    /// ...), so a component talks to the API server as itself.
    pub fn component_kubeconfig(&self, component: &str, user: &str) -> Result<PathBuf, String> {
        self.component_kubeconfig_in(component, user, &[])
    }

    /// A kubeconfig for a node's kubelet: `system:node:<name>` in group
    /// `system:nodes`, as upstream's node credentials.
    pub fn node_kubeconfig(&self, node: &str) -> Result<PathBuf, String> {
        self.component_kubeconfig_in(
            &format!("kubelet-{node}"),
            &format!("system:node:{node}"),
            &["system:nodes"],
        )
    }

    /// The controller manager's kubeconfig: `system:kube-controller-manager`,
    /// which may watch everything and issue its controllers' service
    /// account tokens (each controller writes as its own account).
    pub fn controller_manager_kubeconfig(&self) -> Result<PathBuf, String> {
        self.component_kubeconfig("controller-manager", "system:kube-controller-manager")
    }

    /// The cluster DNS's kubeconfig: the `kube-system/coredns` service
    /// account's user, which the bootstrap policy lets read Services,
    /// Endpoints, EndpointSlices, Pods and Namespaces (kubeadm's
    /// `system:coredns`).
    pub fn dns_kubeconfig(&self) -> Result<PathBuf, String> {
        self.component_kubeconfig_in(
            "dns",
            "system:serviceaccount:kube-system:coredns",
            &[
                "system:serviceaccounts",
                "system:serviceaccounts:kube-system",
            ],
        )
    }

    /// A component kubeconfig whose user is in `groups`.
    pub fn component_kubeconfig_in(
        &self,
        component: &str,
        user: &str,
        groups: &[&str],
    ) -> Result<PathBuf, String> {
        let cert = self
            .pki
            .client(component, user, groups)
            .map_err(|e| e.to_string())?;
        let ca_pem = self.pki.ca.cert_pem().map_err(|e| e.to_string())?;
        let path = self
            .kubeconfig
            .with_file_name(format!("{component}.kubeconfig"));
        pki::write_kubeconfig(&path, &self.url, &ca_pem, &cert).map_err(|e| e.to_string())?;
        Ok(path)
    }

    /// Stops serving and waits until the listener is closed; open
    /// connections are dropped right after.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let leases = std::mem::replace(&mut self.leases, tokio::spawn(async {}));
        let _ = task.await;
        let _ = leases.await;
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// The first usable address of a service CIDR (`10.96.0.0/12` → `10.96.0.1`).
fn first_service_ip(range: &str) -> Result<String, String> {
    let bad = || format!("--service-cluster-ip-range {range:?} is not an IPv4 CIDR");
    let (network, bits) = range.split_once('/').ok_or_else(bad)?;
    let network: std::net::Ipv4Addr = network.parse().map_err(|_| bad())?;
    let bits: u32 = bits.parse().map_err(|_| bad())?;
    if !(1..=30).contains(&bits) {
        return Err(bad());
    }
    let mask = u32::MAX << (32 - bits);
    let first = (u32::from(network) & mask) + 1;
    Ok(std::net::Ipv4Addr::from(first).to_string())
}

fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Starts serving: certificates and kubeconfig on first start, the default
/// namespaces, then HTTPS on the configured address.
pub async fn start(config: Config, store: SharedStore) -> Result<ApiServer, String> {
    let mut hosts = config.tls_san.clone();
    if let Some(host) = hostname() {
        hosts.push(host);
    }
    if !config.bind_address.is_unspecified() {
        hosts.push(config.bind_address.to_string());
    }
    // Pods reach the API server at the `kubernetes` Service's cluster IP
    // and its endpoint, the advertised address: both are in the
    // certificate, as upstream's.
    hosts.push(first_service_ip(&config.service_cluster_ip_range)?);
    if let Some(advertise) = config.advertise_address {
        hosts.push(advertise.to_string());
    }
    let data_dir = config.data_dir.clone();
    let pki = tokio::task::spawn_blocking(move || ClusterPki::ensure(&data_dir, &hosts))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let tls = server::tls_config(&pki)?;
    let tokens = match &config.token_auth_file {
        Some(path) => TokenFile::load(path)?,
        None => TokenFile::default(),
    };
    let listener = TcpListener::bind((config.bind_address, config.port))
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}:{}: {e}",
                config.bind_address, config.port
            )
        })?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let host = if config.bind_address.is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        match config.bind_address {
            IpAddr::V6(v6) => format!("[{v6}]"),
            v4 => v4.to_string(),
        }
    };
    let url = format!("https://{host}:{}", address.port());

    bootstrap::ensure(&store).await?;
    flowcontrol::maintain(&store).await?;
    authz::bootstrap_policy::ensure(&store).await?;
    // Authorization reads a policy (and a graph) loaded before the first
    // request and followed from then on.
    let (policy, policy_revision) = authz::rbac::Policy::load(&store).await?;
    let graph = if config.authorization_modes.contains(&authz::Mode::Node) {
        Some(authz::node::Graph::load(&store).await?)
    } else {
        None
    };
    // Custom kinds are registered before the first request, so a restarted
    // server serves them at once.
    let registry = Arc::new(api::Registry::default());
    let definitions = apiextensions::Controller::start(store.clone(), registry.clone()).await?;
    let authorization = Arc::new(authz::Authorization {
        chain: authz::AuthorizerChain::new(
            &config.authorization_modes,
            &policy,
            graph.as_ref().map(|(graph, _)| graph),
        ),
        policy: policy.clone(),
    });
    let advertise = config
        .advertise_address
        .unwrap_or(if config.bind_address.is_unspecified() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            config.bind_address
        });
    let cluster_ip = first_service_ip(&config.service_cluster_ip_range)?;
    let member = endpoint_leases::Member {
        address: advertise.to_string(),
        port: address.port(),
        cluster_ip,
    };
    endpoint_leases::reconcile(&store, &member).await?;
    let service_ranges = Arc::new(service_allocation::ServiceRanges::new(
        &config.service_cluster_ip_range,
        &config.service_node_port_range,
    )?);
    // What stored Services hold is recorded before anything is allocated.
    service_ranges.repair(&store).await?;

    let kubeconfig = config.data_dir.join("kubeconfig.yaml");
    let ca_pem = pki.ca.cert_pem().map_err(|e| e.to_string())?;
    pki::write_kubeconfig(&kubeconfig, &url, &ca_pem, &pki.admin).map_err(|e| e.to_string())?;

    let metrics = Arc::new(metrics::Metrics::new());
    let store = metrics::MeteredStore::wrap(store, metrics.clone());
    let auditor = match &config.audit {
        Some(audit) => Some(Arc::new(audit::Auditor::new(audit)?)),
        None => None,
    };
    let state = Arc::new(ApiState {
        registry,
        metrics,
        watch_cache: watch_cache::WatchCaches::new(store.clone()),
        store,
        tokens,
        service_accounts: Some(service_account_tokens::TokenIssuer::load(
            &config.data_dir.join("pki"),
            &config.service_account_issuer,
            config.service_account_signing_key_file.as_deref(),
            &config.service_account_key_files,
        )?),
        kubelet_client: kubelet_client(&pki)
            .map_err(|e| tracing::warn!(error = %e, "no kubelet client: pods/log will fail"))
            .ok(),
        ca_pem,
        authorization: authorization.clone(),
        advertise_address: format!("{host}:{}", address.port()),
        inflight_readonly: Semaphore::new(config.max_requests_inflight.max(1)),
        inflight_mutating: Semaphore::new(config.max_mutating_requests_inflight.max(1)),
        body_budget: Arc::new(Semaphore::new(request_body::BODY_BUDGET_BYTES)),
        ready: AtomicBool::new(false),
        component_probes: config.component_probes.clone(),
        admission: admission::AdmissionChain::new(authorization),
        services: service_ranges.clone(),
        watches: watch::WatchCounts::new(config.max_watches_per_user),
        auditor,
    });
    let (shutdown, stopping) = tokio::sync::watch::channel(false);
    let leases = {
        let (store, stopping) = (state.store.clone(), stopping.clone());
        let event_ttl = config.event_ttl;
        tokio::spawn(async move {
            tokio::join!(
                endpoint_leases::run(store.clone(), member, stopping.clone()),
                service_allocation::run_repair(service_ranges, store.clone(), stopping.clone()),
                event_ttl::run(store.clone(), event_ttl, stopping.clone()),
                flowcontrol::run(store.clone(), stopping.clone()),
                policy.follow(store.clone(), policy_revision, stopping.clone()),
                definitions.run(stopping.clone()),
                async move {
                    if let Some((graph, revision)) = graph {
                        graph.follow(store, revision, stopping).await;
                    }
                },
            );
        })
    };
    let task = tokio::spawn(server::serve(listener, tls, state.clone(), stopping));
    state.ready.store(true, Ordering::SeqCst);
    Ok(ApiServer {
        address,
        url,
        kubeconfig,
        pki,
        shutdown,
        task,
        leases,
        state,
    })
}

/// The TLS client the API server reaches kubelets with: its
/// `kube-apiserver-kubelet-client` certificate; it trusts a kubelet whose
/// serving certificate the cluster CA issued for the address it dials
/// (from the kubelet-serving signer, or `rudder server`'s own kubelet).
fn kubelet_client(pki: &ClusterPki) -> Result<Arc<rustls::ClientConfig>, String> {
    let pair = pki
        .client(
            "apiserver-kubelet-client",
            "kube-apiserver-kubelet-client",
            &[],
        )
        .map_err(|e| e.to_string())?;
    let cert = pair.cert_pem().map_err(|e| e.to_string())?;
    let key = pair.key_pem().map_err(|e| e.to_string())?;
    let ca = pki.ca.cert_pem().map_err(|e| e.to_string())?;
    serving::client_config_verifying(ca.as_bytes(), cert.as_bytes(), key.as_bytes())
}
