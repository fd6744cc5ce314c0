//! What the server's test files share: a fresh database file each, the
//! test configuration, a server in this process, and the server binary as
//! a child process.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use clap::Parser;
use harmony_server::{AppState, Config};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The session secret every test server signs with.
pub const SECRET: &str = "a test secret of at least thirty-two bytes";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The repository's root (where `www/` and `pkg/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A database file in a new, empty directory.
pub fn fresh_db() -> PathBuf {
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
pub fn config(db: &Path, ruleset: &str, extra: &[&str]) -> Config {
    let mut args = vec![
        "harmony-server".to_owned(),
        "--db".to_owned(),
        db.display().to_string(),
        "--ruleset".to_owned(),
        ruleset.to_owned(),
        "--root".to_owned(),
        root().display().to_string(),
        "--session-secret".to_owned(),
        SECRET.to_owned(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    Config::try_parse_from(args).unwrap()
}

/// Serves `config` in this process on a free loopback port; resolves to
/// its base URL and the serving task.
pub async fn serve(config: &Config) -> (String, tokio::task::JoinHandle<()>) {
    let state = AppState::open(config).unwrap();
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
pub fn spawn_binary(db: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_harmony-server"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--demo-sign-in",
            "--session-secret",
            SECRET,
        ])
        .arg("--db")
        .arg(db)
        .arg("--root")
        .arg(root())
        .args(extra)
        .env("RUST_LOG", "info")
        .env_remove("HARMONY_SESSION_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let start = line.find("http://").unwrap();
    let end = line[start..].find("/ ").unwrap() + start;
    (child, line[start..end].to_owned())
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
