//! A request body as the JSON object it stands for: JSON itself, YAML, or
//! Kubernetes protobuf. Each decoder is bounded: JSON and YAML by their
//! parsers' nesting limits, YAML also by what its aliases expand to, and
//! protobuf by its message tables.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, header};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::handlers::MAX_BODY_BYTES;

/// The bytes of request bodies the server holds at once: about 85 bodies of
/// the largest size. Past it, a body waits for room until its deadline.
pub(crate) const BODY_BUDGET_BYTES: usize = 256 * 1024 * 1024;

/// How long a client has to send a request's body.
const BODY_DEADLINE: Duration = Duration::from_secs(60);

/// Reads a request body of at most `MAX_BODY_BYTES` within
/// `BODY_DEADLINE`, each byte counted against `budget`; the permit
/// returned holds them until it is dropped (when the request is answered).
pub(crate) async fn read(
    body: Body,
    budget: &Arc<Semaphore>,
) -> Result<(Bytes, Option<OwnedSemaphorePermit>), ApiError> {
    // A declared length past the limit is refused before anything is read.
    if axum::body::HttpBody::size_hint(&body).lower() > MAX_BODY_BYTES as u64 {
        return Err(ApiError::too_large(MAX_BODY_BYTES));
    }
    let deadline = tokio::time::Instant::now() + BODY_DEADLINE;
    let timed_out =
        || ApiError::timeout("Timeout: request did not complete within the allowed duration");
    let mut stream = body.into_data_stream();
    let mut buffer = BytesMut::new();
    let mut held: Option<OwnedSemaphorePermit> = None;
    while let Some(chunk) = tokio::time::timeout_at(deadline, stream.next())
        .await
        .map_err(|_| timed_out())?
    {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        if buffer.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::too_large(MAX_BODY_BYTES));
        }
        let Ok(size) = u32::try_from(chunk.len()) else {
            return Err(ApiError::too_large(MAX_BODY_BYTES));
        };
        let room = tokio::time::timeout_at(deadline, budget.clone().acquire_many_owned(size))
            .await
            .map_err(|_| ApiError::too_many_requests())?
            .map_err(|_| ApiError::unavailable("the server is shutting down"))?;
        match held.as_mut() {
            Some(permit) => permit.merge(room),
            None => held = Some(room),
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok((buffer.freeze(), held))
}

/// Work on a request larger than this (decoding its body, applying its
/// patch) is done on the blocking pool, so a few large requests cannot
/// hold the async workers every other request needs.
pub(crate) const OFFLOAD_BYTES: usize = 64 << 10;

/// Requests worked on at once on the blocking pool; more wait their turn.
static OFFLOADED: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Runs `work` for a request of `size` bytes: where it is, when it is
/// small; on the blocking pool (a few at a time) when it is large.
pub(crate) async fn off_reactor<T: Send + 'static>(
    size: usize,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    if size <= OFFLOAD_BYTES {
        return work();
    }
    let _turn = OFFLOADED
        .acquire()
        .await
        .map_err(|_| ApiError::unavailable("the server is shutting down"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("processing the request failed: {e}")))?
}

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
    let json_type = crate::error::json_type_name(&value);
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
    #[tokio::test]
    async fn large_requests_are_worked_on_off_the_async_workers() {
        let here = std::thread::current().id();
        let small = off_reactor(OFFLOAD_BYTES, move || Ok(std::thread::current().id()))
            .await
            .unwrap();
        assert_eq!(small, here);
        let large = off_reactor(OFFLOAD_BYTES + 1, move || Ok(std::thread::current().id()))
            .await
            .unwrap();
        assert_ne!(large, here);
        // A panic there is an error for the request, not for the server.
        let panicked = off_reactor(OFFLOAD_BYTES + 1, || -> Result<(), ApiError> {
            panic!("a bug")
        })
        .await;
        assert_eq!(panicked.map_err(|e| e.code), Err(500));
    }

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_body_that_never_ends_times_out() {
        let (mut sender, chunks) =
            futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
        sender.try_send(Ok(Bytes::from_static(b"{"))).unwrap();
        let budget = Arc::new(Semaphore::new(BODY_BUDGET_BYTES));
        let err = read(Body::from_stream(chunks), &budget).await.unwrap_err();
        assert_eq!(err.code, 504, "{}", err.message);
        // What it had sent is given back.
        assert_eq!(budget.available_permits(), BODY_BUDGET_BYTES);
        drop(sender);
    }

    #[tokio::test(start_paused = true)]
    async fn bodies_wait_for_room_in_the_budget() {
        let budget = Arc::new(Semaphore::new(10));
        let (body, held) = read(Body::from("12345678"), &budget).await.unwrap();
        assert_eq!(&body[..], b"12345678");
        assert_eq!(budget.available_permits(), 2);
        // No room until the deadline: told to come back.
        let err = read(Body::from("abcdef"), &budget).await.unwrap_err();
        assert_eq!(err.code, 429);
        drop(held);
        assert_eq!(budget.available_permits(), 10);
        assert!(read(Body::from("abcdef"), &budget).await.is_ok());
    }

    #[tokio::test]
    async fn a_declared_length_past_the_limit_is_refused_unread() {
        let budget = Arc::new(Semaphore::new(10));
        let body = Body::from(vec![b'x'; MAX_BODY_BYTES + 1]);
        assert_eq!(read(body, &budget).await.unwrap_err().code, 413);
        assert_eq!(budget.available_permits(), 10);
    }

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
