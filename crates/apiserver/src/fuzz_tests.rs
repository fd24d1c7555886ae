//! Property tests over what a request can put in front of the server:
//! request bodies (JSON, YAML, protobuf), label and field selectors, the
//! three patch types, quantities, and validation of every kind. Whatever
//! the input, each answers (Ok or a clear error) without panicking. The
//! case counts keep the run to seconds.

use axum::http::{HeaderMap, HeaderValue, header};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::patch;
use crate::request_body;

/// Field names objects are made of, so random objects reach deep into
/// validation and patching rather than stopping at an unknown key.
const KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "generateName",
    "finalizers",
    "ownerReferences",
    "spec",
    "status",
    "template",
    "selector",
    "matchLabels",
    "matchExpressions",
    "key",
    "operator",
    "values",
    "replicas",
    "containers",
    "initContainers",
    "image",
    "command",
    "args",
    "ports",
    "containerPort",
    "port",
    "targetPort",
    "protocol",
    "volumes",
    "volumeMounts",
    "mountPath",
    "configMap",
    "secret",
    "items",
    "path",
    "mode",
    "defaultMode",
    "hostPath",
    "resources",
    "requests",
    "limits",
    "cpu",
    "memory",
    "env",
    "value",
    "valueFrom",
    "affinity",
    "nodeAffinity",
    "tolerations",
    "effect",
    "schedule",
    "jobTemplate",
    "parallelism",
    "completions",
    "completionMode",
    "backoffLimit",
    "strategy",
    "rollingUpdate",
    "maxSurge",
    "maxUnavailable",
    "type",
    "clusterIP",
    "clusterIPs",
    "data",
    "binaryData",
    "rules",
    "hard",
    "subjects",
    "roleRef",
    "$patch",
    "$retainKeys",
    "$setElementOrder/containers",
    "$deleteFromPrimitiveList/finalizers",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(-1i64), Just(0i64)].prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-z0-9.\\-/_:=!()é*]{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<String, Value>>(),
                )
            }),
        ]
    })
}

fn headers(content_type: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers
}

const MEDIA: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn bodies_decode_or_are_refused(bytes in prop::collection::vec(any::<u8>(), 0..512),
                                    media in prop::sample::select(MEDIA)) {
        let _ = request_body::decode(&headers(media), &bytes);
    }

    #[test]
    fn protobuf_envelopes_decode_or_are_refused(
        body in prop::collection::vec(any::<u8>(), 0..512)
    ) {
        // With the magic prefix, so the envelope and messages are reached.
        let mut bytes = b"k8s\0".to_vec();
        bytes.extend_from_slice(&body);
        let _ = request_body::decode(&headers("application/vnd.kubernetes.protobuf"), &bytes);
    }

    #[test]
    fn json_and_yaml_of_any_shape(object in value()) {
        let text = object.to_string();
        let _ = request_body::decode(&headers("application/json"), text.as_bytes());
        let yaml = serde_norway::to_string(&object).unwrap_or_default();
        let _ = request_body::decode(&headers("application/yaml"), yaml.as_bytes());
    }

    #[test]
    fn selectors_parse_or_are_refused(text in "[a-z0-9 ,=!()<>.\\-/_*]{0,40}", raw in any::<String>()) {
        for text in [&text, &raw] {
            if let Ok(selector) = api::selectors::LabelSelector::parse(text) {
                let _ = selector.matches_object(&json!({"metadata": {"labels": {"a": "b"}}}));
            }
            let _ = api::selectors::FieldSelector::parse(text, &["spec.nodeName", "status.phase"]);
        }
    }

    #[test]
    fn quantities_parse_or_are_refused(text in "[-+0-9.eEinumkKMGTP]{0,24}", raw in any::<String>()) {
        let _ = api::quantity::Quantity::parse(&text);
        let _ = api::quantity::Quantity::parse(&raw);
    }

    #[test]
    fn patches_apply_or_are_refused(original in value(), patch_body in value(),
                                    raw in prop::collection::vec(any::<u8>(), 0..256)) {
        let original = match original {
            Value::Object(_) => original,
            other => json!({"spec": other}),
        };
        let text = patch_body.to_string();
        for media in [patch::JSON_PATCH, patch::MERGE_PATCH, patch::STRATEGIC_MERGE_PATCH] {
            for schema in [None, Some("io.k8s.api.core.v1.Pod"), Some("io.k8s.api.apps.v1.Deployment")] {
                let _ = patch::apply(schema, media, &original, text.as_bytes());
                let _ = patch::apply(schema, media, &original, &raw);
            }
        }
    }

    #[test]
    fn json_patch_operations_apply_or_are_refused(
        original in value(),
        ops in prop::collection::vec(
            (prop::sample::select(&["add", "remove", "replace", "move", "copy", "test", "bogus"][..]),
             "(/[a-z0-9~\\-]{0,6}){0,4}", "(/[a-z0-9~\\-]{0,6}){0,4}", value()),
            0..8)
    ) {
        let ops: Vec<Value> = ops
            .into_iter()
            .map(|(op, path, from, value)| json!({"op": op, "path": path, "from": from, "value": value}))
            .collect();
        let body = Value::Array(ops).to_string();
        let _ = patch::apply(None, patch::JSON_PATCH, &original, body.as_bytes());
    }

    #[test]
    fn every_kind_validates_any_shape(spec in value(), metadata in value(), status in value()) {
        for info in api::registry::RESOURCES {
            let object = json!({
                "apiVersion": info.api_version(), "kind": info.kind,
                "metadata": metadata, "spec": spec, "status": status,
                "data": spec, "template": spec, "rules": spec,
            });
            let _ = crate::validation::validate(info, &object, None);
            let _ = crate::validation::validate(info, &object, Some(&object));
        }
    }
}
