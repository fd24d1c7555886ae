//! Go's duration syntax (`time.ParseDuration`): `1h30m`, `90s`, `500ms`,
//! `1.5h`, as configuration files and cron's `@every` write them.

use std::time::Duration;

/// The longest duration Go can hold: nanoseconds in an int64 (about 292
/// years).
const MAX_NANOS: f64 = i64::MAX as f64;

/// Parses a Go duration; negative durations, bare numbers (but `0`) and
/// durations past Go's range are refused.
pub fn parse(text: &str) -> Result<Duration, String> {
    let mut rest = text.trim();
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err("an empty duration".into());
    }
    let mut nanos = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("{text:?}: a duration needs a unit (ns, us, ms, s, m, h)"))?;
        let (number, after) = rest.split_at(digits);
        let value: f64 = number
            .parse()
            .map_err(|_| format!("{text:?} is not a duration"))?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let scale = match unit {
            "h" => 3.6e12,
            "m" => 6e10,
            "s" => 1e9,
            "ms" => 1e6,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ns" => 1.0,
            _ => return Err(format!("{text:?}: unknown unit {unit:?} in duration")),
        };
        nanos += value * scale;
        rest = next;
    }
    if !nanos.is_finite() || nanos > MAX_NANOS {
        return Err(format!("{text:?}: duration out of range"));
    }
    Ok(Duration::from_nanos(nanos.round() as u64))
}

/// Go's text for a duration of `nanos` nanoseconds (`1h2m3.5s`, `0s`,
/// `250ms`), as `time.Duration.String` writes it.
pub fn format(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let mut left = nanos.unsigned_abs();
    if left < 1_000_000_000 {
        // Below a second Go picks the largest unit that fits.
        let (unit, size) = if left < 1_000 {
            ("ns", 1)
        } else if left < 1_000_000 {
            ("\u{b5}s", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", fraction(left, size));
    }
    let hours = left / 3_600_000_000_000;
    left %= 3_600_000_000_000;
    let minutes = left / 60_000_000_000;
    left %= 60_000_000_000;
    let seconds = fraction(left, 1_000_000_000);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{seconds}s")
    } else if minutes > 0 {
        format!("{sign}{minutes}m{seconds}s")
    } else {
        format!("{sign}{seconds}s")
    }
}

/// `value / unit` with the remainder as a trimmed decimal fraction.
fn fraction(value: u64, unit: u64) -> String {
    let whole = value / unit;
    let rest = value % unit;
    if rest == 0 {
        return whole.to_string();
    }
    let digits = unit.to_string().len() - 1;
    let decimals = format!("{rest:0digits$}");
    format!("{whole}.{}", decimals.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_go_parses_them() {
        assert_eq!(parse("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("2us"), Ok(Duration::from_micros(2)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
        assert!(parse("5").is_err());
        assert!(parse("").is_err());
        assert!(parse("3d").is_err());
        // Past Go's int64 nanoseconds, not a panic.
        assert!(parse("2562048h").is_err());
        assert!(parse("99999999999999999999999999h").is_err());
        assert!(parse("2562047h").is_ok());
    }

    #[test]
    fn durations_print_as_go_prints_them() {
        assert_eq!(format(0), "0s");
        assert_eq!(format(90_000_000_000), "1m30s");
        assert_eq!(format(3_723_500_000_000), "1h2m3.5s");
        assert_eq!(format(250_000_000), "250ms");
        assert_eq!(format(1_500), "1.5\u{b5}s");
        assert_eq!(format(-2_000_000_000), "-2s");
    }
}
