//! The node side: `rudder kubelet` (one node against a cluster's API
//! server), `rudder agent` (a node joining a cluster; with
//! `--simulated-nodes`, many), and the node `rudder server` runs for
//! itself. Wiring only: the kubelet crate does the work.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

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
    /// The host bridge pods are attached to.
    #[arg(long, default_value = "rudder0")]
    pub pod_bridge: String,
    /// The container runtime of this node's pods.
    #[arg(long, value_enum, default_value = "process")]
    pub container_runtime: RuntimeArg,
    /// A directory of static pod manifests, run whatever the API server
    /// says and mirrored into it.
    #[arg(long)]
    pub pod_manifest_path: Option<PathBuf>,
    /// Run this many simulated nodes (`<prefix>-1..N`, simulated runtime)
    /// instead of this machine's node.
    #[arg(long, default_value_t = 0)]
    pub simulated_nodes: usize,
    /// The names' prefix of simulated nodes.
    #[arg(long, default_value = "rudder-sim")]
    pub simulated_node_prefix: String,
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

    /// The kubelet's options, state under `root_dir`.
    pub fn kubelet_options(
        &self,
        root_dir: PathBuf,
        extra_labels: &[(&str, &str)],
    ) -> Result<kubelet::KubeletOptions, String> {
        let mut options = kubelet::KubeletOptions::new(&self.name(), root_dir);
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
        if self.pod_bridge.is_empty() || self.pod_bridge.len() > 15 {
            return Err("--pod-bridge must be 1 to 15 bytes (an interface name)".into());
        }
        options.bridge = kubelet::BridgeConfig {
            name: self.pod_bridge.clone(),
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

/// Runs this machine's node, or the simulated ones, until `stopping`.
pub fn spawn(
    client: kube::Client,
    args: &NodeArgs,
    root_dir: PathBuf,
    extra_labels: &[(&str, &str)],
    stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    if args.simulated_nodes > 0 {
        let nodes = args.simulated()?;
        tracing::info!(count = nodes.count, prefix = %nodes.prefix, "simulated nodes started");
        return Ok(tokio::spawn(kubelet::run_simulated(
            client, nodes, stopping,
        )));
    }
    let options = args.kubelet_options(root_dir, extra_labels)?;
    tracing::info!(node = %options.node_name, "kubelet started");
    Ok(tokio::spawn(kubelet::run(client, options, stopping)))
}

/// The flags of `rudder kubelet` and `rudder agent`.
#[derive(clap::Args, Debug)]
pub struct KubeletArgs {
    /// The kubeconfig of the cluster to join (its user should be
    /// `system:node:<name>` in group `system:nodes`).
    #[arg(long)]
    pub kubeconfig: PathBuf,
    /// The kubelet's state: pod volumes and container logs.
    #[arg(long, default_value = "/var/lib/rudder/kubelet")]
    pub root_dir: PathBuf,
    #[command(flatten)]
    pub node: NodeArgs,
}

pub async fn run_kubelet(args: KubeletArgs) -> Result<(), String> {
    let client = crate::components::client(&args.kubeconfig).await?;
    std::fs::create_dir_all(&args.root_dir)
        .map_err(|e| format!("{}: {e}", args.root_dir.display()))?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let node = spawn(client, &args.node, args.root_dir.clone(), &[], stopping)?;
    crate::serve::wait_for_shutdown().await;
    let _ = stop.send(true);
    let _ = node.await;
    Ok(())
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
