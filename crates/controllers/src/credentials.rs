//! Each controller's credentials. With service account credentials
//! (upstream's `--use-service-account-credentials`) every controller acts
//! as a service account of its own in kube-system
//! (`system:serviceaccount:kube-system:deployment-controller`, ...), which
//! the bootstrap policy binds to that controller's role: the controller
//! manager creates the account, requests a token for it and keeps the token
//! fresh in a private file its client re-reads. Otherwise every controller
//! uses the controller manager's own credential.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

/// How long a controller's token lives; it is renewed well before.
const TOKEN_SECONDS: i64 = 3600;
/// How often tokens are renewed (at about two thirds of their life).
const RENEW_EVERY: Duration = Duration::from_secs(40 * 60);

const NAMESPACE: &str = "kube-system";

/// Where each controller's client comes from.
#[derive(Clone, Default)]
pub enum Credentials {
    /// The controller manager's own credential for every controller.
    #[default]
    Own,
    /// A service account per controller; tokens kept in `dir` (private to
    /// the controller manager), the cluster reached as `config` says.
    ServiceAccounts {
        config: Box<kube::Config>,
        dir: PathBuf,
    },
}

impl Credentials {
    /// A service account per controller, on the cluster `kubeconfig`
    /// names; tokens are kept in `dir`, created readable by this user only.
    pub async fn service_accounts(kubeconfig: &Path, dir: PathBuf) -> Result<Credentials, String> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let file = kube::config::Kubeconfig::read_from(kubeconfig)
            .map_err(|e| format!("reading {}: {e}", kubeconfig.display()))?;
        let mut config =
            kube::Config::from_custom_kubeconfig(file, &kube::config::KubeConfigOptions::default())
                .await
                .map_err(|e| format!("using {}: {e}", kubeconfig.display()))?;
        // Every controller's writes are the controller manager's, as the
        // API server names their fields.
        config.headers.push((
            http::header::USER_AGENT,
            http::HeaderValue::from_static("kube-controller-manager/rudder"),
        ));
        Ok(Credentials::ServiceAccounts {
            config: Box::new(config),
            dir,
        })
    }
}

/// The service account upstream gives each controller.
pub fn account_of(controller: &str) -> &str {
    match controller {
        "replicationcontroller-controller" => "replication-controller",
        "daemonset-controller" => "daemon-set-controller",
        "garbage-collector-controller" => "generic-garbage-collector",
        "endpoints-controller" => "endpoint-controller",
        "endpointslice-mirroring-controller" => "endpointslicemirroring-controller",
        "serviceaccount-controller" => "service-account-controller",
        "root-ca-certificate-publisher-controller" => "root-ca-cert-publisher",
        "node-ipam-controller" | "node-lifecycle-controller" => "node-controller",
        "persistentvolume-binder-controller" => "persistent-volume-binder",
        "certificatesigningrequest-signing-controller"
        | "certificatesigningrequest-approving-controller" => "certificate-controller",
        "tokencleaner-controller" => "token-cleaner",
        other => other,
    }
}

/// Controllers that act as the controller manager itself, as upstream
/// starts them with its own credentials: the token controller writes the
/// very tokens service accounts (controllers' among them) authenticate with.
const OWN_CREDENTIALS: &[&str] = &["serviceaccount-token-controller"];

/// The controllers' clients, issued on first use and renewed until the
/// controller manager stops.
pub struct ControllerClients {
    root: kube::Client,
    credentials: Credentials,
    issued: Mutex<HashMap<String, kube::Client>>,
}

impl ControllerClients {
    pub fn new(root: kube::Client, credentials: Credentials) -> ControllerClients {
        ControllerClients {
            root,
            credentials,
            issued: Mutex::default(),
        }
    }

    /// The client `controller` acts with; retried until it is issued or
    /// `shutdown` (then the controller manager's own is returned).
    pub async fn client(&self, controller: &str, shutdown: &watch::Receiver<bool>) -> kube::Client {
        let Credentials::ServiceAccounts { config, dir } = &self.credentials else {
            return self.root.clone();
        };
        if OWN_CREDENTIALS.contains(&controller) {
            return self.root.clone();
        }
        let account = account_of(controller);
        if let Some(client) = crate::informer::lock(&self.issued).get(account) {
            return client.clone();
        }
        let mut delay = Duration::from_millis(200);
        loop {
            match self.issue(config, dir, account).await {
                Ok(client) => {
                    crate::informer::lock(&self.issued).insert(account.to_string(), client.clone());
                    return client;
                }
                Err(err) => {
                    tracing::warn!(account, error = %err, "no credentials for a controller yet");
                }
            }
            if *shutdown.borrow() {
                return self.root.clone();
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }

    /// Issues the clients of all `controllers` at once (so starting them
    /// waits for one round trip, not one per controller).
    pub async fn issue_all(&self, controllers: &[&str], shutdown: &watch::Receiver<bool>) {
        let mut accounts: Vec<&str> = controllers
            .iter()
            .filter(|c| !OWN_CREDENTIALS.contains(c))
            .map(|c| account_of(c))
            .collect();
        accounts.sort_unstable();
        accounts.dedup();
        futures::future::join_all(
            accounts
                .iter()
                .map(|account| self.client(account, shutdown)),
        )
        .await;
    }

    async fn issue(
        &self,
        config: &kube::Config,
        dir: &Path,
        account: &str,
    ) -> Result<kube::Client, String> {
        let path = self.renew(dir, account).await?;
        let mut config = kube::Config::clone(config);
        config.auth_info = serde_json::from_value(serde_json::json!({"tokenFile": path}))
            .map_err(|e| e.to_string())?;
        kube::Client::try_from(config).map_err(|e| e.to_string())
    }

    /// Creates the account if missing and writes a fresh token for it.
    async fn renew(&self, dir: &Path, account: &str) -> Result<PathBuf, String> {
        let accounts: Api<ServiceAccount> = Api::namespaced(self.root.clone(), NAMESPACE);
        let wanted: ServiceAccount = serde_json::from_value(
            serde_json::json!({"metadata": {"name": account, "namespace": NAMESPACE}}),
        )
        .map_err(|e| e.to_string())?;
        match accounts.create(&PostParams::default(), &wanted).await {
            Ok(_) => {}
            Err(err) if crate::is_already_exists(&err) => {}
            Err(err) => return Err(format!("cannot create service account {account}: {err}")),
        }
        let request = TokenRequest {
            spec: TokenRequestSpec {
                expiration_seconds: Some(TOKEN_SECONDS),
                ..TokenRequestSpec::default()
            },
            ..TokenRequest::default()
        };
        let answer = accounts
            .create_token_request(account, &PostParams::default(), &request)
            .await
            .map_err(|e| format!("cannot get a token for {account}: {e}"))?;
        let token = answer.status.map(|s| s.token).unwrap_or_default();
        if token.is_empty() {
            return Err(format!("the token request for {account} returned no token"));
        }
        let path = dir.join(account);
        write_private(&path, &token)?;
        Ok(path)
    }

    /// Renews every issued token until `shutdown`.
    pub async fn keep_fresh(&self, mut shutdown: watch::Receiver<bool>) {
        let Credentials::ServiceAccounts { dir, .. } = &self.credentials else {
            return;
        };
        loop {
            tokio::select! {
                _ = tokio::time::sleep(RENEW_EVERY) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
            let accounts: Vec<String> = crate::informer::lock(&self.issued)
                .keys()
                .cloned()
                .collect();
            for account in accounts {
                if let Err(err) = self.renew(dir, &account).await {
                    tracing::warn!(account, error = %err, "a controller's token was not renewed");
                }
            }
        }
    }
}

/// Writes `contents` readable by this process's user only, replacing the
/// file at once (a reader sees the old token or the new one).
fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let partial = path.with_extension("new");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .map_err(|e| format!("{}: {e}", partial.display()))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::account_of;

    #[test]
    fn controllers_act_as_upstreams_accounts() {
        assert_eq!(
            account_of("garbage-collector-controller"),
            "generic-garbage-collector"
        );
        assert_eq!(account_of("node-lifecycle-controller"), "node-controller");
        assert_eq!(account_of("deployment-controller"), "deployment-controller");
    }
}
