//! ServiceAccount: every new pod runs as a service account that exists
//! (`default` unless it names one), gets that account's image pull secrets
//! when it has none, and — unless the pod or the account opts out with
//! `automountServiceAccountToken: false` — a projected `kube-api-access-*`
//! volume (a bound token the kubelet requests and refreshes, the cluster
//! CA and the namespace) mounted in every container at
//! `/var/run/secrets/kubernetes.io/serviceaccount`. Mirror pods are left
//! as the kubelet wrote them, and may not use accounts or secrets at all.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{AdmissionPlugin, Attributes, Operation, forbidden};
use crate::error::ApiError;

const DEFAULT_ACCOUNT: &str = "default";
/// Where in-cluster clients look for the token, CA and namespace.
pub const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// The generated volume's name prefix.
const VOLUME_PREFIX: &str = "kube-api-access-";
/// The projected token's lifetime as upstream asks for it: an hour and
/// seven seconds, the kubelet refreshing it long before.
const TOKEN_EXPIRATION_SECONDS: i64 = 3607;
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";
/// The `default` account is made by the controller manager right after its
/// namespace: a pod created in that moment waits for it this many times.
const DEFAULT_ACCOUNT_ATTEMPTS: u32 = 10;

pub struct ServiceAccount;

#[async_trait]
impl AdmissionPlugin for ServiceAccount {
    fn name(&self) -> &'static str {
        "ServiceAccount"
    }

    async fn admit(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&mut Value>,
    ) -> Result<(), ApiError> {
        if !attributes.creates("Pod") {
            return Ok(());
        }
        let Some(pod) = object else {
            return Ok(());
        };
        if is_mirror(pod) {
            return Ok(());
        }
        let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
            return Ok(());
        };
        let name = match spec.get("serviceAccountName").and_then(Value::as_str) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => DEFAULT_ACCOUNT.to_string(),
        };
        spec.insert("serviceAccountName".into(), json!(name));
        spec.insert("serviceAccount".into(), json!(name));
        let namespace = attributes.namespace.unwrap_or_default();
        let account = lookup(attributes, namespace, &name).await?.ok_or_else(|| {
            forbidden(
                attributes,
                &format!(
                    "error looking up service account {namespace}/{name}: serviceaccount \"{name}\" not found"
                ),
            )
        })?;
        if automount(spec, &account) {
            mount_token(spec, rand::random());
        }
        let has_pull_secrets = spec
            .get("imagePullSecrets")
            .and_then(Value::as_array)
            .is_some_and(|list| !list.is_empty());
        if !has_pull_secrets
            && let Some(secrets) = account.get("imagePullSecrets").and_then(Value::as_array)
            && !secrets.is_empty()
        {
            spec.insert("imagePullSecrets".into(), Value::Array(secrets.clone()));
        }
        Ok(())
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        if attributes.operation != Operation::Create
            || attributes.info.builtin_kind() != "Pod"
            || attributes.subresource.is_some()
        {
            return Ok(());
        }
        match object {
            Some(pod) if is_mirror(pod) => mirror_pod_references(pod)
                .map_or(Ok(()), |reason| Err(forbidden(attributes, reason))),
            _ => Ok(()),
        }
    }
}

fn is_mirror(pod: &Value) -> bool {
    pod.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|a| a.contains_key(MIRROR_ANNOTATION))
}

/// What a mirror pod may not reference: the kubelet made it from a file,
/// and the node must not get at accounts or secrets through it.
fn mirror_pod_references(pod: &Value) -> Option<&'static str> {
    let spec = pod.get("spec")?;
    if spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty())
    {
        return Some("a mirror pod may not reference service accounts");
    }
    let uses_secrets = crate::authz::node::pod_uses(pod)
        .iter()
        .any(|used| matches!(used, crate::authz::node::Used::Secret(..)));
    if uses_secrets {
        return Some("a mirror pod may not reference secrets");
    }
    let projects_token = spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.pointer("/projected/sources").and_then(Value::as_array))
        .flatten()
        .any(|source| source.get("serviceAccountToken").is_some());
    if projects_token {
        return Some("a mirror pod may not use ServiceAccountToken volume projections");
    }
    None
}

/// The service account, waiting a little for `default` (made by the
/// controller manager just after its namespace).
async fn lookup(
    attributes: &Attributes<'_>,
    namespace: &str,
    name: &str,
) -> Result<Option<Value>, ApiError> {
    let info = api::registry::lookup("", "v1", "serviceaccounts")
        .ok_or_else(|| ApiError::internal("no serviceaccounts resource"))?;
    let key = info.storage_key(Some(namespace), name);
    let attempts = if name == DEFAULT_ACCOUNT {
        DEFAULT_ACCOUNT_ATTEMPTS
    } else {
        1
    };
    for attempt in 0..attempts {
        if attempt > 0 {
            let jitter = rand::random::<u64>() % 100;
            tokio::time::sleep(Duration::from_millis(100 + jitter)).await;
        }
        let found = attributes
            .store
            .get(&key)
            .await
            .map_err(|e| ApiError::from_store(e, info, name))?;
        if let Some(kv) = found {
            return crate::objects::decode(info, &kv).map(Some);
        }
    }
    Ok(None)
}

/// The pod's own `automountServiceAccountToken` decides, else the
/// account's, else yes.
fn automount(spec: &serde_json::Map<String, Value>, account: &Value) -> bool {
    spec.get("automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| {
            account
                .get("automountServiceAccountToken")
                .and_then(Value::as_bool)
        })
        .unwrap_or(true)
}

/// Adds the token volume (unless one is there) and mounts it in every
/// init and app container that has nothing at the token path yet.
fn mount_token(spec: &mut serde_json::Map<String, Value>, random: u64) {
    let existing = spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .find(|name| name.starts_with(VOLUME_PREFIX))
        .map(str::to_string);
    let volume_name = existing
        .clone()
        .unwrap_or_else(|| format!("{VOLUME_PREFIX}{}", api::meta::random_suffix(random)));
    let mut mounted = false;
    for list in ["initContainers", "containers"] {
        let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            let mounts = container.entry("volumeMounts").or_insert_with(|| json!([]));
            let Some(mounts) = mounts.as_array_mut() else {
                continue;
            };
            let taken = mounts
                .iter()
                .any(|m| m.get("mountPath").and_then(Value::as_str) == Some(TOKEN_MOUNT_PATH));
            if !taken {
                mounts.push(json!({
                    "name": volume_name,
                    "readOnly": true,
                    "mountPath": TOKEN_MOUNT_PATH,
                }));
                mounted = true;
            }
        }
    }
    if existing.is_none() && mounted {
        let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
        if let Some(volumes) = volumes.as_array_mut() {
            volumes.push(token_volume(&volume_name));
        }
    }
}

/// The projected volume upstream adds: a bound token, the root CA bundle
/// and the namespace, readable by all (mode 0644).
fn token_volume(name: &str) -> Value {
    json!({
        "name": name,
        "projected": {
            "defaultMode": 0o644,
            "sources": [
                {"serviceAccountToken": {
                    "expirationSeconds": TOKEN_EXPIRATION_SECONDS,
                    "path": "token",
                }},
                {"configMap": {
                    "name": "kube-root-ca.crt",
                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                }},
                {"downwardAPI": {
                    "items": [{
                        "path": "namespace",
                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                    }],
                }},
            ],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_container_mounts_one_token_volume() {
        let mut pod = spec(json!({
            "initContainers": [{"name": "init"}],
            "containers": [
                {"name": "a"},
                {"name": "b", "volumeMounts": [{"name": "own", "mountPath": TOKEN_MOUNT_PATH}]},
            ],
            "volumes": [{"name": "own", "emptyDir": {}}],
        }));
        mount_token(&mut pod, 0);
        let volumes = pod["volumes"].as_array().cloned().unwrap_or_default();
        assert_eq!(volumes.len(), 2);
        let name = volumes[1]["name"].as_str().unwrap_or_default().to_string();
        assert!(
            name.starts_with("kube-api-access-") && name.len() == 21,
            "{name}"
        );
        assert_eq!(
            volumes[1]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"],
            3607
        );
        assert_eq!(pod["initContainers"][0]["volumeMounts"][0]["name"], name);
        assert_eq!(pod["containers"][0]["volumeMounts"][0]["readOnly"], true);
        // A container with its own mount at the path keeps it.
        assert_eq!(
            pod["containers"][1]["volumeMounts"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        // Admitting again adds nothing.
        mount_token(&mut pod, 1);
        assert_eq!(pod["volumes"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn the_pod_overrides_the_account_on_automounting() {
        let off = json!({"automountServiceAccountToken": false});
        assert!(!automount(&spec(json!({})), &off));
        assert!(automount(
            &spec(json!({"automountServiceAccountToken": true})),
            &off
        ));
        assert!(automount(&spec(json!({})), &json!({})));
    }

    #[test]
    fn mirror_pods_may_not_reference_accounts_or_secrets() {
        let with_account = json!({"spec": {"serviceAccountName": "x", "containers": []}});
        assert_eq!(
            mirror_pod_references(&with_account),
            Some("a mirror pod may not reference service accounts")
        );
        let with_secret =
            json!({"spec": {"volumes": [{"name": "s", "secret": {"secretName": "k"}}]}});
        assert_eq!(
            mirror_pod_references(&with_secret),
            Some("a mirror pod may not reference secrets")
        );
        assert_eq!(
            mirror_pod_references(&json!({"spec": {"containers": [{"name": "a"}]}})),
            None
        );
    }
}
