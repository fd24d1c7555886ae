//! Accepting TLS connections within limits, for every secure port of rudder
//! (the API server's, the kubelet's, the components'): a cap on open
//! connections, a deadline from accepting a connection to its first
//! request, a deadline on each later request's headers, and an accept loop
//! that backs off when the process is out of descriptors instead of
//! spinning.
//!
//! A connection is *unproven* until its first request has arrived whole.
//! Unproven connections have a pool of their own, and when it is full the
//! oldest is closed for the newcomer: a flood of connections that never
//! send a request cycles through that pool, while a real client, whose
//! handshake and first request take milliseconds, gets through.
//!
//! A connection whose peer takes none of what is written to it for
//! `WRITE_STALL_TIMEOUT` is closed: a client that stops reading a watch or
//! a large response holds its descriptor and buffers only that long.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A connection that can write nothing for this long is closed.
pub const WRITE_STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// What one port allows its clients.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Connections open at once; past this, new ones are closed at once.
    pub max_connections: usize,
    /// Connections open at once that have not yet sent a whole request;
    /// past this, the oldest of them is closed for each new one.
    pub max_unproven: usize,
    /// A connection whose TLS handshake and first request take longer is
    /// closed.
    pub first_request_timeout: Duration,
    /// A request's headers (and the wait for the next request on a kept-alive
    /// HTTP/1.1 connection) must arrive within this.
    pub header_read_timeout: Duration,
    /// Streams one HTTP/2 connection may have open at once.
    pub max_concurrent_streams: u32,
}

impl Default for Limits {
    /// Caps that fit the process's descriptor limit: half of it for
    /// connections (at most 8,192), a quarter of those unproven.
    fn default() -> Limits {
        let descriptors = descriptor_limit();
        let max_connections = (descriptors / 2).clamp(64, 8192);
        Limits {
            max_connections,
            max_unproven: (max_connections / 4).clamp(16, 2048),
            first_request_timeout: Duration::from_secs(10),
            // kube-apiserver's ReadHeaderTimeout.
            header_read_timeout: Duration::from_secs(32),
            max_concurrent_streams: 1000,
        }
    }
}

/// How many descriptors this process may open (its soft RLIMIT_NOFILE).
fn descriptor_limit() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given, nothing else.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    if read {
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    } else {
        1024
    }
}

/// An HTTP/1.1 and HTTP/2 connection builder with `limits`' timeouts; dead
/// HTTP/2 peers are found by pings.
pub fn http_builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.max_concurrent_streams)
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(20));
    builder
}

/// Accepts connections on `listener` until `shutdown` turns true, completes
/// each one's TLS handshake, and hands it to `serve` (which runs until the
/// connection ends and calls [`Opened::request`] on each request it
/// receives). Connections past the cap are closed as soon as they are
/// accepted, so the listen backlog never fills behind them.
pub async fn accept_tls<F, Fut>(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
    serve: F,
) where
    F: Fn(TlsStream<TcpStream>, Opened) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let unproven = Arc::new(Unproven::default());
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(err) => {
                // Out of descriptors and the like: back off, keep serving.
                tracing::warn!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = open.clone().try_acquire_owned() else {
            tracing::debug!("connection refused: too many open connections");
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let (opened, evicted) = unproven.admit(limits.max_unproven.max(1));
        let acceptor = acceptor.clone();
        let serve = serve.clone();
        let first_request_timeout = limits.first_request_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            let proven = opened.proven.clone();
            let connection = async move {
                match acceptor.accept(tcp).await {
                    Ok(stream) => serve(stream, opened).await,
                    Err(err) => tracing::debug!(error = %err, "TLS handshake failed"),
                }
            };
            // Until its first request, the connection may be closed for
            // being late or for being the oldest unproven one.
            let unproven_end = async {
                tokio::select! {
                    _ = tokio::time::sleep(first_request_timeout) => {}
                    result = evicted => {
                        if result.is_err() {
                            // Proven: nothing ends it from here.
                            std::future::pending::<()>().await;
                        }
                    }
                }
                if proven.load(Ordering::Acquire) {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                _ = connection => {}
                _ = unproven_end => tracing::debug!("connection closed: no request in time"),
            }
        });
    }
}

/// Serves one accepted connection with `service` (HTTP/1.1 with upgrades,
/// or HTTP/2) until it ends or `shutdown` turns true.
pub async fn serve_connection<S, B>(
    builder: &auto::Builder<TokioExecutor>,
    stream: TlsStream<TcpStream>,
    service: S,
    mut shutdown: watch::Receiver<bool>,
) where
    S: hyper::service::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = hyper::Response<B>,
        > + Send,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = StallLimit::new(stream, WRITE_STALL_TIMEOUT);
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(err) = result {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        }
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
}

/// A stream whose writes fail once they have made no progress for `limit`
/// (the peer's receive window stayed shut), so the connection ends.
pub struct StallLimit<S> {
    inner: S,
    limit: Duration,
    /// Since when writes have been waiting, when they are.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> StallLimit<S> {
    pub fn new(inner: S, limit: Duration) -> StallLimit<S> {
        StallLimit {
            inner,
            limit,
            stalled: None,
        }
    }

    /// What a write that could not proceed reports: still waiting, or an
    /// error once it has waited `limit`.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let limit = self.limit;
        let deadline = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the peer took nothing written to it in time",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progress<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Pending => self.waiting(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallLimit<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallLimit<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.progress(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.progress(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.progress(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.progress(cx, poll)
    }
}

/// The connections that have not sent a whole request yet, oldest first,
/// each with the sender that closes it.
#[derive(Default)]
struct Unproven {
    next: AtomicU64,
    waiting: Mutex<VecDeque<(u64, oneshot::Sender<()>)>>,
}

impl Unproven {
    /// Enrols a new connection, closing the oldest unproven one if `max`
    /// are waiting already.
    fn admit(self: &Arc<Self>, max: usize) -> (Opened, oneshot::Receiver<()>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (close, closed) = oneshot::channel();
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        while waiting.len() >= max {
            if let Some((_, oldest)) = waiting.pop_front() {
                let _ = oldest.send(());
            }
        }
        waiting.push_back((id, close));
        let opened = Opened {
            id,
            proven: Arc::new(AtomicBool::new(false)),
            pool: self.clone(),
        };
        (opened, closed)
    }
}

/// A connection's standing: [`Opened::request`] marks it as having sent a
/// whole request, after which only its protocol's own timeouts apply.
#[derive(Clone)]
pub struct Opened {
    id: u64,
    proven: Arc<AtomicBool>,
    pool: Arc<Unproven>,
}

impl Opened {
    /// Called by the server for each request the connection brings.
    pub fn request(&self) {
        if self.proven.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut waiting = self.pool.waiting.lock().unwrap_or_else(|e| e.into_inner());
        // Dropping its sender tells the connection it is proven.
        waiting.retain(|(id, _)| *id != self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_fit_the_descriptor_limit() {
        let limits = Limits::default();
        assert!(limits.max_connections <= descriptor_limit().max(128) / 2 + 64);
        assert!(limits.max_unproven <= limits.max_connections);
    }

    #[test]
    fn the_oldest_unproven_connection_makes_room() {
        let pool = Arc::new(Unproven::default());
        let (first, mut first_closed) = pool.admit(2);
        let (second, mut second_closed) = pool.admit(2);
        second.request();
        // Proven: its sender is gone, not fired.
        assert!(matches!(
            second_closed.try_recv(),
            Err(oneshot::error::TryRecvError::Closed)
        ));
        let (_third, mut third_closed) = pool.admit(2);
        assert!(first_closed.try_recv().is_err());
        let (_fourth, _) = pool.admit(2);
        // The pool held `first` and `third`; the oldest went.
        assert_eq!(first_closed.try_recv(), Ok(()));
        assert!(third_closed.try_recv().is_err());
        drop(first);
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_that_reads_nothing_is_cut_off() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (near, mut far) = tokio::io::duplex(1024);
        let mut near = StallLimit::new(near, Duration::from_secs(60));
        let chunk = [7u8; 512];
        // A peer that reads, however slowly, keeps the connection.
        for _ in 0..10 {
            near.write_all(&chunk).await.expect("room to write");
            tokio::time::sleep(Duration::from_secs(50)).await;
            let mut taken = [0u8; 512];
            far.read_exact(&mut taken).await.expect("the peer reads");
        }
        // One that stops: the write waiting for room fails after the limit.
        near.write_all(&chunk).await.expect("room to write");
        near.write_all(&chunk).await.expect("room to write");
        let started = tokio::time::Instant::now();
        let stalled = near.write_all(&chunk).await;
        assert_eq!(stalled.map_err(|e| e.kind()), Err(io::ErrorKind::TimedOut));
        assert!(started.elapsed() >= Duration::from_secs(60));
    }
}
