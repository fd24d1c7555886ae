//! What the proxy programs, whatever the packet filter: every port of every
//! Service with the addresses it is reached at and the endpoints its
//! EndpointSlices give it, chosen as upstream's proxy chooses them (ready
//! endpoints, else serving terminating ones; local ones for the `Local`
//! traffic policies).

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

pub use api::cidr::Ipv4Cidr as Ipv4Net;

/// The protocols a Service port carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    fn parse(text: Option<&str>) -> Option<Protocol> {
        match text.unwrap_or("TCP") {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// The lower-case name, as iptables and nftables spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }
}

/// `namespace/name:port` (`namespace/name` for an unnamed port), as
/// upstream names a Service port in rule comments and metrics.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServicePortName {
    pub namespace: String,
    pub name: String,
    pub port: String,
}

impl ServicePortName {
    pub fn new(namespace: &str, name: &str, port: &str) -> ServicePortName {
        ServicePortName {
            namespace: namespace.to_string(),
            name: name.to_string(),
            port: port.to_string(),
        }
    }
}

impl fmt::Display for ServicePortName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)?;
        if !self.port.is_empty() {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// One address of an EndpointSlice, for one Service port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Endpoint {
    pub ip: Ipv4Addr,
    pub port: u16,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    /// On the node this proxy runs for.
    pub local: bool,
}

impl Endpoint {
    /// A ready endpoint on another node.
    pub fn ready(ip: Ipv4Addr, port: u16) -> Endpoint {
        Endpoint {
            ip,
            port,
            ready: true,
            serving: true,
            terminating: false,
            local: false,
        }
    }

    /// `10.244.1.15:80`, as rule comments and chain names spell it.
    pub fn address(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }
}

/// One port of a Service that has a cluster IP, with its endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePort {
    pub name: ServicePortName,
    pub protocol: Protocol,
    pub cluster_ip: Ipv4Addr,
    pub port: u16,
    pub node_port: Option<u16>,
    pub external_ips: Vec<Ipv4Addr>,
    pub load_balancer_ips: Vec<Ipv4Addr>,
    /// sessionAffinity ClientIP: how long a client stays with its endpoint.
    pub affinity_timeout_seconds: Option<u32>,
    pub external_policy_local: bool,
    pub internal_policy_local: bool,
    pub endpoints: Vec<Endpoint>,
}

/// The endpoints a Service port's traffic may go to.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Categorized<'a> {
    /// For traffic that may go anywhere in the cluster.
    pub cluster: Vec<&'a Endpoint>,
    /// For traffic that must stay on this node.
    pub local: Vec<&'a Endpoint>,
    /// Whether any endpoint anywhere could serve (so an empty choice means
    /// "none here", dropped, rather than "none at all", rejected).
    pub any: bool,
}

impl ServicePort {
    /// `namespace/name:port_name` on `cluster_ip:port`, TCP, with no
    /// endpoints, node port or external address and the Cluster policies.
    pub fn new(name: ServicePortName, cluster_ip: Ipv4Addr, port: u16) -> ServicePort {
        ServicePort {
            name,
            protocol: Protocol::Tcp,
            cluster_ip,
            port,
            node_port: None,
            external_ips: Vec::new(),
            load_balancer_ips: Vec::new(),
            affinity_timeout_seconds: None,
            external_policy_local: false,
            internal_policy_local: false,
            endpoints: Vec::new(),
        }
    }

    /// Reached from outside the cluster: a node port, external IPs or a
    /// load balancer's addresses.
    pub fn externally_accessible(&self) -> bool {
        self.node_port.is_some()
            || !self.external_ips.is_empty()
            || !self.load_balancer_ips.is_empty()
    }

    fn uses_cluster_endpoints(&self) -> bool {
        !self.internal_policy_local || (self.externally_accessible() && !self.external_policy_local)
    }

    fn uses_local_endpoints(&self) -> bool {
        self.internal_policy_local || (self.externally_accessible() && self.external_policy_local)
    }

    /// Ready endpoints, or when none is ready the serving terminating ones
    /// (so a rollout's last pods keep answering while they drain).
    pub fn categorize(&self) -> Categorized<'_> {
        let usable = |filter: &dyn Fn(&Endpoint) -> bool| -> Vec<&Endpoint> {
            let ready: Vec<&Endpoint> = self
                .endpoints
                .iter()
                .filter(|e| filter(e) && e.ready)
                .collect();
            if !ready.is_empty() {
                return ready;
            }
            self.endpoints
                .iter()
                .filter(|e| filter(e) && e.serving && e.terminating)
                .collect()
        };
        let mut categorized = Categorized::default();
        if self.uses_cluster_endpoints() {
            categorized.cluster = usable(&|_| true);
        }
        if self.uses_local_endpoints() {
            categorized.local = usable(&|e| e.local);
        }
        categorized.any = self
            .endpoints
            .iter()
            .any(|e| e.ready || (e.serving && e.terminating));
        categorized
    }

    /// The endpoints of traffic to the cluster IP.
    pub fn internal_endpoints<'a>(&self, categorized: &Categorized<'a>) -> Vec<&'a Endpoint> {
        if self.internal_policy_local {
            categorized.local.clone()
        } else {
            categorized.cluster.clone()
        }
    }

    /// The endpoints of traffic to the node port, external and load
    /// balancer addresses.
    pub fn external_endpoints<'a>(&self, categorized: &Categorized<'a>) -> Vec<&'a Endpoint> {
        if self.external_policy_local {
            categorized.local.clone()
        } else {
            categorized.cluster.clone()
        }
    }
}

fn parse_ips(values: impl IntoIterator<Item = impl AsRef<str>>) -> Vec<Ipv4Addr> {
    values
        .into_iter()
        .filter_map(|v| v.as_ref().parse().ok())
        .collect()
}

/// Every proxied port of the given Services, with endpoints from the
/// slices (matched by the `kubernetes.io/service-name` label and the port's
/// name and protocol). Headless and ExternalName Services, IPv6 addresses
/// and slices of other families are not proxied.
pub fn service_ports<'a>(
    services: impl IntoIterator<Item = &'a Service>,
    slices: impl IntoIterator<Item = &'a EndpointSlice>,
    node_name: &str,
) -> Vec<ServicePort> {
    // (namespace, service) → (port name, protocol) → endpoints
    type SliceKey = (String, String);
    let mut endpoints: BTreeMap<SliceKey, BTreeMap<(String, Protocol), Vec<Endpoint>>> =
        BTreeMap::new();
    for slice in slices {
        if slice.address_type != "IPv4" {
            continue;
        }
        let Some(service) = slice
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/service-name"))
        else {
            continue;
        };
        let namespace = slice.metadata.namespace.clone().unwrap_or_default();
        let by_port = endpoints.entry((namespace, service.clone())).or_default();
        for port in slice.ports.iter().flatten() {
            let Some(number) = port.port.and_then(|p| u16::try_from(p).ok()) else {
                continue;
            };
            let Some(protocol) = Protocol::parse(port.protocol.as_deref()) else {
                continue;
            };
            let list = by_port
                .entry((port.name.clone().unwrap_or_default(), protocol))
                .or_default();
            for endpoint in &slice.endpoints {
                let conditions = endpoint.conditions.as_ref();
                let ready = conditions.and_then(|c| c.ready).unwrap_or(true);
                let serving = conditions.and_then(|c| c.serving).unwrap_or(ready);
                let terminating = conditions.and_then(|c| c.terminating).unwrap_or(false);
                let local = endpoint.node_name.as_deref() == Some(node_name);
                for ip in parse_ips(&endpoint.addresses) {
                    let candidate = Endpoint {
                        ip,
                        port: number,
                        ready,
                        serving,
                        terminating,
                        local,
                    };
                    // The same address in two slices (a slice being
                    // replaced) counts once.
                    if !list.iter().any(|e| e.ip == ip && e.port == number) {
                        list.push(candidate);
                    }
                }
            }
        }
    }

    let mut ports = Vec::new();
    for service in services {
        let Some(spec) = service.spec.as_ref() else {
            continue;
        };
        if spec.type_.as_deref() == Some("ExternalName") {
            continue;
        }
        let Some(cluster_ip) = spec
            .cluster_ip
            .as_deref()
            .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
        else {
            continue; // headless, unallocated or IPv6
        };
        let namespace = service.metadata.namespace.clone().unwrap_or_default();
        let name = service.metadata.name.clone().unwrap_or_default();
        let load_balancer_ips = parse_ips(
            service
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|i| i.ip.clone()),
        );
        let affinity_timeout_seconds =
            (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
                spec.session_affinity_config
                    .as_ref()
                    .and_then(|c| c.client_ip.as_ref())
                    .and_then(|c| c.timeout_seconds)
                    .and_then(|t| u32::try_from(t).ok())
                    .unwrap_or(10800)
            });
        let type_ = spec.type_.as_deref().unwrap_or("ClusterIP");
        let by_port = endpoints.get(&(namespace.clone(), name.clone()));
        for port in spec.ports.iter().flatten() {
            let Some(protocol) = Protocol::parse(port.protocol.as_deref()) else {
                continue;
            };
            let Ok(number) = u16::try_from(port.port) else {
                continue;
            };
            let port_name = port.name.clone().unwrap_or_default();
            let mut port_endpoints = by_port
                .and_then(|b| b.get(&(port_name.clone(), protocol)))
                .cloned()
                .unwrap_or_default();
            port_endpoints.sort();
            ports.push(ServicePort {
                name: ServicePortName {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    port: port_name,
                },
                protocol,
                cluster_ip,
                port: number,
                node_port: port
                    .node_port
                    .and_then(|p| u16::try_from(p).ok())
                    .filter(|_| matches!(type_, "NodePort" | "LoadBalancer")),
                external_ips: parse_ips(spec.external_ips.iter().flatten()),
                load_balancer_ips: load_balancer_ips.clone(),
                affinity_timeout_seconds,
                external_policy_local: spec.external_traffic_policy.as_deref() == Some("Local"),
                internal_policy_local: spec.internal_traffic_policy.as_deref() == Some("Local"),
                endpoints: port_endpoints,
            });
        }
    }
    ports.sort_by(|a, b| (&a.name, a.protocol).cmp(&(&b.name, b.protocol)));
    ports
}

/// The first `len` characters of the base32 SHA-256 of `text`: the stable
/// suffix of upstream's chain names (`KUBE-SVC-…`).
pub fn chain_hash(text: &str, len: usize) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let encoded = data_encoding::BASE32.encode(digest.as_ref());
    encoded[..len.min(encoded.len())].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(json: serde_json::Value) -> Service {
        serde_json::from_value(json).unwrap()
    }

    fn slice(json: serde_json::Value) -> EndpointSlice {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn chain_hashes_are_upstreams() {
        // The kubernetes Service's chain has this name on every cluster.
        assert_eq!(
            chain_hash("default/kubernetes:httpstcp", 16),
            "NPX46M4PTMTKRN6Y"
        );
    }

    #[test]
    fn ports_take_their_endpoints_by_name_and_protocol() {
        let svc = service(serde_json::json!({
            "metadata": {"namespace": "ns", "name": "web"},
            "spec": {"clusterIP": "10.96.0.20", "type": "NodePort",
                     "sessionAffinity": "ClientIP",
                     "ports": [{"name": "http", "port": 80, "nodePort": 30080},
                               {"name": "dns", "port": 53, "protocol": "UDP"}]}
        }));
        let headless = service(serde_json::json!({
            "metadata": {"namespace": "ns", "name": "db"},
            "spec": {"clusterIP": "None", "ports": [{"port": 5432}]}
        }));
        let eps = slice(serde_json::json!({
            "metadata": {"namespace": "ns", "name": "web-abc",
                         "labels": {"kubernetes.io/service-name": "web"}},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [
                {"addresses": ["10.244.1.5"], "nodeName": "n1", "conditions": {"ready": true}},
                {"addresses": ["10.244.2.5"], "nodeName": "n2",
                 "conditions": {"ready": false, "serving": true, "terminating": true}}
            ]
        }));
        let ports = service_ports([&svc, &headless], [&eps], "n1");
        assert_eq!(ports.len(), 2);
        let dns = &ports[0];
        assert_eq!(dns.name.to_string(), "ns/web:dns");
        assert_eq!(dns.protocol, Protocol::Udp);
        assert!(dns.endpoints.is_empty());
        let http = &ports[1];
        assert_eq!(http.node_port, Some(30080));
        assert_eq!(http.affinity_timeout_seconds, Some(10800));
        assert_eq!(http.endpoints.len(), 2);
        assert!(http.endpoints[0].local && !http.endpoints[1].local);
        let categorized = http.categorize();
        assert_eq!(http.internal_endpoints(&categorized).len(), 1);
    }

    #[test]
    fn terminating_endpoints_serve_only_when_none_is_ready() {
        let endpoint = |ip: [u8; 4], ready, local| Endpoint {
            ip: Ipv4Addr::from(ip),
            port: 80,
            ready,
            serving: true,
            terminating: !ready,
            local,
        };
        let mut port = ServicePort {
            name: ServicePortName {
                namespace: "ns".into(),
                name: "web".into(),
                port: String::new(),
            },
            protocol: Protocol::Tcp,
            cluster_ip: Ipv4Addr::new(10, 96, 0, 20),
            port: 80,
            node_port: Some(30080),
            external_ips: vec![],
            load_balancer_ips: vec![],
            affinity_timeout_seconds: None,
            external_policy_local: true,
            internal_policy_local: false,
            endpoints: vec![
                endpoint([10, 0, 0, 1], false, true),
                endpoint([10, 0, 0, 2], true, false),
            ],
        };
        let c = port.categorize();
        assert_eq!(c.cluster.len(), 1);
        assert_eq!(c.cluster[0].ip, Ipv4Addr::new(10, 0, 0, 2));
        // Local traffic policy: the only local one is terminating, so it serves.
        assert_eq!(
            port.external_endpoints(&c)[0].ip,
            Ipv4Addr::new(10, 0, 0, 1)
        );
        port.endpoints.truncate(0);
        let c = port.categorize();
        assert!(!c.any && c.cluster.is_empty());
    }
}
