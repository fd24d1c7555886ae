//! The TTL-after-finished controller: a Job with
//! `ttlSecondsAfterFinished` is deleted (in the foreground, so its pods go
//! first) that long after it completed or failed.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, DeleteParams, Preconditions, PropagationPolicy};
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_conflict, is_not_found};

const NAME: &str = "ttl-after-finished-controller";

/// When the Job finished: its Complete or Failed condition's transition.
fn finished_at(job: &Job) -> Option<Timestamp> {
    job.status
        .as_ref()?
        .conditions
        .iter()
        .flatten()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
        .map(|c| {
            c.last_transition_time
                .as_ref()
                .map(|t| t.0)
                .unwrap_or_else(Timestamp::now)
        })
}

/// Deletes each finished Job once its TTL has passed.
pub struct TtlAfterFinishedController {
    client: kube::Client,
    jobs: Arc<Informer<Job>>,
    queue: Arc<WorkQueue>,
    clock: crate::Clock,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = TtlAfterFinishedController::new(context);
    let jobs = controller.jobs.clone();
    let synced = async move { jobs.synced().await };
    let queue = controller.queue.clone();
    crate::spawn_workers(NAME, queue, 5, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

impl TtlAfterFinishedController {
    /// The controller with its informer handler registered; its workers
    /// are started by [`start`].
    pub fn new(context: &Context) -> Arc<Self> {
        let jobs: Arc<Informer<Job>> = context.informers.get::<Job>();
        let queue = context.queue("ttl_jobs_to_delete");
        {
            let queue = queue.clone();
            jobs.on_change(move |change| match change {
                Change::Added(j) | Change::Updated { new: j, .. } => {
                    let ttl = j.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished);
                    if ttl.is_some()
                        && finished_at(j).is_some()
                        && j.metadata.deletion_timestamp.is_none()
                    {
                        queue.add(key_of(j));
                    }
                }
                Change::Deleted(_) => {}
            });
        }
        Arc::new(TtlAfterFinishedController {
            client: context.client.clone(),
            jobs,
            queue,
            clock: context.clock(),
        })
    }

    /// Deletes the Job `namespace/name` if its TTL has passed, or says
    /// when to look again.
    pub async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(job) = self.jobs.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let (Some(ttl), Some(finished)) = (
            job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished),
            finished_at(&job),
        ) else {
            return Ok(Outcome::Done);
        };
        let Ok(due) = finished.checked_add(SignedDuration::from_secs(ttl.into())) else {
            return Ok(Outcome::Done);
        };
        if due > self.clock.now() {
            return Ok(Outcome::After(
                self.clock.until(due) + Duration::from_millis(100),
            ));
        }
        let api: Api<Job> = Api::namespaced(self.client.clone(), namespace);
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Foreground),
            preconditions: Some(Preconditions {
                uid: job.metadata.uid.clone(),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        match api.delete(name, &params).await {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_not_found(&err) || is_conflict(&err) => Ok(Outcome::Done),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;
    use serde_json::json;

    #[tokio::test]
    async fn a_finished_job_is_deleted_once_its_ttl_has_passed() {
        let h = Harness::start().await;
        let controller = TtlAfterFinishedController::new(&h.context);
        h.start_informers().await;
        let _: Job = h
            .create(json!({
                "apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": "done"},
                "spec": {
                    "ttlSecondsAfterFinished": 60,
                    "template": {"spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "c", "image": "busybox"}],
                    }},
                },
            }))
            .await;
        let finished = crate::pods::timestamp(h.clock.now());
        let _: Job = h
            .patch_status(
                "default",
                "done",
                json!({"status": {
                    "startTime": finished,
                    "completionTime": finished,
                    "conditions": [
                        {"type": "SuccessCriteriaMet", "status": "True", "lastTransitionTime": finished},
                        {"type": "Complete", "status": "True", "lastTransitionTime": finished},
                    ],
                }}),
            )
            .await;
        let outcome = controller.sync("default/done").await.unwrap();
        assert!(
            matches!(outcome, Outcome::After(d) if d > Duration::from_secs(59) && d <= Duration::from_secs(61)),
            "looks again when the TTL passes"
        );
        assert_eq!(h.list::<Job>("default").await.len(), 1);
        h.clock.advance(Duration::from_secs(60));
        controller.sync("default/done").await.unwrap();
        let left = h.list::<Job>("default").await;
        assert!(
            left.iter().all(|j| j.metadata.deletion_timestamp.is_some()),
            "the job is being deleted"
        );
    }
}
