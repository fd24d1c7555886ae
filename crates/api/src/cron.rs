//! Cron schedules as CronJobs write them: five fields (minute, hour, day
//! of month, month, day of week; names like `jan` and `mon`, ranges,
//! lists and steps) or a descriptor (`@hourly`, `@daily`, `@weekly`,
//! `@monthly`, `@yearly`, `@every 1h30m`). Parsed as the cron library
//! upstream's CronJob controller uses parses them, with its error words,
//! for the API server's validation and the controller's next run times.

/// A parsed schedule: the allowed values of each field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    Fields(Fields),
    /// `@every <duration>`: a fixed period, in seconds.
    Every(u64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    pub minutes: Vec<bool>,
    pub hours: Vec<bool>,
    pub days_of_month: Vec<bool>,
    pub months: Vec<bool>,
    pub days_of_week: Vec<bool>,
    /// Whether the day-of-month or day-of-week field was `*` (or `?`):
    /// then a day must match both, else either.
    pub any_day_of_month: bool,
    pub any_day_of_week: bool,
}

impl Fields {
    /// Whether a day (1-31, weekday 0 = Sunday) matches, as cron's rule
    /// for the two day fields says.
    pub fn day_matches(&self, day_of_month: u32, weekday: u32) -> bool {
        let dom = self
            .days_of_month
            .get(day_of_month as usize)
            .copied()
            .unwrap_or(false);
        let dow = self
            .days_of_week
            .get(weekday as usize)
            .copied()
            .unwrap_or(false);
        if self.any_day_of_month || self.any_day_of_week {
            dom && dow
        } else {
            dom || dow
        }
    }
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Schedule {
    pub fn parse(schedule: &str) -> Result<Schedule, String> {
        if let Some(descriptor) = schedule.strip_prefix('@') {
            let fields = match descriptor {
                "yearly" | "annually" => "0 0 1 1 *",
                "monthly" => "0 0 1 * *",
                "weekly" => "0 0 * * 0",
                "daily" | "midnight" => "0 0 * * *",
                "hourly" => "0 * * * *",
                _ => {
                    if let Some(period) = descriptor.strip_prefix("every ") {
                        return component_helpers::duration::parse(period)
                            // Periods are whole seconds, at least one.
                            .map(|d| Schedule::Every((d.as_secs_f64().round() as u64).max(1)))
                            .map_err(|_| format!("failed to parse duration {schedule}: time: invalid duration {period:?}"));
                    }
                    return Err(format!("unrecognized descriptor: {schedule}"));
                }
            };
            return Schedule::parse(fields);
        }
        let fields: Vec<&str> = schedule.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: {schedule:?}",
                fields.len()
            ));
        }
        let (minutes, _) = field(fields[0], 0, 59, &[], 0)?;
        let (hours, _) = field(fields[1], 0, 23, &[], 0)?;
        let (days_of_month, any_day_of_month) = field(fields[2], 1, 31, &[], 0)?;
        let (months, _) = field(fields[3], 1, 12, MONTHS, 1)?;
        let (days_of_week, any_day_of_week) = field(fields[4], 0, 6, DAYS, 0)?;
        Ok(Schedule::Fields(Fields {
            minutes,
            hours,
            days_of_month,
            months,
            days_of_week,
            any_day_of_month,
            any_day_of_week,
        }))
    }
}

/// One field: the allowed values (indexed by value) and whether it was a
/// plain `*`.
fn field(
    text: &str,
    min: usize,
    max: usize,
    names: &[&str],
    first: usize,
) -> Result<(Vec<bool>, bool), String> {
    let mut allowed = vec![false; max + 1];
    let mut star = false;
    for part in text.split(',') {
        star |= range(part, min, max, names, first, &mut allowed)?;
    }
    Ok((allowed, star))
}

fn range(
    expr: &str,
    min: usize,
    max: usize,
    names: &[&str],
    first: usize,
    allowed: &mut [bool],
) -> Result<bool, String> {
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
            return Ok((i + first) as i64);
        }
        text.parse::<i64>().map_err(|_| {
            format!(
                "failed to parse int from {text}: strconv.Atoi: parsing {text:?}: invalid syntax"
            )
        })
    };
    let mut star = false;
    let (start, mut end) = if bounds[0] == "*" || bounds[0] == "?" {
        star = true;
        (min as i64, max as i64)
    } else {
        let start = value(bounds[0])?;
        let end = match bounds.get(1) {
            Some(end) => value(end)?,
            None => start,
        };
        (start, end)
    };
    let mut step = 1;
    if let Some(text) = parts.get(1) {
        step = value(text)?;
        if step <= 0 {
            return Err(format!("step of range should be a positive number: {expr}"));
        }
        // `5/10` means from 5 to the end, every 10.
        if bounds.len() == 1 && !star {
            end = max as i64;
        }
        if step > 1 {
            star = false;
        }
    }
    if start < min as i64 {
        return Err(format!(
            "beginning of range ({start}) below minimum ({min}): {expr}"
        ));
    }
    if end > max as i64 {
        return Err(format!(
            "end of range ({end}) above maximum ({max}): {expr}"
        ));
    }
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end}): {expr}"
        ));
    }
    let mut v = start;
    while v <= end {
        allowed[v as usize] = true;
        let Some(next) = v.checked_add(step) else {
            break;
        };
        v = next;
    }
    Ok(star)
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
            "@every 1h30m",
        ] {
            assert!(Schedule::parse(good).is_ok(), "{good}");
        }
        assert_eq!(
            Schedule::parse("61 * * * *"),
            Err("end of range (61) above maximum (59): 61".into())
        );
        assert_eq!(
            Schedule::parse("x * * * *"),
            Err("failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax".into())
        );
        assert_eq!(
            Schedule::parse("@sometimes"),
            Err("unrecognized descriptor: @sometimes".into())
        );
        assert_eq!(Schedule::parse("@every 90s"), Ok(Schedule::Every(90)));
        assert_eq!(Schedule::parse("@every 1500ms"), Ok(Schedule::Every(2)));
    }

    #[test]
    fn huge_numbers_are_bounded() {
        // A step past the end allows the start only.
        let Ok(Schedule::Fields(f)) = Schedule::parse("1/9223372036854775807 * * * *") else {
            panic!("parses");
        };
        let minutes: Vec<usize> = (0..60).filter(|m| f.minutes[*m]).collect();
        assert_eq!(minutes, [1]);
        // Longer than Go's durations can be: refused, as Go refuses it.
        assert!(Schedule::parse("@every 9999999999h").is_err());
        assert!(Schedule::parse("@every 2562047h").is_ok());
        assert!(Schedule::parse("@every 2562048h").is_err());
    }

    #[test]
    fn fields_hold_the_allowed_values() {
        let Ok(Schedule::Fields(f)) = Schedule::parse("*/15 9-17 * * mon-fri") else {
            panic!("parses");
        };
        let minutes: Vec<usize> = (0..60).filter(|m| f.minutes[*m]).collect();
        assert_eq!(minutes, [0, 15, 30, 45]);
        assert!(f.hours[9] && f.hours[17] && !f.hours[18]);
        // Day of month is `*`: a day must also be a weekday.
        assert!(f.day_matches(6, 1));
        assert!(!f.day_matches(7, 0));
        let Ok(Schedule::Fields(f)) = Schedule::parse("0 0 1 * mon") else {
            panic!("parses");
        };
        // Both restricted: either matches.
        assert!(f.day_matches(1, 3));
        assert!(f.day_matches(5, 1));
        assert!(!f.day_matches(5, 2));
    }
}
