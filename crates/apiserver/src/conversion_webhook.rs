//! Conversion of custom objects between their versions through the
//! definition's webhook (`spec.conversion.strategy: Webhook`), as
//! apiextensions-apiserver converts them: objects are posted in a
//! `ConversionReview` over HTTPS — to the `url`, or to a ready endpoint of
//! the `service`, verified as `<name>.<namespace>.svc` — with the
//! `caBundle` as the only trusted roots, and what comes back is checked
//! (same uid, as many objects, the version asked for, the same identity)
//! before anything is stored or answered. A webhook that fails, times out
//! or answers nonsense fails the request with a 500 naming it.

use std::time::Duration;

use api::ResourceInfo;
use api::custom::ConversionWebhook;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::handlers::ApiState;

/// How long a webhook has to answer, as upstream allows it.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Whether objects of `served` pass through a webhook to be read and
/// written (its version is not the stored one, and the definition says
/// so).
pub fn needed(served: &ResourceInfo) -> bool {
    served.stored_as.is_some()
        && served
            .custom
            .as_ref()
            .is_some_and(|custom| custom.conversion_webhook.is_some())
}

/// `objects` converted to `desired` (`<group>/<version>`) by the
/// definition's webhook. Objects already at that version are not sent.
pub async fn convert(
    state: &ApiState,
    served: &ResourceInfo,
    objects: Vec<Value>,
    desired: &str,
) -> Result<Vec<Value>, ApiError> {
    let Some(webhook) = served
        .custom
        .as_ref()
        .and_then(|custom| custom.conversion_webhook.as_ref())
    else {
        return Ok(objects);
    };
    let pending: Vec<usize> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.get("apiVersion").and_then(Value::as_str) != Some(desired))
        .map(|(i, _)| i)
        .collect();
    let Some(&first) = pending.first() else {
        return Ok(objects);
    };
    let from = objects[first]
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let failed = |detail: String| {
        ApiError::internal(format!(
            "conversion webhook for {from}, Kind={} failed: {detail}",
            served.kind
        ))
    };
    let sent: Vec<Value> = pending.iter().map(|&i| objects[i].clone()).collect();
    let converted = review(state, webhook, &sent, desired)
        .await
        .map_err(failed)?;
    let mut objects = objects;
    for (index, (&i, mut object)) in pending.iter().zip(converted).enumerate() {
        let original = &objects[i];
        if object.get("apiVersion").and_then(Value::as_str) != Some(desired) {
            return Err(failed(format!(
                "invalid converted object at index {index}: invalid apiVersion {:?}, expected {desired:?}",
                object
                    .get("apiVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            )));
        }
        if object.get("kind") != original.get("kind") {
            return Err(failed(format!(
                "invalid converted object at index {index}: invalid kind {}",
                object.get("kind").unwrap_or(&Value::Null)
            )));
        }
        // The webhook may change labels and annotations; the rest of the
        // metadata is the server's and stays as it was.
        let mut metadata = original.get("metadata").cloned().unwrap_or(json!({}));
        for field in ["labels", "annotations"] {
            match object.pointer(&format!("/metadata/{field}")) {
                Some(value) if value.is_object() => metadata[field] = value.clone(),
                _ => {
                    if let Some(map) = metadata.as_object_mut() {
                        map.remove(field);
                    }
                }
            }
        }
        object["metadata"] = metadata;
        objects[i] = object;
    }
    Ok(objects)
}

/// Posts one ConversionReview; the converted objects, or what went wrong.
async fn review(
    state: &ApiState,
    webhook: &ConversionWebhook,
    objects: &[Value],
    desired: &str,
) -> Result<Vec<Value>, String> {
    let review_version = if webhook.review_versions.iter().any(|v| v == "v1") {
        "v1"
    } else {
        "v1beta1"
    };
    let uid = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "apiVersion": format!("apiextensions.k8s.io/{review_version}"),
        "kind": "ConversionReview",
        "request": {"uid": uid, "desiredAPIVersion": desired, "objects": objects},
    });
    let client = crate::webhook_client::ClientConfig::of(&webhook.client_config);
    let answer = crate::webhook_client::post(&state.store, &client, &body, TIMEOUT).await?;
    let response = answer
        .get("response")
        .ok_or("the webhook's answer has no response")?;
    if response.get("uid").and_then(Value::as_str) != Some(uid.as_str()) {
        return Err(format!(
            "expected response uid {uid:?}, got {:?}",
            response
                .get("uid")
                .and_then(Value::as_str)
                .unwrap_or_default()
        ));
    }
    if response.pointer("/result/status").and_then(Value::as_str) != Some("Success") {
        let message = response
            .pointer("/result/message")
            .and_then(Value::as_str)
            .unwrap_or("the webhook did not report success");
        return Err(message.to_string());
    }
    let converted = response
        .get("convertedObjects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if converted.len() != objects.len() {
        return Err(format!(
            "returned {} objects, expected {}",
            converted.len(),
            objects.len()
        ));
    }
    Ok(converted)
}
