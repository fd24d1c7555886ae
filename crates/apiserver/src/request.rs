//! What a request path and method mean: discovery, or a verb on a resource
//! (collection, object or subresource), as upstream's RequestInfo reads them.

use api::{Registry, Resource};
use axum::http::Method;

/// Subresources of a namespace (`/api/v1/namespaces/x/status`), which are
/// not resources inside the namespace.
const NAMESPACE_SUBRESOURCES: &[&str] = &["status", "finalize"];

#[derive(Debug)]
pub enum Target {
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/apis/<group>`
    Group(String),
    /// `/api/v1` or `/apis/<group>/<version>`
    ResourceList { group: String, version: String },
    /// A verb on a resource.
    Resource(ResourceRequest),
}

#[derive(Debug)]
pub struct ResourceRequest {
    pub info: Resource,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
    pub verb: &'static str,
}

pub enum Parsed {
    Target(Target),
    /// Not an API path we serve (404 with upstream's generic message).
    NotFound,
    /// A resource path whose group/version/resource is unknown.
    UnknownResource,
}

/// Reads `/api/...` and `/apis/...` paths.
pub fn parse(registry: &Registry, method: &Method, path: &str, watch: bool) -> Parsed {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api"] => return Parsed::Target(Target::CoreVersions),
        ["apis"] => return Parsed::Target(Target::Groups),
        ["apis", group] => return Parsed::Target(Target::Group(group.to_string())),
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Parsed::NotFound,
    };
    if rest.is_empty() {
        return Parsed::Target(Target::ResourceList {
            group: group.to_string(),
            version: version.to_string(),
        });
    }
    let mut rest: &[&str] = rest;
    let mut namespace = None;
    if rest[0] == "namespaces" && rest.len() > 1 {
        namespace = Some(rest[1].to_string());
        if rest.len() > 2 && !NAMESPACE_SUBRESOURCES.contains(&rest[2]) {
            rest = &rest[2..];
        }
    }
    let plural = rest[0];
    let Some(info) = registry.lookup(group, version, plural) else {
        return Parsed::UnknownResource;
    };
    let name = rest.get(1).map(|s| s.to_string());
    let subresource = rest.get(2).map(|s| s.to_string());
    // A proxy subresource carries the path it proxies after it.
    if rest.len() > 3 && subresource.as_deref() != Some("proxy") {
        return Parsed::NotFound;
    }
    // `/api/v1/namespaces/x` names the namespace x itself.
    let (namespace, name) = if info.group.is_empty() && info.plural == "namespaces" {
        (None, name)
    } else if info.namespaced {
        (namespace, name)
    } else if namespace.is_some() {
        return Parsed::NotFound;
    } else {
        (None, name)
    };
    let verb = match (method.as_str(), name.is_some()) {
        ("GET" | "HEAD", true) if watch => "watch",
        ("GET" | "HEAD", true) => "get",
        ("GET" | "HEAD", false) if watch => "watch",
        ("GET" | "HEAD", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    };
    Parsed::Target(Target::Resource(ResourceRequest {
        info,
        namespace,
        name,
        subresource,
        verb,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(method: Method, path: &str) -> ResourceRequest {
        match parse(&Registry::default(), &method, path, false) {
            Parsed::Target(Target::Resource(r)) => r,
            _ => panic!("{path} is not a resource request"),
        }
    }

    #[test]
    fn paths_read_like_upstream() {
        let r = resource(Method::GET, "/api/v1/namespaces/default/pods/web");
        assert_eq!(
            (
                &*r.info.plural,
                r.namespace.as_deref(),
                r.name.as_deref(),
                r.verb
            ),
            ("pods", Some("default"), Some("web"), "get")
        );
        let r = resource(Method::GET, "/api/v1/namespaces/kube-system");
        assert_eq!(
            (&*r.info.plural, r.namespace, r.name.as_deref()),
            ("namespaces", None, Some("kube-system"))
        );
        let r = resource(Method::PUT, "/api/v1/namespaces/x/finalize");
        assert_eq!(
            (&*r.info.plural, r.name.as_deref(), r.subresource.as_deref()),
            ("namespaces", Some("x"), Some("finalize"))
        );
        let r = resource(Method::GET, "/apis/apps/v1/deployments");
        assert_eq!(
            (&*r.info.plural, r.namespace, r.verb),
            ("deployments", None, "list")
        );
        let r = resource(
            Method::PATCH,
            "/apis/apps/v1/namespaces/d/deployments/x/scale",
        );
        assert_eq!(r.subresource.as_deref(), Some("scale"));
        assert_eq!(
            resource(Method::DELETE, "/api/v1/namespaces/d/configmaps").verb,
            "deletecollection"
        );
        assert!(matches!(
            parse(&Registry::default(), &Method::GET, "/api/v1/bogus", false),
            Parsed::UnknownResource
        ));
        assert!(matches!(
            parse(
                &Registry::default(),
                &Method::GET,
                "/api/v1/namespaces/d/nodes/x",
                false
            ),
            Parsed::NotFound
        ));
    }
}
