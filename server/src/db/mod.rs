//! The store: the queries the API needs, written once for both backends
//! (SQLite, the embedded default, and PostgreSQL; see [`store`]), and the
//! seed import. Every query that reads or writes workspace data names the
//! workspace, so one workspace's rows never reach another's members.

mod postgres;
mod sqlite;
mod store;
mod value;

use harmony_policy::{Context, CustomRole, Member, Platform, PreferenceValue, Workspace};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
pub use store::{Conn, Lock, Pool};
use value::args;
pub use value::{Error, Param, Target};
use value::{Result, Row};

// ---------- sessions ----------

/// Revokes session `id` (which would expire at `expires_at`), and forgets
/// revocations of sessions that have expired by `now` anyway.
pub fn revoke_session(conn: &mut Conn, id: &str, expires_at: i64, now: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM revoked_sessions WHERE expires_at <= ?1",
        args![now],
    )?;
    conn.execute(
        "INSERT INTO revoked_sessions (id, expires_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
        args![id, expires_at],
    )?;
    Ok(())
}

/// Whether session `id` was signed out.
pub fn is_revoked(conn: &mut Conn, id: &str) -> Result<bool> {
    conn.value(
        "SELECT EXISTS (SELECT 1 FROM revoked_sessions WHERE id = ?1)",
        args![id],
    )?
    .bool(0)
}

/// The first column of each row, as text.
fn texts(rows: Vec<Row>) -> Result<Vec<String>> {
    rows.into_iter().map(|mut r| r.text(0)).collect()
}

/// The workspaces where `user` is an active member, in the order they joined.
pub fn active_workspaces(conn: &mut Conn, user: &str) -> Result<Vec<String>> {
    texts(conn.rows(
        "SELECT workspace FROM members WHERE user_id = ?1 AND active ORDER BY seq",
        args![user],
    )?)
}

/// Whether the database holds no workspace yet (a new one).
pub fn is_empty(conn: &mut Conn) -> Result<bool> {
    conn.value("SELECT NOT EXISTS (SELECT 1 FROM workspaces)", args![])?
        .bool(0)
}

// ---------- seed data ----------

/// Initial data for a new database (see `server/seed.json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    users: Vec<SeedUser>,
    workspaces: Vec<SeedWorkspace>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedUser {
    id: String,
    name: String,
    email: String,
    #[serde(default)]
    preferences: BTreeMap<String, PreferenceValue>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedWorkspace {
    slug: String,
    name: String,
    #[serde(default)]
    plan: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    settings: BTreeMap<String, bool>,
    #[serde(default)]
    products: BTreeMap<String, bool>,
    /// The members, or the members for each ruleset name.
    members: ByRuleset<SeedMember>,
    #[serde(default)]
    invites: Vec<SeedInvite>,
    #[serde(default)]
    teams: Vec<SeedTeam>,
    /// The workspace's own roles, or its roles for each ruleset name (a
    /// ruleset without custom roles takes none).
    #[serde(default)]
    roles: ByRuleset<CustomRole>,
    /// Records by kind; a record's `ownerId` and `teamId` are its owner and
    /// team.
    #[serde(default)]
    records: BTreeMap<String, Vec<Map<String, Value>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedTeam {
    id: String,
    name: String,
    #[serde(default)]
    members: Vec<String>,
}

/// A seed list for every ruleset, or one list per ruleset name.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ByRuleset<T> {
    List(Vec<T>),
    ByRuleset(BTreeMap<String, Vec<T>>),
}

impl<T> Default for ByRuleset<T> {
    fn default() -> Self {
        ByRuleset::List(Vec::new())
    }
}

impl<T> ByRuleset<T> {
    fn of(&self, ruleset: &str) -> &[T] {
        match self {
            ByRuleset::List(list) => list,
            ByRuleset::ByRuleset(by) => by.get(ruleset).map(Vec::as_slice).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedMember {
    user_id: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    landing_page: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeedInvite {
    id: String,
    email: String,
    role: String,
    #[serde(default)]
    landing_page: Option<String>,
    /// Milliseconds since the epoch, or
    #[serde(default)]
    sent_at: Option<i64>,
    /// how many days before the import it was sent.
    #[serde(default)]
    sent_days_ago: Option<i64>,
}

const DAY_MS: i64 = 86_400_000;

/// Writes seed data into an empty database, in one transaction. Members are
/// those listed for `ruleset` when the seed lists them per ruleset.
pub fn import(
    conn: &mut Conn,
    seed: &Seed,
    ruleset: &str,
    now: i64,
) -> std::result::Result<(), SeedError> {
    conn.transaction(|tx| write_seed(tx, seed, ruleset, now))
}

fn write_seed(
    tx: &mut Conn,
    seed: &Seed,
    ruleset: &str,
    now: i64,
) -> std::result::Result<(), SeedError> {
    for u in &seed.users {
        tx.execute(
            "INSERT INTO users (id, name, email, preferences) VALUES (?1, ?2, ?3, ?4)",
            args![&u.id, &u.name, &u.email, &to_text(&u.preferences)],
        )?;
    }
    for w in &seed.workspaces {
        tx.execute(
            "INSERT INTO workspaces (slug, name, plan, environment, flags, settings, products)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            args![
                &w.slug,
                &w.name,
                &w.plan,
                &w.environment,
                &to_text(&w.flags),
                &to_text(&w.settings),
                &to_text(&w.products)
            ],
        )?;
        for m in w.members.of(ruleset) {
            tx.execute(
                "INSERT INTO members (workspace, user_id, roles, permissions, active, landing_page)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![
                    &w.slug,
                    &m.user_id,
                    &to_text(&m.roles),
                    &to_text(&m.permissions),
                    m.active,
                    &m.landing_page
                ],
            )
            .map_err(|e| {
                SeedError::Invalid(format!("member `{}` of `{}`: {e}", m.user_id, w.slug))
            })?;
        }
        for i in &w.invites {
            let sent_at = match (i.sent_at, i.sent_days_ago) {
                (Some(at), None) => at,
                (None, Some(days)) => now.saturating_sub(days.saturating_mul(DAY_MS)),
                _ => {
                    return Err(SeedError::Invalid(format!(
                        "invite `{}` needs exactly one of `sentAt` and `sentDaysAgo`",
                        i.id
                    )))
                }
            };
            tx.execute(
                "INSERT INTO invites (id, workspace, email, role, landing_page, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                args![&i.id, &w.slug, &i.email, &i.role, &i.landing_page, sent_at],
            )?;
        }
        for role in w.roles.of(ruleset) {
            put_role(tx, &w.slug, role)?;
        }
        for team in &w.teams {
            tx.execute(
                "INSERT INTO teams (workspace, id, name) VALUES (?1, ?2, ?3)",
                args![&w.slug, &team.id, &team.name],
            )?;
            for user in &team.members {
                tx.execute(
                    "INSERT INTO team_members (workspace, team_id, user_id) VALUES (?1, ?2, ?3)",
                    args![&w.slug, &team.id, user],
                )?;
            }
        }
        for (kind, list) in &w.records {
            for record in list {
                let Some(Value::String(id)) = record.get("id") else {
                    return Err(SeedError::Invalid(format!(
                        "a `{kind}` record of `{}` has no string `id`",
                        w.slug
                    )));
                };
                let mut data = record.clone();
                let mut take = |key: &str| match data.remove(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s)),
                    Some(_) => Err(SeedError::Invalid(format!(
                        "`{key}` of `{kind}` record `{id}` is not a string"
                    ))),
                };
                let owner = take("ownerId")?;
                let team = take("teamId")?;
                tx.execute(
                    "INSERT INTO records (workspace, kind, id, data, owner_id, team_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    args![&w.slug, kind, id, &to_text(&data), &owner, &team],
                )?;
            }
        }
    }
    Ok(())
}

/// Why seed data was not imported.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] Error),
    /// The data is not valid.
    #[error("{0}")]
    Invalid(String),
}

fn to_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn from_text<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

// ---------- contexts ----------

/// The context of `user` in workspace `slug`, built from the database; `None`
/// when they are not a member of it. Two queries: the membership with its
/// user and workspace, then the lists (the member's teams, the workspace's
/// roles, the user's memberships) in one.
pub fn context(
    conn: &mut Conn,
    user: &str,
    slug: &str,
    platform: Platform,
) -> Result<Option<Context>> {
    let Some(mut r) = conn.row(
        "SELECT m.roles, m.permissions, m.active, m.landing_page, u.preferences,
                w.products, w.plan, w.flags, w.environment, w.settings
         FROM members m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.slug = m.workspace
         WHERE m.workspace = ?1 AND m.user_id = ?2",
        args![slug, user],
    )?
    else {
        return Ok(None);
    };
    let mut member = Member {
        user_id: user.to_owned(),
        roles: from_text(&r.text(0)?),
        permissions: from_text(&r.text(1)?),
        teams: Vec::new(),
        active: r.bool(2)?,
        landing_page: r.opt_text(3)?,
        preferences: from_text(&r.text(4)?),
    };
    let mut workspace = Workspace {
        slug: slug.to_owned(),
        products: from_text(&r.text(5)?),
        plan: r.opt_text(6)?,
        flags: from_text(&r.text(7)?),
        environment: r.opt_text(8)?,
        settings: from_text(&r.text(9)?),
        roles: Vec::new(),
    };
    let mut memberships = Vec::new();
    let lists = conn.rows(
        "SELECT 1 AS list, team_id, NULL, NULL, 0 AS position FROM team_members
             WHERE workspace = ?1 AND user_id = ?2
         UNION ALL SELECT 2, id, label, grants, rowid FROM roles WHERE workspace = ?1
         UNION ALL SELECT 3, workspace, NULL, NULL, seq FROM members WHERE user_id = ?2
         ORDER BY 1, 5, 2",
        args![slug, user],
    )?;
    for mut r in lists {
        match r.int(0)? {
            1 => member.teams.push(r.text(1)?),
            2 => workspace.roles.push(CustomRole {
                id: r.text(1)?,
                label: r.text(2)?,
                grants: from_text(&r.text(3)?),
            }),
            _ => memberships.push(r.text(1)?),
        }
    }
    Ok(Some(Context {
        workspace,
        member,
        memberships,
        platform,
    }))
}

/// The ids of the teams of `slug` that `user` belongs to.
pub fn teams_of(conn: &mut Conn, slug: &str, user: &str) -> Result<Vec<String>> {
    texts(conn.rows(
        "SELECT team_id FROM team_members WHERE workspace = ?1 AND user_id = ?2 ORDER BY team_id",
        args![slug, user],
    )?)
}

/// Slugs of the workspaces `user` belongs to, in the order they joined.
pub fn memberships(conn: &mut Conn, user: &str) -> Result<Vec<String>> {
    texts(conn.rows(
        "SELECT workspace FROM members WHERE user_id = ?1 ORDER BY seq",
        args![user],
    )?)
}

/// Every (user, workspace) membership, for checking seed data.
pub fn all_memberships(conn: &mut Conn) -> Result<Vec<(String, String)>> {
    conn.rows(
        "SELECT user_id, workspace FROM members ORDER BY seq",
        args![],
    )?
    .into_iter()
    .map(|mut r| Ok((r.text(0)?, r.text(1)?)))
    .collect()
}

// ---------- users and workspaces ----------

/// The id of the account with `email`, if one exists.
pub fn user_by_email(conn: &mut Conn, email: &str) -> Result<Option<String>> {
    conn.row("SELECT id FROM users WHERE email = ?1", args![email])?
        .map(|mut r| r.text(0))
        .transpose()
}

/// A user as the API shows them.
pub fn user(conn: &mut Conn, id: &str) -> Result<Option<Value>> {
    conn.row("SELECT id, name, email FROM users WHERE id = ?1", args![id])?
        .map(|mut r| {
            Ok(serde_json::json!({ "id": r.text(0)?, "name": r.text(1)?, "email": r.text(2)? }))
        })
        .transpose()
}

/// Every user with their memberships, for the demo's sign-in list.
pub fn users_with_memberships(conn: &mut Conn) -> Result<Vec<Value>> {
    let rows = conn.rows(
        "SELECT u.id, u.name, u.email, m.workspace, w.name, m.roles, m.active
         FROM users u JOIN members m ON m.user_id = u.id JOIN workspaces w ON w.slug = m.workspace
         ORDER BY u.rowid, m.seq",
        args![],
    )?;
    let mut out: Vec<Value> = Vec::new();
    for mut r in rows {
        let id = r.text(0)?;
        let membership = serde_json::json!({
            "workspace": r.text(3)?, "name": r.text(4)?,
            "roles": from_text::<Vec<String>>(&r.text(5)?), "active": r.bool(6)?,
        });
        match out.last_mut() {
            Some(last) if last.get("id").and_then(Value::as_str) == Some(id.as_str()) => {
                if let Some(Value::Array(list)) = last.get_mut("workspaces") {
                    list.push(membership);
                }
            }
            _ => out.push(serde_json::json!({
                "id": id, "name": r.text(1)?, "email": r.text(2)?,
                "workspaces": [membership],
            })),
        }
    }
    Ok(out)
}

/// Replaces a user's preferences.
pub fn set_preferences(
    conn: &mut Conn,
    user: &str,
    preferences: &BTreeMap<String, PreferenceValue>,
) -> Result<()> {
    conn.execute(
        "UPDATE users SET preferences = ?2 WHERE id = ?1",
        args![user, &to_text(preferences)],
    )?;
    Ok(())
}

/// The workspaces a user belongs to, with their names.
pub fn workspaces_of(conn: &mut Conn, user: &str) -> Result<Vec<Value>> {
    conn.rows(
        "SELECT w.slug, w.name FROM members m JOIN workspaces w ON w.slug = m.workspace
         WHERE m.user_id = ?1 ORDER BY m.seq",
        args![user],
    )?
    .into_iter()
    .map(|mut r| Ok(serde_json::json!({ "slug": r.text(0)?, "name": r.text(1)? })))
    .collect()
}

/// A workspace's explicit product toggles (missing ones take the ruleset
/// default).
pub fn products(conn: &mut Conn, slug: &str) -> Result<BTreeMap<String, bool>> {
    let text = match conn.row(
        "SELECT products FROM workspaces WHERE slug = ?1",
        args![slug],
    )? {
        Some(mut r) => r.text(0)?,
        None => String::new(),
    };
    Ok(from_text(&text))
}

/// Saves a workspace's product toggles. Records of a product turned off stay
/// where they are.
pub fn set_products(conn: &mut Conn, slug: &str, products: &BTreeMap<String, bool>) -> Result<()> {
    conn.execute(
        "UPDATE workspaces SET products = ?2 WHERE slug = ?1",
        args![slug, &to_text(products)],
    )?;
    Ok(())
}

// ---------- members ----------

/// One member of a workspace.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// User id.
    pub user_id: String,
    /// Role ids.
    pub roles: Vec<String>,
    /// Whether the membership is active.
    pub active: bool,
}

impl MemberRow {
    /// The member's role (members hold one role; custom grants aside).
    pub fn role(&self) -> &str {
        self.roles.first().map(String::as_str).unwrap_or("")
    }
}

/// A member of `slug`.
pub fn member(conn: &mut Conn, slug: &str, user: &str) -> Result<Option<MemberRow>> {
    conn.row(
        "SELECT roles, active FROM members WHERE workspace = ?1 AND user_id = ?2",
        args![slug, user],
    )?
    .map(|mut r| {
        Ok(MemberRow {
            user_id: user.to_owned(),
            roles: from_text(&r.text(0)?),
            active: r.bool(1)?,
        })
    })
    .transpose()
}

/// The members of `slug` with their names, as the API lists them.
pub fn members(conn: &mut Conn, slug: &str) -> Result<Vec<Value>> {
    conn.rows(
        "SELECT u.id, u.name, u.email, m.roles, m.permissions, m.active, m.landing_page
         FROM members m JOIN users u ON u.id = m.user_id WHERE m.workspace = ?1 ORDER BY m.seq",
        args![slug],
    )?
    .into_iter()
    .map(|mut r| {
        Ok(serde_json::json!({
            "userId": r.text(0)?, "name": r.text(1)?, "email": r.text(2)?,
            "roles": from_text::<Vec<String>>(&r.text(3)?),
            "permissions": from_text::<Vec<String>>(&r.text(4)?),
            "active": r.bool(5)?, "landingPage": r.opt_text(6)?,
        }))
    })
    .collect()
}

/// User ids of the active holders of each role in `slug`.
pub fn active_holders(conn: &mut Conn, slug: &str) -> Result<BTreeMap<String, Vec<String>>> {
    let rows = conn.rows(
        "SELECT user_id, roles FROM members WHERE workspace = ?1 AND active ORDER BY seq",
        args![slug],
    )?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for mut r in rows {
        let user = r.text(0)?;
        for role in from_text::<Vec<String>>(&r.text(1)?) {
            out.entry(role).or_default().push(user.clone());
        }
    }
    Ok(out)
}

// ---------- workspace roles ----------

/// The roles `slug` defines, in the order they were made.
pub fn custom_roles(conn: &mut Conn, slug: &str) -> Result<Vec<CustomRole>> {
    conn.rows(
        "SELECT id, label, grants FROM roles WHERE workspace = ?1 ORDER BY rowid",
        args![slug],
    )?
    .into_iter()
    .map(|mut r| {
        Ok(CustomRole {
            id: r.text(0)?,
            label: r.text(1)?,
            grants: from_text(&r.text(2)?),
        })
    })
    .collect()
}

/// Creates or replaces a role of `slug`.
pub fn put_role(conn: &mut Conn, slug: &str, role: &CustomRole) -> Result<()> {
    conn.execute(
        "INSERT INTO roles (workspace, id, label, grants) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (workspace, id) DO UPDATE SET label = excluded.label, grants = excluded.grants",
        args![slug, &role.id, &role.label, &to_text(&role.grants)],
    )?;
    Ok(())
}

/// Deletes a role of `slug`; false when there is none.
pub fn delete_role(conn: &mut Conn, slug: &str, id: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM roles WHERE workspace = ?1 AND id = ?2",
        args![slug, id],
    )? > 0)
}

/// The members of `slug` (active or not) who hold `role`.
pub fn holders(conn: &mut Conn, slug: &str, role: &str) -> Result<Vec<String>> {
    let rows = conn.rows(
        "SELECT user_id, roles FROM members WHERE workspace = ?1 ORDER BY seq",
        args![slug],
    )?;
    let mut out = Vec::new();
    for mut r in rows {
        if from_text::<Vec<String>>(&r.text(1)?)
            .iter()
            .any(|x| x == role)
        {
            out.push(r.text(0)?);
        }
    }
    Ok(out)
}

/// Sets a member's single role and whether they are active.
pub fn update_member(
    conn: &mut Conn,
    slug: &str,
    user: &str,
    role: &str,
    active: bool,
) -> Result<()> {
    conn.execute(
        "UPDATE members SET roles = ?3, active = ?4 WHERE workspace = ?1 AND user_id = ?2",
        args![slug, user, &to_text(&[role]), active],
    )?;
    Ok(())
}

/// Removes a user and every membership they hold.
pub fn delete_user(conn: &mut Conn, user: &str) -> Result<()> {
    conn.transaction(|tx| {
        tx.execute("DELETE FROM team_members WHERE user_id = ?1", args![user])?;
        tx.execute("DELETE FROM members WHERE user_id = ?1", args![user])?;
        tx.execute("DELETE FROM users WHERE id = ?1", args![user])?;
        Ok(())
    })
}

/// Removes a member from `slug` (and from its teams): they lose access at
/// once. The records they own stay, and stay theirs.
pub fn remove_member(conn: &mut Conn, slug: &str, user: &str) -> Result<bool> {
    conn.transaction(|tx| {
        tx.execute(
            "DELETE FROM team_members WHERE workspace = ?1 AND user_id = ?2",
            args![slug, user],
        )?;
        let n = tx.execute(
            "DELETE FROM members WHERE workspace = ?1 AND user_id = ?2",
            args![slug, user],
        )?;
        Ok(n > 0)
    })
}

// ---------- invites ----------

/// An invite row.
#[derive(Debug, Clone)]
pub struct InviteRow {
    /// Invite id.
    pub id: String,
    /// Who is invited.
    pub email: String,
    /// The role they get.
    pub role: String,
    /// Their landing page, if the invite names one.
    pub landing_page: Option<String>,
    /// The policy's view of its timestamps.
    pub times: harmony_policy::Invite,
}

fn invite_row(mut r: Row) -> Result<InviteRow> {
    Ok(InviteRow {
        id: r.text(0)?,
        email: r.text(1)?,
        role: r.text(2)?,
        landing_page: r.opt_text(3)?,
        times: harmony_policy::Invite {
            sent_at: r.int(4)?,
            accepted_at: r.opt_int(5)?,
            revoked_at: r.opt_int(6)?,
        },
    })
}

/// The invites of `slug`, oldest first.
pub fn invites(conn: &mut Conn, slug: &str) -> Result<Vec<InviteRow>> {
    conn.rows(
        "SELECT id, email, role, landing_page, sent_at, accepted_at, revoked_at
         FROM invites WHERE workspace = ?1 ORDER BY rowid",
        args![slug],
    )?
    .into_iter()
    .map(invite_row)
    .collect()
}

/// One invite of `slug`.
pub fn invite(conn: &mut Conn, slug: &str, id: &str) -> Result<Option<InviteRow>> {
    conn.row(
        "SELECT id, email, role, landing_page, sent_at, accepted_at, revoked_at
         FROM invites WHERE workspace = ?1 AND id = ?2",
        args![slug, id],
    )?
    .map(invite_row)
    .transpose()
}

/// Stores a new invite.
pub fn insert_invite(conn: &mut Conn, slug: &str, invite: &InviteRow) -> Result<()> {
    conn.execute(
        "INSERT INTO invites (id, workspace, email, role, landing_page, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![&invite.id, slug, &invite.email, &invite.role, &invite.landing_page, invite.times.sent_at],
    )?;
    Ok(())
}

/// Saves an invite's timestamps.
pub fn set_invite_times(
    conn: &mut Conn,
    slug: &str,
    id: &str,
    times: &harmony_policy::Invite,
) -> Result<()> {
    conn.execute(
        "UPDATE invites SET sent_at = ?3, accepted_at = ?4, revoked_at = ?5 WHERE workspace = ?1 AND id = ?2",
        args![slug, id, times.sent_at, times.accepted_at, times.revoked_at],
    )?;
    Ok(())
}

/// Accepts an invite: the user (found by email, or created) joins the
/// workspace with the invite's role and landing page, in one transaction.
pub fn accept_invite(
    conn: &mut Conn,
    slug: &str,
    invite: &InviteRow,
    new_user_id: &str,
    now: i64,
) -> Result<String> {
    conn.transaction(|tx| {
        let user = match user_by_email(tx, &invite.email)? {
            Some(id) => id,
            None => {
                let name = invite.email.split('@').next().unwrap_or(&invite.email);
                tx.execute(
                    "INSERT INTO users (id, name, email) VALUES (?1, ?2, ?3)",
                    args![new_user_id, name, &invite.email],
                )?;
                new_user_id.to_owned()
            }
        };
        // A membership that exists stays as it is (the policy let the invite
        // through only if it changes nothing).
        tx.execute(
            "INSERT INTO members (workspace, user_id, roles, active, landing_page) VALUES (?1, ?2, ?3, TRUE, ?4)
             ON CONFLICT (workspace, user_id) DO NOTHING",
            args![slug, &user, &to_text(&[&invite.role]), &invite.landing_page],
        )?;
        tx.execute(
            "UPDATE invites SET accepted_at = ?3 WHERE workspace = ?1 AND id = ?2",
            args![slug, &invite.id, now],
        )?;
        Ok(user)
    })
}

// ---------- records (contacts, accounts, projects, ...) ----------

/// A stored record: its fields, and its owner and team (kept in their own
/// columns, so that lists filter by them in SQL).
#[derive(Debug, Clone)]
pub struct RecordRow {
    /// The record's fields, its `id` among them.
    pub data: Map<String, Value>,
    /// Who owns it (`None` for records stored before owners existed).
    pub owner_id: Option<String>,
    /// Its team, if any.
    pub team_id: Option<String>,
}

impl RecordRow {
    /// The record as a scope sees it.
    pub fn scope(&self) -> harmony_policy::Record {
        harmony_policy::Record::new(self.owner_id.as_deref(), self.team_id.as_deref())
    }

    /// The record as the API shows it: its fields with `ownerId` and
    /// `teamId`.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut out = self.data.clone();
        let id = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        out.insert("ownerId".into(), id(&self.owner_id));
        out.insert("teamId".into(), id(&self.team_id));
        out
    }
}

fn record_row(r: &mut Row) -> Result<RecordRow> {
    Ok(RecordRow {
        data: from_text(&r.text(0)?),
        owner_id: r.opt_text(1)?,
        team_id: r.opt_text(2)?,
    })
}

/// ` AND (owner_id IN (?, ...) OR team_id IN (?, ...))` for a filter that
/// does not select everything, its values appended to `args`.
fn scope_clause<'a>(filter: &harmony_policy::Filter<'a>, args: &mut Vec<Param<'a>>) -> String {
    if filter.all {
        return String::new();
    }
    let marks = |n: usize| vec!["?"; n].join(", ");
    args.extend(filter.owner_ids.iter().map(|s| Param::from(*s)));
    args.extend(filter.team_ids.iter().map(|s| Param::from(*s)));
    // An empty list selects nothing (`IN (NULL)` is never true).
    let list = |n: usize| if n == 0 { "NULL".to_owned() } else { marks(n) };
    format!(
        " AND (owner_id IN ({}) OR team_id IN ({}))",
        list(filter.owner_ids.len()),
        list(filter.team_ids.len())
    )
}

/// At most `limit` records of one kind in `slug` that `filter` selects (the
/// policy's answer for the member's read scope), oldest first, after the
/// cursor `after` (0 for the first page), with the cursor of the next page
/// when there is one. The filter becomes the query's `WHERE`: rows outside
/// it are never read.
pub fn records(
    conn: &mut Conn,
    slug: &str,
    kind: &str,
    filter: &harmony_policy::Filter<'_>,
    after: i64,
    limit: usize,
) -> Result<(Vec<RecordRow>, Option<i64>)> {
    if !filter.all && filter.owner_ids.is_empty() && filter.team_ids.is_empty() {
        return Ok((Vec::new(), None));
    }
    let mut args: Vec<Param<'_>> = vec![slug.into(), kind.into(), after.into()];
    let scope = scope_clause(filter, &mut args);
    let sql = format!(
        "SELECT data, owner_id, team_id, seq FROM records
         WHERE workspace = ? AND kind = ? AND seq > ?{scope} ORDER BY seq LIMIT ?"
    );
    // One more than asked for says whether a next page exists.
    args.push(
        i64::try_from(limit.saturating_add(1))
            .unwrap_or(i64::MAX)
            .into(),
    );
    let mut page = conn
        .rows(&sql, &args)?
        .into_iter()
        .map(|mut r| Ok((record_row(&mut r)?, r.int(3)?)))
        .collect::<Result<Vec<(RecordRow, i64)>>>()?;
    let next = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|(_, seq)| *seq)
    } else {
        None
    };
    Ok((page.into_iter().map(|(row, _)| row).collect(), next))
}

/// One record of `slug`.
pub fn record(conn: &mut Conn, slug: &str, kind: &str, id: &str) -> Result<Option<RecordRow>> {
    conn.row(
        "SELECT data, owner_id, team_id FROM records WHERE workspace = ?1 AND kind = ?2 AND id = ?3",
        args![slug, kind, id],
    )?
    .map(|mut r| record_row(&mut r))
    .transpose()
}

/// Whether `slug` holds a record of `kind` with this id.
pub fn record_exists(conn: &mut Conn, slug: &str, kind: &str, id: &str) -> Result<bool> {
    conn.value(
        "SELECT EXISTS (SELECT 1 FROM records WHERE workspace = ?1 AND kind = ?2 AND id = ?3)",
        args![slug, kind, id],
    )?
    .bool(0)
}

/// Inserts or replaces a record (its `id` field is its key) with its owner
/// and team.
pub fn put_record(
    conn: &mut Conn,
    slug: &str,
    kind: &str,
    id: &str,
    row: &RecordRow,
) -> Result<()> {
    conn.execute(
        "INSERT INTO records (workspace, kind, id, data, owner_id, team_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (workspace, kind, id) DO UPDATE SET
             data = excluded.data, owner_id = excluded.owner_id, team_id = excluded.team_id",
        args![slug, kind, id, &to_text(&row.data), &row.owner_id, &row.team_id],
    )?;
    Ok(())
}

/// Deletes a record; whether there was one.
pub fn delete_record(conn: &mut Conn, slug: &str, kind: &str, id: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM records WHERE workspace = ?1 AND kind = ?2 AND id = ?3",
        args![slug, kind, id],
    )? > 0)
}

/// How many records of a kind `slug` holds.
pub fn count(conn: &mut Conn, slug: &str, kind: &str) -> Result<i64> {
    conn.value(
        "SELECT COUNT(*) FROM records WHERE workspace = ?1 AND kind = ?2",
        args![slug, kind],
    )?
    .int(0)
}

/// How many records of each kind each member of `slug` owns: the
/// assignment counts of the Team / Users page.
pub fn assignments(conn: &mut Conn, slug: &str) -> Result<BTreeMap<String, BTreeMap<String, i64>>> {
    let rows = conn.rows(
        "SELECT owner_id, kind, COUNT(*) FROM records
         WHERE workspace = ?1 AND owner_id IS NOT NULL GROUP BY owner_id, kind",
        args![slug],
    )?;
    let mut out: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for mut r in rows {
        out.entry(r.text(0)?)
            .or_default()
            .insert(r.text(1)?, r.int(2)?);
    }
    Ok(out)
}

/// Gives the records of `kinds` that `from` owns in `slug` to `to`, each
/// kind's only where `filter` (what the acting member may update of that
/// kind) selects it; how many moved, by kind. One transaction: all or none.
pub fn reassign(
    conn: &mut Conn,
    slug: &str,
    from: &str,
    to: &str,
    kinds: &[(&str, harmony_policy::Filter<'_>)],
) -> Result<BTreeMap<String, usize>> {
    conn.transaction(|tx| {
        let mut moved = BTreeMap::new();
        for (kind, filter) in kinds {
            if !filter.all && filter.owner_ids.is_empty() && filter.team_ids.is_empty() {
                continue;
            }
            let mut args: Vec<Param<'_>> = vec![to.into(), slug.into(), kind.into(), from.into()];
            let scope = scope_clause(filter, &mut args);
            let sql = format!(
                "UPDATE records SET owner_id = ? WHERE workspace = ? AND kind = ? AND owner_id = ?{scope}"
            );
            let n = tx.execute(&sql, &args)?;
            if n > 0 {
                moved.insert((*kind).to_owned(), usize::try_from(n).unwrap_or(usize::MAX));
            }
        }
        Ok(moved)
    })
}

// ---------- teams ----------

/// The teams of `slug` with their members' user ids.
pub fn teams(conn: &mut Conn, slug: &str) -> Result<Vec<Value>> {
    let rows = conn.rows(
        "SELECT t.id, t.name, tm.user_id FROM teams t
         LEFT JOIN team_members tm ON tm.workspace = t.workspace AND tm.team_id = t.id
         WHERE t.workspace = ?1 ORDER BY t.rowid, tm.rowid",
        args![slug],
    )?;
    let mut out: Vec<Value> = Vec::new();
    for mut r in rows {
        let id = r.text(0)?;
        let member = r.opt_text(2)?;
        if out.last().and_then(|t| t.get("id")).and_then(Value::as_str) != Some(id.as_str()) {
            out.push(serde_json::json!({ "id": id, "name": r.text(1)?, "members": [] }));
        }
        if let (Some(m), Some(Value::Array(list))) =
            (member, out.last_mut().and_then(|t| t.get_mut("members")))
        {
            list.push(Value::String(m));
        }
    }
    Ok(out)
}

/// Whether `slug` has a team with this id.
pub fn team_exists(conn: &mut Conn, slug: &str, id: &str) -> Result<bool> {
    conn.value(
        "SELECT EXISTS (SELECT 1 FROM teams WHERE workspace = ?1 AND id = ?2)",
        args![slug, id],
    )?
    .bool(0)
}

/// Creates a team.
pub fn insert_team(conn: &mut Conn, slug: &str, id: &str, name: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO teams (workspace, id, name) VALUES (?1, ?2, ?3)",
        args![slug, id, name],
    )?;
    Ok(())
}

/// Renames a team; whether there was one.
pub fn rename_team(conn: &mut Conn, slug: &str, id: &str, name: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE teams SET name = ?3 WHERE workspace = ?1 AND id = ?2",
        args![slug, id, name],
    )? > 0)
}

/// Deletes a team and its memberships; its records keep their `team_id`
/// (reachable at `all` scope). Whether there was one.
pub fn delete_team(conn: &mut Conn, slug: &str, id: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM teams WHERE workspace = ?1 AND id = ?2",
        args![slug, id],
    )? > 0)
}

/// Puts a member in a team (nothing if they are in it).
pub fn add_team_member(conn: &mut Conn, slug: &str, team: &str, user: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO team_members (workspace, team_id, user_id) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        args![slug, team, user],
    )?;
    Ok(())
}

/// Takes a member out of a team; whether they were in it.
pub fn remove_team_member(conn: &mut Conn, slug: &str, team: &str, user: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM team_members WHERE workspace = ?1 AND team_id = ?2 AND user_id = ?3",
        args![slug, team, user],
    )? > 0)
}
