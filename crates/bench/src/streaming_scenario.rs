//! Scenario `streaming`: the real kubectl against a test cluster whose
//! node runs the process runtime (needs root and busybox). Cases:
//! `port-forward/<n>MB` — one HTTP download of an n MB file from busybox
//! httpd through `kubectl port-forward` (MB/s, from the request to the last
//! byte); `exec-cat/<n>MB` — `kubectl exec ... cat` of that file (MB/s,
//! the whole command); `exec-echo/1-byte` — one byte written to
//! `kubectl exec -i ... cat` and read back, repeated (p50/p99 ms).

use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::report::{figure, millis, quantile};

#[derive(clap::Args)]
pub struct Args {
    /// Size of the file moved, in MB (10^6 bytes).
    #[arg(long, default_value_t = 100)]
    megabytes: u64,
    /// Round trips of the 1-byte echo.
    #[arg(long, default_value_t = 200)]
    round_trips: usize,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn kubectl(cluster: &testkit::TestCluster) -> std::process::Command {
    let mut command = std::process::Command::new("kubectl");
    command
        .env("KUBECONFIG", &cluster.kubeconfig)
        .env("HOME", cluster.data_dir().join("home"));
    command
}

pub async fn run(args: Args) -> Result<(), BoxError> {
    let cluster = testkit::TestCluster::start().await;
    let _scheduler = cluster.start_scheduler(Default::default()).await;
    let _kubelet = cluster.start_kubelet("bench-node").await;
    let bb = testkit::busybox();
    let manifest = format!(
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: files
spec:
  containers:
  - name: main
    image: busybox
    command: ["{bb}", "sh", "-c", "{bb} dd if=/dev/zero of=/data/big bs=1000000 count={count} 2>/dev/null; touch /data/ready; exec {bb} httpd -f -p 8080 -h /data"]
    readinessProbe:
      exec:
        command: ["{bb}", "test", "-f", "/data/ready"]
      periodSeconds: 1
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    emptyDir: {{}}
"#,
        count = args.megabytes
    );
    cluster.apply("files.yaml", &manifest).await;
    cluster
        .eventually(
            &["get", "pod", "files"],
            "the pod Ready",
            testkit::pod_ready,
        )
        .await;
    let bytes = args.megabytes * 1_000_000;

    // port-forward: one download.
    let mut forward = kubectl(&cluster)
        .args(["port-forward", "pod/files", ":8080"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let stdout = forward.stdout.take().ok_or("no stdout")?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    let port: u16 = loop {
        let line = lines.next().ok_or("kubectl port-forward ended")??;
        if let Some(rest) = line.strip_prefix("Forwarding from 127.0.0.1:")
            && let Some(port) = rest.split_whitespace().next().and_then(|p| p.parse().ok())
        {
            break port;
        }
    };
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream
        .write_all(b"GET /big HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await?;
    let mut received = 0u64;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        received += n as u64;
    }
    let elapsed = started.elapsed();
    let _ = forward.kill();
    let _ = forward.wait();
    if received < bytes {
        return Err(format!("port-forward carried {received} of {bytes} bytes").into());
    }
    let case = format!("port-forward/{}MB", args.megabytes);
    figure(
        "streaming",
        &case,
        "mb_per_s",
        bytes as f64 / 1e6 / elapsed.as_secs_f64(),
        "MB/s",
    );
    figure("streaming", &case, "seconds", elapsed.as_secs_f64(), "s");

    // exec cat: the whole command.
    let started = Instant::now();
    let mut cat = kubectl(&cluster)
        .args(["exec", "files", "--", bb, "cat", "/data/big"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut out = cat.stdout.take().ok_or("no stdout")?;
    let counted = tokio::task::spawn_blocking(move || {
        let mut buffer = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        while let Ok(n) = out.read(&mut buffer) {
            if n == 0 {
                break;
            }
            total += n as u64;
        }
        total
    })
    .await?;
    let status = cat.wait()?;
    let elapsed = started.elapsed();
    if !status.success() || counted != bytes {
        return Err(format!("exec cat carried {counted} of {bytes} bytes ({status})").into());
    }
    let case = format!("exec-cat/{}MB", args.megabytes);
    figure(
        "streaming",
        &case,
        "mb_per_s",
        bytes as f64 / 1e6 / elapsed.as_secs_f64(),
        "MB/s",
    );
    figure("streaming", &case, "seconds", elapsed.as_secs_f64(), "s");

    // 1-byte round trips through one exec session.
    let mut echo = kubectl(&cluster)
        .args(["exec", "-i", "files", "--", bb, "cat"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut input = echo.stdin.take().ok_or("no stdin")?;
    let mut output = echo.stdout.take().ok_or("no stdout")?;
    let round_trips = args.round_trips;
    let mut samples = tokio::task::spawn_blocking(move || -> Result<Vec<Duration>, String> {
        let mut samples = Vec::with_capacity(round_trips);
        let mut byte = [0u8; 1];
        // The first trip waits for the session to open: not counted.
        for trip in 0..=round_trips {
            let at = Instant::now();
            input.write_all(b"x").map_err(|e| e.to_string())?;
            input.flush().map_err(|e| e.to_string())?;
            output.read_exact(&mut byte).map_err(|e| e.to_string())?;
            if trip > 0 {
                samples.push(at.elapsed());
            }
        }
        Ok(samples)
    })
    .await??;
    let _ = echo.kill();
    let _ = echo.wait();
    let p50 = quantile(&mut samples, 0.5).ok_or("no samples")?;
    let p99 = quantile(&mut samples, 0.99).ok_or("no samples")?;
    figure("streaming", "exec-echo/1-byte", "p50_ms", millis(p50), "ms");
    figure("streaming", "exec-echo/1-byte", "p99_ms", millis(p99), "ms");
    Ok(())
}
