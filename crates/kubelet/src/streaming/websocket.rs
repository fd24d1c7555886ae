//! The WebSocket side of streaming: the handshake, and the
//! `channel.k8s.io` framing of exec — every binary message starts with its
//! channel (0 stdin, 1 stdout, 2 stderr, 3 the status, 4 terminal
//! resizes; v5 adds 255, "this channel is closed", which ends stdin).

use base64::Engine;
use futures::{SinkExt, StreamExt};
use hyper::body::{Bytes, Incoming};
use hyper::header::UPGRADE;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use super::exec::{Input, Output, Start, drive, failure_status};
use crate::server::{Body, text};

pub const V5: &str = "v5.channel.k8s.io";
pub const V4: &str = "v4.channel.k8s.io";
/// The exec protocols served, preferred first.
const EXEC_PROTOCOLS: &[&str] = &[V5, V4];

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

/// Whether the request asks to upgrade to WebSocket.
pub fn is_upgrade(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// `Sec-WebSocket-Accept` for a client's key (RFC 6455).
fn accept_key(key: &[u8]) -> String {
    let mut input = key.to_vec();
    input.extend_from_slice(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &input);
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}

/// Answers the handshake with the first of `supported` the client offers;
/// the connection is the WebSocket once the upgrade completes.
#[allow(clippy::result_large_err)]
pub fn handshake(
    request: &mut Request<Incoming>,
    supported: &[&str],
) -> Result<(Response<Body>, String, hyper::upgrade::OnUpgrade), Response<Body>> {
    let Some(key) = request.headers().get("sec-websocket-key").cloned() else {
        return Err(text(StatusCode::BAD_REQUEST, "missing Sec-WebSocket-Key"));
    };
    let protocol = match super::negotiate(request, "sec-websocket-protocol", supported) {
        Ok(protocol) => protocol,
        Err(offered) => {
            return Err(text(
                StatusCode::BAD_REQUEST,
                format!(
                    "none of the offered subprotocols {offered:?} is supported (supported: {supported:?})"
                ),
            ));
        }
    };
    let on_upgrade = hyper::upgrade::on(request);
    let response = super::switching(
        "websocket",
        &[
            ("sec-websocket-accept", &accept_key(key.as_bytes())),
            ("sec-websocket-protocol", &protocol),
        ],
    );
    Ok((response, protocol, on_upgrade))
}

/// The socket once upgraded.
pub async fn upgraded(
    on_upgrade: hyper::upgrade::OnUpgrade,
) -> Option<WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>> {
    let upgraded = on_upgrade.await.ok()?;
    Some(WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await)
}

/// The bytes of a data frame: binary, or text as the Python client sends
/// its writes (upstream reads both kinds alike, channel byte first).
pub(super) fn frame_data(message: Message) -> Option<Bytes> {
    match message {
        Message::Binary(data) => Some(data),
        Message::Text(text) => Some(Bytes::from(text)),
        _ => None,
    }
}

fn framed(channel: u8, data: &[u8]) -> Message {
    let mut frame = Vec::with_capacity(data.len() + 1);
    frame.push(channel);
    frame.extend_from_slice(data);
    Message::Binary(frame.into())
}

/// The close frame that ends a session (a close without a code reads as
/// an error to clients).
pub(super) fn normal_close() -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }))
}

/// An exec over `channel.k8s.io`.
pub fn accept_exec(mut request: Request<Incoming>, start: Start) -> Response<Body> {
    let (response, protocol, on_upgrade) = match handshake(&mut request, EXEC_PROTOCOLS) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    tokio::spawn(async move {
        let Some(socket) = upgraded(on_upgrade).await else {
            return;
        };
        let (mut sink, mut source) = socket.split();
        let (process, command) = start.await;
        let process = match process {
            Ok(process) => process,
            Err(err) => {
                let status = failure_status(&err.to_string());
                let _ = sink
                    .send(framed(ERROR, status.to_string().as_bytes()))
                    .await;
                let _ = sink.send(normal_close()).await;
                let _ = sink.close().await;
                return;
            }
        };
        let (inputs, input_rx) = mpsc::channel::<Input>(16);
        let (output_tx, mut outputs) = mpsc::channel::<Output>(16);
        tokio::spawn(drive(process, command, input_rx, output_tx));
        let v5 = protocol == V5;
        let reading = tokio::spawn(async move {
            while let Some(Ok(message)) = source.next().await {
                if let Message::Close(_) = message {
                    break;
                }
                let Some(data) = frame_data(message) else {
                    continue;
                };
                let Some((&channel, payload)) = data.split_first() else {
                    continue;
                };
                let input = match channel {
                    STDIN => Input::Stdin(Bytes::copy_from_slice(payload)),
                    RESIZE => match serde_json::from_slice::<serde_json::Value>(payload) {
                        Ok(size) => Input::Resize(
                            size["Width"].as_u64().unwrap_or(80).min(u16::MAX.into()) as u16,
                            size["Height"].as_u64().unwrap_or(24).min(u16::MAX.into()) as u16,
                        ),
                        Err(_) => continue,
                    },
                    CLOSE if v5 && payload.first() == Some(&STDIN) => Input::CloseStdin,
                    _ => continue,
                };
                if inputs.send(input).await.is_err() {
                    break;
                }
            }
            // Dropping `inputs` tells the driver the client is gone.
        });
        while let Some(output) = outputs.recv().await {
            let (message, last) = match output {
                Output::Stdout(data) => (framed(STDOUT, &data), false),
                Output::Stderr(data) => (framed(STDERR, &data), false),
                Output::Status(status) => (framed(ERROR, status.to_string().as_bytes()), true),
            };
            if sink.send(message).await.is_err() {
                break;
            }
            if last {
                break;
            }
        }
        let _ = sink.send(normal_close()).await;
        let _ = sink.close().await;
        reading.abort();
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_is_rfc_6455s() {
        // The example of RFC 6455, section 1.3.
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
