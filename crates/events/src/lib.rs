//! Events as Kubernetes components record them: core/v1 Events with the
//! component as `source.component` (and the node as `source.host` for a
//! kubelet), published off the caller's path (a controller or pod worker
//! hands an event to its sink and goes on; at most `QUEUED` wait, more are
//! dropped). Before publishing, each event goes through client-go's event
//! correlator (`correlator`): similar events are combined, identical ones
//! counted, and a flood about one object is throttled.

mod correlator;

use std::time::Instant;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use kube::Resource;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use tokio::sync::mpsc;

use correlator::{Correlator, Decision};

/// Events waiting to be published, at most (client-go's broadcaster keeps
/// 1,000 and drops the rest).
const QUEUED: usize = 1000;

pub(crate) struct Pending {
    regarding: ObjectReference,
    type_: &'static str,
    reason: String,
    message: String,
}

#[derive(Clone)]
pub struct EventSink {
    queue: mpsc::Sender<Pending>,
}

impl EventSink {
    /// A sink publishing as `component` until every clone is dropped.
    pub fn new(client: kube::Client, component: &str) -> EventSink {
        Self::spawn(client, component, None)
    }

    /// A sink publishing as `component` on node `host` (a kubelet's).
    pub fn on_host(client: kube::Client, component: &str, host: &str) -> EventSink {
        Self::spawn(client, component, Some(host.to_string()))
    }

    fn spawn(client: kube::Client, component: &str, host: Option<String>) -> EventSink {
        let (queue, events) = mpsc::channel::<Pending>(QUEUED);
        tokio::spawn(publish(client, component.to_string(), host, events));
        EventSink { queue }
    }

    pub fn normal<K: Resource<DynamicType = ()>>(
        &self,
        regarding: &K,
        reason: &str,
        message: String,
    ) {
        self.send(regarding, "Normal", reason, message);
    }

    pub fn warning<K: Resource<DynamicType = ()>>(
        &self,
        regarding: &K,
        reason: &str,
        message: String,
    ) {
        self.send(regarding, "Warning", reason, message);
    }

    fn send<K: Resource<DynamicType = ()>>(
        &self,
        regarding: &K,
        type_: &'static str,
        reason: &str,
        message: String,
    ) {
        // A full queue drops the event: recording must never hold up (or
        // grow without bound behind) the component's work.
        let _ = self.queue.try_send(Pending {
            regarding: regarding.object_ref(&()),
            type_,
            reason: reason.to_string(),
            message,
        });
    }
}

fn now() -> Time {
    Time(Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_else(|_| Timestamp::now()))
}

async fn publish(
    client: kube::Client,
    component: String,
    host: Option<String>,
    mut events: mpsc::Receiver<Pending>,
) {
    let mut correlator = Correlator::default();
    while let Some(pending) = events.recv().await {
        let namespace = pending
            .regarding
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let api: Api<Event> = Api::namespaced(client.clone(), &namespace);
        let stamp = now();
        let (pending, key) = match correlator.correlate(Instant::now(), &namespace, pending) {
            Decision::Skip => continue,
            Decision::Update {
                name,
                count,
                message,
                key,
                pending,
            } => {
                let patch = json!({"count": count, "lastTimestamp": stamp, "message": message});
                match api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(patch))
                    .await
                {
                    Ok(_) => continue,
                    // Gone (expired, or its namespace emptied): record anew.
                    Err(err) => {
                        tracing::debug!(error = %err, "updating an event");
                        (pending, key)
                    }
                }
            }
            Decision::Create { key, pending } => (pending, key),
        };
        let nanos = Timestamp::now().as_nanosecond();
        let object_name = pending.regarding.name.clone().unwrap_or_default();
        let event = Event {
            metadata: ObjectMeta {
                name: Some(format!("{object_name}.{nanos:x}")),
                namespace: Some(namespace.clone()),
                ..ObjectMeta::default()
            },
            involved_object: pending.regarding,
            reason: Some(pending.reason),
            message: Some(pending.message),
            type_: Some(pending.type_.to_string()),
            source: Some(EventSource {
                component: Some(component.clone()),
                host: host.clone(),
            }),
            first_timestamp: Some(stamp.clone()),
            last_timestamp: Some(stamp),
            count: Some(1),
            reporting_component: Some(component.clone()),
            reporting_instance: Some(host.clone().unwrap_or_else(|| component.clone())),
            ..Event::default()
        };
        match api.create(&PostParams::default(), &event).await {
            Ok(created) => {
                correlator.created(key, &namespace, created.metadata.name.unwrap_or_default())
            }
            Err(err) => tracing::debug!(error = %err, "recording an event"),
        }
    }
}
