//! Discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) and
//! `/version`, generated from the resource registry.

use api::registry::{groups, versions};
use api::{Resource, ResourceInfo};
use serde_json::{Value, json};

pub use api::{KUBERNETES_MAJOR, KUBERNETES_MINOR};

pub fn version() -> Value {
    json!({
        "major": KUBERNETES_MAJOR,
        "minor": KUBERNETES_MINOR,
        "gitVersion": api::git_version(),
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, api::go_arch()),
    })
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn infos(rows: &[Resource]) -> impl Iterator<Item = &ResourceInfo> {
    rows.iter().map(|row| &**row)
}

fn group_document(rows: &[Resource], group: &str) -> Value {
    let versions: Vec<Value> = versions(infos(rows), group)
        .into_iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": versions,
        "preferredVersion": versions.first().cloned().unwrap_or(Value::Null),
    })
}

pub fn group_list(rows: &[Resource]) -> Value {
    let groups: Vec<Value> = groups(infos(rows))
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|group| group_document(rows, group))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(rows: &[Resource], name: &str) -> Option<Value> {
    if name.is_empty() || !groups(infos(rows)).contains(&name) {
        return None;
    }
    let mut document = group_document(rows, name);
    document["kind"] = json!("APIGroup");
    document["apiVersion"] = json!("v1");
    Some(document)
}

/// The kind, group and version a subresource's body has.
fn subresource_kind(
    info: &ResourceInfo,
    sub: &str,
) -> (String, &'static str, &'static str, Vec<&'static str>) {
    match sub {
        "scale" => (
            "Scale".into(),
            "autoscaling",
            "v1",
            vec!["get", "patch", "update"],
        ),
        "binding" => ("Binding".into(), "", "v1", vec!["create"]),
        "eviction" => ("Eviction".into(), "policy", "v1", vec!["create"]),
        "finalize" => (info.kind.to_string(), "", "", vec!["update"]),
        "log" => (info.kind.to_string(), "", "", vec!["get"]),
        "exec" => ("PodExecOptions".into(), "", "", vec!["create", "get"]),
        "attach" => ("PodAttachOptions".into(), "", "", vec!["create", "get"]),
        "portforward" => (
            "PodPortForwardOptions".into(),
            "",
            "",
            vec!["create", "get"],
        ),
        "proxy" => (
            format!("{}ProxyOptions", info.kind),
            "",
            "",
            vec!["create", "delete", "get", "patch", "update"],
        ),
        _ => (
            info.kind.to_string(),
            "",
            "",
            vec!["get", "patch", "update"],
        ),
    }
}

pub fn resource_list(rows: &[Resource], group: &str, version: &str) -> Option<Value> {
    let served: Vec<&ResourceInfo> = infos(rows)
        .filter(|r| r.group == group && r.version == version)
        .collect();
    if served.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for info in served {
        let mut entry = json!({
            "name": info.plural,
            "singularName": info.singular,
            "namespaced": info.namespaced,
            "kind": info.kind,
            "verbs": info.verbs,
        });
        if !info.short_names.is_empty() {
            entry["shortNames"] = json!(info.short_names);
        }
        if !info.categories.is_empty() {
            entry["categories"] = json!(info.categories);
        }
        resources.push(entry);
        for sub in info.subresources {
            let (kind, sub_group, sub_version, verbs) = subresource_kind(info, sub);
            let mut entry = json!({
                "name": format!("{}/{sub}", info.plural),
                "singularName": "",
                "namespaced": info.namespaced,
                "kind": kind,
                "verbs": verbs,
            });
            if !sub_group.is_empty() {
                entry["group"] = json!(sub_group);
                entry["version"] = json!(sub_version);
            }
            resources.push(entry);
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

/// The media type of aggregated discovery documents.
pub const AGGREGATED_DISCOVERY: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Whether the client asks for aggregated discovery (v2).
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|t| {
        t.contains("as=APIGroupDiscoveryList")
            && t.contains("v=v2")
            && t.contains("g=apidiscovery.k8s.io")
    })
}

fn response_kind(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "version": version, "kind": kind})
}

/// Aggregated discovery: every resource of the core group (`/api`) or of
/// the named groups (`/apis`) in one document.
pub fn aggregated(rows: &[Resource], core: bool) -> Value {
    let groups: Vec<&str> = groups(infos(rows))
        .into_iter()
        .filter(|g| g.is_empty() == core)
        .collect();
    let items: Vec<Value> = groups
        .into_iter()
        .map(|group| {
            let versions: Vec<Value> = versions(infos(rows), group)
                .into_iter()
                .map(|version| {
                    let resources: Vec<Value> = infos(rows)
                        .filter(|r| r.group == group && r.version == version)
                        .map(|info| {
                            let mut entry = json!({
                                "resource": info.plural,
                                "responseKind": response_kind(&info.group, &info.version, &info.kind),
                                "scope": if info.namespaced { "Namespaced" } else { "Cluster" },
                                "singularResource": info.singular,
                                "verbs": info.verbs,
                            });
                            if !info.short_names.is_empty() {
                                entry["shortNames"] = json!(info.short_names);
                            }
                            if !info.categories.is_empty() {
                                entry["categories"] = json!(info.categories);
                            }
                            let subresources: Vec<Value> = info
                                .subresources
                                .iter()
                                .map(|sub| {
                                    let (kind, sub_group, sub_version, verbs) = subresource_kind(info, sub);
                                    let (g, v) = if sub_group.is_empty() && sub_version.is_empty() {
                                        (&*info.group, &*info.version)
                                    } else {
                                        (sub_group, sub_version)
                                    };
                                    json!({"subresource": sub, "responseKind": response_kind(g, v, &kind), "verbs": verbs})
                                })
                                .collect();
                            if !subresources.is_empty() {
                                entry["subresources"] = json!(subresources);
                            }
                            entry
                        })
                        .collect();
                    json!({"version": version, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let mut metadata = json!({"creationTimestamp": null});
            if !group.is_empty() {
                metadata["name"] = json!(group);
            }
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}
