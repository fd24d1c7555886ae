//! Events as Kubernetes components record them: core/v1 Events with the
//! component as `source.component` (and the node as `source.host` for a
//! kubelet), published off the caller's path (a controller or pod worker
//! hands an event to its sink and goes on). An event identical
//! to a recent one (same object, type, reason and message) bumps that
//! one's count and lastTimestamp instead of making another, as client-go's
//! event correlator does; events with other messages stay events of their
//! own.

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use kube::Resource;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use tokio::sync::mpsc;

/// Identical events remembered for counting (client-go keeps 4096).
const REMEMBERED: usize = 4096;

struct Pending {
    regarding: ObjectReference,
    type_: &'static str,
    reason: String,
    message: String,
}

#[derive(Clone)]
pub struct EventSink {
    queue: mpsc::UnboundedSender<Pending>,
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
        let (queue, events) = mpsc::unbounded_channel::<Pending>();
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
        let _ = self.queue.send(Pending {
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

/// What makes two events identical: object uid, type, reason, message.
type Identical = (String, &'static str, String, String);
/// Where the event recorded for it lives, and its count.
type Recorded = (String, String, i32);

async fn publish(
    client: kube::Client,
    component: String,
    host: Option<String>,
    mut events: mpsc::UnboundedReceiver<Pending>,
) {
    let mut seen: HashMap<Identical, Recorded> = HashMap::new();
    while let Some(pending) = events.recv().await {
        let namespace = pending
            .regarding
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".to_string());
        let key = (
            pending.regarding.uid.clone().unwrap_or_default(),
            pending.type_,
            pending.reason.clone(),
            pending.message.clone(),
        );
        let api: Api<Event> = Api::namespaced(client.clone(), &namespace);
        let stamp = now();
        if let Some((event_namespace, name, count)) = seen.get_mut(&key)
            && *event_namespace == namespace
        {
            *count += 1;
            let patch = json!({"count": *count, "lastTimestamp": stamp});
            match api
                .patch(name, &PatchParams::default(), &Patch::Merge(patch))
                .await
            {
                Ok(_) => continue,
                // Gone (expired, or its namespace emptied): record anew.
                Err(err) => tracing::debug!(error = %err, "updating an event"),
            }
        }
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
                if seen.len() >= REMEMBERED {
                    seen.clear();
                }
                seen.insert(
                    key,
                    (namespace, created.metadata.name.unwrap_or_default(), 1),
                );
            }
            Err(err) => tracing::debug!(error = %err, "recording an event"),
        }
    }
}
