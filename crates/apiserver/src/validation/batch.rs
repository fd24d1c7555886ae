//! batch/v1: Jobs and CronJobs, with the cron schedule parsed as the
//! CronJob controller will parse it.

use api::selectors::labels_of;
use serde_json::{Value, json};

use super::pod::{pod_template, selector_matches};
use super::{at_least, immutable, int_at, label_selector, one_of, selector_is_empty, str_at};
use crate::status::Cause;

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
            } else if let Err(detail) = parse_schedule(schedule) {
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

/// Parses a standard five-field cron schedule (or a `@` descriptor) and
/// reports errors in the words of the cron library the controller uses.
pub fn parse_schedule(schedule: &str) -> Result<(), String> {
    if let Some(descriptor) = schedule.strip_prefix('@') {
        return match descriptor {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            _ if descriptor.starts_with("every ") => Ok(()),
            _ => Err(format!("unrecognized descriptor: {schedule}")),
        };
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: {schedule:?}",
            fields.len()
        ));
    }
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let bounds: [(i64, i64, &[&str], i64); 5] = [
        (0, 59, &[], 0),
        (0, 23, &[], 0),
        (1, 31, &[], 0),
        (1, 12, MONTHS, 1),
        (0, 6, DAYS, 0),
    ];
    for (field, (min, max, names, first)) in fields.iter().zip(bounds) {
        for part in field.split(',') {
            cron_range(part, min, max, names, first)?;
        }
    }
    Ok(())
}

fn cron_range(expr: &str, min: i64, max: i64, names: &[&str], first: i64) -> Result<(), String> {
    let parts: Vec<&str> = expr.split('/').collect();
    if parts.len() > 2 {
        return Err(format!("too many slashes: {expr}"));
    }
    let bounds: Vec<&str> = parts[0].split('-').collect();
    if bounds.len() > 2 {
        return Err(format!("too many hyphens: {expr}"));
    }
    let value = |text: &str| -> Result<i64, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            return Ok(i as i64 + first);
        }
        text.parse::<i64>().map_err(|_| {
            format!(
                "failed to parse int from {text}: strconv.Atoi: parsing {text:?}: invalid syntax"
            )
        })
    };
    let (start, end) = if bounds[0] == "*" || bounds[0] == "?" {
        (min, max)
    } else {
        let start = value(bounds[0])?;
        let end = match bounds.get(1) {
            Some(end) => value(end)?,
            None => start,
        };
        (start, end)
    };
    if let Some(step) = parts.get(1) {
        let step = value(step)?;
        if step <= 0 {
            return Err(format!("step of range should be a positive number: {expr}"));
        }
    }
    if start < min {
        return Err(format!(
            "beginning of range ({start}) below minimum ({min}): {expr}"
        ));
    }
    if end > max {
        return Err(format!(
            "end of range ({end}) above maximum ({max}): {expr}"
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_as_the_cron_library_parses_them() {
        for good in [
            "*/5 * * * *",
            "0 3 * * 1-5",
            "@hourly",
            "15,45 0-23/2 1 jan-jun MON",
        ] {
            assert_eq!(parse_schedule(good), Ok(()), "{good}");
        }
        assert_eq!(
            parse_schedule("61 * * * *"),
            Err("end of range (61) above maximum (59): 61".into())
        );
        assert_eq!(
            parse_schedule("x * * * *"),
            Err("failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax".into())
        );
        assert_eq!(
            parse_schedule("@sometimes"),
            Err("unrecognized descriptor: @sometimes".into())
        );
    }
}
