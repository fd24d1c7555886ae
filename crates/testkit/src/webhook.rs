//! HTTPS webhook servers for tests (admission, conversion): a free
//! loopback port, a certificate from a CA of their own for the names
//! given, and a handler that answers each posted JSON body.

use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the handler answers one request with.
pub enum Reply {
    /// A 200 with this JSON.
    Json(serde_json::Value),
    /// A 200 with this body, as it is.
    Raw(String),
    /// No answer for this long, then the connection is closed.
    Hang(std::time::Duration),
}

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub host: String,
    pub body: serde_json::Value,
}

pub struct WebhookServer {
    /// The CA's certificate, base64 PEM, as a `caBundle` is written.
    pub ca_bundle: String,
    pub port: u16,
    /// Every request so far.
    pub received: Arc<Mutex<Vec<Received>>>,
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

/// Starts a server with a certificate for `names` (DNS names or IPs).
pub async fn serve(
    names: &[&str],
    handler: impl Fn(&Received) -> Reply + Send + Sync + 'static,
) -> WebhookServer {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().expect("key");
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let cert = rcgen::CertificateParams::new(names)
        .expect("params")
        .signed_by(&key, &issuer)
        .expect("certificate");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let log = received.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, handler, log) = (acceptor.clone(), handler.clone(), log.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Some(request) = read_request(&mut tls).await else {
                    return;
                };
                if let Ok(mut log) = log.lock() {
                    log.push(request.clone());
                }
                let body = match handler(&request) {
                    Reply::Json(value) => value.to_string(),
                    Reply::Raw(text) => text,
                    Reply::Hang(how_long) => {
                        tokio::time::sleep(how_long).await;
                        return;
                    }
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    WebhookServer {
        ca_bundle: base64::engine::general_purpose::STANDARD.encode(ca.pem()),
        port,
        received,
    }
}

/// One HTTP/1.1 request: its path, Host and JSON body.
async fn read_request<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Option<Received> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 16384];
    loop {
        let n = stream.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&data).to_string();
        let Some(end) = text.find("\r\n\r\n") else {
            continue;
        };
        let head = &text[..end];
        let header = |wanted: &str| {
            head.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case(wanted)
                    .then(|| value.trim().to_string())
            })
        };
        let length: usize = header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        if data.len() < end + 4 + length {
            continue;
        }
        let path = head
            .lines()
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .unwrap_or_default()
            .to_string();
        let body = serde_json::from_slice(&data[end + 4..end + 4 + length]).ok()?;
        return Some(Received {
            path,
            host: header("host").unwrap_or_default(),
            body,
        });
    }
}

/// An AdmissionReview answer to `request`: allowed or not, with a status
/// message, a JSONPatch and warnings when given.
pub fn admission_response(
    request: &serde_json::Value,
    allowed: bool,
    message: Option<&str>,
    patch: Option<serde_json::Value>,
    warnings: &[&str],
) -> serde_json::Value {
    let mut response = serde_json::json!({
        "uid": request["request"]["uid"],
        "allowed": allowed,
    });
    if let Some(message) = message {
        response["status"] = serde_json::json!({"message": message, "code": 403});
    }
    if let Some(patch) = patch {
        response["patchType"] = serde_json::json!("JSONPatch");
        response["patch"] =
            serde_json::json!(base64::engine::general_purpose::STANDARD.encode(patch.to_string()));
    }
    if !warnings.is_empty() {
        response["warnings"] = serde_json::json!(warnings);
    }
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": response,
    })
}
