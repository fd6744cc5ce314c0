//! One interface over the two backends: a pool of connections, a connection
//! that runs a statement with parameters and returns rows, transactions, and
//! a lock that serializes changes across every process on one database.
//! The queries (`db/mod.rs`) are written once against it; what differs
//! between SQLite and PostgreSQL (connecting, placeholders, column types,
//! migrations, locking) lives in `sqlite.rs` and `postgres.rs`.

use super::value::{Cell, Error, Param, Result, Row, Target};
use super::{postgres, sqlite};

/// A pool of connections to one database.
#[derive(Clone)]
pub enum Pool {
    /// SQLite: a file, and its lock file.
    Sqlite(sqlite::Pool),
    /// PostgreSQL.
    Postgres(postgres::Pool),
}

impl Pool {
    /// A pool of at most `size` connections to `target`, migrated to this
    /// server's schema; then `seed` runs (it seeds a database that needs
    /// it). Migrating and seeding hold the change lock, so processes that
    /// start at once on one database neither migrate nor seed it twice.
    pub fn open<E: From<Error>>(
        target: &Target,
        size: u32,
        seed: impl FnOnce(&mut Conn) -> Result<(), E>,
    ) -> Result<Pool, E> {
        let pool = match target {
            Target::Sqlite(path) => Pool::Sqlite(sqlite::Pool::open(path, size)?),
            Target::Postgres { url, ca } => {
                Pool::Postgres(postgres::Pool::open(url, ca.as_deref(), size)?)
            }
        };
        {
            let _lock = pool.lock()?;
            let mut conn = pool.get()?;
            match &mut conn {
                Conn::Sqlite(c) => sqlite::migrate(c)?,
                Conn::Postgres(c) => postgres::migrate(c)?,
            }
            seed(&mut conn)?;
        }
        Ok(pool)
    }

    /// A connection from the pool (back in it when dropped).
    pub fn get(&self) -> Result<Conn> {
        Ok(match self {
            Pool::Sqlite(p) => Conn::Sqlite(p.get()?),
            Pool::Postgres(p) => Conn::Postgres(Box::new(p.get()?)),
        })
    }

    /// A connection, waiting at most `timeout` for one (a health probe
    /// answers in time even when the database is gone).
    pub fn get_within(&self, timeout: std::time::Duration) -> Result<Conn> {
        Ok(match self {
            Pool::Sqlite(p) => Conn::Sqlite(p.get_within(timeout)?),
            Pool::Postgres(p) => Conn::Postgres(Box::new(p.get_within(timeout)?)),
        })
    }

    /// Takes the lock that serializes changes across every process on this
    /// database (waiting for it); released when dropped. Reads do not take
    /// it.
    pub fn lock(&self) -> Result<Lock> {
        Ok(match self {
            Pool::Sqlite(p) => Lock::Sqlite(p.lock()?),
            Pool::Postgres(p) => Lock::Postgres(Box::new(p.lock()?)),
        })
    }
}

/// The change lock (see [`Pool::lock`]).
pub enum Lock {
    /// An exclusive lock on the SQLite file's lock file.
    Sqlite(sqlite::Lock),
    /// A PostgreSQL advisory lock, held by a transaction on a connection of
    /// its own.
    Postgres(Box<postgres::Lock>),
}

/// A connection taken from a pool.
pub enum Conn {
    /// To an SQLite file.
    Sqlite(sqlite::Conn),
    /// To PostgreSQL.
    Postgres(Box<postgres::Conn>),
}

impl Conn {
    /// Runs a statement; how many rows it changed. Placeholders are `?` or
    /// `?N` in either backend.
    pub fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        match self {
            Conn::Sqlite(c) => sqlite::execute(c, sql, params),
            Conn::Postgres(c) => postgres::execute(c, sql, params),
        }
    }

    /// Runs a query; its rows.
    pub fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        match self {
            Conn::Sqlite(c) => sqlite::rows(c, sql, params),
            Conn::Postgres(c) => postgres::rows(c, sql, params),
        }
    }

    /// Runs a query; its first row, if any.
    pub fn row(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// Runs a query that returns one row of one column (`SELECT EXISTS
    /// ...`, `SELECT COUNT(*) ...`).
    pub fn value(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Row> {
        Ok(self.row(sql, params)?.unwrap_or(Row(vec![Cell::Null])))
    }

    /// Runs `work` in one transaction: all of its writes or none. SQLite's
    /// takes the write lock at once (`BEGIN IMMEDIATE`).
    pub fn transaction<T, E: From<Error>>(
        &mut self,
        work: impl FnOnce(&mut Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        let begin = match self {
            Conn::Sqlite(_) => "BEGIN IMMEDIATE",
            Conn::Postgres(_) => "BEGIN",
        };
        self.batch(begin)?;
        match work(self) {
            Ok(value) => match self.batch("COMMIT") {
                Ok(()) => Ok(value),
                Err(e) => {
                    // Never back in the pool inside an open transaction.
                    let _ = self.batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                // The error that stopped the work is the one to report.
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Runs SQL without parameters or rows (one or more statements).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(c) => Ok(c.client()?.batch_execute(sql)?),
        }
    }
}
