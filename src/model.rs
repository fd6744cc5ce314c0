//! The ruleset document, version 1: exactly the JSON format, both ways.
//!
//! Reading (`FromJson`) checks types and shapes only; `compile` checks every
//! reference and builds the fast form. Serializing a document gives the
//! canonical form: fixed key order, no whitespace, defaults written out.

#[cfg(feature = "authoring")]
use crate::decode::{FromJson, Invalid, Value};
#[cfg(feature = "authoring")]
use crate::json::Json;
use serde::{Deserialize, Serialize};

/// A whole ruleset. The lists after `label` may be left out (empty),
/// except `permissions`, `roles`, `home`, `routes` and `navigation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct RulesetDoc {
    pub version: u64,
    pub name: String,
    pub label: String,
    pub products: Vec<ProductDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub plans: Vec<String>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub environments: Vec<String>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub flags: Vec<String>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub settings: Vec<String>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub preferences: Vec<String>,
    pub permissions: PermissionsDoc,
    pub roles: Vec<RoleDoc>,
    /// Whether workspaces may define roles of their own (SPEC section 15).
    #[cfg_attr(feature = "schema", schemars(default))]
    pub custom_roles: bool,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub conditions: Vec<NamedConditionDoc>,
    pub home: String,
    pub routes: Vec<RouteDoc>,
    pub navigation: Vec<NavDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub palette: Vec<PaletteDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub features: Vec<FeatureDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub forms: Vec<FormDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub api: Vec<EndpointDoc>,
    /// Body fields checked on every endpoint (after its own fields).
    #[cfg_attr(feature = "schema", schemars(default))]
    pub api_fields: Vec<ApiFieldDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub sync: Vec<SyncDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub membership: MembershipDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct ProductDoc {
    pub id: String,
    pub label: String,
    pub description: String,
    pub default: bool,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub paths: Vec<String>,
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct PermissionsDoc {
    pub resources: Vec<String>,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct RoleDoc {
    pub id: String,
    pub label: String,
    pub grants: Vec<String>,
    pub assign_requires: Option<ConditionDoc>,
    pub last_holder: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct NamedConditionDoc {
    pub id: String,
    pub requires: ConditionDoc,
}

/// The condition language. Nested conditions are read with their nesting
/// bounded ([`nested`]), so that no input (a bundle's bytes, say) can
/// exhaust the stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) enum ConditionDoc {
    #[serde(deserialize_with = "nested")]
    All(Vec<ConditionDoc>),
    #[serde(deserialize_with = "nested")]
    Any(Vec<ConditionDoc>),
    #[serde(deserialize_with = "nested")]
    Not(Box<ConditionDoc>),
    Product(String),
    Permission(String),
    PlanAtLeast(String),
    Flag(String),
    Environment(Vec<String>),
    Setting(String),
    Preference(String),
    WorkspacesAtLeast(u32),
    Ref(String),
}

/// Deepest nesting of a condition.
pub const MAX_CONDITION_DEPTH: usize = 32;

std::thread_local! {
    /// How deep the condition being read is nested.
    static NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level of condition nesting while reading, given back on drop.
struct Level;

impl Level {
    fn enter() -> Option<Level> {
        NESTING.with(|n| {
            let depth = n.get();
            (depth < MAX_CONDITION_DEPTH).then(|| {
                n.set(depth + 1);
                Level
            })
        })
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        NESTING.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// Reads the conditions nested in another, one level deeper.
fn nested<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    let _level = Level::enter()
        .ok_or_else(|| <D::Error as serde::de::Error>::custom("conditions nest too deeply"))?;
    T::deserialize(d)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct RouteDoc {
    pub id: String,
    pub pattern: String,
    pub title: String,
    pub requires: Option<ConditionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct NavDoc {
    pub id: String,
    pub label: String,
    pub route: String,
    pub section: String,
    pub icon: String,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub landing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct PaletteDoc {
    pub id: String,
    pub label: String,
    pub route: Option<String>,
    pub action: Option<String>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub keywords: Vec<String>,
    pub shortcut: Option<String>,
    pub requires: Option<ConditionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct FeatureDoc {
    pub id: String,
    pub label: String,
    pub requires: ConditionDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct FormDoc {
    pub id: String,
    pub label: String,
    pub requires: Option<ConditionDoc>,
    pub fields: Vec<FieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct FieldDoc {
    pub id: String,
    pub label: String,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub required: bool,
    pub requires: Option<ConditionDoc>,
    pub options: Option<OptionsDoc>,
}

/// Where a field's options come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub(crate) enum OptionsDoc {
    /// The roles the viewing member may assign.
    Roles,
    /// The workspace's enabled main pages (navigation items marked `landing`).
    LandingPages,
    /// A fixed list.
    Values(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct EndpointDoc {
    pub id: String,
    pub method: String,
    pub path: String,
    pub requires: Option<ConditionDoc>,
    #[cfg_attr(feature = "schema", schemars(default))]
    pub fields: Vec<ApiFieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct ApiFieldDoc {
    pub name: String,
    pub requires: ConditionDoc,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct SyncDoc {
    pub integration: String,
    pub label: String,
    pub fields: Vec<SyncFieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct SyncFieldDoc {
    pub name: String,
    pub requires: ConditionDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(deny_unknown_fields)
)]
pub(crate) struct MembershipDoc {
    #[cfg_attr(feature = "schema", schemars(default))]
    pub invite_expiry_days: u32,
    pub role_change_requires: Option<ConditionDoc>,
}

impl Default for MembershipDoc {
    fn default() -> Self {
        MembershipDoc {
            invite_expiry_days: default_invite_days(),
            role_change_requires: None,
        }
    }
}

fn default_invite_days() -> u32 {
    14
}

// Reading the document: each type takes exactly its keys (see
// `crate::decode`); what may be left out says so with `or_default`/`opt`.

#[cfg(feature = "authoring")]
impl FromJson for RulesetDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a ruleset object", |o| {
            Ok(RulesetDoc {
                version: o.req("version")?,
                name: o.req("name")?,
                label: o.req("label")?,
                products: o.req("products")?,
                plans: o.or_default("plans")?,
                environments: o.or_default("environments")?,
                flags: o.or_default("flags")?,
                settings: o.or_default("settings")?,
                preferences: o.or_default("preferences")?,
                permissions: o.req("permissions")?,
                roles: o.req("roles")?,
                custom_roles: o.or("customRoles", false)?,
                conditions: o.or_default("conditions")?,
                home: o.req("home")?,
                routes: o.req("routes")?,
                navigation: o.req("navigation")?,
                palette: o.or_default("palette")?,
                features: o.or_default("features")?,
                forms: o.or_default("forms")?,
                api: o.or_default("api")?,
                api_fields: o.or_default("apiFields")?,
                sync: o.or_default("sync")?,
                membership: o.or_default("membership")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for ProductDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a product object", |o| {
            Ok(ProductDoc {
                id: o.req("id")?,
                label: o.req("label")?,
                description: o.req("description")?,
                default: o.req("default")?,
                paths: o.or_default("paths")?,
                fallback: o.opt("fallback")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for PermissionsDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("an object with `resources` and `actions`", |o| {
            Ok(PermissionsDoc {
                resources: o.req("resources")?,
                actions: o.req("actions")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for RoleDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a role object", |o| {
            Ok(RoleDoc {
                id: o.req("id")?,
                label: o.req("label")?,
                grants: o.req("grants")?,
                assign_requires: o.opt("assignRequires")?,
                last_holder: o.opt("lastHolder")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for NamedConditionDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a named condition object", |o| {
            Ok(NamedConditionDoc {
                id: o.req("id")?,
                requires: o.req("requires")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for ConditionDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        const EXPECTED: &str = "a condition such as {\"product\": \"accounts\"}";
        let (name, inner) = v.variant(EXPECTED)?;
        Ok(match name {
            "all" => ConditionDoc::All(inner.decode()?),
            "any" => ConditionDoc::Any(inner.decode()?),
            "not" => ConditionDoc::Not(inner.decode()?),
            "product" => ConditionDoc::Product(inner.decode()?),
            "permission" => ConditionDoc::Permission(inner.decode()?),
            "plan_at_least" => ConditionDoc::PlanAtLeast(inner.decode()?),
            "flag" => ConditionDoc::Flag(inner.decode()?),
            "environment" => ConditionDoc::Environment(inner.decode()?),
            "setting" => ConditionDoc::Setting(inner.decode()?),
            "preference" => ConditionDoc::Preference(inner.decode()?),
            "workspaces_at_least" => ConditionDoc::WorkspacesAtLeast(inner.decode()?),
            "ref" => ConditionDoc::Ref(inner.decode()?),
            other => {
                return Err(v.fail(format!(
                    "unknown condition `{}`, expected one of `all`, `any`, `not`, `product`, \
                     `permission`, `plan_at_least`, `flag`, `environment`, `setting`, \
                     `preference`, `workspaces_at_least`, `ref`",
                    crate::error::clip(other)
                )))
            }
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for RouteDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a route object", |o| {
            Ok(RouteDoc {
                id: o.req("id")?,
                pattern: o.req("pattern")?,
                title: o.req("title")?,
                requires: o.opt("requires")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for NavDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a navigation item object", |o| {
            Ok(NavDoc {
                id: o.req("id")?,
                label: o.req("label")?,
                route: o.req("route")?,
                section: o.req("section")?,
                icon: o.req("icon")?,
                landing: o.or_default("landing")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for PaletteDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a palette entry object", |o| {
            Ok(PaletteDoc {
                id: o.req("id")?,
                label: o.req("label")?,
                route: o.opt("route")?,
                action: o.opt("action")?,
                keywords: o.or_default("keywords")?,
                shortcut: o.opt("shortcut")?,
                requires: o.opt("requires")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for FeatureDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a feature object", |o| {
            Ok(FeatureDoc {
                id: o.req("id")?,
                label: o.req("label")?,
                requires: o.req("requires")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for FormDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a form object", |o| {
            Ok(FormDoc {
                id: o.req("id")?,
                label: o.req("label")?,
                requires: o.opt("requires")?,
                fields: o.req("fields")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for FieldDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a form field object", |o| {
            Ok(FieldDoc {
                id: o.req("id")?,
                label: o.req("label")?,
                required: o.or_default("required")?,
                requires: o.opt("requires")?,
                options: o.opt("options")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for OptionsDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        const EXPECTED: &str = "`roles`, `landing_pages` or {\"values\": [...]}";
        if let Json::String(name) = v.json() {
            return match name.as_ref() {
                "roles" => Ok(OptionsDoc::Roles),
                "landing_pages" => Ok(OptionsDoc::LandingPages),
                _ => Err(v.fail(format!(
                    "unknown options `{}`, expected {EXPECTED}",
                    crate::error::clip(name)
                ))),
            };
        }
        match v.variant(EXPECTED)? {
            ("values", values) => values.decode().map(OptionsDoc::Values),
            (other, _) => Err(v.fail(format!(
                "unknown options `{}`, expected {EXPECTED}",
                crate::error::clip(other)
            ))),
        }
    }
}

#[cfg(feature = "authoring")]
impl FromJson for EndpointDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("an API endpoint object", |o| {
            Ok(EndpointDoc {
                id: o.req("id")?,
                method: o.req("method")?,
                path: o.req("path")?,
                requires: o.opt("requires")?,
                fields: o.or_default("fields")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for ApiFieldDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("an API field object", |o| {
            Ok(ApiFieldDoc {
                name: o.req("name")?,
                requires: o.req("requires")?,
                code: o.req("code")?,
                message: o.req("message")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for SyncDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a sync integration object", |o| {
            Ok(SyncDoc {
                integration: o.req("integration")?,
                label: o.req("label")?,
                fields: o.req("fields")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for SyncFieldDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a sync field object", |o| {
            Ok(SyncFieldDoc {
                name: o.req("name")?,
                requires: o.req("requires")?,
            })
        })
    }
}

#[cfg(feature = "authoring")]
impl FromJson for MembershipDoc {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a membership object", |o| {
            Ok(MembershipDoc {
                invite_expiry_days: o.or("inviteExpiryDays", default_invite_days())?,
                role_change_requires: o.opt("roleChangeRequires")?,
            })
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// `not` conditions nested `depth` deep around a product, in postcard's
    /// encoding (variant index, then the variant's content).
    fn nots(depth: usize) -> Vec<u8> {
        let not = 2u8;
        let product = 3u8;
        let mut bytes = vec![not; depth];
        bytes.extend([product, 1, b'x']);
        bytes
    }

    #[test]
    fn conditions_nested_past_the_limit_are_refused_not_overflowed() {
        let read = |depth| postcard::from_bytes::<ConditionDoc>(&nots(depth));
        assert!(read(MAX_CONDITION_DEPTH).is_ok());
        assert!(read(MAX_CONDITION_DEPTH + 1).is_err());
        assert!(read(1_000_000).is_err());
        // The count is given back: a shallow condition reads after a refusal.
        assert!(read(3).is_ok());
    }
}
