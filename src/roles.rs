//! Workspace roles (SPEC section 15): roles a workspace defines beside the
//! ruleset's, each a name for grants of the ruleset's vocabulary. They are
//! checked and compiled to grant bitsets once, where a view (or a role
//! change) is built; queries never see them.

use crate::compiled::Compiled;
use crate::context::CustomRole;
use crate::error::{clip, ContextError, RefKind};
use crate::permission::{Grants, Permission, PermissionProblem};

/// Most roles a workspace defines.
pub const MAX_CUSTOM_ROLES: usize = 64;
/// Longest role id, in bytes.
pub const MAX_ROLE_ID_BYTES: usize = 64;

/// A workspace role, compiled: its id and its grants.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRole<'a> {
    pub id: &'a str,
    pub grants: Grants,
}

/// A JSON pointer under `base`.
fn pointer(base: &[&str], rest: &[&str]) -> String {
    let mut out = String::new();
    for token in base.iter().chain(rest) {
        crate::decode::push_token(&mut out, token);
    }
    out
}

/// A grant written `resource:action:scope`, read against the ruleset's
/// vocabulary; problems are reported at `path`.
pub(crate) fn parse_grant(
    policy: &Compiled,
    text: &str,
    path: impl FnOnce() -> String,
) -> Result<Permission, ContextError> {
    if let Some(permission) = policy.permission_table.get(text) {
        return Ok(*permission);
    }
    policy.vocab.parse(text).map_err(|p| {
        let path = path();
        match p {
            PermissionProblem::Malformed(problem) => ContextError::InvalidPermission {
                path,
                permission: clip(text),
                problem,
            },
            PermissionProblem::Unknown => ContextError::UnknownReference {
                path,
                kind: RefKind::Permission,
                name: clip(text),
            },
        }
    })
}

/// Checks a workspace's roles and compiles their grants. `base` is the
/// pointer to the list (`/workspace/roles` in a context). Every problem is a
/// typed error at its pointer: roles where the ruleset has none, too many,
/// an id that is empty, long, a ruleset role's or repeated, a grant the
/// vocabulary does not have.
pub(crate) fn compile<'a>(
    policy: &Compiled,
    roles: &'a [CustomRole],
    base: &[&str],
) -> Result<Vec<CompiledRole<'a>>, ContextError> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    if !policy.doc.custom_roles {
        return Err(ContextError::CustomRolesDisabled {
            path: pointer(base, &[]),
            ruleset: clip(&policy.doc.name),
        });
    }
    if roles.len() > MAX_CUSTOM_ROLES {
        return Err(ContextError::LimitExceeded {
            path: pointer(base, &[]),
            what: "workspace roles",
            limit: MAX_CUSTOM_ROLES,
        });
    }
    let mut out: Vec<CompiledRole<'a>> = Vec::with_capacity(roles.len());
    for (i, role) in roles.iter().enumerate() {
        let index = i.to_string();
        let at = |rest: &[&str]| {
            let mut tokens = vec![index.as_str()];
            tokens.extend_from_slice(rest);
            pointer(base, &tokens)
        };
        if role.id.is_empty() || role.id.len() > MAX_ROLE_ID_BYTES {
            return Err(ContextError::InvalidValue {
                path: at(&["id"]),
                message: format!("a role id is 1 to {MAX_ROLE_ID_BYTES} bytes"),
            });
        }
        if role.label.trim().is_empty() || role.label.chars().count() > 80 {
            return Err(ContextError::InvalidValue {
                path: at(&["label"]),
                message: "a role label is 1 to 80 characters, not only spaces".to_owned(),
            });
        }
        if policy.doc.roles.iter().any(|r| r.id == role.id) {
            return Err(ContextError::ReservedRole {
                path: at(&["id"]),
                id: clip(&role.id),
            });
        }
        if out.iter().any(|r| r.id == role.id) {
            return Err(ContextError::DuplicateRole {
                path: at(&["id"]),
                id: clip(&role.id),
            });
        }
        if role.grants.len() > crate::context::MAX_CONTEXT_LIST {
            return Err(ContextError::LimitExceeded {
                path: at(&["grants"]),
                what: "grants",
                limit: crate::context::MAX_CONTEXT_LIST,
            });
        }
        let mut grants = Grants::default();
        for (j, text) in role.grants.iter().enumerate() {
            let permission = parse_grant(policy, text, || at(&["grants", &j.to_string()]))?;
            grants.grant(&permission);
        }
        out.push(CompiledRole {
            id: &role.id,
            grants,
        });
    }
    Ok(out)
}
