//! The Kubernetes API as data: the resource registry, metadata rules,
//! label and field selectors, and Table printing. Everything here is pure
//! (no I/O), shared by the API server and its clients.

pub mod cel;
pub mod cidr;
pub mod conversion;
pub mod cron;
pub mod custom;
pub mod jsonpath;
pub mod meta;
pub mod params;
pub mod quantity;
pub mod quota;
pub mod registry;
pub mod schema;
pub mod selectors;
pub mod table;

pub use registry::{RESOURCES, Registry, Resource, ResourceInfo};

/// The Kubernetes version rudder serves and its components report.
pub const KUBERNETES_MAJOR: &str = "1";
pub const KUBERNETES_MINOR: &str = "33";

/// `v1.33.0+rudder-<version>`: the API server's gitVersion and the
/// kubelet's reported version.
pub fn git_version() -> String {
    format!(
        "v{KUBERNETES_MAJOR}.{KUBERNETES_MINOR}.0+rudder-{}",
        env!("CARGO_PKG_VERSION")
    )
}

/// The platform's architecture as Go names it (`amd64`, `arm64`).
pub fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}
