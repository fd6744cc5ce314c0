//! What the server writes down, with `tracing`: one line per request
//! (`harmony_server::request`: method, route, path, status, latency,
//! workspace, member; never a token, a cookie or a body) and a decision log
//! (`harmony_server::decision`: every refusal and every change to
//! memberships, roles, teams, records and settings, with who, what, the
//! decision and its reason code), the audit trail admins ask for. The
//! binary chooses text or JSON and the level (`RUST_LOG`).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Who a request turned out to come from, filled in when its session is
/// read, and the ruleset's endpoint it reached, for the request's log line.
#[derive(Clone, Default)]
pub(crate) struct Who {
    member: Arc<OnceLock<(String, String)>>,
    endpoint: Arc<OnceLock<String>>,
}

impl Who {
    /// Records the workspace and member (the first time only).
    pub(crate) fn set(&self, workspace: &str, member: &str) {
        let _ = self.member.set((workspace.to_owned(), member.to_owned()));
    }

    /// Records the ruleset's endpoint id the request was routed to.
    pub(crate) fn route(&self, endpoint: &str) {
        let _ = self.endpoint.set(endpoint.to_owned());
    }
}

/// Logs each request once it is answered.
pub(crate) async fn requests(mut request: Request, next: Next) -> Response {
    let who = Who::default();
    request.extensions_mut().insert(who.clone());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // The server's own route pattern; a ruleset endpoint's id replaces the
    // catch-all that routes to them.
    let pattern = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(String::new, |m| m.as_str().to_owned());
    let start = Instant::now();
    let response = next.run(request).await;
    let (workspace, member) = who.member.get().cloned().unwrap_or_default();
    let route = who.endpoint.get().cloned().unwrap_or(pattern);
    tracing::info!(
        target: "harmony_server::request",
        method = %method,
        route = %route,
        path = %path,
        status = response.status().as_u16(),
        latency_us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
        workspace = %workspace,
        member = %member,
    );
    response
}

/// Logs a decision: `what` (an endpoint id or the server's own action) by
/// `member` of `workspace`, `accepted` or `refused` with the reason code.
pub(crate) fn decision(workspace: &str, member: &str, what: &str, refused: Option<&str>) {
    match refused {
        None => tracing::info!(
            target: "harmony_server::decision",
            workspace, member, what, decision = "accepted",
        ),
        Some(code) => tracing::info!(
            target: "harmony_server::decision",
            workspace, member, what, decision = "refused", code,
        ),
    }
}
