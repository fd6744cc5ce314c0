//! Every route the server registers, with what guards it, and an attacker's
//! request to each that is refused. A route can only be registered with its
//! guard (`harmony_server::inventory` lists them); this test fails when one
//! is not refused as its guard says.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use harmony_server::Guard;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn start(extra: &[&str]) -> String {
    common::serve(&common::config(&common::fresh_db(), "harmony", extra))
        .await
        .0
}

async fn send(base: &str, token: Option<&str>, method: &str, path: &str) -> (StatusCode, Value) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = reqwest::Client::new().request(method.clone(), format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if method != Method::GET && method != Method::HEAD {
        request = request.json(&json!({}));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn demo_token(base: &str, user: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/session"))
        .json(&json!({ "userId": user, "workspace": "acme" }))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// A concrete path for a pattern: every `{param}` filled in.
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|seg| if seg.starts_with('{') { "x1" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_has_a_guard_and_refuses_an_attacker() {
    let closed = start(&[]).await;
    let demo = start(&["--demo-sign-in"]).await;
    // Bob, deactivated by the admin: a former member trying his old token.
    let ada = demo_token(&demo, "u_ada").await;
    let bob = demo_token(&demo, "u_bob").await;
    let (status, _) = reqwest::Client::new()
        .patch(format!("{demo}/api/members/u_bob"))
        .bearer_auth(&ada)
        .json(&json!({ "active": false }))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);

    let inventory = harmony_server::inventory();
    assert!(inventory.len() >= 12, "{inventory:?}");
    for route in &inventory {
        let path = concrete(route.path);
        let method = if route.method == "ANY" {
            "GET"
        } else {
            route.method
        };
        let (status, body) = send(&closed, None, method, &path).await;
        let expected: &[StatusCode] = match route.guard {
            Guard::Public | Guard::Page => &[StatusCode::OK, StatusCode::NOT_FOUND],
            Guard::SignIn | Guard::Session(_) => &[StatusCode::UNAUTHORIZED],
            Guard::Ruleset => &[StatusCode::UNAUTHORIZED],
            Guard::DemoOnly => &[StatusCode::NOT_FOUND],
        };
        assert!(
            expected.contains(&status),
            "{} {} ({:?}) without a session: {status} {body}",
            route.method,
            route.path,
            route.guard
        );
        if route.guard == Guard::Page {
            // A page never carries data; a member refused it gets 403.
            let response = reqwest::Client::new()
                .get(format!("{demo}/workspace/acme/settings/products"))
                .header("cookie", format!("harmony_session={bob}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }
    }
    assert!(inventory.iter().any(|r| r.guard == Guard::Ruleset));

    // Every endpoint of the ruleset's table: refused without a session and
    // to the deactivated member, decided by the policy.
    let ruleset: Value = serde_json::from_str(
        harmony_policy::Policy::builtin("harmony")
            .unwrap()
            .to_json(),
    )
    .unwrap();
    let endpoints = ruleset["api"].as_array().unwrap();
    assert!(endpoints.len() > 30);
    for endpoint in endpoints {
        let method = endpoint["method"].as_str().unwrap();
        let path = concrete(endpoint["path"].as_str().unwrap());
        let (status, _) = send(&demo, None, method, &path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        let (status, body) = send(&demo, Some(&bob), method, &path).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("inactive_member")),
            "{method} {path}: {body}"
        );
    }
}

#[tokio::test]
async fn health_openapi_and_unknown_paths_answer_without_a_session() {
    let base = start(&[]).await;
    let (status, health) = send(&base, None, "GET", "/api/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (health["status"].as_str(), health["database"].as_str()),
        (Some("ok"), Some("ok"))
    );
    let fingerprint = harmony_policy::Policy::builtin("harmony")
        .unwrap()
        .fingerprint()
        .to_owned();
    assert_eq!(health["fingerprint"], Value::from(fingerprint));
    // An unknown path is the policy's to decide for a signed-in member
    // (404, or 403 under a product that is off); JSON either way.
    let (status, body) = send(&base, None, "GET", "/api/no/such/thing").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );

    let (status, doc) = send(&base, None, "GET", "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    // Every route the server registers under /api, but the ruleset's
    // catch-all, which stands for the table below.
    for route in harmony_server::inventory() {
        if !route.path.starts_with("/api") || route.guard == Guard::Ruleset {
            continue;
        }
        let op = paths
            .get(route.path)
            .and_then(|p| p.get(route.method.to_ascii_lowercase()));
        assert!(
            op.is_some(),
            "{} {} is not described",
            route.method,
            route.path
        );
    }
    // And every endpoint of the ruleset's table.
    let ruleset: Value = serde_json::from_str(
        harmony_policy::Policy::builtin("harmony")
            .unwrap()
            .to_json(),
    )
    .unwrap();
    for e in ruleset["api"].as_array().unwrap() {
        let (method, path) = (e["method"].as_str().unwrap(), e["path"].as_str().unwrap());
        let op = &paths[path][method.to_ascii_lowercase()];
        assert_eq!(op["operationId"], e["id"], "{method} {path}");
        if path.contains('{') {
            assert!(
                op["parameters"].as_array().is_some_and(|p| !p.is_empty()),
                "{path}"
            );
        }
    }
    // A body that fills a form is described by the form's fields: a
    // contact's create requires what the contact form marks required.
    let body = |method: &str, path: &str| {
        paths[path][method]["requestBody"]["content"]["application/json"]["schema"].clone()
    };
    let create = body("post", "/api/contacts");
    assert_eq!(create["x-harmony-form"], "contact");
    let mut fields: Vec<&str> = create["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["accountId", "email", "name", "phone"]);
    assert_eq!(create["properties"]["name"]["title"], "Name");
    assert_eq!(create["required"], serde_json::json!(["name"]));
    // An update may leave any field out.
    assert!(body("patch", "/api/contacts/{id}")
        .get("required")
        .is_none());
    assert_eq!(body("post", "/api/accounts")["x-harmony-form"], "account");
}

#[tokio::test]
async fn the_ruleset_is_served_as_a_bundle_with_its_fingerprint_as_etag() {
    let base = start(&[]).await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{base}/api/policy/bundle"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let bytes = response.bytes().await.unwrap();
    let policy = harmony_policy::Policy::from_bundle(&bytes).unwrap();
    assert_eq!(etag, format!("\"{}\"", policy.fingerprint()));
    assert_eq!(
        policy.fingerprint(),
        harmony_policy::Policy::builtin("harmony")
            .unwrap()
            .fingerprint()
    );
    let again = client
        .get(format!("{base}/api/policy/bundle"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}
