//! A sync the kernel refuses leaves the previous rules in place, and the
//! next sync rewrites everything: both modes, in a network namespace of
//! the test's own (so this machine's packet filter is not touched).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::Ipv4Addr;

use proxy::model::{Endpoint, Ipv4Net, ServicePort, ServicePortName};
use proxy::{Config, SyncError, iptables, nftables};

/// Runs `work` on a thread inside a fresh network namespace, with a
/// runtime of that thread (the tools it starts run in the namespace).
fn in_namespace(name: &str, work: impl std::future::Future<Output = ()> + Send + 'static) {
    assert!(
        std::process::Command::new("ip")
            .args(["netns", "add", name])
            .status()
            .unwrap()
            .success()
    );
    let path = format!("/run/netns/{name}");
    let result = std::thread::spawn(move || {
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: setns(2) on this thread, with a namespace file we hold.
        let joined =
            unsafe { libc::setns(std::os::fd::AsRawFd::as_raw_fd(&file), libc::CLONE_NEWNET) };
        assert_eq!(joined, 0, "join the test's network namespace");
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(work);
    })
    .join();
    let _ = std::process::Command::new("ip")
        .args(["netns", "del", name])
        .status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn port(endpoints: u8) -> ServicePort {
    ServicePort {
        endpoints: (0..endpoints)
            .map(|i| Endpoint::ready(Ipv4Addr::new(10, 244, 0, 10 + i), 8080))
            .collect(),
        ..ServicePort::new(
            ServicePortName::new("ns", "web", "http"),
            Ipv4Addr::new(10, 96, 0, 20),
            80,
        )
    }
}

fn config() -> Config {
    Config {
        cluster_cidr: Some(Ipv4Net::parse("10.244.0.0/16").unwrap()),
        masquerade_all: false,
    }
}

fn list(program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_refused_nftables_sync_keeps_the_rules() {
    in_namespace("rudder-test-nft-fail", async {
        let mut nft = nftables::Nftables::new("rudder");
        assert!(
            nft.apply(nftables::ruleset(&[port(2)], &config()), false)
                .await
                .unwrap()
        );
        let before = list("nft", &["list", "table", "ip", "rudder"]);
        assert!(before.contains("dnat to 10.244.0.11:8080"), "{before}");

        let mut broken = nftables::ruleset(&[port(3)], &config());
        broken
            .chains
            .get_mut("services")
            .unwrap()
            .push("no such statement".into());
        let refused = nft.apply(broken, false).await;
        assert!(
            matches!(refused, Err(SyncError::Rejected(_))),
            "{refused:?}"
        );
        assert_eq!(list("nft", &["list", "table", "ip", "rudder"]), before);

        // The next sync writes everything, and takes.
        assert!(
            nft.apply(nftables::ruleset(&[port(3)], &config()), false)
                .await
                .unwrap()
        );
        let after = list("nft", &["list", "table", "ip", "rudder"]);
        assert!(after.contains("dnat to 10.244.0.12:8080"), "{after}");
        assert!(!after.contains("no such"), "{after}");
    });
}

#[test]
fn a_refused_iptables_sync_keeps_the_rules() {
    in_namespace("rudder-test-ipt-fail", async {
        let mut ipt = iptables::Iptables::new();
        assert!(
            ipt.apply(iptables::tables(&[port(2)], &config()), false)
                .await
                .unwrap()
        );
        let before = list("iptables-save", &["-t", "nat"]);
        assert!(
            before.contains("--to-destination 10.244.0.11:8080"),
            "{before}"
        );

        let mut broken = iptables::tables(&[port(3)], &config());
        broken
            .nat
            .get_mut("KUBE-SERVICES")
            .unwrap()
            .insert(0, "--no-such-option".into());
        let refused = ipt.apply(broken, false).await;
        assert!(
            matches!(refused, Err(SyncError::Rejected(_))),
            "{refused:?}"
        );
        let strip = |s: &str| -> String {
            s.lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            strip(&list("iptables-save", &["-t", "nat"])),
            strip(&before)
        );

        assert!(
            ipt.apply(iptables::tables(&[port(3)], &config()), false)
                .await
                .unwrap()
        );
        let after = list("iptables-save", &["-t", "nat"]);
        assert!(
            after.contains("--to-destination 10.244.0.12:8080"),
            "{after}"
        );
    });
}
