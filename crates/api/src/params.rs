//! Query parameters as the API server (and the kubelet) read them.

/// A boolean query parameter, as upstream's parameter conversion reads
/// one: absent is false; given, only `0` and `false` (in any case) are
/// false, and anything else — `true`, `True`, `1`, an empty value — is
/// true.
pub fn flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| v != "0" && !v.eq_ignore_ascii_case("false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_as_upstream_reads_them() {
        for yes in ["true", "True", "TRUE", "1", "", "t", "yes"] {
            assert!(flag(Some(yes)), "{yes:?}");
        }
        for no in ["false", "False", "FALSE", "0"] {
            assert!(!flag(Some(no)), "{no:?}");
        }
        assert!(!flag(None));
    }
}
