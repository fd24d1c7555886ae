//! Table responses (`kubectl get`): rows from the kind's printer, with the
//! object as PartialObjectMetadata (default), the full object, or none, as
//! `includeObject` asks.

use std::collections::HashMap;

use api::ResourceInfo;
use serde_json::{Value, json};

fn column_definitions(info: &ResourceInfo) -> Vec<Value> {
    if let Some(custom) = &info.custom {
        // A custom kind: its name, then the columns its definition lists.
        let name = &info.printer.columns()[0];
        let mut columns = vec![json!({
            "name": name.name, "type": name.kind, "format": name.format,
            "description": name.description, "priority": 0,
        })];
        columns.extend(custom.columns.iter().map(|c| c.definition()));
        return columns;
    }
    info.printer
        .columns()
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "type": c.kind,
                "format": c.format,
                "description": c.description,
                "priority": c.priority,
            })
        })
        .collect()
}

fn row_object(object: &Value, include: &str) -> Value {
    match include {
        "None" => Value::Null,
        "Object" => object.clone(),
        _ => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
        }),
    }
}

pub fn row(info: &ResourceInfo, object: &Value, query: &HashMap<String, String>) -> Value {
    let include = query
        .get("includeObject")
        .map_or("Metadata", String::as_str);
    let now = chrono::Utc::now();
    let cells = match &info.custom {
        Some(custom) => std::iter::once(json!(crate::objects::name_of(object)))
            .chain(custom.columns.iter().map(|c| c.cell(object, now)))
            .collect(),
        None => info.printer.cells(object, now),
    };
    let mut row = json!({"cells": cells});
    let object = row_object(object, include);
    if !object.is_null() {
        row["object"] = object;
    }
    row
}

pub fn list(
    info: &ResourceInfo,
    items: &[Value],
    revision: i64,
    next: Option<&str>,
    remaining: Option<i64>,
    query: &HashMap<String, String>,
) -> Value {
    let mut metadata = json!({"resourceVersion": revision.to_string()});
    if let Some(next) = next {
        metadata["continue"] = json!(next);
    }
    if let Some(remaining) = remaining {
        metadata["remainingItemCount"] = json!(remaining);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": column_definitions(info),
        "rows": items.iter().map(|o| row(info, o, query)).collect::<Vec<_>>(),
    })
}

pub fn single(info: &ResourceInfo, object: &Value, query: &HashMap<String, String>) -> Value {
    let revision = object
        .pointer("/metadata/resourceVersion")
        .cloned()
        .unwrap_or(Value::Null);
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": revision},
        "columnDefinitions": column_definitions(info),
        "rows": [row(info, object, query)],
    })
}

/// A watch event's object as a one-row Table; the column definitions come
/// only with the first event, as upstream sends them.
pub fn watch_row(
    info: &ResourceInfo,
    object: &Value,
    first: bool,
    query: &HashMap<String, String>,
) -> Value {
    let mut table = single(info, object, query);
    if !first {
        table["columnDefinitions"] = json!([]);
    }
    table
}
