//! Invariants of SPEC section 8, for every context: exhaustively over all 16
//! product combinations, every built-in role, active and inactive members and
//! every route of both bundled rulesets; and with random contexts, paths and
//! request bodies (proptest).

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy::{
    ApiRequest, Context, PaletteKind, Policy, Record, RequestCheck, Resolution, View,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const RULESETS: [&str; 2] = ["harmony", "harmonia"];
const PRODUCTS: [&str; 4] = ["accounts", "insights", "feedback", "performance"];

fn source(name: &str) -> &'static Value {
    static DOCS: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    let docs = DOCS.get_or_init(|| {
        RULESETS
            .iter()
            .map(|n| serde_json::from_str(Policy::builtin_source(n).unwrap()).unwrap())
            .collect()
    });
    &docs[RULESETS.iter().position(|n| *n == name).unwrap()]
}

fn context(
    products: u8,
    roles: &[&str],
    permissions: &[&str],
    active: bool,
    plan: &str,
    landing: Option<&str>,
) -> Context {
    let mut toggles = Map::new();
    for (i, p) in PRODUCTS.iter().enumerate() {
        toggles.insert((*p).into(), json!(products & (1 << i) != 0));
    }
    let mut member =
        json!({ "userId": "u_1", "roles": roles, "permissions": permissions, "active": active });
    if let Some(l) = landing {
        member["landingPage"] = json!(l);
    }
    serde_json::from_value(json!({
        "workspace": { "slug": "acme", "products": toggles, "plan": plan },
        "member": member,
        "memberships": ["acme", "beta"],
        "platform": "linux"
    }))
    .unwrap()
}

/// Every context of the exhaustive sweep for one ruleset.
fn sweep(name: &str) -> Vec<Context> {
    let doc = source(name);
    let roles: Vec<String> = doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let mut out = Vec::new();
    for products in 0..16u8 {
        for active in [true, false] {
            for plan in ["starter", "agency"] {
                for role in &roles {
                    out.push(context(products, &[role.as_str()], &[], active, plan, None));
                }
                // A custom role: a permission list with no built-in role.
                out.push(context(
                    products,
                    &[],
                    &["contacts:read:own", "conversations:read:team"],
                    active,
                    plan,
                    Some("contacts"),
                ));
            }
        }
    }
    out
}

/// Sample concrete paths for every route pattern of a ruleset.
fn route_paths(name: &str) -> Vec<(String, String)> {
    source(name)["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let path = r["pattern"]
                .as_str()
                .unwrap()
                .replace("{slug}", "acme")
                .replace("{id}", "x1");
            (r["id"].as_str().unwrap().to_owned(), path)
        })
        .collect()
}

/// The products whose `paths` contain `path`.
fn owners(name: &str, path: &str) -> Vec<usize> {
    let doc = source(name);
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    for (i, p) in doc["products"].as_array().unwrap().iter().enumerate() {
        for prefix in p["paths"].as_array().unwrap() {
            let pre: Vec<&str> = prefix
                .as_str()
                .unwrap()
                .split('/')
                .filter(|s| !s.is_empty())
                .collect();
            let under = pre.len() <= segs.len()
                && pre
                    .iter()
                    .zip(segs.iter())
                    .all(|(a, b)| a.starts_with('{') || a.eq_ignore_ascii_case(b));
            if under {
                out.push(i);
            }
        }
    }
    out
}

fn product_on(ctx: &Context, i: usize) -> bool {
    ctx.workspace
        .products
        .get(PRODUCTS[i])
        .copied()
        .unwrap_or(false)
}

fn safe_target(to: &str) -> bool {
    to.starts_with('/')
        && !to.starts_with("//")
        && !to.contains('\\')
        && !to.contains(':')
        && !to.contains("..")
}

/// Follows redirects; returns the final answer's kind, panicking on a loop.
fn settle(view: &View, path: &str) -> &'static str {
    let mut path = path.to_owned();
    for _ in 0..4 {
        let next = match view.resolve(&path).unwrap() {
            Resolution::Redirect { to, .. } => {
                assert!(safe_target(to), "unsafe redirect target {to}");
                to.to_owned()
            }
            Resolution::Allow { .. } => return "allow",
            Resolution::Forbidden { .. } => return "forbidden",
            Resolution::NotFound => return "not_found",
        };
        path = next;
    }
    panic!("redirect loop from {path}");
}

fn allows(view: &View, path: &str) -> bool {
    settle(view, path) == "allow"
}

#[test]
fn sidebar_and_palette_show_exactly_what_resolves_to_allow() {
    for name in RULESETS {
        let policy = Policy::builtin(name).unwrap();
        let doc = source(name);
        for ctx in sweep(name) {
            let view = policy.view(&ctx).unwrap();
            let shown: Vec<String> = view.sidebar().iter().map(|i| i.href.to_owned()).collect();
            for item in doc["navigation"].as_array().unwrap() {
                let route = item["route"].as_str().unwrap();
                let (_, href) = route_paths(name)
                    .into_iter()
                    .find(|(id, _)| id == route)
                    .unwrap();
                let direct = matches!(view.resolve(&href).unwrap(), Resolution::Allow { .. });
                assert_eq!(
                    shown.contains(&href),
                    direct,
                    "{name} {ctx:?}: sidebar {href}"
                );
                // One redirect to an allowed page is allowed too, but never for a shown item.
                if !shown.contains(&href) {
                    assert!(!direct);
                }
            }
            let palette = view.palette("").unwrap();
            for entry in doc["palette"].as_array().unwrap() {
                if entry.get("action").is_some() {
                    continue;
                }
                let route = entry["route"].as_str().unwrap();
                let (_, href) = route_paths(name)
                    .into_iter()
                    .find(|(id, _)| id == route)
                    .unwrap();
                let shown = palette
                    .iter()
                    .any(|e| e.id == entry["id"].as_str().unwrap());
                let direct = matches!(view.resolve(&href).unwrap(), Resolution::Allow { .. });
                assert_eq!(shown, direct, "{name} {ctx:?}: palette {href}");
            }
            for e in &palette {
                if e.kind == PaletteKind::Navigate {
                    assert!(allows(&view, e.href.unwrap()));
                }
            }
        }
    }
}

#[test]
fn no_route_of_a_disabled_product_is_allowed_and_redirects_are_safe() {
    for name in RULESETS {
        let policy = Policy::builtin(name).unwrap();
        let paths = route_paths(name);
        for ctx in sweep(name) {
            let view = policy.view(&ctx).unwrap();
            for (id, path) in &paths {
                let owned_by_off = owners(name, path).into_iter().any(|p| !product_on(&ctx, p));
                for spelling in [
                    path.clone(),
                    path.to_uppercase(),
                    format!("{path}/"),
                    path.replace('/', "//"),
                    format!("{path}?q=1#f"),
                ] {
                    match view.resolve(&spelling).unwrap() {
                        Resolution::Allow { route, .. } => {
                            assert!(ctx.member.active, "inactive member allowed {spelling}");
                            assert!(
                                !owned_by_off,
                                "{name}: {spelling} ({id}) allowed with its product off"
                            );
                            assert_eq!(route, id);
                        }
                        Resolution::Redirect { to, .. } => assert!(safe_target(to)),
                        Resolution::Forbidden { .. } | Resolution::NotFound => {}
                    }
                }
                // Paths below a product's pages follow the product too.
                let deeper = format!("{path}/no/such/page");
                if let Resolution::Allow { .. } = view.resolve(&deeper).unwrap() {
                    panic!("{deeper} allowed");
                }
                settle(&view, path);
            }
        }
    }
}

#[test]
fn account_picker_api_and_sync_agree() {
    for name in RULESETS {
        let policy = Policy::builtin(name).unwrap();
        for ctx in sweep(name) {
            let view = policy.view(&ctx).unwrap();
            let picker = view
                .form("contact")
                .unwrap()
                .iter()
                .find(|f| f.field == "accountId")
                .unwrap()
                .visible;
            let request = |method: &str, path: &str| ApiRequest {
                method: method.into(),
                path: path.into(),
                body: Some(json!({ "name": "Ada", "accountId": "a_1" })),
                record: None,
            };
            let create_ok = view
                .check_request(&request("POST", "/api/contacts"))
                .unwrap()
                .is_ok();
            let update_ok = view
                .check_request(&request("PATCH", "/api/contacts/c_1"))
                .unwrap()
                .is_ok();
            let record: Map<String, Value> =
                serde_json::from_value(json!({ "name": "Ada", "accountId": "a_1" })).unwrap();
            let kept = view
                .sync_record("hubspot", record.clone())
                .unwrap()
                .contains_key("accountId");
            let kept_sf = view
                .sync_record("salesforce", record)
                .unwrap()
                .contains_key("accountId");
            assert_eq!(kept, kept_sf);
            if view.can("contacts:create:own").unwrap() && view.can("contacts:update:own").unwrap()
            {
                assert_eq!(picker, create_ok, "{name} {ctx:?}");
                assert_eq!(picker, update_ok, "{name} {ctx:?}");
                assert_eq!(picker, kept, "{name} {ctx:?}");
            }
            if ctx.member.active {
                assert_eq!(
                    kept,
                    product_on(&ctx, 0),
                    "sync keeps accountId exactly while Accounts is on"
                );
            }
            // Sync drops accountId and nothing else.
            let other: Map<String, Value> =
                serde_json::from_value(json!({ "a": 1, "b": [1], "accountIds": 2 })).unwrap();
            assert_eq!(view.sync_record("hubspot", other.clone()).unwrap(), other);
        }
    }
}

fn outputs(view: &View, name: &str) -> Value {
    let resolved: Vec<Value> = route_paths(name)
        .iter()
        .map(|(_, p)| serde_json::to_value(view.resolve(p).unwrap()).unwrap())
        .collect();
    json!({
        "sidebar": view.sidebar(),
        "palette": view.palette("").unwrap(),
        "routes": resolved,
        "contact": view.form("contact").unwrap(),
        "invite": view.form("invite").unwrap(),
    })
}

#[test]
fn turning_a_product_off_then_on_restores_the_same_view() {
    for name in RULESETS {
        let policy = Policy::builtin(name).unwrap();
        for ctx in sweep(name) {
            let before = outputs(&policy.view(&ctx).unwrap(), name);
            for product in PRODUCTS {
                let was = ctx.workspace.products[product];
                let mut off = ctx.clone();
                off.workspace.products.insert(product.into(), !was);
                let mut back = off.clone();
                back.workspace.products.insert(product.into(), was);
                assert_eq!(
                    before,
                    outputs(&policy.view(&back).unwrap(), name),
                    "{name} {product}"
                );
                // The preview of a change is the exact reverse of the preview of undoing it.
                let there = policy.product_impact(&ctx, product, !was).unwrap();
                let again = policy.product_impact(&off, product, was).unwrap();
                assert_eq!(there.sidebar.shown, again.sidebar.hidden);
                assert_eq!(there.routes.hidden, again.routes.shown);
                assert_eq!(there.fields.hidden, again.fields.shown);
                assert_eq!(there.api.shown, again.api.hidden);
            }
        }
    }
}

#[test]
fn inactive_members_see_and_may_do_nothing() {
    for name in RULESETS {
        let policy = Policy::builtin(name).unwrap();
        for ctx in sweep(name).into_iter().filter(|c| !c.member.active) {
            let view = policy.view(&ctx).unwrap();
            assert!(view.sidebar().is_empty());
            assert!(view.palette("").unwrap().is_empty());
            assert!(!view.can("*:read:own").unwrap());
            for (_, p) in route_paths(name) {
                assert!(!matches!(
                    view.resolve(&p).unwrap(),
                    Resolution::Allow { .. }
                ));
            }
            assert!(!view
                .check_request(&ApiRequest {
                    method: "GET".into(),
                    path: "/api/contacts".into(),
                    body: None,
                    record: None
                })
                .unwrap()
                .is_ok());
        }
    }
}

/// SPEC 11: for every context, record and permission, `can(p, record)` ⇔
/// the record matches `filter(p)` ⇔ `checkRequest` of an endpoint requiring
/// `p` with that record is not refused for its permission. Exhaustive over
/// every endpoint of both rulesets that requires one permission, every
/// scope the member may hold it at (none, own, team, all, and two at once),
/// with and without teams, active or not, and records owned by the member,
/// by another or by nobody, in the member's team, another or none.
#[test]
fn can_filter_and_check_request_agree_on_every_record() {
    let grants: [&[&str]; 6] = [
        &[],
        &["own"],
        &["team"],
        &["all"],
        &["own", "team"],
        &["own", "all"],
    ];
    let owners = [None, Some("u_1"), Some("u_2")];
    let teams = [None, Some("t_1"), Some("t_2")];
    let mut checked = 0;
    for name in RULESETS {
        let policy = Policy::builtin(name).unwrap();
        let doc = source(name);
        let plan = doc["plans"].as_array().unwrap().last().unwrap().clone();
        for endpoint in doc["api"].as_array().unwrap() {
            let Some(required) = endpoint["requires"]["permission"].as_str() else {
                continue;
            };
            // An endpoint requiring `p` at `own` requires `p` on records; one
            // requiring it at a wider scope also needs that scope, so there
            // acceptance implies `can` but not the other way round.
            let (permission, floor) = required.rsplit_once(':').unwrap();
            let path = endpoint["path"]
                .as_str()
                .unwrap()
                .replace('{', "x")
                .replace('}', "");
            for scopes in grants {
                let held: Vec<String> =
                    scopes.iter().map(|s| format!("{permission}:{s}")).collect();
                for (member_teams, active) in
                    [(vec![], true), (vec!["t_1"], true), (vec!["t_1"], false)]
                {
                    let ctx: Context = serde_json::from_value(json!({
                        "workspace": { "slug": "acme", "plan": plan,
                                       "products": { "accounts": true, "insights": true, "feedback": true, "performance": true } },
                        "member": { "userId": "u_1", "roles": [], "permissions": held,
                                    "teams": member_teams, "active": active },
                    }))
                    .unwrap();
                    let view = policy.view(&ctx).unwrap();
                    let filter = view.filter(permission).unwrap();
                    for owner in owners {
                        for team in teams {
                            let record = Record::new(owner, team);
                            let can = view.can_record(permission, &record).unwrap();
                            assert_eq!(
                                can,
                                filter.matches(&record),
                                "{name} {permission} {held:?} {record:?}"
                            );
                            let check = view
                                .check_request(&ApiRequest {
                                    method: endpoint["method"].as_str().unwrap().into(),
                                    path: path.clone(),
                                    body: None,
                                    record: Some(record.clone()),
                                })
                                .unwrap();
                            let refused_for_permission = matches!(
                                &check,
                                RequestCheck::Denied { code, .. }
                                    if *code == "permission_denied" || *code == "inactive_member"
                            );
                            if floor == "own" {
                                assert_eq!(
                                    can, !refused_for_permission,
                                    "{name} {endpoint} {held:?} {record:?}: {check:?}"
                                );
                            } else {
                                assert!(
                                    can || refused_for_permission,
                                    "{name} {endpoint} {held:?} {record:?}: {check:?}"
                                );
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 4000, "{checked}");
}

// ---- random inputs ----

fn path_strategy() -> impl Strategy<Value = String> {
    let segment = prop::sample::select(vec![
        "workspace",
        "acme",
        "ACME",
        "beta",
        "accounts",
        "Accounts",
        "%61ccounts",
        "contacts",
        "data-lake",
        "projects",
        "definitions",
        "feedback",
        "performance",
        "scorecards",
        "settings",
        "products",
        "authentication",
        "billing",
        "new",
        "edit",
        "x1",
        "..",
        ".",
        "",
        "%2e%2e",
        "%2E",
        "%2F",
        "%5C",
        "\\",
        "?q=/accounts",
        "#frag",
        "%zz",
        "%00",
        "%C3%A9",
        "é",
        "//evil.example",
        "http:",
        "a%2Fb",
    ]);
    prop::collection::vec(segment, 0..10).prop_map(|segs| format!("/{}", segs.join("/")))
}

fn context_strategy() -> impl Strategy<Value = (usize, Context)> {
    (
        0..2usize,
        0..16u8,
        prop::sample::subsequence(vec!["admin", "member", "owner"], 0..3),
        prop::sample::subsequence(
            vec![
                "contacts:read:own",
                "contacts:*:all",
                "accounts:read:team",
                "billing:read:all",
                "users:update:all",
                "*:read:own",
                "projects:create:own",
            ],
            0..4,
        ),
        any::<bool>(),
        prop::sample::select(vec!["starter", "pro", "agency", "enterprise"]),
    )
        .prop_map(|(r, products, roles, perms, active, plan)| {
            let name = RULESETS[r];
            let known: Vec<String> = source(name)["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_owned())
                .collect();
            let vocab = source(name)["permissions"]["resources"].clone();
            let roles: Vec<&str> = roles
                .into_iter()
                .filter(|x| known.iter().any(|k| k == x))
                .collect();
            let perms: Vec<&str> = perms
                .into_iter()
                .filter(|p| {
                    let res = p.split(':').next().unwrap();
                    res == "*" || vocab.as_array().unwrap().iter().any(|v| v == res)
                })
                .collect();
            (r, context(products, &roles, &perms, active, plan, None))
        })
}

fn json_strategy() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec!["accountId", "name", "email", "x", "nested"])
                    .prop_map(String::from),
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_paths_never_allow_a_disabled_product((r, ctx) in context_strategy(), path in path_strategy()) {
        let name = RULESETS[r];
        let view = Policy::builtin(name).unwrap().view(&ctx).unwrap();
        match view.resolve(&path).unwrap() {
            Resolution::Allow { route, .. } => {
                prop_assert!(ctx.member.active);
                let (_, canonical) = route_paths(name).into_iter().find(|(id, _)| id == route).unwrap();
                for p in owners(name, &canonical) {
                    prop_assert!(product_on(&ctx, p), "{} allowed as {} with {} off", path, route, PRODUCTS[p]);
                }
            }
            Resolution::Redirect { to, .. } => prop_assert!(safe_target(to), "{}", to),
            _ => {}
        }
        let _ = view.explain(&format!("route:{path}")).unwrap();
    }

    #[test]
    fn any_string_is_a_path_that_never_panics((r, ctx) in context_strategy(), path in ".{0,64}") {
        let view = Policy::builtin(RULESETS[r]).unwrap().view(&ctx).unwrap();
        if let Resolution::Redirect { to, .. } = view.resolve(&path).unwrap() {
            prop_assert!(safe_target(to));
        }
        let _ = view.palette(&path).unwrap();
        let _ = view.explain(&path);
        let _ = view.can(&path);
        let _ = view.form(&path);
        let _ = view.feature(&path);
    }

    #[test]
    fn random_requests_never_panic_and_account_ids_follow_the_toggle(
        (r, ctx) in context_strategy(),
        method in prop::sample::select(vec!["GET", "POST", "PATCH", "PUT", "DELETE", "post", "TRACE"]),
        path in prop::sample::select(vec!["/api/contacts", "/api/contacts/c_1", "/api/accounts", "/api/projects/p_1", "/api/contacts?accountId=1", "/api/%63ontacts", "/api//contacts/"]),
        body in json_strategy(),
    ) {
        let view = Policy::builtin(RULESETS[r]).unwrap().view(&ctx).unwrap();
        let request = ApiRequest { method: method.into(), path: path.into(), body: Some(body.clone()), record: None };
        let answer = view.check_request(&request).unwrap();
        let carries = body.as_object().is_some_and(|o| o.contains_key("accountId"));
        if answer.is_ok() && carries {
            prop_assert!(product_on(&ctx, 0), "accountId accepted with Accounts off");
        }
        if let RequestCheck::Denied { status, .. } = answer {
            prop_assert!([400, 403, 404, 405].contains(&status));
        }
    }
}
