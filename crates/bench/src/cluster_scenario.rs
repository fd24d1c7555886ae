//! Scenario `cluster`: the whole control plane in this process (API
//! server, scheduler, controller manager) with simulated nodes, driven by
//! the real `kubectl` on the PATH.
//!
//! `seed`: the seed's example cluster (testkit's fixture) on three nodes,
//! one a tainted control-plane node: `converge_s` from `kubectl apply` to
//! every pod Running and Ready, every claim Bound and every Service with
//! endpoints; `teardown_s` for `kubectl delete namespace` of its six
//! namespaces to return with them gone.
//! `namespace/<n>-pods`: a Deployment of `--namespace-pods` pods on
//! simulated nodes, then `delete_s` from the namespace's deletion to its
//! disappearance (every pod and ReplicaSet deleted first).

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Endpoints, Namespace, PersistentVolumeClaim, Pod};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use serde_json::json;

use crate::kubelet_scenario::{Cluster, cluster, wait_nodes};
use crate::report::figure;

use testkit::seed::{FIXTURE, NAMESPACES as SEED_NAMESPACES, PODS};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(clap::Args)]
pub struct Args {
    /// Pods in the namespace that is deleted.
    #[arg(long, default_value_t = 1_000)]
    namespace_pods: usize,
    /// Leave out cases: seed, namespace.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
}

fn kubectl(cluster: &Cluster, args: &[&str]) -> Result<(), BoxError> {
    let output = std::process::Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", &cluster.server.kubeconfig)
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "kubectl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(())
}

fn ready(pod: &Pod) -> bool {
    pod.status.as_ref().is_some_and(|s| {
        s.phase.as_deref() == Some("Running")
            && s.conditions
                .iter()
                .flatten()
                .any(|c| c.type_ == "Ready" && c.status == "True")
    })
}

/// Polls `check` every 50 ms for at most ten minutes.
async fn until<F, Fut>(what: &str, check: F) -> Result<Instant, BoxError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<bool, BoxError>>,
{
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if check().await? {
            return Ok(Instant::now());
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn seed_converged(admin: &kube::Client) -> Result<bool, BoxError> {
    let mut pods = 0;
    for namespace in SEED_NAMESPACES {
        let listed = Api::<Pod>::namespaced(admin.clone(), namespace)
            .list(&ListParams::default())
            .await?;
        if !listed.items.iter().all(ready) {
            return Ok(false);
        }
        pods += listed.items.len();
        let claims = Api::<PersistentVolumeClaim>::namespaced(admin.clone(), namespace)
            .list(&ListParams::default())
            .await?;
        if !claims
            .items
            .iter()
            .all(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
        {
            return Ok(false);
        }
        let endpoints = Api::<Endpoints>::namespaced(admin.clone(), namespace)
            .list(&ListParams::default())
            .await?;
        if !endpoints.items.iter().all(|e| {
            e.subsets
                .iter()
                .flatten()
                .any(|s| s.addresses.as_ref().is_some_and(|a| !a.is_empty()))
        }) {
            return Ok(false);
        }
    }
    Ok(pods == PODS)
}

async fn seed(cluster: &Cluster) -> Result<(), BoxError> {
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let (control_plane, workers) = testkit::seed::fleets();
    let fleets = vec![
        tokio::spawn(kubelet::run_simulated(
            cluster.node_client("control-plane").await?,
            control_plane,
            stopping.clone(),
        )),
        tokio::spawn(kubelet::run_simulated(
            cluster.node_client("pool").await?,
            workers,
            stopping,
        )),
    ];
    wait_nodes(&cluster.admin, 3).await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("seed-cluster.yaml");
    std::fs::write(&file, FIXTURE)?;
    let start = Instant::now();
    kubectl(cluster, &["apply", "-f", &file.to_string_lossy()])?;
    let converged = until("the seed cluster to converge", || {
        seed_converged(&cluster.admin)
    })
    .await?;
    figure(
        "cluster",
        "seed",
        "converge_s",
        (converged - start).as_secs_f64(),
        "s",
    );
    let start = Instant::now();
    let mut delete = vec!["delete", "namespace", "--timeout=600s"];
    delete.extend(SEED_NAMESPACES);
    kubectl(cluster, &delete)?;
    figure(
        "cluster",
        "seed",
        "teardown_s",
        start.elapsed().as_secs_f64(),
        "s",
    );
    let _ = stop.send(true);
    for fleet in fleets {
        let _ = fleet.await;
    }
    Ok(())
}

async fn namespace(cluster: &Cluster, pods: usize) -> Result<(), BoxError> {
    let nodes = pods.div_ceil(100).max(1);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut fleet = kubelet::SimulatedNodes::new(nodes);
    fleet.prefix = "bulk".into();
    let fleet = tokio::spawn(kubelet::run_simulated(
        cluster.node_client("bulk").await?,
        fleet,
        stopping,
    ));
    wait_nodes(&cluster.admin, nodes).await?;
    let namespaces: Api<Namespace> = Api::all(cluster.admin.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "bulk"}}))?,
        )
        .await?;
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(cluster.admin.clone(), "bulk");
    deployments
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({
                "metadata": {"name": "bulk"},
                "spec": {
                    "replicas": pods,
                    "selector": {"matchLabels": {"app": "bulk"}},
                    "template": {"metadata": {"labels": {"app": "bulk"}},
                        "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]}},
                },
            }))?,
        )
        .await?;
    let listed: Api<Pod> = Api::namespaced(cluster.admin.clone(), "bulk");
    until("the namespace's pods to run", || async {
        let list = listed.list(&ListParams::default()).await?;
        Ok(list.items.len() == pods && list.items.iter().all(ready))
    })
    .await?;
    let start = Instant::now();
    namespaces.delete("bulk", &DeleteParams::default()).await?;
    let gone = until("the namespace to be gone", || async {
        Ok(namespaces.get_opt("bulk").await?.is_none())
    })
    .await?;
    figure(
        "cluster",
        &format!("namespace/{pods}-pods"),
        "delete_s",
        (gone - start).as_secs_f64(),
        "s",
    );
    let _ = stop.send(true);
    let _ = fleet.await;
    Ok(())
}

pub async fn run(args: Args) -> Result<(), BoxError> {
    if !args.skip.iter().any(|s| s == "seed") {
        let cluster = cluster().await?;
        seed(&cluster).await?;
        cluster.stop().await;
    }
    if !args.skip.iter().any(|s| s == "namespace") {
        let cluster = cluster().await?;
        namespace(&cluster, args.namespace_pods).await?;
        cluster.stop().await;
    }
    Ok(())
}
