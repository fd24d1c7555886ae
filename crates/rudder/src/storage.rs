//! Choosing and opening the cluster state store from command-line flags,
//! shared by every subcommand that reads or writes the store.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use store::SharedStore;
use store::etcd::{EtcdOptions, EtcdStore};
use store::sqlite::SqliteStore;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// One SQLite file in the data directory (DIR/store/state.db).
    Sqlite,
    /// An etcd v3 cluster (--etcd-servers).
    Etcd,
}

#[derive(clap::Args, Debug, Clone)]
pub struct StorageArgs {
    /// Where rudder keeps its state (the embedded store, certificates, kubeconfig).
    #[arg(long, env = "RUDDER_DATA_DIR", default_value_os_t = default_data_dir())]
    pub data_dir: PathBuf,
    /// The cluster state store.
    #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
    pub storage: Backend,
    /// etcd client URLs, comma-separated (with --storage etcd).
    #[arg(long, value_delimiter = ',')]
    pub etcd_servers: Vec<String>,
    /// CA bundle that signed the etcd members' certificates.
    #[arg(long)]
    pub etcd_cafile: Option<PathBuf>,
    /// Client certificate for etcd.
    #[arg(long)]
    pub etcd_certfile: Option<PathBuf>,
    /// Client key for etcd.
    #[arg(long)]
    pub etcd_keyfile: Option<PathBuf>,
    /// Deadline of each store request, in seconds.
    #[arg(long, default_value_t = 5)]
    pub etcd_request_timeout: u64,
}

/// `/var/lib/rudder` for root, `~/.rudder` for everyone else.
pub fn default_data_dir() -> PathBuf {
    let is_root = std::env::var_os("USER").is_some_and(|u| u == "root")
        || std::env::var_os("HOME").is_some_and(|h| h == "/root");
    match std::env::var_os("HOME") {
        Some(home) if !is_root => PathBuf::from(home).join(".rudder"),
        _ => PathBuf::from("/var/lib/rudder"),
    }
}

impl StorageArgs {
    /// The directory of the embedded store.
    pub fn store_dir(&self) -> PathBuf {
        self.data_dir.join("store")
    }

    /// The embedded store's database file.
    pub fn database_file(&self) -> PathBuf {
        self.store_dir().join(store::sqlite::DATABASE_FILE)
    }

    pub fn etcd_options(&self) -> Result<EtcdOptions, String> {
        if self.etcd_servers.is_empty() {
            return Err("--storage etcd needs --etcd-servers".to_string());
        }
        let mut options = EtcdOptions::new(self.etcd_servers.clone());
        options.ca_file = self.etcd_cafile.clone();
        options.cert_file = self.etcd_certfile.clone();
        options.key_file = self.etcd_keyfile.clone();
        options.request_timeout = Duration::from_secs(self.etcd_request_timeout.max(1));
        Ok(options)
    }

    pub async fn open(&self) -> Result<SharedStore, String> {
        // The data directory holds the cluster's keys and state: the
        // owner's alone, whichever store is used.
        store::private::dir(&self.data_dir)
            .map_err(|e| format!("{}: {e}", self.data_dir.display()))?;
        match self.storage {
            Backend::Sqlite => {
                let dir = self.store_dir();
                tokio::task::spawn_blocking(move || SqliteStore::open_dir(dir))
                    .await
                    .map_err(|e| e.to_string())?
                    .map(|store| Arc::new(store) as SharedStore)
                    .map_err(|e| e.to_string())
            }
            Backend::Etcd => {
                let store = EtcdStore::connect(self.etcd_options()?)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Arc::new(store))
            }
        }
    }
}
