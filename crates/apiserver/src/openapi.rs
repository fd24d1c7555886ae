//! OpenAPI v3 documents (`/openapi/v3` and one per group-version), built
//! from the registry and the kinds' typed schemas: what `kubectl apply`
//! checks for server-side field validation and `kubectl explain` reads.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use api::ResourceInfo;
use api::registry::RESOURCES;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

struct Documents {
    /// `api/v1`, `apis/apps/v1`, ... → the serialized document and its hash.
    by_group_version: BTreeMap<String, (String, String)>,
    /// Every schema, by name (`io.k8s.api.core.v1.PodSpec`).
    definitions: Map<String, Value>,
    /// (group, version, kind) → schema name.
    kinds: BTreeMap<(&'static str, &'static str, &'static str), String>,
}

/// Every schema the server knows, by name.
pub fn definitions() -> &'static Map<String, Value> {
    &documents().definitions
}

/// The schema name of a kind.
pub fn kind_schema(info: &ResourceInfo) -> Option<&'static str> {
    documents()
        .kinds
        .iter()
        .find(|((g, v, k), _)| *g == info.group && *v == info.version && *k == info.kind)
        .map(|(_, name)| name.as_str())
}

static DOCUMENTS: OnceLock<Documents> = OnceLock::new();

fn documents() -> &'static Documents {
    DOCUMENTS.get_or_init(build)
}

/// `/openapi/v3`: where each group-version's document is (the built-in
/// ones and those of the custom kinds served now).
pub fn root(registry: &api::Registry) -> Value {
    let custom = crate::apiextensions::openapi::documents(registry);
    let paths: Map<String, Value> = documents()
        .by_group_version
        .iter()
        .chain(custom.iter())
        .map(|(gv, (_, hash))| {
            (
                gv.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{gv}?hash={hash}")}),
            )
        })
        .collect();
    json!({"paths": paths})
}

/// `/openapi/v3/<gv>`, serialized.
pub fn group_version(registry: &api::Registry, path: &str) -> Option<String> {
    let path = path.trim_matches('/');
    if let Some((doc, _)) = documents().by_group_version.get(path) {
        return Some(doc.clone());
    }
    crate::apiextensions::openapi::documents(registry)
        .remove(path)
        .map(|(doc, _)| doc)
}

/// Every group-version document, serialized.
pub fn documents_text() -> impl Iterator<Item = &'static str> {
    documents()
        .by_group_version
        .values()
        .map(|(doc, _)| doc.as_str())
}

pub(crate) fn gv_path(info: &ResourceInfo) -> String {
    if info.group.is_empty() {
        format!("api/{}", info.version)
    } else {
        format!("apis/{}/{}", info.group, info.version)
    }
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn query_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description, "schema": {"type": "string", "uniqueItems": true}})
}

fn write_params() -> Vec<Value> {
    vec![
        query_param(
            "dryRun",
            "When present, indicates that modifications should not be persisted. Valid values: All.",
        ),
        query_param(
            "fieldManager",
            "A name associated with the actor or entity that is making these changes.",
        ),
        query_param(
            "fieldValidation",
            "How the server handles unknown or duplicate fields in the request: Ignore, Warn or Strict.",
        ),
    ]
}

fn operation(
    info: &ResourceInfo,
    action: &str,
    schema: &str,
    params: Vec<Value>,
    body: Option<Vec<&str>>,
) -> Value {
    let mut op = json!({
        "operationId": format!("{action}{}", info.kind),
        "parameters": params,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema_ref(schema)}}}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": info.group, "version": info.version, "kind": info.kind},
    });
    if let Some(types) = body {
        let types: Vec<&str> = if info.custom.is_some() {
            // Custom kinds merge no patch strategies.
            types
                .into_iter()
                .filter(|t| *t != crate::patch::STRATEGIC_MERGE_PATCH)
                .collect()
        } else {
            types
        };
        let content: Map<String, Value> = types
            .into_iter()
            .map(|t| (t.to_string(), json!({"schema": schema_ref(schema)})))
            .collect();
        op["requestBody"] = json!({"required": true, "content": content});
    }
    op
}

/// The paths of one resource's collection and items, with the
/// operations its verbs allow, answering `schema`.
pub(crate) fn resource_paths(
    gv: &str,
    info: &ResourceInfo,
    schema: &str,
    paths: &mut Map<String, Value>,
) {
    let base = format!("/{gv}");
    let (collection, item) = if info.namespaced {
        (
            format!("{base}/namespaces/{{namespace}}/{}", info.plural),
            format!("{base}/namespaces/{{namespace}}/{}/{{name}}", info.plural),
        )
    } else {
        (
            format!("{base}/{}", info.plural),
            format!("{base}/{}/{{name}}", info.plural),
        )
    };
    let mut collection_ops = Map::new();
    let mut item_ops = Map::new();
    if info.allows("list") {
        collection_ops.insert("get".into(), operation(info, "list", schema, vec![], None));
    }
    if info.allows("create") {
        collection_ops.insert(
            "post".into(),
            operation(
                info,
                "post",
                schema,
                write_params(),
                Some(vec!["application/json"]),
            ),
        );
    }
    if info.allows("get") {
        item_ops.insert("get".into(), operation(info, "get", schema, vec![], None));
    }
    if info.allows("update") {
        item_ops.insert(
            "put".into(),
            operation(
                info,
                "put",
                schema,
                write_params(),
                Some(vec!["application/json"]),
            ),
        );
    }
    if info.allows("patch") {
        item_ops.insert(
            "patch".into(),
            operation(
                info,
                "patch",
                schema,
                write_params(),
                Some(vec![
                    "application/json-patch+json",
                    "application/merge-patch+json",
                    "application/strategic-merge-patch+json",
                    "application/apply-patch+yaml",
                ]),
            ),
        );
    }
    if info.allows("delete") {
        item_ops.insert(
            "delete".into(),
            operation(info, "delete", schema, vec![], None),
        );
    }
    if !collection_ops.is_empty() {
        paths.insert(collection, Value::Object(collection_ops));
    }
    if !item_ops.is_empty() {
        paths.insert(item, Value::Object(item_ops));
    }
}

fn build() -> Documents {
    let mut generator = SchemaSettings::openapi3().into_generator();
    // Schema name of each kind, registered with the generator.
    let mut kind_schemas: BTreeMap<(&'static str, &'static str, &'static str), String> =
        BTreeMap::new();
    for info in RESOURCES {
        if let Some(schema) =
            crate::typed::schema(&mut generator, &info.group, &info.version, &info.kind)
            && let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        {
            let name = reference
                .rsplit('/')
                .next()
                .unwrap_or(reference)
                .to_string();
            kind_schemas.insert((&info.group, &info.version, &info.kind), name);
        }
    }
    let mut definitions = generator.take_definitions(true);
    for (schema, field, strategy, key) in crate::merge_keys::PATCH_STRATEGIES {
        if let Some(Value::Object(property)) = definitions
            .get_mut(*schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut(*field))
        {
            property.insert("x-kubernetes-patch-strategy".into(), json!(strategy));
            if !key.is_empty() {
                property.insert("x-kubernetes-patch-merge-key".into(), json!(key));
            }
        }
    }
    for (schema, field, keys) in crate::merge_keys::LIST_MAP_KEYS {
        if let Some(Value::Object(property)) = definitions
            .get_mut(*schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut(*field))
        {
            property.insert("x-kubernetes-list-type".into(), json!("map"));
            property.insert("x-kubernetes-list-map-keys".into(), json!(keys));
        }
    }
    for (schema, field, default) in crate::merge_keys::KEY_DEFAULTS {
        if let Some(Value::Object(property)) = definitions
            .get_mut(*schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut(*field))
        {
            property.insert("default".into(), json!(default));
        }
    }
    for schema in crate::merge_keys::ATOMIC_STRUCTS {
        if let Some(Value::Object(schema)) = definitions.get_mut(*schema) {
            schema.insert("x-kubernetes-map-type".into(), json!("atomic"));
        }
    }
    for info in RESOURCES {
        if let Some(name) = kind_schemas.get(&(&info.group, &info.version, &info.kind))
            && let Some(Value::Object(schema)) = definitions.get_mut(name)
        {
            schema.insert(
                "x-kubernetes-group-version-kind".into(),
                json!([{"group": info.group, "kind": info.kind, "version": info.version}]),
            );
        }
    }

    let mut grouped: BTreeMap<String, Vec<&ResourceInfo>> = BTreeMap::new();
    for info in RESOURCES {
        grouped.entry(gv_path(info)).or_default().push(info);
    }
    let mut by_group_version = BTreeMap::new();
    for (gv, infos) in grouped {
        let mut paths = Map::new();
        let mut roots = BTreeSet::new();
        for info in infos {
            let Some(schema) = kind_schemas.get(&(&info.group, &info.version, &info.kind)) else {
                continue;
            };
            roots.insert(schema.clone());
            resource_paths(&gv, info, schema, &mut paths);
        }
        by_group_version.insert(gv, assemble(paths, roots, &definitions, &Map::new()));
    }
    Documents {
        by_group_version,
        definitions,
        kinds: kind_schemas,
    }
}

/// A group-version's document: its paths and the schemas they refer to,
/// transitively (looked up in `own`, then in the built-in `definitions`);
/// serialized, with its hash.
pub(crate) fn assemble(
    paths: Map<String, Value>,
    roots: BTreeSet<String>,
    definitions: &Map<String, Value>,
    own: &Map<String, Value>,
) -> (String, String) {
    let lookup = |name: &str| own.get(name).or_else(|| definitions.get(name));
    let mut needed = BTreeSet::new();
    let mut queue: Vec<String> = roots.into_iter().collect();
    while let Some(name) = queue.pop() {
        if !needed.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = lookup(&name) {
            collect_refs(schema, &mut queue);
        }
    }
    let schemas: Map<String, Value> = needed
        .into_iter()
        .filter_map(|name| lookup(&name).map(|s| (name, s.clone())))
        .collect();
    let document = json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": format!("v{}.{}.0", crate::discovery::KUBERNETES_MAJOR, crate::discovery::KUBERNETES_MINOR)},
        "paths": paths,
        "components": {"schemas": schemas},
    });
    let text = document.to_string();
    let hash = format!("{:016X}", fnv(text.as_bytes()));
    (text, hash)
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref"
                    && let Some(name) = child.as_str().and_then(|r| r.rsplit('/').next())
                {
                    out.push(name.to_string());
                } else {
                    collect_refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    component_helpers::hash::fnv1a64(component_helpers::hash::FNV64_OFFSET, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_cover_every_group_version() {
        let registry = api::Registry::default();
        let root = root(&registry);
        let paths = root["paths"].as_object().unwrap();
        assert!(paths.contains_key("api/v1") && paths.contains_key("apis/apps/v1"));
        let apps: Value =
            serde_json::from_str(&group_version(&registry, "apis/apps/v1").unwrap()).unwrap();
        let patch =
            &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "Deployment"
        );
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        let schemas = apps["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("io.k8s.api.apps.v1.Deployment"));
        assert!(
            schemas.contains_key("io.k8s.api.core.v1.PodSpec"),
            "referenced schemas come along"
        );
        assert_eq!(
            schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"][0]["kind"],
            "Deployment"
        );
    }
}
