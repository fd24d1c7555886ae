//! Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`)
//! of request bodies, for every built-in kind: what kubectl's generators
//! (`create deployment|secret|job|...`, `run`, `expose`, `autoscale`, `auth
//! can-i`) and Go clients configured for protobuf send.
//!
//! The envelope is the magic `k8s\0` and a `runtime.Unknown` carrying the
//! type and the encoded object. Objects are decoded to JSON by walking
//! `schema.rs`, the table of every message (field numbers and wire types
//! from the kube-rs project's k8s-pb bindings, JSON names from k8s-openapi;
//! written by `cargo run -p protogen`). A field the table does not know is
//! handed on as an unknown field, for `fieldValidation` to refuse, warn
//! about or drop, as an unknown JSON field is.
//!
//! Go writes every field of a message that is not a nil pointer, so an
//! empty string or a zero number may be a field left unset. Empty strings
//! are taken as unset (as Go's defaulting reads them); zero numbers and
//! false are kept, since for pointer fields (`replicas: 0`) they are values.

use serde_json::{Map, Value, json};

use crate::error::ApiError;

// Generated; kept as written.
#[rustfmt::skip]
mod schema;

const MAGIC: &[u8] = b"k8s\0";
/// `time.Time{}` in seconds since the Unix epoch.
const GO_ZERO_TIME: i64 = -62_135_596_800;
/// Messages nested deeper than this are refused (a recursive message, such
/// as a CRD's schema, could otherwise nest without end).
const MAX_DEPTH: usize = 64;

/// A field's wire type and meaning.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Str,
    Bytes,
    Int32,
    Int64,
    Bool,
    Double,
    /// The message at this index of `schema::MESSAGES`.
    Msg(usize),
    /// `map<string, V>`: repeated entries (key 1, value 2).
    Map(&'static Kind),
}

/// One field of a message.
#[derive(Debug)]
pub struct Field {
    pub tag: u32,
    pub json: &'static str,
    pub kind: Kind,
    pub repeated: bool,
}

/// A message: its package-qualified name and fields (by field number).
#[derive(Debug)]
pub struct Message {
    pub name: &'static str,
    pub fields: &'static [Field],
}

/// Messages whose JSON form is not an object of their fields.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Special {
    /// `resource.Quantity`: its string form.
    Quantity,
    /// `metav1.Time`: RFC 3339 to the second.
    Time,
    /// `metav1.MicroTime`: RFC 3339 to the microsecond.
    MicroTime,
    /// `metav1.Duration`: Go's duration text (`1h0m0s`).
    Duration,
    /// `intstr.IntOrString`: a number or a string.
    IntOrString,
    /// Raw JSON carried as bytes (`runtime.RawExtension`, `apiextensions
    /// JSON`, `metav1.FieldsV1`).
    RawJson,
    /// A list of strings wrapped in a message (`ExtraValue`, `Verbs`).
    StringList,
    /// A union whose JSON form the server does not read from protobuf.
    Unsupported,
}

fn special(message: &Message) -> Option<Special> {
    let name = message.name;
    Some(match name {
        "apimachinery.pkg.api.resource.Quantity" => Special::Quantity,
        "apimachinery.pkg.apis.meta.v1.Time" => Special::Time,
        "apimachinery.pkg.apis.meta.v1.MicroTime" => Special::MicroTime,
        "apimachinery.pkg.apis.meta.v1.Duration" => Special::Duration,
        "apimachinery.pkg.util.intstr.IntOrString" => Special::IntOrString,
        "apimachinery.pkg.runtime.RawExtension" | "apimachinery.pkg.apis.meta.v1.FieldsV1" => {
            Special::RawJson
        }
        "apimachinery.pkg.apis.meta.v1.Verbs" => Special::StringList,
        _ if name.ends_with(".ExtraValue") => Special::StringList,
        _ if name.starts_with("apiextensions_apiserver.") && name.ends_with(".Json") => {
            Special::RawJson
        }
        _ if name.starts_with("apiextensions_apiserver.")
            && name.contains(".JsonSchemaPropsOr") =>
        {
            Special::Unsupported
        }
        _ => return None,
    })
}

fn message(index: usize) -> Result<&'static Message, ApiError> {
    schema::MESSAGES
        .get(index)
        .ok_or_else(|| malformed("a message the schema does not have"))
}

/// The message objects of `kind` at `api_version` are encoded as.
fn message_of(api_version: &str, kind: &str) -> Option<&'static Message> {
    schema::KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .and_then(|(_, _, index)| schema::MESSAGES.get(*index))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn malformed(what: &str) -> ApiError {
    ApiError::bad_request(format!("the protobuf request body is malformed: {what}"))
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn varint(&mut self) -> Result<u64, ApiError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or_else(|| malformed("truncated varint"))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed("varint too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], ApiError> {
        let len = usize::try_from(self.varint()?).map_err(|_| malformed("length too large"))?;
        let end = self
            .at
            .checked_add(len)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| malformed("truncated field"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    /// The next field: number, wire type, and its varint or bytes.
    fn field(&mut self) -> Result<(u32, Wire<'a>), ApiError> {
        let key = self.varint()?;
        let number = u32::try_from(key >> 3).map_err(|_| malformed("field number too large"))?;
        let wire = match key & 7 {
            0 => Wire::Varint(self.varint()?),
            2 => Wire::Bytes(self.bytes()?),
            1 => {
                let end = self.at + 8;
                let bytes: [u8; 8] = self
                    .bytes
                    .get(self.at..end)
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| malformed("truncated fixed64"))?;
                self.at = end;
                Wire::Fixed64(u64::from_le_bytes(bytes))
            }
            5 => {
                let end = self.at + 4;
                if end > self.bytes.len() {
                    return Err(malformed("truncated fixed32"));
                }
                self.at = end;
                Wire::Fixed32
            }
            other => return Err(malformed(&format!("unsupported wire type {other}"))),
        };
        Ok((number, wire))
    }
}

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed64(u64),
    Fixed32,
}

fn text(bytes: &[u8]) -> Result<String, ApiError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed("a string is not UTF-8"))
}

fn unsupported(what: &str) -> ApiError {
    ApiError::unsupported_media_type(format!(
        "protobuf request bodies for {what} are not supported by this server; send the object as JSON"
    ))
}

fn timestamp(seconds: i64, nanos: i64, micro: bool) -> Result<Value, ApiError> {
    // An empty message, or Go's zero time (year 1), is an unset timestamp.
    if seconds <= GO_ZERO_TIME {
        return Ok(Value::Null);
    }
    let nanos = u32::try_from(nanos.clamp(0, 999_999_999)).unwrap_or(0);
    let time = chrono::DateTime::from_timestamp(seconds, nanos)
        .ok_or_else(|| malformed("time out of range"))?;
    let format = if micro {
        chrono::SecondsFormat::Micros
    } else {
        chrono::SecondsFormat::Secs
    };
    Ok(Value::String(time.to_rfc3339_opts(format, true)))
}

/// The JSON form of a special message.
fn decode_special(kind: Special, bytes: &[u8], depth: usize) -> Result<Value, ApiError> {
    let mut reader = Reader::new(bytes);
    let mut numbers = [0i64; 3];
    let mut strings: Vec<String> = Vec::new();
    let mut raw: &[u8] = &[];
    while !reader.done() {
        match reader.field()? {
            (n @ 1..=3, Wire::Varint(v)) => numbers[n as usize - 1] = v as i64,
            (_, Wire::Bytes(b)) if kind == Special::RawJson => raw = b,
            (_, Wire::Bytes(b)) => strings.push(text(b)?),
            _ => {}
        }
    }
    Ok(match kind {
        Special::Quantity => Value::String(strings.pop().unwrap_or_default()),
        Special::Time | Special::MicroTime => {
            timestamp(numbers[0], numbers[1], kind == Special::MicroTime)?
        }
        Special::Duration => Value::String(component_helpers::duration::format(numbers[0])),
        // type 1 is a string; intVal is an int32.
        Special::IntOrString if numbers[0] == 1 => Value::String(strings.pop().unwrap_or_default()),
        Special::IntOrString => json!(numbers[1] as i32),
        Special::StringList => Value::Array(strings.into_iter().map(Value::String).collect()),
        Special::RawJson if raw.is_empty() => Value::Null,
        Special::RawJson if raw.starts_with(MAGIC) => decode_envelope(raw, depth + 1)?,
        Special::RawJson => {
            serde_json::from_slice(raw).map_err(|e| malformed(&format!("embedded JSON: {e}")))?
        }
        Special::Unsupported => return Err(unsupported("custom resource schemas")),
    })
}

fn decode_value(kind: Kind, wire: Wire<'_>, path: &str, depth: usize) -> Result<Value, ApiError> {
    use base64::Engine;
    let wrong = || malformed(&format!("{path} has an unexpected wire type"));
    Ok(match (kind, wire) {
        (Kind::Str, Wire::Bytes(b)) => Value::String(text(b)?),
        (Kind::Bytes, Wire::Bytes(b)) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        // int32 fields carry negative numbers sign-extended to 64 bits.
        (Kind::Int32, Wire::Varint(v)) => json!(v as i64 as i32),
        (Kind::Int64, Wire::Varint(v)) => json!(v as i64),
        (Kind::Bool, Wire::Varint(v)) => Value::Bool(v != 0),
        (Kind::Double, Wire::Fixed64(v)) => json!(f64::from_bits(v)),
        (Kind::Msg(index), Wire::Bytes(b)) => {
            let inner = message(index)?;
            match special(inner) {
                Some(kind) => decode_special(kind, b, depth)?,
                None => decode_message(inner, b, path, depth + 1)?,
            }
        }
        // Packed repeated numbers are not written by Go's marshaller for
        // Kubernetes' proto2 messages.
        _ => return Err(wrong()),
    })
}

/// Number and bool fields that are not pointers in Go (so zero is unset,
/// and upstream's JSON leaves them out): the ones of the objects clients
/// commonly send, by message and JSON name. Any other zero is kept, since
/// for a pointer field (`replicas: 0`) it is a value.
const PLAIN: &[(&str, &[&str])] = &[
    ("ObjectMeta", &["generation"]),
    ("Container", &["stdin", "stdinOnce", "tty"]),
    ("ContainerPort", &["containerPort", "hostPort"]),
    (
        "Probe",
        &[
            "initialDelaySeconds",
            "timeoutSeconds",
            "periodSeconds",
            "successThreshold",
            "failureThreshold",
        ],
    ),
    ("PodSpec", &["hostNetwork", "hostPID", "hostIPC"]),
    ("VolumeMount", &["readOnly"]),
    ("DeploymentSpec", &["minReadySeconds", "paused"]),
    ("ReplicaSetSpec", &["minReadySeconds"]),
    ("DaemonSetSpec", &["minReadySeconds"]),
    ("StatefulSetSpec", &["minReadySeconds"]),
    ("ServiceSpec", &["publishNotReadyAddresses"]),
    ("ServicePort", &["port", "nodePort"]),
    ("ServiceBackendPort", &["number"]),
    (
        "PodDisruptionBudgetStatus",
        &[
            "observedGeneration",
            "disruptionsAllowed",
            "currentHealthy",
            "desiredHealthy",
            "expectedPods",
        ],
    ),
    ("HorizontalPodAutoscalerSpec", &["maxReplicas"]),
    (
        "HorizontalPodAutoscalerStatus",
        &["currentReplicas", "desiredReplicas"],
    ),
    ("HPAScalingPolicy", &["value", "periodSeconds"]),
    ("PriorityClass", &["globalDefault"]),
];

/// Whether a decoded plain value says nothing: an empty string, or zero in
/// a field that is no pointer.
fn is_unset(message: &Message, field: &Field, value: &Value) -> bool {
    match (field.kind, value) {
        (_, Value::Null) => true,
        (Kind::Str, Value::String(s)) => s.is_empty(),
        (Kind::Int32 | Kind::Int64, v) if v.as_i64() == Some(0) => plain(message, field),
        (Kind::Bool, Value::Bool(false)) => plain(message, field),
        _ => false,
    }
}

fn plain(message: &Message, field: &Field) -> bool {
    let short = message.name.rsplit('.').next().unwrap_or(message.name);
    PLAIN
        .iter()
        .any(|(name, fields)| *name == short && fields.contains(&field.json))
}

fn decode_message(
    message: &'static Message,
    bytes: &[u8],
    path: &str,
    depth: usize,
) -> Result<Value, ApiError> {
    if depth > MAX_DEPTH {
        return Err(malformed("messages nested too deeply"));
    }
    let mut object = Map::new();
    let mut reader = Reader::new(bytes);
    while !reader.done() {
        let (number, wire) = reader.field()?;
        let Some(field) = message.fields.iter().find(|f| f.tag == number) else {
            // Go writes every plain field, set or not: an unknown field that
            // carries nothing says nothing.
            let says_nothing = match wire {
                Wire::Varint(v) => v == 0,
                Wire::Fixed64(_) | Wire::Fixed32 => true,
                Wire::Bytes(b) => b.is_empty() || is_zero_message(b, 0),
            };
            if says_nothing {
                continue;
            }
            // Named for what it is, it meets `fieldValidation` as an
            // unknown JSON field does: refused (Strict), warned about and
            // dropped (Warn), or dropped (Ignore). It is not decoded.
            object.insert(unknown_field(number), Value::Bool(true));
            continue;
        };
        let name = field.json;
        let here = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        match field.kind {
            Kind::Map(value_kind) => {
                let Wire::Bytes(entry) = wire else {
                    return Err(malformed("a map entry is not length-delimited"));
                };
                let mut entry_reader = Reader::new(entry);
                let (mut key, mut value) = (String::new(), None);
                while !entry_reader.done() {
                    match entry_reader.field()? {
                        (1, Wire::Bytes(k)) => key = text(k)?,
                        (2, w) => value = Some(decode_value(*value_kind, w, &here, depth)?),
                        _ => {}
                    }
                }
                let map = object.entry(name).or_insert_with(|| json!({}));
                if let Some(map) = map.as_object_mut() {
                    map.insert(key, value.unwrap_or_else(|| empty_of(*value_kind)));
                }
            }
            kind if field.repeated => {
                let value = decode_value(kind, wire, &here, depth)?;
                let list = object.entry(name).or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    list.push(value);
                }
            }
            kind if name.is_empty() => {
                // A Go struct embedded inline: its fields are the parent's.
                if let Value::Object(inner) = decode_value(kind, wire, path, depth)? {
                    object.extend(inner);
                }
            }
            kind => {
                let value = decode_value(kind, wire, &here, depth)?;
                if !is_unset(message, field, &value) {
                    object.insert(name.to_string(), value);
                }
            }
        }
    }
    Ok(Value::Object(object))
}

/// The JSON name a protobuf field this server does not know goes by.
pub fn unknown_field(number: u32) -> String {
    format!("(protobuf field {number})")
}

/// Whether `bytes` parse as a message whose every field is zero or empty
/// (a Go struct written with nothing set). Nesting deeper than any built-in
/// kind's messages do is not taken for empty.
fn is_zero_message(bytes: &[u8], depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let mut reader = Reader::new(bytes);
    while !reader.done() {
        match reader.field() {
            Ok((_, Wire::Varint(0))) => {}
            Ok((_, Wire::Bytes(b))) if b.is_empty() || is_zero_message(b, depth + 1) => {}
            _ => return false,
        }
    }
    true
}

/// A map value Go wrote as nothing: the type's zero.
fn empty_of(kind: Kind) -> Value {
    match kind {
        Kind::Int32 | Kind::Int64 => json!(0),
        Kind::Bool => json!(false),
        Kind::Msg(index) => match schema::MESSAGES.get(index).and_then(special) {
            Some(Special::Quantity) => json!("0"),
            Some(Special::StringList) => json!([]),
            _ => json!({}),
        },
        _ => json!(""),
    }
}

/// An envelope (`k8s\0` + `runtime.Unknown`) decoded to its object.
fn decode_envelope(body: &[u8], depth: usize) -> Result<Value, ApiError> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| malformed("missing the k8s protobuf magic prefix"))?;
    let mut reader = Reader::new(envelope);
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), None);
    while !reader.done() {
        match reader.field()? {
            (1, Wire::Bytes(type_meta)) => {
                let mut inner = Reader::new(type_meta);
                while !inner.done() {
                    match inner.field()? {
                        (1, Wire::Bytes(v)) => api_version = text(v)?,
                        (2, Wire::Bytes(k)) => kind = text(k)?,
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(bytes)) => raw = Some(bytes),
            (3, Wire::Bytes(encoding)) if !encoding.is_empty() => {
                return Err(unsupported(&format!(
                    "content encoding {}",
                    String::from_utf8_lossy(encoding)
                )));
            }
            _ => {}
        }
    }
    let message = message_for(&api_version, &kind)
        .ok_or_else(|| unsupported(if kind.is_empty() { "this type" } else { &kind }))?;
    let mut object = decode_message(message, raw.unwrap_or_default(), "", depth)?;
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    Ok(object)
}

/// Decodes a protobuf request body into the JSON object it encodes.
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    decode_envelope(body, 0)
}

// Responses: JSON objects written as protobuf for clients that ask for it.

/// The media type of protobuf bodies, and of a watch's framed events.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
pub const WATCH_MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf;stream=watch";

/// Whether a client's `Accept` prefers protobuf: the first media type the
/// server can write is Kubernetes' protobuf (Table and metadata-only
/// answers, asked for with `as=`, are JSON).
pub fn wants_protobuf(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT)
        .iter()
        .filter_map(|a| a.to_str().ok())
        .any(accept_prefers_protobuf)
}

/// Whether one `Accept` value prefers protobuf.
fn accept_prefers_protobuf(accept: &str) -> bool {
    for media in accept.split(',') {
        let mut parts = media.split(';').map(str::trim);
        let kind = parts.next().unwrap_or_default();
        if parts.any(|p| p.starts_with("as=")) {
            return false;
        }
        match kind {
            MEDIA_TYPE => return true,
            "application/json" | "application/yaml" | "*/*" | "application/*" => return false,
            _ => {}
        }
    }
    false
}

fn put_varint(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_key(tag: u32, wire: u8, out: &mut Vec<u8>) {
    put_varint(u64::from(tag) << 3 | u64::from(wire), out);
}

fn put_bytes(tag: u32, bytes: &[u8], out: &mut Vec<u8>) {
    put_key(tag, 2, out);
    put_varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

fn put_number(tag: u32, value: i64, out: &mut Vec<u8>) {
    put_key(tag, 0, out);
    // Negative numbers go sign-extended to 64 bits, as Go writes them.
    put_varint(value as u64, out);
}

/// A special message's bytes from its JSON form.
fn encode_special(kind: Special, value: &Value) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match kind {
        Special::Quantity => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            put_bytes(1, text.as_bytes(), &mut out);
        }
        Special::Time | Special::MicroTime => {
            let time = chrono::DateTime::parse_from_rfc3339(value.as_str()?).ok()?;
            put_number(1, time.timestamp(), &mut out);
            put_number(2, i64::from(time.timestamp_subsec_nanos()), &mut out);
        }
        Special::IntOrString => match value {
            Value::String(s) => {
                put_number(1, 1, &mut out);
                put_number(2, 0, &mut out);
                put_bytes(3, s.as_bytes(), &mut out);
            }
            Value::Number(n) => {
                put_number(1, 0, &mut out);
                put_number(2, n.as_i64()?, &mut out);
                put_bytes(3, b"", &mut out);
            }
            _ => return None,
        },
        Special::RawJson => put_bytes(1, value.to_string().as_bytes(), &mut out),
        Special::StringList => {
            for item in value.as_array()? {
                put_bytes(1, item.as_str()?.as_bytes(), &mut out);
            }
        }
        // Durations (metrics windows) and schema unions are not written.
        Special::Duration | Special::Unsupported => return None,
    }
    Some(out)
}

/// One value of a field, written with its key.
fn encode_value(kind: Kind, tag: u32, value: &Value, out: &mut Vec<u8>) {
    use base64::Engine;
    match kind {
        Kind::Str => match value {
            Value::String(s) => put_bytes(tag, s.as_bytes(), out),
            Value::Number(n) => put_bytes(tag, n.to_string().as_bytes(), out),
            _ => {}
        },
        Kind::Bytes => {
            if let Some(bytes) = value
                .as_str()
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
            {
                put_bytes(tag, &bytes, out);
            }
        }
        Kind::Int32 | Kind::Int64 => {
            if let Some(n) = value.as_i64() {
                put_number(tag, n, out);
            }
        }
        Kind::Bool => {
            if let Some(b) = value.as_bool() {
                put_number(tag, i64::from(b), out);
            }
        }
        Kind::Double => {
            if let Some(f) = value.as_f64() {
                put_key(tag, 1, out);
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
        }
        Kind::Msg(index) => {
            let Some(inner) = schema::MESSAGES.get(index) else {
                return;
            };
            let bytes = match special(inner) {
                Some(kind) => encode_special(kind, value),
                None => value.as_object().map(|o| encode_message(inner, o)),
            };
            if let Some(bytes) = bytes {
                put_bytes(tag, &bytes, out);
            }
        }
        Kind::Map(value_kind) => {
            let Some(map) = value.as_object() else {
                return;
            };
            // Go writes map entries in key order.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                let mut entry = Vec::new();
                put_bytes(1, key.as_bytes(), &mut entry);
                encode_value(*value_kind, 2, &map[key], &mut entry);
                put_bytes(tag, &entry, out);
            }
        }
    }
}

/// A message's bytes from a JSON object: its fields in field-number
/// order; what the message has no field for is left out.
fn encode_message(message: &Message, object: &Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::new();
    for field in message.fields {
        if field.json.is_empty() {
            // An inline struct: its fields are this object's.
            if let Kind::Msg(index) = field.kind
                && let Some(inner) = schema::MESSAGES.get(index)
            {
                let bytes = encode_message(inner, object);
                if !bytes.is_empty() {
                    put_bytes(field.tag, &bytes, &mut out);
                }
            }
            continue;
        }
        let Some(value) = object.get(field.json).filter(|v| !v.is_null()) else {
            continue;
        };
        match (field.repeated, value) {
            (true, Value::Array(items)) => {
                for item in items {
                    encode_value(field.kind, field.tag, item, &mut out);
                }
            }
            (true, _) => {}
            (false, value) => encode_value(field.kind, field.tag, value, &mut out),
        }
    }
    out
}

fn message_named(name: &str) -> Option<&'static Message> {
    schema::MESSAGES
        .binary_search_by(|m| m.name.cmp(name))
        .ok()
        .and_then(|i| schema::MESSAGES.get(i))
}

/// The message a JSON object of `api_version` and `kind` is written as:
/// a kind's, its list's, or a Status.
fn message_for(api_version: &str, kind: &str) -> Option<&'static Message> {
    if kind == "Status" {
        return message_named("apimachinery.pkg.apis.meta.v1.Status");
    }
    if let Some(message) = message_of(api_version, kind) {
        return Some(message);
    }
    let item = message_of(api_version, kind.strip_suffix("List")?)?;
    let package = item.name.rsplit_once('.')?.0;
    message_named(&format!("{package}.{kind}"))
}

/// A JSON object (with `apiVersion` and `kind`) in its protobuf envelope;
/// None if no message describes it.
pub fn encode(object: &Value) -> Option<Vec<u8>> {
    let api_version = object.get("apiVersion")?.as_str()?;
    let kind = object.get("kind")?.as_str()?;
    let message = message_for(api_version, kind)?;
    let raw = encode_message(message, object.as_object()?);
    let mut type_meta = Vec::new();
    put_bytes(1, api_version.as_bytes(), &mut type_meta);
    put_bytes(2, kind.as_bytes(), &mut type_meta);
    let mut out = MAGIC.to_vec();
    put_bytes(1, &type_meta, &mut out);
    put_bytes(2, &raw, &mut out);
    put_bytes(3, b"", &mut out);
    put_bytes(4, b"", &mut out);
    Some(out)
}

/// A watch event as upstream frames it for protobuf watchers: the length
/// (four bytes, big-endian) of a `WatchEvent` whose object is the
/// enveloped object.
pub fn watch_frame(event_type: &str, object: &Value) -> Option<Vec<u8>> {
    let mut event = Vec::new();
    put_bytes(1, event_type.as_bytes(), &mut event);
    let mut raw = Vec::new();
    put_bytes(1, &encode(object)?, &mut raw);
    put_bytes(2, &raw, &mut event);
    let length = u32::try_from(event.len()).ok()?;
    let mut frame = length.to_be_bytes().to_vec();
    frame.extend_from_slice(&event);
    Some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_pb::api::apps::v1 as apps;
    use k8s_pb::api::core::v1 as core;
    use k8s_pb::apimachinery::pkg::api::resource::Quantity;
    use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
    use k8s_pb::apimachinery::pkg::runtime::{TypeMeta, Unknown};
    use k8s_pb::apimachinery::pkg::util::intstr::IntOrString;
    use prost::Message as _;

    /// `object` as a Go client sends it: the envelope around its bytes.
    fn envelope(api_version: &str, kind: &str, object: &impl prost::Message) -> Vec<u8> {
        let unknown = Unknown {
            type_meta: Some(TypeMeta {
                api_version: Some(api_version.into()),
                kind: Some(kind.into()),
            }),
            raw: Some(object.encode_to_vec()),
            ..Default::default()
        };
        [MAGIC, &unknown.encode_to_vec()].concat()
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    /// A Deployment encoded by k8s-pb's types (prost, from upstream's
    /// protos) decodes to the JSON upstream writes for it: inline structs,
    /// quantities, int-or-strings, timestamps, maps, a pointer's zero.
    #[test]
    fn what_k8s_pb_encodes_decodes_to_upstreams_json() {
        let container = core::Container {
            name: some("web"),
            image: some("nginx"),
            ports: vec![core::ContainerPort {
                container_port: Some(80),
                host_port: Some(0),
                protocol: some("TCP"),
                name: some(""),
                ..Default::default()
            }],
            env: vec![core::EnvVar {
                name: some("MODE"),
                value_from: Some(core::EnvVarSource {
                    config_map_key_ref: Some(core::ConfigMapKeySelector {
                        local_object_reference: Some(core::LocalObjectReference {
                            name: some("settings"),
                        }),
                        key: some("mode"),
                        optional: Some(false),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            resources: Some(core::ResourceRequirements {
                limits: [(
                    "memory".to_string(),
                    Quantity {
                        string: some("64Mi"),
                    },
                )]
                .into(),
                ..Default::default()
            }),
            readiness_probe: Some(core::Probe {
                handler: Some(core::ProbeHandler {
                    http_get: Some(core::HttpGetAction {
                        path: some("/ready"),
                        port: Some(IntOrString {
                            r#type: Some(1),
                            int_val: Some(0),
                            str_val: some("http"),
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                period_seconds: Some(5),
                success_threshold: Some(0),
                ..Default::default()
            }),
            volume_mounts: vec![core::VolumeMount {
                name: some("data"),
                mount_path: some("/data"),
                read_only: Some(false),
                ..Default::default()
            }],
            ..Default::default()
        };
        let deployment = apps::Deployment {
            metadata: Some(meta::ObjectMeta {
                name: some("web"),
                namespace: some(""),
                labels: [("app".to_string(), "web".to_string())].into(),
                creation_timestamp: Some(meta::Time {
                    seconds: Some(1_700_000_000),
                    nanos: Some(0),
                }),
                ..Default::default()
            }),
            spec: Some(apps::DeploymentSpec {
                replicas: Some(0),
                selector: Some(meta::LabelSelector {
                    match_labels: [("app".to_string(), "web".to_string())].into(),
                    ..Default::default()
                }),
                template: Some(core::PodTemplateSpec {
                    metadata: Some(meta::ObjectMeta {
                        labels: [("app".to_string(), "web".to_string())].into(),
                        ..Default::default()
                    }),
                    spec: Some(core::PodSpec {
                        containers: vec![container],
                        volumes: vec![core::Volume {
                            name: some("data"),
                            volume_source: Some(core::VolumeSource {
                                empty_dir: Some(core::EmptyDirVolumeSource {
                                    size_limit: Some(Quantity {
                                        string: some("1Gi"),
                                    }),
                                    ..Default::default()
                                }),
                                ..Default::default()
                            }),
                        }],
                        host_network: Some(false),
                        automount_service_account_token: Some(false),
                        ..Default::default()
                    }),
                }),
                strategy: Some(apps::DeploymentStrategy {
                    r#type: some("RollingUpdate"),
                    rolling_update: Some(apps::RollingUpdateDeployment {
                        max_unavailable: Some(IntOrString {
                            r#type: Some(0),
                            int_val: Some(0),
                            str_val: some(""),
                        }),
                        max_surge: Some(IntOrString {
                            r#type: Some(1),
                            int_val: Some(0),
                            str_val: some("25%"),
                        }),
                    }),
                }),
                min_ready_seconds: Some(0),
                paused: Some(false),
                ..Default::default()
            }),
            status: None,
        };
        let decoded = decode(&envelope("apps/v1", "Deployment", &deployment)).unwrap();
        assert_eq!(
            decoded,
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "web",
                    "labels": {"app": "web"},
                    "creationTimestamp": "2023-11-14T22:13:20Z",
                },
                "spec": {
                    "replicas": 0,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {
                            "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}}],
                            "containers": [{
                                "name": "web",
                                "image": "nginx",
                                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef":
                                    {"name": "settings", "key": "mode", "optional": false}}}],
                                "resources": {"limits": {"memory": "64Mi"}},
                                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                                "readinessProbe": {
                                    "httpGet": {"path": "/ready", "port": "http"},
                                    "periodSeconds": 5,
                                },
                            }],
                            "automountServiceAccountToken": false,
                        },
                    },
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"},
                    },
                },
            })
        );
    }

    /// Every kind the schema names has a message, and every message's
    /// fields point at messages that exist.
    #[test]
    fn the_schema_is_whole() {
        for (api_version, kind, index) in schema::KINDS {
            assert!(
                schema::MESSAGES.get(*index).is_some(),
                "{api_version} {kind}"
            );
        }
        for message in schema::MESSAGES {
            for field in message.fields {
                let index = match field.kind {
                    Kind::Msg(index) => Some(index),
                    Kind::Map(Kind::Msg(index)) => Some(*index),
                    _ => None,
                };
                if let Some(index) = index {
                    assert!(schema::MESSAGES.get(index).is_some(), "{}", message.name);
                }
            }
        }
        for (api_version, kind) in [
            ("v1", "Pod"),
            ("apps/v1", "StatefulSet"),
            ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
            ("apiregistration.k8s.io/v1", "APIService"),
            ("storage.k8s.io/v1", "CSIDriver"),
        ] {
            assert!(message_of(api_version, kind).is_some(), "{kind}");
        }
    }

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn bytes_field(number: u32, data: &[u8], out: &mut Vec<u8>) {
        varint(u64::from(number) << 3 | 2, out);
        varint(data.len() as u64, out);
        out.extend_from_slice(data);
    }

    /// A v1 ConfigMap request body whose message is `configmap`.
    fn configmap_body(configmap: &[u8]) -> Vec<u8> {
        let mut type_meta = Vec::new();
        bytes_field(1, b"v1", &mut type_meta);
        bytes_field(2, b"ConfigMap", &mut type_meta);
        let mut body = MAGIC.to_vec();
        bytes_field(1, &type_meta, &mut body);
        bytes_field(2, configmap, &mut body);
        body
    }

    #[test]
    fn a_configmap_decodes() {
        let mut meta = Vec::new();
        bytes_field(1, b"cfg", &mut meta);
        let mut entry = Vec::new();
        bytes_field(1, b"k", &mut entry);
        bytes_field(2, b"v", &mut entry);
        let mut cm = Vec::new();
        bytes_field(1, &meta, &mut cm);
        bytes_field(2, &entry, &mut cm);
        let object = decode(&configmap_body(&cm)).unwrap();
        assert_eq!(
            object,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": "v"}})
        );

        // An unknown field is handed on by name, for field validation.
        let mut odd = Vec::new();
        bytes_field(1, &meta, &mut odd);
        bytes_field(42, b"?", &mut odd);
        assert_eq!(
            decode(&configmap_body(&odd)).unwrap()["(protobuf field 42)"],
            true
        );
        assert_eq!(decode(b"garbage").unwrap_err().code, 400);
    }

    #[test]
    fn deeply_nested_unknown_fields_are_passed_over_without_recursing_through_them() {
        // 100,000 messages each holding the next as field 1, written
        // outside in: each header is the tag and the length of the rest.
        let mut lengths = vec![0u64];
        for _ in 0..100_000 {
            let inner = *lengths.last().unwrap();
            let mut header = Vec::new();
            varint(inner, &mut header);
            lengths.push(inner + 1 + header.len() as u64);
        }
        let mut nested = Vec::new();
        for inner in lengths.iter().rev().skip(1) {
            varint(1 << 3 | 2, &mut nested);
            varint(*inner, &mut nested);
        }
        let mut meta = Vec::new();
        bytes_field(1, b"cfg", &mut meta);
        let mut cm = Vec::new();
        bytes_field(1, &meta, &mut cm);
        bytes_field(42, &nested, &mut cm);
        let object = decode(&configmap_body(&cm)).unwrap();
        assert_eq!(object["(protobuf field 42)"], true);
    }
}
