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
pub mod db;
pub mod error;
mod pages;
pub mod session;

use error::StartError;
use harmony_policy::Policy;
use session::Signer;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The demo data a new database starts with.
pub const DEFAULT_SEED: &str = include_str!("../seed.json");

/// How to start a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file; created and migrated on start.
    pub database: PathBuf,
    /// A bundled ruleset name (`harmony`, `harmonia`) or a ruleset file.
    pub ruleset: String,
    /// The directory holding `www/` and `pkg/`.
    pub root: PathBuf,
    /// Seed data for a new database (JSON text); `None` for the demo data.
    pub seed: Option<String>,
    /// The session signing secret; `None` for a random one per process.
    pub secret: Option<Vec<u8>>,
}

/// Everything a request handler shares.
pub struct AppState {
    policy: Policy,
    /// Roles whose last active holder is protected (`admin`, `owner`).
    guarded_roles: Vec<String>,
    /// Every role id.
    roles: Vec<String>,
    /// The ruleset's preference ids.
    preferences: Vec<String>,
    db: Mutex<rusqlite::Connection>,
    signer: Signer,
    www: PathBuf,
    pkg: PathBuf,
}

impl AppState {
    /// Opens the database (migrating it, seeding a new one) and loads the
    /// ruleset. Seed data is checked: every member must make a valid context.
    pub fn open(config: &Config) -> Result<Arc<AppState>, StartError> {
        let policy = load_ruleset(&config.ruleset)?;
        let doc: serde_json::Value = serde_json::from_str(policy.to_json())
            .map_err(|e| StartError::Seed(format!("canonical ruleset: {e}")))?;
        let list = |key: &str| {
            doc.get(key)
                .and_then(|v| v.as_array())
                .cloned()
                .unwrap_or_default()
        };
        let roles = list("roles");
        let id = |v: &serde_json::Value| v.get("id").and_then(|s| s.as_str()).map(str::to_owned);
        let guarded_roles = roles
            .iter()
            .filter(|r| r.get("lastHolder").is_some_and(|h| !h.is_null()))
            .filter_map(id)
            .collect();
        let preferences = list("preferences")
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned).or_else(|| id(p)))
            .collect();
        let roles = roles.iter().filter_map(id).collect();

        let mut conn = db::open(&config.database)?;
        if db::is_empty(&conn)? {
            let text = config.seed.as_deref().unwrap_or(DEFAULT_SEED);
            let seed: db::Seed =
                serde_json::from_str(text).map_err(|e| StartError::Seed(e.to_string()))?;
            db::import(&mut conn, &seed, policy.name(), now_ms())?;
        }
        for (user, workspace) in db::all_memberships(&conn)? {
            let context = db::context(&conn, &user, &workspace, harmony_policy::Platform::Other)?;
            if let Some(context) = context {
                policy.view(&context).map_err(|e| {
                    StartError::Seed(format!(
                        "member `{user}` of `{workspace}`: {e} (at `{}`)",
                        e.path().unwrap_or("")
                    ))
                })?;
            }
        }
        let signer = match &config.secret {
            Some(key) => Signer::new(key).map_err(|e| StartError::Seed(e.to_string()))?,
            None => Signer::random().map_err(StartError::Seed)?,
        };
        Ok(Arc::new(AppState {
            policy,
            guarded_roles,
            roles,
            preferences,
            db: Mutex::new(conn),
            signer,
            www: config.root.join("www"),
            pkg: config.root.join("pkg"),
        }))
    }

    /// The compiled ruleset.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn db(&self) -> Result<MutexGuard<'_, rusqlite::Connection>, error::ApiError> {
        self.db
            .lock()
            .map_err(|_| error::ApiError::new(500, "storage_error", "the database is unavailable"))
    }
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

/// The HTTP application: the API, `pkg/`, the app's files and its pages.
pub fn router(state: Arc<AppState>) -> axum::Router {
    api::routes().merge(pages::routes()).with_state(state)
}

/// Serves until the listener fails or the process ends.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
