//! Scenario `apiserver`: the API server over HTTPS with a real Kubernetes
//! client (kube-rs), on the SQLite store and on a single-member etcd.
//!
//! Figures per backend: `creates_per_s`, `create_p50_ms`, `create_p99_ms`
//! (pods, 32 concurrent clients), `get_p99_ms`, `list_ms` (all pods in one
//! list, median of 5), `watch_delivery_p99_ms` (1,000 watchers, one change
//! each, from the create's acknowledgement to each watcher's event), and
//! `rss_mb` of this process after the creates (server and clients share it)
//! and `rss_after_list_mb` once the lists have filled the watch cache.
//! Then, on SQLite, the load cases of `apiserver_limits`, and (part
//! `authz`) the cost of authorization: the same creates and GETs by a user
//! outside `system:masters`, once with `AlwaysAllow` and once with
//! `Node,RBAC` over 1,000 RoleBindings, in the same run (`authz_*` cases).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, ListParams, PostParams, WatchEvent, WatchParams};

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use store::SharedStore;
use store::etcd::{EtcdOptions, EtcdStore};
use store::sqlite::SqliteStore;
use store::testing::EtcdCluster;

use crate::report::{figure, millis, quantile};

#[derive(clap::Args)]
pub struct Args {
    /// Pods to create.
    #[arg(long, default_value_t = 10_000)]
    pods: usize,
    /// Concurrent clients creating them.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Concurrent watchers.
    #[arg(long, default_value_t = 1_000)]
    watchers: usize,
    /// Backends to run.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,etcd")]
    backends: Vec<String>,
    /// Parts to run: `base` (per backend) and `load` (idle watchers, 1 MiB
    /// updates, slow clients; SQLite).
    #[arg(long, value_delimiter = ',', default_value = "base,load,authz")]
    parts: Vec<String>,
}

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub async fn run(args: Args) -> Result<(), BoxError> {
    if args.parts.iter().any(|p| p == "load") {
        let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
        let server = start_sqlite_server(dir.path()).await?;
        crate::apiserver_limits::measure(dir.path(), &server).await?;
    }
    if args.parts.iter().any(|p| p == "authz") {
        measure_authorization(&args).await?;
    }
    if !args.parts.iter().any(|p| p == "base") {
        return Ok(());
    }
    for backend in &args.backends {
        let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
        let (store, _etcd): (SharedStore, Option<EtcdCluster>) = match backend.as_str() {
            "sqlite" => (
                Arc::new(SqliteStore::open_dir(dir.path().join("store"))?),
                None,
            ),
            "etcd" => {
                let cluster = tokio::task::spawn_blocking(|| EtcdCluster::start(1)).await??;
                let store = EtcdStore::connect(EtcdOptions::new(cluster.endpoints())).await?;
                (Arc::new(store), Some(cluster))
            }
            other => return Err(format!("unknown backend {other:?} (sqlite, etcd)").into()),
        };
        let server = start_server(dir.path(), store).await?;
        measure(backend, &server.kubeconfig, &args).await?;
        drop(server);
    }
    Ok(())
}

/// An API server for a bench on 127.0.0.1 (free port) over `store`, with
/// in-flight limits out of the way.
pub(crate) async fn start_server(
    dir: &std::path::Path,
    store: store::SharedStore,
) -> Result<apiserver::ApiServer, BoxError> {
    let mut config = apiserver::Config::new(dir.to_path_buf());
    config.bind_address = [127, 0, 0, 1].into();
    config.port = 0;
    config.max_requests_inflight = 10_000;
    config.max_mutating_requests_inflight = 10_000;
    let server = apiserver::start(config, store).await?;
    let admin = client(&server.kubeconfig).await?;
    namespace_basics(&admin, "default").await?;
    let ca = std::fs::read_to_string(dir.join("pki/ca.crt"))?;
    let config_maps: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(admin, "default");
    let root_ca = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "kube-root-ca.crt"},
        "data": {"ca.crt": ca},
    }))?;
    config_maps.create(&PostParams::default(), &root_ca).await?;
    Ok(server)
}

/// What the controller manager gives a namespace and pods need to be
/// admitted (benches run the API server without it): the `default`
/// service account.
pub(crate) async fn namespace_basics(admin: &Client, namespace: &str) -> Result<(), BoxError> {
    let accounts: Api<k8s_openapi::api::core::v1::ServiceAccount> =
        Api::namespaced(admin.clone(), namespace);
    let account = serde_json::from_value(serde_json::json!({"metadata": {"name": "default"}}))?;
    accounts.create(&PostParams::default(), &account).await?;
    Ok(())
}

/// The same on a fresh SQLite store in `dir`.
pub(crate) async fn start_sqlite_server(
    dir: &std::path::Path,
) -> Result<apiserver::ApiServer, BoxError> {
    let store = std::sync::Arc::new(store::sqlite::SqliteStore::open_dir(dir.join("store"))?);
    start_server(dir, store).await
}

pub(crate) async fn client(kubeconfig: &std::path::Path) -> Result<Client, BoxError> {
    let kubeconfig = Kubeconfig::read_from(kubeconfig)?;
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    Ok(Client::try_from(config)?)
}

pub(crate) fn pod(name: &str) -> Result<Pod, BoxError> {
    Ok(serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "app", "image": "registry.example/app:1.0",
            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]},
    }))?)
}

pub(crate) fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn measure(backend: &str, kubeconfig: &std::path::Path, args: &Args) -> Result<(), BoxError> {
    let admin = client(kubeconfig).await?;
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    for ns in ["bench", "watch"] {
        let namespace: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": ns}}))?;
        namespaces
            .create(&PostParams::default(), &namespace)
            .await?;
        namespace_basics(&admin, ns).await?;
    }

    // Creates: `clients` clients, each with its own connection.
    let mut tasks = Vec::new();
    let started = Instant::now();
    for c in 0..args.clients {
        let client = client(kubeconfig).await?;
        let (pods, clients) = (args.pods, args.clients);
        tasks.push(tokio::spawn(async move {
            let api: Api<Pod> = Api::namespaced(client, "bench");
            let mut latencies = Vec::new();
            for i in (c..pods).step_by(clients) {
                let begin = Instant::now();
                api.create(&PostParams::default(), &pod(&format!("pod-{i:05}"))?)
                    .await?;
                latencies.push(begin.elapsed());
            }
            Ok::<_, BoxError>(latencies)
        }));
    }
    let mut creates = Vec::new();
    for task in tasks {
        creates.extend(task.await??);
    }
    let elapsed = started.elapsed();
    let case = format!("{backend}/{}-pods", args.pods);
    figure(
        "apiserver",
        &case,
        "creates_per_s",
        creates.len() as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
    if let Some(p50) = quantile(&mut creates, 0.5) {
        figure("apiserver", &case, "create_p50_ms", millis(p50), "ms");
    }
    if let Some(p99) = quantile(&mut creates, 0.99) {
        figure("apiserver", &case, "create_p99_ms", millis(p99), "ms");
    }
    figure("apiserver", &case, "rss_mb", rss_mb(), "MB");

    // GETs of pods spread over the namespace.
    let api: Api<Pod> = Api::namespaced(admin.clone(), "bench");
    let mut gets = Vec::new();
    for i in 0..2000 {
        let name = format!("pod-{:05}", (i * 7919) % args.pods.max(1));
        let begin = Instant::now();
        api.get(&name).await?;
        gets.push(begin.elapsed());
    }
    if let Some(p99) = quantile(&mut gets, 0.99) {
        figure("apiserver", &case, "get_p99_ms", millis(p99), "ms");
    }

    // LIST of every pod, no pagination: the response as it arrives, without
    // the client's own decoding of the objects.
    let mut lists = Vec::new();
    for _ in 0..5 {
        let request = http::Request::get("/api/v1/namespaces/bench/pods").body(Vec::new())?;
        let begin = Instant::now();
        let text = admin.request_text(request).await?;
        lists.push(begin.elapsed());
        let items = serde_json::from_str::<serde_json::Value>(&text)?["items"]
            .as_array()
            .map_or(0, Vec::len);
        if items != args.pods {
            return Err(format!("listed {items} pods, expected {}", args.pods).into());
        }
    }
    if let Some(median) = quantile(&mut lists, 0.5) {
        figure("apiserver", &case, "list_ms", millis(median), "ms");
    }
    // The watch cache now holds every pod as well.
    figure("apiserver", &case, "rss_after_list_mb", rss_mb(), "MB");

    // Watchers, each on its own pod name; then one change for each.
    let watch_api: Api<Pod> = Api::namespaced(admin.clone(), "watch");
    let version = watch_api
        .list(&ListParams::default().limit(1))
        .await?
        .metadata
        .resource_version
        .unwrap_or_default();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<()>(args.watchers);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<(usize, Instant)>(args.watchers);
    let mut watch_clients = Vec::new();
    for _ in 0..args.watchers.div_ceil(100) {
        watch_clients.push(client(kubeconfig).await?);
    }
    for w in 0..args.watchers {
        let api: Api<Pod> = Api::namespaced(watch_clients[w / 100].clone(), "watch");
        let (ready, done, version) = (ready_tx.clone(), done_tx.clone(), version.clone());
        tokio::spawn(async move {
            let params = WatchParams::default()
                .fields(&format!("metadata.name=w-{w}"))
                .timeout(120);
            let Ok(stream) = api.watch(&params, &version).await else {
                return;
            };
            let _ = ready.send(()).await;
            let mut stream = stream.boxed();
            while let Ok(Some(event)) = stream.try_next().await {
                if let WatchEvent::Added(_) = event {
                    let _ = done.send((w, Instant::now())).await;
                    return;
                }
            }
        });
    }
    for _ in 0..args.watchers {
        if tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
            .await?
            .is_none()
        {
            return Err("a watcher failed to start".into());
        }
    }
    let mut acked = vec![None; args.watchers];
    for (w, slot) in acked.iter_mut().enumerate() {
        watch_api
            .create(&PostParams::default(), &pod(&format!("w-{w}"))?)
            .await?;
        *slot = Some(Instant::now());
    }
    let mut deliveries = Vec::new();
    while deliveries.len() < args.watchers {
        let (w, at) = tokio::time::timeout(Duration::from_secs(60), done_rx.recv())
            .await?
            .ok_or("watchers stopped early")?;
        if let Some(ack) = acked[w] {
            deliveries.push(at.saturating_duration_since(ack));
        }
    }
    if let Some(p99) = quantile(&mut deliveries, 0.99) {
        figure(
            "apiserver",
            &case,
            "watch_delivery_p99_ms",
            millis(p99),
            "ms",
        );
    }
    Ok(())
}

/// Creates/s and GET p99 of a plain user (not in `system:masters`), with
/// `AlwaysAllow` and with `Node,RBAC` over 1,000 RoleBindings (the user's
/// own among them): three rounds of each, taken in turn on fresh servers
/// so that the machine's noise falls on both alike; the medians are
/// reported.
async fn measure_authorization(args: &Args) -> Result<(), BoxError> {
    const ROUNDS: usize = 3;
    let pods = (args.pods / 2).max(1);
    let modes = [
        ("always-allow", vec![apiserver::authz::Mode::AlwaysAllow]),
        (
            "node-rbac",
            vec![apiserver::authz::Mode::Node, apiserver::authz::Mode::Rbac],
        ),
    ];
    let mut results: Vec<(Vec<f64>, Vec<Duration>)> = vec![Default::default(); modes.len()];
    for round in 0..ROUNDS {
        for (index, (mode, authorizers)) in modes.iter().enumerate() {
            // The token figures once, from the last Node,RBAC server.
            let tokens = round == ROUNDS - 1 && *mode == "node-rbac";
            let (rate, p99) = authorization_round(args, pods, authorizers.clone(), tokens).await?;
            results[index].0.push(rate);
            results[index].1.push(p99);
        }
    }
    for ((mode, _), (mut rates, mut p99s)) in modes.iter().zip(results) {
        let case = format!("authz_{mode}/{pods}-pods-1000-rolebindings");
        rates.sort_by(f64::total_cmp);
        figure(
            "apiserver",
            &case,
            "creates_per_s",
            rates[rates.len() / 2],
            "1/s",
        );
        if let Some(p99) = quantile(&mut p99s, 0.5) {
            figure("apiserver", &case, "get_p99_ms", millis(p99), "ms");
        }
    }
    Ok(())
}

/// One server with `modes`: its creates/s and GET p99 for the bench user
/// (and the token figures when `tokens`).
async fn authorization_round(
    args: &Args,
    pods: usize,
    modes: Vec<apiserver::authz::Mode>,
    tokens: bool,
) -> Result<(f64, Duration), BoxError> {
    let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
    let store = Arc::new(SqliteStore::open_dir(dir.path().join("store"))?);
    let mut config = apiserver::Config::new(dir.path().to_path_buf());
    config.bind_address = [127, 0, 0, 1].into();
    config.port = 0;
    config.max_requests_inflight = 10_000;
    config.max_mutating_requests_inflight = 10_000;
    config.authorization_modes = modes;
    let server = apiserver::start(config, store).await?;
    let admin = client(&server.kubeconfig).await?;
    // 1,000 namespaces' worth of RoleBindings, one of them the user's.
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    let namespace: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": "bench"}}))?;
    namespaces
        .create(&PostParams::default(), &namespace)
        .await?;
    namespace_basics(&admin, "bench").await?;
    let roles: Api<k8s_openapi::api::rbac::v1::Role> = Api::namespaced(admin.clone(), "bench");
    let role = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "pod-writer"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create", "get"]}],
    }))?;
    roles.create(&PostParams::default(), &role).await?;
    let bindings: Api<k8s_openapi::api::rbac::v1::RoleBinding> =
        Api::namespaced(admin.clone(), "bench");
    for i in 0..1000 {
        let user = if i == 999 {
            "bench-user".to_string()
        } else {
            format!("user-{i}")
        };
        let binding = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("binding-{i}")},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-writer"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
        }))?;
        bindings.create(&PostParams::default(), &binding).await?;
    }
    let kubeconfig = server.component_kubeconfig("bench", "bench-user")?;
    // The policy follows the store by a watch: wait until it allows.
    let probe: Api<Pod> = Api::namespaced(client(&kubeconfig).await?, "bench");
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(err) = probe.get_opt("none").await {
        if Instant::now() > deadline {
            return Err(format!("the bench user is never allowed: {err}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut tasks = Vec::new();
    let started = Instant::now();
    for c in 0..args.clients {
        let client = client(&kubeconfig).await?;
        let clients = args.clients;
        tasks.push(tokio::spawn(async move {
            let api: Api<Pod> = Api::namespaced(client, "bench");
            for i in (c..pods).step_by(clients) {
                api.create(&PostParams::default(), &pod(&format!("pod-{i:05}"))?)
                    .await?;
            }
            Ok::<_, BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let rate = pods as f64 / started.elapsed().as_secs_f64();
    let api: Api<Pod> = Api::namespaced(client(&kubeconfig).await?, "bench");
    let mut gets = Vec::new();
    for i in 0..2000 {
        let name = format!("pod-{:05}", (i * 7919) % pods);
        let begin = Instant::now();
        api.get(&name).await?;
        gets.push(begin.elapsed());
    }
    let p99 = quantile(&mut gets, 0.99).unwrap_or_default();
    if tokens {
        measure_token_authentication(&server, &admin).await?;
    }
    drop(server);
    Ok((rate, p99))
}

/// Service account tokens authenticated per second, on one task (one
/// core): each token the first time (signature verified, account looked
/// up in the store) and the same token again (remembered).
async fn measure_token_authentication(
    server: &apiserver::ApiServer,
    admin: &Client,
) -> Result<(), BoxError> {
    use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
    use k8s_openapi::api::core::v1::ServiceAccount;
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), "bench");
    let robot = serde_json::from_value(serde_json::json!({"metadata": {"name": "robot"}}))?;
    accounts.create(&PostParams::default(), &robot).await?;
    let request = TokenRequest {
        spec: TokenRequestSpec {
            expiration_seconds: Some(3600),
            ..TokenRequestSpec::default()
        },
        ..TokenRequest::default()
    };
    let mut tokens = Vec::new();
    for _ in 0..2000 {
        let answer = accounts
            .create_token_request("robot", &PostParams::default(), &request)
            .await?;
        let token = answer.status.map(|s| s.token).unwrap_or_default();
        tokens.push(format!("Bearer {token}"));
    }
    let case = "authz_node-rbac/service-account-tokens";
    let (first, again) = tokens.split_at(tokens.len() / 2);
    let started = Instant::now();
    let halves = first.chunks(first.len().div_ceil(2).max(1));
    let counts = futures::future::join_all(halves.map(|half| async move {
        let mut ok = 0usize;
        for token in half {
            ok += usize::from(server.authenticate_bearer(token).await.is_some());
        }
        ok
    }))
    .await;
    let verified: usize = counts.iter().sum();
    if verified != first.len() {
        return Err(format!("{verified} of {} tokens authenticated", first.len()).into());
    }
    figure(
        "apiserver",
        case,
        "first_authentications_per_s",
        verified as f64 / started.elapsed().as_secs_f64(),
        "1/s",
    );
    let token = &again[0];
    let rounds = 100_000;
    let started = Instant::now();
    let counts = futures::future::join_all((0..2).map(|_| async move {
        let mut ok = 0usize;
        for _ in 0..rounds / 2 {
            ok += usize::from(server.authenticate_bearer(token).await.is_some());
        }
        ok
    }))
    .await;
    let total: usize = counts.iter().sum();
    figure(
        "apiserver",
        case,
        "repeated_authentications_per_s",
        total as f64 / started.elapsed().as_secs_f64(),
        "1/s",
    );
    Ok(())
}
