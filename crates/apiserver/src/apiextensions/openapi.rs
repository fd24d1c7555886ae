//! OpenAPI v3 documents of the custom kinds served now, one per group
//! version, as apiextensions-apiserver publishes them: each kind's schema
//! (its definition's `openAPIV3Schema`, with apiVersion, kind and the
//! standard metadata), its list, and its paths; what `kubectl explain`
//! reads.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

/// `com.example.v1.Widget` for kind Widget of `example.com/v1`: the group
/// reversed, as upstream names custom kinds' schemas.
fn schema_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn type_fields() -> (Value, Value) {
    (
        json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"}),
        json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"}),
    )
}

/// The kind's schema: the definition's, with the fields every object has.
fn kind_schema(info: &api::ResourceInfo, written: Option<&Value>) -> Value {
    let mut schema = written
        .cloned()
        .unwrap_or_else(|| json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
    if let Some(map) = schema.as_object_mut() {
        let properties = map.entry("properties").or_insert_with(|| json!({}));
        if let Some(properties) = properties.as_object_mut() {
            let (api_version, kind) = type_fields();
            properties.entry("apiVersion").or_insert(api_version);
            properties.entry("kind").or_insert(kind);
            properties.insert(
                "metadata".into(),
                json!({"allOf": [reference(OBJECT_META)], "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}),
            );
        }
        map.insert(
            "x-kubernetes-group-version-kind".into(),
            json!([{"group": info.group, "kind": info.kind, "version": info.version}]),
        );
    }
    schema
}

fn list_schema(info: &api::ResourceInfo, item: &str, list_kind: &str) -> Value {
    let (api_version, kind) = type_fields();
    json!({
        "type": "object",
        "description": format!("{list_kind} is a list of {}", info.kind),
        "required": ["items"],
        "properties": {
            "apiVersion": api_version,
            "items": {"type": "array", "description": format!("List of {}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md", info.plural), "items": reference(item)},
            "kind": kind,
            "metadata": {"allOf": [reference(LIST_META)], "description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"},
        },
        "x-kubernetes-group-version-kind": [{"group": info.group, "kind": list_kind, "version": info.version}],
    })
}

/// Each group version of the custom kinds served now → its document and
/// hash.
pub fn documents(registry: &api::Registry) -> BTreeMap<String, (String, String)> {
    let mut grouped: BTreeMap<String, Vec<std::sync::Arc<api::ResourceInfo>>> = BTreeMap::new();
    for rows in registry.custom_rows() {
        for row in rows {
            grouped
                .entry(crate::openapi::gv_path(&row))
                .or_default()
                .push(row);
        }
    }
    let definitions = crate::openapi::definitions();
    grouped
        .into_iter()
        .map(|(gv, rows)| {
            let mut paths = Map::new();
            let mut roots = BTreeSet::new();
            let mut own = Map::new();
            for info in rows {
                let Some(custom) = &info.custom else {
                    continue;
                };
                let name = schema_name(&info.group, &info.version, &info.kind);
                let list_kind = format!("{}List", info.kind);
                let list_name = schema_name(&info.group, &info.version, &list_kind);
                own.insert(
                    name.clone(),
                    kind_schema(&info, custom.schema_json.as_ref()),
                );
                own.insert(list_name.clone(), list_schema(&info, &name, &list_kind));
                crate::openapi::resource_paths(&gv, &info, &name, &mut paths);
                roots.insert(name);
                roots.insert(list_name);
            }
            (
                gv,
                crate::openapi::assemble(paths, roots, definitions, &own),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_kind_gets_a_schema_a_list_and_paths() {
        let registry = api::Registry::default();
        let definition = json!({
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"kind": "Widget", "plural": "widgets"},
                     "versions": [{"name": "v1", "served": true, "storage": true,
                         "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                             "spec": {"type": "object", "description": "What the widget should be.",
                                      "properties": {"size": {"type": "integer"}}}}}}}]}
        });
        registry.set_definition("widgets.example.com", api::custom::rows(&definition));
        let documents = documents(&registry);
        let (text, _) = &documents["apis/example.com/v1"];
        let document: Value = serde_json::from_str(text).unwrap();
        let schemas = &document["components"]["schemas"];
        let widget = &schemas["com.example.v1.Widget"];
        assert_eq!(
            widget["properties"]["spec"]["properties"]["size"]["type"],
            "integer"
        );
        assert_eq!(
            widget["x-kubernetes-group-version-kind"][0]["kind"],
            "Widget"
        );
        assert_eq!(
            schemas["com.example.v1.WidgetList"]["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/com.example.v1.Widget"
        );
        assert!(
            schemas.get(OBJECT_META).is_some(),
            "metadata's schema comes along"
        );
        let patch = &document["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]
            ["patch"];
        let media: Vec<&String> = patch["requestBody"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            media,
            [
                "application/apply-patch+yaml",
                "application/json-patch+json",
                "application/merge-patch+json"
            ]
        );
    }
}
