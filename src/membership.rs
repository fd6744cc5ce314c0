//! Membership guards (SPEC section 10): deleting one's account, changing a
//! role, and the state of an invite.

use crate::compiled::Compiled;
use crate::condition::Facts;
use crate::decode::{deserialize_from_json, FromJson, Invalid, Pointer, Value};
use crate::error::{clip, QueryError};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Most workspaces, holders or ids in one membership request.
pub const MAX_MEMBERSHIP_LIST: usize = 1024;

/// A request to delete one's account (Workspace Settings → Danger Zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDeletion {
    /// Who wants to leave.
    pub user_id: String,
    /// What they typed; must be exactly `DELETE`.
    pub confirmation: String,
    /// Every workspace they belong to, with its active admins.
    pub memberships: Vec<WorkspaceAdmins>,
}

/// The active admins of one workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceAdmins {
    /// Workspace slug.
    pub workspace: String,
    /// User ids of its active admins (owners, in Harmonia), as the caller
    /// counts them.
    pub active_admins: Vec<String>,
    /// User ids of the active holders of each role: the policy counts as
    /// admins the holders of the ruleset's roles that have a last-holder
    /// guard (any other role, a workspace's own included, counts for
    /// nothing). Either list may be given; they add up.
    pub active_holders: BTreeMap<String, Vec<String>>,
}

/// The verdict on an account deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountDeletionCheck<'a> {
    /// It may go ahead.
    Ok,
    /// The user is the only active admin of these workspaces.
    SoleAdmin {
        /// Their slugs, in input order.
        workspaces: Vec<&'a str>,
    },
    /// The confirmation is not exactly `DELETE`.
    ConfirmationRequired,
}

impl Serialize for AccountDeletionCheck<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AccountDeletionCheck::Ok => {
                let mut st = s.serialize_struct("AccountDeletionCheck", 1)?;
                st.serialize_field("ok", &true)?;
                st.end()
            }
            AccountDeletionCheck::SoleAdmin { workspaces } => {
                let mut st = s.serialize_struct("AccountDeletionCheck", 3)?;
                st.serialize_field("ok", &false)?;
                st.serialize_field("code", "sole_admin")?;
                st.serialize_field("workspaces", workspaces)?;
                st.end()
            }
            AccountDeletionCheck::ConfirmationRequired => {
                let mut st = s.serialize_struct("AccountDeletionCheck", 2)?;
                st.serialize_field("ok", &false)?;
                st.serialize_field("code", "confirmation_required")?;
                st.end()
            }
        }
    }
}

fn check_list(len: usize, path: &str) -> Result<(), QueryError> {
    if len > MAX_MEMBERSHIP_LIST {
        return Err(QueryError::InvalidValue {
            path: path.to_owned(),
            message: format!("at most {MAX_MEMBERSHIP_LIST} entries"),
        });
    }
    Ok(())
}

/// Account deletion: blocked while the user is the only active admin of any
/// workspace they belong to (seed 001), then the confirmation must be exactly
/// `DELETE`.
pub(crate) fn check_account_deletion<'r>(
    policy: &Compiled,
    request: &'r AccountDeletion,
) -> Result<AccountDeletionCheck<'r>, QueryError> {
    check_list(request.memberships.len(), "/memberships")?;
    let mut sole = Vec::new();
    for (i, m) in request.memberships.iter().enumerate() {
        check_list(
            m.active_admins.len(),
            &format!("/memberships/{i}/activeAdmins"),
        )?;
        check_list(
            m.active_holders.len(),
            &format!("/memberships/{i}/activeHolders"),
        )?;
        let guarded = policy
            .doc
            .roles
            .iter()
            .filter(|r| r.last_holder.is_some())
            .filter_map(|r| m.active_holders.get(&r.id));
        let mut admins: Vec<&String> = m.active_admins.iter().collect();
        for holders in guarded {
            check_list(holders.len(), &format!("/memberships/{i}/activeHolders"))?;
            admins.extend(holders);
        }
        let is_admin = admins.contains(&&request.user_id);
        let others = admins.iter().any(|a| **a != request.user_id);
        if is_admin && !others {
            sole.push(m.workspace.as_str());
        }
    }
    if !sole.is_empty() {
        return Ok(AccountDeletionCheck::SoleAdmin { workspaces: sole });
    }
    if request.confirmation != "DELETE" {
        return Ok(AccountDeletionCheck::ConfirmationRequired);
    }
    Ok(AccountDeletionCheck::Ok)
}

/// Someone and their current role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleHolder {
    /// User id.
    pub user_id: String,
    /// Role id: a ruleset role, one of the workspace's `customRoles`, or
    /// `""` for a member who holds no role (only extra grants).
    pub role: String,
    /// Whether the membership is active (default `true`). A deactivated
    /// member holds nothing: giving them any role, their own included (a
    /// reactivation), is a grant like any other.
    pub active: bool,
}

/// A request to change (or remove, or deactivate) someone's role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleChange {
    /// Who makes the change.
    pub actor: RoleHolder,
    /// Whose role changes.
    pub target: RoleHolder,
    /// The new role; `null` removes or deactivates the target.
    pub new_role: Option<String>,
    /// User ids of the active holders of each role.
    pub active_holders: BTreeMap<String, Vec<String>>,
    /// The workspace's own roles (SPEC section 15), which the roles above
    /// may name.
    pub custom_roles: Vec<crate::context::CustomRole>,
}

/// A request to delete one of the workspace's own roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDeletion {
    /// The role to delete.
    pub role: String,
    /// User ids of the members who hold it (active or not).
    pub holders: Vec<String>,
    /// The workspace's own roles, the one to delete among them.
    pub custom_roles: Vec<crate::context::CustomRole>,
}

/// Accepting an invite: it makes its invitee a member with the invite's
/// role, so it is checked as the grant it is, and it never changes a
/// membership that exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteAcceptance {
    /// Who accepts: the invitee themselves, or a member acting for them.
    pub actor: RoleHolder,
    /// The role the invite offers.
    pub role: String,
    /// The user id of the account the invite's email belongs to, if one
    /// exists.
    pub invitee: Option<String>,
    /// The invitee's membership of the workspace, if they have one (its
    /// `userId` is the invitee's).
    pub membership: Option<RoleHolder>,
    /// User ids of the active holders of each role.
    pub active_holders: BTreeMap<String, Vec<String>>,
    /// The workspace's own roles.
    pub custom_roles: Vec<crate::context::CustomRole>,
}

/// The verdict on a role change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleChangeCheck {
    /// It may go ahead.
    Ok,
    /// It may not.
    Denied {
        /// `last_owner`, `last_admin` (the role's `lastHolder` code) or
        /// `permission_denied`.
        code: String,
        /// A sentence for people.
        message: String,
    },
}

impl Serialize for RoleChangeCheck {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RoleChangeCheck::Ok => {
                let mut st = s.serialize_struct("RoleChangeCheck", 1)?;
                st.serialize_field("ok", &true)?;
                st.end()
            }
            RoleChangeCheck::Denied { code, message } => {
                let mut st = s.serialize_struct("RoleChangeCheck", 3)?;
                st.serialize_field("ok", &false)?;
                st.serialize_field("code", code)?;
                st.serialize_field("message", message)?;
                st.end()
            }
        }
    }
}

/// A role a role change names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoleRef {
    /// No role at all (`""`): the member holds only extra grants.
    None,
    /// A ruleset role, by index.
    Builtin(usize),
    /// A workspace role, by index in the request's `customRoles`.
    Custom(usize),
}

fn role_index(
    policy: &Compiled,
    custom: &[crate::roles::CompiledRole<'_>],
    role: &str,
    path: &str,
) -> Result<RoleRef, QueryError> {
    if let Some(i) = policy.doc.roles.iter().position(|r| r.id == role) {
        return Ok(RoleRef::Builtin(i));
    }
    if let Some(i) = custom.iter().position(|r| r.id == role) {
        return Ok(RoleRef::Custom(i));
    }
    Err(QueryError::Unknown {
        what: "role",
        name: clip(role),
        path: Some(path.to_owned()),
    })
}

/// Role changes: the actor needs the ruleset's role-change permission;
/// granting or taking a role with `assignRequires` needs that condition
/// (only owners grant or take the owner role, in Harmonia); and nobody
/// removes, demotes or deactivates the last active holder of a role with a
/// `lastHolder` code (the last owner in Harmonia, the last admin in Harmony),
/// themselves included.
pub(crate) fn check_role_change(
    policy: &Compiled,
    request: &RoleChange,
) -> Result<RoleChangeCheck, QueryError> {
    let custom = crate::roles::compile(policy, &request.custom_roles, &["customRoles"])
        .map_err(QueryError::Roles)?;
    let actor_role = role_index(policy, &custom, &request.actor.role, "/actor/role")?;
    let stored_role = if request.target.role.is_empty() {
        RoleRef::None
    } else {
        role_index(policy, &custom, &request.target.role, "/target/role")?
    };
    // A deactivated member holds nothing: reactivating them grants their
    // role again, and takes nothing from them.
    let target_role = if request.target.active {
        stored_role
    } else {
        RoleRef::None
    };
    // `""` is no role at all, as for the target.
    let new_role = request
        .new_role
        .as_deref()
        .map(|r| match r {
            "" => Ok(RoleRef::None),
            r => role_index(policy, &custom, r, "/newRole"),
        })
        .transpose()?;
    check_list(request.active_holders.len(), "/activeHolders")?;
    for (role, holders) in &request.active_holders {
        let at = Pointer::Root.key("activeHolders").key(role).render();
        role_index(policy, &custom, role, &at)?;
        check_list(holders.len(), &at)?;
    }
    let grants_of = |role: RoleRef| match role {
        RoleRef::None => Default::default(),
        RoleRef::Builtin(i) => policy.roles.get(i).map(|r| r.grants).unwrap_or_default(),
        RoleRef::Custom(i) => custom.get(i).map(|r| r.grants).unwrap_or_default(),
    };
    let actor = Facts {
        grants: grants_of(actor_role),
        ..Facts::default()
    };
    let holds = |gate: Option<crate::condition::NodeId>| {
        gate.is_none_or(|g| policy.conditions.eval(g, &actor))
    };
    let denied = |message: String| RoleChangeCheck::Denied {
        code: "permission_denied".into(),
        message,
    };
    if new_role == Some(target_role) {
        return Ok(RoleChangeCheck::Ok);
    }
    if !holds(policy.role_change) {
        return Ok(denied(format!(
            "the `{}` role cannot change roles",
            request.actor.role
        )));
    }
    // Workspace roles have no assignment condition and no last holder.
    for r in std::iter::once(target_role).chain(new_role) {
        let RoleRef::Builtin(r) = r else { continue };
        let assign = policy.roles.get(r).and_then(|x| x.assign);
        if !holds(assign) {
            let id = policy.doc.roles.get(r).map_or("", |d| d.id.as_str());
            return Ok(denied(format!(
                "only members who may assign the `{id}` role can grant or take it"
            )));
        }
    }
    let last_holder = match target_role {
        RoleRef::Builtin(r) => policy.doc.roles.get(r).and_then(|d| d.last_holder.as_ref()),
        RoleRef::None | RoleRef::Custom(_) => None,
    };
    if let Some(code) = last_holder {
        let holders = request
            .active_holders
            .get(&request.target.role)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let target_active = holders.contains(&request.target.user_id);
        let others = holders.iter().any(|h| *h != request.target.user_id);
        if target_active && !others {
            let yourself = request.actor.user_id == request.target.user_id;
            let message = if yourself {
                format!(
                    "you are the last active `{}`; another must exist first",
                    request.target.role
                )
            } else {
                format!(
                    "`{}` is the last active `{}`",
                    clip(&request.target.user_id),
                    request.target.role
                )
            };
            return Ok(RoleChangeCheck::Denied {
                code: code.clone(),
                message,
            });
        }
    }
    Ok(RoleChangeCheck::Ok)
}

/// An invite's timestamps, in milliseconds since the epoch. A resend sets a
/// new `sentAt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    /// When it was (last) sent.
    pub sent_at: i64,
    /// When it was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<i64>,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

/// State of an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InviteState {
    /// Sent and still valid.
    Pending,
    /// Accepted before it expired.
    Accepted,
    /// Revoked before it was accepted.
    Revoked,
    /// Not accepted in time.
    Expired,
}

/// An invite's state and when it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteStatus {
    /// The state.
    pub status: InviteState,
    /// `sentAt` plus the ruleset's expiry (14 days).
    pub expires_at: i64,
}

/// JavaScript's `Date` range, in milliseconds.
const MAX_TIME: i64 = 8_640_000_000_000_000;

/// Invite state at `now`. Whichever of acceptance and revocation came first
/// counts, if it came before the invite expired; events later than `now` have
/// not happened yet.
pub(crate) fn invite_status(
    policy: &Compiled,
    invite: &Invite,
    now: i64,
) -> Result<InviteStatus, QueryError> {
    let times = [
        ("/sentAt", Some(invite.sent_at)),
        ("/acceptedAt", invite.accepted_at),
        ("/revokedAt", invite.revoked_at),
        ("/now", Some(now)),
    ];
    for (path, t) in times {
        if t.is_some_and(|t| !(-MAX_TIME..=MAX_TIME).contains(&t)) {
            return Err(QueryError::InvalidValue {
                path: path.to_owned(),
                message: "a time is milliseconds since the epoch within JavaScript's date range"
                    .into(),
            });
        }
    }
    let expires_at =
        invite.sent_at + i64::from(policy.doc.membership.invite_expiry_days) * 86_400_000;
    let happened =
        |t: Option<i64>| t.filter(|&t| t <= now && t < expires_at && t >= invite.sent_at);
    let status = match (happened(invite.accepted_at), happened(invite.revoked_at)) {
        (Some(a), Some(r)) if r < a => InviteState::Revoked,
        (Some(_), _) => InviteState::Accepted,
        (None, Some(_)) => InviteState::Revoked,
        (None, None) if now >= expires_at => InviteState::Expired,
        (None, None) => InviteState::Pending,
    };
    Ok(InviteStatus { status, expires_at })
}

impl FromJson for AccountDeletion {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("an account deletion request", |o| {
            Ok(AccountDeletion {
                user_id: o.req("userId")?,
                confirmation: o.req("confirmation")?,
                memberships: o.or_default("memberships")?,
            })
        })
    }
}

impl FromJson for WorkspaceAdmins {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields(
            "an object with `workspace` and `activeHolders` or `activeAdmins`",
            |o| {
                Ok(WorkspaceAdmins {
                    workspace: o.req("workspace")?,
                    active_admins: o.or_default("activeAdmins")?,
                    active_holders: o.or_default("activeHolders")?,
                })
            },
        )
    }
}

impl FromJson for RoleHolder {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("an object with `userId` and `role`", |o| {
            Ok(RoleHolder {
                user_id: o.req("userId")?,
                role: o.req("role")?,
                active: o.or("active", true)?,
            })
        })
    }
}

impl FromJson for RoleChange {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a role change request", |o| {
            Ok(RoleChange {
                actor: o.req("actor")?,
                target: o.req("target")?,
                new_role: o.opt("newRole")?,
                active_holders: o.or_default("activeHolders")?,
                custom_roles: o.or_default("customRoles")?,
            })
        })
    }
}

impl FromJson for Invite {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("an invite object", |o| {
            Ok(Invite {
                sent_at: o.req("sentAt")?,
                accepted_at: o.opt("acceptedAt")?,
                revoked_at: o.opt("revokedAt")?,
            })
        })
    }
}

// serde's `Deserialize`, by the same rules as the JSON text.
impl FromJson for RoleDeletion {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a role deletion request", |o| {
            Ok(RoleDeletion {
                role: o.req("role")?,
                holders: o.or_default("holders")?,
                custom_roles: o.or_default("customRoles")?,
            })
        })
    }
}

impl FromJson for InviteAcceptance {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("an invite acceptance", |o| {
            Ok(InviteAcceptance {
                actor: o.req("actor")?,
                role: o.req("role")?,
                invitee: o.opt("invitee")?,
                membership: o.opt("membership")?,
                active_holders: o.or_default("activeHolders")?,
                custom_roles: o.or_default("customRoles")?,
            })
        })
    }
}

/// Accepting an invite (SPEC section 14). An invite never rewrites a
/// membership: addressed to a member, it is refused (`already_member`)
/// unless it changes nothing. An account that exists joins only by its own
/// hand (`invitee_consent`): nobody else pulls them into a workspace. Then
/// the invite's role is granted, with the role-change check of a grant to
/// someone who holds nothing.
pub(crate) fn check_invite_acceptance(
    policy: &Compiled,
    request: &InviteAcceptance,
) -> Result<RoleChangeCheck, QueryError> {
    let custom = crate::roles::compile(policy, &request.custom_roles, &["customRoles"])
        .map_err(QueryError::Roles)?;
    role_index(policy, &custom, &request.role, "/role")?;
    if let Some(m) = &request.membership {
        if request.invitee.as_deref() != Some(m.user_id.as_str()) {
            return Err(QueryError::InvalidValue {
                path: "/membership/userId".to_owned(),
                message: "the membership must be the invitee's".to_owned(),
            });
        }
        if m.active && m.role == request.role {
            return Ok(RoleChangeCheck::Ok);
        }
        return Ok(RoleChangeCheck::Denied {
            code: "already_member".into(),
            message: format!(
                "`{}` is already a member of this workspace; change their role or activation instead",
                clip(&m.user_id)
            ),
        });
    }
    if let Some(invitee) = &request.invitee {
        if *invitee != request.actor.user_id {
            return Ok(RoleChangeCheck::Denied {
                code: "invitee_consent".into(),
                message: format!(
                    "`{}` has an account; only they can accept this invite",
                    clip(invitee)
                ),
            });
        }
        // The invitee accepting: the inviter's grant was checked when the
        // invite was made.
        return Ok(RoleChangeCheck::Ok);
    }
    check_role_change(
        policy,
        &RoleChange {
            actor: request.actor.clone(),
            target: RoleHolder {
                user_id: String::new(),
                role: String::new(),
                active: false,
            },
            new_role: Some(request.role.clone()),
            active_holders: request.active_holders.clone(),
            custom_roles: request.custom_roles.clone(),
        },
    )
}

/// Deleting a workspace role: a ruleset role cannot be deleted
/// (`builtin_role`), and a role still held cannot either (`role_in_use`,
/// naming whom it would leave without a role), so that no member silently
/// loses what they may do.
pub(crate) fn check_role_deletion(
    policy: &Compiled,
    request: &RoleDeletion,
) -> Result<RoleChangeCheck, QueryError> {
    let custom = crate::roles::compile(policy, &request.custom_roles, &["customRoles"])
        .map_err(QueryError::Roles)?;
    check_list(request.holders.len(), "/holders")?;
    match role_index(policy, &custom, &request.role, "/role")? {
        RoleRef::Builtin(_) | RoleRef::None => Ok(RoleChangeCheck::Denied {
            code: "builtin_role".into(),
            message: format!(
                "`{}` is a role of the ruleset and cannot be deleted",
                clip(&request.role)
            ),
        }),
        RoleRef::Custom(_) if !request.holders.is_empty() => {
            let names: Vec<String> = request
                .holders
                .iter()
                .take(5)
                .map(|h| format!("`{}`", clip(h)))
                .collect();
            let more = request.holders.len().saturating_sub(names.len());
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            Ok(RoleChangeCheck::Denied {
                code: "role_in_use".into(),
                message: format!(
                    "the `{}` role is held by {}{tail}; give them another role first",
                    clip(&request.role),
                    names.join(", ")
                ),
            })
        }
        RoleRef::Custom(_) => Ok(RoleChangeCheck::Ok),
    }
}

deserialize_from_json!(
    AccountDeletion,
    WorkspaceAdmins,
    RoleHolder,
    RoleChange,
    RoleDeletion,
    InviteAcceptance,
    Invite
);
