//! Streaming through the API server with the real kubectl: exec (over
//! WebSocket, and SPDY where kubectl falls back to it), cp, port-forward
//! and the proxy subresources, against pods on the process runtime.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::Value;
use testkit::{TestCluster, busybox, pod_ready as ready};

/// A cluster with a scheduler and one process-runtime node, and a
/// Ready pod `shell` whose container writes `/data/hello` on an emptyDir
/// and serves `/data` over HTTP on port 8080.
async fn cluster_with_shell() -> (TestCluster, Vec<testkit::Component>, testkit::NodeComponent) {
    let cluster = TestCluster::start().await;
    let scheduler = cluster.start_scheduler(Default::default()).await;
    let controllers = cluster.start_controllers().await;
    let kubelet = cluster.start_kubelet("node-a").await;
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: shell
  labels:
    app: shell
spec:
  containers:
  - name: main
    image: busybox
    command: ["{busybox}", "sh", "-c", "echo hello from the pod > /data/hello; exec {busybox} httpd -f -p 8080 -h /data"]
    ports:
    - name: web
      containerPort: 8080
    volumeMounts:
    - name: data
      mountPath: /data
  - name: side
    image: busybox
    command: ["{busybox}", "sleep", "3600"]
  volumes:
  - name: data
    emptyDir: {{}}
"#,
        busybox = busybox()
    );
    cluster.apply("shell.yaml", &manifest).await.ok();
    cluster
        .eventually(&["get", "pod", "shell"], "shell Ready", ready)
        .await;
    (cluster, vec![scheduler, controllers], kubelet)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_runs_commands_in_the_container() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let bb = busybox();

    // The container's mount and UTS namespaces: its emptyDir, its hostname.
    let out = cluster
        .kubectl(&[
            "exec",
            "shell",
            "-c",
            "main",
            "--",
            bb,
            "cat",
            "/data/hello",
        ])
        .await
        .ok();
    assert_eq!(out, "hello from the pod\n");
    let out = cluster
        .kubectl(&["exec", "shell", "-c", "main", "--", bb, "hostname"])
        .await
        .ok();
    assert_eq!(out, "shell\n");

    // stdout and stderr apart; the exit code comes back.
    let run = cluster
        .kubectl(&[
            "exec",
            "shell",
            "-c",
            "main",
            "--",
            bb,
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ])
        .await;
    assert_eq!(run.code, Some(3), "{run:?}");
    assert_eq!(run.stdout, "out\n");
    assert!(run.stderr.contains("err"), "{}", run.stderr);
    assert!(
        run.stderr.contains("command terminated with exit code 3"),
        "{}",
        run.stderr
    );

    // stdin reaches the command and its end ends it.
    let out = cluster
        .kubectl_with(
            &["exec", "-i", "shell", "-c", "main", "--", bb, "wc", "-c"],
            &[],
            Some("twelve bytes"),
        )
        .await
        .ok();
    assert_eq!(out.trim(), "12");

    // The same over SPDY, which kubectl falls back to.
    let spdy = [("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false")];
    let run = cluster
        .kubectl_with(
            &[
                "exec",
                "shell",
                "-c",
                "main",
                "--",
                bb,
                "sh",
                "-c",
                "echo out; echo err >&2; exit 4",
            ],
            &spdy,
            None,
        )
        .await;
    assert_eq!(run.code, Some(4), "{run:?}");
    assert_eq!(run.stdout, "out\n");
    assert!(run.stderr.contains("err"), "{}", run.stderr);
    let out = cluster
        .kubectl_with(
            &["exec", "-i", "shell", "-c", "main", "--", bb, "wc", "-c"],
            &spdy,
            Some("twelve bytes"),
        )
        .await
        .ok();
    assert_eq!(out.trim(), "12");

    // A client that goes away takes its command with it.
    let mut client = std::process::Command::new("kubectl")
        .args(["exec", "shell", "-c", "main", "--", bb, "sleep", "987"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("HOME", cluster.data_dir().join("home"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run kubectl exec");
    // The command's own command line (kubectl's names it too, later on).
    let pattern = format!("^{bb} sleep 987");
    let running = || {
        std::process::Command::new("pgrep")
            .args(["-f", &pattern])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    for _ in 0..100 {
        if running() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running(), "the exec'd command runs");
    client.kill().unwrap();
    let _ = client.wait();
    for _ in 0..100 {
        if !running() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!running(), "the command outlived its client");

    // Bad requests get upstream's messages.
    let err = cluster
        .kubectl(&["exec", "shell", "-c", "nope", "--", bb, "true"])
        .await
        .err();
    assert!(
        err.contains("container nope is not valid for pod shell"),
        "{err}"
    );
    let err = cluster
        .kubectl(&["exec", "shell", "-c", "main", "--", "no-such-command"])
        .await
        .err();
    assert!(err.contains("no-such-command"), "{err}");
}

/// A `kubectl port-forward` running in the background, and the local
/// ports it listens on (in the order given).
struct PortForward {
    child: std::process::Child,
    ports: Vec<u16>,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Drop for PortForward {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl PortForward {
    fn start(
        cluster: &TestCluster,
        args: &[&str],
        env: &[(&str, &str)],
        expected: usize,
    ) -> PortForward {
        use std::io::BufRead;
        let mut command = std::process::Command::new("kubectl");
        command
            .arg("port-forward")
            .args(args)
            .env("KUBECONFIG", &cluster.kubeconfig)
            .env("HOME", cluster.data_dir().join("home"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("run kubectl port-forward");
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let errors = output.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                errors.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (found_tx, found) = std::sync::mpsc::channel();
        let seen = output.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                seen.lock().unwrap().push_str(&(line.clone() + "\n"));
                // "Forwarding from 127.0.0.1:PORT -> TARGET"
                if let Some(rest) = line.strip_prefix("Forwarding from 127.0.0.1:")
                    && let Some(port) = rest
                        .split_whitespace()
                        .next()
                        .and_then(|p| p.parse::<u16>().ok())
                {
                    let _ = found_tx.send(port);
                }
            }
        });
        let mut ports = Vec::new();
        while ports.len() < expected {
            match found.recv_timeout(Duration::from_secs(20)) {
                Ok(port) => ports.push(port),
                Err(_) => panic!(
                    "kubectl port-forward did not start: {}",
                    output.lock().unwrap()
                ),
            }
        }
        PortForward {
            child,
            ports,
            output,
        }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

/// An HTTP/1.0 GET of `path` on localhost:`port`: the response's body.
async fn get(port: u16, path: &str) -> std::io::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or(response))
}

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: httpd
        image: busybox
        command: ["BUSYBOX", "sh", "-c", "mkdir -p /tmp/www-$HOSTNAME; echo deployed > /tmp/www-$HOSTNAME/index.html; exec BUSYBOX httpd -f -p 8081 -h /tmp/www-$HOSTNAME"]
        ports:
        - name: http
          containerPort: 8081
---
apiVersion: v1
kind: Service
metadata:
  name: shell
spec:
  selector:
    app: shell
  ports:
  - name: http
    port: 80
    targetPort: web
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_carries_http_to_pods_services_and_deployments() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    cluster
        .apply("web.yaml", &WEB.replace("BUSYBOX", busybox()))
        .await
        .ok();
    cluster
        .eventually(&["get", "pods", "-l", "app=web"], "web Ready", |l| {
            l["items"]
                .as_array()
                .is_some_and(|i| i.len() == 1 && ready(&i[0]))
        })
        .await;

    for env in [vec![], vec![("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false")]] {
        // A pod, with a port that has nothing listening beside one that has.
        let forward = PortForward::start(&cluster, &["pod/shell", ":8080", ":9999"], &env, 2);
        let body = match get(forward.ports[0], "/hello").await {
            Ok(body) => body,
            Err(err) => panic!("{err}: {}", forward.output()),
        };
        assert_eq!(body, "hello from the pod\n", "{env:?}");
        // Concurrent connections in one session.
        let (a, b) = tokio::join!(
            get(forward.ports[0], "/hello"),
            get(forward.ports[0], "/hello")
        );
        assert_eq!(
            a.as_deref().ok(),
            Some(body.as_str()),
            "{}",
            forward.output()
        );
        assert_eq!(
            b.as_deref().ok(),
            Some(body.as_str()),
            "{}",
            forward.output()
        );
        // The closed port fails on its own stream, reported as upstream's
        // kubelet does (kubectl then gives up on the whole session).
        let _ = get(forward.ports[1], "/").await;
        for _ in 0..50 {
            if forward.output().contains("9999") && forward.output().contains("error") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            forward.output().contains("an error occurred forwarding"),
            "{}",
            forward.output()
        );
        drop(forward);

        // A service's port, resolved to its pod's named target port.
        let forward = PortForward::start(&cluster, &["svc/shell", ":80"], &env, 1);
        assert_eq!(get(forward.ports[0], "/hello").await.unwrap(), body);
        drop(forward);

        // A deployment's pod.
        let forward = PortForward::start(&cluster, &["deploy/web", ":8081"], &env, 1);
        assert_eq!(get(forward.ports[0], "/").await.unwrap(), "deployed\n");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_cp_copies_files_both_ways() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let local = cluster.data_dir().join("copied");
    let out = cluster
        .kubectl(&[
            "cp",
            "-c",
            "main",
            "shell:/data/hello",
            local.to_str().unwrap(),
        ])
        .await;
    assert!(out.success, "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&local).unwrap(),
        "hello from the pod\n"
    );

    let upload = cluster.file("upload.txt", "sent from here\n");
    cluster
        .kubectl(&[
            "cp",
            "-c",
            "main",
            upload.to_str().unwrap(),
            "shell:/data/uploaded.txt",
        ])
        .await
        .ok();
    let out = cluster
        .kubectl(&[
            "exec",
            "shell",
            "-c",
            "main",
            "--",
            busybox(),
            "cat",
            "/data/uploaded.txt",
        ])
        .await
        .ok();
    assert_eq!(out, "sent from here\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_subresources_reach_pods_services_and_kubelets() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    cluster
        .apply("web.yaml", &WEB.replace("BUSYBOX", busybox()))
        .await
        .ok();
    let out = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/pods/shell:8080/proxy/hello",
        ])
        .await
        .ok();
    assert_eq!(out, "hello from the pod\n");
    // A named container port, and the first one when none is named.
    let out = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/pods/shell:web/proxy/hello",
        ])
        .await
        .ok();
    assert_eq!(out, "hello from the pod\n");
    let out = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/pods/shell/proxy/hello",
        ])
        .await
        .ok();
    assert_eq!(out, "hello from the pod\n");
    // A service's ready endpoint, by port name.
    cluster
        .eventually(
            &["get", "endpoints", "shell"],
            "the service's endpoint",
            |e| {
                e["subsets"][0]["addresses"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
            },
        )
        .await;
    let out = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/services/shell:http/proxy/hello",
        ])
        .await
        .ok();
    assert_eq!(out, "hello from the pod\n");
    // The kubernetes Service's endpoint is this API server, on loopback
    // here: never proxied to (upstream's IsProxyableIP), nor is a hand-made
    // endpoint pointing at the metadata address.
    let out = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/services/https:kubernetes:https/proxy/version",
        ])
        .await
        .err();
    assert!(out.contains("address not allowed"), "{out}");
    cluster
        .apply(
            "metadata.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: metadata}\nspec: {ports: [{port: 80}]}\n---\n\
             apiVersion: v1\nkind: Endpoints\nmetadata: {name: metadata}\n\
             subsets: [{addresses: [{ip: 169.254.169.254}], ports: [{port: 80}]}]\n",
        )
        .await
        .ok();
    let out = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/services/metadata/proxy/",
        ])
        .await
        .err();
    assert!(out.contains("address not allowed"), "{out}");
    // A node's other ports are not the kubelet's.
    let out = cluster
        .kubectl(&["get", "--raw", "/api/v1/nodes/node-a:22/proxy/"])
        .await
        .err();
    assert!(out.contains("only the kubelet is proxied to"), "{out}");
    // A kubelet's own endpoints.
    let out = cluster
        .kubectl(&["get", "--raw", "/api/v1/nodes/node-a/proxy/metrics"])
        .await
        .ok();
    assert!(out.contains("kubelet_running_pods"), "{out}");
    let pods: Value = serde_json::from_str(
        &cluster
            .kubectl(&["get", "--raw", "/api/v1/nodes/node-a/proxy/pods"])
            .await
            .ok(),
    )
    .unwrap();
    assert_eq!(pods["kind"], "PodList");
    assert!(
        pods["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["metadata"]["name"] == "shell"),
        "{pods}"
    );
    // /run takes POST, as upstream's.
    let empty = cluster.file("empty", "");
    let out = cluster
        .kubectl(&[
            "create",
            "--raw",
            &format!(
                "/api/v1/nodes/node-a/proxy/run/default/shell/main?cmd={}+cat+/data/hello",
                busybox()
            ),
            "-f",
            empty.to_str().unwrap(),
        ])
        .await
        .ok();
    assert_eq!(out, "hello from the pod\n");
    // The node lists the images its containers were made from.
    cluster
        .eventually(
            &["get", "node", "node-a"],
            "busybox in the node's images",
            |n| {
                n["status"]["images"].as_array().is_some_and(|i| {
                    i.iter()
                        .any(|i| i["names"][0] == "busybox" && i["sizeBytes"].as_i64() > Some(0))
                })
            },
        )
        .await;
    // The kubelet's certificate comes from the cluster CA and names it.
    let node = cluster
        .kubectl(&["get", "node", "node-a", "-o", "json"])
        .await
        .json();
    let port = node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
        .as_u64()
        .unwrap();
    let pki = cluster.data_dir().join("pki");
    let curl = std::process::Command::new("curl")
        .args(["-sS", "--fail", "--cacert"])
        .arg(pki.join("ca.crt"))
        .arg(format!("https://127.0.0.1:{port}/healthz"))
        .output()
        .expect("curl");
    assert!(
        curl.status.success(),
        "{}",
        String::from_utf8_lossy(&curl.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&curl.stdout), "ok");
    // Nothing behind the port: 503 with what was tried.
    let err = cluster
        .kubectl(&[
            "get",
            "--raw",
            "/api/v1/namespaces/default/pods/shell:9999/proxy/",
        ])
        .await
        .err();
    assert!(err.contains("error trying to reach"), "{err}");

    // kubectl proxy serves the API (and so these proxies) on localhost.
    use std::io::BufRead;
    let mut proxy = std::process::Command::new("kubectl")
        .args(["proxy", "--port=0"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("HOME", cluster.data_dir().join("home"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run kubectl proxy");
    let mut line = String::new();
    std::io::BufReader::new(proxy.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("kubectl proxy said {line:?}"));
    let pod = get(port, "/api/v1/namespaces/default/pods/shell")
        .await
        .unwrap();
    let pod: Value = serde_json::from_str(&pod).unwrap();
    assert_eq!(pod["metadata"]["name"], "shell");
    let body = get(
        port,
        "/api/v1/namespaces/default/services/shell:http/proxy/hello",
    )
    .await
    .unwrap();
    assert_eq!(body, "hello from the pod\n");
    let _ = proxy.kill();
    let _ = proxy.wait();
}

/// A detached tmux session running a command on a 120x40 terminal,
/// killed when dropped.
struct Tmux(String);

impl Tmux {
    fn start(name: &str, command: &str) -> Tmux {
        let session = format!("rudder-{name}-{}", std::process::id());
        let started = std::process::Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "120",
                "-y",
                "40",
                command,
            ])
            .status()
            .expect("tmux new-session");
        assert!(started.success());
        Tmux(session)
    }

    /// What the pane shows.
    fn capture(&self) -> String {
        let out = std::process::Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `keys` (tmux key names allowed), then Enter unless told not to.
    fn send(&self, keys: &str, enter: bool) {
        let mut args = vec!["send-keys", "-t", &self.0, keys];
        if enter {
            args.push("Enter");
        }
        let status = std::process::Command::new("tmux")
            .args(&args)
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }

    fn type_line(&self, line: &str) {
        self.send(line, true);
    }

    async fn shows(&self, text: &str) -> String {
        for _ in 0..100 {
            let pane = self.capture();
            if pane.contains(text) {
                return pane;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the pane never showed {text:?}:\n{}", self.capture());
    }

    fn alive(&self) -> bool {
        std::process::Command::new("tmux")
            .args(["has-session", "-t", &self.0])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn resize(&self, columns: u16, rows: u16) {
        let resized = std::process::Command::new("tmux")
            .args([
                "resize-window",
                "-t",
                &self.0,
                "-x",
                &columns.to_string(),
                "-y",
                &rows.to_string(),
            ])
            .status()
            .expect("tmux resize-window");
        assert!(resized.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = std::process::Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// The command line of kubectl with `args` against `cluster`, for tmux.
fn kubectl_line(cluster: &TestCluster, args: &str) -> String {
    format!(
        "env KUBECONFIG={} HOME={} kubectl {args}",
        cluster.kubeconfig.display(),
        cluster.data_dir().join("home").display(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interactive_shell_runs_on_a_terminal() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let tmux = Tmux::start(
        "exec",
        &kubectl_line(
            &cluster,
            &format!("exec -it shell -c main -- {} sh", busybox()),
        ),
    );
    tmux.type_line("echo $((6 * 7))");
    tmux.shows("42").await;
    // A real terminal, sized as the client's.
    tmux.type_line(&format!("{} tty; {} stty size", busybox(), busybox()));
    tmux.shows("/dev/pts/").await;
    tmux.shows("40 120").await;
    // The terminal follows the client's window.
    tmux.resize(100, 30);
    tokio::time::sleep(Duration::from_millis(300)).await;
    tmux.type_line(&format!("clear; {} stty size", busybox()));
    tmux.shows("30 100").await;
    // Ctrl-C reaches the shell's foreground job, not kubectl.
    tmux.type_line(&format!("{} sleep 600", busybox()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    tmux.send("C-c", false);
    tmux.type_line("echo still $((1 + 1))");
    tmux.shows("still 2").await;
    // Leaving the shell ends kubectl.
    tmux.type_line("exit 0");
    for _ in 0..100 {
        if !tmux.alive() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "kubectl exec did not end with the shell:\n{}",
        tmux.capture()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_and_run_join_a_containers_own_streams() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let bb = busybox();
    // Output only: what the container prints from now on.
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: ticker
spec:
  containers:
  - name: main
    image: busybox
    command: ["{bb}", "sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]
"#
    );
    cluster.apply("ticker.yaml", &manifest).await.ok();
    cluster
        .eventually(&["get", "pod", "ticker"], "ticker Ready", ready)
        .await;
    // kubectl attach runs until the container ends; this one does not, so
    // it is stopped after a while.
    let attached = tokio::process::Command::new("timeout")
        .args(["3", "kubectl", "attach", "ticker"])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("HOME", cluster.data_dir().join("home"))
        .output()
        .await
        .expect("run kubectl attach");
    let seen = String::from_utf8_lossy(&attached.stdout);
    let ticks: Vec<u64> = seen
        .lines()
        .filter_map(|l| l.strip_prefix("tick ")?.parse().ok())
        .collect();
    assert!(
        ticks.len() >= 5,
        "{seen:?} {:?}",
        String::from_utf8_lossy(&attached.stderr)
    );
    // From the moment of attaching (the container had long started), in order.
    assert!(ticks.windows(2).all(|w| w[1] == w[0] + 1), "{ticks:?}");

    // A pod whose stdin is kept open: `kubectl run -i --rm` feeds it,
    // the end of that input ends it, and the pod is removed after.
    let run = cluster
        .kubectl_with(
            &[
                "run",
                "-i",
                "--rm",
                "--restart=Never",
                "counter",
                "--image=busybox",
                "--",
                bb,
                "wc",
                "-c",
            ],
            &[],
            Some("hello"),
        )
        .await;
    assert!(run.stdout.contains('5'), "{run:?}");
    cluster
        .eventually(&["get", "pods"], "the counter pod removed", |l| {
            l["items"]
                .as_array()
                .is_some_and(|i| i.iter().all(|p| p["metadata"]["name"] != "counter"))
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_it_rm_gives_a_shell_and_removes_its_pod() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let command = kubectl_line(
        &cluster,
        &format!(
            "run -it --rm --restart=Never toolbox --image=busybox -- {} sh",
            busybox()
        ),
    );
    // The pane stays after kubectl ends, to be read.
    let tmux = Tmux::start("run", &format!("{command}; sleep 30"));
    tmux.shows("If you don't see a command prompt").await;
    tmux.type_line("echo $((3 * 5))");
    tmux.shows("15").await;
    tmux.type_line("exit");
    tmux.shows("pod \"toolbox\" deleted").await;
    cluster
        .eventually(&["get", "pods"], "the toolbox pod removed", |l| {
            l["items"]
                .as_array()
                .is_some_and(|i| i.iter().all(|p| p["metadata"]["name"] != "toolbox"))
        })
        .await;
}

/// A SPDY header block that inflates to 16 MiB (a compression bomb), sent
/// through the API server's `pods/exec` to the kubelet where kubectl opens
/// its streams: the kubelet drops the connection without inflating it, and
/// exec goes on working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spdy_header_bomb_through_exec_is_refused() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let pki = cluster.data_dir().join("pki");
    let tls = serving::client_config_with_certificate(
        &std::fs::read(pki.join("admin.crt")).unwrap(),
        &std::fs::read(pki.join("admin.key")).unwrap(),
    )
    .unwrap();
    let tcp = tokio::net::TcpStream::connect(cluster.server.address)
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .unwrap();
    let request = format!(
        "POST /api/v1/namespaces/default/pods/shell/exec?container=main&command={}&command=cat&stdin=true&stdout=true HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n",
        busybox()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");

    // A SYN_STREAM whose header block is 16 MiB of zeros, deflated.
    let mut compressor = flate2::Compress::new(flate2::Compression::best(), true);
    let mut packed = Vec::with_capacity(256 << 10);
    compressor
        .compress_vec(
            &vec![0u8; 16 << 20],
            &mut packed,
            flate2::FlushCompress::Sync,
        )
        .unwrap();
    assert_eq!(compressor.total_in(), 16 << 20);
    assert!(packed.len() < 64 << 10, "{}", packed.len());
    let mut payload = Vec::new();
    payload.extend_from_slice(&1u32.to_be_bytes());
    payload.extend_from_slice(&0u32.to_be_bytes());
    payload.extend_from_slice(&[0, 0]);
    payload.extend_from_slice(&packed);
    let mut frame = vec![0x80, 0x03, 0x00, 0x01, 0x00];
    frame.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    frame.extend_from_slice(&payload);
    stream.write_all(&frame).await.unwrap();
    let mut buffer = [0u8; 4096];
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the bomb's connection was kept open");

    let out = cluster
        .kubectl(&[
            "exec",
            "shell",
            "-c",
            "main",
            "--",
            busybox(),
            "echo",
            "still here",
        ])
        .await
        .ok();
    assert_eq!(out, "still here\n");
}

/// `kubectl debug -it --target`: a shell on a terminal in an ephemeral
/// container that sees the target container's processes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_it_gives_a_shell_among_the_targets_processes() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let command = kubectl_line(
        &cluster,
        &format!(
            "debug -it shell --image=busybox -c dbg --target=side -- {} sh",
            busybox()
        ),
    );
    // The pane stays after kubectl ends, to be read.
    let tmux = Tmux::start("debug", &format!("{command}; sleep 30"));
    tmux.shows("If you don't see a command prompt").await;
    // PID 1 of the namespace is the target's main process.
    tmux.type_line(&format!(
        "{bb} tr '\\0' ' ' < /proc/1/cmdline; echo; {bb} tty",
        bb = busybox()
    ));
    tmux.shows("sleep 3600").await;
    tmux.shows("/dev/pts/").await;
    tmux.type_line("exit");
    tmux.shows("Session ended").await;
    let pod = cluster
        .eventually(&["get", "pod", "shell"], "dbg ended", |p| {
            p["status"]["ephemeralContainerStatuses"][0]["state"]["terminated"].is_object()
        })
        .await;
    assert_eq!(
        pod["spec"]["ephemeralContainers"][0]["targetContainerName"],
        "side"
    );
    assert_eq!(pod["status"]["phase"], "Running", "the pod goes on");

    // A target that is not a container of the pod is refused.
    let refused = cluster
        .kubectl(&[
            "debug",
            "shell",
            "--image=busybox",
            "-c",
            "lost",
            "--target=nowhere",
            "--",
            busybox(),
            "true",
        ])
        .await
        .err();
    assert!(
        refused.contains(r#"targetContainerName: Not found: "nowhere""#),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_of_deployments_and_selected_pods() {
    let (cluster, _components, _kubelet) = cluster_with_shell().await;
    let bb = busybox();
    let manifest = format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chatty
spec:
  replicas: 1
  selector:
    matchLabels:
      app: chatty
  template:
    metadata:
      labels:
        app: chatty
    spec:
      containers:
      - name: first
        image: busybox
        command: ["{bb}", "sh", "-c", "echo first says hi; i=0; while true; do i=$((i+1)); echo first line $i; sleep 0.2; done"]
      - name: second
        image: busybox
        command: ["{bb}", "sh", "-c", "echo second says hi; sleep 3600"]
"#
    );
    cluster.apply("chatty.yaml", &manifest).await.ok();
    cluster
        .eventually(&["get", "pods", "-l", "app=chatty"], "chatty Ready", |l| {
            l["items"]
                .as_array()
                .is_some_and(|i| i.len() == 1 && ready(&i[0]))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = cluster
        .kubectl(&["logs", "-l", "app=chatty", "--all-containers"])
        .await
        .ok();
    assert!(
        out.contains("first says hi") && out.contains("second says hi"),
        "{out}"
    );
    let out = cluster
        .kubectl(&["logs", "deploy/chatty", "-c", "second"])
        .await
        .ok();
    assert_eq!(out, "second says hi\n");
    // Following a deployment's pod: lines keep coming.
    let followed = tokio::process::Command::new("timeout")
        .args([
            "2",
            "kubectl",
            "logs",
            "-f",
            "deploy/chatty",
            "-c",
            "first",
            "--tail=1",
        ])
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("HOME", cluster.data_dir().join("home"))
        .output()
        .await
        .expect("run kubectl logs -f");
    let seen = String::from_utf8_lossy(&followed.stdout);
    let lines: Vec<&str> = seen
        .lines()
        .filter(|l| l.starts_with("first line"))
        .collect();
    assert!(lines.len() >= 4, "{seen:?}");
}
