//! `/openapi/v2`: the Swagger 2.0 document, derived from the same schemas
//! and paths as the OpenAPI v3 documents, as JSON or in the protobuf form
//! (gnostic's `openapi.v2.Document`) that client-go's discovery asks for.
//! kubectl validates manifests against it when a kind's v3 document does
//! not say that the server validates fields itself (Binding, the reviews).

use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use serde_json::{Map, Value, json};

/// The media type of the protobuf form, as clients ask for it.
pub const PROTOBUF_MEDIA_TYPE: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

pub struct Document {
    pub json: Bytes,
    pub protobuf: Bytes,
    pub etag: String,
}

impl Document {
    fn of(swagger: &Value) -> Document {
        let json = swagger.to_string();
        let mut protobuf = Vec::new();
        encode_document(&mut protobuf, swagger);
        let etag = format!("\"{:016X}\"", crate::openapi::fnv(json.as_bytes()));
        Document {
            json: Bytes::from(json),
            protobuf: Bytes::from(protobuf),
            etag,
        }
    }
}

/// The built-in kinds' document, made once.
static BUILT_IN: OnceLock<(Value, Arc<Document>)> = OnceLock::new();
/// The last document with custom kinds, and the hash of their documents
/// it was made from.
static WITH_CUSTOM: Mutex<Option<(u64, Arc<Document>)>> = Mutex::new(None);

fn built_in() -> &'static (Value, Arc<Document>) {
    BUILT_IN.get_or_init(|| {
        let swagger = swagger();
        let document = Arc::new(Document::of(&swagger));
        (swagger, document)
    })
}

/// The document of every kind served now: the built-in ones, and those
/// the server's CustomResourceDefinitions add (made again only when
/// those change).
pub fn document(registry: &api::Registry) -> Arc<Document> {
    let custom = crate::apiextensions::openapi::documents(registry);
    let (base, built_in) = built_in();
    if custom.is_empty() {
        return built_in.clone();
    }
    let hashes: String = custom.values().map(|(_, hash)| hash.as_str()).collect();
    let key = crate::openapi::fnv(hashes.as_bytes());
    let mut cached = WITH_CUSTOM.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((made_from, document)) = cached.as_ref()
        && *made_from == key
    {
        return document.clone();
    }
    let mut swagger = base.clone();
    for (text, _) in custom.values() {
        if let Ok(doc) = serde_json::from_str::<Value>(text) {
            add_paths(&mut swagger["paths"], &doc);
            for (name, schema) in doc
                .pointer("/components/schemas")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if swagger["definitions"].get(name).is_none() {
                    swagger["definitions"][name] = custom_v2_schema(schema);
                }
            }
        }
    }
    let document = Arc::new(Document::of(&swagger));
    *cached = Some((key, document.clone()));
    document
}

/// A custom kind's schema as upstream publishes it in v2, where what v2
/// cannot say is left out: a nullable value has no type (so `null`
/// passes), and `oneOf`/`anyOf`/`not` are dropped.
fn custom_v2_schema(schema: &Value) -> Value {
    let mut schema = v2_schema(schema);
    strip_for_v2(&mut schema);
    schema
}

fn strip_for_v2(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    for keyword in ["oneOf", "anyOf", "not"] {
        map.remove(keyword);
    }
    if map.remove("nullable") == Some(Value::Bool(true)) {
        for keyword in ["type", "items", "properties", "additionalProperties"] {
            map.remove(keyword);
        }
    }
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        properties.values_mut().for_each(strip_for_v2);
    }
    for keyword in ["items", "additionalProperties"] {
        if let Some(below) = map.get_mut(keyword) {
            strip_for_v2(below);
        }
    }
}

/// Whether an Accept header asks for the protobuf form.
pub fn wants_protobuf(accept: &str) -> bool {
    accept.split(',').any(|media| {
        let media = media.split(';').next().unwrap_or("").trim();
        media.starts_with("application/com.github.proto-openapi.spec.v2")
    })
}

/// Rewrites v3 schema references (`#/components/schemas/X`) as v2's
/// (`#/definitions/X`).
fn v2_schema(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => {
                            json!(r.replace("#/components/schemas/", "#/definitions/"))
                        }
                        _ => v2_schema(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(v2_schema).collect()),
        other => other.clone(),
    }
}

fn v2_operation(op: &Value) -> Value {
    let mut out = Map::new();
    for key in ["operationId", "description"] {
        if let Some(v) = op.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let mut parameters: Vec<Value> = op["parameters"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let mut param = json!({"name": p["name"], "in": p["in"], "type": p["schema"]["type"]});
            if let Some(d) = p.get("description") {
                param["description"] = d.clone();
            }
            if p["schema"]["uniqueItems"] == true {
                param["uniqueItems"] = json!(true);
            }
            param
        })
        .collect();
    if let Some(content) = op
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
    {
        out.insert(
            "consumes".into(),
            json!(content.keys().cloned().collect::<Vec<_>>()),
        );
        if let Some(schema) = content.values().next().and_then(|c| c.get("schema")) {
            parameters.insert(
                0,
                json!({"name": "body", "in": "body", "required": true, "schema": v2_schema(schema)}),
            );
        }
    }
    if !parameters.is_empty() {
        out.insert("parameters".into(), Value::Array(parameters));
    }
    out.insert("produces".into(), json!(["application/json"]));
    let mut responses = Map::new();
    if let Some(codes) = op.get("responses").and_then(Value::as_object) {
        for (code, response) in codes {
            let mut r = json!({"description": response["description"]});
            if let Some(schema) = response.pointer("/content/application~1json/schema") {
                r["schema"] = v2_schema(schema);
            }
            responses.insert(code.clone(), r);
        }
    }
    out.insert("responses".into(), Value::Object(responses));
    for (k, v) in op.as_object().into_iter().flatten() {
        if k.starts_with("x-") {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// Path parameters (`{namespace}`, `{name}`) of a path template.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let description = match name {
                "namespace" => "object name and auth scope, such as for teams and projects",
                _ => "name of the object",
            };
            json!({"name": name, "in": "path", "required": true, "type": "string", "uniqueItems": true, "description": description})
        })
        .collect()
}

/// A v3 document's paths, as v2 paths, into `paths`.
fn add_paths(paths: &mut Value, doc: &Value) {
    let Some(paths) = paths.as_object_mut() else {
        return;
    };
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let mut out = Map::new();
        for (method, op) in item.as_object().into_iter().flatten() {
            out.insert(method.clone(), v2_operation(op));
        }
        let params = path_parameters(path);
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }
        paths.insert(path.clone(), Value::Object(out));
    }
}

fn swagger() -> Value {
    let mut paths = json!({});
    for document in crate::openapi::documents_text() {
        let Ok(doc) = serde_json::from_str::<Value>(document) else {
            continue;
        };
        add_paths(&mut paths, &doc);
    }
    let definitions: Map<String, Value> = crate::openapi::definitions()
        .iter()
        .map(|(name, schema)| (name.clone(), v2_schema(schema)))
        .collect();
    json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": format!("v{}.{}.0", crate::discovery::KUBERNETES_MAJOR, crate::discovery::KUBERNETES_MINOR)},
        "paths": paths,
        "definitions": definitions,
    })
}

// The protobuf wire format, as far as the document needs it.

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn tag(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn string(out: &mut Vec<u8>, field: u32, text: &str) {
    tag(out, field, 2);
    varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn message(out: &mut Vec<u8>, field: u32, body: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    body(&mut inner);
    tag(out, field, 2);
    varint(out, inner.len() as u64);
    out.extend_from_slice(&inner);
}

fn boolean(out: &mut Vec<u8>, field: u32, value: bool) {
    tag(out, field, 0);
    varint(out, u64::from(value));
}

fn int64(out: &mut Vec<u8>, field: u32, value: i64) {
    tag(out, field, 0);
    varint(out, value as u64);
}

fn double(out: &mut Vec<u8>, field: u32, value: f64) {
    tag(out, field, 1);
    out.extend_from_slice(&value.to_le_bytes());
}

/// gnostic's `Any`: a value as YAML text (JSON is YAML).
fn any(out: &mut Vec<u8>, field: u32, value: &Value) {
    message(out, field, |m| string(m, 2, &value.to_string()));
}

/// The `x-...` keys of an object as repeated `NamedAny`.
fn vendor_extensions(out: &mut Vec<u8>, field: u32, object: &Value) {
    for (key, value) in object.as_object().into_iter().flatten() {
        if key.starts_with("x-") {
            message(out, field, |m| {
                string(m, 1, key);
                any(m, 2, value);
            });
        }
    }
}

fn str_field(out: &mut Vec<u8>, field: u32, object: &Value, key: &str) {
    if let Some(text) = object.get(key).and_then(Value::as_str) {
        string(out, field, text);
    }
}

fn strings(out: &mut Vec<u8>, field: u32, object: &Value, key: &str) {
    for text in object[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        string(out, field, text);
    }
}

/// `openapi.v2.Schema`.
fn encode_schema(out: &mut Vec<u8>, schema: &Value) {
    str_field(out, 1, schema, "$ref");
    str_field(out, 2, schema, "format");
    str_field(out, 3, schema, "title");
    str_field(out, 4, schema, "description");
    if let Some(default) = schema.get("default") {
        any(out, 5, default);
    }
    for (field, key) in [(6, "multipleOf"), (7, "maximum"), (9, "minimum")] {
        if let Some(n) = schema.get(key).and_then(Value::as_f64) {
            double(out, field, n);
        }
    }
    for (field, key) in [
        (11, "maxLength"),
        (12, "minLength"),
        (14, "maxItems"),
        (15, "minItems"),
        (17, "maxProperties"),
        (18, "minProperties"),
    ] {
        if let Some(n) = schema.get(key).and_then(Value::as_i64) {
            int64(out, field, n);
        }
    }
    for (field, key) in [
        (8, "exclusiveMaximum"),
        (10, "exclusiveMinimum"),
        (16, "uniqueItems"),
        (27, "readOnly"),
    ] {
        if schema.get(key) == Some(&Value::Bool(true)) {
            boolean(out, field, true);
        }
    }
    str_field(out, 13, schema, "pattern");
    strings(out, 19, schema, "required");
    for value in schema["enum"].as_array().into_iter().flatten() {
        any(out, 20, value);
    }
    match schema.get("additionalProperties") {
        Some(Value::Bool(allowed)) => message(out, 21, |m| boolean(m, 2, *allowed)),
        Some(inner @ Value::Object(_)) => {
            message(out, 21, |m| message(m, 1, |s| encode_schema(s, inner)))
        }
        _ => {}
    }
    match schema.get("type") {
        Some(Value::String(kind)) => message(out, 22, |m| string(m, 1, kind)),
        Some(Value::Array(kinds)) => message(out, 22, |m| {
            for kind in kinds.iter().filter_map(Value::as_str) {
                string(m, 1, kind);
            }
        }),
        _ => {}
    }
    match schema.get("items") {
        Some(Value::Array(items)) => message(out, 23, |m| {
            for item in items {
                message(m, 1, |s| encode_schema(s, item));
            }
        }),
        Some(item @ Value::Object(_)) => {
            message(out, 23, |m| message(m, 1, |s| encode_schema(s, item)))
        }
        _ => {}
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        message(out, 24, |m| encode_schema(m, part));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        message(out, 25, |m| {
            for (name, property) in properties {
                message(m, 1, |named| {
                    string(named, 1, name);
                    message(named, 2, |s| encode_schema(s, property));
                });
            }
        });
    }
    str_field(out, 26, schema, "discriminator");
    if let Some(example) = schema.get("example") {
        any(out, 30, example);
    }
    vendor_extensions(out, 31, schema);
}

/// `openapi.v2.ParametersItem` holding a body, query or path parameter.
fn encode_parameter(out: &mut Vec<u8>, param: &Value) {
    message(out, 1, |parameter| {
        match param["in"].as_str().unwrap_or("") {
            "body" => message(parameter, 1, |body| {
                str_field(body, 1, param, "description");
                str_field(body, 2, param, "name");
                str_field(body, 3, param, "in");
                if param["required"] == true {
                    boolean(body, 4, true);
                }
                if let Some(schema) = param.get("schema") {
                    message(body, 5, |s| encode_schema(s, schema));
                }
            }),
            location => message(parameter, 2, |non_body| {
                // Query and path sub-schemas differ in field numbers after `name`.
                let (which, type_field, unique_field) = if location == "path" {
                    (4, 5, 19)
                } else {
                    (3, 6, 20)
                };
                message(non_body, which, |sub| {
                    if param["required"] == true {
                        boolean(sub, 1, true);
                    }
                    str_field(sub, 2, param, "in");
                    str_field(sub, 3, param, "description");
                    str_field(sub, 4, param, "name");
                    str_field(sub, type_field, param, "type");
                    if param["uniqueItems"] == true {
                        boolean(sub, unique_field, true);
                    }
                });
            }),
        }
    });
}

/// `openapi.v2.Operation`.
fn encode_operation(out: &mut Vec<u8>, op: &Value) {
    str_field(out, 3, op, "description");
    str_field(out, 5, op, "operationId");
    strings(out, 6, op, "produces");
    strings(out, 7, op, "consumes");
    for param in op["parameters"].as_array().into_iter().flatten() {
        message(out, 8, |m| encode_parameter(m, param));
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        message(out, 9, |m| {
            for (code, response) in responses {
                message(m, 1, |named| {
                    string(named, 1, code);
                    message(named, 2, |value| {
                        message(value, 1, |r| {
                            str_field(r, 1, response, "description");
                            if let Some(schema) = response.get("schema") {
                                message(r, 2, |item| {
                                    message(item, 1, |s| encode_schema(s, schema))
                                });
                            }
                        });
                    });
                });
            }
        });
    }
    vendor_extensions(out, 13, op);
}

/// `openapi.v2.Document`.
fn encode_document(out: &mut Vec<u8>, doc: &Value) {
    str_field(out, 1, doc, "swagger");
    message(out, 2, |info| {
        str_field(info, 1, &doc["info"], "title");
        str_field(info, 2, &doc["info"], "version");
    });
    message(out, 8, |paths| {
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            message(paths, 2, |named| {
                string(named, 1, path);
                message(named, 2, |p| {
                    for (field, method) in [
                        (2, "get"),
                        (3, "put"),
                        (4, "post"),
                        (5, "delete"),
                        (6, "options"),
                        (7, "head"),
                        (8, "patch"),
                    ] {
                        if let Some(op) = item.get(method) {
                            message(p, field, |o| encode_operation(o, op));
                        }
                    }
                    for param in item["parameters"].as_array().into_iter().flatten() {
                        message(p, 9, |m| encode_parameter(m, param));
                    }
                });
            });
        }
    });
    message(out, 9, |definitions| {
        for (name, schema) in doc["definitions"].as_object().into_iter().flatten() {
            message(definitions, 1, |named| {
                string(named, 1, name);
                message(named, 2, |s| encode_schema(s, schema));
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_covers_every_kind_with_v2_references() {
        let document = document(&api::Registry::default());
        let doc: Value = serde_json::from_slice(&document.json).unwrap();
        assert_eq!(doc["swagger"], "2.0");
        let pod = &doc["definitions"]["io.k8s.api.core.v1.Pod"];
        assert_eq!(
            pod["properties"]["spec"]["allOf"][0]["$ref"],
            "#/definitions/io.k8s.api.core.v1.PodSpec"
        );
        assert_eq!(pod["x-kubernetes-group-version-kind"][0]["kind"], "Pod");
        let create = &doc["paths"]["/api/v1/namespaces/{namespace}/bindings"]["post"];
        assert_eq!(create["parameters"][0]["in"], "body");
        assert_eq!(
            create["parameters"][0]["schema"]["$ref"],
            "#/definitions/io.k8s.api.core.v1.Binding"
        );
        assert!(!document.protobuf.is_empty());
    }

    #[test]
    fn custom_kinds_join_the_document_while_they_are_served() {
        let registry = api::Registry::default();
        let definition = json!({
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"kind": "Widget", "plural": "widgets"},
                     "versions": [{"name": "v1", "served": true, "storage": true,
                         "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                             "spec": {"type": "object", "properties": {
                                 "size": {"type": "integer"},
                                 "note": {"type": "string", "nullable": true},
                                 "either": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}}}}}}}]}
        });
        registry.set_definition("widgets.example.com", api::custom::rows(&definition));
        let with_widgets = document(&registry);
        let doc: Value = serde_json::from_slice(&with_widgets.json).unwrap();
        let widget = &doc["definitions"]["com.example.v1.Widget"];
        let spec = &widget["properties"]["spec"]["properties"];
        assert_eq!(spec["size"]["type"], "integer");
        assert_eq!(spec["note"], json!({}), "a nullable value is left untyped");
        assert!(spec["either"].get("oneOf").is_none());
        assert_eq!(
            widget["properties"]["metadata"]["allOf"][0]["$ref"],
            "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
        );
        assert!(
            doc["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]["get"]
                .is_object()
        );
        assert!(doc["definitions"]["io.k8s.api.core.v1.Pod"].is_object());
        // The same kinds give the same document; without them, the built-in one.
        assert!(Arc::ptr_eq(&with_widgets, &document(&registry)));
        registry.set_definition("widgets.example.com", Vec::new());
        let without: Value = serde_json::from_slice(&document(&registry).json).unwrap();
        assert!(
            without["definitions"]
                .get("com.example.v1.Widget")
                .is_none()
        );
    }

    #[test]
    fn protobuf_fields_are_written_as_the_wire_format_says() {
        let mut out = Vec::new();
        encode_schema(
            &mut out,
            &json!({"type": "string", "format": "int-or-string"}),
        );
        // format (2, "int-or-string"), then type (22) as TypeItem { value: "string" }.
        let mut expected = vec![0x12, 13];
        expected.extend_from_slice(b"int-or-string");
        expected.extend_from_slice(&[0xb2, 0x01, 8, 0x0a, 6]);
        expected.extend_from_slice(b"string");
        assert_eq!(out, expected);
    }
}
