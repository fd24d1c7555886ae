//! The Endpoints controller: each Service with a selector gets an
//! Endpoints object of the same name listing the pods it selects — ready
//! pods under `addresses`, the others under `notReadyAddresses` (all ready
//! with `publishNotReadyAddresses`) — with each service port resolved
//! against each pod (named target ports looked up in its containers), the
//! subsets packed as upstream packs them, and at most 1,000 addresses
//! (the rest cut, with the over-capacity annotation). Services without a
//! selector are left to whoever manages their endpoints.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
    ServicePort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, PostParams};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_forbidden, is_not_found, pods};

const NAME: &str = "endpoints-controller";
const WORKERS: usize = 5;
const MAX_ADDRESSES: usize = 1000;
const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";
const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// Whether `pod` belongs in a Service's endpoints at all: it has an IP and
/// is not finished (or, unless `terminating` ones are wanted, deleting).
pub fn eligible(pod: &Pod, include_terminating: bool) -> bool {
    let ip = pod
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.as_deref())
        .unwrap_or("");
    if ip.is_empty() {
        return false;
    }
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("");
    let restart = pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always");
    let finished = match restart {
        "Never" => matches!(phase, "Failed" | "Succeeded"),
        "OnFailure" => phase == "Succeeded",
        _ => false,
    };
    if finished {
        return false;
    }
    include_terminating || pod.metadata.deletion_timestamp.is_none()
}

/// The port a service port reaches on `pod`: its number, or the number of
/// the container port its name names (with the same protocol).
pub fn target_port(port: &ServicePort, pod: &Pod) -> Option<i32> {
    let protocol = port.protocol.as_deref().unwrap_or("TCP");
    match &port.target_port {
        None => Some(port.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => pod
            .spec
            .as_ref()?
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| {
                p.name.as_deref() == Some(name.as_str())
                    && p.protocol.as_deref().unwrap_or("TCP") == protocol
            })
            .map(|p| p.container_port),
    }
}

/// The Services of `namespace` whose selector selects `pod`.
pub fn services_selecting(services: &Informer<Service>, pod: &Pod) -> Vec<Arc<Service>> {
    let namespace = pod.namespace().unwrap_or_default();
    let labels = pods::labels(&pod.metadata);
    services
        .list_namespace(&namespace)
        .into_iter()
        .filter(|svc| {
            svc.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|selector| {
                    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
                })
        })
        .collect()
}

/// Calls `queue` with the Services selecting a pod before and after a change.
pub fn on_pod_change(services: &Informer<Service>, change: Change<'_, Pod>, queue: &WorkQueue) {
    let (old, new) = match change {
        Change::Added(p) | Change::Deleted(p) => (None, p),
        Change::Updated { old, new } => (Some(old), new),
    };
    let mut keys = BTreeSet::new();
    for pod in old.into_iter().chain([new]) {
        for svc in services_selecting(services, pod) {
            keys.insert(key_of(svc.as_ref()));
        }
    }
    for key in keys {
        queue.add(key);
    }
}

pub fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

/// The labels a Service's endpoints carry: the Service's own, plus the
/// headless marker.
pub fn endpoint_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    if is_headless(svc) {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    } else {
        labels.remove(HEADLESS_LABEL);
    }
    labels
}

struct EndpointsController {
    client: kube::Client,
    services: Arc<Informer<Service>>,
    pods: Arc<Informer<Pod>>,
    endpoints: Arc<Informer<Endpoints>>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let services = context.informers.get::<Service>();
    let pods = context.informers.get::<Pod>();
    let endpoints = context.informers.get::<Endpoints>();
    let queue = context.queue("endpoint");
    {
        let queue = queue.clone();
        services.on_change(move |change| match change {
            Change::Added(s) | Change::Updated { new: s, .. } | Change::Deleted(s) => {
                queue.add(key_of(s))
            }
        });
    }
    {
        let (queue, services) = (queue.clone(), services.clone());
        pods.on_change(move |change| on_pod_change(&services, change, &queue));
    }
    {
        // Endpoints changed by someone else are put back.
        let queue = queue.clone();
        endpoints.on_change(move |change| match change {
            Change::Updated { new, .. } | Change::Deleted(new) => queue.add(key_of(new)),
            Change::Added(_) => {}
        });
    }
    let controller = Arc::new(EndpointsController {
        client: context.client.clone(),
        services: services.clone(),
        pods: pods.clone(),
        endpoints: endpoints.clone(),
    });
    let synced = async move {
        services.synced().await;
        pods.synced().await;
        endpoints.synced().await;
    };
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

/// One port set with its ready and not-ready addresses.
type PortGroup = (
    Vec<EndpointPort>,
    Vec<EndpointAddress>,
    Vec<EndpointAddress>,
);

/// Groups addresses by the port set they share, sorted, as upstream's
/// RepackSubsets does.
fn repack(entries: Vec<(EndpointAddress, bool, Vec<EndpointPort>)>) -> Vec<EndpointSubset> {
    let mut by_ports: BTreeMap<String, PortGroup> = BTreeMap::new();
    for (address, ready, mut ports) in entries {
        ports.sort_by(|a, b| {
            (a.name.clone(), a.port, a.protocol.clone()).cmp(&(
                b.name.clone(),
                b.port,
                b.protocol.clone(),
            ))
        });
        let key = serde_json::to_string(&ports).unwrap_or_default();
        let entry = by_ports
            .entry(key)
            .or_insert_with(|| (ports, Vec::new(), Vec::new()));
        if ready {
            entry.1.push(address);
        } else {
            entry.2.push(address);
        }
    }
    let sort = |addresses: &mut Vec<EndpointAddress>| {
        addresses.sort_by(|a, b| {
            (
                a.ip.clone(),
                a.target_ref.as_ref().and_then(|t| t.uid.clone()),
            )
                .cmp(&(
                    b.ip.clone(),
                    b.target_ref.as_ref().and_then(|t| t.uid.clone()),
                ))
        });
        addresses.dedup_by(|a, b| a.ip == b.ip && a.target_ref == b.target_ref);
    };
    by_ports
        .into_values()
        .map(|(ports, mut ready, mut not_ready)| {
            sort(&mut ready);
            sort(&mut not_ready);
            EndpointSubset {
                addresses: (!ready.is_empty()).then_some(ready),
                not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
                ports: (!ports.is_empty()).then_some(ports),
            }
        })
        .collect()
}

impl EndpointsController {
    async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let api: Api<Endpoints> = Api::namespaced(self.client.clone(), namespace);
        let Some(svc) = self.services.get(namespace, name) else {
            // The Service is gone: so are its endpoints (unless someone
            // else manages them, which a selector-less Service says).
            if self.endpoints.get(namespace, name).is_some() {
                match api.delete(name, &DeleteParams::default()).await {
                    Ok(_) => {}
                    Err(err) if is_not_found(&err) => {}
                    Err(err) => return Err(err.into()),
                }
            }
            return Ok(Outcome::Done);
        };
        let Some(spec) = svc.spec.as_ref() else {
            return Ok(Outcome::Done);
        };
        let Some(selector) = spec.selector.clone().filter(|s| !s.is_empty()) else {
            return Ok(Outcome::Done);
        };
        if spec.type_.as_deref() == Some("ExternalName") {
            return Ok(Outcome::Done);
        }
        let publish_not_ready = spec.publish_not_ready_addresses == Some(true);
        let mut entries = Vec::new();
        for pod in self.pods.list_namespace(namespace) {
            let labels = pods::labels(&pod.metadata);
            if !selector.iter().all(|(k, v)| labels.get(k) == Some(v))
                || !eligible(&pod, publish_not_ready)
            {
                continue;
            }
            let ip = pod
                .status
                .as_ref()
                .and_then(|s| s.pod_ip.clone())
                .unwrap_or_default();
            let hostname = pod
                .spec
                .as_ref()
                .filter(|s| s.subdomain.as_deref() == Some(name))
                .and_then(|s| s.hostname.clone())
                .filter(|h| !h.is_empty());
            let address = EndpointAddress {
                ip,
                hostname,
                node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
                target_ref: Some(ObjectReference {
                    kind: Some("Pod".into()),
                    namespace: pod.namespace(),
                    name: pod.metadata.name.clone(),
                    uid: pod.metadata.uid.clone(),
                    ..ObjectReference::default()
                }),
            };
            let ready = publish_not_ready || pods::is_ready(&pod);
            let ports: Vec<EndpointPort> = spec
                .ports
                .iter()
                .flatten()
                .filter_map(|port| {
                    Some(EndpointPort {
                        name: port.name.clone().filter(|n| !n.is_empty()),
                        port: target_port(port, &pod)?,
                        protocol: Some(port.protocol.clone().unwrap_or_else(|| "TCP".into())),
                        app_protocol: port.app_protocol.clone(),
                    })
                })
                .collect();
            let no_ports = spec.ports.as_ref().is_none_or(|p| p.is_empty());
            if ports.is_empty() && !(no_ports && is_headless(&svc)) {
                continue;
            }
            entries.push((address, ready, ports));
        }
        let mut subsets = repack(entries);
        // At most 1,000 addresses: ready ones first, the rest cut.
        let total: usize = subsets
            .iter()
            .map(|s| {
                s.addresses.as_ref().map_or(0, Vec::len)
                    + s.not_ready_addresses.as_ref().map_or(0, Vec::len)
            })
            .sum();
        let truncated = total > MAX_ADDRESSES;
        if truncated {
            let mut room = MAX_ADDRESSES;
            for subset in &mut subsets {
                for list in [&mut subset.addresses, &mut subset.not_ready_addresses] {
                    if let Some(addresses) = list.as_mut() {
                        addresses.truncate(room);
                        room -= addresses.len();
                    }
                }
            }
            subsets.retain(|s| s.addresses.is_some() || s.not_ready_addresses.is_some());
        }
        let labels = endpoint_labels(&svc);
        let existing = self.endpoints.get(namespace, name);
        if let Some(current) = &existing {
            let same_subsets = current.subsets.clone().unwrap_or_default() == subsets;
            let same_labels = current.metadata.labels.clone().unwrap_or_default() == labels;
            let capacity_ok = current
                .metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key(OVER_CAPACITY))
                == truncated;
            if same_subsets && same_labels && capacity_ok {
                return Ok(Outcome::Done);
            }
        }
        let mut annotations = existing
            .as_ref()
            .and_then(|e| e.metadata.annotations.clone())
            .unwrap_or_default();
        annotations.insert(
            TRIGGER_TIME.into(),
            pods::timestamp(k8s_openapi::jiff::Timestamp::now()),
        );
        if truncated {
            annotations.insert(OVER_CAPACITY.into(), "truncated".into());
        } else {
            annotations.remove(OVER_CAPACITY);
        }
        let endpoints = Endpoints {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(namespace.to_string()),
                labels: Some(labels),
                annotations: Some(annotations),
                resource_version: existing
                    .as_ref()
                    .and_then(|e| e.metadata.resource_version.clone()),
                ..ObjectMeta::default()
            },
            subsets: (!subsets.is_empty()).then_some(subsets),
        };
        let result = match existing {
            Some(_) => api
                .replace(name, &PostParams::default(), &endpoints)
                .await
                .map(|_| ()),
            None => api
                .create(&PostParams::default(), &endpoints)
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => Ok(Outcome::Done),
            // The namespace is going: nothing to keep.
            Err(err) if is_forbidden(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn address(ip: &str) -> EndpointAddress {
        EndpointAddress {
            ip: ip.into(),
            ..EndpointAddress::default()
        }
    }

    fn port(name: &str, number: i32) -> EndpointPort {
        EndpointPort {
            name: Some(name.into()),
            port: number,
            protocol: Some("TCP".into()),
            app_protocol: None,
        }
    }

    #[test]
    fn subsets_group_addresses_by_port_set() {
        let subsets = repack(vec![
            (address("10.0.0.2"), true, vec![port("http", 80)]),
            (address("10.0.0.1"), true, vec![port("http", 80)]),
            (address("10.0.0.3"), false, vec![port("http", 80)]),
            (address("10.0.0.4"), true, vec![port("http", 8080)]),
        ]);
        assert_eq!(subsets.len(), 2);
        let first = &subsets[0];
        let ips: Vec<&str> = first
            .addresses
            .iter()
            .flatten()
            .map(|a| a.ip.as_str())
            .collect();
        assert_eq!(ips, ["10.0.0.1", "10.0.0.2"]);
        assert_eq!(
            first.not_ready_addresses.as_ref().unwrap()[0].ip,
            "10.0.0.3"
        );
    }

    #[test]
    fn named_target_ports_resolve_per_pod() {
        let pod: Pod =
            serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "c", "ports": [{"name": "web", "containerPort": 8080}]}]}}))
            .unwrap();
        let named: ServicePort =
            serde_json::from_value(json!({"port": 80, "targetPort": "web"})).unwrap();
        let missing: ServicePort =
            serde_json::from_value(json!({"port": 80, "targetPort": "db"})).unwrap();
        let numbered: ServicePort =
            serde_json::from_value(json!({"port": 80, "targetPort": 9000})).unwrap();
        assert_eq!(target_port(&named, &pod), Some(8080));
        assert_eq!(target_port(&missing, &pod), None);
        assert_eq!(target_port(&numbered, &pod), Some(9000));
    }
}
