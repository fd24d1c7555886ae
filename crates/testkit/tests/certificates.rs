//! CertificateSigningRequests end to end, with real kubectl: requesting,
//! `kubectl get csr`, approving and denying (and who may), the cluster's
//! signers issuing what they are for, nodes' client certificates approved
//! by the approving controller, and an issued certificate that works.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use serde_json::{Value, json};
use testkit::TestCluster;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A new key and a PEM certificate request for it.
fn request(common_name: &str, organizations: &[&str], dns: &[&str]) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(dns.iter().map(|d| d.to_string()).collect::<Vec<_>>())
            .unwrap();
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, common_name);
    for organization in organizations {
        name.push(rcgen::DnType::OrganizationName, *organization);
    }
    params.distinguished_name = name;
    let csr = params.serialize_request(&key).unwrap();
    (key.serialize_pem(), csr.pem().unwrap())
}

fn manifest(name: &str, pem: &str, signer: &str, usages: &[&str]) -> String {
    json!({
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "spec": {
            "request": B64.encode(pem),
            "signerName": signer,
            "expirationSeconds": 3600,
            "usages": usages,
        },
    })
    .to_string()
}

async fn csr(cluster: &TestCluster, name: &str) -> Value {
    cluster
        .kubectl(&["get", "csr", name, "-o", "json"])
        .await
        .json()
}

/// The CSR once `check` holds for it.
async fn until(
    cluster: &TestCluster,
    name: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    cluster.eventually(&["get", "csr", name], what, check).await
}

fn condition(csr: &Value, kind: &str) -> Option<Value> {
    csr["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
        .cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_approved_signed_and_the_certificates_work() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;

    let (key, pem) = request("alice", &["devs"], &[]);
    let usages = ["client auth", "digital signature"];
    cluster
        .apply(
            "alice",
            &manifest(
                "alice",
                &pem,
                "kubernetes.io/kube-apiserver-client",
                &usages,
            ),
        )
        .await
        .ok();
    // The requester is recorded whatever the client wrote.
    let pending = csr(&cluster, "alice").await;
    assert_eq!(pending["spec"]["username"], "admin");
    assert!(pending["status"]["certificate"].is_null());
    let table = cluster.kubectl(&["get", "csr", "alice"]).await.ok();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        [
            "NAME",
            "AGE",
            "SIGNERNAME",
            "REQUESTOR",
            "REQUESTEDDURATION",
            "CONDITION"
        ],
        "{table}"
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        [row[0], row[2], row[3], row[4], row[5]],
        [
            "alice",
            "kubernetes.io/kube-apiserver-client",
            "admin",
            "60m",
            "Pending"
        ],
        "{table}"
    );

    // Approving needs `approve` on the signer, beyond the right to write
    // the approval.
    for args in [
        vec![
            "create",
            "clusterrole",
            "csr-writer",
            "--verb=get,list,update",
            "--resource=certificatesigningrequests,certificatesigningrequests/approval",
        ],
        vec![
            "create",
            "clusterrolebinding",
            "bob-writes-csrs",
            "--clusterrole=csr-writer",
            "--user=bob",
        ],
    ] {
        cluster.kubectl(&args).await.ok();
    }
    let err = cluster
        .kubectl(&["certificate", "approve", "alice", "--as=bob"])
        .await
        .err();
    assert!(
        err.contains(
            "user not permitted to approve requests with signerName \"kubernetes.io/kube-apiserver-client\""
        ),
        "{err}"
    );
    assert!(condition(&csr(&cluster, "alice").await, "Approved").is_none());

    cluster
        .kubectl(&["certificate", "approve", "alice"])
        .await
        .ok();
    let issued = until(&cluster, "alice", "a certificate", |c| {
        c["status"]["certificate"].is_string()
    })
    .await;
    let approved = condition(&issued, "Approved").unwrap();
    assert_eq!(approved["reason"], "KubectlApprove");
    let table = cluster.kubectl(&["get", "csr", "alice"]).await.ok();
    assert!(table.contains("Approved,Issued"), "{table}");

    // The certificate is alice's, from the cluster CA, and it works.
    let certificate = B64
        .decode(issued["status"]["certificate"].as_str().unwrap())
        .unwrap();
    let dir = cluster.data_dir().join("alice-credentials");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("alice.crt"), &certificate).unwrap();
    std::fs::write(dir.join("alice.key"), &key).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    let kc = kubeconfig.to_str().unwrap();
    let server = format!("https://{}", cluster.server.address);
    let ca = cluster.data_dir().join("pki/ca.crt");
    let (crt, key) = (dir.join("alice.crt"), dir.join("alice.key"));
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    for args in [
        vec![
            "set-cluster".into(),
            "c".into(),
            "--server".into(),
            server,
            "--certificate-authority".into(),
            path(&ca),
        ],
        vec![
            "set-credentials".into(),
            "alice".into(),
            "--client-certificate".into(),
            path(&crt),
            "--client-key".into(),
            path(&key),
        ],
        vec![
            "set-context".into(),
            "c".into(),
            "--cluster".into(),
            "c".into(),
            "--user".into(),
            "alice".into(),
        ],
        vec!["use-context".into(), "c".into()],
    ] {
        let mut all: Vec<String> = vec!["config".into(), "--kubeconfig".into(), kc.to_string()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        cluster.kubectl(&refs).await.ok();
    }
    let whoami = cluster
        .kubectl(&["--kubeconfig", kc, "auth", "whoami", "-o", "json"])
        .await
        .json();
    assert_eq!(whoami["status"]["userInfo"]["username"], "alice");
    assert!(
        whoami["status"]["userInfo"]["groups"]
            .as_array()
            .unwrap()
            .contains(&json!("devs"))
    );

    // No one asks this signer for the masters group.
    let (_, masters) = request("mallory", &["system:masters"], &[]);
    let err = cluster
        .apply(
            "masters",
            &manifest(
                "masters",
                &masters,
                "kubernetes.io/kube-apiserver-client",
                &usages,
            ),
        )
        .await
        .err();
    assert!(
        err.contains("use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed"),
        "{err}"
    );

    // Denied stays denied, unsigned.
    let (_, other) = request("carol", &[], &[]);
    cluster
        .apply(
            "carol",
            &manifest(
                "carol",
                &other,
                "kubernetes.io/kube-apiserver-client",
                &usages,
            ),
        )
        .await
        .ok();
    cluster
        .kubectl(&["certificate", "deny", "carol"])
        .await
        .ok();
    let denied = csr(&cluster, "carol").await;
    assert_eq!(
        condition(&denied, "Denied").unwrap()["reason"],
        "KubectlDeny"
    );
    let err = cluster
        .kubectl(&["certificate", "approve", "carol"])
        .await
        .err();
    assert!(
        err.contains("mutually exclusive") || err.contains("Denied"),
        "{err}"
    );
    let table = cluster.kubectl(&["get", "csr", "carol"]).await.ok();
    assert!(table.contains("Denied"), "{table}");
    assert!(csr(&cluster, "carol").await["status"]["certificate"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_renew_client_certificates_and_operators_approve_serving_ones() {
    let cluster = TestCluster::start().await;
    let _controllers = cluster.start_controllers().await;
    let node = cluster.server.node_kubeconfig("node-a").unwrap();
    let node = node.to_str().unwrap().to_string();
    // Creates the CSR of `file` as node-a.
    let create_as_node = |file: std::path::PathBuf| {
        let cluster = &cluster;
        let node = node.clone();
        async move {
            cluster
                .kubectl(&[
                    "--kubeconfig",
                    &node,
                    "create",
                    "-f",
                    file.to_str().unwrap(),
                ])
                .await
                .ok();
        }
    };

    // A node's own client certificate: approved by the controller after
    // a SubjectAccessReview, then signed.
    let (_, client) = request("system:node:node-a", &["system:nodes"], &[]);
    let file = cluster.file(
        "client.json",
        &manifest(
            "node-a-client",
            &client,
            "kubernetes.io/kube-apiserver-client-kubelet",
            &["client auth", "digital signature"],
        ),
    );
    create_as_node(file).await;
    let renewed = until(&cluster, "node-a-client", "the node's certificate", |c| {
        c["status"]["certificate"].is_string()
    })
    .await;
    let approved = condition(&renewed, "Approved").unwrap();
    assert_eq!(approved["reason"], "AutoApproved");
    assert_eq!(
        approved["message"],
        "Auto approving self kubelet client certificate after SubjectAccessReview."
    );
    assert_eq!(renewed["spec"]["username"], "system:node:node-a");

    // A serving certificate waits for an operator.
    let (_, serving) = request("system:node:node-a", &["system:nodes"], &["node-a"]);
    let file = cluster.file(
        "serving.json",
        &manifest(
            "node-a-serving",
            &serving,
            "kubernetes.io/kubelet-serving",
            &["server auth", "digital signature", "key encipherment"],
        ),
    );
    create_as_node(file).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let waiting = csr(&cluster, "node-a-serving").await;
    assert!(condition(&waiting, "Approved").is_none(), "{waiting:#}");
    cluster
        .kubectl(&["certificate", "approve", "node-a-serving"])
        .await
        .ok();
    until(&cluster, "node-a-serving", "the serving certificate", |c| {
        c["status"]["certificate"].is_string()
    })
    .await;

    // A serving request without a name to serve fails the signer's checks.
    let (_, nameless) = request("system:node:node-a", &["system:nodes"], &[]);
    let file = cluster.file(
        "nameless.json",
        &manifest(
            "node-a-nameless",
            &nameless,
            "kubernetes.io/kubelet-serving",
            &["server auth", "digital signature"],
        ),
    );
    create_as_node(file).await;
    cluster
        .kubectl(&["certificate", "approve", "node-a-nameless"])
        .await
        .ok();
    let failed = until(&cluster, "node-a-nameless", "the signer to refuse", |c| {
        condition(c, "Failed").is_some()
    })
    .await;
    let condition = condition(&failed, "Failed").unwrap();
    assert_eq!(condition["reason"], "SignerValidationFailure");
    assert_eq!(condition["message"], "DNS or IP subjectAltName is required");
    assert!(failed["status"]["certificate"].is_null());
}
