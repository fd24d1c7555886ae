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
    Ok(())
}
