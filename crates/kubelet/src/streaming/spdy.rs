//! SPDY/3.1 streaming.

use hyper::Request;
use hyper::body::Incoming;
use hyper::{Response, StatusCode};

use crate::runtime::{RuntimeError, StreamOptions, StreamingProcess};
use crate::server::{Body, text};

pub fn is_upgrade(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get(hyper::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("SPDY/3.1"))
}

pub fn accept_exec<F, Fut>(
    _request: Request<Incoming>,
    _options: StreamOptions,
    _start: F,
) -> Response<Body>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = (Result<StreamingProcess, RuntimeError>, Vec<String>)> + Send,
{
    text(StatusCode::BAD_REQUEST, "SPDY is not served yet")
}
