//! VolumeRestrictions: a ReadWriteOncePod claim serves one pod in the
//! whole cluster, and inline disks that attach to one machine (GCE PD,
//! AWS EBS) cannot be used twice on a node unless every user only reads.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, Volume};

use crate::framework::{CycleState, Plugin, Status};
use crate::node_info::NodeInfo;
use crate::plugins::volume_binding::{VOLUMES_KEY, Volumes};

pub const RWOP_CONFLICT: &str =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";
pub const DISK_CONFLICT: &str = "node(s) had no available disk";
const STATE_KEY: &str = "PreFilterVolumeRestrictions";

pub struct VolumeRestrictions;

fn volumes(pod: &Pod) -> &[Volume] {
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_deref())
        .unwrap_or_default()
}

/// Claims of the pod with the ReadWriteOncePod access mode.
fn rwop_claims(pod: &Pod, all: &Volumes) -> Vec<String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    volumes(pod)
        .iter()
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| format!("{namespace}/{}", c.claim_name))
        .filter(|key| {
            all.claims.get(key).is_some_and(|claim| {
                claim
                    .spec
                    .as_ref()
                    .and_then(|s| s.access_modes.as_ref())
                    .is_some_and(|m| m.iter().any(|m| m == "ReadWriteOncePod"))
            })
        })
        .collect()
}

/// Whether two inline volumes are the same single-attach disk in a way
/// that cannot be shared.
fn disks_conflict(a: &Volume, b: &Volume) -> bool {
    if let (Some(x), Some(y)) = (&a.gce_persistent_disk, &b.gce_persistent_disk) {
        let read_only = x.read_only.unwrap_or(false) && y.read_only.unwrap_or(false);
        return x.pd_name == y.pd_name && !read_only;
    }
    if let (Some(x), Some(y)) = (&a.aws_elastic_block_store, &b.aws_elastic_block_store) {
        return x.volume_id == y.volume_id;
    }
    false
}

impl Plugin for VolumeRestrictions {
    fn name(&self) -> &'static str {
        "VolumeRestrictions"
    }

    fn pre_filter(&self, state: &mut CycleState, pod: &Pod, nodes: &[Arc<NodeInfo>]) -> Status {
        if volumes(pod).is_empty() {
            return Status::skip();
        }
        let all = state
            .read::<Arc<Volumes>>(VOLUMES_KEY)
            .cloned()
            .unwrap_or_default();
        let claims = rwop_claims(pod, &all);
        let own = (
            pod.metadata.namespace.as_deref(),
            pod.metadata.name.as_deref(),
        );
        // Another pod anywhere using one of these claims.
        let conflict = !claims.is_empty()
            && nodes.iter().flat_map(|n| n.pods.iter()).any(|other| {
                (
                    other.metadata.namespace.as_deref(),
                    other.metadata.name.as_deref(),
                ) != own
                    && rwop_claims(other, &all).iter().any(|c| claims.contains(c))
            });
        state.write(STATE_KEY, conflict);
        Status::success()
    }

    fn filter(&self, state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        if state.read::<bool>(STATE_KEY) == Some(&true) {
            return Status::unschedulable(vec![RWOP_CONFLICT.into()]);
        }
        let mine = volumes(pod);
        if mine.is_empty() {
            return Status::success();
        }
        let taken = node
            .pods
            .iter()
            .flat_map(|p| volumes(p).iter())
            .any(|theirs| mine.iter().any(|v| disks_conflict(v, theirs)));
        if taken {
            Status::unschedulable(vec![DISK_CONFLICT.into()])
        } else {
            Status::success()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::testing::{node, pod};
    use serde_json::json;

    #[test]
    fn read_write_once_pod_claims_serve_one_pod() {
        let mut all = Volumes::default();
        all.claims.insert(
            "default/solo".into(),
            Arc::new(
                serde_json::from_value(
                    json!({"metadata": {"name": "solo", "namespace": "default"},
                    "spec": {"accessModes": ["ReadWriteOncePod"]}}),
                )
                .unwrap(),
            ),
        );
        let using = |name: &str| {
            let mut p = pod(
                json!({"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "solo"}}]}),
            );
            p.metadata.name = Some(name.into());
            p
        };
        let mut a = node("a", json!({}));
        a.add_pod(Arc::new(using("first")));
        let nodes = [Arc::new(a), Arc::new(node("b", json!({})))];
        let mut state = CycleState::default();
        state.write(VOLUMES_KEY, Arc::new(all));
        let second = using("second");
        VolumeRestrictions.pre_filter(&mut state, &second, &nodes);
        for n in &nodes {
            assert_eq!(
                VolumeRestrictions.filter(&state, &second, n).reasons,
                [RWOP_CONFLICT]
            );
        }
    }

    #[test]
    fn single_attach_disks_are_not_shared_on_a_node() {
        let disk = |read_only: bool| {
            pod(
                json!({"volumes": [{"name": "d", "gcePersistentDisk": {"pdName": "pd-1", "readOnly": read_only}}]}),
            )
        };
        let mut a = node("a", json!({}));
        a.add_pod(Arc::new(disk(false)));
        let state = CycleState::default();
        assert_eq!(
            VolumeRestrictions.filter(&state, &disk(true), &a).reasons,
            [DISK_CONFLICT]
        );
        let mut readers = node("r", json!({}));
        readers.add_pod(Arc::new(disk(true)));
        assert!(
            VolumeRestrictions
                .filter(&state, &disk(true), &readers)
                .is_success()
        );
    }
}
