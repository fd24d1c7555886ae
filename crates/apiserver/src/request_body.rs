//! A request body as the JSON object it stands for: JSON itself, YAML, or
//! Kubernetes protobuf. Each decoder is bounded: JSON and YAML by their
//! parsers' nesting limits, YAML also by what its aliases expand to, and
//! protobuf by its message tables.

use std::fmt;

use axum::http::{HeaderMap, header};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::handlers::MAX_BODY_BYTES;
use crate::status::ApiError;

/// A request body as JSON: JSON itself, YAML, or Kubernetes protobuf.
pub(crate) fn decode(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let media = content_type.split(';').next().unwrap_or("").trim();
    let value = match media {
        "" | "application/json" | "*/*" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        "application/yaml" => decode_yaml(body)?,
        "application/vnd.kubernetes.protobuf" => crate::protobuf::decode(body)?,
        _ => {
            return Err(ApiError::unsupported_media_type(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
            ));
        }
    };
    // Every body the API takes is an object; say so in upstream's words.
    match &value {
        Value::Object(_) => return Ok(value),
        Value::Null => return Err(ApiError::bad_request("Object 'Kind' is missing in 'null'")),
        _ => {}
    }
    let json_type = crate::status::json_type_name(&value);
    Err(ApiError::bad_request(format!(
        "couldn't get version/kind; json parse error: json: cannot unmarshal {json_type} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}"
    )))
}

/// A YAML body as the JSON it stands for; one document only. Aliases are
/// expanded, but the expansion may not come to more than a JSON body could
/// carry: a few hundred bytes of nested aliases can otherwise stand for
/// gigabytes.
pub(crate) fn decode_yaml(body: &[u8]) -> Result<Value, ApiError> {
    let mut budget = MAX_BODY_BYTES;
    let value = BoundedValue {
        budget: &mut budget,
    }
    .deserialize(serde_norway::Deserializer::from_slice(body))
    .map_err(|e: serde_norway::Error| {
        ApiError::bad_request(format!("couldn't get version/kind; yaml parse error: {e}"))
    })?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "couldn't get version/kind; the YAML body is not an object",
        ));
    }
    Ok(value)
}

/// A JSON value deserialized while counting, against `budget`, about the
/// bytes its JSON encoding would take.
struct BoundedValue<'b> {
    budget: &'b mut usize,
}

impl BoundedValue<'_> {
    fn spend<E: serde::de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                *self.budget = left;
                Ok(())
            }
            None => Err(E::custom(format!(
                "the document expands to more than {MAX_BODY_BYTES} bytes"
            ))),
        }
    }

    fn reborrow(&mut self) -> BoundedValue<'_> {
        BoundedValue {
            budget: self.budget,
        }
    }
}

impl<'de> DeserializeSeed<'de> for BoundedValue<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BoundedValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: serde::de::Error>(mut self, v: bool) -> Result<Value, E> {
        self.spend(5)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(mut self, v: i64) -> Result<Value, E> {
        self.spend(8)?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(mut self, v: u64) -> Result<Value, E> {
        self.spend(8)?;
        Ok(Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(mut self, v: f64) -> Result<Value, E> {
        self.spend(8)?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(mut self, v: &str) -> Result<Value, E> {
        self.spend(v.len() + 2)?;
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: serde::de::Error>(mut self, v: String) -> Result<Value, E> {
        self.spend(v.len() + 2)?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: serde::de::Error>(mut self) -> Result<Value, E> {
        self.spend(4)?;
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        self.spend(2)?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.reborrow())? {
            self.spend(1)?;
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        self.spend(2)?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.spend(key.len() + 4)?;
            let value = map.next_value_seed(self.reborrow())?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_decodes_with_aliases() {
        let value =
            decode_yaml(b"kind: ConfigMap\nx: &a {k: v}\ny: *a\nn: 3\nl: [true, null, 1.5]\n")
                .unwrap();
        assert_eq!(
            value,
            serde_json::json!({"kind": "ConfigMap", "x": {"k": "v"}, "y": {"k": "v"}, "n": 3, "l": [true, null, 1.5]})
        );
        assert_eq!(decode_yaml(b"- 1\n").unwrap_err().code, 400);
    }

    #[test]
    fn an_alias_bomb_is_refused() {
        // A 130 KB anchor named 5,000 times: within the YAML parser's own
        // repetition limit, and gigabytes once expanded.
        let anchor = vec!["xxxxxxxxxx"; 10_000].join(", ");
        let aliases = vec!["*a"; 5_000].join(", ");
        let text = format!("kind: ConfigMap\nbig: &a [{anchor}]\nmany: [{aliases}]\n");
        assert!(text.len() < 200_000);
        let err = decode_yaml(text.as_bytes()).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(
            err.message.contains("expands to more than"),
            "{}",
            err.message
        );
    }
}
