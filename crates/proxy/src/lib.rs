//! The service proxy and the cluster DNS of rudder, both API clients.
//!
//! The proxy (`run`) watches Services and EndpointSlices and programs this
//! node's packet filter so that cluster IPs, node ports, external and load
//! balancer addresses reach ready endpoints: `nftables` (one table, maps
//! for lookups) or `iptables` (upstream's KUBE-* chains). `model` turns the
//! API objects into Service ports with their endpoints, `plan` decides
//! where each port's traffic goes, `nftables` and `iptables` render and
//! apply the rules (only what changed after the first sync), `conntrack`
//! flushes stale UDP flows. The cluster DNS lives in `dns`.

pub mod chains;
pub mod conntrack;
pub mod dns;
pub mod iptables;
mod metrics;
pub mod model;
pub mod nftables;
pub mod plan;
mod runner;
mod tool;
mod watch;

pub use metrics::Health;
pub use model::Ipv4Net;
pub use runner::run;

use std::net::SocketAddr;
use std::time::Duration;

/// How rules are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Nftables,
    Iptables,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Nftables => "nftables",
            Mode::Iptables => "iptables",
        }
    }
}

/// What the rules depend on besides Services and endpoints.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Pod addresses: clients outside it are masqueraded when they reach a
    /// cluster IP (None: nobody is, unless `masquerade_all`).
    pub cluster_cidr: Option<Ipv4Net>,
    /// Masquerade every packet sent to a cluster IP.
    pub masquerade_all: bool,
}

/// The proxy's options (upstream's flags of the same meaning).
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    pub mode: Mode,
    /// The node this proxy runs on: its endpoints are the local ones.
    pub node_name: String,
    pub config: Config,
    /// The nftables table's name.
    pub nftables_table: String,
    /// Changes closer together than this are written in one sync.
    pub min_sync_period: Duration,
    /// A sync at least this often, even with no change.
    pub sync_period: Duration,
    /// Everything rewritten at least this often (and after any failure).
    pub full_sync_period: Duration,
    /// `/healthz` and `/livez` (upstream's port 10256).
    pub healthz_bind_address: Option<SocketAddr>,
    /// `/metrics` (upstream's port 10249).
    pub metrics_bind_address: Option<SocketAddr>,
}

impl ProxyOptions {
    pub fn new(mode: Mode, node_name: &str) -> ProxyOptions {
        ProxyOptions {
            mode,
            node_name: node_name.to_string(),
            config: Config::default(),
            nftables_table: "rudder".to_string(),
            min_sync_period: Duration::from_secs(1),
            sync_period: Duration::from_secs(30),
            full_sync_period: Duration::from_secs(3600),
            healthz_bind_address: None,
            metrics_bind_address: None,
        }
    }
}

/// Why a sync did not take.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The tool could not be run at all.
    #[error("{0}")]
    Command(String),
    /// The tool refused the rules (the kernel kept the previous ones).
    #[error("{0}")]
    Rejected(String),
}

/// The mode to use when none is asked for: nftables where this kernel and
/// `nft` can do it, else iptables.
pub async fn default_mode() -> Mode {
    if nftables::Nftables::supported().await {
        Mode::Nftables
    } else {
        Mode::Iptables
    }
}

/// Removes every rule this proxy writes, in both modes (`rudder proxy
/// --cleanup`, as `kube-proxy --cleanup`).
pub async fn cleanup(nftables_table: &str) -> Result<(), String> {
    // A tool that is not installed has written nothing to remove.
    let tolerate = |result: Result<(), SyncError>| match result {
        Err(SyncError::Command(_)) => Ok(()),
        other => other,
    };
    tolerate(nftables::cleanup(nftables_table).await).map_err(|e| e.to_string())?;
    tolerate(iptables::cleanup().await).map_err(|e| e.to_string())
}
