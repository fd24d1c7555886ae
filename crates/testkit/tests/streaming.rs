//! Streaming through the API server with the real kubectl: exec (over
//! WebSocket, and SPDY where kubectl falls back to it), cp, port-forward
//! and the proxy subresources, against pods on the process runtime.

use std::time::Duration;

use serde_json::Value;
use testkit::TestCluster;

fn busybox() -> &'static str {
    // Debian's busybox-static; the process runtime runs the node's commands.
    if std::path::Path::new("/bin/busybox").exists() {
        "/bin/busybox"
    } else {
        "/usr/bin/busybox"
    }
}

fn ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

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
