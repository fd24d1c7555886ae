//! delete and deletecollection, with preconditions, graceful deletion, finalizers and
//! propagation policies.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::list::list_response;
use super::*;

impl Call<'_> {
    pub(super) fn delete_options(&self, body: &[u8]) -> Result<Value, ApiError> {
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            let mut options = json!({});
            if let Some(grace) = self.query.get("gracePeriodSeconds") {
                options["gracePeriodSeconds"] = json!(
                    grace
                        .parse::<i64>()
                        .map_err(|_| ApiError::bad_request("invalid gracePeriodSeconds"))?
                );
            }
            if let Some(policy) = self.query.get("propagationPolicy") {
                options["propagationPolicy"] = json!(policy);
            }
            return Ok(options);
        }
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))
    }

    /// Deletes one object; returns the response object (the object while
    /// its deletion waits on finalizers or a grace period, else a Status).
    /// Without preconditions, a write by someone else in between (a
    /// controller updating the object) is not the client's conflict: the
    /// delete is tried again on the newer object, as upstream's.
    pub(crate) async fn delete_one(
        &self,
        name: &str,
        options: &Value,
    ) -> Result<(StatusCode, Value), ApiError> {
        let pinned = ["/preconditions/resourceVersion", "/preconditions/uid"]
            .iter()
            .any(|p| {
                options
                    .pointer(p)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.is_empty())
            });
        for _ in 0..PATCH_RETRIES {
            match self.try_delete_one(name, options).await {
                Err(err) if err.code == 409 && err.reason == "Conflict" && !pinned => continue,
                result => return result,
            }
        }
        Err(ApiError::conflict(self.info(), name))
    }

    pub(super) async fn try_delete_one(
        &self,
        name: &str,
        options: &Value,
    ) -> Result<(StatusCode, Value), ApiError> {
        let info = self.info();
        let key = self.key(name);
        let kv = self
            .store()
            .get(&key)
            .await
            .map_err(|e| ApiError::from_store(e, info, name))?
            .ok_or_else(|| ApiError::not_found(info, name))?;
        let object = decode(info, &kv)?;
        // dryRun in the query or in the DeleteOptions body.
        let dry_run = self.dry_run()?
            || options
                .get("dryRun")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|v| v == "All"));
        objects::check_preconditions(info, name, options, &object, kv.mod_revision)?;
        let attributes =
            self.attributes(crate::admission::Operation::Delete, name, Some(&object))?;
        self.state.admission.admit(&attributes, None).await?;
        self.state.admission.validate(&attributes, None).await?;
        if let Some(policy) = options.get("propagationPolicy").and_then(Value::as_str)
            && !["Orphan", "Background", "Foreground"].contains(&policy)
        {
            return Err(ApiError::unprocessable(format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )));
        }
        // The garbage collector's finalizers for the propagation asked for
        // (Background, the default of every served version, needs none).
        let gc_finalizer = match options.get("propagationPolicy").and_then(Value::as_str) {
            Some("Orphan") => Some("orphan"),
            Some("Foreground") => Some("foregroundDeletion"),
            Some(_) => None,
            None if options.get("orphanDependents") == Some(&json!(true)) => Some("orphan"),
            None => None,
        };
        let mut object = object;
        let mut finalizer_added = false;
        if let Some(finalizer) = gc_finalizer
            && !objects::finalizers(&object).iter().any(|f| f == finalizer)
        {
            let metadata = &mut object["metadata"];
            if !metadata["finalizers"].is_array() {
                metadata["finalizers"] = json!([]);
            }
            if let Some(list) = metadata["finalizers"].as_array_mut() {
                list.push(json!(finalizer));
                finalizer_added = true;
            }
        }
        if info.builtin_kind() == "CustomResourceDefinition"
            && crate::apiextensions::mark_for_deletion(&mut object)
        {
            finalizer_added = true;
        }
        let waits = !objects::finalizers(&object).is_empty()
            || !objects::spec_finalizers(&object).is_empty();
        // As upstream: a pod no kubelet runs (unbound, or finished) goes at once.
        let terminal = matches!(
            object.pointer("/status/phase").and_then(Value::as_str),
            Some("Succeeded") | Some("Failed")
        );
        let graceful = info.builtin_kind() == "Pod"
            && object
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty())
            && !terminal
            && options.get("gracePeriodSeconds").and_then(Value::as_i64) != Some(0);
        if waits || graceful {
            let already = object.pointer("/metadata/deletionTimestamp").is_some();
            if already && !finalizer_added {
                return Ok((StatusCode::OK, object));
            }
            let mut marked = object.clone();
            if !already {
                marked["metadata"]["deletionTimestamp"] = json!(api::meta::now_timestamp());
            }
            let grace = if graceful {
                options
                    .get("gracePeriodSeconds")
                    .and_then(Value::as_i64)
                    .or_else(|| {
                        object
                            .pointer("/spec/terminationGracePeriodSeconds")
                            .and_then(Value::as_i64)
                    })
                    .unwrap_or(30)
            } else {
                0
            };
            if !already {
                marked["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            }
            if info.builtin_kind() == "Namespace" {
                marked["status"]["phase"] = json!("Terminating");
            }
            if dry_run {
                return Ok((StatusCode::OK, marked));
            }
            let revision = self
                .store()
                .update(&key, encode(&marked), kv.mod_revision)
                .await
                .map_err(|e| ApiError::from_store(e, info, name))?;
            objects::set_resource_version(&mut marked, revision);
            let code = if matches!(
                info.builtin_kind(),
                "Namespace" | "CustomResourceDefinition"
            ) || graceful
            {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            return Ok((code, marked));
        }
        if !dry_run {
            self.store()
                .delete(&key, Some(kv.mod_revision))
                .await
                .map_err(|e| ApiError::from_store(e, info, name))?;
            if info.builtin_kind() == "Service" {
                self.state
                    .services
                    .release_service(self.store(), &object)
                    .await;
            }
        }
        let mut details = json!({"name": name, "kind": info.plural, "uid": object.pointer("/metadata/uid").cloned().unwrap_or(Value::Null)});
        if !info.group.is_empty() {
            details["group"] = json!(info.group);
        }
        if info.builtin_kind() == "Pod" {
            return Ok((StatusCode::OK, object));
        }
        Ok((
            StatusCode::OK,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
        ))
    }

    pub(super) async fn delete(&self, body: &[u8]) -> Result<Response, ApiError> {
        let options = self.delete_options(body)?;
        let name = self.name()?.to_string();
        let (code, object) = self.delete_one(&name, &options).await?;
        if object.get("kind").and_then(Value::as_str) == Some("Status") {
            return Ok(json_response(code, &object));
        }
        Ok(json_response(code, &self.outgoing_one(object).await?))
    }

    pub(super) async fn delete_collection(&self, body: &[u8]) -> Result<Response, ApiError> {
        let info = self.info();
        let options = self.delete_options(body)?;
        let (items, revision, _, _) = self.collect().await?;
        let mut deleted = Vec::new();
        for item in items {
            let name = objects::name_of(&item).to_string();
            match self.delete_one(&name, &options).await {
                Ok(_) => deleted.push(item),
                Err(err) if err.code == 404 => {}
                Err(err) => return Err(err),
            }
        }
        let deleted = self.outgoing_all(deleted).await?;
        let items: Vec<Vec<u8>> = deleted
            .into_iter()
            .map(|i| i.to_string().into_bytes())
            .collect();
        Ok(list_response(info, revision, None, None, &items))
    }
}
