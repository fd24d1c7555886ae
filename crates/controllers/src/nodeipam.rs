//! The node IPAM controller (upstream's range allocator): every node gets
//! a `spec.podCIDR` of `--node-cidr-mask-size` bits from `--cluster-cidr`
//! (10.244.0.0/16 in /24s by default). CIDRs nodes already hold are taken
//! first; a deleted node's CIDR is free again; when the range is spent the
//! node gets a CIDRNotAvailable event.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::Node;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, lock};
use crate::queue::Outcome;
use crate::{Context, Error, is_not_found};

const NAME: &str = "node-ipam-controller";

/// A cluster CIDR cut into equal node CIDRs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CidrSet {
    base: u32,
    cluster_prefix: u8,
    node_prefix: u8,
}

impl CidrSet {
    pub fn new(cluster_cidr: &str, node_prefix: u8) -> Result<CidrSet, String> {
        let cluster =
            api::cidr::Ipv4Cidr::parse(cluster_cidr).map_err(|e| format!("--cluster-cidr: {e}"))?;
        let cluster_prefix = cluster.prefix;
        if node_prefix < cluster_prefix || node_prefix > 30 || node_prefix - cluster_prefix > 24 {
            return Err(format!(
                "--node-cidr-mask-size {node_prefix} does not fit --cluster-cidr {cluster_cidr}"
            ));
        }
        Ok(CidrSet {
            base: u32::from(cluster.network),
            cluster_prefix,
            node_prefix,
        })
    }

    /// How many node CIDRs the set holds.
    pub fn count(&self) -> u32 {
        1 << (self.node_prefix - self.cluster_prefix)
    }

    pub fn cidr(&self, index: u32) -> String {
        let address = Ipv4Addr::from(self.base + (index << (32 - u32::from(self.node_prefix))));
        format!("{address}/{}", self.node_prefix)
    }

    /// The index of a node CIDR of this set.
    pub fn index_of(&self, cidr: &str) -> Option<u32> {
        let (address, prefix) = cidr.split_once('/')?;
        let address: Ipv4Addr = address.parse().ok()?;
        if prefix.parse::<u8>().ok()? != self.node_prefix {
            return None;
        }
        let offset = u32::from(address).checked_sub(self.base)?;
        let index = offset >> (32 - u32::from(self.node_prefix));
        (index < self.count()).then_some(index)
    }
}

struct Allocator {
    set: CidrSet,
    used: Mutex<BTreeSet<u32>>,
}

fn pod_cidr(node: &Node) -> Option<String> {
    node.spec
        .as_ref()
        .and_then(|s| s.pod_cidr.clone())
        .filter(|c| !c.is_empty())
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let Some(set) = context.options.cluster_cidr else {
        return tokio::spawn(async {});
    };
    let nodes: Arc<Informer<Node>> = context.informers.get::<Node>();
    let queue = context.queue("node_ipam");
    let allocator = Arc::new(Allocator {
        set,
        used: Mutex::new(BTreeSet::new()),
    });
    {
        let queue = queue.clone();
        let allocator = allocator.clone();
        nodes.on_change(move |change| match change {
            Change::Added(n) | Change::Updated { new: n, .. } => match pod_cidr(n) {
                Some(cidr) => {
                    if let Some(index) = allocator.set.index_of(&cidr) {
                        lock(&allocator.used).insert(index);
                    }
                }
                None => queue.add(key_of(n)),
            },
            Change::Deleted(n) => {
                if let Some(index) = pod_cidr(n).and_then(|c| allocator.set.index_of(&c)) {
                    lock(&allocator.used).remove(&index);
                }
            }
        });
    }
    let client = context.client.clone();
    let cache = nodes.clone();
    let events = events::EventSink::new(context.client.clone(), "node-controller");
    let synced = async move { nodes.synced().await };
    // One worker: allocations never race each other.
    crate::spawn_workers(NAME, queue, 1, synced, shutdown, move |key| {
        let (client, cache, allocator, events) = (
            client.clone(),
            cache.clone(),
            allocator.clone(),
            events.clone(),
        );
        async move {
            let Some(node) = cache.get("", &key) else {
                return Ok::<_, Error>(Outcome::Done);
            };
            if pod_cidr(&node).is_some() {
                return Ok(Outcome::Done);
            }
            // The cache may lag a CIDR just given: the API's copy decides,
            // and the patch holds only if nothing changed since.
            let api: Api<Node> = Api::all(client.clone());
            let Some(fresh) = api.get_opt(&key).await? else {
                return Ok(Outcome::Done);
            };
            if let Some(cidr) = pod_cidr(&fresh) {
                if let Some(index) = allocator.set.index_of(&cidr) {
                    lock(&allocator.used).insert(index);
                }
                return Ok(Outcome::Done);
            }
            let index = {
                let mut used = lock(&allocator.used);
                let free = (0..allocator.set.count()).find(|i| !used.contains(i));
                if let Some(index) = free {
                    used.insert(index);
                }
                free
            };
            let Some(index) = index else {
                events.normal(
                    node.as_ref(),
                    "CIDRNotAvailable",
                    format!("Node {key} status is now: CIDRNotAvailable"),
                );
                return Ok(Outcome::After(std::time::Duration::from_secs(30)));
            };
            let cidr = allocator.set.cidr(index);
            let patch = json!({
                "metadata": {"resourceVersion": fresh.metadata.resource_version},
                "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
            });
            match api
                .patch(&key, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(_) => {
                    tracing::info!(node = %key, cidr = %cidr, "pod CIDR assigned");
                    Ok(Outcome::Done)
                }
                Err(err) => {
                    lock(&allocator.used).remove(&index);
                    if is_not_found(&err) {
                        Ok(Outcome::Done)
                    } else {
                        Err(err.into())
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::CidrSet;

    #[test]
    fn node_cidrs_cut_the_cluster_cidr() {
        let set = CidrSet::new("10.244.0.0/16", 24).unwrap();
        assert_eq!(set.count(), 256);
        assert_eq!(set.cidr(0), "10.244.0.0/24");
        assert_eq!(set.cidr(5), "10.244.5.0/24");
        assert_eq!(set.index_of("10.244.5.0/24"), Some(5));
        assert_eq!(set.index_of("10.245.0.0/24"), None);
        assert_eq!(set.index_of("10.244.5.0/25"), None);
        assert!(CidrSet::new("10.244.0.0/16", 8).is_err());
    }
}
