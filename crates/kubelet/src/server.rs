//! The kubelet's server (port 10250): HTTPS with a certificate from the
//! cluster CA (or a self-signed one when it has none; the API server does
//! not check it, as upstream by default), clients authenticated by
//! certificates of the cluster CA. `/healthz` is open; `/metrics`,
//! `/containerLogs/<ns>/<pod>/<container>` (what the API server's pods/log
//! proxies to) and the streaming endpoints (`/exec`, `/attach`,
//! `/portForward`, see `streaming`) need an authenticated client.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use http_body_util::{BodyExt, StreamBody, combinators::BoxBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use crate::logs::{LiveLogs, LogOptions};

pub type Body = BoxBody<Bytes, Infallible>;

/// Where the kubelet serves and whom it trusts.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub address: SocketAddr,
    /// The CA whose client certificates are accepted (the cluster's).
    pub client_ca_pem: String,
    pub serving: ServingIdentity,
}

/// The certificate the kubelet's port presents.
#[derive(Clone, Debug)]
pub enum ServingIdentity {
    /// One it was given: from the cluster CA, or `--tls-cert-file`.
    Fixed(serving::ServingCert),
    /// One from the cluster's kubelet-serving signer, renewed as it ages
    /// (none until an operator approves the first request).
    Issued(Arc<crate::certificate::Rotating>),
}

/// What the server reads.
pub struct Shared {
    pub logs_dir: PathBuf,
    pub live_logs: Arc<LiveLogs>,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// exec, attach and port-forward reach the pods through these.
    pub streams: Arc<crate::streaming::Streams>,
    pub node_name: String,
    pub stats: crate::stats::Stats,
    /// Asks the API server whether a caller may do what it asks.
    pub authorizer: crate::authorizer::KubeletAuthorizer,
    /// Asks the API server who a bearer token is.
    pub authenticator: crate::authenticator::TokenAuthenticator,
}

pub fn text(code: StatusCode, body: impl Into<String>) -> Response<Body> {
    let mut response = Response::new(
        http_body_util::Full::new(Bytes::from(body.into()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = code;
    response
}

/// Percent-decodes a path segment.
pub fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = segment
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn answer(
    shared: Arc<Shared>,
    peer: Option<(String, Vec<String>)>,
    request: Request<Incoming>,
) -> Response<Body> {
    let path = request.uri().path().to_string();
    if path == "/healthz" {
        return text(StatusCode::OK, "ok");
    }
    // A client certificate of the cluster CA names the caller; without
    // one, a bearer token may.
    let caller = match peer {
        Some(peer) => Some(peer),
        None => match request
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(serving::bearer_token)
        {
            Some(token) => shared.authenticator.authenticate(token).await,
            None => None,
        },
    };
    let Some((user, groups)) = caller else {
        return text(StatusCode::UNAUTHORIZED, "Unauthorized");
    };
    let ask = crate::authorizer::ask(user, groups, request.method(), &path);
    if let Err((code, refusal)) = shared.authorizer.authorize(&ask).await {
        return text(code, refusal);
    }
    if path == "/metrics" {
        let accept = request
            .headers()
            .get(hyper::header::ACCEPT)
            .and_then(|a| a.to_str().ok());
        let (body, content_type) = serving::metrics::exposition(shared.metrics.render(), accept);
        let mut response = text(StatusCode::OK, body);
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static(content_type),
        );
        return response;
    }
    if path == "/stats/summary" || path == "/stats/summary/" {
        let summary = shared
            .stats
            .summary(
                &shared.node_name,
                &shared.streams.pods,
                shared.streams.runtime.as_ref(),
            )
            .await;
        let mut response = text(StatusCode::OK, summary.to_string());
        if let Ok(value) = "application/json".parse() {
            response
                .headers_mut()
                .insert(hyper::header::CONTENT_TYPE, value);
        }
        return response;
    }
    if path == "/metrics/resource" {
        let body = shared
            .stats
            .resource_metrics(&shared.streams.pods, shared.streams.runtime.as_ref())
            .await;
        return text(StatusCode::OK, body);
    }
    if path == "/pods" || path == "/pods/" {
        let pods = shared.streams.pods.pods();
        let list = serde_json::json!({
            "kind": "PodList",
            "apiVersion": "v1",
            "metadata": {},
            "items": pods.iter().map(|p| p.as_ref()).collect::<Vec<_>>(),
        });
        let mut response = text(StatusCode::OK, list.to_string());
        if let Ok(value) = "application/json".parse() {
            response
                .headers_mut()
                .insert(hyper::header::CONTENT_TYPE, value);
        }
        return response;
    }
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(decode)
        .collect();
    if let [run, namespace, pod, container] = segments.as_slice()
        && run == "run"
    {
        if request.method() != hyper::Method::POST {
            return text(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed");
        }
        return run_command(&shared, namespace, pod, container, request.uri().query()).await;
    }
    if matches!(segments[0].as_str(), "exec" | "attach" | "portForward") {
        return crate::streaming::serve(&shared.streams, &segments, request)
            .await
            .unwrap_or_else(|| text(StatusCode::NOT_FOUND, "404 page not found"));
    }
    let Some(rest) = path.strip_prefix("/containerLogs/") else {
        return text(StatusCode::NOT_FOUND, "404 page not found");
    };
    let parts: Vec<String> = rest.split('/').map(decode).collect();
    let [namespace, pod, container] = parts.as_slice() else {
        return text(StatusCode::NOT_FOUND, "404 page not found");
    };
    // Names, not paths: decoded segments never reach outside the logs.
    if let Some(bad) = [namespace, pod, container]
        .into_iter()
        .find(|name| !is_plain_name(name))
    {
        return text(StatusCode::BAD_REQUEST, format!("invalid name {bad:?}"));
    }
    let options = match LogOptions::parse(request.uri().query().unwrap_or_default()) {
        Ok(options) => options,
        Err(err) => return text(StatusCode::BAD_REQUEST, err),
    };
    let Some(dir) = crate::logs::container_dir(&shared.logs_dir, namespace, pod, container) else {
        return text(
            StatusCode::NOT_FOUND,
            format!("container {container:?} in pod {pod:?} has no logs on this node"),
        );
    };
    let current = match crate::logs::pick(&dir, options.previous) {
        Ok(current) => current,
        Err(err) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("{err} for container {container:?} in pod {pod:?}"),
            );
        }
    };
    let (tx, rx) = mpsc::channel::<Vec<u8>>(64);
    let live_logs = shared.live_logs.clone();
    let watched = current.clone();
    tokio::spawn(crate::logs::stream(
        current,
        options,
        move || live_logs.is_live(&watched),
        tx,
    ));
    let body = StreamBody::new(
        ReceiverStream::new(rx).map(|chunk| Ok::<_, Infallible>(Frame::data(Bytes::from(chunk)))),
    );
    let mut response = Response::new(BodyExt::boxed(body));
    if let Ok(value) = "text/plain".parse() {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// `/run/<ns>/<pod>/<container>?cmd=...`: runs a command in the
/// container and answers with its output, as upstream's kubelet does.
async fn run_command(
    shared: &Shared,
    namespace: &str,
    pod: &str,
    container: &str,
    query: Option<&str>,
) -> Response<Body> {
    let Some(command) = crate::streaming::query_values(query.unwrap_or_default(), "cmd")
        .into_iter()
        .next()
        .filter(|c| !c.trim().is_empty())
    else {
        return text(StatusCode::BAD_REQUEST, "missing the command to run (cmd)");
    };
    let argv: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    let Some((_, running)) = shared.streams.pods.find(namespace, pod) else {
        return text(
            StatusCode::NOT_FOUND,
            format!("pod {namespace}/{pod} is not running on this node"),
        );
    };
    let Some((_, id)) = running.into_iter().find(|(name, _)| name == container) else {
        return text(
            StatusCode::NOT_FOUND,
            format!("container not found ({container:?})"),
        );
    };
    match shared
        .streams
        .runtime
        .exec_sync(&id, &argv, std::time::Duration::from_secs(60))
        .await
    {
        Ok(result) => text(StatusCode::OK, result.output),
        Err(err) => text(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()),
    }
}

/// A namespace, pod or container name as the API allows them: nothing a
/// path could use to leave a directory.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// Serves until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    options: ServerOptions,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), String> {
    let client_ca = Some(options.client_ca_pem.as_str());
    let tls = match &options.serving {
        ServingIdentity::Fixed(cert) => serving::server_config(cert, client_ca)?,
        ServingIdentity::Issued(certificates) => {
            serving::server_config_with_resolver(certificates.clone(), client_ca)?
        }
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    let limits = serving::connections::Limits::default();
    let builder = Arc::new(serving::connections::http_builder(&limits));
    let stopping = shutdown.clone();
    serving::connections::accept_tls(
        listener,
        acceptor,
        limits,
        stopping,
        move |stream, opened| {
            let shared = shared.clone();
            let builder = builder.clone();
            let stopping = shutdown.clone();
            async move {
                // The CA verified the chain; its leaf names the user.
                let peer = stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .and_then(|leaf| serving::certificate_user(leaf.as_ref()));
                let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                    opened.request();
                    let shared = shared.clone();
                    let peer = peer.clone();
                    async move { Ok::<_, Infallible>(answer(shared, peer, request).await) }
                });
                serving::connections::serve_connection(&builder, stream, service, stopping).await;
            }
        },
    )
    .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_paths_take_names_only() {
        for good in ["default", "web-7d4b9c", "kube-system", "a.b"] {
            assert!(super::is_plain_name(good), "{good}");
        }
        for bad in ["", ".", "..", "../etc", "/etc", "a/b", "A", "x\0"] {
            assert!(!super::is_plain_name(bad), "{bad:?}");
        }
    }
}
