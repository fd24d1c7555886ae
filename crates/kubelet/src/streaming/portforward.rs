//! Port-forward (`portforward.k8s.io`): over one SPDY connection the
//! client opens, per forwarded connection, an `error` and a `data` stream
//! sharing a `requestID` and naming the `port`; the kubelet connects to
//! that port inside the pod's network namespace and carries the bytes
//! both ways. A connection that fails is reported on its error stream and
//! the session goes on. kubectl 1.32 tunnels that SPDY connection through
//! a WebSocket (subprotocol `SPDY/3.1+portforward.k8s.io`) and falls back
//! to upgrading to SPDY itself.

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
        let (response, _, on_upgrade) =
            match super::websocket::handshake(&mut request, &[TUNNELLED]) {
                Ok(accepted) => accepted,
                Err(response) => return response,
            };
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
                Some(Ok(Message::Binary(data))) => self.pending = data,
                Some(Ok(Message::Close(_))) | None => return Poll::Ready(Ok(())),
                Some(Ok(_)) => {}
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
