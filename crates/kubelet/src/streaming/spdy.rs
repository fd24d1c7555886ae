//! SPDY/3.1, as far as Kubernetes' streaming uses it: a connection
//! carries streams the client opens (SYN_STREAM with headers naming what
//! each is for), the server accepts each (SYN_REPLY), and both send DATA
//! frames, a FIN flag half-closing a stream. Header blocks are zlib
//! streams, one per direction for the whole connection, primed with the
//! protocol's dictionary. Flow control is not enforced in either
//! direction, as Kubernetes' own SPDY library does not.
//!
//! Used for exec over SPDY (`v4.channel.k8s.io` and older, which kubectl
//! falls back to) and for port-forward (`portforward.k8s.io`), directly
//! after an `Upgrade: SPDY/3.1` or tunnelled through a WebSocket.

use std::collections::HashMap;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use hyper::body::{Bytes, Incoming};
use hyper::header::UPGRADE;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::exec::{Input, Output, Start, drive, failure_status};
use crate::runtime::StreamOptions;
use crate::server::{Body, text};

const VERSION: u16 = 3;
const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const FLAG_FIN: u8 = 0x01;
/// RST_STREAM status: the stream is refused or unknown.
const REFUSED_STREAM: u32 = 3;
/// Frames larger than this are refused (the protocol's limit is 16 MiB).
const MAX_FRAME: usize = 1 << 24;
/// Data frames are sent in pieces of at most this much.
const DATA_CHUNK: usize = 32 * 1024;

/// The exec protocols served over SPDY, preferred first.
const EXEC_PROTOCOLS: &[&str] = &[
    "v4.channel.k8s.io",
    "v3.channel.k8s.io",
    "v2.channel.k8s.io",
    "channel.k8s.io",
];

/// The header-compression dictionary of SPDY/3: the protocol's common
/// header names and values, each with a 4-byte length, then a run of
/// frequent literals.
fn dictionary() -> &'static [u8] {
    static DICTIONARY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DICTIONARY.get_or_init(|| {
        const WORDS: &[&str] = &[
            "options",
            "head",
            "post",
            "put",
            "delete",
            "trace",
            "accept",
            "accept-charset",
            "accept-encoding",
            "accept-language",
            "accept-ranges",
            "age",
            "allow",
            "authorization",
            "cache-control",
            "connection",
            "content-base",
            "content-encoding",
            "content-language",
            "content-length",
            "content-location",
            "content-md5",
            "content-range",
            "content-type",
            "date",
            "etag",
            "expect",
            "expires",
            "from",
            "host",
            "if-match",
            "if-modified-since",
            "if-none-match",
            "if-range",
            "if-unmodified-since",
            "last-modified",
            "location",
            "max-forwards",
            "pragma",
            "proxy-authenticate",
            "proxy-authorization",
            "range",
            "referer",
            "retry-after",
            "server",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "user-agent",
            "vary",
            "via",
            "warning",
            "www-authenticate",
            "method",
            "get",
            "status",
            "200 OK",
            "version",
            "HTTP/1.1",
            "url",
            "public",
            "set-cookie",
            "keep-alive",
            "origin",
        ];
        const TAIL: &str = concat!(
            "100101201202205206300302303304305306307402405406407408409410411412413414",
            "415416417502504505203 Non-Authoritative Information204 No Content",
            "301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden",
            "404 Not Found500 Internal Server Error501 Not Implemented",
            "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec",
            " 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,",
            "image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,",
            "text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch",
            "charset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
        );
        let mut out = Vec::new();
        for word in WORDS {
            out.extend_from_slice(&(word.len() as u32).to_be_bytes());
            out.extend_from_slice(word.as_bytes());
        }
        out.extend_from_slice(TAIL.as_bytes());
        out
    })
}

/// Whether the request asks to upgrade to SPDY/3.1.
pub fn is_upgrade(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("SPDY/3.1"))
}

/// Answers an `Upgrade: SPDY/3.1` with the first of `supported` the
/// client offers in `X-Stream-Protocol-Version`.
#[allow(clippy::result_large_err)]
pub fn handshake(
    request: &mut Request<Incoming>,
    supported: &[&str],
) -> Result<(Response<Body>, String, hyper::upgrade::OnUpgrade), Response<Body>> {
    let protocol = match super::negotiate(request, "x-stream-protocol-version", supported) {
        Ok(protocol) => protocol,
        Err(offered) => {
            return Err(text(
                StatusCode::FORBIDDEN,
                format!(
                    "unable to upgrade: unable to negotiate protocol: client supports {offered:?}, server supports {supported:?}"
                ),
            ));
        }
    };
    let on_upgrade = hyper::upgrade::on(request);
    let response = super::switching("SPDY/3.1", &[("x-stream-protocol-version", &protocol)]);
    Ok((response, protocol, on_upgrade))
}

/// A frame on its way out.
enum Frame {
    Reply(u32),
    Data { stream: u32, data: Bytes, fin: bool },
    Reset(u32),
    Ping(u32),
}

/// Sends frames on the connection (cheap to clone).
#[derive(Clone)]
pub struct Writer(mpsc::Sender<Frame>);

/// A stream the client opened.
pub struct Stream {
    pub id: u32,
    headers: Vec<(String, String)>,
    /// What the client sends on it; ends at its FIN (or a reset).
    pub data: mpsc::Receiver<Bytes>,
    writer: Writer,
}

impl Stream {
    /// The value of a header of the stream's SYN_STREAM.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Accepts the stream (the client waits for this).
    pub async fn reply(&self) -> bool {
        self.writer.0.send(Frame::Reply(self.id)).await.is_ok()
    }

    /// The stream's sending half, usable apart from its data.
    pub fn sender(&self) -> StreamSender {
        StreamSender {
            id: self.id,
            writer: self.writer.clone(),
        }
    }
}

/// Writes one stream's data.
#[derive(Clone)]
pub struct StreamSender {
    id: u32,
    writer: Writer,
}

impl StreamSender {
    /// Sends `data`; false once the connection is gone.
    pub async fn write(&self, data: &[u8]) -> bool {
        for chunk in data.chunks(DATA_CHUNK) {
            let frame = Frame::Data {
                stream: self.id,
                data: Bytes::copy_from_slice(chunk),
                fin: false,
            };
            if self.writer.0.send(frame).await.is_err() {
                return false;
            }
        }
        true
    }

    /// Half-closes the stream (FIN).
    pub async fn close(&self) {
        let _ = self
            .writer
            .0
            .send(Frame::Data {
                stream: self.id,
                data: Bytes::new(),
                fin: true,
            })
            .await;
    }

    /// Resets the stream.
    pub async fn reset(&self) {
        let _ = self.writer.0.send(Frame::Reset(self.id)).await;
    }
}

/// Runs the SPDY server side of `io`; the streams the client opens come
/// out of the returned receiver (which ends with the connection).
pub fn serve<IO>(io: IO) -> mpsc::Receiver<Stream>
where
    IO: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, write) = tokio::io::split(io);
    let (frames, outgoing) = mpsc::channel::<Frame>(64);
    let (streams_tx, streams) = mpsc::channel::<Stream>(16);
    let writer = Writer(frames);
    tokio::spawn(write_frames(write, outgoing));
    tokio::spawn(read_frames(read, writer, streams_tx));
    streams
}

async fn write_frames<W: AsyncWrite + Unpin>(mut io: W, mut outgoing: mpsc::Receiver<Frame>) {
    let mut compressor = Compress::new(Compression::default(), true);
    if compressor.set_dictionary(dictionary()).is_err() {
        return;
    }
    while let Some(frame) = outgoing.recv().await {
        let bytes = match frame {
            Frame::Reply(stream) => {
                // An empty header block: zero name/value pairs.
                let Some(block) = compress(&mut compressor, &0u32.to_be_bytes()) else {
                    return;
                };
                let mut payload = stream.to_be_bytes().to_vec();
                payload.extend_from_slice(&block);
                control(SYN_REPLY, 0, &payload)
            }
            Frame::Data { stream, data, fin } => {
                let mut out = Vec::with_capacity(8 + data.len());
                out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
                out.push(if fin { FLAG_FIN } else { 0 });
                out.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
                out.extend_from_slice(&data);
                out
            }
            Frame::Reset(stream) => {
                let mut payload = stream.to_be_bytes().to_vec();
                payload.extend_from_slice(&REFUSED_STREAM.to_be_bytes());
                control(RST_STREAM, 0, &payload)
            }
            Frame::Ping(id) => control(PING, 0, &id.to_be_bytes()),
        };
        if io.write_all(&bytes).await.is_err() || io.flush().await.is_err() {
            return;
        }
    }
    let _ = io.shutdown().await;
}

fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&(0x8000 | VERSION).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(payload);
    out
}

fn compress(compressor: &mut Compress, input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() + 64);
    let before = compressor.total_in();
    loop {
        let consumed = (compressor.total_in() - before) as usize;
        out.reserve(256);
        compressor
            .compress_vec(&input[consumed..], &mut out, FlushCompress::Sync)
            .ok()?;
        let consumed = (compressor.total_in() - before) as usize;
        // A sync flush is complete once all input is in and room was left.
        if consumed == input.len() && out.len() < out.capacity() {
            return Some(out);
        }
    }
}

/// The largest header block, decompressed, a client may send: a stream's
/// headers are a handful of short names and values.
const MAX_HEADER_BLOCK: usize = 64 * 1024;
/// The largest control frame a client may send (its header block still
/// compressed).
const MAX_CONTROL_FRAME: usize = 64 * 1024;
/// The most streams one connection may hold open at once (port-forward
/// opens two per forwarded connection).
const MAX_OPEN_STREAMS: usize = 1024;

/// Inflates one header block; `None` for a corrupt block or one that would
/// inflate past `MAX_HEADER_BLOCK` (a compression bomb).
fn decompress(decompressor: &mut Decompress, input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity((input.len() * 4 + 64).min(MAX_HEADER_BLOCK));
    let before = decompressor.total_in();
    let mut progress = (u64::MAX, usize::MAX);
    loop {
        let consumed = (decompressor.total_in() - before) as usize;
        if consumed == input.len() && out.len() < out.capacity() {
            return Some(out);
        }
        // Stuck (a corrupt block): give up rather than spin.
        if progress == (decompressor.total_in(), out.len()) {
            return None;
        }
        progress = (decompressor.total_in(), out.len());
        if out.len() >= MAX_HEADER_BLOCK {
            return None;
        }
        // Never more room than the cap leaves, so one call cannot overshoot.
        out.reserve_exact(1024.min(MAX_HEADER_BLOCK - out.len()));
        match decompressor.decompress_vec(&input[consumed..], &mut out, FlushDecompress::Sync) {
            Ok(Status::Ok | Status::BufError | Status::StreamEnd) => {}
            Err(err) if err.needs_dictionary().is_some() => {
                decompressor.set_dictionary(dictionary()).ok()?;
            }
            Err(_) => return None,
        }
    }
}

/// A header block: a count, then length-prefixed names and values.
fn parse_headers(block: &[u8]) -> Option<Vec<(String, String)>> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let piece = block.get(at..at.checked_add(n)?)?;
        at += n;
        Some(piece)
    };
    let count = u32::from_be_bytes(take(4)?.try_into().ok()?);
    let mut headers = Vec::new();
    for _ in 0..count {
        let len = u32::from_be_bytes(take(4)?.try_into().ok()?) as usize;
        let name = String::from_utf8_lossy(take(len)?).into_owned();
        let len = u32::from_be_bytes(take(4)?.try_into().ok()?) as usize;
        let value = String::from_utf8_lossy(take(len)?).into_owned();
        // Several values of one header are separated by NULs.
        for value in value.split('\0') {
            headers.push((name.clone(), value.to_string()));
        }
    }
    Some(headers)
}

async fn read_frames<R: AsyncRead + Unpin>(
    mut io: R,
    writer: Writer,
    streams: mpsc::Sender<Stream>,
) {
    let mut decompressor = Decompress::new(true);
    let mut open: HashMap<u32, mpsc::Sender<Bytes>> = HashMap::new();
    let mut head = [0u8; 8];
    loop {
        if io.read_exact(&mut head).await.is_err() {
            return;
        }
        let flags = head[4];
        let length = u32::from_be_bytes([0, head[5], head[6], head[7]]) as usize;
        let control = head[0] & 0x80 != 0;
        if length > MAX_FRAME || (control && length > MAX_CONTROL_FRAME) {
            return;
        }
        let mut payload = vec![0u8; length];
        if io.read_exact(&mut payload).await.is_err() {
            return;
        }
        let fin = flags & FLAG_FIN != 0;
        if head[0] & 0x80 == 0 {
            // A data frame.
            let stream = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) & 0x7fff_ffff;
            if let Some(sender) = open.get(&stream)
                && !payload.is_empty()
                && sender.send(Bytes::from(payload)).await.is_err()
            {
                open.remove(&stream);
            }
            if fin {
                open.remove(&stream);
            }
            continue;
        }
        let kind = u16::from_be_bytes([head[2], head[3]]);
        match kind {
            SYN_STREAM if payload.len() >= 10 => {
                let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]])
                    & 0x7fff_ffff;
                let Some(block) = decompress(&mut decompressor, &payload[10..]) else {
                    return;
                };
                let Some(headers) = parse_headers(&block) else {
                    return;
                };
                if open.len() >= MAX_OPEN_STREAMS {
                    let _ = writer.0.send(Frame::Reset(id)).await;
                    continue;
                }
                let (data_tx, data) = mpsc::channel(16);
                if !fin {
                    open.insert(id, data_tx);
                }
                let stream = Stream {
                    id,
                    headers,
                    data,
                    writer: writer.clone(),
                };
                if streams.send(stream).await.is_err() {
                    let _ = writer.0.send(Frame::Reset(id)).await;
                }
            }
            RST_STREAM if payload.len() >= 4 => {
                let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]])
                    & 0x7fff_ffff;
                open.remove(&id);
            }
            PING if payload.len() >= 4 => {
                let id = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
                let _ = writer.0.send(Frame::Ping(id)).await;
            }
            GOAWAY => return,
            // SETTINGS, WINDOW_UPDATE, HEADERS, replies: nothing to do.
            _ => {}
        }
    }
}

/// An exec over SPDY: the client opens one stream per standard stream it
/// wants, plus `error` (the status) and, with a terminal, `resize`.
pub fn accept_exec(
    mut request: Request<Incoming>,
    options: StreamOptions,
    start: Start,
) -> Response<Body> {
    let (response, protocol, on_upgrade) = match handshake(&mut request, EXEC_PROTOCOLS) {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let mut incoming = serve(TokioIo::new(upgraded));
        // The streams asked for, as upstream's server waits for them.
        let expected = 1
            + usize::from(options.stdin)
            + usize::from(options.stdout)
            + usize::from(options.stderr)
            + usize::from(
                options.tty && protocol != "channel.k8s.io" && protocol != "v2.channel.k8s.io",
            );
        let mut by_type: HashMap<String, Stream> = HashMap::new();
        let gathering = async {
            while by_type.len() < expected {
                let Some(stream) = incoming.recv().await else {
                    return false;
                };
                let kind = stream.header("streamtype").unwrap_or_default().to_string();
                if !stream.reply().await {
                    return false;
                }
                by_type.insert(kind, stream);
            }
            true
        };
        let gathered = tokio::time::timeout(std::time::Duration::from_secs(30), gathering)
            .await
            .unwrap_or(false);
        if !gathered {
            return;
        }
        let error = by_type.remove("error").map(|s| s.sender());
        let (process, command) = start.await;
        let process = match process {
            Ok(process) => process,
            Err(err) => {
                if let Some(error) = error {
                    let _ = error
                        .write(failure_status(&err.to_string()).to_string().as_bytes())
                        .await;
                    error.close().await;
                }
                return;
            }
        };
        let (inputs, input_rx) = mpsc::channel::<Input>(16);
        let (output_tx, mut outputs) = mpsc::channel::<Output>(16);
        tokio::spawn(drive(process, command, input_rx, output_tx));
        if let Some(mut stdin) = by_type.remove("stdin") {
            let inputs = inputs.clone();
            tokio::spawn(async move {
                while let Some(data) = stdin.data.recv().await {
                    if inputs.send(Input::Stdin(data)).await.is_err() {
                        return;
                    }
                }
                // The client's FIN on stdin.
                let _ = inputs.send(Input::CloseStdin).await;
            });
        }
        if let Some(mut resize) = by_type.remove("resize") {
            let inputs = inputs.clone();
            tokio::spawn(async move {
                let mut pending = Vec::new();
                while let Some(data) = resize.data.recv().await {
                    pending.extend_from_slice(&data);
                    // Sizes arrive as concatenated JSON objects.
                    let mut objects =
                        serde_json::Deserializer::from_slice(&pending).into_iter::<Value>();
                    let mut used = 0;
                    while let Some(Ok(size)) = objects.next() {
                        used = objects.byte_offset();
                        let columns =
                            size["Width"].as_u64().unwrap_or(80).min(u16::MAX.into()) as u16;
                        let rows =
                            size["Height"].as_u64().unwrap_or(24).min(u16::MAX.into()) as u16;
                        if inputs.send(Input::Resize(columns, rows)).await.is_err() {
                            return;
                        }
                    }
                    pending.drain(..used);
                }
            });
        }
        // The connection's end (no more streams, the client gone) ends the
        // inputs, which kills the command.
        tokio::spawn(async move {
            while incoming.recv().await.is_some() {}
            drop(inputs);
        });
        let stdout = by_type.remove("stdout").map(|s| s.sender());
        let stderr = by_type.remove("stderr").map(|s| s.sender());
        while let Some(output) = outputs.recv().await {
            match output {
                Output::Stdout(data) => {
                    if let Some(out) = &stdout {
                        out.write(&data).await;
                    }
                }
                Output::Stderr(data) => {
                    if let Some(err) = &stderr {
                        err.write(&data).await;
                    }
                }
                Output::Status(status) => {
                    for stream in [&stdout, &stderr].into_iter().flatten() {
                        stream.close().await;
                    }
                    if let Some(error) = &error {
                        error.write(status.to_string().as_bytes()).await;
                        error.close().await;
                    }
                    break;
                }
            }
        }
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_spdy_3s() {
        let dictionary = dictionary();
        assert_eq!(dictionary.len(), 1423);
        assert!(dictionary.starts_with(b"\x00\x00\x00\x07options\x00\x00\x00\x04head"));
        assert!(dictionary.ends_with(b"utf-,*,enq=0."));
    }

    #[test]
    fn header_blocks_survive_compression() {
        let mut block = 2u32.to_be_bytes().to_vec();
        for (name, value) in [("streamtype", "data"), ("port", "8080\x009090")] {
            block.extend_from_slice(&(name.len() as u32).to_be_bytes());
            block.extend_from_slice(name.as_bytes());
            block.extend_from_slice(&(value.len() as u32).to_be_bytes());
            block.extend_from_slice(value.as_bytes());
        }
        let mut compressor = Compress::new(Compression::default(), true);
        compressor.set_dictionary(dictionary()).unwrap();
        let mut decompressor = Decompress::new(true);
        for _ in 0..3 {
            let packed = compress(&mut compressor, &block).unwrap();
            let unpacked = decompress(&mut decompressor, &packed).unwrap();
            assert_eq!(unpacked, block);
        }
        let headers = parse_headers(&block).unwrap();
        assert_eq!(
            headers,
            [
                ("streamtype".to_string(), "data".to_string()),
                ("port".to_string(), "8080".to_string()),
                ("port".to_string(), "9090".to_string()),
            ]
        );
    }

    #[test]
    fn a_compressed_header_bomb_is_refused() {
        // 16 MiB of zeros compress to a few kilobytes.
        let block = vec![0u8; 16 << 20];
        let mut compressor = Compress::new(Compression::best(), true);
        compressor.set_dictionary(dictionary()).unwrap();
        let packed = compress(&mut compressor, &block).unwrap();
        assert!(packed.len() < MAX_CONTROL_FRAME, "{}", packed.len());
        let mut decompressor = Decompress::new(true);
        assert_eq!(decompress(&mut decompressor, &packed), None);

        // A block just under the cap still inflates.
        let block = vec![0u8; MAX_HEADER_BLOCK - 1];
        let mut compressor = Compress::new(Compression::best(), true);
        compressor.set_dictionary(dictionary()).unwrap();
        let packed = compress(&mut compressor, &block).unwrap();
        let mut decompressor = Decompress::new(true);
        assert_eq!(
            decompress(&mut decompressor, &packed).map(|b| b.len()),
            Some(block.len())
        );
    }
}
