//! Rows of the kinds beyond the core workloads: batch, policy, networking,
//! storage, RBAC, autoscaling, scheduling, coordination, certificates and
//! quota kinds, with upstream's columns and cell formats.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{
    AGE, Column, NAME, Printer, at, col, human_duration, int_at, none_if_empty, parse_time,
    selector_string, since, str_at, wide,
};

const CONTAINERS: Column = wide("Containers", "Names of each container in the template.");
const IMAGES: Column = wide(
    "Images",
    "Images referenced by each container in the template.",
);
const CREATED_AT: Column = Column {
    name: "Created At",
    kind: "date",
    format: "",
    description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
    priority: 0,
};

pub(super) fn columns(printer: Printer) -> &'static [Column] {
    match printer {
        Printer::ReplicationController => columns!(
            NAME,
            col("Desired", "Replicas is the number of desired replicas."),
            col(
                "Current",
                "Replicas is the most recently observed number of replicas."
            ),
            col(
                "Ready",
                "The number of ready replicas for this replication controller."
            ),
            AGE,
            CONTAINERS,
            IMAGES,
            wide("Selector", "Selector is a label query over pods."),
        ),
        Printer::PodTemplate => columns!(
            NAME,
            col("Containers", "Names of each container in the template."),
            col(
                "Images",
                "Images referenced by each container in the template."
            ),
            col("Pod Labels", "The labels of the pod template."),
        ),
        Printer::ControllerRevision => columns!(
            NAME,
            col("Controller", "Controller of the object"),
            col(
                "Revision",
                "Revision indicates the revision of the state represented by Data."
            ),
            AGE,
        ),
        Printer::Job => columns!(
            NAME,
            col("Status", "Status of the job."),
            col(
                "Completions",
                "The number of pods which reached phase Succeeded."
            ),
            col("Duration", "Time required to complete the job."),
            AGE,
            CONTAINERS,
            IMAGES,
            wide(
                "Selector",
                "A label query over pods that should match the pod count."
            ),
        ),
        Printer::CronJob => columns!(
            NAME,
            col("Schedule", "The schedule in Cron format."),
            col("Timezone", "The time zone name for the given schedule."),
            col("Suspend", "Whether subsequent executions are suspended."),
            col("Active", "A list of pointers to currently running jobs."),
            col(
                "Last Schedule",
                "Information when was the last time the job was successfully scheduled."
            ),
            AGE,
            CONTAINERS,
            IMAGES,
            wide(
                "Selector",
                "A label query over pods that should match the pod count."
            ),
        ),
        Printer::PodDisruptionBudget => columns!(
            NAME,
            col(
                "Min Available",
                "The minimum number of pods that must be available."
            ),
            col(
                "Max Unavailable",
                "The maximum number of pods that may be unavailable."
            ),
            col(
                "Allowed Disruptions",
                "Calculated number of pods that may be disrupted at this time."
            ),
            AGE,
        ),
        Printer::HorizontalPodAutoscaler => columns!(
            NAME,
            col("Reference", "The target resource to scale."),
            col(
                "Targets",
                "The metrics the replica count is calculated from."
            ),
            col("MinPods", "The lower limit for the number of replicas."),
            col("MaxPods", "The upper limit for the number of replicas."),
            col(
                "Replicas",
                "The current number of replicas of pods managed by this autoscaler."
            ),
            AGE,
        ),
        Printer::Ingress => columns!(
            NAME,
            col(
                "Class",
                "The name of the IngressClass resource that should be used for additional configuration"
            ),
            col(
                "Hosts",
                "Hosts that incoming requests are matched against before the ingress rule"
            ),
            col(
                "Address",
                "Address is a list containing ingress points for the load-balancer"
            ),
            col("Ports", "Ports of TLS configurations that open"),
            AGE,
        ),
        Printer::IngressClass => columns!(
            NAME,
            col(
                "Controller",
                "Controller that is responsible for handling this class"
            ),
            col(
                "Parameters",
                "A reference to a resource with additional parameters"
            ),
            AGE,
        ),
        Printer::NetworkPolicy => columns!(
            NAME,
            col("Pod-Selector", "The pods to which this policy applies."),
            AGE
        ),
        Printer::EndpointSlice => columns!(
            NAME,
            col("AddressType", "The type of address carried by this slice."),
            col("Ports", "The network ports exposed by each endpoint."),
            col("Endpoints", "The unique endpoints in this slice."),
            AGE,
        ),
        Printer::Lease => columns!(NAME, col("Holder", "The holder of the lease."), AGE),
        Printer::StorageClass => columns!(
            NAME,
            col("Provisioner", "The type of the provisioner."),
            col(
                "ReclaimPolicy",
                "What happens to volumes of this class when released."
            ),
            col(
                "VolumeBindingMode",
                "When volumes are bound and provisioned."
            ),
            col(
                "AllowVolumeExpansion",
                "Whether volumes of this class can be expanded."
            ),
            AGE,
        ),
        Printer::CsiDriver => columns!(
            NAME,
            col(
                "AttachRequired",
                "Whether the driver needs an attach operation."
            ),
            col(
                "PodInfoOnMount",
                "Whether the driver is given pod information on mount."
            ),
            col(
                "StorageCapacity",
                "Whether the driver reports storage capacity."
            ),
            col(
                "TokenRequests",
                "The audiences of tokens passed to the driver."
            ),
            col(
                "RequiresRepublish",
                "Whether the driver wants NodePublishVolume called periodically."
            ),
            col("Modes", "The volume lifecycle modes the driver supports."),
            AGE,
        ),
        Printer::VolumeAttachment => columns!(
            NAME,
            col(
                "Attacher",
                "The name of the volume driver that must handle this request."
            ),
            col("PV", "The name of the persistent volume to attach."),
            col("Node", "The node the volume should be attached to."),
            col("Attached", "Whether the volume is attached."),
            AGE,
        ),
        Printer::IpAddress => columns!(
            NAME,
            col("ParentRef", "The resource the address is allocated to."),
            AGE,
        ),
        Printer::ApiService => columns!(
            NAME,
            col(
                "Service",
                "The service that serves the group version, or Local."
            ),
            col("Available", "Whether the group version is served now."),
            AGE,
        ),
        Printer::FlowSchema => columns!(
            NAME,
            col(
                "PriorityLevel",
                "The priority level the matched requests are served at."
            ),
            col(
                "MatchingPrecedence",
                "The schema's rank: the lowest matching precedence is tried first."
            ),
            col(
                "DistinguisherMethod",
                "How the matched requests are split into flows."
            ),
            AGE,
            col(
                "MissingPL",
                "Whether the priority level the schema names is missing."
            ),
        ),
        Printer::PriorityLevelConfiguration => columns!(
            NAME,
            col("Type", "Whether the level is Limited or Exempt."),
            col(
                "NominalConcurrencyShares",
                "The level's share of the server's concurrency."
            ),
            col("Queues", "How many queues the level's requests wait in."),
            col("HandSize", "How many queues each flow is dealt."),
            col("QueueLengthLimit", "How many requests one queue holds."),
            AGE,
        ),
        Printer::RuntimeClass => columns!(
            NAME,
            col(
                "Handler",
                "The runtime handler the node's runtime runs these pods with."
            ),
            AGE,
        ),
        Printer::WebhookConfiguration => columns!(
            NAME,
            col("Webhooks", "How many webhooks the configuration holds."),
            AGE,
        ),
        Printer::ValidatingAdmissionPolicy => columns!(
            NAME,
            col("Validations", "How many validations the policy holds."),
            col("ParamKind", "The kind of the policy's parameters."),
            AGE,
        ),
        Printer::ValidatingAdmissionPolicyBinding => columns!(
            NAME,
            col("PolicyName", "The policy this binding applies."),
            col("ParamRef", "The parameters the policy is given."),
            AGE,
        ),
        Printer::PriorityClass => columns!(
            NAME,
            col("Value", "The value of this priority class."),
            col(
                "Global-Default",
                "Whether this is the default priority class."
            ),
            AGE,
            col(
                "PreemptionPolicy",
                "The policy for preempting pods with lower priority."
            ),
        ),
        Printer::RoleBinding => columns!(
            NAME,
            col("Role", "The role the binding grants."),
            AGE,
            wide("Users", "Users in the roleBinding"),
            wide("Groups", "Groups in the roleBinding"),
            wide("ServiceAccounts", "ServiceAccounts in the roleBinding"),
        ),
        Printer::CertificateSigningRequest => columns!(
            NAME,
            AGE,
            col("SignerName", "The requested signer."),
            col("Requestor", "The user who created the request."),
            col(
                "RequestedDuration",
                "The requested validity of the certificate."
            ),
            col("Condition", "The conditions of the request."),
        ),
        Printer::ResourceQuota => columns!(
            NAME,
            AGE,
            col(
                "Request",
                "Request represents a minimum amount of cpu/memory that a container may consume."
            ),
            col(
                "Limit",
                "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."
            ),
        ),
        Printer::CreatedAt => columns!(NAME, CREATED_AT),
        _ => columns!(NAME, AGE),
    }
}

pub(super) fn cells(
    printer: Printer,
    object: &Value,
    name: String,
    age: String,
    now: DateTime<Utc>,
) -> Vec<Value> {
    match printer {
        Printer::ReplicationController => {
            let (containers, images) = containers(object, "/spec/template/spec/containers");
            vec![
                json!(name),
                json!(int_at(object, &["spec", "replicas"])),
                json!(int_at(object, &["status", "replicas"])),
                json!(int_at(object, &["status", "readyReplicas"])),
                json!(age),
                json!(containers),
                json!(images),
                json!(format_labels(at(object, &["spec", "selector"]))),
            ]
        }
        Printer::PodTemplate => {
            let (containers, images) = containers(object, "/template/spec/containers");
            vec![
                json!(name),
                json!(containers),
                json!(images),
                json!(format_labels(at(
                    object,
                    &["template", "metadata", "labels"]
                ))),
            ]
        }
        Printer::ControllerRevision => vec![
            json!(name),
            json!(controller_of(object)),
            json!(int_at(object, &["revision"])),
            json!(age),
        ],
        Printer::Job => job_cells(object, name, age, now),
        Printer::CronJob => {
            let last = match str_at(object, &["status", "lastScheduleTime"]) {
                "" => "<none>".to_string(),
                time => since(time, now),
            };
            let zone = match str_at(object, &["spec", "timeZone"]) {
                "" => "<none>",
                zone => zone,
            };
            let active = at(object, &["status", "active"])
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let (containers, images) =
                containers(object, "/spec/jobTemplate/spec/template/spec/containers");
            vec![
                json!(name),
                json!(str_at(object, &["spec", "schedule"])),
                json!(zone),
                json!(bool_word(at(object, &["spec", "suspend"]))),
                json!(active),
                json!(last),
                json!(age),
                json!(containers),
                json!(images),
                json!(selector_string(at(
                    object,
                    &["spec", "jobTemplate", "spec", "selector"]
                ))),
            ]
        }
        Printer::PodDisruptionBudget => vec![
            json!(name),
            json!(int_or_string(at(object, &["spec", "minAvailable"]))),
            json!(int_or_string(at(object, &["spec", "maxUnavailable"]))),
            json!(int_at(object, &["status", "disruptionsAllowed"])),
            json!(age),
        ],
        Printer::HorizontalPodAutoscaler => {
            let reference = format!(
                "{}/{}",
                str_at(object, &["spec", "scaleTargetRef", "kind"]),
                str_at(object, &["spec", "scaleTargetRef", "name"])
            );
            let min = at(object, &["spec", "minReplicas"])
                .and_then(Value::as_i64)
                .map_or_else(|| "<unset>".to_string(), |m| m.to_string());
            vec![
                json!(name),
                json!(reference),
                json!(hpa_targets(object)),
                json!(min),
                json!(int_at(object, &["spec", "maxReplicas"])),
                json!(int_at(object, &["status", "currentReplicas"])),
                json!(age),
            ]
        }
        Printer::Ingress => ingress_cells(object, name, age),
        Printer::IngressClass => {
            let parameters = match at(object, &["spec", "parameters"]) {
                Some(p) => {
                    let mut text = str_at(p, &["kind"]).to_string();
                    if let Some(group) = p.get("apiGroup").and_then(Value::as_str) {
                        text = format!("{text}.{group}");
                    }
                    format!("{text}/{}", str_at(p, &["name"]))
                }
                None => "<none>".to_string(),
            };
            vec![
                json!(name),
                json!(str_at(object, &["spec", "controller"])),
                json!(parameters),
                json!(age),
            ]
        }
        Printer::NetworkPolicy => vec![
            json!(name),
            json!(selector_string(at(object, &["spec", "podSelector"]))),
            json!(age),
        ],
        Printer::EndpointSlice => endpoint_slice_cells(object, name, age),
        Printer::Lease => vec![
            json!(name),
            json!(str_at(object, &["spec", "holderIdentity"])),
            json!(age),
        ],
        Printer::StorageClass => {
            let annotations = at(object, &["metadata", "annotations"]);
            let default = [
                "storageclass.kubernetes.io/is-default-class",
                "storageclass.beta.kubernetes.io/is-default-class",
            ]
            .iter()
            .any(|key| {
                annotations
                    .and_then(|a| a.get(*key))
                    .and_then(Value::as_str)
                    == Some("true")
            });
            let shown = if default {
                format!("{name} (default)")
            } else {
                name
            };
            let or = |field: &str, fallback: &'static str| match str_at(object, &[field]) {
                "" => fallback.to_string(),
                value => value.to_string(),
            };
            vec![
                json!(shown),
                json!(str_at(object, &["provisioner"])),
                json!(or("reclaimPolicy", "Delete")),
                json!(or("volumeBindingMode", "Immediate")),
                json!(bool_at(object, &["allowVolumeExpansion"], false)),
                json!(age),
            ]
        }
        Printer::CsiDriver => {
            let token_requests =
                match at(object, &["spec", "tokenRequests"]).and_then(Value::as_array) {
                    Some(requests) => requests
                        .iter()
                        .map(|r| str_at(r, &["audience"]))
                        .collect::<Vec<_>>()
                        .join(","),
                    None => "<unset>".to_string(),
                };
            let modes = strings_at(object, &["spec", "volumeLifecycleModes"]).join(",");
            vec![
                json!(name),
                json!(bool_at(object, &["spec", "attachRequired"], true)),
                json!(bool_at(object, &["spec", "podInfoOnMount"], false)),
                json!(bool_at(object, &["spec", "storageCapacity"], false)),
                json!(token_requests),
                json!(bool_at(object, &["spec", "requiresRepublish"], false)),
                json!(none_if_empty(modes)),
                json!(age),
            ]
        }
        Printer::VolumeAttachment => vec![
            json!(name),
            json!(str_at(object, &["spec", "attacher"])),
            json!(str_at(object, &["spec", "source", "persistentVolumeName"])),
            json!(str_at(object, &["spec", "nodeName"])),
            json!(bool_at(object, &["status", "attached"], false)),
            json!(age),
        ],
        Printer::IpAddress => {
            let parent = &object["spec"]["parentRef"];
            let reference = if parent.is_object() {
                let group = str_at(parent, &["group"]);
                let mut reference = str_at(parent, &["resource"]).to_lowercase();
                if !group.is_empty() {
                    reference = format!("{reference}.{}", group.to_lowercase());
                }
                let namespace = str_at(parent, &["namespace"]);
                if !namespace.is_empty() {
                    reference = format!("{reference}/{namespace}");
                }
                format!("{reference}/{}", str_at(parent, &["name"]))
            } else {
                "<none>".to_string()
            };
            vec![json!(name), json!(reference), json!(age)]
        }
        Printer::ApiService => {
            let service = match at(object, &["spec", "service"]) {
                Some(service) => format!(
                    "{}/{}",
                    str_at(service, &["namespace"]),
                    str_at(service, &["name"])
                ),
                None => "Local".to_string(),
            };
            let available = at(object, &["status", "conditions"])
                .and_then(Value::as_array)
                .and_then(|c| c.iter().find(|c| str_at(c, &["type"]) == "Available"))
                .map(|c| {
                    let status = str_at(c, &["status"]);
                    let reason = str_at(c, &["reason"]);
                    if status == "True" || reason.is_empty() {
                        status.to_string()
                    } else {
                        format!("{status} ({reason})")
                    }
                })
                .unwrap_or_else(|| "Unknown".to_string());
            vec![json!(name), json!(service), json!(available), json!(age)]
        }
        Printer::FlowSchema => {
            let method = at(object, &["spec", "distinguisherMethod", "type"])
                .and_then(Value::as_str)
                .unwrap_or("<none>");
            let missing = at(object, &["status", "conditions"])
                .and_then(Value::as_array)
                .and_then(|c| c.iter().find(|c| str_at(c, &["type"]) == "Dangling"))
                .map(|c| str_at(c, &["status"]).to_string())
                .unwrap_or_else(|| "?".to_string());
            vec![
                json!(name),
                json!(str_at(
                    object,
                    &["spec", "priorityLevelConfiguration", "name"]
                )),
                at(object, &["spec", "matchingPrecedence"])
                    .cloned()
                    .unwrap_or(json!(0)),
                json!(method),
                json!(age),
                json!(missing),
            ]
        }
        Printer::PriorityLevelConfiguration => {
            let none = || json!("<none>");
            let limited = at(object, &["spec", "limited"]).filter(|l| l.is_object());
            let queuing = limited
                .and_then(|l| at(l, &["limitResponse", "queuing"]))
                .filter(|q| q.is_object());
            let from = |value: Option<&Value>, key: &str| {
                value.and_then(|v| v.get(key)).cloned().unwrap_or_else(none)
            };
            vec![
                json!(name),
                json!(str_at(object, &["spec", "type"])),
                from(limited, "nominalConcurrencyShares"),
                from(queuing, "queues"),
                from(queuing, "handSize"),
                from(queuing, "queueLengthLimit"),
                json!(age),
            ]
        }
        Printer::RuntimeClass => vec![json!(name), json!(str_at(object, &["handler"])), json!(age)],
        Printer::WebhookConfiguration => vec![
            json!(name),
            json!(
                object
                    .get("webhooks")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
            ),
            json!(age),
        ],
        Printer::ValidatingAdmissionPolicy => {
            let param_kind = match at(object, &["spec", "paramKind"]) {
                Some(kind) => format!(
                    "{}/{}",
                    str_at(kind, &["apiVersion"]),
                    str_at(kind, &["kind"])
                ),
                None => "<unset>".to_string(),
            };
            vec![
                json!(name),
                json!(
                    at(object, &["spec", "validations"])
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                ),
                json!(param_kind),
                json!(age),
            ]
        }
        Printer::ValidatingAdmissionPolicyBinding => {
            let param_ref = match at(object, &["spec", "paramRef"]) {
                Some(reference) => {
                    let namespace = str_at(reference, &["namespace"]);
                    let name = reference.get("name").and_then(Value::as_str).unwrap_or("*");
                    if namespace.is_empty() {
                        name.to_string()
                    } else {
                        format!("{namespace}/{name}")
                    }
                }
                None => "<unset>".to_string(),
            };
            vec![
                json!(name),
                json!(str_at(object, &["spec", "policyName"])),
                json!(param_ref),
                json!(age),
            ]
        }
        Printer::PriorityClass => vec![
            json!(name),
            json!(int_at(object, &["value"])),
            json!(bool_at(object, &["globalDefault"], false)),
            json!(age),
            json!(str_at(object, &["preemptionPolicy"])),
        ],
        Printer::RoleBinding => {
            let role = format!(
                "{}/{}",
                str_at(object, &["roleRef", "kind"]),
                str_at(object, &["roleRef", "name"])
            );
            let (mut users, mut groups, mut accounts) = (Vec::new(), Vec::new(), Vec::new());
            for subject in at(object, &["subjects"])
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let who = str_at(subject, &["name"]).to_string();
                match str_at(subject, &["kind"]) {
                    "User" => users.push(who),
                    "Group" => groups.push(who),
                    "ServiceAccount" => {
                        accounts.push(format!("{}/{who}", str_at(subject, &["namespace"])))
                    }
                    _ => {}
                }
            }
            vec![
                json!(name),
                json!(role),
                json!(age),
                json!(users.join(", ")),
                json!(groups.join(", ")),
                json!(accounts.join(", ")),
            ]
        }
        Printer::CertificateSigningRequest => {
            let duration = at(object, &["spec", "expirationSeconds"])
                .and_then(Value::as_i64)
                .map_or_else(|| "<none>".to_string(), human_duration);
            vec![
                json!(name),
                json!(age),
                json!(str_at(object, &["spec", "signerName"])),
                json!(str_at(object, &["spec", "username"])),
                json!(duration),
                json!(csr_condition(object)),
            ]
        }
        Printer::ResourceQuota => {
            let (requests, limits) = quota_usage(object);
            vec![json!(name), json!(age), json!(requests), json!(limits)]
        }
        Printer::CreatedAt => {
            let created = parse_time(str_at(object, &["metadata", "creationTimestamp"]))
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            vec![json!(name), json!(created)]
        }
        _ => vec![json!(name), json!(age)],
    }
}

fn bool_at(object: &Value, path: &[&str], unset: bool) -> bool {
    at(object, path).and_then(Value::as_bool).unwrap_or(unset)
}

/// `True`/`False`/`<unset>`, as upstream prints optional booleans.
fn bool_word(value: Option<&Value>) -> &'static str {
    match value.and_then(Value::as_bool) {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    }
}

fn strings_at<'a>(object: &'a Value, path: &[&str]) -> Vec<&'a str> {
    at(object, path)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn int_or_string(value: Option<&Value>) -> String {
    match value {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => "N/A".to_string(),
    }
}

/// A label map as `a=b,c=d` (sorted), or `<none>`.
fn format_labels(labels: Option<&Value>) -> String {
    let mut pairs: Vec<String> = labels
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    none_if_empty(pairs.join(","))
}

fn containers(object: &Value, pointer: &str) -> (String, String) {
    let list = object
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let names: Vec<&str> = list.iter().map(|c| str_at(c, &["name"])).collect();
    let images: Vec<&str> = list.iter().map(|c| str_at(c, &["image"])).collect();
    (names.join(","), images.join(","))
}

/// `kind.group/name` of the controlling owner, lower-cased, or `<none>`.
fn controller_of(object: &Value) -> String {
    let owner = at(object, &["metadata", "ownerReferences"])
        .and_then(Value::as_array)
        .and_then(|owners| {
            owners
                .iter()
                .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        });
    let Some(owner) = owner else {
        return "<none>".to_string();
    };
    let group = str_at(owner, &["apiVersion"])
        .rsplit_once('/')
        .map_or("", |(group, _)| group);
    let kind = str_at(owner, &["kind"]);
    let group_kind = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    format!("{}/{}", group_kind.to_lowercase(), str_at(owner, &["name"]))
}

fn has_condition(object: &Value, kind: &str) -> bool {
    at(object, &["status", "conditions"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| str_at(c, &["type"]) == kind)
        .is_some_and(|c| str_at(c, &["status"]) == "True")
}

fn job_cells(job: &Value, name: String, age: String, now: DateTime<Utc>) -> Vec<Value> {
    let succeeded = int_at(job, &["status", "succeeded"]);
    let completions = match at(job, &["spec", "completions"]).and_then(Value::as_i64) {
        Some(completions) => format!("{succeeded}/{completions}"),
        None => match int_at(job, &["spec", "parallelism"]) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let started = parse_time(str_at(job, &["status", "startTime"]));
    let finished = parse_time(str_at(job, &["status", "completionTime"]));
    let duration = match (started, finished) {
        (None, _) => String::new(),
        (Some(start), None) => human_duration((now - start).num_seconds()),
        (Some(start), Some(end)) => human_duration((end - start).num_seconds()),
    };
    let status = if has_condition(job, "Complete") {
        "Complete"
    } else if has_condition(job, "Failed") {
        "Failed"
    } else if at(job, &["metadata", "deletionTimestamp"]).is_some_and(Value::is_string) {
        "Terminating"
    } else if has_condition(job, "Suspended") {
        "Suspended"
    } else if has_condition(job, "FailureTarget") {
        "FailureTarget"
    } else if has_condition(job, "SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let (containers, images) = containers(job, "/spec/template/spec/containers");
    vec![
        json!(name),
        json!(status),
        json!(completions),
        json!(duration),
        json!(age),
        json!(containers),
        json!(images),
        json!(selector_string(at(job, &["spec", "selector"]))),
    ]
}

/// The TARGETS column: each metric's current value against its target,
/// the first two shown.
fn hpa_targets(hpa: &Value) -> String {
    let specs = at(hpa, &["spec", "metrics"])
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if specs.is_empty() {
        return "<none>".to_string();
    }
    let statuses = at(hpa, &["status", "currentMetrics"])
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let quantity = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "0".to_string(),
    };
    let current = |i: usize, source: &str, field: &str| -> Option<String> {
        let status = statuses.get(i)?.get(source)?;
        let value = status.get("current")?.get(field)?;
        Some(match value {
            Value::Number(n) if field == "averageUtilization" => format!("{n}%"),
            other => quantity(Some(other)),
        })
    };
    let unknown = || "<unknown>".to_string();
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let kind = str_at(spec, &["type"]);
            match kind {
                "External" | "Object" => {
                    let source = if kind == "External" {
                        "external"
                    } else {
                        "object"
                    };
                    let target = at(spec, &[source, "target"]);
                    match target.and_then(|t| t.get("averageValue")) {
                        Some(average) => format!(
                            "{}/{} (avg)",
                            current(i, source, "averageValue").unwrap_or_else(unknown),
                            quantity(Some(average))
                        ),
                        None => format!(
                            "{}/{}",
                            current(i, source, "value").unwrap_or_else(unknown),
                            quantity(target.and_then(|t| t.get("value")))
                        ),
                    }
                }
                "Pods" => format!(
                    "{}/{}",
                    current(i, "pods", "averageValue").unwrap_or_else(unknown),
                    quantity(at(spec, &["pods", "target", "averageValue"]))
                ),
                "Resource" | "ContainerResource" => {
                    let source = if kind == "Resource" {
                        "resource"
                    } else {
                        "containerResource"
                    };
                    let resource = str_at(spec, &[source, "name"]);
                    let target = at(spec, &[source, "target"]);
                    match target.and_then(|t| t.get("averageValue")) {
                        Some(average) => format!(
                            "{resource}: {}/{}",
                            current(i, source, "averageValue").unwrap_or_else(unknown),
                            quantity(Some(average))
                        ),
                        None => {
                            let goal = target
                                .and_then(|t| t.get("averageUtilization"))
                                .and_then(Value::as_i64)
                                .map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
                            format!(
                                "{resource}: {}/{goal}",
                                current(i, source, "averageUtilization").unwrap_or_else(unknown)
                            )
                        }
                    }
                }
                _ => "<unknown type>".to_string(),
            }
        })
        .collect();
    if list.len() > 2 {
        format!("{} + {} more...", list[..2].join(", "), list.len() - 2)
    } else {
        list.join(", ")
    }
}

fn ingress_cells(ingress: &Value, name: String, age: String) -> Vec<Value> {
    let class = match str_at(ingress, &["spec", "ingressClassName"]) {
        "" => "<none>",
        class => class,
    };
    let rules = at(ingress, &["spec", "rules"])
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let hosts: Vec<&str> = rules
        .iter()
        .map(|r| str_at(r, &["host"]))
        .filter(|h| !h.is_empty())
        .collect();
    let hosts = if hosts.is_empty() {
        "*".to_string()
    } else if rules.len() > 3 {
        format!(
            "{} + {} more...",
            hosts[..hosts.len().min(3)].join(","),
            rules.len() - 3
        )
    } else {
        hosts.join(",")
    };
    let mut addresses: Vec<&str> = at(ingress, &["status", "loadBalancer", "ingress"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i.get("ip")
                .or_else(|| i.get("hostname"))
                .and_then(Value::as_str)
        })
        .collect();
    addresses.dedup();
    let tls = at(ingress, &["spec", "tls"])
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    vec![
        json!(name),
        json!(class),
        json!(hosts),
        json!(addresses.join(",")),
        json!(if tls { "80, 443" } else { "80" }),
        json!(age),
    ]
}

/// At most three entries, then `+ N more...`; `<unset>` when empty.
fn first_three(list: Vec<String>) -> String {
    let count = list.len();
    if count > 3 {
        format!("{} + {} more...", list[..3].join(","), count - 3)
    } else if list.is_empty() {
        "<unset>".to_string()
    } else {
        list.join(",")
    }
}

fn endpoint_slice_cells(slice: &Value, name: String, age: String) -> Vec<Value> {
    let ports: Vec<String> = at(slice, &["ports"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            match (
                p.get("port").and_then(Value::as_i64),
                p.get("name").and_then(Value::as_str),
            ) {
                (Some(port), _) => port.to_string(),
                (None, Some(name)) => name.to_string(),
                (None, None) => "*".to_string(),
            }
        })
        .collect();
    let addresses: Vec<String> = at(slice, &["endpoints"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|e| strings_at(e, &["addresses"]))
        .map(String::from)
        .collect();
    vec![
        json!(name),
        json!(str_at(slice, &["addressType"])),
        json!(first_three(ports)),
        json!(first_three(addresses)),
        json!(age),
    ]
}

fn csr_condition(csr: &Value) -> String {
    let conditions: Vec<&str> = at(csr, &["status", "conditions"])
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| str_at(c, &["type"]))
        .collect();
    let mut status = if conditions.contains(&"Denied") {
        "Denied".to_string()
    } else if conditions.contains(&"Approved") {
        "Approved".to_string()
    } else {
        "Pending".to_string()
    };
    if conditions.contains(&"Failed") {
        status.push_str(",Failed");
    }
    if !str_at(csr, &["status", "certificate"]).is_empty() {
        status.push_str(",Issued");
    }
    status
}

/// `resource: used/hard` for each hard limit, requests and limits apart.
fn quota_usage(quota: &Value) -> (String, String) {
    let hard = at(quota, &["status", "hard"]).and_then(Value::as_object);
    let mut names: Vec<&String> = hard.map(|h| h.keys().collect()).unwrap_or_default();
    names.sort();
    let (mut requests, mut limits) = (Vec::new(), Vec::new());
    for resource in names {
        let text = |path: &[&str]| match at(quota, path) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => "0".to_string(),
        };
        let entry = format!(
            "{resource}: {}/{}",
            text(&["status", "used", resource]),
            text(&["status", "hard", resource])
        );
        if resource.split('.').count() > 1 && resource.starts_with("limits.") {
            limits.push(entry);
        } else {
            requests.push(entry);
        }
    }
    (requests.join(", "), limits.join(", "))
}
