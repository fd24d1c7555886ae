//! Bootstrap tokens, as upstream's bootstrap token authenticator: a bearer
//! token `<id>.<secret>` (6 and 16 characters of `[a-z0-9]`) is user
//! `system:bootstrap:<id>` in `system:bootstrappers` (and the token's
//! `auth-extra-groups`) while the Secret `kube-system/bootstrap-token-<id>`
//! of type `bootstrap.kubernetes.io/token` holds that secret, allows
//! authentication and has not expired. Joining nodes use them to ask for
//! their certificate.

use base64::Engine;
use serde_json::Value;

use crate::auth::User;
use crate::handlers::ApiState;

pub const SECRET_TYPE: &str = "bootstrap.kubernetes.io/token";
pub const GROUP: &str = "system:bootstrappers";
/// The group of the tokens nodes join with (`rudder token create`'s
/// default): allowed to ask for a node client certificate, which is
/// approved at once.
pub const DEFAULT_NODE_TOKEN_GROUP: &str = "system:bootstrappers:rudder:default-node-token";

/// The id and secret of a well-formed token.
pub fn parse(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.split_once('.')?;
    let plain = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    (plain(id, 6) && plain(secret, 16)).then_some((id, secret))
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The user of a bootstrap token, if its Secret vouches for it at `now`.
pub fn user_of(
    secret: &Value,
    id: &str,
    given: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<User> {
    if secret.get("type").and_then(Value::as_str) != Some(SECRET_TYPE)
        || secret.pointer("/metadata/deletionTimestamp").is_some()
    {
        return None;
    }
    let data = |key: &str| {
        secret
            .pointer(&format!("/data/{key}"))
            .and_then(Value::as_str)
            .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
            .and_then(|v| String::from_utf8(v).ok())
    };
    if data("token-id").as_deref() != Some(id) {
        return None;
    }
    if !same(data("token-secret")?.as_bytes(), given.as_bytes()) {
        return None;
    }
    if data("usage-bootstrap-authentication").as_deref() != Some("true") {
        return None;
    }
    if let Some(expiration) = data("expiration") {
        let expires = chrono::DateTime::parse_from_rfc3339(&expiration).ok()?;
        if expires <= now {
            return None;
        }
    }
    let mut groups = vec![GROUP.to_string()];
    for extra in data("auth-extra-groups")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        // Only groups of the bootstrappers: a token grants no more.
        if !extra.starts_with("system:bootstrappers:") {
            return None;
        }
        groups.push(extra.to_string());
    }
    groups.push("system:authenticated".to_string());
    Some(User {
        name: format!("system:bootstrap:{id}"),
        groups,
        ..User::default()
    })
}

/// The user of `token`, if it is a bootstrap token the cluster holds.
pub async fn authenticate(state: &ApiState, token: &str) -> Option<User> {
    let (id, given) = parse(token)?;
    let key = format!("/registry/secrets/kube-system/bootstrap-token-{id}");
    let kv = state.store.get(&key).await.ok()??;
    let secret: Value = serde_json::from_slice(&kv.value).ok()?;
    user_of(&secret, id, given, chrono::Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret(extra: Value) -> Value {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let mut data = json!({
            "token-id": b64("abcdef"),
            "token-secret": b64("0123456789abcdef"),
            "usage-bootstrap-authentication": b64("true"),
            "expiration": b64("2030-01-01T00:00:00Z"),
        });
        if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                data.insert(k.clone(), json!(b64(v.as_str().unwrap_or_default())));
            }
        }
        json!({"type": SECRET_TYPE, "metadata": {"name": "bootstrap-token-abcdef"}, "data": data})
    }

    #[test]
    fn tokens_authenticate_only_as_their_secret_says() {
        let now = chrono::DateTime::parse_from_rfc3339("2029-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(
            parse("abcdef.0123456789abcdef"),
            Some(("abcdef", "0123456789abcdef"))
        );
        assert_eq!(parse("ABCDEF.0123456789abcdef"), None);
        assert_eq!(parse("abcdef.0123"), None);
        let user = user_of(
            &secret(json!({"auth-extra-groups": "system:bootstrappers:worker"})),
            "abcdef",
            "0123456789abcdef",
            now,
        )
        .unwrap();
        assert_eq!(user.name, "system:bootstrap:abcdef");
        assert_eq!(
            user.groups,
            [
                "system:bootstrappers",
                "system:bootstrappers:worker",
                "system:authenticated"
            ]
        );
        // The wrong secret, expired, not for authentication, a group
        // outside the bootstrappers.
        assert!(user_of(&secret(json!({})), "abcdef", "0123456789abcdee", now).is_none());
        let later = chrono::DateTime::parse_from_rfc3339("2031-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert!(user_of(&secret(json!({})), "abcdef", "0123456789abcdef", later).is_none());
        let signing_only = secret(json!({"usage-bootstrap-authentication": "false"}));
        assert!(user_of(&signing_only, "abcdef", "0123456789abcdef", now).is_none());
        let masters = secret(json!({"auth-extra-groups": "system:masters"}));
        assert!(user_of(&masters, "abcdef", "0123456789abcdef", now).is_none());
    }
}
