//! Real rudder clusters for tests. A [`TestCluster`] runs the API server
//! in-process on a free loopback port over a store in a temporary
//! directory, writes its admin kubeconfig, and drives the real `kubectl`
//! on the PATH against it.

// Test scaffolding: a broken set-up should stop the run loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use store::SharedStore;
use store::sqlite::SqliteStore;
use store::testing::EtcdCluster;

/// Debian's busybox-static, whose commands test pods run (the process
/// runtime runs the node's own commands).
pub fn busybox() -> &'static str {
    if Path::new("/bin/busybox").exists() {
        "/bin/busybox"
    } else {
        "/usr/bin/busybox"
    }
}

/// The processes (not zombies) whose environment holds `marker`
/// (`NAME=value`): a test pod's, whose containers are given it.
pub fn processes_marked(marker: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let running = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
                s.rsplit(')')
                    .next()
                    .is_some_and(|r| !r.trim_start().starts_with('Z'))
            });
            running
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|e| e.split(|b| *b == 0).any(|v| v == marker.as_bytes()))
        })
        .collect()
}

/// Kills the processes marked so when dropped: what a test's pods left if
/// the test ends before a kubelet stops them (they outlive a kubelet that
/// keeps its pods on exit).
pub struct KillMarked(pub &'static str);

impl Drop for KillMarked {
    fn drop(&mut self) {
        for pid in processes_marked(self.0) {
            // SAFETY: kill(2) of a test's own leftover process.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// Whether a pod (as JSON) has its Ready condition True.
pub fn pod_ready(pod: &serde_json::Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

/// What a kubectl run printed and how it ended.
#[derive(Debug)]
pub struct Kubectl {
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Kubectl {
    /// The output of a run that must succeed.
    #[track_caller]
    pub fn ok(self) -> String {
        assert!(
            self.success,
            "kubectl failed ({:?}):\n{}{}",
            self.code, self.stdout, self.stderr
        );
        self.stdout
    }

    /// The error output of a run that must fail.
    #[track_caller]
    pub fn err(self) -> String {
        assert!(
            !self.success,
            "kubectl succeeded but should not have:\n{}",
            self.stdout
        );
        self.stderr
    }

    /// stdout parsed as JSON (for `-o json`).
    #[track_caller]
    pub fn json(self) -> serde_json::Value {
        let out = self.ok();
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("kubectl printed no JSON ({e}):\n{out}"))
    }
}

/// A running cluster with its data directory.
pub struct TestCluster {
    pub server: apiserver::ApiServer,
    pub store: SharedStore,
    pub kubeconfig: PathBuf,
    /// Kept alive for the cluster's life (and removed after it).
    pub dir: tempfile::TempDir,
    pub etcd: Option<EtcdCluster>,
    /// The ServiceAccount and root-CA publisher controllers, which every
    /// cluster runs: pods cannot be admitted without their namespace's
    /// `default` account, nor start without the CA in `kube-root-ca.crt`.
    _namespace_basics: Component,
}

/// A control-plane component running inside the test; it stops when
/// this is dropped.
pub struct Component {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Component {
    /// Stops the component and waits for it to finish.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let _ = task.await;
    }
}

impl Component {
    /// Ends the component at once, as a crash would: nothing is handed
    /// over.
    pub fn kill(self) {
        self.task.abort();
    }
}

/// Runs the controllers that give every namespace its `default` service
/// account and the `kube-root-ca.crt` ConfigMap, as the controller manager.
async fn namespace_basics(
    server: &apiserver::ApiServer,
    store: &SharedStore,
    data_dir: &Path,
) -> Component {
    let kubeconfig = server
        .controller_manager_kubeconfig()
        .expect("controller manager kubeconfig");
    let client = client_from(&kubeconfig).await;
    let options = controllers::ControllerManagerOptions {
        controllers: vec![
            "serviceaccount".to_string(),
            "root-ca-certificate-publisher".to_string(),
        ],
        root_ca_pem: std::fs::read_to_string(data_dir.join("pki/ca.crt")).ok(),
        credentials: controllers::credentials::Credentials::service_accounts(
            &kubeconfig,
            data_dir.join("controller-manager"),
        )
        .await
        .expect("controller credentials"),
        ..Default::default()
    };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(controllers::run(client, options, stopping));
    // Tests count what they write: the start's own objects are in first.
    let made = [
        "/registry/serviceaccounts/{}/default",
        "/registry/configmaps/{}/kube-root-ca.crt",
    ];
    let namespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    for key in made
        .iter()
        .flat_map(|key| namespaces.iter().map(move |ns| key.replace("{}", ns)))
    {
        while store.get(&key).await.ok().flatten().is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {key}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    Component { stop, task }
}

impl Drop for Component {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A kubelet (or a set of simulated nodes) running inside the test, and
/// the pod network it holds; it stops when this is dropped.
pub struct NodeComponent {
    pub component: Component,
    pub network: Option<TestNetwork>,
}

impl NodeComponent {
    /// Stops the node and waits until its pods are stopped.
    pub async fn stop(self) {
        self.component.stop().await;
    }

    /// Stops the node (its pods stay up if it keeps them on exit) and
    /// hands back its pod network, for the next kubelet.
    pub async fn stop_keeping_network(self) -> Option<TestNetwork> {
        self.component.stop().await;
        self.network
    }
}

/// A pod network no other test on this machine uses at the same time:
/// `10.88.N.0/24` on bridge `rtestN`, held by a lock on a file in /tmp
/// (released when the test process ends, however it ends).
pub struct TestNetwork {
    pub cidr: String,
    pub bridge: String,
    _lock: std::fs::File,
}

impl TestNetwork {
    pub fn claim() -> TestNetwork {
        use std::os::fd::AsRawFd;
        for n in 0..=255u32 {
            let path = format!("/tmp/rudder-testkit-net-{n}.lock");
            let Ok(file) = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
            else {
                continue;
            };
            // SAFETY: flock(2) on a file we hold open.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                return TestNetwork {
                    cidr: format!("10.88.{n}.0/24"),
                    bridge: format!("rtest{n}"),
                    _lock: file,
                };
            }
        }
        panic!("every test pod network (10.88.0.0/16) is taken");
    }
}

impl Drop for TestNetwork {
    fn drop(&mut self) {
        // The bridge goes with the network (pods' veths went with their pods).
        let _ = Command::new("ip")
            .args(["link", "del", "dev", &self.bridge])
            .output();
    }
}

/// The host's packet filter, held by one test at a time: a proxy programs
/// the host's own nftables/iptables, and every test cluster hands out the
/// same Service addresses. Claiming it removes what an earlier test left;
/// releasing it (drop) removes this test's rules.
pub struct HostNetwork {
    _lock: std::fs::File,
}

impl HostNetwork {
    pub async fn claim() -> HostNetwork {
        use std::os::fd::AsRawFd;
        let file = tokio::task::spawn_blocking(|| {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open("/tmp/rudder-testkit-host-network.lock")
                .expect("open the host network lock");
            // SAFETY: flock(2) on a file we hold open; blocks until free.
            let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            assert_eq!(locked, 0, "lock the host network");
            file
        })
        .await
        .expect("lock task");
        proxy::cleanup("rudder")
            .await
            .expect("remove old proxy rules");
        HostNetwork { _lock: file }
    }
}

impl Drop for HostNetwork {
    fn drop(&mut self) {
        // Blocking is fine here: the lock is still held, nobody waits on us.
        let _ = Command::new("nft")
            .args(["delete", "table", "ip", "rudder"])
            .output();
        let _ = std::thread::spawn(|| {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = runtime.block_on(proxy::cleanup("rudder"));
            }
        })
        .join();
    }
}

async fn client_from(path: &Path) -> kube::Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(path).expect("read kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .expect("client config");
    kube::Client::try_from(config).expect("client")
}

impl TestCluster {
    /// A client for `component` authenticated as `user`, through its own
    /// kubeconfig, as the component would run on another machine.
    pub async fn client_as(&self, component: &str, user: &str) -> kube::Client {
        let path = self
            .server
            .component_kubeconfig(component, user)
            .expect("component kubeconfig");
        client_from(&path).await
    }

    /// A client as the cluster's administrator (`system:masters`), for
    /// tests that stand in for components acting on many objects.
    pub async fn admin_client(&self) -> kube::Client {
        client_from(&self.server.kubeconfig).await
    }

    /// A service account for each controller, as `rudder server` runs
    /// them.
    pub async fn controller_credentials(&self) -> controllers::credentials::Credentials {
        let kubeconfig = self
            .server
            .controller_manager_kubeconfig()
            .expect("controller manager kubeconfig");
        controllers::credentials::Credentials::service_accounts(
            &kubeconfig,
            self.data_dir().join("controller-manager"),
        )
        .await
        .expect("controller credentials")
    }

    /// A client as the controller manager.
    pub async fn controller_manager_client(&self) -> kube::Client {
        let path = self
            .server
            .controller_manager_kubeconfig()
            .expect("controller manager kubeconfig");
        client_from(&path).await
    }

    /// Runs the scheduler against this cluster until the returned
    /// component is dropped.
    pub async fn start_scheduler(&self, options: scheduler::SchedulerOptions) -> Component {
        let client = self.client_as("scheduler", "system:kube-scheduler").await;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(scheduler::run(client, options, stopping));
        Component { stop, task }
    }

    /// Runs the controller manager against this cluster, as
    /// `system:kube-controller-manager`, until the returned component is
    /// dropped.
    pub async fn start_controller_manager(
        &self,
        mut options: controllers::ControllerManagerOptions,
    ) -> Component {
        options.credentials = self.controller_credentials().await;
        let client = self.controller_manager_client().await;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(controllers::run(client, options, stopping));
        Component { stop, task }
    }

    /// The controller manager with every controller and the cluster CA
    /// published in each namespace, as `rudder server` runs it.
    pub async fn start_controllers(&self) -> Component {
        self.start_controllers_with(|_| {}).await
    }

    /// [`start_controllers`](Self::start_controllers) with its options
    /// adjusted by `configure` first.
    pub async fn start_controllers_with(
        &self,
        configure: impl FnOnce(&mut controllers::ControllerManagerOptions),
    ) -> Component {
        let ca = std::fs::read_to_string(self.data_dir().join("pki/ca.crt")).ok();
        let mut options = controllers::ControllerManagerOptions {
            root_ca_pem: ca.clone(),
            cluster_signing: ca
                .zip(std::fs::read_to_string(self.data_dir().join("pki/ca.key")).ok())
                .map(|(cert_pem, key_pem)| controllers::csrsigning::SigningCa {
                    cert_pem,
                    key_pem,
                }),
            cluster_cidr: controllers::nodeipam::CidrSet::new("10.244.0.0/16", 24).ok(),
            service_account_key_pem: std::fs::read_to_string(self.data_dir().join("pki/sa.key"))
                .ok(),
            ..Default::default()
        };
        configure(&mut options);
        self.start_controller_manager(options).await
    }

    /// Runs the controller manager (every controller) only while it holds
    /// `lease`.
    pub async fn start_controllers_elected(
        &self,
        lease: leader_election::LeaseConfig,
    ) -> Component {
        let client = self.controller_manager_client().await;
        let options = controllers::ControllerManagerOptions {
            credentials: self.controller_credentials().await,
            ..Default::default()
        };
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(leader_election::run(
            client.clone(),
            lease,
            stopping,
            move |lost| controllers::run(client.clone(), options.clone(), lost),
        ));
        Component { stop, task }
    }

    /// Runs a scheduler that works only while it holds `lease`.
    pub async fn start_scheduler_elected(
        &self,
        options: scheduler::SchedulerOptions,
        lease: leader_election::LeaseConfig,
    ) -> Component {
        let client = self.client_as("scheduler", "system:kube-scheduler").await;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(leader_election::run(
            client.clone(),
            lease,
            stopping,
            move |lost| scheduler::run(client.clone(), options.clone(), lost),
        ));
        Component { stop, task }
    }

    /// Runs a kubelet on this machine (the process runtime) against this
    /// cluster as `system:node:<name>`, with a pod network of its own: a
    /// /24 and a bridge no other test on the machine holds.
    pub async fn start_kubelet(&self, node: &str) -> NodeComponent {
        self.start_kubelet_with(node, |_| {}).await
    }

    /// A kubelet as [`start_kubelet`](Self::start_kubelet), its options
    /// adjusted by `configure` first.
    pub async fn start_kubelet_with(
        &self,
        node: &str,
        configure: impl FnOnce(&mut kubelet::KubeletOptions),
    ) -> NodeComponent {
        self.start_kubelet_in(node, TestNetwork::claim(), configure)
            .await
    }

    /// A kubelet as [`start_kubelet_with`](Self::start_kubelet_with) on a
    /// pod network it is given (an earlier kubelet's, to restart one).
    pub async fn start_kubelet_in(
        &self,
        node: &str,
        network: TestNetwork,
        configure: impl FnOnce(&mut kubelet::KubeletOptions),
    ) -> NodeComponent {
        let path = self.server.node_kubeconfig(node).expect("node kubeconfig");
        let client = client_from(&path).await;
        let mut options =
            kubelet::KubeletOptions::new(node, self.dir.path().join(format!("kubelet-{node}")));
        options.pod_cidr = Some(network.cidr.clone());
        options.bridge = kubelet::BridgeConfig {
            name: network.bridge.clone(),
            ..Default::default()
        };
        options.node_ip = Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        // The tests are not about this machine's disk: a nearly full one
        // (a big target directory) must not taint the test node.
        options.eviction_hard.nodefs_available = 0.01;
        options.server = Some(kubelet::server::ServerOptions {
            address: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            client_ca_pem: std::fs::read_to_string(self.data_dir().join("pki/ca.crt"))
                .expect("the cluster CA"),
            serving: kubelet::server::ServingIdentity::Fixed(
                self.server
                    .pki
                    .kubelet_server(node, &[node.to_string()], &[[127, 0, 0, 1].into()])
                    .and_then(|pair| {
                        Ok(serving::ServingCert {
                            cert_pem: pair.cert_pem()?,
                            key_pem: pair.key_pem()?,
                        })
                    })
                    .expect("the kubelet's serving certificate"),
            ),
        });
        configure(&mut options);
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(kubelet::run(client, options, stopping));
        NodeComponent {
            component: Component { stop, task },
            network: Some(network),
        }
    }

    /// Runs the service proxy for `node` in `mode` (hold a [`HostNetwork`]:
    /// it programs this machine's packet filter). Pods are in
    /// `cluster_cidr`; it syncs at most every 100 ms.
    pub async fn start_proxy(
        &self,
        node: &str,
        mode: proxy::Mode,
        cluster_cidr: &str,
    ) -> Component {
        self.start_proxy_with(Self::proxy_options(node, mode, cluster_cidr))
            .await
    }

    /// The options [`start_proxy`](Self::start_proxy) uses, to adjust.
    pub fn proxy_options(node: &str, mode: proxy::Mode, cluster_cidr: &str) -> proxy::ProxyOptions {
        let mut options = proxy::ProxyOptions::new(mode, node);
        options.config.cluster_cidr = Some(proxy::Ipv4Net::parse(cluster_cidr).expect("a CIDR"));
        options.min_sync_period = std::time::Duration::from_millis(100);
        options
    }

    pub async fn start_proxy_with(&self, options: proxy::ProxyOptions) -> Component {
        let client = self.client_as("proxy", "system:kube-proxy").await;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            if let Err(err) = proxy::run(client, options, stopping).await {
                panic!("the proxy failed: {err}");
            }
        });
        Component { stop, task }
    }

    /// Runs the cluster DNS on `listen`, published as the kube-dns Service
    /// at 10.96.0.10 (the default Service range's).
    pub async fn start_dns(&self, listen: std::net::SocketAddr) -> Component {
        let client = client_from(&self.server.dns_kubeconfig().expect("dns kubeconfig")).await;
        let admin = self.admin_client().await;
        let mut options = proxy::dns::DnsOptions::new(listen);
        options.service_ip = Some(std::net::Ipv4Addr::new(10, 96, 0, 10));
        // The test pod networks (TestNetwork's /24s).
        options.recursion_for = proxy::Ipv4Net::parse("10.88.0.0/16").into_iter().collect();
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            if let Err(err) = proxy::dns::run(client, admin, options, stopping).await {
                panic!("the cluster DNS failed: {err}");
            }
        });
        Component { stop, task }
    }

    /// Runs `count` simulated nodes (`sim-1` ..) against this cluster.
    pub async fn start_simulated_nodes(&self, count: usize) -> NodeComponent {
        let mut nodes = kubelet::SimulatedNodes::new(count);
        nodes.prefix = "sim".into();
        self.start_simulated_nodes_with(nodes).await
    }

    pub async fn start_simulated_nodes_with(
        &self,
        nodes: kubelet::SimulatedNodes,
    ) -> NodeComponent {
        // A fleet writes as many nodes at once, as an operator (as kwok).
        let path = self
            .server
            .component_kubeconfig_in(
                "simulated-nodes",
                "system:rudder:simulated-nodes",
                &["system:masters"],
            )
            .expect("simulated nodes kubeconfig");
        let client = client_from(&path).await;
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(kubelet::run_simulated(client, nodes, stopping));
        NodeComponent {
            component: Component { stop, task },
            network: None,
        }
    }

    /// A cluster on the embedded SQLite store.
    pub async fn start() -> TestCluster {
        let dir = tempfile::Builder::new()
            .prefix("rudder-test-")
            .tempdir()
            .expect("temp dir");
        let store = SqliteStore::open_dir(dir.path().join("store")).expect("open store");
        Self::start_on(Arc::new(store), dir, None).await
    }

    /// A cluster on the embedded SQLite store, with `configure` applied to
    /// the API server's configuration.
    pub async fn start_with(configure: impl FnOnce(&mut apiserver::Config)) -> TestCluster {
        let dir = tempfile::Builder::new()
            .prefix("rudder-test-")
            .tempdir()
            .expect("temp dir");
        let store = SqliteStore::open_dir(dir.path().join("store")).expect("open store");
        Self::start_configured(Arc::new(store), dir, None, configure).await
    }

    /// A cluster on a fresh single-member etcd.
    pub async fn start_etcd() -> TestCluster {
        let dir = tempfile::Builder::new()
            .prefix("rudder-test-")
            .tempdir()
            .expect("temp dir");
        let etcd = tokio::task::spawn_blocking(|| EtcdCluster::start(1))
            .await
            .expect("etcd start task")
            .expect("start etcd");
        let store =
            store::etcd::EtcdStore::connect(store::etcd::EtcdOptions::new(etcd.endpoints()))
                .await
                .expect("connect to etcd");
        Self::start_on(Arc::new(store), dir, Some(etcd)).await
    }

    /// A cluster over `store`, with certificates and kubeconfig in `dir`.
    pub async fn start_on(
        store: SharedStore,
        dir: tempfile::TempDir,
        etcd: Option<EtcdCluster>,
    ) -> TestCluster {
        Self::start_configured(store, dir, etcd, |_| {}).await
    }

    async fn start_configured(
        store: SharedStore,
        dir: tempfile::TempDir,
        etcd: Option<EtcdCluster>,
        configure: impl FnOnce(&mut apiserver::Config),
    ) -> TestCluster {
        let mut config = apiserver::Config::new(dir.path().to_path_buf());
        config.bind_address = [127, 0, 0, 1].into();
        config.port = 0;
        configure(&mut config);
        let server = apiserver::start(config, store.clone())
            .await
            .expect("start the API server");
        let basics = namespace_basics(&server, &store, dir.path()).await;
        TestCluster {
            kubeconfig: server.kubeconfig.clone(),
            server,
            store,
            dir,
            etcd,
            _namespace_basics: basics,
        }
    }

    /// Stops the API server and starts it again on the same data directory
    /// and store, as a restart of `rudder server` does.
    pub async fn restart(self) -> TestCluster {
        self.restart_after(std::time::Duration::ZERO, false).await
    }

    /// Stops the API server for `down`, then starts it again on the same
    /// port, so running clients find it where it was.
    pub async fn restart_in_place(self, down: std::time::Duration) -> TestCluster {
        self.restart_after(down, true).await
    }

    async fn restart_after(self, down: std::time::Duration, same_port: bool) -> TestCluster {
        let port = self.server.address.port();
        let TestCluster {
            server,
            store,
            dir,
            etcd,
            ..
        } = self;
        server.stop().await;
        tokio::time::sleep(down).await;
        let keep_port = move |config: &mut apiserver::Config| {
            if same_port {
                config.port = port;
            }
        };
        let embedded = store.backend() == "sqlite";
        if embedded {
            // Wait for the connections still holding the store to end, so the
            // database is closed (and its lock released) before reopening.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while Arc::strong_count(&store) > 1 && std::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            drop(store);
            let reopened = SqliteStore::open_dir(dir.path().join("store")).expect("reopen store");
            Self::start_configured(Arc::new(reopened), dir, etcd, keep_port).await
        } else {
            Self::start_configured(store, dir, etcd, keep_port).await
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the real `kubectl` against this cluster.
    pub async fn kubectl(&self, args: &[&str]) -> Kubectl {
        self.kubectl_with(args, &[], None).await
    }

    /// Runs kubectl of one release (`"1.32"`) when the machine has it
    /// beside the `kubectl` on the PATH (the Cloud SDK's dispatcher picks a
    /// release by server version; this pins one), else that `kubectl`.
    pub async fn kubectl_release(&self, release: &str, args: &[&str]) -> Kubectl {
        let pinned = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
            .map(|dir| dir.join("kubectl"))
            .find(|k| k.exists())
            .and_then(|k| std::fs::canonicalize(k).ok())
            .map(|k| k.with_file_name(format!("kubectl.{release}")))
            .filter(|k| k.exists());
        let program = pinned.unwrap_or_else(|| PathBuf::from("kubectl"));
        self.run_kubectl(program, args, &[], None).await
    }

    /// Runs `kubectl` with extra environment and optional standard input.
    pub async fn kubectl_with(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&str>,
    ) -> Kubectl {
        self.run_kubectl(PathBuf::from("kubectl"), args, env, stdin)
            .await
    }

    async fn run_kubectl(
        &self,
        program: PathBuf,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&str>,
    ) -> Kubectl {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let stdin = stdin.map(str::to_string);
        let kubeconfig = self.kubeconfig.clone();
        let home = self.dir.path().join("home");
        tokio::task::spawn_blocking(move || {
            let _ = std::fs::create_dir_all(&home);
            let mut command = Command::new(&program);
            command
                .args(&args)
                .env("KUBECONFIG", &kubeconfig)
                // Its own cache and config, never the developer's.
                .env("HOME", &home)
                .env("KUBECACHEDIR", home.join("cache"))
                .stdin(if stdin.is_some() {
                    std::process::Stdio::piped()
                } else {
                    std::process::Stdio::null()
                })
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            for (k, v) in &env {
                command.env(k, v);
            }
            let mut child = command.spawn().expect("run kubectl (is it on the PATH?)");
            if let Some(input) = stdin {
                use std::io::Write;
                if let Some(mut pipe) = child.stdin.take() {
                    let _ = pipe.write_all(input.as_bytes());
                }
            }
            let output = child.wait_with_output().expect("wait for kubectl");
            Kubectl {
                success: output.status.success(),
                code: output.status.code(),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        })
        .await
        .expect("kubectl task")
    }

    /// Runs `kubectl ARGS -o json` until `check` holds for what it prints
    /// (30 s at most, then the test fails saying what it waited for and
    /// what it last saw); returns that JSON.
    pub async fn eventually(
        &self,
        args: &[&str],
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut args: Vec<&str> = args.to_vec();
        args.extend(["-o", "json"]);
        loop {
            let out = self.kubectl(&args).await;
            let value: serde_json::Value =
                serde_json::from_str(&out.stdout).unwrap_or(serde_json::Value::Null);
            if out.success && check(&value) {
                return value;
            }
            if std::time::Instant::now() > deadline {
                let seen = serde_json::to_string_pretty(&value).unwrap_or_default();
                panic!(
                    "timed out waiting for {what}; last seen:\n{seen}\n{}",
                    out.stderr
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// `kubectl apply -f` of `manifest`, written to the file `name`.
    pub async fn apply(&self, name: &str, manifest: &str) -> Kubectl {
        let file = self.file(name, manifest);
        self.kubectl(&["apply", "-f", &file.to_string_lossy()])
            .await
    }

    /// Writes `contents` to a file in the cluster's directory and returns its path.
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("write test file");
        path
    }
}

/// The seed's example cluster: the fixture, its namespaces and the nodes
/// it expects (shared by its end-to-end test and the `cluster` bench).
pub mod webhook;

pub mod seed {
    use std::collections::BTreeMap;

    pub const FIXTURE: &str = include_str!("../fixtures/seed-cluster.yaml");

    pub const NAMESPACES: [&str; 6] = [
        "monitoring",
        "blockchain",
        "nfs-system",
        "ingress-nginx",
        "argocd",
        "hashfoundry-react-dev",
    ];

    /// Its pods once converged: the exporter, alice, bob, the NFS server,
    /// two ingress controllers, argocd and two React replicas.
    pub const PODS: usize = 9;

    /// Its nodes as two simulated fleets: one control-plane node tainted
    /// NoSchedule, and two workers with the labels the manifests select.
    pub fn fleets() -> (kubelet::SimulatedNodes, kubelet::SimulatedNodes) {
        let mut control_plane = kubelet::SimulatedNodes::new(1);
        control_plane.prefix = "hashfoundry-ha-control-plane".into();
        control_plane.labels.insert(
            "node-role.kubernetes.io/control-plane".into(),
            String::new(),
        );
        control_plane
            .taints
            .push(k8s_openapi::api::core::v1::Taint {
                key: "node-role.kubernetes.io/control-plane".into(),
                effect: "NoSchedule".into(),
                ..Default::default()
            });
        let mut workers = kubelet::SimulatedNodes::new(2);
        workers.prefix = "hashfoundry-ha-pool".into();
        workers.labels = BTreeMap::from(
            [
                ("node-type", "worker"),
                ("storage-type", "ssd"),
                ("node-role", "storage"),
                ("storage-capacity", "high"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        (control_plane, workers)
    }
}

/// A Python with the official Kubernetes client and the kopf operator
/// framework (`pip install kubernetes kopf`, once per checkout, in
/// `target/python-client`).
pub fn python_with_kubernetes() -> std::path::PathBuf {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/python-client");
    let python = venv.join("bin/python");
    // Named for what is installed, so a virtualenv made for fewer packages
    // is completed.
    let ready = venv.join(".installed-kubernetes-kopf");
    // Test processes run in parallel: one creates the virtualenv while the
    // others wait on the lock, instead of recreating it under each other.
    std::fs::create_dir_all(venv.parent().expect("target dir")).expect("create target dir");
    let lock = std::fs::File::create(venv.with_extension("lock")).expect("create the venv lock");
    lock.lock().expect("lock the virtualenv");
    if !ready.exists() {
        let status = std::process::Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(status.success(), "creating the virtualenv failed");
        let status = std::process::Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "kubernetes", "kopf"])
            .status()
            .expect("pip install kubernetes kopf");
        assert!(
            status.success(),
            "installing the kubernetes client and kopf failed"
        );
        std::fs::write(&ready, "").expect("mark the virtualenv ready");
    }
    python
}
