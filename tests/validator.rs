//! The ruleset validator: one test per error code, each asserting the code
//! and the JSON pointer of the offending value.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy::{Policy, RulesetError};
use serde_json::{json, Value};

/// A small valid ruleset that exercises every section.
fn base() -> Value {
    json!({
        "version": 1,
        "name": "mini",
        "label": "Mini",
        "products": [
            { "id": "notes", "label": "Notes", "description": "Notes.", "default": true,
              "paths": ["/workspace/{slug}/notes"], "fallback": "start" },
            { "id": "files", "label": "Files", "description": "Files.", "default": false }
        ],
        "plans": ["free", "paid"],
        "environments": ["dev", "prod"],
        "flags": ["beta"],
        "settings": ["sharing"],
        "preferences": ["digest"],
        "permissions": { "resources": ["notes", "users"], "actions": ["read", "update"] },
        "roles": [
            { "id": "boss", "label": "Boss", "grants": ["*:*:all"], "lastHolder": "last_boss" },
            { "id": "reader", "label": "Reader", "grants": ["notes:read:all"] }
        ],
        "conditions": [
            { "id": "notes-on", "requires": { "product": "notes" } },
            { "id": "paid", "requires": { "plan_at_least": "paid" } }
        ],
        "home": "home",
        "routes": [
            { "id": "home", "pattern": "/workspace/{slug}", "title": "Home" },
            { "id": "start", "pattern": "/workspace/{slug}/start", "title": "Start" },
            { "id": "notes", "pattern": "/workspace/{slug}/notes", "title": "Notes",
              "requires": { "permission": "notes:read:own" } },
            { "id": "note", "pattern": "/workspace/{slug}/notes/{id}", "title": "Note" }
        ],
        "navigation": [
            { "id": "start", "label": "Start", "route": "start", "section": "main", "icon": "home" },
            { "id": "notes", "label": "Notes", "route": "notes", "section": "main", "icon": "file" }
        ],
        "palette": [
            { "id": "go-notes", "label": "Notes", "route": "notes", "shortcut": "mod+shift+n" },
            { "id": "share", "label": "Share", "action": "notes.share",
              "requires": { "all": [{ "setting": "sharing" }, { "flag": "beta" },
                                    { "environment": ["prod"] }, { "preference": "digest" },
                                    { "ref": "paid" }] } }
        ],
        "features": [{ "id": "digest", "label": "Digest", "requires": { "preference": "digest" } }],
        "forms": [{ "id": "note", "label": "Note", "fields": [
            { "id": "title", "label": "Title", "required": true },
            { "id": "kind", "label": "Kind", "options": { "values": ["a", "b"] } }
        ] }],
        "api": [{ "id": "notes.create", "method": "POST", "path": "/api/notes", "form": "note",
                  "fields": [{ "name": "pinned", "requires": { "ref": "paid" },
                               "code": "pinning_needs_paid", "message": "pinning needs the paid plan" }] }],
        "sync": [{ "integration": "crm", "label": "CRM",
                   "fields": [{ "name": "noteId", "requires": { "ref": "notes-on" } }] }],
        "membership": { "inviteExpiryDays": 7 }
    })
}

fn load(v: &Value) -> Result<Policy, RulesetError> {
    Policy::from_json(&v.to_string())
}

fn expect_error(v: Value, code: &str, path: Option<&str>) -> RulesetError {
    let err = load(&v).expect_err("expected the ruleset to be refused");
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(err.path(), path, "{err}");
    // Messages are lowercase sentences with no Rust type names.
    let msg = err.to_string();
    assert!(msg.chars().next().unwrap().is_lowercase(), "{msg}");
    for rust in [
        "struct ",
        "enum ",
        "RulesetDoc",
        "Vec<",
        "String",
        "Option<",
    ] {
        assert!(!msg.contains(rust), "message names a Rust type: {msg}");
    }
    err
}

fn with(mutate: impl FnOnce(&mut Value)) -> Value {
    let mut v = base();
    mutate(&mut v);
    v
}

#[test]
fn base_ruleset_is_valid() {
    let p = load(&base()).unwrap();
    assert_eq!(p.name(), "mini");
}

#[test]
fn invalid_json() {
    let err = Policy::from_json("{\"version\": 1,").unwrap_err();
    assert_eq!(err.code(), "invalid_json");
    assert_eq!(err.path(), None);
}

#[test]
fn input_too_large() {
    let big = " ".repeat(harmony_policy::MAX_RULESET_BYTES + 1);
    assert_eq!(
        Policy::from_json(&big).unwrap_err().code(),
        "input_too_large"
    );
}

#[test]
fn unsupported_version() {
    expect_error(
        with(|v| v["version"] = json!(2)),
        "unsupported_version",
        Some("/version"),
    );
}

#[test]
fn unknown_key() {
    let err = expect_error(
        with(|v| v["navigation"][1]["colour"] = json!("red")),
        "unknown_key",
        Some("/navigation/1/colour"),
    );
    assert!(err.to_string().contains("`colour`"));
    expect_error(
        with(|v| v["extra"] = json!(1)),
        "unknown_key",
        Some("/extra"),
    );
    expect_error(
        with(|v| v["routes"][2]["requires"]["permission2"] = json!("x")),
        "invalid_value",
        Some("/routes/2/requires"),
    );
}

#[test]
fn invalid_value() {
    expect_error(
        with(|v| v["products"][0]["default"] = json!("yes")),
        "invalid_value",
        Some("/products/0/default"),
    );
    expect_error(
        with(|v| v["routes"][0]["title"] = json!(null)),
        "invalid_value",
        Some("/routes/0/title"),
    );
    expect_error(
        with(|v| v["name"] = json!("has space")),
        "invalid_value",
        Some("/name"),
    );
    expect_error(
        with(|v| v["api"][0]["method"] = json!("FETCH")),
        "invalid_value",
        Some("/api/0/method"),
    );
    expect_error(
        with(|v| v["api"][0]["fields"][0]["code"] = json!("Bad Code")),
        "invalid_value",
        Some("/api/0/fields/0/code"),
    );
    expect_error(
        with(|v| v["membership"]["inviteExpiryDays"] = json!(0)),
        "invalid_value",
        Some("/membership/inviteExpiryDays"),
    );
    expect_error(
        with(|v| v["palette"][0]["requires"] = json!({"flag": "beta"})),
        "invalid_value",
        Some("/palette/0/requires"),
    );
    expect_error(
        with(|v| {
            v["palette"][0]
                .as_object_mut()
                .unwrap()
                .remove("route")
                .map(|_| ())
                .unwrap()
        }),
        "invalid_value",
        Some("/palette/0"),
    );
    let missing = expect_error(
        with(|v| {
            v["roles"][0]
                .as_object_mut()
                .unwrap()
                .remove("grants")
                .map(|_| ())
                .unwrap()
        }),
        "invalid_value",
        Some("/roles/0"),
    );
    assert!(missing.to_string().contains("grants"), "{missing}");
}

#[test]
fn duplicate_id() {
    expect_error(
        with(|v| v["routes"][3]["id"] = json!("notes")),
        "duplicate_id",
        Some("/routes/3/id"),
    );
    expect_error(
        with(|v| v["products"][1]["id"] = json!("notes")),
        "duplicate_id",
        Some("/products/1/id"),
    );
    expect_error(
        with(|v| v["flags"] = json!(["beta", "beta"])),
        "duplicate_id",
        Some("/flags/1"),
    );
    expect_error(
        with(|v| v["forms"][0]["fields"][1]["id"] = json!("title")),
        "duplicate_id",
        Some("/forms/0/fields/1/id"),
    );
}

#[test]
fn unknown_references() {
    expect_error(
        with(|v| v["api"][0]["form"] = json!("notes")),
        "unknown_form",
        Some("/api/0/form"),
    );
    expect_error(
        with(|v| v["navigation"][1]["route"] = json!("notez")),
        "unknown_route",
        Some("/navigation/1/route"),
    );
    expect_error(
        with(|v| v["home"] = json!("nowhere")),
        "unknown_route",
        Some("/home"),
    );
    expect_error(
        with(|v| v["products"][0]["fallback"] = json!("nowhere")),
        "unknown_route",
        Some("/products/0/fallback"),
    );
    expect_error(
        with(|v| {
            v["routes"][2]["requires"] =
                json!({"all": [{"permission": "notes:read:own"}, {"product": "note"}]})
        }),
        "unknown_product",
        Some("/routes/2/requires/all/1/product"),
    );
    expect_error(
        with(|v| v["roles"][1]["grants"][0] = json!("tasks:read:all")),
        "unknown_permission",
        Some("/roles/1/grants/0"),
    );
    expect_error(
        with(|v| v["roles"][1]["grants"][0] = json!("notes:delete:all")),
        "unknown_permission",
        Some("/roles/1/grants/0"),
    );
    expect_error(
        with(|v| v["conditions"][1]["requires"] = json!({"plan_at_least": "gold"})),
        "unknown_plan",
        Some("/conditions/1/requires/plan_at_least"),
    );
    expect_error(
        with(|v| v["palette"][1]["requires"]["all"][1] = json!({"flag": "alpha"})),
        "unknown_flag",
        Some("/palette/1/requires/all/1/flag"),
    );
    expect_error(
        with(|v| v["palette"][1]["requires"]["all"][2] = json!({"environment": ["prod", "qa"]})),
        "unknown_environment",
        Some("/palette/1/requires/all/2/environment/1"),
    );
    expect_error(
        with(|v| v["palette"][1]["requires"]["all"][0] = json!({"setting": "x"})),
        "unknown_setting",
        Some("/palette/1/requires/all/0/setting"),
    );
    expect_error(
        with(|v| v["features"][0]["requires"] = json!({"preference": "x"})),
        "unknown_preference",
        Some("/features/0/requires/preference"),
    );
    expect_error(
        with(|v| v["sync"][0]["fields"][0]["requires"] = json!({"ref": "nope"})),
        "unknown_condition",
        Some("/sync/0/fields/0/requires/ref"),
    );
}

#[test]
fn invalid_permission() {
    for bad in [
        "notes:read",
        "notes:read:everything",
        "Notes:read:all",
        "notes::all",
        "notes:read:all:x",
    ] {
        expect_error(
            with(|v| v["roles"][1]["grants"][0] = json!(bad)),
            "invalid_permission",
            Some("/roles/1/grants/0"),
        );
    }
    expect_error(
        with(|v| v["routes"][2]["requires"] = json!({"permission": "notes"})),
        "invalid_permission",
        Some("/routes/2/requires/permission"),
    );
}

#[test]
fn invalid_pattern() {
    expect_error(
        with(|v| v["routes"][1]["pattern"] = json!("workspace/{slug}/start")),
        "invalid_pattern",
        Some("/routes/1/pattern"),
    );
    expect_error(
        with(|v| v["routes"][1]["pattern"] = json!("/workspace/{slug}/Start")),
        "invalid_pattern",
        Some("/routes/1/pattern"),
    );
    expect_error(
        with(|v| v["routes"][1]["pattern"] = json!("/workspace/start")),
        "invalid_pattern",
        Some("/routes/1/pattern"),
    );
    expect_error(
        with(|v| v["routes"][1]["pattern"] = json!("/workspace/{slug}/{slug}")),
        "invalid_pattern",
        Some("/routes/1/pattern"),
    );
    expect_error(
        with(|v| v["products"][0]["paths"][0] = json!("/")),
        "invalid_pattern",
        Some("/products/0/paths/0"),
    );
    expect_error(
        with(|v| v["api"][0]["path"] = json!("/api//notes")),
        "invalid_pattern",
        Some("/api/0/path"),
    );
}

#[test]
fn route_collision() {
    let err = expect_error(
        with(|v| {
            v["routes"].as_array_mut().unwrap().push(
                json!({"id": "other", "pattern": "/workspace/{slug}/notes/{noteId}", "title": "x"}),
            )
        }),
        "route_collision",
        Some("/routes/4/pattern"),
    );
    assert!(
        err.to_string().contains("`note`"),
        "names the route it collides with: {err}"
    );
    expect_error(
        with(|v| {
            v["api"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": "again", "method": "POST", "path": "/api/notes"}))
        }),
        "route_collision",
        Some("/api/1/path"),
    );
    // The same path with another method is fine.
    load(&with(|v| {
        v["api"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "list", "method": "GET", "path": "/api/notes"}))
    }))
    .unwrap();
}

#[test]
fn condition_cycle() {
    expect_error(
        with(|v| {
            v["conditions"] = json!([
                { "id": "a", "requires": { "all": [{ "product": "notes" }, { "ref": "b" }] } },
                { "id": "b", "requires": { "not": { "ref": "a" } } }
            ])
        }),
        "condition_cycle",
        Some("/conditions/1/requires/not/ref"),
    );
    expect_error(
        with(|v| v["conditions"] = json!([{ "id": "me", "requires": { "ref": "me" } }])),
        "condition_cycle",
        Some("/conditions/0/requires/ref"),
    );
}

#[test]
fn redirect_cycle() {
    // The fallback page of `notes` is itself a page of `notes`.
    expect_error(
        with(|v| v["products"][0]["fallback"] = json!("notes")),
        "redirect_cycle",
        Some("/products/0/fallback"),
    );
    // notes -> start (needs files) and files -> notes page (needs notes).
    expect_error(
        with(|v| {
            v["routes"][1]["requires"] = json!({"product": "files"});
            v["products"][1]["fallback"] = json!("notes");
        }),
        "redirect_cycle",
        Some("/products/0/fallback"),
    );
}

#[test]
fn route_not_linkable() {
    expect_error(
        with(|v| v["navigation"][1]["route"] = json!("note")),
        "route_not_linkable",
        Some("/navigation/1/route"),
    );
    expect_error(
        with(|v| v["palette"][0]["route"] = json!("note")),
        "route_not_linkable",
        Some("/palette/0/route"),
    );
}

#[test]
fn invalid_shortcut() {
    for bad in ["mod+", "hyper+n", "mod+mod+n", "mod+nn", ""] {
        expect_error(
            with(|v| v["palette"][0]["shortcut"] = json!(bad)),
            "invalid_shortcut",
            Some("/palette/0/shortcut"),
        );
    }
}

#[test]
fn limit_exceeded() {
    let flags: Vec<String> = (0..65).map(|i| format!("f{i}")).collect();
    expect_error(
        with(|v| v["flags"] = json!(flags)),
        "limit_exceeded",
        Some("/flags"),
    );
    let mut deep = json!({"product": "notes"});
    for _ in 0..40 {
        deep = json!({ "not": deep });
    }
    let at = format!(
        "/features/0/requires{}",
        "/not".repeat(harmony_policy::limits::MAX_CONDITION_DEPTH)
    );
    expect_error(
        with(|v| v["features"][0]["requires"] = deep),
        "limit_exceeded",
        Some(&at),
    );
}

#[test]
fn unknown_builtin() {
    let err = Policy::builtin("harmonie").unwrap_err();
    assert_eq!(err.code(), "unknown_builtin");
    assert!(err.to_string().contains("`harmonie`"));
}

#[test]
fn deeply_nested_json_is_refused_without_overflow() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = Policy::from_json(&text).unwrap_err();
    assert_eq!(err.code(), "invalid_value", "{err}");
    assert!(
        !err.to_string().contains("u64"),
        "no Rust type names: {err}"
    );
    // Deep nesting inside a condition: refused at the format's nesting limit
    // while it is read, before any recursion could grow.
    let mut text = base().to_string();
    let deep = format!(
        "{}{{\"product\":\"notes\"}}{}",
        "{\"not\":".repeat(50_000),
        "}".repeat(50_000)
    );
    text = text.replace("{\"preference\":\"digest\"}}]", &format!("{deep}}}]"));
    let err = Policy::from_json(&text).unwrap_err();
    assert_eq!(err.code(), "limit_exceeded", "{err}");
    assert!(err.to_string().contains("condition nesting"), "{err}");
}

#[test]
fn canonical_form_ignores_layout_and_defaults() {
    let a = load(&base()).unwrap();
    let pretty = serde_json::to_string_pretty(&base()).unwrap();
    let b = Policy::from_json(&pretty).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    let c = Policy::from_json(a.to_json()).unwrap();
    assert_eq!(a.fingerprint(), c.fingerprint());
    assert_eq!(a.to_json(), c.to_json());
    // Writing a default explicitly changes nothing.
    let d = load(&with(|v| v["products"][1]["paths"] = json!([]))).unwrap();
    assert_eq!(a.fingerprint(), d.fingerprint());
    // A real change changes the fingerprint.
    let e = load(&with(|v| v["products"][1]["default"] = json!(true))).unwrap();
    assert_ne!(a.fingerprint(), e.fingerprint());
    assert!(a.fingerprint().starts_with("sha256:") && a.fingerprint().len() == 71);
}

/// The fingerprint is what the documentation says, so anyone can compute it
/// from `to_json()`: `sha256:` and the lowercase hex SHA-256 of the canonical
/// text (it is computed on first use, from the same text).
#[test]
fn fingerprint_is_the_sha256_of_the_canonical_form() {
    use sha2::{Digest, Sha256};
    for name in harmony_policy::BUILTIN_NAMES {
        let policy = Policy::builtin(name).unwrap();
        let digest = Sha256::digest(policy.to_json().as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(policy.fingerprint(), format!("sha256:{hex}"), "{name}");
    }
}
