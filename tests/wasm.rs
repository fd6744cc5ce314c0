//! The WebAssembly boundary (`src/ffi.rs`, as `wasm/` exports it), tested inside wasm: in Node by
//! default and in headless Chromium with `WASM_BINDGEN_USE_BROWSER=1` (see
//! `scripts/test.sh`).
//!
//! The conformance cases run through the very functions the JavaScript
//! layer calls, with the same JSON texts it sends and reads (the layer's own
//! JavaScript is tested by `tests/js/`); a case that passes natively and
//! fails here is a bug of the boundary or of the core compiled to wasm.

#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Failure, Runtime};
use harmony_policy::ffi as boundary;
use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test;

/// The error the last failed call left.
fn failure() -> Failure {
    let error: Value = serde_json::from_str(&boundary::take_error()).unwrap();
    let code = error["code"].as_str().expect("an error has a string code");
    assert!(
        code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "code {code} is snake_case"
    );
    Failure {
        code: code.to_owned(),
        path: error["path"].as_str().map(str::to_owned),
        message: error["message"].as_str().unwrap_or_default().to_owned(),
    }
}

/// An answer's JSON, or the failure it left.
fn answer(text: String) -> Result<Value, Failure> {
    if text.is_empty() {
        return Err(failure());
    }
    Ok(serde_json::from_str(&text).unwrap())
}

fn made(handle: u32) -> Result<u32, Failure> {
    if handle == 0 {
        return Err(failure());
    }
    Ok(handle)
}

/// A string argument, as the layer checks it.
fn string<'a>(value: &'a Value, name: &str) -> Result<&'a str, Failure> {
    value.as_str().ok_or_else(|| {
        boundary::wrong_argument(name);
        failure()
    })
}

/// The description of a request the layer sends.
fn request_shape(request: &Value) -> Result<String, Failure> {
    let Some(object) = request.as_object() else {
        boundary::wrong_argument("request");
        return Err(failure());
    };
    let body = match object.get("body") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::Object(body)) => json!({ "keys": body.keys().collect::<Vec<_>>() }),
        Some(_) => json!("other"),
    };
    let mut shape = json!({
        "keys": object.keys().collect::<Vec<_>>(),
        "method": object.get("method"),
        "path": object.get("path"),
        "body": body,
    });
    if let Some(record) = object.get("record") {
        shape["record"] = record.clone();
    }
    Ok(shape.to_string())
}

struct Wasm;

impl Wasm {
    fn policy(ruleset: &Value) -> Result<u32, Failure> {
        made(match ruleset {
            Value::String(name) => boundary::policy_builtin(name),
            other => boundary::policy_from_json(&other.to_string()),
        })
    }
}

impl Runtime for Wasm {
    fn call(
        &self,
        ruleset: &Value,
        context: Option<&Value>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Failure> {
        let policy = Wasm::policy(ruleset)?;
        let a = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
        let ctx = || context.expect("this call needs a context").to_string();
        let out = match name {
            "load" => return Ok(json!({ "name": boundary::policy_name(policy) })),
            "roundTrip" => {
                let text = boundary::policy_to_json(policy);
                let again = made(boundary::policy_from_json(&text))?;
                return Ok(json!(
                    boundary::policy_fingerprint(again) == boundary::policy_fingerprint(policy)
                        && boundary::policy_to_json(again) == text
                ));
            }
            "products" => boundary::policy_products(policy),
            "productImpact" => {
                let product = a(0);
                let product = string(&product, "product")?;
                let Some(enabled) = a(1).as_bool() else {
                    boundary::wrong_argument("enabled");
                    return Err(failure());
                };
                boundary::policy_product_impact(policy, &ctx(), product, enabled)
            }
            "checkAccountDeletion" => {
                boundary::policy_check_account_deletion(policy, &a(0).to_string())
            }
            "checkRoleChange" => boundary::policy_check_role_change(policy, &a(0).to_string()),
            "checkRoleDeletion" => boundary::policy_check_role_deletion(policy, &a(0).to_string()),
            "checkInviteAcceptance" => {
                boundary::policy_check_invite_acceptance(policy, &a(0).to_string())
            }
            "checkCustomRoles" => boundary::policy_check_custom_roles(policy, &a(0).to_string()),
            "inviteStatus" => boundary::policy_invite_status(
                policy,
                &a(0).to_string(),
                a(1).as_f64().unwrap_or(f64::NAN),
            ),
            "view" => {
                made(boundary::policy_view(policy, &ctx()))?;
                return Ok(Value::Null);
            }
            _ => {
                let v = made(boundary::policy_view(policy, &ctx()))?;
                let arg = a(0);
                match name {
                    "sidebar" => boundary::view_sidebar(v),
                    "palette" => {
                        let query = if arg.is_null() {
                            ""
                        } else {
                            string(&arg, "query")?
                        };
                        boundary::view_palette(v, query)
                    }
                    "resolve" => boundary::view_resolve(v, string(&arg, "path")?),
                    "form" => boundary::view_form(v, string(&arg, "form")?),
                    "can" => {
                        let permission = string(&arg, "permission")?;
                        let can = match args.get(1) {
                            None => boundary::view_can(v, permission),
                            Some(record) => {
                                boundary::view_can_record(v, permission, &record.to_string())
                            }
                        };
                        return match can {
                            -1 => Err(failure()),
                            can => Ok(json!(can == 1)),
                        };
                    }
                    "filter" => boundary::view_filter(v, string(&arg, "permission")?),
                    "feature" => boundary::view_feature(v, string(&arg, "id")?),
                    "checkRequest" => boundary::view_check_request(v, &request_shape(&arg)?),
                    "syncRecord" => {
                        let integration = string(&arg, "integration")?;
                        let Value::Object(mut record) = a(1) else {
                            boundary::wrong_argument("record");
                            return Err(failure());
                        };
                        let dropped = answer(boundary::view_sync_dropped(
                            v,
                            integration,
                            record.len() as u32,
                        ))?;
                        for field in dropped.as_array().unwrap() {
                            record.remove(field.as_str().unwrap());
                        }
                        return Ok(Value::Object(record));
                    }
                    "explain" => boundary::view_explain(v, string(&arg, "target")?),
                    other => panic!("unknown call `{other}`"),
                }
            }
        };
        answer(out)
    }
}

#[wasm_bindgen_test]
fn conformance_cases() {
    common::run_all(&Wasm);
}

#[wasm_bindgen_test]
fn failures_leave_their_error_once() {
    assert_eq!(boundary::policy_builtin("nope"), 0);
    let f = failure();
    assert_eq!((f.code.as_str(), f.path), ("unknown_builtin", None));
    // Taken: nothing is left for the next reader.
    assert_eq!(boundary::take_error(), "");

    let policy = boundary::policy_builtin("harmony");
    assert_ne!(policy, 0);
    assert_eq!(
        boundary::policy_view(
            policy,
            r#"{"workspace":{"slug":"acme"},"member":{"userId":"u","nmae":1}}"#
        ),
        0
    );
    let f = failure();
    assert_eq!(
        (f.code.as_str(), f.path.as_deref()),
        ("unknown_key", Some("/member/nmae"))
    );
    // A handle that was freed is an internal error, not a trap.
    let view = boundary::policy_view(
        policy,
        r#"{"workspace":{"slug":"acme"},"member":{"userId":"u"}}"#,
    );
    boundary::view_free(view);
    boundary::view_free(view);
    assert_eq!(boundary::view_sidebar(view), "");
    assert_eq!(failure().code, "internal");
    assert_eq!(boundary::view_sidebar_indices(view), 0);
    boundary::policy_free(policy);
    assert_eq!(boundary::policy_name(policy), "");
    assert_eq!(failure().code, "internal");
    // Handles are reused only after they were freed.
    let again = boundary::policy_builtin("harmonia");
    assert_eq!(boundary::policy_name(again), "harmonia");
}

#[wasm_bindgen_test]
fn outputs_equal_the_native_json() {
    let native = harmony_policy::Policy::builtin("harmony").unwrap();
    let policy = boundary::policy_builtin("harmony");
    for products in [
        json!({}),
        json!({"accounts": false, "feedback": true}),
        json!({"insights": false, "performance": true}),
    ] {
        let ctx_json = json!({
            "workspace": { "slug": "acme", "products": products },
            "member": { "userId": "u_1", "roles": ["member"], "permissions": ["billing:read:all"] },
            "memberships": ["acme", "beta"], "platform": "windows"
        });
        let ctx: harmony_policy::Context = serde_json::from_value(ctx_json.clone()).unwrap();
        let n = native.view(&ctx).unwrap();
        let w = boundary::policy_view(policy, &ctx_json.to_string());
        let same = |text: String, native: Value| assert_eq!(answer(text).unwrap(), native);
        same(
            boundary::view_sidebar(w),
            serde_json::to_value(n.sidebar()).unwrap(),
        );
        for q in ["", "acc", "settings", "create"] {
            same(
                boundary::view_palette(w, q),
                serde_json::to_value(n.palette(q).unwrap()).unwrap(),
            );
        }
        for p in [
            "/workspace/acme",
            "/workspace/acme/accounts/1",
            "/workspace/beta/contacts",
            "/workspace/acme/nope",
            "/workspace/acme/contacts/x%20y",
        ] {
            same(
                boundary::view_resolve(w, p),
                serde_json::to_value(n.resolve(p).unwrap()).unwrap(),
            );
        }
        for f in ["contact", "project", "invite", "deleteAccount"] {
            same(
                boundary::view_form(w, f),
                serde_json::to_value(n.form(f).unwrap()).unwrap(),
            );
        }
        for t in [
            "sidebar:accounts",
            "field:contact.accountId",
            "permission:billing:read:all",
            "route:/workspace/acme/feedback",
        ] {
            same(
                boundary::view_explain(w, t),
                serde_json::to_value(n.explain(t).unwrap()).unwrap(),
            );
        }
        boundary::view_free(w);
    }
    assert_eq!(boundary::policy_fingerprint(policy), native.fingerprint());
    assert_eq!(boundary::policy_to_json(policy), native.to_json());
}

#[wasm_bindgen_test]
fn numbers_read_alike() {
    common::numbers_read_alike();
}
