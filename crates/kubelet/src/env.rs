//! A container's environment and command line as the kubelet makes them:
//! envFrom first, then env in order, each value able to name earlier
//! variables as `$(NAME)` (`$$` escapes); values from ConfigMaps, Secrets,
//! the pod's own fields and its containers' resources.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Container, Pod, Secret, Service};
use kube::Api;

/// Why a container's configuration cannot be made (its status says
/// CreateContainerConfigError with this message).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// ConfigMaps and Secrets read once per container start.
pub struct Sources<'a> {
    pub client: &'a kube::Client,
    pub namespace: &'a str,
    config_maps: BTreeMap<String, Option<ConfigMap>>,
    secrets: BTreeMap<String, Option<Secret>>,
}

impl<'a> Sources<'a> {
    pub fn new(client: &'a kube::Client, namespace: &'a str) -> Sources<'a> {
        Sources {
            client,
            namespace,
            config_maps: BTreeMap::new(),
            secrets: BTreeMap::new(),
        }
    }

    async fn config_map(&mut self, name: &str) -> Result<Option<&ConfigMap>, ConfigError> {
        if !self.config_maps.contains_key(name) {
            let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), self.namespace);
            let found = api
                .get_opt(name)
                .await
                .map_err(|e| ConfigError(format!("cannot read configmap {name:?}: {e}")))?;
            self.config_maps.insert(name.to_string(), found);
        }
        Ok(self.config_maps.get(name).and_then(Option::as_ref))
    }

    async fn secret(&mut self, name: &str) -> Result<Option<&Secret>, ConfigError> {
        if !self.secrets.contains_key(name) {
            let api: Api<Secret> = Api::namespaced(self.client.clone(), self.namespace);
            let found = api
                .get_opt(name)
                .await
                .map_err(|e| ConfigError(format!("cannot read secret {name:?}: {e}")))?;
            self.secrets.insert(name.to_string(), found);
        }
        Ok(self.secrets.get(name).and_then(Option::as_ref))
    }
}

fn config_map_data(map: &ConfigMap) -> BTreeMap<String, String> {
    let mut data = map.data.clone().unwrap_or_default();
    for (key, value) in map.binary_data.clone().unwrap_or_default() {
        data.insert(key, String::from_utf8_lossy(&value.0).into_owned());
    }
    data
}

fn secret_data(secret: &Secret) -> BTreeMap<String, String> {
    let mut data: BTreeMap<String, String> = secret
        .data
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
        .collect();
    data.extend(secret.string_data.clone().unwrap_or_default());
    data
}

/// Expands `$(NAME)` from `vars`; unknown references stay as written and
/// `$$` is a literal `$`, as upstream's expansion does.
pub fn expand(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(end) = inner.find(')')
        {
            let name = &inner[..end];
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => {
                    out.push_str("$(");
                    out.push_str(name);
                    out.push(')');
                }
            }
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A pod field a fieldRef names (`metadata.labels['app']`, `status.podIP`).
pub fn pod_field(pod: &Pod, path: &str, pod_ip: &str, host_ip: &str) -> Option<String> {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let subscript = |prefix: &str| {
        path.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix("['"))
            .and_then(|r| r.strip_suffix("']"))
            .map(str::to_string)
    };
    if let Some(key) = subscript("metadata.labels") {
        return Some(meta.labels.as_ref()?.get(&key)?.clone());
    }
    if let Some(key) = subscript("metadata.annotations") {
        return Some(meta.annotations.as_ref()?.get(&key)?.clone());
    }
    let join = |map: &Option<BTreeMap<String, String>>| {
        map.as_ref()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}=\"{v}\""))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    Some(match path {
        "metadata.name" => meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
        "metadata.uid" => meta.uid.clone().unwrap_or_default(),
        "metadata.labels" => join(&meta.labels),
        "metadata.annotations" => join(&meta.annotations),
        "spec.nodeName" => spec?.node_name.clone().unwrap_or_default(),
        "spec.serviceAccountName" => spec?
            .service_account_name
            .clone()
            .unwrap_or_else(|| "default".into()),
        "status.podIP" | "status.podIPs" => pod_ip.to_string(),
        "status.hostIP" | "status.hostIPs" => host_ip.to_string(),
        _ => return None,
    })
}

/// A resourceFieldRef's value: the container's limit or request in units
/// of the divisor, rounded up (a missing CPU or memory limit is the
/// node's allocatable).
pub fn resource_field(
    container: &Container,
    resource: &str,
    divisor: Option<&str>,
    allocatable: &BTreeMap<String, String>,
) -> Option<String> {
    let (kind, name) = resource.split_once('.')?;
    let resources = container.resources.as_ref();
    let pick = |map: Option<
        &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    >| { map.and_then(|m| m.get(name)).map(|q| q.0.clone()) };
    let raw = match kind {
        "limits" => pick(resources.and_then(|r| r.limits.as_ref()))
            .or_else(|| allocatable.get(name).cloned()),
        "requests" => pick(resources.and_then(|r| r.requests.as_ref())).or_else(|| {
            if name == "cpu" || name == "memory" {
                Some("0".into())
            } else {
                None
            }
        }),
        _ => None,
    }?;
    let value = api::quantity::value(&raw)?;
    let divisor = divisor
        .and_then(api::quantity::value)
        .filter(|d| *d > 0.0)
        .unwrap_or(1.0);
    Some(format!("{}", (value / divisor).ceil() as i64))
}

/// The variables that tell a container where Services are: the
/// `kubernetes` Service of the default namespace always, and with
/// `enableServiceLinks` every Service of the pod's namespace that has a
/// cluster IP (`<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT[_<PORT>]` and
/// Docker's link variables), as the kubelet makes them.
pub fn service_env(
    services: &[std::sync::Arc<Service>],
    namespace: &str,
    enable_service_links: bool,
) -> BTreeMap<String, String> {
    let mut chosen: BTreeMap<String, &Service> = BTreeMap::new();
    for service in services {
        let name = service.metadata.name.clone().unwrap_or_default();
        let cluster_ip = service
            .spec
            .as_ref()
            .and_then(|s| s.cluster_ip.as_deref())
            .unwrap_or_default();
        if cluster_ip.is_empty() || cluster_ip == "None" {
            continue;
        }
        let service_namespace = service.metadata.namespace.as_deref().unwrap_or_default();
        if service_namespace == "default" && name == "kubernetes" {
            chosen.insert(name, service);
        } else if service_namespace == namespace && enable_service_links {
            chosen.entry(name).or_insert(service);
        }
    }
    let mut vars = BTreeMap::new();
    for (name, service) in chosen {
        let Some(spec) = service.spec.as_ref() else {
            continue;
        };
        let ip = spec.cluster_ip.clone().unwrap_or_default();
        let ports = spec.ports.as_deref().unwrap_or_default();
        let Some(first) = ports.first() else {
            continue;
        };
        let prefix = name.replace('-', "_").to_uppercase();
        vars.insert(format!("{prefix}_SERVICE_HOST"), ip.clone());
        vars.insert(format!("{prefix}_SERVICE_PORT"), first.port.to_string());
        for port in ports {
            if let Some(port_name) = port.name.as_deref().filter(|n| !n.is_empty()) {
                vars.insert(
                    format!(
                        "{prefix}_SERVICE_PORT_{}",
                        port_name.replace('-', "_").to_uppercase()
                    ),
                    port.port.to_string(),
                );
            }
        }
        let host = if ip.contains(':') {
            format!("[{ip}]")
        } else {
            ip.clone()
        };
        for (index, port) in ports.iter().enumerate() {
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            let lower = protocol.to_lowercase();
            let url = format!("{lower}://{host}:{}", port.port);
            if index == 0 {
                vars.insert(format!("{prefix}_PORT"), url.clone());
            }
            let port_prefix = format!("{prefix}_PORT_{}_{}", port.port, protocol.to_uppercase());
            vars.insert(format!("{port_prefix}_PROTO"), lower);
            vars.insert(format!("{port_prefix}_PORT"), port.port.to_string());
            vars.insert(format!("{port_prefix}_ADDR"), ip.clone());
            vars.insert(port_prefix, url);
        }
    }
    vars
}

/// The container's environment, in the order the kubelet builds it; the
/// service variables come last, where the container does not set them
/// itself, and its values may name them.
pub async fn container_env(
    sources: &mut Sources<'_>,
    pod: &Pod,
    container: &Container,
    pod_ip: &str,
    host_ip: &str,
    allocatable: &BTreeMap<String, String>,
    service_vars: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut set = |vars: &mut BTreeMap<String, String>, name: String, value: String| {
        if !vars.contains_key(&name) {
            order.push(name.clone());
        }
        vars.insert(name, value);
    };
    for from in container.env_from.iter().flatten() {
        let prefix = from.prefix.clone().unwrap_or_default();
        if let Some(source) = &from.config_map_ref {
            match sources.config_map(&source.name).await? {
                Some(map) => {
                    for (k, v) in config_map_data(map) {
                        set(&mut vars, format!("{prefix}{k}"), v);
                    }
                }
                None if source.optional == Some(true) => {}
                None => {
                    return Err(ConfigError(format!(
                        "configmap {:?} not found",
                        source.name
                    )));
                }
            }
        }
        if let Some(source) = &from.secret_ref {
            match sources.secret(&source.name).await? {
                Some(secret) => {
                    for (k, v) in secret_data(secret) {
                        set(&mut vars, format!("{prefix}{k}"), v);
                    }
                }
                None if source.optional == Some(true) => {}
                None => return Err(ConfigError(format!("secret {:?} not found", source.name))),
            }
        }
    }
    for var in container.env.iter().flatten() {
        let value = if let Some(from) = &var.value_from {
            if let Some(key) = &from.config_map_key_ref {
                let optional = key.optional == Some(true);
                match sources.config_map(&key.name).await? {
                    Some(map) => match config_map_data(map).get(&key.key) {
                        Some(v) => v.clone(),
                        None if optional => continue,
                        None => {
                            return Err(ConfigError(format!(
                                "couldn't find key {} in ConfigMap {}/{}",
                                key.key, sources.namespace, key.name
                            )));
                        }
                    },
                    None if optional => continue,
                    None => return Err(ConfigError(format!("configmap {:?} not found", key.name))),
                }
            } else if let Some(key) = &from.secret_key_ref {
                let optional = key.optional == Some(true);
                match sources.secret(&key.name).await? {
                    Some(secret) => match secret_data(secret).get(&key.key) {
                        Some(v) => v.clone(),
                        None if optional => continue,
                        None => {
                            return Err(ConfigError(format!(
                                "couldn't find key {} in Secret {}/{}",
                                key.key, sources.namespace, key.name
                            )));
                        }
                    },
                    None if optional => continue,
                    None => return Err(ConfigError(format!("secret {:?} not found", key.name))),
                }
            } else if let Some(field) = &from.field_ref {
                pod_field(pod, &field.field_path, pod_ip, host_ip).unwrap_or_default()
            } else if let Some(field) = &from.resource_field_ref {
                let target = match &field.container_name {
                    Some(name) if !name.is_empty() => pod
                        .spec
                        .as_ref()
                        .and_then(|s| s.containers.iter().find(|c| &c.name == name))
                        .unwrap_or(container),
                    _ => container,
                };
                resource_field(
                    target,
                    &field.resource,
                    field.divisor.as_ref().map(|d| d.0.as_str()),
                    allocatable,
                )
                .unwrap_or_default()
            } else {
                String::new()
            }
        } else {
            let text = var.value.as_deref().unwrap_or_default();
            if text.contains("$(") && !service_vars.is_empty() {
                let mut scope = service_vars.clone();
                scope.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
                expand(text, &scope)
            } else {
                expand(text, &vars)
            }
        };
        set(&mut vars, var.name.clone(), value);
    }
    let mut env: Vec<(String, String)> = order
        .into_iter()
        .map(|name| {
            let value = vars.get(&name).cloned().unwrap_or_default();
            (name, value)
        })
        .collect();
    for (name, value) in service_vars {
        if !vars.contains_key(name) {
            env.push((name.clone(), value.clone()));
        }
    }
    Ok(env)
}

/// The command line: the container's command (else the image's own name,
/// as a command of the node) and args, `$(VAR)`s expanded.
pub fn argv(container: &Container, env: &[(String, String)]) -> Vec<String> {
    let vars: BTreeMap<String, String> = env.iter().cloned().collect();
    let mut argv: Vec<String> = match &container.command {
        Some(command) if !command.is_empty() => command.iter().map(|c| expand(c, &vars)).collect(),
        _ => image_command(container.image.as_deref().unwrap_or_default())
            .into_iter()
            .collect(),
    };
    argv.extend(container.args.iter().flatten().map(|a| expand(a, &vars)));
    argv
}

/// `docker.io/library/busybox:1.36` → `busybox`.
fn image_command(image: &str) -> Option<String> {
    let last = image.rsplit('/').next()?;
    let name = last.split(['@', ':']).next()?;
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(
        namespace: &str,
        name: &str,
        ip: &str,
        ports: serde_json::Value,
    ) -> std::sync::Arc<Service> {
        std::sync::Arc::new(
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"clusterIP": ip, "ports": ports},
            }))
            .unwrap_or_default(),
        )
    }

    #[test]
    fn services_make_upstreams_variables() {
        let services = vec![
            service(
                "default",
                "kubernetes",
                "10.96.0.1",
                serde_json::json!([{"name": "https", "port": 443}]),
            ),
            service(
                "shop",
                "web-front",
                "10.96.0.20",
                serde_json::json!([
                    {"port": 80},
                    {"name": "dns-udp", "port": 53, "protocol": "UDP"},
                ]),
            ),
            service(
                "shop",
                "headless",
                "None",
                serde_json::json!([{"port": 80}]),
            ),
            service(
                "other",
                "elsewhere",
                "10.96.0.30",
                serde_json::json!([{"port": 80}]),
            ),
        ];
        let vars = service_env(&services, "shop", true);
        assert_eq!(vars["KUBERNETES_SERVICE_HOST"], "10.96.0.1");
        assert_eq!(vars["KUBERNETES_SERVICE_PORT"], "443");
        assert_eq!(vars["KUBERNETES_SERVICE_PORT_HTTPS"], "443");
        assert_eq!(vars["KUBERNETES_PORT"], "tcp://10.96.0.1:443");
        assert_eq!(vars["KUBERNETES_PORT_443_TCP_ADDR"], "10.96.0.1");
        assert_eq!(vars["WEB_FRONT_SERVICE_HOST"], "10.96.0.20");
        assert_eq!(vars["WEB_FRONT_SERVICE_PORT_DNS_UDP"], "53");
        assert_eq!(vars["WEB_FRONT_PORT_53_UDP"], "udp://10.96.0.20:53");
        assert_eq!(vars["WEB_FRONT_PORT_53_UDP_PROTO"], "udp");
        assert!(
            !vars
                .keys()
                .any(|k| k.starts_with("HEADLESS") || k.starts_with("ELSEWHERE"))
        );
        // Without service links only the API server's variables remain.
        let vars = service_env(&services, "shop", false);
        assert!(
            vars.keys().all(|k| k.starts_with("KUBERNETES_")),
            "{vars:?}"
        );
        assert_eq!(vars.len(), 8);
    }

    #[test]
    fn references_expand_as_upstream() {
        let vars: BTreeMap<String, String> =
            [("A".to_string(), "x".to_string())].into_iter().collect();
        assert_eq!(expand("$(A)-$(B)-$$(A)-$", &vars), "x-$(B)-$(A)-$");
        assert_eq!(expand("$(A", &vars), "$(A");
    }

    #[test]
    fn images_name_their_command() {
        assert_eq!(
            image_command("docker.io/library/busybox:1.36").as_deref(),
            Some("busybox")
        );
        assert_eq!(image_command("nginx@sha256:abc").as_deref(), Some("nginx"));
    }
}
