//! Scenario `store`: concurrent writers of 1 KiB values against the SQLite
//! store and a single-member etcd started for the run (both fsync every
//! commit), with one watcher on the written prefix.
//!
//! Figures per backend and writer count: `writes_per_s`, `write_p50_ms`,
//! `write_p99_ms`, `watch_delivery_p99_ms` — the time from a write's
//! acknowledgement to its event reaching the watcher (0 when the event
//! arrived before the writer saw the acknowledgement) — and
//! `watch_from_request_p99_ms`, from the moment the write was sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use store::etcd::{EtcdOptions, EtcdStore};
use store::sqlite::SqliteStore;
use store::testing::EtcdCluster;
use store::{Revision, SharedStore};

use crate::report::{figure, millis, quantile};

#[derive(clap::Args)]
pub struct Args {
    /// Seconds of writing per case.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Writer counts to run.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    writers: Vec<usize>,
    /// Backends to run.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,etcd")]
    backends: Vec<String>,
}

const VALUE_BYTES: usize = 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub async fn run(args: Args) -> Result<(), BoxError> {
    let duration = Duration::from_secs_f64(args.seconds);
    for backend in &args.backends {
        for &writers in &args.writers {
            // A fresh store per case, so each starts from the same state.
            let (store, _guard) = open(backend).await?;
            let case = format!("{backend}/{writers}-writers");
            measure(store, &case, writers, duration).await?;
        }
    }
    Ok(())
}

/// Keeps the temporary directory or etcd process of a case alive.
enum Guard {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Etcd(#[allow(dead_code)] EtcdCluster),
}

async fn open(backend: &str) -> Result<(SharedStore, Guard), BoxError> {
    match backend {
        "sqlite" => {
            let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
            let store = SqliteStore::open_dir(dir.path())?;
            Ok((Arc::new(store), Guard::Dir(dir)))
        }
        "etcd" => {
            let cluster = tokio::task::spawn_blocking(|| EtcdCluster::start(1)).await??;
            let store = EtcdStore::connect(EtcdOptions::new(cluster.endpoints())).await?;
            Ok((Arc::new(store), Guard::Etcd(cluster)))
        }
        other => Err(format!("unknown backend {other:?} (sqlite, etcd)").into()),
    }
}

async fn measure(
    store: SharedStore,
    case: &str,
    writers: usize,
    duration: Duration,
) -> Result<(), BoxError> {
    // Per revision: when its write was sent and when it was acknowledged.
    let acked: Arc<Mutex<HashMap<Revision, (Instant, Instant)>>> = Arc::default();
    let mut watch = store.watch("/bench/", 0).await?;
    // The watcher runs until it has seen the last written revision.
    let (last_tx, mut last_rx) = tokio::sync::watch::channel(Revision::MAX);
    let watcher = tokio::spawn(async move {
        let mut received: Vec<(Revision, Instant)> = Vec::new();
        loop {
            let target = *last_rx.borrow_and_update();
            if received.last().is_some_and(|(r, _)| *r >= target) {
                return received;
            }
            tokio::select! {
                item = watch.next() => match item {
                    Some(Ok(event)) => received.push((event.revision(), Instant::now())),
                    _ => return received,
                },
                _ = last_rx.changed() => {}
            }
        }
    });

    let value = vec![b'v'; VALUE_BYTES];
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            let acked = acked.clone();
            let value = value.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let key = format!("/bench/w{w}/k{n}");
                    let begin = Instant::now();
                    let revision = store.create(&key, value.clone()).await?;
                    let done = Instant::now();
                    latencies.push(done - begin);
                    if let Ok(mut acked) = acked.lock() {
                        acked.insert(revision, (begin, done));
                    }
                    n += 1;
                }
                Ok::<_, store::StoreError>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    let last = store.current_revision().await?;
    let _ = last_tx.send(last);
    let received = tokio::time::timeout(Duration::from_secs(30), watcher)
        .await
        .map_err(|_| format!("{case}: the watcher did not receive every event within 30 s"))??;

    let writes = latencies.len();
    figure(
        "store",
        case,
        "writes_per_s",
        writes as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
    if let Some(p50) = quantile(&mut latencies, 0.50) {
        figure("store", case, "write_p50_ms", millis(p50), "ms");
    }
    if let Some(p99) = quantile(&mut latencies, 0.99) {
        figure("store", case, "write_p99_ms", millis(p99), "ms");
    }
    let acked = acked.lock().map_err(|_| "acknowledgement map poisoned")?;
    let mut deliveries = Vec::with_capacity(received.len());
    let mut from_request = Vec::with_capacity(received.len());
    for (revision, at) in &received {
        if let Some((sent, ack)) = acked.get(revision) {
            deliveries.push(at.saturating_duration_since(*ack));
            from_request.push(at.saturating_duration_since(*sent));
        }
    }
    if deliveries.len() != writes {
        return Err(format!(
            "{case}: the watcher saw {} of {writes} writes",
            deliveries.len()
        )
        .into());
    }
    if let Some(p99) = quantile(&mut deliveries, 0.99) {
        figure("store", case, "watch_delivery_p99_ms", millis(p99), "ms");
    }
    if let Some(p99) = quantile(&mut from_request, 0.99) {
        figure(
            "store",
            case,
            "watch_from_request_p99_ms",
            millis(p99),
            "ms",
        );
    }
    Ok(())
}
