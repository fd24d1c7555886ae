//! Pod IPs from the node's pod CIDR, as the host-local IPAM plugin hands
//! them out: the first address is the bridge's gateway, the rest go to
//! sandboxes, lowest free first, and come back when a sandbox goes.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Mutex;

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
    taken: Mutex<BTreeSet<u32>>,
}

impl Ipam {
    pub fn new(cidr: Ipv4Cidr) -> Ipam {
        Ipam {
            cidr,
            taken: Mutex::new(BTreeSet::new()),
        }
    }

    /// The lowest free pod address (offsets 2 .. size-1: not the network,
    /// the gateway or the broadcast address).
    pub fn allocate(&self) -> Option<Ipv4Addr> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let offset = (2..self.cidr.size() - 1).find(|o| !taken.contains(o))?;
        taken.insert(offset);
        Some(self.cidr.nth(offset))
    }

    pub fn release(&self, address: Ipv4Addr) {
        let offset = u32::from(address).wrapping_sub(u32::from(self.cidr.network));
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        taken.remove(&offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_come_lowest_first_and_return() {
        let ipam = Ipam::new(parse_pod_cidr("10.244.3.7/30").unwrap());
        assert_eq!(ipam.cidr.to_string(), "10.244.3.4/30");
        assert_eq!(ipam.cidr.gateway(), Ipv4Addr::new(10, 244, 3, 5));
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 6)));
        assert_eq!(ipam.allocate(), None, "a /30 has one pod address");
        ipam.release(Ipv4Addr::new(10, 244, 3, 6));
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 6)));
    }

    #[test]
    fn bad_cidrs_are_refused() {
        assert!(parse_pod_cidr("10.244.0.0").is_err());
        assert!(parse_pod_cidr("10.244.0.0/31").is_err());
        assert!(parse_pod_cidr("fd00::/64").is_err());
    }
}
