//! The JavaScript API, tested inside wasm: in Node by default and in headless
//! Chromium with `WASM_BINDGEN_USE_BROWSER=1` (see `scripts/test.sh`).
//!
//! The conformance cases run through the very methods JavaScript calls
//! (`Policy`, `View`), with inputs and outputs as JavaScript values; a case
//! that passes natively and fails here is a bug.

#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Failure, Runtime};
use harmony_policy::wasm::{JsPolicy, JsView};
use js_sys::{Object, Reflect};
use serde::Serialize;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// A JSON value as JavaScript sees it: plain objects and arrays.
fn js(value: &Value) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

fn rust(value: JsValue) -> Value {
    if value.is_undefined() {
        return Value::Null;
    }
    serde_wasm_bindgen::from_value(value).unwrap()
}

fn failure(error: JsValue) -> Failure {
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "thrown value is not an Error: {error:?}"
    );
    let get = |k: &str| Reflect::get(&error, &JsValue::from_str(k)).unwrap();
    let code = get("code").as_string().expect("an error has a string code");
    assert!(
        code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "code {code} is snake_case"
    );
    Failure {
        code,
        path: get("path").as_string(),
        message: get("message").as_string().unwrap_or_default(),
    }
}

fn arg(args: &[Value], i: usize) -> JsValue {
    args.get(i).map(js).unwrap_or(JsValue::UNDEFINED)
}

struct Wasm;

impl Wasm {
    fn policy(ruleset: &Value) -> Result<JsPolicy, Failure> {
        match ruleset {
            Value::String(name) => {
                JsPolicy::builtin(Some(JsValue::from_str(name))).map_err(failure)
            }
            other => JsPolicy::from_json(JsValue::from_str(&other.to_string())).map_err(failure),
        }
    }

    fn view(policy: &JsPolicy, context: Option<&Value>) -> Result<JsView, Failure> {
        policy
            .view(js(context.expect("this call needs a context")))
            .map_err(failure)
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
        let a = |i| arg(args, i);
        let out = match name {
            "load" => return Ok(json!({ "name": policy.name() })),
            "roundTrip" => {
                let again =
                    JsPolicy::from_json(JsValue::from_str(&policy.to_json())).map_err(failure)?;
                return Ok(json!(
                    again.fingerprint() == policy.fingerprint()
                        && again.to_json() == policy.to_json()
                ));
            }
            "products" => policy.products(),
            "productImpact" => policy.product_impact(js(context.unwrap()), a(0), a(1)),
            "checkAccountDeletion" => policy.check_account_deletion(a(0)),
            "checkRoleChange" => policy.check_role_change(a(0)),
            "inviteStatus" => policy.invite_status(a(0), a(1)),
            "view" => {
                Wasm::view(&policy, context)?;
                return Ok(Value::Null);
            }
            _ => {
                let v = Wasm::view(&policy, context)?;
                match name {
                    "sidebar" => v.sidebar(),
                    "palette" => v.palette(Some(a(0))),
                    "resolve" => v.resolve(a(0)),
                    "form" => v.form(a(0)),
                    "can" => v.can(a(0)).map(JsValue::from_bool),
                    "feature" => v.feature(a(0)),
                    "checkRequest" => v.check_request(a(0)),
                    "syncRecord" => v.sync_record(a(0), a(1)),
                    "explain" => v.explain(a(0)),
                    other => panic!("unknown call `{other}`"),
                }
            }
        };
        out.map(rust).map_err(failure)
    }
}

#[wasm_bindgen_test]
fn conformance_cases() {
    common::run_all(&Wasm);
}

fn member(products: Value) -> JsValue {
    js(&json!({
        "workspace": { "slug": "acme", "products": products },
        "member": { "userId": "u_1", "roles": ["member"] },
        "memberships": ["acme", "beta"],
        "platform": "mac"
    }))
}

fn throws(result: Result<impl Sized, JsValue>) -> Failure {
    match result {
        Ok(_) => panic!("expected a thrown Error"),
        Err(e) => failure(e),
    }
}

#[wasm_bindgen_test]
fn errors_are_error_objects_with_codes_and_pointers() {
    let bad = JsPolicy::from_json(JsValue::from_str(r#"{"version": 1, "name": "x"}"#));
    let f = throws(bad);
    assert_eq!(f.code, "invalid_value");
    assert_eq!(f.path.as_deref(), Some(""));
    let f = throws(JsPolicy::builtin(Some(JsValue::from_str("nope"))));
    assert_eq!((f.code.as_str(), f.path), ("unknown_builtin", None));

    let policy = JsPolicy::builtin(None).unwrap();
    assert_eq!(policy.name(), "harmony");
    let f = throws(policy.view(member(json!({ "acounts": false }))));
    assert_eq!(
        (f.code.as_str(), f.path.as_deref()),
        ("unknown_product", Some("/workspace/products/acounts"))
    );
    let view = policy.view(member(json!({}))).unwrap();
    let f = throws(view.can(JsValue::from_str("billing:read")));
    assert_eq!(f.code, "invalid_permission");
    assert!(f.message.contains("`billing:read`"), "{}", f.message);
    assert_eq!(
        throws(view.can(JsValue::from_str("payroll:read:all"))).code,
        "unknown_permission"
    );
}

#[wasm_bindgen_test]
fn malformed_inputs_throw_instead_of_trapping() {
    let policy = JsPolicy::builtin(Some(JsValue::from_str("harmony"))).unwrap();
    // Wrong types and undefined.
    assert_eq!(
        throws(policy.view(JsValue::UNDEFINED)).code,
        "invalid_value"
    );
    assert_eq!(
        throws(policy.view(JsValue::from_f64(3.0))).code,
        "invalid_value"
    );
    assert_eq!(
        throws(JsPolicy::from_json(JsValue::from_f64(1.0))).code,
        "invalid_value"
    );
    let view = policy.view(member(json!({}))).unwrap();
    assert_eq!(
        throws(view.resolve(JsValue::from_f64(42.0)))
            .path
            .as_deref(),
        Some("/path")
    );
    assert_eq!(
        throws(view.resolve(JsValue::UNDEFINED)).code,
        "invalid_value"
    );
    assert_eq!(
        throws(view.palette(Some(Object::new().into()))).code,
        "invalid_value"
    );
    assert_eq!(
        throws(view.check_request(JsValue::from_str("GET /"))).code,
        "invalid_value"
    );
    assert_eq!(
        throws(view.check_request(js(
            &json!({"method": "GET", "path": "/api/contacts", "headers": {}})
        )))
        .code,
        "invalid_value"
    );
    assert_eq!(
        throws(view.sync_record(JsValue::from_str("hubspot"), JsValue::from_f64(1.0))).code,
        "invalid_value"
    );
    assert_eq!(
        throws(policy.invite_status(js(&json!({"sentAt": 0})), JsValue::from_f64(f64::NAN))).code,
        "invalid_value"
    );
    assert_eq!(
        throws(policy.product_impact(
            member(json!({})),
            JsValue::from_str("accounts"),
            JsValue::from_str("no")
        ))
        .code,
        "invalid_value"
    );

    // A cyclic context.
    let ctx = member(json!({}));
    let m = Reflect::get(&ctx, &"member".into()).unwrap();
    Reflect::set(&m, &"self".into(), &ctx).unwrap();
    let f = throws(policy.view(ctx));
    assert_eq!(f.code, "invalid_value");
    // An unknown key is refused here exactly as natively.
    let f = throws(policy.view(js(
        &json!({"workspace": {"slug": "acme"}, "member": {"userId": "u", "nmae": 1}}),
    )));
    assert_eq!(
        (f.code.as_str(), f.path.as_deref()),
        ("unknown_key", Some("/member/nmae"))
    );

    // Huge strings are refused before they are copied.
    let huge = "a/".repeat(1_000_000);
    assert_eq!(
        throws(view.resolve(JsValue::from_str(&huge))).code,
        "input_too_large"
    );
    assert_eq!(
        throws(view.resolve(JsValue::from_str(&huge[..4000]))).code,
        "input_too_large"
    );
    assert_eq!(
        throws(JsPolicy::from_json(JsValue::from_str(
            &" ".repeat(1_100_000)
        )))
        .code,
        "input_too_large"
    );

    // A cyclic or deep request body is fine: only its own keys are read.
    let off = policy.view(member(json!({ "accounts": false }))).unwrap();
    let body = js(&json!({ "accountId": "a_1" }));
    Reflect::set(&body, &"self".into(), &body).unwrap();
    let request = js(&json!({ "method": "POST", "path": "/api/contacts" }));
    Reflect::set(&request, &"body".into(), &body).unwrap();
    let answer = rust(off.check_request(request).unwrap());
    assert_eq!(answer["code"], "accounts_disabled");
    // Bodies and records have a key limit, as natively.
    let wide = Object::new();
    for i in 0..=harmony_policy::limits::MAX_RECORD_KEYS {
        Reflect::set(&wide, &JsValue::from_str(&format!("k{i}")), &JsValue::TRUE).unwrap();
    }
    let request = js(&json!({ "method": "POST", "path": "/api/contacts" }));
    Reflect::set(&request, &"body".into(), &wide).unwrap();
    assert_eq!(throws(off.check_request(request)).code, "input_too_large");
    assert_eq!(
        throws(off.sync_record(JsValue::from_str("hubspot"), wide.into())).code,
        "input_too_large"
    );
    // accountId on the prototype only is not submitted.
    let proto = js(&json!({ "accountId": 1 }));
    let inherited: Object = Object::create(proto.unchecked_ref::<Object>());
    let request = js(&json!({ "method": "POST", "path": "/api/contacts" }));
    Reflect::set(&request, &"body".into(), &inherited).unwrap();
    assert_eq!(
        rust(off.check_request(request).unwrap()),
        json!({ "ok": true })
    );
}

#[wasm_bindgen_test]
fn outputs_deep_equal_the_native_json() {
    let native = harmony_policy::Policy::builtin("harmony").unwrap();
    let policy = JsPolicy::builtin(Some(JsValue::from_str("harmony"))).unwrap();
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
        let w = policy.view(js(&ctx_json)).unwrap();
        assert_eq!(
            rust(w.sidebar().unwrap()),
            serde_json::to_value(n.sidebar()).unwrap()
        );
        for q in ["", "acc", "settings", "create"] {
            assert_eq!(
                rust(w.palette(Some(JsValue::from_str(q))).unwrap()),
                serde_json::to_value(n.palette(q).unwrap()).unwrap()
            );
        }
        for p in [
            "/workspace/acme",
            "/workspace/acme/accounts/1",
            "/workspace/beta/contacts",
            "/workspace/acme/nope",
            "/workspace/acme/contacts/x%20y",
        ] {
            assert_eq!(
                rust(w.resolve(JsValue::from_str(p)).unwrap()),
                serde_json::to_value(n.resolve(p).unwrap()).unwrap()
            );
        }
        for f in ["contact", "project", "invite", "deleteAccount"] {
            assert_eq!(
                rust(w.form(JsValue::from_str(f)).unwrap()),
                serde_json::to_value(n.form(f).unwrap()).unwrap()
            );
        }
        for t in [
            "sidebar:accounts",
            "field:contact.accountId",
            "permission:billing:read:all",
            "route:/workspace/acme/feedback",
        ] {
            assert_eq!(
                rust(w.explain(JsValue::from_str(t)).unwrap()),
                serde_json::to_value(n.explain(t).unwrap()).unwrap()
            );
        }
        // Plain objects, not Maps.
        let params = Reflect::get(
            &w.resolve(JsValue::from_str("/workspace/acme/contacts/c_1"))
                .unwrap(),
            &"params".into(),
        )
        .unwrap();
        assert!(!params.is_instance_of::<js_sys::Map>());
        assert_eq!(
            Reflect::get(&params, &"id".into())
                .unwrap()
                .as_string()
                .as_deref(),
            Some("c_1")
        );
    }
    assert_eq!(policy.fingerprint(), native.fingerprint());
    assert_eq!(policy.to_json(), native.to_json());
}

#[wasm_bindgen_test]
fn numbers_read_alike() {
    common::numbers_read_alike();
}
