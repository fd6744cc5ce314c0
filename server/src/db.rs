//! The SQLite store: schema and migrations, seed import, and the queries the
//! API needs. Every query that reads or writes workspace data names the
//! workspace, so one workspace's rows never reach another's members.

use crate::error::StartError;
use harmony_policy::{Context, CustomRole, Member, Platform, PreferenceValue, Workspace};
pub use rusqlite::Connection;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Migrations, in order; `PRAGMA user_version` counts the applied ones.
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    // Records get owners and teams (scopes are decided against them).
    // Records stored before have neither: only an `all` grant reaches them
    // until an admin assigns them.
    r#"
ALTER TABLE records ADD COLUMN owner_id TEXT;
ALTER TABLE records ADD COLUMN team_id TEXT;
CREATE INDEX records_by_owner ON records (workspace, kind, owner_id);
CREATE INDEX records_by_team ON records (workspace, kind, team_id);
CREATE TABLE teams (
    workspace TEXT NOT NULL REFERENCES workspaces(slug),
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
);
CREATE TABLE team_members (
    workspace TEXT NOT NULL,
    team_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    PRIMARY KEY (workspace, team_id, user_id),
    FOREIGN KEY (workspace, team_id) REFERENCES teams(workspace, id) ON DELETE CASCADE
);
"#,
    // Workspaces define roles of their own (grants as a JSON list).
    r#"
CREATE TABLE roles (
    workspace TEXT NOT NULL REFERENCES workspaces(slug),
    id        TEXT NOT NULL,
    label     TEXT NOT NULL,
    grants    TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
);
"#,
    // Sessions signed out before they expire (kept until they would have).
    r#"
CREATE TABLE revoked_sessions (
    id         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
"#,
    // Lists are read a page at a time, in the order records were made.
    r#"
CREATE INDEX records_in_order ON records (workspace, kind, seq);
"#,
];

/// A pool of connections to the database file.
pub type Pool = r2d2::Pool<r2d2_sqlite::SqliteConnectionManager>;
/// A connection taken from the pool (back in it when dropped).
pub type Pooled = r2d2::PooledConnection<r2d2_sqlite::SqliteConnectionManager>;

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A pool of `size` connections to the (migrated) database file: each
/// enforces foreign keys and waits for a concurrent writer rather than
/// failing; WAL lets readers go on while one writes.
pub fn pool(path: &std::path::Path, size: u32) -> Result<Pool, String> {
    let manager = r2d2_sqlite::SqliteConnectionManager::file(path).with_init(|c| {
        c.pragma_update(None, "foreign_keys", "ON")?;
        c.busy_timeout(BUSY_TIMEOUT)
    });
    r2d2::Pool::builder()
        .max_size(size.max(1))
        .connection_timeout(std::time::Duration::from_secs(10))
        .build(manager)
        .map_err(|e| format!("database pool: {e}"))
}

/// Opens (creating if needed) and migrates the database file.
pub fn open(path: &std::path::Path) -> Result<Connection, StartError> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
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
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

// ---------- sessions ----------

/// Revokes session `id` (which would expire at `expires_at`), and forgets
/// revocations of sessions that have expired by `now` anyway.
pub fn revoke_session(
    conn: &Connection,
    id: &str,
    expires_at: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM revoked_sessions WHERE expires_at <= ?1", [now])?;
    conn.execute(
        "INSERT INTO revoked_sessions (id, expires_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
        params![id, expires_at],
    )?;
    Ok(())
}

/// Whether session `id` was signed out.
pub fn is_revoked(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM revoked_sessions WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))
}

/// The workspaces where `user` is an active member, in the order they joined.
pub fn active_workspaces(conn: &Connection, user: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT workspace FROM members WHERE user_id = ?1 AND active ORDER BY seq",
    )?;
    let rows = stmt.query_map([user], |r| r.get(0))?;
    rows.collect()
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
    conn: &mut Connection,
    seed: &Seed,
    ruleset: &str,
    now: i64,
) -> Result<(), StartError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
        for m in w.members.of(ruleset) {
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
        for role in w.roles.of(ruleset) {
            put_role(&tx, &w.slug, role)?;
        }
        for team in &w.teams {
            tx.execute(
                "INSERT INTO teams (workspace, id, name) VALUES (?1, ?2, ?3)",
                params![w.slug, team.id, team.name],
            )?;
            for user in &team.members {
                tx.execute(
                    "INSERT INTO team_members (workspace, team_id, user_id) VALUES (?1, ?2, ?3)",
                    params![w.slug, team.id, user],
                )?;
            }
        }
        for (kind, list) in &w.records {
            for record in list {
                let Some(Value::String(id)) = record.get("id") else {
                    return Err(StartError::Seed(format!(
                        "a `{kind}` record of `{}` has no string `id`",
                        w.slug
                    )));
                };
                let mut data = record.clone();
                let mut take = |key: &str| match data.remove(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s)),
                    Some(_) => Err(StartError::Seed(format!(
                        "`{key}` of `{kind}` record `{id}` is not a string"
                    ))),
                };
                let owner = take("ownerId")?;
                let team = take("teamId")?;
                tx.execute(
                    "INSERT INTO records (workspace, kind, id, data, owner_id, team_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![w.slug, kind, id, to_text(&data), owner, team],
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
                        teams: Vec::new(),
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
                        roles: Vec::new(),
                    },
                ))
            },
        )
        .optional()?;
    let Some((mut member, workspace)) = member else {
        return Ok(None);
    };
    member.teams = teams_of(conn, slug, user)?;
    let mut workspace = workspace;
    workspace.roles = custom_roles(conn, slug)?;
    Ok(Some(Context {
        workspace,
        member,
        memberships: memberships(conn, user)?,
        platform,
    }))
}

/// The ids of the teams of `slug` that `user` belongs to.
pub fn teams_of(conn: &Connection, slug: &str, user: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT team_id FROM team_members WHERE workspace = ?1 AND user_id = ?2 ORDER BY team_id",
    )?;
    let rows = stmt.query_map([slug, user], |r| r.get(0))?;
    rows.collect()
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

/// The id of the account with `email`, if one exists.
pub fn user_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT id FROM users WHERE email = ?1", [email], |r| {
        r.get(0)
    })
    .optional()
}

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

// ---------- workspace roles ----------

/// The roles `slug` defines, in the order they were made.
pub fn custom_roles(conn: &Connection, slug: &str) -> rusqlite::Result<Vec<CustomRole>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, label, grants FROM roles WHERE workspace = ?1 ORDER BY rowid",
    )?;
    let rows = stmt.query_map([slug], |r| {
        Ok(CustomRole {
            id: r.get(0)?,
            label: r.get(1)?,
            grants: from_text(&r.get::<_, String>(2)?),
        })
    })?;
    rows.collect()
}

/// Creates or replaces a role of `slug`.
pub fn put_role(conn: &Connection, slug: &str, role: &CustomRole) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO roles (workspace, id, label, grants) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (workspace, id) DO UPDATE SET label = excluded.label, grants = excluded.grants",
        params![slug, role.id, role.label, to_text(&role.grants)],
    )?;
    Ok(())
}

/// Deletes a role of `slug`; false when there is none.
pub fn delete_role(conn: &Connection, slug: &str, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM roles WHERE workspace = ?1 AND id = ?2",
        params![slug, id],
    )? > 0)
}

/// The members of `slug` (active or not) who hold `role`.
pub fn holders(conn: &Connection, slug: &str, role: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached("SELECT user_id, roles FROM members WHERE workspace = ?1 ORDER BY seq")?;
    let mut out = Vec::new();
    let mut rows = stmt.query([slug])?;
    while let Some(r) = rows.next()? {
        if from_text::<Vec<String>>(&r.get::<_, String>(1)?)
            .iter()
            .any(|x| x == role)
        {
            out.push(r.get(0)?);
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
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute("DELETE FROM team_members WHERE user_id = ?1", [user])?;
    tx.execute("DELETE FROM members WHERE user_id = ?1", [user])?;
    tx.execute("DELETE FROM users WHERE id = ?1", [user])?;
    tx.commit()
}

/// Removes a member from `slug` (and from its teams): they lose access at
/// once. The records they own stay, and stay theirs.
pub fn remove_member(conn: &mut Connection, slug: &str, user: &str) -> rusqlite::Result<bool> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "DELETE FROM team_members WHERE workspace = ?1 AND user_id = ?2",
        params![slug, user],
    )?;
    let n = tx.execute(
        "DELETE FROM members WHERE workspace = ?1 AND user_id = ?2",
        params![slug, user],
    )?;
    tx.commit()?;
    Ok(n > 0)
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
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
    // A membership that exists stays as it is (the policy let the invite
    // through only if it changes nothing).
    tx.execute(
        "INSERT INTO members (workspace, user_id, roles, active, landing_page) VALUES (?1, ?2, ?3, 1, ?4)
         ON CONFLICT (workspace, user_id) DO NOTHING",
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

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        data: from_text(&r.get::<_, String>(0)?),
        owner_id: r.get(1)?,
        team_id: r.get(2)?,
    })
}

/// At most `limit` records of one kind in `slug` that `filter` selects (the
/// policy's answer for the member's read scope), oldest first, after the
/// cursor `after` (0 for the first page), with the cursor of the next page
/// when there is one. The filter becomes the query's `WHERE`: rows outside
/// it are never read.
pub fn records(
    conn: &Connection,
    slug: &str,
    kind: &str,
    filter: &harmony_policy::Filter<'_>,
    after: i64,
    limit: usize,
) -> rusqlite::Result<(Vec<RecordRow>, Option<i64>)> {
    use rusqlite::types::Value as Sql;
    if !filter.all && filter.owner_ids.is_empty() && filter.team_ids.is_empty() {
        return Ok((Vec::new(), None));
    }
    let mut sql = String::from(
        "SELECT data, owner_id, team_id, seq FROM records WHERE workspace = ? AND kind = ? AND seq > ?",
    );
    let mut args: Vec<Sql> = vec![
        Sql::from(slug.to_owned()),
        Sql::from(kind.to_owned()),
        Sql::from(after),
    ];
    if !filter.all {
        let marks = |n: usize| vec!["?"; n].join(", ");
        sql.push_str(&format!(
            " AND (owner_id IN ({}) OR team_id IN ({}))",
            marks(filter.owner_ids.len()),
            marks(filter.team_ids.len())
        ));
        args.extend(filter.owner_ids.iter().map(|s| Sql::from((*s).to_owned())));
        args.extend(filter.team_ids.iter().map(|s| Sql::from((*s).to_owned())));
    }
    sql.push_str(" ORDER BY seq LIMIT ?");
    // One more than asked for says whether a next page exists.
    args.push(
        i64::try_from(limit.saturating_add(1))
            .unwrap_or(i64::MAX)
            .into(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        Ok((record_row(r)?, r.get::<_, i64>(3)?))
    })?;
    let mut page: Vec<(RecordRow, i64)> = rows.collect::<rusqlite::Result<_>>()?;
    let next = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|(_, seq)| *seq)
    } else {
        None
    };
    Ok((page.into_iter().map(|(row, _)| row).collect(), next))
}

/// One record of `slug`.
pub fn record(
    conn: &Connection,
    slug: &str,
    kind: &str,
    id: &str,
) -> rusqlite::Result<Option<RecordRow>> {
    conn.query_row(
        "SELECT data, owner_id, team_id FROM records WHERE workspace = ?1 AND kind = ?2 AND id = ?3",
        params![slug, kind, id],
        record_row,
    )
    .optional()
}

/// Whether `slug` holds a record of `kind` with this id.
pub fn record_exists(
    conn: &Connection,
    slug: &str,
    kind: &str,
    id: &str,
) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM records WHERE workspace = ?1 AND kind = ?2 AND id = ?3)",
        params![slug, kind, id],
        |r| r.get(0),
    )
}

/// Inserts or replaces a record (its `id` field is its key) with its owner
/// and team.
pub fn put_record(
    conn: &Connection,
    slug: &str,
    kind: &str,
    id: &str,
    row: &RecordRow,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO records (workspace, kind, id, data, owner_id, team_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (workspace, kind, id) DO UPDATE SET
             data = excluded.data, owner_id = excluded.owner_id, team_id = excluded.team_id",
        params![slug, kind, id, to_text(&row.data), row.owner_id, row.team_id],
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

/// How many records of each kind each member of `slug` owns: the
/// assignment counts of the Team / Users page.
pub fn assignments(
    conn: &Connection,
    slug: &str,
) -> rusqlite::Result<BTreeMap<String, BTreeMap<String, i64>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner_id, kind, COUNT(*) FROM records
         WHERE workspace = ?1 AND owner_id IS NOT NULL GROUP BY owner_id, kind",
    )?;
    let mut out: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut rows = stmt.query([slug])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?)
            .or_default()
            .insert(r.get(1)?, r.get(2)?);
    }
    Ok(out)
}

/// Gives the records of `kinds` that `from` owns in `slug` to `to`, each
/// kind's only where `filter` (what the acting member may update of that
/// kind) selects it; how many moved, by kind. One transaction: all or none.
pub fn reassign(
    conn: &mut Connection,
    slug: &str,
    from: &str,
    to: &str,
    kinds: &[(&str, harmony_policy::Filter<'_>)],
) -> rusqlite::Result<BTreeMap<String, usize>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut moved = BTreeMap::new();
    for (kind, filter) in kinds {
        if !filter.all && filter.owner_ids.is_empty() && filter.team_ids.is_empty() {
            continue;
        }
        let mut sql = String::from(
            "UPDATE records SET owner_id = ? WHERE workspace = ? AND kind = ? AND owner_id = ?",
        );
        let mut args: Vec<&str> = vec![to, slug, kind, from];
        if !filter.all {
            let marks = |n: usize| vec!["?"; n].join(", ");
            sql.push_str(&format!(
                " AND (owner_id IN ({}) OR team_id IN ({}))",
                marks(filter.owner_ids.len()),
                marks(filter.team_ids.len())
            ));
            args.extend(filter.owner_ids.iter().copied());
            args.extend(filter.team_ids.iter().copied());
        }
        let n = tx.execute(&sql, rusqlite::params_from_iter(args))?;
        if n > 0 {
            moved.insert((*kind).to_owned(), n);
        }
    }
    tx.commit()?;
    Ok(moved)
}

// ---------- teams ----------

/// The teams of `slug` with their members' user ids.
pub fn teams(conn: &Connection, slug: &str) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.name, tm.user_id FROM teams t
         LEFT JOIN team_members tm ON tm.workspace = t.workspace AND tm.team_id = t.id
         WHERE t.workspace = ?1 ORDER BY t.rowid, tm.rowid",
    )?;
    let mut out: Vec<Value> = Vec::new();
    let mut rows = stmt.query([slug])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let member: Option<String> = r.get(2)?;
        if out.last().and_then(|t| t.get("id")).and_then(Value::as_str) != Some(id.as_str()) {
            out.push(
                serde_json::json!({ "id": id, "name": r.get::<_, String>(1)?, "members": [] }),
            );
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
pub fn team_exists(conn: &Connection, slug: &str, id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM teams WHERE workspace = ?1 AND id = ?2)",
        params![slug, id],
        |r| r.get(0),
    )
}

/// Creates a team.
pub fn insert_team(conn: &Connection, slug: &str, id: &str, name: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO teams (workspace, id, name) VALUES (?1, ?2, ?3)",
        params![slug, id, name],
    )?;
    Ok(())
}

/// Renames a team; whether there was one.
pub fn rename_team(conn: &Connection, slug: &str, id: &str, name: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE teams SET name = ?3 WHERE workspace = ?1 AND id = ?2",
        params![slug, id, name],
    )? > 0)
}

/// Deletes a team and its memberships; its records keep their `team_id`
/// (reachable at `all` scope). Whether there was one.
pub fn delete_team(conn: &Connection, slug: &str, id: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM teams WHERE workspace = ?1 AND id = ?2",
        params![slug, id],
    )? > 0)
}

/// Puts a member in a team (nothing if they are in it).
pub fn add_team_member(
    conn: &Connection,
    slug: &str,
    team: &str,
    user: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO team_members (workspace, team_id, user_id) VALUES (?1, ?2, ?3)",
        params![slug, team, user],
    )?;
    Ok(())
}

/// Takes a member out of a team; whether they were in it.
pub fn remove_team_member(
    conn: &Connection,
    slug: &str,
    team: &str,
    user: &str,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM team_members WHERE workspace = ?1 AND team_id = ?2 AND user_id = ?3",
        params![slug, team, user],
    )? > 0)
}
