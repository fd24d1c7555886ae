//! The API's resources as discovery lists them, for the controllers that
//! work across every kind (the garbage collector, the namespace
//! controller).

use kube::core::discovery::{ApiCapabilities, ApiResource, Scope};

/// One resource (no subresources) and what it supports.
#[derive(Clone, Debug)]
pub struct Served {
    pub resource: ApiResource,
    pub namespaced: bool,
    pub verbs: Vec<String>,
}

impl Served {
    pub fn supports(&self, verbs: &[&str]) -> bool {
        verbs.iter().all(|v| self.verbs.iter().any(|s| s == v))
    }
}

/// Every resource at its group's preferred version.
pub async fn resources(client: &kube::Client) -> Result<Vec<Served>, kube::Error> {
    let discovery = kube::Discovery::new(client.clone())
        .run_aggregated()
        .await?;
    let mut served = Vec::new();
    for group in discovery.groups() {
        for (resource, capabilities) in group.recommended_resources() {
            served.push(to_served(resource, &capabilities));
        }
    }
    Ok(served)
}

fn to_served(resource: ApiResource, capabilities: &ApiCapabilities) -> Served {
    Served {
        resource,
        namespaced: capabilities.scope == Scope::Namespaced,
        verbs: capabilities.operations.clone(),
    }
}
