//! Services on the wire: the service proxy's and the cluster DNS's flags,
//! `rudder proxy` (the proxy alone, against a kubeconfig), and starting
//! both inside `rudder server` and `rudder agent`. Wiring only: the proxy
//! crate does the work.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyModeArg {
    Nftables,
    Iptables,
}

/// The service proxy's flags (upstream kube-proxy's, with a `proxy-`
/// prefix where `rudder server` has other components' flags too).
#[derive(clap::Args, Debug, Clone)]
pub struct ProxyArgs {
    /// How Services are programmed: nftables (the default where the
    /// kernel supports it) or iptables.
    #[arg(long, value_enum)]
    pub proxy_mode: Option<ProxyModeArg>,
    /// Where the proxy serves /healthz and /livez (empty: nowhere).
    #[arg(long, default_value = "0.0.0.0:10256")]
    pub proxy_healthz_bind_address: String,
    /// Where the proxy serves /metrics (empty: nowhere).
    #[arg(long, default_value = "127.0.0.1:10249")]
    pub proxy_metrics_bind_address: String,
    /// Masquerade all traffic sent to cluster IPs.
    #[arg(long)]
    pub masquerade_all: bool,
    /// Changes closer together than this are written in one sync.
    #[arg(long, default_value = "1s", value_parser = crate::serve::parse_duration)]
    pub proxy_min_sync_period: Duration,
    /// The proxy syncs at least this often.
    #[arg(long, default_value = "30s", value_parser = crate::serve::parse_duration)]
    pub proxy_sync_period: Duration,
}

fn optional_address(flag: &str, text: &str) -> Result<Option<SocketAddr>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("--{flag}: {text:?} is not an address like 0.0.0.0:10256"))
}

impl ProxyArgs {
    /// The proxy's options for the node `node_name` whose pods are in
    /// `cluster_cidr` (empty: unknown).
    pub async fn options(
        &self,
        node_name: &str,
        cluster_cidr: &str,
    ) -> Result<proxy::ProxyOptions, String> {
        let mode = match self.proxy_mode {
            Some(ProxyModeArg::Nftables) => proxy::Mode::Nftables,
            Some(ProxyModeArg::Iptables) => proxy::Mode::Iptables,
            None => proxy::default_mode().await,
        };
        let mut options = proxy::ProxyOptions::new(mode, node_name);
        if !cluster_cidr.is_empty() {
            options.config.cluster_cidr = Some(
                proxy::Ipv4Net::parse(cluster_cidr).map_err(|e| format!("--cluster-cidr: {e}"))?,
            );
        }
        options.config.masquerade_all = self.masquerade_all;
        options.min_sync_period = self.proxy_min_sync_period;
        options.sync_period = self.proxy_sync_period.max(Duration::from_secs(1));
        options.healthz_bind_address = optional_address(
            "proxy-healthz-bind-address",
            &self.proxy_healthz_bind_address,
        )?;
        options.metrics_bind_address = optional_address(
            "proxy-metrics-bind-address",
            &self.proxy_metrics_bind_address,
        )?;
        Ok(options)
    }
}

/// The flags of `rudder proxy`.
#[derive(clap::Args, Debug)]
pub struct ProxyCommandArgs {
    /// The kubeconfig of the cluster whose Services to program.
    #[arg(long, required_unless_present = "cleanup")]
    pub kubeconfig: Option<PathBuf>,
    /// The node this proxy runs on (default: this machine's hostname).
    #[arg(long)]
    pub hostname_override: Option<String>,
    /// The cluster's pod addresses: clients outside it are masqueraded.
    #[arg(long, default_value = "")]
    pub cluster_cidr: String,
    /// Remove every rule the proxy wrote (both modes) and exit.
    #[arg(long)]
    pub cleanup: bool,
    #[command(flatten)]
    pub proxy: ProxyArgs,
}

pub async fn run_proxy(args: ProxyCommandArgs) -> Result<(), String> {
    if args.cleanup {
        return proxy::cleanup("rudder").await;
    }
    let kubeconfig = args.kubeconfig.ok_or("--kubeconfig is required")?;
    let client = crate::components::client_as(&kubeconfig, "kube-proxy").await?;
    let node = args
        .hostname_override
        .unwrap_or_else(kubelet::machine::hostname);
    let options = args.proxy.options(&node, &args.cluster_cidr).await?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let task = spawn_proxy(client, options, stopping);
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    let _ = task.await;
    Ok(())
}

/// Runs the proxy until `stopping`.
pub fn spawn_proxy(
    client: kube::Client,
    options: proxy::ProxyOptions,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tracing::info!(mode = options.mode.as_str(), node = %options.node_name, "service proxy started");
    tokio::spawn(async move {
        if let Err(err) = proxy::run(client, options, stopping).await {
            tracing::error!("service proxy: {err}");
        }
    })
}

/// The cluster DNS's flags on `rudder server`.
#[derive(clap::Args, Debug, Clone)]
pub struct DnsArgs {
    /// Do not run the cluster DNS (nor publish the kube-dns Service).
    #[arg(long)]
    pub disable_dns: bool,
    /// Where the cluster DNS answers (default: the node's address, port 53).
    #[arg(long)]
    pub cluster_dns_bind_address: Option<SocketAddr>,
    /// Where the cluster DNS serves /metrics (empty: nowhere).
    #[arg(long, default_value = "0.0.0.0:9153")]
    pub cluster_dns_metrics_bind_address: String,
}

/// The `.10` of the Service range: the kube-dns Service's cluster IP.
pub fn dns_service_ip(service_cluster_ip_range: &str) -> Result<Ipv4Addr, String> {
    let range = proxy::Ipv4Net::parse(service_cluster_ip_range)
        .map_err(|e| format!("--service-cluster-ip-range: {e}"))?;
    Ok(range.nth(10))
}

impl DnsArgs {
    pub fn options(
        &self,
        node_ip: IpAddr,
        cluster_domain: &str,
        service_ip: Ipv4Addr,
        cluster_cidr: Option<proxy::Ipv4Net>,
    ) -> Result<proxy::dns::DnsOptions, String> {
        let listen = self
            .cluster_dns_bind_address
            .unwrap_or(SocketAddr::new(node_ip, 53));
        let mut options = proxy::dns::DnsOptions::new(listen);
        options.cluster_domain = cluster_domain.to_string();
        options.service_ip = Some(service_ip);
        // Other names are resolved for pods and nodes only.
        if let Some(cidr) = cluster_cidr {
            options.recursion_for.push(cidr);
        }
        if let IpAddr::V4(node) = node_ip
            && let Ok(net) = proxy::Ipv4Net::parse(&format!("{node}/32"))
        {
            options.recursion_for.push(net);
        }
        if listen.ip().is_unspecified() {
            options.advertise = Some(node_ip);
        }
        options.metrics_bind_address = optional_address(
            "cluster-dns-metrics-bind-address",
            &self.cluster_dns_metrics_bind_address,
        )?;
        Ok(options)
    }
}

/// Runs the cluster DNS until `stopping`, its Service published with
/// `publisher`.
pub fn spawn_dns(
    client: kube::Client,
    publisher: kube::Client,
    options: proxy::dns::DnsOptions,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(err) = proxy::dns::run(client, publisher, options, stopping).await {
            tracing::error!("cluster DNS: {err}");
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dns_service_is_the_tenth_address() {
        assert_eq!(
            dns_service_ip("10.96.0.0/12").unwrap(),
            Ipv4Addr::new(10, 96, 0, 10)
        );
        assert_eq!(
            dns_service_ip("10.245.0.0/16").unwrap(),
            Ipv4Addr::new(10, 245, 0, 10)
        );
        assert!(dns_service_ip("nope").is_err());
    }
}
