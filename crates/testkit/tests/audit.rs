//! Auditing with a real policy and real kubectl: what is recorded at each
//! level, denied requests, impersonation, watches' two stages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::Value;
use testkit::TestCluster;

const POLICY: &str = r#"
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/api", "/api/*", "/apis", "/apis/*", "/openapi/*"]
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["configmaps"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "pods"]
  - level: Request
    verbs: ["watch"]
  - level: None
"#;

/// The events written so far, once `check` finds what it waits for.
async fn events(log: &std::path::Path, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let events: Vec<Value> = std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("an audit event per line"))
            .collect();
        if check(&events) {
            return events;
        }
        assert!(
            Instant::now() < deadline,
            "the audit log holds: {events:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The test's own events (the cluster's controllers are audited too).
fn find<'e>(events: &'e [Value], verb: &str, resource: &str, stage: &str) -> Vec<&'e Value> {
    events
        .iter()
        .filter(|e| {
            e["verb"] == verb
                && e["objectRef"]["resource"] == resource
                && e["stage"] == stage
                && e["user"]["username"] == "admin"
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_audited_as_the_policy_says() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, POLICY).unwrap();
    let log = dir.path().join("logs/audit.log");
    let config = apiserver::audit::AuditConfig {
        policy_file: policy,
        log_path: log.clone(),
        max_age_days: 0,
        max_backups: 0,
        max_size_mb: 0,
    };
    let cluster = TestCluster::start_with(|c| c.audit = Some(config)).await;
    let me = cluster
        .kubectl(&[
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}",
        ])
        .await
        .ok();
    assert_eq!(me, "admin");

    cluster
        .kubectl(&[
            "create",
            "configmap",
            "audited",
            "--from-literal=colour=blue",
        ])
        .await
        .ok();
    cluster
        .kubectl(&[
            "create",
            "secret",
            "generic",
            "hidden",
            "--from-literal=password=s3cr3t-value",
        ])
        .await
        .ok();
    let denied = cluster
        .kubectl(&["get", "secrets", "--as=mallory"])
        .await
        .err();
    assert!(denied.contains("forbidden"), "{denied}");
    let watch = cluster
        .kubectl(&["get", "configmaps", "--watch", "--request-timeout=2s"])
        .await;
    drop(watch);
    // A token nobody issued: refused, and audited with no user.
    let url = format!("{}/api/v1/namespaces/default/secrets", cluster.server.url);
    let curl = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert"])
        .arg(cluster.data_dir().join("pki/ca.crt"))
        .args(["-H", "Authorization: Bearer made-up", &url])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&curl.stdout), "401");

    // A pod that breaks its namespace's audit level: admitted, and the
    // event says what it would violate.
    cluster
        .kubectl(&["create", "namespace", "watched"])
        .await
        .ok();
    cluster
        .kubectl(&[
            "label",
            "namespace",
            "watched",
            "pod-security.kubernetes.io/audit=restricted",
        ])
        .await
        .ok();
    cluster
        .kubectl(&["run", "loose", "-n", "watched", "--image=busybox"])
        .await
        .ok();

    let events = events(&log, |events| {
        !find(events, "create", "pods", "ResponseComplete").is_empty()
            && !find(events, "create", "configmaps", "ResponseComplete").is_empty()
            && events.iter().any(|e| e["responseStatus"]["code"] == 401)
            && !find(events, "watch", "configmaps", "ResponseComplete").is_empty()
    })
    .await;

    // RequestResponse: both bodies, the user, the decision.
    let created = find(&events, "create", "configmaps", "ResponseComplete")[0];
    assert_eq!(created["apiVersion"], "audit.k8s.io/v1");
    assert_eq!(created["kind"], "Event");
    assert_eq!(created["level"], "RequestResponse");
    assert_eq!(created["user"]["username"], me.as_str());
    assert_eq!(created["objectRef"]["namespace"], "default");
    assert_eq!(created["objectRef"]["apiVersion"], "v1");
    assert_eq!(created["requestObject"]["data"]["colour"], "blue");
    assert_eq!(created["responseObject"]["metadata"]["name"], "audited");
    assert_eq!(created["responseStatus"]["code"], 201);
    assert_eq!(
        created["annotations"]["authorization.k8s.io/decision"],
        "allow"
    );
    assert!(created["sourceIPs"][0] == "127.0.0.1", "{created:#}");
    assert!(
        created["userAgent"]
            .as_str()
            .is_some_and(|a| a.starts_with("kubectl")),
        "{created:#}"
    );
    assert_eq!(created["auditID"].as_str().map(str::len), Some(36));
    assert!(
        created["requestReceivedTimestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    // The policy leaves out the first stage.
    assert!(events.iter().all(|e| e["stage"] != "RequestReceived"));

    // Metadata: who and what, never the Secret's data.
    let secret = find(&events, "create", "secrets", "ResponseComplete")[0];
    assert_eq!(secret["level"], "Metadata");
    assert!(secret.get("requestObject").is_none() && secret.get("responseObject").is_none());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("czNjcjN0LXZhbHVl") && !text.contains("s3cr3t-value"));

    // A denied request, impersonating: the real user, the impersonated
    // one, the refusal.
    let refused = find(&events, "list", "secrets", "ResponseComplete")[0];
    assert_eq!(refused["user"]["username"], me.as_str());
    assert_eq!(refused["impersonatedUser"]["username"], "mallory");
    assert_eq!(refused["responseStatus"]["code"], 403);
    assert_eq!(refused["responseStatus"]["reason"], "Forbidden");
    assert_eq!(
        refused["annotations"]["authorization.k8s.io/decision"],
        "forbid"
    );

    let unknown: Vec<&Value> = events
        .iter()
        .filter(|e| e["responseStatus"]["code"] == 401)
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    let unknown = unknown[0];
    assert_eq!(unknown["user"], serde_json::json!({}));
    assert_eq!(unknown["verb"], "list");
    assert_eq!(unknown["objectRef"]["resource"], "secrets");
    assert_eq!(unknown["responseStatus"]["reason"], "Unauthorized");

    let pod = find(&events, "create", "pods", "ResponseComplete")[0];
    assert_eq!(
        pod["annotations"]["pod-security.kubernetes.io/enforce-policy"],
        "privileged:latest"
    );
    assert!(
        pod["annotations"]["pod-security.kubernetes.io/audit-violations"]
            .as_str()
            .is_some_and(|v| v.starts_with(
                "would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"loose\""
            )),
        "{pod:#}"
    );

    // A watch: started, then complete when it ends.
    let started = find(&events, "watch", "configmaps", "ResponseStarted");
    assert_eq!(started.len(), 1, "{events:#?}");
    assert_eq!(
        started[0]["auditID"],
        find(&events, "watch", "configmaps", "ResponseComplete")[0]["auditID"]
    );

    // Nothing else: discovery and health are not audited.
    assert!(
        events.iter().all(|e| e["objectRef"].is_object()),
        "{events:#?}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
