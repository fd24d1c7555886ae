//! Container cgroups of the process runtime: one group per container under
//! the kubelet's own group (`rudder-<bridge>/<container>`), in the memory and
//! cpu hierarchies of cgroup v1 or the unified cgroup v2 tree, whichever
//! this host lets the kubelet write to.

use std::ffi::CString;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
enum Layout {
    /// cgroup v2: one directory for every controller.
    Unified(PathBuf),
    /// cgroup v1: the memory, cpu and cpuacct hierarchies (any may be
    /// absent; cpuacct is often mounted with cpu).
    Split {
        memory: Option<PathBuf>,
        cpu: Option<PathBuf>,
        cpuacct: Option<PathBuf>,
    },
}

#[derive(Clone, Debug)]
pub struct Cgroups {
    layout: Layout,
}

/// A container's groups.
#[derive(Debug)]
pub struct ContainerCgroup {
    dirs: Vec<PathBuf>,
    oom_file: Option<PathBuf>,
    usage_file: Option<PathBuf>,
    /// memory.stat, for the working set (usage less inactive file pages).
    memory_stat: Option<PathBuf>,
    /// Where CPU time is counted: cpu.stat (v2, usage_usec) or
    /// cpuacct.usage (v1, nanoseconds).
    cpu_usage: Option<CpuUsage>,
}

#[derive(Debug)]
enum CpuUsage {
    Stat(PathBuf),
    Acct(PathBuf),
}

/// The kubelet's own group in a hierarchy, from /proc/self/cgroup.
fn own_group(controller: &str) -> Option<String> {
    let text = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    text.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let _id = parts.next()?;
        let controllers = parts.next()?;
        let path = parts.next()?;
        let matches = if controller.is_empty() {
            controllers.is_empty()
        } else {
            controllers.split(',').any(|c| c == controller)
        };
        matches.then(|| path.to_string())
    })
}

fn writable_dir(path: PathBuf) -> Option<PathBuf> {
    std::fs::create_dir_all(&path).ok()?;
    Some(path)
}

impl Cgroups {
    pub fn detect(name: &str) -> Option<Cgroups> {
        let group = format!("rudder-{name}");
        let root = Path::new("/sys/fs/cgroup");
        if root.join("cgroup.controllers").exists() {
            let own = own_group("")?;
            let base = root.join(own.trim_start_matches('/')).join(&group);
            let controllers = std::fs::read_to_string(root.join("cgroup.subtree_control")).ok()?;
            if controllers.contains("memory") {
                return writable_dir(base).map(|dir| Cgroups {
                    layout: Layout::Unified(dir),
                });
            }
            return None;
        }
        let hierarchy = |controller: &str| {
            let mount = root.join(controller);
            if !mount.join("cgroup.procs").exists() {
                return None;
            }
            let own = own_group(controller).unwrap_or_default();
            writable_dir(mount.join(own.trim_start_matches('/')).join(&group))
        };
        let memory = hierarchy("memory");
        let cpu = hierarchy("cpu");
        // Co-mounted with cpu, its files are in cpu's groups already.
        let cpuacct = hierarchy("cpuacct").filter(|acct| {
            cpu.as_ref().is_none_or(|cpu| {
                std::fs::canonicalize(cpu).ok() != std::fs::canonicalize(acct).ok()
            })
        });
        (memory.is_some() || cpu.is_some()).then_some(Cgroups {
            layout: Layout::Split {
                memory,
                cpu,
                cpuacct,
            },
        })
    }

    /// The runtime's own groups, one per hierarchy.
    pub fn own_dirs(&self) -> Vec<PathBuf> {
        match &self.layout {
            Layout::Unified(dir) => vec![dir.clone()],
            Layout::Split {
                memory,
                cpu,
                cpuacct,
            } => memory
                .iter()
                .chain(cpu.iter())
                .chain(cpuacct.iter())
                .cloned()
                .collect(),
        }
    }

    /// Removes the runtime's own groups (each must be empty by then).
    pub fn remove_own(&self) {
        for dir in self.own_dirs() {
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    if entry.path().is_dir() {
                        let _ = std::fs::remove_dir(entry.path());
                    }
                }
            }
            let _ = std::fs::remove_dir(&dir);
        }
    }

    /// The container's groups with its limits written.
    pub fn create(
        &self,
        id: &str,
        memory_limit: Option<u64>,
        cpu_limit_millis: Option<u64>,
    ) -> Result<ContainerCgroup, String> {
        let make = |base: &Path| {
            let dir = base.join(id);
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create cgroup {}: {e}", dir.display()))?;
            Ok::<PathBuf, String>(dir)
        };
        let write = |file: PathBuf, value: String| {
            std::fs::write(&file, &value)
                .map_err(|e| format!("cannot write {value} to {}: {e}", file.display()))
        };
        // CFS: the quota per 100 ms period that `millis` of a CPU is.
        let period: u64 = 100_000;
        let quota = cpu_limit_millis.map(|m| (m * period / 1000).max(1000));
        let mut dirs = Vec::new();
        let mut oom_file = None;
        let mut usage_file = None;
        let mut memory_stat = None;
        let mut cpu_usage = None;
        match &self.layout {
            Layout::Unified(base) => {
                let dir = make(base)?;
                if let Some(limit) = memory_limit {
                    write(dir.join("memory.max"), limit.to_string())?;
                    let _ = std::fs::write(dir.join("memory.swap.max"), "0");
                }
                if let Some(quota) = quota
                    && dir.join("cpu.max").exists()
                {
                    write(dir.join("cpu.max"), format!("{quota} {period}"))?;
                }
                oom_file = Some(dir.join("memory.events"));
                usage_file = Some(dir.join("memory.current"));
                memory_stat = Some(dir.join("memory.stat"));
                cpu_usage = Some(CpuUsage::Stat(dir.join("cpu.stat")));
                dirs.push(dir);
            }
            Layout::Split {
                memory,
                cpu,
                cpuacct,
            } => {
                if let Some(base) = memory {
                    let dir = make(base)?;
                    if let Some(limit) = memory_limit {
                        write(dir.join("memory.limit_in_bytes"), limit.to_string())?;
                        let _ = std::fs::write(
                            dir.join("memory.memsw.limit_in_bytes"),
                            limit.to_string(),
                        );
                    }
                    oom_file = Some(dir.join("memory.oom_control"));
                    usage_file = Some(dir.join("memory.usage_in_bytes"));
                    memory_stat = Some(dir.join("memory.stat"));
                    dirs.push(dir);
                }
                if let Some(base) = cpu {
                    let dir = make(base)?;
                    if let Some(quota) = quota {
                        write(dir.join("cpu.cfs_period_us"), period.to_string())?;
                        write(dir.join("cpu.cfs_quota_us"), quota.to_string())?;
                    }
                    if dir.join("cpuacct.usage").exists() {
                        cpu_usage = Some(CpuUsage::Acct(dir.join("cpuacct.usage")));
                    }
                    dirs.push(dir);
                }
                if let Some(base) = cpuacct {
                    let dir = make(base)?;
                    cpu_usage = Some(CpuUsage::Acct(dir.join("cpuacct.usage")));
                    dirs.push(dir);
                }
            }
        }
        Ok(ContainerCgroup {
            dirs,
            oom_file,
            usage_file,
            memory_stat,
            cpu_usage,
        })
    }
}

impl ContainerCgroup {
    /// The `cgroup.procs` files the child joins (by writing 0) before exec.
    pub fn procs_files(&self) -> Vec<CString> {
        self.dirs
            .iter()
            .filter_map(|d| {
                CString::new(d.join("cgroup.procs").into_os_string().into_encoded_bytes()).ok()
            })
            .collect()
    }

    /// The group's memory use in bytes.
    pub fn memory_usage(&self) -> Option<u64> {
        let text = std::fs::read_to_string(self.usage_file.as_ref()?).ok()?;
        text.trim().parse().ok()
    }

    /// The working set: usage less the inactive file cache (what upstream
    /// reports and evicts by).
    pub fn memory_working_set(&self) -> Option<u64> {
        let usage = self.memory_usage()?;
        let stat = std::fs::read_to_string(self.memory_stat.as_ref()?).unwrap_or_default();
        let inactive = stat
            .lines()
            .find_map(|line| {
                // v1 names the hierarchical total, v2 the group's own.
                line.strip_prefix("total_inactive_file ")
                    .or_else(|| line.strip_prefix("inactive_file "))
            })
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
        Some(usage.saturating_sub(inactive))
    }

    /// CPU time used by the group, in nanoseconds.
    pub fn cpu_usage_nanos(&self) -> Option<u64> {
        match self.cpu_usage.as_ref()? {
            CpuUsage::Acct(file) => std::fs::read_to_string(file).ok()?.trim().parse().ok(),
            CpuUsage::Stat(file) => std::fs::read_to_string(file)
                .ok()?
                .lines()
                .find_map(|l| l.strip_prefix("usage_usec "))
                .and_then(|n| n.trim().parse::<u64>().ok())
                .map(|micros| micros.saturating_mul(1000)),
        }
    }

    /// Whether the kernel's OOM killer has killed a process of the group.
    pub fn oom_killed(&self) -> bool {
        let Some(file) = &self.oom_file else {
            return false;
        };
        std::fs::read_to_string(file).is_ok_and(|text| {
            text.lines().any(|line| {
                line.strip_prefix("oom_kill ")
                    .and_then(|n| n.trim().parse::<u64>().ok())
                    .is_some_and(|n| n > 0)
            })
        })
    }

    /// Removes the groups once their processes are gone (retrying briefly:
    /// the kernel frees a group a moment after its last process).
    pub async fn remove(self) {
        for dir in &self.dirs {
            for _ in 0..20 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}
