//! Pod IPs from the node's pod CIDR, as the host-local IPAM plugin hands
//! them out: the first address is the bridge's gateway, the rest go to
//! sandboxes round-robin (the next free one after the last handed out, so
//! an address just released is not at once another pod's while peers
//! still hold the old pod's MAC address or connections for it), and come
//! back when a sandbox goes.

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
    taken: Mutex<Taken>,
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
        }
    }

    /// The next free pod address after the last one handed out (offsets
    /// 2 .. size-1: not the network, the gateway or the broadcast address).
    pub fn allocate(&self) -> Option<Ipv4Addr> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let (first, end) = (2, self.cidr.size() - 1);
        let start = taken.last.clamp(first - 1, end - 1) + 1;
        let offset = (start..end)
            .chain(first..start)
            .find(|o| !taken.offsets.contains(o))?;
        taken.offsets.insert(offset);
        taken.last = offset;
        Some(self.cidr.nth(offset))
    }

    /// Marks an address as taken (a sandbox adopted after a restart keeps
    /// its IP); false when it is outside the CIDR's pod addresses.
    pub fn reserve(&self, address: Ipv4Addr) -> bool {
        let offset = u32::from(address).wrapping_sub(u32::from(self.cidr.network));
        if offset < 2 || offset >= self.cidr.size() - 1 {
            return false;
        }
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        taken.offsets.insert(offset)
    }

    pub fn release(&self, address: Ipv4Addr) {
        let offset = u32::from(address).wrapping_sub(u32::from(self.cidr.network));
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        taken.offsets.remove(&offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_go_round_robin() {
        let ipam = Ipam::new(parse_pod_cidr("10.244.3.0/29").unwrap());
        let a = ipam.allocate().unwrap();
        let b = ipam.allocate().unwrap();
        assert_eq!(
            (a, b),
            (Ipv4Addr::new(10, 244, 3, 2), Ipv4Addr::new(10, 244, 3, 3))
        );
        ipam.release(a);
        // Not the address just released: the next one.
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 4)));
        for _ in 0..2 {
            ipam.allocate().unwrap();
        }
        // At the end of the range it wraps around to what is free.
        assert_eq!(ipam.allocate(), Some(a));
        assert_eq!(ipam.allocate(), None);
    }

    #[test]
    fn addresses_come_and_return() {
        let ipam = Ipam::new(parse_pod_cidr("10.244.3.7/30").unwrap());
        assert_eq!(ipam.cidr.to_string(), "10.244.3.4/30");
        assert_eq!(ipam.cidr.gateway(), Ipv4Addr::new(10, 244, 3, 5));
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 6)));
        assert_eq!(ipam.allocate(), None, "a /30 has one pod address");
        ipam.release(Ipv4Addr::new(10, 244, 3, 6));
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 6)));
    }

    #[test]
    fn reserved_addresses_are_not_handed_out() {
        let ipam = Ipam::new(parse_pod_cidr("10.244.3.0/29").unwrap());
        assert!(ipam.reserve(Ipv4Addr::new(10, 244, 3, 2)));
        assert!(!ipam.reserve(Ipv4Addr::new(10, 244, 3, 1)), "the gateway");
        assert!(!ipam.reserve(Ipv4Addr::new(10, 244, 4, 2)), "another CIDR");
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 3)));
    }

    #[test]
    fn bad_cidrs_are_refused() {
        assert!(parse_pod_cidr("10.244.0.0").is_err());
        assert!(parse_pod_cidr("10.244.0.0/31").is_err());
        assert!(parse_pod_cidr("fd00::/64").is_err());
    }
}
