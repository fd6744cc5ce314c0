//! # harmony-server
//!
//! A reference server for `harmony-policy`: it serves the demo app (`www/`)
//! and its WebAssembly package (`pkg/`), and a JSON API over an embedded
//! SQLite database. Every API request is decided by the same crate the
//! browser runs: [`harmony_policy::View::check_request`] refuses what the
//! member may not do (with the code the wasm module reports), the ruleset's
//! endpoint table routes what is accepted ([`harmony_policy::Policy::endpoint`]),
//! sync records pass through [`harmony_policy::View::sync_record`], and the
//! membership guards (sole admin, last owner, invite expiry) come from the
//! policy too. Page loads are decided by [`harmony_policy::View::resolve`]:
//! a hidden page is redirected or refused before the app even starts.
//!
//! The server is its own crate so that the library stays free of server
//! dependencies.

mod api;
pub use api::DECISION_HEADER;
pub use routes::{Guard, RouteInfo};
pub mod db;
pub mod error;
mod guard;
pub mod identity;
mod log;
pub mod openapi;
mod pages;
mod routes;
pub mod session;

use error::StartError;
use harmony_policy::Policy;
use session::Signer;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The demo data a new database starts with.
pub const DEFAULT_SEED: &str = include_str!("../seed.json");

/// How to start a server: command-line flags, each also read from the
/// environment (`--addr` or `HARMONY_ADDR`, ...); a flag wins.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "harmony-server",
    version,
    about = "Serves the Harmony demo app and its JSON API, every request decided by harmony-policy, data in an SQLite file or in PostgreSQL.",
    after_help = "Signing in: with --jwt-secret or --jwt-public-key, POST /api/session with `Authorization: Bearer <identity token>` (its `email` claim names the user). With --demo-sign-in, anyone may sign in as any member: for demos only."
)]
pub struct Config {
    /// Where to listen (port 0 picks a free one).
    #[arg(long, env = "HARMONY_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// The SQLite file; created and migrated on start (unless
    /// `--database-url` names a PostgreSQL database).
    #[arg(long = "db", env = "HARMONY_DB", default_value = "harmony.db")]
    pub database: PathBuf,
    /// A PostgreSQL database instead of the SQLite file
    /// (`postgres://user:password@host:port/name`), migrated on start: for
    /// several server processes on one database.
    /// With `?sslmode=require` the connection is TLS, the server's
    /// certificate verified against the system's certificates or
    /// `--database-ca`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// A PEM file of the certificates that TLS to PostgreSQL trusts (the
    /// database server's CA), instead of the system's.
    #[arg(long, env = "HARMONY_DATABASE_CA")]
    pub database_ca: Option<PathBuf>,
    /// A bundled ruleset (`harmony`, `harmonia`) or a ruleset JSON file.
    #[arg(long, env = "HARMONY_RULESET", default_value = "harmony")]
    pub ruleset: String,
    /// The directory holding `www/` and `pkg/`.
    #[arg(long, env = "HARMONY_ROOT", default_value = ".")]
    pub root: PathBuf,
    /// Data for a new database (a JSON file); the demo data when unset.
    #[arg(long, env = "HARMONY_SEED")]
    pub seed: Option<PathBuf>,
    /// The session signing secret, at least 32 bytes; a random one per
    /// process when unset (sessions then end with the process).
    #[arg(long, env = "HARMONY_SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<String>,
    /// How long a session lasts, in hours.
    #[arg(long, env = "HARMONY_SESSION_HOURS", default_value_t = 8)]
    pub session_hours: u32,
    /// Lets anyone sign in as any member and list every user: for demos only.
    #[arg(long, env = "HARMONY_DEMO_SIGN_IN")]
    pub demo_sign_in: bool,
    /// Accept identity tokens (JWT, HS256) signed with this secret.
    #[arg(long, env = "HARMONY_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Accept identity tokens (JWT, RS256 or ES256) signed by the key whose
    /// public half is in this PEM file.
    #[arg(long, env = "HARMONY_JWT_PUBLIC_KEY")]
    pub jwt_public_key: Option<PathBuf>,
    /// The identity tokens' required issuer (`iss`).
    #[arg(long, env = "HARMONY_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// The identity tokens' required audience (`aud`).
    #[arg(long, env = "HARMONY_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// Marks the session cookie `Secure` (serve over TLS, or behind a proxy
    /// that does).
    #[arg(long, env = "HARMONY_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Seconds a client has to send a request's headers; slow and idle
    /// connections are closed after it.
    #[arg(long, env = "HARMONY_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds a request may take before it is answered 408.
    #[arg(long, env = "HARMONY_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Database connections per process: requests read in parallel, and
    /// one slow request holds one connection, not the database.
    #[arg(long, env = "HARMONY_DB_CONNECTIONS", default_value_t = 8)]
    pub db_connections: u32,
    /// How log lines are written (to standard error): `text` or `json`.
    /// Which are written is `RUST_LOG`'s to say (default `info`).
    #[arg(long, env = "HARMONY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Sign-in attempts allowed per minute from one address.
    #[arg(long, env = "HARMONY_SIGN_IN_PER_MINUTE", default_value_t = 30)]
    pub sign_in_per_minute: u32,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line each.
    Text,
    /// One JSON object each.
    Json,
}

/// Everything a request handler shares.
pub struct AppState {
    policy: Policy,
    /// The ruleset as a bundle, written once at start.
    bundle: axum::body::Bytes,
    db: db::Pool,
    /// Where the data lives.
    target: db::Target,
    /// Turns at the database (see `gate`).
    gate: Arc<tokio::sync::Semaphore>,
    /// Held by a change from its check to its write (see `changes`).
    changes: std::sync::Mutex<()>,
    signer: Signer,
    /// How long a session lasts, in milliseconds.
    session_ms: i64,
    demo_sign_in: bool,
    identity: Option<identity::Identity>,
    secure_cookies: bool,
    sign_in_limit: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    timeouts: (std::time::Duration, std::time::Duration),
    www: PathBuf,
    pkg: PathBuf,
}

impl AppState {
    /// Loads the ruleset, checks the configuration and opens the database
    /// (migrating it, seeding a new one). Seed data is checked: every member
    /// must make a valid context. Call it where blocking is allowed (not on
    /// an async runtime's threads): the database's clients block.
    pub fn open(config: &Config) -> Result<Arc<AppState>, StartError> {
        let policy = load_ruleset(&config.ruleset)?;
        // The configuration is checked before the database is touched.
        let signer = match &config.session_secret {
            Some(key) => Signer::new(key.as_bytes()),
            None => Signer::random(),
        }
        .map_err(StartError::Config)?;
        let per_minute = std::num::NonZeroU32::new(config.sign_in_per_minute)
            .ok_or_else(|| StartError::Config("--sign-in-per-minute must be at least 1".into()))?;
        let identity = identity::Identity::from_config(config).map_err(StartError::Config)?;
        let target = db::Target::new(
            config.database_url.as_deref(),
            config.database.clone(),
            config.database_ca.clone(),
        )?;
        let seed = |conn: &mut db::Conn| -> Result<(), StartError> {
            if !db::is_empty(conn)? {
                return Ok(());
            }
            let text = match &config.seed {
                Some(path) => std::fs::read_to_string(path).map_err(|source| StartError::Io {
                    path: path.display().to_string(),
                    source,
                })?,
                None => DEFAULT_SEED.to_owned(),
            };
            let seed: db::Seed =
                serde_json::from_str(&text).map_err(|e| StartError::Seed(e.to_string()))?;
            Ok(db::import(conn, &seed, policy.name(), now_ms())?)
        };
        let pool = db::Pool::open(&target, config.db_connections, seed)?;
        let mut conn = pool.get()?;
        for (user, workspace) in db::all_memberships(&mut conn)? {
            let context = db::context(
                &mut conn,
                &user,
                &workspace,
                harmony_policy::Platform::Other,
            )?;
            if let Some(context) = context {
                policy.view(&context).map_err(|e| {
                    StartError::Seed(format!(
                        "member `{user}` of `{workspace}`: {e} (at `{}`)",
                        e.path().unwrap_or("")
                    ))
                })?;
            }
        }
        drop(conn);
        let bundle = axum::body::Bytes::from(policy.to_bundle());
        Ok(Arc::new(AppState {
            policy,
            bundle,
            db: pool,
            target,
            gate: Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(config.db_connections.max(3) - 2).unwrap_or(1),
            )),
            changes: std::sync::Mutex::new(()),
            signer,
            session_ms: i64::from(config.session_hours).saturating_mul(3_600_000),
            demo_sign_in: config.demo_sign_in,
            identity,
            secure_cookies: config.secure_cookies,
            sign_in_limit: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
            timeouts: (
                std::time::Duration::from_secs(config.header_timeout.max(1)),
                std::time::Duration::from_secs(config.request_timeout.max(1)),
            ),
            www: config.root.join("www"),
            pkg: config.root.join("pkg"),
        }))
    }

    /// The session a request carries: a token whose signature holds, not
    /// expired and not signed out (asked on `conn`, the connection the
    /// request goes on with). `Ok(None)` when there is none.
    pub(crate) fn session(
        &self,
        conn: &mut db::Conn,
        headers: &axum::http::HeaderMap,
    ) -> Result<Option<session::Session>, error::ApiError> {
        let Some(session) = session::token(headers).and_then(|t| self.signer.verify(t, now_ms()))
        else {
            return Ok(None);
        };
        if db::is_revoked(conn, &session.id)? {
            return Ok(None);
        }
        Ok(Some(session))
    }

    /// The compiled ruleset.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Serializes changes, in this process and across every process on
    /// the database: each reads, asks the policy and writes with no other
    /// change in between, so two guards (the last admin, say) cannot both
    /// pass on the same state. Reads go on in parallel.
    fn changes(&self) -> Result<Change<'_>, error::ApiError> {
        let process = self
            .changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let database = self.db.lock()?;
        Ok(Change {
            _database: database,
            _process: process,
        })
    }

    /// The turns at the database: as many requests use it at once as the
    /// pool can serve (two connections are kept for a change, which holds
    /// the change lock's connection beside its own); the rest wait in order
    /// of arrival.
    pub(crate) fn gate(&self) -> Arc<tokio::sync::Semaphore> {
        self.gate.clone()
    }

    /// Which backend holds the data (`sqlite`, `postgres`).
    pub fn backend(&self) -> &'static str {
        self.target.backend()
    }

    /// Where the data lives (no password).
    pub fn database(&self) -> String {
        self.target.describe()
    }

    fn db(&self) -> Result<db::Conn, error::ApiError> {
        Ok(self.db.get()?)
    }

    /// A connection within `timeout`, for the health probe.
    fn db_within(&self, timeout: std::time::Duration) -> Result<db::Conn, error::ApiError> {
        Ok(self.db.get_within(timeout)?)
    }
}

/// A change in progress: holds the database's change lock and this
/// process's (so that its threads queue here rather than each holding a
/// connection while they wait).
struct Change<'a> {
    _database: db::Lock,
    _process: std::sync::MutexGuard<'a, ()>,
}

fn load_ruleset(spec: &str) -> Result<Policy, StartError> {
    if harmony_policy::BUILTIN_NAMES.contains(&spec) {
        return Ok(Policy::builtin(spec)?);
    }
    let text = std::fs::read_to_string(Path::new(spec)).map_err(|source| StartError::Io {
        path: spec.to_owned(),
        source,
    })?;
    Ok(Policy::from_json(&text)?)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The HTTP application: the API, `pkg/`, the app's files and its pages,
/// behind the web guards (security headers, same-origin state changes, body
/// and time limits).
pub fn router(state: Arc<AppState>) -> axum::Router {
    let request_timeout = state.timeouts.1;
    let (routes, _) = api::routes().merge(pages::routes()).into_parts();
    guard::layers(routes.with_state(state), request_timeout)
}

/// Every route the server registers, with what guards it.
pub fn inventory() -> Vec<RouteInfo> {
    api::routes().merge(pages::routes()).into_parts().1
}

/// Serves until `shutdown` resolves, then stops accepting, lets the requests
/// in flight finish (for at most the request timeout) and returns. A client
/// that takes longer than the header timeout to send a request's headers,
/// or stays idle that long between requests, is disconnected.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let (header_timeout, request_timeout) = state.timeouts;
    let app = router(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of file descriptors and the like: wait, then go on.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(request.map(axum::body::Body::new))
            },
        );
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection ending badly (a reset, a timeout) concerns only it.
            let _ = connection.await;
        });
    }
    drop(listener);
    tracing::info!("stopping: no new connections; finishing the requests in flight");
    if tokio::time::timeout(request_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("stopped with requests still in flight after the request timeout");
    }
    Ok(())
}
