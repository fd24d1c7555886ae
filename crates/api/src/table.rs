//! Table printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`):
//! the columns `kubectl get` shows, computed on the server as upstream does.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Which column set a kind prints with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printer {
    /// Name and age: upstream's default for kinds without their own printer.
    Default,
    Namespace,
    Pod,
    Service,
    Endpoints,
    Node,
    ConfigMap,
    Secret,
    ServiceAccount,
    Event,
    PersistentVolume,
    PersistentVolumeClaim,
    ComponentStatus,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    // Printed by `kinds.rs`.
    ReplicationController,
    PodTemplate,
    ControllerRevision,
    Job,
    CronJob,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    Ingress,
    IngressClass,
    NetworkPolicy,
    EndpointSlice,
    Lease,
    StorageClass,
    CsiDriver,
    VolumeAttachment,
    PriorityClass,
    RuntimeClass,
    ApiService,
    FlowSchema,
    PriorityLevelConfiguration,
    WebhookConfiguration,
    ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
    IpAddress,
    RoleBinding,
    CertificateSigningRequest,
    ResourceQuota,
    /// Name and creation time (roles, limit ranges, custom resource definitions).
    CreatedAt,
    /// A custom kind: the columns its definition lists (see `crate::custom`).
    Custom,
}

/// One column: its header, type and whether it shows only with `-o wide`.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: &'static str,
    pub format: &'static str,
    pub description: &'static str,
    /// 0: always shown; 1: only with `-o wide`.
    pub priority: u8,
}

const fn col(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        kind: "string",
        format: "",
        description,
        priority: 0,
    }
}

const fn wide(name: &'static str, description: &'static str) -> Column {
    Column {
        name,
        kind: "string",
        format: "",
        description,
        priority: 1,
    }
}

/// A `'static` slice of columns (const fn calls are not promoted).
macro_rules! columns {
    ($($column:expr),* $(,)?) => {{
        const COLUMNS: &[Column] = &[$($column),*];
        COLUMNS
    }};
}

mod kinds;

const NAME: Column = Column {
    name: "Name",
    kind: "string",
    format: "name",
    description: "Name must be unique within a namespace.",
    priority: 0,
};
const AGE: Column = col(
    "Age",
    "CreationTimestamp is a timestamp representing the server time when this object was created.",
);

impl Printer {
    pub fn columns(self) -> &'static [Column] {
        match self {
            Printer::Default => columns!(NAME, AGE),
            Printer::Namespace => columns!(NAME, col("Status", "The status of the namespace"), AGE),
            Printer::Pod => columns!(
                NAME,
                col(
                    "Ready",
                    "The aggregate readiness state of this pod for accepting traffic."
                ),
                col(
                    "Status",
                    "The aggregate status of the containers in this pod."
                ),
                col(
                    "Restarts",
                    "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."
                ),
                AGE,
                wide("IP", "The IP address assigned to the pod."),
                wide("Node", "The node the pod is assigned to."),
                wide(
                    "Nominated Node",
                    "The node the pod may be scheduled to by preemption."
                ),
                wide("Readiness Gates", "The readiness gates of the pod."),
            ),
            Printer::Service => columns!(
                NAME,
                col("Type", "The type of the service."),
                col("Cluster-IP", "The cluster IP of the service."),
                col("External-IP", "The external IPs of the service."),
                col("Port(s)", "The ports the service exposes."),
                AGE,
                wide(
                    "Selector",
                    "Route service traffic to pods with label keys and values matching this selector."
                ),
            ),
            Printer::Endpoints => {
                columns!(NAME, col("Endpoints", "Endpoints of the service."), AGE)
            }
            Printer::Node => columns!(
                NAME,
                col("Status", "The status of the node."),
                col("Roles", "The roles of the node."),
                AGE,
                col("Version", "Kubelet version reported by the node."),
                wide("Internal-IP", "The internal IP of the node."),
                wide("External-IP", "The external IP of the node."),
                wide("OS-Image", "OS image reported by the node."),
                wide("Kernel-Version", "Kernel version reported by the node."),
                wide(
                    "Container-Runtime",
                    "Container runtime version reported by the node."
                ),
            ),
            Printer::ConfigMap => columns!(
                NAME,
                col("Data", "The number of keys in the config map."),
                AGE
            ),
            Printer::Secret => columns!(
                NAME,
                col("Type", "The type of the secret."),
                col("Data", "The number of keys in the secret."),
                AGE,
            ),
            Printer::ServiceAccount => columns!(
                NAME,
                col("Secrets", "The number of secrets of the service account."),
                AGE
            ),
            Printer::Event => columns!(
                col("Last Seen", "Time when this event was last observed."),
                col("Type", "Type of this event (Normal, Warning)."),
                col("Reason", "Why the action was taken."),
                col("Object", "The object this event is about."),
                wide("Subobject", "The part of the object this event is about."),
                wide("Source", "The component reporting this event."),
                col("Message", "A human-readable description of the event."),
                wide(
                    "First Seen",
                    "The time at which the event was first recorded."
                ),
                wide("Count", "The number of times this event has occurred."),
                wide("Name", "The name of the event."),
            ),
            Printer::PersistentVolume => columns!(
                NAME,
                col("Capacity", "The capacity of the volume."),
                col("Access Modes", "The access modes of the volume."),
                col(
                    "Reclaim Policy",
                    "What happens to the volume when released."
                ),
                col("Status", "The phase of the volume."),
                col("Claim", "The claim bound to the volume."),
                col("StorageClass", "The storage class of the volume."),
                col(
                    "VolumeAttributesClass",
                    "The volume attributes class of the volume."
                ),
                col("Reason", "Why the volume is in its phase."),
                AGE,
                wide("VolumeMode", "The volume mode."),
            ),
            Printer::PersistentVolumeClaim => columns!(
                NAME,
                col("Status", "The phase of the claim."),
                col("Volume", "The volume bound to the claim."),
                col("Capacity", "The capacity of the bound volume."),
                col("Access Modes", "The access modes of the bound volume."),
                col("StorageClass", "The storage class of the claim."),
                col(
                    "VolumeAttributesClass",
                    "The volume attributes class of the claim."
                ),
                AGE,
                wide("VolumeMode", "The volume mode."),
            ),
            Printer::ComponentStatus => columns!(
                NAME,
                col("Status", "Status of the component conditions"),
                col("Message", "Message of the component conditions"),
                col("Error", "Error of the component conditions"),
            ),
            Printer::Deployment => columns!(
                NAME,
                col("Ready", "Number of the pod with ready state"),
                col(
                    "Up-to-date",
                    "Total number of non-terminated pods targeted by this deployment that have the desired template spec."
                ),
                col(
                    "Available",
                    "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."
                ),
                AGE,
                wide("Containers", "Names of each container in the template."),
                wide(
                    "Images",
                    "Images referenced by each container in the template."
                ),
                wide("Selector", "Label selector for pods."),
            ),
            Printer::ReplicaSet => columns!(
                NAME,
                col("Desired", "Number of desired pods."),
                col("Current", "Number of actual replicas."),
                col(
                    "Ready",
                    "The number of ready replicas for this replica set."
                ),
                AGE,
                wide("Containers", "Names of each container in the template."),
                wide(
                    "Images",
                    "Images referenced by each container in the template."
                ),
                wide("Selector", "Label selector for pods."),
            ),
            Printer::StatefulSet => columns!(
                NAME,
                col("Ready", "Number of the pod with ready state"),
                AGE,
                wide("Containers", "Names of each container in the template."),
                wide(
                    "Images",
                    "Images referenced by each container in the template."
                ),
            ),
            Printer::DaemonSet => columns!(
                NAME,
                col(
                    "Desired",
                    "The desired number of nodes the daemon pod should run on."
                ),
                col(
                    "Current",
                    "The number of nodes running at least one daemon pod."
                ),
                col(
                    "Ready",
                    "The number of nodes that have the daemon pod running and ready."
                ),
                col(
                    "Up-to-date",
                    "The number of nodes running the updated daemon pod."
                ),
                col(
                    "Available",
                    "The number of nodes that should run the daemon pod and have one available."
                ),
                col("Node Selector", "The node selector of the daemon pod."),
                AGE,
                wide("Containers", "Names of each container in the template."),
                wide(
                    "Images",
                    "Images referenced by each container in the template."
                ),
                wide("Selector", "Label selector for pods."),
            ),
            _ => kinds::columns(self),
        }
    }

    /// The cells of one object's row, in column order.
    pub fn cells(self, object: &Value, now: DateTime<Utc>) -> Vec<Value> {
        let name = str_at(object, &["metadata", "name"]).to_string();
        let age = age(object, now);
        match self {
            Printer::Default => vec![json!(name), json!(age)],
            Printer::Namespace => vec![
                json!(name),
                json!(str_at(object, &["status", "phase"])),
                json!(age),
            ],
            Printer::Pod => pod_cells(object, name, age),
            Printer::Service => service_cells(object, name, age),
            Printer::Endpoints => vec![json!(name), json!(endpoints_summary(object)), json!(age)],
            Printer::Node => node_cells(object, name, age),
            Printer::ConfigMap => {
                let data = count_keys(object, "data") + count_keys(object, "binaryData");
                vec![json!(name), json!(data), json!(age)]
            }
            Printer::Secret => vec![
                json!(name),
                json!(str_at(object, &["type"])),
                json!(count_keys(object, "data")),
                json!(age),
            ],
            Printer::ServiceAccount => {
                let secrets = object
                    .get("secrets")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                vec![json!(name), json!(secrets), json!(age)]
            }
            Printer::Event => event_cells(object, name, now),
            Printer::PersistentVolume => pv_cells(object, name, age),
            Printer::PersistentVolumeClaim => pvc_cells(object, name, age),
            Printer::ComponentStatus => component_cells(object, name),
            Printer::Deployment => {
                let replicas = int_at(object, &["spec", "replicas"]);
                let ready = int_at(object, &["status", "readyReplicas"]);
                let (containers, images) = template_containers(object);
                vec![
                    json!(name),
                    json!(format!("{ready}/{replicas}")),
                    json!(int_at(object, &["status", "updatedReplicas"])),
                    json!(int_at(object, &["status", "availableReplicas"])),
                    json!(age),
                    json!(containers),
                    json!(images),
                    json!(selector_string(object.pointer("/spec/selector"))),
                ]
            }
            Printer::ReplicaSet => {
                let (containers, images) = template_containers(object);
                vec![
                    json!(name),
                    json!(int_at(object, &["spec", "replicas"])),
                    json!(int_at(object, &["status", "replicas"])),
                    json!(int_at(object, &["status", "readyReplicas"])),
                    json!(age),
                    json!(containers),
                    json!(images),
                    json!(selector_string(object.pointer("/spec/selector"))),
                ]
            }
            Printer::StatefulSet => {
                let (containers, images) = template_containers(object);
                vec![
                    json!(name),
                    json!(format!(
                        "{}/{}",
                        int_at(object, &["status", "readyReplicas"]),
                        int_at(object, &["spec", "replicas"])
                    )),
                    json!(age),
                    json!(containers),
                    json!(images),
                ]
            }
            Printer::DaemonSet => {
                let (containers, images) = template_containers(object);
                let node_selector = object
                    .pointer("/spec/template/spec/nodeSelector")
                    .and_then(Value::as_object)
                    .filter(|m| !m.is_empty())
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_else(|| "<none>".to_string());
                vec![
                    json!(name),
                    json!(int_at(object, &["status", "desiredNumberScheduled"])),
                    json!(int_at(object, &["status", "currentNumberScheduled"])),
                    json!(int_at(object, &["status", "numberReady"])),
                    json!(int_at(object, &["status", "updatedNumberScheduled"])),
                    json!(int_at(object, &["status", "numberAvailable"])),
                    json!(node_selector),
                    json!(age),
                    json!(containers),
                    json!(images),
                    json!(selector_string(object.pointer("/spec/selector"))),
                ]
            }
            _ => kinds::cells(self, object, name, age, now),
        }
    }
}

fn at<'a>(object: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(object, |v, k| v.get(k))
}

fn str_at<'a>(object: &'a Value, path: &[&str]) -> &'a str {
    at(object, path).and_then(Value::as_str).unwrap_or_default()
}

fn int_at(object: &Value, path: &[&str]) -> i64 {
    at(object, path).and_then(Value::as_i64).unwrap_or(0)
}

fn count_keys(object: &Value, field: &str) -> usize {
    object
        .get(field)
        .and_then(Value::as_object)
        .map_or(0, |m| m.len())
}

pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn age(object: &Value, now: DateTime<Utc>) -> String {
    since(str_at(object, &["metadata", "creationTimestamp"]), now)
}

/// Time since an RFC 3339 timestamp, as `kubectl get` shows it.
pub fn since(timestamp: &str, now: DateTime<Utc>) -> String {
    match parse_time(timestamp) {
        Some(then) => human_duration((now - then).num_seconds()),
        None => "<unknown>".to_string(),
    }
}

/// A duration in seconds, the way upstream prints ages: precise when
/// recent, coarser as it grows.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        return if days == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{days}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn none_if_empty(text: String) -> String {
    if text.is_empty() {
        "<none>".to_string()
    } else {
        text
    }
}

fn pod_cells(pod: &Value, name: String, age: String) -> Vec<Value> {
    let statuses = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = statuses
        .iter()
        .filter(|s| s.get("ready").and_then(Value::as_bool) == Some(true))
        .count();
    let restarts: i64 = statuses
        .iter()
        .filter_map(|s| s.get("restartCount").and_then(Value::as_i64))
        .sum();
    let mut reason = pod
        .pointer("/status/reason")
        .and_then(Value::as_str)
        .or_else(|| pod.pointer("/status/phase").and_then(Value::as_str))
        .unwrap_or("Pending")
        .to_string();
    for status in statuses.iter().rev() {
        if let Some(waiting) = status
            .pointer("/state/waiting/reason")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
        {
            reason = waiting.to_string();
        } else if let Some(terminated) = status.pointer("/state/terminated") {
            reason = terminated
                .get("reason")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| {
                    format!(
                        "ExitCode:{}",
                        terminated
                            .get("exitCode")
                            .and_then(Value::as_i64)
                            .unwrap_or(0)
                    )
                });
        }
    }
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        reason = if pod.pointer("/status/reason").and_then(Value::as_str) == Some("NodeLost") {
            "Unknown".to_string()
        } else {
            "Terminating".to_string()
        };
    }
    let ip = none_if_empty(str_at(pod, &["status", "podIP"]).to_string());
    let node = none_if_empty(str_at(pod, &["spec", "nodeName"]).to_string());
    let nominated = none_if_empty(str_at(pod, &["status", "nominatedNodeName"]).to_string());
    let gates = pod
        .pointer("/spec/readinessGates")
        .and_then(Value::as_array)
        .filter(|g| !g.is_empty())
        .map(|gates| {
            let conditions = pod
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let met = gates
                .iter()
                .filter(|g| {
                    let kind = g.get("conditionType").and_then(Value::as_str);
                    conditions.iter().any(|c| {
                        c.get("type").and_then(Value::as_str) == kind
                            && c.get("status").and_then(Value::as_str) == Some("True")
                    })
                })
                .count();
            format!("{met}/{}", gates.len())
        })
        .unwrap_or_else(|| "<none>".to_string());
    vec![
        json!(name),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts),
        json!(age),
        json!(ip),
        json!(node),
        json!(nominated),
        json!(gates),
    ]
}

fn service_cells(svc: &Value, name: String, age: String) -> Vec<Value> {
    let kind = str_at(svc, &["spec", "type"]);
    let kind = if kind.is_empty() { "ClusterIP" } else { kind };
    let cluster_ip = none_if_empty(str_at(svc, &["spec", "clusterIP"]).to_string());
    let mut external: Vec<String> = svc
        .pointer("/spec/externalIPs")
        .and_then(Value::as_array)
        .map(|ips| {
            ips.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let external = match kind {
        "ExternalName" => str_at(svc, &["spec", "externalName"]).to_string(),
        "LoadBalancer" => {
            let ingress: Vec<String> = svc
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .map(|ing| {
                    ing.iter()
                        .filter_map(|i| i.get("ip").or_else(|| i.get("hostname")))
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            external.extend(ingress);
            if external.is_empty() {
                "<pending>".to_string()
            } else {
                external.join(",")
            }
        }
        _ if !external.is_empty() => external.join(","),
        _ => "<none>".to_string(),
    };
    let ports = svc
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map(|ports| {
            ports
                .iter()
                .map(|p| {
                    let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                    let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
                    match p.get("nodePort").and_then(Value::as_i64) {
                        Some(node_port) => format!("{port}:{node_port}/{protocol}"),
                        None => format!("{port}/{protocol}"),
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let selector = svc
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_else(|| "<none>".to_string());
    vec![
        json!(name),
        json!(kind),
        json!(cluster_ip),
        json!(external),
        json!(ports),
        json!(age),
        json!(selector),
    ]
}

fn endpoints_summary(ep: &Value) -> String {
    let mut addresses = Vec::new();
    let mut total = 0;
    for subset in ep
        .get("subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ports: Vec<i64> = subset
            .get("ports")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.get("port").and_then(Value::as_i64))
                    .collect()
            })
            .unwrap_or_default();
        for address in subset
            .get("addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ip = address
                .get("ip")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if ports.is_empty() {
                total += 1;
                if addresses.len() < 3 {
                    addresses.push(ip.to_string());
                }
            }
            for port in &ports {
                total += 1;
                if addresses.len() < 3 {
                    addresses.push(format!("{ip}:{port}"));
                }
            }
        }
    }
    if addresses.is_empty() {
        return "<none>".to_string();
    }
    let mut text = addresses.join(",");
    if total > addresses.len() {
        text.push_str(&format!(" + {} more...", total - addresses.len()));
    }
    text
}

fn node_cells(node: &Value, name: String, age: String) -> Vec<Value> {
    let ready = node
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        })
        .and_then(|c| c.get("status").and_then(Value::as_str))
        .map(|s| if s == "True" { "Ready" } else { "NotReady" })
        .unwrap_or("Unknown");
    let mut status = ready.to_string();
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<String> = node
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|labels| {
            labels
                .keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                .filter(|r| !r.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    roles.sort();
    let address = |kind: &str| {
        node.pointer("/status/addresses")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .find(|x| x.get("type").and_then(Value::as_str) == Some(kind))
            })
            .and_then(|x| x.get("address").and_then(Value::as_str))
            .unwrap_or("<none>")
            .to_string()
    };
    let info = |field: &str| {
        none_if_empty(
            node.pointer(&format!("/status/nodeInfo/{field}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    };
    vec![
        json!(name),
        json!(status),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        json!(age),
        json!(str_at(node, &["status", "nodeInfo", "kubeletVersion"])),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(info("osImage")),
        json!(info("kernelVersion")),
        json!(info("containerRuntimeVersion")),
    ]
}

fn event_cells(ev: &Value, name: String, now: DateTime<Utc>) -> Vec<Value> {
    let first = ["firstTimestamp", "eventTime"]
        .iter()
        .map(|f| str_at(ev, &[f]))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    let last = ["lastTimestamp", "eventTime"]
        .iter()
        .map(|f| str_at(ev, &[f]))
        .find(|t| !t.is_empty())
        .unwrap_or(first);
    let last_seen = if last.is_empty() {
        since(str_at(ev, &["metadata", "creationTimestamp"]), now)
    } else {
        since(last, now)
    };
    let kind = str_at(ev, &["involvedObject", "kind"]).to_lowercase();
    let object = format!("{kind}/{}", str_at(ev, &["involvedObject", "name"]));
    let source = {
        let component = str_at(ev, &["source", "component"]);
        let component = if component.is_empty() {
            str_at(ev, &["reportingComponent"])
        } else {
            component
        };
        let host = str_at(ev, &["source", "host"]);
        if host.is_empty() {
            component.to_string()
        } else {
            format!("{component}, {host}")
        }
    };
    let count = ev.get("count").and_then(Value::as_i64).unwrap_or(1);
    vec![
        json!(last_seen),
        json!(str_at(ev, &["type"])),
        json!(str_at(ev, &["reason"])),
        json!(object),
        json!(str_at(ev, &["involvedObject", "fieldPath"])),
        json!(source),
        json!(str_at(ev, &["message"]).trim()),
        json!(if first.is_empty() {
            "<unknown>".to_string()
        } else {
            since(first, now)
        }),
        json!(count),
        json!(name),
    ]
}

fn access_modes(modes: Option<&Value>) -> String {
    let short = |m: &str| {
        match m {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        }
        .to_string()
    };
    modes
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter_map(Value::as_str)
                .map(short)
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

/// A volume's or claim's phase, or `Terminating` once it is being deleted
/// (as upstream prints both).
fn phase_or_terminating(object: &Value) -> String {
    if object.pointer("/metadata/deletionTimestamp").is_some() {
        "Terminating".to_string()
    } else {
        str_at(object, &["status", "phase"]).to_string()
    }
}

fn pv_cells(pv: &Value, name: String, age: String) -> Vec<Value> {
    let claim = match (
        str_at(pv, &["spec", "claimRef", "namespace"]),
        str_at(pv, &["spec", "claimRef", "name"]),
    ) {
        (_, "") => String::new(),
        (ns, claim) => format!("{ns}/{claim}"),
    };
    let mode = str_at(pv, &["spec", "volumeMode"]);
    vec![
        json!(name),
        json!(str_at(pv, &["spec", "capacity", "storage"])),
        json!(access_modes(pv.pointer("/spec/accessModes"))),
        json!(str_at(pv, &["spec", "persistentVolumeReclaimPolicy"])),
        json!(phase_or_terminating(pv)),
        json!(claim),
        json!(str_at(pv, &["spec", "storageClassName"])),
        json!(none_if_empty(
            str_at(pv, &["spec", "volumeAttributesClassName"]).to_string()
        )),
        json!(str_at(pv, &["status", "reason"])),
        json!(age),
        json!(if mode.is_empty() { "Filesystem" } else { mode }),
    ]
}

fn pvc_cells(pvc: &Value, name: String, age: String) -> Vec<Value> {
    let bound = !str_at(pvc, &["spec", "volumeName"]).is_empty();
    let (capacity, modes) = if bound {
        (
            str_at(pvc, &["status", "capacity", "storage"]).to_string(),
            access_modes(pvc.pointer("/status/accessModes")),
        )
    } else {
        (String::new(), String::new())
    };
    let mode = str_at(pvc, &["spec", "volumeMode"]);
    vec![
        json!(name),
        json!(phase_or_terminating(pvc)),
        json!(str_at(pvc, &["spec", "volumeName"])),
        json!(capacity),
        json!(modes),
        json!(str_at(pvc, &["spec", "storageClassName"])),
        json!(none_if_empty(
            str_at(pvc, &["spec", "volumeAttributesClassName"]).to_string()
        )),
        json!(age),
        json!(if mode.is_empty() { "Filesystem" } else { mode }),
    ]
}

fn component_cells(cs: &Value, name: String) -> Vec<Value> {
    let mut status = "Unknown".to_string();
    let mut message = String::new();
    let mut error = String::new();
    if let Some(condition) = cs
        .get("conditions")
        .and_then(Value::as_array)
        .and_then(|c| {
            c.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some("Healthy"))
        })
    {
        status = match condition.get("status").and_then(Value::as_str) {
            Some("True") => "Healthy".to_string(),
            Some("False") => "Unhealthy".to_string(),
            _ => "Unknown".to_string(),
        };
        message = str_at(condition, &["message"]).to_string();
        error = str_at(condition, &["error"]).to_string();
    }
    vec![json!(name), json!(status), json!(message), json!(error)]
}

fn template_containers(object: &Value) -> (String, String) {
    let containers = object
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let names = containers
        .iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(",");
    let images = containers
        .iter()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(",");
    (names, images)
}

/// A label selector as `kubectl` prints it (`app=web,tier in (a,b)`).
pub fn selector_string(selector: Option<&Value>) -> String {
    let Some(selector) = selector else {
        return "<none>".to_string();
    };
    let mut parts: Vec<String> = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    for expr in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = str_at(expr, &["key"]);
        let values: Vec<&str> = expr
            .get("values")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        parts.push(match str_at(expr, &["operator"]) {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({})", values.join(",")),
        });
    }
    if parts.is_empty() {
        "<none>".to_string()
    } else {
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(150), "2m30s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 5 * 60), "3h5m");
        assert_eq!(human_duration(30 * 3600), "30h");
        assert_eq!(human_duration(3 * 86400 + 4 * 3600), "3d4h");
        assert_eq!(human_duration(40 * 86400), "40d");
        assert_eq!(human_duration(-5), "<invalid>");
    }

    #[test]
    fn every_printer_fills_every_column() {
        let object =
            json!({"metadata": {"name": "x", "creationTimestamp": "2026-01-01T00:00:00Z"}});
        let now = Utc::now();
        for printer in [
            Printer::Default,
            Printer::Namespace,
            Printer::Pod,
            Printer::Service,
            Printer::Endpoints,
            Printer::Node,
            Printer::ConfigMap,
            Printer::Secret,
            Printer::ServiceAccount,
            Printer::Event,
            Printer::PersistentVolume,
            Printer::PersistentVolumeClaim,
            Printer::ComponentStatus,
            Printer::Deployment,
            Printer::ReplicaSet,
            Printer::StatefulSet,
            Printer::DaemonSet,
            Printer::IpAddress,
        ] {
            assert_eq!(
                printer.columns().len(),
                printer.cells(&object, now).len(),
                "{printer:?}"
            );
        }
    }

    #[test]
    fn ip_addresses_name_their_parent() {
        let address = json!({"metadata": {"name": "10.96.0.1"},
            "spec": {"parentRef": {"group": "", "resource": "services", "namespace": "default", "name": "kubernetes"}}});
        let cells = Printer::IpAddress.cells(&address, Utc::now());
        assert_eq!(cells[1], "services/default/kubernetes");
    }

    #[test]
    fn service_ports_and_selectors() {
        let svc = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.12",
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}], "selector": {"app": "web"}}});
        let cells = Printer::Service.cells(&svc, Utc::now());
        assert_eq!(cells[1], "NodePort");
        assert_eq!(cells[4], "80:30080/TCP");
        assert_eq!(cells[6], "app=web");
    }
}
