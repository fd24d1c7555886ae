//! The CronJob controller: makes a Job (`<cronjob>-<minutes since the
//! epoch>`) at each scheduled time, in the CronJob's time zone, as
//! upstream does — a missed time is run late unless it is older than
//! `startingDeadlineSeconds`, concurrencyPolicy Allow/Forbid/Replace
//! decides what happens while an earlier Job runs, `suspend` stops new
//! runs, finished Jobs beyond the history limits are deleted, and the
//! status lists the active Jobs and the last schedule and success times.
//! Jobs made by hand from the CronJob (`kubectl create job --from`) are
//! listed as active too.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use api::cron::{Fields, Schedule};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::jiff::civil::DateTime;
use k8s_openapi::jiff::tz::TimeZone;
use k8s_openapi::jiff::{SignedDuration, Timestamp, ToSpan, Zoned};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;
use tokio::sync::watch;

use crate::informer::{Change, Informer, key_of, split_key};
use crate::queue::{Outcome, WorkQueue};
use crate::{Context, Error, is_already_exists, is_not_found, pods};
use events::EventSink;

const NAME: &str = "cronjob-controller";
const WORKERS: usize = 5;
pub const SCHEDULED_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/// More missed times than this are reported (and only the latest runs).
const MISSED_LIMIT: usize = 100;

pub struct CronJobController {
    client: kube::Client,
    cronjobs: Arc<Informer<CronJob>>,
    jobs: Arc<Informer<Job>>,
    queue: Arc<WorkQueue>,
    events: EventSink,
    clock: crate::Clock,
}

pub fn start(context: &Context, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let controller = CronJobController::new(context);
    let (cronjobs, jobs) = (controller.cronjobs.clone(), controller.jobs.clone());
    let synced = async move {
        cronjobs.synced().await;
        jobs.synced().await;
    };
    let queue = controller.queue.clone();
    crate::spawn_workers(NAME, queue, WORKERS, synced, shutdown, move |key| {
        let controller = controller.clone();
        async move { controller.sync(&key).await }
    })
}

fn finished(job: &Job) -> Option<&'static str> {
    let conditions = job.status.as_ref()?.conditions.as_ref()?;
    for c in conditions.iter().filter(|c| c.status == "True") {
        match c.type_.as_str() {
            "Complete" => return Some("Complete"),
            "Failed" => return Some("Failed"),
            _ => {}
        }
    }
    None
}

/// The first time strictly after `after` that `fields` allows, in `zone`.
fn next_fields(fields: &Fields, after: &Zoned, zone: &TimeZone) -> Option<Zoned> {
    let start = after.datetime().checked_add(1.minute()).ok()?;
    let mut t = DateTime::new(
        start.year(),
        start.month(),
        start.day(),
        start.hour(),
        start.minute(),
        0,
        0,
    )
    .ok()?;
    let limit = t.year() + 5;
    while t.year() <= limit {
        if !fields.months[t.month() as usize] {
            t = t
                .first_of_month()
                .checked_add(1.month())
                .ok()?
                .with()
                .hour(0)
                .minute(0)
                .build()
                .ok()?;
            continue;
        }
        let weekday = t.weekday().to_sunday_zero_offset() as u32;
        if !fields.day_matches(t.day() as u32, weekday) {
            t = t
                .checked_add(1.day())
                .ok()?
                .with()
                .hour(0)
                .minute(0)
                .build()
                .ok()?;
            continue;
        }
        if !fields.hours[t.hour() as usize] {
            t = t
                .checked_add(1.hour())
                .ok()?
                .with()
                .minute(0)
                .build()
                .ok()?;
            continue;
        }
        if !fields.minutes[t.minute() as usize] {
            t = t.checked_add(1.minute()).ok()?;
            continue;
        }
        let zoned = t.to_zoned(zone.clone()).ok()?;
        // A time skipped by a clock change resolves later than asked: use
        // it only if it is still after `after`.
        if zoned.timestamp() > after.timestamp() {
            return Some(zoned);
        }
        t = t.checked_add(1.minute()).ok()?;
    }
    None
}

/// The next scheduled time after `after`.
pub fn next_after(schedule: &Schedule, after: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
    match schedule {
        Schedule::Every(seconds) => {
            // Whole seconds after `after`, as the cron library's ConstantDelay.
            let base = Timestamp::from_second(after.as_second()).ok()?;
            base.checked_add(SignedDuration::from_secs(*seconds as i64))
                .ok()
        }
        Schedule::Fields(fields) => {
            next_fields(fields, &after.to_zoned(zone.clone()), zone).map(|z| z.timestamp())
        }
    }
}

/// The latest scheduled time in (`earliest`, `now`] and how many there were.
fn most_recent(
    schedule: &Schedule,
    earliest: Timestamp,
    now: Timestamp,
    zone: &TimeZone,
) -> (Option<Timestamp>, usize) {
    let mut latest = None;
    let mut count = 0;
    let mut t = earliest;
    while let Some(next) = next_after(schedule, t, zone) {
        if next > now {
            break;
        }
        latest = Some(next);
        count += 1;
        t = next;
        if count > MISSED_LIMIT * 10 {
            break;
        }
    }
    (latest, count)
}

fn reference(job: &Job) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: job.metadata.name.clone(),
        namespace: job.metadata.namespace.clone(),
        uid: job.metadata.uid.clone(),
        resource_version: job.metadata.resource_version.clone(),
        ..ObjectReference::default()
    }
}

fn time(t: Timestamp) -> String {
    pods::timestamp(t)
}

impl CronJobController {
    /// The controller with its informer handlers registered; its workers
    /// are started by [`start`].
    pub fn new(context: &Context) -> Arc<Self> {
        let cronjobs = context.informers.get::<CronJob>();
        let jobs = context.informers.get::<Job>();
        let queue = context.queue("cronjob");
        {
            let queue = queue.clone();
            cronjobs.on_change(move |change| match change {
                Change::Added(c) | Change::Updated { new: c, .. } | Change::Deleted(c) => {
                    queue.add(key_of(c))
                }
            });
        }
        {
            let queue = queue.clone();
            jobs.on_change(move |change| {
                let job = match change {
                    Change::Added(j) | Change::Deleted(j) | Change::Updated { new: j, .. } => j,
                };
                if let Some(owner) =
                    pods::controller_ref(&job.metadata).filter(|r| r.kind == "CronJob")
                {
                    queue.add(format!(
                        "{}/{}",
                        job.namespace().unwrap_or_default(),
                        owner.name
                    ));
                }
            });
        }
        Arc::new(CronJobController {
            client: context.client.clone(),
            cronjobs,
            jobs,
            queue,
            events: EventSink::new(context.client.clone(), NAME),
            clock: context.clock(),
        })
    }

    /// Reconciles the object a queue key names, once.
    pub async fn sync(&self, key: &str) -> Result<Outcome, Error> {
        let (namespace, name) = split_key(key);
        let Some(cronjob) = self.cronjobs.get(namespace, name) else {
            return Ok(Outcome::Done);
        };
        let spec = cronjob.spec.clone().unwrap_or_default();
        let uid = cronjob.metadata.uid.clone().unwrap_or_default();
        let owned: Vec<Arc<Job>> = self
            .jobs
            .list_namespace(namespace)
            .into_iter()
            .filter(|j| pods::controller_ref(&j.metadata).is_some_and(|r| r.uid == uid))
            .collect();
        let status = cronjob.status.clone().unwrap_or_default();
        let listed: Vec<ObjectReference> = status.active.clone().unwrap_or_default();
        let mut active: Vec<ObjectReference> = Vec::new();
        let mut last_successful = status.last_successful_time.clone();
        // The active list: owned jobs still running, finished ones noted.
        for job in &owned {
            let in_list = listed.iter().any(|r| r.uid == job.metadata.uid);
            match finished(job) {
                None => active.push(reference(job)),
                Some(condition) => {
                    if in_list {
                        self.events.normal(
                            cronjob.as_ref(),
                            "SawCompletedJob",
                            format!(
                                "Saw completed job: {}, condition: {condition}",
                                job.name_any()
                            ),
                        );
                    }
                    if condition == "Complete" {
                        let done = job.status.as_ref().and_then(|s| s.completion_time.clone());
                        if let Some(done) = done
                            && last_successful.as_ref().is_none_or(|l| l.0 < done.0)
                        {
                            last_successful = Some(done);
                        }
                    }
                }
            }
        }
        active.sort_by(|a, b| a.name.cmp(&b.name));
        let mut last_schedule = status.last_schedule_time.clone();
        let mut outcome = Outcome::Done;
        let zone_name = spec.time_zone.clone().unwrap_or_else(|| "UTC".into());
        let zone = if zone_name == "Local" {
            Ok(TimeZone::system())
        } else {
            TimeZone::get(&zone_name)
        };
        let runnable = cronjob.metadata.deletion_timestamp.is_none() && spec.suspend != Some(true);
        if runnable {
            match (Schedule::parse(&spec.schedule), zone) {
                (Err(err), _) => {
                    self.events.warning(
                        cronjob.as_ref(),
                        "UnparseableSchedule",
                        format!("unparseable schedule: {:?} : {err}", spec.schedule),
                    );
                }
                (_, Err(_)) => {
                    self.events.warning(
                        cronjob.as_ref(),
                        "UnknownTimeZone",
                        format!("invalid timeZone: {zone_name:?}"),
                    );
                }
                (Ok(schedule), Ok(zone)) => {
                    let now = self.clock.now();
                    let created = cronjob
                        .metadata
                        .creation_timestamp
                        .as_ref()
                        .map(|t| t.0)
                        .unwrap_or(now);
                    let mut earliest = last_schedule.as_ref().map(|t| t.0).unwrap_or(created);
                    if let Some(deadline) = spec.starting_deadline_seconds {
                        let window = now
                            .checked_sub(SignedDuration::from_secs(deadline))
                            .unwrap_or(now);
                        if window > earliest {
                            earliest = window;
                        }
                    }
                    let (scheduled, missed) = most_recent(&schedule, earliest, now, &zone);
                    if missed > MISSED_LIMIT {
                        self.events.warning(
                            cronjob.as_ref(),
                            "TooManyMissedTimes",
                            format!("too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"),
                        );
                    }
                    if let Some(scheduled) = scheduled {
                        let job_name = format!("{name}-{}", scheduled.as_second() / 60);
                        let already = owned.iter().any(|j| j.name_any() == job_name);
                        let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
                        let too_late = spec.starting_deadline_seconds.is_some_and(|d| {
                            scheduled
                                .checked_add(SignedDuration::from_secs(d))
                                .is_ok_and(|due| due < now)
                        });
                        if already {
                            // Made earlier (the cache may not show our status yet).
                            if last_schedule.as_ref().is_none_or(|t| t.0 < scheduled) {
                                last_schedule = Some(
                                    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(scheduled),
                                );
                            }
                        } else if too_late {
                            self.events.warning(
                                cronjob.as_ref(),
                                "MissSchedule",
                                format!(
                                    "Missed scheduled time to start a job: {}",
                                    time(scheduled)
                                ),
                            );
                        } else if policy == "Forbid" && !active.is_empty() {
                            self.events.normal(
                                cronjob.as_ref(),
                                "JobAlreadyActive",
                                "Not starting job because prior execution is running and concurrency policy is Forbid".into(),
                            );
                        } else {
                            if policy == "Replace" {
                                for running in std::mem::take(&mut active) {
                                    self.delete_job(
                                        &cronjob,
                                        running.name.as_deref().unwrap_or_default(),
                                    )
                                    .await?;
                                }
                            }
                            let scheduled_at = scheduled.to_zoned(zone.clone());
                            if let Some(job) =
                                self.create_job(&cronjob, &job_name, &scheduled_at).await?
                            {
                                active.push(reference(&job));
                            }
                            last_schedule = Some(
                                k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(scheduled),
                            );
                        }
                    }
                    if let Some(next) = next_after(&schedule, now, &zone) {
                        let wait = self.clock.until(next) + Duration::from_millis(100);
                        outcome = Outcome::After(wait);
                    }
                }
            }
        }
        self.remove_history(&cronjob, &owned).await?;
        let mut wanted = json!({"status": {
            "active": if active.is_empty() { serde_json::Value::Null } else { json!(active) },
        }});
        // The times only move forward: never cleared.
        if let Some(t) = &last_schedule {
            wanted["status"]["lastScheduleTime"] = json!(time(t.0));
        }
        if let Some(t) = &last_successful {
            wanted["status"]["lastSuccessfulTime"] = json!(time(t.0));
        }
        let now_status = json!({"status": {
            "active": status.active.clone().filter(|a| !a.is_empty()),
            "lastScheduleTime": status.last_schedule_time.as_ref().map(|t| time(t.0)),
            "lastSuccessfulTime": status.last_successful_time.as_ref().map(|t| time(t.0)),
        }});
        let same_active = status
            .active
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|r| r.uid.clone())
            .collect::<Vec<_>>()
            == active.iter().map(|r| r.uid.clone()).collect::<Vec<_>>();
        if !same_active
            || wanted["status"]["lastScheduleTime"] != now_status["status"]["lastScheduleTime"]
            || wanted["status"]["lastSuccessfulTime"] != now_status["status"]["lastSuccessfulTime"]
        {
            let api: Api<CronJob> = Api::namespaced(self.client.clone(), namespace);
            match api
                .patch_status(name, &PatchParams::default(), &Patch::Merge(wanted))
                .await
            {
                Ok(_) => {}
                Err(err) if is_not_found(&err) => return Ok(Outcome::Done),
                Err(err) => return Err(err.into()),
            }
        }
        Ok(outcome)
    }

    async fn create_job(
        &self,
        cronjob: &CronJob,
        name: &str,
        scheduled: &Zoned,
    ) -> Result<Option<Job>, Error> {
        let namespace = cronjob.namespace().unwrap_or_default();
        let template = cronjob
            .spec
            .as_ref()
            .map(|s| s.job_template.clone())
            .unwrap_or_default();
        let template_meta = template.metadata.clone().unwrap_or_default();
        let mut annotations = template_meta.annotations.clone().unwrap_or_default();
        annotations.insert(
            SCHEDULED_ANNOTATION.into(),
            scheduled
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
                .replace("+00:00", "Z"),
        );
        let job = Job {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(namespace.clone()),
                labels: template_meta.labels.clone(),
                annotations: Some(annotations),
                owner_references: Some(vec![pods::controller_reference(cronjob)]),
                ..ObjectMeta::default()
            },
            spec: Some(template.spec.unwrap_or_default()),
            status: None,
        };
        let api: Api<Job> = Api::namespaced(self.client.clone(), &namespace);
        match api.create(&PostParams::default(), &job).await {
            Ok(created) => {
                self.events
                    .normal(cronjob, "SuccessfulCreate", format!("Created job {name}"));
                Ok(Some(created))
            }
            Err(err) if is_already_exists(&err) => Ok(None),
            Err(err) => {
                self.events.warning(
                    cronjob,
                    "FailedCreate",
                    format!(
                        "Error creating job: {}",
                        crate::replicaset::api_message(&err)
                    ),
                );
                Err(err.into())
            }
        }
    }

    async fn delete_job(&self, cronjob: &CronJob, name: &str) -> Result<(), Error> {
        let api: Api<Job> = Api::namespaced(
            self.client.clone(),
            &cronjob.namespace().unwrap_or_default(),
        );
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => {
                self.events
                    .normal(cronjob, "SuccessfulDelete", format!("Deleted job {name}"));
                Ok(())
            }
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Finished jobs beyond successfulJobsHistoryLimit (3) and
    /// failedJobsHistoryLimit (1) go, oldest first.
    async fn remove_history(&self, cronjob: &CronJob, owned: &[Arc<Job>]) -> Result<(), Error> {
        let spec = cronjob.spec.clone().unwrap_or_default();
        let mut by_outcome: BTreeMap<&str, Vec<&Arc<Job>>> = BTreeMap::new();
        for job in owned
            .iter()
            .filter(|j| j.metadata.deletion_timestamp.is_none())
        {
            if let Some(outcome) = finished(job) {
                by_outcome.entry(outcome).or_default().push(job);
            }
        }
        for (outcome, limit) in [
            ("Complete", spec.successful_jobs_history_limit.unwrap_or(3)),
            ("Failed", spec.failed_jobs_history_limit.unwrap_or(1)),
        ] {
            let Some(mut jobs) = by_outcome.remove(outcome) else {
                continue;
            };
            let limit = limit.max(0) as usize;
            if jobs.len() <= limit {
                continue;
            }
            jobs.sort_by_key(|j| {
                j.status
                    .as_ref()
                    .and_then(|s| s.start_time.as_ref())
                    .or(j.metadata.creation_timestamp.as_ref())
                    .map(|t| t.0)
            });
            let surplus = jobs.len() - limit;
            for job in jobs.into_iter().take(surplus) {
                self.delete_job(cronjob, &job.name_any()).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn next_times_follow_the_schedule_and_zone() {
        let utc = TimeZone::UTC;
        let every_15 = Schedule::parse("*/15 * * * *").unwrap();
        assert_eq!(
            next_after(&every_15, at("2026-01-01T10:07:30Z"), &utc),
            Some(at("2026-01-01T10:15:00Z"))
        );
        assert_eq!(
            next_after(&every_15, at("2026-01-01T10:15:00Z"), &utc),
            Some(at("2026-01-01T10:30:00Z"))
        );
        let monthly = Schedule::parse("@monthly").unwrap();
        assert_eq!(
            next_after(&monthly, at("2026-01-15T00:00:00Z"), &utc),
            Some(at("2026-02-01T00:00:00Z"))
        );
        let weekdays = Schedule::parse("0 9 * * mon-fri").unwrap();
        // 2026-01-03 is a Saturday.
        assert_eq!(
            next_after(&weekdays, at("2026-01-03T00:00:00Z"), &utc),
            Some(at("2026-01-05T09:00:00Z"))
        );
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let daily = Schedule::parse("0 2 * * *").unwrap();
        assert_eq!(
            next_after(&daily, at("2026-01-01T00:00:00Z"), &berlin),
            Some(at("2026-01-01T01:00:00Z"))
        );
    }

    #[test]
    fn missed_times_are_counted_and_the_latest_kept() {
        let utc = TimeZone::UTC;
        let hourly = Schedule::parse("@hourly").unwrap();
        let (latest, missed) = most_recent(
            &hourly,
            at("2026-01-01T00:30:00Z"),
            at("2026-01-01T05:10:00Z"),
            &utc,
        );
        assert_eq!(latest, Some(at("2026-01-01T05:00:00Z")));
        assert_eq!(missed, 5);
    }

    mod reconcile {
        use super::*;
        use crate::testing::Harness;

        #[tokio::test]
        async fn jobs_start_on_schedule_and_forbid_skips_while_one_runs() {
            let h = Harness::start().await;
            let controller = CronJobController::new(&h.context);
            h.start_informers().await;
            let _: CronJob = h
                .create(json!({
                    "apiVersion": "batch/v1", "kind": "CronJob",
                    "metadata": {"name": "tick"},
                    "spec": {
                        "schedule": "* * * * *",
                        "concurrencyPolicy": "Forbid",
                        "jobTemplate": {"spec": {"template": {"spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "c", "image": "busybox"}],
                        }}}},
                    },
                }))
                .await;

            // Nothing is due yet: it looks again at the next minute.
            let outcome = controller.sync("default/tick").await.unwrap();
            assert!(matches!(outcome, Outcome::After(d) if d <= Duration::from_secs(61)));
            assert!(h.list::<Job>("default").await.is_empty());

            h.clock.advance(Duration::from_secs(60));
            controller.sync("default/tick").await.unwrap();
            let jobs: Vec<Job> = h.list("default").await;
            assert_eq!(jobs.len(), 1);
            let scheduled = Timestamp::from_second(h.clock.now().as_second() / 60 * 60).unwrap();
            assert_eq!(
                jobs[0].name_any(),
                format!("tick-{}", scheduled.as_second() / 60)
            );
            assert_eq!(
                jobs[0]
                    .annotations()
                    .get(SCHEDULED_ANNOTATION)
                    .map(String::as_str),
                Some(time(scheduled).as_str())
            );
            h.cached(&jobs[0]).await;
            let cronjob: CronJob = h.fresh("default", "tick").await;
            let status = cronjob.status.unwrap();
            assert_eq!(status.last_schedule_time.map(|t| t.0), Some(scheduled));
            assert_eq!(status.active.map(|a| a.len()), Some(1));

            // Still running a minute later: Forbid skips this run.
            h.clock.advance(Duration::from_secs(60));
            controller.sync("default/tick").await.unwrap();
            assert_eq!(h.list::<Job>("default").await.len(), 1);
        }
    }
}
