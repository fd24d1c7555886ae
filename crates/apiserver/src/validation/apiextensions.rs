//! apiextensions.k8s.io: CustomResourceDefinitions, refused as upstream
//! refuses them (names, group, scope, versions, structural schemas, printer
//! columns, stored versions, what may not change once established).

use api::meta::{validate_dns_subdomain, validate_dns1035_label};
use serde_json::Value;

use super::immutable;
use crate::error::Cause;

const COLUMN_TYPES: &[&str] = &["boolean", "date", "integer", "number", "string"];
const COLUMN_FORMATS: &[&str] = &[
    "byte",
    "date",
    "date-time",
    "double",
    "float",
    "int32",
    "int64",
    "password",
];
const APPROVAL_ANNOTATION: &str = "api-approved.kubernetes.io";

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub fn definition(object: &Value, old: Option<&Value>, c: &mut Vec<Cause>) {
    let group = text(object, "/spec/group");
    let plural = text(object, "/spec/names/plural");
    let name = text(object, "/metadata/name");
    if name != format!("{plural}.{group}") {
        c.push(Cause::invalid(
            "metadata.name",
            name,
            "must be spec.names.plural+\".\"+spec.group",
        ));
    }
    if group.is_empty() {
        c.push(Cause::required("spec.group", ""));
    } else if let Err(err) = validate_dns_subdomain(group) {
        c.push(Cause::invalid("spec.group", group, &err));
    } else if !group.contains('.') {
        c.push(Cause::invalid(
            "spec.group",
            group,
            "should be a domain with at least one dot",
        ));
    } else if (group.ends_with(".k8s.io")
        || group.ends_with(".kubernetes.io")
        || group == "k8s.io"
        || group == "kubernetes.io")
        && object
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(APPROVAL_ANNOTATION))
            .is_none()
    {
        c.push(Cause::required(
            format!("metadata.annotations[{APPROVAL_ANNOTATION}]"),
            "protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111",
        ));
    }
    match text(object, "/spec/scope") {
        "" => c.push(Cause::required("spec.scope", "")),
        "Cluster" | "Namespaced" => {}
        other => c.push(Cause::not_supported(
            "spec.scope",
            other,
            &["Cluster", "Namespaced"],
        )),
    }
    versions(object, c);
    conversion(object, c);
    names(object.pointer("/spec/names"), "spec.names", true, c);
    if let Some(old) = old {
        update(object, old, c);
    }
}

fn names(names: Option<&Value>, path: &str, spec: bool, c: &mut Vec<Cause>) {
    let get = |field: &str| {
        names
            .and_then(|n| n.get(field))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    if spec {
        for field in ["plural", "singular", "kind", "listKind"] {
            if get(field).is_empty() {
                c.push(Cause::required(format!("{path}.{field}"), ""));
            }
        }
    }
    for field in ["plural", "singular"] {
        let value = get(field);
        if !value.is_empty()
            && let Err(err) = validate_dns1035_label(value)
        {
            c.push(Cause::invalid(format!("{path}.{field}"), value, &err));
        }
    }
    for field in ["kind", "listKind"] {
        let value = get(field);
        if !value.is_empty()
            && let Err(err) = validate_dns1035_label(&value.to_lowercase())
        {
            c.push(Cause::invalid(
                format!("{path}.{field}"),
                value,
                &format!("may have mixed case, but should otherwise match: {err}"),
            ));
        }
    }
    for list in ["shortNames", "categories"] {
        let items = names.and_then(|n| n.get(list)).and_then(Value::as_array);
        for (i, item) in items.into_iter().flatten().enumerate() {
            let value = item.as_str().unwrap_or_default();
            if let Err(err) = validate_dns1035_label(value) {
                c.push(Cause::invalid(format!("{path}.{list}[{i}]"), value, &err));
            }
        }
    }
    if !get("kind").is_empty() && get("kind") == get("listKind") {
        c.push(Cause::invalid(
            format!("{path}.listKind"),
            get("listKind"),
            "kind and listKind may not be the same",
        ));
    }
}

fn versions(object: &Value, c: &mut Vec<Cause>) {
    let versions = object
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let shown = object
        .pointer("/spec/versions")
        .cloned()
        .unwrap_or(Value::Null);
    if versions.is_empty() {
        c.push(Cause::invalid_value(
            "spec.versions",
            &shown,
            "must have exactly one version marked as storage version",
        ));
        return;
    }
    let mut seen = Vec::new();
    let mut unique = true;
    let mut storage = 0;
    for (i, version) in versions.iter().enumerate() {
        let at = format!("spec.versions[{i}]");
        let name = text(version, "/name");
        if version.get("storage").and_then(Value::as_bool) == Some(true) {
            storage += 1;
        }
        if seen.contains(&name) {
            unique = false;
        }
        seen.push(name);
        if let Err(err) = validate_dns1035_label(name) {
            c.push(Cause::invalid(format!("{at}.name"), name, &err));
        }
        match version.pointer("/schema/openAPIV3Schema") {
            None => c.push(Cause::required(
                format!("{at}.schema.openAPIV3Schema"),
                "schemas are required",
            )),
            Some(schema) => {
                let path = format!("{at}.schema.openAPIV3Schema");
                structural(schema, &path, true, c);
                let status = version.pointer("/subresources/status").is_some();
                if status && text(schema, "/type") != "object" {
                    c.push(Cause::invalid(
                        format!("{path}.type"),
                        text(schema, "/type"),
                        "only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled",
                    ));
                }
                match api::schema::Schema::parse(schema) {
                    Err(err) => c.push(Cause {
                        reason: "FieldValueInvalid",
                        field: path,
                        message: err,
                    }),
                    Ok(parsed) => rule_problems(&parsed, &path, c),
                }
            }
        }
        columns(version, &at, c);
        scale(version, &at, c);
    }
    if !unique {
        c.push(Cause::invalid_value(
            "spec.versions",
            &shown,
            "must contain unique version names",
        ));
    }
    if storage != 1 {
        c.push(Cause::invalid_value(
            "spec.versions",
            &shown,
            "must have exactly one version marked as storage version",
        ));
    }
}

/// `spec.conversion`: `None`, or `Webhook` with a webhook reached by one
/// URL (https) or one service, speaking a ConversionReview version this
/// server speaks.
fn conversion(object: &Value, c: &mut Vec<Cause>) {
    let webhook = object.pointer("/spec/conversion/webhook");
    match text(object, "/spec/conversion/strategy") {
        "" | "None" => {
            if webhook.is_some_and(|w| !w.is_null()) {
                c.push(Cause::forbidden(
                    "spec.conversion.webhook",
                    "should not be set when strategy is not set to Webhook",
                ));
            }
            return;
        }
        "Webhook" => {}
        other => {
            c.push(Cause::not_supported(
                "spec.conversion.strategy",
                other,
                &["None", "Webhook"],
            ));
            return;
        }
    }
    let Some(webhook) = webhook.filter(|w| w.is_object()) else {
        c.push(Cause::required(
            "spec.conversion.webhook",
            "required when strategy is set to Webhook",
        ));
        return;
    };
    let versions = api::meta::strings(webhook.get("conversionReviewVersions"));
    if !versions.iter().any(|v| v == "v1" || v == "v1beta1") {
        c.push(Cause {
            reason: "FieldValueInvalid",
            field: "spec.conversion.webhook.conversionReviewVersions".into(),
            message: format!(
                "Invalid value: []string{{{}}}: must include at least one of v1, v1beta1",
                versions
                    .iter()
                    .map(|v| format!("{v:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    super::admissionregistration::client_config(
        webhook.get("clientConfig"),
        "spec.conversion.webhook.clientConfig",
        c,
    );
}

/// What is wrong with a schema's validation rules (they do not compile,
/// name fields the schema lacks, or cost too much), under its path.
fn rule_problems(schema: &api::schema::Schema, path: &str, c: &mut Vec<Cause>) {
    use api::cel::ProblemKind;
    for problem in api::cel::check_schema(schema) {
        let field = if problem.field.is_empty() {
            path.to_string()
        } else {
            format!("{path}.{}", problem.field)
        };
        c.push(match problem.kind {
            ProblemKind::Invalid => Cause {
                reason: "FieldValueInvalid",
                field,
                message: format!("Invalid value: {}: {}", problem.rule, problem.detail),
            },
            ProblemKind::Required => Cause::required(field, &problem.detail),
            ProblemKind::Forbidden => Cause::forbidden(field, &problem.detail),
            ProblemKind::UnsupportedReason => Cause::not_supported(
                field,
                &problem.detail,
                &[
                    "FieldValueDuplicate",
                    "FieldValueForbidden",
                    "FieldValueInvalid",
                    "FieldValueRequired",
                ],
            ),
        });
    }
}

/// A structural schema: every node says its type (or is an int-or-string
/// or keeps unknown fields), the root is an object, no uniqueItems, and
/// properties and additionalProperties are not both given.
fn structural(schema: &Value, path: &str, root: bool, c: &mut Vec<Cause>) {
    let kind = text(schema, "/type");
    let int_or_string = schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true);
    let preserve = schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    if root && kind != "object" {
        if kind.is_empty() {
            c.push(Cause::required(
                format!("{path}.type"),
                "must not be empty at the root",
            ));
        } else {
            c.push(Cause::invalid(
                format!("{path}.type"),
                kind,
                "must be object at the root",
            ));
        }
    }
    if !root && kind.is_empty() && !int_or_string && !preserve {
        c.push(Cause::required(
            format!("{path}.type"),
            "must not be empty for specified object fields",
        ));
    }
    if !kind.is_empty()
        && !["object", "array", "string", "integer", "number", "boolean"].contains(&kind)
    {
        c.push(Cause::not_supported(
            format!("{path}.type"),
            kind,
            &["array", "boolean", "integer", "number", "object", "string"],
        ));
    }
    if schema.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        c.push(Cause::forbidden(
            format!("{path}.uniqueItems"),
            "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
        ));
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    if properties.is_some_and(|p| !p.is_empty())
        && schema
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(true))
    {
        c.push(Cause::forbidden(
            format!("{path}.additionalProperties"),
            "additionalProperties and properties are mutual exclusive",
        ));
    }
    if kind == "array" && schema.get("items").is_none() {
        c.push(Cause::required(
            format!("{path}.items"),
            "must be specified",
        ));
    }
    for (name, property) in properties.into_iter().flatten() {
        structural(property, &format!("{path}.properties[{name}]"), false, c);
    }
    if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        structural(
            additional,
            &format!("{path}.additionalProperties"),
            false,
            c,
        );
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        structural(items, &format!("{path}.items"), false, c);
    }
}

fn columns(version: &Value, at: &str, c: &mut Vec<Cause>) {
    let list = version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array);
    for (i, column) in list.into_iter().flatten().enumerate() {
        let path = format!("{at}.additionalPrinterColumns[{i}]");
        if text(column, "/name").is_empty() {
            c.push(Cause::required(format!("{path}.name"), ""));
        }
        let kind = text(column, "/type");
        let kinds = format!("must be one of {}", COLUMN_TYPES.join(","));
        if kind.is_empty() {
            c.push(Cause::required(format!("{path}.type"), &kinds));
        } else if !COLUMN_TYPES.contains(&kind) {
            c.push(Cause::invalid(format!("{path}.type"), kind, &kinds));
        }
        let format = text(column, "/format");
        if !format.is_empty() && !COLUMN_FORMATS.contains(&format) {
            c.push(Cause::invalid(
                format!("{path}.format"),
                format,
                &format!("must be one of {}", COLUMN_FORMATS.join(",")),
            ));
        }
        let json_path = text(column, "/jsonPath");
        if json_path.is_empty() {
            c.push(Cause::required(format!("{path}.jsonPath"), ""));
        } else if let Err(err) = api::jsonpath::JsonPath::parse(json_path) {
            c.push(Cause::invalid(
                format!("{path}.jsonPath"),
                json_path,
                &format!("must be a simple json path: {err}"),
            ));
        }
    }
}

fn scale(version: &Value, at: &str, c: &mut Vec<Cause>) {
    let Some(scale) = version.pointer("/subresources/scale") else {
        return;
    };
    let path = format!("{at}.subresources.scale");
    for (field, required) in [
        ("specReplicasPath", true),
        ("statusReplicasPath", true),
        ("labelSelectorPath", false),
    ] {
        let value = text(scale, &format!("/{field}"));
        if value.is_empty() {
            if required {
                c.push(Cause::required(format!("{path}.{field}"), ""));
            }
            continue;
        }
        let prefix = if field == "specReplicasPath" {
            ".spec."
        } else {
            ".status."
        };
        let simple = api::jsonpath::JsonPath::parse(value).is_ok() && value.starts_with('.');
        if !simple {
            c.push(Cause::invalid(
                format!("{path}.{field}"),
                value,
                "must be a valid json path",
            ));
        } else if field != "labelSelectorPath" && !value.starts_with(prefix) {
            c.push(Cause::invalid(
                format!("{path}.{field}"),
                value,
                &format!(
                    "should be a json path under {}",
                    prefix.trim_end_matches('.')
                ),
            ));
        }
    }
}

/// What may not change: the group and plural always (they name the
/// objects' storage), the scope and kind once established; and every
/// version objects were stored at must stay in the spec.
fn update(object: &Value, old: &Value, c: &mut Vec<Cause>) {
    immutable(object, old, "/spec/group", "spec.group", c);
    immutable(object, old, "/spec/names/plural", "spec.names.plural", c);
    let established = old
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|l| {
            l.iter()
                .any(|c| c["type"] == "Established" && c["status"] == "True")
        });
    if established {
        immutable(object, old, "/spec/scope", "spec.scope", c);
        immutable(object, old, "/spec/names/kind", "spec.names.kind", c);
    }
    let versions: Vec<&str> = object
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .collect();
    let stored = object
        .pointer("/status/storedVersions")
        .and_then(Value::as_array);
    for (i, version) in stored.into_iter().flatten().enumerate() {
        let version = version.as_str().unwrap_or_default();
        if !versions.contains(&version) {
            c.push(Cause::invalid(
                format!("status.storedVersions[{i}]"),
                version,
                "must appear in spec.versions",
            ));
        }
    }
}
