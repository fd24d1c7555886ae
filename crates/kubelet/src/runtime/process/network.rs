//! Pod networking of the process runtime, with iproute2: a Linux bridge
//! holding the pod CIDR's gateway address, and per sandbox a network
//! namespace (`/run/netns/rudder-<id>`) joined to the bridge by a veth
//! pair, its `eth0` holding the pod's IP with a default route through the
//! gateway — what the bridge, host-local and loopback CNI plugins make.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use crate::runtime::ipam::Ipv4Cidr;

/// The host side of pod networking.
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// The bridge's interface name (at most 15 bytes), `rudder0` by default.
    pub name: String,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            name: "rudder0".to_string(),
        }
    }
}

fn netns_name(sandbox: &str) -> String {
    format!("rudder-{sandbox}")
}

/// The host end of a sandbox's veth pair (interface names hold 15 bytes).
fn host_veth(sandbox: &str) -> String {
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
