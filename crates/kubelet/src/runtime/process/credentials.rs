//! Who a container's processes run as and what they may do, applied
//! between fork and exec (by the reaper for a container's command, by the
//! forked child for a command run in a container): the capability
//! bounding set first (dropping needs CAP_SETPCAP, which a change of user
//! takes away), then the groups, group and user, then no_new_privs.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::runtime::ContainerConfig;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// (uid, gid).
    pub user: Option<(u32, u32)>,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// The bounding set (bit n: capability n); None: left as it is.
    pub capabilities: Option<u64>,
    pub no_new_privileges: bool,
}

/// `_LINUX_CAPABILITY_VERSION_3`: two 32-bit words per set.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

impl Credentials {
    pub fn of(config: &ContainerConfig) -> Credentials {
        Credentials {
            user: config
                .run_as_user
                .map(|uid| (uid, config.run_as_group.unwrap_or(uid))),
            groups: config.supplemental_groups.clone(),
            capabilities: config.capabilities,
            no_new_privileges: config.no_new_privileges,
        }
    }

    /// As the reaper's arguments.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some((uid, gid)) = self.user {
            args.push(format!("user={uid}:{gid}"));
        }
        if !self.groups.is_empty() {
            let groups: Vec<String> = self.groups.iter().map(u32::to_string).collect();
            args.push(format!("groups={}", groups.join(",")));
        }
        if let Some(mask) = self.capabilities {
            args.push(format!("caps={mask}"));
        }
        if self.no_new_privileges {
            args.push("nnp=1".into());
        }
        args
    }

    /// Takes one reaper argument (`key=value`); false if it is not one of
    /// these.
    pub fn parse_arg(&mut self, key: &[u8], value: &[u8]) -> bool {
        let text = OsStr::from_bytes(value).to_str().unwrap_or_default();
        match key {
            b"user" => {
                self.user = text
                    .split_once(':')
                    .and_then(|(uid, gid)| Some((uid.parse().ok()?, gid.parse().ok()?)));
            }
            b"groups" => {
                self.groups = text.split(',').filter_map(|g| g.parse().ok()).collect();
            }
            b"caps" => self.capabilities = text.parse().ok(),
            b"nnp" => self.no_new_privileges = text == "1",
            _ => return false,
        }
        true
    }

    /// Applies them to this process; on failure, the step that failed.
    ///
    /// # Safety
    /// Only between fork and exec: it changes this process's identity and
    /// makes nothing but syscalls.
    pub unsafe fn apply(&self) -> Result<(), &'static str> {
        // SAFETY: prctl(2), capget(2), capset(2), setgroups(2), setgid(2)
        // and setuid(2) on this process, with buffers it holds.
        unsafe {
            if let Some(mask) = self.capabilities {
                for capability in 0..64u64 {
                    if mask & (1 << capability) != 0 {
                        continue;
                    }
                    if libc::prctl(libc::PR_CAPBSET_DROP, capability as libc::c_ulong, 0, 0, 0) != 0
                    {
                        // Past the kernel's last capability.
                        if *libc::__errno_location() == libc::EINVAL {
                            break;
                        }
                        return Err("capability bounding set");
                    }
                }
                libc::prctl(
                    libc::PR_CAP_AMBIENT,
                    libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
                    0,
                    0,
                    0,
                );
                // Nothing outside the set is inherited across exec either.
                let mut header = CapHeader {
                    version: CAPABILITY_VERSION_3,
                    pid: 0,
                };
                let mut data = [CapData::default(); 2];
                if libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) == 0 {
                    data[0].inheritable &= mask as u32;
                    data[1].inheritable &= (mask >> 32) as u32;
                    if libc::syscall(libc::SYS_capset, &header, data.as_ptr()) != 0 {
                        return Err("inheritable capabilities");
                    }
                }
            }
            if self.user.is_some() || !self.groups.is_empty() {
                let groups: &[u32] = &self.groups;
                if libc::setgroups(groups.len(), groups.as_ptr()) != 0 {
                    return Err("supplementary groups");
                }
            }
            if let Some((uid, gid)) = self.user {
                if libc::setgid(gid) != 0 {
                    return Err("group");
                }
                if libc::setuid(uid) != 0 {
                    return Err("user");
                }
            }
            if self.no_new_privileges && libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err("no_new_privs");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_travel_as_reaper_arguments() {
        let credentials = Credentials {
            user: Some((1000, 3000)),
            groups: vec![2000, 4000],
            capabilities: Some(1 << 10),
            no_new_privileges: true,
        };
        let mut parsed = Credentials::default();
        for arg in credentials.to_args() {
            let (key, value) = arg.split_once('=').unwrap();
            assert!(parsed.parse_arg(key.as_bytes(), value.as_bytes()));
        }
        assert_eq!(parsed, credentials);
        assert!(!parsed.parse_arg(b"dir", b"/"));
    }
}
