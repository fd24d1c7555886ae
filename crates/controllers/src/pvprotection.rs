//! The PV protection controller: a PersistentVolume keeps the
//! `kubernetes.io/pv-protection` finalizer (admission adds it on create;
//! this controller adds it to volumes that lack it) while it is Bound, so
//! deleting a volume a claim still uses leaves it Terminating until the
//! claim lets go.

use std::sync::Arc;

use k8s_openapi::api::core::v1::PersistentVolume;
use kube::ResourceExt;
use kube::api::Api;
use tokio::sync::watch;

use crate::informer::{Change, Informer};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found};

pub const FINALIZER: &str = "kubernetes.io/pv-protection";

struct PvProtectionController {
    client: kube::Client,
    volumes: Arc<Informer<PersistentVolume>>,
    queue: Arc<WorkQueue>,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = Arc::new(PvProtectionController {
        client: context.client.clone(),
        volumes: context.informers.get(),
        queue: context.queue("pvprotection"),
    });
    {
        let queue = controller.queue.clone();
        controller.volumes.on_change(move |change| match change {
            Change::Added(volume) | Change::Updated { new: volume, .. } => {
                if wanted_finalizers(volume).is_some() {
                    queue.add(volume.name_any());
                }
            }
            Change::Deleted(_) => {}
        });
    }
    let synced = {
        let c = controller.clone();
        async move { c.volumes.synced().await }
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(
        "pv-protection-controller",
        queue,
        1,
        synced,
        shutdown,
        move |key| {
            let controller = controller.clone();
            async move { controller.sync(&key).await }
        },
    )
}

/// The volume's finalizers as they should be, when they should change:
/// added while it lives, removed once it is deleted and not Bound.
fn wanted_finalizers(volume: &PersistentVolume) -> Option<Vec<String>> {
    let has = volume.finalizers().iter().any(|f| f == FINALIZER);
    let deleting = volume.metadata.deletion_timestamp.is_some();
    let bound = volume.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    let mut finalizers = volume.finalizers().to_vec();
    if !deleting && !has {
        finalizers.push(FINALIZER.to_string());
        Some(finalizers)
    } else if deleting && has && !bound {
        finalizers.retain(|f| f != FINALIZER);
        Some(finalizers)
    } else {
        None
    }
}

impl PvProtectionController {
    async fn sync(&self, name: &str) -> Result<Outcome, Error> {
        let Some(volume) = self.volumes.get("", name) else {
            return Ok(Outcome::Done);
        };
        let Some(finalizers) = wanted_finalizers(&volume) else {
            return Ok(Outcome::Done);
        };
        let api: Api<PersistentVolume> = Api::all(self.client.clone());
        match crate::patch_finalizers(&api, volume.as_ref(), finalizers).await {
            Ok(()) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn volume(finalizers: &[&str], deleting: bool, phase: &str) -> PersistentVolume {
        let mut metadata = json!({"name": "pv", "finalizers": finalizers});
        if deleting {
            metadata["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        }
        serde_json::from_value(json!({"metadata": metadata, "status": {"phase": phase}})).unwrap()
    }

    #[test]
    fn a_bound_volume_keeps_its_finalizer() {
        assert_eq!(
            wanted_finalizers(&volume(&[], false, "Available")),
            Some(vec![FINALIZER.to_string()])
        );
        assert_eq!(
            wanted_finalizers(&volume(&[FINALIZER], false, "Bound")),
            None
        );
        assert_eq!(
            wanted_finalizers(&volume(&[FINALIZER], true, "Bound")),
            None
        );
        assert_eq!(
            wanted_finalizers(&volume(&[FINALIZER, "other"], true, "Released")),
            Some(vec!["other".to_string()])
        );
    }
}
