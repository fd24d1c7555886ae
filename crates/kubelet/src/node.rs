//! The node's own object: registration, status and heartbeat. The node
//! registers itself (or takes over its existing object), reports its
//! status when something changed and at least every five minutes, and
//! renews its Lease in kube-node-lease every ten seconds, as upstream's
//! kubelet does with node leases on.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::{
    ContainerImage, DaemonEndpoint, Node, NodeAddress, NodeCondition, NodeDaemonEndpoints,
    NodeSpec, NodeStatus, NodeSystemInfo, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, OwnerReference, Time};
use k8s_openapi::jiff::Timestamp;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::json;
use tokio::sync::watch;

use crate::machine::{Capacity, Identity, Pressure};
use crate::runtime::Runtime;

pub const LEASE_NAMESPACE: &str = "kube-node-lease";

/// One node as it registers and reports itself.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub name: String,
    pub address: IpAddr,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub capacity: Capacity,
    pub identity: Identity,
    /// A fixed pod CIDR (published in spec.podCIDR at registration); else
    /// the one the node IPAM controller assigns.
    pub pod_cidr: Option<String>,
    /// Where pressure is measured (none: a simulated node has none).
    pub measure_dir: Option<PathBuf>,
    pub eviction_thresholds: crate::machine::Thresholds,
    pub lease_duration_seconds: i32,
    pub status_update_frequency: Duration,
    pub status_report_frequency: Duration,
    /// The port of the kubelet's server (status.daemonEndpoints; 0: none).
    pub kubelet_port: i32,
}

impl NodeConfig {
    /// The node's labels: upstream's well-known ones, then the flags'.
    pub fn all_labels(&self) -> BTreeMap<String, String> {
        let arch = api::go_arch().to_string();
        let mut labels = BTreeMap::from([
            ("beta.kubernetes.io/arch".to_string(), arch.clone()),
            ("beta.kubernetes.io/os".to_string(), "linux".to_string()),
            ("kubernetes.io/arch".to_string(), arch),
            ("kubernetes.io/hostname".to_string(), self.name.clone()),
            ("kubernetes.io/os".to_string(), "linux".to_string()),
        ]);
        labels.extend(self.labels.clone());
        labels
    }
}

fn now_time() -> Time {
    Time(crate::runtime::now())
}

fn quantities(map: BTreeMap<String, String>) -> BTreeMap<String, Quantity> {
    map.into_iter().map(|(k, v)| (k, Quantity(v))).collect()
}

/// What the node reports, heartbeat times aside.
#[derive(Clone, Debug, PartialEq)]
struct Observed {
    pressure: Pressure,
    network_ready: bool,
    images: Vec<(String, u64)>,
}

/// At most this many images are listed, largest first, as upstream's
/// `--node-status-max-images` default.
const MAX_IMAGES: usize = 50;

fn images(runtime: &dyn Runtime) -> Vec<(String, u64)> {
    let mut images = runtime.images();
    images.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    images.truncate(MAX_IMAGES);
    images
}

fn condition(
    previous: &[NodeCondition],
    type_: &str,
    status: bool,
    reason: &str,
    message: &str,
    now: &Time,
) -> NodeCondition {
    let status = if status { "True" } else { "False" };
    let transition = previous
        .iter()
        .find(|c| c.type_ == type_ && c.status == status)
        .and_then(|c| c.last_transition_time.clone())
        .unwrap_or_else(|| now.clone());
    NodeCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_heartbeat_time: Some(now.clone()),
        last_transition_time: Some(transition),
    }
}

fn conditions(observed: &Observed, previous: &[NodeCondition], now: &Time) -> Vec<NodeCondition> {
    let p = observed.pressure;
    vec![
        if p.memory {
            condition(
                previous,
                "MemoryPressure",
                true,
                "KubeletHasInsufficientMemory",
                "kubelet has insufficient memory available",
                now,
            )
        } else {
            condition(
                previous,
                "MemoryPressure",
                false,
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
                now,
            )
        },
        if p.disk {
            condition(
                previous,
                "DiskPressure",
                true,
                "KubeletHasDiskPressure",
                "kubelet has disk pressure",
                now,
            )
        } else {
            condition(
                previous,
                "DiskPressure",
                false,
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
                now,
            )
        },
        if p.pid {
            condition(
                previous,
                "PIDPressure",
                true,
                "KubeletHasInsufficientPID",
                "kubelet has insufficient PID available",
                now,
            )
        } else {
            condition(
                previous,
                "PIDPressure",
                false,
                "KubeletHasSufficientPID",
                "kubelet has sufficient PID available",
                now,
            )
        },
        if observed.network_ready {
            condition(
                previous,
                "Ready",
                true,
                "KubeletReady",
                "kubelet is posting ready status",
                now,
            )
        } else {
            condition(
                previous,
                "Ready",
                false,
                "KubeletNotReady",
                "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:no pod CIDR assigned to this node yet",
                now,
            )
        },
    ]
}

fn status(
    config: &NodeConfig,
    runtime: &dyn Runtime,
    conditions: Vec<NodeCondition>,
    images: &[(String, u64)],
) -> NodeStatus {
    let identity = &config.identity;
    NodeStatus {
        conditions: Some(conditions),
        addresses: Some(vec![
            NodeAddress {
                type_: "InternalIP".into(),
                address: config.address.to_string(),
            },
            NodeAddress {
                type_: "Hostname".into(),
                address: config.name.clone(),
            },
        ]),
        capacity: Some(quantities(config.capacity.capacity())),
        allocatable: Some(quantities(config.capacity.allocatable())),
        daemon_endpoints: Some(NodeDaemonEndpoints {
            kubelet_endpoint: Some(DaemonEndpoint {
                port: config.kubelet_port,
            }),
        }),
        node_info: Some(NodeSystemInfo {
            architecture: api::go_arch().to_string(),
            boot_id: identity.boot_id.clone(),
            container_runtime_version: runtime.version(),
            kernel_version: identity.kernel_version.clone(),
            kube_proxy_version: String::new(),
            kubelet_version: api::git_version(),
            machine_id: identity.machine_id.clone(),
            operating_system: "linux".into(),
            os_image: identity.os_image.clone(),
            system_uuid: identity.system_uuid.clone(),
            swap: None,
        }),
        images: Some(
            images
                .iter()
                .map(|(name, size)| ContainerImage {
                    names: Some(vec![name.clone()]),
                    size_bytes: Some(i64::try_from(*size).unwrap_or(i64::MAX)),
                })
                .collect(),
        ),
        ..NodeStatus::default()
    }
}

fn node_object(config: &NodeConfig) -> Node {
    Node {
        metadata: ObjectMeta {
            name: Some(config.name.clone()),
            labels: Some(config.all_labels()),
            annotations: Some(BTreeMap::from([
                ("node.alpha.kubernetes.io/ttl".to_string(), "0".to_string()),
                (
                    "volumes.kubernetes.io/controller-managed-attach-detach".to_string(),
                    "true".to_string(),
                ),
            ])),
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            taints: (!config.taints.is_empty()).then(|| config.taints.clone()),
            pod_cidr: config.pod_cidr.clone(),
            pod_cidrs: config.pod_cidr.clone().map(|c| vec![c]),
            ..NodeSpec::default()
        }),
        status: None,
    }
}

/// Registers the node, retrying until the API server takes it; returns
/// the node's uid.
async fn register(
    client: &kube::Client,
    config: &NodeConfig,
    shutdown: &mut watch::Receiver<bool>,
) -> Option<Node> {
    let api: Api<Node> = Api::all(client.clone());
    let mut delay = Duration::from_millis(200);
    loop {
        let attempt = match api
            .create(&PostParams::default(), &node_object(config))
            .await
        {
            Ok(node) => {
                tracing::info!(node = %config.name, "node registered");
                Ok(node)
            }
            Err(kube::Error::Api(status)) if status.code == 409 => {
                // Take over the existing object: labels and annotations as
                // this kubelet has them; taints and spec stay.
                let patch = json!({"metadata": {
                    "labels": config.all_labels(),
                    "annotations": node_object(config).metadata.annotations,
                }});
                api.patch(&config.name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
            }
            Err(err) => Err(err),
        };
        match attempt {
            Ok(node) => return Some(node),
            Err(err) => {
                tracing::warn!(node = %config.name, error = %err, "registering the node; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.changed() => return None,
                }
                delay = (delay * 2).min(Duration::from_secs(7));
            }
        }
    }
}

async fn renew_lease(
    client: &kube::Client,
    config: &NodeConfig,
    node_uid: &str,
) -> Result<(), kube::Error> {
    let api: Api<Lease> = Api::namespaced(client.clone(), LEASE_NAMESPACE);
    let renew = MicroTime(Timestamp::now());
    let patch = json!({"spec": {
        "holderIdentity": config.name,
        "leaseDurationSeconds": config.lease_duration_seconds,
        "renewTime": renew,
    }});
    match api
        .patch(&config.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(config.name.clone()),
                    namespace: Some(LEASE_NAMESPACE.into()),
                    owner_references: Some(vec![OwnerReference {
                        api_version: "v1".into(),
                        kind: "Node".into(),
                        name: config.name.clone(),
                        uid: node_uid.to_string(),
                        ..OwnerReference::default()
                    }]),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(config.name.clone()),
                    lease_duration_seconds: Some(config.lease_duration_seconds),
                    renew_time: Some(renew),
                    ..LeaseSpec::default()
                }),
            };
            api.create(&PostParams::default(), &lease).await.map(drop)
        }
        Err(err) => Err(err),
    }
}

/// Runs one node's registration, status and lease until shutdown. Its
/// Node object, as watched, arrives on `node_updates` (for the pod CIDR).
pub async fn run(
    client: kube::Client,
    config: NodeConfig,
    runtime: Arc<dyn Runtime>,
    mut node_updates: watch::Receiver<Option<Arc<Node>>>,
    mut shutdown: watch::Receiver<bool>,
) {
    if let Some(cidr) = &config.pod_cidr
        && let Err(err) = runtime.set_pod_cidr(cidr)
    {
        tracing::warn!(node = %config.name, error = %err, "setting up the pod network");
    }
    let Some(node) = register(&client, &config, &mut shutdown).await else {
        return;
    };
    let node_uid = node.metadata.uid.clone().unwrap_or_default();
    let api: Api<Node> = Api::all(client.clone());
    let mut previous: Vec<NodeCondition> =
        node.status.and_then(|s| s.conditions).unwrap_or_default();
    let mut reported: Option<(Observed, tokio::time::Instant)> = None;
    let mut status_tick = tokio::time::interval(config.status_update_frequency);
    status_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let renew_every =
        Duration::from_secs_f64(f64::from(config.lease_duration_seconds.max(4)) / 4.0);
    let mut lease_tick = tokio::time::interval(renew_every);
    lease_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut lease_uid = node_uid.clone();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = lease_tick.tick() => {
                if let Err(err) = renew_lease(&client, &config, &lease_uid).await {
                    tracing::debug!(node = %config.name, error = %err, "renewing the node lease");
                }
                continue;
            }
            changed = node_updates.changed() => {
                if changed.is_err() {
                    // The node watch ended: the process is stopping.
                    let _ = shutdown.changed().await;
                    return;
                }
                let node = node_updates.borrow_and_update().clone();
                match node {
                    Some(node) => {
                        if let Some(uid) = &node.metadata.uid {
                            lease_uid = uid.clone();
                        }
                        let cidr = node.spec.as_ref().and_then(|s| s.pod_cidr.clone()).filter(|c| !c.is_empty());
                        if let Some(cidr) = cidr
                            && let Err(err) = runtime.set_pod_cidr(&cidr)
                        {
                            tracing::warn!(node = %config.name, error = %err, "setting up the pod network");
                        }
                        // Someone else wrote our conditions (the node
                        // lifecycle controller's Unknown): report again.
                        let ready = node
                            .status
                            .as_ref()
                            .and_then(|s| s.conditions.as_ref())
                            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                            .map(|c| c.status.clone());
                        let ours = if runtime.network_ready() { "True" } else { "False" };
                        if reported.is_some() && ready.as_deref() != Some(ours) {
                            reported = None;
                        }
                    }
                    None => {
                        // Deleted from the API: register again.
                        reported = None;
                        if let Some(node) = register(&client, &config, &mut shutdown).await {
                            lease_uid = node.metadata.uid.clone().unwrap_or_default();
                        }
                    }
                }
            }
            _ = status_tick.tick() => {}
        }
        let observed = Observed {
            pressure: config
                .measure_dir
                .as_ref()
                .map(|dir| Pressure::measure(dir, &config.eviction_thresholds))
                .unwrap_or_default(),
            network_ready: runtime.network_ready(),
            images: images(runtime.as_ref()),
        };
        let due = match &reported {
            None => true,
            Some((last, at)) => *last != observed || at.elapsed() >= config.status_report_frequency,
        };
        if !due {
            continue;
        }
        let now = now_time();
        let conditions = conditions(&observed, &previous, &now);
        let status = status(
            &config,
            runtime.as_ref(),
            conditions.clone(),
            &observed.images,
        );
        let patch = json!({ "status": status });
        match api
            .patch_status(&config.name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {
                previous = conditions;
                reported = Some((observed, tokio::time::Instant::now()));
            }
            Err(err) => tracing::debug!(node = %config.name, error = %err, "reporting node status"),
        }
    }
}
