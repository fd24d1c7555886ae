//! The nftables mode: one table (`ip rudder`) holding every rule, with
//! verdict maps from (address, protocol, port) to a Service port's chain,
//! so a packet finds its Service in one lookup however many there are.
//! Every change is one `nft -f` transaction: the kernel sees the old rules
//! or the new ones, never a half-written set. After the first sync only
//! what changed is written: map elements added and removed, chains whose
//! rules differ flushed and refilled, vanished chains deleted.
//!
//! Layout (names as upstream's nftables proxy, in our table):
//! - `nat-prerouting`/`nat-output` → `services`: `service-ips` map for
//!   cluster, external and load balancer IPs, then `service-nodeports`
//!   for local destination addresses;
//! - `service-<hash>-ns/name/proto/port`: masquerade off-cluster clients,
//!   affinity, `numgen random` over `endpoint-…` chains; `local-…` the
//!   same over this node's endpoints; `external-…` for node ports and
//!   external addresses;
//! - `filter-*` hooks: `no-endpoint-services`/`no-endpoint-nodeports`
//!   reject or drop, `cluster-ips-check` rejects unknown ports of a
//!   cluster IP;
//! - `nat-postrouting` → `masquerading` for packets marked 0x4000.

use std::collections::{BTreeMap, BTreeSet};

use crate::chains::{self, Chains};
use crate::model::{Endpoint, ServicePort, chain_hash};
use crate::plan::{PortPlan, Target, plan};
use crate::{Config, SyncError};

/// The fixed chains: name → hook declaration.
const BASE_CHAINS: &[(&str, &str)] = &[
    (
        "filter-input",
        "type filter hook input priority -110 ; policy accept ;",
    ),
    (
        "filter-forward",
        "type filter hook forward priority -110 ; policy accept ;",
    ),
    (
        "filter-output",
        "type filter hook output priority -110 ; policy accept ;",
    ),
    (
        "filter-output-post-dnat",
        "type filter hook output priority -90 ; policy accept ;",
    ),
    (
        "nat-prerouting",
        "type nat hook prerouting priority -100 ; policy accept ;",
    ),
    (
        "nat-output",
        "type nat hook output priority -100 ; policy accept ;",
    ),
    (
        "nat-postrouting",
        "type nat hook postrouting priority 100 ; policy accept ;",
    ),
];

const MASQ_MARK: &str = "0x4000";

/// A set or a map of the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Set {
    /// `set` or `map`.
    pub keyword: &'static str,
    /// What goes inside `{ }` when it is declared.
    pub declaration: String,
    /// Element key → its value (empty for sets) and comment.
    pub elements: BTreeMap<String, Element>,
    /// Elements the kernel adds itself (affinity sets): never flushed.
    pub dynamic: bool,
}

/// A set element's value (a verdict, for maps) and comment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub value: String,
    pub comment: String,
}

/// The whole table as it should be.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ruleset {
    pub chains: Chains,
    pub sets: BTreeMap<String, Set>,
}

impl Ruleset {
    pub fn rule_count(&self) -> usize {
        chains::rule_count(&self.chains)
    }

    fn chain(&mut self, name: &str) -> &mut Vec<String> {
        self.chains.entry(name.to_string()).or_default()
    }

    fn map(&mut self, name: &str, declaration: &str) -> &mut BTreeMap<String, Element> {
        &mut self
            .sets
            .entry(name.to_string())
            .or_insert_with(|| Set {
                keyword: if declaration.contains(':') {
                    "map"
                } else {
                    "set"
                },
                declaration: declaration.to_string(),
                elements: BTreeMap::new(),
                dynamic: false,
            })
            .elements
    }
}

fn hashed(prefix: &str, base: &str) -> String {
    format!("{prefix}-{}-{base}", chain_hash(base, 8))
}

/// `ns/name/proto/port`: the readable part of a port's chain names.
fn port_base(port: &ServicePort) -> String {
    format!(
        "{}/{}/{}/{}",
        port.name.namespace,
        port.name.name,
        port.protocol.as_str(),
        port.name.port
    )
}

fn endpoint_chain(base: &str, endpoint: &Endpoint) -> String {
    hashed(
        "endpoint",
        &format!("{base}__{}/{}", endpoint.ip, endpoint.port),
    )
}

fn affinity_set(base: &str, endpoint: &Endpoint) -> String {
    hashed(
        "affinity",
        &format!("{base}__{}/{}", endpoint.ip, endpoint.port),
    )
}

fn verdict(target: Target, base: &str) -> String {
    match target {
        Target::Cluster => format!("goto {}", hashed("service", base)),
        Target::Local => format!("goto {}", hashed("local", base)),
        Target::External => format!("goto {}", hashed("external", base)),
        Target::Reject => "goto reject-chain".to_string(),
        Target::Drop => "drop".to_string(),
    }
}

/// The rules a balancing chain holds: affinity first, then a random pick.
fn balance(
    ruleset: &mut Ruleset,
    chain: &str,
    base: &str,
    plan: &PortPlan,
    endpoints: &[&Endpoint],
) {
    let mut rules = Vec::new();
    if plan.port.affinity_timeout_seconds.is_some() {
        for endpoint in endpoints {
            rules.push(format!(
                "ip saddr @{} goto {}",
                affinity_set(base, endpoint),
                endpoint_chain(base, endpoint)
            ));
        }
    }
    let choices: Vec<String> = endpoints
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{i} : goto {}", endpoint_chain(base, e)))
        .collect();
    rules.push(format!(
        "numgen random mod {} vmap {{ {} }}",
        endpoints.len(),
        choices.join(" , ")
    ));
    ruleset.chain(chain).extend(rules);
}

fn port_rules(ruleset: &mut Ruleset, config: &Config, plan: &PortPlan) {
    let port = plan.port;
    let base = port_base(port);
    let proto = port.protocol.as_str();

    // Balancing chains, each with the masquerade rule for off-cluster
    // clients of the cluster IP on top.
    let masquerade_off_cluster = if config.masquerade_all {
        Some(format!(
            "ip daddr {} {proto} dport {} jump mark-for-masquerade",
            port.cluster_ip, port.port
        ))
    } else {
        config.cluster_cidr.map(|cidr| {
            format!(
                "ip daddr {} {proto} dport {} ip saddr != {cidr} jump mark-for-masquerade",
                port.cluster_ip, port.port
            )
        })
    };
    for (target, endpoints) in [
        (Target::Cluster, &plan.cluster),
        (Target::Local, &plan.local),
    ] {
        if endpoints.is_empty() {
            continue;
        }
        let chain = match target {
            Target::Cluster => hashed("service", &base),
            _ => hashed("local", &base),
        };
        if let Some(rule) = &masquerade_off_cluster {
            ruleset.chain(&chain).push(rule.clone());
        }
        balance(ruleset, &chain, &base, plan, endpoints);
    }
    for endpoint in plan.endpoints() {
        let chain = endpoint_chain(&base, endpoint);
        let mut rules = vec![format!("ip saddr {} jump mark-for-masquerade", endpoint.ip)];
        if let Some(timeout) = port.affinity_timeout_seconds {
            let set = affinity_set(&base, endpoint);
            ruleset.sets.insert(
                set.clone(),
                Set {
                    keyword: "set",
                    declaration: format!(
                        "type ipv4_addr ; flags dynamic,timeout ; timeout {timeout}s ;"
                    ),
                    elements: BTreeMap::new(),
                    dynamic: true,
                },
            );
            rules.push(format!("update @{set} {{ ip saddr }}"));
        }
        rules.push(format!(
            "meta l4proto {proto} dnat to {}:{}",
            endpoint.ip, endpoint.port
        ));
        ruleset.chain(&chain).extend(rules);
    }

    // The external chain.
    if plan.external == Some(Target::External) {
        let chain = hashed("external", &base);
        let mut rules = Vec::new();
        if port.external_policy_local {
            let internal = verdict(plan.internal, &base);
            if let Some(cidr) = config.cluster_cidr {
                rules.push(format!(
                    "ip saddr {cidr} {internal} comment \"short-circuit pod traffic\""
                ));
            }
            rules.push("fib saddr type local jump mark-for-masquerade".to_string());
            rules.push(format!(
                "fib saddr type local {internal} comment \"short-circuit local traffic\""
            ));
            match plan.external_balancer() {
                Some(target) => rules.push(verdict(target, &base)),
                None => rules.push("drop comment \"no local endpoints\"".to_string()),
            }
        } else {
            rules.push("jump mark-for-masquerade".to_string());
            rules.push(verdict(Target::Cluster, &base));
        }
        ruleset.chain(&chain).extend(rules);
    }

    // Map elements.
    let key = |ip: &dyn std::fmt::Display, number: u16| format!("{ip} . {proto} . {number}");
    let element = |value: String| Element {
        value,
        comment: port.name.to_string(),
    };
    let map = match plan.internal {
        Target::Reject | Target::Drop => "no-endpoint-services",
        _ => "service-ips",
    };
    ruleset.map(map, SERVICE_IPS_TYPE).insert(
        key(&port.cluster_ip, port.port),
        element(verdict(plan.internal, &base)),
    );
    ruleset
        .map("cluster-ips", "type ipv4_addr ;")
        .insert(port.cluster_ip.to_string(), Element::default());
    if let Some(external) = plan.external {
        let (ips_map, ports_map) = match external {
            Target::Reject | Target::Drop => ("no-endpoint-services", "no-endpoint-nodeports"),
            _ => ("service-ips", "service-nodeports"),
        };
        let value = element(verdict(external, &base));
        for ip in port.external_ips.iter().chain(&port.load_balancer_ips) {
            ruleset
                .map(ips_map, SERVICE_IPS_TYPE)
                .insert(key(ip, port.port), value.clone());
        }
        if let Some(node_port) = port.node_port {
            ruleset
                .map(ports_map, NODE_PORTS_TYPE)
                .insert(format!("{proto} . {node_port}"), value);
        }
    }
}

const SERVICE_IPS_TYPE: &str = "type ipv4_addr . inet_proto . inet_service : verdict ;";
const NODE_PORTS_TYPE: &str = "type inet_proto . inet_service : verdict ;";

/// The table for these Service ports.
pub fn ruleset(ports: &[ServicePort], config: &Config) -> Ruleset {
    let mut r = Ruleset::default();
    for (name, _) in BASE_CHAINS {
        r.chain(name);
    }
    for (name, declaration) in [
        ("service-ips", SERVICE_IPS_TYPE),
        ("no-endpoint-services", SERVICE_IPS_TYPE),
        ("service-nodeports", NODE_PORTS_TYPE),
        ("no-endpoint-nodeports", NODE_PORTS_TYPE),
        ("cluster-ips", "type ipv4_addr ;"),
    ] {
        r.map(name, declaration);
    }
    let new = "ct state new";
    r.chain("filter-input").extend([
        format!("{new} jump nodeport-endpoints-check"),
        format!("{new} jump service-endpoints-check"),
    ]);
    r.chain("filter-forward").extend([
        format!("{new} jump service-endpoints-check"),
        format!("{new} jump cluster-ips-check"),
    ]);
    r.chain("filter-output")
        .push(format!("{new} jump service-endpoints-check"));
    r.chain("filter-output-post-dnat")
        .push(format!("{new} jump cluster-ips-check"));
    r.chain("nat-prerouting").push("jump services".to_string());
    r.chain("nat-output").push("jump services".to_string());
    r.chain("nat-postrouting")
        .push("jump masquerading".to_string());
    r.chain("masquerading").extend([
        format!("meta mark & {MASQ_MARK} == 0 return"),
        format!("meta mark set meta mark ^ {MASQ_MARK}"),
        "masquerade fully-random".to_string(),
    ]);
    r.chain("mark-for-masquerade")
        .push(format!("meta mark set meta mark | {MASQ_MARK}"));
    r.chain("services").extend([
        "ip daddr . meta l4proto . th dport vmap @service-ips".to_string(),
        "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports"
            .to_string(),
    ]);
    r.chain("service-endpoints-check")
        .push("ip daddr . meta l4proto . th dport vmap @no-endpoint-services".to_string());
    r.chain("nodeport-endpoints-check").push(
        "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports"
            .to_string(),
    );
    r.chain("reject-chain").push("reject".to_string());
    r.chain("cluster-ips-check").push(
        "ip daddr @cluster-ips reject comment \"reject traffic to invalid ports of cluster IPs\""
            .to_string(),
    );
    for port in ports {
        port_rules(&mut r, config, &plan(port));
    }
    r
}

fn chain_declaration(table: &str, name: &str) -> String {
    match BASE_CHAINS.iter().find(|(n, _)| *n == name) {
        Some((_, hook)) => format!("add chain ip {table} {name} {{ {hook} }}\n"),
        None => format!("add chain ip {table} {name}\n"),
    }
}

fn render_element(key: &str, element: &Element) -> String {
    let mut out = key.to_string();
    if !element.comment.is_empty() {
        out.push_str(&format!(" comment \"{}\"", element.comment));
    }
    if !element.value.is_empty() {
        out.push_str(&format!(" : {}", element.value));
    }
    out
}

fn add_elements(out: &mut String, table: &str, set: &str, elements: &[String]) {
    // Batched, so a thousand Services are a handful of commands.
    for batch in elements.chunks(500) {
        out.push_str(&format!(
            "add element ip {table} {set} {{ {} }}\n",
            batch.join(" , ")
        ));
    }
}

fn add_rules(out: &mut String, table: &str, chain: &str, rules: &[String]) {
    for rule in rules {
        out.push_str(&format!("add rule ip {table} {chain} {rule}\n"));
    }
}

/// A transaction that makes the table exactly `desired`, whatever it held:
/// `existing` names the chains and sets the kernel has now (to delete the
/// ones no longer wanted). Affinity sets keep their elements.
pub fn full_transaction(table: &str, desired: &Ruleset, existing: &Existing) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "add table ip {table} {{ comment \"rules for rudder's service proxy\" ; }}\n"
    ));
    out.push_str(&format!("flush table ip {table}\n"));
    for name in desired.chains.keys() {
        out.push_str(&chain_declaration(table, name));
    }
    for (name, set) in &desired.sets {
        out.push_str(&format!(
            "add {} ip {table} {name} {{ {} }}\n",
            set.keyword, set.declaration
        ));
        if !set.dynamic {
            out.push_str(&format!("flush {} ip {table} {name}\n", set.keyword));
            let elements: Vec<String> = set
                .elements
                .iter()
                .map(|(k, v)| render_element(k, v))
                .collect();
            add_elements(&mut out, table, name, &elements);
        }
    }
    for (name, rules) in &desired.chains {
        add_rules(&mut out, table, name, rules);
    }
    for name in existing
        .chains
        .difference(&desired.chains.keys().cloned().collect())
    {
        out.push_str(&format!("delete chain ip {table} {name}\n"));
    }
    for (name, keyword) in &existing.sets {
        if !desired.sets.contains_key(name) {
            out.push_str(&format!("delete {keyword} ip {table} {name}\n"));
        }
    }
    out
}

/// A transaction that turns `old` (what the last sync wrote) into `new`;
/// empty when nothing changed.
pub fn partial_transaction(table: &str, old: &Ruleset, new: &Ruleset) -> String {
    let mut out = String::new();
    let changes = chains::diff(&old.chains, &new.chains);
    for name in &changes.added {
        out.push_str(&chain_declaration(table, name));
    }
    for (name, set) in &new.sets {
        if !old.sets.contains_key(name) {
            out.push_str(&format!(
                "add {} ip {table} {name} {{ {} }}\n",
                set.keyword, set.declaration
            ));
        }
    }
    // Elements: those gone or changed out first, then the new ones.
    for (name, set) in &new.sets {
        if set.dynamic {
            continue;
        }
        let empty = BTreeMap::new();
        let before = old.sets.get(name).map(|s| &s.elements).unwrap_or(&empty);
        let stale: Vec<String> = before
            .iter()
            .filter(|(k, v)| set.elements.get(*k) != Some(v))
            .map(|(k, _)| k.clone())
            .collect();
        for batch in stale.chunks(500) {
            out.push_str(&format!(
                "delete element ip {table} {name} {{ {} }}\n",
                batch.join(" , ")
            ));
        }
        let fresh: Vec<String> = set
            .elements
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(v))
            .map(|(k, v)| render_element(k, v))
            .collect();
        add_elements(&mut out, table, name, &fresh);
    }
    for name in changes.changed.iter().chain(&changes.removed) {
        out.push_str(&format!("flush chain ip {table} {name}\n"));
    }
    for name in changes.added.iter().chain(&changes.changed) {
        add_rules(&mut out, table, name, &new.chains[*name]);
    }
    for name in &changes.removed {
        out.push_str(&format!("delete chain ip {table} {name}\n"));
    }
    for (name, set) in &old.sets {
        if !new.sets.contains_key(name) {
            out.push_str(&format!("delete {} ip {table} {name}\n", set.keyword));
        }
    }
    out
}

/// The chains and sets (name → `set`/`map`) a table holds in the kernel.
#[derive(Debug, Default)]
pub struct Existing {
    pub chains: BTreeSet<String>,
    pub sets: BTreeMap<String, &'static str>,
}

/// Reads the names out of `nft list table` output.
pub fn parse_listing(listing: &str) -> Existing {
    let mut existing = Existing::default();
    for line in listing.lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("chain"), Some(name)) => {
                existing.chains.insert(name.to_string());
            }
            (Some("set"), Some(name)) => {
                existing.sets.insert(name.to_string(), "set");
            }
            (Some("map"), Some(name)) => {
                existing.sets.insert(name.to_string(), "map");
            }
            _ => {}
        }
    }
    existing
}

async fn nft(args: &[&str], input: Option<&str>) -> Result<String, SyncError> {
    crate::tool::run("nft", args, input).await
}

/// The nftables mode's state: what it last wrote to the kernel.
pub struct Nftables {
    table: String,
    applied: Option<Ruleset>,
}

impl Nftables {
    pub fn new(table: &str) -> Nftables {
        Nftables {
            table: table.to_string(),
            applied: None,
        }
    }

    /// Whether this kernel and nft can hold the table (a dry run).
    pub async fn supported() -> bool {
        nft(&["--check", "-f", "-"], Some("add table ip rudder-probe\n"))
            .await
            .is_ok()
    }

    /// Writes `desired`: everything when `full` or after a failure, else
    /// only what changed. Returns whether anything was written.
    pub async fn apply(&mut self, desired: Ruleset, full: bool) -> Result<bool, SyncError> {
        let transaction = match (&self.applied, full) {
            (Some(old), false) => partial_transaction(&self.table, old, &desired),
            _ => {
                let listing = nft(&["list", "table", "ip", &self.table], None)
                    .await
                    .unwrap_or_default();
                full_transaction(&self.table, &desired, &parse_listing(&listing))
            }
        };
        if transaction.is_empty() {
            return Ok(false);
        }
        match nft(&["-f", "-"], Some(&transaction)).await {
            Ok(_) => {
                self.applied = Some(desired);
                Ok(true)
            }
            Err(err) => {
                // The kernel kept the previous rules; write everything next time.
                self.applied = None;
                Err(err)
            }
        }
    }
}

/// Removes the table (`rudder proxy --cleanup`).
pub async fn cleanup(table: &str) -> Result<(), SyncError> {
    match nft(&["delete", "table", "ip", table], None).await {
        Ok(_) => Ok(()),
        Err(SyncError::Rejected(message)) if message.contains("No such file") => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ipv4Net, ServicePortName};
    use std::net::Ipv4Addr;

    fn port(endpoints: u8, affinity: bool) -> ServicePort {
        ServicePort {
            node_port: Some(30080),
            affinity_timeout_seconds: affinity.then_some(60),
            endpoints: (0..endpoints)
                .map(|i| Endpoint::ready(Ipv4Addr::new(10, 244, 0, 10 + i), 8080))
                .collect(),
            ..ServicePort::new(
                ServicePortName::new("ns", "web", "http"),
                Ipv4Addr::new(10, 96, 0, 20),
                80,
            )
        }
    }

    fn config() -> Config {
        Config {
            cluster_cidr: Some(Ipv4Net::parse("10.244.0.0/16").unwrap()),
            ..Config::default()
        }
    }

    #[test]
    fn a_service_with_endpoints_is_balanced_and_masqueraded() {
        let r = ruleset(&[port(2, true)], &config());
        let service = r
            .chains
            .keys()
            .find(|c| c.starts_with("service-") && c.contains('/'))
            .unwrap();
        assert!(service.ends_with("-ns/web/tcp/http"));
        let rules = &r.chains[service];
        assert!(rules[0].contains("ip saddr != 10.244.0.0/16 jump mark-for-masquerade"));
        assert!(rules[1].starts_with("ip saddr @affinity-"));
        assert!(rules[3].starts_with("numgen random mod 2 vmap"));
        let endpoint = r
            .chains
            .iter()
            .find(|(c, _)| c.ends_with("__10.244.0.10/8080"))
            .unwrap()
            .1;
        assert_eq!(
            endpoint.last().unwrap(),
            "meta l4proto tcp dnat to 10.244.0.10:8080"
        );
        let ips = &r.sets["service-ips"].elements;
        assert_eq!(
            ips["10.96.0.20 . tcp . 80"].value,
            format!("goto {service}")
        );
        assert!(
            r.sets["service-nodeports"].elements["tcp . 30080"]
                .value
                .starts_with("goto external-")
        );
        assert!(r.sets["no-endpoint-services"].elements.is_empty());
    }

    #[test]
    fn a_service_without_endpoints_is_rejected() {
        let r = ruleset(&[port(0, false)], &config());
        assert!(
            !r.chains
                .keys()
                .any(|c| c.starts_with("service-") && c.contains('/'))
        );
        assert_eq!(
            r.sets["no-endpoint-services"].elements["10.96.0.20 . tcp . 80"].value,
            "goto reject-chain"
        );
        assert_eq!(
            r.sets["no-endpoint-nodeports"].elements["tcp . 30080"].value,
            "goto reject-chain"
        );
    }

    #[test]
    fn an_endpoint_change_rewrites_only_that_service() {
        let old = ruleset(&[port(2, false)], &config());
        let new = ruleset(&[port(3, false)], &config());
        let partial = partial_transaction("rudder", &old, &new);
        assert!(partial.contains("add chain ip rudder endpoint-"));
        assert!(partial.contains("flush chain ip rudder service-"));
        assert!(!partial.contains("flush table"));
        assert!(!partial.contains("filter-input"));
        assert_eq!(partial_transaction("rudder", &new, &new), "");
        let shrink = partial_transaction("rudder", &new, &old);
        assert!(shrink.contains("delete chain ip rudder endpoint-"));
    }

    #[test]
    fn a_full_transaction_removes_what_is_no_longer_wanted() {
        let listing = "table ip rudder {\n\tmap service-ips {\n\t}\n\tset affinity-X-old {\n\t}\n\tchain services {\n\t}\n\tchain service-OLD-ns/gone/tcp/ {\n\t}\n}\n";
        let existing = parse_listing(listing);
        let full = full_transaction("rudder", &ruleset(&[], &config()), &existing);
        assert!(full.contains("delete chain ip rudder service-OLD-ns/gone/tcp/\n"));
        assert!(full.contains("delete set ip rudder affinity-X-old\n"));
        assert!(!full.contains("delete map ip rudder service-ips"));
    }
}
