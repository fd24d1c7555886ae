//! Authentication (x509 client certificates and a static token file) and
//! the authorizer interface.

use std::collections::HashMap;
use std::path::Path;

use rustls::pki_types::CertificateDer;

/// An authenticated user, as the authorizer and admission see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    /// What the authenticator knows besides (for service account tokens:
    /// the credential's id and the pod it is bound to).
    pub extra: std::collections::BTreeMap<String, Vec<String>>,
}

impl User {
    fn with_authenticated(mut self) -> User {
        if !self.groups.iter().any(|g| g == "system:authenticated") {
            self.groups.push("system:authenticated".to_string());
        }
        self
    }
}

/// The user named by a verified client certificate: CN is the user name,
/// each O a group, as kube-apiserver reads them.
pub fn user_from_certificate(chain: Option<&[CertificateDer<'_>]>) -> Option<User> {
    let leaf = chain?.first()?;
    let (name, groups) = serving::certificate_user(leaf.as_ref())?;
    Some(
        User {
            name,
            groups,
            ..User::default()
        }
        .with_authenticated(),
    )
}

/// `--token-auth-file`: CSV lines `token,user,uid,"group1,group2"`; and
/// the node join secret: `Bearer node:<name>:<secret>` authenticates
/// `system:node:<name>` in group `system:nodes` (until nodes bootstrap
/// their certificates through CSRs).
#[derive(Clone, Debug, Default)]
pub struct TokenFile {
    tokens: HashMap<String, User>,
    node_secret: Option<String>,
}

/// Compares without stopping at the first difference.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A node name as the join token may name it (a DNS-1123 subdomain).
fn valid_node_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
}

impl TokenFile {
    pub fn load(path: &Path) -> Result<TokenFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut tokens = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields = split_csv(line);
            if fields.len() < 3 {
                return Err(format!(
                    "{}:{}: expected token,user,uid[,\"groups\"]",
                    path.display(),
                    number + 1
                ));
            }
            let groups = fields
                .get(3)
                .map(|g| {
                    g.split(',')
                        .map(str::trim)
                        .filter(|g| !g.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            tokens.insert(
                fields[0].clone(),
                User {
                    name: fields[1].clone(),
                    uid: fields[2].clone(),
                    groups,
                    ..User::default()
                }
                .with_authenticated(),
            );
        }
        Ok(TokenFile {
            tokens,
            node_secret: None,
        })
    }

    /// Accepts `node:<name>:<secret>` tokens for this join secret.
    pub fn with_node_secret(mut self, secret: Option<String>) -> TokenFile {
        self.node_secret = secret.filter(|s| !s.is_empty());
        self
    }

    pub fn authenticate(&self, authorization: Option<&str>) -> Option<User> {
        let token = serving::bearer_token(authorization?)?;
        if let (Some(secret), Some(rest)) = (&self.node_secret, token.strip_prefix("node:"))
            && let Some((name, given)) = rest.split_once(':')
        {
            return (same_secret(given, secret) && valid_node_name(name)).then(|| {
                User {
                    name: format!("system:node:{name}"),
                    groups: vec!["system:nodes".to_string()],
                    ..User::default()
                }
                .with_authenticated()
            });
        }
        self.tokens.get(token).cloned()
    }
}

fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    fields.push(current);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_file_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.csv");
        std::fs::write(
            &path,
            "# comment\nsecret,alice,1001,\"dev,ops\"\nother,bob,1002\n",
        )
        .unwrap();
        let tokens = TokenFile::load(&path).unwrap();
        let alice = tokens.authenticate(Some("Bearer secret")).unwrap();
        assert_eq!(alice.name, "alice");
        assert_eq!(alice.groups, vec!["dev", "ops", "system:authenticated"]);
        assert!(tokens.authenticate(Some("Bearer nope")).is_none());
        assert!(tokens.authenticate(Some("bearer secret")).is_some());
        assert!(tokens.authenticate(Some("Basic secret")).is_none());
        assert!(tokens.authenticate(Some("Bearer ")).is_none());
    }

    #[test]
    fn the_join_secret_authenticates_nodes() {
        let tokens = TokenFile::default().with_node_secret(Some("s3cret".into()));
        let node = tokens
            .authenticate(Some("Bearer node:worker-1:s3cret"))
            .unwrap();
        assert_eq!(node.name, "system:node:worker-1");
        assert!(node.groups.contains(&"system:nodes".to_string()));
        assert!(
            tokens
                .authenticate(Some("Bearer node:worker-1:wrong"))
                .is_none()
        );
        assert!(
            tokens
                .authenticate(Some("Bearer node:Bad_Name:s3cret"))
                .is_none()
        );
        assert!(
            TokenFile::default()
                .authenticate(Some("Bearer node:worker-1:s3cret"))
                .is_none()
        );
        assert!(tokens.authenticate(None).is_none());
    }
}
