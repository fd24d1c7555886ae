//! `--encryption-provider-config`: which resources are encrypted at rest
//! and how. The file is upstream's EncryptionConfiguration (YAML or JSON);
//! its resource names (`secrets`, `deployments.apps`, `*.apps`, `*.`,
//! `*.*`) become the storage key prefixes the store encrypts under.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use store::encryption::Transformer;

/// The key prefixes to encrypt under and how, in the file's order.
pub fn load(path: &Path) -> Result<Vec<(String, Arc<Transformer>)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let config: Value = serde_norway::from_str(&text)
        .map_err(|e| format!("{}: not an EncryptionConfiguration: {e}", path.display()))?;
    let parsed = store::encryption::parse_configuration(&config)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rules = Vec::new();
    for (resources, transformer) in parsed {
        for resource in resources {
            for prefix in prefixes(&resource)? {
                // A resource named twice keeps its first providers, as upstream.
                if !rules.iter().any(|(p, _): &(String, _)| *p == prefix) {
                    rules.push((prefix, transformer.clone()));
                }
            }
        }
    }
    Ok(rules)
}

/// The storage prefixes a resource name of the configuration covers.
fn prefixes(resource: &str) -> Result<Vec<String>, String> {
    if resource != resource.to_lowercase() {
        return Err(format!("resource {resource:?} must be lower case"));
    }
    if resource == "*.*" {
        return Ok(vec!["/registry/".to_string()]);
    }
    let (plural, group) = resource.split_once('.').unwrap_or((resource, ""));
    let stored = api::registry::RESOURCES
        .iter()
        .filter(|info| info.stored && info.stored_as.is_none() && info.group == group);
    let mut found: Vec<String> = Vec::new();
    for info in stored {
        if (plural == "*" || info.plural == plural) && !found.contains(&info.storage_prefix()) {
            found.push(info.storage_prefix());
        }
    }
    if found.is_empty() && plural != "*" {
        // Not served (yet): where upstream would keep it.
        found.push(if group.is_empty() {
            format!("/registry/{plural}/")
        } else {
            format!("/registry/{group}/{plural}/")
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_become_storage_prefixes() {
        assert_eq!(prefixes("secrets").unwrap(), vec!["/registry/secrets/"]);
        assert_eq!(
            prefixes("configmaps").unwrap(),
            vec!["/registry/configmaps/"]
        );
        assert!(
            prefixes("*.apps")
                .unwrap()
                .contains(&"/registry/deployments/".to_string())
        );
        assert!(
            !prefixes("*.")
                .unwrap()
                .contains(&"/registry/deployments/".to_string())
        );
        assert_eq!(prefixes("*.*").unwrap(), vec!["/registry/"]);
        assert_eq!(
            prefixes("widgets.example.com").unwrap(),
            vec!["/registry/example.com/widgets/"]
        );
        assert!(prefixes("Secrets").is_err());
    }
}
