//! The EndpointSlice mirroring controller: the Endpoints of a Service
//! without a selector (written by hand or by another controller) are
//! mirrored into EndpointSlices managed by
//! `endpointslicemirroring-controller.k8s.io`, one slice per subset's
//! ports, at most 100 endpoints each, so that consumers of slices (proxy,
//! DNS) see them too. Endpoints labelled
//! `endpointslice.kubernetes.io/skip-mirror: "true"` are left alone.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use kube::api::Api;
use tokio::sync::watch;

use crate::endpointslice::{
    MANAGED_BY_LABEL, SERVICE_NAME_LABEL, apply, requeue_managed, slices_of,
};
use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::Outcome;
use crate::{Context, Error, pods};

const NAME: &str = "endpointslice-mirroring-controller";
pub const MANAGED_BY: &str = "endpointslicemirroring-controller.k8s.io";
const SKIP_MIRROR: &str = "endpointslice.kubernetes.io/skip-mirror";
const MAX_ENDPOINTS: usize = 100;

struct Mirror {
    client: kube::Client,
    services: Arc<Informer<Service>>,
    endpoints: Arc<Informer<Endpoints>>,
    slices: Arc<Informer<EndpointSlice>>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let services = context.informers.get::<Service>();
    let endpoints = context.informers.get::<Endpoints>();
    let slices = context.informers.get::<EndpointSlice>();
    let queue = context.queue("endpoint_slice_mirroring");
    {
        let queue = queue.clone();
        services.on_change(move |change| match change {
            Change::Added(s) | Change::Updated { new: s, .. } | Change::Deleted(s) => {
                queue.add(key_of(s))
            }
        });
    }
    {
        let queue = queue.clone();
        endpoints.on_change(move |change| match change {
            Change::Added(e) | Change::Updated { new: e, .. } | Change::Deleted(e) => {
                queue.add(key_of(e))
            }
        });
    }
    requeue_managed(&slices, queue.clone(), MANAGED_BY);
    let mirror = Arc::new(Mirror {
        client: context.client.clone(),
        services: services.clone(),
        endpoints: endpoints.clone(),
        slices: slices.clone(),
    });
    let synced = async move {
        services.synced().await;
        endpoints.synced().await;
        slices.synced().await;
    };
    crate::spawn_workers(NAME, queue, 5, synced, shutdown, move |key| {
        let mirror = mirror.clone();
        async move { mirror.sync(&key).await }
    })
}

impl Mirror {
    async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let existing = slices_of(&self.slices, namespace, name, MANAGED_BY);
        let api: Api<EndpointSlice> = Api::namespaced(self.client.clone(), namespace);
        let service = self.services.get(namespace, name);
        let selectorless = service.as_ref().is_some_and(|s| {
            s.spec
                .as_ref()
                .and_then(|spec| spec.selector.as_ref())
                .is_none_or(|selector| selector.is_empty())
        });
        let endpoints = self.endpoints.get(namespace, name).filter(|e| {
            e.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SKIP_MIRROR))
                .map(String::as_str)
                != Some("true")
        });
        let Some(endpoints) = endpoints.filter(|_| selectorless) else {
            // Nothing to mirror (any more): the mirrored slices go.
            return apply(
                &api,
                existing,
                Vec::new(),
                &BTreeMap::new(),
                Default::default(),
                namespace,
                name,
            )
            .await;
        };
        let mut wanted: Vec<(Vec<EndpointPort>, Vec<Endpoint>)> = Vec::new();
        for subset in endpoints.subsets.iter().flatten() {
            let mut ports: Vec<EndpointPort> = subset
                .ports
                .iter()
                .flatten()
                .map(|p| EndpointPort {
                    name: Some(p.name.clone().unwrap_or_default()),
                    port: Some(p.port),
                    protocol: Some(p.protocol.clone().unwrap_or_else(|| "TCP".into())),
                    app_protocol: p.app_protocol.clone(),
                })
                .collect();
            ports.sort_by(|a, b| a.name.cmp(&b.name));
            let mut members: Vec<Endpoint> = Vec::new();
            for (ready, addresses) in [
                (true, subset.addresses.iter().flatten()),
                (false, subset.not_ready_addresses.iter().flatten()),
            ] {
                for address in addresses {
                    if address.ip.contains(':') {
                        continue;
                    }
                    members.push(Endpoint {
                        addresses: vec![address.ip.clone()],
                        conditions: Some(EndpointConditions {
                            ready: Some(ready),
                            serving: Some(ready),
                            terminating: Some(false),
                        }),
                        hostname: address.hostname.clone(),
                        node_name: address.node_name.clone(),
                        target_ref: address.target_ref.clone(),
                        ..Endpoint::default()
                    });
                }
            }
            members.sort_by(|a, b| a.addresses.cmp(&b.addresses));
            for chunk in members.chunks(MAX_ENDPOINTS) {
                wanted.push((ports.clone(), chunk.to_vec()));
            }
        }
        let mut labels = endpoints.metadata.labels.clone().unwrap_or_default();
        labels.insert(SERVICE_NAME_LABEL.into(), name.to_string());
        labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
        apply(
            &api,
            existing,
            wanted,
            &labels,
            pods::controller_reference(endpoints.as_ref()),
            namespace,
            name,
        )
        .await
    }
}
