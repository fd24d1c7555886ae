//! Where each Service port's traffic goes, decided once for both packet
//! filters: the endpoints each balancing chain picks from, and for traffic
//! with no endpoint to go to, whether it is rejected (none anywhere) or
//! dropped (some, but none this node may use).

use crate::model::{Endpoint, ServicePort};

/// Where traffic to one kind of address of a port goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The chain balancing over the cluster-wide endpoints.
    Cluster,
    /// The chain balancing over this node's endpoints.
    Local,
    /// The external chain (node ports, external and load balancer IPs):
    /// masquerading, then the cluster or local chain.
    External,
    /// No endpoint at all: refused, so clients fail at once.
    Reject,
    /// Endpoints exist, none this node may use.
    Drop,
}

/// One Service port's plan.
#[derive(Debug)]
pub struct PortPlan<'a> {
    pub port: &'a ServicePort,
    /// The cluster chain's endpoints (empty: no cluster chain).
    pub cluster: Vec<&'a Endpoint>,
    /// The local chain's endpoints (empty: no local chain).
    pub local: Vec<&'a Endpoint>,
    /// Traffic to the cluster IP.
    pub internal: Target,
    /// Traffic to the node port, external IPs and load balancer IPs (None
    /// when the port has none).
    pub external: Option<Target>,
}

impl PortPlan<'_> {
    /// Every endpoint a chain of this port sends to, each once.
    pub fn endpoints(&self) -> Vec<&Endpoint> {
        let mut all: Vec<&Endpoint> = self.cluster.iter().chain(&self.local).copied().collect();
        all.sort();
        all.dedup();
        all
    }

    /// Where the external chain sends what it does not drop.
    pub fn external_balancer(&self) -> Option<Target> {
        if self.port.external_policy_local {
            (!self.local.is_empty()).then_some(Target::Local)
        } else {
            (!self.cluster.is_empty()).then_some(Target::Cluster)
        }
    }
}

pub fn plan(port: &ServicePort) -> PortPlan<'_> {
    let categorized = port.categorize();
    let none = if categorized.any {
        Target::Drop
    } else {
        Target::Reject
    };
    let internal = if port.internal_endpoints(&categorized).is_empty() {
        none
    } else if port.internal_policy_local {
        Target::Local
    } else {
        Target::Cluster
    };
    let external = port.externally_accessible().then(|| {
        let usable = !port.external_endpoints(&categorized).is_empty();
        // With the Local policy, traffic from this node itself may still
        // use the cluster IP's endpoints.
        let local_sources =
            port.external_policy_local && matches!(internal, Target::Cluster | Target::Local);
        if usable || local_sources {
            Target::External
        } else {
            none
        }
    });
    PortPlan {
        port,
        cluster: categorized.cluster,
        local: categorized.local,
        internal,
        external,
    }
}
