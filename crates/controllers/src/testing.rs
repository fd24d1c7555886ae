//! What the reconcile tests stand on: a real API server over a store in a
//! temporary directory, the controllers' informers watching it, and a
//! manual clock. A test writes its fixtures through the API, waits until
//! the informers hold them, calls one controller's `sync` and looks at
//! what it wrote; deadlines pass when the test moves the clock.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::informer::Kind;
use crate::{Clock, Context, ControllerManagerOptions, Informers};

pub struct Harness {
    pub client: kube::Client,
    pub clock: Clock,
    pub context: Context,
    shutdown: watch::Sender<bool>,
    _server: apiserver::ApiServer,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// An API server and a context whose clock stands at the current
    /// second until the test moves it.
    pub async fn start() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            store::sqlite::SqliteStore::open_dir(dir.path().join("store")).expect("open store");
        let mut config = apiserver::Config::new(dir.path().to_path_buf());
        config.bind_address = [127, 0, 0, 1].into();
        config.port = 0;
        let server = apiserver::start(config, Arc::new(store))
            .await
            .expect("start the API server");
        let kubeconfig =
            kube::config::Kubeconfig::read_from(&server.kubeconfig).expect("read kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .expect("client config");
        let client = kube::Client::try_from(config).expect("client");
        // What the ServiceAccount controller gives every namespace: pods
        // are admitted only with their account.
        let accounts: kube::Api<k8s_openapi::api::core::v1::ServiceAccount> =
            kube::Api::namespaced(client.clone(), "default");
        let account = serde_json::from_value(serde_json::json!({"metadata": {"name": "default"}}))
            .expect("a service account");
        accounts
            .create(&Default::default(), &account)
            .await
            .expect("create the default service account");
        let now = Timestamp::now();
        let clock = Clock::manual(Timestamp::from_second(now.as_second()).unwrap_or(now));
        let options = ControllerManagerOptions {
            clock: clock.clone(),
            ..Default::default()
        };
        let context = Context {
            client: client.clone(),
            informers: Informers::new(client.clone()),
            options,
        };
        Harness {
            client,
            clock,
            context,
            shutdown: watch::channel(false).0,
            _server: server,
            _dir: dir,
        }
    }

    /// What a controller started whole (`module::start`) stops on: the
    /// end of the test.
    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Starts every informer the controllers made so far and waits for
    /// their first lists.
    pub async fn start_informers(&self) {
        self.context.informers.start(&self.shutdown.subscribe());
        tokio::time::timeout(Duration::from_secs(20), self.context.informers.synced())
            .await
            .expect("the informers list");
    }

    /// Creates `object` in its namespace (`default` unless it names one)
    /// and waits until the informers hold it.
    pub async fn create<K>(&self, object: Value) -> K
    where
        K: Kind<Scope = k8s_openapi::NamespaceResourceScope> + serde::Serialize,
    {
        let object: K = serde_json::from_value(object).expect("a valid fixture");
        let namespace = object.namespace().unwrap_or_else(|| "default".into());
        let api: Api<K> = Api::namespaced(self.client.clone(), &namespace);
        let created = api
            .create(&PostParams::default(), &object)
            .await
            .expect("create the fixture");
        self.cached(&created).await;
        created
    }

    /// Creates a cluster-scoped `object` and waits until the informers
    /// hold it.
    pub async fn create_cluster<K>(&self, object: Value) -> K
    where
        K: Kind<Scope = k8s_openapi::ClusterResourceScope> + serde::Serialize,
    {
        let object: K = serde_json::from_value(object).expect("a valid fixture");
        let api: Api<K> = Api::all(self.client.clone());
        let created = api
            .create(&PostParams::default(), &object)
            .await
            .expect("create the fixture");
        self.cached(&created).await;
        created
    }

    /// Waits until the informer of `K` holds `object` at its
    /// resourceVersion or later.
    pub async fn cached<K: Kind>(&self, object: &K) {
        let informer = self.context.informers.get::<K>();
        let namespace = object.namespace().unwrap_or_default();
        let name = object.name_any();
        let wanted = revision(object);
        eventually(|| {
            informer
                .get(&namespace, &name)
                .filter(|cached| revision(cached.as_ref()) >= wanted)
                .map(|_| ())
        })
        .await
    }

    /// Every `K` of `namespace` as the API has them now, by name.
    pub async fn list<K>(&self, namespace: &str) -> Vec<K>
    where
        K: Kind<Scope = k8s_openapi::NamespaceResourceScope>,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        let mut items = api.list(&ListParams::default()).await.expect("list").items;
        items.sort_by_key(|o| o.name_any());
        items
    }

    /// Fetches `namespace/name` from the API and waits until the
    /// informers hold that version.
    pub async fn fresh<K>(&self, namespace: &str, name: &str) -> K
    where
        K: Kind<Scope = k8s_openapi::NamespaceResourceScope>,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        let object = api.get(name).await.expect("get");
        self.cached(&object).await;
        object
    }

    /// Every pod of `namespace`, once the informers hold them all as the
    /// API has them.
    pub async fn pods(&self, namespace: &str) -> Vec<Pod> {
        let pods: Vec<Pod> = self.list(namespace).await;
        for pod in &pods {
            self.cached(pod).await;
        }
        pods
    }

    /// Marks a pod Running and Ready since now on the clock, as a
    /// kubelet would, and waits until the informers see it.
    pub async fn mark_ready(&self, pod: &Pod) {
        let since = crate::pods::timestamp(self.clock.now());
        let status = json!({"status": {
            "phase": "Running",
            "podIP": "10.244.0.10",
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": since},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": since},
            ],
        }});
        self.patch_pod_status(pod, status).await;
    }

    /// Marks a pod finished (`Succeeded` or `Failed`) at now on the clock.
    pub async fn mark_finished(&self, pod: &Pod, phase: &str) {
        let at = crate::pods::timestamp(self.clock.now());
        let code = if phase == "Succeeded" { 0 } else { 1 };
        let name = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let status = json!({"status": {
            "phase": phase,
            "containerStatuses": [{
                "name": name, "image": "busybox", "imageID": "", "ready": false,
                "restartCount": 0,
                "state": {"terminated": {"exitCode": code, "finishedAt": at, "startedAt": at}},
            }],
        }});
        self.patch_pod_status(pod, status).await;
    }

    async fn patch_pod_status(&self, pod: &Pod, status: Value) {
        self.patch_status::<Pod>(
            &pod.namespace().unwrap_or_default(),
            &pod.name_any(),
            status,
        )
        .await;
    }

    /// Merges `status` (`{"status": ...}`) into `namespace/name`'s status
    /// and waits until the informers see it.
    pub async fn patch_status<K>(&self, namespace: &str, name: &str, status: Value) -> K
    where
        K: Kind<Scope = k8s_openapi::NamespaceResourceScope>,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        let patched = api
            .patch_status(name, &PatchParams::default(), &Patch::Merge(status))
            .await
            .expect("patch the status");
        self.cached(&patched).await;
        patched
    }

    /// Merges `patch` into `namespace/name` and waits until the informers
    /// see it.
    pub async fn patch<K>(&self, namespace: &str, name: &str, patch: Value) -> K
    where
        K: Kind<Scope = k8s_openapi::NamespaceResourceScope>,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), namespace);
        let patched = api
            .patch(name, &PatchParams::default(), &Patch::Merge(patch))
            .await
            .expect("patch");
        self.cached(&patched).await;
        patched
    }

    /// Binds a pod to `node` by setting its nodeName, as the scheduler's
    /// binding does.
    pub async fn bind(&self, pod: &Pod, node: &str) {
        let api: Api<Pod> =
            Api::namespaced(self.client.clone(), &pod.namespace().unwrap_or_default());
        let binding = json!({
            "apiVersion": "v1", "kind": "Binding",
            "metadata": {"name": pod.name_any()},
            "target": {"kind": "Node", "name": node},
        });
        let _ = api
            .create_subresource::<Value, Value>(
                "binding",
                &pod.name_any(),
                &PostParams::default(),
                &binding,
            )
            .await
            .expect("bind the pod");
        let _: Pod = self
            .fresh(&pod.namespace().unwrap_or_default(), &pod.name_any())
            .await;
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

fn revision<K: Resource>(object: &K) -> u64 {
    object
        .meta()
        .resource_version
        .as_deref()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or(0)
}

/// Runs `sync` until what the API then holds passes `done`, letting the
/// informers catch up between runs (a controller may need a few passes:
/// a pod is counted, then released, then the counts move), at most ten.
pub async fn settle<K, F, Fut>(
    h: &Harness,
    namespace: &str,
    name: &str,
    sync: F,
    done: impl Fn(&K) -> bool,
) -> K
where
    K: Kind<Scope = k8s_openapi::NamespaceResourceScope>,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<crate::queue::Outcome, crate::Error>>,
{
    for _ in 0..10 {
        sync().await.expect("sync");
        let _ = h.pods(namespace).await;
        let object: K = h.fresh(namespace, name).await;
        if done(&object) {
            return object;
        }
    }
    panic!("{namespace}/{name} did not settle after ten syncs");
}

/// Polls `check` until it answers, for at most 20 seconds.
pub async fn eventually<T>(mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the informers did not catch up within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The one condition of type `kind` in a status's conditions (JSON).
pub fn condition(status: &Value, kind: &str) -> Value {
    status["conditions"]
        .as_array()
        .and_then(|list| list.iter().find(|c| c["type"] == kind))
        .cloned()
        .unwrap_or(Value::Null)
}
