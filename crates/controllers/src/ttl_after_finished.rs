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
use crate::queue::Outcome;
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

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
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
    let client = context.client.clone();
    let cache = jobs.clone();
    let synced = async move { jobs.synced().await };
    crate::spawn_workers(NAME, queue, 5, synced, shutdown, move |key| {
        let (client, cache) = (client.clone(), cache.clone());
        async move {
            let (namespace, name) = split_key(&key);
            let Some(job) = cache.get(namespace, name) else {
                return Ok::<_, Error>(Outcome::Done);
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
            let now = Timestamp::now();
            if due > now {
                let left = due.duration_since(now).as_millis().max(0) as u64;
                return Ok(Outcome::After(Duration::from_millis(left + 100)));
            }
            let api: Api<Job> = Api::namespaced(client, namespace);
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
    })
}
