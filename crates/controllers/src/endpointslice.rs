//! The EndpointSlice controller: each Service with a selector gets slices
//! (`<service>-<random>`, labelled `kubernetes.io/service-name` and
//! managed-by `endpointslice-controller.k8s.io`, owned by the Service)
//! holding its pods as endpoints with upstream's conditions (ready,
//! serving, terminating), node name, zone and target reference. Pods whose
//! named ports resolve alike share slices, at most 100 endpoints each; a
//! Service without endpoints keeps one empty slice.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, ObjectReference, Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, PostParams};
use tokio::sync::watch;

use crate::endpoints::{eligible, endpoint_labels, on_pod_change, target_port};
use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::Outcome;
use crate::{Context, Error, is_forbidden, is_not_found, pods};

const NAME: &str = "endpointslice-controller";
const WORKERS: usize = 5;
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
const MAX_ENDPOINTS: usize = 100;
const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

struct SliceController {
    client: kube::Client,
    services: Arc<Informer<Service>>,
    pods: Arc<Informer<Pod>>,
    slices: Arc<Informer<EndpointSlice>>,
    nodes: Arc<Informer<Node>>,
}

pub fn managed_service(slice: &EndpointSlice, manager: &str) -> Option<String> {
    let labels = slice.metadata.labels.as_ref()?;
    if labels.get(MANAGED_BY_LABEL).map(String::as_str) != Some(manager) {
        return None;
    }
    labels.get(SERVICE_NAME_LABEL).cloned()
}

/// Puts a service's key on `queue` whenever one of the slices `manager`
/// writes for it changes.
pub fn requeue_managed(
    slices: &Informer<EndpointSlice>,
    queue: Arc<crate::queue::WorkQueue>,
    manager: &'static str,
) {
    slices.on_change(move |change| {
        let slice = match change {
            Change::Added(s) | Change::Deleted(s) | Change::Updated { new: s, .. } => s,
        };
        if let Some(service) = managed_service(slice, manager) {
            queue.add(format!(
                "{}/{service}",
                slice.namespace().unwrap_or_default()
            ));
        }
    });
}

/// The slices `manager` wrote for a service.
pub fn slices_of(
    slices: &Informer<EndpointSlice>,
    namespace: &str,
    service: &str,
    manager: &str,
) -> Vec<Arc<EndpointSlice>> {
    slices
        .list_namespace(namespace)
        .into_iter()
        .filter(|s| managed_service(s, manager).as_deref() == Some(service))
        .collect()
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let services = context.informers.get::<Service>();
    let pods = context.informers.get::<Pod>();
    let slices = context.informers.get::<EndpointSlice>();
    let nodes = context.informers.get::<Node>();
    let queue = context.queue("endpoint_slice");
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
    requeue_managed(&slices, queue.clone(), MANAGED_BY);
    let controller = Arc::new(SliceController {
        client: context.client.clone(),
        services: services.clone(),
        pods: pods.clone(),
        slices: slices.clone(),
        nodes: nodes.clone(),
    });
    let synced = async move {
        services.synced().await;
        pods.synced().await;
        slices.synced().await;
        nodes.synced().await;
    };
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

/// What a slice holds, for comparing wanted and existing ones.
fn content(slice: &EndpointSlice) -> (Vec<EndpointPort>, Vec<Endpoint>) {
    (
        slice.ports.clone().unwrap_or_default(),
        slice.endpoints.clone(),
    )
}

impl SliceController {
    async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let existing = slices_of(&self.slices, namespace, name, MANAGED_BY);
        let api: Api<EndpointSlice> = Api::namespaced(self.client.clone(), namespace);
        let svc = self.services.get(namespace, name);
        let selector = svc
            .as_ref()
            .and_then(|s| s.spec.as_ref())
            .filter(|s| s.type_.as_deref() != Some("ExternalName"))
            .and_then(|s| s.selector.clone())
            .filter(|s| !s.is_empty());
        let (Some(svc), Some(selector)) = (svc, selector) else {
            // No Service (or none we serve): its slices go.
            for slice in existing {
                delete(&api, &slice).await?;
            }
            return Ok(Outcome::Done);
        };
        let spec = svc.spec.clone().unwrap_or_default();
        let publish_not_ready = spec.publish_not_ready_addresses == Some(true);
        // Endpoints grouped by the ports they resolve to.
        let mut groups: BTreeMap<String, (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
        for pod in self.pods.list_namespace(namespace) {
            let labels = pods::labels(&pod.metadata);
            if !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) || !eligible(&pod, true) {
                continue;
            }
            let ip = pod
                .status
                .as_ref()
                .and_then(|s| s.pod_ip.clone())
                .unwrap_or_default();
            if ip.contains(':') {
                continue;
            }
            let mut ports: Vec<EndpointPort> = spec
                .ports
                .iter()
                .flatten()
                .filter_map(|port| {
                    Some(EndpointPort {
                        name: Some(port.name.clone().unwrap_or_default()),
                        port: Some(target_port(port, &pod)?),
                        protocol: Some(port.protocol.clone().unwrap_or_else(|| "TCP".into())),
                        app_protocol: port.app_protocol.clone(),
                    })
                })
                .collect();
            ports.sort_by(|a, b| a.name.cmp(&b.name));
            let terminating = pod.metadata.deletion_timestamp.is_some();
            let serving = publish_not_ready || pods::is_ready(&pod);
            let node_name = pod.spec.as_ref().and_then(|s| s.node_name.clone());
            let zone = node_name
                .as_ref()
                .and_then(|n| self.nodes.get("", n))
                .and_then(|n| n.metadata.labels.as_ref()?.get(ZONE_LABEL).cloned());
            let endpoint = Endpoint {
                addresses: vec![ip],
                conditions: Some(EndpointConditions {
                    ready: Some(serving && !terminating),
                    serving: Some(serving),
                    terminating: Some(terminating),
                }),
                hostname: pod
                    .spec
                    .as_ref()
                    .filter(|s| s.subdomain.as_deref() == Some(name))
                    .and_then(|s| s.hostname.clone())
                    .filter(|h| !h.is_empty()),
                node_name,
                zone,
                target_ref: Some(ObjectReference {
                    kind: Some("Pod".into()),
                    namespace: pod.namespace(),
                    name: pod.metadata.name.clone(),
                    uid: pod.metadata.uid.clone(),
                    ..ObjectReference::default()
                }),
                ..Endpoint::default()
            };
            let group_key = serde_json::to_string(&ports).unwrap_or_default();
            groups
                .entry(group_key)
                .or_insert_with(|| (ports, Vec::new()))
                .1
                .push(endpoint);
        }
        // The slices wanted: each group in chunks; one empty slice if none.
        let mut wanted: Vec<(Vec<EndpointPort>, Vec<Endpoint>)> = Vec::new();
        for (_, (ports, mut endpoints)) in groups {
            endpoints.sort_by(|a, b| a.addresses.cmp(&b.addresses));
            for chunk in endpoints.chunks(MAX_ENDPOINTS) {
                wanted.push((ports.clone(), chunk.to_vec()));
            }
        }
        if wanted.is_empty() {
            wanted.push((Vec::new(), Vec::new()));
        }
        let mut labels = endpoint_labels(&svc);
        labels.insert(SERVICE_NAME_LABEL.into(), name.to_string());
        labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
        apply(
            &api,
            existing,
            wanted,
            &labels,
            pods::controller_reference(svc.as_ref()),
            namespace,
            name,
        )
        .await
    }
}

async fn delete(api: &Api<EndpointSlice>, slice: &EndpointSlice) -> Result<(), Error> {
    match api
        .delete(&slice.name_any(), &DeleteParams::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(err) if is_not_found(&err) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Makes the `existing` slices of one service hold `wanted` (ports and
/// endpoints per slice) with `labels` and `owner`: slices already right
/// stay, others are rewritten, new ones are `<service>-<random>`, the
/// rest go. Shared with the mirroring controller.
pub async fn apply(
    api: &Api<EndpointSlice>,
    existing: Vec<Arc<EndpointSlice>>,
    wanted: Vec<(Vec<EndpointPort>, Vec<Endpoint>)>,
    labels: &BTreeMap<String, String>,
    owner: OwnerReference,
    namespace: &str,
    service: &str,
) -> Result<Outcome, Error> {
    let mut spare: Vec<Arc<EndpointSlice>> = Vec::new();
    let mut remaining = wanted;
    for slice in existing {
        let have = content(&slice);
        let same_labels = slice.metadata.labels.as_ref() == Some(labels);
        match remaining.iter().position(|w| *w == have) {
            Some(index) if same_labels => {
                remaining.remove(index);
            }
            _ => spare.push(slice),
        }
    }
    for (ports, endpoints) in remaining {
        let reuse = spare.pop();
        let slice = EndpointSlice {
            metadata: ObjectMeta {
                name: reuse.as_ref().and_then(|s| s.metadata.name.clone()),
                generate_name: reuse.is_none().then(|| format!("{service}-")),
                namespace: Some(namespace.to_string()),
                labels: Some(labels.clone()),
                owner_references: Some(vec![owner.clone()]),
                resource_version: reuse
                    .as_ref()
                    .and_then(|s| s.metadata.resource_version.clone()),
                ..ObjectMeta::default()
            },
            address_type: "IPv4".into(),
            endpoints,
            ports: (!ports.is_empty()).then_some(ports),
        };
        let result = match &reuse {
            Some(existing) => api
                .replace(&existing.name_any(), &PostParams::default(), &slice)
                .await
                .map(|_| ()),
            None => api.create(&PostParams::default(), &slice).await.map(|_| ()),
        };
        match result {
            Ok(()) => {}
            Err(err) if is_not_found(&err) || is_forbidden(&err) => {}
            Err(err) => return Err(err.into()),
        }
    }
    for slice in spare {
        delete(api, &slice).await?;
    }
    Ok(Outcome::Done)
}
