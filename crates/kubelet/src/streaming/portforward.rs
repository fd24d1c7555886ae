//! Port-forward (`portforward.k8s.io`): over one SPDY connection the
//! client opens, per forwarded connection, an `error` and a `data` stream
//! sharing a `requestID` and naming the `port`; the kubelet connects to
//! that port inside the pod's network namespace and carries the bytes
//! both ways. A connection that fails is reported on its error stream and
//! the session goes on. kubectl 1.32 tunnels that SPDY connection through
//! a WebSocket (subprotocol `SPDY/3.1+portforward.k8s.io`) and falls back
//! to upgrading to SPDY itself. Other clients (the Python client) speak
//! `v4.channel.k8s.io` over the WebSocket instead: the ports in the query,
//! and per port a data and an error channel (`2i`, `2i+1`), each opened
//! with the port number.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use futures::{Sink, Stream as _};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use super::Streams;
use super::spdy::{self, Stream};
use crate::server::Body;

const PROTOCOL: &str = "portforward.k8s.io";
const TUNNELLED: &str = "SPDY/3.1+portforward.k8s.io";
const CHANNELS: &str = super::websocket::V4;
/// Ports one channel session forwards at most (two channels each, of 256).
const MAX_CHANNEL_PORTS: usize = 128;

pub async fn serve(
    streams: Arc<Streams>,
    id: String,
    mut request: Request<Incoming>,
) -> Response<Body> {
    // `namespace/name`, as error messages name the pod.
    let pod = request
        .uri()
        .path()
        .trim_start_matches("/portForward/")
        .to_string();
    if super::websocket::is_upgrade(&request) {
        let query = request.uri().query().unwrap_or_default().to_string();
        let (response, protocol, on_upgrade) =
            match super::websocket::handshake(&mut request, &[TUNNELLED, CHANNELS]) {
                Ok(accepted) => accepted,
                Err(response) => return response,
            };
        if protocol == CHANNELS {
            let ports = match channel_ports(&query) {
                Ok(ports) => ports,
                Err(message) => {
                    return crate::server::text(hyper::StatusCode::BAD_REQUEST, message);
                }
            };
            tokio::spawn(async move {
                if let Some(socket) = super::websocket::upgraded(on_upgrade).await {
                    forward_channels(streams, id, pod, socket, ports).await;
                }
            });
            return response;
        }
        tokio::spawn(async move {
            if let Some(socket) = super::websocket::upgraded(on_upgrade).await {
                forward(streams, id, pod, spdy::serve(Tunnel::new(socket))).await;
            }
        });
        return response;
    }
    let (response, _, on_upgrade) = match spdy::handshake(&mut request, &[PROTOCOL]) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    tokio::spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            forward(streams, id, pod, spdy::serve(TokioIo::new(upgraded))).await;
        }
    });
    response
}

/// Pairs each request's error and data streams and forwards each pair.
async fn forward(
    streams: Arc<Streams>,
    container: String,
    pod: String,
    mut incoming: tokio::sync::mpsc::Receiver<Stream>,
) {
    let mut waiting: HashMap<String, Stream> = HashMap::new();
    while let Some(stream) = incoming.recv().await {
        if !stream.reply().await {
            return;
        }
        let request = stream.header("requestid").unwrap_or_default().to_string();
        let kind = stream.header("streamtype").unwrap_or_default().to_string();
        let Some(other) = waiting.remove(&request) else {
            waiting.insert(request, stream);
            continue;
        };
        let (error, data) = match (kind.as_str(), other) {
            ("data", error) => (error, stream),
            (_, data) => (stream, data),
        };
        tokio::spawn(connect(
            streams.clone(),
            container.clone(),
            pod.clone(),
            error,
            data,
        ));
    }
}

/// Carries one forwarded connection.
async fn connect(
    streams: Arc<Streams>,
    container: String,
    pod: String,
    error: Stream,
    mut data: Stream,
) {
    let errors = error.sender();
    let port = data
        .header("port")
        .or_else(|| error.header("port"))
        .and_then(|p| p.parse::<u16>().ok());
    let Some(port) = port else {
        errors
            .write(b"invalid port: a port-forward stream must name a port between 1 and 65535")
            .await;
        errors.close().await;
        data.sender().reset().await;
        return;
    };
    let tcp = match streams.runtime.port_forward(&container, port).await {
        Ok(tcp) => tcp,
        Err(err) => {
            let message = format!("error forwarding port {port} to pod {pod}: {err}");
            errors.write(message.as_bytes()).await;
            errors.close().await;
            data.sender().close().await;
            return;
        }
    };
    let _ = tcp.set_nodelay(true);
    let (mut from_pod, mut to_pod) = tcp.into_split();
    let sender = data.sender();
    let upstream = tokio::spawn(async move {
        let mut buffer = vec![0u8; 32 * 1024];
        loop {
            match from_pod.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if !sender.write(&buffer[..n]).await {
                        return;
                    }
                }
            }
        }
        sender.close().await;
    });
    while let Some(chunk) = data.data.recv().await {
        if to_pod.write_all(&chunk).await.is_err() {
            break;
        }
    }
    // The client closed its side: so does the connection to the pod.
    let _ = to_pod.shutdown().await;
    let _ = upstream.await;
    errors.close().await;
}

/// The `ports` of a channel session's query (`ports=80,8080` or repeated).
fn channel_ports(query: &str) -> Result<Vec<u16>, String> {
    let mut ports = Vec::new();
    for value in super::query_values(query, "ports") {
        for text in value.split(',') {
            let port = text
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("unable to parse {text:?} as a port"))?;
            ports.push(port);
        }
    }
    if ports.is_empty() {
        return Err("at least 1 port must be specified".into());
    }
    if ports.len() > MAX_CHANNEL_PORTS {
        return Err(format!(
            "at most {MAX_CHANNEL_PORTS} ports may be forwarded at once"
        ));
    }
    Ok(ports)
}

fn channel_frame(channel: usize, data: &[u8]) -> Message {
    let mut frame = Vec::with_capacity(data.len() + 1);
    frame.push(channel as u8);
    frame.extend_from_slice(data);
    Message::Binary(frame.into())
}

/// A `v4.channel.k8s.io` session: one connection into the pod per port,
/// its bytes on the port's data channel and a failure on its error
/// channel; the session ends when every connection has.
async fn forward_channels<S>(
    streams: Arc<Streams>,
    container: String,
    pod: String,
    socket: WebSocketStream<S>,
    ports: Vec<u16>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    use futures::{SinkExt, StreamExt};
    let (mut sink, mut source) = socket.split();
    let (outgoing, mut to_send) = tokio::sync::mpsc::channel::<Message>(16);
    let sending = tokio::spawn(async move {
        while let Some(message) = to_send.recv().await {
            if sink.send(message).await.is_err() {
                return;
            }
        }
        let _ = sink.send(super::websocket::normal_close()).await;
        let _ = sink.close().await;
    });
    let mut to_pods = Vec::with_capacity(ports.len());
    let mut from_pods = tokio::task::JoinSet::new();
    for (i, port) in ports.iter().copied().enumerate() {
        // Each channel opens with its port, little-endian.
        for channel in [2 * i, 2 * i + 1] {
            let _ = outgoing
                .send(channel_frame(channel, &port.to_le_bytes()))
                .await;
        }
        match streams.runtime.port_forward(&container, port).await {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                let (mut from_pod, to_pod) = tcp.into_split();
                to_pods.push(Some(to_pod));
                let outgoing = outgoing.clone();
                from_pods.spawn(async move {
                    let mut buffer = vec![0u8; 32 * 1024];
                    while let Ok(n) = from_pod.read(&mut buffer).await {
                        if n == 0
                            || outgoing
                                .send(channel_frame(2 * i, &buffer[..n]))
                                .await
                                .is_err()
                        {
                            break;
                        }
                    }
                });
            }
            Err(err) => {
                to_pods.push(None);
                let message = format!("error forwarding port {port} to pod {pod}: {err}");
                let _ = outgoing
                    .send(channel_frame(2 * i + 1, message.as_bytes()))
                    .await;
            }
        }
    }
    loop {
        tokio::select! {
            message = source.next() => {
                let Some(Ok(message)) = message else { break };
                if let Message::Close(_) = message {
                    break;
                }
                let Some(data) = super::websocket::frame_data(message) else {
                    continue;
                };
                let Some((&channel, payload)) = data.split_first() else {
                    continue;
                };
                let channel = usize::from(channel);
                if channel % 2 != 0 {
                    continue;
                }
                if let Some(slot) = to_pods.get_mut(channel / 2)
                    && let Some(to_pod) = slot
                    && to_pod.write_all(payload).await.is_err()
                {
                    *slot = None;
                }
            }
            done = from_pods.join_next() => {
                if done.is_none() {
                    break;
                }
            }
        }
    }
    for to_pod in to_pods.iter_mut().flatten() {
        let _ = to_pod.shutdown().await;
    }
    from_pods.abort_all();
    drop(outgoing);
    let _ = sending.await;
}

/// A WebSocket whose binary messages carry a byte stream both ways (the
/// tunnel kubectl's port-forward runs SPDY through).
struct Tunnel<S> {
    socket: WebSocketStream<S>,
    pending: Bytes,
}

impl<S> Tunnel<S> {
    fn new(socket: WebSocketStream<S>) -> Tunnel<S> {
        Tunnel {
            socket,
            pending: Bytes::new(),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Tunnel<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        while self.pending.is_empty() {
            match ready!(Pin::new(&mut self.socket).poll_next(cx)) {
                Some(Ok(Message::Close(_))) | None => return Poll::Ready(Ok(())),
                Some(Ok(message)) => {
                    if let Some(data) = super::websocket::frame_data(message) {
                        self.pending = data;
                    }
                }
                Some(Err(err)) => return Poll::Ready(Err(std::io::Error::other(err))),
            }
        }
        let n = self.pending.len().min(buf.remaining());
        let chunk = self.pending.split_to(n);
        buf.put_slice(&chunk);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Tunnel<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        ready!(Pin::new(&mut self.socket).poll_ready(cx)).map_err(std::io::Error::other)?;
        Pin::new(&mut self.socket)
            .start_send(Message::Binary(Bytes::copy_from_slice(data)))
            .map_err(std::io::Error::other)?;
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.socket)
            .poll_flush(cx)
            .map_err(std::io::Error::other)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.socket)
            .poll_close(cx)
            .map_err(std::io::Error::other)
    }
}
