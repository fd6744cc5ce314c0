//! A view: one context compiled against one policy. Building it turns the
//! context into [`Facts`], writes every link once, and decides every route;
//! queries then only test bits and borrow.

use crate::compiled::Compiled;
use crate::condition::{Facts, Failure, NodeId};
use crate::context::Context;
use crate::error::{clip, ContextError, QueryError, RefKind};
use crate::model::{FieldDoc, OptionsDoc};
use crate::output::{
    Explanation, Feature, FormField, PaletteEntry, PaletteKind, Params, Reason, RequestCheck,
    Resolution, SidebarItem,
};
use crate::path::{NormError, Normalized, Seg, MAX_PATH_BYTES, SLUG};
use crate::permission::{Grants, Permission, PermissionProblem};
use crate::record::{Filter, Record};
use std::borrow::Cow;
use std::sync::Arc;

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) mod compact;

pub use crate::context::MAX_CONTEXT_LIST;
/// Most top-level keys in a request body or a synced record.
pub const MAX_RECORD_KEYS: usize = 10_000;
/// Longest palette query, in bytes.
pub const MAX_QUERY_BYTES: usize = 256;
/// Longest permission, form id, feature id or explain target, in bytes.
pub const MAX_NAME_BYTES: usize = 4096;

/// How a route is decided for this view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Allow,
    Redirect { to: usize, why: Why },
    Forbidden(Why),
}

/// What `resolve` answers, by route index and cause; [`View::resolve`]
/// writes it out with links and reasons, the compact form as numbers. A
/// redirect or refusal names the route the path matched, if it matched one
/// (the answer is then that route's decision, see [`View::decision`]).
#[derive(Debug)]
pub(crate) enum Answer<'a> {
    Allow {
        route: usize,
        params: Params<'a>,
    },
    Redirect {
        to: usize,
        why: Why,
        route: Option<usize>,
    },
    Forbidden {
        why: Why,
        route: Option<usize>,
    },
    OtherWorkspace(Option<&'a str>),
    NotFound,
}

/// The cause behind a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    Fail(Failure),
    Inactive,
    Landing,
    NoPages,
}

/// A context compiled against a policy. Cheap to query, immutable, `Send`
/// and `Sync`.
#[derive(Debug, Clone)]
pub struct View {
    policy: Arc<Compiled>,
    facts: Facts,
    active: bool,
    apple: bool,
    slug_len: usize,
    /// Every link, in route order, with the slug filled in: written on first
    /// use (a view that is only asked for numbers never needs it).
    hrefs: std::sync::OnceLock<String>,
    /// The current slug, then the other memberships, `,`-separated.
    slugs: String,
    decisions: Vec<Decision>,
    /// The member, and the teams whose records `team` scopes cover.
    user_id: String,
    teams: Vec<String>,
}

/// Refuses a body or record with more than [`MAX_RECORD_KEYS`] keys.
pub(crate) fn check_record_size(what: &'static str, keys: usize) -> Result<(), QueryError> {
    if keys > MAX_RECORD_KEYS {
        return Err(QueryError::TooLarge {
            what,
            size: keys,
            limit: MAX_RECORD_KEYS,
        });
    }
    Ok(())
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 63
        && !slug.starts_with('-')
        && slug
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
}

/// The pointer of a context value, from its tokens. Error paths only; a
/// token list keeps `View::build` smaller than a `decode::Pointer` chain at
/// each site (measured: the navigation model ran 0.35 % more instructions).
fn ctx_pointer(tokens: &[&str]) -> String {
    let mut out = String::new();
    for token in tokens {
        crate::decode::push_token(&mut out, token);
    }
    out
}

fn too_many(path: &str, len: usize, what: &'static str) -> Result<(), ContextError> {
    if len > MAX_CONTEXT_LIST {
        return Err(ContextError::LimitExceeded {
            path: path.to_owned(),
            what,
            limit: MAX_CONTEXT_LIST,
        });
    }
    Ok(())
}

fn name_index(list: &[String], name: &str) -> Option<u8> {
    // Lists of names are limited to 64 entries.
    list.iter().position(|n| n == name).map(|i| i as u8)
}

fn mask_bit(i: usize) -> u64 {
    if i < 64 {
        1u64 << i
    } else {
        0
    }
}

fn failure_reason(policy: &Compiled, f: Failure, environment: u8) -> Reason<'_> {
    let doc = &policy.doc;
    match f {
        Failure::Product(i) => Reason::ProductDisabled {
            product: doc
                .products
                .get(usize::from(i))
                .map_or("", |p| p.id.as_str()),
        },
        Failure::Permission(i) => Reason::PermissionDenied {
            permission: policy
                .conditions
                .permissions
                .get(usize::from(i))
                .map_or("", |l| l.text.as_str()),
        },
        Failure::Plan(i) => Reason::PlanRequired {
            plan: doc.plans.get(usize::from(i)).map_or("", String::as_str),
        },
        Failure::Flag(i) => Reason::FlagDisabled {
            flag: doc.flags.get(usize::from(i)).map_or("", String::as_str),
        },
        Failure::Environment => Reason::EnvironmentUnsupported {
            environment: doc
                .environments
                .get(usize::from(environment))
                .map_or("", String::as_str),
        },
        Failure::Setting(i) => Reason::SettingDisabled {
            setting: doc.settings.get(usize::from(i)).map_or("", String::as_str),
        },
        Failure::Preference(i) => Reason::PreferenceOff {
            preference: doc
                .preferences
                .get(usize::from(i))
                .map_or("", String::as_str),
        },
        Failure::Workspaces(count) => Reason::WorkspacesRequired { count },
        Failure::Negated => Reason::ConditionFailed,
    }
}

/// Parses a permission asked about a record (`resource:action`), with the
/// errors `can` reports.
pub(crate) fn parse_record_permission(
    policy: &Compiled,
    permission: &str,
) -> Result<Permission, QueryError> {
    if let Some(p) = policy.permission_table.get_unscoped(permission) {
        return Ok(*p);
    }
    if permission.len() > MAX_NAME_BYTES {
        return Err(QueryError::TooLarge {
            what: "permission",
            size: permission.len(),
            limit: MAX_NAME_BYTES,
        });
    }
    policy
        .vocab
        .parse_unscoped(permission)
        .map_err(|p| permission_error(permission, p))
}

fn permission_error(permission: &str, problem: PermissionProblem) -> QueryError {
    match problem {
        PermissionProblem::Malformed(problem) => QueryError::InvalidPermission {
            permission: clip(permission),
            problem,
        },
        PermissionProblem::Unknown => QueryError::Unknown {
            what: "permission",
            name: clip(permission),
            path: None,
        },
    }
}

/// Parses a permission against a policy's vocabulary, with the errors `can`
/// reports.
pub(crate) fn parse_permission(
    policy: &Compiled,
    permission: &str,
) -> Result<crate::permission::Permission, QueryError> {
    if permission.len() > MAX_NAME_BYTES {
        return Err(QueryError::TooLarge {
            what: "permission",
            size: permission.len(),
            limit: MAX_NAME_BYTES,
        });
    }
    policy
        .vocab
        .parse(permission)
        .map_err(|p| permission_error(permission, p))
}

impl View {
    /// Compiles `ctx`; `product_override` sets one product's toggle (for
    /// impact previews).
    pub(crate) fn build(
        policy: &Arc<Compiled>,
        ctx: &Context,
        product_override: Option<(usize, bool)>,
    ) -> Result<View, ContextError> {
        let doc = &policy.doc;
        let ws = &ctx.workspace;
        let member = &ctx.member;

        if !valid_slug(&ws.slug) {
            return Err(ContextError::InvalidSlug {
                path: "/workspace/slug".into(),
                slug: clip(&ws.slug),
            });
        }
        if member.user_id.is_empty() || member.user_id.len() > 256 {
            return Err(ContextError::InvalidValue {
                path: "/member/userId".into(),
                message: "a user id is 1 to 256 bytes".into(),
            });
        }

        // Products.
        too_many("/workspace/products", ws.products.len(), "products")?;
        let mut products = policy.default_products;
        for (key, &on) in &ws.products {
            let i = doc
                .products
                .iter()
                .position(|p| p.id == *key)
                .ok_or_else(|| ContextError::UnknownReference {
                    path: ctx_pointer(&["workspace", "products", key]),
                    kind: RefKind::Product,
                    name: clip(key),
                })?;
            if on {
                products |= mask_bit(i);
            } else {
                products &= !mask_bit(i);
            }
        }
        if let Some((i, on)) = product_override {
            if on {
                products |= mask_bit(i);
            } else {
                products &= !mask_bit(i);
            }
        }

        // Plan and environment.
        let plan = match &ws.plan {
            None => 0,
            Some(p) => name_index(&doc.plans, p).ok_or_else(|| ContextError::UnknownReference {
                path: "/workspace/plan".into(),
                kind: RefKind::Plan,
                name: clip(p),
            })?,
        };
        let environment = match &ws.environment {
            None => doc.environments.len().saturating_sub(1) as u8,
            Some(e) => {
                name_index(&doc.environments, e).ok_or_else(|| ContextError::UnknownReference {
                    path: "/workspace/environment".into(),
                    kind: RefKind::Environment,
                    name: clip(e),
                })?
            }
        };

        // Flags, settings, preferences: names the ruleset does not use are
        // ignored.
        too_many("/workspace/flags", ws.flags.len(), "flags")?;
        too_many("/workspace/settings", ws.settings.len(), "settings")?;
        too_many(
            "/member/preferences",
            member.preferences.len(),
            "preferences",
        )?;
        let mut flags = 0u64;
        for f in &ws.flags {
            if let Some(i) = name_index(&doc.flags, f) {
                flags |= mask_bit(usize::from(i));
            }
        }
        let mut settings = 0u64;
        for (s, &on) in &ws.settings {
            if let (Some(i), true) = (name_index(&doc.settings, s), on) {
                settings |= mask_bit(usize::from(i));
            }
        }
        let mut preferences = 0u64;
        for (p, value) in &member.preferences {
            if let (Some(i), true) = (name_index(&doc.preferences, p), value.is_on()) {
                preferences |= mask_bit(usize::from(i));
            }
        }

        // Roles and grants: the ruleset's roles and the workspace's own.
        let custom = crate::roles::compile(policy, &ws.roles, &["workspace", "roles"])?;
        too_many("/member/roles", member.roles.len(), "roles")?;
        too_many(
            "/member/permissions",
            member.permissions.len(),
            "permissions",
        )?;
        let mut grants = Grants::default();
        for (i, role) in member.roles.iter().enumerate() {
            let builtin = doc
                .roles
                .iter()
                .position(|x| x.id == *role)
                .and_then(|r| policy.roles.get(r))
                .map(|r| &r.grants);
            let own = || custom.iter().find(|r| r.id == role).map(|r| &r.grants);
            let role_grants =
                builtin
                    .or_else(own)
                    .ok_or_else(|| ContextError::UnknownReference {
                        path: ctx_pointer(&["member", "roles", &i.to_string()]),
                        kind: RefKind::Role,
                        name: clip(role),
                    })?;
            grants.merge(role_grants);
        }
        for (i, text) in member.permissions.iter().enumerate() {
            let permission = crate::roles::parse_grant(policy, text, || {
                ctx_pointer(&["member", "permissions", &i.to_string()])
            })?;
            grants.grant(&permission);
        }

        // Teams.
        too_many("/member/teams", member.teams.len(), "teams")?;
        for (i, team) in member.teams.iter().enumerate() {
            if team.is_empty() || team.len() > crate::record::MAX_ID_BYTES {
                return Err(ContextError::InvalidValue {
                    path: ctx_pointer(&["member", "teams", &i.to_string()]),
                    message: format!("a team id is 1 to {} bytes", crate::record::MAX_ID_BYTES),
                });
            }
        }

        // Memberships.
        too_many("/memberships", ctx.memberships.len(), "memberships")?;
        let mut slugs = String::with_capacity(
            ws.slug.len() + ctx.memberships.iter().map(|m| m.len() + 1).sum::<usize>(),
        );
        slugs.push_str(&ws.slug);
        let mut workspaces = 1u32;
        for (i, m) in ctx.memberships.iter().enumerate() {
            if !valid_slug(m) {
                return Err(ContextError::InvalidSlug {
                    path: ctx_pointer(&["memberships", &i.to_string()]),
                    slug: clip(m),
                });
            }
            if !slugs.split(',').any(|s| s == m) {
                slugs.push(',');
                slugs.push_str(m);
                workspaces += 1;
            }
        }

        // Landing page.
        let landing =
            match &member.landing_page {
                None => None,
                Some(id) => Some(doc.navigation.iter().position(|n| n.id == *id).ok_or_else(
                    || ContextError::UnknownReference {
                        path: "/member/landingPage".into(),
                        kind: RefKind::Navigation,
                        name: clip(id),
                    },
                )?),
            };

        // Links.
        let slug_len = ws.slug.len();

        let facts = Facts {
            products,
            grants,
            plan,
            flags,
            environment,
            settings,
            preferences,
            workspaces,
        };
        let mut view = View {
            policy: Arc::clone(policy),
            facts,
            active: member.active,
            apple: ctx.platform.is_apple(),
            slug_len,
            hrefs: std::sync::OnceLock::new(),
            slugs,
            decisions: Vec::new(),
            user_id: member.user_id.clone(),
            teams: member.teams.clone(),
        };
        view.decisions = view.decide(landing);
        Ok(view)
    }

    /// Decides every route. Pages first, then product fallbacks (which point
    /// at pages), then the home (which points at the landing page).
    fn decide(&self, landing: Option<usize>) -> Vec<Decision> {
        let p = &self.policy;
        let home = p.home;
        if !self.active {
            return vec![Decision::Forbidden(Why::Inactive); p.routes.len()];
        }
        let mut out: Vec<Decision> = p
            .routes
            .iter()
            .map(|route| {
                match route
                    .gate
                    .and_then(|g| p.conditions.first_failure(g, &self.facts))
                {
                    None => Decision::Allow,
                    Some(Failure::Product(product)) => Decision::Redirect {
                        to: usize::from(product),
                        why: Why::Fail(Failure::Product(product)),
                    },
                    Some(f) => Decision::Forbidden(Why::Fail(f)),
                }
            })
            .collect();
        // Product redirects were stored with the product index; turn them
        // into the route to go to (the fallback if it is allowed, else home).
        // Only `Allow` entries are read here, and rewriting a redirect never
        // makes or removes one, so rewriting in place is order-independent.
        for i in 0..out.len() {
            if let Some(&Decision::Redirect { to, why }) = out.get(i) {
                let fallback = p.products.get(to).and_then(|x| x.fallback);
                let to = match fallback {
                    Some(f) if out.get(f) == Some(&Decision::Allow) => f,
                    _ => home,
                };
                if let Some(slot) = out.get_mut(i) {
                    *slot = Decision::Redirect { to, why };
                }
            }
        }
        let nav_allowed = |n: usize| {
            p.nav_routes
                .get(n)
                .is_some_and(|&r| out.get(r) == Some(&Decision::Allow))
        };
        let target = landing
            .filter(|&n| nav_allowed(n))
            .or_else(|| (0..p.nav_routes.len()).find(|&n| nav_allowed(n)))
            .and_then(|n| p.nav_routes.get(n).copied());
        if let Some(slot) = out.get_mut(home) {
            *slot = match target {
                Some(to) => Decision::Redirect {
                    to,
                    why: Why::Landing,
                },
                None => Decision::Forbidden(Why::NoPages),
            };
        }
        out
    }

    fn href(&self, route: usize) -> &str {
        let Some(slot) = self.policy.routes.get(route).and_then(|r| r.href.as_ref()) else {
            return "";
        };
        let start = slot.fixed_start + slot.ordinal * self.slug_len;
        self.hrefs()
            .get(start..start + slot.fixed_len + self.slug_len)
            .unwrap_or("")
    }

    /// Every link, written once.
    fn hrefs(&self) -> &str {
        self.hrefs.get_or_init(|| {
            let p = &self.policy;
            let slug = self.slug();
            let mut hrefs = String::with_capacity(p.href_fixed_total + p.href_count * slug.len());
            for slot in p.routes.iter().filter_map(|r| r.href.as_ref()) {
                hrefs.push_str(&slot.before);
                hrefs.push_str(slug);
                hrefs.push_str(&slot.after);
            }
            hrefs
        })
    }

    fn slug(&self) -> &str {
        self.slugs.get(..self.slug_len).unwrap_or("")
    }

    fn decision(&self, route: usize) -> Decision {
        self.decisions
            .get(route)
            .copied()
            .unwrap_or(Decision::Forbidden(Why::NoPages))
    }

    fn holds(&self, gate: Option<NodeId>) -> bool {
        self.active && gate.is_none_or(|g| self.policy.conditions.eval(g, &self.facts))
    }

    /// Whether the member is active.
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// The fingerprint of the policy this view was compiled against.
    pub fn fingerprint(&self) -> &str {
        self.policy.fingerprint()
    }

    fn failure_reason(&self, f: Failure) -> Reason<'_> {
        failure_reason(&self.policy, f, self.facts.environment)
    }

    fn why_reason(&self, why: Why) -> Reason<'_> {
        match why {
            Why::Fail(f) => self.failure_reason(f),
            Why::Inactive => Reason::InactiveMember,
            Why::Landing => Reason::LandingPage,
            Why::NoPages => Reason::NoPages,
        }
    }

    /// The sidebar items the member may open, in ruleset order.
    pub fn sidebar(&self) -> Vec<SidebarItem<'_>> {
        let mut out = Vec::with_capacity(self.policy.nav_routes.len());
        out.extend(self.sidebar_shown().filter_map(|i| self.sidebar_item(i)));
        out
    }

    /// Indices (into the ruleset's `navigation`) of the items whose page
    /// this member may open, in ruleset order.
    pub(crate) fn sidebar_shown(&self) -> impl Iterator<Item = usize> + '_ {
        self.policy
            .nav_routes
            .iter()
            .enumerate()
            .filter(|&(_, &r)| self.decision(r) == Decision::Allow)
            .map(|(i, _)| i)
    }

    /// Navigation item `i` as a sidebar item of this view, shown or not.
    pub(crate) fn sidebar_item(&self, i: usize) -> Option<SidebarItem<'_>> {
        let p = &self.policy;
        let (item, &r) = (p.doc.navigation.get(i)?, p.nav_routes.get(i)?);
        Some(SidebarItem {
            id: &item.id,
            label: &item.label,
            href: self.href(r),
            section: &item.section,
            icon: &item.icon,
        })
    }

    /// Palette entry `i` as this view shows it (its link, the platform's
    /// shortcut label), with `score`, whether it is visible or not.
    pub(crate) fn palette_entry(&self, i: usize, score: u32) -> Option<PaletteEntry<'_>> {
        let p = &self.policy;
        let (doc, compiled) = (p.doc.palette.get(i)?, p.palette.get(i)?);
        Some(PaletteEntry {
            id: &doc.id,
            label: &doc.label,
            kind: if doc.action.is_some() {
                PaletteKind::Action
            } else {
                PaletteKind::Navigate
            },
            href: compiled.route.map(|r| self.href(r)),
            action: doc.action.as_deref(),
            keywords: &doc.keywords,
            shortcut: compiled.shortcut.as_ref().map(|s| {
                if self.apple {
                    s.mac.as_str()
                } else {
                    s.other.as_str()
                }
            }),
            score,
        })
    }

    fn palette_visible(&self, i: usize) -> bool {
        let p = &self.policy;
        let Some(entry) = p.palette.get(i) else {
            return false;
        };
        self.holds(entry.gate)
            && entry
                .route
                .is_none_or(|r| self.decision(r) == Decision::Allow)
    }

    /// Palette entries the member may use. An empty query lists all in
    /// ruleset order; otherwise entries whose label or keywords match every
    /// word of the query, best first (ties in ruleset order).
    pub fn palette(&self, query: &str) -> Result<Vec<PaletteEntry<'_>>, QueryError> {
        let mut out = Vec::with_capacity(self.policy.doc.palette.len());
        self.palette_ranked(
            query,
            &mut out,
            |i, score| self.palette_entry(i, score),
            |e| e.score,
        )?;
        Ok(out)
    }

    /// Appends to `out` what `make` builds of each visible entry matching
    /// `query` (from its index and score): in ruleset order for an empty
    /// query, else best first with ties in ruleset order.
    pub(crate) fn palette_ranked<T>(
        &self,
        query: &str,
        out: &mut Vec<T>,
        make: impl Fn(usize, u32) -> Option<T>,
        score_of: impl Fn(&T) -> u32,
    ) -> Result<(), QueryError> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(QueryError::TooLarge {
                what: "palette query",
                size: query.len(),
                limit: MAX_QUERY_BYTES,
            });
        }
        let start = out.len();
        for (i, doc) in self.policy.doc.palette.iter().enumerate() {
            if !self.palette_visible(i) {
                continue;
            }
            let Some(score) = crate::palette::score(query, &doc.label, &doc.keywords) else {
                continue;
            };
            out.extend(make(i, score));
        }
        if !query.trim().is_empty() {
            // Best first, ties in ruleset order.
            let ranked = out.get_mut(start..).unwrap_or_default();
            crate::sort::sort_by_key_stable(ranked, |e| std::cmp::Reverse(score_of(e)));
        }
        Ok(())
    }

    /// Decides what to do with a path (SPEC section 6). The path is
    /// normalized first (see [`crate::path`]).
    pub fn resolve<'a>(&'a self, path: &'a str) -> Result<Resolution<'a>, QueryError> {
        let p = &self.policy;
        Ok(match self.answer(path)? {
            Answer::Allow { route, params } => Resolution::Allow {
                route: p.doc.routes.get(route).map_or("", |d| d.id.as_str()),
                params,
            },
            Answer::Redirect { to, why, .. } => Resolution::Redirect {
                to: self.href(to),
                reason: self.why_reason(why),
            },
            Answer::Forbidden { why, .. } => Resolution::Forbidden {
                reason: self.why_reason(why),
            },
            Answer::OtherWorkspace(switch_to) => Resolution::Forbidden {
                reason: Reason::OtherWorkspace { switch_to },
            },
            Answer::NotFound => Resolution::NotFound,
        })
    }

    /// What `resolve` answers, by route index and cause. Inlined into both
    /// callers so that the parameters are not copied on the way out.
    #[inline(always)]
    fn answer<'a>(&'a self, path: &'a str) -> Result<Answer<'a>, QueryError> {
        let mut norm = Normalized::empty();
        match norm.read(path) {
            Ok(()) => {}
            Err(NormError::TooLong(size)) => {
                return Err(QueryError::TooLarge {
                    what: "path",
                    size,
                    limit: MAX_PATH_BYTES,
                })
            }
            Err(_) => return Ok(Answer::NotFound),
        };
        let p = &self.policy;
        if let Some(&r) = p.router.find(&norm).first() {
            let Some(route) = p.routes.get(r) else {
                return Ok(Answer::NotFound);
            };
            let mut params = Params::default();
            for (i, seg) in route.pattern.segs.iter().enumerate() {
                let Seg::Param(name) = seg else { continue };
                if name == SLUG {
                    let value = norm.segment(i).unwrap_or_default();
                    if !value.eq_ignore_ascii_case(self.slug()) {
                        return Ok(self.other_workspace(value));
                    }
                    params.push(name.as_str(), Cow::Borrowed(self.slug()));
                } else if let Some(value) = norm.segment_owned(i) {
                    params.push(name.as_str(), value);
                }
            }
            return Ok(match self.decision(r) {
                Decision::Allow => Answer::Allow { route: r, params },
                Decision::Redirect { to, why } => Answer::Redirect {
                    to,
                    why,
                    route: Some(r),
                },
                Decision::Forbidden(why) => Answer::Forbidden {
                    why,
                    route: Some(r),
                },
            });
        }
        // No route: a path under a product's paths still follows the product.
        for (i, product) in p.products.iter().enumerate() {
            for prefix in &product.paths {
                let Some(Some(slug)) = prefix.match_prefix(&norm) else {
                    continue;
                };
                if !slug.eq_ignore_ascii_case(self.slug()) {
                    return Ok(self.other_workspace(slug));
                }
                if !self.active {
                    return Ok(Answer::Forbidden {
                        why: Why::Inactive,
                        route: None,
                    });
                }
                if self.facts.products & mask_bit(i) == 0 {
                    let to = product
                        .fallback
                        .filter(|&f| self.decision(f) == Decision::Allow)
                        .unwrap_or(p.home);
                    return Ok(Answer::Redirect {
                        to,
                        why: Why::Fail(Failure::Product(i as u8)),
                        route: None,
                    });
                }
            }
        }
        Ok(Answer::NotFound)
    }

    /// Forbidden as another workspace's page, with the membership to switch
    /// to when the member belongs to it.
    fn other_workspace(&self, slug: &str) -> Answer<'_> {
        Answer::OtherWorkspace(
            self.slugs
                .split(',')
                .skip(1)
                .find(|m| m.eq_ignore_ascii_case(slug)),
        )
    }

    fn form_index(&self, form: &str) -> Result<usize, QueryError> {
        self.policy
            .doc
            .forms
            .iter()
            .position(|f| f.id == form)
            .ok_or_else(|| QueryError::Unknown {
                what: "form",
                name: clip(form),
                path: None,
            })
    }

    /// Every field of a form, with its visibility. A form the member may not
    /// use lists all its fields as not visible.
    pub fn form(&self, form: &str) -> Result<Vec<FormField<'_>>, QueryError> {
        let i = self.form_index(form)?;
        Ok(self
            .form_fields(i)
            .map(|(field, visible)| FormField {
                field: &field.id,
                visible,
                required: visible && field.required,
                options: if visible {
                    field.options.as_ref().map(|o| self.options(o))
                } else {
                    None
                },
            })
            .collect())
    }

    /// The fields of form `i` (an index into the ruleset's `forms`), each
    /// with whether this member sees it: the form's gate and the field's.
    pub(crate) fn form_fields(&self, i: usize) -> impl Iterator<Item = (&FieldDoc, bool)> + '_ {
        let p = &self.policy;
        let (fields, gates, form_ok): (&[FieldDoc], &[Option<NodeId>], bool) =
            match (p.doc.forms.get(i), p.forms.get(i)) {
                (Some(doc), Some(compiled)) => {
                    (&doc.fields, &compiled.fields, self.holds(compiled.gate))
                }
                _ => (&[], &[], false),
            };
        fields
            .iter()
            .zip(gates)
            .map(move |(field, &gate)| (field, form_ok && self.holds(gate)))
    }

    fn options<'a>(&'a self, source: &'a OptionsDoc) -> Vec<&'a str> {
        let p = &self.policy;
        match source {
            OptionsDoc::Values(values) => values.iter().map(String::as_str).collect(),
            OptionsDoc::Roles => p
                .doc
                .roles
                .iter()
                .zip(p.roles.iter())
                .filter(|(_, r)| self.holds(r.assign))
                .map(|(d, _)| d.id.as_str())
                .collect(),
            OptionsDoc::LandingPages => {
                let workspace = self.facts.workspace_level();
                p.doc
                    .navigation
                    .iter()
                    .zip(p.nav_routes.iter())
                    .filter(|(item, &r)| {
                        item.landing
                            && p.routes.get(r).is_some_and(|route| {
                                route.gate.is_none_or(|g| p.conditions.eval(g, &workspace))
                            })
                    })
                    .map(|(item, _)| item.id.as_str())
                    .collect()
            }
        }
    }

    /// Whether the member holds `permission` (`resource:action:scope`, `*`
    /// allowed for resource and action). An inactive member holds nothing.
    pub fn can(&self, permission: &str) -> Result<bool, QueryError> {
        let held = match self.policy.permission_table.get(permission) {
            Some(p) => self.facts.grants.allows(p),
            None => self
                .facts
                .grants
                .allows(&parse_permission(&self.policy, permission)?),
        };
        Ok(self.active && held)
    }

    /// Whether the member may do `permission` (`resource:action`, without a
    /// scope) to `record`: the widest scope the member holds it at covers
    /// the record (SPEC section 11). `all` covers every record; `team`, the
    /// records of the member's teams and their own; `own`, their own. A
    /// permission written with a scope is an `invalid_permission` error,
    /// since the record decides the scope.
    pub fn can_record(&self, permission: &str, record: &Record) -> Result<bool, QueryError> {
        let p = parse_record_permission(&self.policy, permission)?;
        Ok(self.active
            && self.facts.grants.widest(&p).is_some_and(|scope| {
                crate::record::covers(scope, record, &self.user_id, &self.teams)
            }))
    }

    /// Exactly the records [`View::can_record`] allows for `permission`
    /// (`resource:action`), as data a server turns into a query. An inactive
    /// member's filter matches nothing.
    pub fn filter(&self, permission: &str) -> Result<Filter<'_>, QueryError> {
        let p = parse_record_permission(&self.policy, permission)?;
        let scope = if self.active {
            self.facts.grants.widest(&p)
        } else {
            None
        };
        Ok(crate::record::filter(scope, &self.user_id, &self.teams))
    }

    /// Exactly the records `endpoint` (from [`crate::Policy::endpoint`])
    /// accepts for this member ([`View::check_request_on`] with a record
    /// refuses every other for its permissions), as data a server turns
    /// into a query: a list endpoint lists only these. Every permission the
    /// endpoint requires must cover a record, and the records a scope
    /// covers grow from `own` to `team` to `all`, so this is the filter of
    /// the narrowest of the member's widest scopes; an endpoint that
    /// requires no permission accepts every record.
    pub fn endpoint_filter(&self, endpoint: &crate::Endpoint<'_>) -> Filter<'_> {
        let p = &self.policy;
        // An endpoint of another policy matches nothing here.
        let ours = p
            .doc
            .api
            .get(endpoint.index)
            .is_some_and(|doc| std::ptr::eq(doc.id.as_str(), endpoint.id));
        let (true, Some(compiled)) = (ours, p.endpoints.get(endpoint.index)) else {
            return Filter::nothing();
        };
        let mut scope = Some(crate::Scope::All);
        for &leaf in &compiled.record_permissions {
            let widest = p
                .conditions
                .permissions
                .get(usize::from(leaf))
                .and_then(|l| self.facts.grants.widest(&l.permission));
            scope = scope.min(widest);
        }
        if !self.active {
            scope = None;
        }
        crate::record::filter(scope, &self.user_id, &self.teams)
    }

    /// Whether the member holds a permission looked up once with
    /// [`crate::Policy::permission`]: a bit test, no text to read. An id of
    /// another policy is never held.
    pub fn can_id(&self, id: crate::PermissionId) -> bool {
        id.policy == self.policy.instance && self.can_index(id.index)
    }

    fn feature_index(&self, id: &str) -> Result<usize, QueryError> {
        self.policy
            .doc
            .features
            .iter()
            .position(|f| f.id == id)
            .ok_or_else(|| QueryError::Unknown {
                what: "feature",
                name: clip(id),
                path: None,
            })
    }

    /// Whether a capability that is not a page is on, e.g.
    /// `recording.autoJoin` (flag, environment, workspace availability and
    /// the member's opt-in).
    pub fn feature(&self, id: &str) -> Result<Feature<'_>, QueryError> {
        let i = self.feature_index(id)?;
        let gate = self.policy.features.get(i).copied();
        if !self.active {
            return Ok(Feature {
                enabled: false,
                reason: Some(Reason::InactiveMember),
            });
        }
        let failure = gate.and_then(|g| self.policy.conditions.first_failure(g, &self.facts));
        Ok(Feature {
            enabled: failure.is_none(),
            reason: failure.map(|f| self.failure_reason(f)),
        })
    }

    /// Checks an API request (SPEC section 7). `has_field` tells whether the
    /// body carries a top-level key; a request without a body has none.
    pub fn check_request_with<'a>(
        &'a self,
        method: &str,
        path: &str,
        has_field: impl Fn(&str) -> bool,
    ) -> Result<RequestCheck<'a>, QueryError> {
        self.check_request_on(method, path, has_field, None)
    }

    /// [`View::check_request_with`] for a request that reads or changes
    /// `record`: every permission the endpoint requires must also cover the
    /// record, else 403 `permission_denied` (SPEC section 11).
    pub fn check_request_on<'a>(
        &'a self,
        method: &str,
        path: &str,
        has_field: impl Fn(&str) -> bool,
        record: Option<&Record>,
    ) -> Result<RequestCheck<'a>, QueryError> {
        let p = &self.policy;
        let denied = |status: u16, code: &'a str, message: Cow<'a, str>, field: Option<&'a str>| {
            RequestCheck::Denied {
                status,
                code,
                message,
                field,
            }
        };
        let norm = match Normalized::new(path) {
            Ok(n) => n,
            Err(NormError::TooLong(size)) => {
                return Err(QueryError::TooLarge {
                    what: "path",
                    size,
                    limit: MAX_PATH_BYTES,
                })
            }
            Err(_) => {
                return Ok(denied(
                    404,
                    "not_found",
                    Cow::Borrowed("no endpoint at this path"),
                    None,
                ))
            }
        };
        let candidates = p.api_router.find(&norm);
        if candidates.is_empty() {
            for (i, product) in p.products.iter().enumerate() {
                let owned = product
                    .paths
                    .iter()
                    .any(|x| matches!(x.match_prefix(&norm), Some(None)));
                if owned && self.facts.products & mask_bit(i) == 0 {
                    let reason = self.failure_reason(Failure::Product(i as u8));
                    return Ok(denied(
                        403,
                        "product_disabled",
                        Cow::Owned(reason.message()),
                        None,
                    ));
                }
            }
            return Ok(denied(
                404,
                "not_found",
                Cow::Borrowed("no endpoint at this path"),
                None,
            ));
        }
        if !self.active {
            return Ok(denied(
                403,
                "inactive_member",
                Cow::Owned(Reason::InactiveMember.message()),
                None,
            ));
        }
        let Some(e) = p.endpoint_taking(candidates, method) else {
            return Ok(denied(
                405,
                "method_not_allowed",
                Cow::Borrowed("this endpoint does not take this method"),
                None,
            ));
        };
        let (Some(doc), Some(endpoint)) = (p.doc.api.get(e), p.endpoints.get(e)) else {
            return Ok(denied(
                404,
                "not_found",
                Cow::Borrowed("no endpoint at this path"),
                None,
            ));
        };
        if let Some(f) = endpoint
            .gate
            .and_then(|g| p.conditions.first_failure(g, &self.facts))
        {
            let reason = self.failure_reason(f);
            return Ok(denied(
                403,
                reason.code(),
                Cow::Owned(reason.message()),
                None,
            ));
        }
        if let Some(record) = record {
            for &leaf in &endpoint.record_permissions {
                let Some(l) = p.conditions.permissions.get(usize::from(leaf)) else {
                    continue;
                };
                let covered = self
                    .facts
                    .grants
                    .widest(&l.permission)
                    .is_some_and(|scope| {
                        crate::record::covers(scope, record, &self.user_id, &self.teams)
                    });
                if !covered {
                    let name = l.text.rsplit_once(':').map_or(l.text.as_str(), |(n, _)| n);
                    return Ok(denied(
                        403,
                        "permission_denied",
                        Cow::Owned(format!("your grants of `{name}` do not cover this record")),
                        None,
                    ));
                }
            }
        }
        let endpoint_fields = doc.fields.iter().zip(endpoint.fields.iter());
        let global_fields = p.doc.api_fields.iter().zip(p.api_fields.iter());
        for (field, &gate) in endpoint_fields.chain(global_fields) {
            if has_field(&field.name) && !p.conditions.eval(gate, &self.facts) {
                return Ok(denied(
                    400,
                    &field.code,
                    Cow::Borrowed(&field.message),
                    Some(&field.name),
                ));
            }
        }
        Ok(RequestCheck::Ok)
    }

    /// Checks an API request with a JSON body. A body that is neither an
    /// object nor null is refused with 400 `invalid_body`.
    pub fn check_request(
        &self,
        request: &crate::ApiRequest,
    ) -> Result<RequestCheck<'_>, QueryError> {
        if let Some(serde_json::Value::Object(map)) = &request.body {
            check_record_size("request body", map.len())?;
        }
        let (method, path, record) = (&request.method, &request.path, request.record.as_ref());
        match &request.body {
            None | Some(serde_json::Value::Null) => {
                self.check_request_on(method, path, |_| false, record)
            }
            Some(serde_json::Value::Object(map)) => {
                self.check_request_on(method, path, |k| map.contains_key(k), record)
            }
            Some(_) => self.check_request_other_body(method, path, record),
        }
    }

    /// A request whose body is neither an object nor null: what the route
    /// itself refuses first, else 400 `invalid_body`.
    pub(crate) fn check_request_other_body<'a>(
        &'a self,
        method: &str,
        path: &str,
        record: Option<&Record>,
    ) -> Result<RequestCheck<'a>, QueryError> {
        match self.check_request_on(method, path, |_| false, record)? {
            RequestCheck::Ok => Ok(RequestCheck::Denied {
                status: 400,
                code: "invalid_body",
                message: Cow::Borrowed("a request body is a JSON object"),
                field: None,
            }),
            denied => Ok(denied),
        }
    }

    fn sync_index(&self, integration: &str) -> Result<usize, QueryError> {
        self.policy
            .doc
            .sync
            .iter()
            .position(|s| s.integration == integration)
            .ok_or_else(|| QueryError::Unknown {
                what: "integration",
                name: clip(integration),
                path: None,
            })
    }

    /// The fields an integration's records must lose before they are stored
    /// (for HubSpot and Salesforce while Accounts is off: `accountId`).
    pub fn sync_dropped_fields(&self, integration: &str) -> Result<Vec<&str>, QueryError> {
        let i = self.sync_index(integration)?;
        let p = &self.policy;
        let (Some(doc), Some(gates)) = (p.doc.sync.get(i), p.sync.get(i)) else {
            return Ok(Vec::new());
        };
        Ok(doc
            .fields
            .iter()
            .zip(gates.iter())
            .filter(|(_, &g)| !self.holds(Some(g)))
            .map(|(f, _)| f.name.as_str())
            .collect())
    }

    /// A synced record as it may be stored: the same object without the
    /// fields [`View::sync_dropped_fields`] names.
    pub fn sync_record(
        &self,
        integration: &str,
        mut record: serde_json::Map<String, serde_json::Value>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, QueryError> {
        check_record_size("sync record", record.len())?;
        for field in self.sync_dropped_fields(integration)? {
            record.remove(field);
        }
        Ok(record)
    }

    fn explain_gate<'a>(&'a self, gates: &[Option<NodeId>], out: &mut Vec<Reason<'a>>) {
        if !self.active {
            out.push(Reason::InactiveMember);
            return;
        }
        let mut failures = Vec::new();
        for g in gates.iter().flatten() {
            self.policy
                .conditions
                .failures(*g, &self.facts, &mut failures);
        }
        out.extend(failures.into_iter().map(|f| self.failure_reason(f)));
    }

    /// Why a target is shown or allowed, or not. Targets: `sidebar:ID`,
    /// `palette:ID`, `route:PATH`, `form:ID`, `field:FORM.FIELD`,
    /// `feature:ID`, `permission:PERMISSION`, `api:METHOD PATH`.
    pub fn explain<'a>(&'a self, target: &'a str) -> Result<Explanation<'a>, QueryError> {
        if target.len() > MAX_NAME_BYTES {
            return Err(QueryError::TooLarge {
                what: "target",
                size: target.len(),
                limit: MAX_NAME_BYTES,
            });
        }
        let Some((kind, name)) = target.split_once(':') else {
            return Err(QueryError::InvalidTarget {
                target: clip(target),
            });
        };
        let p = &self.policy;
        let unknown = || QueryError::Unknown {
            what: "target",
            name: clip(target),
            path: None,
        };
        let mut reasons = Vec::new();
        let allowed = match kind {
            "sidebar" => {
                let n = p
                    .doc
                    .navigation
                    .iter()
                    .position(|x| x.id == name)
                    .ok_or_else(unknown)?;
                let r = p.nav_routes.get(n).copied().ok_or_else(unknown)?;
                self.explain_route(r, &mut reasons)
            }
            "palette" => {
                let i = p
                    .doc
                    .palette
                    .iter()
                    .position(|x| x.id == name)
                    .ok_or_else(unknown)?;
                let entry = p.palette.get(i).ok_or_else(unknown)?;
                let mut gates = vec![entry.gate];
                gates.extend(entry.route.map(|r| p.routes.get(r).and_then(|x| x.gate)));
                self.explain_gate(&gates, &mut reasons);
                self.palette_visible(i)
            }
            "route" => match self.resolve(name)? {
                Resolution::Allow { .. } => true,
                Resolution::NotFound => {
                    reasons.push(Reason::NotFound);
                    false
                }
                Resolution::Forbidden {
                    reason: reason @ Reason::OtherWorkspace { .. },
                } => {
                    reasons.push(reason);
                    false
                }
                _ => {
                    let norm = Normalized::new(name).ok();
                    let r = norm
                        .as_ref()
                        .and_then(|n| p.router.find(n).first().copied());
                    match r {
                        Some(r) => self.explain_route(r, &mut reasons),
                        None => {
                            // A product-owned path without a route.
                            if let Resolution::Redirect { reason, .. }
                            | Resolution::Forbidden { reason } = self.resolve(name)?
                            {
                                reasons.push(reason);
                            }
                            false
                        }
                    }
                }
            },
            "form" => {
                let i = self.form_index(name)?;
                let gate = p.forms.get(i).and_then(|f| f.gate);
                self.explain_gate(&[gate], &mut reasons);
                self.holds(gate)
            }
            "field" => {
                let (form, field) = name.split_once('.').ok_or_else(unknown)?;
                let i = self.form_index(form)?;
                let (doc, compiled) = p.doc.forms.get(i).zip(p.forms.get(i)).ok_or_else(unknown)?;
                let j = doc
                    .fields
                    .iter()
                    .position(|f| f.id == field)
                    .ok_or_else(unknown)?;
                let gate = compiled.fields.get(j).copied().flatten();
                self.explain_gate(&[compiled.gate, gate], &mut reasons);
                self.holds(compiled.gate) && self.holds(gate)
            }
            "feature" => {
                let i = self.feature_index(name)?;
                let gate = p.features.get(i).copied();
                self.explain_gate(&[gate], &mut reasons);
                self.holds(gate)
            }
            "permission" => {
                let allowed = self.can(name)?;
                if !self.active {
                    reasons.push(Reason::InactiveMember);
                } else if !allowed {
                    reasons.push(Reason::PermissionDenied { permission: name });
                }
                allowed
            }
            "api" => {
                let (method, path) = name.split_once(' ').ok_or_else(unknown)?;
                match self.check_request_with(method, path, |_| false)? {
                    RequestCheck::Ok => true,
                    RequestCheck::Denied { .. } => {
                        let norm = Normalized::new(path).ok();
                        let e = norm.as_ref().and_then(|n| {
                            p.api_router.find(n).iter().copied().find(|&e| {
                                p.doc
                                    .api
                                    .get(e)
                                    .is_some_and(|d| d.method.eq_ignore_ascii_case(method))
                            })
                        });
                        match e {
                            Some(e) => self.explain_gate(
                                &[p.endpoints.get(e).and_then(|x| x.gate)],
                                &mut reasons,
                            ),
                            None => reasons.push(Reason::NotFound),
                        }
                        false
                    }
                }
            }
            _ => {
                return Err(QueryError::InvalidTarget {
                    target: clip(target),
                })
            }
        };
        if allowed {
            reasons.clear();
        }
        Ok(Explanation { allowed, reasons })
    }

    fn explain_route<'a>(&'a self, r: usize, reasons: &mut Vec<Reason<'a>>) -> bool {
        let p = &self.policy;
        match self.decision(r) {
            Decision::Allow => true,
            Decision::Redirect {
                why: Why::Landing, ..
            } => {
                reasons.push(Reason::LandingPage);
                false
            }
            Decision::Forbidden(Why::NoPages) => {
                reasons.push(Reason::NoPages);
                false
            }
            _ => {
                self.explain_gate(&[p.routes.get(r).and_then(|x| x.gate)], reasons);
                false
            }
        }
    }

    // Accessors for impact previews.

    pub(crate) fn route_allowed(&self, r: usize) -> bool {
        self.decision(r) == Decision::Allow
    }

    pub(crate) fn palette_shown(&self, i: usize) -> bool {
        self.palette_visible(i)
    }

    pub(crate) fn gate_holds(&self, gate: Option<NodeId>) -> bool {
        self.holds(gate)
    }
}
