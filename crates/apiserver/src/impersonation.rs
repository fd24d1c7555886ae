//! Impersonation: `Impersonate-User`, `Impersonate-Group`,
//! `Impersonate-Uid` and `Impersonate-Extra-*` headers make a request act
//! as another user, when the requester may `impersonate` each of them (as
//! upstream's impersonation filter).

use axum::http::HeaderMap;

use crate::auth::User;
use crate::authz::{Attributes, AuthorizerChain};
use crate::error::ApiError;

const USER: &str = "impersonate-user";
const GROUP: &str = "impersonate-group";
const UID: &str = "impersonate-uid";
const EXTRA: &str = "impersonate-extra-";

fn values<'h>(headers: &'h HeaderMap, name: &str) -> Vec<&'h str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

/// The user a request acts as: `user`, or whom it impersonates.
pub fn apply(chain: &AuthorizerChain, user: User, headers: &HeaderMap) -> Result<User, ApiError> {
    let names = values(headers, USER);
    let groups = values(headers, GROUP);
    let uids = values(headers, UID);
    let extras: Vec<(String, &str)> = headers
        .iter()
        .filter_map(|(name, value)| {
            let key = name.as_str().strip_prefix(EXTRA)?;
            Some((percent_decode(key), value.to_str().ok()?))
        })
        .collect();
    if names.is_empty() {
        if !groups.is_empty() || !uids.is_empty() || !extras.is_empty() {
            return Err(ApiError::bad_request(
                "requested impersonation of groups, uid or extra fields without impersonating a user",
            ));
        }
        return Ok(user);
    }
    if names.len() > 1 || uids.len() > 1 {
        return Err(ApiError::bad_request(
            "only one user and one uid may be impersonated",
        ));
    }
    let name = names[0];
    let check = |group: &str, resource: &str, subresource: &str, namespace: &str, name: &str| {
        chain.check(&Attributes {
            user: user.clone(),
            verb: "impersonate".into(),
            resource_request: true,
            api_group: group.into(),
            resource: resource.into(),
            subresource: subresource.into(),
            name: name.into(),
            namespace: namespace.into(),
            path: String::new(),
        })
    };
    let account = name
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'));
    match account {
        Some((namespace, account)) => check("", "serviceaccounts", "", namespace, account)?,
        None => check("", "users", "", "", name)?,
    }
    for group in &groups {
        check("", "groups", "", "", group)?;
    }
    for uid in &uids {
        check("authentication.k8s.io", "uids", "", "", uid)?;
    }
    for (key, value) in &extras {
        check("authentication.k8s.io", "userextras", key, "", value)?;
    }
    let mut impersonated: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    if let Some((namespace, _)) = account {
        for group in [
            "system:serviceaccounts".to_string(),
            format!("system:serviceaccounts:{namespace}"),
        ] {
            if !impersonated.contains(&group) {
                impersonated.push(group);
            }
        }
    }
    let everyone = if name == "system:anonymous" {
        "system:unauthenticated"
    } else {
        "system:authenticated"
    };
    if !impersonated.iter().any(|g| g == everyone) {
        impersonated.push(everyone.to_string());
    }
    let mut extra = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (key, value) in extras {
        extra.entry(key).or_default().push(value.to_string());
    }
    Ok(User {
        name: name.to_string(),
        uid: uids.first().map(|u| u.to_string()).unwrap_or_default(),
        groups: impersonated,
        extra,
    })
}

/// Extra keys are percent-encoded in header names.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn extra_keys_are_percent_decoded() {
        assert_eq!(percent_decode("example.com%2fscopes"), "example.com/scopes");
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode("bad%zz"), "bad%zz");
        assert_eq!(percent_decode("end%2"), "end%2");
    }
}
