//! Pod IPs from the node's pod CIDR, as the host-local IPAM plugin hands
//! them out: the first address is the bridge's gateway, the rest go to
//! sandboxes round-robin (the next free one after the last handed out, so
//! an address just released is not at once another pod's while peers
//! still hold the old pod's MAC address or connections for it), and come
//! back when a sandbox goes. On a real bridge every address is also
//! leased in the machine's shared directory (`process::host`), so that
//! kubelets of other data directories on the same bridge skip it.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

use super::process::host::BridgeClaim;

pub use api::cidr::Ipv4Cidr;

/// Parses a node's pod CIDR: an IPv4 CIDR with room for pods (at most /30).
pub fn parse_pod_cidr(text: &str) -> Result<Ipv4Cidr, String> {
    let cidr = Ipv4Cidr::parse(text)?;
    if cidr.prefix > 30 {
        return Err(format!("{text:?}: the prefix must be at most /30"));
    }
    Ok(cidr)
}

/// The addresses handed out of one pod CIDR.
#[derive(Debug)]
pub struct Ipam {
    pub cidr: Ipv4Cidr,
    taken: Mutex<Taken>,
    /// The bridge's shared leases (None: this runtime's addresses are
    /// its own, as a simulated node's are).
    claim: Option<Arc<BridgeClaim>>,
}

#[derive(Debug, Default)]
struct Taken {
    offsets: BTreeSet<u32>,
    last: u32,
}

impl Ipam {
    pub fn new(cidr: Ipv4Cidr) -> Ipam {
        Ipam {
            cidr,
            taken: Mutex::new(Taken::default()),
            claim: None,
        }
    }

    /// Addresses of a bridge other kubelets of this machine may share.
    pub fn on_bridge(cidr: Ipv4Cidr, claim: Arc<BridgeClaim>) -> Ipam {
        Ipam {
            claim: Some(claim),
            ..Ipam::new(cidr)
        }
    }

    fn offset(&self, address: Ipv4Addr) -> u32 {
        u32::from(address).wrapping_sub(u32::from(self.cidr.network))
    }

    /// The next free pod address after the last one handed out (offsets
    /// 2 .. size-1: not the network, the gateway or the broadcast
    /// address), for `sandbox`; one another data directory leased is
    /// skipped.
    pub fn allocate(&self, sandbox: &str) -> Option<Ipv4Addr> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let (first, end) = (2, self.cidr.size() - 1);
        let start = taken.last.clamp(first - 1, end - 1) + 1;
        let offset = (start..end).chain(first..start).find(|o| {
            !taken.offsets.contains(o)
                && self
                    .claim
                    .as_ref()
                    .is_none_or(|claim| claim.lease(self.cidr.nth(*o), sandbox))
        })?;
        taken.offsets.insert(offset);
        taken.last = offset;
        Some(self.cidr.nth(offset))
    }

    /// Marks an address as taken (a sandbox adopted after a restart keeps
    /// its IP); false when it is outside the CIDR's pod addresses.
    pub fn reserve(&self, address: Ipv4Addr, sandbox: &str) -> bool {
        let offset = self.offset(address);
        if offset < 2 || offset >= self.cidr.size() - 1 {
            return false;
        }
        if let Some(claim) = &self.claim {
            claim.keep(address, sandbox);
        }
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        taken.offsets.insert(offset)
    }

    pub fn release(&self, address: Ipv4Addr) {
        if let Some(claim) = &self.claim {
            claim.release(address);
        }
        let offset = self.offset(address);
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        taken.offsets.remove(&offset);
    }

    /// An address something else on the link answers for: not handed out
    /// again by this runtime (its lease goes, as it is not this runtime's
    /// to keep).
    pub fn set_aside(&self, address: Ipv4Addr) {
        if let Some(claim) = &self.claim {
            claim.release(address);
        }
        let offset = self.offset(address);
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        taken.offsets.insert(offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_go_round_robin() {
        let ipam = Ipam::new(parse_pod_cidr("10.244.3.0/29").unwrap());
        let a = ipam.allocate("s").unwrap();
        let b = ipam.allocate("s").unwrap();
        assert_eq!(
            (a, b),
            (Ipv4Addr::new(10, 244, 3, 2), Ipv4Addr::new(10, 244, 3, 3))
        );
        ipam.release(a);
        // Not the address just released: the next one.
        assert_eq!(ipam.allocate("s"), Some(Ipv4Addr::new(10, 244, 3, 4)));
        for _ in 0..2 {
            ipam.allocate("s").unwrap();
        }
        // At the end of the range it wraps around to what is free.
        assert_eq!(ipam.allocate("s"), Some(a));
        assert_eq!(ipam.allocate("s"), None);
    }

    #[test]
    fn addresses_come_and_return() {
        let ipam = Ipam::new(parse_pod_cidr("10.244.3.7/30").unwrap());
        assert_eq!(ipam.cidr.to_string(), "10.244.3.4/30");
        assert_eq!(ipam.cidr.gateway(), Ipv4Addr::new(10, 244, 3, 5));
        assert_eq!(ipam.allocate("s"), Some(Ipv4Addr::new(10, 244, 3, 6)));
        assert_eq!(ipam.allocate("s"), None, "a /30 has one pod address");
        ipam.release(Ipv4Addr::new(10, 244, 3, 6));
        assert_eq!(ipam.allocate("s"), Some(Ipv4Addr::new(10, 244, 3, 6)));
    }

    #[test]
    fn reserved_addresses_are_not_handed_out() {
        let ipam = Ipam::new(parse_pod_cidr("10.244.3.0/29").unwrap());
        assert!(ipam.reserve(Ipv4Addr::new(10, 244, 3, 2), "s"));
        assert!(
            !ipam.reserve(Ipv4Addr::new(10, 244, 3, 1), "s"),
            "the gateway"
        );
        assert!(
            !ipam.reserve(Ipv4Addr::new(10, 244, 4, 2), "s"),
            "another CIDR"
        );
        assert_eq!(ipam.allocate("s"), Some(Ipv4Addr::new(10, 244, 3, 3)));
    }

    #[test]
    fn addresses_another_data_directory_leased_are_skipped() {
        use crate::runtime::process::host::{BridgeClaim, test_host};
        use std::path::Path;
        let dir = tempfile::tempdir().unwrap();
        let host = test_host(dir.path());
        let cidr = parse_pod_cidr("10.244.3.0/29").unwrap();
        let claim = |data: &str| {
            Arc::new(
                BridgeClaim::take(&host, "ripamtest0", Path::new(data), Path::new(data)).unwrap(),
            )
        };
        let first = Ipam::on_bridge(cidr, claim("/a"));
        assert_eq!(first.allocate("a1"), Some(Ipv4Addr::new(10, 244, 3, 2)));
        // a1 runs on.
        std::fs::write(dir.path().join("netns/rudder-a1"), "").unwrap();
        drop(first);
        // A second data directory's kubelet, its pods on the same bridge.
        let second = Ipam::on_bridge(cidr, claim("/b"));
        assert_eq!(second.allocate("b1"), Some(Ipv4Addr::new(10, 244, 3, 3)));
        second.release(Ipv4Addr::new(10, 244, 3, 3));
        assert_eq!(host.leases("ripamtest0").len(), 1, "a1's lease stays");
    }

    #[test]
    fn bad_cidrs_are_refused() {
        assert!(parse_pod_cidr("10.244.0.0").is_err());
        assert!(parse_pod_cidr("10.244.0.0/31").is_err());
        assert!(parse_pod_cidr("fd00::/64").is_err());
    }
}
