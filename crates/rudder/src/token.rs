//! `rudder token create|list|delete`: bootstrap tokens, as `kubeadm token`
//! keeps them — Secrets `kube-system/bootstrap-token-<id>` of type
//! `bootstrap.kubernetes.io/token`, which the API server accepts as
//! `system:bootstrap:<id>` until they expire.

use std::path::PathBuf;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DeleteParams, ListParams, PostParams};

const NAMESPACE: &str = "kube-system";
const PREFIX: &str = "bootstrap-token-";
use apiserver::bootstrap_tokens::DEFAULT_NODE_TOKEN_GROUP as DEFAULT_GROUP;

#[derive(clap::Args, Debug)]
pub struct Connection {
    /// The cluster to keep tokens in (default: the admin kubeconfig of the
    /// data directory).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    #[arg(long, env = "RUDDER_DATA_DIR", default_value_os_t = crate::storage::default_data_dir())]
    pub data_dir: PathBuf,
}

impl Connection {
    fn kubeconfig_path(&self) -> PathBuf {
        self.kubeconfig
            .clone()
            .unwrap_or_else(|| self.data_dir.join("kubeconfig.yaml"))
    }

    async fn secrets(&self) -> Result<Api<Secret>, String> {
        let client = crate::components::client(&self.kubeconfig_path()).await?;
        Ok(Api::namespaced(client, NAMESPACE))
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a bootstrap token and print it (`<id>.<secret>`).
    Create {
        /// The token to create (default: a random one).
        token: Option<String>,
        /// How long the token is valid (e.g. 24h; 0: forever).
        #[arg(long, default_value = "24h", value_parser = crate::serve::parse_duration)]
        ttl: std::time::Duration,
        /// What the token is for.
        #[arg(long)]
        description: Option<String>,
        /// Extra groups its user is in (each `system:bootstrappers:...`).
        #[arg(long, value_delimiter = ',', default_value = DEFAULT_GROUP)]
        groups: Vec<String>,
        /// What it may be used for: `authentication`, `signing`.
        #[arg(long, value_delimiter = ',', default_value = "signing,authentication")]
        usages: Vec<String>,
        /// Print the `rudder agent` command that joins a node with it
        /// (its CA pinned), not only the token.
        #[arg(long)]
        print_join_command: bool,
        #[command(flatten)]
        connection: Connection,
    },
    /// List the bootstrap tokens.
    List {
        #[command(flatten)]
        connection: Connection,
    },
    /// Delete bootstrap tokens, by id or whole token.
    Delete {
        #[arg(required = true)]
        tokens: Vec<String>,
        #[command(flatten)]
        connection: Connection,
    },
}

/// 22 characters of `[a-z0-9]`, from the system's random source.
pub fn random_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::new();
    while out.len() < 22 {
        for byte in uuid::Uuid::new_v4().into_bytes() {
            // 252 is 7 x 36: larger bytes would favour some characters.
            if byte < 252 && out.len() < 22 {
                out.push(ALPHABET[usize::from(byte) % ALPHABET.len()] as char);
            }
        }
    }
    format!("{}.{}", &out[..6], &out[6..])
}

fn data(secret: &Secret, key: &str) -> Option<String> {
    secret
        .data
        .as_ref()?
        .get(key)
        .and_then(|v| String::from_utf8(v.0.clone()).ok())
}

/// How long until `expires`, as kubeadm prints it.
fn short_duration(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s if s < 365 * 86400 => format!("{}d", s / 86400),
        s => format!("{}y", s / (365 * 86400)),
    }
}

/// The Secret that makes `token` a bootstrap token (`ttl` zero: forever).
pub fn token_secret(
    token: &str,
    ttl: std::time::Duration,
    description: Option<String>,
    groups: &[String],
    usages: &[String],
) -> Result<Secret, String> {
    let Some((id, secret)) = apiserver::bootstrap_tokens::parse(token) else {
        return Err(format!(
            "the token {token:?} is not of the form [a-z0-9]{{6}}.[a-z0-9]{{16}}"
        ));
    };
    if let Some(bad) = groups
        .iter()
        .find(|g| !g.starts_with("system:bootstrappers:"))
    {
        return Err(format!(
            "the group {bad:?} does not begin with \"system:bootstrappers:\""
        ));
    }
    let mut fields = vec![
        ("token-id".to_string(), id.to_string()),
        ("token-secret".to_string(), secret.to_string()),
    ];
    if !ttl.is_zero() {
        let seconds = i64::try_from(ttl.as_secs()).map_err(|_| "--ttl is too long")?;
        let expires = Timestamp::from_second(Timestamp::now().as_second() + seconds)
            .map_err(|e| format!("--ttl: {e}"))?;
        fields.push(("expiration".into(), expires.to_string()));
    }
    for usage in usages {
        if usage != "authentication" && usage != "signing" {
            return Err(format!(
                "the usage {usage:?} is not one of \"authentication\", \"signing\""
            ));
        }
        fields.push((format!("usage-bootstrap-{usage}"), "true".into()));
    }
    if !groups.is_empty() {
        fields.push(("auth-extra-groups".into(), groups.join(",")));
    }
    if let Some(description) = description {
        fields.push(("description".into(), description));
    }
    let object = serde_json::json!({
        "metadata": {"name": format!("{PREFIX}{id}"), "namespace": NAMESPACE},
        "type": apiserver::bootstrap_tokens::SECRET_TYPE,
        "stringData": fields.into_iter().collect::<std::collections::BTreeMap<_, _>>(),
    });
    serde_json::from_value(object).map_err(|e| e.to_string())
}

pub async fn run(command: TokenCommand) -> Result<(), String> {
    match command {
        TokenCommand::Create {
            token,
            ttl,
            description,
            groups,
            usages,
            print_join_command,
            connection,
        } => {
            let token = token.unwrap_or_else(random_token);
            let object = token_secret(&token, ttl, description, &groups, &usages)?;
            connection
                .secrets()
                .await?
                .create(&PostParams::default(), &object)
                .await
                .map_err(|e| format!("creating the token: {e}"))?;
            if print_join_command {
                let path = connection.kubeconfig_path();
                let (server, ca) = crate::node::kubeconfig_cluster(&path)
                    .ok_or_else(|| format!("{} names no cluster with a CA", path.display()))?;
                let fingerprint = apiserver::pki::fingerprint(&ca)
                    .ok_or_else(|| format!("the CA of {} does not parse", path.display()))?;
                println!("rudder agent --server {server} --token {fingerprint}::{token}");
            } else {
                println!("{token}");
            }
            Ok(())
        }
        TokenCommand::List { connection } => {
            let secrets = connection
                .secrets()
                .await?
                .list(&ListParams::default())
                .await
                .map_err(|e| format!("listing the tokens: {e}"))?;
            let now = Timestamp::now();
            let mut rows = vec![[
                "TOKEN".to_string(),
                "TTL".into(),
                "EXPIRES".into(),
                "USAGES".into(),
                "DESCRIPTION".into(),
                "EXTRA GROUPS".into(),
            ]];
            let tokens = secrets
                .items
                .iter()
                .filter(|s| s.type_.as_deref() == Some(apiserver::bootstrap_tokens::SECRET_TYPE));
            for secret in tokens {
                let (Some(id), Some(key)) =
                    (data(secret, "token-id"), data(secret, "token-secret"))
                else {
                    continue;
                };
                let expires = data(secret, "expiration");
                let ttl = match expires.as_deref().map(str::parse::<Timestamp>) {
                    None => "<forever>".to_string(),
                    Some(Ok(at)) if at > now => short_duration(at.as_second() - now.as_second()),
                    Some(_) => "<invalid>".to_string(),
                };
                let mut usages: Vec<&str> = ["authentication", "signing"]
                    .into_iter()
                    .filter(|u| {
                        data(secret, &format!("usage-bootstrap-{u}")).as_deref() == Some("true")
                    })
                    .collect();
                usages.sort_unstable();
                rows.push([
                    format!("{id}.{key}"),
                    ttl,
                    expires.unwrap_or_else(|| "<never>".into()),
                    usages.join(","),
                    data(secret, "description").unwrap_or_else(|| "<none>".into()),
                    data(secret, "auth-extra-groups").unwrap_or_default(),
                ]);
            }
            let widths: Vec<usize> = (0..6)
                .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
                .collect();
            for row in rows {
                let line: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .map(|(cell, width)| format!("{cell:<width$}"))
                    .collect();
                println!("{}", line.join("   ").trim_end());
            }
            Ok(())
        }
        TokenCommand::Delete { tokens, connection } => {
            let secrets = connection.secrets().await?;
            for token in tokens {
                let id = token.split('.').next().unwrap_or_default().to_string();
                if id.len() != 6 {
                    return Err(format!("{token:?} is neither a token nor a token id"));
                }
                secrets
                    .delete(&format!("{PREFIX}{id}"), &DeleteParams::default())
                    .await
                    .map_err(|e| format!("deleting the token {id}: {e}"))?;
                println!("bootstrap token {id:?} deleted");
            }
            Ok(())
        }
    }
}
