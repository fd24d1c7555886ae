//! Resource quantities (`100m`, `1.5Gi`, `2e3`): whether text is one, and
//! its value, as the API server validates them and the scheduler counts.

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
}
