//! The Node authorizer: a kubelet (`system:node:<name>` in `system:nodes`)
//! may read the Secrets, ConfigMaps, claims, volumes and service account
//! tokens of pods bound to its node and nothing else of those kinds, its
//! own Lease and CSINode, and otherwise what upstream's node rules allow.
//! Which objects a node's pods use is a graph kept from the store, as
//! upstream keeps it from informers.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;
use store::SharedStore;
use tokio::sync::watch;

use super::rbac::{Rule, rules_allow};
use super::{Attributes, Authorizer, Decision, Rules};
use crate::auth::User;

/// The namespace of node leases.
const NODE_LEASES: &str = "kube-node-lease";

/// The node a user is, if it is one: `Some("")` for a member of
/// `system:nodes` whose name says no node.
pub fn node_identity(user: &User) -> Option<&str> {
    if !user.groups.iter().any(|g| g == "system:nodes") {
        return None;
    }
    Some(user.name.strip_prefix("system:node:").unwrap_or(""))
}

/// What any node may do beyond the graph's objects (upstream's NodeRules;
/// NodeRestriction admission narrows the writes to the node's own).
pub fn node_rules() -> Vec<Rule> {
    vec![
        Rule::new(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
        Rule::new(
            &["create"],
            &["authorization.k8s.io"],
            &["subjectaccessreviews", "localsubjectaccessreviews"],
        ),
        Rule::new(&["get", "list", "watch"], &[""], &["services"]),
        Rule::new(&["create", "get", "list", "watch"], &[""], &["nodes"]),
        Rule::new(&["update", "patch"], &[""], &["nodes/status"]),
        Rule::new(&["update", "patch"], &[""], &["nodes"]),
        Rule::new(
            &["create", "update", "patch"],
            &["", "events.k8s.io"],
            &["events"],
        ),
        Rule::new(&["get", "list", "watch"], &[""], &["pods"]),
        Rule::new(&["create", "delete"], &[""], &["pods"]),
        Rule::new(&["update", "patch"], &[""], &["pods/status"]),
        Rule::new(&["create"], &[""], &["pods/eviction"]),
        Rule::new(&["get", "list", "watch"], &[""], &["secrets", "configmaps"]),
        Rule::new(
            &["get"],
            &[""],
            &["persistentvolumeclaims", "persistentvolumes"],
        ),
        Rule::new(&["get"], &[""], &["endpoints"]),
        Rule::new(
            &["create", "get", "list", "watch"],
            &["certificates.k8s.io"],
            &["certificatesigningrequests"],
        ),
        Rule::new(
            &["get", "create", "update", "patch", "delete"],
            &["coordination.k8s.io"],
            &["leases"],
        ),
        Rule::new(&["get"], &["storage.k8s.io"], &["volumeattachments"]),
        Rule::new(
            &["get", "update", "patch"],
            &[""],
            &["persistentvolumeclaims/status"],
        ),
        Rule::new(&["create"], &[""], &["serviceaccounts/token"]),
        Rule::new(
            &["get", "watch", "list"],
            &["storage.k8s.io"],
            &["csidrivers"],
        ),
        Rule::new(
            &["get", "create", "update", "patch", "delete"],
            &["storage.k8s.io"],
            &["csinodes"],
        ),
        Rule::new(
            &["get", "list", "watch"],
            &["node.k8s.io"],
            &["runtimeclasses"],
        ),
    ]
}

/// An object a pod uses, by kind, namespace and name.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Used {
    Secret(String, String),
    ConfigMap(String, String),
    Claim(String, String),
    ServiceAccount(String, String),
}

#[derive(Default)]
pub struct GraphState {
    /// Each bound pod (by storage key): its node and what it uses.
    pods: HashMap<String, (String, Vec<Used>)>,
    /// Per node, how many of its pods use each object.
    used: HashMap<String, HashMap<Used, u32>>,
    /// Each bound claim (`ns/name`): its volume.
    claim_volumes: HashMap<String, String>,
}

impl GraphState {
    fn forget_pod(&mut self, key: &str) {
        let Some((node, used)) = self.pods.remove(key) else {
            return;
        };
        if let Some(counts) = self.used.get_mut(&node) {
            for object in used {
                if let Some(count) = counts.get_mut(&object) {
                    *count -= 1;
                    if *count == 0 {
                        counts.remove(&object);
                    }
                }
            }
            if counts.is_empty() {
                self.used.remove(&node);
            }
        }
    }

    fn put_pod(&mut self, key: &str, pod: &Value) {
        self.forget_pod(key);
        let node = pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if node.is_empty() {
            return;
        }
        let used = pod_uses(pod);
        let counts = self.used.entry(node.to_string()).or_default();
        for object in &used {
            *counts.entry(object.clone()).or_default() += 1;
        }
        self.pods.insert(key.to_string(), (node.to_string(), used));
    }
}

/// Whether a stored pod names a node, read without building the rest.
fn bound_to_a_node(json: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Pod {
        #[serde(default)]
        spec: Spec,
    }
    #[derive(serde::Deserialize, Default)]
    struct Spec {
        #[serde(default, rename = "nodeName")]
        node_name: Option<String>,
    }
    serde_json::from_slice::<Pod>(json)
        .ok()
        .and_then(|pod| pod.spec.node_name)
        .is_some_and(|node| !node.is_empty())
}

/// Everything a pod's spec names that its node must read.
pub fn pod_uses(pod: &Value) -> Vec<Used> {
    let namespace = pod
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let pod_name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let spec = &pod["spec"];
    let mut used = Vec::new();
    let mut add = |make: fn(String, String) -> Used, name: Option<&str>| {
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            let object = make(namespace.to_string(), name.to_string());
            if !used.contains(&object) {
                used.push(object);
            }
        }
    };
    fn text<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
        value.pointer(pointer).and_then(Value::as_str)
    }
    add(Used::ServiceAccount, text(spec, "/serviceAccountName"));
    for secret in spec["imagePullSecrets"].as_array().into_iter().flatten() {
        add(Used::Secret, text(secret, "/name"));
    }
    let containers = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| spec[*list].as_array().into_iter().flatten());
    for container in containers {
        for env in container["env"].as_array().into_iter().flatten() {
            add(Used::Secret, text(env, "/valueFrom/secretKeyRef/name"));
            add(
                Used::ConfigMap,
                text(env, "/valueFrom/configMapKeyRef/name"),
            );
        }
        for source in container["envFrom"].as_array().into_iter().flatten() {
            add(Used::Secret, text(source, "/secretRef/name"));
            add(Used::ConfigMap, text(source, "/configMapRef/name"));
        }
    }
    for volume in spec["volumes"].as_array().into_iter().flatten() {
        add(Used::Secret, text(volume, "/secret/secretName"));
        add(Used::ConfigMap, text(volume, "/configMap/name"));
        add(
            Used::Claim,
            text(volume, "/persistentVolumeClaim/claimName"),
        );
        if volume.get("ephemeral").is_some()
            && let Some(volume_name) = text(volume, "/name")
        {
            let claim = format!("{pod_name}-{volume_name}");
            add(Used::Claim, Some(claim.as_str()));
        }
        for source in volume
            .pointer("/projected/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(Used::Secret, text(source, "/secret/name"));
            add(Used::ConfigMap, text(source, "/configMap/name"));
        }
        // Volume plugins that read a secret of the pod's namespace.
        for plugin in [
            "csi/nodePublishSecretRef",
            "cephfs/secretRef",
            "rbd/secretRef",
            "iscsi/secretRef",
            "flexVolume/secretRef",
            "azureFile/secretName",
            "scaleIO/secretRef",
            "storageos/secretRef",
        ] {
            let pointer = format!("/{plugin}");
            let name = volume
                .pointer(&pointer)
                .and_then(|v| v.as_str().or_else(|| v.get("name").and_then(Value::as_str)));
            add(Used::Secret, name);
        }
    }
    used
}

/// The graph of nodes, their pods and what those use.
pub struct Graph {
    state: RwLock<GraphState>,
    pods_prefix: String,
    claims_prefix: String,
}

impl crate::mirror::Mirror for Graph {
    const WHAT: &'static str = "the node authorizer's graph";

    type State = GraphState;

    fn prefixes(&self) -> Vec<String> {
        vec![self.pods_prefix.clone(), self.claims_prefix.clone()]
    }

    fn state(&self) -> &RwLock<GraphState> {
        &self.state
    }

    fn apply(&self, state: &mut GraphState, key: &str, value: Option<&[u8]>) {
        if key.starts_with(&self.pods_prefix) {
            // Most pod writes are of pods no node has yet: only a bound
            // pod is read whole.
            let pod = value
                .filter(|v| bound_to_a_node(v))
                .and_then(|v| serde_json::from_slice::<Value>(v).ok());
            match pod {
                Some(pod) => state.put_pod(key, &pod),
                None => state.forget_pod(key),
            }
            return;
        }
        let object = value.and_then(|v| serde_json::from_slice::<Value>(v).ok());
        if let Some(claim) = key.strip_prefix(&self.claims_prefix) {
            let volume = object
                .as_ref()
                .and_then(|c| c.pointer("/spec/volumeName"))
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty());
            match volume {
                Some(volume) => {
                    state
                        .claim_volumes
                        .insert(claim.to_string(), volume.to_string());
                }
                None => {
                    state.claim_volumes.remove(claim);
                }
            }
        }
    }
}

impl Graph {
    /// Reads every pod and claim; the revision read at is returned for
    /// [`Graph::follow`].
    pub async fn load(store: &SharedStore) -> Result<(Arc<Graph>, i64), String> {
        let prefix = |plural: &str| {
            api::registry::lookup("", "v1", plural)
                .map(|info| info.storage_prefix())
                .unwrap_or_default()
        };
        let graph = Arc::new(Graph {
            state: RwLock::new(GraphState::default()),
            pods_prefix: prefix("pods"),
            claims_prefix: prefix("persistentvolumeclaims"),
        });
        let revision = crate::mirror::load(graph.as_ref(), store).await?;
        Ok((graph, revision))
    }

    /// Follows pods and claims after `revision` until `stopping`.
    pub async fn follow(
        self: Arc<Self>,
        store: SharedStore,
        revision: i64,
        stopping: watch::Receiver<bool>,
    ) {
        crate::mirror::follow(self.as_ref(), store, revision, stopping).await
    }

    /// Whether a pod bound to `node` uses `object`.
    pub fn node_uses(&self, node: &str, object: &Used) -> bool {
        self.state
            .read()
            .is_ok_and(|state| state.used.get(node).is_some_and(|u| u.contains_key(object)))
    }

    /// Whether a pod bound to `node` uses a claim bound to `volume`.
    fn node_uses_volume(&self, node: &str, volume: &str) -> bool {
        let Ok(state) = self.state.read() else {
            return false;
        };
        let Some(used) = state.used.get(node) else {
            return false;
        };
        used.keys().any(|object| match object {
            Used::Claim(namespace, name) => state
                .claim_volumes
                .get(&format!("{namespace}/{name}"))
                .is_some_and(|v| v == volume),
            _ => false,
        })
    }

    /// The node a pod (by namespace and name) is bound to, if any.
    pub fn pod_node(&self, namespace: &str, name: &str) -> Option<String> {
        let key = format!("{}{namespace}/{name}", self.pods_prefix);
        let state = self.state.read().ok()?;
        state.pods.get(&key).map(|(node, _)| node.clone())
    }
}

pub struct NodeAuthorizer {
    graph: Arc<Graph>,
    rules: Vec<Rule>,
}

impl NodeAuthorizer {
    pub fn new(graph: Arc<Graph>) -> NodeAuthorizer {
        NodeAuthorizer {
            graph,
            rules: node_rules(),
        }
    }

    fn related(&self, node: &str, object: Used) -> Decision {
        if self.graph.node_uses(node, &object) {
            Decision::Allow
        } else {
            Decision::NoOpinion(format!(
                "no relationship found between node '{node}' and this object"
            ))
        }
    }

    fn read_namespaced(
        &self,
        node: &str,
        attributes: &Attributes,
        make: fn(String, String) -> Used,
    ) -> Decision {
        if !matches!(attributes.verb.as_str(), "get" | "list" | "watch") {
            return no("can only read resources of this type");
        }
        if !attributes.subresource.is_empty() {
            return no("cannot read subresource");
        }
        if attributes.namespace.is_empty() {
            return no("can only read namespaced object of this type");
        }
        if attributes.name.is_empty() {
            return no("No Object name found");
        }
        self.related(
            node,
            make(attributes.namespace.clone(), attributes.name.clone()),
        )
    }
}

fn no(reason: &str) -> Decision {
    Decision::NoOpinion(reason.to_string())
}

impl Authorizer for NodeAuthorizer {
    fn authorize(&self, attributes: &Attributes) -> Decision {
        let Some(node) = node_identity(&attributes.user) else {
            return Decision::NoOpinion(String::new());
        };
        if node.is_empty() {
            return Decision::NoOpinion(format!(
                "unknown node for user {:?}",
                attributes.user.name
            ));
        }
        if attributes.resource_request {
            let verb = attributes.verb.as_str();
            match (attributes.api_group.as_str(), attributes.resource.as_str()) {
                ("", "secrets") => return self.read_namespaced(node, attributes, Used::Secret),
                ("", "configmaps") => {
                    return self.read_namespaced(node, attributes, Used::ConfigMap);
                }
                ("", "persistentvolumeclaims") => {
                    if attributes.subresource == "status" {
                        if !matches!(verb, "get" | "update" | "patch") {
                            return no(
                                "can only get, update or patch persistentvolumeclaim status",
                            );
                        }
                    } else if verb != "get" {
                        return no("can only get individual resources of this type");
                    } else if !attributes.subresource.is_empty() {
                        return no("cannot get subresource");
                    }
                    if attributes.name.is_empty() {
                        return no("No Object name found");
                    }
                    return self.related(
                        node,
                        Used::Claim(attributes.namespace.clone(), attributes.name.clone()),
                    );
                }
                ("", "persistentvolumes") => {
                    if verb != "get" {
                        return no("can only get individual resources of this type");
                    }
                    if !attributes.subresource.is_empty() {
                        return no("cannot get subresource");
                    }
                    if self.graph.node_uses_volume(node, &attributes.name) {
                        return Decision::Allow;
                    }
                    return Decision::NoOpinion(format!(
                        "no relationship found between node '{node}' and this object"
                    ));
                }
                ("", "serviceaccounts") => {
                    if verb != "create" || attributes.name.is_empty() {
                        return no("can only create tokens for individual service accounts");
                    }
                    if attributes.subresource != "token" {
                        return no("can only create token subresource of serviceaccount");
                    }
                    return self.related(
                        node,
                        Used::ServiceAccount(attributes.namespace.clone(), attributes.name.clone()),
                    );
                }
                ("coordination.k8s.io", "leases") => {
                    if !matches!(verb, "get" | "create" | "update" | "patch" | "delete") {
                        return no("can only get, create, update, patch, or delete a node lease");
                    }
                    if attributes.namespace != NODE_LEASES {
                        return Decision::NoOpinion(format!(
                            "can only access leases in the {NODE_LEASES:?} system namespace"
                        ));
                    }
                    // The name of a create is checked by NodeRestriction.
                    if verb != "create" && attributes.name != node {
                        return no(
                            "can only access node lease with the same name as the requesting node",
                        );
                    }
                    return Decision::Allow;
                }
                ("storage.k8s.io", "csinodes") => {
                    if !matches!(verb, "get" | "create" | "update" | "patch" | "delete") {
                        return no("can only get, create, update, patch, or delete a CSINode");
                    }
                    if verb != "create" && attributes.name != node {
                        return no(
                            "can only access CSINode with the same name as the requesting node",
                        );
                    }
                    return Decision::Allow;
                }
                ("storage.k8s.io", "volumeattachments") => {
                    return Decision::NoOpinion(format!(
                        "no relationship found between node '{node}' and this object"
                    ));
                }
                _ => {}
            }
        }
        if rules_allow(&self.rules, attributes) {
            Decision::Allow
        } else {
            Decision::NoOpinion(String::new())
        }
    }

    /// Upstream's Node authorizer lists no rules for reviews.
    fn rules_for(&self, _: &User, _: &str) -> Rules {
        Rules::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pod_uses_what_its_spec_names() {
        let pod = json!({"metadata": {"namespace": "d", "name": "web"}, "spec": {
            "serviceAccountName": "robot",
            "imagePullSecrets": [{"name": "pull"}],
            "containers": [{"env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s1", "key": "k"}}}],
                "envFrom": [{"configMapRef": {"name": "c1"}}]}],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "claim"}},
                {"name": "scratch", "ephemeral": {}},
                {"name": "p", "projected": {"sources": [{"secret": {"name": "s2"}}, {"configMap": {"name": "c2"}}]}}]}});
        let used = pod_uses(&pod);
        let d = |n: &str| ("d".to_string(), n.to_string());
        for expected in [
            Used::ServiceAccount(d("robot").0, d("robot").1),
            Used::Secret(d("pull").0, d("pull").1),
            Used::Secret(d("s1").0, d("s1").1),
            Used::ConfigMap(d("c1").0, d("c1").1),
            Used::Claim(d("claim").0, d("claim").1),
            Used::Claim(d("web-scratch").0, d("web-scratch").1),
            Used::Secret(d("s2").0, d("s2").1),
            Used::ConfigMap(d("c2").0, d("c2").1),
        ] {
            assert!(used.contains(&expected), "{expected:?} in {used:?}");
        }
    }
}
