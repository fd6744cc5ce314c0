//! The hand-written decoders (`src/decode.rs` and each type's `FromJson`)
//! against the derived `Serialize` of the same types: every public input
//! value written as JSON reads back as itself, through `from_json` and
//! through serde's `Deserialize`, so a key spelled differently on the two
//! sides, or an optional field read as required, cannot go unnoticed.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy::{
    AccountDeletion, ApiRequest, Context, Invite, Member, Platform, PreferenceValue, Record,
    RoleChange, RoleHolder, Workspace, WorkspaceAdmins,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Short text, any characters (escapes, quotes, non-ASCII, slashes).
fn text() -> impl Strategy<Value = String> {
    ".{0,6}"
}

fn workspace() -> impl Strategy<Value = Workspace> {
    (
        text(),
        btree_map(text(), any::<bool>(), 0..3),
        option::of(text()),
        vec(text(), 0..3),
        option::of(text()),
        btree_map(text(), any::<bool>(), 0..3),
    )
        .prop_map(
            |(slug, products, plan, flags, environment, settings)| Workspace {
                slug,
                products,
                plan,
                flags,
                environment,
                settings,
                roles: Vec::new(),
            },
        )
}

fn preference() -> impl Strategy<Value = PreferenceValue> {
    prop_oneof![
        Just(PreferenceValue::Null),
        any::<bool>().prop_map(PreferenceValue::Bool),
        any::<i32>().prop_map(|n| PreferenceValue::Number(f64::from(n))),
        (-1e9..1e9f64).prop_map(PreferenceValue::Number),
        text().prop_map(PreferenceValue::String),
    ]
}

fn member() -> impl Strategy<Value = Member> {
    (
        text(),
        vec(text(), 0..3),
        vec(text(), 0..3),
        vec(text(), 0..3),
        any::<bool>(),
        option::of(text()),
        btree_map(text(), preference(), 0..3),
    )
        .prop_map(
            |(user_id, roles, permissions, teams, active, landing_page, preferences)| Member {
                user_id,
                roles,
                permissions,
                teams,
                active,
                landing_page,
                preferences,
            },
        )
}

/// A record's owner and team: ids of 1 to 6 characters, or none.
fn record() -> impl Strategy<Value = Record> {
    (option::of(".{1,6}"), option::of(".{1,6}"))
        .prop_map(|(owner_id, team_id)| Record { owner_id, team_id })
}

fn context() -> impl Strategy<Value = Context> {
    let platform = prop::sample::select(vec![
        Platform::Mac,
        Platform::Ios,
        Platform::Windows,
        Platform::Linux,
        Platform::Android,
        Platform::Other,
    ]);
    (workspace(), member(), vec(text(), 0..3), platform).prop_map(
        |(workspace, member, memberships, platform)| Context {
            workspace,
            member,
            memberships,
            platform,
        },
    )
}

fn holder() -> impl Strategy<Value = RoleHolder> {
    (text(), text(), any::<bool>()).prop_map(|(user_id, role, active)| RoleHolder {
        user_id,
        role,
        active,
    })
}

fn body() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        (-1e12..1e12f64).prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            btree_map(text(), inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Written by `Serialize`, read back by serde's `Deserialize` (the
/// hand-written decoder behind a tree), from a `serde_json::Value`: exact for
/// every number (serde_json's text parser, by default, may round a float's
/// last digit; text is read by our own parser in `Context::from_json`).
fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> T {
    serde_json::from_value(serde_json::to_value(value).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", serde_json::to_string(value).unwrap()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn contexts_read_back_as_written(ctx in context()) {
        let text = serde_json::to_string(&ctx).unwrap();
        prop_assert_eq!(&Context::from_json(&text).unwrap(), &ctx, "{}", text);
        prop_assert_eq!(&round_trip(&ctx), &ctx);
    }

    #[test]
    fn requests_read_back_as_written(
        method in text(),
        path in text(),
        body in option::of(body()),
        record in option::of(record()),
    ) {
        // `null` is no body, as an absent one.
        let body = body.filter(|b| !b.is_null());
        let request = ApiRequest { method, path, body, record };
        prop_assert_eq!(&round_trip(&request), &request);
    }

    #[test]
    fn membership_inputs_read_back_as_written(
        user_id in text(),
        confirmation in text(),
        admins in vec((text(), vec(text(), 0..3)), 0..3),
        actor in holder(),
        target in holder(),
        new_role in option::of(text()),
        holders in btree_map(text(), vec(text(), 0..3), 0..3),
        sent_at in any::<i64>(),
        accepted_at in option::of(any::<i64>()),
        revoked_at in option::of(any::<i64>()),
    ) {
        let deletion = AccountDeletion {
            user_id,
            confirmation,
            memberships: admins
                .into_iter()
                .map(|(workspace, active_admins)| WorkspaceAdmins {
                    workspace,
                    active_admins,
                    active_holders: holders.clone(),
                })
                .collect(),
        };
        prop_assert_eq!(&round_trip(&deletion), &deletion);
        let change = RoleChange { actor, target, new_role, active_holders: holders, custom_roles: Vec::new() };
        prop_assert_eq!(&round_trip(&change), &change);
        let invite = Invite { sent_at, accepted_at, revoked_at };
        prop_assert_eq!(&round_trip(&invite), &invite);
    }
}

#[test]
fn left_out_fields_take_their_defaults() {
    let ctx = Context::from_json(r#"{"workspace":{"slug":"a"},"member":{"userId":"u"}}"#).unwrap();
    assert!(ctx.member.active);
    assert_eq!(ctx.platform, Platform::Other);
    assert!(ctx.memberships.is_empty() && ctx.workspace.products.is_empty());
    let invite: Invite = serde_json::from_str(r#"{"sentAt":5}"#).unwrap();
    assert_eq!((invite.accepted_at, invite.revoked_at), (None, None));
}

#[test]
fn problems_name_their_pointer_through_serde_too() {
    let e = serde_json::from_str::<Context>(r#"{"workspace":{"slug":1},"member":{"userId":"u"}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`/workspace/slug`"), "{e}");
    let e = serde_json::from_str::<Invite>(r#"{"sentAt":1,"sent":2}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown key `sent` at `/sent`"), "{e}");
    let e = Context::from_json(r#"{"workspace":{"slug":"a","slug":"b"},"member":{"userId":"u"}}"#)
        .unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        ("invalid_value", Some("/workspace/slug"))
    );
}
