//! Stored objects as raw JSON text: a list that needs no filtering or
//! printing is assembled from the stored bytes, with each object's
//! resourceVersion spliced into its metadata, instead of parsing every
//! object and writing it out again.

/// Index just past the `{` that opens the top-level `"metadata"` object.
fn metadata_start(json: &[u8]) -> Option<usize> {
    let mut i = skip_space(json, 0);
    if json.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_space(json, i);
        match json.get(i)? {
            b'}' => return None,
            b',' => {
                i += 1;
                continue;
            }
            b'"' => {}
            _ => return None,
        }
        let key_start = i;
        i = skip_string(json, i)?;
        let key = &json[key_start..i];
        i = skip_space(json, i);
        if json.get(i) != Some(&b':') {
            return None;
        }
        i = skip_space(json, i + 1);
        if key == b"\"metadata\"" {
            return (json.get(i) == Some(&b'{')).then_some(i + 1);
        }
        i = skip_value(json, i)?;
    }
}

fn skip_space(json: &[u8], mut i: usize) -> usize {
    while matches!(json.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// From an opening quote to just past the closing one.
fn skip_string(json: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match json.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// Past one value of any kind.
fn skip_value(json: &[u8], i: usize) -> Option<usize> {
    match json.get(i)? {
        b'"' => skip_string(json, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match json.get(j)? {
                    b'"' => {
                        j = skip_string(json, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = json.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                j += 1;
            }
            Some(j)
        }
    }
}

/// Appends the stored object to `out` with `resourceVersion` in its
/// metadata; false (nothing appended) when the text is not shaped as
/// expected, so the caller falls back to parsing.
pub fn append_with_version(out: &mut Vec<u8>, stored: &[u8], revision: i64) -> bool {
    let Some(at) = metadata_start(stored) else {
        return false;
    };
    let empty = stored.get(skip_space(stored, at)) == Some(&b'}');
    out.extend_from_slice(&stored[..at]);
    out.extend_from_slice(b"\"resourceVersion\":\"");
    out.extend_from_slice(revision.to_string().as_bytes());
    out.push(b'"');
    if !empty {
        out.push(b',');
    }
    out.extend_from_slice(&stored[at..]);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn the_version_lands_in_the_top_level_metadata() {
        let stored = json!({"apiVersion": "v1", "data": {"metadata": "{\"metadata\":{}}"}, "kind": "ConfigMap",
            "metadata": {"name": "c", "labels": {"a": "b"}}, "spec": {"template": {"metadata": {"labels": {}}}}})
        .to_string();
        let mut out = Vec::new();
        assert!(append_with_version(&mut out, stored.as_bytes(), 42));
        let parsed: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed["metadata"]["resourceVersion"], "42");
        assert_eq!(parsed["metadata"]["name"], "c");
        assert!(
            parsed["spec"]["template"]["metadata"]
                .get("resourceVersion")
                .is_none()
        );
        assert_eq!(parsed["data"]["metadata"], "{\"metadata\":{}}");

        let mut out = Vec::new();
        assert!(append_with_version(&mut out, br#"{"metadata":{}}"#, 7));
        assert_eq!(out, br#"{"metadata":{"resourceVersion":"7"}}"#);
        assert!(!append_with_version(&mut Vec::new(), br#"{"kind":"X"}"#, 1));
        assert!(!append_with_version(&mut Vec::new(), b"not json", 1));
    }
}
