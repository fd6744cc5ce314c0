//! The policy: a compiled ruleset, shared cheaply between threads and views.

#[cfg(feature = "authoring")]
use crate::compile::compile;
use crate::compiled::Compiled;
use crate::context::Context;
#[cfg(feature = "authoring")]
use crate::decode::DecodeError;
use crate::error::{clip, ContextError, Error, QueryError, RulesetError};
use crate::membership::{
    AccountDeletion, AccountDeletionCheck, Invite, InviteAcceptance, InviteStatus, RoleChange,
    RoleChangeCheck, RoleDeletion,
};
#[cfg(feature = "authoring")]
use crate::model::RulesetDoc;
use crate::output::{Change, Endpoint, Params, ProductImpact, ProductInfo};
use crate::path::{Normalized, Seg};
use crate::view::View;
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// Largest ruleset accepted, in bytes of JSON.
pub const MAX_RULESET_BYTES: usize = 1024 * 1024;

/// The bundled rulesets' names, the default first.
pub const BUILTIN_NAMES: [&str; 2] = ["harmony", "harmonia"];

// `src/rulesets/*.json` without indentation (see `build.rs`): the source
// of the bundled rulesets where JSON can be read.
#[cfg(feature = "authoring")]
const HARMONY: &str = include_str!(concat!(env!("OUT_DIR"), "/harmony.json"));
#[cfg(feature = "authoring")]
const HARMONIA: &str = include_str!(concat!(env!("OUT_DIR"), "/harmonia.json"));

// Their bundles, for the runtime (written by `scripts/bundles.sh`; a test
// holds them to the JSON).
#[cfg(not(feature = "authoring"))]
const HARMONY: &[u8] = include_bytes!("rulesets/harmony.bundle");
#[cfg(not(feature = "authoring"))]
const HARMONIA: &[u8] = include_bytes!("rulesets/harmonia.bundle");

/// A permission looked up in one policy ([`Policy::permission`]), to test
/// with [`View::can_id`] without reading text again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PermissionId {
    pub(crate) policy: u32,
    pub(crate) index: u32,
}

/// A compiled ruleset. Cloning is cheap (a reference count); a `Policy` is
/// `Send` and `Sync`, so a server compiles it once and shares it.
#[derive(Debug, Clone)]
pub struct Policy {
    inner: Arc<Compiled>,
}

#[cfg(feature = "authoring")]
impl From<DecodeError> for RulesetError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Syntax(message) => RulesetError::InvalidJson { message },
            DecodeError::UnknownKey { path, key } => RulesetError::UnknownKey { path, key },
            DecodeError::Invalid { path, message } => RulesetError::InvalidValue { path, message },
        }
    }
}

impl Policy {
    /// A bundled ruleset: `harmony` (the default; seeds 000 and 001) or
    /// `harmonia` (seed 002 with seed 000's products as modules). Compiled
    /// once per process (read from their JSON where the crate reads JSON,
    /// else from their bundles).
    pub fn builtin(name: &str) -> Result<Policy, RulesetError> {
        static CACHE: [OnceLock<Result<Policy, RulesetError>>; 2] =
            [OnceLock::new(), OnceLock::new()];
        let (slot, text) = match name {
            "harmony" => (&CACHE[0], HARMONY),
            "harmonia" => (&CACHE[1], HARMONIA),
            _ => {
                return Err(RulesetError::UnknownBuiltin { name: clip(name) });
            }
        };
        #[cfg(feature = "authoring")]
        let load = || Policy::from_json(text);
        #[cfg(not(feature = "authoring"))]
        let load = || crate::bundle::read_embedded(text).map(Policy::from_compiled);
        slot.get_or_init(load).clone()
    }

    /// The default bundled ruleset, `harmony`.
    pub fn harmony() -> Result<Policy, RulesetError> {
        Policy::builtin("harmony")
    }

    /// The JSON text of a bundled ruleset, as shipped.
    #[cfg(feature = "authoring")]
    pub fn builtin_source(name: &str) -> Option<&'static str> {
        match name {
            "harmony" => Some(HARMONY),
            "harmonia" => Some(HARMONIA),
            _ => None,
        }
    }

    /// Loads and validates a ruleset. Every problem is an error with a code
    /// and a JSON pointer; nothing is silently ignored.
    #[cfg(feature = "authoring")]
    pub fn from_json(text: &str) -> Result<Policy, RulesetError> {
        if text.len() > MAX_RULESET_BYTES {
            return Err(RulesetError::TooLarge {
                size: text.len(),
                limit: MAX_RULESET_BYTES,
            });
        }
        Policy::from_doc(crate::read::from_text(text)?)
    }

    /// Loads a ruleset from any serde deserializer (for example a JavaScript
    /// object), with the same checks as [`Policy::from_json`].
    #[cfg(feature = "authoring")]
    pub fn deserialize_checked<'de, D>(deserializer: D) -> Result<Policy, RulesetError>
    where
        D: serde::Deserializer<'de>,
        D::Error: std::fmt::Display,
    {
        Policy::from_doc(crate::read::from_deserializer(deserializer)?)
    }

    /// A policy over a compiled ruleset (read from a bundle).
    pub(crate) fn from_compiled(compiled: Compiled) -> Policy {
        Policy {
            inner: Arc::new(compiled),
        }
    }

    /// The compiled ruleset (written into bundles).
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.inner
    }

    #[cfg(feature = "authoring")]
    fn from_doc(doc: RulesetDoc) -> Result<Policy, RulesetError> {
        Ok(Policy {
            inner: Arc::new(compile(doc)?),
        })
    }

    /// The ruleset's name (`harmony`, `harmonia`, or a custom one).
    pub fn name(&self) -> &str {
        &self.inner.doc.name
    }

    /// The ruleset's display label.
    pub fn label(&self) -> &str {
        &self.inner.doc.label
    }

    /// `sha256:` and the hex SHA-256 of [`Policy::to_json`]: equal
    /// fingerprints mean the same rules.
    pub fn fingerprint(&self) -> &str {
        self.inner.fingerprint()
    }

    /// Tells this compiled policy apart from every other loaded in this
    /// process (clones share it): the JavaScript layer keys its records by
    /// it.
    pub(crate) fn instance(&self) -> u32 {
        self.inner.instance
    }

    /// The canonical JSON form: fixed key order, no whitespace, defaults
    /// written out. `from_json(to_json())` has the same fingerprint.
    /// Written by the first call (or the first `fingerprint`), not by
    /// loading; clones share it.
    pub fn to_json(&self) -> &str {
        self.inner.canonical()
    }

    /// The policy as a bundle: versioned bytes with its fingerprint and a
    /// checksum, which [`Policy::from_bundle`] reads in any runtime: the
    /// bytes the policy was read from, else (where the crate compiles
    /// rulesets) written on first use. The runtime never writes a bundle,
    /// so it carries no encoder.
    pub fn to_bundle(&self) -> Vec<u8> {
        let stored = &self.inner.bundle;
        #[cfg(feature = "authoring")]
        let bytes = stored.get_or_init(|| Cow::Owned(crate::bundle::write(&self.inner)));
        #[cfg(not(feature = "authoring"))]
        let bytes = stored.get().map_or(&[][..], |b| &b[..]);
        bytes.to_vec()
    }

    /// The policy a bundle holds; `invalid_bundle` for anything damaged,
    /// truncated or foreign.
    pub fn from_bundle(bytes: &[u8]) -> Result<Policy, RulesetError> {
        crate::bundle::read(bytes).map(Policy::from_compiled)
    }

    /// The ruleset's API endpoints, in table order (for describing a
    /// server's API, e.g. as OpenAPI).
    pub fn endpoints(&self) -> Vec<crate::EndpointInfo<'_>> {
        self.inner
            .doc
            .api
            .iter()
            .map(|e| crate::EndpointInfo {
                id: &e.id,
                method: &e.method,
                pattern: &e.path,
                requires: e
                    .requires
                    .as_ref()
                    .and_then(|r| crate::write::to_string(r).ok()),
                form: e.form.as_deref(),
                body: e
                    .form
                    .as_ref()
                    .and_then(|id| self.inner.doc.forms.iter().find(|f| f.id == *id))
                    .map(|f| {
                        f.fields
                            .iter()
                            .map(|x| crate::BodyField {
                                id: &x.id,
                                label: &x.label,
                                required: x.required,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The ids of the ruleset's roles, in ruleset order.
    pub fn role_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.doc.roles.iter().map(|r| r.id.as_str())
    }

    /// The ids of the member preferences the ruleset knows.
    pub fn preference_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.doc.preferences.iter().map(String::as_str)
    }

    /// The products, in ruleset order.
    pub fn products(&self) -> Vec<ProductInfo<'_>> {
        self.inner
            .doc
            .products
            .iter()
            .map(|p| ProductInfo {
                id: &p.id,
                label: &p.label,
                description: &p.description,
                default: p.default,
            })
            .collect()
    }

    /// The ruleset endpoint that a request addresses, with its path
    /// parameters, or `None` when no endpoint takes this method at this path.
    /// Paths are normalized and matched exactly as
    /// [`View::check_request`] does, so a server can check a request and then
    /// dispatch it on the endpoint's id: the ruleset is its router.
    pub fn endpoint<'a>(&'a self, method: &str, path: &'a str) -> Option<Endpoint<'a>> {
        let p = &self.inner;
        let norm = Normalized::new(path).ok()?;
        let e = p.endpoint_taking(p.api_router.find(&norm), method)?;
        let (doc, compiled) = (p.doc.api.get(e)?, p.endpoints.get(e)?);
        let mut params = Params::default();
        for (i, seg) in compiled.pattern.segs.iter().enumerate() {
            if let Seg::Param(name) = seg {
                params.push(name, norm.segment_owned(i)?);
            }
        }
        Some(Endpoint {
            id: &doc.id,
            method: &doc.method,
            pattern: &doc.path,
            params,
            form: doc.form.as_deref(),
            index: e,
        })
    }

    /// Looks a permission up once, for [`View::can_id`]: a server that
    /// checks the same permissions on every request keeps their ids. Errors
    /// are those of [`View::can`] (malformed or unknown permissions).
    pub fn permission(&self, text: &str) -> Result<PermissionId, QueryError> {
        let p = &self.inner;
        let Some(index) = p.permission_table.id(text) else {
            crate::view::parse_permission(p, text)?;
            // Every permission the vocabulary can write is in the table.
            return Err(QueryError::Unknown {
                what: "permission",
                name: clip(text),
                path: None,
            });
        };
        Ok(PermissionId {
            policy: p.instance,
            index,
        })
    }

    /// Compiles a context into a [`View`]. Unknown products, roles, plans,
    /// environments or landing pages and malformed permissions are errors.
    pub fn view(&self, context: &Context) -> Result<View, ContextError> {
        View::build(&self.inner, context, None)
    }

    fn product_index(&self, product: &str) -> Result<usize, QueryError> {
        self.inner
            .doc
            .products
            .iter()
            .position(|p| p.id == product)
            .ok_or_else(|| QueryError::Unknown {
                what: "product",
                name: clip(product),
                path: None,
            })
    }

    /// What turning `product` on or off would change for this member: shown
    /// on the Products page before Save.
    pub fn product_impact(
        &self,
        context: &Context,
        product: &str,
        enabled: bool,
    ) -> Result<ProductImpact<'_>, Error> {
        let index = self.product_index(product)?;
        let before = View::build(&self.inner, context, None)?;
        let after = View::build(&self.inner, context, Some((index, enabled)))?;
        let p = &*self.inner;
        let doc = &p.doc;
        fn note<'a>(change: &mut Change<'a>, was: bool, now: bool, name: Cow<'a, str>) {
            match (was, now) {
                (false, true) => change.shown.push(name),
                (true, false) => change.hidden.push(name),
                _ => {}
            }
        }
        let mut impact = ProductImpact {
            product: doc.products.get(index).map_or("", |d| d.id.as_str()),
            enabled,
            sidebar: Change::default(),
            palette: Change::default(),
            routes: Change::default(),
            fields: Change::default(),
            api: Change::default(),
        };
        for (item, &r) in doc.navigation.iter().zip(p.nav_routes.iter()) {
            note(
                &mut impact.sidebar,
                before.route_allowed(r),
                after.route_allowed(r),
                Cow::Borrowed(&item.id),
            );
        }
        for (i, entry) in doc.palette.iter().enumerate() {
            note(
                &mut impact.palette,
                before.palette_shown(i),
                after.palette_shown(i),
                Cow::Borrowed(&entry.id),
            );
        }
        for (r, route) in doc.routes.iter().enumerate() {
            note(
                &mut impact.routes,
                before.route_allowed(r),
                after.route_allowed(r),
                Cow::Borrowed(&route.id),
            );
        }
        for (form, compiled) in doc.forms.iter().zip(p.forms.iter()) {
            for (field, &gate) in form.fields.iter().zip(compiled.fields.iter()) {
                let was = before.gate_holds(compiled.gate) && before.gate_holds(gate);
                let now = after.gate_holds(compiled.gate) && after.gate_holds(gate);
                note(
                    &mut impact.fields,
                    was,
                    now,
                    Cow::Owned(format!("{}.{}", form.id, field.id)),
                );
            }
        }
        for (endpoint, compiled) in doc.api.iter().zip(p.endpoints.iter()) {
            let was = before.gate_holds(compiled.gate);
            let now = after.gate_holds(compiled.gate);
            note(&mut impact.api, was, now, Cow::Borrowed(&endpoint.id));
            for (field, &gate) in endpoint.fields.iter().zip(compiled.fields.iter()) {
                let was = was && before.gate_holds(Some(gate));
                let now = now && after.gate_holds(Some(gate));
                note(
                    &mut impact.api,
                    was,
                    now,
                    Cow::Owned(format!("{}.{}", endpoint.id, field.name)),
                );
            }
        }
        for (field, &gate) in doc.api_fields.iter().zip(p.api_fields.iter()) {
            let was = before.gate_holds(Some(gate));
            let now = after.gate_holds(Some(gate));
            note(&mut impact.api, was, now, Cow::Borrowed(&field.name));
        }
        Ok(impact)
    }

    /// Whether a user may delete their account (SPEC section 10).
    pub fn check_account_deletion<'a>(
        &self,
        request: &'a AccountDeletion,
    ) -> Result<AccountDeletionCheck<'a>, QueryError> {
        crate::membership::check_account_deletion(&self.inner, request)
    }

    /// Whether a role change may go ahead (SPEC section 10).
    pub fn check_role_change(&self, request: &RoleChange) -> Result<RoleChangeCheck, QueryError> {
        crate::membership::check_role_change(&self.inner, request)
    }

    /// Checks a workspace's roles as a context's `workspace.roles` would be
    /// checked (pointers relative to the list: `/1/grants/0`), for a server
    /// that stores them.
    pub fn check_custom_roles(&self, roles: &[crate::CustomRole]) -> Result<(), QueryError> {
        crate::roles::compile(&self.inner, roles, &[])
            .map(drop)
            .map_err(QueryError::Roles)
    }

    /// Whether one of the workspace's own roles may be deleted: not a
    /// ruleset role (`builtin_role`), and not while anyone holds it
    /// (`role_in_use`, naming them).
    pub fn check_role_deletion(
        &self,
        request: &RoleDeletion,
    ) -> Result<RoleChangeCheck, QueryError> {
        crate::membership::check_role_deletion(&self.inner, request)
    }

    /// Whether accepting an invite may go ahead: never over an existing
    /// membership unless it changes nothing (`already_member`), an existing
    /// account only by its own hand (`invitee_consent`), and the invite's
    /// role granted as a role change would grant it.
    pub fn check_invite_acceptance(
        &self,
        request: &InviteAcceptance,
    ) -> Result<RoleChangeCheck, QueryError> {
        crate::membership::check_invite_acceptance(&self.inner, request)
    }

    /// An invite's state at `now` (milliseconds since the epoch).
    pub fn invite_status(&self, invite: &Invite, now: i64) -> Result<InviteStatus, QueryError> {
        crate::membership::invite_status(&self.inner, invite, now)
    }
}
