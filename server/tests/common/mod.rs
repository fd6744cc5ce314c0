//! What the server's test files share: a fresh database each (an SQLite
//! file, or a new PostgreSQL database when `HARMONY_TEST_POSTGRES` names a
//! server), the test configuration, a server in this process, and the
//! server binary as a child process.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use clap::Parser;
use harmony_server::{AppState, Config};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The session secret every test server signs with.
pub const SECRET: &str = "a test secret of at least thirty-two bytes";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The repository's root (where `www/` and `pkg/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A test's database.
#[derive(Debug, Clone)]
pub enum TestDb {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database's URL.
    Postgres(String),
}

impl TestDb {
    /// The server's flags that name this database.
    pub fn flags(&self) -> Vec<String> {
        match self {
            // An empty URL, so that a DATABASE_URL in the environment does
            // not take the test elsewhere.
            TestDb::Sqlite(path) => vec![
                "--db".into(),
                path.display().to_string(),
                "--database-url=".into(),
            ],
            TestDb::Postgres(url) => vec!["--database-url".into(), url.clone()],
        }
    }

    /// The schema version the server migrated the database to.
    pub fn schema_version(&self) -> i64 {
        match self {
            TestDb::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap(),
            TestDb::Postgres(url) => postgres_client(url, |c| {
                c.query_one("SELECT MAX(version) FROM schema_migrations", &[])
                    .unwrap()
                    .get(0)
            }),
        }
    }
}

/// Runs `work` with a client of the PostgreSQL database `url` (on a thread
/// of its own: the client blocks, and tests run on an async runtime).
pub fn postgres_client<T: Send + 'static>(
    url: &str,
    work: impl FnOnce(&mut postgres::Client) -> T + Send + 'static,
) -> T {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        work(&mut client)
    })
    .join()
    .unwrap()
}

/// A fresh database: a new database on the PostgreSQL server that
/// `HARMONY_TEST_POSTGRES` names (`postgres://user@host:port/postgres`),
/// or else an SQLite file in a new, empty directory.
pub fn fresh_db() -> TestDb {
    match std::env::var("HARMONY_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!(
                "harmony_test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::SeqCst)
            );
            let statements = [
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ];
            postgres_client(&admin, move |c| {
                for statement in statements {
                    c.batch_execute(&statement).unwrap();
                }
            });
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            TestDb::Postgres(format!("{base}/{name}"))
        }
        _ => TestDb::Sqlite(fresh_sqlite()),
    }
}

/// An SQLite file in a new, empty directory (for the tests of the file
/// itself).
pub fn fresh_sqlite() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "harmony-server-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("harmony.db")
}

/// The test configuration: `db`, `ruleset`, the test secret, and `extra`
/// flags, parsed as the binary parses its command line.
pub fn config(db: &TestDb, ruleset: &str, extra: &[&str]) -> Config {
    let mut args = vec!["harmony-server".to_owned()];
    args.extend(db.flags());
    args.extend([
        "--ruleset".to_owned(),
        ruleset.to_owned(),
        "--root".to_owned(),
        root().display().to_string(),
        "--session-secret".to_owned(),
        SECRET.to_owned(),
    ]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Config::try_parse_from(args).unwrap()
}

/// Serves `config` in this process on a free loopback port; resolves to
/// its base URL and the serving task.
pub async fn serve(config: &Config) -> (String, tokio::task::JoinHandle<()>) {
    let config = config.clone();
    let state = tokio::task::spawn_blocking(move || AppState::open(&config).unwrap())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        harmony_server::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    (base, handle)
}

/// Starts the server binary on `db` with demo sign-in, `info` logs and
/// `extra` flags; returns the child (its standard error piped) and its
/// base URL.
pub fn spawn_binary(db: &TestDb, extra: &[&str]) -> (Child, String) {
    let mut child = start_binary(db, extra);
    let base = base_url(&mut child);
    (child, base)
}

/// Starts the server binary (see [`spawn_binary`]) without waiting for it
/// to listen.
pub fn start_binary(db: &TestDb, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_harmony-server"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--demo-sign-in",
            "--session-secret",
            SECRET,
        ])
        .args(db.flags())
        .arg("--root")
        .arg(root())
        .args(extra)
        .env("RUST_LOG", "info")
        .env_remove("HARMONY_SESSION_SECRET")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a started binary's start line; its base URL.
pub fn base_url(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(start) = line.find("http://") else {
        let mut stderr = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        panic!("the server did not start: {stderr}");
    };
    let end = line[start..].find("/ ").unwrap() + start;
    line[start..end].to_owned()
}

/// Signs `user` in to Acme by demo sign-in at `base`; the session token.
pub async fn demo_token(client: &reqwest::Client, base: &str, user: &str) -> String {
    let body: serde_json::Value = client
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({ "userId": user, "workspace": "acme" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// GETs `url` as the holder of `token`: the answer's JSON.
pub async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> serde_json::Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
