//! The web guards every response and request passes: security headers on
//! every response, state changes only from the server's own pages (or from
//! clients that are not browsers), JSON bodies only, and limits on body
//! size and request time. None of them decides what a member may do: that
//! is the policy's, in the handlers.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What pages may load and who may frame them: the app's own scripts,
/// styles and WebAssembly, no inline script, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `router` behind the guards.
pub fn layers(router: Router, request_timeout: Duration) -> Router {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(axum::middleware::from_fn(same_origin_json))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(axum::middleware::from_fn(crate::log::requests))
}

/// Whether a method changes state.
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request comes from another site: its `Origin` names another
/// host than the one it was sent to, or the browser says so
/// (`Sec-Fetch-Site`). Clients that send neither (servers, scripts, the
/// tests) are not browsers, so no other site can act through them.
pub fn cross_origin(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(origin) = text(header::ORIGIN) {
        let host = origin.split_once("://").map(|(_, rest)| rest);
        return host.is_none() || host != text(header::HOST);
    }
    matches!(text(HeaderName::from_static("sec-fetch-site")), Some(site) if site != "same-origin" && site != "none")
}

/// Refuses a state change from another site (403 `cross_origin`) and a body
/// that is not JSON (415 `unsupported_media_type`): a form on another site
/// can send neither.
async fn same_origin_json(request: Request, next: Next) -> Response {
    if changes_state(request.method()) {
        if cross_origin(request.headers()) {
            return ApiError::new(
                403,
                "cross_origin",
                "changes are accepted only from this server's own pages",
            )
            .into_response();
        }
        let has_body = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
            || request.headers().contains_key(header::TRANSFER_ENCODING);
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if has_body && !json {
            return ApiError::new(
                415,
                "unsupported_media_type",
                "send the body as `application/json`",
            )
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn another_origin_is_cross_origin_and_the_same_is_not() {
        let same = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(!cross_origin(&same));
        let other = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://evil.example"),
        ]);
        assert!(cross_origin(&other));
        let opaque = headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]);
        assert!(cross_origin(&opaque));
        let fetch = headers(&[("host", "a"), ("sec-fetch-site", "cross-site")]);
        assert!(cross_origin(&fetch));
        let script = headers(&[("host", "a")]);
        assert!(!cross_origin(&script));
    }
}
