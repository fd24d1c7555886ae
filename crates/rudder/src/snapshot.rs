//! `rudder snapshot save|status|restore`, shaped like `etcdctl snapshot`.

use std::path::PathBuf;

use store::sqlite::snapshot::{self, SnapshotStatus};

use crate::storage::{Backend, StorageArgs};

#[derive(clap::Subcommand)]
pub enum SnapshotCommand {
    /// Save a consistent snapshot of the store to FILE, while it serves.
    Save {
        file: PathBuf,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Print the hash, revision, total keys and size of a snapshot.
    Status {
        file: PathBuf,
        /// Output format: simple, table or json.
        #[arg(short = 'w', long = "write-out", default_value = "simple")]
        write_out: OutputFormat,
    },
    /// Restore a snapshot into a fresh data directory.
    Restore {
        file: PathBuf,
        /// The data directory to restore into; its store must not exist yet.
        #[arg(long, env = "RUDDER_DATA_DIR", default_value_os_t = crate::storage::default_data_dir())]
        data_dir: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum OutputFormat {
    Simple,
    Table,
    Json,
}

fn print_status(status: &SnapshotStatus, format: OutputFormat) -> Result<(), String> {
    match format {
        OutputFormat::Simple => print!("{}", status.simple()),
        OutputFormat::Table => print!("{}", status.table()),
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string(status).map_err(|e| e.to_string())?
        ),
    }
    Ok(())
}

pub async fn run(command: SnapshotCommand) -> Result<(), String> {
    match command {
        SnapshotCommand::Save { file, storage } => match storage.storage {
            Backend::Sqlite => {
                let db = storage.database_file();
                let dest = file.clone();
                let status = tokio::task::spawn_blocking(move || snapshot::save(&db, &dest))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                println!(
                    "Snapshot saved at {} (revision {}, {})",
                    file.display(),
                    status.revision,
                    snapshot::human_bytes(status.total_size)
                );
                Ok(())
            }
            Backend::Etcd => {
                let store = store::etcd::EtcdStore::connect(storage.etcd_options()?)
                    .await
                    .map_err(|e| e.to_string())?;
                let size = store
                    .save_snapshot(&file)
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "Snapshot saved at {} ({}; an etcd snapshot: inspect and restore it with etcdctl/etcdutl)",
                    file.display(),
                    snapshot::human_bytes(size)
                );
                Ok(())
            }
        },
        SnapshotCommand::Status { file, write_out } => {
            let status = tokio::task::spawn_blocking(move || snapshot::status(&file))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            print_status(&status, write_out)
        }
        SnapshotCommand::Restore { file, data_dir } => {
            let db = data_dir.join("store").join(store::sqlite::DATABASE_FILE);
            let source = file.clone();
            let target = db.clone();
            let status = tokio::task::spawn_blocking(move || snapshot::restore(&source, &target))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
            println!(
                "Restored {} at revision {} into {}",
                file.display(),
                status.revision,
                db.display()
            );
            Ok(())
        }
    }
}
