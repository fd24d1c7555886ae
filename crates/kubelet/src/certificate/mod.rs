//! The kubelet's own certificates from the cluster's signers, kept as
//! upstream's certificate manager keeps them: a client certificate
//! (`system:node:<name>`) asked for with a bootstrap token when a node
//! joins, and a serving certificate for its port; each renewed through a
//! new CertificateSigningRequest when 70–84% of its life has passed, and
//! served from memory the moment it is issued (TLS asks at each handshake).

mod client;
mod request;
mod store;

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

pub use client::client;
pub use request::{CLIENT_SIGNER, RequestError, SERVING_SIGNER, Template, request};
pub use store::{CertificateStore, Issued};

/// A certificate that is renewed while it is used: TLS clients and
/// servers read the current one at each handshake.
pub struct Rotating {
    store: CertificateStore,
    template: Template,
    current: RwLock<Option<Arc<Issued>>>,
}

impl std::fmt::Debug for Rotating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rotating")
            .field("signer", &self.template.signer)
            .field("subject", &self.template.common_name)
            .finish()
    }
}

/// Waits after a failed request, doubling up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// A deadline further away than this is looked at again then (the
/// clock may have been set meanwhile).
const LONGEST_SLEEP: Duration = Duration::from_secs(3600);

impl Rotating {
    /// `current` is what the store held (if it is still good to use).
    pub fn new(store: CertificateStore, template: Template, current: Option<Issued>) -> Arc<Self> {
        Arc::new(Rotating {
            store,
            template,
            current: RwLock::new(current.map(Arc::new)),
        })
    }

    pub fn current(&self) -> Option<Arc<Issued>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// Where the current certificate's file is.
    pub fn current_path(&self) -> std::path::PathBuf {
        self.store.current_path()
    }

    /// Asks for a certificate now (as `client`), keeps it and serves it
    /// from here on.
    pub async fn renew(
        &self,
        client: &kube::Client,
        stopping: &mut watch::Receiver<bool>,
    ) -> Result<Arc<Issued>, RequestError> {
        self.renew_as(client, &self.template, stopping).await
    }

    /// [`renew`](Self::renew) with a request of another form (a
    /// bootstrap request's name).
    pub async fn renew_as(
        &self,
        client: &kube::Client,
        template: &Template,
        stopping: &mut watch::Receiver<bool>,
    ) -> Result<Arc<Issued>, RequestError> {
        let pem = request(client, template, stopping).await?;
        let issued = Arc::new(self.store.save(&pem).map_err(RequestError::Other)?);
        if let Ok(mut current) = self.current.write() {
            *current = Some(issued.clone());
        }
        tracing::info!(
            signer = self.template.signer,
            subject = %issued.common_name,
            path = %self.store.current_path().display(),
            "certificate issued and in use"
        );
        Ok(issued)
    }

    /// Keeps a certificate until `stopping`: asks for one if there is
    /// none, then renews each at its deadline, retrying failures with
    /// back-off.
    pub async fn run(self: Arc<Self>, client: kube::Client, mut stopping: watch::Receiver<bool>) {
        let mut backoff = Duration::from_secs(2);
        loop {
            let wait = self
                .current()
                .map(|issued| {
                    issued
                        .renew_at
                        .duration_since(SystemTime::now())
                        .unwrap_or(Duration::ZERO)
                })
                .unwrap_or(Duration::ZERO);
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(wait.min(LONGEST_SLEEP)) => continue,
                    _ = stopping.wait_for(|stop| *stop) => return,
                }
            }
            match self.renew(&client, &mut stopping).await {
                Ok(_) => backoff = Duration::from_secs(2),
                Err(RequestError::Stopped) => return,
                Err(err) => {
                    tracing::warn!(signer = self.template.signer, error = %err, retry_in_s = backoff.as_secs(), "cannot renew the certificate");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = stopping.wait_for(|stop| *stop) => return,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
}

impl rustls::client::ResolvesClientCert for Rotating {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.current().map(|issued| issued.certified.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

impl rustls::server::ResolvesServerCert for Rotating {
    /// None until the first certificate is issued: the handshake fails,
    /// as upstream's kubelet refuses to serve without one.
    fn resolve(
        &self,
        _client_hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.current().map(|issued| issued.certified.clone())
    }
}
