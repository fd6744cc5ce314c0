//! `harmony-server`: the reference server. See `--help`.

use clap::Parser;
use harmony_server::{AppState, Config, LogFormat};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(Config::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("harmony-server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl+C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Logs to standard error, at the levels `RUST_LOG` names (default
/// `info`), as text or JSON.
fn start_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colors only for a person at a terminal, never in a file or a pipe.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

fn run(config: Config) -> Result<(), String> {
    start_logging(config.log_format);
    let state = AppState::open(&config).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let serving = state.clone();
    runtime.block_on(async move {
        let state = serving;
        let addr = &config.addr;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on `{addr}`: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!(
            "harmony-server: http://{local}/ (ruleset {}, {}, database {}{})",
            state.policy().name(),
            state.policy().fingerprint(),
            state.database(),
            if config.demo_sign_in {
                ", demo sign-in on"
            } else {
                ""
            }
        );
        harmony_server::serve(listener, state, stop_signal())
            .await
            .map_err(|e| e.to_string())
    })?;
    // Every request has finished: the pool closes its connections here, off
    // the runtime.
    drop(runtime);
    drop(state);
    tracing::info!("stopped: database connections closed");
    Ok(())
}
