//! `rudder token` as an operator runs it, and the tokens as a joining node
//! uses them: bearer tokens of `system:bootstrap:<id>` until deleted or
//! expired.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use testkit::TestCluster;

fn rudder(kubeconfig: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .output()
        .expect("run rudder")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A kubeconfig holding `token` and nothing else.
fn bootstrap_kubeconfig(cluster: &TestCluster, token: &str) -> String {
    let ca = cluster.data_dir().join("pki/ca.crt");
    let config = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n",
        cluster.server.url,
        ca.display()
    );
    let path = cluster.file("bootstrap.kubeconfig", &config);
    path.to_str().unwrap().to_string()
}

/// `kubectl auth whoami` with `token`.
async fn whoami(cluster: &TestCluster, token: &str) -> testkit::Kubectl {
    let kubeconfig = bootstrap_kubeconfig(cluster, token);
    cluster
        .kubectl(&["--kubeconfig", &kubeconfig, "auth", "whoami", "-o", "json"])
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_tokens_are_created_listed_used_and_deleted() {
    let cluster = TestCluster::start().await;
    let kubeconfig = cluster.kubeconfig.clone();

    let created = rudder(
        &kubeconfig,
        &["token", "create", "--description", "for worker-1"],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let token = text(&created.stdout).trim().to_string();
    let (id, secret) = token.split_once('.').unwrap();
    assert!(id.len() == 6 && secret.len() == 16, "{token}");

    let me = whoami(&cluster, &token).await.json();
    assert_eq!(
        me["status"]["userInfo"]["username"],
        format!("system:bootstrap:{id}")
    );
    let groups = me["status"]["userInfo"]["groups"].clone();
    assert_eq!(
        groups,
        serde_json::json!([
            "system:bootstrappers",
            "system:bootstrappers:rudder:default-node-token",
            "system:authenticated"
        ])
    );
    // A bootstrapper may ask for a node client certificate, nothing more.
    let bootstrap = bootstrap_kubeconfig(&cluster, &token);
    let secrets = cluster
        .kubectl(&[
            "--kubeconfig",
            &bootstrap,
            "get",
            "secrets",
            "-n",
            "kube-system",
        ])
        .await
        .err();
    assert!(
        secrets.contains(&format!(
            "User \"system:bootstrap:{id}\" cannot list resource \"secrets\""
        )),
        "{secrets}"
    );

    let listed = rudder(&kubeconfig, &["token", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed = text(&listed.stdout);
    let lines: Vec<&str> = listed.lines().collect();
    assert!(
        lines[0].starts_with("TOKEN") && lines[0].contains("EXTRA GROUPS"),
        "{listed}"
    );
    let row = lines
        .iter()
        .find(|l| l.starts_with(&token))
        .expect("the token is listed");
    assert!(
        (row.contains(" 23h ") || row.contains(" 24h "))
            && row.contains("authentication,signing")
            && row.contains("for worker-1"),
        "{row}"
    );

    // A token of one's own choosing; a malformed one is refused.
    let chosen = rudder(
        &kubeconfig,
        &["token", "create", "abcdef.0123456789abcdef", "--ttl", "0"],
    );
    assert!(chosen.status.success(), "{}", text(&chosen.stderr));
    let bad = rudder(&kubeconfig, &["token", "create", "ABC.def"]);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("is not of the form"),
        "{}",
        text(&bad.stderr)
    );

    let deleted = rudder(&kubeconfig, &["token", "delete", &token]);
    assert!(deleted.status.success(), "{}", text(&deleted.stderr));
    let refused = whoami(&cluster, &token).await;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("Unauthorized"),
        "{}",
        refused.stderr
    );
    let forever = whoami(&cluster, "abcdef.0123456789abcdef").await.json();
    assert_eq!(
        forever["status"]["userInfo"]["username"],
        "system:bootstrap:abcdef"
    );
}

/// The token cleaner deletes a token once it expires.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_bootstrap_tokens_are_cleaned_up() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let created = rudder(
        &cluster.kubeconfig,
        &["token", "create", "shortl.0123456789abcdef", "--ttl", "2s"],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let kept = rudder(
        &cluster.kubeconfig,
        &["token", "create", "keeper.0123456789abcdef"],
    );
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let names = cluster
            .kubectl(&["get", "secrets", "-n", "kube-system", "-o", "name"])
            .await
            .ok();
        if !names.contains("bootstrap-token-shortl") {
            assert!(names.contains("bootstrap-token-keeper"), "{names}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never cleaned: {names}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
