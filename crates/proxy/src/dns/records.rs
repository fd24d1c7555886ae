//! The cluster's DNS zone as data, built from Services and EndpointSlices
//! with the names the Kubernetes DNS specification gives them:
//! - `<svc>.<ns>.svc.<zone>`: A for the cluster IP; for a headless Service
//!   one A per ready endpoint; CNAME for an ExternalName Service;
//! - `<hostname>.<svc>.<ns>.svc.<zone>` for endpoints with a hostname (the
//!   pods of a StatefulSet), `<a-b-c-d>.<svc>.<ns>.svc.<zone>` for the others
//!   of a headless Service;
//! - `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: SRV for named ports;
//! - `<a-b-c-d>.<ns>.pod.<zone>`: A, for any address (CoreDNS's `pods
//!   insecure`);
//! - PTR for cluster IPs and headless endpoints.
//!
//! Names that exist without records (`<ns>.svc.<zone>`) answer NODATA,
//! names that do not exist NXDOMAIN, so search-path expansion moves on.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::Ipv4Addr;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

/// One record's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    A(Ipv4Addr),
    Cname(String),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
    Ptr(String),
}

impl Data {
    pub fn type_name(&self) -> &'static str {
        match self {
            Data::A(_) => "A",
            Data::Cname(_) => "CNAME",
            Data::Srv { .. } => "SRV",
            Data::Ptr(_) => "PTR",
        }
    }
}

/// What the zone says of a name and type.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The records (a CNAME answers every type).
    Records(Vec<(String, Data)>),
    /// The name exists, with no record of this type.
    NoData,
    /// The name does not exist in a zone we serve.
    NxDomain,
    /// Not a name of ours: forward it.
    NotOurs,
}

/// Every name the cluster serves; lower case, fully qualified (`…local.`).
#[derive(Debug, Default)]
pub struct Zone {
    pub domain: String,
    records: HashMap<String, Vec<Data>>,
    /// Names with records below them (`svc.<zone>`, `<ns>.svc.<zone>`).
    parents: HashSet<String>,
}

/// A named port: (name, lower-case protocol, number).
type NamedPort = (String, String, u16);

/// The named ports among `(name, protocol, number)` triples.
fn named_ports<'a>(
    ports: impl IntoIterator<Item = (Option<&'a String>, Option<&'a String>, Option<i32>)>,
) -> Vec<NamedPort> {
    ports
        .into_iter()
        .filter_map(|(name, protocol, number)| {
            let name = name.filter(|n| !n.is_empty())?.clone();
            let protocol = protocol.map_or("tcp".to_string(), |p| p.to_ascii_lowercase());
            Some((name, protocol, u16::try_from(number?).ok()?))
        })
        .collect()
}

fn dashed(ip: Ipv4Addr) -> String {
    ip.to_string().replace('.', "-")
}

/// `5.0.96.10.in-addr.arpa.` for 10.96.0.5.
pub fn reverse_name(ip: Ipv4Addr) -> String {
    let [a, b, c, d] = ip.octets();
    format!("{d}.{c}.{b}.{a}.in-addr.arpa.")
}

fn fqdn(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with('.') {
        lower
    } else {
        format!("{lower}.")
    }
}

impl Zone {
    /// `domain` is the cluster domain, `cluster.local`.
    pub fn build<'a>(
        domain: &str,
        services: impl IntoIterator<Item = &'a Service>,
        slices: impl IntoIterator<Item = &'a EndpointSlice>,
    ) -> Zone {
        let domain = fqdn(domain);
        let mut zone = Zone {
            domain: domain.clone(),
            ..Zone::default()
        };
        // (namespace, service) → slices
        let mut by_service: BTreeMap<(String, String), Vec<&EndpointSlice>> = BTreeMap::new();
        for slice in slices {
            if slice.address_type != "IPv4" {
                continue;
            }
            if let Some(service) = slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/service-name"))
            {
                let namespace = slice.metadata.namespace.clone().unwrap_or_default();
                by_service
                    .entry((namespace, service.clone()))
                    .or_default()
                    .push(slice);
            }
        }
        for service in services {
            let (Some(namespace), Some(name), Some(spec)) = (
                service.metadata.namespace.as_deref(),
                service.metadata.name.as_deref(),
                service.spec.as_ref(),
            ) else {
                continue;
            };
            let service_name = format!("{name}.{namespace}.svc.{domain}");
            let slices = by_service
                .get(&(namespace.to_string(), name.to_string()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            if spec.type_.as_deref() == Some("ExternalName") {
                if let Some(target) = spec.external_name.as_deref().filter(|t| !t.is_empty()) {
                    zone.add(&service_name, Data::Cname(fqdn(target)));
                }
                continue;
            }
            let cluster_ip = spec.cluster_ip.as_deref().unwrap_or_default();
            let headless = cluster_ip == "None";
            let ports = named_ports(
                spec.ports
                    .iter()
                    .flatten()
                    .map(|p| (p.name.as_ref(), p.protocol.as_ref(), Some(p.port))),
            );
            if !headless {
                let Ok(ip) = cluster_ip.parse::<Ipv4Addr>() else {
                    continue; // not allocated yet, or IPv6
                };
                zone.add(&service_name, Data::A(ip));
                zone.add(&reverse_name(ip), Data::Ptr(service_name.clone()));
                for (port, protocol, number) in &ports {
                    let srv = Data::Srv {
                        priority: 0,
                        weight: 100,
                        port: *number,
                        target: service_name.clone(),
                    };
                    zone.add(&format!("_{port}._{protocol}.{service_name}"), srv.clone());
                    zone.add(&service_name, srv);
                }
                continue;
            }
            // Headless: the ready endpoints, each under its own name too.
            let mut endpoints: Vec<(Ipv4Addr, String, Vec<NamedPort>)> = Vec::new();
            for slice in slices {
                let slice_ports = named_ports(
                    slice
                        .ports
                        .iter()
                        .flatten()
                        .map(|p| (p.name.as_ref(), p.protocol.as_ref(), p.port)),
                );
                for endpoint in &slice.endpoints {
                    let ready = endpoint
                        .conditions
                        .as_ref()
                        .and_then(|c| c.ready)
                        .unwrap_or(true);
                    if !ready {
                        continue;
                    }
                    for address in &endpoint.addresses {
                        let Ok(ip) = address.parse::<Ipv4Addr>() else {
                            continue;
                        };
                        let label = endpoint
                            .hostname
                            .clone()
                            .filter(|h| !h.is_empty())
                            .unwrap_or_else(|| dashed(ip));
                        endpoints.push((ip, label, slice_ports.clone()));
                    }
                }
            }
            endpoints.sort();
            endpoints.dedup_by(|a, b| a.0 == b.0);
            if endpoints.is_empty() {
                zone.touch(&service_name);
            }
            let count = u16::try_from(endpoints.len()).unwrap_or(u16::MAX).max(1);
            for (ip, label, endpoint_ports) in &endpoints {
                let endpoint_name = format!("{label}.{service_name}");
                zone.add(&service_name, Data::A(*ip));
                zone.add(&endpoint_name, Data::A(*ip));
                zone.add(&reverse_name(*ip), Data::Ptr(endpoint_name.clone()));
                for (port, protocol, number) in endpoint_ports {
                    let srv = Data::Srv {
                        priority: 0,
                        weight: 100 / count,
                        port: *number,
                        target: endpoint_name.clone(),
                    };
                    zone.add(&format!("_{port}._{protocol}.{service_name}"), srv.clone());
                    zone.add(&service_name, srv);
                }
            }
        }
        zone
    }

    fn add(&mut self, name: &str, data: Data) {
        let name = fqdn(name);
        self.touch(&name);
        let list = self.records.entry(name).or_default();
        if !list.contains(&data) {
            list.push(data);
        }
    }

    /// Makes `name` and the names above it exist.
    fn touch(&mut self, name: &str) {
        let name = fqdn(name);
        let mut rest = name.as_str();
        while let Some((_, parent)) = rest.split_once('.') {
            if parent.is_empty() {
                break;
            }
            self.parents.insert(parent.to_string());
            rest = parent;
        }
        self.records.entry(name).or_default();
    }

    fn in_zone(&self, name: &str) -> bool {
        name == self.domain || name.ends_with(&format!(".{}", self.domain))
    }

    /// Whether PTR questions for this reverse name are ours to answer
    /// (those for addresses we do not know are forwarded).
    fn exists(&self, name: &str) -> bool {
        self.records.contains_key(name) || self.parents.contains(name)
    }

    /// Answers `name` (any case, with or without the final dot) for
    /// `record_type` (`A`, `AAAA`, `SRV`, `PTR`, `CNAME`, `ANY`, …).
    pub fn lookup(&self, name: &str, record_type: &str) -> Lookup {
        let name = fqdn(name);
        if name.ends_with(".in-addr.arpa.") {
            return match self.records.get(&name) {
                Some(records) if record_type == "PTR" || record_type == "ANY" => {
                    Lookup::Records(records.iter().map(|d| (name.clone(), d.clone())).collect())
                }
                Some(_) => Lookup::NoData,
                None => Lookup::NotOurs,
            };
        }
        if !self.in_zone(&name) {
            return Lookup::NotOurs;
        }
        if let Some(ip) = self.pod_address(&name) {
            return match record_type {
                "A" | "ANY" => Lookup::Records(vec![(name, Data::A(ip))]),
                _ => Lookup::NoData,
            };
        }
        let Some(records) = self.records.get(&name) else {
            return if self.exists(&name) {
                Lookup::NoData
            } else {
                Lookup::NxDomain
            };
        };
        let matching: Vec<(String, Data)> = records
            .iter()
            .filter(|d| {
                record_type == "ANY" || d.type_name() == record_type || matches!(d, Data::Cname(_))
            })
            .map(|d| (name.clone(), d.clone()))
            .collect();
        if matching.is_empty() {
            Lookup::NoData
        } else {
            Lookup::Records(matching)
        }
    }

    /// `10-244-1-5.<ns>.pod.<zone>` → 10.244.1.5.
    fn pod_address(&self, name: &str) -> Option<Ipv4Addr> {
        let rest = name.strip_suffix(&format!(".pod.{}", self.domain))?;
        let (label, namespace) = rest.split_once('.')?;
        if namespace.is_empty() || namespace.contains('.') {
            return None;
        }
        label.replace('-', ".").parse().ok()
    }

    /// How many names the zone holds (for logs and benchmarks).
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> Zone {
        let services: Vec<Service> = serde_json::from_value(serde_json::json!([
            {"metadata": {"namespace": "blockchain", "name": "alice"},
             "spec": {"clusterIP": "None",
                      "ports": [{"name": "p2p", "port": 30333}]}},
            {"metadata": {"namespace": "monitoring", "name": "nfs-exporter"},
             "spec": {"clusterIP": "10.96.4.20",
                      "ports": [{"name": "metrics", "port": 9100}]}},
            {"metadata": {"namespace": "default", "name": "search"},
             "spec": {"type": "ExternalName", "externalName": "example.com"}}
        ]))
        .unwrap();
        let slices: Vec<EndpointSlice> = serde_json::from_value(serde_json::json!([
            {"metadata": {"namespace": "blockchain", "name": "alice-x",
                          "labels": {"kubernetes.io/service-name": "alice"}},
             "addressType": "IPv4",
             "ports": [{"name": "p2p", "port": 30333, "protocol": "TCP"}],
             "endpoints": [
                {"addresses": ["10.244.1.15"], "hostname": "alice-0", "conditions": {"ready": true}},
                {"addresses": ["10.244.1.16"], "conditions": {"ready": true}},
                {"addresses": ["10.244.1.17"], "conditions": {"ready": false}}
             ]}
        ]))
        .unwrap();
        Zone::build("cluster.local", &services, &slices)
    }

    #[test]
    fn services_resolve_to_their_cluster_ip() {
        let zone = zone();
        assert_eq!(
            zone.lookup("NFS-exporter.monitoring.svc.cluster.local", "A"),
            Lookup::Records(vec![(
                "nfs-exporter.monitoring.svc.cluster.local.".into(),
                Data::A(Ipv4Addr::new(10, 96, 4, 20))
            )])
        );
        assert_eq!(
            zone.lookup("nfs-exporter.monitoring.svc.cluster.local.", "AAAA"),
            Lookup::NoData
        );
        assert_eq!(
            zone.lookup(
                "_metrics._tcp.nfs-exporter.monitoring.svc.cluster.local.",
                "SRV"
            ),
            Lookup::Records(vec![(
                "_metrics._tcp.nfs-exporter.monitoring.svc.cluster.local.".into(),
                Data::Srv {
                    priority: 0,
                    weight: 100,
                    port: 9100,
                    target: "nfs-exporter.monitoring.svc.cluster.local.".into()
                }
            )])
        );
        assert_eq!(
            zone.lookup("20.4.96.10.in-addr.arpa.", "PTR"),
            Lookup::Records(vec![(
                "20.4.96.10.in-addr.arpa.".into(),
                Data::Ptr("nfs-exporter.monitoring.svc.cluster.local.".into())
            )])
        );
    }

    #[test]
    fn headless_services_list_ready_endpoints_by_name() {
        let zone = zone();
        let Lookup::Records(records) = zone.lookup("alice.blockchain.svc.cluster.local.", "A")
        else {
            panic!("no records");
        };
        let ips: Vec<_> = records.iter().map(|(_, d)| d.clone()).collect();
        assert_eq!(
            ips,
            [
                Data::A(Ipv4Addr::new(10, 244, 1, 15)),
                Data::A(Ipv4Addr::new(10, 244, 1, 16))
            ]
        );
        assert_eq!(
            zone.lookup("alice-0.alice.blockchain.svc.cluster.local.", "A"),
            Lookup::Records(vec![(
                "alice-0.alice.blockchain.svc.cluster.local.".into(),
                Data::A(Ipv4Addr::new(10, 244, 1, 15))
            )])
        );
        assert!(matches!(
            zone.lookup("10-244-1-16.alice.blockchain.svc.cluster.local.", "A"),
            Lookup::Records(_)
        ));
        let Lookup::Records(srv) =
            zone.lookup("_p2p._tcp.alice.blockchain.svc.cluster.local.", "SRV")
        else {
            panic!("no SRV");
        };
        assert_eq!(srv.len(), 2);
    }

    #[test]
    fn search_path_names_do_not_exist_and_others_are_forwarded() {
        let zone = zone();
        assert_eq!(
            zone.lookup("example.com.blockchain.svc.cluster.local.", "A"),
            Lookup::NxDomain
        );
        assert_eq!(
            zone.lookup("blockchain.svc.cluster.local.", "A"),
            Lookup::NoData
        );
        assert_eq!(zone.lookup("svc.cluster.local.", "A"), Lookup::NoData);
        assert_eq!(zone.lookup("example.com.", "A"), Lookup::NotOurs);
        assert_eq!(zone.lookup("1.1.1.1.in-addr.arpa.", "PTR"), Lookup::NotOurs);
        assert_eq!(
            zone.lookup("10-244-7-3.default.pod.cluster.local.", "A"),
            Lookup::Records(vec![(
                "10-244-7-3.default.pod.cluster.local.".into(),
                Data::A(Ipv4Addr::new(10, 244, 7, 3))
            )])
        );
        assert_eq!(
            zone.lookup("search.default.svc.cluster.local.", "A"),
            Lookup::Records(vec![(
                "search.default.svc.cluster.local.".into(),
                Data::Cname("example.com.".into())
            )])
        );
    }
}
