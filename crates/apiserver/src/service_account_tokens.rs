//! Service account tokens: JWTs signed by the cluster's service-account key
//! (ES256 or RS256, `serving::jwt`), issued by the TokenRequest API (`serviceaccounts/NAME/token`,
//! `kubectl create token`) and accepted as bearer tokens while their
//! service account (and the pod or secret they are bound to) still exists
//! with the same uid, as upstream's bound service account tokens are. The
//! public keys are published for OIDC discovery (`/openid/v1/jwks`).

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::auth::User;
use crate::error::{ApiError, Cause};
use crate::handlers::{ApiState, Call, json_response};
use axum::http::StatusCode;
use axum::response::Response;

/// The issuer upstream's clusters name by default.
pub const DEFAULT_ISSUER: &str = "https://kubernetes.default.svc.cluster.local";
/// The issuer of legacy tokens, kept in `kubernetes.io/service-account-token`
/// Secrets by the controller manager.
pub const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";

/// TokenRequest's default and shortest lifetimes.
pub const DEFAULT_EXPIRATION_SECONDS: i64 = 3600;
pub const MIN_EXPIRATION_SECONDS: i64 = 600;
/// The longest lifetime a token is issued for (upstream caps requests at
/// its `--service-account-max-token-expiration`; 48 hours here).
pub const MAX_EXPIRATION_SECONDS: i64 = 48 * 3600;

/// Signs and checks the cluster's service account tokens.
pub struct TokenIssuer {
    signing: serving::jwt::SigningKey,
    /// Every key a token may be signed with: the signing key's and those
    /// of `--service-account-key-file`.
    keys: Vec<serving::jwt::VerifyingKey>,
    pub issuer: String,
    /// What tokens are for when a request names no audience, and what the
    /// API server accepts: the issuer.
    pub audiences: Vec<String>,
    /// Tokens whose signature was verified lately, with what they say,
    /// so a client's every request does not verify a signature again (what
    /// they are bound to is still looked up each time).
    recent: std::sync::Mutex<HashMap<[u8; 32], (User, Binding, i64)>>,
}

/// Verified tokens remembered at most; beyond, the expired are dropped,
/// then all.
const REMEMBERED_TOKENS: usize = 16_384;

impl TokenIssuer {
    fn remembered(&self, digest: &[u8; 32], now: i64) -> Option<(User, Binding)> {
        let recent = self.recent.lock().ok()?;
        let (user, binding, until) = recent.get(digest)?;
        (now < *until).then(|| (user.clone(), binding.clone()))
    }

    fn remember(&self, digest: [u8; 32], verified: (User, Binding), until: i64, now: i64) {
        let Ok(mut recent) = self.recent.lock() else {
            return;
        };
        if recent.len() >= REMEMBERED_TOKENS {
            recent.retain(|_, (_, _, until)| *until > now);
            if recent.len() >= REMEMBERED_TOKENS {
                recent.clear();
            }
        }
        recent.insert(digest, (verified.0, verified.1, until));
    }
}

impl TokenIssuer {
    /// The signing key of `signing_key_file`, else the one in
    /// `pki/sa.key` (made, readable by the owner only, on the first
    /// start), and the public keys of `key_files` besides.
    pub fn load(
        pki: &Path,
        issuer: &str,
        signing_key_file: Option<&Path>,
        key_files: &[std::path::PathBuf],
    ) -> Result<TokenIssuer, String> {
        let default_path = pki.join("sa.key");
        let path = signing_key_file.unwrap_or(&default_path);
        let pem = match std::fs::read_to_string(path) {
            Ok(pem) => pem,
            Err(err)
                if err.kind() == std::io::ErrorKind::NotFound && signing_key_file.is_none() =>
            {
                let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                    .map_err(|e| format!("service account key: {e}"))?;
                let pem = pair.serialize_pem();
                write_private(path, &pem)?;
                pem
            }
            Err(err) => return Err(format!("{}: {err}", path.display())),
        };
        let signing = serving::jwt::SigningKey::from_pem(&pem)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let mut keys = vec![signing.verifying.clone()];
        for file in key_files {
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            for key in serving::jwt::verifying_keys(&text)
                .map_err(|e| format!("{}: {e}", file.display()))?
            {
                if !keys.iter().any(|known| known.kid == key.kid) {
                    keys.push(key);
                }
            }
        }
        Ok(TokenIssuer {
            signing,
            keys,
            issuer: issuer.to_string(),
            audiences: vec![issuer.to_string()],
            recent: std::sync::Mutex::default(),
        })
    }

    /// [`load`](Self::load) with the key of `pki/sa.key` alone.
    pub fn load_or_create(pki: &Path, issuer: &str) -> Result<TokenIssuer, String> {
        TokenIssuer::load(pki, issuer, None, &[])
    }

    /// A signed token carrying `claims`.
    pub fn sign(&self, claims: &Value) -> Result<String, String> {
        self.signing.sign(claims)
    }

    /// The claims of a token this issuer signed, if its signature, issuer,
    /// audience and validity period hold at `now` (seconds since the epoch).
    pub fn verify(&self, token: &str, now: i64) -> Option<Value> {
        let claims = serving::jwt::verify(token, &self.keys)?;
        // A legacy token (from a service-account-token Secret): no
        // audience, no expiry; good while its Secret holds it.
        if claims["iss"] == LEGACY_ISSUER {
            return Some(claims);
        }
        if claims["iss"] != self.issuer.as_str() {
            return None;
        }
        let audiences: Vec<&str> = match &claims["aud"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences
            .iter()
            .any(|a| self.audiences.iter().any(|ours| ours == a))
        {
            return None;
        }
        // A little leeway for clocks, as upstream's validator allows.
        let exp = claims["exp"].as_i64()?;
        let nbf = claims["nbf"].as_i64().unwrap_or(i64::MIN);
        (now < exp.saturating_add(60) && now.saturating_add(60) >= nbf).then_some(claims)
    }

    /// The public keys as a JSON Web Key Set (`/openid/v1/jwks`).
    pub fn jwks(&self) -> Value {
        json!({"keys": self.keys.iter().map(serving::jwt::VerifyingKey::jwk).collect::<Vec<_>>()})
    }

    /// The OIDC discovery document (`/.well-known/openid-configuration`).
    pub fn discovery(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "jwks_uri": format!("{}/openid/v1/jwks", self.issuer),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
        })
    }
}

fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The user a service account token's verified claims name, before the
/// objects it names are checked: `system:serviceaccount:NS:NAME` in the
/// service account groups.
pub fn user_of(claims: &Value) -> Option<(User, Binding)> {
    if claims["iss"] == LEGACY_ISSUER {
        return legacy_user_of(claims);
    }
    let kubernetes = &claims["kubernetes.io"];
    let namespace = kubernetes["namespace"].as_str()?;
    let account = &kubernetes["serviceaccount"];
    let name = account["name"].as_str()?;
    let uid = account["uid"].as_str()?;
    let bound = ["pod", "secret", "node"].into_iter().find_map(|kind| {
        let object = &kubernetes[kind];
        Some(BoundObject {
            kind,
            name: object["name"].as_str()?.to_string(),
            uid: object["uid"].as_str()?.to_string(),
        })
    });
    // What upstream adds to the user of a token: the credential's id, and
    // the pod (and its node) the token is bound to.
    let mut extra = std::collections::BTreeMap::new();
    if let Some(jti) = claims["jti"].as_str() {
        extra.insert(
            "authentication.kubernetes.io/credential-id".to_string(),
            vec![format!("JTI={jti}")],
        );
    }
    for kind in ["pod", "node"] {
        for field in ["name", "uid"] {
            if let Some(value) = kubernetes[kind][field].as_str() {
                extra.insert(
                    format!("authentication.kubernetes.io/{kind}-{field}"),
                    vec![value.to_string()],
                );
            }
        }
    }
    Some(account_user(namespace, name, uid, extra, bound, None))
}

/// The user of service account `namespace/name` (uid `uid`), and what its
/// token must still find: the account, and what the token is bound to.
fn account_user(
    namespace: &str,
    name: &str,
    uid: &str,
    extra: std::collections::BTreeMap<String, Vec<String>>,
    bound: Option<BoundObject>,
    legacy_secret: Option<String>,
) -> (User, Binding) {
    let user = User {
        name: format!("system:serviceaccount:{namespace}:{name}"),
        uid: uid.to_string(),
        groups: vec![
            "system:serviceaccounts".to_string(),
            format!("system:serviceaccounts:{namespace}"),
            "system:authenticated".to_string(),
        ],
        extra,
    };
    let binding = Binding {
        namespace: namespace.to_string(),
        account: name.to_string(),
        account_uid: uid.to_string(),
        bound,
        legacy_secret,
    };
    (user, binding)
}

/// The user of a legacy token's claims, bound to the Secret it came from.
fn legacy_user_of(claims: &Value) -> Option<(User, Binding)> {
    let claim =
        |name: &str| claims[format!("kubernetes.io/serviceaccount/{name}").as_str()].as_str();
    let namespace = claim("namespace")?;
    let name = claim("service-account.name")?;
    let uid = claim("service-account.uid")?;
    let secret = claim("secret.name")?;
    Some(account_user(
        namespace,
        name,
        uid,
        Default::default(),
        None,
        Some(secret.to_string()),
    ))
}

/// What must still exist for a token to be good.
#[derive(Clone)]
pub struct Binding {
    pub namespace: String,
    pub account: String,
    pub account_uid: String,
    pub bound: Option<BoundObject>,
    /// A legacy token: the Secret that must still hold it.
    pub legacy_secret: Option<String>,
}

#[derive(Clone)]
pub struct BoundObject {
    pub kind: &'static str,
    pub name: String,
    pub uid: String,
}

/// The stored bytes of the object at `key` as the watch cache holds them
/// (as upstream's token authenticator reads informers), or as the store
/// does when the cache cannot answer now.
async fn current_value(state: &ApiState, key: &str) -> Option<Vec<u8>> {
    let resource_prefix = key.match_indices('/').nth(2).map(|(at, _)| &key[..=at])?;
    let cached = state
        .watch_cache
        .list(resource_prefix, key, crate::watch_cache::Freshness::Any)
        .await;
    match cached {
        Ok(Some(snapshot)) => snapshot
            .items
            .iter()
            .find(|kv| kv.key == key)
            .map(|kv| kv.value.clone()),
        _ => state.store.get(key).await.ok()?.map(|kv| kv.value),
    }
}

/// The uid of the object at `key`, reading nothing else of it.
async fn current_uid(state: &ApiState, key: &str) -> Option<String> {
    uid_in(&current_value(state, key).await?)
}

/// `metadata.uid` of the object at `key` as the store holds it now.
async fn stored_uid(state: &ApiState, key: &str) -> Option<String> {
    uid_in(&state.store.get(key).await.ok()??.value)
}

/// The object at `key`.
async fn current_object(state: &ApiState, key: &str) -> Option<Value> {
    serde_json::from_slice(&current_value(state, key).await?).ok()
}

/// Whether the legacy token Secret `name` still holds `token` for the
/// account of uid `account_uid`.
async fn secret_holds(state: &ApiState, binding: &Binding, name: &str, token: &str) -> bool {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let key = format!("/registry/secrets/{}/{name}", binding.namespace);
    let Some(secret) = current_object(state, &key).await else {
        return false;
    };
    let annotations = &secret["metadata"]["annotations"];
    secret["type"] == "kubernetes.io/service-account-token"
        && annotations["kubernetes.io/service-account.uid"] == binding.account_uid.as_str()
        && secret["data"]["token"]
            .as_str()
            .and_then(|data| STANDARD.decode(data).ok())
            .is_some_and(|held| held == token.as_bytes())
}

/// `metadata.uid` of a stored object, reading nothing else.
fn uid_in(json: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Object {
        metadata: Metadata,
    }
    #[derive(serde::Deserialize)]
    struct Metadata {
        uid: Option<String>,
    }
    serde_json::from_slice::<Object>(json).ok()?.metadata.uid
}

fn bound_key(kind: &str, namespace: &str, name: &str) -> String {
    match kind {
        "Pod" | "pod" => format!("/registry/pods/{namespace}/{name}"),
        "Secret" | "secret" => format!("/registry/secrets/{namespace}/{name}"),
        _ => format!("/registry/minions/{name}"),
    }
}

/// The service account a bearer token stands for, if it is one of this
/// cluster's and what it is bound to still exists.
pub async fn authenticate(state: &ApiState, token: &str) -> Option<User> {
    let issuer = state.service_accounts.as_ref()?;
    let now = chrono::Utc::now().timestamp();
    let mut digest = [0u8; 32];
    digest.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref());
    let (user, binding) = match issuer.remembered(&digest, now) {
        Some(verified) => verified,
        None => {
            let claims = issuer.verify(token, now)?;
            let verified = user_of(&claims)?;
            // Good until it expires (with verify's leeway).
            let until = claims["exp"].as_i64().unwrap_or(now).saturating_add(60);
            issuer.remember(digest, verified.clone(), until, now);
            verified
        }
    };
    let account_key = format!(
        "/registry/serviceaccounts/{}/{}",
        binding.namespace, binding.account
    );
    if current_uid(state, &account_key).await? != binding.account_uid {
        return None;
    }
    if let Some(bound) = &binding.bound {
        let key = bound_key(bound.kind, &binding.namespace, &bound.name);
        if current_uid(state, &key).await? != bound.uid {
            return None;
        }
    }
    if let Some(secret) = &binding.legacy_secret
        && !secret_holds(state, &binding, secret, token).await
    {
        return None;
    }
    Some(user)
}

impl Call<'_> {
    /// POST `serviceaccounts/NAME/token`: a TokenRequest answered with a
    /// signed token for the account (`kubectl create token`).
    pub(crate) async fn token_request(&self, body: &[u8]) -> Result<Response, ApiError> {
        let Some(issuer) = self.state.service_accounts.as_ref() else {
            return Err(ApiError::internal(
                "no service account signing key is configured",
            ));
        };
        let name = self.name()?.to_string();
        let namespace = self.resource.namespace.clone().unwrap_or_default();
        let mut request = self.parse_small_body(body)?;
        // Admission sees the request (a node may only ask for tokens of
        // its own pods).
        let attributes = self.attributes(crate::admission::Operation::Create, &name, None)?;
        self.state
            .admission
            .validate(&attributes, Some(&request))
            .await?;
        let account_key = format!("/registry/serviceaccounts/{namespace}/{name}");
        let Some(account_uid) = stored_uid(self.state, &account_key).await else {
            return Err(ApiError::not_found(self.info(), &name));
        };
        let spec = request.get("spec").cloned().unwrap_or(json!({}));
        let requested = spec["expirationSeconds"]
            .as_i64()
            .unwrap_or(DEFAULT_EXPIRATION_SECONDS);
        let invalid = |field: &str, value: &Value, detail: &str| {
            ApiError::invalid_kind(
                "authentication.k8s.io",
                "TokenRequest",
                &name,
                vec![Cause::invalid_value(field, value, detail)],
            )
        };
        if requested < MIN_EXPIRATION_SECONDS {
            return Err(invalid(
                "spec.expirationSeconds",
                &json!(requested),
                "may not specify a duration less than 10 minutes",
            ));
        }
        if requested > 1 << 32 {
            return Err(invalid(
                "spec.expirationSeconds",
                &json!(requested),
                "may not specify a duration larger than 2^32 seconds",
            ));
        }
        let lifetime = requested.min(MAX_EXPIRATION_SECONDS);
        let audiences: Vec<String> = spec["audiences"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .filter(|a: &Vec<String>| !a.is_empty())
            .unwrap_or_else(|| issuer.audiences.clone());
        let mut kubernetes = json!({
            "namespace": namespace,
            "serviceaccount": {"name": name, "uid": account_uid},
        });
        if let Some(bound) = spec.get("boundObjectRef").filter(|b| b.is_object()) {
            let kind = bound["kind"].as_str().unwrap_or_default();
            if !["Pod", "Secret", "Node"].contains(&kind) {
                return Err(ApiError::invalid_kind(
                    "authentication.k8s.io",
                    "TokenRequest",
                    &name,
                    vec![Cause::not_supported(
                        "spec.boundObjectRef.kind",
                        kind,
                        &["Pod", "Secret", "Node"],
                    )],
                ));
            }
            let bound_name = bound["name"].as_str().unwrap_or_default();
            let key = bound_key(kind, &namespace, bound_name);
            let Some(uid) = stored_uid(self.state, &key).await else {
                let plural = match kind {
                    "Pod" => "pods",
                    "Secret" => "secrets",
                    _ => "nodes",
                };
                return Err(ApiError::not_found(
                    api::registry::lookup("", "v1", plural).unwrap_or(self.info()),
                    bound_name,
                ));
            };
            if let Some(given) = bound["uid"].as_str().filter(|u| !u.is_empty())
                && given != uid
            {
                return Err(ApiError::conflict_message(
                    self.info(),
                    &name,
                    &format!(
                        "the UID in the bound object reference ({given}) does not match the UID in record. The object might have been deleted and then recreated"
                    ),
                ));
            }
            kubernetes[kind.to_lowercase()] = json!({"name": bound_name, "uid": uid});
        }
        let issued = chrono::Utc::now().timestamp();
        let expires = issued + lifetime;
        let claims = json!({
            "aud": audiences,
            "exp": expires,
            "iat": issued,
            "iss": issuer.issuer,
            "jti": uuid::Uuid::new_v4().to_string(),
            "kubernetes.io": kubernetes,
            "nbf": issued,
            "sub": format!("system:serviceaccount:{namespace}:{name}"),
        });
        let token = issuer.sign(&claims).map_err(ApiError::internal)?;
        let expiration = chrono::DateTime::from_timestamp(expires, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        request["apiVersion"] = json!("authentication.k8s.io/v1");
        request["kind"] = json!("TokenRequest");
        request["metadata"] = json!({
            "name": name, "namespace": namespace,
            "creationTimestamp": api::meta::now_timestamp(),
        });
        request["spec"]["audiences"] = json!(audiences);
        request["spec"]["expirationSeconds"] = json!(lifetime);
        request["status"] = json!({"token": token, "expirationTimestamp": expiration});
        Ok(json_response(StatusCode::CREATED, &request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> (tempfile::TempDir, TokenIssuer) {
        let dir = tempfile::tempdir().unwrap();
        let issuer = TokenIssuer::load_or_create(dir.path(), DEFAULT_ISSUER).unwrap();
        (dir, issuer)
    }

    fn claims(aud: &str, exp: i64) -> Value {
        json!({"iss": DEFAULT_ISSUER, "aud": [aud], "exp": exp, "nbf": 0, "iat": 0,
            "sub": "system:serviceaccount:default:robot",
            "kubernetes.io": {"namespace": "default",
                "serviceaccount": {"name": "robot", "uid": "u-1"}}})
    }

    #[test]
    fn keys_from_files_sign_and_are_accepted() {
        // An API server signing with an RSA key of its own, accepting the
        // tokens of another whose key it is given.
        let dir = tempfile::tempdir().unwrap();
        let signing_path = dir.path().join("signing.pem");
        // kubeadm's keys are RSA (this one made with openssl for tests).
        let rsa_pem = include_str!("../../serving/testdata/rsa-2048-pkcs1.pem");
        std::fs::write(&signing_path, rsa_pem).unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let other = TokenIssuer::load_or_create(elsewhere.path(), DEFAULT_ISSUER).unwrap();
        let issuer = TokenIssuer::load(
            dir.path(),
            DEFAULT_ISSUER,
            Some(&signing_path),
            &[elsewhere.path().join("sa.key")],
        )
        .unwrap();
        assert!(
            !dir.path().join("sa.key").exists(),
            "no key of its own made"
        );
        let own = issuer.sign(&claims(DEFAULT_ISSUER, 1000)).unwrap();
        assert!(issuer.verify(&own, 500).is_some());
        assert_eq!(issuer.jwks()["keys"][0]["alg"], "RS256");
        let theirs = other.sign(&claims(DEFAULT_ISSUER, 1000)).unwrap();
        assert!(issuer.verify(&theirs, 500).is_some());
        assert!(other.verify(&own, 500).is_none());
        assert_eq!(issuer.jwks()["keys"].as_array().unwrap().len(), 2);
        // A file that is not a key is refused at start.
        let bad = dir.path().join("bad.pem");
        std::fs::write(&bad, "not a key").unwrap();
        assert!(TokenIssuer::load(dir.path(), DEFAULT_ISSUER, Some(&bad), &[]).is_err());
    }

    #[test]
    fn tokens_verify_only_as_signed_and_while_valid() {
        let (dir, issuer) = issuer();
        let token = issuer.sign(&claims(DEFAULT_ISSUER, 1000)).unwrap();
        let verified = issuer.verify(&token, 500).unwrap();
        let (user, binding) = user_of(&verified).unwrap();
        assert_eq!(user.name, "system:serviceaccount:default:robot");
        assert_eq!(binding.account_uid, "u-1");
        // Expired, another audience, a changed payload, another key.
        assert!(issuer.verify(&token, 2000).is_none());
        let other = issuer.sign(&claims("vault", 1000)).unwrap();
        assert!(issuer.verify(&other, 500).is_none());
        let mut parts: Vec<&str> = token.split('.').collect();
        use base64::Engine;
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(claims(DEFAULT_ISSUER, 9999).to_string());
        parts[1] = &forged;
        assert!(issuer.verify(&parts.join("."), 500).is_none());
        let elsewhere = tempfile::tempdir().unwrap();
        let stranger = TokenIssuer::load_or_create(elsewhere.path(), DEFAULT_ISSUER).unwrap();
        assert!(stranger.verify(&token, 500).is_none());
        // The key stays across restarts, owner-readable only.
        let again = TokenIssuer::load_or_create(dir.path(), DEFAULT_ISSUER).unwrap();
        assert!(again.verify(&token, 500).is_some());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("sa.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(issuer.jwks()["keys"][0]["crv"], "P-256");
    }
}
