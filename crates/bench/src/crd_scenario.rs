//! Scenario `crd`: custom resources on the API server (SQLite, in this
//! process, over HTTPS with kube-rs).
//!
//! Figures: `establish_s` (100 CustomResourceDefinitions created at once
//! until every one is Established, as a large operator installs them),
//! `rss_per_crd_kb` (this process's RSS added by them, server and client
//! together), and `creates_per_s` of custom objects and of ConfigMaps (the
//! same size of payload, 32 clients; three rounds of each in turn, medians)
//! with their ratio. Then server-side apply: `apply_p50_ms` and
//! `apply_p99_ms` of applying a 100-container Deployment (every apply
//! changes each container's image), and `noop_apply_p99_ms` of applying it
//! again unchanged.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, PostParams};
use serde_json::json;

use crate::apiserver_scenario::{BoxError, client, namespace_basics, rss_mb, start_sqlite_server};
use crate::report::figure;

#[derive(clap::Args)]
pub struct Args {
    /// Definitions to establish.
    #[arg(long, default_value_t = 100)]
    definitions: usize,
    /// Objects to create per round and kind.
    #[arg(long, default_value_t = 3_000)]
    objects: usize,
    /// Concurrent clients creating them.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Server-side applies timed, of each kind.
    #[arg(long, default_value_t = 200)]
    applies: usize,
}

/// A definition shaped like an operator's: a few nested typed fields,
/// printer columns, the status subresource.
fn definition(i: usize) -> Result<CustomResourceDefinition, BoxError> {
    Ok(serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets{i}.bench.example.com")},
        "spec": {
            "group": "bench.example.com", "scope": "Namespaced",
            "names": {"kind": format!("Widget{i}"), "plural": format!("widgets{i}")},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                    {"name": "Phase", "type": "string", "jsonPath": ".status.phase"}],
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "required": ["size"], "properties": {
                        "size": {"type": "integer", "minimum": 0},
                        "image": {"type": "string"},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "ports": {"type": "array", "items": {"type": "object", "properties": {
                            "name": {"type": "string"}, "port": {"type": "integer"}}}}}},
                    "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}}
            }]
        }
    }))?)
}

fn established(definition: &CustomResourceDefinition) -> bool {
    definition
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
        })
}

pub async fn run(args: Args) -> Result<(), BoxError> {
    let dir = tempfile::Builder::new().prefix("rudder-bench-").tempdir()?;
    let server = start_sqlite_server(dir.path()).await?;
    let admin = client(&server.kubeconfig).await?;
    let namespaces: Api<Namespace> = Api::all(admin.clone());
    let namespace: Namespace = serde_json::from_value(json!({"metadata": {"name": "bench"}}))?;
    namespaces
        .create(&PostParams::default(), &namespace)
        .await?;
    namespace_basics(&admin, "bench").await?;

    // Definitions, all at once, until all are Established.
    let definitions: Api<CustomResourceDefinition> = Api::all(admin.clone());
    let before = rss_mb();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..args.definitions {
        let api = definitions.clone();
        tasks.push(tokio::spawn(async move {
            api.create(&PostParams::default(), &definition(i)?).await?;
            Ok::<_, BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let list = definitions.list(&ListParams::default()).await?;
        if list.items.iter().filter(|d| established(d)).count() >= args.definitions {
            break;
        }
        if Instant::now() > deadline {
            return Err("the definitions were not all Established within 120 s".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let case = format!("sqlite/{}-crds", args.definitions);
    figure(
        "crd",
        &case,
        "establish_s",
        started.elapsed().as_secs_f64(),
        "s",
    );
    // Each kind is served once discovery lists it.
    let kind = ApiResource {
        group: "bench.example.com".into(),
        version: "v1".into(),
        api_version: "bench.example.com/v1".into(),
        kind: "Widget0".into(),
        plural: "widgets0".into(),
    };
    let rss_per_crd = (rss_mb() - before) * 1024.0 / args.definitions.max(1) as f64;
    figure("crd", &case, "rss_per_crd_kb", rss_per_crd, "KB");

    // Creates of custom objects against ConfigMaps of the same payload.
    const ROUNDS: usize = 3;
    let mut custom_rates = Vec::new();
    let mut config_map_rates = Vec::new();
    for round in 0..ROUNDS {
        custom_rates.push(creates(&server.kubeconfig, &args, round, Some(&kind)).await?);
        config_map_rates.push(creates(&server.kubeconfig, &args, round, None).await?);
    }
    custom_rates.sort_by(f64::total_cmp);
    config_map_rates.sort_by(f64::total_cmp);
    let (custom, config_maps) = (custom_rates[ROUNDS / 2], config_map_rates[ROUNDS / 2]);
    let case = format!("sqlite/{}-objects-{}-clients", args.objects, args.clients);
    figure("crd", &case, "custom_creates_per_s", custom, "1/s");
    figure("crd", &case, "configmap_creates_per_s", config_maps, "1/s");
    figure(
        "crd",
        &case,
        "custom_to_configmap_ratio",
        custom / config_maps,
        "",
    );
    server_side_apply(&admin, &args).await
}

/// A Deployment of `containers` containers, each with a port, an env var
/// and resources, at image tag `tag`.
fn wide_deployment(containers: usize, tag: usize) -> serde_json::Value {
    let containers: Vec<serde_json::Value> = (0..containers)
        .map(|c| {
            json!({
                "name": format!("c{c:03}"),
                "image": format!("registry.example/app-{c}:{tag}"),
                "ports": [{"containerPort": 8000 + c, "name": format!("p{c}")}],
                "env": [{"name": "INDEX", "value": c.to_string()}],
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
            })
        })
        .collect();
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "wide", "labels": {"app": "wide"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "wide"}},
            "template": {"metadata": {"labels": {"app": "wide"}}, "spec": {"containers": containers}},
        },
    })
}

/// Latencies of server-side applies of a 100-container Deployment.
async fn server_side_apply(admin: &kube::Client, args: &Args) -> Result<(), BoxError> {
    use k8s_openapi::api::apps::v1::Deployment;
    use kube::api::{Patch, PatchParams};
    const CONTAINERS: usize = 100;
    if args.applies == 0 {
        return Ok(());
    }
    let api: Api<Deployment> = Api::namespaced(admin.clone(), "bench");
    let params = PatchParams::apply("bench");
    api.patch(
        "wide",
        &params,
        &Patch::Apply(wide_deployment(CONTAINERS, 0)),
    )
    .await?;
    let percentile = |samples: &mut Vec<f64>, p: f64| -> f64 {
        samples.sort_by(f64::total_cmp);
        let index = ((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len());
        samples[index - 1]
    };
    let mut changing = Vec::with_capacity(args.applies);
    for tag in 1..=args.applies {
        let started = Instant::now();
        api.patch(
            "wide",
            &params,
            &Patch::Apply(wide_deployment(CONTAINERS, tag)),
        )
        .await?;
        changing.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut unchanged = Vec::with_capacity(args.applies);
    let same = wide_deployment(CONTAINERS, args.applies);
    for _ in 0..args.applies {
        let started = Instant::now();
        api.patch("wide", &params, &Patch::Apply(&same)).await?;
        unchanged.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let case = format!("sqlite/deployment-{CONTAINERS}-containers");
    figure(
        "crd",
        &case,
        "apply_p50_ms",
        percentile(&mut changing, 0.50),
        "ms",
    );
    figure(
        "crd",
        &case,
        "apply_p99_ms",
        percentile(&mut changing, 0.99),
        "ms",
    );
    figure(
        "crd",
        &case,
        "noop_apply_p99_ms",
        percentile(&mut unchanged, 0.99),
        "ms",
    );
    Ok(())
}

/// Creates/s of `args.objects` objects: custom ones of `kind`, or
/// ConfigMaps carrying the same fields as data.
async fn creates(
    kubeconfig: &std::path::Path,
    args: &Args,
    round: usize,
    kind: Option<&ApiResource>,
) -> Result<f64, BoxError> {
    let mut tasks = Vec::new();
    let started = Instant::now();
    for c in 0..args.clients {
        let client = client(kubeconfig).await?;
        let (objects, clients, kind) = (args.objects, args.clients, kind.cloned());
        tasks.push(tokio::spawn(async move {
            for i in (c..objects).step_by(clients) {
                let name = format!("o-{round}-{i:05}");
                match &kind {
                    Some(kind) => {
                        let api: Api<DynamicObject> =
                            Api::namespaced_with(client.clone(), "bench", kind);
                        let object: DynamicObject = serde_json::from_value(json!({
                            "apiVersion": "bench.example.com/v1", "kind": "Widget0",
                            "metadata": {"name": name, "labels": {"app": "bench"}},
                            "spec": {"size": i, "image": "registry.example/app:1.0",
                                     "labels": {"tier": "web"},
                                     "ports": [{"name": "http", "port": 8080}]},
                        }))?;
                        api.create(&PostParams::default(), &object).await?;
                    }
                    None => {
                        let api: Api<ConfigMap> = Api::namespaced(client.clone(), "bench");
                        let object: ConfigMap = serde_json::from_value(json!({
                            "metadata": {"name": name, "labels": {"app": "bench"}},
                            "data": {"size": i.to_string(), "image": "registry.example/app:1.0",
                                     "tier": "web", "port": "http=8080"},
                        }))?;
                        api.create(&PostParams::default(), &object).await?;
                    }
                }
            }
            Ok::<_, BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(args.objects as f64 / started.elapsed().as_secs_f64())
}
