//! batch/v1: Jobs and CronJobs, the cron schedule parsed by `api::cron`
//! as the CronJob controller parses it.

use api::selectors::labels_of;
use serde_json::{Value, json};

use super::pod::{pod_template, selector_matches};
use super::{at_least, immutable, int_at, label_selector, one_of, selector_is_empty, str_at};
use crate::error::Cause;

pub fn job(object: &Value, old: Option<&Value>, causes: &mut Vec<Cause>) {
    job_spec(object.get("spec"), "spec", true, causes);
    if let Some(old) = old {
        for (pointer, path) in [
            ("/spec/selector", "spec.selector"),
            ("/spec/template", "spec.template"),
            ("/spec/completionMode", "spec.completionMode"),
        ] {
            immutable(object, old, pointer, path, causes);
        }
        let indexed = object
            .pointer("/spec/completionMode")
            .and_then(Value::as_str)
            == Some("Indexed");
        if !indexed {
            immutable(object, old, "/spec/completions", "spec.completions", causes);
        }
    }
}

/// A Job's spec; `stored` when the selector has been generated (a Job
/// object), not for a CronJob's job template.
fn job_spec(spec: Option<&Value>, path: &str, stored: bool, causes: &mut Vec<Cause>) {
    let Some(spec) = spec else {
        causes.push(Cause::required(format!("{path}.template"), ""));
        return;
    };
    for field in [
        "parallelism",
        "completions",
        "backoffLimit",
        "ttlSecondsAfterFinished",
    ] {
        at_least(spec, field, &format!("{path}.{field}"), 0, causes);
    }
    at_least(
        spec,
        "activeDeadlineSeconds",
        &format!("{path}.activeDeadlineSeconds"),
        1,
        causes,
    );
    one_of(
        spec,
        "completionMode",
        &format!("{path}.completionMode"),
        &["NonIndexed", "Indexed"],
        causes,
    );
    if str_at(spec, "completionMode") == Some("Indexed") && int_at(spec, "completions").is_none() {
        causes.push(Cause::required(
            format!("{path}.completions"),
            "when completion mode is Indexed",
        ));
    }
    const MAX_PARALLELISM_FOR_INDEXED_JOB: i64 = 100_000;
    if str_at(spec, "completionMode") == Some("Indexed")
        && let Some(parallelism) = int_at(spec, "parallelism")
        && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB
    {
        causes.push(Cause::invalid_value(
            format!("{path}.parallelism"),
            &json!(parallelism),
            &format!(
                "must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed"
            ),
        ));
    }
    let selector = spec.get("selector");
    if stored && selector_is_empty(selector) {
        causes.push(Cause::required(format!("{path}.selector"), ""));
    } else if !selector_is_empty(selector) {
        label_selector(selector, &format!("{path}.selector"), causes);
        let labels = spec.get("template").map(labels_of).unwrap_or_default();
        if let Some(selector) = selector
            && !selector_matches(selector, &labels)
        {
            causes.push(Cause::invalid_value(
                format!("{path}.template.metadata.labels"),
                &json!(labels),
                "`selector` does not match template `labels`",
            ));
        }
    }
    pod_template(spec.get("template"), &format!("{path}.template"), causes);
    let restart = format!("{path}.template.spec.restartPolicy");
    match spec
        .pointer("/template/spec/restartPolicy")
        .and_then(Value::as_str)
    {
        Some("OnFailure" | "Never") => {}
        None | Some("") => causes.push(Cause::required(
            restart,
            "valid values: \"OnFailure\", \"Never\"",
        )),
        Some(other) => causes.push(Cause::not_supported(
            restart,
            other,
            &["OnFailure", "Never"],
        )),
    }
}

pub fn cron_job(object: &Value, causes: &mut Vec<Cause>) {
    let spec = object.get("spec").unwrap_or(&Value::Null);
    match str_at(spec, "schedule").filter(|s| !s.is_empty()) {
        None => causes.push(Cause::required("spec.schedule", "")),
        Some(schedule) => {
            if schedule.contains("TZ") {
                causes.push(Cause::invalid(
                    "spec.schedule",
                    schedule,
                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                ));
            } else if let Err(detail) = api::cron::Schedule::parse(schedule) {
                causes.push(Cause::invalid("spec.schedule", schedule, &detail));
            }
        }
    }
    if let Some(zone) = str_at(spec, "timeZone")
        && !valid_time_zone(zone)
    {
        causes.push(Cause::invalid(
            "spec.timeZone",
            zone,
            &format!("unknown time zone {zone}"),
        ));
    }
    one_of(
        spec,
        "concurrencyPolicy",
        "spec.concurrencyPolicy",
        &["Allow", "Forbid", "Replace"],
        causes,
    );
    for field in [
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ] {
        at_least(spec, field, &format!("spec.{field}"), 0, causes);
    }
    job_spec(
        spec.pointer("/jobTemplate/spec"),
        "spec.jobTemplate.spec",
        false,
        causes,
    );
}

/// A time zone name the system's zone database knows.
fn valid_time_zone(zone: &str) -> bool {
    if zone == "UTC" || zone == "Local" {
        return true;
    }
    !zone.is_empty()
        && !zone.contains("..")
        && !zone.starts_with('/')
        && std::path::Path::new("/usr/share/zoneinfo")
            .join(zone)
            .is_file()
}
