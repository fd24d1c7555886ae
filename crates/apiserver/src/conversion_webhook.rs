//! Conversion of custom objects between their versions through the
//! definition's webhook (`spec.conversion.strategy: Webhook`), as
//! apiextensions-apiserver converts them: objects are posted in a
//! `ConversionReview` over HTTPS — to the `url`, or to a ready endpoint of
//! the `service`, verified as `<name>.<namespace>.svc` — with the
//! `caBundle` as the only trusted roots, and what comes back is checked
//! (same uid, as many objects, the version asked for, the same identity)
//! before anything is stored or answered. A webhook that fails, times out
//! or answers nonsense fails the request with a 500 naming it.

use std::sync::Arc;
use std::time::Duration;

use api::ResourceInfo;
use api::custom::ConversionWebhook;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::handlers::ApiState;

/// How long a webhook has to answer, as upstream allows it.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer read from a webhook.
const MAX_RESPONSE_BYTES: usize = 64 << 20;

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
    let target = Target::of(state, webhook).await?;
    let answer = tokio::time::timeout(TIMEOUT, target.post(&body, &webhook.ca_bundle))
        .await
        .map_err(|_| format!("Post {:?}: context deadline exceeded", target.shown_url()))??;
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

/// Where a webhook is reached.
struct Target {
    /// Connect here.
    address: String,
    /// Verify the certificate for this name, and send it as the host.
    host: String,
    port: u16,
    path: String,
}

impl Target {
    async fn of(state: &ApiState, webhook: &ConversionWebhook) -> Result<Target, String> {
        if let Some(url) = &webhook.url {
            let uri: hyper::Uri = url
                .parse()
                .map_err(|e| format!("invalid url {url:?}: {e}"))?;
            if uri.scheme_str() != Some("https") {
                return Err(format!("{url:?}: 'https' is the only allowed URL scheme"));
            }
            let host = uri
                .host()
                .unwrap_or_default()
                .trim_matches(['[', ']'])
                .to_string();
            return Ok(Target {
                address: host.clone(),
                port: uri.port_u16().unwrap_or(443),
                host,
                path: uri
                    .path_and_query()
                    .map_or("/".to_string(), |p| p.as_str().to_string()),
            });
        }
        let Some((namespace, name, path, port)) = &webhook.service else {
            return Err("the webhook names neither a url nor a service".into());
        };
        let (address, target_port) = endpoint(state, namespace, name, *port).await?;
        Ok(Target {
            address,
            host: format!("{name}.{namespace}.svc"),
            port: target_port,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.clone()
            },
        })
    }

    fn shown_url(&self) -> String {
        format!("https://{}:{}{}", self.host, self.port, self.path)
    }

    async fn post(&self, body: &Value, ca_bundle: &[u8]) -> Result<Value, String> {
        let url = self.shown_url();
        let mut roots = rustls::RootCertStore::empty();
        let mut reader = ca_bundle;
        for cert in rustls_pemfile_certs(&mut reader) {
            let _ = roots.add(cert);
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let authority = if self.address.contains(':') {
            format!("[{}]:{}", self.address, self.port)
        } else {
            format!("{}:{}", self.address, self.port)
        };
        let tcp = tokio::net::TcpStream::connect(&authority)
            .await
            .map_err(|e| format!("Post {url:?}: dial tcp {authority}: connect: {e}"))?;
        let server_name = rustls::pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| format!("Post {url:?}: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(server_name, tcp)
            .await
            .map_err(|e| {
                format!(
                    "Post {url:?}: tls: {}",
                    serving::certificate_error_text(&e).unwrap_or_else(|| e.to_string())
                )
            })?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| format!("Post {url:?}: {e}"))?;
        tokio::spawn(connection);
        let request = Request::post(&self.path)
            .header(hyper::header::HOST, &self.host)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::ACCEPT, "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .map_err(|e| e.to_string())?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| format!("Post {url:?}: {e}"))?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| format!("Post {url:?}: reading the answer: {e}"))?
            .to_bytes();
        if !status.is_success() {
            return Err(format!(
                "the server responded with status {}: {}",
                status.as_u16(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).trim()
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("unmarshal the webhook's answer: {e}"))
    }
}

/// The certificates of a PEM bundle.
fn rustls_pemfile_certs(reader: &mut &[u8]) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(reader)
        .filter_map(Result::ok)
        .collect()
}

/// A ready endpoint of the service `namespace/name` for its port `port`:
/// its address and the port it listens at.
async fn endpoint(
    state: &ApiState,
    namespace: &str,
    name: &str,
    port: u16,
) -> Result<(String, u16), String> {
    let read = |key: String| async move {
        state
            .store
            .get(&key)
            .await
            .ok()
            .flatten()
            .and_then(|kv| serde_json::from_slice::<Value>(&kv.value).ok())
    };
    let missing = || format!("service \"{name}\" not found");
    let service = read(format!("/registry/services/specs/{namespace}/{name}"))
        .await
        .ok_or_else(missing)?;
    let port_name = service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .and_then(|ports| {
            ports
                .iter()
                .find(|p| p.get("port").and_then(Value::as_u64) == Some(u64::from(port)))
        })
        .map(|p| {
            p.get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        })
        .ok_or_else(|| format!("service \"{name}\" has no port {port}"))?;
    let endpoints = read(format!("/registry/services/endpoints/{namespace}/{name}"))
        .await
        .ok_or_else(|| format!("no endpoints available for service \"{name}\""))?;
    for subset in endpoints
        .get("subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(target) = subset
            .get("ports")
            .and_then(Value::as_array)
            .and_then(|ports| {
                ports.iter().find(|p| {
                    p.get("name").and_then(Value::as_str).unwrap_or_default() == port_name
                })
            })
            .and_then(|p| p.get("port").and_then(Value::as_u64))
            .and_then(|p| u16::try_from(p).ok())
        else {
            continue;
        };
        if let Some(ip) = subset.pointer("/addresses/0/ip").and_then(Value::as_str) {
            return Ok((ip.to_string(), target));
        }
    }
    Err(format!("no endpoints available for service \"{name}\""))
}
