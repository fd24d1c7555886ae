//! create: decode, default, admit and write a new object.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::*;

impl Call<'_> {
    pub(super) async fn create(&self, body: &[u8]) -> Result<Response, ApiError> {
        let served = self.info();
        let manager = self.manager()?;
        let mut object = self.parse_body(body).await?;
        objects::check_type(served, &mut object, &served.kind)?;
        let object = self.field_validation(object)?;
        let object = self.incoming(object).await?;
        self.create_object(object, Some(&manager)).await
    }

    /// Creates `object` (in the stored shape). Its managed fields are
    /// recorded as `manager`'s update, unless it carries them already (an
    /// apply that creates).
    pub(super) async fn create_object(
        &self,
        mut object: Value,
        manager: Option<&str>,
    ) -> Result<Response, ApiError> {
        if self
            .info()
            .custom
            .as_ref()
            .is_some_and(|custom| custom.terminating)
        {
            return Err(ApiError::method_not_allowed_because(
                "create not allowed while custom resource definition is terminating",
            ));
        }
        let info = self.storage_info();
        // Admission sees the name the client asked for; with generateName
        // its errors name the prefix, as upstream's (`pods "web-" is
        // forbidden: ...`), since the name is generated after admission.
        let asked = ["name", "generateName"]
            .iter()
            .find_map(|field| {
                object["metadata"][field]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        let name = objects::prepare_create(
            &info,
            self.resource.namespace.as_deref(),
            &mut object,
            rand::random(),
        )?;
        if info.builtin_kind() == "CertificateSigningRequest" {
            crate::certificates::prepare_create(&mut object, self.user);
        }
        if let Some(manager) = manager {
            self.record_update(manager, None, &mut object);
        }
        let attributes = self.attributes(crate::admission::Operation::Create, &asked, None)?;
        let admission = &self.state.admission;
        admission.admit(&attributes, Some(&mut object)).await?;
        crate::validation::validate(self.info(), &object, None)
            .map_err(|causes| ApiError::invalid(&info, &name, causes))?;
        admission.validate(&attributes, Some(&object)).await?;
        let key = self.key(&name);
        let dry_run = self.dry_run()?;
        let taken = if info.builtin_kind() == "Service" {
            Some(
                self.state
                    .services
                    .allocate(self.store(), &mut object, dry_run)
                    .await?,
            )
        } else {
            None
        };
        if dry_run {
            if self
                .store()
                .get(&key)
                .await
                .map_err(|e| ApiError::from_store(e, &info, &name))?
                .is_some()
            {
                return Err(ApiError::already_exists(&info, &name));
            }
            return self.respond(StatusCode::CREATED, &object).await;
        }
        let created = self.store().create(&key, encode(&object)).await;
        let revision = match created {
            Ok(revision) => revision,
            Err(err) => {
                if let Some(taken) = &taken {
                    self.state.services.release(self.store(), taken).await;
                }
                return Err(ApiError::from_store(err, &info, &name));
            }
        };
        objects::set_resource_version(&mut object, revision);
        self.respond(StatusCode::CREATED, &object).await
    }
}
