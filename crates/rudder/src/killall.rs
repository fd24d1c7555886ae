//! `rudder killall` and `rudder uninstall`: taking rudder off a machine,
//! as k3s ships `k3s-killall.sh` and `k3s-uninstall.sh`. The work is the
//! kubelet's (`kubelet::runtime::process::cleanup`) and the service
//! proxy's (`proxy::cleanup`); this is the order and the words.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kubelet::runtime::process::cleanup::{self, Scope};
use kubelet::runtime::process::host::{DEFAULT_DIR, HostDir};

/// How long a running rudder gets to stop before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(20);

/// The flags of `rudder killall`.
#[derive(clap::Args, Debug)]
pub struct KillallArgs {
    /// Say what would be stopped and removed, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only what no running kubelet accounts for: the pods, sandboxes and
    /// cgroups of data directories whose rudder has gone. Running rudders,
    /// their pods and the service proxy's rules stay.
    #[arg(long)]
    pub orphans: bool,
    #[command(flatten)]
    pub host: HostArgs,
}

/// The flags of `rudder uninstall`.
#[derive(clap::Args, Debug)]
pub struct UninstallArgs {
    /// The data directory to remove, once everything is stopped.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Say what would be stopped and removed, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub host: HostArgs,
}

#[derive(clap::Args, Debug)]
pub struct HostArgs {
    /// The directory the rudders of this machine share (as given to them).
    #[arg(long, env = "RUDDER_HOST_STATE_DIR", default_value = DEFAULT_DIR)]
    pub host_state_dir: PathBuf,
    /// The service proxy's nftables table.
    #[arg(long, default_value = "rudder")]
    pub nftables_table: String,
}

pub async fn run_killall(args: KillallArgs) -> Result<(), String> {
    let scope = if args.orphans {
        Scope::Orphans
    } else {
        Scope::Everything
    };
    killall(&args.host, scope, args.dry_run).await
}

fn say(dry_run: bool, what: &str) {
    if dry_run {
        println!("would {what}");
    } else {
        println!("{what}");
    }
}

async fn killall(args: &HostArgs, scope: Scope, dry_run: bool) -> Result<(), String> {
    let host = HostDir::new(&args.host_state_dir);
    let mut failed = 0;
    if scope == Scope::Everything {
        for (bridge, owner) in cleanup::live_kubelets(&host) {
            say(
                dry_run,
                &format!(
                    "stop rudder process {} (data directory {}), whose kubelet holds bridge \
                     {bridge}, and its pods",
                    owner.pid,
                    owner.data_dir.display()
                ),
            );
            if !dry_run {
                let stopped = {
                    let host = host.clone();
                    tokio::task::spawn_blocking(move || {
                        cleanup::stop_kubelet(&host, &bridge, &owner, STOP_GRACE)
                    })
                    .await
                    .map_err(|e| e.to_string())?
                };
                if let Err(err) = stopped {
                    eprintln!("warning: {err}");
                    failed += 1;
                }
            }
        }
    }
    // Planned after the rudders stopped: what they removed themselves is
    // not in it.
    let steps = {
        let host = host.clone();
        tokio::task::spawn_blocking(move || cleanup::plan(&host, scope))
            .await
            .map_err(|e| e.to_string())?
    };
    for step in steps {
        say(dry_run, &step.to_string());
        if !dry_run {
            let host = host.clone();
            let done = tokio::task::spawn_blocking(move || step.run(&host))
                .await
                .map_err(|e| e.to_string())?;
            if let Err(err) = done {
                eprintln!("warning: skipped: {err}");
                failed += 1;
            }
        }
    }
    if scope == Scope::Everything {
        say(
            dry_run,
            &format!(
                "remove the service proxy's rules (nftables table ip {}, iptables KUBE-* chains)",
                args.nftables_table
            ),
        );
        if !dry_run && let Err(err) = proxy::cleanup(&args.nftables_table).await {
            eprintln!("warning: skipped: {err}");
            failed += 1;
        }
    }
    if failed > 0 {
        eprintln!("{failed} steps failed; the rest was done");
    }
    Ok(())
}

/// What a data directory of rudder holds (a server's or an agent's).
fn is_data_dir(dir: &Path) -> bool {
    [
        "pki",
        "store",
        "kubelet",
        "runtime",
        "kubelet.kubeconfig",
        "node-token",
    ]
    .iter()
    .any(|entry| dir.join(entry).exists())
}

pub async fn run_uninstall(args: UninstallArgs) -> Result<(), String> {
    let data_dir = &args.data_dir;
    let exists = data_dir.exists();
    if exists {
        let canonical =
            std::fs::canonicalize(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
        if canonical == Path::new("/") || !is_data_dir(&canonical) {
            return Err(format!(
                "{} is not a data directory of rudder (it has no pki, store, kubelet or \
                 runtime); nothing was changed",
                data_dir.display()
            ));
        }
    }
    killall(&args.host, Scope::Everything, args.dry_run).await?;
    if !exists {
        println!("{} is not there (nothing to remove)", data_dir.display());
        return Ok(());
    }
    say(args.dry_run, &format!("remove {}", data_dir.display()));
    if args.dry_run {
        return Ok(());
    }
    let canonical =
        std::fs::canonicalize(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    // Pods' memory-backed volumes are mounted under it: never descend
    // into a mount, unmount first.
    let left = kubelet::volumes::unmount_under(&canonical);
    if !left.is_empty() {
        return Err(format!(
            "{} still has mounts ({}); it was not removed",
            data_dir.display(),
            left.join(", ")
        ));
    }
    std::fs::remove_dir_all(&canonical).map_err(|e| format!("{}: {e}", data_dir.display()))
}
