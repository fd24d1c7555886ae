//! Events, published off the reconcile path: a controller hands an event
//! to its sink and goes on; one task per controller publishes them through
//! kube's recorder (which folds repeats into a series), reporting as the
//! controller's upstream name (`replicaset-controller`, ...).

use k8s_openapi::api::core::v1::ObjectReference;
use kube::Resource;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use tokio::sync::mpsc;

#[derive(Clone)]
pub struct EventSink {
    queue: mpsc::UnboundedSender<(Event, ObjectReference)>,
}

impl EventSink {
    /// A sink publishing as `component` until every clone is dropped.
    pub fn new(client: kube::Client, component: &str) -> EventSink {
        let (queue, mut events) = mpsc::unbounded_channel::<(Event, ObjectReference)>();
        let recorder = Recorder::new(
            client,
            Reporter {
                controller: component.to_string(),
                instance: None,
            },
        );
        tokio::spawn(async move {
            while let Some((event, reference)) = events.recv().await {
                if let Err(err) = recorder.publish(&event, &reference).await {
                    tracing::debug!(error = %err, reason = %event.reason, "publishing an event");
                }
            }
        });
        EventSink { queue }
    }

    pub fn normal<K: Resource<DynamicType = ()>>(
        &self,
        regarding: &K,
        reason: &str,
        action: &str,
        note: String,
    ) {
        self.publish(regarding, EventType::Normal, reason, action, note);
    }

    pub fn warning<K: Resource<DynamicType = ()>>(
        &self,
        regarding: &K,
        reason: &str,
        action: &str,
        note: String,
    ) {
        self.publish(regarding, EventType::Warning, reason, action, note);
    }

    fn publish<K: Resource<DynamicType = ()>>(
        &self,
        regarding: &K,
        type_: EventType,
        reason: &str,
        action: &str,
        note: String,
    ) {
        let event = Event {
            type_,
            reason: reason.to_string(),
            note: Some(note),
            action: action.to_string(),
            secondary: None,
        };
        let _ = self.queue.send((event, regarding.object_ref(&())));
    }
}
