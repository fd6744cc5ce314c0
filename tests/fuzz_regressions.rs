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

#[test]
fn bundle_payload_corpus() {
    replay("bundle_payload", checks::bundle_payload);
}

/// The payloads of both bundled rulesets with bytes changed all along them
/// (every 7th byte, three ways), a few bytes cut off the end, and spans
/// zeroed: every one is refused with
/// `invalid_bundle` or read into a policy that answers (the property the
/// `bundle_payload` fuzz target checks, tried here on every build).
#[test]
fn every_damaged_payload_is_refused_or_answers() {
    for name in harmony_policy::BUILTIN_NAMES {
        let bundle = harmony_policy::Policy::builtin(name).unwrap().to_bundle();
        let payload = &bundle[48..bundle.len() - 32];
        checks::bundle_payload(payload);
        for at in (0..payload.len()).step_by(7) {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = payload.to_vec();
                bad[at] ^= flip;
                checks::bundle_payload(&bad);
            }
        }
        for cut in 1..64.min(payload.len()) {
            checks::bundle_payload(&payload[..payload.len() - cut]);
        }
        for at in (0..payload.len()).step_by(97) {
            let mut bad = payload.to_vec();
            for b in bad.iter_mut().skip(at).take(16) {
                *b = 0;
            }
            checks::bundle_payload(&bad);
        }
    }
}
