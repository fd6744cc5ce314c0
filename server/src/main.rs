//! `harmony-server`: the reference server. See `--help`.

use harmony_server::{AppState, Config};
use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
harmony-server: serves the Harmony demo app and its API, every request
decided by harmony-policy, data in an SQLite file.

Usage: harmony-server [options]
  --addr HOST:PORT   where to listen (default 127.0.0.1:8080; port 0 picks one)
  --db FILE          SQLite database, created and migrated on start
                     (default harmony.db)
  --ruleset NAME     harmony (default), harmonia, or a ruleset JSON file
  --seed FILE        data for a new database (default: the demo data)
  --root DIR         the directory holding www/ and pkg/ (default .)

Sessions are signed with HARMONY_SESSION_SECRET when it is set, else with a
random key per process. Signing in is a demo stand-in for authentication:
anyone may sign in as any member.
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("harmony-server: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut addr = "127.0.0.1:8080".to_owned();
    let mut config = Config {
        database: PathBuf::from("harmony.db"),
        ruleset: "harmony".to_owned(),
        root: PathBuf::from("."),
        seed: None,
        secret: std::env::var("HARMONY_SESSION_SECRET")
            .ok()
            .map(String::into_bytes),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            print!("{HELP}");
            return Ok(());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value (see --help)"))?;
        match flag.as_str() {
            "--addr" => addr = value,
            "--db" => config.database = PathBuf::from(value),
            "--ruleset" => config.ruleset = value,
            "--root" => config.root = PathBuf::from(value),
            "--seed" => {
                config.seed =
                    Some(std::fs::read_to_string(&value).map_err(|e| format!("`{value}`: {e}"))?);
            }
            other => return Err(format!("unknown option `{other}` (see --help)")),
        }
    }
    let state = AppState::open(&config).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!(
            "harmony-server: http://{local}/ (ruleset {}, {}, database {})",
            state.policy().name(),
            state.policy().fingerprint(),
            config.database.display()
        );
        tokio::select! {
            served = harmony_server::serve(listener, state) => served.map_err(|e| e.to_string()),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}
