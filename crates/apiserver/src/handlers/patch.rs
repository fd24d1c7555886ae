//! patch: JSON, merge and strategic merge patches applied to the current object and
//! retried on conflict.

use axum::http::StatusCode;
use axum::response::Response;

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
        for _ in 0..PATCH_RETRIES {
            let (kv, old) = self.read_current(&name).await?;
            // The patch applies to the object as the client sees it.
            let seen = if served.changes_on_read() {
                self.outgoing(old.clone())
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
            let patched = api::conversion::to_storage(served, patched);
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
            self.admit_update(&name, &old, &mut new).await?;
            match self.store_update(&name, &old, new, kv.mod_revision).await {
                Ok((stored, _)) => return self.respond(StatusCode::OK, &stored),
                // Someone wrote in between: patch the newer object, unless
                // the patch itself pinned a resourceVersion.
                Err(err) if err.code == 409 && err.reason == "Conflict" && pinned.is_none() => {
                    continue;
                }
                Err(err) => return Err(err),
            }
        }
        Err(ApiError::conflict(&info, &name))
    }
}
