//! The connect subresources, as upstream calls them: `pods/exec`,
//! `pods/attach` and `pods/portforward` (an upgraded connection — WebSocket
//! or SPDY — relayed byte for byte to the pod's kubelet, which speaks the
//! streaming protocols), and `pods/proxy`, `services/proxy` and
//! `nodes/proxy` (HTTP relayed to a pod, a ready endpoint of a service, or
//! a kubelet). `pods/log` reaches the kubelet the same way
//! ([`dial_kubelet`]).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use hyper_util::rt::TokioIo;
use serde_json::Value;

use crate::error::ApiError;
use crate::handlers::ApiState;
use crate::objects::decode;
use crate::request::ResourceRequest;

/// Whether a request is for one of the connect subresources served here.
pub(crate) fn is_connect(resource: &ResourceRequest) -> bool {
    matches!(
        (&*resource.info.plural, resource.subresource.as_deref()),
        ("pods", Some("exec" | "attach" | "portforward" | "proxy"))
            | ("services" | "nodes", Some("proxy"))
    ) && resource.info.group.is_empty()
}

/// Headers a streaming upgrade is negotiated with, passed through both ways.
const UPGRADE_HEADERS: &[&str] = &[
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "sec-websocket-accept",
    "sec-websocket-extensions",
    "x-stream-protocol-version",
];

/// Hop-by-hop headers and credentials, never passed on by the HTTP proxies.
const NOT_PROXIED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "authorization",
    "host",
];

pub(crate) async fn serve(
    state: Arc<ApiState>,
    resource: ResourceRequest,
    request: Request<Body>,
) -> Result<Response, ApiError> {
    let name = resource
        .name
        .clone()
        .ok_or_else(ApiError::method_not_allowed)?;
    let namespace = resource.namespace.clone().unwrap_or_default();
    let query = request.uri().query().unwrap_or_default().to_string();
    match (&*resource.info.plural, resource.subresource.as_deref()) {
        ("pods", Some(sub @ ("exec" | "attach"))) => {
            if !matches!(*request.method(), Method::GET | Method::POST) {
                return Err(ApiError::method_not_allowed());
            }
            let pod = read(&state, "pods", Some(&namespace), &name).await?;
            let container = stream_container(&pod, &name, &query, sub)?;
            let node = pod_node(&state, &pod, &name).await?;
            let path = format!(
                "/{sub}/{}/{}/{}?{query}",
                encode(&namespace),
                encode(&name),
                encode(&container)
            );
            relay_upgrade(&state, &node, &path, request).await
        }
        ("pods", Some("portforward")) => {
            if !matches!(*request.method(), Method::GET | Method::POST) {
                return Err(ApiError::method_not_allowed());
            }
            let pod = read(&state, "pods", Some(&namespace), &name).await?;
            let phase = pod["status"]["phase"].as_str().unwrap_or_default();
            if phase != "Running" {
                return Err(ApiError::bad_request(format!(
                    "pod {name} is not running and cannot be port-forwarded; current phase is {phase}"
                )));
            }
            let node = pod_node(&state, &pod, &name).await?;
            let path = format!(
                "/portForward/{}/{}?{query}",
                encode(&namespace),
                encode(&name)
            );
            relay_upgrade(&state, &node, &path, request).await
        }
        ("pods", Some("proxy")) => {
            let (scheme, pod_name, port) = split_proxy_name(&name);
            let pod = read(&state, "pods", Some(&namespace), pod_name).await?;
            let ip = pod["status"]["podIP"].as_str().unwrap_or_default();
            if ip.is_empty() {
                return Err(ApiError::unavailable(format!(
                    "address not allowed: pod {pod_name} has no IP yet"
                )));
            }
            proxyable(ip)?;
            let port = pod_port(&pod, port).ok_or_else(|| {
                ApiError::unavailable(format!("no port {port:?} on pod {pod_name}"))
            })?;
            let target = Target {
                scheme: scheme.to_string(),
                host: ip.to_string(),
                port,
                tls: None,
            };
            proxy_http(target, &proxied_path(&request, "proxy"), request).await
        }
        ("services", Some("proxy")) => {
            let (scheme, service, port) = split_proxy_name(&name);
            let (ip, port) = service_endpoint(&state, &namespace, service, port).await?;
            let target = Target {
                scheme: scheme.to_string(),
                host: ip,
                port,
                tls: None,
            };
            proxy_http(target, &proxied_path(&request, "proxy"), request).await
        }
        ("nodes", Some("proxy")) => {
            // Only ever the node's kubelet: any other port of its address
            // would let a client reach what listens beside it.
            let (_, node, port) = split_proxy_name(&name);
            let kubelet = node_kubelet(&state, node).await?;
            let port = match port {
                "" => kubelet.port,
                port => match port.parse::<u16>() {
                    Ok(port) if port == kubelet.port => port,
                    Ok(_) => {
                        return Err(ApiError::bad_request(format!(
                            "port {port} of node {node} is not its kubelet's ({}): only the kubelet is proxied to",
                            kubelet.port
                        )));
                    }
                    Err(_) => {
                        return Err(ApiError::bad_request(format!("invalid port {port:?}")));
                    }
                },
            };
            let target = Target {
                scheme: "https".into(),
                host: kubelet.address,
                port,
                tls: state.kubelet_client.clone(),
            };
            proxy_http(target, &proxied_path(&request, "proxy"), request).await
        }
        _ => Err(ApiError::path_not_found()),
    }
}

/// Reads one stored object of the core group.
async fn read(
    state: &ApiState,
    plural: &str,
    namespace: Option<&str>,
    name: &str,
) -> Result<Value, ApiError> {
    let info = api::registry::lookup("", "v1", plural)
        .ok_or_else(|| ApiError::internal(format!("no {plural} resource")))?;
    match state.store.get(&info.storage_key(namespace, name)).await {
        Ok(Some(kv)) => decode(info, &kv),
        Ok(None) => Err(ApiError::not_found(info, name)),
        Err(err) => Err(ApiError::from_store(err, info, name)),
    }
}

/// Every value of `key` in a query string, decoded.
fn query_values(query: &str, key: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| crate::handlers::percent_decode(v))
        .collect()
}

/// Percent-encodes a path segment or query value.
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The container an exec or attach means, checked as upstream checks it.
fn stream_container(pod: &Value, name: &str, query: &str, sub: &str) -> Result<String, ApiError> {
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if matches!(phase, "Succeeded" | "Failed") {
        let action = if sub == "exec" {
            "exec into"
        } else {
            "attach to"
        };
        return Err(ApiError::bad_request(format!(
            "cannot {action} a container in a completed pod; current phase is {phase}"
        )));
    }
    let asked = query_values(query, "container");
    crate::pod_log::container(
        pod,
        name,
        asked.iter().map(String::as_str).find(|c| !c.is_empty()),
    )
}

/// Where a node's kubelet serves.
pub(crate) struct Kubelet {
    pub(crate) address: String,
    pub(crate) port: u16,
}

impl Kubelet {
    pub(crate) fn host(&self) -> String {
        if self.address.contains(':') {
            format!("[{}]:{}", self.address, self.port)
        } else {
            format!("{}:{}", self.address, self.port)
        }
    }
}

/// The kubelet of the node a pod is bound to.
async fn pod_node(state: &ApiState, pod: &Value, name: &str) -> Result<Kubelet, ApiError> {
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    if node.is_empty() {
        return Err(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    node_kubelet(state, node).await
}

/// A node's kubelet address (its InternalIP) and port, from its status.
pub(crate) async fn node_kubelet(state: &ApiState, node: &str) -> Result<Kubelet, ApiError> {
    let object = read(state, "nodes", None, node).await?;
    let addresses = object["status"]["addresses"].as_array();
    let address = ["InternalIP", "ExternalIP", "Hostname"]
        .iter()
        .find_map(|kind| {
            addresses?
                .iter()
                .find(|a| a["type"] == *kind)
                .and_then(|a| a["address"].as_str())
        })
        .unwrap_or_default()
        .to_string();
    let port = object["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
        .as_u64()
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(0);
    if address.is_empty() || port == 0 {
        return Err(ApiError::bad_request(format!(
            "node {node} has no kubelet endpoint (no address or kubelet port in its status)"
        )));
    }
    Ok(Kubelet { address, port })
}

type Sender = hyper::client::conn::http1::SendRequest<Body>;

/// An HTTP/1.1 connection to a kubelet with the API server's kubelet
/// client certificate, able to upgrade.
pub(crate) async fn dial_kubelet(state: &ApiState, kubelet: &Kubelet) -> Result<Sender, ApiError> {
    let config = state
        .kubelet_client
        .clone()
        .ok_or_else(|| ApiError::internal("this API server has no kubelet client certificate"))?;
    let target = Target {
        scheme: "https".into(),
        host: kubelet.address.clone(),
        port: kubelet.port,
        tls: Some(config),
    };
    target.dial().await
}

/// Where an HTTP proxy request goes.
struct Target {
    scheme: String,
    host: String,
    port: u16,
    /// The TLS client for https (none: any certificate, as upstream's
    /// proxies do not verify what they reach).
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Target {
    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn error(&self, detail: impl std::fmt::Display) -> ApiError {
        ApiError::unavailable(format!(
            "error trying to reach {}://{}: {detail}",
            self.scheme,
            self.authority()
        ))
    }

    async fn dial(&self) -> Result<Sender, ApiError> {
        let authority = self.authority();
        let tcp = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            tokio::net::TcpStream::connect(&authority),
        )
        .await
        .map_err(|_| self.error(format!("dial tcp {authority}: i/o timeout")))?
        .map_err(|e| self.error(format!("dial tcp {authority}: connect: {e}")))?;
        let _ = tcp.set_nodelay(true);
        if self.scheme != "https" {
            return handshake(TokioIo::new(tcp))
                .await
                .map_err(|e| self.error(e));
        }
        let config = match &self.tls {
            Some(config) => config.clone(),
            None => Arc::new(
                rustls::ClientConfig::builder_with_provider(Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_safe_default_protocol_versions()
                .map_err(|e| self.error(e))?
                .dangerous()
                .with_custom_certificate_verifier(serving::any_certificate())
                .with_no_client_auth(),
            ),
        };
        let server_name = rustls::pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| self.error(e))?;
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(server_name, tcp)
            .await
            .map_err(|e| {
                self.error(
                    serving::certificate_error_text(&e)
                        .unwrap_or_else(|| format!("remote error: {e}")),
                )
            })?;
        handshake(TokioIo::new(tls))
            .await
            .map_err(|e| self.error(e))
    }
}

async fn handshake<T>(io: T) -> Result<Sender, hyper::Error>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(async move {
        let _ = connection.with_upgrades().await;
    });
    Ok(sender)
}

/// Relays a streaming request to the kubelet: the kubelet's answer to the
/// upgrade becomes the client's, and once both sides have switched
/// protocols the two connections are spliced until either ends.
async fn relay_upgrade(
    state: &ApiState,
    kubelet: &Kubelet,
    path: &str,
    mut request: Request<Body>,
) -> Result<Response, ApiError> {
    let mut sender = dial_kubelet(state, kubelet).await?;
    let mut forward = Request::builder()
        .method(request.method().clone())
        .uri(path)
        .header(header::HOST, kubelet.host());
    copy_headers(request.headers(), &mut forward, UPGRADE_HEADERS);
    let forward = forward
        .body(Body::empty())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let url = format!("https://{}{path}", kubelet.host());
    let mut response = sender
        .send_request(forward)
        .await
        .map_err(|e| ApiError::internal(format!("error dialing backend: {e} ({url})")))?;
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        let code = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map(|b| String::from_utf8_lossy(&b.to_bytes()).trim().to_string())
            .unwrap_or_default();
        return Err(match code {
            StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => ApiError::bad_request(body),
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => ApiError::forbidden(body),
            _ => ApiError::internal(format!("error dialing backend: {code}: {body}")),
        });
    }
    let client_side = hyper::upgrade::on(&mut request);
    let kubelet_side = hyper::upgrade::on(&mut response);
    let mut reply = Response::builder().status(StatusCode::SWITCHING_PROTOCOLS);
    for name in UPGRADE_HEADERS {
        for value in response.headers().get_all(*name) {
            reply = reply.header(*name, value);
        }
    }
    tokio::spawn(async move {
        let (Ok(client), Ok(kubelet)) = (client_side.await, kubelet_side.await) else {
            return;
        };
        let mut client = TokioIo::new(client);
        let mut kubelet = TokioIo::new(kubelet);
        let _ = tokio::io::copy_bidirectional(&mut client, &mut kubelet).await;
    });
    reply
        .body(Body::empty())
        .map_err(|e| ApiError::internal(e.to_string()))
}

fn copy_headers(from: &HeaderMap, to: &mut axum::http::request::Builder, names: &[&str]) {
    for name in names {
        for value in from.get_all(*name) {
            *to = std::mem::take(to).header(*name, value);
        }
    }
}

/// `[scheme:]name[:port]`, as proxy subresources name their target.
fn split_proxy_name(name: &str) -> (&str, &str, &str) {
    let parts: Vec<&str> = name.splitn(3, ':').collect();
    match parts.as_slice() {
        [scheme @ ("http" | "https"), name, port] => (scheme, name, port),
        [scheme @ ("http" | "https"), name] => (scheme, name, ""),
        [name, port] => ("http", name, port),
        _ => ("http", name, ""),
    }
}

/// The port `asked` names on a pod (a number, or a container port's
/// name); none asked: the first container port, else 80.
fn pod_port(pod: &Value, asked: &str) -> Option<u16> {
    let ports: Vec<&Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .collect();
    if asked.is_empty() {
        return Some(
            ports
                .first()
                .and_then(|p| p["containerPort"].as_u64())
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(80),
        );
    }
    if let Ok(port) = asked.parse::<u16>() {
        return Some(port);
    }
    ports
        .iter()
        .find(|p| p["name"] == asked)
        .and_then(|p| p["containerPort"].as_u64())
        .and_then(|p| u16::try_from(p).ok())
}

/// A ready endpoint of the service's port `asked` (its name or number;
/// none asked: its only or first port), picked at random as upstream does.
async fn service_endpoint(
    state: &ApiState,
    namespace: &str,
    service: &str,
    asked: &str,
) -> Result<(String, u16), ApiError> {
    let object = read(state, "services", Some(namespace), service).await?;
    let ports: Vec<Value> = object["spec"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let port = if asked.is_empty() {
        ports.first()
    } else {
        ports.iter().find(|p| {
            p["name"] == asked || p["port"].as_u64().is_some_and(|n| n.to_string() == asked)
        })
    }
    .ok_or_else(|| {
        ApiError::unavailable(format!(
            "no service port {asked:?} found for service {service:?}"
        ))
    })?;
    let port_name = port["name"].as_str().unwrap_or_default().to_string();
    let endpoints = read(state, "endpoints", Some(namespace), service)
        .await
        .map_err(|_| {
            ApiError::unavailable(format!("no endpoints available for service {service:?}"))
        })?;
    let mut candidates: Vec<(String, u16)> = Vec::new();
    for subset in endpoints["subsets"].as_array().into_iter().flatten() {
        let Some(target) = subset["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"].as_str().unwrap_or_default() == port_name)
            .and_then(|p| p["port"].as_u64())
            .and_then(|p| u16::try_from(p).ok())
        else {
            continue;
        };
        for address in subset["addresses"].as_array().into_iter().flatten() {
            if let Some(ip) = address["ip"].as_str() {
                candidates.push((ip.to_string(), target));
            }
        }
    }
    // Endpoints may be written by hand: never to the server's own loopback
    // or link-local neighbours.
    let listed = candidates.len();
    candidates.retain(|(ip, _)| proxyable(ip).is_ok());
    if listed > 0 && candidates.is_empty() {
        return Err(ApiError::bad_request("address not allowed"));
    }
    if candidates.is_empty() {
        return Err(ApiError::unavailable(format!(
            "no endpoints available for service {service:?}"
        )));
    }
    let pick = rand::random_range(0..candidates.len());
    Ok(candidates.swap_remove(pick))
}

/// Whether the API server may proxy to `ip`, as upstream's
/// IsProxyableIP: only global unicast addresses, never loopback,
/// link-local (cloud metadata services live there), multicast, broadcast
/// or unspecified ones.
fn proxyable(ip: &str) -> Result<std::net::IpAddr, ApiError> {
    let not_allowed = || ApiError::bad_request("address not allowed");
    let address: std::net::IpAddr = ip.parse().map_err(|_| not_allowed())?;
    let global_unicast = match address {
        std::net::IpAddr::V4(v4) => {
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast())
        }
        std::net::IpAddr::V6(v6) => {
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_unicast_link_local()
                || v6.is_multicast())
        }
    };
    if global_unicast {
        Ok(address)
    } else {
        Err(not_allowed())
    }
}

/// The path after `/<subresource>` in the request, with its query: what
/// the proxy asks of its target (`/` when nothing follows).
fn proxied_path(request: &Request<Body>, subresource: &str) -> String {
    let path = request.uri().path();
    let marker = format!("/{subresource}");
    let rest = path
        .find(&format!("{marker}/"))
        .map(|at| &path[at + marker.len()..])
        .unwrap_or("/");
    match request.uri().query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_string(),
    }
}

/// Sends the request on to `target` and streams its answer back.
async fn proxy_http(
    target: Target,
    path: &str,
    request: Request<Body>,
) -> Result<Response, ApiError> {
    let mut sender = target.dial().await?;
    let (parts, body) = request.into_parts();
    let mut forward = Request::builder()
        .method(parts.method.clone())
        .uri(path)
        .header(header::HOST, target.authority());
    for (name, value) in &parts.headers {
        if !NOT_PROXIED.contains(&name.as_str()) {
            forward = forward.header(name, value);
        }
    }
    let forward = forward
        .body(body)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let response = sender
        .send_request(forward)
        .await
        .map_err(|e| target.error(e))?;
    let (parts, body) = response.into_parts();
    let mut reply = Response::builder().status(parts.status);
    for (name, value) in &parts.headers {
        if !NOT_PROXIED.contains(&name.as_str()) || name == HeaderName::from_static("trailer") {
            reply = reply.header(name, value);
        }
    }
    reply
        .body(Body::new(body))
        .map(IntoResponse::into_response)
        .map_err(|e| ApiError::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_global_unicast_addresses_are_proxied_to() {
        for ip in [
            "10.0.0.1",
            "10.244.1.7",
            "192.168.1.1",
            "8.8.8.8",
            "2001:db8::1",
            "fd00::1",
        ] {
            assert!(proxyable(ip).is_ok(), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "127.0.0.2",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "ff02::1",
            "::",
            "localhost",
            "",
        ] {
            let err = proxyable(ip).unwrap_err();
            assert_eq!(
                (err.code, err.message.as_str()),
                (400, "address not allowed"),
                "{ip}"
            );
        }
    }

    #[test]
    fn proxy_names_read_scheme_name_and_port() {
        assert_eq!(split_proxy_name("web"), ("http", "web", ""));
        assert_eq!(split_proxy_name("web:8080"), ("http", "web", "8080"));
        assert_eq!(split_proxy_name("https:web:443"), ("https", "web", "443"));
        assert_eq!(split_proxy_name("https:web"), ("https", "web", ""));
        assert_eq!(split_proxy_name("web:http"), ("http", "web", "http"));
    }

    #[test]
    fn pod_ports_resolve_by_number_name_or_first() {
        let pod = json!({"spec": {"containers": [
            {"name": "a", "ports": [{"name": "metrics", "containerPort": 9100}]},
            {"name": "b", "ports": [{"name": "web", "containerPort": 8080}]},
        ]}});
        assert_eq!(pod_port(&pod, ""), Some(9100));
        assert_eq!(pod_port(&pod, "web"), Some(8080));
        assert_eq!(pod_port(&pod, "81"), Some(81));
        assert_eq!(pod_port(&pod, "nope"), None);
        assert_eq!(
            pod_port(&json!({"spec": {"containers": [{}]}}), ""),
            Some(80)
        );
    }

    #[test]
    fn stream_containers_are_checked_as_upstream() {
        let pod = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running"}});
        assert_eq!(
            stream_container(&pod, "web", "command=ls&container=b", "exec").unwrap(),
            "b"
        );
        let err = stream_container(&pod, "web", "command=ls", "exec").unwrap_err();
        assert!(
            err.message.contains("choose one of: [a b]"),
            "{}",
            err.message
        );
        let err = stream_container(&pod, "web", "container=c", "exec").unwrap_err();
        assert!(err.message.contains("container c is not valid for pod web"));
        let done =
            json!({"spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Succeeded"}});
        let err = stream_container(&done, "web", "", "exec").unwrap_err();
        assert_eq!(
            err.message,
            "cannot exec into a container in a completed pod; current phase is Succeeded"
        );
        assert_eq!(
            query_values("command=sh&command=-c&command=echo%20hi+there", "command"),
            ["sh", "-c", "echo hi there"]
        );
    }
}
