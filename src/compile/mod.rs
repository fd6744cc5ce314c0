//! Validating a ruleset document and compiling it into the form views are
//! built from. Everything a ruleset can get wrong is found here, with the
//! JSON pointer of the offending value; nothing after this step looks a name
//! up.

use crate::condition::{Conditions, Node, NodeId, PermissionLeaf};
use crate::decode::Pointer;
use crate::error::{RefKind, RulesetError};
use crate::model::{ConditionDoc, OptionsDoc, RulesetDoc};
use crate::palette::Shortcut;
use crate::path::{Pattern, Router};
use crate::permission::{is_valid_name, Grants, PermissionProblem, Vocabulary, MAX_CELLS};

use crate::compiled::{
    next_instance, Compiled, EndpointC, FormC, HrefSlot, PaletteC, ProductC, RoleC, RouteC,
};
pub use crate::compiled::{MAX_ENTRIES, MAX_NAMES};
pub use crate::model::MAX_CONDITION_DEPTH;

/// The document's root, where every pointer of an error starts. Pointers
/// are chains on the stack, written out only for an error.
const ROOT: Pointer<'static> = Pointer::Root;

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A stable snake_case code, as used for error codes.
pub(crate) fn valid_code(code: &str) -> bool {
    let mut bytes = code.bytes();
    code.len() <= 64
        && matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

fn invalid(path: String, message: impl Into<String>) -> RulesetError {
    RulesetError::InvalidValue {
        path,
        message: message.into(),
    }
}

fn unknown(path: String, kind: RefKind, name: &str) -> RulesetError {
    RulesetError::UnknownReference {
        path,
        kind,
        name: crate::error::clip(name),
    }
}

fn limit(
    path: &Pointer<'_>,
    len: usize,
    max: usize,
    what: &'static str,
) -> Result<(), RulesetError> {
    if len > max {
        return Err(RulesetError::LimitExceeded {
            path: path.render(),
            what,
            limit: max,
        });
    }
    Ok(())
}

/// Checks a list of ids: each well-formed, none twice.
#[inline]
fn check_ids<'a>(
    base: &Pointer<'_>,
    mut ids: impl Iterator<Item = &'a str>,
    key: &str,
    kind: &'static str,
    max: usize,
) -> Result<(), RulesetError> {
    check_id_list(base, &mut ids, key, kind, max)
}

/// [`check_ids`] over any iterator, compiled once.
fn check_id_list(
    base: &Pointer<'_>,
    ids: &mut dyn Iterator<Item = &str>,
    key: &str,
    kind: &'static str,
    max: usize,
) -> Result<(), RulesetError> {
    let at = |i: usize| {
        let item = base.index(i);
        if key.is_empty() {
            item.render()
        } else {
            item.key(key).render()
        }
    };
    let mut seen: Vec<&str> = Vec::new();
    for (i, id) in ids.enumerate() {
        if i >= max {
            return Err(RulesetError::LimitExceeded {
                path: base.render(),
                what: kind,
                limit: max,
            });
        }
        if !valid_id(id) {
            return Err(invalid(
                at(i),
                format!(
                    "`{}` is not an id: use 1 to 64 letters, digits, `-`, `_` and `.`",
                    crate::error::clip(id)
                ),
            ));
        }
        if seen.contains(&id) {
            return Err(RulesetError::DuplicateId {
                path: at(i),
                kind,
                id: id.to_owned(),
            });
        }
        seen.push(id);
    }
    Ok(())
}

mod api;
mod forms;
mod names;
mod palette;
mod roles;
mod routes;

/// What compiling the routes gives.
struct Routes {
    routes: Vec<RouteC>,
    router: Router,
    href_fixed_total: usize,
    href_count: usize,
}

/// What compiling the API gives.
struct Endpoints {
    endpoints: Vec<EndpointC>,
    router: Router,
    /// The body fields checked on every endpoint.
    fields: Vec<NodeId>,
}

struct Compiler<'d> {
    doc: &'d RulesetDoc,
    vocab: Vocabulary,
    conditions: Conditions,
    named: Vec<Option<NodeId>>,
    visiting: Vec<bool>,
}

impl<'d> Compiler<'d> {
    fn push(&mut self, node: Node) -> NodeId {
        self.conditions.nodes.push(node);
        // Bounded by MAX_ENTRIES * nesting; far below u32::MAX.
        (self.conditions.nodes.len() - 1) as NodeId
    }

    fn named_condition(&mut self, index: usize, at: &Pointer<'_>) -> Result<NodeId, RulesetError> {
        if let Some(Some(id)) = self.named.get(index) {
            return Ok(*id);
        }
        let Some(named) = self.doc.conditions.get(index) else {
            return Err(invalid(at.render(), "dangling condition reference"));
        };
        if self.visiting.get(index) == Some(&true) {
            return Err(RulesetError::ConditionCycle {
                path: at.render(),
                name: named.id.clone(),
            });
        }
        if let Some(v) = self.visiting.get_mut(index) {
            *v = true;
        }
        let conditions = ROOT.key("conditions");
        let item = conditions.index(index);
        let id = self.condition(&named.requires, &item.key("requires"), 0)?;
        if let Some(v) = self.visiting.get_mut(index) {
            *v = false;
        }
        if let Some(slot) = self.named.get_mut(index) {
            *slot = Some(id);
        }
        Ok(id)
    }

    fn index_of<'n>(
        names: impl IntoIterator<Item = &'n String>,
        name: &str,
        at: &Pointer<'_>,
        kind: RefKind,
    ) -> Result<u8, RulesetError> {
        names
            .into_iter()
            .position(|n| n == name)
            // Lists of names are limited to MAX_NAMES (64).
            .map(|i| i as u8)
            .ok_or_else(|| unknown(at.render(), kind, name))
    }

    fn condition(
        &mut self,
        cond: &ConditionDoc,
        at: &Pointer<'_>,
        depth: usize,
    ) -> Result<NodeId, RulesetError> {
        if depth >= MAX_CONDITION_DEPTH {
            return Err(RulesetError::LimitExceeded {
                path: at.render(),
                what: "levels of condition nesting",
                limit: MAX_CONDITION_DEPTH,
            });
        }
        let doc = self.doc;
        let node = match cond {
            ConditionDoc::All(children) | ConditionDoc::Any(children) => {
                let key = if matches!(cond, ConditionDoc::All(_)) {
                    "all"
                } else {
                    "any"
                };
                let base = at.key(key);
                limit(&base, children.len(), MAX_NAMES, "conditions in one list")?;
                let mut ids = Vec::with_capacity(children.len());
                for (i, child) in children.iter().enumerate() {
                    ids.push(self.condition(child, &base.index(i), depth + 1)?);
                }
                if key == "all" {
                    self.conditions.sort_by_rank(&mut ids);
                    Node::All(ids)
                } else {
                    Node::Any(ids)
                }
            }
            ConditionDoc::Not(inner) => {
                Node::Not(self.condition(inner, &at.key("not"), depth + 1)?)
            }
            ConditionDoc::Product(name) => Node::Product(Self::index_of(
                doc.products.iter().map(|p| &p.id),
                name,
                &at.key("product"),
                RefKind::Product,
            )?),
            ConditionDoc::Permission(text) => {
                let here = at.key("permission");
                let permission = parse_permission(&self.vocab, text, &here)?;
                let existing = self
                    .conditions
                    .permissions
                    .iter()
                    .position(|l| l.text == *text);
                let index = match existing {
                    Some(i) => i,
                    None => {
                        self.conditions.permissions.push(PermissionLeaf {
                            text: text.clone(),
                            permission,
                        });
                        self.conditions.permissions.len() - 1
                    }
                };
                limit(&here, index, usize::from(u16::MAX), "distinct permissions")?;
                Node::Permission(index as u16)
            }
            ConditionDoc::PlanAtLeast(plan) => Node::PlanAtLeast(Self::index_of(
                &doc.plans,
                plan,
                &at.key("plan_at_least"),
                RefKind::Plan,
            )?),
            ConditionDoc::Flag(flag) => Node::Flag(Self::index_of(
                &doc.flags,
                flag,
                &at.key("flag"),
                RefKind::Flag,
            )?),
            ConditionDoc::Environment(envs) => {
                let base = at.key("environment");
                if envs.is_empty() {
                    return Err(invalid(base.render(), "list at least one environment"));
                }
                let mut mask = 0u64;
                for (i, env) in envs.iter().enumerate() {
                    let e = Self::index_of(
                        &doc.environments,
                        env,
                        &base.index(i),
                        RefKind::Environment,
                    )?;
                    mask |= 1u64 << e;
                }
                Node::Environment(mask)
            }
            ConditionDoc::Setting(s) => Node::Setting(Self::index_of(
                &doc.settings,
                s,
                &at.key("setting"),
                RefKind::Setting,
            )?),
            ConditionDoc::Preference(p) => Node::Preference(Self::index_of(
                &doc.preferences,
                p,
                &at.key("preference"),
                RefKind::Preference,
            )?),
            ConditionDoc::WorkspacesAtLeast(n) => {
                if *n == 0 || *n > 1000 {
                    return Err(invalid(
                        at.key("workspaces_at_least").render(),
                        "use a number from 1 to 1000",
                    ));
                }
                Node::WorkspacesAtLeast(*n)
            }
            ConditionDoc::Ref(name) => {
                let here = at.key("ref");
                let index = doc
                    .conditions
                    .iter()
                    .position(|c| c.id == *name)
                    .ok_or_else(|| unknown(here.render(), RefKind::Condition, name))?;
                return self.named_condition(index, &here);
            }
        };
        Ok(self.push(node))
    }

    fn optional(
        &mut self,
        cond: Option<&ConditionDoc>,
        at: &Pointer<'_>,
    ) -> Result<Option<NodeId>, RulesetError> {
        cond.map(|c| self.condition(c, &at.key("requires"), 0))
            .transpose()
    }

    /// `all` of the given nodes (or the single one, or none).
    fn conjoin(&mut self, mut ids: Vec<NodeId>) -> Option<NodeId> {
        match ids.len() {
            0 => None,
            1 => ids.pop(),
            _ => {
                self.conditions.sort_by_rank(&mut ids);
                Some(self.push(Node::All(ids)))
            }
        }
    }
}

fn parse_permission(
    vocab: &Vocabulary,
    text: &str,
    at: &Pointer<'_>,
) -> Result<crate::permission::Permission, RulesetError> {
    vocab.parse(text).map_err(|problem| match problem {
        PermissionProblem::Malformed(problem) => RulesetError::InvalidPermission {
            path: at.render(),
            permission: crate::error::clip(text),
            problem,
        },
        PermissionProblem::Unknown => unknown(at.render(), RefKind::Permission, text),
    })
}

/// Compiles a list of gated body fields: names unique and non-empty, codes
/// snake_case.
fn api_fields(
    c: &mut Compiler<'_>,
    fields: &[crate::model::ApiFieldDoc],
    base: &Pointer<'_>,
) -> Result<Vec<NodeId>, RulesetError> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::with_capacity(fields.len());
    limit(base, fields.len(), MAX_ENTRIES, "fields")?;
    for (j, field) in fields.iter().enumerate() {
        let here = base.index(j);
        if field.name.is_empty() || seen.contains(&field.name.as_str()) {
            return Err(RulesetError::DuplicateId {
                path: here.key("name").render(),
                kind: "field",
                id: field.name.clone(),
            });
        }
        seen.push(&field.name);
        if !valid_code(&field.code) {
            return Err(invalid(
                here.key("code").render(),
                "an error code is snake_case",
            ));
        }
        out.push(c.condition(&field.requires, &here.key("requires"), 0)?);
    }
    Ok(out)
}

fn route_index(doc: &RulesetDoc, id: &str, at: &Pointer<'_>) -> Result<usize, RulesetError> {
    doc.routes
        .iter()
        .position(|r| r.id == id)
        .ok_or_else(|| unknown(at.render(), RefKind::Route, id))
}

fn linkable(
    doc: &RulesetDoc,
    routes: &[RouteC],
    id: &str,
    at: &Pointer<'_>,
) -> Result<usize, RulesetError> {
    let index = route_index(doc, id, at)?;
    match routes.get(index) {
        Some(r) if r.href.is_some() => Ok(index),
        _ => Err(RulesetError::RouteNotLinkable {
            path: at.render(),
            route: id.to_owned(),
        }),
    }
}

fn check_names(
    base: &Pointer<'_>,
    names: &[String],
    kind: &'static str,
) -> Result<(), RulesetError> {
    limit(base, names.len(), MAX_NAMES, kind)?;
    check_ids(base, names.iter().map(String::as_str), "", kind, MAX_NAMES)
}

/// Validates and compiles a parsed document.
pub(crate) fn compile(doc: RulesetDoc) -> Result<Compiled, RulesetError> {
    if doc.version != 1 {
        return Err(RulesetError::UnsupportedVersion {
            path: "/version".into(),
            found: doc.version,
        });
    }
    if !valid_id(&doc.name) {
        return Err(invalid(
            "/name".into(),
            "a ruleset name is 1 to 64 letters, digits, `-`, `_` and `.`",
        ));
    }

    let vocab = names::names(&doc)?;

    let mut c = Compiler {
        doc: &doc,
        vocab,
        conditions: Conditions::default(),
        named: vec![None; doc.conditions.len()],
        visiting: vec![false; doc.conditions.len()],
    };
    let conditions = ROOT.key("conditions");
    for i in 0..doc.conditions.len() {
        let item = conditions.index(i);
        c.named_condition(i, &item.key("requires"))?;
    }
    let roles = c.roles()?;
    let Routes {
        mut routes,
        router,
        href_fixed_total,
        href_count,
    } = c.routes()?;
    let (products, default_products) = c.products(&mut routes)?;
    let (home, nav_routes) = c.navigation(&routes)?;
    let palette = c.palette(&routes)?;
    let features = c.features()?;
    let forms = c.forms()?;
    let Endpoints {
        endpoints,
        router: api_router,
        fields: global_fields,
    } = c.endpoints(&products)?;
    let sync = c.sync()?;
    let role_change = c.membership()?;

    let Compiler {
        vocab, conditions, ..
    } = c;
    let permission_table = vocab.table();
    Ok(Compiled {
        doc,
        canonical: std::sync::OnceLock::new(),
        fingerprint: std::sync::OnceLock::new(),
        bundle: std::sync::OnceLock::new(),
        conditions,
        vocab,
        permission_table,
        instance: next_instance(),
        products,
        default_products,
        roles,
        routes,
        home,
        router,
        href_fixed_total,
        href_count,
        nav_routes,
        palette,
        features,
        forms,
        endpoints,
        api_fields: global_fields,
        api_router,
        sync,
        role_change,
    })
}
