//! Object metadata rules shared by every kind: names, labels, annotations,
//! generated names and timestamps, with upstream's validation messages.

use chrono::{SecondsFormat, Utc};
use serde_json::Value;

const DNS1123_LABEL_MAX: usize = 63;
const DNS1123_SUBDOMAIN_MAX: usize = 253;

fn is_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A lowercase RFC 1123 label: the rule for namespace and service names.
pub fn validate_dns_label(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= DNS1123_LABEL_MAX
        && name.chars().all(|c| is_alnum(c) || c == '-')
        && name.chars().next().is_some_and(is_alnum)
        && name.chars().last().is_some_and(is_alnum);
    if name.len() > DNS1123_LABEL_MAX {
        return Err(format!(
            "must be no more than {DNS1123_LABEL_MAX} characters"
        ));
    }
    if !valid {
        return Err("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_string());
    }
    Ok(())
}

/// The strings of a JSON list (others skipped); empty when it is no list.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A DNS-1035 label: an RFC 1123 label that starts with a letter (the rule
/// for service names and custom resources' names and versions).
pub fn validate_dns1035_label(name: &str) -> Result<(), String> {
    if name.len() > DNS1123_LABEL_MAX {
        return Err(format!(
            "must be no more than {DNS1123_LABEL_MAX} characters"
        ));
    }
    let valid = !name.is_empty()
        && name.chars().all(|c| is_alnum(c) || c == '-')
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().last().is_some_and(is_alnum);
    if !valid {
        return Err("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".to_string());
    }
    Ok(())
}

/// A lowercase RFC 1123 subdomain: the rule for most object names.
pub fn validate_dns_subdomain(name: &str) -> Result<(), String> {
    if name.len() > DNS1123_SUBDOMAIN_MAX {
        return Err(format!(
            "must be no more than {DNS1123_SUBDOMAIN_MAX} characters"
        ));
    }
    let valid = !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| is_alnum(c) || c == '-')
                && part.chars().next().is_some_and(is_alnum)
                && part.chars().last().is_some_and(is_alnum)
        });
    if !valid {
        return Err("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_string());
    }
    Ok(())
}

/// Names may never be `.`/`..` or contain `/` or `%` (they are path segments).
pub fn validate_path_segment(name: &str) -> Result<(), String> {
    if name == "." || name == ".." {
        return Err(format!("may not be '{name}'"));
    }
    for bad in ["/", "%"] {
        if name.contains(bad) {
            return Err(format!("may not contain '{bad}'"));
        }
    }
    Ok(())
}

fn qualified_name_part(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A label or annotation key: `[prefix/]name`.
pub fn validate_label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && (prefix.is_empty() || validate_dns_subdomain(prefix).is_err())
    {
        return Err(format!("prefix part of {key:?} must be a DNS subdomain"));
    }
    if !qualified_name_part(name) {
        return Err(format!(
            "name part of {key:?} must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') and be at most 63 characters"
        ));
    }
    Ok(())
}

/// A label value: empty, or a qualified name part of at most 63 characters.
pub fn validate_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || qualified_name_part(value) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value: {value:?}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?') and be at most 63 characters"
        ))
    }
}

/// The random suffix of a generated name: five characters from upstream's
/// alphabet (no vowels, no confusable characters).
pub fn random_suffix(random: u64) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = random;
    (0..5)
        .map(|_| {
            let c = ALPHABET[(n % ALPHABET.len() as u64) as usize] as char;
            n /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// `generateName` plus a suffix, trimmed so the result fits 63 characters.
pub fn generated_name(base: &str, random: u64) -> String {
    let max_base = DNS1123_LABEL_MAX - 5;
    // Cut on a character boundary: the prefix is not validated yet, and a
    // multi-byte character may straddle the limit.
    let mut cut = base.len().min(max_base);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    let base = &base[..cut];
    format!("{base}{}", random_suffix(random))
}

/// Now, as Kubernetes writes timestamps (RFC 3339, seconds, UTC).
pub fn now_timestamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_cut_on_character_boundaries() {
        let base = format!("{}é", "a".repeat(DNS1123_LABEL_MAX - 6));
        let name = generated_name(&base, 7);
        assert_eq!(name.len(), DNS1123_LABEL_MAX - 6 + 5);
        assert!(name.starts_with(&"a".repeat(DNS1123_LABEL_MAX - 6)));
        assert_eq!(
            generated_name("ééééééééééééééééééééééééééééééééééé", 1)
                .chars()
                .count(),
            29 + 5
        );
    }

    #[test]
    fn names() {
        assert!(validate_dns_subdomain("my-app.v1").is_ok());
        assert!(validate_dns_subdomain("My_App").is_err());
        assert!(validate_dns_label("kube-system").is_ok());
        assert!(validate_dns_label("a.b").is_err());
        assert!(validate_dns_label(&"a".repeat(64)).is_err());
        assert!(validate_path_segment("..").is_err());
    }

    #[test]
    fn labels() {
        assert!(validate_label_key("app.kubernetes.io/name").is_ok());
        assert!(validate_label_key("-x").is_err());
        assert!(validate_label_key("/x").is_err());
        assert!(validate_label_value("").is_ok());
        assert!(validate_label_value("v1.2_3").is_ok());
        assert!(validate_label_value("bad value").is_err());
    }

    #[test]
    fn generated_names_fit() {
        let name = generated_name(&"x".repeat(80), 12345);
        assert_eq!(name.len(), 63);
        assert_eq!(random_suffix(0).len(), 5);
    }
}
