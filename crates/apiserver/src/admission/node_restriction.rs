//! NodeRestriction: a kubelet may write only what concerns its own node —
//! its Node (without the labels reserved to the cluster's operators), its
//! Lease, mirror pods bound to it, and the status and deletion of pods
//! bound to it.

use async_trait::async_trait;
use serde_json::Value;

use super::{AdmissionPlugin, Attributes, Operation};
use crate::authz::node::node_identity;
use crate::error::ApiError;

pub struct NodeRestriction;

const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// Label keys a node may set on itself under `kubernetes.io` and
/// `k8s.io` (upstream's list); every other key there is the cluster's.
const NODE_LABELS: &[&str] = &[
    "kubernetes.io/hostname",
    "kubernetes.io/arch",
    "kubernetes.io/os",
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "beta.kubernetes.io/instance-type",
    "node.kubernetes.io/instance-type",
    "failure-domain.beta.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "node.kubernetes.io/windows-build",
];

fn restricted_label(key: &str) -> bool {
    let Some((prefix, _)) = key.split_once('/') else {
        return false;
    };
    if prefix == "node-restriction.kubernetes.io"
        || prefix.ends_with(".node-restriction.kubernetes.io")
    {
        return true;
    }
    let cluster_owned = ["kubernetes.io", "k8s.io"]
        .iter()
        .any(|domain| prefix == *domain || prefix.ends_with(&format!(".{domain}")));
    cluster_owned
        && !NODE_LABELS.contains(&key)
        && !prefix.ends_with("kubelet.kubernetes.io")
        && !prefix.ends_with("node.kubernetes.io")
}

fn bound_node(pod: Option<&Value>) -> &str {
    pod.and_then(|p| p.pointer("/spec/nodeName"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn labels(object: Option<&Value>) -> Vec<(String, Value)> {
    object
        .and_then(|o| o.pointer("/metadata/labels"))
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn refused(info: &api::ResourceInfo, name: &str, message: String) -> ApiError {
    let what = if name.is_empty() {
        info.qualified_plural()
    } else {
        format!("{} {name:?}", info.qualified_plural())
    };
    ApiError::forbidden(format!("{what} is forbidden: {message}"))
}

#[async_trait]
impl AdmissionPlugin for NodeRestriction {
    fn name(&self) -> &'static str {
        "NodeRestriction"
    }

    async fn validate(
        &self,
        attributes: &Attributes<'_>,
        object: Option<&Value>,
    ) -> Result<(), ApiError> {
        let Some(node) = node_identity(attributes.user) else {
            return Ok(());
        };
        let info = &attributes.info;
        let name = attributes.name;
        let deny = |message: String| Err(refused(info, name, message));
        match (&*info.group, &*info.kind) {
            ("", "Pod") => match (attributes.operation, attributes.subresource) {
                (Operation::Create, None) => {
                    let pod = object;
                    let mirror = pod
                        .and_then(|p| p.pointer("/metadata/annotations"))
                        .and_then(|a| a.get(MIRROR_ANNOTATION))
                        .is_some();
                    if !mirror {
                        return deny(format!(
                            "pod does not have {MIRROR_ANNOTATION:?} annotation, node {node:?} can only create mirror pods"
                        ));
                    }
                    if bound_node(pod) != node {
                        return deny(format!(
                            "node {node:?} can only create pods with spec.nodeName set to itself"
                        ));
                    }
                    if let Some(pod) = pod {
                        let uses = crate::authz::node::pod_uses(pod);
                        let kinds = [
                            (
                                "secrets",
                                uses.iter()
                                    .any(|u| matches!(u, crate::authz::node::Used::Secret(..))),
                            ),
                            (
                                "configmaps",
                                uses.iter()
                                    .any(|u| matches!(u, crate::authz::node::Used::ConfigMap(..))),
                            ),
                            (
                                "persistentvolumeclaims",
                                uses.iter()
                                    .any(|u| matches!(u, crate::authz::node::Used::Claim(..))),
                            ),
                        ];
                        if let Some((kind, _)) = kinds.iter().find(|(_, used)| *used) {
                            return deny(format!(
                                "node {node:?} can not create pods that reference {kind}"
                            ));
                        }
                    }
                    Ok(())
                }
                (Operation::Delete, None) => {
                    if attributes.old.is_some() && bound_node(attributes.old) != node {
                        return deny(format!(
                            "node {node:?} can only delete pods with spec.nodeName set to itself"
                        ));
                    }
                    Ok(())
                }
                (Operation::Update, Some("status")) => {
                    if bound_node(attributes.old) != node {
                        return deny(format!(
                            "node {node:?} can only update pod status for pods with spec.nodeName set to itself"
                        ));
                    }
                    Ok(())
                }
                (operation, subresource) => deny(format!(
                    "unexpected operation {operation:?} on pods{}, node {node:?} can only create and delete mirror pods and update their status",
                    subresource.map(|s| format!("/{s}")).unwrap_or_default()
                )),
            },
            ("", "Node") => {
                let target = if name.is_empty() {
                    object
                        .and_then(|o| o.pointer("/metadata/name"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                } else {
                    name
                };
                if target != node {
                    return deny(format!(
                        "node {node:?} is not allowed to modify node {target:?}"
                    ));
                }
                match attributes.operation {
                    Operation::Create => {
                        let mut forbidden: Vec<String> = labels(object)
                            .into_iter()
                            .map(|(k, _)| k)
                            .filter(|k| restricted_label(k))
                            .collect();
                        forbidden.sort();
                        if !forbidden.is_empty() {
                            return deny(format!(
                                "node {node:?} is not allowed to set the following labels: {}",
                                forbidden.join(", ")
                            ));
                        }
                    }
                    Operation::Update => {
                        let old = labels(attributes.old);
                        let new = labels(object);
                        let mut changed: Vec<String> = new
                            .iter()
                            .filter(|(k, v)| {
                                old.iter().find(|(o, _)| o == k).map(|(_, ov)| ov) != Some(v)
                            })
                            .map(|(k, _)| k.clone())
                            .chain(
                                old.iter()
                                    .filter(|(k, _)| !new.iter().any(|(n, _)| n == k))
                                    .map(|(k, _)| k.clone()),
                            )
                            .filter(|k| restricted_label(k))
                            .collect();
                        changed.sort();
                        if !changed.is_empty() {
                            return deny(format!(
                                "node {node:?} is not allowed to modify labels: {}",
                                changed.join(", ")
                            ));
                        }
                        let taints = |o: Option<&Value>| {
                            o.and_then(|o| o.pointer("/spec/taints"))
                                .cloned()
                                .unwrap_or(Value::Null)
                        };
                        let (old_taints, new_taints) = (taints(attributes.old), taints(object));
                        let empty =
                            |t: &Value| t.is_null() || t.as_array().is_some_and(Vec::is_empty);
                        if old_taints != new_taints && !(empty(&old_taints) && empty(&new_taints)) {
                            return deny(format!("node {node:?} is not allowed to modify taints"));
                        }
                    }
                    Operation::Delete => {}
                }
                Ok(())
            }
            ("", "ServiceAccount")
                if attributes.operation == Operation::Create
                    && attributes.subresource == Some("token") =>
            {
                token_request(attributes, node, object).await
            }
            ("coordination.k8s.io", "Lease") => {
                let target = object
                    .and_then(|o| o.pointer("/metadata/name"))
                    .and_then(Value::as_str)
                    .unwrap_or(name);
                if attributes.operation != Operation::Delete && target != node {
                    return deny(
                        "can only access node lease with the same name as the requesting node"
                            .to_string(),
                    );
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A node may ask for a service account token only bound to a pod that is
/// bound to it (the API server adds the node to the binding itself).
async fn token_request(
    attributes: &Attributes<'_>,
    node: &str,
    request: Option<&Value>,
) -> Result<(), ApiError> {
    let deny = |message: &str| Err(refused(&attributes.info, attributes.name, message.into()));
    let bound = request.and_then(|r| r.pointer("/spec/boundObjectRef"));
    let text = |field: &str| {
        bound
            .and_then(|b| b.get(field))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    if bound.is_none()
        || text("apiVersion") != "v1"
        || text("kind") != "Pod"
        || text("name").is_empty()
    {
        return deny("node requested token not bound to a pod");
    }
    if text("uid").is_empty() {
        return deny("node requested token with a pod binding without a uid");
    }
    let pods = api::registry::lookup("", "v1", "pods")
        .ok_or_else(|| ApiError::internal("no pods resource"))?;
    let pod_name = text("name");
    let key = pods.storage_key(attributes.namespace, pod_name);
    let stored = attributes
        .store
        .get(&key)
        .await
        .map_err(|e| ApiError::from_store(e, pods, pod_name))?
        .ok_or_else(|| ApiError::not_found(pods, pod_name))?;
    let pod = crate::objects::decode(pods, &stored)?;
    if pod.pointer("/metadata/uid").and_then(Value::as_str) != Some(text("uid")) {
        return deny(&format!(
            "the UID in the bound object reference ({}) does not match the UID in record. The object might have been deleted and then recreated",
            text("uid")
        ));
    }
    if bound_node(Some(&pod)) != node {
        return deny("node requested token bound to a pod scheduled on a different node");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::restricted_label;

    #[test]
    fn labels_a_node_may_not_set() {
        assert!(restricted_label("node-restriction.kubernetes.io/pool"));
        assert!(restricted_label("node-role.kubernetes.io/control-plane"));
        assert!(!restricted_label("kubernetes.io/hostname"));
        assert!(!restricted_label("node.kubernetes.io/instance-type"));
        assert!(!restricted_label("example.com/rack"));
        assert!(!restricted_label("plain"));
    }
}
