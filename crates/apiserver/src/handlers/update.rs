//! update: a whole object replaced (and the scale subresource written), with
//! optimistic concurrency on resourceVersion.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::*;

impl Call<'_> {
    /// Stores `new` over `old` (read at `old_revision`): an update, or the
    /// final removal when an object being deleted has no finalizers left.
    pub(super) async fn store_update(
        &self,
        name: &str,
        old: &Value,
        new: Value,
        old_revision: i64,
    ) -> Result<(Value, bool), ApiError> {
        let info = self.info();
        let key = self.key(name);
        // An unchanged object is not written again, unless the store keeps
        // it in a form it no longer writes (an old encryption key): writing
        // objects back unchanged is how keys are rotated.
        if !objects::changed(old, &new) && !self.store().stale(&key).await.unwrap_or(false) {
            return Ok((old.clone(), false));
        }
        let dry_run = self.dry_run()?;
        let deleting = new.pointer("/metadata/deletionTimestamp").is_some();
        let removed = deleting
            && objects::finalizers(&new).is_empty()
            && objects::spec_finalizers(&new).is_empty();
        let mut new = new;
        let service = self.storage_info().builtin_kind() == "Service" && !removed;
        let (taken, freed) = if service {
            self.state
                .services
                .reallocate(self.store(), old, &mut new, dry_run)
                .await?
        } else {
            Default::default()
        };
        if dry_run {
            // Nothing is written: the object stays at its version.
            objects::set_resource_version(&mut new, old_revision);
            return Ok((new, true));
        }
        if removed {
            self.store()
                .delete(&key, Some(old_revision))
                .await
                .map_err(|e| ApiError::from_store(e, info, name))?;
            if self.storage_info().builtin_kind() == "Service" {
                self.state.services.release_service(self.store(), old).await;
            }
            return Ok((new, true));
        }
        let revision = match self.store().update(&key, encode(&new), old_revision).await {
            Ok(revision) => revision,
            Err(err) => {
                self.state.services.release(self.store(), &taken).await;
                return Err(ApiError::from_store(err, info, name));
            }
        };
        self.state.services.release(self.store(), &freed).await;
        objects::set_resource_version(&mut new, revision);
        Ok((new, true))
    }

    /// Admission and validation of an update of `old` to `new`.
    pub(super) async fn admit_update(
        &self,
        name: &str,
        old: &Value,
        new: &mut Value,
    ) -> Result<(), ApiError> {
        let attributes = self.attributes(crate::admission::Operation::Update, name, Some(old))?;
        let admission = &self.state.admission;
        admission.admit(&attributes, Some(new)).await?;
        crate::validation::validate(self.info(), new, Some(old))
            .map_err(|causes| ApiError::invalid(&self.storage_info(), name, causes))?;
        admission.validate(&attributes, Some(new)).await
    }

    pub(super) async fn update(&self, body: &[u8]) -> Result<Response, ApiError> {
        let served = self.info();
        let info = self.storage_info();
        let name = self.name()?.to_string();
        let manager = self.manager()?;
        let mut object = self.parse_body(body).await?;
        objects::check_type(served, &mut object, &served.kind)?;
        let object = self.field_validation(object)?;
        let object = self.incoming(object).await?;
        let (kv, old) = self.read_current(&name).await?;
        if let Some(rv) = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty())
        {
            let rv: i64 = rv
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv:?}")))?;
            if rv != kv.mod_revision {
                return Err(ApiError::conflict(&info, &name));
            }
        }
        let subresource = self.resource.subresource.as_deref();
        let mut new = objects::prepare_update(&info, &old, object, subresource)?;
        self.record_update(&manager, Some(&old), &mut new);
        self.admit_update(&name, &old, &mut new).await?;
        let (stored, _) = self.store_update(&name, &old, new, kv.mod_revision).await?;
        self.respond(StatusCode::OK, &stored).await
    }

    /// PUT or PATCH of the scale subresource: only spec.replicas changes.
    pub(super) async fn write_scale(&self, body: &[u8]) -> Result<Response, ApiError> {
        let info = self.info();
        let name = self.name()?.to_string();
        let media = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or("")
            .trim();
        if self.resource.verb == "patch" && media == crate::patch::APPLY_PATCH {
            return self.apply_scale(body).await;
        }
        let manager = self.manager()?;
        for _ in 0..PATCH_RETRIES {
            let (kv, old) = self.read_current(&name).await?;
            let current = scale::of(info, &old);
            let requested = if self.resource.verb == "patch" {
                let content_type = self
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                crate::patch::apply(None, content_type, &current, body)?
            } else {
                let mut requested = self.parse_body(body).await?;
                objects::check_type(info, &mut requested, "Scale")?;
                requested
            };
            let pinned = pinned_version(&requested).filter(|rv| {
                self.resource.verb != "patch" || Some(rv) != pinned_version(&current).as_ref()
            });
            if let Some(rv) = &pinned
                && rv != &kv.mod_revision.to_string()
            {
                return Err(ApiError::conflict(info, &name));
            }
            let replicas = scale::replicas(&requested)
                .map_err(|cause| ApiError::invalid(info, &name, vec![cause]))?;
            let mut new = old.clone();
            scale::set_replicas(info, &mut new, replicas);
            let mut new = objects::prepare_update(info, &old, new, None)?;
            self.record_update(&manager, Some(&old), &mut new);
            match self.store_update(&name, &old, new, kv.mod_revision).await {
                Ok((stored, _)) => {
                    return Ok(json_response(StatusCode::OK, &scale::of(info, &stored)));
                }
                Err(err) if err.code == 409 && pinned.is_none() => continue,
                Err(err) => return Err(err),
            }
        }
        Err(ApiError::conflict(info, &name))
    }
}

/// The resourceVersion a request body pins (`metadata.resourceVersion`),
/// if any: the write must then apply to exactly that version.
pub(super) fn pinned_version(object: &Value) -> Option<String> {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|rv| !rv.is_empty())
        .map(str::to_string)
}
