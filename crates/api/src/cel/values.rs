//! Objects as CEL sees them: JSON values typed by their schema (an
//! `integer` is a CEL `int`, a `number` a `double`, a `date-time` string a
//! `timestamp`, a `byte` string `bytes`), with the property names escaped
//! as upstream escapes them so that `self.x-y` is written `self.x__dash__y`.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use cel::Value;
use cel::objects::{Key, Map};
use serde_json::Value as Json;

use crate::schema::Schema;

/// Words CEL reserves, reachable as properties only as `__<word>__`.
const RESERVED: &[&str] = &[
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// A property's name in CEL, or none when CEL cannot name it (it starts
/// with a digit or holds a character other than letters, digits, `_`,
/// `.`, `-` and `/`).
pub fn escape(name: &str) -> Option<String> {
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if RESERVED.contains(&name) {
        return Some(format!("__{name}__"));
    }
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("__") {
            out.push_str("__underscores__");
            rest = &rest[2..];
            continue;
        }
        match c {
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c if c.is_ascii_alphanumeric() || c == '_' => out.push(c),
            _ => return None,
        }
        rest = &rest[c.len_utf8()..];
    }
    Some(out)
}

/// `value` as CEL sees it, typed by `schema` where one is known.
pub fn to_cel(value: &Json, schema: Option<&Schema>) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            let float = schema.is_some_and(|s| s.kind == "number");
            match n.as_i64() {
                Some(i) if !float => Value::Int(i),
                _ => n
                    .as_u64()
                    .filter(|_| !float)
                    .map(Value::UInt)
                    .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or_default())),
            }
        }
        Json::String(text) => string(text, schema),
        Json::Array(items) => {
            let item_schema = schema.and_then(|s| s.items.as_deref());
            Value::List(Arc::new(
                items.iter().map(|item| to_cel(item, item_schema)).collect(),
            ))
        }
        Json::Object(map) => {
            let structured = schema.is_some_and(|s| !s.properties.is_empty());
            let mut out = HashMap::with_capacity(map.len());
            for (name, item) in map {
                let item_schema = schema.and_then(|s| {
                    s.properties
                        .get(name)
                        .or(s.additional_properties.as_deref())
                });
                let key = if structured && schema.is_some_and(|s| s.properties.contains_key(name)) {
                    match escape(name) {
                        Some(key) => key,
                        None => continue,
                    }
                } else {
                    name.clone()
                };
                out.insert(Key::String(Arc::new(key)), to_cel(item, item_schema));
            }
            Value::Map(Map { map: Arc::new(out) })
        }
    }
}

fn string(text: &str, schema: Option<&Schema>) -> Value {
    match schema.map(|s| s.format.as_str()) {
        Some("byte") => {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text) {
                return Value::Bytes(Arc::new(bytes));
            }
        }
        Some("date-time") => {
            if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
                return Value::Timestamp(time);
            }
        }
        _ => {}
    }
    Value::String(Arc::new(text.to_string()))
}

/// A CEL value back as JSON (for `messageExpression` results and
/// library functions): what JSON cannot hold is its text.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::UInt(u) => Json::from(*u),
        Value::Float(f) => Json::from(*f),
        Value::String(s) => Json::String(s.to_string()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(map) => Json::Object(
            map.map
                .iter()
                .map(|(key, value)| {
                    let key = match key {
                        Key::String(s) => s.to_string(),
                        Key::Int(i) => i.to_string(),
                        Key::Uint(u) => u.to_string(),
                        Key::Bool(b) => b.to_string(),
                    };
                    (key, to_json(value))
                })
                .collect(),
        ),
        other => Json::String(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_escape_as_upstream() {
        assert_eq!(escape("replicas").as_deref(), Some("replicas"));
        assert_eq!(escape("namespace").as_deref(), Some("__namespace__"));
        assert_eq!(escape("x-y").as_deref(), Some("x__dash__y"));
        assert_eq!(escape("a.b/c").as_deref(), Some("a__dot__b__slash__c"));
        assert_eq!(escape("a__b").as_deref(), Some("a__underscores__b"));
        assert_eq!(escape("1st"), None);
        assert_eq!(escape("a b"), None);
    }

    #[test]
    fn numbers_follow_the_schema() {
        let number = Schema {
            kind: "number".into(),
            ..Schema::default()
        };
        assert_eq!(
            to_cel(&serde_json::json!(3), Some(&number)),
            Value::Float(3.0)
        );
        assert_eq!(to_cel(&serde_json::json!(3), None), Value::Int(3));
    }
}
