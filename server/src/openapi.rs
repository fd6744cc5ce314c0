//! The server's API as an OpenAPI 3.1 document, generated at start from
//! the ruleset's endpoint table and the server's own routes (the route
//! inventory), so it names every route the server registers and cannot
//! fall behind either.

use crate::routes::{Guard, RouteInfo};
use harmony_policy::Policy;
use serde_json::{json, Map, Value};

/// The path parameters of an axum or ruleset pattern (`{id}`), in order.
fn parameters(pattern: &str) -> Vec<Value> {
    pattern
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({ "name": name.trim_start_matches('*'), "in": "path", "required": true, "schema": { "type": "string" } })
        })
        .collect()
}

/// The refusal every endpoint may answer, in the policy's shape.
fn refusal() -> Value {
    json!({
        "description": "Refused: the policy's status, code and message (and the body field at fault).",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Refusal" } } }
    })
}

fn operation(id: &str, summary: String, secured: bool, params: Vec<Value>, body: bool) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), Value::from(id));
    op.insert("summary".into(), Value::from(summary));
    op.insert(
        "responses".into(),
        json!({
            "200": { "description": "Accepted.", "content": { "application/json": { "schema": { "type": "object" } } } },
            "4XX": refusal()
        }),
    );
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    if body {
        op.insert(
            "requestBody".into(),
            json!({ "content": { "application/json": { "schema": { "type": "object" } } } }),
        );
    }
    if !secured {
        op.insert("security".into(), json!([]));
    }
    Value::Object(op)
}

/// The OpenAPI document of a server running `policy` with `routes`.
pub fn document(policy: &Policy, routes: &[RouteInfo]) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    let mut add = |path: &str, method: &str, op: Value| {
        if let Value::Object(methods) = paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()))
        {
            methods.insert(method.to_ascii_lowercase(), op);
        }
    };
    for route in routes {
        // The ruleset's table and the app's pages are described below and
        // not as API operations.
        if matches!(route.guard, Guard::Ruleset | Guard::Page) || !route.path.starts_with("/api") {
            continue;
        }
        let (secured, summary) = match route.guard {
            Guard::Public => (false, "Open to anyone.".to_owned()),
            Guard::SignIn => (
                false,
                "Signs in with an identity token (or as any member, with demo sign-in).".to_owned(),
            ),
            Guard::DemoOnly => (false, "Only with --demo-sign-in.".to_owned()),
            Guard::Session(check) => (
                true,
                format!("The signed-in member's own; decided by {check}."),
            ),
            Guard::Ruleset | Guard::Page => continue,
        };
        let id = format!(
            "{}{}",
            route.method.to_ascii_lowercase(),
            route.path.replace(['/', '{', '}', '*'], "_")
        );
        let body = !matches!(route.method, "GET" | "DELETE");
        add(
            route.path,
            route.method,
            operation(&id, summary, secured, parameters(route.path), body),
        );
    }
    for e in policy.endpoints() {
        let summary = match &e.requires {
            Some(c) => format!("Decided by the policy: requires {c}."),
            None => "Decided by the policy.".to_owned(),
        };
        let body =
            !e.method.eq_ignore_ascii_case("GET") && !e.method.eq_ignore_ascii_case("DELETE");
        add(
            e.pattern,
            e.method,
            operation(e.id, summary, true, parameters(e.pattern), body),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("harmony-server ({} rules)", policy.name()),
            "version": policy.fingerprint(),
            "description": "Every request is decided by harmony-policy: refusals carry the policy's status, code and message."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": crate::session::COOKIE },
                "bearer": { "type": "http", "scheme": "bearer" }
            },
            "schemas": {
                "Refusal": {
                    "type": "object",
                    "required": ["ok", "status", "code", "message"],
                    "properties": {
                        "ok": { "const": false },
                        "status": { "type": "integer" },
                        "code": { "type": "string" },
                        "message": { "type": "string" },
                        "field": { "type": "string" }
                    }
                }
            }
        },
        "security": [{ "session": [] }, { "bearer": [] }]
    })
}
