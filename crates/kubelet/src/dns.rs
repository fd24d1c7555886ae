//! Each pod's `/etc/resolv.conf`, as the kubelet writes it for the pod's
//! dnsPolicy: `ClusterFirst` (the cluster DNS, the search path
//! `<ns>.svc.<domain> svc.<domain> <domain>` and `ndots:5`), `Default` (the
//! node's own resolv.conf), `None` (only the pod's dnsConfig), and
//! `ClusterFirstWithHostNet`; dnsConfig's nameservers, searches and options
//! are merged in as upstream merges them.

use std::net::IpAddr;
use std::path::PathBuf;

use k8s_openapi::api::core::v1::Pod;

/// The node's DNS settings (`--cluster-dns`, `--cluster-domain`,
/// `--resolv-conf`).
#[derive(Clone, Debug)]
pub struct ClusterDns {
    pub servers: Vec<IpAddr>,
    pub domain: String,
    /// The resolv.conf `Default` pods get (`/etc/resolv.conf`).
    pub host_resolv_conf: PathBuf,
}

impl Default for ClusterDns {
    fn default() -> Self {
        ClusterDns {
            servers: Vec::new(),
            domain: "cluster.local".to_string(),
            host_resolv_conf: PathBuf::from("/etc/resolv.conf"),
        }
    }
}

/// Upstream's limits: more nameservers or search domains are dropped.
const MAX_NAMESERVERS: usize = 3;
const MAX_SEARCHES: usize = 32;

#[derive(Debug, Default, PartialEq, Eq)]
struct ResolvConf {
    nameservers: Vec<String>,
    searches: Vec<String>,
    options: Vec<String>,
}

fn parse(text: &str) -> ResolvConf {
    let mut conf = ResolvConf::default();
    for line in text.lines() {
        let line = line.split(['#', ';']).next().unwrap_or_default();
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => conf.nameservers.extend(words.next().map(str::to_string)),
            // The last search (or domain) line wins, as in resolv.conf(5).
            Some("search") | Some("domain") => {
                conf.searches = words.map(str::to_string).collect();
            }
            Some("options") => conf.options.extend(words.map(str::to_string)),
            _ => {}
        }
    }
    conf
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

/// Options merged by name: a later `ndots:2` replaces `ndots:5`.
fn merge_option(options: &mut Vec<String>, option: String) {
    let name = option.split(':').next().unwrap_or_default().to_string();
    options.retain(|o| o.split(':').next() != Some(name.as_str()));
    options.push(option);
}

/// What the pod's resolv.conf holds, and a warning for the pod's events
/// (`reason`, `message`) when the kubelet had to depart from what was asked.
pub fn pod_resolv_conf(
    pod: &Pod,
    dns: &ClusterDns,
    host_text: &str,
) -> (String, Option<(&'static str, String)>) {
    let spec = pod.spec.as_ref();
    let host_network = spec.and_then(|s| s.host_network).unwrap_or(false);
    let policy = spec
        .and_then(|s| s.dns_policy.as_deref())
        .unwrap_or("ClusterFirst");
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut warning = None;
    let host = parse(host_text);
    let cluster = match policy {
        "ClusterFirstWithHostNet" => true,
        "ClusterFirst" => !host_network,
        _ => false,
    };
    let mut conf = if policy == "None" {
        ResolvConf::default()
    } else if cluster && dns.servers.is_empty() {
        warning = Some((
            "MissingClusterDNS",
            format!(
                "pod: {:?}. kubelet does not have ClusterDNS IP configured and cannot create Pod using \"{policy}\" policy. Falling back to \"Default\" policy.",
                pod.metadata.name.as_deref().unwrap_or_default()
            ),
        ));
        host
    } else if cluster {
        let domain = dns.domain.trim_end_matches('.');
        let mut searches = vec![
            format!("{namespace}.svc.{domain}"),
            format!("svc.{domain}"),
            domain.to_string(),
        ];
        for search in host.searches {
            push_unique(&mut searches, &search);
        }
        ResolvConf {
            nameservers: dns.servers.iter().map(IpAddr::to_string).collect(),
            searches,
            options: vec!["ndots:5".to_string()],
        }
    } else {
        host
    };

    if let Some(config) = spec.and_then(|s| s.dns_config.as_ref()) {
        for server in config.nameservers.iter().flatten() {
            push_unique(&mut conf.nameservers, server);
        }
        for search in config.searches.iter().flatten() {
            push_unique(&mut conf.searches, search);
        }
        for option in config.options.iter().flatten() {
            let Some(name) = option.name.as_deref() else {
                continue;
            };
            let text = match option.value.as_deref() {
                Some(value) => format!("{name}:{value}"),
                None => name.to_string(),
            };
            merge_option(&mut conf.options, text);
        }
    }
    if conf.nameservers.len() > MAX_NAMESERVERS {
        conf.nameservers.truncate(MAX_NAMESERVERS);
        warning = Some((
            "DNSConfigForming",
            format!(
                "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: {}",
                conf.nameservers.join(" ")
            ),
        ));
    }
    if conf.searches.len() > MAX_SEARCHES {
        conf.searches.truncate(MAX_SEARCHES);
        warning = Some((
            "DNSConfigForming",
            format!(
                "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: {}",
                conf.searches.join(" ")
            ),
        ));
    }

    let mut text = String::new();
    for server in &conf.nameservers {
        text.push_str(&format!("nameserver {server}\n"));
    }
    if !conf.searches.is_empty() {
        text.push_str(&format!("search {}\n", conf.searches.join(" ")));
    }
    if !conf.options.is_empty() {
        text.push_str(&format!("options {}\n", conf.options.join(" ")));
    }
    (text, warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(spec: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": spec,
        }))
        .unwrap()
    }

    fn cluster() -> ClusterDns {
        ClusterDns {
            servers: vec!["10.96.0.10".parse().unwrap()],
            ..ClusterDns::default()
        }
    }

    const HOST: &str = "# host\nnameserver 192.168.1.1\nsearch lan\noptions edns0\n";

    #[test]
    fn cluster_first_uses_the_cluster_dns_and_search_path() {
        let (text, warning) = pod_resolv_conf(
            &pod(serde_json::json!({"containers": []})),
            &cluster(),
            HOST,
        );
        assert_eq!(
            text,
            "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local lan\noptions ndots:5\n"
        );
        assert!(warning.is_none());
    }

    #[test]
    fn host_network_and_default_use_the_nodes_resolvers() {
        let host_net = pod(serde_json::json!({"containers": [], "hostNetwork": true}));
        assert_eq!(
            pod_resolv_conf(&host_net, &cluster(), HOST).0,
            "nameserver 192.168.1.1\nsearch lan\noptions edns0\n"
        );
        let with_host_net = pod(serde_json::json!({
            "containers": [], "hostNetwork": true, "dnsPolicy": "ClusterFirstWithHostNet"}));
        assert!(
            pod_resolv_conf(&with_host_net, &cluster(), HOST)
                .0
                .starts_with("nameserver 10.96.0.10\n")
        );
        let default = pod(serde_json::json!({"containers": [], "dnsPolicy": "Default"}));
        assert!(
            pod_resolv_conf(&default, &cluster(), HOST)
                .0
                .starts_with("nameserver 192.168.1.1\n")
        );
    }

    #[test]
    fn none_takes_only_dns_config_and_options_merge_by_name() {
        let none = pod(serde_json::json!({
            "containers": [], "dnsPolicy": "None",
            "dnsConfig": {"nameservers": ["1.1.1.1"], "searches": ["a.example"],
                          "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}}));
        assert_eq!(
            pod_resolv_conf(&none, &cluster(), HOST).0,
            "nameserver 1.1.1.1\nsearch a.example\noptions ndots:2 edns0\n"
        );
        let merged = pod(serde_json::json!({
            "containers": [],
            "dnsConfig": {"options": [{"name": "ndots", "value": "1"}]}}));
        assert!(
            pod_resolv_conf(&merged, &cluster(), HOST)
                .0
                .ends_with("options ndots:1\n")
        );
    }

    #[test]
    fn cluster_first_without_cluster_dns_falls_back_with_an_event() {
        let (text, warning) = pod_resolv_conf(
            &pod(serde_json::json!({"containers": []})),
            &ClusterDns::default(),
            HOST,
        );
        assert!(text.starts_with("nameserver 192.168.1.1\n"));
        assert_eq!(warning.unwrap().0, "MissingClusterDNS");
    }
}
