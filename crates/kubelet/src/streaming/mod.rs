//! The kubelet's streaming endpoints, which the API server relays
//! `pods/exec`, `pods/attach` and `pods/portforward` to:
//! `/exec/<ns>/<pod>/<container>?command=...&stdin=...&tty=...`,
//! `/attach/<ns>/<pod>/<container>` and `/portForward/<ns>/<pod>`.
//! Each is an upgrade to WebSocket (the `channel.k8s.io` protocols kubectl
//! 1.32 speaks first, see [`websocket`]) or to SPDY/3.1 (the older
//! protocols it falls back to, and what port-forward tunnels through its
//! WebSocket, see [`spdy`]).

pub mod exec;
pub mod portforward;
pub mod spdy;
pub mod websocket;

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use crate::eviction::ActivePods;
use crate::runtime::Runtime;
use crate::server::{Body, text};

/// What the streaming endpoints reach: the pods running here and their
/// runtime.
pub struct Streams {
    pub pods: Arc<ActivePods>,
    pub runtime: Arc<dyn Runtime>,
}

/// Serves a streaming request, or None if `path` is not one.
pub async fn serve(
    streams: &Arc<Streams>,
    path: &[String],
    request: Request<Incoming>,
) -> Option<Response<Body>> {
    let response = match path {
        [kind, namespace, pod, container] if kind == "exec" || kind == "attach" => {
            let found = streams.container(namespace, pod, container);
            match found {
                Err(response) => response,
                Ok(id) if kind == "exec" => exec::serve(streams.clone(), id, request).await,
                Ok(id) => exec::serve_attach(streams.clone(), id, request).await,
            }
        }
        [kind, namespace, pod] if kind == "portForward" => {
            match streams.any_container(namespace, pod) {
                Err(response) => response,
                Ok(id) => portforward::serve(streams.clone(), id, request).await,
            }
        }
        _ => return None,
    };
    Some(response)
}

impl Streams {
    /// The runtime id of a running container of a pod here.
    #[allow(clippy::result_large_err)]
    fn container(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
    ) -> Result<String, Response<Body>> {
        let Some((_, running)) = self.pods.find(namespace, pod) else {
            return Err(text(
                StatusCode::NOT_FOUND,
                format!("pod {namespace}/{pod} is not running on this node"),
            ));
        };
        running
            .into_iter()
            .find(|(name, _)| name == container)
            .map(|(_, id)| id)
            .ok_or_else(|| {
                text(
                    StatusCode::NOT_FOUND,
                    format!("container not found ({container:?})"),
                )
            })
    }

    /// Any running container of the pod (they share its network).
    #[allow(clippy::result_large_err)]
    fn any_container(&self, namespace: &str, pod: &str) -> Result<String, Response<Body>> {
        let Some((_, running)) = self.pods.find(namespace, pod) else {
            return Err(text(
                StatusCode::NOT_FOUND,
                format!("pod {namespace}/{pod} is not running on this node"),
            ));
        };
        running.into_iter().map(|(_, id)| id).next().ok_or_else(|| {
            text(
                StatusCode::NOT_FOUND,
                format!("pod {namespace}/{pod} has no running container"),
            )
        })
    }
}

/// Every value of `key` in a query string, percent-decoded.
pub fn query_values(query: &str, key: &str) -> Vec<String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| crate::server::decode(&v.replace('+', " ")))
        .collect()
}

/// A boolean query flag as the API server reads one (anything but `0` and
/// `false`), since the API server passes the client's query on as given.
pub fn query_flag(query: &str, key: &str) -> bool {
    api::params::flag(query_values(query, key).first().map(String::as_str))
}

/// The first of `supported` that the client offers in `header`; else
/// what it offers.
pub fn negotiate(
    request: &Request<Incoming>,
    header: &str,
    supported: &[&str],
) -> Result<String, Vec<String>> {
    let offered = offered(request, header);
    supported
        .iter()
        .find(|p| offered.iter().any(|o| o == *p))
        .map(|p| p.to_string())
        .ok_or(offered)
}

/// `101 Switching Protocols` to `protocol`, with these headers too.
pub fn switching(protocol: &'static str, headers: &[(&'static str, &str)]) -> Response<Body> {
    use hyper::header::{CONNECTION, HeaderValue, UPGRADE};
    let mut response = text(StatusCode::SWITCHING_PROTOCOLS, "");
    let map = response.headers_mut();
    map.insert(UPGRADE, HeaderValue::from_static(protocol));
    map.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            map.insert(*name, value);
        }
    }
    response
}

/// The protocols a client offers in `Sec-WebSocket-Protocol` or
/// `X-Stream-Protocol-Version` headers (comma-separated, possibly
/// repeated).
pub fn offered(request: &Request<Incoming>, header: &str) -> Vec<String> {
    request
        .headers()
        .get_all(header)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_read_repeated_commands_and_flags() {
        let query = "command=sh&command=-c&command=echo%20a+b&stdin=true&tty=1&stdout=false";
        assert_eq!(query_values(query, "command"), ["sh", "-c", "echo a b"]);
        assert!(query_flag(query, "stdin"));
        assert!(query_flag(query, "tty"));
        assert!(!query_flag(query, "stdout"));
        assert!(!query_flag(query, "stderr"));
    }
}
