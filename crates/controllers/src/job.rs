//! The Job controller: runs pods until `completions` succeed (or, without
//! completions, until one does), `parallelism` at a time, as upstream:
//!
//! - pods carry the `batch.kubernetes.io/job-tracking` finalizer, so every
//!   finished pod is counted exactly once (through
//!   `status.uncountedTerminatedPods`) even if it is deleted right after;
//! - failures are retried after a backoff (10 s doubling, at most 6 min)
//!   until `backoffLimit` is passed; `activeDeadlineSeconds` bounds the
//!   whole run; `podFailurePolicy` rules (exit codes, pod conditions) can
//!   fail the Job at once, ignore a failure or count it;
//! - Indexed Jobs give each pod its index (annotation, label, hostname and
//!   the JOB_COMPLETION_INDEX variable) and track `completedIndexes`;
//! - `suspend` deletes the running pods and resumes later;
//! - conditions as upstream: SuccessCriteriaMet then Complete, or
//!   FailureTarget then Failed, and Suspended.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{EnvVar, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::SignedDuration;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::expectations::Expectations;
use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_not_found, pods};
use events::EventSink;

const NAME: &str = "job-controller";
const WORKERS: usize = 5;
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
pub const INDEX_ANNOTATION: &str = "batch.kubernetes.io/job-completion-index";
const INDEX_ENV: &str = "JOB_COMPLETION_INDEX";
const BACKOFF_BASE: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(360);

pub struct JobController {
    client: kube::Client,
    jobs: Arc<Informer<Job>>,
    pods: Arc<Informer<Pod>>,
    queue: Arc<WorkQueue>,
    expectations: Expectations,
    events: EventSink,
    /// Each Job as this controller last wrote it: the cache may not have
    /// caught up yet, and counting from an older status would count twice.
    written: std::sync::Mutex<BTreeMap<String, Arc<Job>>>,
    /// Pods whose tracking finalizer this controller removed (already
    /// counted), until the cache shows them without it.
    released: std::sync::Mutex<BTreeSet<String>>,
    clock: crate::Clock,
}

fn resource_version(job: &Job) -> u64 {
    job.metadata
        .resource_version
        .as_deref()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or(0)
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = JobController::new(context);
    let (jobs, pods) = (controller.jobs.clone(), controller.pods.clone());
    let synced = async move {
        jobs.synced().await;
        pods.synced().await;
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

fn finished(pod: &Pod) -> bool {
    matches!(phase(pod), "Succeeded" | "Failed")
}

/// Failed, or deleted before it finished (which counts as a failure).
fn failed(pod: &Pod) -> bool {
    phase(pod) == "Failed"
        || (pod.metadata.deletion_timestamp.is_some() && phase(pod) != "Succeeded")
}

fn has_tracking(pod: &Pod) -> bool {
    pod.metadata
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == TRACKING_FINALIZER)
}

fn index_of(pod: &Pod) -> Option<i32> {
    pod.metadata
        .annotations
        .as_ref()?
        .get(INDEX_ANNOTATION)?
        .parse()
        .ok()
}

fn condition<'a>(status: &'a JobStatus, kind: &str) -> Option<&'a JobCondition> {
    status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == kind && c.status == "True")
}

fn set_condition(
    now: &Time,
    status: &mut JobStatus,
    kind: &str,
    value: &str,
    reason: &str,
    message: &str,
) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    if let Some(existing) = conditions.iter_mut().find(|c| c.type_ == kind) {
        if existing.status == value && existing.reason.as_deref() == Some(reason) {
            return;
        }
        let transition = existing.status != value;
        existing.status = value.to_string();
        existing.reason = Some(reason.to_string());
        existing.message = Some(message.to_string());
        existing.last_probe_time = Some(now.clone());
        if transition {
            existing.last_transition_time = Some(now.clone());
        }
        return;
    }
    conditions.push(JobCondition {
        type_: kind.to_string(),
        status: value.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_probe_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    });
}

/// A set of completion indexes kept as sorted, disjoint, non-adjacent
/// ranges, as upstream's ordered intervals: `completedIndexes` is written by
/// the status subresource too, so "0-2147483646" must cost two numbers, not
/// two billion.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Indexes(Vec<(i32, i32)>);

impl Indexes {
    /// Parses `1,3-5,7`, keeping only indexes below `completions` (as
    /// upstream does) and skipping parts that do not parse.
    pub fn parse(text: &str, completions: i32) -> Indexes {
        let mut indexes = Indexes::default();
        for part in text.split(',').filter(|p| !p.is_empty()) {
            let (first, last) = match part.split_once('-') {
                Some((a, b)) => match (a.parse::<i32>(), b.parse::<i32>()) {
                    (Ok(a), Ok(b)) => (a, b),
                    _ => continue,
                },
                None => match part.parse::<i32>() {
                    Ok(i) => (i, i),
                    Err(_) => continue,
                },
            };
            let (first, last) = (first.max(0), last.min(completions.saturating_sub(1)));
            if first <= last {
                indexes.insert_range(first, last);
            }
        }
        indexes
    }

    pub fn insert(&mut self, index: i32) {
        self.insert_range(index, index);
    }

    fn insert_range(&mut self, first: i32, last: i32) {
        // Ranges that overlap or touch [first, last] merge with it.
        let touches = |&(a, b): &(i32, i32)| {
            i64::from(a) <= i64::from(last) + 1 && i64::from(first) <= i64::from(b) + 1
        };
        let (mut lo, mut hi) = (first, last);
        self.0.retain(|range| {
            if touches(range) {
                lo = lo.min(range.0);
                hi = hi.max(range.1);
                false
            } else {
                true
            }
        });
        let at = self.0.partition_point(|&(a, _)| a < lo);
        self.0.insert(at, (lo, hi));
    }

    pub fn contains(&self, index: i32) -> bool {
        let at = self.0.partition_point(|&(_, b)| b < index);
        self.0.get(at).is_some_and(|&(a, _)| a <= index)
    }

    /// How many indexes the set holds.
    pub fn len(&self) -> i64 {
        self.0
            .iter()
            .map(|&(a, b)| i64::from(b) - i64::from(a) + 1)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The indexes in `0..end` not in the set, lowest first, stepping over
    /// each range rather than through it.
    pub fn missing_below(&self, end: i32) -> impl Iterator<Item = i32> + '_ {
        let mut next = 0i32;
        let mut ranges = self.0.iter().peekable();
        std::iter::from_fn(move || {
            while let Some(&&(a, b)) = ranges.peek() {
                if next < a {
                    break;
                }
                next = next.max(b.saturating_add(1));
                ranges.next();
                if b == i32::MAX {
                    return None;
                }
            }
            (next < end).then(|| {
                next += 1;
                next - 1
            })
        })
    }
}

/// Indexes as upstream writes them: `1,3-5,7`.
impl std::fmt::Display for Indexes {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        for (n, &(a, b)) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        Ok(())
    }
}

/// What a pod failure policy says about a failed pod.
#[derive(Debug, PartialEq)]
enum Verdict {
    FailJob(String),
    Ignore,
    Count,
}

/// The first podFailurePolicy rule matching `pod`, as upstream applies them.
fn failure_policy(job: &Job, pod: &Pod) -> Verdict {
    let Some(policy) = job
        .spec
        .as_ref()
        .and_then(|s| s.pod_failure_policy.as_ref())
    else {
        return Verdict::Count;
    };
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    for (index, rule) in policy.rules.iter().enumerate() {
        let matched = if let Some(codes) = &rule.on_exit_codes {
            statuses.iter().find_map(|status| {
                if codes.container_name.as_ref().is_some_and(|n| *n != status.name) {
                    return None;
                }
                let code = status.state.as_ref()?.terminated.as_ref()?.exit_code;
                if code == 0 {
                    return None;
                }
                let listed = codes.values.contains(&code);
                let hit = if codes.operator == "In" { listed } else { !listed };
                hit.then(|| format!("Container {} for pod {}/{} failed with exit code {code} matching {} rule at index {index}",
                    status.name, pod.namespace().unwrap_or_default(), pod.name_any(), rule.action))
            })
        } else {
            rule.on_pod_conditions.iter().flatten().find_map(|wanted| {
                pod.status
                    .as_ref()?
                    .conditions
                    .iter()
                    .flatten()
                    .any(|c| {
                        // The pattern's status defaults to True.
                        let status = if wanted.status.is_empty() {
                            "True"
                        } else {
                            wanted.status.as_str()
                        };
                        c.type_ == wanted.type_ && c.status == status
                    })
                    .then(|| {
                        format!(
                            "Pod {}/{} has condition {} matching {} rule at index {index}",
                            pod.namespace().unwrap_or_default(),
                            pod.name_any(),
                            wanted.type_,
                            rule.action
                        )
                    })
            })
        };
        if let Some(message) = matched {
            return match rule.action.as_str() {
                "FailJob" => Verdict::FailJob(message),
                "Ignore" => Verdict::Ignore,
                _ => Verdict::Count,
            };
        }
    }
    Verdict::Count
}

impl JobController {
    /// The controller with its informer handlers registered; its workers
    /// are started by [`start`].
    pub fn new(context: &Context) -> Arc<Self> {
        let jobs = context.informers.get::<Job>();
        let pods = context.informers.get::<Pod>();
        let controller = Arc::new(JobController {
            client: context.client.clone(),
            jobs: jobs.clone(),
            pods: pods.clone(),
            queue: context.queue("job"),
            expectations: Expectations::default(),
            events: EventSink::new(context.client.clone(), NAME),
            clock: context.clock(),
            written: std::sync::Mutex::default(),
            released: std::sync::Mutex::default(),
        });
        let handler = controller.clone();
        jobs.on_change(move |change| match change {
            Change::Added(j) | Change::Updated { new: j, .. } => handler.queue.add(key_of(j)),
            Change::Deleted(j) => {
                handler.expectations.forget(&key_of(j));
                crate::informer::lock(&handler.written).remove(&key_of(j));
                handler.queue.add(key_of(j));
            }
        });
        let handler = controller.clone();
        pods.on_change(move |change| {
            let (pod, added, gone) = match change {
                Change::Added(p) => (p, true, false),
                Change::Updated { new, .. } => (new, false, false),
                Change::Deleted(p) => (p, false, true),
            };
            if (gone || !has_tracking(pod))
                && let Some(uid) = pod.metadata.uid.as_ref()
            {
                crate::informer::lock(&handler.released).remove(uid);
            }
            if let Some(job) = handler.owner(pod) {
                let key = key_of(job.as_ref());
                if added {
                    handler.expectations.creation_observed(&key);
                }
                if gone || pod.metadata.deletion_timestamp.is_some() {
                    handler.expectations.deletion_observed(&key, &key_of(pod));
                }
                handler.queue.add(key);
            }
        });
        controller
    }

    fn owner(&self, pod: &Pod) -> Option<Arc<Job>> {
        self.jobs.controller_of(&pod.metadata)
    }

    /// Reconciles the object a queue key names, once.
    pub async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(cached) = self.jobs.get(namespace, name) else {
            self.expectations.forget(key);
            return Ok(Outcome::Done);
        };
        // Our own last write, if the cache has not seen it yet.
        let mut job = match crate::informer::lock(&self.written).get(key) {
            Some(mine) if resource_version(mine) > resource_version(&cached) => mine.clone(),
            _ => cached,
        };
        let Some(spec) = job.spec.clone() else {
            return Ok(Outcome::Done);
        };
        let uid = job.metadata.uid.clone().unwrap_or_default();
        let pods_api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let jobs_api: Api<Job> = Api::namespaced(self.client.clone(), namespace);
        let owned: Vec<Arc<Pod>> = self
            .pods
            .list_namespace(namespace)
            .into_iter()
            .filter(|p| pods::controller_ref(&p.metadata).is_some_and(|r| r.uid == uid))
            .collect();
        let mut status = job.status.clone().unwrap_or_default();
        let was = status.clone();
        let indexed = spec.completion_mode.as_deref() == Some("Indexed");

        // Count finished pods once: uncounted first, then their finalizer
        // goes, then the counts move.
        let mut uncounted = status.uncounted_terminated_pods.clone().unwrap_or_default();
        let mut newly_failed: Vec<Arc<Pod>> = Vec::new();
        let mut to_release: Vec<Arc<Pod>> = Vec::new();
        let released_already = crate::informer::lock(&self.released).clone();
        for pod in &owned {
            if !has_tracking(pod)
                || pod
                    .metadata
                    .uid
                    .as_ref()
                    .is_some_and(|u| released_already.contains(u))
            {
                continue;
            }
            let pod_uid = pod.metadata.uid.clone().unwrap_or_default();
            if phase(pod) == "Succeeded" {
                let list = uncounted.succeeded.get_or_insert_with(Vec::new);
                if !list.contains(&pod_uid) {
                    list.push(pod_uid);
                }
                to_release.push(pod.clone());
            } else if failed(pod) {
                let list = uncounted.failed.get_or_insert_with(Vec::new);
                if !list.contains(&pod_uid) {
                    list.push(pod_uid);
                    newly_failed.push(pod.clone());
                }
                to_release.push(pod.clone());
            }
        }
        // A failure decided earlier stands while the pods terminate.
        let mut fail_job: Option<(String, String)> = condition(&status, "FailureTarget").map(|c| {
            (
                c.reason.clone().unwrap_or_default(),
                c.message.clone().unwrap_or_default(),
            )
        });
        for pod in &newly_failed {
            match failure_policy(&job, pod) {
                Verdict::FailJob(message) => {
                    fail_job.get_or_insert(("PodFailurePolicy".into(), message));
                }
                Verdict::Ignore => {
                    // Ignored failures do not count.
                    if let Some(list) = uncounted.failed.as_mut() {
                        list.retain(|u| Some(u) != pod.metadata.uid.as_ref());
                    }
                }
                Verdict::Count => {}
            }
        }
        if uncounted != status.uncounted_terminated_pods.clone().unwrap_or_default() {
            status.uncounted_terminated_pods = Some(uncounted.clone());
            job = self.write_status(&jobs_api, &job, &mut status).await?;
        }
        for pod in &to_release {
            let finalizers: Vec<String> = pod
                .metadata
                .finalizers
                .iter()
                .flatten()
                .filter(|f| *f != TRACKING_FINALIZER)
                .cloned()
                .collect();
            let patch = json!({"metadata": {"finalizers": finalizers, "resourceVersion": pod.metadata.resource_version}});
            match pods_api
                .patch(
                    &pod.name_any(),
                    &PatchParams::default(),
                    &Patch::Merge(patch),
                )
                .await
            {
                Ok(_) => {
                    if let Some(uid) = pod.metadata.uid.clone() {
                        crate::informer::lock(&self.released).insert(uid);
                    }
                }
                Err(err) if is_not_found(&err) => {}
                Err(err) => return Err(err.into()),
            }
        }
        // Released pods move from uncounted to counted.
        let mut completed = status
            .completed_indexes
            .as_deref()
            .map(|text| Indexes::parse(text, spec.completions.unwrap_or(0)))
            .unwrap_or_default();
        let released: BTreeSet<String> = to_release
            .iter()
            .filter_map(|p| p.metadata.uid.clone())
            .collect();
        let still_tracked: BTreeSet<String> = owned
            .iter()
            .filter(|p| {
                has_tracking(p) && !released.contains(p.metadata.uid.as_deref().unwrap_or_default())
            })
            .filter_map(|p| p.metadata.uid.clone())
            .collect();
        let mut moved = false;
        for (list, counter) in [
            (&mut uncounted.succeeded, &mut status.succeeded),
            (&mut uncounted.failed, &mut status.failed),
        ] {
            if let Some(uids) = list.as_mut() {
                let before = uids.len();
                let done: Vec<String> = uids
                    .iter()
                    .filter(|u| !still_tracked.contains(*u))
                    .cloned()
                    .collect();
                uids.retain(|u| still_tracked.contains(u));
                *counter = Some(counter.unwrap_or(0) + done.len() as i32);
                moved |= uids.len() != before;
            }
        }
        if indexed {
            for pod in to_release.iter().filter(|p| phase(p) == "Succeeded") {
                if let Some(index) = index_of(pod) {
                    completed.insert(index);
                }
            }
            status.completed_indexes = (!completed.is_empty()).then(|| completed.to_string());
            status.succeeded = Some(i32::try_from(completed.len()).unwrap_or(i32::MAX));
        }
        if moved {
            let empty = UncountedTerminatedPods::default();
            status.uncounted_terminated_pods = Some(uncounted.clone())
                .filter(|u| *u != empty)
                .or(Some(empty));
        }

        let active: Vec<Arc<Pod>> = owned
            .iter()
            .filter(|p| !finished(p) && p.metadata.deletion_timestamp.is_none())
            .cloned()
            .collect();
        let succeeded = status.succeeded.unwrap_or(0);
        let failures =
            status.failed.unwrap_or(0) + uncounted.failed.as_ref().map_or(0, |f| f.len() as i32);
        let backoff_limit = spec.backoff_limit.unwrap_or(6);
        let suspended = spec.suspend == Some(true);
        let terminal =
            condition(&status, "Complete").is_some() || condition(&status, "Failed").is_some();
        if status.start_time.is_none() && !suspended {
            status.start_time = Some(self.clock.now_time());
        }
        let mut outcome = Outcome::Done;
        if !terminal {
            if fail_job.is_none() && failures > backoff_limit {
                fail_job = Some((
                    "BackoffLimitExceeded".into(),
                    "Job has reached the specified backoff limit".into(),
                ));
            }
            if fail_job.is_none()
                && let (Some(deadline), Some(started)) =
                    (spec.active_deadline_seconds, status.start_time.as_ref())
                && !suspended
            {
                let due = started
                    .0
                    .checked_add(SignedDuration::from_secs(deadline))
                    .ok();
                match due {
                    Some(due) if due <= self.clock.now() => {
                        fail_job = Some((
                            "DeadlineExceeded".into(),
                            "Job was active longer than specified deadline".into(),
                        ));
                    }
                    Some(due) => {
                        let left = self.clock.until(due).as_secs();
                        outcome = Outcome::After(Duration::from_secs(left + 1));
                    }
                    None => {}
                }
            }
            let completions = spec.completions;
            let complete = condition(&status, "SuccessCriteriaMet").is_some()
                || match completions {
                    Some(c) => succeeded >= c,
                    None => succeeded > 0 && active.is_empty(),
                };
            if let Some((reason, message)) = fail_job.clone() {
                set_condition(
                    &self.clock.now_time(),
                    &mut status,
                    "FailureTarget",
                    "True",
                    &reason,
                    &message,
                );
                self.delete_pods(&job, &active).await?;
                if active.is_empty() {
                    set_condition(
                        &self.clock.now_time(),
                        &mut status,
                        "Failed",
                        "True",
                        &reason,
                        &message,
                    );
                    self.events.warning(job.as_ref(), &reason, message.clone());
                }
            } else if complete {
                set_condition(
                    &self.clock.now_time(),
                    &mut status,
                    "SuccessCriteriaMet",
                    "True",
                    "CompletionsReached",
                    "Reached expected number of succeeded pods",
                );
                self.delete_pods(&job, &active).await?;
                if active.is_empty() {
                    set_condition(
                        &self.clock.now_time(),
                        &mut status,
                        "Complete",
                        "True",
                        "CompletionsReached",
                        "Reached expected number of succeeded pods",
                    );
                    status.completion_time = Some(self.clock.now_time());
                    self.events
                        .normal(job.as_ref(), "Completed", "Job completed".into());
                }
            } else if suspended {
                self.delete_pods(&job, &active).await?;
                if condition(&status, "Suspended").is_none() {
                    set_condition(
                        &self.clock.now_time(),
                        &mut status,
                        "Suspended",
                        "True",
                        "JobSuspended",
                        "Job suspended",
                    );
                    self.events
                        .normal(job.as_ref(), "Suspended", "Job suspended".into());
                }
                status.start_time = None;
            } else {
                if condition(&status, "Suspended").is_some() {
                    set_condition(
                        &self.clock.now_time(),
                        &mut status,
                        "Suspended",
                        "False",
                        "JobResumed",
                        "Job resumed",
                    );
                    self.events
                        .normal(job.as_ref(), "Resumed", "Job resumed".into());
                }
                if self.expectations.satisfied(key) {
                    let wait = self.backoff(&owned, failures);
                    if wait.is_zero() {
                        self.manage(&job, &spec, &active, &completed, succeeded)
                            .await?;
                    } else {
                        outcome = Outcome::After(wait);
                    }
                }
            }
        }
        let active_now = active.len() as i32;
        status.active = (active_now > 0).then_some(active_now);
        let ready = active.iter().filter(|p| pods::is_ready(p)).count() as i32;
        status.ready = Some(ready);
        let terminating = owned
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_some() && !finished(p))
            .count() as i32;
        status.terminating = Some(terminating);
        if status != was {
            self.write_status(&jobs_api, &job, &mut status).await?;
        }
        Ok(outcome)
    }

    /// How long to wait before replacing failed pods: 10 s doubling per
    /// failure, from the last failure, at most 6 min.
    fn backoff(&self, owned: &[Arc<Pod>], failures: i32) -> Duration {
        if failures <= 0 {
            return Duration::ZERO;
        }
        let last = owned
            .iter()
            .filter(|p| phase(p) == "Failed")
            .filter_map(|p| {
                let statuses = p.status.as_ref()?.container_statuses.as_ref()?;
                statuses
                    .iter()
                    .filter_map(|s| {
                        s.state
                            .as_ref()?
                            .terminated
                            .as_ref()?
                            .finished_at
                            .as_ref()
                            .map(|t| t.0)
                    })
                    .max()
            })
            .max();
        let Some(last) = last else {
            return Duration::ZERO;
        };
        let delay = BACKOFF_BASE
            .saturating_mul(2u32.saturating_pow((failures - 1) as u32))
            .min(BACKOFF_MAX);
        let elapsed = self.clock.now().duration_since(last).as_secs().max(0) as u64;
        delay.saturating_sub(Duration::from_secs(elapsed))
    }

    async fn manage(
        &self,
        job: &Job,
        spec: &k8s_openapi::api::batch::v1::JobSpec,
        active: &[Arc<Pod>],
        completed: &Indexes,
        succeeded: i32,
    ) -> Result<(), Error> {
        let key = key_of(job);
        let parallelism = spec.parallelism.unwrap_or(1).max(0);
        let indexed = spec.completion_mode.as_deref() == Some("Indexed");
        let wanted = match spec.completions {
            Some(c) => parallelism.min((c - succeeded).max(0)),
            None if succeeded > 0 => 0,
            None => parallelism,
        } as usize;
        let namespace = job.namespace().unwrap_or_default();
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
        if active.len() > wanted {
            // Newest first, as upstream's ordering of active pods.
            let mut surplus: Vec<Arc<Pod>> = active.to_vec();
            surplus.sort_by_key(|p| {
                std::cmp::Reverse(p.metadata.creation_timestamp.as_ref().map(|t| t.0))
            });
            surplus.truncate(active.len() - wanted);
            return self.delete_pods(job, &surplus).await;
        }
        // At most a burst of creations per sync, as upstream; their
        // events bring the next sync.
        let missing = (wanted - active.len()).min(crate::replicaset::BURST_REPLICAS);
        if missing == 0 {
            return Ok(());
        }
        let template = &spec.template;
        // Indexed: the lowest indexes neither done nor running.
        let indexes: Vec<Option<i32>> = if indexed {
            let running: BTreeSet<i32> = active.iter().filter_map(|p| index_of(p)).collect();
            completed
                .missing_below(spec.completions.unwrap_or(0))
                .filter(|i| !running.contains(i))
                .take(missing)
                .map(Some)
                .collect()
        } else {
            vec![None; missing]
        };
        self.expectations
            .expect(&key, indexes.len() as i64, Vec::new());
        let name = job.name_any();
        let created = crate::replicaset::slow_start(indexes.len(), |n| {
            let index = indexes[n];
            let prefix = match index {
                Some(i) => format!("{name}-{i}-"),
                None => pods::name_prefix(&name),
            };
            let mut pod = pods::from_template(
                template,
                &namespace,
                &prefix,
                pods::controller_reference(job),
            );
            pod.metadata
                .finalizers
                .get_or_insert_with(Vec::new)
                .push(TRACKING_FINALIZER.into());
            if let Some(i) = index {
                pod.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(INDEX_ANNOTATION.into(), i.to_string());
                pod.metadata
                    .labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert(INDEX_ANNOTATION.into(), i.to_string());
                if let Some(spec) = pod.spec.as_mut() {
                    if spec.hostname.is_none() {
                        spec.hostname = Some(format!("{name}-{i}"));
                    }
                    for container in spec
                        .containers
                        .iter_mut()
                        .chain(spec.init_containers.iter_mut().flatten())
                    {
                        let env = container.env.get_or_insert_with(Vec::new);
                        if !env.iter().any(|e| e.name == INDEX_ENV) {
                            env.push(EnvVar {
                                name: INDEX_ENV.into(),
                                value: None,
                                value_from: Some(
                                    serde_json::from_value(json!({"fieldRef": {"fieldPath":
                                    format!("metadata.annotations['{INDEX_ANNOTATION}']")}}))
                                    .unwrap_or_default(),
                                ),
                            });
                        }
                    }
                }
            }
            let api = api.clone();
            async move { api.create(&PostParams::default(), &pod).await }
        })
        .await;
        self.expectations
            .lower_creations(&key, (indexes.len() - created.succeeded.len()) as i64);
        for pod in &created.succeeded {
            self.events.normal(
                job,
                "SuccessfulCreate",
                format!("Created pod: {}", pod.name_any()),
            );
        }
        if let Some(err) = created.error {
            self.events.warning(
                job,
                "FailedCreate",
                format!("Error creating: {}", crate::replicaset::api_message(&err)),
            );
            return Err(err.into());
        }
        Ok(())
    }

    async fn delete_pods(&self, job: &Job, pods: &[Arc<Pod>]) -> Result<(), Error> {
        if pods.is_empty() {
            return Ok(());
        }
        let key = key_of(job);
        let api: Api<Pod> =
            Api::namespaced(self.client.clone(), &job.namespace().unwrap_or_default());
        self.expectations
            .expect(&key, 0, pods.iter().map(|p| key_of(p.as_ref())).collect());
        for pod in pods {
            // Pods the controller removes itself are not failures: they
            // stop being tracked first.
            let finalizers: Vec<String> = pod
                .metadata
                .finalizers
                .iter()
                .flatten()
                .filter(|f| *f != TRACKING_FINALIZER)
                .cloned()
                .collect();
            let patch = json!({"metadata": {"finalizers": finalizers}});
            match api
                .patch(
                    &pod.name_any(),
                    &PatchParams::default(),
                    &Patch::Merge(patch),
                )
                .await
            {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => {
                    self.expectations
                        .deletion_observed(&key, &key_of(pod.as_ref()));
                    continue;
                }
                Err(err) => return Err(err.into()),
            }
            match api
                .delete(&pod.name_any(), &DeleteParams::background())
                .await
            {
                Ok(_) => self.events.normal(
                    job,
                    "SuccessfulDelete",
                    format!("Deleted pod: {}", pod.name_any()),
                ),
                Err(err) if is_not_found(&err) => self
                    .expectations
                    .deletion_observed(&key, &key_of(pod.as_ref())),
                Err(err) => {
                    self.expectations
                        .deletion_observed(&key, &key_of(pod.as_ref()));
                    return Err(err.into());
                }
            }
        }
        Ok(())
    }

    async fn write_status(
        &self,
        api: &Api<Job>,
        job: &Job,
        status: &mut JobStatus,
    ) -> Result<Arc<Job>, Error> {
        // Written only over the version it was computed from: another
        // writer of the status (a user, through the status subresource) in
        // between gives a conflict and a sync on the newer object, not a
        // status that drops what they wrote.
        let mut body = json!({
            "metadata": {"resourceVersion": job.metadata.resource_version},
            "status": serde_json::to_value(&*status).unwrap_or(Value::Null),
        });
        // Fields the computed status no longer has are cleared.
        for field in ["active", "completionTime", "completedIndexes"] {
            if body["status"].get(field).is_none() {
                body["status"][field] = Value::Null;
            }
        }
        match api
            .patch_status(
                &job.name_any(),
                &PatchParams::default(),
                &Patch::Merge(body),
            )
            .await
        {
            Ok(updated) => {
                let updated = Arc::new(updated);
                crate::informer::lock(&self.written).insert(key_of(job), updated.clone());
                Ok(updated)
            }
            Err(err) if is_not_found(&err) => Ok(Arc::new(job.clone())),
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_written_as_ranges() {
        let mut set = Indexes::default();
        for i in [4, 0, 7, 2, 6, 1] {
            set.insert(i);
        }
        assert_eq!(set.to_string(), "0-2,4,6-7");
        assert_eq!(Indexes::parse("0-2,4,6-7", 8), set);
        assert_eq!(set.len(), 6);
        assert!(set.contains(4) && !set.contains(3) && !set.contains(5) && set.contains(7));
        assert_eq!(set.missing_below(10).collect::<Vec<_>>(), [3, 5, 8, 9]);
        set.insert(3);
        set.insert(5);
        assert_eq!(set.to_string(), "0-7");
        assert_eq!(Indexes::parse("0-2,4,6-7,-3,x,9-", 5).to_string(), "0-2,4");
        assert_eq!(Indexes::default().to_string(), "");
        // Huge ranges cost nothing.
        let huge = Indexes::parse("0-2147483645", i32::MAX);
        assert_eq!(huge.len(), 2_147_483_646);
        assert_eq!(
            huge.missing_below(i32::MAX).collect::<Vec<_>>(),
            [2_147_483_646]
        );
        assert_eq!(Indexes::parse("2147483647", i32::MAX), Indexes::default());
        let all = Indexes::parse("0-2147483646", i32::MAX);
        assert_eq!(all.missing_below(i32::MAX).count(), 0);
    }

    #[test]
    fn failure_policies_match_exit_codes() {
        let job: Job = serde_json::from_value(json!({"metadata": {"name": "j"}, "spec": {
        "template": {"spec": {"containers": []}},
        "podFailurePolicy": {"rules": [
            {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [42]}},
            {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]},
        ]}}}))
        .unwrap();
        let pod = |code: i32, disrupted: bool| -> Pod {
            let mut status = json!({"phase": "Failed", "containerStatuses": [{"name": "c", "image": "x", "imageID": "",
                "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": code}}}]});
            if disrupted {
                status["conditions"] = json!([{"type": "DisruptionTarget", "status": "True"}]);
            }
            serde_json::from_value(
                json!({"metadata": {"name": "p", "namespace": "ns"}, "status": status}),
            )
            .unwrap()
        };
        assert!(
            matches!(failure_policy(&job, &pod(42, false)), Verdict::FailJob(m) if m.contains("exit code 42"))
        );
        assert_eq!(failure_policy(&job, &pod(1, true)), Verdict::Ignore);
        assert_eq!(failure_policy(&job, &pod(1, false)), Verdict::Count);
    }

    mod reconcile {
        use super::*;
        use crate::testing::{Harness, settle};

        fn work(spec: Value) -> Value {
            let mut spec = spec;
            spec["template"] = json!({"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "c", "image": "busybox"}],
            }});
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "work"}, "spec": spec})
        }

        fn live(pods: &[Pod]) -> Vec<&Pod> {
            pods.iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none() && !finished(p))
                .collect()
        }

        fn has(job: &Job, kind: &str, reason: &str) -> bool {
            job.status
                .as_ref()
                .and_then(|s| condition(s, kind))
                .is_some_and(|c| c.reason.as_deref() == Some(reason))
        }

        #[tokio::test]
        async fn completions_succeed_and_the_job_completes() {
            let h = Harness::start().await;
            let controller = JobController::new(&h.context);
            h.start_informers().await;
            let _: Job = h
                .create(work(json!({"completions": 2, "parallelism": 2})))
                .await;
            controller.sync("default/work").await.unwrap();
            let pods = h.pods("default").await;
            assert_eq!(pods.len(), 2);
            for pod in &pods {
                assert!(has_tracking(pod), "pods carry the tracking finalizer");
            }
            let job: Job = h.fresh("default", "work").await;
            assert_eq!(
                job.status.as_ref().and_then(|s| s.start_time.clone()),
                Some(h.clock.now_time())
            );

            h.clock.advance(Duration::from_secs(7));
            for pod in &pods {
                h.mark_finished(pod, "Succeeded").await;
            }
            let job: Job = settle(
                &h,
                "default",
                "work",
                || controller.sync("default/work"),
                |j: &Job| has(j, "Complete", "CompletionsReached"),
            )
            .await;
            let status = job.status.unwrap();
            assert_eq!(status.succeeded, Some(2));
            assert_eq!(status.completion_time, Some(h.clock.now_time()));
            assert!(
                h.pods("default").await.iter().all(|p| !has_tracking(p)),
                "counted pods lose the finalizer"
            );
        }

        #[tokio::test]
        async fn failed_pods_are_replaced_after_backoff_and_the_deadline_fails_the_job() {
            let h = Harness::start().await;
            let controller = JobController::new(&h.context);
            h.start_informers().await;
            let _: Job = h
                .create(work(
                    json!({"backoffLimit": 3, "activeDeadlineSeconds": 60}),
                ))
                .await;
            controller.sync("default/work").await.unwrap();
            let first = h.pods("default").await.remove(0);
            h.mark_finished(&first, "Failed").await;
            let job: Job = settle(
                &h,
                "default",
                "work",
                || controller.sync("default/work"),
                |j: &Job| j.status.as_ref().and_then(|s| s.failed) == Some(1),
            )
            .await;
            assert!(job.status.as_ref().unwrap().active.is_none());
            // The replacement waits 10 s after the failure.
            let outcome = controller.sync("default/work").await.unwrap();
            assert!(
                matches!(outcome, Outcome::After(d) if d <= Duration::from_secs(10) && d > Duration::ZERO)
            );
            assert!(live(&h.pods("default").await).is_empty());
            h.clock.advance(Duration::from_secs(10));
            controller.sync("default/work").await.unwrap();
            assert_eq!(live(&h.pods("default").await).len(), 1);

            // A minute after the start the job has run out of time.
            h.clock.advance(Duration::from_secs(50));
            let job: Job = settle(
                &h,
                "default",
                "work",
                || controller.sync("default/work"),
                |j: &Job| has(j, "Failed", "DeadlineExceeded"),
            )
            .await;
            let failed = job
                .status
                .as_ref()
                .and_then(|s| condition(s, "Failed"))
                .unwrap();
            assert_eq!(
                failed.message.as_deref(),
                Some("Job was active longer than specified deadline")
            );
            assert!(
                live(&h.pods("default").await).is_empty(),
                "its pods are stopped"
            );
        }

        #[tokio::test]
        async fn the_backoff_limit_fails_the_job() {
            let h = Harness::start().await;
            let controller = JobController::new(&h.context);
            h.start_informers().await;
            let _: Job = h.create(work(json!({"backoffLimit": 0}))).await;
            controller.sync("default/work").await.unwrap();
            let pod = h.pods("default").await.remove(0);
            h.mark_finished(&pod, "Failed").await;
            let job: Job = settle(
                &h,
                "default",
                "work",
                || controller.sync("default/work"),
                |j: &Job| has(j, "Failed", "BackoffLimitExceeded"),
            )
            .await;
            let failed = job
                .status
                .as_ref()
                .and_then(|s| condition(s, "Failed"))
                .unwrap();
            assert_eq!(
                failed.message.as_deref(),
                Some("Job has reached the specified backoff limit")
            );
        }
    }
}
