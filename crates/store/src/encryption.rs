//! Encryption at rest: a [`Store`] over another that encrypts the values of
//! chosen key prefixes (Secrets, say) on the way in and decrypts them on
//! the way out, as kube-apiserver's `--encryption-provider-config` does.
//! Values carry upstream's prefixes (`k8s:enc:aescbc:v1:<key name>:`, then
//! the IV or nonce and the ciphertext), so what is in the database, in an
//! etcd member or in a snapshot is what upstream would have written. The
//! first provider of a resource writes; every provider reads, so keys can
//! be rotated by adding a key, then rewriting the objects.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use futures::StreamExt;
use ring::rand::SecureRandom;
use serde_json::Value;

use crate::{
    KeyValue, RangeOptions, RangeResult, Result, Revision, SharedStore, Store, StoreError,
    WatchEvent, WatchStream,
};

/// What every encrypted value starts with.
const ENCRYPTED: &[u8] = b"k8s:enc:";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cipher {
    AesCbc,
    AesGcm,
    Secretbox,
}

impl Cipher {
    fn name(self) -> &'static str {
        match self {
            Cipher::AesCbc => "aescbc",
            Cipher::AesGcm => "aesgcm",
            Cipher::Secretbox => "secretbox",
        }
    }

    fn key_lengths(self) -> &'static [usize] {
        match self {
            Cipher::AesCbc | Cipher::AesGcm => &[16, 24, 32],
            Cipher::Secretbox => &[32],
        }
    }
}

struct NamedKey {
    /// `k8s:enc:<cipher>:v1:<name>:`
    prefix: Vec<u8>,
    secret: Vec<u8>,
}

enum Provider {
    Identity,
    Keyed { cipher: Cipher, keys: Vec<NamedKey> },
}

/// The providers of one set of resources, in the configuration's order.
pub struct Transformer {
    providers: Vec<Provider>,
}

type Aes192Gcm = aes_gcm::AesGcm<aes::Aes192, aes_gcm::aead::consts::U12>;

/// Fresh IV or nonce bytes; `None` if the system's generator fails.
fn random<const N: usize>() -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
    Some(bytes)
}

fn seal(cipher: Cipher, secret: &[u8], plain: &[u8], key: &str) -> Option<Vec<u8>> {
    match cipher {
        Cipher::AesCbc => {
            let iv: [u8; 16] = random()?;
            let sealed = match secret.len() {
                16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(secret, &iv)
                    .ok()?
                    .encrypt_padded_vec_mut::<Pkcs7>(plain),
                24 => cbc::Encryptor::<aes::Aes192>::new_from_slices(secret, &iv)
                    .ok()?
                    .encrypt_padded_vec_mut::<Pkcs7>(plain),
                _ => cbc::Encryptor::<aes::Aes256>::new_from_slices(secret, &iv)
                    .ok()?
                    .encrypt_padded_vec_mut::<Pkcs7>(plain),
            };
            Some([&iv[..], &sealed].concat())
        }
        Cipher::AesGcm => {
            // The storage key is authenticated with the value, as
            // upstream's: a value moved to another key does not decrypt.
            let nonce: [u8; 12] = random()?;
            let payload = Payload {
                msg: plain,
                aad: key.as_bytes(),
            };
            let sealed = match secret.len() {
                16 => aes_gcm::Aes128Gcm::new_from_slice(secret)
                    .ok()?
                    .encrypt(&nonce.into(), payload),
                24 => Aes192Gcm::new_from_slice(secret)
                    .ok()?
                    .encrypt(&nonce.into(), payload),
                _ => aes_gcm::Aes256Gcm::new_from_slice(secret)
                    .ok()?
                    .encrypt(&nonce.into(), payload),
            }
            .ok()?;
            Some([&nonce[..], &sealed].concat())
        }
        Cipher::Secretbox => {
            let nonce: [u8; 24] = random()?;
            let sealed = crypto_secretbox::XSalsa20Poly1305::new_from_slice(secret)
                .ok()?
                .encrypt(&nonce.into(), plain)
                .ok()?;
            Some([&nonce[..], &sealed].concat())
        }
    }
}

fn open(cipher: Cipher, secret: &[u8], sealed: &[u8], key: &str) -> Option<Vec<u8>> {
    match cipher {
        Cipher::AesCbc => {
            if sealed.len() < 32 || !sealed.len().is_multiple_of(16) {
                return None;
            }
            let (iv, data) = sealed.split_at(16);
            match secret.len() {
                16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(secret, iv)
                    .ok()?
                    .decrypt_padded_vec_mut::<Pkcs7>(data)
                    .ok(),
                24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(secret, iv)
                    .ok()?
                    .decrypt_padded_vec_mut::<Pkcs7>(data)
                    .ok(),
                _ => cbc::Decryptor::<aes::Aes256>::new_from_slices(secret, iv)
                    .ok()?
                    .decrypt_padded_vec_mut::<Pkcs7>(data)
                    .ok(),
            }
        }
        Cipher::AesGcm => {
            if sealed.len() < 12 {
                return None;
            }
            let (nonce, data) = sealed.split_at(12);
            let nonce = aes_gcm::Nonce::from_slice(nonce);
            let payload = Payload {
                msg: data,
                aad: key.as_bytes(),
            };
            match secret.len() {
                16 => aes_gcm::Aes128Gcm::new_from_slice(secret)
                    .ok()?
                    .decrypt(nonce, payload),
                24 => Aes192Gcm::new_from_slice(secret)
                    .ok()?
                    .decrypt(nonce, payload),
                _ => aes_gcm::Aes256Gcm::new_from_slice(secret)
                    .ok()?
                    .decrypt(nonce, payload),
            }
            .ok()
        }
        Cipher::Secretbox => {
            if sealed.len() < 24 {
                return None;
            }
            let (nonce, data) = sealed.split_at(24);
            crypto_secretbox::XSalsa20Poly1305::new_from_slice(secret)
                .ok()?
                .decrypt(crypto_secretbox::Nonce::from_slice(nonce), data)
                .ok()
        }
    }
}

impl Transformer {
    /// The value as stored under `key`: sealed by the first provider.
    fn seal(&self, key: &str, plain: Vec<u8>) -> Result<Vec<u8>> {
        match self.providers.first() {
            None | Some(Provider::Identity) => Ok(plain),
            Some(Provider::Keyed { cipher, keys }) => {
                let named = keys.first().ok_or_else(|| failed(key, "no key"))?;
                let sealed = seal(*cipher, &named.secret, &plain, key)
                    .ok_or_else(|| failed(key, "encryption failed"))?;
                Ok([&named.prefix[..], &sealed].concat())
            }
        }
    }

    /// Whether `stored` is in the form the first provider writes.
    fn writes(&self, stored: &[u8]) -> bool {
        match self.providers.first() {
            None | Some(Provider::Identity) => !stored.starts_with(ENCRYPTED),
            Some(Provider::Keyed { keys, .. }) => keys
                .first()
                .is_some_and(|named| stored.starts_with(&named.prefix)),
        }
    }

    /// The value stored under `key`, opened by the provider whose prefix it
    /// carries (the identity provider reads what carries none).
    fn open(&self, key: &str, stored: Vec<u8>) -> Result<Vec<u8>> {
        let encrypted = stored.starts_with(ENCRYPTED);
        for provider in &self.providers {
            match provider {
                Provider::Identity if !encrypted => return Ok(stored),
                Provider::Identity => {}
                Provider::Keyed { cipher, keys } => {
                    for named in keys {
                        if let Some(sealed) = stored.strip_prefix(named.prefix.as_slice()) {
                            return open(*cipher, &named.secret, sealed, key).ok_or_else(|| {
                                failed(
                                    key,
                                    &format!(
                                        "{} key {:?} does not decrypt the value",
                                        cipher.name(),
                                        String::from_utf8_lossy(
                                            &named.prefix[ENCRYPTED.len()..named.prefix.len() - 1]
                                        )
                                    ),
                                )
                            });
                        }
                    }
                }
            }
        }
        Err(failed(key, "no matching prefix found"))
    }
}

fn failed(key: &str, reason: &str) -> StoreError {
    StoreError::Transform {
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

/// Resource names as a configuration lists them, with their transformer.
pub type ResourceTransformers = Vec<(Vec<String>, Arc<Transformer>)>;

/// The transformers of an `EncryptionConfiguration`
/// (`apiserver.config.k8s.io/v1`), each with the resources it applies
/// to as written (`secrets`, `deployments.apps`, `*.apps`, `*.*`).
pub fn parse_configuration(config: &Value) -> std::result::Result<ResourceTransformers, String> {
    let kind = config
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api_version = config
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind != "EncryptionConfiguration" || api_version != "apiserver.config.k8s.io/v1" {
        return Err(format!(
            "an EncryptionConfiguration of apiserver.config.k8s.io/v1 was expected, not kind {kind:?} of {api_version:?}"
        ));
    }
    let entries = config
        .get("resources")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or("resources: Required value: at least one resource configuration must be provided")?;
    let mut rules = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let field = format!("resources[{i}]");
        let resources: Vec<String> = entry
            .get("resources")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if resources.is_empty() {
            return Err(format!(
                "{field}.resources: Required value: at least one resource must be provided"
            ));
        }
        let listed = entry
            .get("providers")
            .and_then(Value::as_array)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                format!("{field}.providers: Required value: at least one provider must be provided")
            })?;
        let mut providers = Vec::new();
        for (j, provider) in listed.iter().enumerate() {
            providers.push(parse_provider(
                provider,
                &format!("{field}.providers[{j}]"),
            )?);
        }
        rules.push((resources, Arc::new(Transformer { providers })));
    }
    Ok(rules)
}

fn parse_provider(provider: &Value, field: &str) -> std::result::Result<Provider, String> {
    let object = provider
        .as_object()
        .ok_or_else(|| format!("{field}: not an object"))?;
    if object.len() != 1 {
        return Err(format!(
            "{field}: Invalid value: exactly one provider must be configured per entry"
        ));
    }
    let (name, settings) = object
        .iter()
        .next()
        .ok_or_else(|| format!("{field}: empty"))?;
    let cipher = match name.as_str() {
        "identity" => return Ok(Provider::Identity),
        "aescbc" => Cipher::AesCbc,
        "aesgcm" => Cipher::AesGcm,
        "secretbox" => Cipher::Secretbox,
        "kms" => {
            return Err(format!(
                "{field}.kms: Unsupported value: KMS providers are not supported"
            ));
        }
        other => {
            return Err(format!(
                "{field}: Unsupported value: {other:?}: supported values: \"aescbc\", \"aesgcm\", \"identity\", \"secretbox\""
            ));
        }
    };
    let listed = settings
        .get("keys")
        .and_then(Value::as_array)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            format!("{field}.{name}.keys: Required value: at least one key must be provided")
        })?;
    let mut keys: Vec<NamedKey> = Vec::new();
    for (k, key) in listed.iter().enumerate() {
        let key_field = format!("{field}.{name}.keys[{k}]");
        let key_name = key.get("name").and_then(Value::as_str).unwrap_or_default();
        if key_name.is_empty() {
            return Err(format!(
                "{key_field}.name: Required value: key name is required"
            ));
        }
        if key_name.contains(':') {
            return Err(format!(
                "{key_field}.name: Invalid value: {key_name:?}: key name must not contain \":\""
            ));
        }
        let prefix = format!("k8s:enc:{}:v1:{key_name}:", cipher.name()).into_bytes();
        if keys.iter().any(|existing| existing.prefix == prefix) {
            return Err(format!("{key_field}.name: Duplicate value: {key_name:?}"));
        }
        // The secret itself is never repeated in an error.
        let secret = key
            .get("secret")
            .and_then(Value::as_str)
            .and_then(|s| STANDARD.decode(s).ok())
            .ok_or_else(|| {
                format!("{key_field}.secret: Invalid value: \"REDACTED\": secrets must be base64 encoded")
            })?;
        if !cipher.key_lengths().contains(&secret.len()) {
            return Err(format!(
                "{key_field}.secret: Invalid value: \"REDACTED\": secret is not of the expected length, got {}, expected one of {:?}",
                secret.len(),
                cipher.key_lengths()
            ));
        }
        keys.push(NamedKey { prefix, secret });
    }
    Ok(Provider::Keyed { cipher, keys })
}

/// Key prefixes and their transformer, the first match winning.
struct Rules(Vec<(String, Arc<Transformer>)>);

impl Rules {
    fn transformer(&self, key: &str) -> Option<&Transformer> {
        self.0
            .iter()
            .find(|(prefix, _)| key.starts_with(prefix.as_str()))
            .map(|(_, transformer)| transformer.as_ref())
    }

    fn seal(&self, key: &str, value: Vec<u8>) -> Result<Vec<u8>> {
        match self.transformer(key) {
            Some(transformer) => transformer.seal(key, value),
            None => Ok(value),
        }
    }

    fn open(&self, mut kv: KeyValue) -> Result<KeyValue> {
        if let Some(transformer) = self.transformer(&kv.key) {
            kv.value = transformer.open(&kv.key, std::mem::take(&mut kv.value))?;
        }
        Ok(kv)
    }

    fn open_event(&self, event: WatchEvent) -> Result<WatchEvent> {
        Ok(match event {
            WatchEvent::Put { kv, prev } => WatchEvent::Put {
                kv: self.open(kv)?,
                prev: prev.map(|p| self.open(p)).transpose()?,
            },
            WatchEvent::Delete {
                key,
                revision,
                prev,
            } => WatchEvent::Delete {
                key,
                revision,
                prev: self.open(prev)?,
            },
        })
    }
}

/// A store whose values under the given prefixes are encrypted in `inner`.
pub struct EncryptedStore {
    inner: SharedStore,
    rules: Arc<Rules>,
}

impl EncryptedStore {
    /// `rules`: key prefixes (`/registry/secrets/`) and the transformer of
    /// each, the first match winning.
    pub fn new(inner: SharedStore, rules: Vec<(String, Arc<Transformer>)>) -> EncryptedStore {
        EncryptedStore {
            inner,
            rules: Arc::new(Rules(rules)),
        }
    }
}

#[async_trait]
impl Store for EncryptedStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        self.inner
            .get(key)
            .await?
            .map(|kv| self.rules.open(kv))
            .transpose()
    }

    async fn range(&self, prefix: &str, options: RangeOptions) -> Result<RangeResult> {
        let mut result = self.inner.range(prefix, options).await?;
        result.kvs = std::mem::take(&mut result.kvs)
            .into_iter()
            .map(|kv| self.rules.open(kv))
            .collect::<Result<_>>()?;
        Ok(result)
    }

    async fn count(&self, prefix: &str) -> Result<i64> {
        self.inner.count(prefix).await
    }

    async fn create(&self, key: &str, value: Vec<u8>) -> Result<Revision> {
        let sealed = self.rules.seal(key, value)?;
        self.inner.create(key, sealed).await
    }

    async fn update(&self, key: &str, value: Vec<u8>, expected: Revision) -> Result<Revision> {
        let sealed = self.rules.seal(key, value)?;
        self.inner.update(key, sealed, expected).await
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<(Revision, KeyValue)> {
        let (revision, kv) = self.inner.delete(key, expected).await?;
        Ok((revision, self.rules.open(kv)?))
    }

    async fn watch(&self, prefix: &str, from_revision: Revision) -> Result<WatchStream> {
        let stream = self.inner.watch(prefix, from_revision).await?;
        let rules = self.rules.clone();
        Ok(Box::pin(
            stream.map(move |event| event.and_then(|e| rules.open_event(e))),
        ))
    }

    async fn current_revision(&self) -> Result<Revision> {
        self.inner.current_revision().await
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        self.inner.compact(revision).await
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }

    async fn stale(&self, key: &str) -> Result<bool> {
        let Some(transformer) = self.rules.transformer(key) else {
            return Ok(false);
        };
        let Some(kv) = self.inner.get(key).await? else {
            return Ok(false);
        };
        Ok(!transformer.writes(&kv.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn transformer(providers: Value) -> Arc<Transformer> {
        let config = json!({
            "apiVersion": "apiserver.config.k8s.io/v1",
            "kind": "EncryptionConfiguration",
            "resources": [{"resources": ["secrets"], "providers": providers}],
        });
        parse_configuration(&config).unwrap().remove(0).1
    }

    fn key(bytes: usize) -> String {
        STANDARD.encode(vec![7u8; bytes])
    }

    #[test]
    fn every_cipher_and_key_size_round_trips_with_upstreams_prefix() {
        for (cipher, sizes) in [
            ("aescbc", &[16, 24, 32][..]),
            ("aesgcm", &[16, 24, 32]),
            ("secretbox", &[32]),
        ] {
            for size in sizes {
                let t = transformer(
                    json!([{cipher: {"keys": [{"name": "k1", "secret": key(*size)}]}}]),
                );
                let plain = b"{\"data\":{\"password\":\"aHVudGVyMg==\"}}".to_vec();
                let stored = t.seal("/registry/secrets/a/b", plain.clone()).unwrap();
                let prefix = format!("k8s:enc:{cipher}:v1:k1:");
                assert!(stored.starts_with(prefix.as_bytes()), "{cipher}");
                assert!(!stored.windows(8).any(|w| w == b"password"), "{cipher}");
                assert_eq!(
                    t.open("/registry/secrets/a/b", stored.clone()).unwrap(),
                    plain
                );
                if cipher == "aesgcm" {
                    // Bound to its key.
                    assert!(t.open("/registry/secrets/a/c", stored).is_err());
                }
            }
        }
    }

    #[test]
    fn the_first_provider_writes_and_every_provider_reads() {
        let old = transformer(json!([{"aescbc": {"keys": [{"name": "old", "secret": key(32)}]}}]));
        let sealed_old = old.seal("/k", b"{}".to_vec()).unwrap();
        // Rotation: a new first key, the old one still read.
        let rotated = transformer(json!([
            {"aescbc": {"keys": [
                {"name": "new", "secret": STANDARD.encode([9u8; 32])},
                {"name": "old", "secret": key(32)},
            ]}},
            {"identity": {}},
        ]));
        assert_eq!(rotated.open("/k", sealed_old.clone()).unwrap(), b"{}");
        assert_eq!(
            rotated.open("/k", b"{\"plain\":1}".to_vec()).unwrap(),
            b"{\"plain\":1}"
        );
        assert!(
            rotated
                .seal("/k", b"{}".to_vec())
                .unwrap()
                .starts_with(b"k8s:enc:aescbc:v1:new:")
        );
        assert!(!rotated.writes(&sealed_old) && old.writes(&sealed_old));
        // Decrypting away: identity writes, the key still reads.
        let away = transformer(json!([
            {"identity": {}},
            {"aescbc": {"keys": [{"name": "old", "secret": key(32)}]}},
        ]));
        assert_eq!(away.seal("/k", b"{}".to_vec()).unwrap(), b"{}");
        assert_eq!(away.open("/k", sealed_old.clone()).unwrap(), b"{}");
        // Without the key, the value cannot be read.
        let plain_only = transformer(json!([{"identity": {}}]));
        let err = plain_only.open("/k", sealed_old).unwrap_err().to_string();
        assert!(err.contains("no matching prefix found"), "{err}");
    }

    #[test]
    fn bad_configurations_are_refused_without_their_secrets() {
        let bad = |providers: Value| {
            let config = json!({
                "apiVersion": "apiserver.config.k8s.io/v1",
                "kind": "EncryptionConfiguration",
                "resources": [{"resources": ["secrets"], "providers": providers}],
            });
            parse_configuration(&config).err().unwrap_or_default()
        };
        let short = bad(
            json!([{"aescbc": {"keys": [{"name": "k", "secret": STANDARD.encode("12345678")}]}}]),
        );
        assert!(
            short.contains("got 8, expected one of [16, 24, 32]") && !short.contains("12345678"),
            "{short}"
        );
        assert!(bad(json!([{"kms": {}}])).contains("not supported"));
        assert!(bad(json!([{"aesgcm": {"keys": []}}])).contains("at least one key"));
        assert!(bad(json!([])).contains("at least one provider"));
    }
}
