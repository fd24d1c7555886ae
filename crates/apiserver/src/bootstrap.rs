//! Objects every cluster has from its first start: the four system
//! namespaces and the two system priority classes.

use serde_json::{Value, json};
use store::{SharedStore, StoreError};

use crate::objects::{encode, prepare_create};

async fn ensure_object(
    store: &SharedStore,
    group: &str,
    plural: &str,
    mut object: Value,
) -> Result<(), String> {
    let info = api::registry::lookup(group, "v1", plural)
        .ok_or_else(|| format!("no {plural} resource in the registry"))?;
    let name = prepare_create(info, None, &mut object, 0).map_err(|e| e.message)?;
    match store
        .create(&info.storage_key(None, &name), encode(&object))
        .await
    {
        Ok(_) | Err(StoreError::AlreadyExists(_)) => Ok(()),
        Err(err) => Err(format!("cannot create {plural}/{name}: {err}")),
    }
}

/// Creates `object` or, when it exists and differs, replaces its content
/// (keeping its identity), so a restart with a new address or port is seen.
async fn reconcile_object(
    store: &SharedStore,
    group: &str,
    plural: &str,
    namespace: Option<&str>,
    mut object: Value,
) -> Result<(), String> {
    let info = api::registry::lookup(group, "v1", plural)
        .ok_or_else(|| format!("no {plural} resource in the registry"))?;
    let name = prepare_create(info, namespace, &mut object, 0).map_err(|e| e.message)?;
    let key = info.storage_key(namespace, &name);
    for _ in 0..5 {
        match store.get(&key).await.map_err(|e| e.to_string())? {
            None => match store.create(&key, encode(&object)).await {
                Ok(_) => return Ok(()),
                Err(StoreError::AlreadyExists(_)) => continue,
                Err(err) => return Err(format!("cannot create {plural}/{name}: {err}")),
            },
            Some(kv) => {
                let current: Value =
                    serde_json::from_slice(&kv.value).map_err(|e| e.to_string())?;
                let mut wanted = current.clone();
                for field in ["spec", "subsets", "endpoints", "ports", "addressType"] {
                    if let Some(value) = object.get(field) {
                        wanted[field] = value.clone();
                    }
                }
                if wanted == current {
                    return Ok(());
                }
                match store.update(&key, encode(&wanted), kv.mod_revision).await {
                    Ok(_) => return Ok(()),
                    Err(StoreError::Conflict { .. }) => continue,
                    Err(err) => return Err(format!("cannot update {plural}/{name}: {err}")),
                }
            }
        }
    }
    Err(format!(
        "{plural}/{name} kept changing while being reconciled"
    ))
}

/// The `kubernetes` Service in `default`, and its Endpoints and
/// EndpointSlice pointing at the API servers at `addresses` (all serving
/// on `port`, as upstream assumes).
pub async fn ensure_kubernetes_service(
    store: &SharedStore,
    cluster_ip: &str,
    addresses: &[String],
    port: u16,
) -> Result<(), String> {
    let service = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "type": "ClusterIP", "clusterIP": cluster_ip, "clusterIPs": [cluster_ip],
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}],
        },
    });
    reconcile_object(store, "", "services", Some("default"), service).await?;
    let endpoints = json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{
            "addresses": addresses.iter().map(|ip| json!({"ip": ip})).collect::<Vec<_>>(),
            "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
        }],
    });
    reconcile_object(store, "", "endpoints", Some("default"), endpoints).await?;
    let slice = json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": addresses
            .iter()
            .map(|ip| json!({"addresses": [ip], "conditions": {"ready": true}}))
            .collect::<Vec<_>>(),
        "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
    });
    reconcile_object(
        store,
        "discovery.k8s.io",
        "endpointslices",
        Some("default"),
        slice,
    )
    .await
}

/// Where the aggregator ranks a local group version (upstream's table;
/// discovery orders groups by it).
fn api_service_priority(group: &str, version: &str) -> (i64, i64) {
    match (group, version) {
        ("", "v1") => (18000, 1),
        ("apps", _) => (17800, 15),
        ("events.k8s.io", _) => (17750, 15),
        ("authentication.k8s.io", _) => (17700, 15),
        ("authorization.k8s.io", _) => (17600, 15),
        ("autoscaling", "v2") => (17500, 30),
        ("autoscaling", _) => (17500, 15),
        ("batch", _) => (17400, 15),
        ("certificates.k8s.io", _) => (17300, 15),
        ("networking.k8s.io", _) => (17200, 15),
        ("policy", _) => (17100, 15),
        ("rbac.authorization.k8s.io", _) => (17000, 15),
        ("storage.k8s.io", _) => (16800, 15),
        ("apiextensions.k8s.io" | "admissionregistration.k8s.io", _) => (16700, 15),
        ("scheduling.k8s.io", _) => (16600, 15),
        ("coordination.k8s.io", _) => (16500, 15),
        ("node.k8s.io", _) => (16300, 15),
        ("discovery.k8s.io", _) => (16200, 15),
        ("flowcontrol.apiserver.k8s.io", _) => (16100, 21),
        // Groups upstream's table leaves out rank last.
        _ => (1000, 15),
    }
}

/// An APIService for each group version this server serves itself, as
/// the aggregator registers them at start ("Local", always available).
async fn register_local_api_services(store: &SharedStore) -> Result<(), String> {
    let versions: std::collections::BTreeSet<(&str, &str)> = api::registry::RESOURCES
        .iter()
        .map(|info| (&*info.group, &*info.version))
        .collect();
    for (group, version) in versions {
        let (group_priority, version_priority) = api_service_priority(group, version);
        let service = json!({
            "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {
                "name": format!("{version}.{group}"),
                "labels": {"kube-aggregator.kubernetes.io/automanaged": "onstart"},
            },
            "spec": {
                "group": group, "version": version,
                "groupPriorityMinimum": group_priority, "versionPriority": version_priority,
            },
            "status": {"conditions": [{
                "type": "Available", "status": "True",
                "lastTransitionTime": api::meta::now_timestamp(),
                "reason": "Local", "message": "Local APIServices are always available",
            }]},
        });
        ensure_object(store, "apiregistration.k8s.io", "apiservices", service).await?;
    }
    Ok(())
}

pub async fn ensure(store: &SharedStore) -> Result<(), String> {
    for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        let namespace = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        });
        ensure_object(store, "", "namespaces", namespace).await?;
    }
    for (name, value, description) in [
        (
            "system-cluster-critical",
            2_000_000_000,
            "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        ),
        (
            "system-node-critical",
            2_000_001_000,
            "Used for system critical pods that must not be moved from their current node.",
        ),
    ] {
        let class = json!({
            "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value, "globalDefault": false,
            "description": description, "preemptionPolicy": "PreemptLowerPriority",
        });
        ensure_object(store, "scheduling.k8s.io", "priorityclasses", class).await?;
    }
    register_local_api_services(store).await
}
