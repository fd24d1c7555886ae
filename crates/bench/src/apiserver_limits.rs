//! The `apiserver` scenario's load cases (SQLite store), for what one
//! process must withstand:
//!
//! - `idle-watchers`: `rss_mb` with 1,000 watches open (each on its own
//!   HTTP/1.1 connection, nothing changing), and `rss_per_watcher_kb`.
//! - `1mib-configmap-updates`: 4,096 updates of a 1 MiB ConfigMap while the
//!   idle watchers stay and one watcher takes every change: `updates_per_s`,
//!   `rss_peak_mb` during them and `rss_after_mb`.
//! - `slow-clients`: pod creates per second by 32 clients, without and then
//!   with 200 connections uploading a body a byte at a time
//!   (`creates_per_s_unloaded`, `creates_per_s_loaded`, and their
//!   `loaded_to_unloaded` ratio).
//!
//! Server and clients share this process, so RSS figures include the
//! clients' side (small: a TLS connection each).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::apiserver_scenario::{BoxError, client, pod, rss_mb};
use crate::report::figure;

const WATCHERS: usize = 1_000;
const UPDATES: usize = 4_096;
const SLOW_CLIENTS: usize = 200;
const CREATES: usize = 2_000;
const CREATE_CLIENTS: usize = 32;

pub async fn measure(dir: &Path, server: &apiserver::ApiServer) -> Result<(), BoxError> {
    let admin = client(&server.kubeconfig).await?;
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    for ns in ["idle", "big", "load"] {
        let namespace: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": ns}}))?;
        namespaces
            .create(&PostParams::default(), &namespace)
            .await?;
    }
    let tls = admin_tls(dir)?;
    let port = server.address.port();

    // Idle watchers.
    let before = rss_mb();
    let version = Api::<Pod>::namespaced(admin.clone(), "idle")
        .list(&ListParams::default().limit(1))
        .await?
        .metadata
        .resource_version
        .unwrap_or_default();
    let path = format!(
        "/api/v1/namespaces/idle/pods?watch=true&resourceVersion={version}&timeoutSeconds=3600"
    );
    let mut idle = Vec::new();
    for _ in 0..WATCHERS {
        idle.push(open_watch(&tls, port, &path).await?);
    }
    let with_watchers = rss_mb();
    let case = "sqlite/idle-watchers";
    figure("apiserver", case, "rss_mb", with_watchers, "MB");
    figure(
        "apiserver",
        case,
        "rss_per_watcher_kb",
        (with_watchers - before) * 1024.0 / WATCHERS as f64,
        "KB",
    );

    // 1 MiB ConfigMap updates, one watcher taking them all.
    let configmaps: Api<ConfigMap> = Api::namespaced(admin.clone(), "big");
    let large: ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "large"},
        "data": {"payload": "x".repeat(1 << 20), "n": "0"},
    }))?;
    let created = configmaps.create(&PostParams::default(), &large).await?;
    let seen = Arc::new(AtomicUsize::new(0));
    let watcher = {
        let (configmaps, seen) = (configmaps.clone(), seen.clone());
        let version = created.metadata.resource_version.unwrap_or_default();
        tokio::spawn(async move {
            let params = WatchParams::default().timeout(3600);
            let mut version = version;
            // Resumes from the last version seen when a watch ends.
            while seen.load(Ordering::Relaxed) < UPDATES {
                let Ok(stream) = configmaps.watch(&params, &version).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let mut stream = stream.boxed();
                while let Ok(Some(event)) = stream.try_next().await {
                    if let WatchEvent::Modified(cm) = event {
                        version = cm.metadata.resource_version.unwrap_or_default();
                        if seen.fetch_add(1, Ordering::Relaxed) + 1 >= UPDATES {
                            return;
                        }
                    }
                }
            }
        })
    };
    let peak = Arc::new(AtomicU64::new(rss_mb() as u64));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(rss_mb() as u64, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(1));
    let mut updaters = Vec::new();
    for _ in 0..4 {
        let (configmaps, next) = (configmaps.clone(), next.clone());
        updaters.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n > UPDATES {
                    return Ok::<_, BoxError>(());
                }
                let patch = serde_json::json!({"data": {"n": n.to_string()}});
                configmaps
                    .patch("large", &PatchParams::default(), &Patch::Merge(patch))
                    .await?;
            }
        }));
    }
    for updater in updaters {
        updater.await??;
    }
    let elapsed = started.elapsed();
    tokio::time::timeout(Duration::from_secs(120), watcher)
        .await
        .map_err(|_| "the watcher did not see every update")??;
    sampler.abort();
    let case = "sqlite/1mib-configmap-updates";
    figure(
        "apiserver",
        case,
        "updates_per_s",
        UPDATES as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
    figure(
        "apiserver",
        case,
        "rss_peak_mb",
        peak.load(Ordering::Relaxed) as f64,
        "MB",
    );
    figure("apiserver", case, "rss_after_mb", rss_mb(), "MB");
    drop(idle);

    // Creates with and without slow clients holding connections.
    let unloaded = creates_per_s(&server.kubeconfig, "a").await?;
    let mut slow = Vec::new();
    for _ in 0..SLOW_CLIENTS {
        let mut stream = connect(&tls, port).await?;
        stream
            .write_all(
                b"POST /api/v1/namespaces/load/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                  Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
            )
            .await?;
        slow.push(stream);
    }
    let dribble = tokio::spawn(async move {
        loop {
            for stream in slow.iter_mut() {
                let _ = stream.write_all(b" ").await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let loaded = creates_per_s(&server.kubeconfig, "b").await?;
    dribble.abort();
    let case = "sqlite/slow-clients";
    figure("apiserver", case, "creates_per_s_unloaded", unloaded, "1/s");
    figure("apiserver", case, "creates_per_s_loaded", loaded, "1/s");
    figure(
        "apiserver",
        case,
        "loaded_to_unloaded",
        loaded / unloaded,
        "ratio",
    );
    Ok(())
}

/// Pods created per second in namespace `load` by 32 clients, named with
/// `prefix`.
async fn creates_per_s(kubeconfig: &Path, prefix: &str) -> Result<f64, BoxError> {
    let mut tasks = Vec::new();
    let started = Instant::now();
    for c in 0..CREATE_CLIENTS {
        let client = client(kubeconfig).await?;
        let prefix = prefix.to_string();
        tasks.push(tokio::spawn(async move {
            let api: Api<Pod> = Api::namespaced(client, "load");
            for i in (c..CREATES).step_by(CREATE_CLIENTS) {
                api.create(&PostParams::default(), &pod(&format!("{prefix}-{i:05}"))?)
                    .await?;
            }
            Ok::<_, BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(CREATES as f64 / started.elapsed().as_secs_f64())
}

/// TLS as the admin (its client certificate from the server's directory),
/// not checking the server's certificate.
fn admin_tls(dir: &Path) -> Result<tokio_rustls::TlsConnector, BoxError> {
    let pki = dir.join("pki");
    let cert = std::fs::read(pki.join("admin.crt"))?;
    let key = std::fs::read(pki.join("admin.key"))?;
    Ok(tokio_rustls::TlsConnector::from(
        serving::client_config_with_certificate(&cert, &key)?,
    ))
}

async fn connect(
    tls: &tokio_rustls::TlsConnector,
    port: u16,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, BoxError> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    Ok(tls
        .connect(rustls::pki_types::ServerName::try_from("127.0.0.1")?, tcp)
        .await?)
}

/// A watch on a connection of its own, once the server has answered 200.
async fn open_watch(
    tls: &tokio_rustls::TlsConnector,
    port: u16,
    path: &str,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, BoxError> {
    let mut stream = connect(tls, port).await?;
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .await?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await?;
    if &head[9..12] != b"200" {
        return Err(format!("a watch was answered {}", String::from_utf8_lossy(&head)).into());
    }
    Ok(stream)
}
