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

mod build;
pub(crate) mod compact;
mod explain;
mod forms;
mod navigation;
mod permissions;
mod requests;

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
    /// `general`: every view of this policy and slug answers the path so
    /// (it matches no route and lies under no product's paths).
    NotFound {
        general: bool,
    },
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
        Failure::Product(i) => {
            let product = doc.products.get(usize::from(i));
            Reason::ProductDisabled {
                product: product.map_or("", |p| p.id.as_str()),
                label: product.map_or("", |p| p.label.as_str()),
            }
        }
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
