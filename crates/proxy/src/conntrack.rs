//! Stale UDP flows. A UDP "connection" is a conntrack entry that outlives
//! the rule that made it: packets of a flow that went to a removed endpoint
//! keep going there, and a flow rejected while a Service had no endpoints
//! keeps being rejected. After each sync the entries that now point the
//! wrong way are deleted with the `conntrack` tool, as upstream does.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use crate::model::{Protocol, ServicePort};

/// A UDP Service port as the last sync wrote it: its addresses (cluster,
/// external, load balancer), node port and the endpoints it sent to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UdpPort {
    addresses: Vec<Ipv4Addr>,
    node_port: Option<u16>,
    port: u16,
    endpoints: BTreeSet<Ipv4Addr>,
}

pub type UdpPorts = BTreeMap<String, UdpPort>;

/// The UDP ports of a sync, keyed by their name.
pub fn udp_ports(ports: &[ServicePort]) -> UdpPorts {
    ports
        .iter()
        .filter(|p| p.protocol == Protocol::Udp)
        .map(|p| {
            let plan = crate::plan::plan(p);
            let mut addresses = vec![p.cluster_ip];
            addresses.extend(&p.external_ips);
            addresses.extend(&p.load_balancer_ips);
            (
                p.name.to_string(),
                UdpPort {
                    addresses,
                    node_port: p.node_port,
                    port: p.port,
                    endpoints: plan.endpoints().iter().map(|e| e.ip).collect(),
                },
            )
        })
        .collect()
}

/// The `conntrack -D` argument lists that clear what changed from `old`
/// to `new`.
pub fn deletions(old: &UdpPorts, new: &UdpPorts) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for (name, port) in new {
        let before = old.get(name);
        let had_endpoints = before.is_some_and(|b| !b.endpoints.is_empty());
        if !port.endpoints.is_empty() && !had_endpoints {
            // Flows rejected (or sent nowhere) while there was no endpoint.
            for address in &port.addresses {
                commands.push(args(&[
                    "-p",
                    "udp",
                    "--orig-dst",
                    &address.to_string(),
                    "--orig-port-dst",
                    &port.port.to_string(),
                ]));
            }
            if let Some(node_port) = port.node_port {
                commands.push(args(&[
                    "-p",
                    "udp",
                    "--orig-port-dst",
                    &node_port.to_string(),
                ]));
            }
        }
        if let Some(before) = before {
            for gone in before.endpoints.difference(&port.endpoints) {
                commands.push(args(&["-p", "udp", "--dst-nat", &gone.to_string()]));
            }
        }
    }
    for (name, before) in old {
        if !new.contains_key(name) {
            for gone in &before.endpoints {
                commands.push(args(&["-p", "udp", "--dst-nat", &gone.to_string()]));
            }
        }
    }
    commands.sort();
    commands.dedup();
    commands
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Runs the deletions; entries that are not there are no error.
pub async fn delete(commands: Vec<Vec<String>>) {
    for command in commands {
        let result = tokio::process::Command::new("conntrack")
            .arg("-D")
            .args(&command)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .await;
        if let Err(err) = result {
            tracing::warn!("cannot run conntrack to clear stale UDP flows: {err}");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(endpoints: &[[u8; 4]]) -> UdpPort {
        UdpPort {
            addresses: vec![Ipv4Addr::new(10, 96, 0, 10)],
            node_port: None,
            port: 53,
            endpoints: endpoints.iter().map(|e| Ipv4Addr::from(*e)).collect(),
        }
    }

    #[test]
    fn flows_are_cleared_when_endpoints_come_and_go() {
        let key = "kube-system/kube-dns:dns".to_string();
        let empty = UdpPorts::from([(key.clone(), port(&[]))]);
        let one = UdpPorts::from([(key.clone(), port(&[[10, 244, 0, 5]]))]);
        let other = UdpPorts::from([(key, port(&[[10, 244, 0, 6]]))]);
        assert_eq!(
            deletions(&empty, &one),
            [args(&[
                "-p",
                "udp",
                "--orig-dst",
                "10.96.0.10",
                "--orig-port-dst",
                "53"
            ])]
        );
        assert_eq!(
            deletions(&one, &other),
            [args(&["-p", "udp", "--dst-nat", "10.244.0.5"])]
        );
        assert!(deletions(&one, &one).is_empty());
        assert_eq!(
            deletions(&one, &UdpPorts::new()),
            [args(&["-p", "udp", "--dst-nat", "10.244.0.5"])]
        );
    }
}
