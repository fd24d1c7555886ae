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

/// `--token-auth-file`: CSV lines `token,user,uid,"group1,group2"`.
#[derive(Clone, Debug, Default)]
pub struct TokenFile {
    tokens: HashMap<String, User>,
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
        Ok(TokenFile { tokens })
    }

    pub fn authenticate(&self, authorization: Option<&str>) -> Option<User> {
        let token = serving::bearer_token(authorization?)?;
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
}
