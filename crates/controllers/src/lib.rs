//! rudder's controller manager: the reconcile loops that turn Deployments
//! into ReplicaSets into Pods, empty deleted namespaces, give every
//! namespace its service account and CA bundle, and collect what owners
//! leave behind. An API client like every component: it runs inside
//! `rudder server` or alone as `rudder controller-manager --kubeconfig FILE`.
//!
//! Each controller is one module: handlers on shared informers put keys on
//! its rate-limited work queue, and workers run its reconcile function.

pub mod clock;
pub mod clusterrole_aggregation;
pub mod controller_ref_manager;
pub mod credentials;
pub mod cronjob;
pub mod csrapproving;
pub mod csrsigning;
pub mod daemonset;
pub mod deployment;
pub mod discovery;
pub mod disruption;
pub mod endpoints;
pub mod endpointslice;
pub mod endpointslicemirroring;
pub mod expectations;
pub mod garbage_collector;
pub mod informer;
pub mod job;
pub mod metrics;
pub mod namespace;
pub mod nodeipam;
pub mod nodelifecycle;
pub mod persistentvolume;
pub mod pods;
pub mod pvcprotection;
pub mod pvprotection;
pub mod queue;
pub mod replicaset;
pub mod resourcequota;
pub mod serviceaccount;
pub mod serviceaccount_token;
pub mod serving;
pub mod statefulset;
#[cfg(test)]
mod testing;
pub mod tokencleaner;
pub mod ttl_after_finished;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

pub use clock::Clock;
pub use informer::{Informer, Informers};
pub use metrics::Metrics;

/// The controllers rudder runs, by upstream's names (the `--controllers`
/// flag takes these, with or without the `-controller` suffix).
pub const CONTROLLERS: &[&str] = &[
    "deployment-controller",
    "replicaset-controller",
    "replicationcontroller-controller",
    "statefulset-controller",
    "daemonset-controller",
    "job-controller",
    "cronjob-controller",
    "ttl-after-finished-controller",
    "garbage-collector-controller",
    "endpoints-controller",
    "endpointslice-controller",
    "endpointslice-mirroring-controller",
    "namespace-controller",
    "serviceaccount-controller",
    "serviceaccount-token-controller",
    "root-ca-certificate-publisher-controller",
    "node-ipam-controller",
    "node-lifecycle-controller",
    "disruption-controller",
    "persistentvolume-binder-controller",
    "resourcequota-controller",
    "pvc-protection-controller",
    "pv-protection-controller",
    "clusterrole-aggregation-controller",
    "certificatesigningrequest-signing-controller",
    "certificatesigningrequest-approving-controller",
    "tokencleaner-controller",
];

/// How the controller manager runs.
#[derive(Clone)]
pub struct ControllerManagerOptions {
    /// `--controllers`: `*` (every default), `name` (on), `-name` (off).
    pub controllers: Vec<String>,
    /// The cluster CA bundle published in every namespace as
    /// `kube-root-ca.crt` (none: that controller does not run).
    pub root_ca_pem: Option<String>,
    /// `--service-account-private-key-file`: the key legacy service
    /// account token Secrets are signed with (none: they are not filled).
    pub service_account_key_pem: Option<String>,
    /// `--cluster-signing-cert-file` and `--cluster-signing-key-file`: the
    /// CA approved certificate requests are signed with (none: they are
    /// not signed here).
    pub cluster_signing: Option<csrsigning::SigningCa>,
    /// `--cluster-cidr` cut by `--node-cidr-mask-size`: the node IPAM
    /// controller hands nodes their pod CIDRs from it (none: it does not run).
    pub cluster_cidr: Option<nodeipam::CidrSet>,
    /// How long a node may go without a heartbeat before it is Unknown
    /// (`--node-monitor-grace-period`, 40 s).
    pub node_monitor_grace_period: std::time::Duration,
    /// Terminated pods kept before the oldest are deleted
    /// (`--terminated-pod-gc-threshold`, 12,500; 0: never).
    pub terminated_pod_gc_threshold: usize,
    pub metrics: Arc<Metrics>,
    /// What every deadline and delayed requeue reads (the system clock;
    /// tests run controllers on a manual one).
    pub clock: Clock,
    /// Turns true once every informer has listed.
    pub ready: Arc<AtomicBool>,
    /// The controller manager's own credential for every controller, or a
    /// service account for each.
    pub credentials: credentials::Credentials,
}

impl Default for ControllerManagerOptions {
    fn default() -> Self {
        ControllerManagerOptions {
            controllers: vec!["*".to_string()],
            root_ca_pem: None,
            service_account_key_pem: None,
            cluster_signing: None,
            cluster_cidr: None,
            node_monitor_grace_period: std::time::Duration::from_secs(40),
            terminated_pod_gc_threshold: 12500,
            metrics: Arc::new(Metrics::new()),
            clock: Clock::system(),
            ready: Arc::new(AtomicBool::new(false)),
            credentials: credentials::Credentials::Own,
        }
    }
}

impl ControllerManagerOptions {
    /// Whether the controller `name` (upstream's name) runs, as
    /// kube-controller-manager reads `--controllers`.
    pub fn enabled(&self, name: &str) -> bool {
        let short = name.strip_suffix("-controller").unwrap_or(name);
        let named = |entry: &str| {
            let entry = entry.strip_suffix("-controller").unwrap_or(entry);
            entry == short
        };
        if self.controllers.iter().any(|c| named(c)) {
            return true;
        }
        if self
            .controllers
            .iter()
            .any(|c| c.strip_prefix('-').is_some_and(named))
        {
            return false;
        }
        self.controllers.iter().any(|c| c == "*")
    }

    /// Names in `--controllers` that name no controller.
    pub fn unknown(&self) -> Vec<String> {
        self.controllers
            .iter()
            .filter(|c| *c != "*")
            .filter(|c| {
                let name = c.trim_start_matches('-');
                let name = name.strip_suffix("-controller").unwrap_or(name);
                !CONTROLLERS
                    .iter()
                    .any(|known| known.strip_suffix("-controller") == Some(name))
            })
            .cloned()
            .collect()
    }
}

/// What every controller is started with.
pub struct Context {
    pub client: kube::Client,
    pub informers: Informers,
    pub options: ControllerManagerOptions,
}

impl Context {
    /// The work queue of the controller `name`, reporting its metrics.
    pub fn queue(&self, name: &str) -> Arc<queue::WorkQueue> {
        queue::WorkQueue::new(self.options.metrics.queue(name), self.options.clock.clone())
    }

    /// The clock controllers read deadlines from.
    pub fn clock(&self) -> Clock {
        self.options.clock.clone()
    }
}

/// Runs the enabled controllers until `shutdown` turns true.
pub async fn run(
    client: kube::Client,
    options: ControllerManagerOptions,
    mut shutdown: watch::Receiver<bool>,
) {
    // Informers list and watch with the controller manager's own
    // credential; each controller writes with its own.
    let clients = Arc::new(credentials::ControllerClients::new(
        client.clone(),
        options.credentials.clone(),
    ));
    let context = Context {
        client: client.clone(),
        informers: Informers::new(client),
        options: options.clone(),
    };
    let mut controllers = Vec::new();
    type Start = fn(&Context, watch::Receiver<bool>) -> tokio::task::JoinHandle<()>;
    let starts: [(&str, Start); 27] = [
        ("replicaset-controller", replicaset::start),
        (
            "replicationcontroller-controller",
            replicaset::start_replication,
        ),
        ("deployment-controller", deployment::start),
        ("statefulset-controller", statefulset::start),
        ("daemonset-controller", daemonset::start),
        ("job-controller", job::start),
        ("cronjob-controller", cronjob::start),
        ("ttl-after-finished-controller", ttl_after_finished::start),
        ("garbage-collector-controller", garbage_collector::start),
        ("endpoints-controller", endpoints::start),
        ("endpointslice-controller", endpointslice::start),
        (
            "endpointslice-mirroring-controller",
            endpointslicemirroring::start,
        ),
        ("namespace-controller", namespace::start),
        ("serviceaccount-controller", serviceaccount::start),
        (
            "serviceaccount-token-controller",
            serviceaccount_token::start,
        ),
        (
            "root-ca-certificate-publisher-controller",
            serviceaccount::start_root_ca_publisher,
        ),
        ("node-ipam-controller", nodeipam::start),
        ("node-lifecycle-controller", nodelifecycle::start),
        ("disruption-controller", disruption::start),
        (
            "persistentvolume-binder-controller",
            persistentvolume::start,
        ),
        ("resourcequota-controller", resourcequota::start),
        ("pvc-protection-controller", pvcprotection::start),
        ("pv-protection-controller", pvprotection::start),
        (
            "clusterrole-aggregation-controller",
            clusterrole_aggregation::start,
        ),
        (
            "certificatesigningrequest-signing-controller",
            csrsigning::start,
        ),
        (
            "certificatesigningrequest-approving-controller",
            csrapproving::start,
        ),
        ("tokencleaner-controller", tokencleaner::start),
    ];
    let enabled: Vec<&str> = starts
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| options.enabled(name))
        .collect();
    clients.issue_all(&enabled, &shutdown).await;
    for (name, start) in starts {
        if options.enabled(name) {
            let own = Context {
                client: clients.client(name, &shutdown).await,
                informers: context.informers.clone(),
                options: options.clone(),
            };
            controllers.push(start(&own, shutdown.clone()));
            tracing::debug!(controller = name, "started");
        }
    }
    let informers = context.informers.start(&shutdown);
    let renewing = {
        let (clients, shutdown) = (clients.clone(), shutdown.clone());
        tokio::spawn(async move { clients.keep_fresh(shutdown).await })
    };
    // Ready once every controller's informers have listed.
    let ready = options.ready.clone();
    let synced = context.informers.synced();
    tokio::spawn(async move {
        synced.await;
        ready.store(true, Ordering::SeqCst);
    });
    let _ = shutdown.wait_for(|stop| *stop).await;
    for task in controllers.into_iter().chain(informers).chain([renewing]) {
        let _ = task.await;
    }
    options.ready.store(false, Ordering::SeqCst);
}

/// Runs `workers` workers of a controller's `queue` once `synced`
/// resolves, until `shutdown`.
pub fn spawn_workers<F, Fut, E>(
    controller: &'static str,
    queue: Arc<queue::WorkQueue>,
    workers: usize,
    synced: impl std::future::Future<Output = ()> + Send + 'static,
    mut shutdown: watch::Receiver<bool>,
    reconcile: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<queue::Outcome, E>> + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    tokio::spawn(async move {
        tokio::select! {
            _ = synced => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        let stopper = queue.clone();
        let workers = tokio::spawn(queue::run_workers(queue, workers, controller, reconcile));
        let _ = shutdown.wait_for(|stop| *stop).await;
        stopper.shut_down();
        let _ = workers.await;
    })
}

/// `value` of `total`: a count, or a percentage of `total` rounded up or
/// down (maxSurge, maxUnavailable, minAvailable).
pub fn int_or_percent(
    value: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString,
    total: i32,
    round_up: bool,
) -> Result<i32, String> {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    match value {
        IntOrString::Int(n) => Ok(*n),
        IntOrString::String(text) => {
            let percent: f64 = text
                .strip_suffix('%')
                .and_then(|p| p.parse().ok())
                .ok_or_else(|| format!("invalid value for IntOrString: invalid value {text:?}"))?;
            let exact = percent * f64::from(total) / 100.0;
            Ok((if round_up {
                exact.ceil()
            } else {
                exact.floor()
            }) as i32)
        }
    }
}

/// Errors of a reconcile: each is retried with backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Api(#[from] kube::Error),
    #[error("{0}")]
    Invalid(String),
}

/// Sets the object's finalizers with a merge patch pinned to the
/// resourceVersion it was read at (a conflict means: look again).
pub async fn patch_finalizers<K>(
    api: &kube::Api<K>,
    object: &K,
    finalizers: Vec<String>,
) -> Result<(), kube::Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    use kube::ResourceExt;
    let patch = serde_json::json!({"metadata": {
        "finalizers": finalizers,
        "resourceVersion": object.resource_version(),
    }});
    api.patch(
        &object.name_any(),
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(patch),
    )
    .await
    .map(|_| ())
}

/// Whether an API error is a 404.
pub fn is_not_found(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == 404)
}

/// Whether an API error is a 409 AlreadyExists.
pub fn is_already_exists(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == 409 && status.reason == "AlreadyExists")
}

/// Whether an API error is a 403 (a namespace that is going refuses new
/// objects).
pub fn is_forbidden(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == 403)
}

/// Whether an API error is a 409 Conflict (a stale resourceVersion).
pub fn is_conflict(err: &kube::Error) -> bool {
    matches!(err, kube::Error::Api(status) if status.code == 409 && status.reason == "Conflict")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(controllers: &[&str]) -> ControllerManagerOptions {
        ControllerManagerOptions {
            controllers: controllers.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_controllers_flag_reads_as_upstream() {
        assert!(with(&["*"]).enabled("deployment-controller"));
        assert!(!with(&["*", "-deployment"]).enabled("deployment-controller"));
        assert!(!with(&["*", "-deployment-controller"]).enabled("deployment-controller"));
        assert!(with(&["replicaset"]).enabled("replicaset-controller"));
        assert!(!with(&["replicaset"]).enabled("deployment-controller"));
        assert_eq!(with(&["*", "-nope", "replicaset"]).unknown(), vec!["-nope"]);
    }
}
