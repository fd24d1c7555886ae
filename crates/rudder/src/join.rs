//! Joining a cluster with a join token, as kubeadm and k3s join nodes.
//!
//! The server keeps one bootstrap token for its nodes and writes
//! `DATA_DIR/node-token`: `<sha256 of the cluster CA>::<id>.<secret>`. A
//! joining node fetches the CA, checks it against the token's fingerprint
//! (so it cannot be talked into another cluster), authenticates with the
//! bootstrap token only to ask for its client certificate
//! (`kubernetes.io/kube-apiserver-client-kubelet`, approved at once for the
//! token's group), and from then on is `system:node:<name>` by that
//! certificate, which it renews before it expires. Its serving certificate
//! comes from the `kubernetes.io/kubelet-serving` signer once an operator
//! approves the request (`kubectl certificate approve`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubelet::certificate::{CertificateStore, Rotating, Template};

/// What `DATA_DIR/node-token` holds before the `::` and after.
fn split(token: &str) -> Option<(&str, &str)> {
    let (fingerprint, token) = token.trim().split_once("::")?;
    apiserver::bootstrap_tokens::parse(token)?;
    (!fingerprint.is_empty()).then_some((fingerprint, token))
}

/// The join token of a server's data directory, made on its first start:
/// a bootstrap token that never expires (`rudder token delete` revokes
/// it), in the group whose nodes are given their client certificates.
/// Says whether it was made now.
pub async fn node_token(
    server: &apiserver::ApiServer,
    data_dir: &Path,
) -> Result<(String, bool), String> {
    let ca = server.pki.ca.cert_pem().map_err(|e| e.to_string())?;
    let fingerprint = apiserver::pki::fingerprint(&ca).ok_or("the cluster CA does not parse")?;
    let path = data_dir.join("node-token");
    if let Ok(text) = std::fs::read_to_string(&path)
        && split(&text).is_some_and(|(pinned, _)| pinned == fingerprint)
    {
        return Ok((text.trim().to_string(), false));
    }
    let token = crate::token::random_token();
    let secret = crate::token::token_secret(
        &token,
        std::time::Duration::ZERO,
        Some(format!("The token nodes join with ({}).", path.display())),
        &[apiserver::bootstrap_tokens::DEFAULT_NODE_TOKEN_GROUP.to_string()],
        &["authentication".to_string(), "signing".to_string()],
    )?;
    let admin = crate::components::client(&server.kubeconfig).await?;
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(admin, "kube-system");
    secrets
        .create(&kube::api::PostParams::default(), &secret)
        .await
        .map_err(|e| format!("creating the node join token: {e}"))?;
    let line = format!("{fingerprint}::{token}");
    write_private(&path, &line)?;
    Ok((line, true))
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(format!("{text}\n").as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A cluster a node is joining: its address and its CA, checked against
/// the join token.
pub struct Cluster {
    server: String,
    url: http::Uri,
    ca_pem: String,
    bootstrap_token: String,
}

impl Cluster {
    /// Fetches the CA of `server` and checks it against `token`'s
    /// fingerprint.
    pub async fn pin(server: &str, token: &str) -> Result<Cluster, String> {
        let (fingerprint, bootstrap_token) = split(token).ok_or(
            "--token is not a join token (<CA fingerprint>::<token id>.<token secret>, as rudder server writes it to DATA_DIR/node-token)",
        )?;
        let url: http::Uri = server
            .parse()
            .map_err(|e| format!("--server {server:?}: {e}"))?;
        // The CA is public; it is fetched unverified and then pinned.
        let mut config = kube::Config::new(url.clone());
        config.accept_invalid_certs = true;
        let client = kube::Client::try_from(config).map_err(|e| e.to_string())?;
        let request = http::Request::get("/cacerts")
            .body(Vec::new())
            .map_err(|e| e.to_string())?;
        let ca_pem = client
            .request_text(request)
            .await
            .map_err(|e| format!("cannot reach {server}: {e}"))?;
        let seen = apiserver::pki::fingerprint(&ca_pem)
            .ok_or_else(|| format!("{server}/cacerts is not a certificate"))?;
        if seen != fingerprint {
            return Err(format!(
                "the CA of {server} (sha256 {seen}) is not the one the token names (sha256 {fingerprint}): refusing to join"
            ));
        }
        Ok(Cluster {
            server: server.to_string(),
            url,
            ca_pem,
            bootstrap_token: bootstrap_token.to_string(),
        })
    }

    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A client configuration for the cluster that trusts its CA (and
    /// holds no credentials yet).
    fn config(&self) -> Result<kube::Config, String> {
        let mut config = kube::Config::new(self.url.clone());
        config
            .headers
            .push(crate::components::user_agent("kubelet"));
        config.root_cert = Some(
            <rustls::pki_types::CertificateDer as rustls::pki_types::pem::PemObject>::pem_slice_iter(self.ca_pem.as_bytes())
                .map(|c| c.map(|c| c.to_vec()))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("the cluster CA: {e}"))?,
        );
        Ok(config)
    }

    /// The client the bootstrap token authenticates.
    fn bootstrap_client(&self) -> Result<kube::Client, String> {
        let mut config = self.config()?;
        config.auth_info.token = Some(self.bootstrap_token.clone().into());
        kube::Client::try_from(config).map_err(|e| e.to_string())
    }

    /// The client certificate of node `name` kept in `store`: the one
    /// there if this cluster's CA issued it to this node and it is still
    /// valid, else a new one asked for with the bootstrap token.
    async fn node_certificate(
        &self,
        name: &str,
        store: CertificateStore,
    ) -> Result<Arc<Rotating>, String> {
        let subject = format!("system:node:{name}");
        let kept = store.load().ok().flatten().filter(|issued| {
            issued.common_name == subject && issued.valid_now() && issued.issued_by(&self.ca_pem)
        });
        let certificates = Rotating::new(store, Template::client(name), kept);
        if certificates.current().is_some() {
            return Ok(certificates);
        }
        tracing::info!(node = %name, server = %self.server, "asking for the node's client certificate");
        // Nothing stops a join but the process ending.
        let (_keep, mut never) = tokio::sync::watch::channel(false);
        certificates
            .renew_as(
                &self.bootstrap_client()?,
                &Template::client(name).bootstrap(),
                &mut never,
            )
            .await
            .map_err(|err| match err {
                kubelet::certificate::RequestError::Unauthorized(_) => format!(
                    "{} refused the token: it is not one of the cluster's bootstrap tokens, or it has expired",
                    self.server
                ),
                other => format!("joining {}: {other}", self.server),
            })?;
        Ok(certificates)
    }

    /// A client that presents `certificates`' current one.
    fn client(&self, certificates: Arc<Rotating>) -> Result<kube::Client, String> {
        kubelet::certificate::client(self.config()?, &self.ca_pem, certificates)
    }

    /// Joins as node `name`: its client certificate (under
    /// `<root>/pki`), a client that presents it, and
    /// `<root>/kubelet.kubeconfig` naming it for other tools.
    pub async fn join_node(&self, name: &str, root_dir: &Path) -> Result<JoinedNode, String> {
        let store = CertificateStore::new(&root_dir.join("pki"), "kubelet-client");
        let certificates = self.node_certificate(name, store).await?;
        let kubeconfig = self.write_kubeconfig(name, &certificates.current_path(), root_dir)?;
        Ok(JoinedNode {
            client: self.client(certificates.clone())?,
            certificates,
            kubeconfig,
        })
    }

    /// Joins each node of a simulated fleet with its own certificate
    /// (`<root>/pki/<node>-client-current.pem`): one client per node.
    pub async fn join_fleet(
        &self,
        nodes: &kubelet::SimulatedNodes,
        root_dir: &Path,
    ) -> Result<HashMap<String, kube::Client>, String> {
        use futures::{StreamExt, TryStreamExt};
        let names: Vec<String> = (1..=nodes.count)
            .map(|index| format!("{}-{index}", nodes.prefix))
            .collect();
        futures::stream::iter(names)
            .map(|name: String| async move {
                let store = CertificateStore::new(&root_dir.join("pki"), &format!("{name}-client"));
                let certificates = self.node_certificate(&name, store).await?;
                Ok::<_, String>((name, self.client(certificates)?))
            })
            .buffer_unordered(16)
            .try_collect()
            .await
    }

    /// A kubeconfig for node `name` whose credentials are the certificate
    /// and key in `pem` (renewed in place).
    fn write_kubeconfig(&self, name: &str, pem: &Path, root_dir: &Path) -> Result<PathBuf, String> {
        use base64::Engine;
        let user = format!("system:node:{name}");
        let kubeconfig = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "rudder", "cluster": {
                "server": self.server,
                "certificate-authority-data": base64::engine::general_purpose::STANDARD.encode(self.ca_pem.as_bytes()),
            }}],
            "users": [{"name": user, "user": {
                "client-certificate": pem,
                "client-key": pem,
            }}],
            "contexts": [{"name": "rudder", "context": {"cluster": "rudder", "user": user}}],
            "current-context": "rudder",
        });
        let path = root_dir.join("kubelet.kubeconfig");
        write_private(&path, &kubeconfig.to_string())?;
        Ok(path)
    }
}

/// A node that joined: its client, and the certificate it renews.
pub struct JoinedNode {
    pub client: kube::Client,
    pub certificates: Arc<Rotating>,
    pub kubeconfig: PathBuf,
}
