//! The rules both modes write are accepted by the real tools: `nft
//! --check` and `iptables-restore --test` parse and validate them against
//! this kernel without changing anything.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};

use proxy::model::{Endpoint, Ipv4Net, Protocol, ServicePort, ServicePortName};
use proxy::{Config, iptables, nftables};

fn endpoint(last: u8, local: bool, ready: bool) -> Endpoint {
    Endpoint {
        ip: Ipv4Addr::new(10, 244, 0, last),
        port: 8080,
        ready,
        serving: true,
        terminating: !ready,
        local,
    }
}

/// One of each kind of port the planner distinguishes.
fn ports() -> Vec<ServicePort> {
    let base = |name: &str, ip: u8| ServicePort {
        endpoints: vec![endpoint(ip, false, true), endpoint(ip + 100, true, true)],
        ..ServicePort::new(
            ServicePortName::new("ns", name, "http"),
            Ipv4Addr::new(10, 96, 0, ip),
            80,
        )
    };
    let mut affinity = base("affinity", 10);
    affinity.affinity_timeout_seconds = Some(300);
    let mut nodeport = base("nodeport", 11);
    nodeport.node_port = Some(30080);
    nodeport.external_ips = vec![Ipv4Addr::new(192, 0, 2, 10)];
    nodeport.load_balancer_ips = vec![Ipv4Addr::new(192, 0, 2, 11)];
    let mut local = base("local", 12);
    local.node_port = Some(30081);
    local.external_policy_local = true;
    local.internal_policy_local = true;
    let mut no_local = base("nolocal", 13);
    no_local.node_port = Some(30082);
    no_local.external_policy_local = true;
    no_local.endpoints = vec![endpoint(13, false, true)];
    let mut empty = base("empty", 14);
    empty.node_port = Some(30083);
    empty.endpoints.clear();
    let mut udp = base("dns", 15);
    udp.protocol = Protocol::Udp;
    let mut sctp = base("sctp", 16);
    sctp.protocol = Protocol::Sctp;
    let mut terminating = base("draining", 17);
    terminating.endpoints = vec![endpoint(17, false, false)];
    vec![
        affinity,
        nodeport,
        local,
        no_local,
        empty,
        udp,
        sctp,
        terminating,
    ]
}

fn config() -> Config {
    Config {
        cluster_cidr: Some(Ipv4Net::parse("10.244.0.0/16").unwrap()),
        masquerade_all: false,
    }
}

fn run_with_input(program: &str, args: &[&str], input: &str) -> Result<(), String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} refused:\n{}\n--- input ---\n{input}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

#[test]
fn nft_accepts_full_and_partial_transactions() {
    let desired = nftables::ruleset(&ports(), &config());
    let full = nftables::full_transaction("rudder-check", &desired, &nftables::Existing::default());
    run_with_input("nft", &["--check", "-f", "-"], &full).unwrap();
    // A partial transaction is checked on top of the full one (the
    // objects it changes must exist).
    let mut fewer = ports();
    fewer.remove(0);
    fewer[0].endpoints.pop();
    let partial = nftables::partial_transaction(
        "rudder-check",
        &desired,
        &nftables::ruleset(&fewer, &config()),
    );
    assert!(!partial.is_empty());
    run_with_input("nft", &["--check", "-f", "-"], &format!("{full}{partial}")).unwrap();
}

#[test]
fn iptables_restore_accepts_the_tables() {
    let desired = iptables::tables(&ports(), &config());
    let input = iptables::restore_input(&desired, None, &iptables::Tables::default());
    // --test parses and checks every rule without committing.
    run_with_input("iptables-restore", &["-w", "--test", "--noflush"], &input).unwrap();
}
