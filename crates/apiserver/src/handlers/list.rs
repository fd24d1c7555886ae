//! get and list: one object, or a list served from the watch cache or the store in pages
//! (continue tokens, limit, selectors).

use api::ResourceInfo;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use store::{RangeOptions, StoreError};

use super::*;

impl Call<'_> {
    pub(super) async fn get(&self) -> Result<Response, ApiError> {
        let object = self.read(self.name()?).await?;
        self.respond(StatusCode::OK, &object).await
    }

    pub(super) fn selectors(&self) -> Result<(LabelSelector, FieldSelector), ApiError> {
        let labels =
            LabelSelector::parse(self.query.get("labelSelector").map_or("", String::as_str))
                .map_err(|e| {
                    ApiError::bad_request(format!("unable to parse requirement: {e}").replace(
                        "unable to parse requirement: unable to parse requirement",
                        "unable to parse requirement",
                    ))
                })?;
        let fields = FieldSelector::parse(
            self.query.get("fieldSelector").map_or("", String::as_str),
            &self.info().selectable_fields,
        )
        .map_err(|e| ApiError::bad_request(e.0))?;
        Ok((labels, fields))
    }

    pub(super) fn list_prefix(&self) -> String {
        match &self.resource.namespace {
            Some(ns) if self.info().namespaced => self.info().namespace_prefix(ns),
            _ => self.info().storage_prefix(),
        }
    }

    /// Reads the matching objects: at most `limit` (0: all), from one
    /// consistent revision, continuing from a previous page's token.
    pub(super) async fn collect(
        &self,
    ) -> Result<(Vec<Value>, i64, Option<String>, Option<i64>), ApiError> {
        let info = self.info();
        let (labels, fields) = self.selectors()?;
        let filtered = !labels.is_empty() || !fields.is_empty();
        self.collect_with(filtered, |kv| {
            let object = decode(info, kv)?;
            Ok((labels.matches_object(&object) && fields.matches(&object)).then_some(object))
        })
        .await
    }

    /// Reads the listed objects in store pages, keeping those `convert`
    /// returns, at most `limit` (0: all), from one consistent revision,
    /// continuing from a previous page's token.
    pub(super) async fn collect_with<T>(
        &self,
        filtered: bool,
        mut convert: impl FnMut(&store::KeyValue) -> Result<Option<T>, ApiError>,
    ) -> Result<(Vec<T>, i64, Option<String>, Option<i64>), ApiError> {
        let info = self.info();
        // Zero or less asks for everything, as upstream; a limit past any
        // list's length is the same as none.
        let limit: usize = match self.query.get("limit").map(String::as_str) {
            None | Some("") => 0,
            Some(text) => text
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("invalid limit: {text:?}")))?
                .clamp(0, i64::from(i32::MAX)) as usize,
        };
        let prefix = self.list_prefix();
        let mut revision = None;
        let mut start = None;
        // Without a continue token or an exact version, the watch cache
        // can serve the read.
        let mut freshness = Some(Freshness::Latest);
        if let Some(token) = self.query.get("continue").filter(|t| !t.is_empty()) {
            let (rv, key) = decode_continue(token, &prefix)?;
            revision = Some(rv);
            start = Some(key);
            freshness = None;
        } else if self.query.get("resourceVersion").map(String::as_str) == Some("0") {
            freshness = Some(Freshness::Any);
        } else if let Some(rv) = self
            .query
            .get("resourceVersion")
            .filter(|rv| !rv.is_empty())
        {
            let rv = parse_resource_version(rv)?;
            let exact = match self.query.get("resourceVersionMatch").map(String::as_str) {
                Some("Exact") => true,
                Some("NotOlderThan") => false,
                // Legacy: a version with a limit is an exact read.
                _ => limit > 0,
            };
            if exact {
                revision = Some(rv);
                freshness = None;
            } else {
                freshness = Some(Freshness::AtLeast(rv));
            }
        }
        if let Some(Freshness::AtLeast(wanted)) = freshness {
            // A revision the store has not reached was never handed out;
            // nothing to wait for.
            let current = self
                .store()
                .current_revision()
                .await
                .map_err(|err| ApiError::from_store(err, info, ""))?;
            if current < wanted {
                return Err(ApiError::too_large_resource_version(wanted, current));
            }
        }
        if let Some(freshness) = freshness {
            let cached = self
                .state
                .watch_cache
                .list(&info.storage_prefix(), &prefix, freshness)
                .await
                .map_err(|err| ApiError::from_store(err, info, ""))?;
            if let Some(snapshot) = cached {
                let page = from_snapshot(snapshot, limit, filtered, convert)?;
                self.state
                    .metrics
                    .cache_list(&info.group, &info.plural, page.0.len());
                return Ok(page);
            }
        }
        let mut items = Vec::new();
        let mut at = revision;
        let mut remaining = None;
        loop {
            // Read in bounded pages even when the client wants everything, so
            // no single store response is unbounded.
            let page_limit = if limit == 0 || filtered {
                LIST_PAGE.max(limit)
            } else {
                limit
            };
            let page = self
                .store()
                .range(&prefix, RangeOptions { limit: page_limit, start: start.clone(), revision: at })
                .await
                .map_err(|err| match err {
                    StoreError::Compacted { .. } if self.query.contains_key("continue") => ApiError::gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."),
                    other => ApiError::from_store(other, info, ""),
                })?;
            at = Some(page.revision);
            let mut last_key = None;
            let mut consumed = 0;
            for kv in &page.kvs {
                consumed += 1;
                last_key = Some(kv.key.clone());
                if let Some(item) = convert(kv)? {
                    items.push(item);
                    if limit > 0 && items.len() == limit {
                        break;
                    }
                }
            }
            let more_in_page = consumed < page.kvs.len();
            let more = page.more || more_in_page;
            if limit > 0 && items.len() == limit && more {
                let next = format!("{}\0", last_key.unwrap_or_default());
                if !filtered {
                    remaining = Some(page.count - consumed as i64);
                }
                return Ok((
                    items,
                    page.revision,
                    Some(encode_continue(page.revision, &next)),
                    remaining,
                ));
            }
            if !page.more {
                return Ok((items, page.revision, None, None));
            }
            start = page.continue_key();
        }
    }

    pub(super) async fn list(&self) -> Result<Response, ApiError> {
        let info = self.info();
        let (labels, fields) = self.selectors()?;
        if !wants_table(self.headers)
            && labels.is_empty()
            && fields.is_empty()
            && !info.changes_on_read()
        {
            return self.list_raw().await;
        }
        let (mut items, revision, next, remaining) = self.collect().await?;
        if info.custom.is_some() && info.changes_on_read() {
            // Custom objects print as they are read: defaulted, at the
            // requested version.
            items = self.outgoing_all(items).await?;
        }
        if wants_table(self.headers) {
            let table = tables::list(
                &self.resource.info.printer_info(),
                &items,
                revision,
                next.as_deref(),
                remaining,
                self.query,
            );
            return Ok(json_response(StatusCode::OK, &table));
        }
        let custom = info.custom.is_some();
        let items: Vec<Vec<u8>> = items
            .into_iter()
            .map(|i| if custom { i } else { self.outgoing(i) })
            .map(|i| i.to_string().into_bytes())
            .collect();
        Ok(list_response(
            info,
            revision,
            next.as_deref(),
            remaining,
            &items,
        ))
    }

    /// A JSON list with nothing to filter or print, assembled from the
    /// stored bytes (see `raw_json`).
    pub(super) async fn list_raw(&self) -> Result<Response, ApiError> {
        let info = self.info();
        let (items, revision, next, remaining) = self
            .collect_with(false, |kv| {
                let mut out = Vec::with_capacity(kv.value.len() + 32);
                if crate::raw_json::append_with_version(&mut out, &kv.value, kv.mod_revision) {
                    Ok(Some(out))
                } else {
                    Ok(Some(decode(info, kv)?.to_string().into_bytes()))
                }
            })
            .await?;
        Ok(list_response(
            info,
            revision,
            next.as_deref(),
            remaining,
            &items,
        ))
    }
}

/// A list as upstream writes it: kind, apiVersion, metadata
/// (resourceVersion, continue, remainingItemCount) and the items, each
/// already JSON.
pub(super) fn list_response(
    info: &ResourceInfo,
    revision: i64,
    next: Option<&str>,
    remaining: Option<i64>,
    items: &[Vec<u8>],
) -> Response {
    let total: usize = items.iter().map(|i| i.len() + 1).sum();
    let mut body = Vec::with_capacity(total + 256);
    body.extend_from_slice(b"{\"kind\":");
    body.extend_from_slice(json!(format!("{}List", info.kind)).to_string().as_bytes());
    body.extend_from_slice(b",\"apiVersion\":");
    body.extend_from_slice(json!(info.api_version()).to_string().as_bytes());
    body.extend_from_slice(
        format!(",\"metadata\":{{\"resourceVersion\":\"{revision}\"").as_bytes(),
    );
    if let Some(next) = next {
        body.extend_from_slice(b",\"continue\":");
        body.extend_from_slice(json!(next).to_string().as_bytes());
    }
    if let Some(remaining) = remaining {
        body.extend_from_slice(format!(",\"remainingItemCount\":{remaining}").as_bytes());
    }
    body.extend_from_slice(b"},\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item);
    }
    body.extend_from_slice(b"]}\n");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn encode_continue(revision: i64, start: &str) -> String {
    let token = json!({"v": "meta.k8s.io/v1", "rv": revision, "start": start});
    base64::engine::general_purpose::URL_SAFE.encode(token.to_string())
}

fn decode_continue(token: &str, prefix: &str) -> Result<(i64, String), ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE
        .decode(token)
        .map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let revision = value
        .get("rv")
        .and_then(Value::as_i64)
        .ok_or_else(invalid)?;
    let start = value
        .get("start")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    if !start.starts_with(prefix) || revision <= 0 {
        return Err(invalid());
    }
    Ok((revision, start.to_string()))
}

/// One page of a list from the watch cache's snapshot: the items `convert`
/// keeps, at most `limit` (0: all); the rest, if any, continues from the
/// store at the snapshot's revision.
#[allow(clippy::type_complexity)]
fn from_snapshot<T>(
    snapshot: Snapshot,
    limit: usize,
    filtered: bool,
    mut convert: impl FnMut(&store::KeyValue) -> Result<Option<T>, ApiError>,
) -> Result<(Vec<T>, i64, Option<String>, Option<i64>), ApiError> {
    let mut items = Vec::new();
    for (consumed, kv) in snapshot.items.iter().enumerate() {
        if limit > 0 && items.len() == limit {
            let next = format!("{}\0", snapshot.items[consumed - 1].key);
            let remaining = (!filtered).then(|| (snapshot.items.len() - consumed) as i64);
            return Ok((
                items,
                snapshot.revision,
                Some(encode_continue(snapshot.revision, &next)),
                remaining,
            ));
        }
        if let Some(item) = convert(kv)? {
            items.push(item);
        }
    }
    Ok((items, snapshot.revision, None, None))
}
