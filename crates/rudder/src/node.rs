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
        serving_cert: Option<serving::ServingCert>,
    ) -> Result<kubelet::KubeletOptions, String> {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
        };
        let serving_cert = match (&self.tls_cert_file, &self.tls_private_key_file) {
            (Some(cert), Some(key)) => Some(serving::ServingCert {
                cert_pem: read(cert)?,
                key_pem: read(key)?,
            }),
            _ => serving_cert,
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
        {
            options.server = Some(kubelet::server::ServerOptions {
                address: std::net::SocketAddr::from(([0, 0, 0, 0], self.kubelet_port)),
                client_ca_pem,
                serving_cert,
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
    serving_cert: Option<serving::ServingCert>,
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
    let mut options = args.kubelet_options(root_dir, extra_labels, cluster_ca, serving_cert)?;
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
    let kubeconfig = match (&args.kubeconfig, &args.server, &args.token) {
        (Some(path), _, _) => path.clone(),
        (None, Some(server), Some(token)) => {
            let name = if args.node.simulated_nodes > 0 {
                args.node.simulated_node_prefix.clone()
            } else {
                args.node.name()
            };
            join(server, token, &name, &args.root_dir).await?
        }
        _ => return Err("a node needs --kubeconfig, or --server and --token".into()),
    };
    let client = crate::components::client(&kubeconfig).await?;
    // A simulated fleet joined with the token writes each node as itself.
    let fleet_clients = match (&args.token, args.node.simulated_nodes > 0) {
        (Some(token), true) if args.kubeconfig.is_none() => {
            let secret = token
                .trim()
                .split_once("::")
                .map(|(_, s)| s)
                .unwrap_or_default();
            Some(fleet_clients(&kubeconfig, &args.node.simulated()?, secret).await?)
        }
        _ => None,
    };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
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
        kubeconfig_ca(&kubeconfig),
        // A joining node has no CA key: --tls-cert-file, else self-signed.
        None,
        stopping,
    )?);
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    Ok(())
}

/// One client per simulated node, each authenticating as its node with
/// the join secret (`node:<name>:<secret>`), on the cluster of `kubeconfig`.
async fn fleet_clients(
    kubeconfig: &Path,
    nodes: &kubelet::SimulatedNodes,
    secret: &str,
) -> Result<std::collections::HashMap<String, kube::Client>, String> {
    let base = kube::config::Kubeconfig::read_from(kubeconfig)
        .map_err(|e| format!("reading {}: {e}", kubeconfig.display()))?;
    let mut clients = std::collections::HashMap::new();
    for index in 1..=nodes.count {
        let name = format!("{}-{index}", nodes.prefix);
        let mut own = base.clone();
        let token = format!("node:{name}:{secret}");
        for named in &mut own.auth_infos {
            let user: kube::config::AuthInfo =
                serde_json::from_value(serde_json::json!({"token": token}))
                    .map_err(|e| e.to_string())?;
            named.auth_info = Some(user);
        }
        let config =
            kube::Config::from_custom_kubeconfig(own, &kube::config::KubeConfigOptions::default())
                .await
                .map_err(|e| format!("a client for node {name}: {e}"))?;
        let client =
            kube::Client::try_from(config).map_err(|e| format!("a client for node {name}: {e}"))?;
        clients.insert(name, client);
    }
    Ok(clients)
}

/// The CA a kubeconfig trusts for its cluster (inline or in a file).
fn kubeconfig_ca(path: &Path) -> Option<String> {
    use base64::Engine;
    let kubeconfig = kube::config::Kubeconfig::read_from(path).ok()?;
    let cluster = kubeconfig.clusters.first()?.cluster.clone()?;
    if let Some(data) = cluster.certificate_authority_data {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .ok()?;
        return String::from_utf8(bytes).ok();
    }
    std::fs::read_to_string(cluster.certificate_authority?).ok()
}

/// The node join secret of a server's data directory, made on first use
/// (`DATA_DIR/node-token` holds the whole token once the CA exists).
pub fn join_secret(data_dir: &Path) -> Result<String, String> {
    let path = data_dir.join("node-token");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let text = text.trim();
        let secret = text.split_once("::").map(|(_, s)| s).unwrap_or(text);
        if !secret.is_empty() {
            return Ok(secret.to_string());
        }
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    write_private(&path, &secret)?;
    Ok(secret)
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(format!("{text}\n").as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `DATA_DIR/node-token`: `<CA fingerprint>::<secret>`, the token a
/// joining node pins the cluster CA with; returns it.
pub fn write_join_token(server: &apiserver::ApiServer, data_dir: &Path) -> Result<String, String> {
    let ca = server.pki.ca.cert_pem().map_err(|e| e.to_string())?;
    let fingerprint = apiserver::pki::fingerprint(&ca).ok_or("the cluster CA does not parse")?;
    let token = format!("{fingerprint}::{}", join_secret(data_dir)?);
    write_private(&data_dir.join("node-token"), &token)?;
    Ok(token)
}

/// Joins the cluster at `server` with a join token: fetches its CA, checks
/// it against the token's fingerprint, and writes the node's kubeconfig
/// (`<root>/kubelet.kubeconfig`, authenticating as `system:node:<name>`).
pub async fn join(
    server: &str,
    token: &str,
    node: &str,
    root_dir: &Path,
) -> Result<PathBuf, String> {
    use base64::Engine;
    let (fingerprint, secret) = token.trim().split_once("::").ok_or(
        "--token is not a join token (<CA fingerprint>::<secret>, as rudder server prints it)",
    )?;
    let url: http::Uri = server
        .parse()
        .map_err(|e| format!("--server {server:?}: {e}"))?;
    // The CA is public; it is fetched unverified and then pinned.
    let mut config = kube::Config::new(url);
    config.accept_invalid_certs = true;
    let client = kube::Client::try_from(config).map_err(|e| e.to_string())?;
    let request = http::Request::get("/cacerts")
        .body(Vec::new())
        .map_err(|e| e.to_string())?;
    let ca = client
        .request_text(request)
        .await
        .map_err(|e| format!("cannot reach {server}: {e}"))?;
    let seen = apiserver::pki::fingerprint(&ca)
        .ok_or_else(|| format!("{server}/cacerts is not a certificate"))?;
    if seen != fingerprint {
        return Err(format!(
            "the CA of {server} (sha256 {seen}) is not the one the token names (sha256 {fingerprint}): refusing to join"
        ));
    }
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "rudder", "cluster": {
            "server": server,
            "certificate-authority-data": base64::engine::general_purpose::STANDARD.encode(ca.as_bytes()),
        }}],
        "users": [{"name": format!("system:node:{node}"), "user": {"token": format!("node:{node}:{secret}")}}],
        "contexts": [{"name": "rudder", "context": {"cluster": "rudder", "user": format!("system:node:{node}")}}],
        "current-context": "rudder",
    });
    let path = root_dir.join("kubelet.kubeconfig");
    write_private(&path, &kubeconfig.to_string())?;
    // The secret is checked now, so a wrong one fails here, not in retries.
    let client = crate::components::client(&path).await?;
    let nodes: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(client);
    match nodes.get_opt(node).await {
        Ok(_) => Ok(path),
        Err(kube::Error::Api(status)) if status.code == 401 => Err(format!(
            "{server} refused the token: its secret is not this cluster's"
        )),
        Err(err) => Err(format!("joining {server}: {err}")),
    }
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
