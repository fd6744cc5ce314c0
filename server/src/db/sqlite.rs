//! The SQLite backend: the embedded default, one file with nothing to
//! install. Connections enforce foreign keys and wait for a concurrent
//! writer; WAL lets readers go on while one writes; changes across
//! processes are serialized by an exclusive lock on `<file>.lock`.

use super::value::{Cell, Error, Param, Result, Row};
use rusqlite::types::{ToSqlOutput, ValueRef};
use std::path::{Path, PathBuf};

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

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A connection taken from the pool.
pub type Conn = r2d2::PooledConnection<r2d2_sqlite::SqliteConnectionManager>;

/// A pool of connections to the database file, and its lock file.
#[derive(Clone)]
pub struct Pool {
    pool: r2d2::Pool<r2d2_sqlite::SqliteConnectionManager>,
    lock: PathBuf,
}

impl Pool {
    /// A pool of at most `size` connections to `path` (created if needed).
    pub fn open(path: &Path, size: u32) -> Result<Pool> {
        let manager = r2d2_sqlite::SqliteConnectionManager::file(path).with_init(|c| {
            c.pragma_update(None, "foreign_keys", "ON")?;
            c.set_prepared_statement_cache_capacity(128);
            c.busy_timeout(BUSY_TIMEOUT)
        });
        let pool = r2d2::Pool::builder()
            .max_size(size.max(1))
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)?;
        let mut lock = path.as_os_str().to_owned();
        lock.push(".lock");
        Ok(Pool {
            pool,
            lock: PathBuf::from(lock),
        })
    }

    /// A connection from the pool, waiting at most `timeout`.
    pub fn get_within(&self, timeout: std::time::Duration) -> Result<Conn> {
        Ok(self.pool.get_timeout(timeout)?)
    }

    /// A connection from the pool.
    pub fn get(&self) -> Result<Conn> {
        Ok(self.pool.get()?)
    }

    /// Waits for, then holds, the exclusive lock on the lock file.
    pub fn lock(&self) -> Result<Lock> {
        let failed = |source| Error::Lock {
            path: self.lock.display().to_string(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
            .map_err(failed)?;
        file.lock().map_err(failed)?;
        Ok(Lock { _file: file })
    }
}

/// The held lock: released when the file closes (on drop, or when the
/// process ends in any way).
pub struct Lock {
    _file: std::fs::File,
}

/// Applies the migrations this file lacks (`PRAGMA user_version` counts
/// the applied ones), each in a transaction.
pub fn migrate(conn: &mut Conn) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let applied: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let done = usize::try_from(applied).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(Error::TooNew {
            found: applied,
            known: MIGRATIONS.len(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Text(Some(s)) => ToSqlOutput::from(s),
            Param::Int(Some(n)) => ToSqlOutput::from(n),
            Param::Bool(b) => ToSqlOutput::from(b),
            Param::Text(None) | Param::Int(None) => ToSqlOutput::from(rusqlite::types::Null),
        })
    }
}

/// Runs a statement (prepared once per connection); rows changed.
pub fn execute(conn: &mut Conn, sql: &str, params: &[Param<'_>]) -> Result<u64> {
    let changed = conn
        .prepare_cached(sql)?
        .execute(rusqlite::params_from_iter(params))?;
    Ok(u64::try_from(changed).unwrap_or(u64::MAX))
}

/// Runs a query (prepared once per connection); its rows.
pub fn rows(conn: &mut Conn, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut cells = Vec::with_capacity(columns);
        for i in 0..columns {
            cells.push(match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Real(f) => Cell::Text(f.to_string()),
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Cell::Text(String::from_utf8_lossy(t).into_owned())
                }
            });
        }
        out.push(Row(cells));
    }
    Ok(out)
}
