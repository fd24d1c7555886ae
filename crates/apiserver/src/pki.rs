//! The cluster's certificates: a CA made on first start, the API server's
//! serving certificate, and client certificates for the admin user and each
//! component (CN = user, O = groups, as Kubernetes reads them). A restart
//! reuses everything; a serving certificate missing a requested name or
//! close to expiry is issued again from the same CA.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
}

const CA_VALIDITY_DAYS: i64 = 3650;
const LEAF_VALIDITY_DAYS: i64 = 365;
/// Leaf certificates closer than this to expiry are issued again at start.
const RENEW_BEFORE_DAYS: i64 = 90;

/// A certificate and its key, as PEM files.
#[derive(Clone, Debug)]
pub struct CertPair {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl CertPair {
    pub fn cert_pem(&self) -> Result<String, PkiError> {
        read(&self.cert)
    }

    pub fn key_pem(&self) -> Result<String, PkiError> {
        read(&self.key)
    }
}

/// The SHA-256 of a PEM certificate's DER bytes, in lowercase hex: what a
/// join token pins the cluster CA with.
pub fn fingerprint(pem: &str) -> Option<String> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).ok()?;
    let digest = ring::digest::digest(&ring::digest::SHA256, der.as_ref());
    Some(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

/// The certificates of one cluster, under `DATA_DIR/pki`.
#[derive(Clone, Debug)]
pub struct ClusterPki {
    pub dir: PathBuf,
    pub ca: CertPair,
    pub serving: CertPair,
    pub admin: CertPair,
}

fn read(path: &Path) -> Result<String, PkiError> {
    std::fs::read_to_string(path).map_err(|source| PkiError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn write(path: &Path, contents: &str, private: bool) -> Result<(), PkiError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |source| PkiError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut part = path.as_os_str().to_owned();
    part.push(".tmp");
    let part = PathBuf::from(part);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(if private { 0o600 } else { 0o644 })
        .open(&part)
        .map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&part, path).map_err(io)
}

fn pair(dir: &Path, name: &str) -> CertPair {
    CertPair {
        cert: dir.join(format!("{name}.crt")),
        key: dir.join(format!("{name}.key")),
    }
}

fn validity(params: &mut CertificateParams, days: i64) {
    let now = OffsetDateTime::now_utc();
    // A little slack for clocks that disagree by a few minutes.
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(days);
}

/// What a leaf certificate is for.
enum Leaf<'a> {
    Server {
        name: &'a str,
        dns: &'a [String],
        ips: &'a [IpAddr],
    },
    Client {
        user: &'a str,
        groups: &'a [&'a str],
    },
}

impl ClusterPki {
    /// Loads the cluster's certificates from `DATA_DIR/pki`, creating what
    /// is missing. `hosts` are the names and addresses the API server is
    /// reached at (beyond localhost and 127.0.0.1, which are always there).
    pub fn ensure(data_dir: &Path, hosts: &[String]) -> Result<ClusterPki, PkiError> {
        let dir = data_dir.join("pki");
        std::fs::create_dir_all(&dir).map_err(|source| PkiError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let ca = pair(&dir, "ca");
        if !ca.cert.exists() || !ca.key.exists() {
            let key = KeyPair::generate()?;
            let mut params = CertificateParams::new(Vec::<String>::new())?;
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.key_usages = vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
                KeyUsagePurpose::DigitalSignature,
            ];
            let mut name = DistinguishedName::new();
            name.push(DnType::CommonName, "rudder-ca");
            params.distinguished_name = name;
            validity(&mut params, CA_VALIDITY_DAYS);
            let cert = params.self_signed(&key)?;
            write(&ca.key, &key.serialize_pem(), true)?;
            write(&ca.cert, &cert.pem(), false)?;
        }
        let ca_key = KeyPair::from_pem(&ca.key_pem()?).map_err(|e| PkiError::Invalid {
            path: ca.key.display().to_string(),
            reason: e.to_string(),
        })?;
        let issuer =
            Issuer::from_ca_cert_pem(&ca.cert_pem()?, ca_key).map_err(|e| PkiError::Invalid {
                path: ca.cert.display().to_string(),
                reason: e.to_string(),
            })?;

        let mut dns = vec![
            "localhost".to_string(),
            "kubernetes".to_string(),
            "kubernetes.default".to_string(),
            "kubernetes.default.svc".to_string(),
            "kubernetes.default.svc.cluster.local".to_string(),
        ];
        let mut ips: Vec<IpAddr> = vec![[127, 0, 0, 1].into()];
        for host in hosts {
            match host.parse::<IpAddr>() {
                Ok(ip) if !ips.contains(&ip) => ips.push(ip),
                Ok(_) => {}
                Err(_) if !dns.contains(host) => dns.push(host.clone()),
                Err(_) => {}
            }
        }
        let serving = pair(&dir, "apiserver");
        ensure_leaf(
            &issuer,
            &serving,
            Leaf::Server {
                name: "kube-apiserver",
                dns: &dns,
                ips: &ips,
            },
        )?;
        let admin = pair(&dir, "admin");
        ensure_leaf(
            &issuer,
            &admin,
            Leaf::Client {
                user: "admin",
                groups: &["system:masters"],
            },
        )?;
        Ok(ClusterPki {
            dir,
            ca,
            serving,
            admin,
        })
    }

    /// A serving certificate for a component's secure port (the
    /// scheduler's `/healthz` and `/metrics`), for localhost and
    /// 127.0.0.1; created on first use.
    pub fn server(&self, file: &str) -> Result<CertPair, PkiError> {
        let issuer = self.issuer()?;
        let cert = pair(&self.dir, file);
        let dns = vec!["localhost".to_string()];
        let ips = vec![IpAddr::from([127, 0, 0, 1])];
        ensure_leaf(
            &issuer,
            &cert,
            Leaf::Server {
                name: "kube-apiserver",
                dns: &dns,
                ips: &ips,
            },
        )?;
        Ok(cert)
    }

    /// A kubelet's serving certificate (port 10250), naming the node and
    /// its addresses; created on first use, renewed when they change.
    pub fn kubelet_server(
        &self,
        node: &str,
        dns: &[String],
        ips: &[IpAddr],
    ) -> Result<CertPair, PkiError> {
        let issuer = self.issuer()?;
        let cert = pair(&self.dir, &format!("kubelet-{node}-serving"));
        let name = format!("system:node:{node}");
        ensure_leaf(
            &issuer,
            &cert,
            Leaf::Server {
                name: &name,
                dns,
                ips,
            },
        )?;
        Ok(cert)
    }

    fn issuer(&self) -> Result<Issuer<'static, KeyPair>, PkiError> {
        let ca_key = KeyPair::from_pem(&self.ca.key_pem()?).map_err(|e| PkiError::Invalid {
            path: self.ca.key.display().to_string(),
            reason: e.to_string(),
        })?;
        Issuer::from_ca_cert_pem(&self.ca.cert_pem()?, ca_key).map_err(|e| PkiError::Invalid {
            path: self.ca.cert.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// A client certificate for a component (`system:kube-scheduler`, ...),
    /// created on first use.
    pub fn client(&self, file: &str, user: &str, groups: &[&str]) -> Result<CertPair, PkiError> {
        let issuer = self.issuer()?;
        let cert = pair(&self.dir, file);
        ensure_leaf(&issuer, &cert, Leaf::Client { user, groups })?;
        Ok(cert)
    }
}

/// Whether an existing leaf certificate can be kept: it parses, it is not
/// close to expiry, and (for a server) it names every requested host.
fn still_good(pair: &CertPair, leaf: &Leaf<'_>) -> bool {
    let Ok(pem) = std::fs::read(&pair.cert) else {
        return false;
    };
    if !pair.key.exists() {
        return false;
    }
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(&pem) else {
        return false;
    };
    let Ok(cert) = pem.parse_x509() else {
        return false;
    };
    let remaining =
        cert.validity().not_after.timestamp() - OffsetDateTime::now_utc().unix_timestamp();
    if remaining < RENEW_BEFORE_DAYS * 86400 {
        return false;
    }
    if let Leaf::Server { dns, ips, .. } = leaf {
        let Ok(Some(san)) = cert.subject_alternative_name() else {
            return false;
        };
        let names: Vec<String> = san
            .value
            .general_names
            .iter()
            .map(|n| match n {
                x509_parser::extensions::GeneralName::DNSName(d) => d.to_string(),
                x509_parser::extensions::GeneralName::IPAddress(bytes) => match bytes.len() {
                    4 => IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap_or_default()).to_string(),
                    16 => {
                        IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap_or_default()).to_string()
                    }
                    _ => String::new(),
                },
                _ => String::new(),
            })
            .collect();
        return dns.iter().all(|d| names.contains(d))
            && ips.iter().all(|ip| names.contains(&ip.to_string()));
    }
    true
}

fn ensure_leaf(
    issuer: &Issuer<'_, KeyPair>,
    pair: &CertPair,
    leaf: Leaf<'_>,
) -> Result<(), PkiError> {
    if still_good(pair, &leaf) {
        return Ok(());
    }
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut name = DistinguishedName::new();
    match &leaf {
        Leaf::Server {
            name: common_name,
            dns,
            ips,
        } => {
            name.push(DnType::CommonName, *common_name);
            for d in dns.iter() {
                params
                    .subject_alt_names
                    .push(SanType::DnsName(d.clone().try_into()?));
            }
            for ip in ips.iter() {
                params.subject_alt_names.push(SanType::IpAddress(*ip));
            }
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
        Leaf::Client { user, groups } => {
            name.push(DnType::CommonName, *user);
            for group in groups.iter() {
                name.push(DnType::OrganizationName, *group);
            }
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        }
    }
    params.distinguished_name = name;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    validity(&mut params, LEAF_VALIDITY_DAYS);
    let cert = params.signed_by(&key, issuer)?;
    write(&pair.key, &key.serialize_pem(), true)?;
    write(&pair.cert, &cert.pem(), false)?;
    Ok(())
}

/// Writes a kubeconfig whose cluster, user and context are all named
/// `rudder`, with the certificates embedded.
pub fn write_kubeconfig(
    path: &Path,
    server: &str,
    ca_pem: &str,
    client: &CertPair,
) -> Result<(), PkiError> {
    use base64::Engine;
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let contents = format!(
        "apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: {server}
  name: rudder
contexts:
- context:
    cluster: rudder
    user: rudder
  name: rudder
current-context: rudder
preferences: {{}}
users:
- name: rudder
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
",
        ca = b64(ca_pem),
        cert = b64(&client.cert_pem()?),
        key = b64(&client.key_pem()?),
    );
    write(path, &contents, true)
}
