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

/// The JSON Schema of a body that fills `form`: its fields as string
/// properties; on a create, the fields the form marks required (of a
/// member whose view shows them), which no change may leave empty.
fn form_body(e: &harmony_policy::EndpointInfo<'_>) -> Value {
    let properties: Map<String, Value> = e
        .body
        .iter()
        .map(|f| {
            (
                f.id.to_owned(),
                json!({ "type": ["string", "null"], "title": f.label }),
            )
        })
        .collect();
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    schema.insert("x-harmony-form".into(), json!(e.form));
    schema.insert(
        "description".into(),
        json!(
            "The fields of the ruleset's form; required is what the member's view marks required."
        ),
    );
    let required: Vec<&str> = e.body.iter().filter(|f| f.required).map(|f| f.id).collect();
    if e.method.eq_ignore_ascii_case("POST") && !required.is_empty() {
        schema.insert("required".into(), json!(required));
    }
    Value::Object(schema)
}

fn operation(
    id: &str,
    summary: String,
    secured: bool,
    params: Vec<Value>,
    body: Option<Value>,
) -> Value {
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
    if let Some(schema) = body {
        op.insert(
            "requestBody".into(),
            json!({ "content": { "application/json": { "schema": schema } } }),
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
        let body = (!matches!(route.method, "GET" | "DELETE")).then(|| json!({ "type": "object" }));
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
        let body = if e.form.is_some() {
            Some(form_body(&e))
        } else {
            (!e.method.eq_ignore_ascii_case("GET") && !e.method.eq_ignore_ascii_case("DELETE"))
                .then(|| json!({ "type": "object" }))
        };
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
