//! Pod IPs from the node's pod CIDR, as the host-local IPAM plugin hands
//! them out: the first address is the bridge's gateway, the rest go to
//! sandboxes, lowest free first, and come back when a sandbox goes.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Mutex;

/// An IPv4 network `address/prefix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Cidr {
    pub network: Ipv4Addr,
    pub prefix: u8,
}

impl Ipv4Cidr {
    pub fn parse(text: &str) -> Result<Ipv4Cidr, String> {
        let (address, prefix) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not a CIDR like 10.244.0.0/24"))?;
        let address: Ipv4Addr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IPv4 CIDR"))?;
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= 30)
            .ok_or_else(|| format!("{text:?}: the prefix must be at most /30"))?;
        let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
        Ok(Ipv4Cidr {
            network: Ipv4Addr::from(u32::from(address) & mask),
            prefix,
        })
    }

    /// The number of addresses in the network.
    pub fn size(&self) -> u32 {
        1u32 << (32 - u32::from(self.prefix))
    }

    /// The address at `offset` from the network address.
    pub fn nth(&self, offset: u32) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network) + offset)
    }

    /// The gateway (the bridge's address): the first usable one.
    pub fn gateway(&self) -> Ipv4Addr {
        self.nth(1)
    }
}

impl std::fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
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
        let ipam = Ipam::new(Ipv4Cidr::parse("10.244.3.7/30").unwrap());
        assert_eq!(ipam.cidr.to_string(), "10.244.3.4/30");
        assert_eq!(ipam.cidr.gateway(), Ipv4Addr::new(10, 244, 3, 5));
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 6)));
        assert_eq!(ipam.allocate(), None, "a /30 has one pod address");
        ipam.release(Ipv4Addr::new(10, 244, 3, 6));
        assert_eq!(ipam.allocate(), Some(Ipv4Addr::new(10, 244, 3, 6)));
    }

    #[test]
    fn bad_cidrs_are_refused() {
        assert!(Ipv4Cidr::parse("10.244.0.0").is_err());
        assert!(Ipv4Cidr::parse("10.244.0.0/31").is_err());
        assert!(Ipv4Cidr::parse("fd00::/64").is_err());
    }
}
