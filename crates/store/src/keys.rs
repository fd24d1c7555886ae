//! Key and value rules shared by both backends, so that both reject the same
//! input with the same error before anything is written.

use crate::{Result, StoreError};

/// etcd's default request size limit (`--max-request-bytes`, 1.5 MiB).
pub const MAX_VALUE_BYTES: usize = 1024 * 1024 + 512 * 1024;

/// Keys longer than this are rejected; Kubernetes keys are far shorter.
pub const MAX_KEY_BYTES: usize = 4096;

/// A key is an absolute, slash-separated path without NUL bytes (NUL is
/// reserved for continuation keys) or empty segments that upstream never writes.
pub fn validate_key(key: &str) -> Result<()> {
    check_path(key, false)
}

/// A prefix follows the key rules but may end with `/`.
pub fn validate_prefix(prefix: &str) -> Result<()> {
    check_path(prefix, true)
}

fn check_path(key: &str, allow_trailing_slash: bool) -> Result<()> {
    let invalid = |reason: &str| {
        Err(StoreError::InvalidKey {
            key: key.chars().take(256).collect(),
            reason: reason.to_string(),
        })
    };
    if key.is_empty() {
        return invalid("must not be empty");
    }
    if !key.starts_with('/') {
        return invalid("must start with '/'");
    }
    if key.len() > MAX_KEY_BYTES {
        return invalid(&format!("longer than {MAX_KEY_BYTES} bytes"));
    }
    if key.contains('\0') {
        return invalid("must not contain NUL bytes");
    }
    if !allow_trailing_slash && key.len() > 1 && key.ends_with('/') {
        return invalid("must not end with '/'");
    }
    Ok(())
}

pub(crate) fn validate_value(key: &str, value: &[u8]) -> Result<()> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(StoreError::ValueTooLarge {
            key: key.to_string(),
            size: value.len(),
            limit: MAX_VALUE_BYTES,
        });
    }
    Ok(())
}

/// The first key after every key that starts with `prefix` (etcd's
/// `GetPrefixRangeEnd`): the prefix with its last byte below 0xff incremented.
pub fn prefix_range_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    // Every byte was 0xff: the range runs to the end of the key space.
    vec![0]
}

/// Checks a range start against its prefix and returns it as bytes.
pub(crate) fn range_start(prefix: &str, start: Option<&str>) -> Result<Vec<u8>> {
    match start {
        None => Ok(prefix.as_bytes().to_vec()),
        Some(start) if start.starts_with(prefix) && !start.is_empty() => {
            Ok(start.as_bytes().to_vec())
        }
        Some(start) => Err(StoreError::InvalidArgument(format!(
            "range start {start:?} is outside the prefix {prefix:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_increments_last_byte() {
        assert_eq!(
            prefix_range_end(b"/registry/pods/"),
            b"/registry/pods0".to_vec()
        );
        assert_eq!(prefix_range_end(b"a\xff"), b"b".to_vec());
        assert_eq!(prefix_range_end(b"\xff\xff"), vec![0]);
    }

    #[test]
    fn keys_are_checked() {
        assert!(validate_key("/registry/pods/default/a").is_ok());
        assert!(validate_key("").is_err());
        assert!(validate_key("registry").is_err());
        assert!(validate_key("/a\0b").is_err());
        assert!(validate_key("/a/").is_err());
        assert!(validate_prefix("/registry/pods/").is_ok());
        assert!(validate_key(&format!("/{}", "x".repeat(MAX_KEY_BYTES))).is_err());
    }

    #[test]
    fn range_start_must_be_inside_prefix() {
        assert!(range_start("/a/", Some("/a/b\0")).is_ok());
        assert!(range_start("/a/", Some("/b")).is_err());
    }
}
