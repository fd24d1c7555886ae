//! The etcd backend: the same contract on a real etcd v3 cluster.
//!
//! Writes are etcd transactions comparing `mod_revision`, so compare-and-swap
//! is enforced by etcd itself; watches are etcd watches with `prev_kv`,
//! re-established from the last delivered revision when a member goes away.
//! Every request has a deadline, so a cluster that is down gives errors,
//! never hangs.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use etcd_client::{
    Certificate, Client, Compare, CompareOp, ConnectOptions, DeleteOptions, EventType, GetOptions,
    Identity, TlsOptions, Txn, TxnOp, TxnOpResponse, WatchOptions, WatchResponse,
};
use tokio::sync::mpsc;
use tonic::Code;

use crate::keys::{prefix_range_end, range_start, validate_key, validate_prefix, validate_value};
use crate::{
    KeyValue, RangeOptions, RangeResult, Result, Revision, Store, StoreError, WatchEvent,
    WatchStream,
};

/// How to reach the etcd cluster.
#[derive(Clone, Debug)]
pub struct EtcdOptions {
    /// Client URLs of the members (`http://host:2379` or `https://...`).
    pub endpoints: Vec<String>,
    /// CA bundle that signed the members' serving certificates.
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key, when the cluster requires them.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Deadline of each request.
    pub request_timeout: Duration,
    /// Deadline of establishing a connection to a member.
    pub dial_timeout: Duration,
}

impl EtcdOptions {
    pub fn new(endpoints: Vec<String>) -> Self {
        EtcdOptions {
            endpoints,
            ca_file: None,
            cert_file: None,
            key_file: None,
            request_timeout: Duration::from_secs(5),
            dial_timeout: Duration::from_secs(2),
        }
    }
}

/// Largest gRPC response accepted from etcd.
const MAX_RESPONSE_BYTES: usize = i32::MAX as usize;

pub struct EtcdStore {
    client: Client,
    timeout: Duration,
}

fn read_file(path: &PathBuf) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| StoreError::InvalidArgument(format!("{}: {e}", path.display())))
}

impl EtcdStore {
    /// Connects to the cluster. Members are tried in turn; requests go to
    /// whichever is reachable.
    pub async fn connect(options: EtcdOptions) -> Result<Self> {
        if options.endpoints.is_empty() {
            return Err(StoreError::InvalidArgument(
                "no etcd endpoints given".to_string(),
            ));
        }
        let mut connect = ConnectOptions::new()
            .with_connect_timeout(options.dial_timeout)
            .with_timeout(options.request_timeout)
            // Pings no more often than etcd's keepalive policy allows
            // (--grpc-keepalive-min-time, 5 s): more and it drops the connection.
            .with_keep_alive(Duration::from_secs(30), Duration::from_secs(10))
            .with_require_leader(true);
        let uses_tls = options.endpoints.iter().any(|e| e.starts_with("https://"));
        if uses_tls || options.ca_file.is_some() || options.cert_file.is_some() {
            let mut tls = TlsOptions::new();
            if let Some(ca) = &options.ca_file {
                tls = tls.ca_certificate(Certificate::from_pem(read_file(ca)?));
            }
            match (&options.cert_file, &options.key_file) {
                (Some(cert), Some(key)) => {
                    tls = tls.identity(Identity::from_pem(read_file(cert)?, read_file(key)?));
                }
                (None, None) => {}
                _ => {
                    return Err(StoreError::InvalidArgument(
                        "an etcd client certificate needs both a certificate and a key file"
                            .to_string(),
                    ));
                }
            }
            connect = connect.with_tls(tls);
        }
        let client = tokio::time::timeout(
            options.dial_timeout + options.request_timeout,
            Client::connect(&options.endpoints, Some(connect)),
        )
        .await
        .map_err(|_| StoreError::Unavailable("timed out connecting to etcd".to_string()))?
        .map_err(|e| classify(e, None))?;
        Ok(EtcdStore {
            client,
            timeout: options.request_timeout,
        })
    }

    /// Streams etcd's own snapshot (a bbolt database, as `etcdctl snapshot
    /// save` writes it) from one member to `dest`, which must not exist.
    /// Returns the number of bytes written.
    pub async fn save_snapshot(&self, dest: &std::path::Path) -> Result<u64> {
        use tokio::io::AsyncWriteExt;
        let io = |e: std::io::Error| StoreError::Io(format!("{}: {e}", dest.display()));
        let mut part_name = dest.as_os_str().to_owned();
        part_name.push(".part");
        let part = PathBuf::from(part_name);
        if tokio::fs::try_exists(dest).await.map_err(io)? {
            return Err(StoreError::InvalidArgument(format!(
                "{} already exists; refusing to overwrite it",
                dest.display()
            )));
        }
        // A leftover from an interrupted save.
        let _ = tokio::fs::remove_file(&part).await;
        let mut file = tokio::fs::File::options()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&part)
            .await
            .map_err(io)?;
        let mut maintenance = self.client.maintenance_client();
        let mut stream = self.deadline(maintenance.snapshot()).await?;
        let mut written = 0u64;
        // The whole database streams; allow a deadline per chunk, not in total.
        while let Some(chunk) = self.deadline(stream.message()).await? {
            file.write_all(chunk.blob()).await.map_err(io)?;
            written += chunk.blob().len() as u64;
        }
        file.sync_all().await.map_err(io)?;
        drop(file);
        if tokio::fs::try_exists(dest).await.map_err(io)? {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(StoreError::InvalidArgument(format!(
                "{} already exists; refusing to overwrite it",
                dest.display()
            )));
        }
        tokio::fs::rename(&part, dest).await.map_err(io)?;
        Ok(written)
    }

    /// A KV client that accepts responses of any size a range can produce
    /// (the gRPC default of 4 MiB is less than a large list).
    fn kv(&self) -> etcd_client::KvClient {
        self.client
            .kv_client()
            .max_decoding_message_size(MAX_RESPONSE_BYTES)
    }

    async fn deadline<T>(
        &self,
        call: impl Future<Output = std::result::Result<T, etcd_client::Error>>,
    ) -> Result<T> {
        deadline(self.timeout, call, None).await
    }

    /// The oldest revision etcd still has history for: a watch from revision
    /// 1 is refused with the compaction floor.
    async fn compacted_floor(&self) -> Revision {
        let mut watch = self.client.watch_client();
        let attempt = async {
            let mut stream = watch
                .watch(
                    "/",
                    Some(WatchOptions::new().with_all_keys().with_start_revision(1)),
                )
                .await
                .ok()?;
            // etcd confirms the watch first and reports compaction after.
            loop {
                let response = stream.message().await.ok()??;
                if response.compact_revision() > 0 {
                    return Some(response.compact_revision());
                }
                if !response.events().is_empty() {
                    return Some(0);
                }
            }
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    async fn compacted(&self, requested: Revision) -> StoreError {
        StoreError::Compacted {
            requested,
            compacted: self.compacted_floor().await,
        }
    }
}

async fn deadline<T>(
    timeout: Duration,
    call: impl Future<Output = std::result::Result<T, etcd_client::Error>>,
    requested: Option<Revision>,
) -> Result<T> {
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result.map_err(|e| classify(e, requested)),
        Err(_) => Err(StoreError::Unavailable(format!(
            "etcd did not answer within {timeout:?}"
        ))),
    }
}

/// Maps an etcd client error to a store error.
fn classify(err: etcd_client::Error, requested: Option<Revision>) -> StoreError {
    use etcd_client::Error;
    match &err {
        Error::GRpcStatus(status) => {
            let message = status.message();
            if message.contains("required revision has been compacted") {
                StoreError::Compacted {
                    requested: requested.unwrap_or(0),
                    compacted: 0,
                }
            } else if message.contains("required revision is a future revision") {
                StoreError::FutureRevision {
                    requested: requested.unwrap_or(0),
                    current: 0,
                }
            } else if message.contains("request is too large") {
                StoreError::InvalidArgument(message.to_string())
            } else {
                match status.code() {
                    Code::Unavailable
                    | Code::DeadlineExceeded
                    | Code::Cancelled
                    | Code::Aborted => StoreError::Unavailable(format!("etcd: {message}")),
                    // The connection to the member broke under the request.
                    Code::Unknown if message == "transport error" => {
                        StoreError::Unavailable(format!("etcd: {}", error_chain(status)))
                    }
                    _ => StoreError::Io(format!("etcd: {message}")),
                }
            }
        }
        Error::TransportError(_) | Error::IoError(_) | Error::EndpointError(_) => {
            StoreError::Unavailable(format!("etcd: {}", error_chain(&err)))
        }
        Error::InvalidArgs(_) | Error::InvalidUri(_) => {
            StoreError::InvalidArgument(err.to_string())
        }
        _ => StoreError::Io(format!("etcd: {}", error_chain(&err))),
    }
}

/// An error with its causes, `outer: inner: innermost`.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn convert(path_kv: &etcd_client::KeyValue) -> Result<KeyValue> {
    let key = std::str::from_utf8(path_kv.key())
        .map_err(|_| StoreError::Io("etcd returned a key that is not UTF-8".to_string()))?;
    Ok(KeyValue {
        key: key.to_string(),
        value: path_kv.value().to_vec(),
        create_revision: path_kv.create_revision(),
        mod_revision: path_kv.mod_revision(),
    })
}

fn header_revision(header: Option<&etcd_client::ResponseHeader>) -> Result<Revision> {
    header
        .map(|h| h.revision())
        .ok_or_else(|| StoreError::Io("etcd response without a header".to_string()))
}

/// Why a compare-and-swap failed, from the key's current value.
fn failed_compare(
    key: &str,
    expected: Option<Revision>,
    responses: &[TxnOpResponse],
) -> StoreError {
    let current = responses.iter().find_map(|r| match r {
        TxnOpResponse::Get(get) => get.kvs().first().map(|kv| kv.mod_revision()),
        _ => None,
    });
    match (current, expected) {
        (None, _) => StoreError::NotFound(key.to_string()),
        (Some(actual), Some(expected)) => StoreError::Conflict {
            key: key.to_string(),
            expected,
            actual,
        },
        (Some(actual), None) => StoreError::Conflict {
            key: key.to_string(),
            expected: 0,
            actual,
        },
    }
}

#[async_trait]
impl Store for EtcdStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        validate_key(key)?;
        let mut kv = self.kv();
        let response = self.deadline(kv.get(key, None)).await?;
        response.kvs().first().map(convert).transpose()
    }

    async fn range(&self, prefix: &str, options: RangeOptions) -> Result<RangeResult> {
        validate_prefix(prefix)?;
        let start = range_start(prefix, options.start.as_deref())?;
        let mut get = GetOptions::new().with_range(prefix_range_end(prefix.as_bytes()));
        if options.limit > 0 {
            get = get.with_limit(i64::try_from(options.limit).unwrap_or(i64::MAX));
        }
        let at = options.revision.filter(|r| *r > 0);
        if let Some(revision) = at {
            get = get.with_revision(revision);
        }
        let mut kv = self.kv();
        let response = match deadline(self.timeout, kv.get(start, Some(get)), at).await {
            Err(StoreError::Compacted { requested, .. }) => {
                return Err(self.compacted(requested).await);
            }
            Err(StoreError::FutureRevision { requested, .. }) => {
                return Err(StoreError::FutureRevision {
                    requested,
                    current: self.current_revision().await.unwrap_or(0),
                });
            }
            other => other?,
        };
        let kvs = response
            .kvs()
            .iter()
            .map(convert)
            .collect::<Result<Vec<_>>>()?;
        Ok(RangeResult {
            kvs,
            revision: match at {
                Some(revision) => revision,
                None => header_revision(response.header())?,
            },
            more: response.more(),
            count: response.count(),
        })
    }

    async fn count(&self, prefix: &str) -> Result<i64> {
        validate_prefix(prefix)?;
        let mut kv = self.kv();
        let options = GetOptions::new()
            .with_range(prefix_range_end(prefix.as_bytes()))
            .with_count_only();
        Ok(self.deadline(kv.get(prefix, Some(options))).await?.count())
    }

    async fn create(&self, key: &str, value: Vec<u8>) -> Result<Revision> {
        validate_key(key)?;
        validate_value(key, &value)?;
        let txn = Txn::new()
            .when([Compare::mod_revision(key, CompareOp::Equal, 0)])
            .and_then([TxnOp::put(key, value, None)]);
        let mut kv = self.kv();
        let response = self.deadline(kv.txn(txn)).await?;
        if !response.succeeded() {
            return Err(StoreError::AlreadyExists(key.to_string()));
        }
        header_revision(response.header())
    }

    async fn update(
        &self,
        key: &str,
        value: Vec<u8>,
        expected_mod_revision: Revision,
    ) -> Result<Revision> {
        validate_key(key)?;
        validate_value(key, &value)?;
        let txn = Txn::new()
            .when([
                Compare::mod_revision(key, CompareOp::Equal, expected_mod_revision),
                // A missing key has mod_revision 0: never let an update create it.
                Compare::version(key, CompareOp::Greater, 0),
            ])
            .and_then([TxnOp::put(key, value, None)])
            .or_else([TxnOp::get(key, None)]);
        let mut kv = self.kv();
        let response = self.deadline(kv.txn(txn)).await?;
        if !response.succeeded() {
            return Err(failed_compare(
                key,
                Some(expected_mod_revision),
                &response.op_responses(),
            ));
        }
        header_revision(response.header())
    }

    async fn delete(
        &self,
        key: &str,
        expected_mod_revision: Option<Revision>,
    ) -> Result<(Revision, KeyValue)> {
        validate_key(key)?;
        let compare = match expected_mod_revision {
            Some(expected) => vec![
                Compare::mod_revision(key, CompareOp::Equal, expected),
                Compare::version(key, CompareOp::Greater, 0),
            ],
            None => vec![Compare::version(key, CompareOp::Greater, 0)],
        };
        let txn = Txn::new()
            .when(compare)
            .and_then([TxnOp::delete(
                key,
                Some(DeleteOptions::new().with_prev_key()),
            )])
            .or_else([TxnOp::get(key, None)]);
        let mut kv = self.kv();
        let response = self.deadline(kv.txn(txn)).await?;
        let responses = response.op_responses();
        if !response.succeeded() {
            return Err(failed_compare(key, expected_mod_revision, &responses));
        }
        let prev = responses
            .iter()
            .find_map(|r| match r {
                TxnOpResponse::Delete(delete) => delete.prev_kvs().first().map(convert),
                _ => None,
            })
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(key.to_string()))?;
        Ok((header_revision(response.header())?, prev))
    }

    async fn watch(&self, prefix: &str, from_revision: Revision) -> Result<WatchStream> {
        validate_prefix(prefix)?;
        let next = if from_revision <= 0 {
            self.current_revision().await? + 1
        } else {
            from_revision
        };
        // etcd reports a compacted start revision asynchronously, after it
        // has confirmed the watch; a point read at that revision tells now.
        let mut kv = self.kv();
        let probe = GetOptions::new().with_revision(next).with_keys_only();
        match deadline(self.timeout, kv.get(prefix, Some(probe)), Some(next)).await {
            Ok(_) | Err(StoreError::FutureRevision { .. }) => {}
            Err(StoreError::Compacted { requested, .. }) => {
                return Err(self.compacted(requested).await);
            }
            Err(err) => return Err(err),
        }
        let session = match open_watch(&self.client, prefix, next, self.timeout).await {
            Err(StoreError::Compacted { requested, .. }) => {
                return Err(self.compacted(requested).await);
            }
            other => other?,
        };
        let (tx, rx) = mpsc::channel(1024);
        let watcher = Watcher {
            client: self.client.clone(),
            prefix: prefix.to_string(),
            next,
            timeout: self.timeout,
            tx,
        };
        tokio::spawn(watcher.run(session));
        Ok(Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx)))
    }

    async fn current_revision(&self) -> Result<Revision> {
        let mut kv = self.kv();
        let response = self
            .deadline(kv.get("/", Some(GetOptions::new().with_count_only())))
            .await?;
        header_revision(response.header())
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        let mut kv = self.kv();
        match deadline(self.timeout, kv.compact(revision, None), Some(revision)).await {
            Ok(_) => Ok(()),
            Err(StoreError::Compacted { requested, .. }) => Err(self.compacted(requested).await),
            Err(StoreError::FutureRevision { requested, .. }) => Err(StoreError::FutureRevision {
                requested,
                current: self.current_revision().await.unwrap_or(0),
            }),
            Err(err) => Err(err),
        }
    }

    fn backend(&self) -> &'static str {
        "etcd"
    }
}

/// Opens an etcd watch from `from` and waits for etcd to confirm it.
async fn open_watch(
    client: &Client,
    prefix: &str,
    from: Revision,
    timeout: Duration,
) -> Result<etcd_client::WatchStream> {
    let options = WatchOptions::new()
        .with_range(prefix_range_end(prefix.as_bytes()))
        .with_start_revision(from)
        .with_prev_key();
    let mut watch = client
        .watch_client()
        .max_decoding_message_size(MAX_RESPONSE_BYTES);
    let mut stream = deadline(timeout, watch.watch(prefix, Some(options)), Some(from)).await?;
    let created = deadline(timeout, stream.message(), Some(from)).await?;
    match created {
        Some(response) if response.compact_revision() > 0 => Err(StoreError::Compacted {
            requested: from,
            compacted: response.compact_revision(),
        }),
        Some(response) if response.canceled() => Err(StoreError::Unavailable(format!(
            "etcd cancelled the watch: {}",
            response.cancel_reason()
        ))),
        Some(_) => Ok(stream),
        None => Err(StoreError::Unavailable(
            "etcd closed the watch stream".to_string(),
        )),
    }
}

struct Watcher {
    client: Client,
    prefix: String,
    /// The next revision owed to the consumer.
    next: Revision,
    timeout: Duration,
    tx: mpsc::Sender<Result<WatchEvent>>,
}

enum Step {
    Continue,
    Reconnect,
    Stop,
}

impl Watcher {
    async fn run(mut self, mut session: etcd_client::WatchStream) {
        loop {
            let message = tokio::select! {
                message = session.message() => message,
                _ = self.tx.closed() => return,
            };
            let step = match message {
                Ok(Some(response)) => self.handle(response).await,
                Ok(None) | Err(_) => Step::Reconnect,
            };
            match step {
                Step::Continue => {}
                Step::Stop => return,
                Step::Reconnect => match self.reconnect().await {
                    Some(resumed) => session = resumed,
                    None => return,
                },
            }
        }
    }

    async fn handle(&mut self, response: WatchResponse) -> Step {
        if response.compact_revision() > 0 {
            let _ = self
                .tx
                .send(Err(StoreError::Compacted {
                    requested: self.next,
                    compacted: response.compact_revision(),
                }))
                .await;
            return Step::Stop;
        }
        if response.canceled() {
            return Step::Reconnect;
        }
        for event in response.events() {
            let Some(kv) = event.kv() else { continue };
            if kv.mod_revision() < self.next {
                continue;
            }
            let converted = match event.event_type() {
                EventType::Put => convert(kv).and_then(|kv| {
                    let prev = event.prev_kv().map(convert).transpose()?;
                    Ok(WatchEvent::Put { kv, prev })
                }),
                EventType::Delete => match event.prev_kv() {
                    Some(prev) => convert(prev).and_then(|prev| {
                        Ok(WatchEvent::Delete {
                            key: convert(kv)?.key,
                            revision: kv.mod_revision(),
                            prev,
                        })
                    }),
                    None => Err(StoreError::Io(format!(
                        "etcd delete event at revision {} without the previous value",
                        kv.mod_revision()
                    ))),
                },
            };
            let failed = converted.is_err();
            self.next = kv.mod_revision() + 1;
            if self.tx.send(converted).await.is_err() || failed {
                return Step::Stop;
            }
        }
        Step::Continue
    }

    /// Re-opens the watch from the next owed revision, with back-off, until
    /// it works, the history is gone, or the consumer leaves.
    async fn reconnect(&mut self) -> Option<etcd_client::WatchStream> {
        let mut backoff = Duration::from_millis(100);
        loop {
            match open_watch(&self.client, &self.prefix, self.next, self.timeout).await {
                Ok(session) => return Some(session),
                Err(err @ StoreError::Compacted { .. }) => {
                    let _ = self.tx.send(Err(err)).await;
                    return None;
                }
                Err(err) => {
                    tracing::debug!(error = %err, prefix = %self.prefix, "etcd watch interrupted; retrying");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = self.tx.closed() => return None,
            }
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    }
}
