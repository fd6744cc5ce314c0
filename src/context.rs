//! The context: one member of one workspace, as the app or the server knows
//! them (SPEC section 3). It is plain data; [`crate::Policy::view`] checks it
//! against a ruleset.

use crate::decode::{decode, decode_json, DecodeError};
use crate::error::ContextError;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Largest context accepted as JSON text, in bytes.
pub const MAX_CONTEXT_BYTES: usize = 64 * 1024;

/// Who is asking, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a context object")]
pub struct Context {
    /// The workspace the member is in now.
    pub workspace: Workspace,
    /// The member.
    pub member: Member,
    /// Slugs of every workspace the member belongs to (the current one may
    /// be listed or not).
    #[serde(default)]
    pub memberships: Vec<String>,
    /// The member's platform, for shortcut labels.
    #[serde(default)]
    pub platform: Platform,
}

/// The current workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a workspace object")]
pub struct Workspace {
    /// Lowercase letters, digits and dashes.
    pub slug: String,
    /// Product toggles; a product not listed takes the ruleset's default.
    #[serde(default)]
    pub products: BTreeMap<String, bool>,
    /// The plan; the ruleset's lowest plan when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Feature flags on for this workspace. Flags the ruleset does not use are
    /// ignored: a flag service usually knows more flags than one ruleset.
    #[serde(default)]
    pub flags: Vec<String>,
    /// The deployment environment; the ruleset's last environment when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Workspace-level settings (what the workspace makes available).
    /// Settings the ruleset does not use are ignored.
    #[serde(default)]
    pub settings: BTreeMap<String, bool>,
}

/// The member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", expecting = "a member object")]
pub struct Member {
    /// The member's user id.
    pub user_id: String,
    /// Role ids of the ruleset.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Extra grants (custom roles), `resource:action:scope`.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// An inactive member sees nothing and is allowed nothing.
    #[serde(default = "yes")]
    pub active: bool,
    /// A navigation item id to land on at the workspace home.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing_page: Option<String>,
    /// The member's preferences. A preference is on when its value is `true`.
    /// Preferences the ruleset does not use are ignored.
    #[serde(default)]
    pub preferences: BTreeMap<String, PreferenceValue>,
}

fn yes() -> bool {
    true
}

/// The platform the member uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    rename_all = "lowercase",
    expecting = "`mac`, `ios`, `windows`, `linux`, `android` or `other`"
)]
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

impl<'de> Deserialize<'de> for PreferenceValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PreferenceValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean, number, string or null")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(PreferenceValue::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(PreferenceValue::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(PreferenceValue::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(PreferenceValue::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PreferenceValue::String(v.to_owned()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(PreferenceValue::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(PreferenceValue::Null)
            }
        }
        d.deserialize_any(V)
    }
}

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

/// An API request to check (SPEC section 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiRequest {
    /// HTTP method, e.g. `POST` (any case).
    pub method: String,
    /// Request path, e.g. `/api/contacts`; a query string is ignored.
    pub path: String,
    /// The JSON body, if any. Only its top-level keys are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}
