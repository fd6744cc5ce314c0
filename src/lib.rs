//! # harmony-policy
//!
//! One authoritative ruleset decides, for one member of one workspace, what
//! the Harmony app shows (sidebar, Cmd/Ctrl+K palette, pages, form fields)
//! and what its API accepts. The same crate runs natively on the server and,
//! compiled to WebAssembly, in the browser, so the two never disagree.
//!
//! ```
//! use harmony_policy::{Context, Policy, Resolution};
//!
//! let policy = Policy::builtin("harmony")?;
//! let context = Context::from_json(r#"{
//!     "workspace": { "slug": "acme", "products": { "accounts": false } },
//!     "member": { "userId": "u_1", "roles": ["member"] }
//! }"#)?;
//! let view = policy.view(&context)?;
//! assert!(view.sidebar().iter().all(|item| item.id != "accounts"));
//! match view.resolve("/workspace/acme/accounts/42")? {
//!     Resolution::Redirect { to, .. } => assert_eq!(to, "/workspace/acme/contacts"),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layout: [`Policy`] is a compiled ruleset; [`Policy::view`] compiles a
//! [`Context`] into a [`View`] that answers queries. Errors are
//! [`RulesetError`], [`ContextError`] and [`QueryError`], each with a stable
//! `code()` and a JSON pointer `path()`.

mod bundle;
#[cfg(feature = "authoring")]
mod compile;
mod compiled;
mod condition;
mod context;
mod decimal;
mod decode;
mod error;
pub mod ffi;
mod json;
mod membership;
mod model;
mod output;
mod palette;
pub mod path;
mod permission;
mod policy;
#[cfg(feature = "authoring")]
mod read;
mod record;
mod roles;
mod sort;
mod view;
mod wire;
mod write;

pub use bundle::{BUNDLE_FORMAT, BUNDLE_MAGIC};
pub use context::{
    ApiRequest, Context, CustomRole, Member, Platform, PreferenceValue, Workspace,
    MAX_CONTEXT_BYTES,
};
pub use error::{ContextError, Error, QueryError, RefKind, RulesetError};
pub use membership::{
    AccountDeletion, AccountDeletionCheck, Invite, InviteAcceptance, InviteState, InviteStatus,
    RoleChange, RoleChangeCheck, RoleDeletion, RoleHolder, WorkspaceAdmins,
};
pub use output::{
    BodyField, Change, Endpoint, EndpointInfo, Explanation, Feature, FormField, PaletteEntry,
    PaletteKind, Params, ProductImpact, ProductInfo, Reason, RequestCheck, Resolution, SidebarItem,
};
pub use permission::Scope;
pub use policy::{PermissionId, Policy, BUILTIN_NAMES, MAX_RULESET_BYTES};
pub use record::{Filter, Record};
pub use view::{View, MAX_CONTEXT_LIST, MAX_NAME_BYTES, MAX_QUERY_BYTES};

/// The JSON Schema (draft 2020-12) of the ruleset format, generated from
/// the types the format is read into, so that it cannot drift from them.
/// Editors use it for completion and checking as one types; the library's
/// own loader stays the authority (it also checks references, patterns and
/// limits, which a schema cannot say).
#[cfg(feature = "schema")]
pub fn ruleset_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(model::RulesetDoc);
    schema.insert("title".into(), "harmony-policy ruleset, version 1".into());
    schema.to_value()
}

/// Limits on inputs, in one place.
pub mod limits {
    pub use crate::compiled::{MAX_ENTRIES, MAX_NAMES};
    pub use crate::context::{MAX_CONTEXT_BYTES, MAX_REQUEST_BYTES};
    pub use crate::json::MAX_JSON_DEPTH;
    pub use crate::membership::MAX_MEMBERSHIP_LIST;
    pub use crate::model::MAX_CONDITION_DEPTH;
    pub use crate::path::{MAX_PATH_BYTES, MAX_SEGMENTS};
    pub use crate::permission::MAX_CELLS;
    pub use crate::policy::MAX_RULESET_BYTES;
    pub use crate::record::MAX_ID_BYTES;
    pub use crate::roles::{MAX_CUSTOM_ROLES, MAX_ROLE_ID_BYTES};
    pub use crate::view::{MAX_CONTEXT_LIST, MAX_NAME_BYTES, MAX_QUERY_BYTES, MAX_RECORD_KEYS};
}
