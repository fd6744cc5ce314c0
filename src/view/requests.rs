//! API requests and synced records, checked against the endpoint table.

use super::*;

impl View {
    /// Checks an API request (SPEC section 7). `has_field` tells whether the
    /// body carries a top-level key; a request without a body has none.
    pub fn check_request_with<'a>(
        &'a self,
        method: &str,
        path: &str,
        has_field: impl Fn(&str) -> bool,
    ) -> Result<RequestCheck<'a>, QueryError> {
        self.check_request_on(method, path, has_field, None)
    }

    /// [`View::check_request_with`] for a request that reads or changes
    /// `record`: every permission the endpoint requires must also cover the
    /// record, else 403 `permission_denied` (SPEC section 11).
    pub fn check_request_on<'a>(
        &'a self,
        method: &str,
        path: &str,
        has_field: impl Fn(&str) -> bool,
        record: Option<&Record>,
    ) -> Result<RequestCheck<'a>, QueryError> {
        let p = &self.policy;
        let denied = |status: u16, code: &'a str, message: Cow<'a, str>, field: Option<&'a str>| {
            RequestCheck::Denied {
                status,
                code,
                message,
                field,
            }
        };
        let norm = match Normalized::new(path) {
            Ok(n) => n,
            Err(NormError::TooLong(size)) => {
                return Err(QueryError::TooLarge {
                    what: "path",
                    size,
                    limit: MAX_PATH_BYTES,
                })
            }
            Err(_) => {
                return Ok(denied(
                    404,
                    "not_found",
                    Cow::Borrowed("no endpoint at this path"),
                    None,
                ))
            }
        };
        let candidates = p.api_router.find(&norm);
        if candidates.is_empty() {
            for (i, product) in p.products.iter().enumerate() {
                let owned = product
                    .paths
                    .iter()
                    .any(|x| matches!(x.match_prefix(&norm), Some(None)));
                if owned && self.facts.products & mask_bit(i) == 0 {
                    let reason = self.failure_reason(Failure::Product(i as u8));
                    return Ok(denied(
                        403,
                        "product_disabled",
                        Cow::Owned(reason.message()),
                        None,
                    ));
                }
            }
            return Ok(denied(
                404,
                "not_found",
                Cow::Borrowed("no endpoint at this path"),
                None,
            ));
        }
        if !self.active {
            return Ok(denied(
                403,
                "inactive_member",
                Cow::Owned(Reason::InactiveMember.message()),
                None,
            ));
        }
        let Some(e) = p.endpoint_taking(candidates, method) else {
            return Ok(denied(
                405,
                "method_not_allowed",
                Cow::Borrowed("this endpoint does not take this method"),
                None,
            ));
        };
        let (Some(doc), Some(endpoint)) = (p.doc.api.get(e), p.endpoints.get(e)) else {
            return Ok(denied(
                404,
                "not_found",
                Cow::Borrowed("no endpoint at this path"),
                None,
            ));
        };
        if let Some(f) = endpoint
            .gate
            .and_then(|g| p.conditions.first_failure(g, &self.facts))
        {
            let reason = self.failure_reason(f);
            return Ok(denied(
                403,
                reason.code(),
                Cow::Owned(reason.message()),
                None,
            ));
        }
        if let Some(record) = record {
            for &leaf in &endpoint.record_permissions {
                let Some(l) = p.conditions.permissions.get(usize::from(leaf)) else {
                    continue;
                };
                let covered = self
                    .facts
                    .grants
                    .widest(&l.permission)
                    .is_some_and(|scope| {
                        crate::record::covers(scope, record, &self.user_id, &self.teams)
                    });
                if !covered {
                    let name = l.text.rsplit_once(':').map_or(l.text.as_str(), |(n, _)| n);
                    return Ok(denied(
                        403,
                        "permission_denied",
                        Cow::Owned(format!("your grants of `{name}` do not cover this record")),
                        None,
                    ));
                }
            }
        }
        let endpoint_fields = doc.fields.iter().zip(endpoint.fields.iter());
        let global_fields = p.doc.api_fields.iter().zip(p.api_fields.iter());
        for (field, &gate) in endpoint_fields.chain(global_fields) {
            if has_field(&field.name) && !p.conditions.eval(gate, &self.facts) {
                return Ok(denied(
                    400,
                    &field.code,
                    Cow::Borrowed(&field.message),
                    Some(&field.name),
                ));
            }
        }
        Ok(RequestCheck::Ok)
    }

    /// Checks an API request with a JSON body. A body that is neither an
    /// object nor null is refused with 400 `invalid_body`.
    pub fn check_request(
        &self,
        request: &crate::ApiRequest,
    ) -> Result<RequestCheck<'_>, QueryError> {
        if let Some(serde_json::Value::Object(map)) = &request.body {
            check_record_size("request body", map.len())?;
        }
        let (method, path, record) = (&request.method, &request.path, request.record.as_ref());
        match &request.body {
            None | Some(serde_json::Value::Null) => {
                self.check_request_on(method, path, |_| false, record)
            }
            Some(serde_json::Value::Object(map)) => {
                self.check_request_on(method, path, |k| map.contains_key(k), record)
            }
            Some(_) => self.check_request_other_body(method, path, record),
        }
    }

    /// A request whose body is neither an object nor null: what the route
    /// itself refuses first, else 400 `invalid_body`.
    pub(crate) fn check_request_other_body<'a>(
        &'a self,
        method: &str,
        path: &str,
        record: Option<&Record>,
    ) -> Result<RequestCheck<'a>, QueryError> {
        match self.check_request_on(method, path, |_| false, record)? {
            RequestCheck::Ok => Ok(RequestCheck::Denied {
                status: 400,
                code: "invalid_body",
                message: Cow::Borrowed("a request body is a JSON object"),
                field: None,
            }),
            denied => Ok(denied),
        }
    }

    pub(super) fn sync_index(&self, integration: &str) -> Result<usize, QueryError> {
        self.policy
            .doc
            .sync
            .iter()
            .position(|s| s.integration == integration)
            .ok_or_else(|| QueryError::Unknown {
                what: "integration",
                name: clip(integration),
                path: None,
            })
    }

    /// The fields an integration's records must lose before they are stored
    /// (for HubSpot and Salesforce while Accounts is off: `accountId`).
    pub fn sync_dropped_fields(&self, integration: &str) -> Result<Vec<&str>, QueryError> {
        let i = self.sync_index(integration)?;
        let p = &self.policy;
        let (Some(doc), Some(gates)) = (p.doc.sync.get(i), p.sync.get(i)) else {
            return Ok(Vec::new());
        };
        Ok(doc
            .fields
            .iter()
            .zip(gates.iter())
            .filter(|(_, &g)| !self.holds(Some(g)))
            .map(|(f, _)| f.name.as_str())
            .collect())
    }

    /// A synced record as it may be stored: the same object without the
    /// fields [`View::sync_dropped_fields`] names.
    pub fn sync_record(
        &self,
        integration: &str,
        mut record: serde_json::Map<String, serde_json::Value>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, QueryError> {
        check_record_size("sync record", record.len())?;
        for field in self.sync_dropped_fields(integration)? {
            record.remove(field);
        }
        Ok(record)
    }
}
