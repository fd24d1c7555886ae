//! Scenario `controllers`: the controller manager and the API server in
//! this process (the controller manager a real client over HTTPS, as in
//! `rudder server`), and a stand-in for the kubelets that marks each pod
//! Running and Ready as it appears (16 clients patching pod status).
//!
//! Figures for a Deployment of `--replicas` pods: `created_s` (the
//! Deployment's create to the last of its pods created), `available_s`
//! (to every replica available), and `rolling_update_s` (a new image to
//! every replica updated and available, the old pods gone); and for an
//! OrderedReady StatefulSet of `--statefulset-replicas` pods, `ready_s`
//! (its create to every replica ready, each pod waiting for the one
//! before it).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;

use crate::report::figure;

#[derive(clap::Args)]
pub struct Args {
    /// The Deployment's replicas.
    #[arg(long, default_value_t = 1_000)]
    replicas: usize,
    /// The StatefulSet's replicas.
    #[arg(long, default_value_t = 100)]
    statefulset_replicas: usize,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Waits (at most ten minutes) until `check` holds for the deployment.
async fn until(
    deployments: &Api<Deployment>,
    what: &str,
    check: impl Fn(&Deployment) -> bool,
) -> Result<Instant, BoxError> {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let d = deployments.get("bench").await?;
        if check(&d) {
            return Ok(Instant::now());
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}: {:?}", d.status).into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn settled(d: &Deployment, replicas: i32, image: &str) -> bool {
    let status = d.status.clone().unwrap_or_default();
    let current = d
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|s| s.containers[0].image.as_deref() == Some(image))
        .unwrap_or(false);
    current
        && status.observed_generation >= d.metadata.generation
        && status.updated_replicas == Some(replicas)
        && status.replicas == Some(replicas)
        && status.available_replicas == Some(replicas)
}

pub async fn run(args: Args) -> Result<(), BoxError> {
    let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
    let server = crate::apiserver_scenario::start_sqlite_server(dir.path()).await?;
    let admin = crate::apiserver_scenario::client(&server.kubeconfig).await?;
    let manager_kubeconfig = server.controller_manager_kubeconfig()?;
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let options = controllers::ControllerManagerOptions {
        credentials: controllers::credentials::Credentials::service_accounts(
            &manager_kubeconfig,
            dir.path().join("controller-manager"),
        )
        .await?,
        ..Default::default()
    };
    let manager = tokio::spawn(controllers::run(
        crate::apiserver_scenario::client(&manager_kubeconfig).await?,
        options,
        stopping,
    ));

    // The kubelets' stand-in: pods are marked Running and Ready as they come.
    let pods: Api<Pod> = Api::namespaced(admin.clone(), "default");
    let created = Arc::new(AtomicUsize::new(0));
    let last_created = Arc::new(std::sync::Mutex::new(Instant::now()));
    let (ready_tx, ready_rx) = async_channel(8192);
    let watch = tokio::spawn({
        let (pods, created, last_created) = (pods.clone(), created.clone(), last_created.clone());
        async move {
            let mut seen = std::collections::HashSet::new();
            let mut stream = watcher(pods, watcher::Config::default())
                .default_backoff()
                .applied_objects()
                .boxed();
            while let Ok(Some(pod)) = stream.try_next().await {
                let name = pod.metadata.name.clone().unwrap_or_default();
                if seen.insert(name.clone()) {
                    created.fetch_add(1, Ordering::SeqCst);
                    if let Ok(mut at) = last_created.lock() {
                        *at = Instant::now();
                    }
                }
                let running =
                    pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
                if !running
                    && pod.metadata.deletion_timestamp.is_none()
                    && ready_tx.send(name).await.is_err()
                {
                    return;
                }
            }
        }
    });
    let mut kubelets = Vec::new();
    for _ in 0..16 {
        let (pods, ready_rx) = (pods.clone(), ready_rx.clone());
        kubelets.push(tokio::spawn(async move {
            while let Ok(name) = ready_rx.recv().await {
                let now = k8s_openapi::jiff::Timestamp::now()
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
                let status = json!({"status": {"phase": "Running", "conditions": [
                    {"type": "Ready", "status": "True", "lastTransitionTime": now}]}});
                let _ = pods
                    .patch_status(&name, &PatchParams::default(), &Patch::Merge(status))
                    .await;
            }
        }));
    }

    let replicas = args.replicas as i32;
    let deployments: Api<Deployment> = Api::namespaced(admin.clone(), "default");
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "bench"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "bench"}},
            "template": {"metadata": {"labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]}},
        },
    }))?;
    let case = format!("deployment/{}-replicas", args.replicas);
    let started = Instant::now();
    deployments
        .create(&PostParams::default(), &deployment)
        .await?;
    let deadline = Instant::now() + Duration::from_secs(600);
    while created.load(Ordering::SeqCst) < args.replicas {
        if Instant::now() > deadline {
            return Err(format!("only {} pods created", created.load(Ordering::SeqCst)).into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let all_created = *last_created.lock().map_err(|_| "poisoned")?;
    figure(
        "controllers",
        &case,
        "created_s",
        all_created.duration_since(started).as_secs_f64(),
        "s",
    );
    let available = until(&deployments, "every replica available", |d| {
        settled(d, replicas, "registry.example/app:1")
    })
    .await?;
    figure(
        "controllers",
        &case,
        "available_s",
        available.duration_since(started).as_secs_f64(),
        "s",
    );

    let started = Instant::now();
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "registry.example/app:2"}]}}}});
    deployments
        .patch("bench", &PatchParams::default(), &Patch::Strategic(patch))
        .await?;
    let rolled = until(&deployments, "the rollout", |d| {
        settled(d, replicas, "registry.example/app:2")
    })
    .await?;
    figure(
        "controllers",
        &case,
        "rolling_update_s",
        rolled.duration_since(started).as_secs_f64(),
        "s",
    );

    let sets: Api<StatefulSet> = Api::namespaced(admin.clone(), "default");
    let set: StatefulSet = serde_json::from_value(json!({
        "metadata": {"name": "ordered"},
        "spec": {
            "replicas": args.statefulset_replicas,
            "serviceName": "ordered",
            "selector": {"matchLabels": {"app": "ordered"}},
            "template": {"metadata": {"labels": {"app": "ordered"}},
                "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]}},
        },
    }))?;
    let case = format!("statefulset/{}-replicas", args.statefulset_replicas);
    let started = Instant::now();
    sets.create(&PostParams::default(), &set).await?;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let set = sets.get("ordered").await?;
        let ready = set
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0);
        if ready as usize == args.statefulset_replicas {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("only {ready} of the set's pods ready").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    figure(
        "controllers",
        &case,
        "ready_s",
        started.elapsed().as_secs_f64(),
        "s",
    );

    let _ = stop.send(true);
    let _ = manager.await;
    watch.abort();
    for kubelet in kubelets {
        kubelet.abort();
    }
    drop(server);
    Ok(())
}

/// A bounded multi-consumer channel from tokio's primitives.
fn async_channel(size: usize) -> (tokio::sync::mpsc::Sender<String>, SharedReceiver) {
    let (tx, rx) = tokio::sync::mpsc::channel(size);
    (tx, SharedReceiver(Arc::new(tokio::sync::Mutex::new(rx))))
}

#[derive(Clone)]
struct SharedReceiver(Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<String>>>);

impl SharedReceiver {
    async fn recv(&self) -> Result<String, ()> {
        self.0.lock().await.recv().await.ok_or(())
    }
}
