//! Where the kubelet keeps its certificates, as upstream's file store
//! does: each one issued in `<prefix>-<time>.pem` (certificate, then key;
//! mode 0600) and `<prefix>-current.pem` a symlink to the one in use,
//! switched atomically so a crash never leaves half a pair.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate with its key, as issued, and what the kubelet reads
/// from it.
#[derive(Debug)]
pub struct Issued {
    /// The certificate, then the key, in PEM.
    pub pem: String,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
    /// The subject's common name (`system:node:<name>`).
    pub common_name: String,
    /// When to ask for the next one.
    pub renew_at: SystemTime,
    pub certified: Arc<rustls::sign::CertifiedKey>,
    leaf: CertificateDer<'static>,
}

impl Issued {
    /// Reads a certificate and its key from PEM text; they must match.
    pub fn parse(pem: &str) -> Result<Issued, String> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("certificate: {e}"))?;
        let leaf = chain.first().cloned().ok_or("no certificate")?;
        let key = PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| format!("key: {e}"))?;
        let signing = rustls::crypto::ring::sign::any_supported_type(&key)
            .map_err(|e| format!("key: {e}"))?;
        let certified = rustls::sign::CertifiedKey::new(chain, signing);
        certified
            .keys_match()
            .map_err(|e| format!("the key is not the certificate's: {e}"))?;
        let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref())
            .map_err(|e| format!("certificate: {e}"))?;
        let at =
            |seconds: i64| UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap_or(0));
        let not_before = at(cert.validity().not_before.timestamp());
        let not_after = at(cert.validity().not_after.timestamp());
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .unwrap_or_default()
            .to_string();
        Ok(Issued {
            pem: pem.to_string(),
            not_before,
            not_after,
            common_name,
            renew_at: renewal_deadline(not_before, not_after, random_fraction()),
            certified: Arc::new(certified),
            leaf,
        })
    }

    /// Whether the CA in `ca_pem` signed this certificate.
    pub fn issued_by(&self, ca_pem: &str) -> bool {
        let Ok((_, leaf)) = x509_parser::parse_x509_certificate(self.leaf.as_ref()) else {
            return false;
        };
        CertificateDer::pem_slice_iter(ca_pem.as_bytes())
            .filter_map(Result::ok)
            .any(|ca| {
                x509_parser::parse_x509_certificate(ca.as_ref())
                    .is_ok_and(|(_, ca)| leaf.verify_signature(Some(ca.public_key())).is_ok())
            })
    }

    /// Whether it names `address` (a serving certificate the API server
    /// dials that address with).
    pub fn names_address(&self, address: std::net::IpAddr) -> bool {
        use x509_parser::extensions::GeneralName;
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(self.leaf.as_ref()) else {
            return false;
        };
        let Ok(Some(names)) = cert.subject_alternative_name() else {
            return false;
        };
        names
            .value
            .general_names
            .iter()
            .any(|name| match (name, address) {
                (GeneralName::IPAddress(bytes), std::net::IpAddr::V4(v4)) => *bytes == v4.octets(),
                (GeneralName::IPAddress(bytes), std::net::IpAddr::V6(v6)) => *bytes == v6.octets(),
                _ => false,
            })
    }

    /// Whether it is valid now.
    pub fn valid_now(&self) -> bool {
        let now = SystemTime::now();
        self.not_before <= now && now < self.not_after
    }
}

/// When a certificate is renewed: 70% of its life plus up to a fifth of
/// that again (upstream's jittered deadline), `fraction` in [0, 1).
fn renewal_deadline(not_before: SystemTime, not_after: SystemTime, fraction: f64) -> SystemTime {
    let life = not_after
        .duration_since(not_before)
        .unwrap_or(Duration::ZERO);
    not_before + life.mul_f64(0.7 * (1.0 + 0.2 * fraction.clamp(0.0, 1.0)))
}

/// A number in [0, 1) from the system's random source.
fn random_fraction() -> f64 {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    f64::from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])) / 4_294_967_296.0
}

/// The certificates of one kind (`kubelet-client`, `kubelet-server`) in
/// one directory.
#[derive(Clone, Debug)]
pub struct CertificateStore {
    dir: PathBuf,
    prefix: String,
}

impl CertificateStore {
    pub fn new(dir: &Path, prefix: &str) -> CertificateStore {
        CertificateStore {
            dir: dir.to_path_buf(),
            prefix: prefix.to_string(),
        }
    }

    /// `<prefix>-current.pem`: what kubeconfigs name.
    pub fn current_path(&self) -> PathBuf {
        self.dir.join(format!("{}-current.pem", self.prefix))
    }

    /// The certificate in use, if there is one.
    pub fn load(&self) -> Result<Option<Issued>, String> {
        let path = self.current_path();
        match std::fs::read_to_string(&path) {
            Ok(pem) => Issued::parse(&pem)
                .map(Some)
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(format!("{}: {err}", path.display())),
        }
    }

    /// Keeps `pem` as the certificate in use and removes the one before.
    pub fn save(&self, pem: &str) -> Result<Issued, String> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let issued = Issued::parse(pem)?;
        let failed = |path: &Path, err: std::io::Error| format!("{}: {err}", path.display());
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| failed(&self.dir, e))?;
        let stamp = k8s_openapi::jiff::Timestamp::now().strftime("%Y-%m-%d-%H-%M-%S%.f");
        let file_name = format!("{}-{stamp}.pem", self.prefix);
        let path = self.dir.join(&file_name);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| failed(&path, e))?;
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| failed(&path, e))?;
        let current = self.current_path();
        let before = std::fs::read_link(&current).ok();
        let staged = self.dir.join(format!(".{}-current.pem.new", self.prefix));
        let _ = std::fs::remove_file(&staged);
        std::os::unix::fs::symlink(&file_name, &staged).map_err(|e| failed(&staged, e))?;
        std::fs::rename(&staged, &current).map_err(|e| failed(&current, e))?;
        // Only a file of ours, by its plain name, is removed.
        if let Some(before) = before
            .filter(|b| b.as_os_str() != file_name.as_str())
            .and_then(|b| b.to_str().map(str::to_string))
            .filter(|b| {
                b.starts_with(&format!("{}-", self.prefix))
                    && !b.contains('/')
                    && b.ends_with(".pem")
            })
        {
            let _ = std::fs::remove_file(self.dir.join(before));
        }
        Ok(issued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(ca: &rcgen::Issuer<'_, rcgen::KeyPair>, name: &str) -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let cert = params.signed_by(&key, ca).unwrap();
        format!("{}{}", cert.pem(), key.serialize_pem())
    }

    fn new_ca() -> (String, rcgen::Issuer<'static, rcgen::KeyPair>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), rcgen::Issuer::new(params, key))
    }

    #[test]
    fn saved_certificates_replace_each_other_behind_one_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = CertificateStore::new(&dir.path().join("pki"), "kubelet-client");
        assert!(store.load().unwrap().is_none());
        let (ca_pem, ca) = new_ca();
        let first = store.save(&pair(&ca, "system:node:a")).unwrap();
        assert_eq!(first.common_name, "system:node:a");
        assert!(first.issued_by(&ca_pem) && first.valid_now());
        assert!(!first.issued_by(&new_ca().0));
        let second = store.save(&pair(&ca, "system:node:b")).unwrap();
        let loaded = store.load().unwrap().unwrap();
        assert_eq!(loaded.pem, second.pem);
        let files: Vec<_> = std::fs::read_dir(dir.path().join("pki"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files.len(), 2, "{files:?}");
        let target = std::fs::read_link(store.current_path()).unwrap();
        let mode = std::fs::metadata(dir.path().join("pki").join(target))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A key that is not the certificate's is refused.
        let other = pair(&ca, "x");
        let mismatched = format!(
            "{}{}",
            &second.pem[..second.pem.find("-----BEGIN PRIVATE KEY").unwrap()],
            &other[other.find("-----BEGIN PRIVATE KEY").unwrap()..]
        );
        assert!(Issued::parse(&mismatched).is_err());
    }

    #[test]
    fn renewal_falls_between_seventy_and_eighty_four_percent() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000);
        let end = start + Duration::from_secs(1_000);
        assert_eq!(
            renewal_deadline(start, end, 0.0),
            start + Duration::from_secs(700)
        );
        assert_eq!(
            renewal_deadline(start, end, 1.0),
            start + Duration::from_secs(840)
        );
        assert_eq!(renewal_deadline(end, start, 0.5), end);
    }
}
