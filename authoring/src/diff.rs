//! `diff`: what changes between two rulesets, for whom. A ruleset's
//! context space is small, so it is enumerated: every role of either
//! ruleset (and each member permission set given), every product state and
//! every plan. For each context both rulesets answer the same questions
//! (sidebar, palette, every route, every form field, every API endpoint,
//! every sync field), and the answers that differ are grouped by what
//! changed, with the contexts it changes for.

use crate::doc::ids;
use harmony_policy::{ApiRequest, Context, Policy, RequestCheck, Resolution, View};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Most products whose every combination is enumerated (2^n states);
/// beyond it, all on, all off and each one off alone.
const MAX_ENUMERATED_PRODUCTS: usize = 10;

/// A member's permission set to include beside the roles (`--members`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// How the report names it.
    pub name: String,
    /// Roles it holds.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Extra grants.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// One change: an item whose answer differs, and for whom.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What: `sidebar`, `palette`, `route`, `field`, `api` or `sync`.
    pub kind: String,
    /// Which one (`accounts`, `POST /api/contacts`, `contact.accountId`).
    pub item: String,
    /// Its answer under the old ruleset (`absent` when there is none).
    pub old: String,
    /// Its answer under the new one.
    pub new: String,
    /// The roles and permission sets it changes for.
    pub subjects: Vec<String>,
    /// The plans it changes for (every plan when it does not depend on it).
    pub plans: Vec<String>,
    /// Products that are on (`true`) or off (`false`) in every context it
    /// changes for; a product that can be either is left out.
    pub products: BTreeMap<String, bool>,
    /// How many contexts it changes for.
    pub contexts: usize,
}

/// A change's identity: kind, item, old answer, new answer.
type Key = (String, String, String, String);

/// Whom a change concerns: subjects, plans and product states.
#[derive(Default)]
struct Group {
    subjects: BTreeSet<String>,
    plans: BTreeSet<String>,
    states: Vec<BTreeMap<String, bool>>,
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// How many contexts were enumerated.
    pub contexts: usize,
    /// Every change, grouped.
    pub changes: Vec<Change>,
}

fn union(a: impl Iterator<Item = String>, b: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = a.collect();
    for x in b {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// A concrete path for a pattern: the workspace's slug for `{slug}`, a
/// placeholder for every other parameter.
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|seg| match seg {
            "{slug}" => "w",
            s if s.starts_with('{') => "x1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every product state to try.
fn product_states(products: &[String]) -> Vec<BTreeMap<String, bool>> {
    let state = |on: &dyn Fn(usize) -> bool| -> BTreeMap<String, bool> {
        products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), on(i)))
            .collect()
    };
    if products.len() <= MAX_ENUMERATED_PRODUCTS {
        (0u32..(1 << products.len()))
            .map(|bits| state(&|i| bits & (1 << i) != 0))
            .collect()
    } else {
        let mut out = vec![state(&|_| true), state(&|_| false)];
        for off in 0..products.len() {
            out.push(state(&|i| i != off));
        }
        out
    }
}

/// What a view answers, item by item.
fn observe(
    view: &View,
    routes: &[String],
    endpoints: &[(String, String)],
    forms: &[String],
    integrations: &[String],
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for item in view.sidebar() {
        out.insert(("sidebar".into(), item.id.to_owned()), "shown".into());
    }
    if let Ok(entries) = view.palette("") {
        for entry in entries {
            out.insert(("palette".into(), entry.id.to_owned()), "shown".into());
        }
    }
    for pattern in routes {
        let answer = match view.resolve(&concrete(pattern)) {
            Ok(Resolution::Allow { route, .. }) => format!("allow ({route})"),
            Ok(Resolution::Redirect { to, .. }) => format!("redirect to {to}"),
            Ok(Resolution::Forbidden { reason }) => format!("forbidden ({})", reason.code()),
            Ok(Resolution::NotFound) => "not found".into(),
            Err(e) => format!("error {}", e.code()),
        };
        out.insert(("route".into(), pattern.clone()), answer);
    }
    for form in forms {
        if let Ok(fields) = view.form(form) {
            for f in fields.iter().filter(|f| f.visible) {
                let state = if f.required { "required" } else { "shown" };
                out.insert(
                    ("field".into(), format!("{form}.{}", f.field)),
                    state.into(),
                );
            }
        }
    }
    for (method, path) in endpoints {
        let request = ApiRequest {
            method: method.clone(),
            path: concrete(path),
            body: (method != "GET").then(|| json!({})),
            record: None,
        };
        let answer = match view.check_request(&request) {
            Ok(RequestCheck::Denied { status, code, .. }) => format!("{status} {code}"),
            Ok(_) => "accepted".to_owned(),
            Err(e) => format!("error {}", e.code()),
        };
        out.insert(("api".into(), format!("{method} {path}")), answer);
    }
    for integration in integrations {
        if let Ok(dropped) = view.sync_dropped_fields(integration) {
            for field in dropped {
                out.insert(
                    ("sync".into(), format!("{integration}.{field}")),
                    "dropped".into(),
                );
            }
        }
    }
    out
}

/// The questions both rulesets are asked: every route pattern, endpoint,
/// form and integration either one has.
struct Questions {
    routes: Vec<String>,
    endpoints: Vec<(String, String)>,
    forms: Vec<String>,
    integrations: Vec<String>,
}

fn questions(old: &Value, new: &Value) -> Questions {
    let endpoints = |d: &Value| -> Vec<(String, String)> {
        d.get("api")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| {
                        Some((
                            e.get("method")?.as_str()?.to_owned(),
                            e.get("path")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut all_endpoints = endpoints(old);
    for e in endpoints(new) {
        if !all_endpoints.contains(&e) {
            all_endpoints.push(e);
        }
    }
    Questions {
        routes: union(
            ids(old, "routes", "pattern").into_iter(),
            ids(new, "routes", "pattern").into_iter(),
        ),
        endpoints: all_endpoints,
        forms: union(
            ids(old, "forms", "id").into_iter(),
            ids(new, "forms", "id").into_iter(),
        ),
        integrations: union(
            ids(old, "sync", "integration").into_iter(),
            ids(new, "sync", "integration").into_iter(),
        ),
    }
}

/// Compares `old` and `new` for every role of either, each of `subjects`,
/// every product state and every plan.
pub fn diff(old: &Policy, new: &Policy, subjects: &[Subject]) -> Diff {
    let (old_doc, new_doc) = (crate::doc::of(old), crate::doc::of(new));
    let q = questions(&old_doc, &new_doc);
    let mut everyone: Vec<Subject> = union(
        ids(&old_doc, "roles", "id").into_iter(),
        ids(&new_doc, "roles", "id").into_iter(),
    )
    .into_iter()
    .map(|role| Subject {
        name: role.clone(),
        roles: vec![role],
        permissions: Vec::new(),
    })
    .collect();
    everyone.extend(subjects.iter().cloned());
    let products = union(
        ids(&old_doc, "products", "id").into_iter(),
        ids(&new_doc, "products", "id").into_iter(),
    );
    let states = product_states(&products);
    let mut plans: Vec<Option<String>> = vec![None];
    plans.extend(
        union(
            ids(&old_doc, "plans", "id").into_iter(),
            ids(&new_doc, "plans", "id").into_iter(),
        )
        .into_iter()
        .map(Some),
    );

    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    let mut count = 0;
    for subject in &everyone {
        for state in &states {
            for plan in &plans {
                count += 1;
                let context = json!({
                    "workspace": { "slug": "w", "products": state, "plan": plan },
                    "member": { "userId": "u", "roles": subject.roles, "permissions": subject.permissions, "active": true },
                    "memberships": ["w"],
                });
                let answers =
                    |policy: &Policy| -> Result<BTreeMap<(String, String), String>, String> {
                        let ctx = Context::from_json(&context.to_string())
                            .map_err(|e| e.code().to_owned())?;
                        let view = policy.view(&ctx).map_err(|e| e.code().to_owned())?;
                        Ok(observe(
                            &view,
                            &q.routes,
                            &q.endpoints,
                            &q.forms,
                            &q.integrations,
                        ))
                    };
                let (a, b) = (answers(old), answers(new));
                let mut record = |kind: &str, item: &str, was: String, now: String| {
                    let entry = groups
                        .entry((kind.into(), item.into(), was, now))
                        .or_default();
                    entry.subjects.insert(subject.name.clone());
                    entry
                        .plans
                        .insert(plan.clone().unwrap_or_else(|| "no plan".into()));
                    entry.states.push(state.clone());
                };
                match (a, b) {
                    (Ok(a), Ok(b)) => {
                        let keys: BTreeSet<&(String, String)> = a.keys().chain(b.keys()).collect();
                        for key in keys {
                            let was = a.get(key).cloned().unwrap_or_else(|| "absent".into());
                            let now = b.get(key).cloned().unwrap_or_else(|| "absent".into());
                            if was != now {
                                record(&key.0, &key.1, was, now);
                            }
                        }
                    }
                    (a, b) => {
                        let was = a.err().unwrap_or_else(|| "valid".into());
                        let now = b.err().unwrap_or_else(|| "valid".into());
                        if was != now {
                            record("context", "the member's context", was, now);
                        }
                    }
                }
            }
        }
    }
    let all_plans: BTreeSet<String> = plans
        .iter()
        .map(|p| p.clone().unwrap_or_else(|| "no plan".into()))
        .collect();
    let changes = groups
        .into_iter()
        .map(
            |(
                (kind, item, old, new),
                Group {
                    subjects,
                    plans,
                    states,
                },
            )| {
                let mut products = BTreeMap::new();
                for p in &products_of(&states) {
                    products.insert(p.0.clone(), p.1);
                }
                Change {
                    kind,
                    item,
                    old,
                    new,
                    subjects: subjects.into_iter().collect(),
                    plans: if plans == all_plans {
                        vec!["any".into()]
                    } else {
                        plans.into_iter().collect()
                    },
                    products,
                    contexts: states.len(),
                }
            },
        )
        .collect();
    Diff {
        contexts: count,
        changes,
    }
}

/// The products whose state is the same in every one of `states`.
fn products_of(states: &[BTreeMap<String, bool>]) -> Vec<(String, bool)> {
    let Some(first) = states.first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|(p, on)| states.iter().all(|s| s.get(*p) == Some(on)))
        .map(|(p, on)| (p.clone(), *on))
        .collect()
}

/// The diff as text a reviewer reads in a minute: one line per change.
pub fn render(diff: &Diff) -> String {
    let mut out = String::new();
    for c in &diff.changes {
        let products: Vec<String> = c
            .products
            .iter()
            .map(|(p, on)| format!("{p} {}", if *on { "on" } else { "off" }))
            .collect();
        let when = if products.is_empty() {
            "any products".to_owned()
        } else {
            products.join(", ")
        };
        out.push_str(&format!(
            "{} `{}`: {} -> {}\n    for {}; plans: {}; {}; {} contexts\n",
            c.kind,
            c.item,
            c.old,
            c.new,
            c.subjects.join(", "),
            c.plans.join(", "),
            when,
            c.contexts
        ));
    }
    out.push_str(&format!(
        "{} change{} in {} contexts\n",
        diff.changes.len(),
        if diff.changes.len() == 1 { "" } else { "s" },
        diff.contexts
    ));
    out
}
