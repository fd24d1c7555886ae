//! VolumeBinding: a pod's PersistentVolumeClaims must exist; claims bound
//! to a volume restrict the pod to the nodes the volume can reach; unbound
//! claims of an Immediate class block the pod until the volume controller
//! binds them; unbound WaitForFirstConsumer claims are matched, per node,
//! to an available volume or to the class's provisioner. Once a node is
//! chosen, `bindings` says what to write before the pod is bound: the
//! volume's claimRef, or the claim's selected-node annotation for the
//! provisioner.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;

use crate::framework::{CycleState, Plugin, Status};
use crate::labels;
use crate::node_info::NodeInfo;
use crate::plugins::node_affinity::term_matches;

pub const VOLUMES_KEY: &str = "Volumes";
const STATE_KEY: &str = "PreFilterVolumeBinding";

pub const UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";
pub const NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
pub const BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
pub const PV_NOT_EXIST: &str =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/// The annotation that asks a provisioner for a volume on a node.
pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// Claims (by `namespace/name`), volumes and storage classes (by name).
#[derive(Clone, Default)]
pub struct Volumes {
    pub claims: BTreeMap<String, Arc<PersistentVolumeClaim>>,
    pub volumes: BTreeMap<String, Arc<PersistentVolume>>,
    pub classes: BTreeMap<String, Arc<StorageClass>>,
}

pub struct VolumeBinding;

/// What the pod's claims need.
struct Claims {
    /// Volumes the pod's bound claims use.
    bound: Vec<String>,
    /// Unbound claims that wait for this pod's node.
    delayed: Vec<Arc<PersistentVolumeClaim>>,
}

/// What to write once a node is chosen.
#[derive(Debug, PartialEq, Eq)]
pub enum VolumeAction {
    /// Reserve volume `volume` for claim `namespace/claim`.
    BindVolume {
        volume: String,
        namespace: String,
        claim: String,
    },
    /// Ask the class's provisioner for a volume on the node.
    Provision { namespace: String, claim: String },
}

/// The claim names a pod uses (ephemeral volumes' claims are named
/// `<pod>-<volume>`).
fn claim_names(pod: &Pod) -> Vec<String> {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| {
            if let Some(claim) = &v.persistent_volume_claim {
                Some(claim.claim_name.clone())
            } else {
                v.ephemeral.as_ref().map(|_| format!("{name}-{}", v.name))
            }
        })
        .collect()
}

fn class_of(claim: &PersistentVolumeClaim) -> &str {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        .unwrap_or_default()
}

fn volume_reaches(volume: &PersistentVolume, node: &NodeInfo) -> bool {
    volume
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref())
        .is_none_or(|required| {
            required
                .node_selector_terms
                .iter()
                .any(|t| term_matches(t, node))
        })
}

fn quantity(q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>) -> f64 {
    q.and_then(|q| api::quantity::value(&q.0)).unwrap_or(0.0)
}

/// Whether `volume` can serve `claim` on `node`.
fn volume_matches(
    volume: &PersistentVolume,
    claim: &PersistentVolumeClaim,
    node: &NodeInfo,
) -> bool {
    let (Some(vspec), Some(cspec)) = (volume.spec.as_ref(), claim.spec.as_ref()) else {
        return false;
    };
    // A new volume is Pending until the volume controller has seen it.
    let available = volume
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .is_none_or(|p| p == "Available" || p == "Pending");
    let claimed_by_other = vspec.claim_ref.as_ref().is_some_and(|r| {
        r.name.as_deref() != claim.metadata.name.as_deref()
            || r.namespace.as_deref() != claim.metadata.namespace.as_deref()
    });
    let class_ok = vspec.storage_class_name.as_deref().unwrap_or_default() == class_of(claim);
    let wanted = quantity(
        cspec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage")),
    );
    let capacity = quantity(vspec.capacity.as_ref().and_then(|c| c.get("storage")));
    let modes_ok = cspec
        .access_modes
        .iter()
        .flatten()
        .all(|m| vspec.access_modes.iter().flatten().any(|v| v == m));
    let mode = |m: &Option<String>| m.clone().unwrap_or_else(|| "Filesystem".into());
    let selector_ok = cspec.selector.as_ref().is_none_or(|s| {
        volume
            .metadata
            .labels
            .as_ref()
            .is_some_and(|l| labels::matches(s, l))
    });
    available
        && !claimed_by_other
        && class_ok
        && capacity >= wanted
        && modes_ok
        && mode(&vspec.volume_mode) == mode(&cspec.volume_mode)
        && selector_ok
        && volume_reaches(volume, node)
}

/// Whether the class can provision a volume on `node`.
fn can_provision(volumes: &Volumes, claim: &PersistentVolumeClaim, node: &NodeInfo) -> bool {
    let Some(class) = volumes.classes.get(class_of(claim)) else {
        return false;
    };
    if class.provisioner.is_empty() || class.provisioner == NO_PROVISIONER {
        return false;
    }
    // allowedTopologies: the node must have one term's labels.
    let node_labels = node.labels();
    class.allowed_topologies.as_ref().is_none_or(|terms| {
        terms.is_empty()
            || terms.iter().any(|term| {
                term.match_label_expressions.iter().flatten().all(|e| {
                    node_labels
                        .get(&e.key)
                        .is_some_and(|v| e.values.contains(v))
                })
            })
    })
}

/// For each delayed claim, the volume or provisioning that serves it on
/// `node`; None when some claim cannot be served there.
fn plan_for(
    volumes: &Volumes,
    delayed: &[Arc<PersistentVolumeClaim>],
    node: &NodeInfo,
) -> Option<Vec<VolumeAction>> {
    let mut taken: Vec<&str> = Vec::new();
    let mut actions = Vec::new();
    for claim in delayed {
        let namespace = claim.metadata.namespace.clone().unwrap_or_default();
        let name = claim.metadata.name.clone().unwrap_or_default();
        // The smallest volume that fits, as the volume controller picks.
        let best = volumes
            .volumes
            .iter()
            .filter(|(n, _)| !taken.contains(&n.as_str()))
            .filter(|(_, v)| volume_matches(v, claim, node))
            .min_by(|a, b| {
                let size = |v: &PersistentVolume| {
                    quantity(
                        v.spec
                            .as_ref()
                            .and_then(|s| s.capacity.as_ref())
                            .and_then(|c| c.get("storage")),
                    )
                };
                size(a.1).total_cmp(&size(b.1))
            });
        match best {
            Some((volume, _)) => {
                taken.push(volume);
                actions.push(VolumeAction::BindVolume {
                    volume: volume.clone(),
                    namespace,
                    claim: name,
                });
            }
            None if can_provision(volumes, claim, node) => {
                actions.push(VolumeAction::Provision {
                    namespace,
                    claim: name,
                });
            }
            None => return None,
        }
    }
    Some(actions)
}

/// What to write before binding `pod` to `node` (empty when its claims
/// are all bound).
pub fn bindings(volumes: &Volumes, pod: &Pod, node: &NodeInfo) -> Vec<VolumeAction> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let delayed: Vec<Arc<PersistentVolumeClaim>> = claim_names(pod)
        .iter()
        .filter_map(|c| volumes.claims.get(&format!("{namespace}/{c}")))
        .filter(|c| {
            c.spec
                .as_ref()
                .and_then(|s| s.volume_name.as_deref())
                .is_none_or(str::is_empty)
        })
        .cloned()
        .collect();
    plan_for(volumes, &delayed, node).unwrap_or_default()
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        "VolumeBinding"
    }

    fn pre_filter(&self, state: &mut CycleState, pod: &Pod, _nodes: &[Arc<NodeInfo>]) -> Status {
        let names = claim_names(pod);
        if names.is_empty() {
            return Status::skip();
        }
        let volumes = state
            .read::<Arc<Volumes>>(VOLUMES_KEY)
            .cloned()
            .unwrap_or_default();
        let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
        let mut claims = Claims {
            bound: Vec::new(),
            delayed: Vec::new(),
        };
        for name in names {
            let Some(claim) = volumes.claims.get(&format!("{namespace}/{name}")) else {
                return Status::unresolvable(format!("persistentvolumeclaim \"{name}\" not found"));
            };
            if claim.metadata.deletion_timestamp.is_some() {
                return Status::unresolvable(format!(
                    "persistentvolumeclaim \"{name}\" is being deleted"
                ));
            }
            match claim
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.as_deref())
                .filter(|v| !v.is_empty())
            {
                Some(volume) => claims.bound.push(volume.to_string()),
                None => {
                    let delayed = volumes
                        .classes
                        .get(class_of(claim))
                        .and_then(|c| c.volume_binding_mode.as_deref())
                        == Some("WaitForFirstConsumer");
                    if !delayed {
                        return Status::unresolvable(UNBOUND_IMMEDIATE);
                    }
                    claims.delayed.push(claim.clone());
                }
            }
        }
        state.write(STATE_KEY, (claims, volumes));
        Status::success()
    }

    fn filter(&self, state: &CycleState, _pod: &Pod, node: &NodeInfo) -> Status {
        let Some((claims, volumes)) = state.read::<(Claims, Arc<Volumes>)>(STATE_KEY) else {
            return Status::success();
        };
        for name in &claims.bound {
            match volumes.volumes.get(name) {
                None => return Status::unresolvable(PV_NOT_EXIST),
                Some(volume) if !volume_reaches(volume, node) => {
                    return Status::unresolvable(NODE_CONFLICT);
                }
                Some(_) => {}
            }
        }
        if !claims.delayed.is_empty() && plan_for(volumes, &claims.delayed, node).is_none() {
            return Status::unresolvable(BIND_CONFLICT);
        }
        Status::success()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Code;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    fn volumes() -> Volumes {
        let mut v = Volumes::default();
        let claim = |name: &str, class: &str, bound: Option<&str>| -> Arc<PersistentVolumeClaim> {
            Arc::new(serde_json::from_value(json!({"metadata": {"name": name, "namespace": "default"},
                "spec": {"storageClassName": class, "volumeName": bound, "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "1Gi"}}}})).unwrap())
        };
        for (name, class, bound) in [
            ("fast", "local", Some("pv-a")),
            ("late", "local", None),
            ("now", "standard", None),
            ("cloud", "cloud", None),
        ] {
            v.claims
                .insert(format!("default/{name}"), claim(name, class, bound));
        }
        let volume = |name: &str, node: &str, size: &str| -> Arc<PersistentVolume> {
            Arc::new(serde_json::from_value(json!({"metadata": {"name": name},
                "spec": {"storageClassName": "local", "capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                    "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                        {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}},
                "status": {"phase": "Available"}})).unwrap())
        };
        v.volumes.insert("pv-a".into(), volume("pv-a", "a", "10Gi"));
        v.volumes.insert("pv-b".into(), volume("pv-b", "b", "5Gi"));
        let class = |name: &str, provisioner: &str, mode: &str| -> Arc<StorageClass> {
            Arc::new(
                serde_json::from_value(json!({"metadata": {"name": name},
                "provisioner": provisioner, "volumeBindingMode": mode}))
                .unwrap(),
            )
        };
        v.classes.insert(
            "local".into(),
            class("local", NO_PROVISIONER, "WaitForFirstConsumer"),
        );
        v.classes.insert(
            "standard".into(),
            class("standard", "example.com/disk", "Immediate"),
        );
        v.classes.insert(
            "cloud".into(),
            class("cloud", "example.com/disk", "WaitForFirstConsumer"),
        );
        v
    }

    fn using(claims: &[&str]) -> Pod {
        let volumes: Vec<_> = claims
            .iter()
            .map(|c| json!({"name": c, "persistentVolumeClaim": {"claimName": c}}))
            .collect();
        pod(json!({"volumes": volumes}))
    }

    fn run(p: &Pod, nodes: &[Arc<NodeInfo>]) -> (Status, Vec<Status>) {
        let mut state = CycleState::default();
        state.write(VOLUMES_KEY, Arc::new(volumes()));
        let pre = VolumeBinding.pre_filter(&mut state, p, nodes);
        let each = nodes
            .iter()
            .map(|n| VolumeBinding.filter(&state, p, n))
            .collect();
        (pre, each)
    }

    #[test]
    fn claims_decide_where_a_pod_can_go() {
        let nodes = [
            Arc::new(node("a", json!({}))),
            Arc::new(node("b", json!({}))),
        ];
        // Bound to a volume on a.
        let (_, each) = run(&using(&["fast"]), &nodes);
        assert!(each[0].is_success());
        assert_eq!(each[1].reasons, [NODE_CONFLICT]);
        // Waiting for a consumer: each node has an available local volume.
        let (_, each) = run(&using(&["late"]), &nodes);
        assert!(each.iter().all(Status::is_success));
        // Immediate and unbound: nowhere, for now.
        let (pre, _) = run(&using(&["now"]), &nodes);
        assert_eq!(pre.code, Code::UnschedulableAndUnresolvable);
        assert_eq!(pre.reasons, [UNBOUND_IMMEDIATE]);
        let (pre, _) = run(&using(&["missing"]), &nodes);
        assert_eq!(pre.reasons, ["persistentvolumeclaim \"missing\" not found"]);
        // Dynamic provisioning fits any node.
        let (_, each) = run(&using(&["cloud"]), &nodes);
        assert!(each.iter().all(Status::is_success));
    }

    #[test]
    fn the_chosen_node_gets_its_volume_or_a_provisioner() {
        let v = volumes();
        let b = node("b", json!({}));
        assert_eq!(
            bindings(&v, &using(&["late", "cloud"]), &b),
            [
                VolumeAction::BindVolume {
                    volume: "pv-b".into(),
                    namespace: "default".into(),
                    claim: "late".into()
                },
                VolumeAction::Provision {
                    namespace: "default".into(),
                    claim: "cloud".into()
                }
            ]
        );
        assert!(bindings(&v, &using(&["fast"]), &b).is_empty());
    }
}
