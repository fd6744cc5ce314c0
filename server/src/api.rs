//! The JSON API. Two kinds of endpoints:
//!
//! - The server's own (`/api/policy`, `/api/session`, `/api/me`,
//!   `/api/resolve`, `/api/account`): about the session, not about workspace
//!   data.
//! - Everything else under `/api/`: the ruleset's `api` table. Each request
//!   is checked by [`harmony_policy::View::check_request`] first (a refusal
//!   answers with the policy's status, code, message and field), then routed
//!   by [`harmony_policy::Policy::endpoint`] to the handler for the
//!   endpoint's method and path pattern.

use crate::db;
use crate::error::ApiError;
use crate::routes::{Guard, Routes};
use crate::session::{self, Session};
use crate::{now_ms, AppState};
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Json;
use harmony_policy::{
    AccountDeletion, AccountDeletionCheck, ApiRequest, Context, InviteState, Platform,
    PreferenceValue, Record, RoleChange, RoleChangeCheck, RoleHolder, View, WorkspaceAdmins,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

type Shared = Arc<AppState>;
type ApiResult = Result<Response, ApiError>;

/// The largest request body read, in bytes.
const MAX_BODY_BYTES: usize = 256 * 1024;
/// The most records one sync request may carry.
const MAX_SYNC_RECORDS: usize = 1000;

pub(crate) fn routes() -> Routes<Shared> {
    use axum::routing::{delete, patch, put};
    use Guard::{DemoOnly, Public, Ruleset, Session, SignIn};
    Routes::new()
        .add("GET", "/api/policy", Public, get(policy))
        .add("GET", "/api/policy/bundle", Public, get(policy_bundle))
        .add("GET", "/api/health", Public, get(health))
        .add("GET", "/api/openapi.json", Public, get(openapi))
        .add("GET", "/api/session", Public, get(session_state))
        .add("POST", "/api/session", SignIn, post(sign_in))
        .add(
            "PUT",
            "/api/session",
            Session("active membership of the workspace"),
            put(switch_workspace),
        )
        .add("DELETE", "/api/session", Public, delete(sign_out))
        .add("GET", "/api/session/users", DemoOnly, get(sign_in_options))
        .add(
            "GET",
            "/api/me",
            Session("the member's own context"),
            get(me),
        )
        .add(
            "PATCH",
            "/api/me/preferences",
            Session("View::feature per preference"),
            patch(set_preferences),
        )
        .add(
            "DELETE",
            "/api/account",
            Session("Policy::check_account_deletion"),
            delete(delete_account),
        )
        .add(
            "GET",
            "/api/resolve",
            Session("View::resolve"),
            get(resolve),
        )
        .add("ANY", "/api/{*rest}", Ruleset, any(ruleset_endpoint))
        .add("ANY", "/api", Ruleset, any(ruleset_endpoint))
}

/// Writes an own endpoint's answer to the decision log and passes it on.
fn logged(workspace: &str, member: &str, what: &str, result: ApiResult) -> ApiResult {
    let refused = result.as_ref().err().map(|e| e.code.as_str());
    crate::log::decision(workspace, member, what, refused);
    result
}

/// Runs `work` (which uses the database) on the blocking threads, so that
/// no request's queries hold up the async threads other requests run on.
/// It first waits its turn at `gate` (see [`AppState::gate`]): requests
/// queue there in order of arrival, never in the pool's own wait, where a
/// request that takes a connection several times could lose its place each
/// time.
pub(crate) async fn blocking<T: Send + 'static>(
    gate: Arc<tokio::sync::Semaphore>,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let unavailable = || ApiError::new(503, "storage_unavailable", "the server is stopping");
    let permit = gate.acquire_owned().await.map_err(|_| unavailable())?;
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop(permit);
        result
    })
    .await
    .unwrap_or_else(|_| Err(ApiError::new(500, "internal_error", "the request failed")))
}

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

// ---------- sessions ----------

/// A request from a signed-in member: their session, the context the
/// database gives them now, and its compiled view.
pub(crate) struct Signed {
    session: Session,
    context: Context,
    view: View,
}

impl Signed {
    fn from_headers(headers: &axum::http::HeaderMap, state: &AppState) -> Result<Signed, ApiError> {
        let mut conn = state.db()?;
        let session = state
            .session(&mut conn, headers)?
            .ok_or_else(ApiError::unauthenticated)?;
        let context = db::context(
            &mut conn,
            &session.user,
            &session.workspace,
            session.platform,
        )?
        .ok_or_else(ApiError::unauthenticated)?;
        let view = state.policy.view(&context).map_err(|e| {
            tracing::error!(
                user = %session.user,
                workspace = %session.workspace,
                "the stored context does not load: {e}"
            );
            ApiError::new(500, e.code(), e.to_string())
        })?;
        Ok(Signed {
            session,
            context,
            view,
        })
    }
}

impl FromRequestParts<Shared> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Signed, ApiError> {
        let (headers, state) = (parts.headers.clone(), state.clone());
        let signed = blocking(state.gate(), move || Signed::from_headers(&headers, &state)).await?;
        if let Some(who) = parts.extensions.get::<crate::log::Who>() {
            who.set(&signed.session.workspace, &signed.session.user);
        }
        Ok(signed)
    }
}

async fn policy(State(state): State<Shared>) -> ApiResult {
    let ruleset: Value = serde_json::from_str(state.policy.to_json())
        .map_err(|e| ApiError::new(500, "invalid_ruleset", e.to_string()))?;
    ok(json!({
        "name": state.policy.name(),
        "fingerprint": state.policy.fingerprint(),
        "ruleset": ruleset,
    }))
}

/// Every user with their memberships: what the demo's "View as" offers.
/// Only with `--demo-sign-in`.
/// The server's ruleset as a bundle (`Policy.fromBundle`), with its
/// fingerprint as the `ETag`: a client that has it gets 304.
async fn policy_bundle(State(state): State<Shared>, headers: axum::http::HeaderMap) -> Response {
    let etag = format!("\"{}\"", state.policy.fingerprint());
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    if fresh {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        state.bundle.clone(),
    )
        .into_response()
}

/// Whether the server can serve: 200 `{status, database, fingerprint,
/// backend}`, or 503 when the database does not answer within two seconds.
/// No session needed (load balancers ask it).
async fn health(State(state): State<Shared>) -> Response {
    let fingerprint = state.policy.fingerprint().to_owned();
    let backend = state.backend();
    // Not in the queue of requests: a probe answers even while they wait.
    let database = tokio::task::spawn_blocking(move || -> Result<(), ApiError> {
        let mut conn = state.db_within(std::time::Duration::from_secs(2))?;
        conn.value("SELECT 1", &[])?;
        Ok(())
    })
    .await
    .unwrap_or_else(|_| Err(ApiError::new(500, "internal_error", "the probe failed")));
    let (status, health, database) = match database {
        Ok(()) => (StatusCode::OK, "ok", "ok".to_owned()),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", e.message),
    };
    let body = json!({
        "status": health, "database": database, "fingerprint": fingerprint, "backend": backend,
    });
    (status, Json(body)).into_response()
}

/// The API as OpenAPI 3.1 (see [`crate::openapi`]).
async fn openapi(State(state): State<Shared>) -> Response {
    Json(crate::openapi::document(&state.policy, &crate::inventory())).into_response()
}

async fn sign_in_options(State(state): State<Shared>) -> ApiResult {
    blocking(state.gate(), move || {
        if !state.demo_sign_in {
            return Err(demo_off());
        }
        ok(json!({ "users": db::users_with_memberships(&mut state.db()?)? }))
    })
    .await
}

fn demo_off() -> ApiError {
    ApiError::new(
        404,
        "not_found",
        "demo sign-in is off: sign in with an identity token",
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignIn {
    /// Demo sign-in only: the member to sign in as.
    user_id: Option<String>,
    /// The workspace; by default the first one the user is an active
    /// member of.
    workspace: Option<String>,
    #[serde(default)]
    platform: Platform,
}

fn cookie(state: &AppState, token: &str, max_age_s: i64) -> Result<HeaderValue, ApiError> {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}",
        session::COOKIE
    ))
    .map_err(|_| {
        ApiError::new(
            500,
            "session_error",
            "the session cookie could not be written",
        )
    })
}

/// A new session of `user` in `workspace`, answered with its token (also as
/// the session cookie) and what `/api/me` says.
fn start_session(
    state: &AppState,
    user: String,
    workspace: String,
    platform: Platform,
    expires: Option<i64>,
) -> ApiResult {
    let now = now_ms();
    let session = Session {
        user,
        workspace,
        platform,
        id: session::new_id().map_err(|e| ApiError::new(500, "session_error", e))?,
        expires: expires.unwrap_or_else(|| now.saturating_add(state.session_ms)),
    };
    let context = db::context(
        &mut state.db()?,
        &session.user,
        &session.workspace,
        session.platform,
    )?
    .ok_or_else(|| {
        ApiError::new(
            403,
            "not_a_member",
            format!(
                "`{}` is not a member of `{}`",
                session.user, session.workspace
            ),
        )
    })?;
    let token = state.signer.sign(&session);
    let mut body = describe(state, &session, &context)?;
    if let Value::Object(map) = &mut body {
        map.insert("token".into(), Value::String(token.clone()));
        map.insert("expiresAt".into(), json!(session.expires));
    }
    let mut response = Json(body).into_response();
    let max_age = (session.expires - now).max(0) / 1000;
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(state, &token, max_age)?);
    Ok(response)
}

/// Signing in. With an identity provider configured, the request carries
/// `Authorization: Bearer <identity token>` and the user is the one whose
/// email the token vouches for; the workspace must be one they are an
/// active member of. With `--demo-sign-in`, `{userId, workspace}` signs in
/// as any member. Attempts are limited per address.
async fn sign_in(
    State(state): State<Shared>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    body: JsonBody,
) -> ApiResult {
    blocking(state.gate(), move || {
    if let Some(axum::Extension(axum::extract::ConnectInfo(peer))) = peer {
        if state.sign_in_limit.check_key(&peer.ip()).is_err() {
            return Err(ApiError::new(
                429,
                "too_many_requests",
                "too many sign-in attempts from this address; wait a minute",
            ));
        }
    }
    let request: SignIn = serde_json::from_value(body.0)
        .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let (user, demo) = match (&request.user_id, bearer, &state.identity) {
        (Some(_), _, _) if !state.demo_sign_in => {
            return Err(ApiError::new(
                403,
                "demo_sign_in_disabled",
                "signing in as any member is for demos (`--demo-sign-in`); sign in with an identity token",
            ))
        }
        (Some(user), _, _) => (user.clone(), true),
        (None, Some(token), Some(identity)) => {
            let email = identity
                .email(token.trim())
                .map_err(|m| ApiError::new(401, "unauthenticated", m))?;
            let user = db::user_by_email(&mut state.db()?, &email)?.ok_or_else(|| {
                ApiError::new(403, "not_a_member", format!("no account for `{email}`"))
            })?;
            (user, false)
        }
        (None, _, _) => {
            return Err(ApiError::new(
                401,
                "unauthenticated",
                "sign in with `Authorization: Bearer <identity token>`",
            ))
        }
    };
    let active = db::active_workspaces(&mut state.db()?, &user)?;
    let workspace = match request.workspace {
        Some(w) if demo || active.contains(&w) => w,
        Some(w) => {
            return Err(ApiError::new(
                403,
                "not_a_member",
                format!("`{user}` is not an active member of `{w}`"),
            ))
        }
        None => active.into_iter().next().ok_or_else(|| {
            ApiError::new(
                403,
                "not_a_member",
                format!("`{user}` is an active member of no workspace"),
            )
        })?,
    };
    start_session(&state, user, workspace, request.platform, None)
})
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Switch {
    workspace: String,
}

/// Switching workspaces (seed 001: no new authentication): the signed-in
/// user moves to another workspace they are an active member of, and to no
/// other. The old session is signed out; the new one ends when it would
/// have.
async fn switch_workspace(
    State(state): State<Shared>,
    headers: axum::http::HeaderMap,
    body: JsonBody,
) -> ApiResult {
    blocking(state.gate(), move || {
        let mut conn = state.db()?;
        let current = state
            .session(&mut conn, &headers)?
            .ok_or_else(ApiError::unauthenticated)?;
        let request: Switch = serde_json::from_value(body.0)
            .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
        if !db::active_workspaces(&mut conn, &current.user)?.contains(&request.workspace) {
            return Err(ApiError::new(
                403,
                "not_a_member",
                format!(
                    "`{}` is not an active member of `{}`",
                    current.user, request.workspace
                ),
            ));
        }
        db::revoke_session(&mut conn, &current.id, current.expires, now_ms())?;
        drop(conn);
        start_session(
            &state,
            current.user,
            request.workspace,
            current.platform,
            Some(current.expires),
        )
    })
    .await
}

/// Signing out: the session's id is revoked in the database, so its token
/// stops working everywhere (other tabs, copies, other server processes),
/// and the cookie is cleared.
async fn sign_out(State(state): State<Shared>, headers: axum::http::HeaderMap) -> ApiResult {
    blocking(state.gate(), move || {
        let mut conn = state.db()?;
        if let Some(session) = state.session(&mut conn, &headers)? {
            db::revoke_session(&mut conn, &session.id, session.expires, now_ms())?;
        }
        let mut response = Json(json!({ "ok": true })).into_response();
        response
            .headers_mut()
            .insert(header::SET_COOKIE, cookie(&state, "", 0)?);
        Ok(response)
    })
    .await
}

fn describe(state: &AppState, session: &Session, context: &Context) -> Result<Value, ApiError> {
    let mut conn = state.db()?;
    let workspaces = db::workspaces_of(&mut conn, &session.user)?;
    let workspace = workspaces
        .iter()
        .find(|w| w.get("slug").and_then(Value::as_str) == Some(session.workspace.as_str()))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(json!({
        "user": db::user(&mut conn, &session.user)?,
        "workspace": workspace,
        "workspaces": workspaces,
        "context": context,
        "fingerprint": state.policy.fingerprint(),
    }))
}

/// Whether there is a session, and if so the same as `/api/me` (an app asks
/// this first, so that having no session yet is not an error).
async fn session_state(State(state): State<Shared>, headers: axum::http::HeaderMap) -> ApiResult {
    blocking(state.gate(), move || {
        match Signed::from_headers(&headers, &state) {
            Ok(signed) => {
                let mut body = describe(&state, &signed.session, &signed.context)?;
                if let Value::Object(map) = &mut body {
                    map.insert("signedIn".into(), Value::Bool(true));
                }
                ok(body)
            }
            Err(e) if e.status == 401 => ok(json!({ "signedIn": false })),
            Err(e) => Err(e),
        }
    })
    .await
}

/// The signed-in member: who, where, and the context every decision uses.
async fn me(State(state): State<Shared>, signed: Signed) -> ApiResult {
    blocking(state.gate(), move || {
        ok(describe(&state, &signed.session, &signed.context)?)
    })
    .await
}

#[derive(Deserialize)]
struct ResolveQuery {
    path: String,
}

/// The server's decision on a page path, the JSON of `view.resolve`.
async fn resolve(signed: Signed, Query(q): Query<ResolveQuery>) -> ApiResult {
    ok(json!(signed.view.resolve(&q.path)?))
}

async fn set_preferences(State(state): State<Shared>, signed: Signed, body: JsonBody) -> ApiResult {
    let (workspace, member) = (
        signed.session.workspace.clone(),
        signed.session.user.clone(),
    );
    let result = blocking(state.gate(), move || {
        let _one_change_at_a_time = state.changes()?;
        let Value::Object(changes) = body.0 else {
            return Err(ApiError::bad_request(
                "invalid_body",
                "send an object of preference values",
            ));
        };
        let mut preferences = signed.context.member.preferences.clone();
        for (key, value) in changes {
            if !state.policy.preference_ids().any(|p| p == key) {
                return Err(ApiError::bad_request(
                    "unknown_preference",
                    format!("no preference `{key}` in this ruleset"),
                )
                .field(&key));
            }
            let value = match value {
                Value::Bool(b) => PreferenceValue::Bool(b),
                Value::Null => PreferenceValue::Null,
                _ => {
                    return Err(ApiError::bad_request(
                        "invalid_value",
                        "a preference is true, false or null",
                    )
                    .field(&key))
                }
            };
            preferences.insert(key, value);
        }
        db::set_preferences(&mut state.db()?, &signed.session.user, &preferences)?;
        ok(json!({ "preferences": preferences }))
    })
    .await;
    logged(&workspace, &member, "preferences.update", result)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteAccount {
    confirmation: String,
}

/// Deletes the signed-in user's account, unless they are the only active
/// admin (owner) of a workspace or did not type `DELETE`.
async fn delete_account(State(state): State<Shared>, signed: Signed, body: JsonBody) -> ApiResult {
    let (workspace, member) = (
        signed.session.workspace.clone(),
        signed.session.user.clone(),
    );
    let result = blocking(state.gate(), move || {
        let _one_change_at_a_time = state.changes()?;
        let request: DeleteAccount = serde_json::from_value(body.0).map_err(|e| {
            ApiError::bad_request("invalid_body", e.to_string()).field("confirmation")
        })?;
        let user = signed.session.user.clone();
        let mut conn = state.db()?;
        let mut memberships = Vec::new();
        for slug in db::memberships(&mut conn, &user)? {
            // Which roles count as admins is the policy's to say.
            memberships.push(WorkspaceAdmins {
                active_holders: db::active_holders(&mut conn, &slug)?,
                workspace: slug,
                active_admins: Vec::new(),
            });
        }
        let request = AccountDeletion {
            user_id: user.clone(),
            confirmation: request.confirmation,
            memberships,
        };
        match state.policy.check_account_deletion(&request)? {
            AccountDeletionCheck::Ok => {
                db::delete_user(&mut conn, &user)?;
                let mut response = Json(json!({ "ok": true })).into_response();
                response
                    .headers_mut()
                    .insert(header::SET_COOKIE, cookie(&state, "", 0)?);
                Ok(response)
            }
            AccountDeletionCheck::SoleAdmin { workspaces } => {
                let mut error = ApiError::new(
                    409,
                    "sole_admin",
                    format!(
                        "you are the only active admin of {}: make another member an admin first",
                        workspaces.join(", ")
                    ),
                );
                error.workspaces = workspaces.iter().map(|s| (*s).to_owned()).collect();
                Err(error)
            }
            AccountDeletionCheck::ConfirmationRequired => Err(ApiError::bad_request(
                "confirmation_required",
                "type `DELETE` to confirm",
            )
            .field("confirmation")),
        }
    })
    .await;
    logged(&workspace, &member, "account.delete", result)
}

// ---------- the ruleset's endpoints ----------

/// A request the policy accepted, with the endpoint it addresses.
pub(crate) struct Decided {
    signed: Signed,
    /// The endpoint's id in the ruleset (`contacts.update`): what the
    /// server dispatches on.
    endpoint: String,
    /// The form the endpoint's body fills, if the ruleset names one: what
    /// the member's view answers as required of it is what a body must
    /// carry.
    form: Option<String>,
    method: String,
    path: String,
    params: BTreeMap<String, String>,
    body: Option<Value>,
}

impl Decided {
    fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    fn slug(&self) -> &str {
        &self.signed.session.workspace
    }

    fn body_object(&self) -> Result<&Map<String, Value>, ApiError> {
        match &self.body {
            Some(Value::Object(map)) => Ok(map),
            _ => Err(ApiError::bad_request("invalid_body", "send a JSON object")),
        }
    }
}

impl FromRequest<Shared> for Decided {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Shared) -> Result<Decided, ApiError> {
        let (mut parts, body) = request.into_parts();
        let signed = Signed::from_request_parts(&mut parts, state).await?;
        let body = read_json(body).await?;
        let path = parts
            .uri
            .path_and_query()
            .map_or(parts.uri.path(), |pq| pq.as_str());
        let request = ApiRequest {
            method: parts.method.as_str().to_owned(),
            path: path.to_owned(),
            body,
            record: None,
        };
        let who = parts.extensions.get::<crate::log::Who>();
        if let Some(refusal) = ApiError::from_check(&signed.view.check_request(&request)?) {
            // The endpoint's id where the ruleset has one at this path.
            let endpoint = state.policy.endpoint(&request.method, &request.path);
            if let (Some(who), Some(e)) = (who, &endpoint) {
                who.route(e.id);
            }
            let what = endpoint.map_or_else(
                || format!("{} {}", request.method, parts.uri.path()),
                |e| e.id.to_owned(),
            );
            crate::log::decision(
                &signed.session.workspace,
                &signed.session.user,
                &what,
                Some(&refusal.code),
            );
            return Err(refusal);
        }
        let endpoint = state
            .policy
            .endpoint(&request.method, &request.path)
            .ok_or_else(|| ApiError::new(404, "not_found", "no endpoint at this path"))?;
        let id = endpoint.id.to_owned();
        let form = endpoint.form.map(str::to_owned);
        if let Some(who) = who {
            who.route(&id);
        }
        let method = endpoint.method.to_ascii_uppercase();
        let params = endpoint
            .params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ok(Decided {
            signed,
            endpoint: id,
            form,
            method,
            path: request.path,
            params,
            body: request.body,
        })
    }
}

/// Reads a request body as JSON: `None` when it is empty, 413 when it is too
/// large, 400 `invalid_json` when it is not JSON.
async fn read_json(body: axum::body::Body) -> Result<Option<Value>, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                413,
                "input_too_large",
                format!("a request body is at most {MAX_BODY_BYTES} bytes"),
            )
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("the body is not JSON: {e}")))
}

/// The JSON body of a request to one of the server's own endpoints
/// (`null` when there is none), with the API's errors.
pub(crate) struct JsonBody(Value);

impl FromRequest<Shared> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &Shared) -> Result<JsonBody, ApiError> {
        let body = read_json(request.into_body()).await?;
        Ok(JsonBody(body.unwrap_or(Value::Null)))
    }
}

/// Record kinds: the id prefix, and the fields a body may carry when the
/// endpoint names no form. When it names one, the form's fields are what a
/// body may carry and what the member's view marks required is what it
/// must (`Body`).
const KINDS: &[(&str, &[&str], &str)] = &[
    ("contacts", &["name", "email", "phone", "accountId"], "c"),
    ("accounts", &["name", "domain"], "a"),
    ("projects", &["name", "criteria", "knowledge"], "p"),
    ("opportunities", &["name", "stage", "contactId"], "o"),
    ("conversations", &["title", "when", "with", "summary"], "m"),
    ("definitions", &["name", "description"], "d"),
    ("feedback", &["title", "body"], "f"),
    ("scorecards", &["name", "score"], "s"),
];

/// A record kind this server stores: its name, fields and id prefix.
fn record_kind(kind: &str) -> Option<(&'static str, &'static [&'static str], &'static str)> {
    KINDS.iter().copied().find(|(k, _, _)| *k == kind)
}

/// The header on every answer to a request the policy accepted, so that a
/// client (and the parity test) can tell the policy's refusals from the
/// handler's own errors (a record that does not exist, say).
pub const DECISION_HEADER: &str = "x-harmony-decision";

async fn ruleset_endpoint(State(state): State<Shared>, d: Decided) -> Response {
    let (workspace, member) = (
        d.signed.session.workspace.clone(),
        d.signed.session.user.clone(),
    );
    let (endpoint, changes) = (d.endpoint.clone(), d.method != "GET");
    let result = blocking(state.gate(), move || dispatch(&state, &d)).await;
    // Every change, and every refusal, goes to the decision log.
    match &result {
        Err(e) => crate::log::decision(&workspace, &member, &endpoint, Some(&e.code)),
        Ok(_) if changes => crate::log::decision(&workspace, &member, &endpoint, None),
        Ok(_) => {}
    }
    match result {
        // Refused by the policy's check with the record: no decision header.
        Err(error) if error.by_policy => error.into_response(),
        result => {
            let mut response = result.unwrap_or_else(IntoResponse::into_response);
            response
                .headers_mut()
                .insert(DECISION_HEADER, HeaderValue::from_static("accepted"));
            response
        }
    }
}

fn dispatch(state: &AppState, d: &Decided) -> ApiResult {
    // A change reads, decides and writes as one step: no other change (of
    // any process on the database) comes between its check and its write.
    let _one_change_at_a_time = (d.method != "GET").then(|| state.changes()).transpose()?;
    match d.endpoint.as_str() {
        "workspace.products.get" | "modules.get" => products(state, d),
        "workspace.products.update" | "modules.update" => set_products(state, d),
        "members.list" => list_members(state, d),
        "roles.list" => list_roles(state, d),
        "roles.create" => create_role(state, d),
        "roles.update" => update_role(state, d),
        "roles.delete" => delete_role(state, d),
        "members.update" => update_member(state, d),
        "members.remove" => remove_member(state, d),
        "members.reassign" => reassign(state, d),
        "teams.list" => ok(json!({ "teams": db::teams(&mut state.db()?, d.slug())? })),
        "teams.create" => create_team(state, d),
        "teams.update" => rename_team(state, d),
        "teams.delete" => delete_team(state, d),
        "teams.members.add" => team_member(state, d, true),
        "teams.members.remove" => team_member(state, d, false),
        "invites.list" => list_invites(state, d),
        "invites.create" => create_invite(state, d),
        "invites.revoke" => change_invite(state, d, InviteAction::Revoke),
        "invites.resend" => change_invite(state, d, InviteAction::Resend),
        "invites.accept" => change_invite(state, d, InviteAction::Accept),
        "sync.records" => sync(state, d),
        "performance.get" => {
            ok(json!({ "scorecards": db::count(&mut state.db()?, d.slug(), "scorecards")? }))
        }
        id => {
            // A record endpoint: `{kind}.{list|create|get|update|delete}`,
            // for the kinds this server stores.
            let Some((kind, action)) = id.rsplit_once('.') else {
                return Err(not_served());
            };
            let Some((kind, fields, prefix)) = record_kind(kind) else {
                return Err(not_served());
            };
            match action {
                "list" => list_records(state, d, kind),
                "create" => create_record(state, d, kind, &Body::of(d, fields)?, prefix),
                "get" => get_record(state, d, kind),
                "update" => update_record(state, d, kind, &Body::of(d, fields)?),
                "delete" => delete_record(state, d, kind),
                _ => Err(not_served()),
            }
        }
    }
}

fn not_served() -> ApiError {
    ApiError::new(
        501,
        "not_implemented",
        "the ruleset has this endpoint, but this reference server does not serve it",
    )
}

fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 5];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = now_ms().to_le_bytes()[..5].try_into().unwrap_or_default();
    }
    format!("{prefix}_{}", crate::session::hex(&bytes))
}

// ----- products -----

fn products(state: &AppState, d: &Decided) -> ApiResult {
    let saved = db::products(&mut state.db()?, d.slug())?;
    let list: Vec<Value> = state
        .policy
        .products()
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "label": p.label, "description": p.description, "default": p.default,
                "enabled": saved.get(p.id).copied().unwrap_or(p.default),
            })
        })
        .collect();
    ok(json!({ "products": list }))
}

/// Saves product toggles (a partial object: `{"accounts": false}`). Records
/// of a product turned off stay in the database.
fn set_products(state: &AppState, d: &Decided) -> ApiResult {
    let mut conn = state.db()?;
    let mut saved = db::products(&mut conn, d.slug())?;
    let known = state.policy.products();
    for (key, value) in d.body_object()? {
        if !known.iter().any(|p| p.id == key) {
            return Err(ApiError::bad_request(
                "unknown_product",
                format!("no product `{key}` in this ruleset"),
            )
            .field(key));
        }
        let Value::Bool(on) = value else {
            return Err(ApiError::bad_request(
                "invalid_value",
                "a product is turned on with true, off with false",
            )
            .field(key));
        };
        saved.insert(key.clone(), *on);
    }
    db::set_products(&mut conn, d.slug(), &saved)?;
    drop(conn);
    products(state, d)
}

// ----- members -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberChange {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    active: Option<bool>,
}

/// Changes a member's role or deactivates/reactivates them, guarded by the
/// policy's role-change check (last admin, last owner, who may grant what).
/// The policy's role-change check (SPEC section 10) of `actor` giving
/// `target` the role `new_role` (`None`: deactivating or removing them);
/// `target_active` is whether the target's membership is active now. A
/// refusal answers with the policy's code: 403 `permission_denied`, 409 for
/// a last-holder guard.
fn guard_role_change(
    state: &AppState,
    conn: &mut db::Conn,
    slug: &str,
    actor: &str,
    target: &db::MemberRow,
    target_active: bool,
    new_role: Option<String>,
) -> Result<(), ApiError> {
    let actor = db::member(conn, slug, actor)?.ok_or_else(ApiError::unauthenticated)?;
    let request = RoleChange {
        actor: RoleHolder {
            user_id: actor.user_id.clone(),
            role: actor.role().to_owned(),
            active: actor.active,
        },
        target: RoleHolder {
            user_id: target.user_id.clone(),
            role: target.role().to_owned(),
            active: target_active,
        },
        new_role,
        active_holders: db::active_holders(conn, slug)?,
        custom_roles: db::custom_roles(conn, slug)?,
    };
    refused_by(state.policy.check_role_change(&request)?)
}

/// A membership check's refusal as the API answers it: 403 for a missing
/// permission, 409 for a guard (the last admin, a role in use, ...).
fn refused_by(check: RoleChangeCheck) -> Result<(), ApiError> {
    match check {
        RoleChangeCheck::Ok => Ok(()),
        RoleChangeCheck::Denied { code, message } => {
            let status = if code == "permission_denied" {
                403
            } else {
                409
            };
            Err(ApiError::new(status, &code, message))
        }
    }
}

/// Changes a member's role or activation. Every change is the policy's
/// role-change check: a new role is a grant, deactivating takes the role
/// away, and reactivating grants it again (so it needs whoever may grant
/// that role, and a deactivated member's role cannot be changed around the
/// guards).
fn update_member(state: &AppState, d: &Decided) -> ApiResult {
    let change: MemberChange = serde_json::from_value(Value::Object(d.body_object()?.clone()))
        .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    let mut conn = state.db()?;
    let id = d.param("id");
    let target =
        db::member(&mut conn, d.slug(), id)?.ok_or_else(|| ApiError::not_found("member", id))?;
    let actor = d.signed.session.user.as_str();
    let role = change.role.unwrap_or_else(|| target.role().to_owned());
    let active = change.active.unwrap_or(target.active);
    // The policy refuses a role neither the ruleset nor the workspace
    // defines (`unknown_role` at `/newRole`); the API names its own field.
    let mut guard = |target_active, new_role| {
        guard_role_change(
            state,
            &mut conn,
            d.slug(),
            actor,
            &target,
            target_active,
            new_role,
        )
        .map_err(|e| match e.code.as_str() {
            "unknown_role" => e.field("role"),
            _ => e,
        })
    };
    if active {
        guard(target.active, Some(role.clone()))?;
    } else {
        if target.active {
            guard(true, None)?;
        }
        if role != target.role() {
            guard(false, Some(role.clone()))?;
        }
    }
    db::update_member(&mut conn, d.slug(), id, &role, active)?;
    ok(json!({ "userId": id, "roles": [role], "active": active }))
}

// ----- invites -----

fn invite_json(state: &AppState, invite: &db::InviteRow, now: i64) -> Result<Value, ApiError> {
    let status = state.policy.invite_status(&invite.times, now)?;
    Ok(json!({
        "id": invite.id, "email": invite.email, "role": invite.role, "landingPage": invite.landing_page,
        "sentAt": invite.times.sent_at, "acceptedAt": invite.times.accepted_at, "revokedAt": invite.times.revoked_at,
        "status": status.status, "expiresAt": status.expires_at,
    }))
}

fn list_invites(state: &AppState, d: &Decided) -> ApiResult {
    let now = now_ms();
    let invites = db::invites(&mut state.db()?, d.slug())?;
    let list = invites
        .iter()
        .map(|i| invite_json(state, i, now))
        .collect::<Result<Vec<_>, _>>()?;
    ok(json!({ "invites": list }))
}

/// Invites someone; the role and landing page must be among the options the
/// invite form offers this member (SPEC 6: the workspace's enabled pages).
fn create_invite(state: &AppState, d: &Decided) -> ApiResult {
    let body = d.body_object()?;
    let form = d.signed.view.form("invite")?;
    let text = |key: &str| {
        body.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    for key in body.keys() {
        if !form.iter().any(|f| f.field == key) {
            return Err(ApiError::bad_request(
                "unknown_field",
                format!("an invite has no field `{key}`"),
            )
            .field(key));
        }
    }
    let email = text("email")
        .filter(|e| e.contains('@') && e.len() <= 320)
        .ok_or_else(|| {
            ApiError::bad_request("invalid_email", "give the invitee's email address")
                .field("email")
        })?;
    let option = |key: &str, required: bool| -> Result<Option<String>, ApiError> {
        let value = text(key);
        let field = form.iter().find(|f| f.field == key);
        match (value, field.and_then(|f| f.options.as_ref())) {
            (None, _) if required => {
                Err(ApiError::bad_request("invalid_option", format!("choose a `{key}`")).field(key))
            }
            (None, _) => Ok(None),
            (Some(v), Some(options)) if options.contains(&v) => Ok(Some(v.to_owned())),
            (Some(v), _) => Err(ApiError::bad_request(
                "invalid_option",
                format!("`{v}` is not an option for `{key}` here"),
            )
            .field(key)),
        }
    };
    let role = option("role", true)?.unwrap_or_default();
    let landing_page = option("landingPage", false)?;
    let invite = db::InviteRow {
        id: new_id("i"),
        email: email.to_owned(),
        role,
        landing_page,
        times: harmony_policy::Invite {
            sent_at: now_ms(),
            accepted_at: None,
            revoked_at: None,
        },
    };
    db::insert_invite(&mut state.db()?, d.slug(), &invite)?;
    created(invite_json(state, &invite, now_ms())?)
}

/// The policy's check of accepting `invite` with the acting member as
/// actor: no existing membership rewritten, no existing account pulled in
/// by someone else, the role granted as a role change would grant it.
fn guard_acceptance(
    state: &AppState,
    conn: &mut db::Conn,
    d: &Decided,
    invite: &db::InviteRow,
) -> Result<(), ApiError> {
    let slug = d.slug();
    let actor =
        db::member(conn, slug, &d.signed.session.user)?.ok_or_else(ApiError::unauthenticated)?;
    let invitee = db::user_by_email(conn, &invite.email)?;
    let membership = match &invitee {
        Some(id) => db::member(conn, slug, id)?,
        None => None,
    };
    let request = harmony_policy::InviteAcceptance {
        actor: RoleHolder {
            user_id: actor.user_id.clone(),
            role: actor.role().to_owned(),
            active: actor.active,
        },
        role: invite.role.clone(),
        invitee,
        membership: membership.map(|m| RoleHolder {
            role: m.role().to_owned(),
            user_id: m.user_id,
            active: m.active,
        }),
        active_holders: db::active_holders(conn, slug)?,
        custom_roles: db::custom_roles(conn, slug)?,
    };
    refused_by(state.policy.check_invite_acceptance(&request)?)
}

enum InviteAction {
    Revoke,
    Resend,
    Accept,
}

/// Revokes a pending invite, resends one (a new 14 days), or accepts one on
/// the invitee's behalf (the demo has no mailbox).
fn change_invite(state: &AppState, d: &Decided, action: InviteAction) -> ApiResult {
    let now = now_ms();
    let mut conn = state.db()?;
    let id = d.param("id");
    let mut invite =
        db::invite(&mut conn, d.slug(), id)?.ok_or_else(|| ApiError::not_found("invite", id))?;
    let status = state.policy.invite_status(&invite.times, now)?.status;
    match (action, status) {
        (InviteAction::Revoke, InviteState::Pending) => invite.times.revoked_at = Some(now),
        (InviteAction::Revoke, _) => {
            return Err(ApiError::new(
                409,
                "invite_not_pending",
                "only a pending invite can be revoked",
            ));
        }
        (InviteAction::Resend | InviteAction::Accept, InviteState::Accepted) => {
            return Err(ApiError::new(
                409,
                "invite_accepted",
                "this invite was already accepted",
            ));
        }
        (InviteAction::Resend, _) => {
            invite.times = harmony_policy::Invite {
                sent_at: now,
                accepted_at: None,
                revoked_at: None,
            };
        }
        (InviteAction::Accept, InviteState::Pending) => {
            guard_acceptance(state, &mut conn, d, &invite)?;
            db::accept_invite(&mut conn, d.slug(), &invite, &new_id("u"), now)?;
            invite.times.accepted_at = Some(now);
            drop(conn);
            return ok(invite_json(state, &invite, now)?);
        }
        (InviteAction::Accept, InviteState::Expired) => {
            return Err(ApiError::new(
                410,
                "invite_expired",
                "this invite expired: resend it",
            ));
        }
        (InviteAction::Accept, InviteState::Revoked) => {
            return Err(ApiError::new(
                410,
                "invite_revoked",
                "this invite was revoked",
            ));
        }
    }
    db::set_invite_times(&mut conn, d.slug(), id, &invite.times)?;
    drop(conn);
    ok(invite_json(state, &invite, now)?)
}

// ----- records -----

/// Whether this member may see contacts' account links: the account picker
/// of the contact form, which the policy shows exactly when the API accepts
/// `accountId`.
fn shows_accounts(view: &View) -> bool {
    view.form("contact")
        .map(|fields| fields.iter().any(|f| f.field == "accountId" && f.visible))
        .unwrap_or(false)
}

/// A record as this member may read it: its fields with its owner and team;
/// while Accounts is off a contact's account link is kept in the database
/// but not shown.
fn shown(view: &View, kind: &str, row: &db::RecordRow) -> Value {
    let mut record = row.to_json();
    if kind == "contacts" && !shows_accounts(view) {
        record.remove("accountId");
    }
    Value::Object(record)
}

/// The policy's decision on this request with `record`: a refusal unless
/// every permission the endpoint requires covers the record.
fn decide_on(d: &Decided, record: &Record) -> Result<(), ApiError> {
    let body = d.body.as_ref().and_then(Value::as_object);
    let check = d.signed.view.check_request_on(
        &d.method,
        &d.path,
        |k| body.is_some_and(|b| b.contains_key(k)),
        Some(record),
    )?;
    match ApiError::from_check(&check) {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

/// The record the request addresses, if the member may read it. A record
/// outside the member's read scope (the policy's check of the `GET` of the
/// same path with that record) answers 404 like one that does not exist,
/// so that nobody learns which ids exist beyond what they may read.
fn reachable(
    state: &AppState,
    d: &Decided,
    conn: &mut db::Conn,
    kind: &str,
) -> Result<db::RecordRow, ApiError> {
    let id = d.param("id");
    let row = db::record(conn, d.slug(), kind, id)?.ok_or_else(|| ApiError::not_found(kind, id))?;
    if state.policy.endpoint("GET", &d.path).is_some() {
        let check =
            d.signed
                .view
                .check_request_on("GET", &d.path, |_| false, Some(&row.scope()))?;
        if !check.is_ok() {
            return Err(ApiError::not_found(kind, id));
        }
    }
    Ok(row)
}

/// The largest page of a list, and the page size when none is asked for.
pub const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 100;

/// The page a list request asks for: `?limit=N` (1 to [`MAX_PAGE`]) and
/// `?after=CURSOR` (the `next` of the page before).
fn page_of(path: &str) -> Result<(i64, usize), ApiError> {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    let (mut after, mut limit) = (0, DEFAULT_PAGE);
    for (key, value) in query.split('&').filter_map(|pair| pair.split_once('=')) {
        match key {
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_request(
                            "invalid_value",
                            format!("`limit` is a number from 1 to {MAX_PAGE}"),
                        )
                        .field("limit")
                    })?;
            }
            "after" => {
                after = value.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    ApiError::bad_request("invalid_value", "`after` is the `next` of a page")
                        .field("after")
                })?;
            }
            _ => {}
        }
    }
    Ok((after, limit))
}

/// A page of the records the member may read: `{KIND: [...], next}`, where
/// `next` is the cursor of the following page (`?after=next`), or null.
fn list_records(state: &AppState, d: &Decided, kind: &str) -> ApiResult {
    let endpoint = state
        .policy
        .endpoint(&d.method, &d.path)
        .ok_or_else(|| ApiError::new(404, "not_found", "no endpoint at this path"))?;
    let filter = d.signed.view.endpoint_filter(&endpoint);
    let (after, limit) = page_of(&d.path)?;
    let (rows, next) = db::records(&mut state.db()?, d.slug(), kind, &filter, after, limit)?;
    let list: Vec<Value> = rows
        .iter()
        .map(|r| shown(&d.signed.view, kind, r))
        .collect();
    ok(json!({ kind: list, "next": next.map(|n| n.to_string()) }))
}

fn get_record(state: &AppState, d: &Decided, kind: &str) -> ApiResult {
    let row = reachable(state, d, &mut state.db()?, kind)?;
    ok(shown(&d.signed.view, kind, &row))
}

fn delete_record(state: &AppState, d: &Decided, kind: &str) -> ApiResult {
    let mut conn = state.db()?;
    let row = reachable(state, d, &mut conn, kind)?;
    decide_on(d, &row.scope())?;
    db::delete_record(&mut conn, d.slug(), kind, d.param("id"))?;
    ok(json!({ "ok": true }))
}

/// The owner and team a create or update body asks for (`ownerId`,
/// `teamId`; `null` clears the team), checked to exist in this workspace.
/// `None` where the body does not name them.
fn ownership(
    conn: &mut db::Conn,
    slug: &str,
    body: &Map<String, Value>,
) -> Result<(Option<String>, Option<Option<String>>), ApiError> {
    let owner = match body.get("ownerId") {
        None => None,
        Some(Value::String(user)) => {
            if !db::member(conn, slug, user)?.is_some_and(|m| m.active) {
                return Err(ApiError::bad_request(
                    "unknown_member",
                    format!("no active member `{user}` in this workspace"),
                )
                .field("ownerId"));
            }
            Some(user.clone())
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_value",
                "`ownerId` takes a member's user id",
            )
            .field("ownerId"))
        }
    };
    let team = match body.get("teamId") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(team)) => {
            if !db::team_exists(conn, slug, team)? {
                return Err(ApiError::bad_request(
                    "unknown_team",
                    format!("no team `{team}` in this workspace"),
                )
                .field("teamId"));
            }
            Some(Some(team.clone()))
        }
        Some(_) => {
            return Err(
                ApiError::bad_request("invalid_value", "`teamId` takes a team id or null")
                    .field("teamId"),
            )
        }
    };
    Ok((owner, team))
}

/// The body without the ownership fields, which every kind has.
fn fields_only(body: &Map<String, Value>) -> Map<String, Value> {
    let mut fields = body.clone();
    fields.remove("ownerId");
    fields.remove("teamId");
    fields
}

/// Checks a create/update body against the fields it may carry: strings
/// (or null to clear one that is not required; a required one may not be
/// left empty), a contact's `accountId` naming an account of this
/// workspace.
fn check_fields(
    conn: &mut db::Conn,
    slug: &str,
    body: &Map<String, Value>,
    spec: &Body,
) -> Result<(), ApiError> {
    let Body { fields, required } = spec;
    for (key, value) in body {
        if !fields.contains(key) {
            return Err(
                ApiError::bad_request("unknown_field", format!("no field `{key}` here")).field(key),
            );
        }
        let required = required.iter().any(|r| r == key);
        match value {
            Value::String(s) if s.len() > 10_000 => {
                return Err(ApiError::bad_request(
                    "input_too_large",
                    "a field is at most 10000 bytes",
                )
                .field(key));
            }
            Value::String(s) if required && s.trim().is_empty() => {
                return Err(ApiError::bad_request(
                    "required_field",
                    format!("`{key}` cannot be empty"),
                )
                .field(key));
            }
            Value::String(s) if key == "accountId" => {
                if !db::record_exists(conn, slug, "accounts", s)? {
                    return Err(ApiError::bad_request(
                        "unknown_account",
                        format!("no account `{s}` in this workspace"),
                    )
                    .field(key));
                }
            }
            Value::String(_) => {}
            Value::Null if !required => {}
            _ => {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("`{key}` takes a string"),
                )
                .field(key));
            }
        }
    }
    Ok(())
}

/// What a record's body may carry and must: with the form the endpoint
/// names, its fields, and those the member's view marks required (a create
/// must carry each, no change may leave one empty); without one, the
/// kind's own fields and nothing required.
struct Body {
    fields: Vec<String>,
    required: Vec<String>,
}

impl Body {
    fn of(d: &Decided, kind_fields: &[&str]) -> Result<Body, ApiError> {
        Body::for_form(&d.signed.view, d.form.as_deref(), kind_fields)
    }

    fn for_form(
        view: &harmony_policy::View,
        form: Option<&str>,
        kind_fields: &[&str],
    ) -> Result<Body, ApiError> {
        let Some(form) = form else {
            return Ok(Body {
                fields: kind_fields.iter().map(|f| (*f).to_owned()).collect(),
                required: Vec::new(),
            });
        };
        let answer = view.form(form)?;
        Ok(Body {
            fields: answer.iter().map(|f| f.field.to_owned()).collect(),
            required: answer
                .iter()
                .filter(|f| f.required)
                .map(|f| f.field.to_owned())
                .collect(),
        })
    }
}

/// Creates a record owned by its creator (or by the `ownerId` the body
/// names), in the team the body names. The policy decides with the new
/// record: an owner other than the creator needs a scope that covers that
/// member's records, and a team needs one that covers the team's records
/// whoever owns them (`team` for one's own teams, `all` for any).
fn create_record(
    state: &AppState,
    d: &Decided,
    kind: &str,
    spec: &Body,
    prefix: &str,
) -> ApiResult {
    let body = d.body_object()?;
    let mut conn = state.db()?;
    let (owner, team) = ownership(&mut conn, d.slug(), body)?;
    let values = fields_only(body);
    check_fields(&mut conn, d.slug(), &values, spec)?;
    if let Some(missing) = spec
        .required
        .iter()
        .find(|f| !values.get(f.as_str()).is_some_and(Value::is_string))
    {
        return Err(
            ApiError::bad_request("required_field", format!("`{missing}` is required"))
                .field(missing),
        );
    }
    let team = team.flatten();
    if let Some(team) = &team {
        decide_on(d, &Record::new(None, Some(team)))?;
    }
    let owner = owner.unwrap_or_else(|| d.signed.session.user.clone());
    let row_scope = Record::new(Some(&owner), team.as_deref());
    decide_on(d, &row_scope)?;
    let id = new_id(prefix);
    let mut data = Map::new();
    data.insert("id".into(), Value::String(id.clone()));
    for field in &spec.fields {
        data.insert(
            field.clone(),
            values.get(field).cloned().unwrap_or(Value::Null),
        );
    }
    let row = db::RecordRow {
        data,
        owner_id: Some(owner),
        team_id: team,
    };
    db::put_record(&mut conn, d.slug(), kind, &id, &row)?;
    created(shown(&d.signed.view, kind, &row))
}

/// Updates the fields the body names; the others (an account link the member
/// cannot see while Accounts is off, say) stay as they are. The policy
/// decides with the record as it is and, when the owner or team changes, as
/// it would be (a member cannot move a record out of their own reach), and
/// a new team as on create.
fn update_record(state: &AppState, d: &Decided, kind: &str, spec: &Body) -> ApiResult {
    let body = d.body_object()?;
    let mut conn = state.db()?;
    let mut row = reachable(state, d, &mut conn, kind)?;
    decide_on(d, &row.scope())?;
    let (owner, team) = ownership(&mut conn, d.slug(), body)?;
    let values = fields_only(body);
    check_fields(&mut conn, d.slug(), &values, spec)?;
    if owner.is_some() || team.is_some() {
        if let Some(Some(team)) = &team {
            decide_on(d, &Record::new(None, Some(team)))?;
        }
        if let Some(owner) = owner {
            row.owner_id = Some(owner);
        }
        if let Some(team) = team {
            row.team_id = team;
        }
        decide_on(d, &row.scope())?;
    }
    for (key, value) in values {
        row.data.insert(key, value);
    }
    db::put_record(&mut conn, d.slug(), kind, d.param("id"), &row)?;
    ok(shown(&d.signed.view, kind, &row))
}

// ----- sync -----

/// Stores HubSpot or Salesforce contact records (`{"records": [...]}`), each
/// as the policy's `syncRecord` leaves it (while Accounts is off,
/// `accountId` is dropped, and only it), merged into the stored contact: a
/// field the policy dropped keeps its stored value, so disabling a product
/// loses nothing. Fields are checked as a create checks them. A new contact
/// is owned by the member who runs the sync; a stored one keeps its owner
/// and team.
fn sync(state: &AppState, d: &Decided) -> ApiResult {
    let integration = d.param("integration");
    let body = d.body_object()?;
    let Some(Value::Array(records)) = body.get("records") else {
        return Err(
            ApiError::bad_request("invalid_body", "send `{\"records\": [...]}`").field("records"),
        );
    };
    if records.len() > MAX_SYNC_RECORDS {
        return Err(ApiError::bad_request(
            "input_too_large",
            format!("at most {MAX_SYNC_RECORDS} records per request"),
        )
        .field("records"));
    }
    let dropped: Vec<String> = d
        .signed
        .view
        .sync_dropped_fields(integration)?
        .into_iter()
        .map(str::to_owned)
        .collect();
    // A synced record creates or changes a contact: it may set what a
    // contact's update may, and may not leave empty what that may not.
    let contact_form = state
        .policy
        .endpoint("PATCH", "/api/contacts/x")
        .and_then(|e| e.form);
    let contact_fields = record_kind("contacts").map_or(&[][..], |(_, fields, _)| fields);
    let spec = Body::for_form(&d.signed.view, contact_form, contact_fields)?;
    let mut conn = state.db()?;
    let mut stored = Vec::with_capacity(records.len());
    let mut rows = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        let Value::Object(record) = record else {
            return Err(ApiError::bad_request(
                "invalid_record",
                format!("record {i} is not an object"),
            )
            .field("records"));
        };
        let kept = d.signed.view.sync_record(integration, record.clone())?;
        // HubSpot names its record id `id`, Salesforce `Id`.
        let Some(Value::String(external)) = kept.get("id").or_else(|| kept.get("Id")) else {
            return Err(ApiError::bad_request(
                "invalid_record",
                format!("record {i} has no string `id` (HubSpot) or `Id` (Salesforce)"),
            )
            .field("records"));
        };
        let id = format!("{integration}_{external}");
        let mut values = Map::new();
        for field in &spec.fields {
            if let Some(value) = kept.get(field) {
                values.insert(field.clone(), value.clone());
            }
        }
        check_fields(&mut conn, d.slug(), &values, &spec).map_err(|mut e| {
            e.message = format!("record {i}: {}", e.message);
            e
        })?;
        let mut row = db::record(&mut conn, d.slug(), "contacts", &id)?.unwrap_or_else(|| {
            let mut data = Map::new();
            data.insert("id".into(), Value::String(id.clone()));
            db::RecordRow {
                data,
                owner_id: Some(d.signed.session.user.clone()),
                team_id: None,
            }
        });
        // Merged: a field the policy dropped keeps its stored value.
        row.data.extend(values);
        row.data
            .insert("source".into(), Value::String(integration.to_owned()));
        rows.push((id, row));
        stored.push(Value::Object(kept));
    }
    // Every record was checked before any is written: a refused request
    // stores nothing.
    for (id, row) in &rows {
        db::put_record(&mut conn, d.slug(), "contacts", id, row)?;
    }
    ok(json!({ "integration": integration, "dropped": dropped, "stored": stored }))
}

// ----- members and teams -----

/// The members with their teams and how many records of each kind they own
/// (the Team / Users page's assignment counts).
fn list_members(state: &AppState, d: &Decided) -> ApiResult {
    let mut conn = state.db()?;
    let mut members = db::members(&mut conn, d.slug())?;
    let assignments = db::assignments(&mut conn, d.slug())?;
    for member in &mut members {
        let Some(user) = member
            .get("userId")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        let teams = db::teams_of(&mut conn, d.slug(), &user)?;
        if let Value::Object(map) = member {
            map.insert("teams".into(), json!(teams));
            map.insert(
                "assignments".into(),
                json!(assignments.get(&user).cloned().unwrap_or_default()),
            );
        }
    }
    ok(json!({ "members": members }))
}

/// The role-change guard for taking `target`'s role away (removing them):
/// the last active admin or owner stays.
fn guard_removal(state: &AppState, d: &Decided, target: &db::MemberRow) -> Result<(), ApiError> {
    let mut conn = state.db()?;
    let actor = d.signed.session.user.as_str();
    guard_role_change(
        state,
        &mut conn,
        d.slug(),
        actor,
        target,
        target.active,
        None,
    )
}

/// "Remove from org": the member loses access at once; the records they
/// own stay in the workspace and stay theirs (reassign them first if
/// someone else should take them over).
fn remove_member(state: &AppState, d: &Decided) -> ApiResult {
    let id = d.param("id");
    let target = db::member(&mut state.db()?, d.slug(), id)?
        .ok_or_else(|| ApiError::not_found("member", id))?;
    // A member who holds no ruleset role (only extra grants) holds no
    // role the last-holder guard protects.
    if target.active && !target.roles.is_empty() {
        guard_removal(state, d, &target)?;
    }
    db::remove_member(&mut state.db()?, d.slug(), id)?;
    ok(json!({ "ok": true, "userId": id }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reassign {
    to: String,
}

/// Gives every record member `id` owns to member `to`, kind by kind, as far
/// as the acting member may update records of that kind (the policy's
/// filter of the kind's update endpoint).
fn reassign(state: &AppState, d: &Decided) -> ApiResult {
    let request: Reassign = serde_json::from_value(Value::Object(d.body_object()?.clone()))
        .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    let from = d.param("id");
    let mut conn = state.db()?;
    db::member(&mut conn, d.slug(), from)?.ok_or_else(|| ApiError::not_found("member", from))?;
    if !db::member(&mut conn, d.slug(), &request.to)?.is_some_and(|m| m.active) {
        return Err(ApiError::bad_request(
            "unknown_member",
            format!("no active member `{}` in this workspace", request.to),
        )
        .field("to"));
    }
    let paths: Vec<(&str, String)> = KINDS
        .iter()
        .map(|(kind, _, _)| (*kind, format!("/api/{kind}/x")))
        .collect();
    let kinds: Vec<(&str, harmony_policy::Filter<'_>)> = paths
        .iter()
        .filter_map(|(kind, path)| {
            let endpoint = state.policy.endpoint("PATCH", path)?;
            Some((*kind, d.signed.view.endpoint_filter(&endpoint)))
        })
        .collect();
    let moved = db::reassign(&mut conn, d.slug(), from, &request.to, &kinds)?;
    ok(json!({ "from": from, "to": request.to, "moved": moved }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamName {
    name: String,
}

fn team_name(d: &Decided) -> Result<String, ApiError> {
    let body: TeamName = serde_json::from_value(Value::Object(d.body_object()?.clone()))
        .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(
            ApiError::bad_request("invalid_value", "a team name is 1 to 80 characters")
                .field("name"),
        );
    }
    Ok(name.to_owned())
}

fn create_team(state: &AppState, d: &Decided) -> ApiResult {
    let name = team_name(d)?;
    let id = new_id("t");
    db::insert_team(&mut state.db()?, d.slug(), &id, &name)?;
    created(json!({ "id": id, "name": name, "members": [] }))
}

fn rename_team(state: &AppState, d: &Decided) -> ApiResult {
    let name = team_name(d)?;
    let id = d.param("id");
    if !db::rename_team(&mut state.db()?, d.slug(), id, &name)? {
        return Err(ApiError::not_found("team", id));
    }
    ok(json!({ "id": id, "name": name }))
}

/// Deletes a team: its members leave it, its records keep their `teamId`
/// (reachable at `all` scope, and by their owners).
fn delete_team(state: &AppState, d: &Decided) -> ApiResult {
    let id = d.param("id");
    if !db::delete_team(&mut state.db()?, d.slug(), id)? {
        return Err(ApiError::not_found("team", id));
    }
    ok(json!({ "ok": true }))
}

/// Puts a member in a team or takes them out; it takes effect on their
/// next request.
fn team_member(state: &AppState, d: &Decided, add: bool) -> ApiResult {
    let mut conn = state.db()?;
    let (team, user) = (d.param("id"), d.param("userId"));
    if !db::team_exists(&mut conn, d.slug(), team)? {
        return Err(ApiError::not_found("team", team));
    }
    if db::member(&mut conn, d.slug(), user)?.is_none() {
        return Err(ApiError::not_found("member", user));
    }
    if add {
        db::add_team_member(&mut conn, d.slug(), team, user)?;
    } else if !db::remove_team_member(&mut conn, d.slug(), team, user)? {
        return Err(ApiError::not_found("team member", user));
    }
    ok(json!({ "team": team, "userId": user, "member": add }))
}

// ----- workspace roles -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBody {
    label: Option<String>,
    grants: Option<Vec<String>>,
}

fn role_body(d: &Decided) -> Result<RoleBody, ApiError> {
    serde_json::from_value(Value::Object(d.body_object()?.clone()))
        .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))
}

/// Stores `roles` (the workspace's, with `changed` at `index`) once the
/// policy accepts them all; a problem with the changed role is reported at
/// its place in the body (`/grants/1`).
fn store_roles(
    state: &AppState,
    d: &Decided,
    roles: &[harmony_policy::CustomRole],
    index: usize,
) -> Result<(), ApiError> {
    if let Err(e) = state.policy.check_custom_roles(roles) {
        let mut error = ApiError::from(e);
        let prefix = format!("/{index}");
        if let Some(rest) = error.field.as_deref().and_then(|f| f.strip_prefix(&prefix)) {
            error.field = Some(rest.to_owned());
        }
        return Err(error);
    }
    if let Some(role) = roles.get(index) {
        db::put_role(&mut state.db()?, d.slug(), role)?;
    }
    Ok(())
}

/// The workspace's roles with how many members hold each (so drift is easy
/// to audit); the ruleset's roles are in the ruleset itself.
fn list_roles(state: &AppState, d: &Decided) -> ApiResult {
    let mut conn = state.db()?;
    let mut out = Vec::new();
    for role in db::custom_roles(&mut conn, d.slug())? {
        let holders = db::holders(&mut conn, d.slug(), &role.id)?;
        out.push(json!({ "id": role.id, "label": role.label, "grants": role.grants, "holders": holders }));
    }
    ok(json!({ "roles": out }))
}

fn create_role(state: &AppState, d: &Decided) -> ApiResult {
    let body = role_body(d)?;
    let mut roles = db::custom_roles(&mut state.db()?, d.slug())?;
    let role = harmony_policy::CustomRole {
        id: new_id("r"),
        label: body.label.unwrap_or_default().trim().to_owned(),
        grants: body.grants.unwrap_or_default(),
    };
    roles.push(role.clone());
    store_roles(state, d, &roles, roles.len() - 1)?;
    created(json!(role))
}

/// Changes a role's label or grants; every holder's next request is
/// decided with the new grants.
fn update_role(state: &AppState, d: &Decided) -> ApiResult {
    let body = role_body(d)?;
    let id = d.param("id");
    let mut roles = db::custom_roles(&mut state.db()?, d.slug())?;
    let index = roles
        .iter()
        .position(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found("role", id))?;
    if let Some(role) = roles.get_mut(index) {
        if let Some(label) = body.label {
            role.label = label.trim().to_owned();
        }
        if let Some(grants) = body.grants {
            role.grants = grants;
        }
    }
    store_roles(state, d, &roles, index)?;
    ok(json!(roles.get(index)))
}

/// Deletes a role nobody holds (the policy's role-deletion check).
fn delete_role(state: &AppState, d: &Decided) -> ApiResult {
    let id = d.param("id");
    let mut conn = state.db()?;
    let request = harmony_policy::RoleDeletion {
        role: id.to_owned(),
        holders: db::holders(&mut conn, d.slug(), id)?,
        custom_roles: db::custom_roles(&mut conn, d.slug())?,
    };
    match state.policy.check_role_deletion(&request) {
        Err(e) if e.code() == "unknown_role" => return Err(ApiError::not_found("role", id)),
        Err(e) => return Err(e.into()),
        Ok(RoleChangeCheck::Denied { code, message }) => {
            return Err(ApiError::new(409, &code, message))
        }
        Ok(RoleChangeCheck::Ok) => {}
    }
    db::delete_role(&mut conn, d.slug(), id)?;
    ok(json!({ "ok": true, "id": id }))
}
