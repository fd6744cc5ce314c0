//! The SQLite store: schema and migrations, seed import, and the queries the
//! API needs. Every query that reads or writes workspace data names the
//! workspace, so one workspace's rows never reach another's members.

use crate::error::StartError;
use harmony_policy::{Context, Member, Platform, PreferenceValue, Workspace};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Migrations, in order; `PRAGMA user_version` counts the applied ones.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE,
    preferences TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE workspaces (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    plan        TEXT,
    environment TEXT,
    flags       TEXT NOT NULL DEFAULT '[]',
    settings    TEXT NOT NULL DEFAULT '{}',
    products    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE members (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace    TEXT NOT NULL REFERENCES workspaces(slug),
    user_id      TEXT NOT NULL REFERENCES users(id),
    roles        TEXT NOT NULL DEFAULT '[]',
    permissions  TEXT NOT NULL DEFAULT '[]',
    active       INTEGER NOT NULL DEFAULT 1,
    landing_page TEXT,
    UNIQUE (workspace, user_id)
);
CREATE TABLE invites (
    id           TEXT PRIMARY KEY,
    workspace    TEXT NOT NULL REFERENCES workspaces(slug),
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    landing_page TEXT,
    sent_at      INTEGER NOT NULL,
    accepted_at  INTEGER,
    revoked_at   INTEGER
);
CREATE TABLE records (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL REFERENCES workspaces(slug),
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    data      TEXT NOT NULL,
    UNIQUE (workspace, kind, id)
);
"#];

/// Opens (creating if needed) and migrates the database file.
pub fn open(path: &std::path::Path) -> Result<Connection, StartError> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StartError> {
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(StartError::Seed(format!(
            "the database is at schema version {applied}, newer than this server ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Whether the database holds no workspace yet (a new file).
pub fn is_empty(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM workspaces)", [], |r| {
        r.get(0)
    })
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
    members: SeedMembers,
    #[serde(default)]
    invites: Vec<SeedInvite>,
    #[serde(default)]
    records: BTreeMap<String, Vec<Map<String, Value>>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SeedMembers {
    List(Vec<SeedMember>),
    ByRuleset(BTreeMap<String, Vec<SeedMember>>),
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
    conn: &mut Connection,
    seed: &Seed,
    ruleset: &str,
    now: i64,
) -> Result<(), StartError> {
    let tx = conn.transaction()?;
    for u in &seed.users {
        tx.execute(
            "INSERT INTO users (id, name, email, preferences) VALUES (?1, ?2, ?3, ?4)",
            params![u.id, u.name, u.email, to_text(&u.preferences)],
        )?;
    }
    for w in &seed.workspaces {
        tx.execute(
            "INSERT INTO workspaces (slug, name, plan, environment, flags, settings, products)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                w.slug,
                w.name,
                w.plan,
                w.environment,
                to_text(&w.flags),
                to_text(&w.settings),
                to_text(&w.products)
            ],
        )?;
        let members = match &w.members {
            SeedMembers::List(list) => list.as_slice(),
            SeedMembers::ByRuleset(by) => by.get(ruleset).map(Vec::as_slice).unwrap_or_default(),
        };
        for m in members {
            tx.execute(
                "INSERT INTO members (workspace, user_id, roles, permissions, active, landing_page)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    w.slug,
                    m.user_id,
                    to_text(&m.roles),
                    to_text(&m.permissions),
                    m.active,
                    m.landing_page
                ],
            )
            .map_err(|e| {
                StartError::Seed(format!("member `{}` of `{}`: {e}", m.user_id, w.slug))
            })?;
        }
        for i in &w.invites {
            let sent_at = match (i.sent_at, i.sent_days_ago) {
                (Some(at), None) => at,
                (None, Some(days)) => now.saturating_sub(days.saturating_mul(DAY_MS)),
                _ => {
                    return Err(StartError::Seed(format!(
                        "invite `{}` needs exactly one of `sentAt` and `sentDaysAgo`",
                        i.id
                    )))
                }
            };
            tx.execute(
                "INSERT INTO invites (id, workspace, email, role, landing_page, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![i.id, w.slug, i.email, i.role, i.landing_page, sent_at],
            )?;
        }
        for (kind, list) in &w.records {
            for record in list {
                let Some(Value::String(id)) = record.get("id") else {
                    return Err(StartError::Seed(format!(
                        "a `{kind}` record of `{}` has no string `id`",
                        w.slug
                    )));
                };
                tx.execute(
                    "INSERT INTO records (workspace, kind, id, data) VALUES (?1, ?2, ?3, ?4)",
                    params![w.slug, kind, id, to_text(record)],
                )?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn to_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn from_text<T: serde::de::DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

// ---------- contexts ----------

/// The context of `user` in workspace `slug`, built from the database; `None`
/// when they are not a member of it.
pub fn context(
    conn: &Connection,
    user: &str,
    slug: &str,
    platform: Platform,
) -> rusqlite::Result<Option<Context>> {
    let member = conn
        .query_row(
            "SELECT m.roles, m.permissions, m.active, m.landing_page, u.preferences,
                    w.products, w.plan, w.flags, w.environment, w.settings
             FROM members m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.slug = m.workspace
             WHERE m.workspace = ?1 AND m.user_id = ?2",
            params![slug, user],
            |r| {
                Ok((
                    Member {
                        user_id: user.to_owned(),
                        roles: from_text(&r.get::<_, String>(0)?),
                        permissions: from_text(&r.get::<_, String>(1)?),
                        active: r.get(2)?,
                        landing_page: r.get(3)?,
                        preferences: from_text(&r.get::<_, String>(4)?),
                    },
                    Workspace {
                        slug: slug.to_owned(),
                        products: from_text(&r.get::<_, String>(5)?),
                        plan: r.get(6)?,
                        flags: from_text(&r.get::<_, String>(7)?),
                        environment: r.get(8)?,
                        settings: from_text(&r.get::<_, String>(9)?),
                    },
                ))
            },
        )
        .optional()?;
    let Some((member, workspace)) = member else {
        return Ok(None);
    };
    Ok(Some(Context {
        workspace,
        member,
        memberships: memberships(conn, user)?,
        platform,
    }))
}

/// Slugs of the workspaces `user` belongs to, in the order they joined.
pub fn memberships(conn: &Connection, user: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT workspace FROM members WHERE user_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([user], |r| r.get(0))?;
    rows.collect()
}

/// Every (user, workspace) membership, for checking seed data.
pub fn all_memberships(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT user_id, workspace FROM members ORDER BY seq")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

// ---------- users and workspaces ----------

/// A user as the API shows them.
pub fn user(conn: &Connection, id: &str) -> rusqlite::Result<Option<Value>> {
    conn.query_row(
        "SELECT id, name, email FROM users WHERE id = ?1",
        [id],
        |r| {
            Ok(serde_json::json!({
                "id": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?, "email": r.get::<_, String>(2)?
            }))
        },
    )
    .optional()
}

/// Every user with their memberships, for the demo's sign-in list.
pub fn users_with_memberships(conn: &Connection) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT u.id, u.name, u.email, m.workspace, w.name, m.roles, m.active
         FROM users u JOIN members m ON m.user_id = u.id JOIN workspaces w ON w.slug = m.workspace
         ORDER BY u.rowid, m.seq",
    )?;
    let mut out: Vec<Value> = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let membership = serde_json::json!({
            "workspace": r.get::<_, String>(3)?, "name": r.get::<_, String>(4)?,
            "roles": from_text::<Vec<String>>(&r.get::<_, String>(5)?), "active": r.get::<_, bool>(6)?,
        });
        match out.last_mut() {
            Some(last) if last.get("id").and_then(Value::as_str) == Some(id.as_str()) => {
                if let Some(Value::Array(list)) = last.get_mut("workspaces") {
                    list.push(membership);
                }
            }
            _ => out.push(serde_json::json!({
                "id": id, "name": r.get::<_, String>(1)?, "email": r.get::<_, String>(2)?,
                "workspaces": [membership],
            })),
        }
    }
    Ok(out)
}

/// Replaces a user's preferences.
pub fn set_preferences(
    conn: &Connection,
    user: &str,
    preferences: &BTreeMap<String, PreferenceValue>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET preferences = ?2 WHERE id = ?1",
        params![user, to_text(preferences)],
    )?;
    Ok(())
}

/// The workspaces a user belongs to, with their names.
pub fn workspaces_of(conn: &Connection, user: &str) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT w.slug, w.name FROM members m JOIN workspaces w ON w.slug = m.workspace
         WHERE m.user_id = ?1 ORDER BY m.seq",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok(serde_json::json!({ "slug": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)? }))
    })?;
    rows.collect()
}

/// A workspace's explicit product toggles (missing ones take the ruleset
/// default).
pub fn products(conn: &Connection, slug: &str) -> rusqlite::Result<BTreeMap<String, bool>> {
    let text: String = conn.query_row(
        "SELECT products FROM workspaces WHERE slug = ?1",
        [slug],
        |r| r.get(0),
    )?;
    Ok(from_text(&text))
}

/// Saves a workspace's product toggles. Records of a product turned off stay
/// where they are.
pub fn set_products(
    conn: &Connection,
    slug: &str,
    products: &BTreeMap<String, bool>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE workspaces SET products = ?2 WHERE slug = ?1",
        params![slug, to_text(products)],
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
pub fn member(conn: &Connection, slug: &str, user: &str) -> rusqlite::Result<Option<MemberRow>> {
    conn.query_row(
        "SELECT roles, active FROM members WHERE workspace = ?1 AND user_id = ?2",
        params![slug, user],
        |r| {
            Ok(MemberRow {
                user_id: user.to_owned(),
                roles: from_text(&r.get::<_, String>(0)?),
                active: r.get(1)?,
            })
        },
    )
    .optional()
}

/// The members of `slug` with their names, as the API lists them.
pub fn members(conn: &Connection, slug: &str) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare(
        "SELECT u.id, u.name, u.email, m.roles, m.permissions, m.active, m.landing_page
         FROM members m JOIN users u ON u.id = m.user_id WHERE m.workspace = ?1 ORDER BY m.seq",
    )?;
    let rows = stmt.query_map([slug], |r| {
        Ok(serde_json::json!({
            "userId": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?, "email": r.get::<_, String>(2)?,
            "roles": from_text::<Vec<String>>(&r.get::<_, String>(3)?),
            "permissions": from_text::<Vec<String>>(&r.get::<_, String>(4)?),
            "active": r.get::<_, bool>(5)?, "landingPage": r.get::<_, Option<String>>(6)?,
        }))
    })?;
    rows.collect()
}

/// User ids of the active holders of each role in `slug`.
pub fn active_holders(
    conn: &Connection,
    slug: &str,
) -> rusqlite::Result<BTreeMap<String, Vec<String>>> {
    let mut stmt = conn.prepare(
        "SELECT user_id, roles FROM members WHERE workspace = ?1 AND active ORDER BY seq",
    )?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut rows = stmt.query([slug])?;
    while let Some(r) = rows.next()? {
        let user: String = r.get(0)?;
        for role in from_text::<Vec<String>>(&r.get::<_, String>(1)?) {
            out.entry(role).or_default().push(user.clone());
        }
    }
    Ok(out)
}

/// Sets a member's single role and whether they are active.
pub fn update_member(
    conn: &Connection,
    slug: &str,
    user: &str,
    role: &str,
    active: bool,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE members SET roles = ?3, active = ?4 WHERE workspace = ?1 AND user_id = ?2",
        params![slug, user, to_text(&[role]), active],
    )?;
    Ok(())
}

/// Removes a user and every membership they hold.
pub fn delete_user(conn: &mut Connection, user: &str) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM members WHERE user_id = ?1", [user])?;
    tx.execute("DELETE FROM users WHERE id = ?1", [user])?;
    tx.commit()
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

fn invite_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InviteRow> {
    Ok(InviteRow {
        id: r.get(0)?,
        email: r.get(1)?,
        role: r.get(2)?,
        landing_page: r.get(3)?,
        times: harmony_policy::Invite {
            sent_at: r.get(4)?,
            accepted_at: r.get(5)?,
            revoked_at: r.get(6)?,
        },
    })
}

const INVITE_COLUMNS: &str = "id, email, role, landing_page, sent_at, accepted_at, revoked_at";

/// The invites of `slug`, oldest first.
pub fn invites(conn: &Connection, slug: &str) -> rusqlite::Result<Vec<InviteRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites WHERE workspace = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([slug], invite_row)?;
    rows.collect()
}

/// One invite of `slug`.
pub fn invite(conn: &Connection, slug: &str, id: &str) -> rusqlite::Result<Option<InviteRow>> {
    conn.query_row(
        &format!("SELECT {INVITE_COLUMNS} FROM invites WHERE workspace = ?1 AND id = ?2"),
        params![slug, id],
        invite_row,
    )
    .optional()
}

/// Stores a new invite.
pub fn insert_invite(conn: &Connection, slug: &str, invite: &InviteRow) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO invites (id, workspace, email, role, landing_page, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![invite.id, slug, invite.email, invite.role, invite.landing_page, invite.times.sent_at],
    )?;
    Ok(())
}

/// Saves an invite's timestamps.
pub fn set_invite_times(
    conn: &Connection,
    slug: &str,
    id: &str,
    times: &harmony_policy::Invite,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE invites SET sent_at = ?3, accepted_at = ?4, revoked_at = ?5 WHERE workspace = ?1 AND id = ?2",
        params![slug, id, times.sent_at, times.accepted_at, times.revoked_at],
    )?;
    Ok(())
}

/// Accepts an invite: the user (found by email, or created) joins the
/// workspace with the invite's role and landing page, in one transaction.
pub fn accept_invite(
    conn: &mut Connection,
    slug: &str,
    invite: &InviteRow,
    new_user_id: &str,
    now: i64,
) -> rusqlite::Result<String> {
    let tx = conn.transaction()?;
    let existing: Option<String> = tx
        .query_row(
            "SELECT id FROM users WHERE email = ?1",
            [&invite.email],
            |r| r.get(0),
        )
        .optional()?;
    let user = match existing {
        Some(id) => id,
        None => {
            let name = invite.email.split('@').next().unwrap_or(&invite.email);
            tx.execute(
                "INSERT INTO users (id, name, email) VALUES (?1, ?2, ?3)",
                params![new_user_id, name, invite.email],
            )?;
            new_user_id.to_owned()
        }
    };
    tx.execute(
        "INSERT INTO members (workspace, user_id, roles, active, landing_page) VALUES (?1, ?2, ?3, 1, ?4)
         ON CONFLICT (workspace, user_id) DO UPDATE SET roles = excluded.roles, active = 1, landing_page = excluded.landing_page",
        params![slug, user, to_text(&[&invite.role]), invite.landing_page],
    )?;
    tx.execute(
        "UPDATE invites SET accepted_at = ?3 WHERE workspace = ?1 AND id = ?2",
        params![slug, invite.id, now],
    )?;
    tx.commit()?;
    Ok(user)
}

// ---------- records (contacts, accounts, projects, ...) ----------

/// The records of one kind in `slug`, oldest first.
pub fn records(conn: &Connection, slug: &str, kind: &str) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM records WHERE workspace = ?1 AND kind = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![slug, kind], |r| r.get::<_, String>(0))?;
    rows.map(|text| text.map(|t| from_text::<Value>(&t)))
        .collect()
}

/// One record of `slug`.
pub fn record(
    conn: &Connection,
    slug: &str,
    kind: &str,
    id: &str,
) -> rusqlite::Result<Option<Map<String, Value>>> {
    conn.query_row(
        "SELECT data FROM records WHERE workspace = ?1 AND kind = ?2 AND id = ?3",
        params![slug, kind, id],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map(|text| text.map(|t| from_text(&t)))
}

/// Inserts or replaces a record (its `id` field is its key).
pub fn put_record(
    conn: &Connection,
    slug: &str,
    kind: &str,
    id: &str,
    data: &Map<String, Value>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO records (workspace, kind, id, data) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (workspace, kind, id) DO UPDATE SET data = excluded.data",
        params![slug, kind, id, to_text(data)],
    )?;
    Ok(())
}

/// Deletes a record; whether there was one.
pub fn delete_record(
    conn: &Connection,
    slug: &str,
    kind: &str,
    id: &str,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM records WHERE workspace = ?1 AND kind = ?2 AND id = ?3",
        params![slug, kind, id],
    )? > 0)
}

/// How many records of a kind `slug` holds.
pub fn count(conn: &Connection, slug: &str, kind: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COUNT(*) FROM records WHERE workspace = ?1 AND kind = ?2",
        params![slug, kind],
        |r| r.get(0),
    )
}
