//! The ruleset document, version 1: exactly the JSON format, both ways.
//!
//! Described once, by serde's derives: reading (`crate::read`, and bundles)
//! checks types and shapes only; `compile` checks every reference and
//! builds the fast form. Serializing a document gives the canonical form:
//! fixed key order, no whitespace, defaults written out.

use crate::wire::Decode;
use serde::{Deserialize, Serialize};

/// A whole ruleset. The lists after `label` may be left out (empty),
/// except `permissions`, `roles`, `home`, `routes` and `navigation`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a ruleset object")]
pub(crate) struct RulesetDoc {
    pub version: u64,
    pub name: String,
    pub label: String,
    pub products: Vec<ProductDoc>,
    #[serde(default)]
    pub plans: Vec<String>,
    #[serde(default)]
    pub environments: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub settings: Vec<String>,
    #[serde(default)]
    pub preferences: Vec<String>,
    pub permissions: PermissionsDoc,
    pub roles: Vec<RoleDoc>,
    /// Whether workspaces may define roles of their own (SPEC section 15).
    #[serde(default)]
    pub custom_roles: bool,
    #[serde(default)]
    pub conditions: Vec<NamedConditionDoc>,
    pub home: String,
    pub routes: Vec<RouteDoc>,
    pub navigation: Vec<NavDoc>,
    #[serde(default)]
    pub palette: Vec<PaletteDoc>,
    #[serde(default)]
    pub features: Vec<FeatureDoc>,
    #[serde(default)]
    pub forms: Vec<FormDoc>,
    #[serde(default)]
    pub api: Vec<EndpointDoc>,
    /// Body fields checked on every endpoint (after its own fields).
    #[serde(default)]
    pub api_fields: Vec<ApiFieldDoc>,
    #[serde(default)]
    pub sync: Vec<SyncDoc>,
    #[serde(default)]
    pub membership: MembershipDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a product object")]
pub(crate) struct ProductDoc {
    pub id: String,
    pub label: String,
    pub description: String,
    pub default: bool,
    #[serde(default)]
    pub paths: Vec<String>,
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "an object with `resources` and `actions`")]
pub(crate) struct PermissionsDoc {
    pub resources: Vec<String>,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a role object")]
pub(crate) struct RoleDoc {
    pub id: String,
    pub label: String,
    pub grants: Vec<String>,
    pub assign_requires: Option<ConditionDoc>,
    pub last_holder: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a named condition object")]
pub(crate) struct NamedConditionDoc {
    pub id: String,
    pub requires: ConditionDoc,
}

/// The condition language. Nested conditions are read with their nesting
/// bounded ([`nested`]), so that no input (a bundle's bytes, say) can
/// exhaust the stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a condition such as {\"product\": \"accounts\"}")]
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
            // The outermost condition is the first level.
            (depth + 1 < MAX_CONDITION_DEPTH).then(|| {
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

/// What reading says of conditions nested past [`MAX_CONDITION_DEPTH`].
pub(crate) const TOO_DEEP: &str = "conditions nest too deeply";

/// Reads the conditions nested in another, one level deeper.
fn nested<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    let _level = Level::enter().ok_or_else(|| <D::Error as serde::de::Error>::custom(TOO_DEEP))?;
    T::deserialize(d)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a route object")]
pub(crate) struct RouteDoc {
    pub id: String,
    pub pattern: String,
    pub title: String,
    pub requires: Option<ConditionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a navigation item object")]
pub(crate) struct NavDoc {
    pub id: String,
    pub label: String,
    pub route: String,
    pub section: String,
    pub icon: String,
    #[serde(default)]
    pub landing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a palette entry object")]
pub(crate) struct PaletteDoc {
    pub id: String,
    pub label: String,
    pub route: Option<String>,
    pub action: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub shortcut: Option<String>,
    pub requires: Option<ConditionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a feature object")]
pub(crate) struct FeatureDoc {
    pub id: String,
    pub label: String,
    pub requires: ConditionDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a form object")]
pub(crate) struct FormDoc {
    pub id: String,
    pub label: String,
    pub requires: Option<ConditionDoc>,
    pub fields: Vec<FieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a field object")]
pub(crate) struct FieldDoc {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    pub requires: Option<ConditionDoc>,
    pub options: Option<OptionsDoc>,
}

/// Where a field's options come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "`roles`, `landing_pages` or {\"values\": [...]}")]
pub(crate) enum OptionsDoc {
    /// The roles the viewing member may assign.
    Roles,
    /// The workspace's enabled main pages (navigation items marked `landing`).
    LandingPages,
    /// A fixed list.
    Values(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "an endpoint object")]
pub(crate) struct EndpointDoc {
    pub id: String,
    pub method: String,
    pub path: String,
    pub requires: Option<ConditionDoc>,
    #[serde(default)]
    pub fields: Vec<ApiFieldDoc>,
    /// The form whose fields the body carries: a server requires what the
    /// form answers as required (`View::form`).
    pub form: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "an API field object")]
pub(crate) struct ApiFieldDoc {
    pub name: String,
    pub requires: ConditionDoc,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a sync integration object")]
pub(crate) struct SyncDoc {
    pub integration: String,
    pub label: String,
    pub fields: Vec<SyncFieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a sync field object")]
pub(crate) struct SyncFieldDoc {
    pub name: String,
    pub requires: ConditionDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Decode)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(expecting = "a membership object")]
pub(crate) struct MembershipDoc {
    #[serde(default = "default_invite_days")]
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
        let read = |depth| {
            crate::wire::Reader::new(&nots(depth), MAX_CONDITION_DEPTH).last::<ConditionDoc>()
        };
        // `depth` nots and the product inside them: depth + 1 levels.
        assert!(read(MAX_CONDITION_DEPTH - 1).is_ok());
        assert!(read(MAX_CONDITION_DEPTH).is_err());
        assert!(read(1_000_000).is_err());
        // The count is given back: a shallow condition reads after a refusal.
        assert!(read(3).is_ok());
    }
}
