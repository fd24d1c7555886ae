//! API Priority and Fairness configuration as upstream's API server keeps
//! it: the mandatory and suggested FlowSchemas and PriorityLevelConfigurations
//! (`flowcontrol.apiserver.k8s.io/v1`) exist from the first start, a deleted
//! one comes back, the suggested ones follow their bootstrap spec while
//! annotated `apf.kubernetes.io/autoupdate-spec: "true"`, and every FlowSchema
//! says in its `Dangling` condition whether the priority level it names
//! exists. (Requests are limited by `--max-requests-inflight`; these objects
//! describe upstream's classification for the clients and tools that read
//! them.)

use std::collections::BTreeSet;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use store::{RangeOptions, SharedStore, StoreError};
use tokio::sync::watch;

use crate::objects::encode;

const FLOW_SCHEMAS: &str = "/registry/flowschemas/";
const PRIORITY_LEVELS: &str = "/registry/prioritylevelconfigurations/";
const AUTO_UPDATE: &str = "apf.kubernetes.io/autoupdate-spec";

/// One bootstrap object: its name, whether it is mandatory, its spec.
struct Bootstrap {
    name: &'static str,
    mandatory: bool,
    spec: Value,
}

fn limited(shares: i64, lendable: i64, queuing: Option<(i64, i64, i64)>) -> Value {
    let limit_response = match queuing {
        Some((queues, hand_size, queue_length_limit)) => json!({
            "type": "Queue",
            "queuing": {"queues": queues, "handSize": hand_size,
                "queueLengthLimit": queue_length_limit},
        }),
        None => json!({"type": "Reject"}),
    };
    json!({
        "type": "Limited",
        "limited": {"nominalConcurrencyShares": shares, "lendablePercent": lendable,
            "limitResponse": limit_response},
    })
}

fn priority_levels() -> Vec<Bootstrap> {
    let level = |name, mandatory, spec| Bootstrap {
        name,
        mandatory,
        spec,
    };
    vec![
        level(
            "exempt",
            true,
            json!({"type": "Exempt",
                "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}}),
        ),
        level("catch-all", true, limited(5, 0, None)),
        level("system", false, limited(30, 33, Some((64, 6, 50)))),
        level("node-high", false, limited(40, 25, Some((64, 6, 50)))),
        level("leader-election", false, limited(10, 0, Some((16, 4, 50)))),
        level("workload-high", false, limited(40, 50, Some((128, 6, 50)))),
        level("workload-low", false, limited(100, 90, Some((128, 6, 50)))),
        level("global-default", false, limited(20, 50, Some((128, 6, 50)))),
    ]
}

fn groups(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|name| json!({"kind": "Group", "group": {"name": name}}))
        .collect()
}

fn users(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|name| json!({"kind": "User", "user": {"name": name}}))
        .collect()
}

fn kube_system_accounts(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|name| {
            json!({"kind": "ServiceAccount",
                "serviceAccount": {"name": name, "namespace": "kube-system"}})
        })
        .collect()
}

fn resource_rule(verbs: &[&str], group: &str, resources: &[&str], namespaces: &[&str]) -> Value {
    json!({"verbs": verbs, "apiGroups": [group], "resources": resources,
        "namespaces": namespaces})
}

/// Every verb on everything, cluster-scoped or not, and every path.
fn everything(subjects: Vec<Value>) -> Value {
    json!({
        "subjects": subjects,
        "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"],
            "clusterScope": true, "namespaces": ["*"]}],
        "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
    })
}

fn flow_schema(level: &str, precedence: i64, distinguisher: Option<&str>, rule: Value) -> Value {
    let mut spec = json!({
        "priorityLevelConfiguration": {"name": level},
        "matchingPrecedence": precedence,
        "rules": [rule],
    });
    if let Some(method) = distinguisher {
        spec["distinguisherMethod"] = json!({"type": method});
    }
    spec
}

fn flow_schemas() -> Vec<Bootstrap> {
    let schema = |name, mandatory, spec| Bootstrap {
        name,
        mandatory,
        spec,
    };
    let everyone = || groups(&["system:unauthenticated", "system:authenticated"]);
    let leader_election_rules = |namespaces: &[&str]| {
        vec![
            resource_rule(
                &["get", "create", "update"],
                "",
                &["endpoints", "configmaps"],
                namespaces,
            ),
            resource_rule(
                &["get", "create", "update"],
                "coordination.k8s.io",
                &["leases"],
                &["*"],
            ),
        ]
    };
    let mut system_leaders = users(&["system:kube-controller-manager", "system:kube-scheduler"]);
    system_leaders.extend(kube_system_accounts(&["*"]));
    let mut endpoint_writers = users(&["system:kube-controller-manager"]);
    endpoint_writers.extend(kube_system_accounts(&[
        "endpoint-controller",
        "endpointslicemirroring-controller",
    ]));
    vec![
        schema(
            "exempt",
            true,
            flow_schema("exempt", 1, None, everything(groups(&["system:masters"]))),
        ),
        schema(
            "probes",
            false,
            flow_schema(
                "exempt",
                2,
                None,
                json!({"subjects": everyone(), "nonResourceRules": [{"verbs": ["get"],
                    "nonResourceURLs": ["/healthz", "/readyz", "/livez"]}]}),
            ),
        ),
        schema(
            "system-leader-election",
            false,
            flow_schema(
                "leader-election",
                100,
                Some("ByUser"),
                json!({"subjects": system_leaders,
                    "resourceRules": leader_election_rules(&["kube-system"])}),
            ),
        ),
        schema(
            "endpoint-controller",
            false,
            flow_schema(
                "workload-high",
                150,
                Some("ByUser"),
                json!({"subjects": endpoint_writers, "resourceRules": [resource_rule(
                    &["get", "create", "update"], "", &["endpoints"], &["*"])]}),
            ),
        ),
        schema(
            "workload-leader-election",
            false,
            flow_schema(
                "leader-election",
                200,
                Some("ByUser"),
                json!({"subjects": kube_system_accounts(&["*"]),
                    "resourceRules": leader_election_rules(&["*"])}),
            ),
        ),
        schema(
            "system-node-high",
            false,
            flow_schema(
                "node-high",
                400,
                Some("ByUser"),
                json!({"subjects": groups(&["system:nodes"]), "resourceRules": [
                    {"verbs": ["*"], "apiGroups": [""], "resources": ["nodes", "nodes/status"],
                        "clusterScope": true, "namespaces": ["*"]},
                    resource_rule(&["*"], "coordination.k8s.io", &["leases"], &["*"]),
                ]}),
            ),
        ),
        schema(
            "system-nodes",
            false,
            flow_schema(
                "system",
                500,
                Some("ByUser"),
                everything(groups(&["system:nodes"])),
            ),
        ),
        schema(
            "kube-controller-manager",
            false,
            flow_schema(
                "workload-high",
                800,
                Some("ByNamespace"),
                everything(users(&["system:kube-controller-manager"])),
            ),
        ),
        schema(
            "kube-scheduler",
            false,
            flow_schema(
                "workload-high",
                800,
                Some("ByNamespace"),
                everything(users(&["system:kube-scheduler"])),
            ),
        ),
        schema(
            "kube-system-service-accounts",
            false,
            flow_schema(
                "workload-high",
                900,
                Some("ByNamespace"),
                everything(kube_system_accounts(&["*"])),
            ),
        ),
        schema(
            "service-accounts",
            false,
            flow_schema(
                "workload-low",
                9000,
                Some("ByUser"),
                everything(groups(&["system:serviceaccounts"])),
            ),
        ),
        schema(
            "global-default",
            false,
            flow_schema(
                "global-default",
                9900,
                Some("ByUser"),
                everything(everyone()),
            ),
        ),
        schema(
            "catch-all",
            true,
            flow_schema("catch-all", 10000, Some("ByUser"), everything(everyone())),
        ),
    ]
}

/// The fixed spec of a mandatory FlowSchema (`exempt`, `catch-all`).
pub fn mandatory_flow_schema(name: &str) -> Option<Value> {
    flow_schemas()
        .into_iter()
        .find(|schema| schema.mandatory && schema.name == name)
        .map(|schema| schema.spec)
}

/// The fixed spec of a mandatory priority level (`exempt`, `catch-all`).
pub fn mandatory_priority_level(name: &str) -> Option<Value> {
    priority_levels()
        .into_iter()
        .find(|level| level.mandatory && level.name == name)
        .map(|level| level.spec)
}

/// Creates the bootstrap objects that are missing and brings the suggested
/// ones that allow it back to their bootstrap spec.
async fn ensure_bootstrap(store: &SharedStore) -> Result<(), String> {
    for level in priority_levels() {
        ensure_one(store, "prioritylevelconfigurations", level, json!({})).await?;
    }
    // A new schema starts with its condition, so the first start writes
    // each object once.
    let levels = level_names(store).await?;
    for schema in flow_schemas() {
        let level = schema.spec["priorityLevelConfiguration"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let (status, reason, message) = dangling(&level, levels.contains(&level));
        let initial = json!({"conditions": [{"type": "Dangling", "status": status,
            "lastTransitionTime": api::meta::now_timestamp(), "reason": reason,
            "message": message}]});
        ensure_one(store, "flowschemas", schema, initial).await?;
    }
    Ok(())
}

async fn level_names(store: &SharedStore) -> Result<BTreeSet<String>, String> {
    Ok(store
        .range(PRIORITY_LEVELS, RangeOptions::default())
        .await
        .map_err(|e| e.to_string())?
        .kvs
        .iter()
        .filter_map(|kv| kv.key.strip_prefix(PRIORITY_LEVELS).map(str::to_string))
        .collect())
}

async fn ensure_one(
    store: &SharedStore,
    plural: &str,
    wanted: Bootstrap,
    status: Value,
) -> Result<(), String> {
    let Some(info) = api::registry::lookup("flowcontrol.apiserver.k8s.io", "v1", plural) else {
        return Err(format!("no {plural} in the registry"));
    };
    let kind = &info.kind;
    let key = info.storage_key(None, wanted.name);
    for _ in 0..5 {
        match store.get(&key).await.map_err(|e| e.to_string())? {
            None => {
                let mut object = json!({
                    "apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": kind,
                    "metadata": {"name": wanted.name,
                        "annotations": {AUTO_UPDATE: "true"}},
                    "spec": wanted.spec,
                });
                crate::objects::prepare_create(info, None, &mut object, 0)
                    .map_err(|e| e.message)?;
                // (Creating resets a status; this one is the server's own.)
                object["status"] = status.clone();
                match store.create(&key, encode(&object)).await {
                    Ok(_) => return Ok(()),
                    Err(StoreError::AlreadyExists(_)) => continue,
                    Err(err) => return Err(format!("cannot create {kind} {}: {err}", wanted.name)),
                }
            }
            Some(kv) => {
                let current: Value =
                    serde_json::from_slice(&kv.value).map_err(|e| e.to_string())?;
                let auto_update = current
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get(AUTO_UPDATE))
                    .and_then(Value::as_str)
                    == Some("true");
                if !(wanted.mandatory || auto_update) || current["spec"] == wanted.spec {
                    return Ok(());
                }
                // The mandatory exempt level may have its `exempt` tuned.
                if wanted.mandatory && kind == "PriorityLevelConfiguration" {
                    let mut fixed = current["spec"].clone();
                    fixed["exempt"] = wanted.spec["exempt"].clone();
                    if fixed == wanted.spec {
                        return Ok(());
                    }
                }
                let mut updated = current.clone();
                updated["spec"] = wanted.spec.clone();
                let generation = current
                    .pointer("/metadata/generation")
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                updated["metadata"]["generation"] = json!(generation + 1);
                match store.update(&key, encode(&updated), kv.mod_revision).await {
                    Ok(_) => return Ok(()),
                    Err(StoreError::Conflict { .. }) => continue,
                    Err(err) => return Err(format!("cannot update {kind} {}: {err}", wanted.name)),
                }
            }
        }
    }
    Err(format!("{kind} {} kept changing", wanted.name))
}

/// The `Dangling` condition a FlowSchema naming `level` should carry.
fn dangling(level: &str, exists: bool) -> (&'static str, &'static str, String) {
    if exists {
        (
            "False",
            "Found",
            format!(
                "This FlowSchema references the PriorityLevelConfiguration object named {level:?} and it exists"
            ),
        )
    } else {
        (
            "True",
            "NotFound",
            format!(
                "This FlowSchema references the PriorityLevelConfiguration object named {level:?} but there is no such object"
            ),
        )
    }
}

/// Sets each FlowSchema's `Dangling` condition from the priority levels
/// that exist; the transition time moves only when the status does.
async fn mark_dangling(store: &SharedStore) -> Result<(), String> {
    let levels = level_names(store).await?;
    let schemas = store
        .range(FLOW_SCHEMAS, RangeOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    for kv in schemas.kvs {
        let Ok(mut schema) = serde_json::from_slice::<Value>(&kv.value) else {
            continue;
        };
        let level = schema
            .pointer("/spec/priorityLevelConfiguration/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let (status, reason, message) = dangling(&level, levels.contains(&level));
        let mut conditions: Vec<Value> = schema
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let existing = conditions.iter().position(|c| c["type"] == "Dangling");
        let unchanged = existing.is_some_and(|i| {
            let c = &conditions[i];
            c["status"] == status && c["reason"] == reason && c["message"] == message.as_str()
        });
        if unchanged {
            continue;
        }
        let transition = match existing {
            Some(i) if conditions[i]["status"] == status => {
                conditions[i]["lastTransitionTime"].clone()
            }
            _ => json!(api::meta::now_timestamp()),
        };
        let condition = json!({"type": "Dangling", "status": status,
            "lastTransitionTime": transition, "reason": reason, "message": message});
        match existing {
            Some(i) => conditions[i] = condition,
            None => conditions.push(condition),
        }
        if !schema.get("status").is_some_and(Value::is_object) {
            schema["status"] = json!({});
        }
        schema["status"]["conditions"] = Value::Array(conditions);
        // A writer in between wins; the watch brings this round again.
        match store
            .update(&kv.key, encode(&schema), kv.mod_revision)
            .await
        {
            Ok(_) | Err(StoreError::Conflict { .. }) | Err(StoreError::NotFound(_)) => {}
            Err(err) => return Err(err.to_string()),
        }
    }
    Ok(())
}

/// The bootstrap objects and the conditions, once.
pub async fn maintain(store: &SharedStore) -> Result<(), String> {
    ensure_bootstrap(store).await?;
    mark_dangling(store).await
}

/// Keeps the configuration as [`maintain`] leaves it, again after every
/// change to a FlowSchema or priority level, until `stopping`.
pub async fn run(store: SharedStore, mut stopping: watch::Receiver<bool>) {
    loop {
        let revision = match store.current_revision().await {
            Ok(revision) => revision,
            Err(err) => {
                tracing::warn!(error = %err, "flow control configuration: no store revision");
                if wait(&mut stopping, Duration::from_secs(5)).await {
                    return;
                }
                continue;
            }
        };
        if let Err(err) = maintain(&store).await {
            tracing::warn!(error = %err, "flow control configuration not maintained");
        }
        let watches = tokio::join!(
            store.watch(FLOW_SCHEMAS, revision + 1),
            store.watch(PRIORITY_LEVELS, revision + 1)
        );
        let (Ok(mut schemas), Ok(mut levels)) = watches else {
            if wait(&mut stopping, Duration::from_secs(5)).await {
                return;
            }
            continue;
        };
        // Our own writes come back once; the round after them finds
        // nothing to do and waits for the next change.
        tokio::select! {
            _ = schemas.next() => {}
            _ = levels.next() => {}
            _ = tokio::time::sleep(Duration::from_secs(300)) => {}
            _ = stopping.wait_for(|stop| *stop) => return,
        }
        // Changes often come in bursts (kubectl apply of a file).
        if wait(&mut stopping, Duration::from_millis(100)).await {
            return;
        }
    }
}

/// Sleeps `pause`; true if told to stop meanwhile.
async fn wait(stopping: &mut watch::Receiver<bool>, pause: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(pause) => false,
        _ = stopping.wait_for(|stop| *stop) => true,
    }
}
