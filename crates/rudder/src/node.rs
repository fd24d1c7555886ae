//! The node side: `rudder kubelet` (one node against a cluster's API
//! server), `rudder agent` (a node joining a cluster; with
//! `--simulated-nodes`, many), and the node `rudder server` runs for
//! itself. Wiring only: the kubelet crate does the work.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::Taint;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeArg {
    /// Real processes of this machine in their own namespaces.
    Process,
    /// No processes: pods go Running after a short delay.
    Simulated,
}

/// The flags of a node.
#[derive(clap::Args, Debug, Clone)]
pub struct NodeArgs {
    /// The node's name (default: this machine's hostname).
    #[arg(long)]
    pub node_name: Option<String>,
    /// The node's InternalIP (default: the address of the default route).
    #[arg(long)]
    pub node_ip: Option<IpAddr>,
    /// The kubelet's serving certificate (PEM), with --tls-private-key-file
    /// (default: one from the cluster CA under `rudder server`, else
    /// self-signed).
    #[arg(long, requires = "tls_private_key_file")]
    pub tls_cert_file: Option<PathBuf>,
    #[arg(long, requires = "tls_cert_file")]
    pub tls_private_key_file: Option<PathBuf>,
    /// Labels to register the node with: `key=value,...`.
    #[arg(long, value_delimiter = ',')]
    pub node_labels: Vec<String>,
    /// Taints to register the node with: `key=value:Effect,...`.
    #[arg(long, value_delimiter = ',')]
    pub register_with_taints: Vec<String>,
    /// A fixed pod CIDR for this node (default: the one the controller
    /// manager assigns from --cluster-cidr).
    #[arg(long)]
    pub pod_cidr: Option<String>,
    /// The host bridge pods are attached to (one live kubelet per bridge).
    #[arg(long, default_value = "rudder0")]
    pub pod_bridge: String,
    /// The directory the rudders of this machine share: which kubelet
    /// holds each pod bridge, which pod addresses are in use, and what
    /// `rudder killall` removes.
    #[arg(long, env = "RUDDER_HOST_STATE_DIR", default_value = kubelet::runtime::process::host::DEFAULT_DIR)]
    pub host_state_dir: PathBuf,
    /// Stop this node's pods when the kubelet stops. By default they go on
    /// running, as containers outlive upstream's kubelet, and the next
    /// kubelet on the same root directory adopts them.
    #[arg(long)]
    pub stop_pods_on_exit: bool,
    /// The container runtime of this node's pods.
    #[arg(long, value_enum, default_value = "process")]
    pub container_runtime: RuntimeArg,
    /// A directory of static pod manifests, run whatever the API server
    /// says and mirrored into it.
    #[arg(long)]
    pub pod_manifest_path: Option<PathBuf>,
    /// Hard eviction thresholds: pods are evicted below them.
    #[arg(long, default_value = "memory.available<100Mi,nodefs.available<10%")]
    pub eviction_hard: String,
    /// Resources kept for the system: `cpu=100m,memory=100Mi,...`.
    #[arg(long, default_value = "")]
    pub system_reserved: String,
    /// Resources kept for Kubernetes' own daemons, likewise.
    #[arg(long, default_value = "")]
    pub kube_reserved: String,
    /// The port of the kubelet's server (logs, metrics; 0: none).
    #[arg(long, default_value_t = 10250)]
    pub kubelet_port: u16,
    /// Client certificates signed by this CA may use the kubelet's server
    /// (default: the CA of the kubeconfig the node uses).
    #[arg(long)]
    pub client_ca_file: Option<PathBuf>,
    /// Run this many simulated nodes (`<prefix>-1..N`, simulated runtime)
    /// instead of this machine's node.
    #[arg(long, default_value_t = 0)]
    pub simulated_nodes: usize,
    /// The names' prefix of simulated nodes.
    #[arg(long, default_value = "rudder-sim")]
    pub simulated_node_prefix: String,
    /// The DNS server pods use (`ClusterFirst`): the kube-dns Service's
    /// cluster IP (`rudder server` defaults it to its own).
    #[arg(long, value_delimiter = ',')]
    pub cluster_dns: Vec<IpAddr>,
    /// The cluster's DNS domain, searched by pods.
    #[arg(long, default_value = "cluster.local")]
    pub cluster_domain: String,
    /// The resolver configuration `Default` pods get.
    #[arg(long, default_value = "/etc/resolv.conf")]
    pub resolv_conf: PathBuf,
}

fn parse_labels(entries: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for entry in entries.iter().filter(|e| !e.is_empty()) {
        let (key, value) = entry
            .split_once('=')
            .ok_or_else(|| format!("--node-labels: {entry:?} is not key=value"))?;
        labels.insert(key.to_string(), value.to_string());
    }
    Ok(labels)
}

fn parse_taints(entries: &[String]) -> Result<Vec<Taint>, String> {
    let mut taints = Vec::new();
    for entry in entries.iter().filter(|e| !e.is_empty()) {
        let (key_value, effect) = entry
            .rsplit_once(':')
            .ok_or_else(|| format!("--register-with-taints: {entry:?} is not key=value:Effect"))?;
        if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            return Err(format!(
                "--register-with-taints: {entry:?}: the effect must be NoSchedule, PreferNoSchedule or NoExecute"
            ));
        }
        let (key, value) = match key_value.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (key_value.to_string(), None),
        };
        taints.push(Taint {
            key,
            value,
            effect: effect.to_string(),
            time_added: None,
        });
    }
    Ok(taints)
}

impl NodeArgs {
    pub fn name(&self) -> String {
        self.node_name
            .clone()
            .unwrap_or_else(kubelet::machine::hostname)
    }

    /// The kubelet's options, state under `root_dir`; `cluster_ca` is the
    /// CA of the cluster it joins (trusted for clients unless
    /// --client-ca-file names another).
    pub fn kubelet_options(
        &self,
        root_dir: PathBuf,
        extra_labels: &[(&str, &str)],
        cluster_ca: Option<String>,
        serving: Option<kubelet::server::ServingIdentity>,
    ) -> Result<kubelet::KubeletOptions, String> {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
        };
        let serving = match (&self.tls_cert_file, &self.tls_private_key_file) {
            (Some(cert), Some(key)) => Some(kubelet::server::ServingIdentity::Fixed(
                serving::ServingCert {
                    cert_pem: read(cert)?,
                    key_pem: read(key)?,
                },
            )),
            _ => serving,
        };
        let mut options = kubelet::KubeletOptions::new(&self.name(), root_dir);
        let client_ca = match &self.client_ca_file {
            Some(path) => Some(
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
            ),
            None => cluster_ca,
        };
        if self.kubelet_port != 0
            && let Some(client_ca_pem) = client_ca
            && let Some(serving) = serving
        {
            options.server = Some(kubelet::server::ServerOptions {
                address: std::net::SocketAddr::from(([0, 0, 0, 0], self.kubelet_port)),
                client_ca_pem,
                serving,
            });
        }
        options.node_ip = self.node_ip;
        options.node_labels = parse_labels(&self.node_labels)?;
        for (key, value) in extra_labels {
            options
                .node_labels
                .insert(key.to_string(), value.to_string());
        }
        options.register_with_taints = parse_taints(&self.register_with_taints)?;
        options.pod_cidr = self.pod_cidr.clone();
        options.pod_manifest_path = self.pod_manifest_path.clone();
        options.keep_pods_on_exit = !self.stop_pods_on_exit;
        options.eviction_hard = kubelet::machine::Thresholds::parse(&self.eviction_hard)
            .map_err(|e| format!("--eviction-hard: {e}"))?;
        options.reserved = kubelet::machine::Reserved::default()
            .plus(&self.system_reserved)
            .map_err(|e| format!("--system-reserved: {e}"))?
            .plus(&self.kube_reserved)
            .map_err(|e| format!("--kube-reserved: {e}"))?;
        if self.pod_bridge.is_empty() || self.pod_bridge.len() > 15 {
            return Err("--pod-bridge must be 1 to 15 bytes (an interface name)".into());
        }
        options.bridge = kubelet::BridgeConfig {
            name: self.pod_bridge.clone(),
            host_dir: kubelet::runtime::process::host::HostDir::new(&self.host_state_dir),
            ..Default::default()
        };
        options.cluster_dns = kubelet::dns::ClusterDns {
            servers: self.cluster_dns.clone(),
            domain: self.cluster_domain.clone(),
            host_resolv_conf: self.resolv_conf.clone(),
        };
        options.runtime = match self.container_runtime {
            RuntimeArg::Process => kubelet::RuntimeChoice::Process,
            RuntimeArg::Simulated => {
                kubelet::RuntimeChoice::Simulated(kubelet::SimulatedTiming::default())
            }
        };
        Ok(options)
    }

    pub fn simulated(&self) -> Result<kubelet::SimulatedNodes, String> {
        let mut nodes = kubelet::SimulatedNodes::new(self.simulated_nodes);
        nodes.prefix = self.simulated_node_prefix.clone();
        nodes.labels = parse_labels(&self.node_labels)?;
        nodes.taints = parse_taints(&self.register_with_taints)?;
        if let Some(ip) = self.node_ip {
            nodes.address = ip;
        }
        Ok(nodes)
    }
}

/// Runs this machine's node, or the simulated ones, until `stopping`; a
/// node whose pod bridge another live kubelet holds is refused.
#[allow(clippy::too_many_arguments)]
pub fn spawn(
    client: kube::Client,
    fleet_clients: Option<std::collections::HashMap<String, kube::Client>>,
    args: &NodeArgs,
    data_dir: &Path,
    root_dir: PathBuf,
    extra_labels: &[(&str, &str)],
    cluster_ca: Option<String>,
    serving: Option<kubelet::server::ServingIdentity>,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    if args.simulated_nodes > 0 {
        let nodes = args.simulated()?;
        tracing::info!(count = nodes.count, prefix = %nodes.prefix, "simulated nodes started");
        return Ok(tokio::spawn(async move {
            match fleet_clients {
                Some(clients) => {
                    let shared = client.clone();
                    let client_for = move |name: &str| {
                        clients.get(name).cloned().unwrap_or_else(|| shared.clone())
                    };
                    kubelet::run_simulated_as(client, client_for, nodes, stopping).await
                }
                None => kubelet::run_simulated(client, nodes, stopping).await,
            }
        }));
    }
    let mut options = args.kubelet_options(root_dir, extra_labels, cluster_ca, serving)?;
    if matches!(options.runtime, kubelet::RuntimeChoice::Process) {
        options.bridge.data_dir = Some(data_dir.to_path_buf());
        // Blocks for a few seconds at most, while a kubelet that is ending
        // lets go of the bridge.
        let claim = tokio::task::block_in_place(|| options.bridge.take(&options.root_dir))?;
        options.bridge.claim = Some(std::sync::Arc::new(claim));
    }
    tracing::info!(node = %options.node_name, "kubelet started");
    Ok(tokio::spawn(kubelet::run(client, options, stopping)))
}

/// The flags of `rudder kubelet` and `rudder agent`.
#[derive(clap::Args, Debug)]
pub struct KubeletArgs {
    /// The kubeconfig of the cluster to join (its user should be
    /// `system:node:<name>` in group `system:nodes`); else --server and
    /// --token.
    #[arg(long, conflicts_with_all = ["server", "token"])]
    pub kubeconfig: Option<PathBuf>,
    /// The API server to join (`https://host:6443`), with --token.
    #[arg(long, requires = "token")]
    pub server: Option<String>,
    /// The join token `rudder server` printed (also in its
    /// `DATA_DIR/node-token`).
    #[arg(long, requires = "server")]
    pub token: Option<String>,
    /// The kubelet's state: pod volumes and container logs.
    #[arg(long, default_value = "/var/lib/rudder/kubelet")]
    pub root_dir: PathBuf,
    #[command(flatten)]
    pub node: NodeArgs,
}

/// The flags of `rudder agent`: a node and its service proxy.
#[derive(clap::Args, Debug)]
pub struct AgentArgs {
    #[command(flatten)]
    pub kubelet: KubeletArgs,
    /// Do not run the service proxy on this node.
    #[arg(long)]
    pub disable_proxy: bool,
    /// The cluster's pod addresses (the controller manager's
    /// --cluster-cidr): clients outside it are masqueraded.
    #[arg(long, default_value = "10.244.0.0/16")]
    pub cluster_cidr: String,
    #[command(flatten)]
    pub proxy: crate::network::ProxyArgs,
}

pub async fn run_agent(args: AgentArgs) -> Result<(), String> {
    let proxy = (!args.disable_proxy && args.kubelet.node.simulated_nodes == 0)
        .then_some((args.proxy, args.cluster_cidr));
    run_node(args.kubelet, proxy).await
}

pub async fn run_kubelet(args: KubeletArgs) -> Result<(), String> {
    run_node(args, None).await
}

async fn run_node(
    args: KubeletArgs,
    proxy: Option<(crate::network::ProxyArgs, String)>,
) -> Result<(), String> {
    std::fs::create_dir_all(&args.root_dir)
        .map_err(|e| format!("{}: {e}", args.root_dir.display()))?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    let mut fleet_clients = None;
    let (client, cluster_ca, serving) = match (&args.kubeconfig, &args.server, &args.token) {
        (Some(path), _, _) => {
            let client = crate::components::client_as(path, "kubelet").await?;
            let ca = kubeconfig_ca(path);
            let serving = serving_certificate(&args, &client, &stopping, &mut tasks);
            (client, ca, serving)
        }
        (None, Some(server), Some(token)) => {
            let cluster = crate::join::Cluster::pin(server, token).await?;
            if args.node.simulated_nodes > 0 {
                // Each simulated node is itself, by its own certificate.
                let nodes = args.node.simulated()?;
                let clients = cluster.join_fleet(&nodes, &args.root_dir).await?;
                let first = clients
                    .get(&format!("{}-1", nodes.prefix))
                    .cloned()
                    .ok_or("a simulated fleet needs at least one node")?;
                fleet_clients = Some(clients);
                (first, Some(cluster.ca_pem().to_string()), None)
            } else {
                let joined = cluster.join_node(&args.node.name(), &args.root_dir).await?;
                tracing::info!(kubeconfig = %joined.kubeconfig.display(), "joined as the node");
                tasks.push(tokio::spawn(
                    joined
                        .certificates
                        .clone()
                        .run(joined.client.clone(), stopping.clone()),
                ));
                let serving = serving_certificate(&args, &joined.client, &stopping, &mut tasks);
                (joined.client, Some(cluster.ca_pem().to_string()), serving)
            }
        }
        _ => return Err("a node needs --kubeconfig, or --server and --token".into()),
    };
    if let Some((proxy_args, cluster_cidr)) = proxy {
        let options = proxy_args.options(&args.node.name(), &cluster_cidr).await?;
        tasks.push(crate::network::spawn_proxy(
            client.clone(),
            options,
            stopping.clone(),
        ));
    }
    tasks.push(spawn(
        client,
        fleet_clients,
        &args.node,
        &args.root_dir,
        args.root_dir.clone(),
        &[],
        cluster_ca,
        serving,
        stopping,
    )?);
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

/// The kubelet's serving certificate when it is given none: one from the
/// cluster's kubelet-serving signer, asked for as the node (an operator
/// approves it) and renewed as it ages; kept under `<root>/pki`.
fn serving_certificate(
    args: &KubeletArgs,
    client: &kube::Client,
    stopping: &tokio::sync::watch::Receiver<bool>,
    tasks: &mut Vec<tokio::task::JoinHandle<()>>,
) -> Option<kubelet::server::ServingIdentity> {
    // A port with a certificate of its own, or no port: nothing to ask for.
    if args.node.tls_cert_file.is_some() || args.node.kubelet_port == 0 {
        return None;
    }
    let name = args.node.name();
    let hostname = kubelet::machine::hostname();
    let mut dns_names = vec![name.clone()];
    if hostname != name {
        dns_names.push(hostname);
    }
    let node_ip = args
        .node
        .node_ip
        .unwrap_or_else(kubelet::runtime::process::node_address);
    let template = kubelet::certificate::Template::serving(&name, dns_names, vec![node_ip]);
    let store =
        kubelet::certificate::CertificateStore::new(&args.root_dir.join("pki"), "kubelet-server");
    // A kept certificate serves on if it still names this node's address.
    let kept = store.load().ok().flatten().filter(|issued| {
        issued.valid_now()
            && issued.common_name == template.common_name
            && issued.names_address(node_ip)
    });
    let certificates = kubelet::certificate::Rotating::new(store, template, kept);
    tasks.push(tokio::spawn(
        certificates.clone().run(client.clone(), stopping.clone()),
    ));
    Some(kubelet::server::ServingIdentity::Issued(certificates))
}

/// The CA a kubeconfig trusts for its cluster (inline or in a file).
fn kubeconfig_ca(path: &Path) -> Option<String> {
    kubeconfig_cluster(path).map(|(_, ca)| ca)
}

/// The server of a kubeconfig's first cluster and the CA it trusts there.
pub fn kubeconfig_cluster(path: &Path) -> Option<(String, String)> {
    use base64::Engine;
    let kubeconfig = kube::config::Kubeconfig::read_from(path).ok()?;
    let cluster = kubeconfig.clusters.first()?.cluster.clone()?;
    let server = cluster.server.clone()?;
    if let Some(data) = cluster.certificate_authority_data {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .ok()?;
        return Some((server, String::from_utf8(bytes).ok()?));
    }
    let ca = std::fs::read_to_string(cluster.certificate_authority?).ok()?;
    Some((server, ca))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_taints_parse_as_the_kubelet_flags() {
        let labels = parse_labels(&["a=b".into(), "node-role.kubernetes.io/edge=".into()]).unwrap();
        assert_eq!(labels["a"], "b");
        assert_eq!(labels["node-role.kubernetes.io/edge"], "");
        assert!(parse_labels(&["nope".into()]).is_err());
        let taints =
            parse_taints(&["dedicated=gpu:NoSchedule".into(), "spot:NoExecute".into()]).unwrap();
        assert_eq!(taints[0].key, "dedicated");
        assert_eq!(taints[0].value.as_deref(), Some("gpu"));
        assert_eq!(taints[1].value, None);
        assert!(parse_taints(&["x=y:Sometimes".into()]).is_err());
    }
}
