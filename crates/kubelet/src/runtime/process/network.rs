//! Pod networking of the process runtime, with iproute2: a Linux bridge
//! holding the pod CIDR's gateway address, and per sandbox a network
//! namespace (`/run/netns/rudder-<id>`) joined to the bridge by a veth
//! pair, its `eth0` holding the pod's IP with a default route through the
//! gateway — what the bridge, host-local and loopback CNI plugins make.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::host::{BridgeClaim, HostDir};
use crate::runtime::ipam::Ipv4Cidr;

/// The host side of pod networking.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// The bridge's interface name (at most 15 bytes), `rudder0` by default.
    pub name: String,
    /// The directory the kubelets of this machine share (`host`).
    pub host_dir: HostDir,
    /// The data directory other kubelets are told holds the bridge (the
    /// kubelet's root directory unless set).
    pub data_dir: Option<PathBuf>,
    /// The bridge, taken already by whoever starts the kubelet (so that a
    /// refusal ends the start); otherwise the kubelet takes it.
    pub claim: Option<Arc<BridgeClaim>>,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            name: "rudder0".to_string(),
            host_dir: HostDir::default(),
            data_dir: None,
            claim: None,
        }
    }
}

impl BridgeConfig {
    /// Takes the bridge for the kubelet rooted at `root_dir` (blocking: a
    /// kubelet that is ending is waited for a few seconds).
    pub fn take(&self, root_dir: &Path) -> Result<BridgeClaim, String> {
        BridgeClaim::take(
            &self.host_dir,
            &self.name,
            self.data_dir.as_deref().unwrap_or(root_dir),
            &runtime_state_dir(root_dir),
        )
    }
}

/// Where the process runtime of the kubelet rooted at `root_dir` keeps its
/// records.
pub fn runtime_state_dir(root_dir: &Path) -> PathBuf {
    root_dir.join("runtime")
}

pub(super) fn netns_name(sandbox: &str) -> String {
    format!("rudder-{sandbox}")
}

/// The host end of a sandbox's veth pair (interface names hold 15 bytes).
pub(super) fn host_veth(sandbox: &str) -> String {
    format!("veth{}", &sandbox[..sandbox.len().min(11)])
}

fn ip_sync(args: &[&str]) -> Result<String, String> {
    let output = std::process::Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run ip (iproute2): {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

async fn ip(args: &[&str]) -> Result<(), String> {
    let output = tokio::process::Command::new("ip")
        .args(args)
        .output()
        .await
        .map_err(|e| format!("cannot run ip (iproute2): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Makes the bridge exist, up, holding the CIDR's gateway address.
pub fn ensure_bridge(name: &str, cidr: Ipv4Cidr) -> Result<(), String> {
    if ip_sync(&["link", "show", "dev", name]).is_err() {
        ip_sync(&["link", "add", "name", name, "type", "bridge"])?;
    }
    let gateway = format!("{}/{}", cidr.gateway(), cidr.prefix);
    ip_sync(&["addr", "replace", &gateway, "dev", name])?;
    ip_sync(&["link", "set", "dev", name, "up"])?;
    Ok(())
}

/// A sandbox's namespace on the bridge with `address`; returns the
/// namespace file to join.
pub async fn add_pod(
    bridge: &str,
    sandbox: &str,
    address: Ipv4Addr,
    cidr: Ipv4Cidr,
) -> Result<PathBuf, String> {
    let netns = netns_name(sandbox);
    let veth = host_veth(sandbox);
    let result = async {
        ip(&["netns", "add", &netns]).await?;
        ip(&[
            "link", "add", "name", &veth, "type", "veth", "peer", "name", "eth0", "netns", &netns,
        ])
        .await?;
        ip(&["link", "set", "dev", &veth, "master", bridge, "up"]).await?;
        ip(&["-n", &netns, "link", "set", "dev", "lo", "up"]).await?;
        let pod_address = format!("{address}/{}", cidr.prefix);
        ip(&["-n", &netns, "addr", "add", &pod_address, "dev", "eth0"]).await?;
        ip(&["-n", &netns, "link", "set", "dev", "eth0", "up"]).await?;
        let gateway = cidr.gateway().to_string();
        ip(&["-n", &netns, "route", "add", "default", "via", &gateway]).await?;
        Ok::<(), String>(())
    }
    .await;
    match result {
        Ok(()) => Ok(PathBuf::from("/run/netns").join(netns)),
        Err(err) => {
            remove_pod(sandbox).await;
            Err(err)
        }
    }
}

/// Removes a sandbox's namespace (its veth pair goes with it).
pub async fn remove_pod(sandbox: &str) {
    let _ = ip(&["link", "del", "dev", &host_veth(sandbox)]).await;
    let _ = ip(&["netns", "del", &netns_name(sandbox)]).await;
}

/// [`remove_pod`], blocking (for teardown outside the async runtime).
pub fn remove_pod_now(sandbox: &str) {
    let _ = ip_sync(&["link", "del", "dev", &host_veth(sandbox)]);
    let _ = ip_sync(&["netns", "del", &netns_name(sandbox)]);
}

/// The interfaces attached to `bridge` (none when it does not exist).
pub fn bridge_ports(bridge: &str) -> Vec<String> {
    let Ok(out) = ip_sync(&["-o", "link", "show", "master", bridge]) else {
        return Vec::new();
    };
    // `7: vethab12@if2: <BROADCAST,...> ...`
    out.lines()
        .filter_map(|line| {
            let name = line.split(':').nth(1)?.trim();
            Some(name.split('@').next().unwrap_or(name).to_string())
        })
        .collect()
}

/// The network namespaces named as rudder's sandboxes (`rudder-<id>`).
pub fn sandbox_namespaces() -> Vec<String> {
    let Ok(out) = ip_sync(&["netns", "list"]) else {
        return Vec::new();
    };
    out.lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter_map(|name| name.strip_prefix("rudder-"))
        .map(str::to_string)
        .collect()
}

/// Removes a network interface (a veth takes its peer with it).
pub fn remove_link(name: &str) -> Result<(), String> {
    ip_sync(&["link", "del", "dev", name]).map(|_| ())
}

/// Removes a sandbox's namespace, named by its id.
pub fn remove_namespace(sandbox: &str) -> Result<(), String> {
    ip_sync(&["netns", "del", &netns_name(sandbox)]).map(|_| ())
}

/// Whether anything on `bridge`'s link answers for `address`: an ARP probe
/// (sender address 0.0.0.0, as duplicate address detection sends it) and
/// `wait` for a reply. A pod of another data directory, or of a rudder
/// that recorded its addresses nowhere, answers for the address it holds.
pub fn address_answers(bridge: &str, address: Ipv4Addr, wait: Duration) -> std::io::Result<bool> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let name = std::ffi::CString::new(bridge)
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: if_nametoindex(3) reads a NUL-terminated name.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if index == 0 {
        return Err(std::io::Error::last_os_error());
    }
    let mac = own_mac(bridge)?;
    let protocol = (libc::ETH_P_ARP as u16).to_be();
    // SAFETY: socket(2); the descriptor is owned at once.
    let fd = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            i32::from(protocol),
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a descriptor socket(2) just returned, owned by nobody else.
    let socket = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: sockaddr_ll is plain data; zeroes are a valid start.
    let mut link: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    link.sll_family = libc::AF_PACKET as u16;
    link.sll_protocol = protocol;
    link.sll_ifindex = index as i32;
    let length = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    // SAFETY: bind(2) with a sockaddr_ll of the given length.
    if unsafe { libc::bind(socket.as_raw_fd(), (&raw const link).cast(), length) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // ARP over Ethernet for IPv4: a request from `mac` and 0.0.0.0.
    let mut probe = Vec::with_capacity(28);
    probe.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
    probe.extend_from_slice(&mac);
    probe.extend_from_slice(&[0; 4]);
    probe.extend_from_slice(&[0; 6]);
    probe.extend_from_slice(&address.octets());
    let mut to = link;
    to.sll_halen = 6;
    to.sll_addr[..6].copy_from_slice(&[0xff; 6]);
    // SAFETY: sendto(2) of a buffer we own to a sockaddr_ll of the given length.
    let sent = unsafe {
        libc::sendto(
            socket.as_raw_fd(),
            probe.as_ptr().cast(),
            probe.len(),
            0,
            (&raw const to).cast(),
            length,
        )
    };
    if sent < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let deadline = std::time::Instant::now() + wait;
    let mut reply = [0u8; 64];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        let mut poll = libc::pollfd {
            fd: socket.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: poll(2) on one pollfd we own.
        let ready = unsafe { libc::poll(&raw mut poll, 1, left.as_millis().max(1) as i32) };
        if ready < 0 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if ready == 0 {
            return Ok(false);
        }
        // SAFETY: recv(2) into a buffer we own, of its length.
        let read = unsafe {
            libc::recv(
                socket.as_raw_fd(),
                reply.as_mut_ptr().cast(),
                reply.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if read < 28 {
            continue;
        }
        // A reply (operation 2) whose sender address is the one probed.
        if reply[6..8] == [0, 2] && reply[14..18] == address.octets() {
            return Ok(true);
        }
    }
}

fn own_mac(interface: &str) -> std::io::Result<[u8; 6]> {
    let text = std::fs::read_to_string(format!("/sys/class/net/{interface}/address"))?;
    let mut mac = [0u8; 6];
    let mut parts = text.trim().split(':');
    for byte in &mut mac {
        *byte = parts
            .next()
            .and_then(|p| u8::from_str_radix(p, 16).ok())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
    }
    Ok(mac)
}
