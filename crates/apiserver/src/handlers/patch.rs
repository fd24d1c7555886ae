//! patch: JSON, merge and strategic merge patches applied to the current object and
//! retried on conflict.

use axum::http::StatusCode;
use axum::response::Response;

use serde_json::Value;

use super::update::pinned_version;
use super::*;

impl Call<'_> {
    pub(super) async fn patch(&self, body: &[u8]) -> Result<Response, ApiError> {
        let served = self.info();
        let info = self.storage_info();
        let name = self.name()?.to_string();
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        // Custom kinds have no patch strategies to merge by.
        let media = content_type.split(';').next().unwrap_or_default().trim();
        if served.custom.is_some() && media == crate::patch::STRATEGIC_MERGE_PATCH {
            return Err(ApiError::unsupported_media_type(format!(
                "the body of the request was in an unknown format - accepted media types include: {}, {}, {}",
                crate::patch::JSON_PATCH,
                crate::patch::MERGE_PATCH,
                crate::patch::APPLY_PATCH
            )));
        }
        if media == crate::patch::APPLY_PATCH {
            return self.server_side_apply(body).await;
        }
        if self.query.contains_key("force") {
            return Err(self.options_invalid(vec![crate::error::Cause::forbidden(
                "force",
                "may not be specified for non-apply patch",
            )]));
        }
        let manager = self.manager()?;
        for _ in 0..PATCH_RETRIES {
            let (kv, old) = self.read_current(&name).await?;
            // The patch applies to the object as the client sees it.
            let seen = if served.changes_on_read() {
                self.outgoing_one(old.clone()).await?
            } else {
                old.clone()
            };
            let patched = {
                let size = body.len() + kv.value.len();
                let schema = crate::openapi::kind_schema(served);
                if size <= crate::request_body::OFFLOAD_BYTES {
                    crate::patch::apply(schema, &content_type, &seen, body)?
                } else {
                    let (content_type, seen, body) =
                        (content_type.clone(), seen.clone(), body.to_vec());
                    crate::request_body::off_reactor(size, move || {
                        crate::patch::apply(schema, &content_type, &seen, &body)
                    })
                    .await?
                }
            };
            let patched = self.field_validation(patched)?;
            let patched = self.incoming(patched).await?;
            // A patch pins a resourceVersion only by naming one other than
            // the object's own; otherwise it is retried on a newer object.
            let pinned =
                pinned_version(&patched).filter(|rv| Some(rv) != pinned_version(&seen).as_ref());
            if let Some(rv) = &pinned
                && rv != &kv.mod_revision.to_string()
            {
                return Err(ApiError::conflict(&info, &name));
            }
            let mut new = objects::prepare_update(
                &info,
                &old,
                patched,
                self.resource.subresource.as_deref(),
            )?;
            self.record_update(&manager, Some(&old), &mut new);
            let pinned = pinned.is_some();
            if let Some(done) = self
                .store_patched(&name, &old, new, kv.mod_revision, pinned)
                .await?
            {
                return Ok(done);
            }
        }
        Err(ApiError::conflict(&info, &name))
    }

    /// What every apply request must be: a field manager named, and a body
    /// of the expected version and kind without managed fields. Returns the
    /// manager, whether it forces, and the configuration.
    async fn apply_request(
        &self,
        body: &[u8],
        expected_version: &str,
        expected_kind: &str,
    ) -> Result<(String, bool, Value), ApiError> {
        let manager = match self.query.get("fieldManager").filter(|m| !m.is_empty()) {
            Some(_) => self.manager()?,
            None => {
                return Err(self.options_invalid(vec![crate::error::Cause::required(
                    "fieldManager",
                    "is required for apply patch",
                )]));
            }
        };
        // Read as upstream reads a boolean parameter (`True`, `1`, ...).
        let force = api::params::flag(self.query.get("force").map(String::as_str));
        let config = if body.len() <= crate::request_body::OFFLOAD_BYTES {
            crate::request_body::decode_yaml(body)?
        } else {
            let body = body.to_vec();
            crate::request_body::off_reactor(body.len(), move || {
                crate::request_body::decode_yaml(&body)
            })
            .await?
        };
        let given = config
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if given != expected_version {
            return Err(ApiError::bad_request(format!(
                "Incorrect version specified in apply patch. Specified patch version: {given}, expected: {expected_version}"
            )));
        }
        let kind = config.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind != expected_kind {
            return Err(ApiError::bad_request(format!(
                "Incorrect kind specified in apply patch. Specified patch kind: {kind}, expected: {expected_kind}"
            )));
        }
        if config.pointer("/metadata/managedFields").is_some() {
            return Err(ApiError::bad_request("metadata.managedFields must be nil"));
        }
        Ok((manager, force, config))
    }

    /// A server-side apply of the scale subresource: the manager applies
    /// the replicas, owned (with subresource `scale`) where the object
    /// keeps them.
    pub(super) async fn apply_scale(&self, body: &[u8]) -> Result<Response, ApiError> {
        let info = self.info();
        let name = self.name()?.to_string();
        let (manager, force, config) = self.apply_request(body, "autoscaling/v1", "Scale").await?;
        let replicas = crate::scale::replicas(&config)
            .map_err(|cause| ApiError::invalid(info, &name, vec![cause]))?;
        let writer = crate::fieldmanager::Writer {
            manager: &manager,
            api_version: info.api_version(),
            subresource: Some("scale"),
            now: crate::fieldmanager::now(),
        };
        for _ in 0..PATCH_RETRIES {
            let (kv, old) = self.read_current(&name).await?;
            // The replicas as a configuration of the object itself.
            let mut wanted = serde_json::json!({
                "apiVersion": info.api_version(),
                "kind": info.kind,
                "metadata": {"name": name},
            });
            crate::scale::set_replicas(info, &mut wanted, replicas);
            let merged = crate::fieldmanager::apply(info, &old, &wanted, &writer, force)?;
            let mut new = objects::prepare_update(info, &old, merged, None)?;
            crate::fieldmanager::keep_times_if_unchanged(&old, &mut new);
            match self.store_update(&name, &old, new, kv.mod_revision).await {
                Ok((stored, _)) => {
                    return Ok(json_response(
                        StatusCode::OK,
                        &crate::scale::of(info, &stored),
                    ));
                }
                Err(err) if err.code == 409 && err.reason == "Conflict" => continue,
                Err(err) => return Err(err),
            }
        }
        Err(ApiError::conflict(info, &name))
    }

    /// A server-side apply (`application/apply-patch+yaml`): the body is the
    /// manager's configuration of the object, merged in by the kind's
    /// schema; an object that does not exist is created from it.
    async fn server_side_apply(&self, body: &[u8]) -> Result<Response, ApiError> {
        let served = self.info();
        let info = self.storage_info();
        let name = self.name()?.to_string();
        let expected = served.api_version();
        let (manager, force, config) = self.apply_request(body, &expected, &served.kind).await?;
        let config = self.apply_field_validation(config)?;
        let config = self.incoming(config).await?;
        let pinned = pinned_version(&config);
        let writer = crate::fieldmanager::Writer {
            manager: &manager,
            api_version: expected.clone(),
            subresource: self.resource.subresource.as_deref(),
            now: crate::fieldmanager::now(),
        };
        for _ in 0..PATCH_RETRIES {
            let current = self
                .store()
                .get(&self.key(&name))
                .await
                .map_err(|e| ApiError::from_store(e, &info, &name))?;
            let Some(kv) = current else {
                if self.resource.subresource.is_some() {
                    return Err(ApiError::not_found(&info, &name));
                }
                let mut skeleton = serde_json::json!({
                    "apiVersion": info.api_version(),
                    "kind": info.kind,
                    "metadata": {"name": name},
                });
                if let Some(namespace) = &self.resource.namespace {
                    skeleton["metadata"]["namespace"] = serde_json::json!(namespace);
                }
                let object = crate::fieldmanager::apply(&info, &skeleton, &config, &writer, force)?;
                match self.create_object(object, None).await {
                    // Created by someone else in between: apply to theirs.
                    Err(err) if err.reason == "AlreadyExists" => continue,
                    other => return other,
                }
            };
            let old = objects::decode(&info, &kv)?;
            if let Some(rv) = &pinned
                && rv != &kv.mod_revision.to_string()
            {
                return Err(ApiError::conflict(&info, &name));
            }
            let merged = crate::fieldmanager::apply(&info, &old, &config, &writer, force)?;
            let managed = merged.pointer("/metadata/managedFields").cloned();
            let mut new =
                objects::prepare_update(&info, &old, merged, self.resource.subresource.as_deref())?;
            // A subresource's write keeps the stored metadata, but not the
            // managed fields this apply decided.
            crate::fieldmanager::set_entries(&mut new, managed);
            crate::fieldmanager::keep_times_if_unchanged(&old, &mut new);
            let pinned = pinned.is_some();
            if let Some(done) = self
                .store_patched(&name, &old, new, kv.mod_revision, pinned)
                .await?
            {
                return Ok(done);
            }
        }
        Err(ApiError::conflict(&info, &name))
    }

    /// Admits and stores a patched (or applied) object over `old`, read at
    /// `revision`. None when someone wrote in between and the request did
    /// not pin a resourceVersion: the caller patches the newer object.
    async fn store_patched(
        &self,
        name: &str,
        old: &Value,
        mut new: Value,
        revision: i64,
        pinned: bool,
    ) -> Result<Option<Response>, ApiError> {
        self.admit_update(name, old, &mut new).await?;
        match self.store_update(name, old, new, revision).await {
            Ok((stored, _)) => self.respond(StatusCode::OK, &stored).await.map(Some),
            Err(err) if err.code == 409 && err.reason == "Conflict" && !pinned => Ok(None),
            Err(err) => Err(err),
        }
    }
}
