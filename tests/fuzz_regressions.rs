//! Replays the fuzz corpus (`fuzz/corpus/*`) and any crash the fuzzers ever
//! found (`fuzz/artifacts/*`) through the same property checks the fuzz
//! targets run (`fuzz/checks.rs`), so what fuzzing found stays fixed.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in [
        root.join("corpus").join(target),
        root.join("artifacts").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                let data = std::fs::read(&path).unwrap();
                let result = std::panic::catch_unwind(|| check(&data));
                assert!(result.is_ok(), "{} fails its property", path.display());
                count += 1;
            }
        }
    }
    assert!(count > 0, "no corpus for {target}");
}

#[test]
fn ruleset_corpus() {
    replay("ruleset", checks::ruleset);
}

#[test]
fn context_corpus() {
    replay("context", checks::context);
}

#[test]
fn resolve_corpus() {
    replay("resolve", checks::resolve);
}

#[test]
fn check_request_corpus() {
    replay("check_request", checks::check_request);
}

#[test]
fn sync_record_corpus() {
    replay("sync_record", checks::sync_record);
}

#[test]
fn bundle_corpus() {
    replay("bundle", checks::bundle);
}
