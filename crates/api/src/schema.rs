//! Structural schemas of custom kinds (a definition's `openAPIV3Schema`):
//! read once per definition, then used to default, prune and validate
//! objects as apiextensions-apiserver does, with its field paths and
//! messages.

use std::collections::BTreeMap;

use base64::Engine;
use regex::Regex;
use serde_json::{Map, Value};

/// One node of a structural schema.
#[derive(Debug, Default)]
pub struct Schema {
    /// `object`, `array`, `string`, `integer`, `number`, `boolean`; empty
    /// only where `x-kubernetes-int-or-string` or
    /// `x-kubernetes-preserve-unknown-fields` stands for it.
    pub kind: String,
    pub format: String,
    pub nullable: bool,
    pub properties: BTreeMap<String, Schema>,
    pub additional_properties: Option<Box<Schema>>,
    pub items: Option<Box<Schema>>,
    pub required: Vec<String>,
    pub enumeration: Vec<Value>,
    pub pattern: Option<Regex>,
    pub pattern_text: String,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub default: Option<Value>,
    pub preserve_unknown_fields: bool,
    pub int_or_string: bool,
    pub embedded_resource: bool,
    /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
    pub list_type: String,
    pub list_map_keys: Vec<String>,
    /// Whether this node or one below it has a default.
    pub has_defaults: bool,
    /// Value validations of `allOf`, `anyOf`, `oneOf` and `not`.
    pub all_of: Vec<Schema>,
    pub any_of: Vec<Schema>,
    pub one_of: Vec<Schema>,
    pub not: Option<Box<Schema>>,
    /// `x-kubernetes-validations`, compiled.
    pub rules: Vec<crate::cel::Rule>,
    /// Whether this node or one below it has rules.
    pub has_rules: bool,
}

/// What is wrong with a value, as a field error.
#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    /// `Invalid value: <value>: <detail>`.
    Invalid {
        field: String,
        value: Value,
        detail: String,
    },
    Required {
        field: String,
        detail: String,
    },
    Forbidden {
        field: String,
        detail: String,
    },
    NotSupported {
        field: String,
        value: Value,
        supported: Vec<Value>,
    },
    TooLong {
        field: String,
        max: u64,
    },
    TooMany {
        field: String,
        actual: usize,
        max: u64,
    },
    Duplicate {
        field: String,
        value: Value,
    },
}

impl Schema {
    /// Reads a schema; what cannot be read (a pattern that does not
    /// compile) is an error naming the field.
    pub fn parse(value: &Value) -> Result<Schema, String> {
        Self::parse_at(value, "")
    }

    fn parse_at(value: &Value, path: &str) -> Result<Schema, String> {
        let text = |field: &str| {
            value
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let flag = |field: &str| value.get(field).and_then(Value::as_bool).unwrap_or(false);
        let unsigned = |field: &str| value.get(field).and_then(Value::as_u64);
        let number = |field: &str| value.get(field).and_then(Value::as_f64);
        let mut schema = Schema {
            kind: text("type"),
            format: text("format"),
            nullable: flag("nullable"),
            required: crate::meta::strings(value.get("required")),
            enumeration: value
                .get("enum")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            pattern_text: text("pattern"),
            min_length: unsigned("minLength"),
            max_length: unsigned("maxLength"),
            minimum: number("minimum"),
            maximum: number("maximum"),
            exclusive_minimum: flag("exclusiveMinimum"),
            exclusive_maximum: flag("exclusiveMaximum"),
            multiple_of: number("multipleOf"),
            min_items: unsigned("minItems"),
            max_items: unsigned("maxItems"),
            min_properties: unsigned("minProperties"),
            max_properties: unsigned("maxProperties"),
            default: value.get("default").cloned(),
            preserve_unknown_fields: flag("x-kubernetes-preserve-unknown-fields"),
            int_or_string: flag("x-kubernetes-int-or-string"),
            embedded_resource: flag("x-kubernetes-embedded-resource"),
            list_type: text("x-kubernetes-list-type"),
            list_map_keys: crate::meta::strings(value.get("x-kubernetes-list-map-keys")),
            rules: crate::cel::Rule::parse_all(value.get("x-kubernetes-validations")),
            ..Schema::default()
        };
        if !schema.pattern_text.is_empty() {
            schema.pattern = Some(Regex::new(&schema.pattern_text).map_err(|e| {
                format!(
                    "{}pattern: Invalid value: {:?}: {e}",
                    dotted(path),
                    schema.pattern_text
                )
            })?);
        }
        if let Some(properties) = value.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let at = format!("{}properties[{name}]", dotted(path));
                schema
                    .properties
                    .insert(name.clone(), Self::parse_at(property, &at)?);
            }
        }
        if let Some(additional) = value.get("additionalProperties").filter(|a| a.is_object()) {
            let at = format!("{}additionalProperties", dotted(path));
            schema.additional_properties = Some(Box::new(Self::parse_at(additional, &at)?));
        }
        if let Some(items) = value.get("items").filter(|i| i.is_object()) {
            let at = format!("{}items", dotted(path));
            schema.items = Some(Box::new(Self::parse_at(items, &at)?));
        }
        for (field, list) in [
            ("allOf", &mut schema.all_of),
            ("anyOf", &mut schema.any_of),
            ("oneOf", &mut schema.one_of),
        ] {
            if let Some(items) = value.get(field).and_then(Value::as_array) {
                for (i, item) in items.iter().enumerate() {
                    list.push(Self::parse_at(
                        item,
                        &format!("{}{field}[{i}]", dotted(path)),
                    )?);
                }
            }
        }
        if let Some(not) = value.get("not").filter(|n| n.is_object()) {
            schema.not = Some(Box::new(Self::parse_at(
                not,
                &format!("{}not", dotted(path)),
            )?));
        }
        schema.has_defaults = schema.default.is_some()
            || schema.properties.values().any(|p| p.has_defaults)
            || schema
                .additional_properties
                .as_ref()
                .is_some_and(|a| a.has_defaults)
            || schema.items.as_ref().is_some_and(|i| i.has_defaults);
        schema.has_rules = !schema.rules.is_empty()
            || schema.properties.values().any(|p| p.has_rules)
            || schema
                .additional_properties
                .as_ref()
                .is_some_and(|a| a.has_rules)
            || schema.items.as_ref().is_some_and(|i| i.has_rules);
        Ok(schema)
    }

    /// Fills in defaults: a missing field (or a null one that may not be
    /// null) with a default gets it, at every depth.
    pub fn apply_defaults(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (name, property) in &self.properties {
                    let missing = match map.get(name) {
                        None => true,
                        Some(Value::Null) => !property.nullable,
                        Some(_) => false,
                    };
                    if missing && let Some(default) = &property.default {
                        map.insert(name.clone(), default.clone());
                    }
                    if let Some(child) = map.get_mut(name) {
                        property.apply_defaults(child);
                    }
                }
                if let Some(additional) = &self.additional_properties {
                    for child in map.values_mut() {
                        additional.apply_defaults(child);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(schema) = &self.items {
                    for item in items {
                        schema.apply_defaults(item);
                    }
                }
            }
            _ => {}
        }
    }

    /// Removes fields the schema does not know (where it does not preserve
    /// unknown fields); returns their paths (`spec.foo`, `spec.items[0].x`).
    /// At the root, and in embedded resources, apiVersion, kind and
    /// metadata are kept.
    pub fn prune(&self, value: &mut Value) -> Vec<String> {
        let mut pruned = Vec::new();
        self.prune_at(value, "", true, &mut pruned);
        pruned
    }

    fn prune_at(&self, value: &mut Value, path: &str, resource: bool, pruned: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let child_path = join(path, &key);
                    if resource && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                        if let (Some(property), Some(child)) =
                            (self.properties.get(&key), map.get_mut(&key))
                            && key != "metadata"
                        {
                            property.prune_at(child, &child_path, false, pruned);
                        }
                        continue;
                    }
                    if let Some(property) = self.properties.get(&key) {
                        if let Some(child) = map.get_mut(&key) {
                            property.prune_at(
                                child,
                                &child_path,
                                property.embedded_resource,
                                pruned,
                            );
                        }
                    } else if let Some(additional) = &self.additional_properties {
                        if let Some(child) = map.get_mut(&key) {
                            additional.prune_at(
                                child,
                                &child_path,
                                additional.embedded_resource,
                                pruned,
                            );
                        }
                    } else if !self.preserve_unknown_fields {
                        map.remove(&key);
                        pruned.push(child_path);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(schema) = &self.items {
                    for (i, item) in items.iter_mut().enumerate() {
                        schema.prune_at(
                            item,
                            &format!("{path}[{i}]"),
                            schema.embedded_resource,
                            pruned,
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// Every violation of the schema in `value`, in field order.
    pub fn validate(&self, value: &Value) -> Vec<Violation> {
        let mut violations = Vec::new();
        self.validate_at(value, "", &mut violations);
        violations
    }

    fn validate_at(&self, value: &Value, path: &str, out: &mut Vec<Violation>) {
        if value.is_null() {
            if !self.nullable && !self.kind.is_empty() {
                out.push(type_error(path, value, &self.kind));
            }
            return;
        }
        if !self.type_matches(value) {
            let wanted = if self.int_or_string {
                "integer,string"
            } else {
                &self.kind
            };
            out.push(type_error(path, value, wanted));
            return;
        }
        if !self.enumeration.is_empty() && !self.enumeration.iter().any(|e| loosely_equal(e, value))
        {
            out.push(Violation::NotSupported {
                field: path.to_string(),
                value: value.clone(),
                supported: self.enumeration.clone(),
            });
        }
        match value {
            Value::String(text) => self.validate_string(text, value, path, out),
            Value::Number(_) => self.validate_number(value, path, out),
            Value::Array(items) => self.validate_array(items, value, path, out),
            Value::Object(map) => self.validate_object(map, value, path, out),
            Value::Bool(_) | Value::Null => {}
        }
        for schema in &self.all_of {
            schema.validate_at(value, path, out);
        }
        if !self.any_of.is_empty() && !self.any_of.iter().any(|s| s.validate(value).is_empty()) {
            out.push(invalid(
                path,
                value,
                format!(
                    "{} in body must match at least one schema (anyOf)",
                    shown(path)
                ),
            ));
        }
        if !self.one_of.is_empty()
            && self
                .one_of
                .iter()
                .filter(|s| s.validate(value).is_empty())
                .count()
                != 1
        {
            out.push(invalid(
                path,
                value,
                format!(
                    "{} in body must validate one and only one schema (oneOf)",
                    shown(path)
                ),
            ));
        }
        if let Some(not) = &self.not
            && not.validate(value).is_empty()
        {
            out.push(invalid(
                path,
                value,
                format!("{} in body must not validate the schema (not)", shown(path)),
            ));
        }
    }

    fn type_matches(&self, value: &Value) -> bool {
        if self.int_or_string {
            return value.is_string() || value.as_i64().is_some() || value.as_u64().is_some();
        }
        match self.kind.as_str() {
            "" => true,
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "number" => value.is_number(),
            "integer" => {
                value.as_i64().is_some()
                    || value.as_u64().is_some()
                    || value
                        .as_f64()
                        .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            }
            _ => true,
        }
    }

    fn validate_string(&self, text: &str, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let length = text.chars().count() as u64;
        if let Some(max) = self.max_length
            && length > max
        {
            out.push(Violation::TooLong {
                field: path.to_string(),
                max,
            });
        }
        if let Some(min) = self.min_length
            && length < min
        {
            out.push(invalid(
                path,
                value,
                format!(
                    "{} in body should be at least {min} chars long",
                    shown(path)
                ),
            ));
        }
        if let Some(pattern) = &self.pattern
            && !pattern.is_match(text)
        {
            out.push(invalid(
                path,
                value,
                format!(
                    "{} in body should match '{}'",
                    shown(path),
                    self.pattern_text
                ),
            ));
        }
        if !self.format.is_empty() && !format_matches(&self.format, text) {
            out.push(invalid(
                path,
                value,
                format!(
                    "{} in body must be of type {}: {:?}",
                    shown(path),
                    self.format,
                    text
                ),
            ));
        }
    }

    fn validate_number(&self, value: &Value, path: &str, out: &mut Vec<Violation>) {
        let Some(number) = value.as_f64() else {
            return;
        };
        let show = |n: f64| {
            if n.fract() == 0.0 {
                format!("{}", n as i64)
            } else {
                n.to_string()
            }
        };
        if let Some(max) = self.maximum {
            if self.exclusive_maximum && number >= max {
                out.push(invalid(
                    path,
                    value,
                    format!("{} in body should be less than {}", shown(path), show(max)),
                ));
            } else if number > max {
                out.push(invalid(
                    path,
                    value,
                    format!(
                        "{} in body should be less than or equal to {}",
                        shown(path),
                        show(max)
                    ),
                ));
            }
        }
        if let Some(min) = self.minimum {
            if self.exclusive_minimum && number <= min {
                out.push(invalid(
                    path,
                    value,
                    format!(
                        "{} in body should be greater than {}",
                        shown(path),
                        show(min)
                    ),
                ));
            } else if number < min {
                out.push(invalid(
                    path,
                    value,
                    format!(
                        "{} in body should be greater than or equal to {}",
                        shown(path),
                        show(min)
                    ),
                ));
            }
        }
        if let Some(factor) = self.multiple_of
            && factor > 0.0
            && (number / factor).fract() != 0.0
        {
            out.push(invalid(
                path,
                value,
                format!(
                    "{} in body should be a multiple of {}",
                    shown(path),
                    show(factor)
                ),
            ));
        }
    }

    fn validate_array(&self, items: &[Value], value: &Value, path: &str, out: &mut Vec<Violation>) {
        if let Some(max) = self.max_items
            && items.len() as u64 > max
        {
            out.push(Violation::TooMany {
                field: path.to_string(),
                actual: items.len(),
                max,
            });
        }
        if let Some(min) = self.min_items
            && (items.len() as u64) < min
        {
            out.push(invalid(
                path,
                value,
                format!("{} in body should have at least {min} items", shown(path)),
            ));
        }
        match self.list_type.as_str() {
            "set" => {
                for (i, item) in items.iter().enumerate() {
                    if items[..i].contains(item) {
                        out.push(Violation::Duplicate {
                            field: format!("{path}[{i}]"),
                            value: item.clone(),
                        });
                    }
                }
            }
            "map" if !self.list_map_keys.is_empty() => {
                let key_of = |item: &Value| -> Value {
                    let mut key = Map::new();
                    for name in &self.list_map_keys {
                        if let Some(v) = item.get(name) {
                            key.insert(name.clone(), v.clone());
                        }
                    }
                    Value::Object(key)
                };
                let keys: Vec<Value> = items.iter().map(key_of).collect();
                for (i, key) in keys.iter().enumerate() {
                    if keys[..i].contains(key) {
                        out.push(Violation::Duplicate {
                            field: format!("{path}[{i}]"),
                            value: key.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
        if let Some(schema) = &self.items {
            for (i, item) in items.iter().enumerate() {
                schema.validate_at(item, &format!("{path}[{i}]"), out);
            }
        }
    }

    fn validate_object(
        &self,
        map: &Map<String, Value>,
        value: &Value,
        path: &str,
        out: &mut Vec<Violation>,
    ) {
        if let Some(max) = self.max_properties
            && map.len() as u64 > max
        {
            out.push(Violation::TooMany {
                field: path.to_string(),
                actual: map.len(),
                max,
            });
        }
        if let Some(min) = self.min_properties
            && (map.len() as u64) < min
        {
            out.push(invalid(
                path,
                value,
                format!(
                    "{} in body should have at least {min} properties",
                    shown(path)
                ),
            ));
        }
        for name in &self.required {
            if !map.contains_key(name) {
                out.push(Violation::Required {
                    field: join(path, name),
                    detail: String::new(),
                });
            }
        }
        if self.embedded_resource {
            for name in ["apiVersion", "kind"] {
                if map
                    .get(name)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    out.push(Violation::Required {
                        field: join(path, name),
                        detail: String::new(),
                    });
                }
            }
        }
        for (name, child) in map {
            // Metadata at the root is checked as every object's metadata is.
            if path.is_empty() && name == "metadata" {
                continue;
            }
            if let Some(property) = self.properties.get(name) {
                property.validate_at(child, &join(path, name), out);
            } else if let Some(additional) = &self.additional_properties {
                additional.validate_at(child, &join(path, name), out);
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn dotted(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}.")
    }
}

/// The path as kube-openapi's messages name it (`body` at the root).
fn shown(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

fn invalid(path: &str, value: &Value, detail: String) -> Violation {
    Violation::Invalid {
        field: path.to_string(),
        value: value.clone(),
        detail,
    }
}

/// The JSON type's name as Go's decoder gives it to kube-openapi.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() && n.as_f64().is_some_and(|f| f.fract() != 0.0) => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_error(path: &str, value: &Value, wanted: &str) -> Violation {
    let actual = json_type(value);
    Violation::Invalid {
        field: path.to_string(),
        value: Value::String(actual.to_string()),
        detail: format!(
            "{} in body must be of type {wanted}: {actual:?}",
            shown(path)
        ),
    }
}

fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The formats upstream checks (others are accepted as any string).
fn format_matches(format: &str, text: &str) -> bool {
    match format {
        "int32" | "int64" | "float" | "double" | "password" | "" => true,
        "byte" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        "date-time" | "datetime" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "uuid" => is_uuid(text),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        "cidr" => text.split_once('/').is_some_and(|(address, prefix)| {
            match (address.parse::<std::net::IpAddr>(), prefix.parse::<u8>()) {
                (Ok(std::net::IpAddr::V4(_)), Ok(bits)) => bits <= 32,
                (Ok(std::net::IpAddr::V6(_)), Ok(bits)) => bits <= 128,
                _ => false,
            }
        }),
        "mac" => {
            let parts: Vec<&str> = text.split([':', '-']).collect();
            parts.len() == 6
                && parts
                    .iter()
                    .all(|p| p.len() == 2 && u8::from_str_radix(p, 16).is_ok())
        }
        "hostname" => {
            !text.is_empty()
                && text.len() <= 253
                && text.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                })
        }
        "email" => text
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.')),
        "uri" => text
            .split_once("://")
            .is_some_and(|(scheme, _)| !scheme.is_empty()),
        "duration" => parse_duration(text),
        _ => true,
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A duration as Go's time.ParseDuration (or a bare number of seconds
/// with a unit word) reads it.
fn parse_duration(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if body.is_empty() {
        return false;
    }
    if body == "0" {
        return true;
    }
    let mut rest = body;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(**u) && !(**u == "m" && rest.starts_with("ms")));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::parse(&json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["size"],
                    "properties": {
                        "size": {"type": "integer", "minimum": 1, "maximum": 10},
                        "color": {"type": "string", "enum": ["red", "green"], "default": "red"},
                        "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
                        "port": {"x-kubernetes-int-or-string": true},
                        "id": {"type": "string", "format": "uuid"},
                        "tags": {"type": "array", "x-kubernetes-list-type": "set",
                                 "items": {"type": "string"}, "maxItems": 3},
                        "ports": {"type": "array", "x-kubernetes-list-type": "map",
                                  "x-kubernetes-list-map-keys": ["name"],
                                  "items": {"type": "object", "properties": {
                                      "name": {"type": "string"},
                                      "number": {"type": "integer", "default": 80}}}},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                        "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                                     "properties": {"spec": {"type": "object"}}}
                    }
                }
            }
        }))
        .unwrap()
    }

    fn messages(violations: &[Violation]) -> Vec<String> {
        violations.iter().map(|v| format!("{v:?}")).collect()
    }

    #[test]
    fn defaults_fill_missing_fields_at_every_depth() {
        let mut object =
            json!({"spec": {"size": 2, "ports": [{"name": "http"}, {"name": "x", "number": 8}]}});
        schema().apply_defaults(&mut object);
        assert_eq!(object["spec"]["color"], "red");
        assert_eq!(object["spec"]["ports"][0]["number"], 80);
        assert_eq!(object["spec"]["ports"][1]["number"], 8);
    }

    #[test]
    fn unknown_fields_are_pruned_where_the_schema_does_not_keep_them() {
        let mut object = json!({
            "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
            "extra": 1,
            "spec": {"size": 1, "bogus": true, "ports": [{"name": "a", "nope": 1}],
                     "labels": {"a": "b"}, "free": {"anything": {"goes": 1}},
                     "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                  "spec": {}, "junk": 1}}
        });
        let pruned = schema().prune(&mut object);
        assert_eq!(
            pruned,
            [
                "extra",
                "spec.bogus",
                "spec.ports[0].nope",
                "spec.template.junk"
            ]
        );
        assert_eq!(object["spec"]["free"]["anything"]["goes"], 1);
        assert_eq!(object["spec"]["template"]["kind"], "Pod");
        assert_eq!(object["metadata"]["name"], "w");
    }

    #[test]
    fn violations_read_as_upstream_reports_them() {
        let object = json!({"spec": {
            "size": "big", "color": "blue", "name": "ABCDEFG", "port": 1.5,
            "id": "nope", "tags": ["a", "b", "a", "c"], "ports": [{"name": "x"}, {"name": "x"}],
            "labels": {"a": 1}, "template": {"spec": {}}
        }});
        let violations = schema().validate(&object);
        assert!(
            violations.contains(&Violation::Invalid {
                field: "spec.size".into(),
                value: json!("string"),
                detail: "spec.size in body must be of type integer: \"string\"".into(),
            }),
            "{:?}",
            messages(&violations)
        );
        assert!(violations.contains(&Violation::NotSupported {
            field: "spec.color".into(),
            value: json!("blue"),
            supported: vec![json!("red"), json!("green")],
        }));
        assert!(violations.contains(&Violation::TooLong {
            field: "spec.name".into(),
            max: 5
        }));
        assert!(violations.contains(&Violation::Invalid {
            field: "spec.name".into(),
            value: json!("ABCDEFG"),
            detail: "spec.name in body should match '^[a-z]+$'".into(),
        }));
        assert!(violations.contains(&Violation::Invalid {
            field: "spec.port".into(),
            value: json!("number"),
            detail: "spec.port in body must be of type integer,string: \"number\"".into(),
        }));
        assert!(violations.contains(&Violation::Invalid {
            field: "spec.id".into(),
            value: json!("nope"),
            detail: "spec.id in body must be of type uuid: \"nope\"".into(),
        }));
        assert!(violations.contains(&Violation::TooMany {
            field: "spec.tags".into(),
            actual: 4,
            max: 3
        }));
        assert!(violations.contains(&Violation::Duplicate {
            field: "spec.tags[2]".into(),
            value: json!("a")
        }));
        assert!(violations.contains(&Violation::Duplicate {
            field: "spec.ports[1]".into(),
            value: json!({"name": "x"})
        }));
        assert!(violations.contains(&Violation::Invalid {
            field: "spec.labels.a".into(),
            value: json!("integer"),
            detail: "spec.labels.a in body must be of type string: \"integer\"".into(),
        }));
        assert!(violations.contains(&Violation::Required {
            field: "spec.template.apiVersion".into(),
            detail: String::new(),
        }));
        let small = schema().validate(&json!({"spec": {"size": 0}}));
        assert_eq!(
            small,
            [Violation::Invalid {
                field: "spec.size".into(),
                value: json!(0),
                detail: "spec.size in body should be greater than or equal to 1".into(),
            }]
        );
        let missing = schema().validate(&json!({"spec": {}}));
        assert_eq!(
            missing,
            [Violation::Required {
                field: "spec.size".into(),
                detail: String::new(),
            }]
        );
        assert!(schema().validate(&json!({"spec": {"size": 3, "port": "http", "id": "0f8fad5b-d9cb-469f-a165-70867728950e"}})).is_empty());
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_refused() {
        let err = Schema::parse(
            &json!({"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}}),
        )
        .unwrap_err();
        assert!(
            err.starts_with("properties[a].pattern: Invalid value: \"(\""),
            "{err}"
        );
    }
}
