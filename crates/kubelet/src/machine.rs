//! What the node is: its hostname, CPUs, memory, disk and identity, read
//! from the real machine, and the measurements behind its pressure
//! conditions.

use std::collections::BTreeMap;
use std::path::Path;

/// The machine's capacity, as a Node's status.capacity, and what is kept
/// from pods (allocatable is capacity less both).
#[derive(Clone, Debug, PartialEq)]
pub struct Capacity {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub ephemeral_storage_bytes: u64,
    pub pods: u32,
    /// `--system-reserved` and `--kube-reserved` together.
    pub reserved: Reserved,
    pub thresholds: Thresholds,
}

/// Resources kept for the system and Kubernetes' own daemons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reserved {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub ephemeral_storage_bytes: u64,
}

impl Reserved {
    /// `cpu=100m,memory=100Mi,ephemeral-storage=1Gi`, as the kubelet's
    /// --system-reserved and --kube-reserved; added to what is kept.
    pub fn plus(mut self, text: &str) -> Result<Reserved, String> {
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (name, value) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?} is not resource=quantity"))?;
            let amount = api::quantity::value(value)
                .filter(|v| *v >= 0.0)
                .ok_or_else(|| format!("{entry:?}: {value:?} is not a quantity"))?;
            match name {
                "cpu" => self.cpu_millis += (amount * 1000.0).round() as u64,
                "memory" => self.memory_bytes += amount as u64,
                "ephemeral-storage" => self.ephemeral_storage_bytes += amount as u64,
                "pid" => {}
                other => return Err(format!("resource {other:?} cannot be reserved")),
            }
        }
        Ok(self)
    }
}

impl Capacity {
    /// This machine: its online CPUs, MemTotal, and the filesystem that
    /// holds `root_dir`.
    pub fn of_machine(root_dir: &Path) -> Capacity {
        // SAFETY: sysconf has no preconditions.
        let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as u64;
        let memory = meminfo("MemTotal").unwrap_or(0);
        let (disk_total, _) = filesystem(root_dir).unwrap_or((0, 0));
        Capacity {
            cpu_millis: cpus * 1000,
            memory_bytes: memory,
            ephemeral_storage_bytes: disk_total,
            pods: 110,
            reserved: Reserved::default(),
            thresholds: Thresholds::default(),
        }
    }

    /// A simulated node's capacity (2 CPUs, 4 GiB, 110 pods by default).
    pub fn simulated(cpu_millis: u64, memory_bytes: u64, pods: u32) -> Capacity {
        Capacity {
            cpu_millis,
            memory_bytes,
            ephemeral_storage_bytes: 100 << 30,
            pods,
            reserved: Reserved::default(),
            thresholds: Thresholds::default(),
        }
    }

    fn render(cpu_millis: u64, memory: u64, storage: u64, pods: u32) -> BTreeMap<String, String> {
        let cpu = if cpu_millis.is_multiple_of(1000) {
            (cpu_millis / 1000).to_string()
        } else {
            format!("{cpu_millis}m")
        };
        BTreeMap::from([
            ("cpu".to_string(), cpu),
            (
                "ephemeral-storage".to_string(),
                format!("{}Ki", storage / 1024),
            ),
            ("hugepages-1Gi".to_string(), "0".to_string()),
            ("hugepages-2Mi".to_string(), "0".to_string()),
            ("memory".to_string(), format!("{}Ki", memory / 1024)),
            ("pods".to_string(), pods.to_string()),
        ])
    }

    pub fn capacity(&self) -> BTreeMap<String, String> {
        Self::render(
            self.cpu_millis,
            self.memory_bytes,
            self.ephemeral_storage_bytes,
            self.pods,
        )
    }

    /// Capacity less the reserved resources and the hard eviction
    /// thresholds (memory.available 100Mi, nodefs.available 10% by default).
    pub fn allocatable(&self) -> BTreeMap<String, String> {
        let storage_threshold =
            (self.ephemeral_storage_bytes as f64 * self.thresholds.nodefs_available) as u64;
        Self::render(
            self.cpu_millis.saturating_sub(self.reserved.cpu_millis),
            self.memory_bytes
                .saturating_sub(self.reserved.memory_bytes)
                .saturating_sub(self.thresholds.memory_available_bytes),
            self.ephemeral_storage_bytes
                .saturating_sub(self.reserved.ephemeral_storage_bytes)
                .saturating_sub(storage_threshold),
            self.pods,
        )
    }
}

/// The hard eviction threshold memory.available<100Mi.
pub const EVICTION_MEMORY_AVAILABLE: u64 = 100 << 20;

/// A /proc/meminfo field in bytes.
pub fn meminfo(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let kib: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kib * 1024)
    })
}

/// (total, available) bytes of the filesystem holding `path`.
pub fn filesystem(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let mut probe = path.to_path_buf();
    while !probe.exists() {
        probe = probe.parent()?.to_path_buf();
    }
    let c_path = std::ffi::CString::new(probe.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs into a zeroed struct with a valid C string.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: statvfs(3) writes only into `stats`; `c_path` is a valid C string.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    let block = stats.f_frsize as u64;
    Some((stats.f_blocks as u64 * block, stats.f_bavail as u64 * block))
}

/// The hard eviction thresholds (`--eviction-hard`): memory.available and
/// nodefs.available below these put the node under pressure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    pub memory_available_bytes: u64,
    /// A share of the filesystem's size, 0..1.
    pub nodefs_available: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            memory_available_bytes: EVICTION_MEMORY_AVAILABLE,
            nodefs_available: 0.10,
        }
    }
}

impl Thresholds {
    /// `memory.available<100Mi,nodefs.available<10%`, as the kubelet's flag.
    pub fn parse(text: &str) -> Result<Thresholds, String> {
        let mut thresholds = Thresholds::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (signal, value) = entry
                .split_once('<')
                .ok_or_else(|| format!("{entry:?} is not <signal><<quantity>"))?;
            match signal {
                "memory.available" => {
                    thresholds.memory_available_bytes = api::quantity::value(value)
                        .filter(|v| *v >= 0.0)
                        .ok_or_else(|| format!("{entry:?}: {value:?} is not a quantity"))?
                        as u64;
                }
                "nodefs.available" => {
                    let percent = value
                        .strip_suffix('%')
                        .and_then(|p| p.parse::<f64>().ok())
                        .filter(|p| (0.0..=100.0).contains(p))
                        .ok_or_else(|| format!("{entry:?}: nodefs.available takes a percentage"))?;
                    thresholds.nodefs_available = percent / 100.0;
                }
                other => return Err(format!("eviction signal {other:?} is not supported")),
            }
        }
        Ok(thresholds)
    }
}

/// What the node has left, as measured now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Available {
    pub memory_bytes: u64,
    pub nodefs_bytes: u64,
    pub nodefs_total_bytes: u64,
}

impl Available {
    pub fn measure(root_dir: &Path) -> Available {
        let (total, available) = filesystem(root_dir).unwrap_or((0, 0));
        Available {
            memory_bytes: meminfo("MemAvailable").unwrap_or(u64::MAX),
            nodefs_bytes: available,
            nodefs_total_bytes: total,
        }
    }
}

/// The node's pressure as measured now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pressure {
    pub memory: bool,
    pub disk: bool,
    pub pid: bool,
}

impl Pressure {
    /// Against the hard thresholds, and fewer than 5% of process ids free.
    pub fn measure(root_dir: &Path, thresholds: &Thresholds) -> Pressure {
        let available = Available::measure(root_dir);
        let memory = available.memory_bytes < thresholds.memory_available_bytes;
        let disk = available.nodefs_total_bytes > 0
            && (available.nodefs_bytes as f64)
                < available.nodefs_total_bytes as f64 * thresholds.nodefs_available;
        let pid_max: Option<u64> = std::fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .and_then(|t| t.trim().parse().ok());
        let processes = std::fs::read_dir("/proc").map(|entries| {
            entries
                .flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                })
                .count() as u64
        });
        let pid = match (pid_max, processes) {
            (Some(max), Ok(used)) => max.saturating_sub(used) < max / 20,
            _ => false,
        };
        Pressure { memory, disk, pid }
    }
}

/// The node's identity for status.nodeInfo.
#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub machine_id: String,
    pub system_uuid: String,
    pub boot_id: String,
    pub kernel_version: String,
    pub os_image: String,
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

impl Identity {
    pub fn of_machine() -> Identity {
        let machine_id = read_trimmed("/etc/machine-id")
            .or_else(|| read_trimmed("/var/lib/dbus/machine-id"))
            .unwrap_or_default();
        let system_uuid =
            read_trimmed("/sys/class/dmi/id/product_uuid").unwrap_or_else(|| machine_id.clone());
        let boot_id = read_trimmed("/proc/sys/kernel/random/boot_id").unwrap_or_default();
        let kernel_version = read_trimmed("/proc/sys/kernel/osrelease").unwrap_or_default();
        let os_image = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|text| {
                text.lines().find_map(|l| {
                    l.strip_prefix("PRETTY_NAME=")
                        .map(|v| v.trim_matches('"').to_string())
                })
            })
            .unwrap_or_else(|| "Linux".to_string());
        Identity {
            machine_id,
            system_uuid,
            boot_id,
            kernel_version,
            os_image,
        }
    }
}

/// The machine's hostname, lowercased as a node name must be.
pub fn hostname() -> String {
    read_trimmed("/proc/sys/kernel/hostname")
        .unwrap_or_else(|| "localhost".to_string())
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocatable_is_capacity_less_reserved_and_thresholds() {
        let mut capacity = Capacity::simulated(2000, 4 << 30, 110);
        capacity.reserved = Reserved::default()
            .plus("cpu=100m,memory=256Mi")
            .unwrap()
            .plus("cpu=150m,ephemeral-storage=1Gi")
            .unwrap();
        let allocatable = capacity.allocatable();
        assert_eq!(allocatable["cpu"], "1750m");
        assert_eq!(
            allocatable["memory"],
            format!("{}Ki", ((4u64 << 30) - (256 << 20) - (100 << 20)) / 1024)
        );
        let storage = (100u64 << 30) - (1 << 30) - (100u64 << 30) / 10;
        assert_eq!(
            allocatable["ephemeral-storage"],
            format!("{}Ki", storage / 1024)
        );
        assert_eq!(capacity.capacity()["cpu"], "2");
        assert!(Reserved::default().plus("gpu=1").is_err());
        assert!(Reserved::default().plus("cpu").is_err());
    }

    #[test]
    fn eviction_thresholds_parse_as_the_flag() {
        let t = Thresholds::parse("memory.available<1Gi,nodefs.available<15%").unwrap();
        assert_eq!(t.memory_available_bytes, 1 << 30);
        assert!((t.nodefs_available - 0.15).abs() < 1e-9);
        assert_eq!(Thresholds::parse("").unwrap(), Thresholds::default());
        assert!(Thresholds::parse("memory.available>1Gi").is_err());
        assert!(Thresholds::parse("imagefs.available<10%").is_err());
        assert!(Thresholds::parse("nodefs.available<1Gi").is_err());
    }
}
