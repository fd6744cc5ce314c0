//! What the queries and both backends share: where the data lives
//! ([`Target`]), the storage error, statement parameters and the rows
//! queries return.

use std::path::PathBuf;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An SQLite file, created on first start.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://user:password@host:port/name`),
    /// and the certificates that TLS (`sslmode=require`) trusts, when not
    /// the system's.
    Postgres {
        /// The URL.
        url: String,
        /// A PEM file of trusted certificates.
        ca: Option<PathBuf>,
    },
}

impl Target {
    /// PostgreSQL when `url` is set (it must be a `postgres://` or
    /// `postgresql://` URL; `ca` names the certificates its TLS trusts),
    /// otherwise the SQLite `file`.
    /// An empty URL counts as none.
    pub fn new(url: Option<&str>, file: PathBuf, ca: Option<PathBuf>) -> Result<Target, Error> {
        match url.filter(|u| !u.is_empty()) {
            None if ca.is_some() => Err(Error::Tls(
                "a database CA file is for PostgreSQL: give a database URL too".into(),
            )),
            None => Ok(Target::Sqlite(file)),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Target::Postgres {
                    url: url.to_owned(),
                    ca,
                })
            }
            Some(url) => Err(Error::Url(format!(
                "`{}` is not a PostgreSQL URL (postgres://user:password@host:port/database)",
                redacted(url)
            ))),
        }
    }

    /// The backend's name, as `/api/health` reports it.
    pub fn backend(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres { .. } => "postgres",
        }
    }

    /// Where the data lives, for the start line and logs (never a password).
    pub fn describe(&self) -> String {
        match self {
            Target::Sqlite(path) => format!("sqlite {}", path.display()),
            Target::Postgres { url, .. } => redacted(url),
        }
    }
}

/// `url` with the password (if any) replaced by `***`.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or("");
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// What a storage operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused or failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL refused or failed (or is unreachable).
    #[error("postgres: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// The database server cannot be reached, or refused the connection.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// No connection could be had in time.
    #[error("no database connection: {0}")]
    Pool(#[from] r2d2::Error),
    /// A column held another type than the query expects.
    #[error("column {index} holds {found}, not {expected}")]
    Column {
        /// The column's position.
        index: usize,
        /// What the query expects.
        expected: &'static str,
        /// What it holds.
        found: &'static str,
    },
    /// A database URL that names no PostgreSQL database.
    #[error("{0}")]
    Url(String),
    /// TLS to PostgreSQL cannot be set up (no trusted certificates, a CA
    /// file that does not read).
    #[error("database TLS: {0}")]
    Tls(String),
    /// The lock that serializes changes could not be taken.
    #[error("lock file `{path}`: {source}")]
    Lock {
        /// The lock file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A connection used after it was closed (never: connections close
    /// only when dropped).
    #[error("the database connection is closed")]
    Closed,
    /// The database was migrated by a newer server.
    #[error("the database is at schema version {found}, newer than this server ({known})")]
    TooNew {
        /// The database's version.
        found: i64,
        /// The newest this server knows.
        known: usize,
    },
}

impl Error {
    /// Whether no connection could be had at all (the database is down or
    /// unreachable), rather than a statement failing.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Pool(_) | Error::Closed | Error::Connect(_) => true,
            Error::Postgres(e) => postgres_unavailable(e),
            _ => false,
        }
    }
}

/// Whether `e` says the database cannot be reached or is going away (the
/// connection closed or failed, the server shutting down or refusing
/// connections, the database gone), rather than a statement failing.
fn postgres_unavailable(e: &::postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        // Connection exceptions, operator intervention (shutdown,
        // terminated), too many connections, no such database.
        return code.starts_with("08")
            || code.starts_with("57")
            || code == "53300"
            || code == "3D000";
    }
    std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

/// The result of a storage operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A statement parameter: text, an integer or a boolean, each possibly
/// NULL. Write parameters with `args!`.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    /// A text value or NULL.
    Text(Option<&'a str>),
    /// A 64-bit integer or NULL.
    Int(Option<i64>),
    /// A boolean (an integer 0 or 1 in SQLite).
    Bool(bool),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(Some(v))
    }
}
impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(Some(v))
    }
}
impl<'a> From<&&'a str> for Param<'a> {
    fn from(v: &&'a str) -> Self {
        Param::Text(Some(v))
    }
}
impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Param::Text(v)
    }
}
impl<'a> From<&'a Option<String>> for Param<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Param::Text(v.as_deref())
    }
}
impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}
impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        Param::Int(v)
    }
}
impl From<bool> for Param<'_> {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}

/// The parameters of a statement: `args![slug, id, 3_i64]`.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::db::Param::from($value)),*]
    };
}
pub(crate) use args;

/// One value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// A boolean (PostgreSQL's; SQLite stores integers).
    Bool(bool),
}

impl Cell {
    fn kind(&self) -> &'static str {
        match self {
            Cell::Null => "null",
            Cell::Int(_) => "an integer",
            Cell::Text(_) => "text",
            Cell::Bool(_) => "a boolean",
        }
    }
}

/// A row a query returned, its values in the order the query names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub(super) Vec<Cell>);

impl Row {
    fn cell(&mut self, index: usize) -> Cell {
        self.0
            .get_mut(index)
            .map_or(Cell::Null, |cell| std::mem::replace(cell, Cell::Null))
    }

    fn wrong(index: usize, expected: &'static str, found: &Cell) -> Error {
        Error::Column {
            index,
            expected,
            found: found.kind(),
        }
    }

    /// The text at `index` (taken out of the row).
    pub fn text(&mut self, index: usize) -> Result<String> {
        self.opt_text(index)?
            .ok_or_else(|| Row::wrong(index, "text", &Cell::Null))
    }

    /// The text at `index`, or `None` for NULL.
    pub fn opt_text(&mut self, index: usize) -> Result<Option<String>> {
        match self.cell(index) {
            Cell::Null => Ok(None),
            Cell::Text(s) => Ok(Some(s)),
            other => Err(Row::wrong(index, "text", &other)),
        }
    }

    /// The integer at `index`.
    pub fn int(&mut self, index: usize) -> Result<i64> {
        self.opt_int(index)?
            .ok_or_else(|| Row::wrong(index, "an integer", &Cell::Null))
    }

    /// The integer at `index`, or `None` for NULL.
    pub fn opt_int(&mut self, index: usize) -> Result<Option<i64>> {
        match self.cell(index) {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(n)),
            other => Err(Row::wrong(index, "an integer", &other)),
        }
    }

    /// The boolean at `index` (SQLite's 0 and 1 included).
    pub fn bool(&mut self, index: usize) -> Result<bool> {
        match self.cell(index) {
            Cell::Bool(b) => Ok(b),
            Cell::Int(n) => Ok(n != 0),
            other => Err(Row::wrong(index, "a boolean", &other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{redacted, Target};
    use std::path::PathBuf;

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(
            redacted("postgres://harmony:s3cret@db:5432/harmony"),
            "postgres://harmony:***@db:5432/harmony"
        );
        assert_eq!(
            redacted("postgres://harmony@db/harmony"),
            "postgres://harmony@db/harmony"
        );
        let target = Target::new(
            Some("postgresql://a:b@h/d?sslmode=require"),
            PathBuf::new(),
            None,
        )
        .unwrap();
        assert!(!target.describe().contains(":b@"));
    }

    #[test]
    fn only_postgres_urls_are_databases() {
        let file = PathBuf::from("x.db");
        assert_eq!(
            Target::new(None, file.clone(), None).unwrap(),
            Target::Sqlite(file.clone())
        );
        let error = Target::new(Some("mysql://u:pw@h/d"), file.clone(), None).unwrap_err();
        assert!(!error.to_string().contains("pw"), "{error}");
        assert_eq!(
            Target::new(Some(""), file.clone(), None).unwrap(),
            Target::Sqlite(file.clone())
        );
        assert!(Target::new(None, file, Some(PathBuf::from("ca.pem"))).is_err());
    }
}
