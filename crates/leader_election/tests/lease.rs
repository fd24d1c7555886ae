//! Leader election against a real API server: one leader at a time, a
//! standby taking over when the leader dies, a leader stopping when its
//! lease is taken away, and a clean hand-over on shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use leader_election::LeaseConfig;
use testkit::TestCluster;
use tokio::sync::watch;

fn fast(identity: &str) -> LeaseConfig {
    LeaseConfig {
        identity: identity.into(),
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1500),
        retry_period: Duration::from_millis(200),
        ..LeaseConfig::new("kube-system", "kube-scheduler")
    }
}

/// A candidate whose work counts how many times it is leading right now
/// (in `leading`) and has ever led (in `terms`).
struct Candidate {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    leading: Arc<AtomicUsize>,
    terms: Arc<AtomicUsize>,
}

async fn candidate(cluster: &TestCluster, identity: &str, release: bool) -> Candidate {
    let client = cluster
        .client_as("scheduler", "system:kube-scheduler")
        .await;
    let (stop, stopping) = watch::channel(false);
    let leading = Arc::new(AtomicUsize::new(0));
    let terms = Arc::new(AtomicUsize::new(0));
    let (l, t) = (leading.clone(), terms.clone());
    let mut config = fast(identity);
    config.release_on_cancel = release;
    let task = tokio::spawn(leader_election::run(
        client,
        config,
        stopping,
        move |mut lost| {
            let (l, t) = (l.clone(), t.clone());
            async move {
                l.fetch_add(1, Ordering::SeqCst);
                t.fetch_add(1, Ordering::SeqCst);
                let _ = lost.wait_for(|lost| *lost).await;
                l.fetch_sub(1, Ordering::SeqCst);
            }
        },
    ));
    Candidate {
        stop,
        task,
        leading,
        terms,
    }
}

async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn holder(cluster_out: &str) -> String {
    cluster_out.trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_leader_and_a_standby_that_takes_over() {
    let cluster = TestCluster::start().await;
    let a = candidate(&cluster, "a", false).await;
    until("a leads", || a.leading.load(Ordering::SeqCst) == 1).await;
    let b = candidate(&cluster, "b", false).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(b.leading.load(Ordering::SeqCst), 0, "two leaders");
    let lease = cluster
        .kubectl(&[
            "get",
            "lease",
            "-n",
            "kube-system",
            "kube-scheduler",
            "-o",
            "jsonpath={.spec.holderIdentity}",
        ])
        .await
        .ok();
    assert_eq!(holder(&lease), "a");

    // The leader dies without a word: the standby waits out the lease.
    let died = Instant::now();
    a.task.abort();
    until("b leads", || b.leading.load(Ordering::SeqCst) == 1).await;
    assert!(
        died.elapsed() >= Duration::from_millis(1500),
        "took over too early"
    );
    let transitions = cluster
        .kubectl(&[
            "get",
            "lease",
            "-n",
            "kube-system",
            "kube-scheduler",
            "-o",
            "jsonpath={.spec.holderIdentity} {.spec.leaseTransitions}",
        ])
        .await
        .ok();
    assert_eq!(transitions.trim(), "b 1");

    // Someone else takes the lease: b stops leading within its deadline.
    cluster
        .kubectl(&[
            "patch",
            "lease",
            "-n",
            "kube-system",
            "kube-scheduler",
            "--type=merge",
            "-p",
            r#"{"spec":{"holderIdentity":"intruder"}}"#,
        ])
        .await
        .ok();
    until("b stops", || b.leading.load(Ordering::SeqCst) == 0).await;
    let _ = b.stop.send(true);
    let _ = b.task.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_that_shuts_down_hands_over_at_once() {
    let cluster = TestCluster::start().await;
    let a = candidate(&cluster, "a", true).await;
    until("a leads", || a.leading.load(Ordering::SeqCst) == 1).await;
    let b = candidate(&cluster, "b", true).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = a.stop.send(true);
    a.task.await.unwrap();
    assert_eq!(a.leading.load(Ordering::SeqCst), 0);
    let handed = Instant::now();
    until("b leads", || b.leading.load(Ordering::SeqCst) == 1).await;
    assert!(
        handed.elapsed() < Duration::from_millis(1500),
        "{:?}",
        handed.elapsed()
    );
    assert_eq!(b.terms.load(Ordering::SeqCst), 1);
    let _ = b.stop.send(true);
    let _ = b.task.await;
}
