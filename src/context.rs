//! The context: one member of one workspace, as the app or the server knows
//! them (SPEC section 3). It is plain data; [`crate::Policy::view`] checks it
//! against a ruleset.

use crate::decode::{
    decode, decode_json, deserialize_from_json, DecodeError, FromJson, Invalid, Value,
};
use crate::error::ContextError;
use crate::json::{Json, Number};

/// Most memberships, roles, permissions, flags, settings or preferences in a
/// context (and grants in one workspace role).
pub const MAX_CONTEXT_LIST: usize = 256;
use serde::{Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Largest context accepted as JSON text, in bytes.
pub const MAX_CONTEXT_BYTES: usize = 64 * 1024;

/// Largest request description accepted as JSON text by
/// [`ApiRequest::from_json`], in bytes.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// Who is asking, and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    /// The workspace the member is in now.
    pub workspace: Workspace,
    /// The member.
    pub member: Member,
    /// Slugs of every workspace the member belongs to (the current one may
    /// be listed or not).
    pub memberships: Vec<String>,
    /// The member's platform, for shortcut labels.
    pub platform: Platform,
}

/// The current workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    /// Lowercase letters, digits and dashes.
    pub slug: String,
    /// Product toggles; a product not listed takes the ruleset's default.
    pub products: BTreeMap<String, bool>,
    /// The plan; the ruleset's lowest plan when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Feature flags on for this workspace. Flags the ruleset does not use are
    /// ignored: a flag service usually knows more flags than one ruleset.
    pub flags: Vec<String>,
    /// The deployment environment; the ruleset's last environment when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Workspace-level settings (what the workspace makes available).
    /// Settings the ruleset does not use are ignored.
    pub settings: BTreeMap<String, bool>,
    /// The workspace's own roles (SPEC section 15), which `member.roles`
    /// may name beside the ruleset's; only where the ruleset allows custom
    /// roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<CustomRole>,
}

/// A role a workspace defines: a name for a set of grants of the ruleset's
/// vocabulary. Its id is unique in the workspace and never a ruleset role's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomRole {
    /// The role's id, as `member.roles` names it.
    pub id: String,
    /// What people read.
    pub label: String,
    /// `resource:action:scope` grants.
    pub grants: Vec<String>,
}

impl FromJson for CustomRole {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a role object", |o| {
            Ok(CustomRole {
                id: o.req("id")?,
                label: o.req("label")?,
                grants: o.or_default("grants")?,
            })
        })
    }
}

/// The member.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The member's user id.
    pub user_id: String,
    /// Role ids of the ruleset.
    pub roles: Vec<String>,
    /// Extra grants (custom roles), `resource:action:scope`.
    pub permissions: Vec<String>,
    /// The ids of the teams the member belongs to: `team` scopes cover
    /// their records (SPEC section 11).
    pub teams: Vec<String>,
    /// An inactive member sees nothing and is allowed nothing.
    pub active: bool,
    /// A navigation item id to land on at the workspace home.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landing_page: Option<String>,
    /// The member's preferences. A preference is on when its value is `true`.
    /// Preferences the ruleset does not use are ignored.
    pub preferences: BTreeMap<String, PreferenceValue>,
}

/// The platform the member uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// macOS: shortcuts read `⌘K`.
    Mac,
    /// iOS and iPadOS: shortcuts read `⌘K`.
    Ios,
    /// Windows: shortcuts read `Ctrl+K`.
    Windows,
    /// Linux: shortcuts read `Ctrl+K`.
    Linux,
    /// Android: shortcuts read `Ctrl+K`.
    Android,
    /// Anything else: shortcuts read `Ctrl+K`.
    #[default]
    Other,
}

impl Platform {
    /// Every platform with its name in a context.
    pub const NAMES: [(&'static str, Platform); 6] = [
        ("mac", Platform::Mac),
        ("ios", Platform::Ios),
        ("windows", Platform::Windows),
        ("linux", Platform::Linux),
        ("android", Platform::Android),
        ("other", Platform::Other),
    ];

    /// The platform named `name` in a context (`mac`, `ios`, ...).
    pub(crate) fn from_name(name: &str) -> Option<Platform> {
        Platform::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
    }

    /// Whether shortcuts use Apple's symbols.
    pub fn is_apple(self) -> bool {
        matches!(self, Platform::Mac | Platform::Ios)
    }
}

/// A preference value: a boolean, a number, a string or null. Nested values
/// are refused, so a context can never nest deeply.
#[derive(Debug, Clone, PartialEq)]
pub enum PreferenceValue {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
}

impl PreferenceValue {
    /// Whether the preference counts as on.
    pub fn is_on(&self) -> bool {
        matches!(self, PreferenceValue::Bool(true))
    }
}

impl Serialize for PreferenceValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PreferenceValue::Null => s.serialize_unit(),
            PreferenceValue::Bool(b) => s.serialize_bool(*b),
            PreferenceValue::Number(n) => s.serialize_f64(*n),
            PreferenceValue::String(t) => s.serialize_str(t),
        }
    }
}

impl FromJson for PreferenceValue {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        Ok(match v.json() {
            Json::Null => PreferenceValue::Null,
            Json::Bool(b) => PreferenceValue::Bool(*b),
            Json::Number(Number::Unsigned(n)) => PreferenceValue::Number(*n as f64),
            Json::Number(Number::Negative(n)) => PreferenceValue::Number(*n as f64),
            Json::Number(Number::Float(n)) => PreferenceValue::Number(*n),
            Json::String(s) => PreferenceValue::String(s.to_string()),
            Json::Array(_) | Json::Object(_) => {
                return Err(v.wrong("a boolean, number, string or null"))
            }
        })
    }
}

impl FromJson for Platform {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        const EXPECTED: &str = "`mac`, `ios`, `windows`, `linux`, `android` or `other`";
        let name = v.str(EXPECTED)?;
        Platform::from_name(name).ok_or_else(|| {
            v.fail(format!(
                "unknown platform `{}`, expected {EXPECTED}",
                crate::error::clip(name)
            ))
        })
    }
}

impl FromJson for Context {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a context object", |o| {
            Ok(Context {
                workspace: o.req("workspace")?,
                member: o.req("member")?,
                memberships: o.or_default("memberships")?,
                platform: o.or_default("platform")?,
            })
        })
    }
}

impl FromJson for Workspace {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a workspace object", |o| {
            Ok(Workspace {
                slug: o.req("slug")?,
                products: o.or_default("products")?,
                plan: o.opt("plan")?,
                flags: o.or_default("flags")?,
                environment: o.opt("environment")?,
                settings: o.or_default("settings")?,
                roles: o.or_default("roles")?,
            })
        })
    }
}

impl FromJson for Member {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a member object", |o| {
            Ok(Member {
                user_id: o.req("userId")?,
                roles: o.or_default("roles")?,
                permissions: o.or_default("permissions")?,
                teams: o.or_default("teams")?,
                active: o.or("active", true)?,
                landing_page: o.opt("landingPage")?,
                preferences: o.or_default("preferences")?,
            })
        })
    }
}

impl FromJson for ApiRequest {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields(
            "a request object with `method`, `path`, `body` and `record`",
            |o| {
                Ok(ApiRequest {
                    method: o.req("method")?,
                    path: o.req("path")?,
                    body: o.opt("body")?,
                    record: o.opt("record")?,
                })
            },
        )
    }
}

// serde's `Deserialize`, by the same rules as the JSON text (SPEC 9: a server
// takes a context from JSON with any serde format).
deserialize_from_json!(
    Context,
    Workspace,
    CustomRole,
    Member,
    Platform,
    PreferenceValue,
    ApiRequest
);

impl From<DecodeError> for ContextError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Syntax(message) => ContextError::InvalidJson { message },
            DecodeError::UnknownKey { path, key } => ContextError::UnknownKey { path, key },
            DecodeError::Invalid { path, message } => ContextError::InvalidValue { path, message },
        }
    }
}

impl Context {
    /// Reads a context from JSON text, with a JSON pointer for any problem.
    pub fn from_json(text: &str) -> Result<Context, ContextError> {
        if text.len() > MAX_CONTEXT_BYTES {
            return Err(ContextError::TooLarge {
                size: text.len(),
                limit: MAX_CONTEXT_BYTES,
            });
        }
        Ok(decode_json(text)?)
    }

    /// Reads a context from any serde deserializer (for example a JavaScript
    /// value), with the same checks and pointers as [`Context::from_json`].
    pub fn deserialize_checked<'de, D>(deserializer: D) -> Result<Context, ContextError>
    where
        D: Deserializer<'de>,
        D::Error: fmt::Display,
    {
        Ok(decode(deserializer)?)
    }
}

impl ApiRequest {
    /// Reads a request description from JSON text (`{method, path, body?,
    /// record?}`), with a JSON pointer for any problem.
    pub fn from_json(text: &str) -> Result<ApiRequest, crate::QueryError> {
        if text.len() > MAX_REQUEST_BYTES {
            return Err(crate::QueryError::TooLarge {
                what: "request",
                size: text.len(),
                limit: MAX_REQUEST_BYTES,
            });
        }
        Ok(decode_json(text)?)
    }
}

/// An API request to check (SPEC section 7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiRequest {
    /// HTTP method, e.g. `POST` (any case).
    pub method: String,
    /// Request path, e.g. `/api/contacts`; a query string is ignored.
    pub path: String,
    /// The JSON body, if any. Only its top-level keys are read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// The record the request reads or changes, if any: the endpoint's
    /// permission must cover it (SPEC section 11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<crate::Record>,
}
