//! A container's environment and command line as the kubelet makes them:
//! envFrom first, then env in order, each value able to name earlier
//! variables as `$(NAME)` (`$$` escapes); values from ConfigMaps, Secrets,
//! the pod's own fields and its containers' resources.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Container, Pod, Secret};
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

/// The container's environment, in the order the kubelet builds it.
pub async fn container_env(
    sources: &mut Sources<'_>,
    pod: &Pod,
    container: &Container,
    pod_ip: &str,
    host_ip: &str,
    allocatable: &BTreeMap<String, String>,
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
            expand(var.value.as_deref().unwrap_or_default(), &vars)
        };
        set(&mut vars, var.name.clone(), value);
    }
    Ok(order
        .into_iter()
        .map(|name| {
            let value = vars.get(&name).cloned().unwrap_or_default();
            (name, value)
        })
        .collect())
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
