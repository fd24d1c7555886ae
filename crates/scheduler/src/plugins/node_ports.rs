//! NodePorts: a pod asking for host ports fits only nodes where no pod
//! holds the same protocol and port on an overlapping address.

use k8s_openapi::api::core::v1::Pod;

use crate::framework::{CycleState, Plugin, Status};
use crate::node_info::{HostPort, NodeInfo, host_ports};

pub const REASON: &str = "node(s) didn't have free ports for the requested pod ports";
const STATE_KEY: &str = "PreFilterNodePorts";

pub struct NodePorts;

/// Two host ports conflict on the same protocol and port when either
/// binds every address or both bind the same one.
fn conflicts(a: &HostPort, b: &HostPort) -> bool {
    a.0 == b.0 && a.2 == b.2 && (a.1 == "0.0.0.0" || b.1 == "0.0.0.0" || a.1 == b.1)
}

impl Plugin for NodePorts {
    fn name(&self) -> &'static str {
        "NodePorts"
    }

    fn pre_filter(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        _nodes: &[std::sync::Arc<NodeInfo>],
    ) -> Status {
        let ports = host_ports(pod);
        if ports.is_empty() {
            return Status::skip();
        }
        state.write(STATE_KEY, ports);
        Status::success()
    }

    fn filter(&self, state: &CycleState, _pod: &Pod, node: &NodeInfo) -> Status {
        let Some(wanted) = state.read::<Vec<HostPort>>(STATE_KEY) else {
            return Status::success();
        };
        let busy = wanted
            .iter()
            .any(|w| node.used_ports.iter().any(|used| conflicts(w, used)));
        if busy {
            Status::unschedulable(vec![REASON.into()])
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
    use std::sync::Arc;

    #[test]
    fn host_ports_conflict_per_protocol_and_address() {
        let with_port = |port: i32, protocol: &str, ip: &str| {
            pod(json!({"containers": [{"name": "c", "image": "i",
                "ports": [{"containerPort": 80, "hostPort": port, "protocol": protocol, "hostIP": ip}]}]}))
        };
        let mut busy = node("n", json!({}));
        busy.add_pod(Arc::new(with_port(30333, "TCP", "")));
        for (candidate, fits) in [
            (with_port(30333, "TCP", ""), false),
            (with_port(30333, "TCP", "10.0.0.1"), false),
            (with_port(30333, "UDP", ""), true),
            (with_port(30334, "TCP", ""), true),
        ] {
            let mut state = CycleState::default();
            NodePorts.pre_filter(&mut state, &candidate, &[]);
            assert_eq!(
                NodePorts.filter(&state, &candidate, &busy).is_success(),
                fits
            );
        }
    }
}
