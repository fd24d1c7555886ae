//! Leader election on a `coordination.k8s.io/v1` Lease, as client-go's
//! leaderelection does it: candidates try to take the lease every retry
//! period; the holder renews it; a lease not renewed within its duration
//! (as this candidate observed, never by comparing clocks) may be taken
//! over; a leader that cannot renew within the renew deadline stops its
//! work at once. Used by the scheduler and the controller manager.

use std::future::Future;
use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

#[derive(Clone, Debug)]
pub struct LeaseConfig {
    pub namespace: String,
    pub name: String,
    /// `<hostname>_<uuid>`, unique per candidate.
    pub identity: String,
    /// How long a lease lasts without renewal (15 s upstream).
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it gives up (10 s).
    pub renew_deadline: Duration,
    /// How often candidates try and the leader renews (2 s).
    pub retry_period: Duration,
    /// Give the lease up on shutdown, so a standby takes over at once.
    pub release_on_cancel: bool,
}

impl LeaseConfig {
    /// Upstream's defaults for a lease `namespace/name`.
    pub fn new(namespace: &str, name: &str) -> LeaseConfig {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "rudder".into());
        LeaseConfig {
            namespace: namespace.into(),
            name: name.into(),
            identity: format!("{host}_{}", uuid::Uuid::new_v4()),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
            release_on_cancel: true,
        }
    }
}

/// What this candidate last saw of the lease, and when it saw it change.
struct Observed {
    holder: String,
    renew_time: Option<Timestamp>,
    at: Instant,
}

struct Candidate {
    leases: Api<Lease>,
    config: LeaseConfig,
    observed: Option<Observed>,
}

fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

impl Candidate {
    /// Takes or renews the lease; Ok(true) when this candidate holds it.
    async fn try_acquire_or_renew(&mut self) -> Result<bool, kube::Error> {
        let config = &self.config;
        let Some(mut lease) = self.leases.get_opt(&config.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(config.name.clone()),
                    namespace: Some(config.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(config.identity.clone()),
                    lease_duration_seconds: Some(config.lease_duration.as_secs() as i32),
                    acquire_time: Some(now()),
                    renew_time: Some(now()),
                    lease_transitions: Some(0),
                    ..LeaseSpec::default()
                }),
            };
            return match self.leases.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
                Err(err) => Err(err),
            };
        };
        let spec = lease.spec.clone().unwrap_or_default();
        let holder = spec.holder_identity.clone().unwrap_or_default();
        let renew_time = spec.renew_time.as_ref().map(|t| t.0);
        let changed = self
            .observed
            .as_ref()
            .is_none_or(|o| o.holder != holder || o.renew_time != renew_time);
        if changed {
            self.observed = Some(Observed {
                holder: holder.clone(),
                renew_time,
                at: Instant::now(),
            });
        }
        let held_by_other = !holder.is_empty() && holder != config.identity;
        let duration = spec
            .lease_duration_seconds
            .map_or(config.lease_duration, |s| {
                Duration::from_secs(s.max(0) as u64)
            });
        let fresh = self
            .observed
            .as_ref()
            .is_some_and(|o| o.at.elapsed() < duration);
        if held_by_other && fresh {
            return Ok(false);
        }
        let mut next = spec.clone();
        if holder != config.identity {
            next.holder_identity = Some(config.identity.clone());
            next.acquire_time = Some(now());
            next.lease_transitions =
                Some(spec.lease_transitions.unwrap_or(0) + i32::from(!holder.is_empty()));
        }
        next.renew_time = Some(now());
        next.lease_duration_seconds = Some(config.lease_duration.as_secs() as i32);
        lease.spec = Some(next);
        // The resourceVersion read makes this a compare-and-swap.
        match self
            .leases
            .replace(&config.name, &PostParams::default(), &lease)
            .await
        {
            Ok(written) => {
                let spec = written.spec.unwrap_or_default();
                self.observed = Some(Observed {
                    holder: spec.holder_identity.unwrap_or_default(),
                    renew_time: spec.renew_time.map(|t| t.0),
                    at: Instant::now(),
                });
                Ok(true)
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Gives the lease up (an empty holder), if this candidate holds it.
    async fn release(&mut self) {
        let Ok(Some(mut lease)) = self.leases.get_opt(&self.config.name).await else {
            return;
        };
        let Some(spec) = lease.spec.as_mut() else {
            return;
        };
        if spec.holder_identity.as_deref() != Some(self.config.identity.as_str()) {
            return;
        }
        spec.holder_identity = None;
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(now());
        let _ = self
            .leases
            .replace(&self.config.name, &PostParams::default(), &lease)
            .await;
    }
}

/// Campaigns until `shutdown` turns true. While this candidate leads,
/// `work` runs, given a receiver that turns true when leadership ends (the
/// lease lost or shutdown); it must stop then. After losing the lease the
/// candidate campaigns again.
pub async fn run<W, F>(
    client: Client,
    config: LeaseConfig,
    mut shutdown: watch::Receiver<bool>,
    work: W,
) where
    W: Fn(watch::Receiver<bool>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let leases: Api<Lease> = Api::namespaced(client, &config.namespace);
    let mut candidate = Candidate {
        leases,
        config: config.clone(),
        observed: None,
    };
    loop {
        // Campaign.
        loop {
            if *shutdown.borrow() {
                return;
            }
            match candidate.try_acquire_or_renew().await {
                Ok(true) => break,
                Ok(false) => {}
                Err(err) => {
                    tracing::debug!(lease = %config.name, error = %err, "acquiring the lease")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(config.retry_period) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
        tracing::info!(lease = %format!("{}/{}", config.namespace, config.name), identity = %config.identity, "successfully acquired lease");
        let (lost, losing) = watch::channel(false);
        let task = tokio::spawn(work(losing));
        let mut renewed = Instant::now();
        let stopping = loop {
            tokio::select! {
                _ = tokio::time::sleep(config.retry_period) => {}
                _ = shutdown.wait_for(|stop| *stop) => break true,
            }
            match candidate.try_acquire_or_renew().await {
                Ok(true) => renewed = Instant::now(),
                Ok(false) => {}
                Err(err) => {
                    tracing::debug!(lease = %config.name, error = %err, "renewing the lease")
                }
            }
            if renewed.elapsed() > config.renew_deadline {
                break false;
            }
        };
        let _ = lost.send(true);
        let _ = task.await;
        if stopping {
            if config.release_on_cancel {
                candidate.release().await;
            }
            return;
        }
        tracing::warn!(lease = %config.name, "leaderelection lost");
    }
}
