//! Resource quantities (`100m`, `1.5Gi`, `2e3`): whether text is one, and
//! its value, as the API server validates them and the scheduler counts;
//! and [`Quantity`], held exactly, for sums that must print as upstream
//! prints them (quota usage, limit range messages).

use std::fmt;

const SUFFIXES: &[(&str, f64)] = &[
    ("", 1.0),
    ("n", 1e-9),
    ("u", 1e-6),
    ("m", 1e-3),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
    ("E", 1e18),
    ("Ki", 1024.0),
    ("Mi", 1_048_576.0),
    ("Gi", 1_073_741_824.0),
    ("Ti", 1_099_511_627_776.0),
    ("Pi", 1_125_899_906_842_624.0),
    ("Ei", 1_152_921_504_606_846_976.0),
];

/// The number and the suffix's multiplier, when `text` is a quantity.
fn split(text: &str) -> Option<(f64, f64)> {
    let text = text.trim();
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(digits_end);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 {
        return None;
    }
    let scale = match SUFFIXES.iter().find(|(s, _)| *s == suffix) {
        Some((_, scale)) => *scale,
        None => {
            // A decimal exponent: e3, E-2.
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            10f64.powi(exponent.parse().ok()?)
        }
    };
    let value: f64 = number.parse().ok()?;
    let sign = if text.starts_with('-') { -1.0 } else { 1.0 };
    Some((sign * value, scale))
}

/// Whether `text` is a quantity.
pub fn is_valid(text: &str) -> bool {
    split(text).is_some()
}

/// The quantity's value in its base unit (`500m` is 0.5, `1Ki` is 1024).
pub fn value(text: &str) -> Option<f64> {
    split(text).map(|(number, scale)| number * scale)
}

/// How a quantity was written, which decides how it prints: `1Gi`
/// (binary), `500m` (decimal), `2e3` (exponent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    DecimalSi,
    BinarySi,
    DecimalExponent,
}

/// A quantity held exactly, in billionths of its unit (upstream rounds
/// anything finer up to a nano), with the format it prints in.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

const NANOS_PER_UNIT: i128 = 1_000_000_000;

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl Default for Quantity {
    fn default() -> Self {
        Quantity::count(0)
    }
}

impl Quantity {
    /// A plain number (`3`), as object counts are.
    pub fn count(n: i64) -> Quantity {
        Quantity {
            nanos: i128::from(n) * NANOS_PER_UNIT,
            format: Format::DecimalSi,
        }
    }

    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let negative = text.starts_with('-');
        let body = text.strip_prefix(['+', '-']).unwrap_or(text);
        let digits_end = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (number, suffix) = body.split_at(digits_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return None;
        }
        let (binary_power, mut exponent, format) = match suffix {
            "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
                let power = "KMGTPE".find(&suffix[..1]).map_or(0, |i| i as u32 + 1);
                (power, 0, Format::BinarySi)
            }
            "" => (0, 0, Format::DecimalSi),
            "n" => (0, -9, Format::DecimalSi),
            "u" => (0, -6, Format::DecimalSi),
            "m" => (0, -3, Format::DecimalSi),
            "k" => (0, 3, Format::DecimalSi),
            "M" => (0, 6, Format::DecimalSi),
            "G" => (0, 9, Format::DecimalSi),
            "T" => (0, 12, Format::DecimalSi),
            "P" => (0, 15, Format::DecimalSi),
            "E" => (0, 18, Format::DecimalSi),
            other => {
                let digits = other.strip_prefix(['e', 'E'])?;
                let unsigned = digits.strip_prefix(['+', '-']).unwrap_or(digits);
                if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                (0, digits.parse::<i32>().ok()?, Format::DecimalExponent)
            }
        };
        let mut mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
        mantissa = mantissa.checked_mul(1024i128.checked_pow(binary_power)?)?;
        exponent = exponent
            .checked_add(9)?
            .checked_sub(i32::try_from(fraction.len()).ok()?)?;
        let nanos = if exponent >= 0 {
            mantissa.checked_mul(10i128.checked_pow(exponent.unsigned_abs())?)?
        } else {
            // Finer than a nano: rounded up, as upstream rounds.
            let divisor = 10i128
                .checked_pow(exponent.unsigned_abs())
                .unwrap_or(i128::MAX);
            mantissa / divisor + i128::from(mantissa % divisor != 0)
        };
        Some(Quantity {
            nanos: if negative { -nanos } else { nanos },
            format,
        })
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// The sum, in this quantity's format — or the other's when this one
    /// is zero, as upstream's `Add` (so a sum started at 0 prints `384Mi`).
    pub fn plus(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
            format: self.result_format(other),
        }
    }

    pub fn minus(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_sub(other.nanos),
            format: self.result_format(other),
        }
    }

    fn result_format(&self, other: Quantity) -> Format {
        if self.nanos == 0 {
            other.format
        } else {
            self.format
        }
    }

    /// The value in the unit's thousandths, rounded up.
    pub fn milli_value(&self) -> i128 {
        let per_milli = NANOS_PER_UNIT / 1000;
        self.nanos.div_euclid(per_milli) + i128::from(self.nanos.rem_euclid(per_milli) != 0)
    }

    pub fn as_f64(&self) -> f64 {
        self.nanos as f64 / NANOS_PER_UNIT as f64
    }
}

impl fmt::Display for Quantity {
    /// Upstream's canonical form: the largest suffix that keeps the number
    /// whole (`1536Mi`, `1500m`, `2k`), binary only for whole multiples of
    /// 1024.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let units = self.nanos / NANOS_PER_UNIT;
        if self.format == Format::BinarySi
            && self.nanos % NANOS_PER_UNIT == 0
            && units.unsigned_abs() >= 1024
        {
            let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
            let mut power = 0;
            let mut number = units;
            while power < 6 && number % 1024 == 0 {
                number /= 1024;
                power += 1;
            }
            return write!(f, "{number}{}", suffixes[power]);
        }
        let mut exponent = -9i32;
        let mut number = self.nanos;
        while exponent < 18 && number % 1000 == 0 {
            number /= 1000;
            exponent += 3;
        }
        if self.format == Format::DecimalExponent {
            return match exponent {
                0 => write!(f, "{number}"),
                e => write!(f, "{number}e{e}"),
            };
        }
        let suffix = match exponent {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => "",
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            _ => "E",
        };
        write!(f, "{number}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse() {
        for good in ["1", "100m", "1.5Gi", "2e3", "0.5", "+1", "10Ki", "-1"] {
            assert!(is_valid(good), "{good}");
        }
        for bad in ["", "abc", "1.2.3", "1Q", ".", "1e", "m"] {
            assert!(!is_valid(bad), "{bad}");
        }
        assert_eq!(value("500m"), Some(0.5));
        assert_eq!(value("1Ki"), Some(1024.0));
        assert_eq!(value("1e3"), Some(1000.0));
        assert_eq!(value("-2"), Some(-2.0));
    }

    fn canonical(text: &str) -> String {
        Quantity::parse(text)
            .map(|q| q.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn quantities_print_in_upstreams_canonical_form() {
        for (written, printed) in [
            ("0", "0"),
            ("100m", "100m"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1000m", "1"),
            ("2000", "2k"),
            ("1500", "1500"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("1.5Ki", "1536"),
            ("512", "512"),
            ("0.5Ki", "512"),
            ("1e3", "1e3"),
            ("1.5n", "2n"),
            ("-100m", "-100m"),
            ("5G", "5G"),
        ] {
            assert_eq!(canonical(written), printed, "{written}");
        }
        for bad in ["", ".", "1Q", "1e", "m", "1.2.3", "1e2147483647", "9e40"] {
            assert!(Quantity::parse(bad).is_none(), "{bad}");
        }
        // Far finer than a nano: rounded up to one, never a panic.
        assert_eq!(canonical("1e-2147483648"), "1e-9");
        assert_eq!(canonical("12345e-2147483648"), "1e-9");
    }

    #[test]
    fn sums_keep_the_first_format_and_compare_exactly() {
        let sum = |a: &str, b: &str| {
            Quantity::parse(a)
                .zip(Quantity::parse(b))
                .map(|(a, b)| a.plus(b).to_string())
        };
        assert_eq!(sum("128Mi", "256Mi").as_deref(), Some("384Mi"));
        assert_eq!(sum("500m", "500m").as_deref(), Some("1"));
        assert_eq!(sum("100m", "0.2").as_deref(), Some("300m"));
        assert_eq!(sum("1Gi", "1G").as_deref(), Some("2073741824"));
        assert_eq!(sum("0", "256Mi").as_deref(), Some("256Mi"));
        assert_eq!(Quantity::parse("1Gi"), Quantity::parse("1073741824"));
        assert!(Quantity::parse("1001m") > Quantity::parse("1"));
        assert_eq!(Quantity::parse("1.0001m").map(|q| q.milli_value()), Some(2));
    }
}
