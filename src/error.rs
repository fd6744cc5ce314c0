//! Errors, one enum per area: loading a ruleset, reading a context, and
//! answering a query. Every error has a stable snake_case [`code`](Error::code),
//! a lowercase message that quotes user input in backticks, and, where it
//! applies, a JSON pointer ([`path`](Error::path)) to the offending value.

use thiserror::Error;

/// What kind of name a ruleset or context referred to without defining it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A product id (`products[].id`).
    Product,
    /// A permission resource or action.
    Permission,
    /// A role id.
    Role,
    /// A route id.
    Route,
    /// A named condition.
    Condition,
    /// A plan name.
    Plan,
    /// A feature flag.
    Flag,
    /// A deployment environment.
    Environment,
    /// A workspace setting.
    Setting,
    /// A member preference.
    Preference,
    /// A navigation item (for example a landing page).
    Navigation,
    /// A form (an endpoint's `form`).
    Form,
}

impl RefKind {
    /// The word used in messages and in the `unknown_*` code.
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Product => "product",
            RefKind::Permission => "permission",
            RefKind::Role => "role",
            RefKind::Route => "route",
            RefKind::Condition => "condition",
            RefKind::Plan => "plan",
            RefKind::Flag => "flag",
            RefKind::Environment => "environment",
            RefKind::Setting => "setting",
            RefKind::Preference => "preference",
            RefKind::Navigation => "navigation item",
            RefKind::Form => "form",
        }
    }

    fn code(self) -> &'static str {
        match self {
            RefKind::Product => "unknown_product",
            RefKind::Permission => "unknown_permission",
            RefKind::Role => "unknown_role",
            RefKind::Route => "unknown_route",
            RefKind::Condition => "unknown_condition",
            RefKind::Plan => "unknown_plan",
            RefKind::Flag => "unknown_flag",
            RefKind::Environment => "unknown_environment",
            RefKind::Setting => "unknown_setting",
            RefKind::Preference => "unknown_preference",
            RefKind::Navigation => "unknown_navigation",
            RefKind::Form => "unknown_form",
        }
    }
}

/// A ruleset could not be loaded. Loading checks everything; nothing invalid
/// is ever silently accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RulesetError {
    /// The text is not JSON.
    #[error("ruleset is not valid JSON: {message}")]
    InvalidJson {
        /// The parser's description, with line and column.
        message: String,
    },
    /// The text is larger than [`crate::limits::MAX_RULESET_BYTES`].
    #[error("ruleset is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// `version` is not 1.
    #[error("unsupported ruleset version `{found}` at `{path}`; this library reads version 1")]
    UnsupportedVersion {
        /// Pointer to the value.
        path: String,
        /// The version found.
        found: u64,
    },
    /// A key that the format does not define.
    #[error("unknown key `{key}`{}", at(path))]
    UnknownKey {
        /// Pointer to the key.
        path: String,
        /// The key.
        key: String,
    },
    /// A value of the wrong type or shape.
    #[error("invalid value{}: {message}", at(path))]
    InvalidValue {
        /// Pointer to the value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Two entries of one list share an id.
    #[error("duplicate {kind} `{id}` at `{path}`")]
    DuplicateId {
        /// Pointer to the second occurrence.
        path: String,
        /// What kind of entry.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A reference to something the ruleset does not define.
    #[error("unknown {} `{name}` at `{path}`", kind.as_str())]
    UnknownReference {
        /// Pointer to the reference.
        path: String,
        /// What kind of name.
        kind: RefKind,
        /// The name.
        name: String,
    },
    /// A permission string that does not follow `resource:action:scope`.
    #[error("malformed permission `{permission}` at `{path}`: {problem}")]
    InvalidPermission {
        /// Pointer to the string.
        path: String,
        /// The string.
        permission: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A route or API path pattern that cannot be parsed.
    #[error("invalid pattern `{pattern}` at `{path}`: {problem}")]
    InvalidPattern {
        /// Pointer to the pattern.
        path: String,
        /// The pattern.
        pattern: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// Two patterns match exactly the same paths.
    #[error("pattern `{pattern}` at `{path}` collides with `{other}`")]
    RouteCollision {
        /// Pointer to the second pattern.
        path: String,
        /// The pattern.
        pattern: String,
        /// The id of the entry it collides with.
        other: String,
    },
    /// Named conditions that refer to each other in a loop.
    #[error("condition `{name}` at `{path}` refers back to itself")]
    ConditionCycle {
        /// Pointer to the reference that closes the loop.
        path: String,
        /// The condition's name.
        name: String,
    },
    /// Product fallbacks that redirect in a loop.
    #[error("fallback of product `{product}` at `{path}` leads back to a page of a product it is meant to replace")]
    RedirectCycle {
        /// Pointer to the fallback.
        path: String,
        /// The product whose fallback loops.
        product: String,
    },
    /// A link target (navigation, palette, fallback) whose pattern needs more
    /// than the workspace slug.
    #[error("route `{route}` at `{path}` cannot be linked: its pattern has parameters besides the workspace slug")]
    RouteNotLinkable {
        /// Pointer to the reference.
        path: String,
        /// The route id.
        route: String,
    },
    /// A keyboard shortcut that cannot be parsed.
    #[error("invalid shortcut `{shortcut}` at `{path}`: {problem}")]
    InvalidShortcut {
        /// Pointer to the shortcut.
        path: String,
        /// The shortcut.
        shortcut: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A list or nesting larger than the format allows.
    #[error("too many {what} at `{path}`; the limit is {limit}")]
    LimitExceeded {
        /// Pointer to the list.
        path: String,
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// [`crate::Policy::builtin`] was given a name it does not bundle.
    #[error(
        "unknown built-in ruleset `{name}`; the bundled rulesets are `harmony` and `harmonia`"
    )]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
    },
    /// Bytes that are not a bundle this library reads: damaged,
    /// truncated, of another format, or not what their header says.
    #[error("invalid bundle: {reason}")]
    InvalidBundle {
        /// What is wrong.
        reason: String,
    },
}

impl RulesetError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            RulesetError::InvalidJson { .. } => "invalid_json",
            RulesetError::TooLarge { .. } => "input_too_large",
            RulesetError::UnsupportedVersion { .. } => "unsupported_version",
            RulesetError::UnknownKey { .. } => "unknown_key",
            RulesetError::InvalidValue { .. } => "invalid_value",
            RulesetError::DuplicateId { .. } => "duplicate_id",
            RulesetError::UnknownReference { kind, .. } => kind.code(),
            RulesetError::InvalidPermission { .. } => "invalid_permission",
            RulesetError::InvalidPattern { .. } => "invalid_pattern",
            RulesetError::RouteCollision { .. } => "route_collision",
            RulesetError::ConditionCycle { .. } => "condition_cycle",
            RulesetError::RedirectCycle { .. } => "redirect_cycle",
            RulesetError::RouteNotLinkable { .. } => "route_not_linkable",
            RulesetError::InvalidShortcut { .. } => "invalid_shortcut",
            RulesetError::LimitExceeded { .. } => "limit_exceeded",
            RulesetError::InvalidBundle { .. } => "invalid_bundle",
            RulesetError::UnknownBuiltin { .. } => "unknown_builtin",
        }
    }

    /// The JSON pointer of the offending value, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            RulesetError::InvalidJson { .. }
            | RulesetError::TooLarge { .. }
            | RulesetError::UnknownBuiltin { .. }
            | RulesetError::InvalidBundle { .. } => None,
            RulesetError::UnsupportedVersion { path, .. }
            | RulesetError::UnknownKey { path, .. }
            | RulesetError::InvalidValue { path, .. }
            | RulesetError::DuplicateId { path, .. }
            | RulesetError::UnknownReference { path, .. }
            | RulesetError::InvalidPermission { path, .. }
            | RulesetError::InvalidPattern { path, .. }
            | RulesetError::RouteCollision { path, .. }
            | RulesetError::ConditionCycle { path, .. }
            | RulesetError::RedirectCycle { path, .. }
            | RulesetError::RouteNotLinkable { path, .. }
            | RulesetError::InvalidShortcut { path, .. }
            | RulesetError::LimitExceeded { path, .. } => Some(path),
        }
    }
}

/// A context (workspace, member, memberships, platform) could not be read
/// or does not fit the policy.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ContextError {
    /// The text is not JSON.
    #[error("context is not valid JSON: {message}")]
    InvalidJson {
        /// The parser's description.
        message: String,
    },
    /// A key the context format does not define.
    #[error("unknown key `{key}`{}", at(path))]
    UnknownKey {
        /// Pointer to the key.
        path: String,
        /// The key.
        key: String,
    },
    /// A value of the wrong type or shape.
    #[error("invalid value{}: {message}", at(path))]
    InvalidValue {
        /// Pointer to the value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A product, role, plan, environment, permission or landing page the
    /// policy does not define.
    #[error("unknown {} `{name}` at `{path}`", kind.as_str())]
    UnknownReference {
        /// Pointer to the value.
        path: String,
        /// What kind of name.
        kind: RefKind,
        /// The name.
        name: String,
    },
    /// A permission string that does not follow `resource:action:scope`.
    #[error("malformed permission `{permission}` at `{path}`: {problem}")]
    InvalidPermission {
        /// Pointer to the string.
        path: String,
        /// The string.
        permission: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A workspace slug that is not lowercase letters, digits and dashes.
    #[error("invalid workspace slug `{slug}` at `{path}`: use 1 to 63 lowercase letters, digits and dashes")]
    InvalidSlug {
        /// Pointer to the slug.
        path: String,
        /// The slug (shortened when long).
        slug: String,
    },
    /// A list or string longer than the limits allow.
    #[error("too many {what} at `{path}`; the limit is {limit}")]
    LimitExceeded {
        /// Pointer to the value.
        path: String,
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The context's JSON text is larger than [`crate::MAX_CONTEXT_BYTES`].
    #[error("context is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A workspace role whose id is one of the ruleset's roles.
    #[error("workspace role `{id}` at `{path}` has the id of a ruleset role; choose another id")]
    ReservedRole {
        /// Pointer to the id.
        path: String,
        /// The id.
        id: String,
    },
    /// Two workspace roles with one id.
    #[error("workspace role `{id}` at `{path}` is defined twice")]
    DuplicateRole {
        /// Pointer to the second id.
        path: String,
        /// The id.
        id: String,
    },
    /// Workspace roles given to a ruleset that has none (`customRoles`).
    #[error("the `{ruleset}` ruleset has no workspace roles; `{path}` must be empty")]
    CustomRolesDisabled {
        /// Pointer to the list.
        path: String,
        /// The ruleset's name.
        ruleset: String,
    },
}

impl ContextError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            ContextError::InvalidJson { .. } => "invalid_json",
            ContextError::UnknownKey { .. } => "unknown_key",
            ContextError::InvalidValue { .. } => "invalid_value",
            ContextError::UnknownReference { kind, .. } => kind.code(),
            ContextError::InvalidPermission { .. } => "invalid_permission",
            ContextError::InvalidSlug { .. } => "invalid_slug",
            ContextError::LimitExceeded { .. } => "limit_exceeded",
            ContextError::TooLarge { .. } => "input_too_large",
            ContextError::ReservedRole { .. } => "reserved_role",
            ContextError::DuplicateRole { .. } => "duplicate_role",
            ContextError::CustomRolesDisabled { .. } => "custom_roles_disabled",
        }
    }

    /// The JSON pointer of the offending value, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            ContextError::InvalidJson { .. } | ContextError::TooLarge { .. } => None,
            ContextError::UnknownKey { path, .. }
            | ContextError::InvalidValue { path, .. }
            | ContextError::UnknownReference { path, .. }
            | ContextError::InvalidPermission { path, .. }
            | ContextError::InvalidSlug { path, .. }
            | ContextError::LimitExceeded { path, .. }
            | ContextError::ReservedRole { path, .. }
            | ContextError::DuplicateRole { path, .. }
            | ContextError::CustomRolesDisabled { path, .. } => Some(path),
        }
    }
}

/// The input of a query (a permission, a form id, a path, a request...) is
/// not something the policy can answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A permission string that does not follow `resource:action:scope`.
    #[error("malformed permission `{permission}`: {problem}")]
    InvalidPermission {
        /// The string (shortened when long).
        permission: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A name the policy does not define.
    #[error("unknown {what} `{name}`")]
    Unknown {
        /// What kind of name: `permission`, `form`, `feature`, `integration`,
        /// `product`, `role`, `target`.
        what: &'static str,
        /// The name (shortened when long).
        name: String,
        /// Pointer into the input, when the name came from a structured input.
        path: Option<String>,
    },
    /// An `explain` target that is not `kind:name`.
    #[error("invalid explain target `{target}`: use `sidebar:`, `palette:`, `route:`, `form:`, `field:`, `feature:`, `permission:` or `api:` followed by a name")]
    InvalidTarget {
        /// The target (shortened when long).
        target: String,
    },
    /// An input larger than its limit (bytes, or keys for bodies and
    /// records).
    #[error("{what} is too large ({size}); the limit is {limit}")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A structured input of the wrong shape.
    #[error("invalid value{}: {message}", at(path))]
    InvalidValue {
        /// Pointer into the input.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A key a structured input does not define.
    #[error("unknown key `{key}`{}", at(path))]
    UnknownKey {
        /// Pointer to the key.
        path: String,
        /// The key.
        key: String,
    },
    /// Workspace roles in a request (a role change's `customRoles`) that a
    /// context would refuse: the same error, at its pointer in the request.
    #[error(transparent)]
    Roles(ContextError),
}

impl QueryError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::InvalidPermission { .. } => "invalid_permission",
            QueryError::Unknown { what, .. } => match *what {
                "permission" => "unknown_permission",
                "form" => "unknown_form",
                "feature" => "unknown_feature",
                "integration" => "unknown_integration",
                "product" => "unknown_product",
                "role" => "unknown_role",
                _ => "unknown_target",
            },
            QueryError::InvalidTarget { .. } => "invalid_target",
            QueryError::TooLarge { .. } => "input_too_large",
            QueryError::InvalidValue { .. } => "invalid_value",
            QueryError::UnknownKey { .. } => "unknown_key",
            QueryError::Roles(e) => e.code(),
        }
    }

    /// The JSON pointer of the offending value, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            QueryError::Unknown { path, .. } => path.as_deref(),
            QueryError::Roles(e) => e.path(),
            QueryError::InvalidValue { path, .. } | QueryError::UnknownKey { path, .. } => {
                Some(path)
            }
            _ => None,
        }
    }
}

/// Any error of this crate: what the JavaScript layer and the conformance
/// runner see.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A ruleset could not be loaded.
    #[error(transparent)]
    Ruleset(#[from] RulesetError),
    /// A context could not be read.
    #[error(transparent)]
    Context(#[from] ContextError),
    /// A query's input was not acceptable.
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl Error {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Ruleset(e) => e.code(),
            Error::Context(e) => e.code(),
            Error::Query(e) => e.code(),
        }
    }

    /// The JSON pointer of the offending value, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Ruleset(e) => e.path(),
            Error::Context(e) => e.path(),
            Error::Query(e) => e.path(),
        }
    }
}

/// Where, for a message: nothing at the root, else ` at `/pointer``.
fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at `{path}`")
    }
}

/// Shortens user input quoted in an error message, so that a megabyte of
/// input does not become a megabyte of message.
pub(crate) fn clip(text: &str) -> String {
    const MAX: usize = 80;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + 3);
    out.push_str(text.get(..end).unwrap_or_default());
    out.push('…');
    out
}
