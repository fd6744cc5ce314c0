//! The ruleset document, version 1: exactly the JSON format, both ways.
//!
//! Deserializing checks types and shapes only; `compile` checks every
//! reference and builds the fast form. Serializing a document gives the
//! canonical form: fixed key order, no whitespace, defaults written out.

use serde::{Deserialize, Serialize};

/// A whole ruleset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a ruleset object")]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a product object")]
pub(crate) struct ProductDoc {
    pub id: String,
    pub label: String,
    pub description: String,
    pub default: bool,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    expecting = "an object with `resources` and `actions`"
)]
pub(crate) struct PermissionsDoc {
    pub resources: Vec<String>,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a role object")]
pub(crate) struct RoleDoc {
    pub id: String,
    pub label: String,
    pub grants: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign_requires: Option<ConditionDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_holder: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a named condition object")]
pub(crate) struct NamedConditionDoc {
    pub id: String,
    pub requires: ConditionDoc,
}

/// The condition language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "a condition such as {\"product\": \"accounts\"}"
)]
pub(crate) enum ConditionDoc {
    All(Vec<ConditionDoc>),
    Any(Vec<ConditionDoc>),
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a route object")]
pub(crate) struct RouteDoc {
    pub id: String,
    pub pattern: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<ConditionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a navigation item object")]
pub(crate) struct NavDoc {
    pub id: String,
    pub label: String,
    pub route: String,
    pub section: String,
    pub icon: String,
    #[serde(default)]
    pub landing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a palette entry object")]
pub(crate) struct PaletteDoc {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<ConditionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a feature object")]
pub(crate) struct FeatureDoc {
    pub id: String,
    pub label: String,
    pub requires: ConditionDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a form object")]
pub(crate) struct FormDoc {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<ConditionDoc>,
    pub fields: Vec<FieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a form field object")]
pub(crate) struct FieldDoc {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<ConditionDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<OptionsDoc>,
}

/// Where a field's options come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    expecting = "`roles`, `landing_pages` or {\"values\": [...]}"
)]
pub(crate) enum OptionsDoc {
    /// The roles the viewing member may assign.
    Roles,
    /// The workspace's enabled main pages (navigation items marked `landing`).
    LandingPages,
    /// A fixed list.
    Values(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an API endpoint object")]
pub(crate) struct EndpointDoc {
    pub id: String,
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<ConditionDoc>,
    #[serde(default)]
    pub fields: Vec<ApiFieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an API field object")]
pub(crate) struct ApiFieldDoc {
    pub name: String,
    pub requires: ConditionDoc,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a sync integration object")]
pub(crate) struct SyncDoc {
    pub integration: String,
    pub label: String,
    pub fields: Vec<SyncFieldDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a sync field object")]
pub(crate) struct SyncFieldDoc {
    pub name: String,
    pub requires: ConditionDoc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a membership object")]
pub(crate) struct MembershipDoc {
    #[serde(default = "default_invite_days")]
    pub invite_expiry_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
