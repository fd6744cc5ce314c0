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

    // Names.
    check_ids(
        &ROOT.key("products"),
        doc.products.iter().map(|p| p.id.as_str()),
        "id",
        "product",
        MAX_NAMES,
    )?;
    check_names(&ROOT.key("plans"), &doc.plans, "plan")?;
    check_names(&ROOT.key("environments"), &doc.environments, "environment")?;
    check_names(&ROOT.key("flags"), &doc.flags, "flag")?;
    check_names(&ROOT.key("settings"), &doc.settings, "setting")?;
    check_names(&ROOT.key("preferences"), &doc.preferences, "preference")?;
    let vocab = Vocabulary {
        resources: doc.permissions.resources.clone(),
        actions: doc.permissions.actions.clone(),
    };
    let permissions = ROOT.key("permissions");
    for (key, names) in [("resources", &vocab.resources), ("actions", &vocab.actions)] {
        let list = permissions.key(key);
        for (i, name) in names.iter().enumerate() {
            if !is_valid_name(name) {
                return Err(invalid(
                    list.index(i).render(),
                    format!("`{}` is not a lowercase name", crate::error::clip(name)),
                ));
            }
        }
        check_ids(
            &list,
            names.iter().map(String::as_str),
            "",
            "permission name",
            MAX_CELLS,
        )?;
    }
    if vocab.resources.len() * vocab.actions.len() > MAX_CELLS {
        return Err(RulesetError::LimitExceeded {
            path: "/permissions".into(),
            what: "resource and action pairs",
            limit: MAX_CELLS,
        });
    }
    check_ids(
        &ROOT.key("roles"),
        doc.roles.iter().map(|r| r.id.as_str()),
        "id",
        "role",
        MAX_NAMES,
    )?;
    check_ids(
        &ROOT.key("conditions"),
        doc.conditions.iter().map(|c| c.id.as_str()),
        "id",
        "condition",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("routes"),
        doc.routes.iter().map(|r| r.id.as_str()),
        "id",
        "route",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("navigation"),
        doc.navigation.iter().map(|n| n.id.as_str()),
        "id",
        "navigation item",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("palette"),
        doc.palette.iter().map(|p| p.id.as_str()),
        "id",
        "palette entry",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("features"),
        doc.features.iter().map(|f| f.id.as_str()),
        "id",
        "feature",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("forms"),
        doc.forms.iter().map(|f| f.id.as_str()),
        "id",
        "form",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("api"),
        doc.api.iter().map(|e| e.id.as_str()),
        "id",
        "endpoint",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("sync"),
        doc.sync.iter().map(|s| s.integration.as_str()),
        "integration",
        "integration",
        MAX_ENTRIES,
    )?;

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

    // Roles.
    let mut roles = Vec::with_capacity(doc.roles.len());
    let roles_at = ROOT.key("roles");
    for (i, role) in doc.roles.iter().enumerate() {
        let at = roles_at.index(i);
        let mut grants = Grants::default();
        let grants_at = at.key("grants");
        limit(&grants_at, role.grants.len(), MAX_ENTRIES, "grants")?;
        for (j, g) in role.grants.iter().enumerate() {
            grants.grant(&parse_permission(&c.vocab, g, &grants_at.index(j))?);
        }
        if let Some(code) = &role.last_holder {
            if !valid_code(code) {
                return Err(invalid(
                    at.key("lastHolder").render(),
                    "an error code is snake_case",
                ));
            }
        }
        let assign = role
            .assign_requires
            .as_ref()
            .map(|r| c.condition(r, &at.key("assignRequires"), 0))
            .transpose()?;
        roles.push(RoleC { grants, assign });
    }

    // Routes: patterns, collisions, links.
    let mut router = Router::default();
    let mut routes = Vec::with_capacity(doc.routes.len());
    let mut href_fixed_total = 0usize;
    let mut href_count = 0usize;
    let routes_at = ROOT.key("routes");
    for (i, route) in doc.routes.iter().enumerate() {
        let item = routes_at.index(i);
        let at = item.key("pattern");
        let pattern =
            Pattern::parse(&route.pattern).map_err(|problem| RulesetError::InvalidPattern {
                path: at.render(),
                pattern: crate::error::clip(&route.pattern),
                problem,
            })?;
        if pattern.slug_count() != 1 {
            return Err(RulesetError::InvalidPattern {
                path: at.render(),
                pattern: crate::error::clip(&route.pattern),
                problem: "a route pattern has exactly one `{slug}`",
            });
        }
        if let Some(&other) = router.insert(&pattern, i).first() {
            return Err(RulesetError::RouteCollision {
                path: at.render(),
                pattern: route.pattern.clone(),
                other: doc
                    .routes
                    .get(other)
                    .map(|r| r.id.clone())
                    .unwrap_or_default(),
            });
        }
        let href = pattern.only_slug().then(|| {
            let mut text = String::new();
            pattern.write_with_slug("\u{0}", &mut text);
            let (before, after) = text.split_once('\u{0}').unwrap_or((&text, ""));
            let slot = HrefSlot {
                fixed_start: href_fixed_total,
                fixed_len: before.len() + after.len(),
                ordinal: href_count,
                before: before.to_owned(),
                after: after.to_owned(),
            };
            let text = format!("{before}{after}");
            href_fixed_total += text.len();
            href_count += 1;
            slot
        });
        let own = c.optional(route.requires.as_ref(), &item)?;
        routes.push(RouteC {
            pattern,
            gate: own,
            href,
        });
    }

    // Products: their paths own routes and endpoints; fallbacks.
    let mut products = Vec::with_capacity(doc.products.len());
    let mut default_products = 0u64;
    let products_at = ROOT.key("products");
    for (i, product) in doc.products.iter().enumerate() {
        let at = products_at.index(i);
        let paths_at = at.key("paths");
        if product.default {
            default_products |= 1u64 << i;
        }
        let mut paths = Vec::new();
        for (j, text) in product.paths.iter().enumerate() {
            let here = paths_at.index(j);
            let pattern = Pattern::parse(text).map_err(|problem| RulesetError::InvalidPattern {
                path: here.render(),
                pattern: crate::error::clip(text),
                problem,
            })?;
            if pattern.segs.is_empty() {
                return Err(RulesetError::InvalidPattern {
                    path: here.render(),
                    pattern: text.clone(),
                    problem: "a product cannot own every path",
                });
            }
            paths.push(pattern);
        }
        let fallback = product
            .fallback
            .as_ref()
            .map(|f| linkable(&doc, &routes, f, &at.key("fallback")))
            .transpose()?;
        products.push(ProductC { paths, fallback });
    }
    for route in routes.iter_mut() {
        let mut gates = Vec::new();
        for (p, product) in products.iter().enumerate() {
            if product
                .paths
                .iter()
                .any(|prefix| prefix.is_prefix_of(&route.pattern))
            {
                gates.push(c.push(Node::Product(p as u8)));
            }
        }
        if !gates.is_empty() {
            gates.extend(route.gate);
            route.gate = c.conjoin(gates);
        }
    }
    // A fallback must not lead to a page that the same chain of disabled
    // products hides again.
    for (p, product) in products.iter().enumerate() {
        let mut seen = 1u64 << p;
        let mut next = product.fallback;
        while let Some(r) = next {
            let Some(route) = routes.get(r) else { break };
            let needs = route
                .gate
                .map(|g| c.conditions.required_products(g))
                .unwrap_or(0);
            if needs & seen != 0 {
                return Err(RulesetError::RedirectCycle {
                    path: products_at.index(p).key("fallback").render(),
                    product: doc
                        .products
                        .get(p)
                        .map(|d| d.id.clone())
                        .unwrap_or_default(),
                });
            }
            // Follow the first product the fallback itself depends on.
            let q = (0..products.len()).find(|&q| needs & (1u64 << q) != 0);
            next = q.and_then(|q| {
                seen |= 1u64 << q;
                products.get(q).and_then(|x| x.fallback)
            });
        }
    }

    let home = linkable(&doc, &routes, &doc.home, &ROOT.key("home"))?;

    // Navigation.
    let mut nav_routes = Vec::with_capacity(doc.navigation.len());
    let navigation = ROOT.key("navigation");
    for (i, item) in doc.navigation.iter().enumerate() {
        let at = navigation.index(i);
        nav_routes.push(linkable(&doc, &routes, &item.route, &at.key("route"))?);
    }

    // Palette.
    let mut palette = Vec::with_capacity(doc.palette.len());
    let palette_at = ROOT.key("palette");
    for (i, entry) in doc.palette.iter().enumerate() {
        let at = palette_at.index(i);
        if entry.action.is_none() {
            if entry.route.is_none() {
                return Err(invalid(
                    at.render(),
                    "a palette entry has a `route` (navigate), an `action`, or both",
                ));
            }
            if entry.requires.is_some() {
                return Err(invalid(
                    at.key("requires").render(),
                    "a navigate entry follows its route's rules; put conditions on the route",
                ));
            }
        }
        if let Some(action) = &entry.action {
            if action.is_empty() || action.len() > 64 {
                return Err(invalid(
                    at.key("action").render(),
                    "an action is 1 to 64 characters",
                ));
            }
        }
        let route = entry
            .route
            .as_ref()
            .map(|r| linkable(&doc, &routes, r, &at.key("route")))
            .transpose()?;
        let gate = c.optional(entry.requires.as_ref(), &at)?;
        let shortcut = entry
            .shortcut
            .as_ref()
            .map(|s| {
                Shortcut::parse(s).map_err(|problem| RulesetError::InvalidShortcut {
                    path: at.key("shortcut").render(),
                    shortcut: crate::error::clip(s),
                    problem,
                })
            })
            .transpose()?;
        limit(&at.key("keywords"), entry.keywords.len(), 32, "keywords")?;
        palette.push(PaletteC {
            route,
            gate,
            shortcut,
        });
    }

    // Features and forms.
    let mut features = Vec::with_capacity(doc.features.len());
    let features_at = ROOT.key("features");
    for (i, feature) in doc.features.iter().enumerate() {
        let at = features_at.index(i);
        features.push(c.condition(&feature.requires, &at.key("requires"), 0)?);
    }
    let mut forms = Vec::with_capacity(doc.forms.len());
    let forms_at = ROOT.key("forms");
    for (i, form) in doc.forms.iter().enumerate() {
        let at = forms_at.index(i);
        let fields_at = at.key("fields");
        check_ids(
            &fields_at,
            form.fields.iter().map(|f| f.id.as_str()),
            "id",
            "field",
            MAX_ENTRIES,
        )?;
        let gate = c.optional(form.requires.as_ref(), &at)?;
        let mut fields = Vec::with_capacity(form.fields.len());
        for (j, field) in form.fields.iter().enumerate() {
            let here = fields_at.index(j);
            if let Some(OptionsDoc::Values(values)) = &field.options {
                limit(
                    &here.key("options").key("values"),
                    values.len(),
                    MAX_ENTRIES,
                    "options",
                )?;
            }
            fields.push(c.optional(field.requires.as_ref(), &here)?);
        }
        forms.push(FormC { gate, fields });
    }

    // API endpoints.
    let mut api_router = Router::default();
    let mut endpoints = Vec::with_capacity(doc.api.len());
    let api_at = ROOT.key("api");
    for (i, endpoint) in doc.api.iter().enumerate() {
        let at = api_at.index(i);
        if !matches!(
            endpoint.method.as_str(),
            "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
        ) {
            return Err(invalid(
                at.key("method").render(),
                "use GET, POST, PUT, PATCH or DELETE",
            ));
        }
        let pattern =
            Pattern::parse(&endpoint.path).map_err(|problem| RulesetError::InvalidPattern {
                path: at.key("path").render(),
                pattern: crate::error::clip(&endpoint.path),
                problem,
            })?;
        let same_shape = api_router.insert(&pattern, i);
        if let Some(other) = same_shape
            .iter()
            .find(|&&o| doc.api.get(o).is_some_and(|e| e.method == endpoint.method))
        {
            return Err(RulesetError::RouteCollision {
                path: at.key("path").render(),
                pattern: endpoint.path.clone(),
                other: doc
                    .api
                    .get(*other)
                    .map(|e| e.id.clone())
                    .unwrap_or_default(),
            });
        }
        let mut gates = Vec::new();
        for (p, product) in products.iter().enumerate() {
            if product
                .paths
                .iter()
                .any(|prefix| prefix.is_prefix_of(&pattern))
            {
                gates.push(c.push(Node::Product(p as u8)));
            }
        }
        gates.extend(c.optional(endpoint.requires.as_ref(), &at)?);
        let gate = c.conjoin(gates);
        let fields = api_fields(&mut c, &endpoint.fields, &at.key("fields"))?;
        let mut record_permissions = Vec::new();
        if let Some(g) = gate {
            c.conditions
                .required_permissions(g, &mut record_permissions);
        }
        endpoints.push(EndpointC {
            pattern,
            gate,
            fields,
            record_permissions,
        });
    }

    let global_fields = api_fields(&mut c, &doc.api_fields, &ROOT.key("apiFields"))?;

    // Sync.
    let mut sync = Vec::with_capacity(doc.sync.len());
    let sync_at = ROOT.key("sync");
    for (i, integration) in doc.sync.iter().enumerate() {
        let fields_at = sync_at.index(i);
        let fields_at = fields_at.key("fields");
        let mut fields = Vec::with_capacity(integration.fields.len());
        for (j, field) in integration.fields.iter().enumerate() {
            let here = fields_at.index(j);
            if field.name.is_empty() {
                return Err(invalid(
                    here.key("name").render(),
                    "a field name is not empty",
                ));
            }
            fields.push(c.condition(&field.requires, &here.key("requires"), 0)?);
        }
        sync.push(fields);
    }

    // Membership.
    if !(1..=365).contains(&doc.membership.invite_expiry_days) {
        return Err(invalid(
            "/membership/inviteExpiryDays".into(),
            "use a number of days from 1 to 365",
        ));
    }
    let role_change = doc
        .membership
        .role_change_requires
        .as_ref()
        .map(|r| {
            let membership = ROOT.key("membership");
            c.condition(r, &membership.key("roleChangeRequires"), 0)
        })
        .transpose()?;

    let Compiler {
        vocab, conditions, ..
    } = c;
    let permission_table = vocab.table();
    Ok(Compiled {
        doc,
        canonical: std::sync::OnceLock::new(),
        fingerprint: std::sync::OnceLock::new(),
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
