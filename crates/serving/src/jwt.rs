//! The keys service account tokens are signed and checked with, as
//! kube-apiserver's `--service-account-signing-key-file` and
//! `--service-account-key-file` take them: one signing key (ES256 with a
//! P-256 key, RS256 with an RSA one) and every public key a token may
//! have been signed with (the signing key's, older keys, other API
//! servers'), from PEM private keys (PKCS#8, SEC1, PKCS#1), public keys
//! (SubjectPublicKeyInfo, PKCS#1) or certificates. Key ids are upstream's:
//! the SHA-256 of the public key's DER, base64url.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

/// The DER of `id-ecPublicKey` with `prime256v1`, and of `rsaEncryption`
/// with its NULL parameters: the algorithm part of a SubjectPublicKeyInfo.
const EC_P256_ALGORITHM: &[u8] = &[
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07,
];
const RSA_ALGORITHM: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// A DER length.
fn der_length(length: usize) -> Vec<u8> {
    match length {
        0..=0x7f => vec![length as u8],
        _ => {
            let bytes: Vec<u8> = length
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            let mut out = vec![0x80 | bytes.len() as u8];
            out.extend(bytes);
            out
        }
    }
}

/// A DER element of `tag` around `contents`.
fn der(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_length(contents.len()));
    out.extend_from_slice(contents);
    out
}

/// A SubjectPublicKeyInfo of `algorithm` around the key's bits.
fn spki(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(key);
    der(0x30, &[algorithm, &der(0x03, &bits)].concat())
}

/// The blocks of a PEM text: (label, DER).
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_string(), String::new()));
        } else if line.starts_with("-----END ") {
            if let Some((label, body)) = current.take() {
                let der = STANDARD
                    .decode(body.as_bytes())
                    .map_err(|e| format!("a {label} block is not base64: {e}"))?;
                blocks.push((label, der));
            }
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    Ok(blocks)
}

/// A key tokens are checked with.
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    pub kid: String,
    key: PublicKey,
}

#[derive(Clone, Debug)]
enum PublicKey {
    /// The uncompressed point.
    EcP256(Vec<u8>),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

impl VerifyingKey {
    fn from_spki(der: &[u8]) -> Result<VerifyingKey, String> {
        use x509_parser::prelude::FromDer;
        use x509_parser::public_key::PublicKey as Parsed;
        let (_, info) = x509_parser::x509::SubjectPublicKeyInfo::from_der(der)
            .map_err(|e| format!("not a public key: {e}"))?;
        let key = match info
            .parsed()
            .map_err(|e| format!("not a public key: {e}"))?
        {
            Parsed::RSA(rsa) => PublicKey::Rsa {
                n: strip_zeros(rsa.modulus),
                e: strip_zeros(rsa.exponent),
            },
            Parsed::EC(point) if point.data().len() == 65 => {
                PublicKey::EcP256(point.data().to_vec())
            }
            _ => return Err("only P-256 ECDSA and RSA keys are supported".into()),
        };
        Ok(VerifyingKey {
            kid: URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, der)),
            key,
        })
    }

    fn algorithm(&self) -> &'static str {
        match self.key {
            PublicKey::EcP256(_) => "ES256",
            PublicKey::Rsa { .. } => "RS256",
        }
    }

    fn verify(&self, message: &[u8], signature_bytes: &[u8]) -> bool {
        match &self.key {
            PublicKey::EcP256(point) => {
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, signature_bytes)
                    .is_ok()
            }
            PublicKey::Rsa { n, e } => signature::RsaPublicKeyComponents { n, e }
                .verify(
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    message,
                    signature_bytes,
                )
                .is_ok(),
        }
    }

    /// As a JSON Web Key.
    pub fn jwk(&self) -> Value {
        match &self.key {
            PublicKey::EcP256(point) => {
                let (x, y) = point.get(1..).map(|xy| xy.split_at(32)).unwrap_or_default();
                json!({"use": "sig", "kty": "EC", "kid": self.kid, "crv": "P-256", "alg": "ES256",
                       "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)})
            }
            PublicKey::Rsa { n, e } => {
                json!({"use": "sig", "kty": "RSA", "kid": self.kid, "alg": "RS256",
                       "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)})
            }
        }
    }
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// The key tokens are signed with.
pub struct SigningKey {
    key: Signer,
    pub verifying: VerifyingKey,
    rng: SystemRandom,
}

enum Signer {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
}

impl SigningKey {
    /// The first private key of a PEM text.
    pub fn from_pem(text: &str) -> Result<SigningKey, String> {
        let rng = SystemRandom::new();
        for (label, block) in pem_blocks(text)? {
            let key = match label.as_str() {
                "PRIVATE KEY" => {
                    match EcdsaKeyPair::from_pkcs8(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        &block,
                        &rng,
                    ) {
                        Ok(key) => Signer::Es256(key),
                        Err(_) => Signer::Rs256(
                            RsaKeyPair::from_pkcs8(&block)
                                .map_err(|e| format!("not a P-256 or RSA key: {e}"))?,
                        ),
                    }
                }
                "EC PRIVATE KEY" => {
                    // SEC1 inside PKCS#8, which is what ring reads.
                    let pkcs8 = der(
                        0x30,
                        &[
                            &[0x02, 0x01, 0x00][..],
                            EC_P256_ALGORITHM,
                            &der(0x04, &block),
                        ]
                        .concat(),
                    );
                    Signer::Es256(
                        EcdsaKeyPair::from_pkcs8(
                            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                            &pkcs8,
                            &rng,
                        )
                        .map_err(|e| format!("not a P-256 key: {e}"))?,
                    )
                }
                "RSA PRIVATE KEY" => Signer::Rs256(
                    RsaKeyPair::from_der(&block).map_err(|e| format!("not an RSA key: {e}"))?,
                ),
                _ => continue,
            };
            let public = match &key {
                Signer::Es256(pair) => spki(EC_P256_ALGORITHM, pair.public_key().as_ref()),
                Signer::Rs256(pair) => spki(RSA_ALGORITHM, pair.public_key().as_ref()),
            };
            return Ok(SigningKey {
                key,
                verifying: VerifyingKey::from_spki(&public)?,
                rng,
            });
        }
        Err("no private key in PEM".into())
    }

    /// A signed token of `claims`, its header naming the algorithm and key.
    pub fn sign(&self, claims: &Value) -> Result<String, String> {
        let header = json!({"alg": self.verifying.algorithm(), "kid": self.verifying.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signed = match &self.key {
            Signer::Es256(pair) => pair
                .sign(&self.rng, input.as_bytes())
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| "signing a token failed".to_string())?,
            Signer::Rs256(pair) => {
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &self.rng,
                    input.as_bytes(),
                    &mut out,
                )
                .map_err(|_| "signing a token failed".to_string())?;
                out
            }
        };
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signed)))
    }
}

/// The public keys of a PEM text (private keys give theirs).
pub fn verifying_keys(text: &str) -> Result<Vec<VerifyingKey>, String> {
    let mut keys = Vec::new();
    for (label, der_bytes) in pem_blocks(text)? {
        match label.as_str() {
            "PUBLIC KEY" => keys.push(VerifyingKey::from_spki(&der_bytes)?),
            "RSA PUBLIC KEY" => {
                keys.push(VerifyingKey::from_spki(&spki(RSA_ALGORITHM, &der_bytes))?)
            }
            "CERTIFICATE" => {
                let (_, cert) = x509_parser::parse_x509_certificate(&der_bytes)
                    .map_err(|e| format!("not a certificate: {e}"))?;
                keys.push(VerifyingKey::from_spki(cert.public_key().raw)?);
            }
            "PRIVATE KEY" | "EC PRIVATE KEY" | "RSA PRIVATE KEY" => {
                let block = format!(
                    "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
                    STANDARD.encode(&der_bytes)
                );
                keys.push(SigningKey::from_pem(&block)?.verifying);
            }
            _ => {}
        }
    }
    if keys.is_empty() {
        return Err("no key in PEM".into());
    }
    Ok(keys)
}

/// The claims of `token` if one of `keys` signed it (and the header's
/// algorithm is that key's); nothing else is checked.
pub fn verify(token: &str, keys: &[VerifyingKey]) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, payload, signature_text) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let signature_bytes = URL_SAFE_NO_PAD.decode(signature_text).ok()?;
    // The signature covers `header.payload`.
    let signed = &token[..token.rfind('.')?];
    let kid = header["kid"].as_str();
    let good = keys
        .iter()
        .filter(|key| header["alg"] == key.algorithm())
        .filter(|key| kid.is_none_or(|kid| kid == key.kid))
        .any(|key| key.verify(signed.as_bytes(), &signature_bytes));
    if !good {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Keys made once for these tests with openssl, in each PEM form.
    const EC_SEC1: &str = include_str!("../testdata/ec-sec1.pem");
    const EC_PUBLIC: &str = include_str!("../testdata/ec.pub");
    const RSA_PKCS8: &str = include_str!("../testdata/rsa-2048.pem");
    const RSA_PUBLIC: &str = include_str!("../testdata/rsa-2048.pub");
    const RSA_PKCS1: &str = include_str!("../testdata/rsa-2048-pkcs1.pem");
    const RSA_PKCS1_PUBLIC: &str = include_str!("../testdata/rsa-2048-pkcs1.pub");

    #[test]
    fn keys_of_every_pem_form_sign_and_verify() {
        let ec_pkcs8 = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .unwrap()
            .serialize_pem();
        let cases = [
            (ec_pkcs8.as_str(), ec_pkcs8.as_str(), "ES256"),
            (EC_SEC1, EC_PUBLIC, "ES256"),
            (RSA_PKCS8, RSA_PUBLIC, "RS256"),
            (RSA_PKCS1, RSA_PKCS1_PUBLIC, "RS256"),
        ];
        for (private, public, algorithm) in cases {
            let key = SigningKey::from_pem(private).unwrap();
            let token = key.sign(&json!({"sub": "me"})).unwrap();
            let keys = verifying_keys(public).unwrap();
            assert_eq!(keys[0].kid, key.verifying.kid);
            assert_eq!(keys[0].jwk()["alg"], algorithm);
            assert_eq!(verify(&token, &keys).unwrap()["sub"], "me");
            let mut forged = token.clone();
            forged.replace_range(forged.len() - 4.., "AAAA");
            assert!(verify(&forged, &keys).is_none());
        }
        // One key's token is not another's.
        let token = SigningKey::from_pem(RSA_PKCS8)
            .unwrap()
            .sign(&json!({}))
            .unwrap();
        assert!(verify(&token, &verifying_keys(EC_PUBLIC).unwrap()).is_none());
        assert!(SigningKey::from_pem("nothing").is_err());
        assert!(verifying_keys("nothing").is_err());
    }
}
