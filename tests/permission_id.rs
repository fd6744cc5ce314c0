//! `Policy::permission` + `View::can_id`: permissions looked up once answer
//! exactly as `View::can` does.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy::{Context, Policy};

const PERMISSIONS: [&str; 10] = [
    "contacts:create:own",
    "contacts:create:all",
    "billing:read:all",
    "roles:*:all",
    "roles:update:team",
    "*:*:all",
    "*:read:own",
    "organization:update:all",
    "users:delete:all",
    "accounts:read:team",
];

fn context(roles: &str, permissions: &str, active: bool) -> Context {
    Context::from_json(&format!(
        r#"{{"workspace":{{"slug":"acme"}},"member":{{"userId":"u","roles":{roles},"permissions":{permissions},"active":{active}}}}}"#
    ))
    .unwrap()
}

#[test]
fn ids_answer_as_can_does() {
    let policy = Policy::builtin("harmony").unwrap();
    let contexts = [
        context(r#"["admin"]"#, "[]", true),
        context(r#"["member"]"#, "[]", true),
        context("[]", r#"["roles:*:all","billing:read:own"]"#, true),
        context(r#"["admin"]"#, "[]", false),
    ];
    let mut held = 0;
    for ctx in &contexts {
        let view = policy.view(ctx).unwrap();
        for p in PERMISSIONS {
            let id = policy.permission(p).unwrap();
            assert_eq!(view.can_id(id), view.can(p).unwrap(), "{p}");
            held += usize::from(view.can_id(id));
        }
    }
    assert!(held > 10 && held < 30, "{held}");
}

#[test]
fn bad_permissions_give_the_errors_can_gives() {
    let policy = Policy::builtin("harmony").unwrap();
    let view = policy.view(&context(r#"["admin"]"#, "[]", true)).unwrap();
    for bad in [
        "",
        "roles:read",
        "Roles:read:all",
        "nope:read:all",
        "roles:read:*",
    ] {
        let a = policy.permission(bad).unwrap_err();
        let b = view.can(bad).unwrap_err();
        assert_eq!(
            (a.code(), a.to_string()),
            (b.code(), b.to_string()),
            "{bad}"
        );
    }
    let long = "x".repeat(10_000);
    assert_eq!(
        policy.permission(&long).unwrap_err().code(),
        view.can(&long).unwrap_err().code()
    );
}

#[test]
fn an_id_of_another_policy_is_never_held() {
    let harmony = Policy::builtin("harmony").unwrap();
    let harmonia = Policy::builtin("harmonia").unwrap();
    let same_rules = Policy::from_json(harmony.to_json()).unwrap();
    let view = harmony.view(&context(r#"["admin"]"#, "[]", true)).unwrap();
    assert!(view.can_id(harmony.permission("*:*:all").unwrap()));
    assert!(!view.can_id(harmonia.permission("*:*:all").unwrap()));
    assert!(!view.can_id(same_rules.permission("*:*:all").unwrap()));
    // The same policy, loaded once per process, gives the same ids.
    assert_eq!(
        Policy::builtin("harmony")
            .unwrap()
            .permission("roles:*:all")
            .unwrap(),
        harmony.permission("roles:*:all").unwrap()
    );
}
