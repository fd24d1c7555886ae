//! What the kubelets of one machine share, in a host-wide directory
//! (`/var/lib/rudder` unless told otherwise), whatever data directory each
//! runs from:
//!
//! - `bridges/<bridge>/owner`: locked (flock) by the live kubelet that
//!   manages the bridge, and naming it (pid and data directory), so that a
//!   second one is refused with that name;
//! - `bridges/<bridge>/addresses/<ip>`: one file per pod address in use, with
//!   the sandbox and data directory holding it (as CNI's host-local plugin
//!   keeps `/var/lib/cni/networks/<name>`), so two data directories never
//!   hand out one address;
//! - `bridges/<bridge>/runtimes` and `bridges/<bridge>/cgroups`: the runtime
//!   state directories and container cgroups every kubelet of the bridge
//!   used, for `rudder killall` to find what they started.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The host-wide directory unless one is given.
pub const DEFAULT_DIR: &str = "/var/lib/rudder";

/// How long a kubelet waits for a bridge an ending kubelet still holds.
const CLAIM_WAIT: Duration = Duration::from_secs(5);

/// The host-wide directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostDir {
    pub path: PathBuf,
    /// Where sandboxes' network namespaces are mounted (`ip netns`'s
    /// directory): a lease whose sandbox has none there is stale.
    namespaces: PathBuf,
}

impl Default for HostDir {
    fn default() -> Self {
        HostDir::new(DEFAULT_DIR)
    }
}

/// The live kubelet of a bridge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub pid: i32,
    pub data_dir: PathBuf,
}

/// A pod address in use on a bridge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub address: Ipv4Addr,
    pub sandbox: String,
    pub data_dir: PathBuf,
}

/// A data directory's runtime on a bridge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeDirs {
    pub data_dir: PathBuf,
    /// Where the runtime keeps its sandbox and container records.
    pub state: PathBuf,
}

fn make_dir(path: &Path) -> Result<(), String> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A bridge name as a single path component (interface names cannot hold
/// `/`, but the name comes from a flag).
fn valid_bridge(bridge: &str) -> bool {
    !bridge.is_empty()
        && bridge.len() <= 15
        && bridge != "."
        && bridge != ".."
        && !bridge.contains(['/', '\0'])
}

/// flock(2) without blocking; true when taken.
fn try_lock(file: &File, mode: libc::c_int) -> bool {
    // SAFETY: flock(2) on a descriptor we hold open.
    unsafe { libc::flock(file.as_raw_fd(), mode | libc::LOCK_NB) == 0 }
}

fn read_owner(text: &str) -> Option<Owner> {
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok()?;
    let data_dir = PathBuf::from(lines.next()?);
    Some(Owner { pid, data_dir })
}

/// Adds `line` to a file of lines unless it is there already, dropping
/// the lines `current` says are of things gone (so the file does not grow
/// with every data directory that ever ran). Only the bridge's live
/// kubelet writes it; it is replaced whole.
fn add_line(path: &Path, line: &str, current: impl Fn(&str) -> bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<&str> = text.lines().filter(|l| *l != line && current(l)).collect();
    lines.push(line);
    let partial = path.with_extension("tmp");
    let _ = std::fs::remove_file(&partial);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .and_then(|mut file| file.write_all(format!("{}\n", lines.join("\n")).as_bytes()))
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl HostDir {
    pub fn new(path: impl Into<PathBuf>) -> HostDir {
        HostDir {
            path: path.into(),
            namespaces: PathBuf::from("/run/netns"),
        }
    }

    /// Whether a sandbox's network namespace is there (its pod may run).
    fn sandbox_exists(&self, sandbox: &str) -> bool {
        !sandbox.is_empty()
            && !sandbox.contains('/')
            && self
                .namespaces
                .join(super::network::netns_name(sandbox))
                .exists()
    }

    /// The addresses on `bridge` whose sandbox is still there.
    pub fn live_leases(&self, bridge: &str) -> Vec<Lease> {
        self.leases(bridge)
            .into_iter()
            .filter(|lease| self.sandbox_exists(&lease.sandbox))
            .collect()
    }

    fn bridge_dir(&self, bridge: &str) -> PathBuf {
        self.path.join("bridges").join(bridge)
    }

    /// Every bridge a kubelet of this machine recorded.
    pub fn bridges(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.path.join("bridges")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|name| valid_bridge(name))
            .collect();
        names.sort();
        names
    }

    /// The live kubelet holding `bridge`, if one does.
    pub fn owner(&self, bridge: &str) -> Option<Owner> {
        let path = self.bridge_dir(bridge).join("owner");
        let mut file = File::open(&path).ok()?;
        if try_lock(&file, libc::LOCK_SH) {
            // Nobody holds it: whatever it names has ended.
            // SAFETY: flock(2) on a descriptor we hold open.
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
            return None;
        }
        let mut text = String::new();
        file.read_to_string(&mut text).ok()?;
        read_owner(&text)
    }

    /// The addresses in use on `bridge`.
    pub fn leases(&self, bridge: &str) -> Vec<Lease> {
        let Ok(entries) = std::fs::read_dir(self.bridge_dir(bridge).join("addresses")) else {
            return Vec::new();
        };
        let mut leases: Vec<Lease> = entries
            .flatten()
            .filter_map(|entry| {
                let address = entry.file_name().to_str()?.parse().ok()?;
                let text = std::fs::read_to_string(entry.path()).ok()?;
                let mut lines = text.lines();
                Some(Lease {
                    address,
                    sandbox: lines.next().unwrap_or_default().to_string(),
                    data_dir: PathBuf::from(lines.next().unwrap_or_default()),
                })
            })
            .collect();
        leases.sort_by_key(|l| l.address);
        leases
    }

    /// Forgets an address (its sandbox is gone).
    pub fn forget_lease(&self, bridge: &str, address: Ipv4Addr) {
        let _ = std::fs::remove_file(
            self.bridge_dir(bridge)
                .join("addresses")
                .join(address.to_string()),
        );
    }

    /// The runtimes that ran on `bridge`.
    pub fn runtimes(&self, bridge: &str) -> Vec<RuntimeDirs> {
        let text =
            std::fs::read_to_string(self.bridge_dir(bridge).join("runtimes")).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let (data_dir, state) = line.split_once('\t')?;
                Some(RuntimeDirs {
                    data_dir: PathBuf::from(data_dir),
                    state: PathBuf::from(state),
                })
            })
            .collect()
    }

    /// The cgroups the containers of `bridge` were put under.
    pub fn cgroups(&self, bridge: &str) -> Vec<PathBuf> {
        let text =
            std::fs::read_to_string(self.bridge_dir(bridge).join("cgroups")).unwrap_or_default();
        text.lines().map(PathBuf::from).collect()
    }

    /// Forgets a bridge altogether (once everything on it is gone).
    pub fn forget_bridge(&self, bridge: &str) -> Result<(), String> {
        let dir = self.bridge_dir(bridge);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(format!("{}: {err}", dir.display())),
        }
    }
}

/// A live kubelet's hold on its bridge, released when dropped (or when its
/// process ends, however it ends).
#[derive(Debug)]
pub struct BridgeClaim {
    _lock: File,
    host: HostDir,
    bridge: String,
    data_dir: PathBuf,
}

impl BridgeClaim {
    /// Takes `bridge` for the kubelet of `data_dir` whose runtime keeps its
    /// records in `state`; refused (after a few seconds, for a kubelet that
    /// is ending) while another live kubelet holds it.
    pub fn take(
        host: &HostDir,
        bridge: &str,
        data_dir: &Path,
        state: &Path,
    ) -> Result<BridgeClaim, String> {
        if !valid_bridge(bridge) {
            return Err(format!("{bridge:?} is not a bridge name"));
        }
        let dir = host.bridge_dir(bridge);
        make_dir(&dir.join("addresses"))?;
        let path = dir.join("owner");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let deadline = Instant::now() + CLAIM_WAIT;
        while !try_lock(&file, libc::LOCK_EX) {
            if Instant::now() >= deadline {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = match read_owner(&text) {
                    Some(owner) => format!(
                        "the kubelet of process {} (data directory {})",
                        owner.pid,
                        owner.data_dir.display()
                    ),
                    None => "another kubelet".to_string(),
                };
                return Err(format!(
                    "pod bridge {bridge} is held by {holder}; stop it, or give this node \
                     another --pod-bridge and --cluster-cidr"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let owner = format!("{}\n{}\n", std::process::id(), data_dir.display());
        file.set_len(0)
            .and_then(|()| file.write_all(owner.as_bytes()))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        add_line(
            &dir.join("runtimes"),
            &format!("{}\t{}", data_dir.display(), state.display()),
            |line| {
                line.split_once('\t')
                    .is_some_and(|(_, state)| Path::new(state).exists())
            },
        )?;
        Ok(BridgeClaim {
            _lock: file,
            host: host.clone(),
            bridge: bridge.to_string(),
            data_dir: data_dir.to_path_buf(),
        })
    }

    pub fn host(&self) -> &HostDir {
        &self.host
    }

    pub fn bridge(&self) -> &str {
        &self.bridge
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Records a cgroup the runtime puts containers under.
    pub fn record_cgroup(&self, dir: &Path) {
        if let Err(err) = add_line(
            &self.host.bridge_dir(&self.bridge).join("cgroups"),
            &dir.display().to_string(),
            |line| Path::new(line).exists(),
        ) {
            tracing::warn!(error = %err, "cannot record the runtime's cgroup");
        }
    }

    fn lease_path(&self, address: Ipv4Addr) -> PathBuf {
        self.host
            .bridge_dir(&self.bridge)
            .join("addresses")
            .join(address.to_string())
    }

    fn lease_text(&self, sandbox: &str) -> String {
        format!("{sandbox}\n{}\n", self.data_dir.display())
    }

    /// The holder's data directory of a lease file.
    fn holder(&self, address: Ipv4Addr) -> Option<PathBuf> {
        let text = std::fs::read_to_string(self.lease_path(address)).ok()?;
        text.lines().nth(1).map(PathBuf::from)
    }

    /// Whether a lease of another data directory still counts: its sandbox
    /// is there. (Only the bridge's live kubelet writes leases, so one
    /// half-written or naming a sandbox that is gone is stale.)
    fn held_by_another(&self, address: Ipv4Addr) -> bool {
        let Ok(text) = std::fs::read_to_string(self.lease_path(address)) else {
            return false;
        };
        let mut lines = text.lines();
        let sandbox = lines.next().unwrap_or_default();
        let data_dir = lines.next().map(Path::new);
        data_dir.is_some_and(|d| d != self.data_dir) && self.host.sandbox_exists(sandbox)
    }

    /// Takes `address` for `sandbox`: false when a sandbox of another data
    /// directory holds it. A stale lease, or one of this data directory's
    /// own that the runtime does not know (it ended before recording its
    /// sandbox), is taken over.
    pub fn lease(&self, address: Ipv4Addr, sandbox: &str) -> bool {
        let path = self.lease_path(address);
        let created = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path);
        match created {
            Ok(mut file) => file.write_all(self.lease_text(sandbox).as_bytes()).is_ok(),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                !self.held_by_another(address)
                    && std::fs::write(&path, self.lease_text(sandbox)).is_ok()
            }
            Err(err) => {
                tracing::warn!(path = %path.display(), error = %err, "cannot record a pod address");
                false
            }
        }
    }

    /// Records an address a sandbox of this data directory already holds
    /// (adopted after a restart), unless another data directory's lease
    /// says otherwise.
    pub fn keep(&self, address: Ipv4Addr, sandbox: &str) {
        if !self.lease(address, sandbox) {
            tracing::warn!(%address, sandbox, "a pod address is recorded for another data directory");
        }
    }

    /// Gives an address back, if this data directory holds it.
    pub fn release(&self, address: Ipv4Addr) {
        if self.holder(address).as_deref() == Some(self.data_dir.as_path()) {
            let _ = std::fs::remove_file(self.lease_path(address));
        }
    }

    /// What sits on the bridge that no sandbox of this kubelet's
    /// (`own`: its sandboxes' ids) accounts for: sandboxes of other data
    /// directories, which no live kubelet holds now, and veths of
    /// sandboxes recorded nowhere.
    pub fn orphans(&self, own: &BTreeSet<String>) -> Vec<Orphan> {
        let leases = self.host.live_leases(&self.bridge);
        let mut orphans: Vec<Orphan> = leases
            .iter()
            .filter(|lease| lease.data_dir != self.data_dir && !own.contains(&lease.sandbox))
            .map(|lease| Orphan {
                sandbox: lease.sandbox.clone(),
                address: Some(lease.address),
                data_dir: Some(lease.data_dir.clone()),
            })
            .collect();
        let known = |veth: &str| {
            own.iter()
                .chain(leases.iter().map(|l| &l.sandbox))
                .any(|id| super::network::host_veth(id) == veth)
        };
        for veth in super::network::bridge_ports(&self.bridge) {
            if veth.starts_with("veth") && !known(&veth) {
                orphans.push(Orphan {
                    sandbox: veth.trim_start_matches("veth").to_string(),
                    address: None,
                    data_dir: None,
                });
            }
        }
        orphans
    }
}

/// A sandbox on the bridge that no live kubelet accounts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Orphan {
    /// Its id (only the first characters, from its veth, when recorded
    /// nowhere).
    pub sandbox: String,
    pub address: Option<Ipv4Addr>,
    /// The data directory that made it, when recorded.
    pub data_dir: Option<PathBuf>,
}

/// What the log and the node's event say about orphans: per data
/// directory, how many and at which addresses, and what removes them.
pub fn describe_orphans(bridge: &str, orphans: &[Orphan]) -> Option<String> {
    if orphans.is_empty() {
        return None;
    }
    let mut by_dir: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for orphan in orphans {
        let dir = orphan
            .data_dir
            .as_ref()
            .map(|d| format!("data directory {}", d.display()))
            .unwrap_or_else(|| "no recorded data directory".to_string());
        let what = orphan
            .address
            .map(|a| a.to_string())
            .unwrap_or_else(|| format!("veth{}", orphan.sandbox));
        by_dir.entry(dir).or_default().push(what);
    }
    let parts: Vec<String> = by_dir
        .into_iter()
        .map(|(dir, what)| format!("{} of {dir} ({})", what.len(), what.join(", ")))
        .collect();
    Some(format!(
        "{} pod sandboxes on bridge {bridge} belong to no running kubelet: {}; \
         `rudder killall --orphans` removes them",
        orphans.len(),
        parts.join("; ")
    ))
}

#[cfg(test)]
pub(crate) fn test_host(dir: &Path) -> HostDir {
    let namespaces = dir.join("netns");
    std::fs::create_dir_all(&namespaces).unwrap_or_default();
    HostDir {
        path: dir.to_path_buf(),
        namespaces,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_kubelet_per_bridge_and_addresses_per_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let host = test_host(dir.path());
        let runtime = |name: &str| {
            let path = dir.path().join(name);
            std::fs::create_dir_all(&path).unwrap();
            path
        };
        let a = BridgeClaim::take(&host, "rhosttest0", Path::new("/a"), &runtime("a")).unwrap();
        assert_eq!(
            host.owner("rhosttest0"),
            Some(Owner {
                pid: std::process::id() as i32,
                data_dir: PathBuf::from("/a")
            })
        );
        let address = Ipv4Addr::new(10, 1, 0, 2);
        assert!(a.lease(address, "s1"));
        assert!(a.lease(address, "s2"), "its own lease is taken over");
        std::fs::write(dir.path().join("netns/rudder-s2"), "").unwrap();
        drop(a);
        assert_eq!(host.owner("rhosttest0"), None, "released with the claim");

        let b = BridgeClaim::take(&host, "rhosttest0", Path::new("/b"), &runtime("b")).unwrap();
        // While a's sandbox is there, its address is a's.
        assert!(!b.lease(address, "s3"), "another data directory's address");
        b.release(address);
        assert_eq!(host.leases("rhosttest0").len(), 1, "not b's to release");
        assert_eq!(
            b.orphans(&BTreeSet::new()),
            vec![Orphan {
                sandbox: "s2".into(),
                address: Some(address),
                data_dir: Some(PathBuf::from("/a")),
            }]
        );
        assert_eq!(
            host.runtimes("rhosttest0")
                .iter()
                .map(|r| r.state.clone())
                .collect::<Vec<_>>(),
            [runtime("a"), runtime("b")]
        );
        // Once a's sandbox has gone, its lease is stale.
        std::fs::remove_file(dir.path().join("netns/rudder-s2")).unwrap();
        assert_eq!(b.orphans(&BTreeSet::new()), vec![]);
        assert!(b.lease(address, "s3"), "a stale lease");
        let refused = BridgeClaim::take(&host, "rhosttest0", Path::new("/c"), Path::new("/c/rt"))
            .unwrap_err();
        assert!(
            refused.contains(&format!(
                "process {} (data directory /b)",
                std::process::id()
            )),
            "{refused}"
        );
        assert!(BridgeClaim::take(&host, "../x", Path::new("/c"), Path::new("/c/rt")).is_err());
    }

    #[test]
    fn orphans_are_described_per_data_directory() {
        let orphans = [
            Orphan {
                sandbox: "s1".into(),
                address: Some(Ipv4Addr::new(10, 1, 0, 2)),
                data_dir: Some(PathBuf::from("/a")),
            },
            Orphan {
                sandbox: "0123456789a".into(),
                address: None,
                data_dir: None,
            },
        ];
        assert_eq!(
            describe_orphans("rudder0", &orphans).unwrap(),
            "2 pod sandboxes on bridge rudder0 belong to no running kubelet: 1 of data \
             directory /a (10.1.0.2); 1 of no recorded data directory (veth0123456789a); \
             `rudder killall --orphans` removes them"
        );
        assert_eq!(describe_orphans("rudder0", &[]), None);
    }
}
