//! What queries answer. Every type serializes to exactly the JSON of SPEC
//! sections 5 and 10, the shapes the JavaScript API returns too. Answers
//! borrow names and links from the policy and the view, so a query allocates
//! only the answer's own containers.

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// A sidebar item the member may open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SidebarItem<'a> {
    /// Stable id, e.g. `contacts`.
    pub id: &'a str,
    /// Display label.
    pub label: &'a str,
    /// Link, e.g. `/workspace/acme/contacts`.
    pub href: &'a str,
    /// Section of the sidebar.
    pub section: &'a str,
    /// Icon name.
    pub icon: &'a str,
}

/// Kind of palette entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaletteKind {
    /// Opens a page.
    Navigate,
    /// Does something (may open a page to do it).
    Action,
}

/// A command palette entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaletteEntry<'a> {
    /// Stable id.
    pub id: &'a str,
    /// Display label.
    pub label: &'a str,
    /// Navigate or action.
    pub kind: PaletteKind,
    /// Link, for navigate entries and actions that open a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<&'a str>,
    /// Action id, for actions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'a str>,
    /// Extra words the entry is found by.
    pub keywords: &'a [String],
    /// Shortcut label for the member's platform (`⌘,` or `Ctrl+,`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<&'a str>,
    /// Match score; 0 for an empty query. Higher is better.
    pub score: u32,
}

/// Why something is hidden, refused or redirected. Serialized as its
/// `code`, its fields and its `message` (the sentence an app shows).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason<'a> {
    /// A product is turned off.
    ProductDisabled {
        /// The product id.
        product: &'a str,
        /// Its label, for the message (not serialized).
        label: &'a str,
    },
    /// A permission is missing.
    PermissionDenied {
        /// The permission, as the ruleset writes it.
        permission: &'a str,
    },
    /// The workspace's plan is too low.
    PlanRequired {
        /// The lowest plan that allows it.
        plan: &'a str,
    },
    /// A feature flag is off.
    FlagDisabled {
        /// The flag.
        flag: &'a str,
    },
    /// The deployment environment does not allow it.
    EnvironmentUnsupported {
        /// The current environment.
        environment: &'a str,
    },
    /// The workspace has not made it available.
    SettingDisabled {
        /// The workspace setting.
        setting: &'a str,
    },
    /// The member has not opted in.
    PreferenceOff {
        /// The preference.
        preference: &'a str,
    },
    /// The member belongs to too few workspaces.
    WorkspacesRequired {
        /// How many are needed.
        count: u32,
    },
    /// A `not` condition's inner condition holds.
    ConditionFailed,
    /// The member is deactivated.
    InactiveMember,
    /// The path belongs to another workspace.
    OtherWorkspace {
        /// The workspace to switch to, when the member belongs to it
        /// (serialized as `switchTo`).
        switch_to: Option<&'a str>,
    },
    /// The workspace home leads to the member's landing page.
    LandingPage,
    /// The member may open no page at all.
    NoPages,
    /// No route matches.
    NotFound,
}

impl Serialize for Reason<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code())?;
        match self {
            Reason::ProductDisabled { product, .. } => map.serialize_entry("product", product)?,
            Reason::PermissionDenied { permission } => {
                map.serialize_entry("permission", permission)?;
            }
            Reason::PlanRequired { plan } => map.serialize_entry("plan", plan)?,
            Reason::FlagDisabled { flag } => map.serialize_entry("flag", flag)?,
            Reason::EnvironmentUnsupported { environment } => {
                map.serialize_entry("environment", environment)?;
            }
            Reason::SettingDisabled { setting } => map.serialize_entry("setting", setting)?,
            Reason::PreferenceOff { preference } => {
                map.serialize_entry("preference", preference)?;
            }
            Reason::WorkspacesRequired { count } => map.serialize_entry("count", count)?,
            Reason::OtherWorkspace {
                switch_to: Some(to),
            } => {
                map.serialize_entry("switchTo", to)?;
            }
            _ => {}
        }
        map.serialize_entry("message", &self.message())?;
        map.end()
    }
}

impl Reason<'_> {
    /// The sentence an app shows a member: lowercase, naming products by
    /// their labels and everything else as the ruleset writes it.
    pub fn message(&self) -> String {
        match self {
            Reason::ProductDisabled { label, .. } => {
                format!("{label} is turned off in this workspace")
            }
            Reason::PermissionDenied { permission } => {
                format!("your role lacks the {permission} permission")
            }
            Reason::PlanRequired { plan } => format!("this needs the {plan} plan or above"),
            Reason::FlagDisabled { flag } => format!("the {flag} feature flag is off"),
            Reason::EnvironmentUnsupported { environment } => {
                format!("this is not available in the {environment} environment")
            }
            Reason::SettingDisabled { setting } => {
                format!("the workspace has not turned on {setting}")
            }
            Reason::PreferenceOff { preference } => {
                format!("you have not turned on {preference} in your preferences")
            }
            Reason::WorkspacesRequired { count } => {
                format!("this needs membership of at least {count} workspaces")
            }
            Reason::ConditionFailed => "an excluding condition holds".to_owned(),
            Reason::InactiveMember => "your membership of this workspace is deactivated".to_owned(),
            Reason::OtherWorkspace { .. } => "this belongs to another workspace".to_owned(),
            Reason::LandingPage => "the workspace home opens your landing page".to_owned(),
            Reason::NoPages => "your role may open no page".to_owned(),
            Reason::NotFound => "nothing is at this address".to_owned(),
        }
    }

    /// The stable code, as serialized.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::ProductDisabled { .. } => "product_disabled",
            Reason::PermissionDenied { .. } => "permission_denied",
            Reason::PlanRequired { .. } => "plan_required",
            Reason::FlagDisabled { .. } => "flag_disabled",
            Reason::EnvironmentUnsupported { .. } => "environment_unsupported",
            Reason::SettingDisabled { .. } => "setting_disabled",
            Reason::PreferenceOff { .. } => "preference_off",
            Reason::WorkspacesRequired { .. } => "workspaces_required",
            Reason::ConditionFailed => "condition_failed",
            Reason::InactiveMember => "inactive_member",
            Reason::OtherWorkspace { .. } => "other_workspace",
            Reason::LandingPage => "landing_page",
            Reason::NoPages => "no_pages",
            Reason::NotFound => "not_found",
        }
    }
}

/// How many parameters a [`Params`] keeps without allocating.
const INLINE_PARAMS: usize = 2;

/// Route parameters, serialized as a JSON object in pattern order. Values
/// borrow the resolved path unless it needed decoding. Up to two (as many as
/// any bundled route has) are kept inline, so resolving allocates nothing for
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params<'a> {
    len: usize,
    inline: [(&'a str, Cow<'a, str>); INLINE_PARAMS],
    more: Vec<(&'a str, Cow<'a, str>)>,
}

impl<'a> Params<'a> {
    pub(crate) fn push(&mut self, name: &'a str, value: Cow<'a, str>) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = (name, value),
            None => self.more.push((name, value)),
        }
        self.len += 1;
    }

    /// The parameters in pattern order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.inline
            .iter()
            .take(self.len)
            .chain(self.more.iter())
            .map(|(n, v)| (*n, v.as_ref()))
    }

    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The ruleset endpoint a request addresses ([`crate::Policy::endpoint`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint<'a> {
    /// The endpoint's id in the ruleset, e.g. `contacts.update`.
    pub id: &'a str,
    /// Its method as the ruleset spells it, e.g. `PATCH`.
    pub method: &'a str,
    /// Its path pattern, e.g. `/api/contacts/{id}`.
    pub pattern: &'a str,
    /// Its path parameters, e.g. `{"id": "c_1"}`.
    pub params: Params<'a>,
    /// The form whose fields its body carries (`contact`), if the ruleset
    /// names one: what a server requires of a body is what the member's
    /// view answers for that form ([`crate::View::form`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<&'a str>,
    /// Its index in the ruleset's endpoint table.
    #[serde(skip)]
    pub(crate) index: usize,
}

/// An endpoint of the ruleset's API table, as a server describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointInfo<'a> {
    /// Its id, e.g. `contacts.update`.
    pub id: &'a str,
    /// Its method as the ruleset spells it.
    pub method: &'a str,
    /// Its path pattern, e.g. `/api/contacts/{id}`.
    pub pattern: &'a str,
    /// What it requires, as the ruleset writes the condition (JSON), if
    /// anything.
    pub requires: Option<String>,
    /// The form its body fills, if the ruleset names one.
    pub form: Option<&'a str>,
    /// That form's fields, in order (empty without a form).
    pub body: Vec<BodyField<'a>>,
}

/// A field of the form an endpoint's body fills, as the ruleset writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyField<'a> {
    /// Its id, the body's key (`name`).
    pub id: &'a str,
    /// Its label (`Name`).
    pub label: &'a str,
    /// Marked required: a member whose view shows the field must fill it
    /// (a field a member's view hides is not required of them).
    pub required: bool,
}

/// What to do with a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution<'a> {
    /// Show the page.
    Allow {
        /// Route id.
        route: &'a str,
        /// Parameters, decoded.
        params: Params<'a>,
    },
    /// Go elsewhere (replace the URL). `to` is always built from the
    /// ruleset and the context's own slug: one leading `/`, same origin.
    Redirect {
        /// Where to.
        to: &'a str,
        /// Why.
        reason: Reason<'a>,
    },
    /// Show a refusal.
    Forbidden {
        /// Why.
        reason: Reason<'a>,
    },
    /// Nothing is there.
    NotFound,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormField<'a> {
    /// Field id.
    pub field: &'a str,
    /// Whether to show it.
    pub visible: bool,
    /// Whether it must be filled (never for a hidden field).
    pub required: bool,
    /// Choices, for visible fields that have them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<&'a str>>,
}

/// Whether a capability is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Feature<'a> {
    /// On or off.
    pub enabled: bool,
    /// Why it is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason<'a>>,
}

/// The verdict on an API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestCheck<'a> {
    /// Accept it.
    Ok,
    /// Refuse it.
    Denied {
        /// HTTP status: 400, 403, 404 or 405.
        status: u16,
        /// Stable code, e.g. `accounts_disabled`.
        code: &'a str,
        /// A sentence for people.
        message: Cow<'a, str>,
        /// The body field at fault.
        field: Option<&'a str>,
    },
}

impl RequestCheck<'_> {
    /// Whether the request is accepted.
    pub fn is_ok(&self) -> bool {
        matches!(self, RequestCheck::Ok)
    }
}

impl Serialize for RequestCheck<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RequestCheck::Ok => {
                let mut st = s.serialize_struct("RequestCheck", 1)?;
                st.serialize_field("ok", &true)?;
                st.end()
            }
            RequestCheck::Denied {
                status,
                code,
                message,
                field,
            } => {
                let mut st = s.serialize_struct("RequestCheck", 5)?;
                st.serialize_field("ok", &false)?;
                st.serialize_field("status", status)?;
                st.serialize_field("code", code)?;
                st.serialize_field("message", message)?;
                if let Some(f) = field {
                    st.serialize_field("field", f)?;
                } else {
                    st.skip_field("field")?;
                }
                st.end()
            }
        }
    }
}

/// Why a target is shown or allowed, or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation<'a> {
    /// Shown or allowed.
    pub allowed: bool,
    /// The conditions that failed (empty when allowed).
    pub reasons: Vec<Reason<'a>>,
}

/// A product as the Products page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductInfo<'a> {
    /// Product id.
    pub id: &'a str,
    /// Display label.
    pub label: &'a str,
    /// What it does.
    pub description: &'a str,
    /// On for a workspace that says nothing.
    pub default: bool,
}

/// What appears and disappears.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Change<'a> {
    /// Newly shown or allowed.
    pub shown: Vec<Cow<'a, str>>,
    /// Newly hidden or refused.
    pub hidden: Vec<Cow<'a, str>>,
}

impl Change<'_> {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty() && self.hidden.is_empty()
    }
}

/// What turning one product on or off changes for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductImpact<'a> {
    /// The product.
    pub product: &'a str,
    /// The new state.
    pub enabled: bool,
    /// Sidebar item ids.
    pub sidebar: Change<'a>,
    /// Palette entry ids.
    pub palette: Change<'a>,
    /// Route ids (allowed or not).
    pub routes: Change<'a>,
    /// Form fields, `form.field`.
    pub fields: Change<'a>,
    /// API endpoints (`endpoint`) and body fields (`endpoint.field`, or the
    /// bare name of a field checked on every endpoint).
    pub api: Change<'a>,
}

#[cfg(test)]
mod params_tests {
    use super::*;

    #[test]
    fn params_past_the_inline_ones_keep_their_order() {
        let mut params = Params::default();
        for (i, name) in ["slug", "a", "b", "c", "d"].into_iter().enumerate() {
            params.push(name, Cow::Owned(i.to_string()));
        }
        assert_eq!(params.len(), 5);
        let all: Vec<(&str, &str)> = params.iter().collect();
        assert_eq!(
            all,
            [
                ("slug", "0"),
                ("a", "1"),
                ("b", "2"),
                ("c", "3"),
                ("d", "4")
            ]
        );
        assert_eq!(params.get("c"), Some("3"));
        assert_eq!(
            serde_json::to_string(&params).unwrap(),
            r#"{"slug":"0","a":"1","b":"2","c":"3","d":"4"}"#
        );
    }
}
