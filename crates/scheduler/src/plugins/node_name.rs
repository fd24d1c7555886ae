//! NodeName: a pod that names its node (`spec.nodeName` set before
//! scheduling) fits only that node.

use k8s_openapi::api::core::v1::Pod;

use crate::framework::{CycleState, Plugin, Status};
use crate::node_info::NodeInfo;

pub const REASON: &str = "node(s) didn't match the requested node name";

pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        "NodeName"
    }

    fn filter(&self, _state: &CycleState, pod: &Pod, node: &NodeInfo) -> Status {
        match pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            Some(wanted) if !wanted.is_empty() && wanted != node.name() => {
                Status::unresolvable(REASON)
            }
            _ => Status::success(),
        }
    }
}
