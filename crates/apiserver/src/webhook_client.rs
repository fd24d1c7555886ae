//! The API server's HTTPS client for webhooks (conversion and admission):
//! a JSON body posted to a `clientConfig` — its `url`, or a ready endpoint
//! of its `service` verified as `<name>.<namespace>.svc` — trusting only
//! its `caBundle`, with upstream's `?timeout=` on the path, the whole call
//! bounded by the timeout and the answer by size.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use store::SharedStore;

/// The largest answer read from a webhook.
const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// A webhook's `clientConfig`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientConfig {
    pub url: Option<String>,
    /// Namespace, name, path and port (443 unless given).
    pub service: Option<(String, String, String, u16)>,
    /// PEM certificates the webhook's serving certificate must chain to.
    pub ca_bundle: Vec<u8>,
}

impl ClientConfig {
    /// A `clientConfig` object as the API has it.
    pub fn of(config: &Value) -> ClientConfig {
        use base64::Engine;
        let text = |v: &Value, key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        ClientConfig {
            url: config
                .get("url")
                .and_then(Value::as_str)
                .map(str::to_string),
            service: config.get("service").map(|service| {
                (
                    text(service, "namespace"),
                    text(service, "name"),
                    text(service, "path"),
                    service
                        .get("port")
                        .and_then(Value::as_u64)
                        .and_then(|p| u16::try_from(p).ok())
                        .unwrap_or(443),
                )
            }),
            ca_bundle: config
                .get("caBundle")
                .and_then(Value::as_str)
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .unwrap_or_default(),
        }
    }
}

/// Posts `body` to the webhook and reads its JSON answer, all within
/// `timeout`; what went wrong in upstream's words otherwise.
pub async fn post(
    store: &SharedStore,
    config: &ClientConfig,
    body: &Value,
    timeout: Duration,
) -> Result<Value, String> {
    let target = Target::of(store, config, timeout).await?;
    tokio::time::timeout(timeout, target.post(body, &config.ca_bundle))
        .await
        .map_err(|_| format!("Post {:?}: context deadline exceeded", target.shown_url()))?
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
    async fn of(
        store: &SharedStore,
        webhook: &ClientConfig,
        timeout: Duration,
    ) -> Result<Target, String> {
        let with_timeout = |path: &str| {
            let separator = if path.contains('?') { '&' } else { '?' };
            format!("{path}{separator}timeout={}s", timeout.as_secs())
        };
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
                path: with_timeout(uri.path_and_query().map_or("/", |p| p.as_str())),
            });
        }
        let Some((namespace, name, path, port)) = &webhook.service else {
            return Err("the webhook names neither a url nor a service".into());
        };
        let (address, target_port) = endpoint(store, namespace, name, *port).await?;
        Ok(Target {
            address,
            host: format!("{name}.{namespace}.svc"),
            port: target_port,
            path: with_timeout(if path.is_empty() { "/" } else { path }),
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
    store: &SharedStore,
    namespace: &str,
    name: &str,
    port: u16,
) -> Result<(String, u16), String> {
    let read = |key: String| async move {
        store
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
