//! The properties the fuzz targets check, shared with the native test that
//! replays the committed corpus and crash artifacts
//! (`tests/fuzz_regressions.rs`). Each function takes raw fuzz input and
//! panics when a property fails.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy::{ApiRequest, Context, PaletteKind, Policy, RequestCheck, Resolution};
use std::sync::OnceLock;

/// The product that owns each product-gated route id of both bundled rulesets.
fn owner(route: &str) -> Option<&'static str> {
    match route {
        "accounts" | "account-new" | "account" | "account-edit" => Some("accounts"),
        "data-lake" | "projects" | "project-new" | "project" | "definitions" => Some("insights"),
        "feedback" => Some("feedback"),
        "performance" | "scorecards" => Some("performance"),
        _ => None,
    }
}

fn views() -> &'static Vec<(Context, harmony_policy::View)> {
    static VIEWS: OnceLock<Vec<(Context, harmony_policy::View)>> = OnceLock::new();
    VIEWS.get_or_init(|| {
        let mut out = Vec::new();
        for name in ["harmony", "harmonia"] {
            let policy = Policy::builtin(name).unwrap();
            for mask in [0u8, 5, 10, 15] {
                let p = |i: u8| mask & (1 << i) != 0;
                let text = format!(
                    r#"{{"workspace":{{"slug":"acme","products":{{"accounts":{},"insights":{},"feedback":{},"performance":{}}}}},"member":{{"userId":"u","roles":["admin"]}},"memberships":["acme","beta"]}}"#,
                    p(0), p(1), p(2), p(3)
                );
                let ctx = Context::from_json(&text).unwrap();
                let view = policy.view(&ctx).unwrap();
                out.push((ctx, view));
            }
        }
        out
    })
}

fn owned_by_disabled(ctx: &Context, route: &str) -> bool {
    owner(route).is_some_and(|product| !ctx.workspace.products[product])
}

/// Ruleset loading: any text is refused with an error or loads; a loaded
/// ruleset round-trips through its canonical form with the same fingerprint
/// and answers a view without panicking.
pub fn ruleset(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = Policy::from_json(text) else {
        return;
    };
    let again = Policy::from_json(policy.to_json()).expect("the canonical form loads");
    assert_eq!(again.fingerprint(), policy.fingerprint());
    assert_eq!(again.to_json(), policy.to_json());
    let ctx = Context::from_json(r#"{"workspace":{"slug":"w1"},"member":{"userId":"u"}}"#).unwrap();
    if let Ok(view) = policy.view(&ctx) {
        for item in view.sidebar() {
            assert!(matches!(
                view.resolve(item.href).unwrap(),
                harmony_policy::Resolution::Allow { .. }
            ));
        }
        let _ = view.palette("a b");
        let _ = view.resolve("/workspace/w1");
    }
}

/// Context loading: any text is refused with an error or compiles into a
/// view whose sidebar and navigate palette entries all resolve to allow, and
/// whose redirects stay on this origin.
pub fn context(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ctx) = Context::from_json(text) else {
        return;
    };
    for name in ["harmony", "harmonia"] {
        let policy = Policy::builtin(name).unwrap();
        let Ok(view) = policy.view(&ctx) else {
            continue;
        };
        for item in view.sidebar() {
            assert!(
                matches!(view.resolve(item.href).unwrap(), Resolution::Allow { .. }),
                "{}",
                item.href
            );
        }
        for entry in view.palette("").unwrap() {
            if entry.kind == PaletteKind::Navigate {
                assert!(matches!(
                    view.resolve(entry.href.unwrap()).unwrap(),
                    Resolution::Allow { .. }
                ));
            }
        }
        let home = format!("/workspace/{}", ctx.workspace.slug);
        if let Resolution::Redirect { to, .. } = view.resolve(&home).unwrap() {
            assert!(to.starts_with('/') && !to.starts_with("//"));
        }
        let _ = view.form("contact").unwrap();
        let _ = view.explain("sidebar:accounts");
    }
}

/// Path resolution: no spelling of a page of a disabled product resolves to
/// allow, redirects are same-origin paths built from the ruleset, and
/// nothing panics.
pub fn resolve(data: &[u8]) {
    let path = String::from_utf8_lossy(data);
    for (ctx, view) in views() {
        match view.resolve(&path) {
            Ok(Resolution::Allow { route, .. }) => {
                assert!(!owned_by_disabled(ctx, route), "{path} -> {route}")
            }
            Ok(Resolution::Redirect { to, .. }) => {
                assert!(
                    to.starts_with("/workspace/acme")
                        && !to.contains("//")
                        && !to.contains('\\')
                        && !to.contains(".."),
                    "{to}"
                );
            }
            Ok(_) => {}
            Err(e) => assert_eq!(e.code(), "input_too_large"),
        }
    }
}

/// API requests: input is `METHOD PATH\nBODY`. Nothing panics, statuses are
/// the documented ones, and a body carrying `accountId` is never accepted
/// while Accounts is off.
pub fn check_request(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    let (method, path) = head.split_once(' ').unwrap_or(("POST", head));
    let body: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let carries = body
        .as_ref()
        .and_then(|b| b.as_object())
        .is_some_and(|o| o.contains_key("accountId"));
    for accounts in [false, true] {
        let ctx = Context::from_json(&format!(
            r#"{{"workspace":{{"slug":"acme","products":{{"accounts":{accounts}}}}},"member":{{"userId":"u","roles":["admin"]}}}}"#
        ))
        .unwrap();
        for name in ["harmony", "harmonia"] {
            let view = Policy::builtin(name).unwrap().view(&ctx).unwrap();
            let request = ApiRequest {
                method: method.into(),
                path: path.into(),
                body: body.clone(),
                record: None,
            };
            match view.check_request(&request) {
                Ok(RequestCheck::Ok) => {
                    assert!(accounts || !carries, "{method} {path} accepted accountId")
                }
                Ok(RequestCheck::Denied { status, .. }) => {
                    assert!([400, 403, 404, 405].contains(&status))
                }
                Err(e) => assert_eq!(e.code(), "input_too_large"),
            }
        }
    }
}

/// Integration sync: any JSON object comes back unchanged but for
/// `accountId`, which is dropped exactly while Accounts is off.
pub fn sync_record(data: &[u8]) {
    let Ok(serde_json::Value::Object(record)) = serde_json::from_slice::<serde_json::Value>(data)
    else {
        return;
    };
    for accounts in [false, true] {
        let ctx = Context::from_json(&format!(
            r#"{{"workspace":{{"slug":"acme","products":{{"accounts":{accounts}}}}},"member":{{"userId":"u","roles":["member"]}}}}"#
        ))
        .unwrap();
        let view = Policy::builtin("harmony").unwrap().view(&ctx).unwrap();
        for integration in ["hubspot", "salesforce"] {
            let out = view.sync_record(integration, record.clone()).unwrap();
            let mut expected = record.clone();
            if !accounts {
                expected.remove("accountId");
            }
            assert_eq!(out, expected);
        }
    }
}

/// Bundle reading: any bytes are refused with `invalid_bundle` or read;
/// a bundle that reads writes back to exactly the same bytes.
pub fn bundle(data: &[u8]) {
    match Policy::from_bundle(data) {
        Ok(policy) => assert_eq!(
            policy.to_bundle(),
            data,
            "a bundle writes back as it was read"
        ),
        Err(e) => assert_eq!(e.code(), "invalid_bundle"),
    }
}

/// `payload` sealed as a bundle: a header naming its length and a checksum
/// that matches, so that the payload decoder itself is what is tried.
pub fn seal(payload: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::with_capacity(payload.len() + 80);
    out.extend_from_slice(&harmony_policy::BUNDLE_MAGIC);
    out.extend_from_slice(&harmony_policy::BUNDLE_FORMAT.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&[0; 32]);
    out.extend_from_slice(payload);
    let checksum = Sha256::digest(&out);
    out.extend_from_slice(&checksum);
    out
}

/// Any payload behind a valid header and checksum is refused with
/// `invalid_bundle` or read into a policy whose views answer, and which
/// writes a bundle that reads back to the same bytes.
pub fn bundle_payload(data: &[u8]) {
    match Policy::from_bundle(&seal(data)) {
        Ok(policy) => {
            let context = Context::from_json(
                r#"{"workspace": {"slug": "w"}, "member": {"userId": "u", "roles": []}}"#,
            )
            .unwrap();
            if let Ok(view) = policy.view(&context) {
                let _ = view.sidebar();
                let _ = view.palette("a");
                let _ = view.resolve("/workspace/w/x");
            }
            let again = Policy::from_bundle(&policy.to_bundle()).unwrap();
            assert_eq!(again.to_bundle(), policy.to_bundle());
        }
        Err(e) => assert_eq!(e.code(), "invalid_bundle"),
    }
}
