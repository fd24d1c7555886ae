//! Port-forward.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use super::Streams;
use crate::server::{Body, text};

pub async fn serve(
    _streams: Arc<Streams>,
    _id: String,
    _request: Request<Incoming>,
) -> Response<Body> {
    text(StatusCode::BAD_REQUEST, "port-forward is not served yet")
}
