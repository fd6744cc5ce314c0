//! The PostgreSQL backend, used when `DATABASE_URL` names a database: for
//! several server processes on one database. Each connection prepares a
//! statement once and keeps it; changes across processes are serialized by
//! a transaction-scoped advisory lock, so a process that dies mid-change
//! releases it with its connection.

use super::value::{Cell, Error, Param, Result, Row};
use postgres::types::{ToSql, Type};
use std::collections::HashMap;

/// The versioned schema, in order; `schema_migrations` records the applied
/// ones. The tables are SQLite's; the `rowid` columns stand in for SQLite's
/// implicit ones, so that queries order rows the same way on both.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE users (
    rowid       BIGSERIAL NOT NULL,
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
    seq          BIGSERIAL PRIMARY KEY,
    workspace    TEXT NOT NULL REFERENCES workspaces(slug),
    user_id      TEXT NOT NULL REFERENCES users(id),
    roles        TEXT NOT NULL DEFAULT '[]',
    permissions  TEXT NOT NULL DEFAULT '[]',
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    landing_page TEXT,
    UNIQUE (workspace, user_id)
);
CREATE INDEX members_by_user ON members (user_id, seq);
CREATE TABLE invites (
    rowid        BIGSERIAL NOT NULL,
    id           TEXT PRIMARY KEY,
    workspace    TEXT NOT NULL REFERENCES workspaces(slug),
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    landing_page TEXT,
    sent_at      BIGINT NOT NULL,
    accepted_at  BIGINT,
    revoked_at   BIGINT
);
CREATE TABLE records (
    seq       BIGSERIAL PRIMARY KEY,
    workspace TEXT NOT NULL REFERENCES workspaces(slug),
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    data      TEXT NOT NULL,
    owner_id  TEXT,
    team_id   TEXT,
    UNIQUE (workspace, kind, id)
);
CREATE INDEX records_by_owner ON records (workspace, kind, owner_id);
CREATE INDEX records_by_team ON records (workspace, kind, team_id);
CREATE INDEX records_in_order ON records (workspace, kind, seq);
CREATE TABLE teams (
    rowid     BIGSERIAL NOT NULL,
    workspace TEXT NOT NULL REFERENCES workspaces(slug),
    id        TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
);
CREATE TABLE team_members (
    rowid     BIGSERIAL NOT NULL,
    workspace TEXT NOT NULL,
    team_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    PRIMARY KEY (workspace, team_id, user_id),
    FOREIGN KEY (workspace, team_id) REFERENCES teams(workspace, id) ON DELETE CASCADE
);
CREATE TABLE roles (
    rowid     BIGSERIAL NOT NULL,
    workspace TEXT NOT NULL REFERENCES workspaces(slug),
    id        TEXT NOT NULL,
    label     TEXT NOT NULL,
    grants    TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
);
CREATE TABLE revoked_sessions (
    id         TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
"#];

/// The advisory lock's key: "harmony" in ASCII, as a number.
const LOCK_KEY: i64 = 0x0068_6172_6d6f_6e79;

/// Connects to the database a URL names.
pub struct Manager {
    config: postgres::Config,
    tls: Tls,
}

/// How connections are made: plain TCP, or TLS (`sslmode=require` in the
/// URL) with the server's certificate verified against the trusted
/// certificates.
#[derive(Clone)]
enum Tls {
    Plain,
    Verified(tokio_postgres_rustls::MakeRustlsConnect),
}

/// TLS trusting the certificates in the PEM file `ca`, or the system's.
fn verified(ca: Option<&std::path::Path>) -> Result<Tls> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            let unreadable = |e: &dyn std::fmt::Display| {
                Error::Tls(format!(
                    "`{}` holds no readable certificate: {e}",
                    path.display()
                ))
            };
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
                roots
                    .add(cert.map_err(|e| unreadable(&e))?)
                    .map_err(|e| unreadable(&e))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // A system certificate that does not parse is left out.
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        return Err(Error::Tls(
            "no trusted certificates: give the server's CA with --database-ca".into(),
        ));
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Tls::Verified(
        tokio_postgres_rustls::MakeRustlsConnect::new(config),
    ))
}

/// A client and the statements it has prepared (by their SQL).
pub struct Connection {
    /// The client (taken out only when the connection is dropped).
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
}

impl Connection {
    /// The client.
    pub fn client(&mut self) -> Result<&mut postgres::Client> {
        self.client.as_mut().ok_or(Error::Closed)
    }
}

impl Drop for Connection {
    /// Closing a client waits on its own runtime, which cannot be done on a
    /// thread that drives an async runtime: there (a pool dropped by an
    /// async task) the client is closed on a thread of its own.
    fn drop(&mut self) {
        if let (Some(client), Ok(_)) = (self.client.take(), tokio::runtime::Handle::try_current()) {
            std::thread::spawn(move || drop(client));
        }
    }
}

/// At most this many prepared statements per connection (lists filtered by
/// many owners make statements of their own).
const STATEMENT_CACHE: usize = 256;

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        let client = match &self.tls {
            Tls::Plain => self.config.connect(postgres::NoTls)?,
            Tls::Verified(tls) => self.config.connect(tls.clone())?,
        };
        Ok(Connection {
            client: Some(client),
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), postgres::Error> {
        match conn.client.as_mut() {
            Some(client) => client.simple_query("").map(|_| ()),
            // Never: the client is taken out only on drop.
            None => Ok(()),
        }
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.client.as_ref().is_none_or(postgres::Client::is_closed)
    }
}

/// A connection taken from the pool.
pub type Conn = r2d2::PooledConnection<Manager>;

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Pool(r2d2::Pool<Manager>);

impl Pool {
    /// A pool of at most `size` connections (at least two: the change lock
    /// holds one while the change uses another) to the database `url`
    /// names, over TLS trusting `ca` (or the system's certificates) when the
    /// URL says `sslmode=require`; fails when it cannot connect.
    pub fn open(url: &str, ca: Option<&std::path::Path>, size: u32) -> Result<Pool> {
        let config: postgres::Config = url.parse()?;
        let tls = match config.get_ssl_mode() {
            postgres::config::SslMode::Require => verified(ca)?,
            _ if ca.is_some() => {
                return Err(Error::Tls(
                    "--database-ca is for TLS: add `sslmode=require` to the database URL".into(),
                ))
            }
            _ => Tls::Plain,
        };
        let manager = Manager { config, tls };
        // One connection first, so that a failure is reported with its
        // cause (the pool would only say that it timed out).
        drop(r2d2::ManageConnection::connect(&manager).map_err(|e| {
            let mut cause = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                cause = format!("{cause}: {s}");
                source = s.source();
            }
            Error::Connect(cause)
        })?);
        let pool = r2d2::Pool::builder()
            .max_size(size.max(2))
            // Every connection made at start: a burst of requests does not
            // wait for new ones.
            .min_idle(None)
            // No round trip to test a connection each time it is taken: a
            // lost one fails its statement and is then dropped (`has_broken`).
            .test_on_check_out(false)
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)?;
        Ok(Pool(pool))
    }

    /// A connection from the pool, waiting at most `timeout`.
    pub fn get_within(&self, timeout: std::time::Duration) -> Result<Conn> {
        Ok(self.0.get_timeout(timeout)?)
    }

    /// A connection from the pool.
    pub fn get(&self) -> Result<Conn> {
        Ok(self.0.get()?)
    }

    /// Waits for, then holds, the advisory lock, in a transaction on a
    /// connection of its own.
    pub fn lock(&self) -> Result<Lock> {
        let mut conn = self.get()?;
        conn.client()?
            .batch_execute(&format!("BEGIN; SELECT pg_advisory_xact_lock({LOCK_KEY})"))?;
        Ok(Lock(conn))
    }
}

/// The held advisory lock: released when its transaction ends (on drop, or
/// by the server when the connection is lost).
pub struct Lock(Conn);

impl Drop for Lock {
    fn drop(&mut self) {
        if self
            .0
            .client()
            .and_then(|c| Ok(c.batch_execute("ROLLBACK")?))
            .is_err()
        {
            tracing::warn!("could not end the change lock's transaction");
        }
    }
}

/// Applies the migrations the database lacks, each in a transaction with
/// its row in `schema_migrations`.
pub fn migrate(conn: &mut Conn) -> Result<()> {
    let client = conn.client()?;
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let applied: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )?
        .get(0);
    let done = usize::try_from(applied).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(Error::TooNew {
            found: applied,
            known: MIGRATIONS.len(),
        });
    }
    for (version, sql) in (1_i64..).zip(MIGRATIONS).skip(done) {
        let mut tx = client.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// The SQL with PostgreSQL's placeholders: `?N` becomes `$N`, and each bare
/// `?` the next number. (No statement here has a `?` inside a string.)
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0_usize;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '?' {
            out.push(c);
            continue;
        }
        out.push('$');
        if chars.peek().is_some_and(char::is_ascii_digit) {
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                out.push(d);
            }
        } else {
            next += 1;
            out.push_str(&next.to_string());
        }
    }
    out
}

/// The statement for `sql`, prepared on first use.
fn statement(conn: &mut Conn, sql: &str) -> Result<postgres::Statement> {
    if let Some(statement) = conn.statements.get(sql) {
        return Ok(statement.clone());
    }
    if conn.statements.len() >= STATEMENT_CACHE {
        conn.statements.clear();
    }
    let statement = conn.client()?.prepare(&placeholders(sql))?;
    conn.statements.insert(sql.to_owned(), statement.clone());
    Ok(statement)
}

fn values<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| match p {
            Param::Text(t) => t as &(dyn ToSql + Sync),
            Param::Int(n) => n as &(dyn ToSql + Sync),
            Param::Bool(b) => b as &(dyn ToSql + Sync),
        })
        .collect()
}

/// Runs a statement; rows changed.
pub fn execute(conn: &mut Conn, sql: &str, params: &[Param<'_>]) -> Result<u64> {
    let statement = statement(conn, sql)?;
    Ok(conn.client()?.execute(&statement, &values(params))?)
}

/// Runs a query; its rows.
pub fn rows(conn: &mut Conn, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
    let statement = statement(conn, sql)?;
    let rows = conn.client()?.query(&statement, &values(params))?;
    rows.iter().map(row).collect()
}

fn row(r: &postgres::Row) -> Result<Row> {
    let mut cells = Vec::with_capacity(r.len());
    for (i, column) in r.columns().iter().enumerate() {
        let t = column.type_();
        let cell = if *t == Type::INT8 {
            r.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
        } else if *t == Type::INT4 {
            r.try_get::<_, Option<i32>>(i)?.map(|n| Cell::Int(n.into()))
        } else if *t == Type::INT2 {
            r.try_get::<_, Option<i16>>(i)?.map(|n| Cell::Int(n.into()))
        } else if *t == Type::BOOL {
            r.try_get::<_, Option<bool>>(i)?.map(Cell::Bool)
        } else {
            r.try_get::<_, Option<String>>(i)?.map(Cell::Text)
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(Row(cells))
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE b = ?1 AND c = ?2 OR d = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c = $2 OR d = $1"
        );
        assert_eq!(
            placeholders("UPDATE t SET a = ? WHERE b IN (?, ?) LIMIT ?"),
            "UPDATE t SET a = $1 WHERE b IN ($2, $3) LIMIT $4"
        );
        assert_eq!(placeholders("SELECT 1"), "SELECT 1");
    }
}
