//! Every input has a size limit with a clear error, and oversized input is
//! refused quickly (SPEC 8).

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy::{limits, ApiRequest, Context, Policy};
use serde_json::{json, Map, Value};

fn view() -> harmony_policy::View {
    let ctx = Context::from_json(r#"{"workspace":{"slug":"acme","products":{"accounts":false}},"member":{"userId":"u","roles":["admin"]}}"#).unwrap();
    Policy::builtin("harmony").unwrap().view(&ctx).unwrap()
}

fn wide(n: usize) -> Map<String, Value> {
    (0..n).map(|i| (format!("k{i}"), json!(i))).collect()
}

/// The ruleset's text limit is `tests/validator.rs`'s `input_too_large`.
#[test]
fn context_text() {
    let big = " ".repeat(limits::MAX_CONTEXT_BYTES + 1);
    assert_eq!(
        Context::from_json(&big).unwrap_err().code(),
        "input_too_large"
    );
}

/// JSON nests at most `MAX_JSON_DEPTH` deep: one level more is refused by
/// the reader with the pointer of the value that went too deep, whatever
/// the value would have been.
#[test]
fn json_depth() {
    // The root and `workspace` are two levels; `flags` adds the rest.
    let at = |depth: usize| {
        let k = depth - 2;
        let text = format!(
            r#"{{"workspace":{{"slug":"acme","flags":{}{}}},"member":{{"userId":"u"}}}}"#,
            "[".repeat(k),
            "]".repeat(k)
        );
        Context::from_json(&text).unwrap_err()
    };
    let deepest = at(limits::MAX_JSON_DEPTH);
    assert!(
        !deepest.to_string().contains("recursion limit"),
        "{deepest}"
    );
    let deeper = at(limits::MAX_JSON_DEPTH + 1);
    assert_eq!(deeper.code(), "invalid_value");
    assert!(deeper.to_string().contains("recursion limit"), "{deeper}");
    let tokens = "/0".repeat(limits::MAX_JSON_DEPTH - 2);
    assert_eq!(
        deeper.path(),
        Some(format!("/workspace/flags{tokens}").as_str())
    );
}

#[test]
fn context_lists() {
    let policy = Policy::builtin("harmony").unwrap();
    let many: Vec<String> = (0..=limits::MAX_CONTEXT_LIST)
        .map(|i| format!("w{i}"))
        .collect();
    let ctx: Context = serde_json::from_value(
        json!({"workspace": {"slug": "acme"}, "member": {"userId": "u"}, "memberships": many}),
    )
    .unwrap();
    let err = policy.view(&ctx).unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        ("limit_exceeded", Some("/memberships"))
    );
    let perms = vec!["contacts:read:own"; limits::MAX_CONTEXT_LIST + 1];
    let ctx: Context = serde_json::from_value(
        json!({"workspace": {"slug": "acme"}, "member": {"userId": "u", "permissions": perms}}),
    )
    .unwrap();
    assert_eq!(
        policy.view(&ctx).unwrap_err().path(),
        Some("/member/permissions")
    );
    let ctx: Context = serde_json::from_value(
        json!({"workspace": {"slug": "a".repeat(64)}, "member": {"userId": "u"}}),
    )
    .unwrap();
    assert_eq!(policy.view(&ctx).unwrap_err().code(), "invalid_slug");
    let ctx: Context = serde_json::from_value(
        json!({"workspace": {"slug": "acme"}, "member": {"userId": "u".repeat(257)}}),
    )
    .unwrap();
    assert_eq!(
        policy.view(&ctx).unwrap_err().path(),
        Some("/member/userId")
    );
}

#[test]
fn query_strings() {
    let v = view();
    let long = "/x".repeat(limits::MAX_PATH_BYTES);
    assert_eq!(v.resolve(&long).unwrap_err().code(), "input_too_large");
    let megabyte = "/".repeat(1 << 20);
    assert_eq!(v.resolve(&megabyte).unwrap_err().code(), "input_too_large");
    let request = ApiRequest {
        method: "GET".into(),
        path: megabyte.clone(),
        body: None,
        record: None,
    };
    assert_eq!(
        v.check_request(&request).unwrap_err().code(),
        "input_too_large"
    );
    assert_eq!(
        v.palette(&"q".repeat(limits::MAX_QUERY_BYTES + 1))
            .unwrap_err()
            .code(),
        "input_too_large"
    );
    assert_eq!(
        v.can(&"a".repeat(limits::MAX_NAME_BYTES + 1))
            .unwrap_err()
            .code(),
        "input_too_large"
    );
    assert_eq!(
        v.explain(&"a".repeat(limits::MAX_NAME_BYTES + 1))
            .unwrap_err()
            .code(),
        "input_too_large"
    );
    // Just under the limits is fine.
    assert!(v.palette(&"q".repeat(limits::MAX_QUERY_BYTES)).is_ok());
    assert!(v.resolve(&"/".repeat(limits::MAX_PATH_BYTES)).is_ok());
}

#[test]
fn bodies_and_records() {
    let v = view();
    let request = ApiRequest {
        method: "POST".into(),
        path: "/api/contacts".into(),
        body: Some(Value::Object(wide(limits::MAX_RECORD_KEYS + 1))),
        record: None,
    };
    assert_eq!(
        v.check_request(&request).unwrap_err().code(),
        "input_too_large"
    );
    let request = ApiRequest {
        method: "POST".into(),
        path: "/api/contacts".into(),
        body: Some(Value::Object(wide(limits::MAX_RECORD_KEYS))),
        record: None,
    };
    assert!(v.check_request(&request).unwrap().is_ok());
    assert_eq!(
        v.sync_record("hubspot", wide(limits::MAX_RECORD_KEYS + 1))
            .unwrap_err()
            .code(),
        "input_too_large"
    );
    assert_eq!(v.sync_record("hubspot", wide(10)).unwrap().len(), 10);
    // A deeply nested body costs nothing: only top-level keys are read.
    let mut deep = json!(1);
    for _ in 0..100 {
        deep = json!({ "accountId": deep });
    }
    let request = ApiRequest {
        method: "POST".into(),
        path: "/api/contacts".into(),
        body: Some(deep),
        record: None,
    };
    assert_eq!(
        serde_json::to_value(v.check_request(&request).unwrap()).unwrap()["code"],
        "accounts_disabled"
    );
}
