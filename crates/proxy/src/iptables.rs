//! The iptables mode: upstream kube-proxy's chain layout, so what
//! `iptables -t nat -L KUBE-SERVICES` prints on a rudder node reads as it
//! does on any Kubernetes node — `KUBE-SVC-<hash>` per Service port (the
//! same hashes as upstream), `KUBE-SEP-<hash>` per endpoint, `KUBE-EXT-` for
//! node ports and external addresses, `KUBE-SVL-` for this node's
//! endpoints, comments naming `ns/svc:port`. Written with
//! `iptables-restore --noflush`, which replaces the chains it names in one
//! commit per table and leaves everything else alone; after the first sync
//! a chain is written only when its rules changed.

use std::collections::BTreeSet;

use crate::chains::{self, Chains};
use crate::model::{Endpoint, ServicePort, chain_hash};
use crate::plan::{PortPlan, Target, plan};
use crate::tool::run;
use crate::{Config, SyncError};

/// Chains every sync writes whole (they list every Service).
const NAT_CHAINS: &[&str] = &[
    "KUBE-SERVICES",
    "KUBE-NODEPORTS",
    "KUBE-POSTROUTING",
    "KUBE-MARK-MASQ",
];
const FILTER_CHAINS: &[&str] = &["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD"];

/// Our chains' names in each table, for finding leftovers.
const CHAIN_PREFIXES: &[&str] = &["KUBE-SVC-", "KUBE-SEP-", "KUBE-EXT-", "KUBE-SVL-"];

/// The jumps from the built-in chains into ours: (table, chain, comment,
/// extra match, target).
const JUMPS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "nat",
        "PREROUTING",
        "kubernetes service portals",
        "",
        "KUBE-SERVICES",
    ),
    (
        "nat",
        "OUTPUT",
        "kubernetes service portals",
        "",
        "KUBE-SERVICES",
    ),
    (
        "nat",
        "POSTROUTING",
        "kubernetes postrouting rules",
        "",
        "KUBE-POSTROUTING",
    ),
    (
        "filter",
        "INPUT",
        "kubernetes externally-visible service portals",
        "-m conntrack --ctstate NEW",
        "KUBE-EXTERNAL-SERVICES",
    ),
    (
        "filter",
        "FORWARD",
        "kubernetes forwarding rules",
        "",
        "KUBE-FORWARD",
    ),
    (
        "filter",
        "FORWARD",
        "kubernetes service portals",
        "-m conntrack --ctstate NEW",
        "KUBE-SERVICES",
    ),
    (
        "filter",
        "FORWARD",
        "kubernetes externally-visible service portals",
        "-m conntrack --ctstate NEW",
        "KUBE-EXTERNAL-SERVICES",
    ),
    (
        "filter",
        "OUTPUT",
        "kubernetes service portals",
        "-m conntrack --ctstate NEW",
        "KUBE-SERVICES",
    ),
];

const MASQ_MARK: &str = "0x4000";

/// Both tables' chains as they should be.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tables {
    pub nat: Chains,
    pub filter: Chains,
}

impl Tables {
    pub fn rule_count(&self) -> (usize, usize) {
        (
            chains::rule_count(&self.nat),
            chains::rule_count(&self.filter),
        )
    }
}

/// `KUBE-SVC-…` and friends: upstream's names, so they match other clusters.
fn port_chain(prefix: &str, port: &ServicePort) -> String {
    format!(
        "{prefix}{}",
        chain_hash(&format!("{}{}", port.name, port.protocol.as_str()), 16)
    )
}

fn endpoint_chain(port: &ServicePort, endpoint: &Endpoint) -> String {
    format!(
        "KUBE-SEP-{}",
        chain_hash(
            &format!(
                "{}{}{}",
                port.name,
                port.protocol.as_str(),
                endpoint.address()
            ),
            16
        )
    )
}

fn comment(text: &str) -> String {
    format!("-m comment --comment \"{text}\"")
}

fn proto_match(port: &ServicePort) -> String {
    let p = port.protocol.as_str();
    format!("-m {p} -p {p}")
}

/// upstream's probability for the i-th of n remaining endpoints.
fn probability(remaining: usize) -> String {
    format!("{:.10}", 1.0 / remaining as f64)
}

fn target_chain(target: Target, port: &ServicePort) -> Option<String> {
    match target {
        Target::Cluster => Some(port_chain("KUBE-SVC-", port)),
        Target::Local => Some(port_chain("KUBE-SVL-", port)),
        Target::External => Some(port_chain("KUBE-EXT-", port)),
        Target::Reject | Target::Drop => None,
    }
}

fn balance(
    tables: &mut Tables,
    chain: &str,
    plan: &PortPlan,
    endpoints: &[&Endpoint],
    first: Vec<String>,
) {
    let port = plan.port;
    let mut rules = first;
    if let Some(timeout) = port.affinity_timeout_seconds {
        for endpoint in endpoints {
            let sep = endpoint_chain(port, endpoint);
            rules.push(format!(
                "{} -m recent --name {sep} --mask 255.255.255.255 --rsource --rcheck --seconds {timeout} --reap -j {sep}",
                comment(&format!("{} -> {}", port.name, endpoint.address()))
            ));
        }
    }
    for (i, endpoint) in endpoints.iter().enumerate() {
        let sep = endpoint_chain(port, endpoint);
        let remaining = endpoints.len() - i;
        let statistic = if remaining > 1 {
            format!(
                " -m statistic --mode random --probability {}",
                probability(remaining)
            )
        } else {
            String::new()
        };
        rules.push(format!(
            "{}{statistic} -j {sep}",
            comment(&format!("{} -> {}", port.name, endpoint.address()))
        ));
    }
    tables.nat.insert(chain.to_string(), rules);
}

fn port_rules(tables: &mut Tables, config: &Config, plan: &PortPlan) {
    let port = plan.port;
    let name = port.name.to_string();
    let proto = proto_match(port);
    let dport = format!("--dport {}", port.port);
    let cluster_ip = format!("-d {}/32", port.cluster_ip);

    // Balancing chains.
    if !plan.cluster.is_empty() {
        let mut first = Vec::new();
        let masquerade = if config.masquerade_all {
            Some(String::new())
        } else {
            config.cluster_cidr.map(|cidr| format!(" ! -s {cidr}"))
        };
        if let Some(source) = masquerade {
            first.push(format!(
                "{} {proto} {cluster_ip} {dport}{source} -j KUBE-MARK-MASQ",
                comment(&format!("{name} cluster IP"))
            ));
        }
        balance(
            tables,
            &port_chain("KUBE-SVC-", port),
            plan,
            &plan.cluster,
            first,
        );
    }
    if !plan.local.is_empty() {
        balance(
            tables,
            &port_chain("KUBE-SVL-", port),
            plan,
            &plan.local,
            Vec::new(),
        );
    }
    for endpoint in plan.endpoints() {
        let sep = endpoint_chain(port, endpoint);
        let recent = if port.affinity_timeout_seconds.is_some() {
            format!(" -m recent --name {sep} --mask 255.255.255.255 --rsource --set")
        } else {
            String::new()
        };
        tables.nat.insert(
            sep,
            vec![
                format!("{} -s {}/32 -j KUBE-MARK-MASQ", comment(&name), endpoint.ip),
                format!(
                    "{}{recent} {proto} -j DNAT --to-destination {}",
                    comment(&name),
                    endpoint.address()
                ),
            ],
        );
    }

    // KUBE-SERVICES (nat) or, with nowhere to go, the filter's reject/drop.
    let no_endpoints = |target: Target| match target {
        Target::Drop => Some((format!("{name} has no local endpoints"), "DROP")),
        Target::Reject => Some((format!("{name} has no endpoints"), "REJECT")),
        _ => None,
    };
    match target_chain(plan.internal, port) {
        Some(chain) => tables
            .nat
            .entry("KUBE-SERVICES".into())
            .or_default()
            .push(format!(
                "{} {proto} {cluster_ip} {dport} -j {chain}",
                comment(&format!("{name} cluster IP"))
            )),
        None => {
            if let Some((text, verdict)) = no_endpoints(plan.internal) {
                tables
                    .filter
                    .entry("KUBE-SERVICES".into())
                    .or_default()
                    .push(format!(
                        "{} {proto} {cluster_ip} {dport} -j {verdict}",
                        comment(&text)
                    ));
            }
        }
    }
    let Some(external) = plan.external else {
        return;
    };
    let externals = port
        .external_ips
        .iter()
        .map(|ip| (ip, "external IP"))
        .chain(
            port.load_balancer_ips
                .iter()
                .map(|ip| (ip, "loadbalancer IP")),
        );
    if let Some(ext) = target_chain(external, port) {
        let mut rules = Vec::new();
        if port.external_policy_local {
            let internal = target_chain(plan.internal, port).unwrap_or_default();
            if let Some(cidr) = config.cluster_cidr {
                rules.push(format!(
                    "{} -s {cidr} -j {internal}",
                    comment(&format!("pod traffic for {name} external destinations"))
                ));
            }
            rules.push(format!(
                "{} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
                comment(&format!(
                    "masquerade LOCAL traffic for {name} external destinations"
                ))
            ));
            rules.push(format!(
                "{} -m addrtype --src-type LOCAL -j {internal}",
                comment(&format!(
                    "route LOCAL traffic for {name} external destinations"
                ))
            ));
            match plan.external_balancer().and_then(|t| target_chain(t, port)) {
                Some(local) => rules.push(format!("-j {local}")),
                None => {
                    // What falls through is not DNATed: drop it in filter.
                    for (ip, _) in externals.clone() {
                        tables
                            .filter
                            .entry("KUBE-EXTERNAL-SERVICES".into())
                            .or_default()
                            .push(format!(
                                "{} {proto} -d {ip}/32 {dport} -j DROP",
                                comment(&format!("{name} has no local endpoints"))
                            ));
                    }
                    if let Some(node_port) = port.node_port {
                        tables
                            .filter
                            .entry("KUBE-EXTERNAL-SERVICES".into())
                            .or_default()
                            .push(format!(
                                "{} -m addrtype --dst-type LOCAL {proto} --dport {node_port} -j DROP",
                                comment(&format!("{name} has no local endpoints"))
                            ));
                    }
                }
            }
        } else {
            rules.push(format!(
                "{} -j KUBE-MARK-MASQ",
                comment(&format!(
                    "masquerade traffic for {name} external destinations"
                ))
            ));
            rules.push(format!("-j {}", port_chain("KUBE-SVC-", port)));
        }
        tables.nat.insert(ext.clone(), rules);
        for (ip, what) in externals {
            tables
                .nat
                .entry("KUBE-SERVICES".into())
                .or_default()
                .push(format!(
                    "{} {proto} -d {ip}/32 {dport} -j {ext}",
                    comment(&format!("{name} {what}"))
                ));
        }
        if let Some(node_port) = port.node_port {
            tables
                .nat
                .entry("KUBE-NODEPORTS".into())
                .or_default()
                .push(format!(
                    "{} {proto} --dport {node_port} -j {ext}",
                    comment(&name)
                ));
        }
    } else if let Some((text, verdict)) = no_endpoints(external) {
        let filter = tables
            .filter
            .entry("KUBE-EXTERNAL-SERVICES".into())
            .or_default();
        for (ip, _) in externals {
            filter.push(format!(
                "{} {proto} -d {ip}/32 {dport} -j {verdict}",
                comment(&text)
            ));
        }
        if let Some(node_port) = port.node_port {
            filter.push(format!(
                "{} -m addrtype --dst-type LOCAL {proto} --dport {node_port} -j {verdict}",
                comment(&text)
            ));
        }
    }
}

/// The chains for these Service ports.
pub fn tables(ports: &[ServicePort], config: &Config) -> Tables {
    let mut t = Tables::default();
    for chain in NAT_CHAINS {
        t.nat.insert(chain.to_string(), Vec::new());
    }
    for chain in FILTER_CHAINS {
        t.filter.insert(chain.to_string(), Vec::new());
    }
    for port in ports {
        port_rules(&mut t, config, &plan(port));
    }
    fn nat<'a>(t: &'a mut Tables, chain: &str) -> &'a mut Vec<String> {
        t.nat.entry(chain.to_string()).or_default()
    }
    nat(&mut t, "KUBE-SERVICES").push(format!(
        "{} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS",
        comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain")
    ));
    nat(&mut t, "KUBE-MARK-MASQ").push(format!("-j MARK --or-mark {MASQ_MARK}"));
    nat(&mut t, "KUBE-POSTROUTING").extend([
        format!("-m mark ! --mark {MASQ_MARK}/{MASQ_MARK} -j RETURN"),
        format!("-j MARK --xor-mark {MASQ_MARK}"),
        format!(
            "{} -j MASQUERADE --random-fully",
            comment("kubernetes service traffic requiring SNAT")
        ),
    ]);
    t.filter.entry("KUBE-FORWARD".into()).or_default().extend([
        format!(
            "{} -m mark --mark {MASQ_MARK}/{MASQ_MARK} -j ACCEPT",
            comment("kubernetes forwarding rules")
        ),
        format!(
            "{} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            comment("kubernetes forwarding conntrack rule")
        ),
    ]);
    t
}

/// One table's part of an `iptables-restore --noflush` input: the chains
/// in `write` declared (which empties them) and filled, the ones in
/// `delete` declared and removed.
fn restore_table(out: &mut String, table: &str, chains: &Chains, write: &[&str], delete: &[&str]) {
    if write.is_empty() && delete.is_empty() {
        return;
    }
    out.push_str(&format!("*{table}\n"));
    for name in write.iter().chain(delete) {
        out.push_str(&format!(":{name} - [0:0]\n"));
    }
    for name in write {
        for rule in &chains[*name] {
            out.push_str(&format!("-A {name} {rule}\n"));
        }
    }
    for name in delete {
        out.push_str(&format!("-X {name}\n"));
    }
    out.push_str("COMMIT\n");
}

/// The restore input that makes our chains `desired`: every chain when
/// `old` is None (with `leftovers`, chains of ours the kernel holds, deleted
/// unless wanted), else only the chains that changed.
pub fn restore_input(desired: &Tables, old: Option<&Tables>, leftovers: &Tables) -> String {
    let mut out = String::new();
    for (table, new_chains, old_chains, leftover) in [
        (
            "filter",
            &desired.filter,
            old.map(|o| &o.filter),
            &leftovers.filter,
        ),
        ("nat", &desired.nat, old.map(|o| &o.nat), &leftovers.nat),
    ] {
        let (write, delete): (Vec<&str>, Vec<&str>) = match old_chains {
            Some(old_chains) => {
                let changes = chains::diff(old_chains, new_chains);
                let write = changes
                    .added
                    .iter()
                    .chain(&changes.changed)
                    .copied()
                    .collect();
                (write, changes.removed)
            }
            None => (
                new_chains.keys().map(String::as_str).collect(),
                leftover
                    .keys()
                    .filter(|name| !new_chains.contains_key(*name))
                    .map(String::as_str)
                    .collect(),
            ),
        };
        restore_table(&mut out, table, new_chains, &write, &delete);
    }
    out
}

/// Our per-Service chains in `iptables-save` output, by table.
pub fn parse_save(save: &str) -> Tables {
    let mut tables = Tables::default();
    let mut table = "";
    for line in save.lines() {
        if let Some(name) = line.strip_prefix('*') {
            table = if name == "nat" {
                "nat"
            } else if name == "filter" {
                "filter"
            } else {
                ""
            };
        } else if let Some(rest) = line.strip_prefix(':') {
            let Some(chain) = rest.split_whitespace().next() else {
                continue;
            };
            if CHAIN_PREFIXES.iter().any(|p| chain.starts_with(p)) {
                let chains = if table == "nat" {
                    &mut tables.nat
                } else if table == "filter" {
                    &mut tables.filter
                } else {
                    continue;
                };
                chains.insert(chain.to_string(), Vec::new());
            }
        }
    }
    tables
}

fn jump_args<'a>(
    chain: &'a str,
    comment_text: &'a str,
    extra: &'a str,
    target: &'a str,
) -> Vec<&'a str> {
    let mut args = vec![chain];
    args.extend(extra.split_whitespace());
    args.extend(["-m", "comment", "--comment", comment_text, "-j", target]);
    args
}

/// Makes our top-level chains exist and the built-in chains jump to them.
async fn ensure_jumps() -> Result<(), SyncError> {
    let mut made = BTreeSet::new();
    for (table, _, _, _, target) in JUMPS {
        if made.insert((*table, *target)) {
            // Fails when the chain exists, which is what we want.
            let _ = run("iptables", &["-w", "-t", table, "-N", target], None).await;
        }
    }
    for (table, chain, comment_text, extra, target) in JUMPS {
        let rule = jump_args(chain, comment_text, extra, target);
        let mut check = vec!["-w", "-t", table, "-C"];
        check.extend(&rule);
        if run("iptables", &check, None).await.is_err() {
            let mut insert = vec!["-w", "-t", table, "-I"];
            insert.extend(&rule);
            run("iptables", &insert, None).await?;
        }
    }
    Ok(())
}

/// The iptables mode's state: what it last wrote to the kernel.
#[derive(Default)]
pub struct Iptables {
    applied: Option<Tables>,
}

impl Iptables {
    pub fn new() -> Iptables {
        Iptables::default()
    }

    /// Writes `desired`: everything when `full` or after a failure, else
    /// only the chains that changed. Returns whether anything was written.
    pub async fn apply(&mut self, desired: Tables, full: bool) -> Result<bool, SyncError> {
        let old = if full { None } else { self.applied.as_ref() };
        let input = match old {
            Some(old) => restore_input(&desired, Some(old), &Tables::default()),
            None => {
                ensure_jumps().await?;
                let save = run("iptables-save", &[], None).await?;
                restore_input(&desired, None, &parse_save(&save))
            }
        };
        if input.is_empty() {
            return Ok(false);
        }
        match run("iptables-restore", &["-w", "--noflush"], Some(&input)).await {
            Ok(_) => {
                self.applied = Some(desired);
                Ok(true)
            }
            Err(err) => {
                self.applied = None;
                Err(err)
            }
        }
    }
}

/// Removes our jumps and chains (`rudder proxy --cleanup`).
pub async fn cleanup() -> Result<(), SyncError> {
    for (table, chain, comment_text, extra, target) in JUMPS {
        let mut delete = vec!["-w", "-t", table, "-D"];
        delete.extend(jump_args(chain, comment_text, extra, target));
        while run("iptables", &delete, None).await.is_ok() {}
    }
    let save = run("iptables-save", &[], None).await?;
    let mut ours = parse_save(&save);
    for chain in NAT_CHAINS {
        ours.nat.insert(chain.to_string(), Vec::new());
    }
    for chain in FILTER_CHAINS {
        ours.filter.insert(chain.to_string(), Vec::new());
    }
    let mut input = String::new();
    for (table, chains) in [("filter", &ours.filter), ("nat", &ours.nat)] {
        let present: Vec<&str> = chains
            .keys()
            .map(String::as_str)
            .filter(|c| save.contains(&format!(":{c} ")))
            .collect();
        restore_table(&mut input, table, chains, &[], &present);
    }
    if !input.is_empty() {
        run("iptables-restore", &["-w", "--noflush"], Some(&input)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Ipv4Net, ServicePortName};
    use std::net::Ipv4Addr;

    fn kubernetes_service(endpoints: u8) -> ServicePort {
        ServicePort {
            endpoints: (0..endpoints)
                .map(|i| Endpoint::ready(Ipv4Addr::new(192, 168, 0, 10 + i), 6443))
                .collect(),
            ..ServicePort::new(
                ServicePortName::new("default", "kubernetes", "https"),
                Ipv4Addr::new(10, 96, 0, 1),
                443,
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
    fn chains_are_laid_out_as_upstream() {
        let t = tables(&[kubernetes_service(3)], &config());
        let services = &t.nat["KUBE-SERVICES"];
        assert_eq!(
            services[0],
            "-m comment --comment \"default/kubernetes:https cluster IP\" -m tcp -p tcp -d 10.96.0.1/32 --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y"
        );
        assert!(services.last().unwrap().contains("-j KUBE-NODEPORTS"));
        let svc = &t.nat["KUBE-SVC-NPX46M4PTMTKRN6Y"];
        assert!(svc[0].ends_with("! -s 10.244.0.0/16 -j KUBE-MARK-MASQ"));
        assert!(svc[1].contains("--probability 0.3333333333 -j KUBE-SEP-"));
        assert!(svc[2].contains("--probability 0.5000000000 -j KUBE-SEP-"));
        assert!(!svc[3].contains("statistic"));
    }

    #[test]
    fn no_endpoints_rejects_in_filter() {
        let t = tables(&[kubernetes_service(0)], &config());
        assert_eq!(t.nat["KUBE-SERVICES"].len(), 1);
        assert!(t.filter["KUBE-SERVICES"][0].ends_with("--dport 443 -j REJECT"));
        assert!(t.filter["KUBE-SERVICES"][0].contains("has no endpoints"));
    }

    #[test]
    fn restores_write_only_changed_chains() {
        let old = tables(&[kubernetes_service(1)], &config());
        let new = tables(&[kubernetes_service(2)], &config());
        let input = restore_input(&new, Some(&old), &Tables::default());
        assert!(input.contains(":KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]"));
        assert!(!input.contains("*filter"));
        assert!(!input.contains(":KUBE-SERVICES"));
        assert_eq!(restore_input(&new, Some(&new), &Tables::default()), "");
        let leftovers =
            parse_save("*nat\n:KUBE-SVC-GONE - [0:0]\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n");
        let full = restore_input(&new, None, &leftovers);
        assert!(full.contains("-X KUBE-SVC-GONE\n"));
        assert!(full.contains("*filter\n"));
    }
}
