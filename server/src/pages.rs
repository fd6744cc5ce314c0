//! The app's files and pages. `www/` and `pkg/` are flat directories, so a
//! file is served only for a plain name (`/app.js`, `/pkg/harmony_policy.js`)
//! and nothing else ever reaches the file system. Every other path is a page
//! of the single-page app, decided by the policy before the app is sent:
//! allowed pages get `index.html` (200), redirects a `302` to the ruleset's
//! target, forbidden pages 403 and unknown ones 404 (both with `index.html`,
//! whose own copy of the policy then explains why).

use crate::routes::{Guard, Routes};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use harmony_policy::Resolution;
use std::path::Path;
use std::sync::Arc;

pub(crate) fn routes() -> Routes<Arc<AppState>> {
    Routes::new()
        .add("GET", "/pkg/{name}", Guard::Public, get(pkg_file))
        .fallback(Guard::Page, get(page))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A plain file name: letters, digits, `_`, `-` and dots, not starting with
/// a dot.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

async fn file(dir: &Path, name: &str) -> Option<Response> {
    if !plain_name(name) {
        return None;
    }
    let bytes = tokio::fs::read(dir.join(name)).await.ok()?;
    Some(
        (
            [
                (header::CONTENT_TYPE, content_type(name)),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
    )
}

async fn pkg_file(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    match file(&state.pkg, &name).await {
        Some(response) => response,
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn page(State(state): State<Arc<AppState>>, headers: HeaderMap, uri: Uri) -> Response {
    let path = uri.path();
    if let Some(name) = path
        .strip_prefix('/')
        .filter(|n| n.contains('.') && !n.contains('/'))
    {
        if let Some(response) = file(&state.www, name).await {
            return response;
        }
    }
    let Some(index) = file(&state.www, "index.html").await else {
        return (StatusCode::NOT_FOUND, "www/index.html is missing").into_response();
    };
    let signed = {
        let state = state.clone();
        crate::api::blocking(state.gate(), move || {
            let mut conn = state.db()?;
            let Some(session) = state.session(&mut conn, &headers)? else {
                return Ok(None);
            };
            let context = crate::db::context(
                &mut conn,
                &session.user,
                &session.workspace,
                session.platform,
            )?;
            Ok(context
                .and_then(|c| state.policy.view(&c).ok())
                .map(|view| (session, view)))
        })
        .await
    };
    let Ok(Some((session, view))) = signed else {
        return index;
    };
    let original = uri.path_and_query().map_or(path, |pq| pq.as_str());
    let home = format!("/workspace/{}", session.workspace);
    let target = if original == "/" {
        home.as_str()
    } else {
        original
    };
    let status = match view.resolve(target) {
        Ok(Resolution::Allow { .. }) if target == original => StatusCode::OK,
        Ok(Resolution::Allow { .. }) => return redirect(target),
        Ok(Resolution::Redirect { to, .. }) => return redirect(to),
        Ok(Resolution::Forbidden { .. }) => StatusCode::FORBIDDEN,
        Ok(Resolution::NotFound) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::BAD_REQUEST,
    };
    (status, index).into_response()
}

fn redirect(to: impl AsRef<str>) -> Response {
    match HeaderValue::from_str(to.as_ref()) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}
