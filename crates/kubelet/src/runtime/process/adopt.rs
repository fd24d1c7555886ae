//! Taking over what an earlier kubelet left running: a pod's sandbox and
//! its containers from their records, a live container's streams from its
//! reaper, and the end of a container that finished while no kubelet
//! watched from the status its reaper wrote. What no pod claims is
//! stopped and removed.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::state::ContainerRecord;
use super::streams::{Streams, pidfd_getfd, pidfd_open, wait_for_end};
use super::{Container, LogFile, ProcessRuntime, network, pty};
use crate::runtime::{AdoptedContainer, AdoptedPod, ContainerState, Sandbox, now};

/// Upstream's reason for a container whose end nobody saw.
const STATUS_UNKNOWN: &str = "ContainerStatusUnknown";

impl ProcessRuntime {
    /// The pod's sandbox and containers, if an earlier kubelet left them.
    pub(super) async fn adopt(&self, pod_uid: &str, exited: Arc<Notify>) -> Option<AdoptedPod> {
        let record = {
            let mut sandboxes = self.sandboxes();
            let entry = sandboxes
                .values_mut()
                .find(|e| e.recovered && e.record.pod_uid == pod_uid)?;
            entry.recovered = false;
            entry.record.clone()
        };
        let records: Vec<ContainerRecord> = {
            let mut recovered = self.recovered.lock().unwrap_or_else(|e| e.into_inner());
            let (mine, rest) = recovered
                .drain(..)
                .partition(|c: &ContainerRecord| c.sandbox_id == record.id);
            *recovered = rest;
            mine
        };
        let sandbox = Sandbox {
            id: record.id.clone(),
            ip: record.ip,
            netns: record.netns.clone(),
        };
        if record.netns.as_ref().is_some_and(|path| !path.exists()) {
            // The node restarted: the namespace and its processes are gone.
            tracing::info!(
                pod = pod_uid,
                "a sandbox left by an earlier kubelet is gone"
            );
            for container in &records {
                container.reaper().kill_session();
                self.state.forget_container(&container.id);
            }
            if let Some(pause) = record.pause {
                pause.kill_session();
            }
            self.sandboxes().remove(&record.id);
            self.state.forget_sandbox(&record.id);
            return None;
        }
        let mut containers = Vec::new();
        for container in records {
            let state = self
                .adopt_container(container.clone(), &record.hostname, exited.clone())
                .await;
            containers.push(AdoptedContainer {
                id: container.id,
                name: container.config.name,
                attempt: container.config.attempt,
                log_path: container.config.log_path,
                state,
            });
        }
        tracing::info!(
            pod = pod_uid,
            containers = containers.len(),
            "adopted a pod left by an earlier kubelet"
        );
        Some(AdoptedPod {
            sandbox,
            containers,
        })
    }

    /// Makes a recorded container this runtime's again: watched if it
    /// runs, else Exited as its reaper said (or unknown).
    async fn adopt_container(
        &self,
        record: ContainerRecord,
        hostname: &str,
        exited: Arc<Notify>,
    ) -> ContainerState {
        let cgroup = self.cgroups.as_ref().and_then(|cgroups| {
            cgroups
                .create(
                    &record.id,
                    record.config.memory_limit,
                    record.config.cpu_limit_millis,
                )
                .ok()
        });
        if !record.config.image.is_empty() {
            let size = record
                .config
                .argv
                .first()
                .and_then(|p| super::resolve(p, &record.config.env))
                .and_then(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .unwrap_or(0);
            self.images
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(record.config.image.clone(), size);
        }
        let netns = self
            .sandboxes()
            .get(&record.sandbox_id)
            .and_then(|s| s.record.netns.clone());
        self.containers().insert(
            record.id.clone(),
            Container::created(
                record.config.clone(),
                record.sandbox_id.clone(),
                netns,
                hostname.to_string(),
            ),
        );
        if record.reaper().alive() {
            match self.take_over(&record, cgroup, exited).await {
                Ok(()) => {
                    return ContainerState::Running {
                        started_at: record.started_at,
                    };
                }
                Err(err) => {
                    // Unwatched, it could neither log nor be seen to end:
                    // it is stopped and started again.
                    tracing::warn!(container = %record.id, error = %err, "cannot take over a running container; killing it");
                    record.reaper().kill_session();
                    record.reaper().gone_within(Duration::from_secs(1)).await;
                }
            }
        }
        let (exit_code, finished_at, reason) = match self.state.read_exit(&record.id) {
            Some((code, at)) => (code, at, None),
            None => (137, now(), Some(STATUS_UNKNOWN.to_string())),
        };
        let state = ContainerState::Exited {
            exit_code,
            reason,
            started_at: Some(record.started_at),
            finished_at,
        };
        if let Some(container) = self.containers().get_mut(&record.id) {
            container.state = state.clone();
        }
        state
    }

    /// Takes copies of a running container's streams from its reaper and
    /// watches it as if this runtime had started it.
    async fn take_over(
        &self,
        record: &ContainerRecord,
        cgroup: Option<super::cgroups::ContainerCgroup>,
        exited: Arc<Notify>,
    ) -> std::io::Result<()> {
        let pidfd = pidfd_open(record.pid)?;
        let take = |fd: Option<i32>| fd.map(|fd| pidfd_getfd(&pidfd, fd)).transpose();
        let terminal = take(record.streams.terminal)?
            .map(pty::Primary::from_fd)
            .transpose()?;
        let streams = Streams::from_fds(
            take(record.streams.stdout)?,
            take(record.streams.stderr)?,
            take(record.streams.stdin)?,
            terminal,
        )?;
        let log = LogFile::open(&record.config.log_path).await?;
        let exit_path = self.state.exit_path(&record.id);
        let end = Box::pin(async move {
            wait_for_end(pidfd).await;
            match super::state::read_exit_file(&exit_path) {
                Some((code, at)) => (code, at, None),
                // Killed itself (SIGKILL to the container's session).
                None => (137, now(), None),
            }
        });
        self.watch_container(
            &record.id,
            record.pid,
            record.started_at,
            cgroup,
            streams,
            log,
            end,
            exited,
        )
        .map_err(|e| std::io::Error::other(e.to_string()))
    }

    /// Stops and removes the sandboxes and containers earlier kubelets left
    /// whose pods are not in `keep`, and records that lost their sandbox.
    pub(super) async fn remove_unadopted(&self, keep: &HashSet<String>) {
        let orphans: Vec<super::state::SandboxRecord> = {
            let mut sandboxes = self.sandboxes();
            let ids: Vec<String> = sandboxes
                .iter()
                .filter(|(_, e)| e.recovered && !keep.contains(&e.record.pod_uid))
                .map(|(id, _)| id.clone())
                .collect();
            ids.iter()
                .filter_map(|id| sandboxes.remove(id).map(|e| e.record))
                .collect()
        };
        let containers: Vec<ContainerRecord> = {
            let sandboxes = self.sandboxes();
            let mut recovered = self.recovered.lock().unwrap_or_else(|e| e.into_inner());
            let (gone, rest) = recovered.drain(..).partition(|c: &ContainerRecord| {
                orphans.iter().any(|o| o.id == c.sandbox_id)
                    || !sandboxes.contains_key(&c.sandbox_id)
            });
            *recovered = rest;
            gone
        };
        for container in &containers {
            tracing::info!(container = %container.config.name, "stopping a container no pod claims");
            container.reaper().kill_session();
        }
        for container in &containers {
            container.reaper().gone_within(Duration::from_secs(2)).await;
            if let Some(cgroups) = &self.cgroups
                && let Ok(cgroup) = cgroups.create(&container.id, None, None)
            {
                cgroup.remove().await;
            }
            self.state.forget_container(&container.id);
        }
        for sandbox in orphans {
            if let Some(pause) = sandbox.pause {
                pause.kill_session();
            }
            if sandbox.netns.is_some() {
                network::remove_pod(&sandbox.id).await;
                self.release_address(sandbox.ip);
            }
            self.state.forget_sandbox(&sandbox.id);
        }
    }

    /// Kills what earlier kubelets left and nobody adopted (the runtime is
    /// going away and keeps nothing running).
    pub(super) fn kill_unadopted_now(&self) {
        let recovered = self.recovered.lock().unwrap_or_else(|e| e.into_inner());
        for container in recovered.iter() {
            container.reaper().kill_session();
            self.state.forget_container(&container.id);
        }
    }
}
