//! The PVC protection controller: a claim keeps the
//! `kubernetes.io/pvc-protection` finalizer (admission adds it on create;
//! this controller adds it to claims that lack it) until no scheduled,
//! unfinished pod uses it, so deleting a claim in use leaves it
//! Terminating instead of pulling the volume from under a running pod.
//! Before letting a claim go it asks the API server too, as upstream:
//! the cache may not have seen a pod that was just created.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::ResourceExt;
use kube::api::{Api, ListParams};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_conflict, is_not_found};

pub const FINALIZER: &str = "kubernetes.io/pvc-protection";

struct PvcProtectionController {
    client: kube::Client,
    claims: Arc<Informer<PersistentVolumeClaim>>,
    pods: Arc<Informer<Pod>>,
    queue: Arc<WorkQueue>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = Arc::new(PvcProtectionController {
        client: context.client.clone(),
        claims: context.informers.get(),
        pods: context.informers.get(),
        queue: context.queue("pvcprotection"),
    });
    {
        let queue = controller.queue.clone();
        controller.claims.on_change(move |change| match change {
            Change::Added(claim) | Change::Updated { new: claim, .. } => {
                if needs_work(claim) {
                    queue.add(key_of(claim));
                }
            }
            Change::Deleted(_) => {}
        });
    }
    {
        // A pod that goes or finishes may free the claims it used.
        let handler = controller.clone();
        controller.pods.on_change(move |change| {
            let pod = match change {
                Change::Deleted(pod) => pod,
                Change::Updated { new, .. } if !uses_claims(new) => new,
                _ => return,
            };
            let namespace = pod.namespace().unwrap_or_default();
            for claim in claims_of(pod) {
                if handler
                    .claims
                    .get(&namespace, &claim)
                    .is_some_and(|c| c.metadata.deletion_timestamp.is_some())
                {
                    handler.queue.add(format!("{namespace}/{claim}"));
                }
            }
        });
    }
    let synced = {
        let c = controller.clone();
        async move {
            c.claims.synced().await;
            c.pods.synced().await;
        }
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "pvc-protection-controller",
        queue,
        2,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move { controller.sync(&key).await }
        },
    )
}

fn has_finalizer(claim: &PersistentVolumeClaim) -> bool {
    claim.finalizers().iter().any(|f| f == FINALIZER)
}

fn needs_work(claim: &PersistentVolumeClaim) -> bool {
    let deleting = claim.metadata.deletion_timestamp.is_some();
    deleting == has_finalizer(claim)
}

/// The claims a pod's volumes name: its own, and its generic ephemeral
/// volumes' (`<pod>-<volume>`).
fn claims_of(pod: &Pod) -> Vec<String> {
    let name = pod.name_any();
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|volume| {
            if let Some(claim) = &volume.persistent_volume_claim {
                Some(claim.claim_name.clone())
            } else {
                volume
                    .ephemeral
                    .as_ref()
                    .map(|_| format!("{name}-{}", volume.name))
            }
        })
        .collect()
}

/// A pod holds its claims once scheduled (the kubelet may be mounting
/// them) and until it has finished.
fn uses_claims(pod: &Pod) -> bool {
    let scheduled = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .is_some_and(|n| !n.is_empty());
    let finished = matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    );
    scheduled && !finished
}

fn in_use_by<'a>(pods: impl IntoIterator<Item = &'a Pod>, claim: &str) -> bool {
    pods.into_iter()
        .any(|pod| uses_claims(pod) && claims_of(pod).iter().any(|c| c == claim))
}

impl PvcProtectionController {
    async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(claim) = self.claims.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let api: Api<PersistentVolumeClaim> = Api::namespaced(self.client.clone(), namespace);
        let deleting = claim.metadata.deletion_timestamp.is_some();
        let mut finalizers = claim.finalizers().to_vec();
        if !deleting && !has_finalizer(&claim) {
            finalizers.push(FINALIZER.to_string());
        } else if deleting && has_finalizer(&claim) {
            let cached = self.pods.list_namespace(namespace);
            if in_use_by(cached.iter().map(|p| p.as_ref()), name) {
                return Ok(Outcome::Done);
            }
            let live = Api::<Pod>::namespaced(self.client.clone(), namespace)
                .list(&ListParams::default())
                .await?;
            if in_use_by(&live.items, name) {
                return Ok(Outcome::Done);
            }
            finalizers.retain(|f| f != FINALIZER);
        } else {
            return Ok(Outcome::Done);
        }
        match crate::patch_finalizers(&api, claim.as_ref(), finalizers).await {
            Ok(()) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) if is_conflict(&err) => Err(err.into()),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(node: Option<&str>, phase: &str) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "web-0", "namespace": "default"},
            "spec": {"nodeName": node, "containers": [{"name": "c"}], "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}},
                {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {}}}}
            ]},
            "status": {"phase": phase}
        }))
        .unwrap()
    }

    #[test]
    fn scheduled_unfinished_pods_hold_their_claims() {
        assert_eq!(
            claims_of(&pod(None, "Pending")),
            vec!["data-web-0", "web-0-scratch"]
        );
        assert!(in_use_by([&pod(Some("n1"), "Running")], "data-web-0"));
        assert!(in_use_by([&pod(Some("n1"), "Pending")], "web-0-scratch"));
        assert!(!in_use_by([&pod(None, "Pending")], "data-web-0"));
        assert!(!in_use_by([&pod(Some("n1"), "Succeeded")], "data-web-0"));
        assert!(!in_use_by([&pod(Some("n1"), "Running")], "other"));
    }
}
