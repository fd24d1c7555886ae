//! The namespace controller: a namespace being deleted is emptied — every
//! namespaced resource discovery lists is deleted in it, and what is left
//! (objects waiting on finalizers or graceful termination) is reported in
//! the namespace's conditions as upstream words them — and once nothing is
//! left its `kubernetes` finalizer is removed through `namespaces/finalize`,
//! which lets the API server remove it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Namespace;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};

use crate::discovery::{self, Served};
use crate::informer::{Change, Informer};
use crate::queue::Outcome;
use crate::{Context, Error, is_conflict, is_not_found, pods};

const NAME: &str = "namespace-controller";
const WORKERS: usize = 10;
const FINALIZER: &str = "kubernetes";
/// How long a discovery answer is reused: briefly, so a kind that arrived
/// a moment ago (a custom resource) is emptied too before a namespace goes.
const DISCOVERY_TTL: Duration = Duration::from_secs(2);
/// How soon a namespace with content left is looked at again.
const RECHECK: Duration = Duration::from_secs(1);

struct NamespaceController {
    client: kube::Client,
    namespaces: Arc<Informer<Namespace>>,
    discovered: Mutex<Option<(Instant, Vec<Served>)>>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let namespaces = context.informers.get::<Namespace>();
    let queue = context.queue("namespace");
    {
        let queue = queue.clone();
        namespaces.on_change(move |change| match change {
            Change::Added(ns) | Change::Updated { new: ns, .. } => {
                if ns.metadata.deletion_timestamp.is_some() {
                    queue.add(ns.name_any());
                }
            }
            Change::Deleted(_) => {}
        });
    }
    let controller = Arc::new(NamespaceController {
        client: context.client.clone(),
        namespaces: namespaces.clone(),
        discovered: Mutex::new(None),
    });
    let synced = async move { namespaces.synced().await };
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |name| {
        let controller = controller.clone();
        async move { controller.sync(&name).await }
    })
}

/// One of the namespace's deletion conditions.
fn condition(kind: &str, problem: Option<(&str, String)>, fine: (&str, &str)) -> Value {
    let now = pods::timestamp(k8s_openapi::jiff::Timestamp::now());
    match problem {
        Some((reason, message)) => {
            json!({"type": kind, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message})
        }
        None => {
            json!({"type": kind, "status": "False", "lastTransitionTime": now, "reason": fine.0, "message": fine.1})
        }
    }
}

impl NamespaceController {
    async fn resources(&self) -> Result<Vec<Served>, kube::Error> {
        let mut cached = self.discovered.lock().await;
        if let Some((at, resources)) = cached.as_ref()
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(resources.clone());
        }
        let resources: Vec<Served> = discovery::resources(&self.client)
            .await?
            .into_iter()
            .filter(|r| r.namespaced && r.supports(&["list", "delete"]))
            .collect();
        *cached = Some((Instant::now(), resources.clone()));
        Ok(resources)
    }

    async fn sync(&self, name: &str) -> Result<Outcome, Error> {
        let Some(namespace) = self.namespaces.get("", name) else {
            return Ok(Outcome::Done);
        };
        if namespace.metadata.deletion_timestamp.is_none() {
            return Ok(Outcome::Done);
        }
        let finalizers = namespace
            .spec
            .as_ref()
            .and_then(|s| s.finalizers.clone())
            .unwrap_or_default();
        if !finalizers.iter().any(|f| f == FINALIZER) {
            return Ok(Outcome::Done);
        }
        let resources = match self.resources().await {
            Ok(resources) => resources,
            Err(err) => {
                let problem = Some((
                    "DiscoveryFailed",
                    format!("Discovery failed for some groups: {err}"),
                ));
                self.report(&namespace, problem, None, None, None).await?;
                return Err(err.into());
            }
        };
        // Delete everything, then see what is left.
        let mut failures = Vec::new();
        for served in &resources {
            let api: Api<DynamicObject> =
                Api::namespaced_with(self.client.clone(), name, &served.resource);
            let result = if served.supports(&["deletecollection"]) {
                api.delete_collection(&DeleteParams::background(), &ListParams::default())
                    .await
                    .map(|_| ())
            } else {
                match api.list(&ListParams::default()).await {
                    Ok(list) => {
                        let mut result = Ok(());
                        for item in list.items {
                            match api
                                .delete(&item.name_any(), &DeleteParams::background())
                                .await
                            {
                                Ok(_) => {}
                                Err(err) if is_not_found(&err) => {}
                                Err(err) => result = Err(err),
                            }
                        }
                        result
                    }
                    Err(err) => Err(err),
                }
            };
            match result {
                Ok(()) => {}
                Err(err) if is_not_found(&err) => {}
                Err(err) => failures.push(format!("{}: {}", group_resource(served), err)),
            }
        }
        let mut remaining: BTreeMap<String, usize> = BTreeMap::new();
        let mut finalizing: BTreeMap<String, usize> = BTreeMap::new();
        for served in &resources {
            let api: Api<DynamicObject> =
                Api::namespaced_with(self.client.clone(), name, &served.resource);
            let list = match api.list(&ListParams::default()).await {
                Ok(list) => list,
                Err(err) if is_not_found(&err) => continue,
                Err(err) => {
                    failures.push(format!("{}: {}", group_resource(served), err));
                    continue;
                }
            };
            if !list.items.is_empty() {
                *remaining.entry(group_resource(served)).or_default() += list.items.len();
            }
            for item in &list.items {
                for finalizer in item.metadata.finalizers.iter().flatten() {
                    *finalizing.entry(finalizer.clone()).or_default() += 1;
                }
            }
        }
        let content_failure = (!failures.is_empty()).then(|| {
            failures.sort();
            (
                "ContentDeletionFailed",
                format!(
                    "Failed to delete all resource types, {} remaining: {}",
                    failures.len(),
                    failures.join(", ")
                ),
            )
        });
        let content_remaining = (!remaining.is_empty()).then(|| {
            let parts: Vec<String> = remaining
                .iter()
                .map(|(resource, count)| format!("{resource} has {count} resource instances"))
                .collect();
            (
                "SomeResourcesRemain",
                format!("Some resources are remaining: {}", parts.join(", ")),
            )
        });
        let finalizers_remaining = (!finalizing.is_empty()).then(|| {
            let parts: Vec<String> = finalizing
                .iter()
                .map(|(finalizer, count)| format!("{finalizer} in {count} resource instances"))
                .collect();
            (
                "SomeFinalizersRemain",
                format!(
                    "Some content in the namespace has finalizers remaining: {}",
                    parts.join(", ")
                ),
            )
        });
        let done = content_failure.is_none() && content_remaining.is_none();
        if !done {
            self.report(
                &namespace,
                None,
                content_failure.clone(),
                content_remaining,
                finalizers_remaining,
            )
            .await?;
            if let Some((_, message)) = content_failure {
                return Err(Error::Invalid(message));
            }
            return Ok(Outcome::After(RECHECK));
        }
        // Empty: the namespace's own finalizer goes.
        let mut finalized = (*namespace).clone();
        if let Some(spec) = finalized.spec.as_mut() {
            spec.finalizers = Some(finalizers.into_iter().filter(|f| f != FINALIZER).collect());
        }
        let api: Api<Namespace> = Api::all(self.client.clone());
        match api
            .replace_subresource("finalize", name, &PostParams::default(), &finalized)
            .await
        {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            // Changed meanwhile: the informer brings the newer one.
            Err(err) if is_conflict(&err) => Ok(Outcome::After(Duration::from_millis(100))),
            Err(err) => Err(err.into()),
        }
    }

    /// Writes the namespace's deletion conditions.
    async fn report(
        &self,
        namespace: &Namespace,
        discovery: Option<(&str, String)>,
        content_failure: Option<(&str, String)>,
        content_remaining: Option<(&str, String)>,
        finalizers_remaining: Option<(&str, String)>,
    ) -> Result<(), Error> {
        let mut conditions = vec![
            condition(
                "NamespaceDeletionDiscoveryFailure",
                discovery,
                (
                    "ResourcesDiscovered",
                    "All resources successfully discovered",
                ),
            ),
            condition(
                "NamespaceDeletionGroupVersionParsingFailure",
                None,
                (
                    "ParsedGroupVersions",
                    "All legacy kube types successfully parsed",
                ),
            ),
            condition(
                "NamespaceDeletionContentFailure",
                content_failure,
                (
                    "ContentDeleted",
                    "All content successfully deleted, may be waiting on finalization",
                ),
            ),
            condition(
                "NamespaceContentRemaining",
                content_remaining,
                ("ContentRemoved", "All content successfully removed"),
            ),
            condition(
                "NamespaceFinalizersRemaining",
                finalizers_remaining,
                (
                    "ContentHasNoFinalizers",
                    "All content-preserving finalizers finished",
                ),
            ),
        ];
        // A condition that did not change keeps its transition time.
        let existing = namespace
            .status
            .as_ref()
            .and_then(|s| s.conditions.clone())
            .unwrap_or_default();
        for wanted in &mut conditions {
            if let Some(old) = existing.iter().find(|c| c.type_ == wanted["type"])
                && old.status == wanted["status"]
                && old.reason.as_deref() == wanted["reason"].as_str()
                && old.message.as_deref() == wanted["message"].as_str()
                && let Some(at) = &old.last_transition_time
            {
                wanted["lastTransitionTime"] = json!(pods::timestamp(at.0));
            }
        }
        let unchanged = conditions.iter().all(|wanted| {
            existing.iter().any(|old| {
                old.type_ == wanted["type"]
                    && old.status == wanted["status"]
                    && old.reason.as_deref() == wanted["reason"].as_str()
                    && old.message.as_deref() == wanted["message"].as_str()
            })
        });
        if unchanged {
            return Ok(());
        }
        let api: Api<Namespace> = Api::all(self.client.clone());
        let patch = json!({"status": {"conditions": conditions}});
        match api
            .patch_status(
                &namespace.name_any(),
                &PatchParams::default(),
                &Patch::Merge(patch),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}

/// `resource.group`, or `resource` in the core group, as upstream names it.
fn group_resource(served: &Served) -> String {
    if served.resource.group.is_empty() {
        served.resource.plural.clone()
    } else {
        format!("{}.{}", served.resource.plural, served.resource.group)
    }
}
