//! Compact answers, for the JavaScript layer.
//!
//! Building answer objects inside wasm costs as much as a JavaScript policy
//! library (see `docs/performance.md`). The package's JavaScript layer therefore
//! builds each record once per policy (and slug, and platform) and asks wasm
//! only which records apply: these functions write that as numbers. They
//! decide nothing the object-returning queries above do not decide the same
//! way; `tests/js/layer.test.mjs` holds the two to the same answers.

use super::{failure_reason, Answer, Decision, View, Why};
use crate::compiled::Compiled;
use crate::condition::Failure;
use crate::error::QueryError;
use crate::output::Reason;
#[cfg(test)]
use crate::output::Resolution;

/// Tags of a compact resolution (the first number written).
pub(crate) mod tag {
    /// `[ALLOW, route, params, (start, end)…]`: byte ranges of the parameter
    /// values in the input path, `(u32::MAX, 0)` for the view's slug.
    pub const ALLOW: u32 = 0;
    /// `[REDIRECT, to_route, reason_key, route]`: `route` is the route the
    /// path matched, `u32::MAX` if none.
    pub const REDIRECT: u32 = 1;
    /// `[FORBIDDEN, reason_key, route]`, `route` as for [`REDIRECT`].
    pub const FORBIDDEN: u32 = 2;
    /// `[NOT_FOUND, general]`: `general` 1 when every view of the policy
    /// and slug answers the path so (the layer may keep the answer).
    pub const NOT_FOUND: u32 = 3;
    /// `[OTHER_WORKSPACE, k]`: forbidden, `other_workspace`, switching to the
    /// view's membership `k - 1` (0: no switch).
    pub const OTHER_WORKSPACE: u32 = 4;
    /// `[FULL]`: no compact form (parameters that needed decoding); ask
    /// `resolve` itself.
    pub const FULL: u32 = 5;
}

/// A reason as one number: a tag in the high byte, an index below.
fn why_key(why: Why, environment: u8) -> Option<u32> {
    let (tag, arg) = match why {
        Why::Fail(f) => match f {
            Failure::Product(i) => (1, u32::from(i)),
            Failure::Permission(i) => (2, u32::from(i)),
            Failure::Plan(i) => (3, u32::from(i)),
            Failure::Flag(i) => (4, u32::from(i)),
            Failure::Environment => (5, u32::from(environment)),
            Failure::Setting(i) => (6, u32::from(i)),
            Failure::Preference(i) => (7, u32::from(i)),
            Failure::Workspaces(count) => (8, count),
            Failure::Negated => (9, 0),
        },
        Why::Inactive => (10, 0),
        Why::Landing => (11, 0),
        Why::NoPages => (12, 0),
    };
    (arg < 1 << 24).then_some(tag << 24 | arg)
}

/// The reason a key written by a view of `policy` stands for.
pub(crate) fn reason_from_key(policy: &Compiled, key: u32) -> Option<Reason<'_>> {
    let arg = key & 0x00ff_ffff;
    let small = u8::try_from(arg).ok();
    let failure = match key >> 24 {
        1 => Failure::Product(small?),
        2 => Failure::Permission(u16::try_from(arg).ok()?),
        3 => Failure::Plan(small?),
        4 => Failure::Flag(small?),
        5 => return Some(failure_reason(policy, Failure::Environment, small?)),
        6 => Failure::Setting(small?),
        7 => Failure::Preference(small?),
        8 => Failure::Workspaces(arg),
        9 => Failure::Negated,
        10 => return Some(Reason::InactiveMember),
        11 => return Some(Reason::LandingPage),
        12 => return Some(Reason::NoPages),
        _ => return None,
    };
    Some(failure_reason(policy, failure, 0))
}

impl View {
    /// The policy this view was compiled against.
    pub(crate) fn compiled(&self) -> &std::sync::Arc<Compiled> {
        &self.policy
    }

    /// Every link of this view, in route order, `\n`-separated (a route
    /// without a link gives an empty line).
    pub(crate) fn links(&self) -> String {
        let mut out = String::with_capacity(self.hrefs().len() + self.policy.routes.len());
        for r in 0..self.policy.routes.len() {
            if r > 0 {
                out.push('\n');
            }
            out.push_str(self.href(r));
        }
        out
    }

    /// The current slug, then the other memberships, `,`-separated.
    pub(crate) fn slugs(&self) -> &str {
        &self.slugs
    }

    /// Indices (into the ruleset's `navigation`) of the sidebar items.
    pub(crate) fn sidebar_indices(&self, out: &mut Vec<u32>) {
        out.extend(self.sidebar_shown().map(|i| i as u32));
    }

    /// `(index, score)` of each palette entry, in the order `palette` gives.
    pub(crate) fn palette_indices(
        &self,
        query: &str,
        out: &mut Vec<u32>,
    ) -> Result<(), QueryError> {
        let mut pairs: Vec<[u32; 2]> = Vec::new();
        self.palette_ranked(
            query,
            &mut pairs,
            |i, score| Some([i as u32, score]),
            |p| p[1],
        )?;
        out.extend(pairs.iter().flatten());
        Ok(())
    }

    /// `(field, flags)` for each field of form `form` (an index into the
    /// ruleset's `forms`): bit 0 visible, bit 1 required, bit 2 options
    /// listed (then ask `form` itself: options vary by view).
    pub(crate) fn form_flags(&self, form: usize, out: &mut Vec<u32>) {
        for (i, (field, visible)) in self.form_fields(form).enumerate() {
            let required = visible && field.required;
            let options = visible && field.options.is_some();
            out.push(i as u32);
            out.push(u32::from(visible) | u32::from(required) << 1 | u32::from(options) << 2);
        }
    }

    /// Whether the member holds the permission at `index` in the policy's
    /// permission table.
    pub(crate) fn can_index(&self, id: u32) -> bool {
        self.active
            && self
                .policy
                .permission_table
                .by_id(id)
                .is_some_and(|p| self.facts.grants.allows(p))
    }

    /// `resolve`, written compactly (see [`tag`]). Errors are those of
    /// `resolve`.
    pub(crate) fn resolve_compact(&self, path: &str, out: &mut Vec<u32>) -> Result<(), QueryError> {
        let env = self.facts.environment;
        let mark = out.len();
        match self.answer(path)? {
            Answer::Allow { route, params } => {
                // Byte ranges are string indices in JavaScript only for ASCII.
                if !params.is_empty() && !path.is_ascii() {
                    out.push(tag::FULL);
                    return Ok(());
                }
                let base = path.as_ptr() as usize;
                out.extend([tag::ALLOW, route as u32, params.len() as u32]);
                for (_, value) in params.iter() {
                    if std::ptr::eq(value.as_ptr(), self.slug().as_ptr()) {
                        out.extend([u32::MAX, 0]);
                        continue;
                    }
                    let start = (value.as_ptr() as usize).wrapping_sub(base);
                    // A value that is not a slice of the input was decoded.
                    if start > path.len() || path.get(start..start + value.len()) != Some(value) {
                        out.truncate(mark);
                        out.push(tag::FULL);
                        return Ok(());
                    }
                    out.extend([start as u32, (start + value.len()) as u32]);
                }
            }
            Answer::Redirect { to, why, route } => match why_key(why, env) {
                Some(key) => out.extend([tag::REDIRECT, to as u32, key, route_number(route)]),
                None => out.push(tag::FULL),
            },
            Answer::Forbidden { why, route } => match why_key(why, env) {
                Some(key) => out.extend([tag::FORBIDDEN, key, route_number(route)]),
                None => out.push(tag::FULL),
            },
            Answer::OtherWorkspace(switch_to) => {
                let k = switch_to.map_or(0, |s| {
                    self.slugs()
                        .split(',')
                        .position(|m| m == s)
                        .map_or(0, |k| k + 1)
                });
                out.extend([tag::OTHER_WORKSPACE, k as u32]);
            }
            Answer::NotFound { general } => out.extend([tag::NOT_FOUND, u32::from(general)]),
        }
        Ok(())
    }

    /// Route `route`'s decision for this view, as three numbers:
    /// `[ALLOW, 0, 0]`, `[REDIRECT, to_route, reason_key]`,
    /// `[FORBIDDEN, reason_key, 0]`, or `[FULL, 0, 0]` (no compact form, or
    /// no such route). A path that matched route `r` in one view of this
    /// policy and slug (its compact answer names `r`) resolves in every such
    /// view to route `r`'s decision, so the JavaScript layer answers a path
    /// it has seen with this instead of routing it again.
    pub(crate) fn decision_compact(&self, route: usize, out: &mut Vec<u32>) {
        let env = self.facts.environment;
        let triple = match (route < self.policy.routes.len()).then(|| self.decision(route)) {
            Some(Decision::Allow) => Some([tag::ALLOW, 0, 0]),
            Some(Decision::Redirect { to, why }) => {
                why_key(why, env).map(|key| [tag::REDIRECT, to as u32, key])
            }
            Some(Decision::Forbidden(why)) => why_key(why, env).map(|key| [tag::FORBIDDEN, key, 0]),
            None => None,
        };
        out.extend(triple.unwrap_or([tag::FULL, 0, 0]));
    }
}

/// A route index as written in a compact answer (`u32::MAX`: none).
fn route_number(route: Option<usize>) -> u32 {
    route.map_or(u32::MAX, |r| r as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, Policy};

    /// Every context and path of the conformance cases, plus every route
    /// pattern of the ruleset filled in: the compact answer stands for
    /// exactly the answer `resolve` gives.
    /// A not-found answer marked general holds in every view of the policy
    /// and slug (the JavaScript layer keeps it for them all); one under a
    /// product's paths is not, since another member's view may have the
    /// product off, or be inactive.
    #[test]
    fn general_not_found_answers_hold_for_every_view() {
        let policy = Policy::harmony().unwrap();
        let view = |accounts: bool, active: bool| {
            let ctx = serde_json::json!({
                "workspace": { "slug": "acme", "products": { "accounts": accounts } },
                "member": { "userId": "u_1", "roles": ["admin"], "active": active },
            });
            policy
                .view(&Context::from_json(&ctx.to_string()).unwrap())
                .unwrap()
        };
        let views = [view(true, true), view(false, true), view(true, false)];
        let compact = |v: &View, path: &str| {
            let mut out = Vec::new();
            v.resolve_compact(path, &mut out).unwrap();
            out
        };
        let under_accounts = "/workspace/acme/accounts/a_1/x/y";
        assert_eq!(compact(&views[0], under_accounts), [tag::NOT_FOUND, 0]);
        assert_ne!(
            views[1].resolve(under_accounts).unwrap(),
            Resolution::NotFound
        );
        for path in [
            "/workspace/acme/nope",
            "/nowhere",
            "/workspace/acme/%zz",
            under_accounts,
        ] {
            for v in &views {
                if compact(v, path) == [tag::NOT_FOUND, 1] {
                    for other in &views {
                        assert_eq!(other.resolve(path).unwrap(), Resolution::NotFound, "{path}");
                    }
                }
            }
        }
        assert_eq!(
            compact(&views[1], "/workspace/acme/nope"),
            [tag::NOT_FOUND, 1]
        );
    }

    #[test]
    fn compact_resolutions_decode_to_resolve() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let case: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let policy = match &case["ruleset"] {
                serde_json::Value::String(name) => Policy::builtin(name),
                serde_json::Value::Null => Policy::builtin("harmony"),
                doc => Policy::from_json(&doc.to_string()),
            };
            let Ok(policy) = policy else {
                continue; // the cases of invalid rulesets
            };
            let doc: serde_json::Value = serde_json::from_str(policy.to_json()).unwrap();
            let mut paths: Vec<String> = doc["routes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r["pattern"]
                        .as_str()
                        .unwrap()
                        .replace("{slug}", "acme")
                        .replace('{', "x")
                        .replace('}', "1")
                })
                .collect();
            let steps = case["steps"].as_array().unwrap();
            for step in steps {
                if step["call"] == "resolve" {
                    paths.push(step["args"][0].as_str().unwrap().to_owned());
                }
            }
            let contexts = std::iter::once(&case["context"])
                .chain(steps.iter().map(|s| &s["context"]))
                .filter(|c| c.is_object());
            for ctx in contexts {
                let Ok(ctx) = Context::from_json(&ctx.to_string()) else {
                    continue;
                };
                let Ok(view) = policy.view(&ctx) else {
                    continue;
                };
                for p in &paths {
                    check(&view, p);
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    fn check(view: &View, path: &str) {
        // The wasm layer writes after a count; answers must keep it.
        let mut out = vec![7];
        let Ok(full) = view.resolve(path) else {
            assert!(view.resolve_compact(path, &mut out).is_err(), "{path}");
            return;
        };
        view.resolve_compact(path, &mut out).unwrap();
        assert_eq!(out.remove(0), 7, "{path}");
        let all_links = view.links();
        let links: Vec<&str> = all_links.split('\n').collect();
        let policy = view.compiled();
        // A matched route's decision is the answer (what the JavaScript
        // layer's memo of paths relies on).
        let matched = match out.as_slice() {
            [tag::ALLOW, r, ..] => Some((*r, [tag::ALLOW, 0, 0])),
            [tag::REDIRECT, to, key, r] => Some((*r, [tag::REDIRECT, *to, *key])),
            [tag::FORBIDDEN, key, r] => Some((*r, [tag::FORBIDDEN, *key, 0])),
            _ => None,
        };
        if let Some((r, want)) = matched.filter(|(r, _)| *r != u32::MAX) {
            let mut decision = Vec::new();
            view.decision_compact(r as usize, &mut decision);
            assert_eq!(decision, want, "{path}");
        }
        match (out.as_slice(), &full) {
            ([tag::ALLOW, r, n, ranges @ ..], Resolution::Allow { route, params }) => {
                assert_eq!(policy.doc.routes[*r as usize].id, *route, "{path}");
                assert_eq!(*n as usize, params.len());
                let values: Vec<&str> = ranges
                    .chunks(2)
                    .map(|c| match c {
                        [u32::MAX, 0] => view.slug(),
                        [s, e] => &path[*s as usize..*e as usize],
                        _ => unreachable!(),
                    })
                    .collect();
                let want: Vec<&str> = params.iter().map(|(_, v)| v).collect();
                assert_eq!(values, want, "{path}");
            }
            ([tag::REDIRECT, to, key, _], Resolution::Redirect { to: want, reason }) => {
                assert_eq!(links[*to as usize], *want, "{path}");
                assert_eq!(
                    reason_from_key(policy, *key).as_ref(),
                    Some(reason),
                    "{path}"
                );
            }
            ([tag::FORBIDDEN, key, _], Resolution::Forbidden { reason }) => {
                assert_eq!(
                    reason_from_key(policy, *key).as_ref(),
                    Some(reason),
                    "{path}"
                );
            }
            (
                [tag::OTHER_WORKSPACE, k],
                Resolution::Forbidden {
                    reason: Reason::OtherWorkspace { switch_to },
                },
            ) => {
                let slugs: Vec<&str> = view.slugs().split(',').collect();
                let got = (*k > 0).then(|| slugs[*k as usize - 1]);
                assert_eq!(got, *switch_to, "{path}");
            }
            ([tag::NOT_FOUND, 0 | 1], Resolution::NotFound) => {}
            ([tag::FULL], _) => {
                assert!(
                    path.contains('%') || path.contains('\\') || !path.is_ascii(),
                    "{path}"
                );
            }
            (got, want) => panic!("{path}: compact {got:?} for {want:?}"),
        }
    }
}
