//! The bundles the runtime embeds (`src/rulesets/*.bundle`) are the bundled
//! rulesets' JSON compiled: the runtime, which cannot read JSON, answers
//! exactly what the JSON says.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use harmony_policy::{Policy, BUILTIN_NAMES};

#[test]
fn the_embedded_bundles_are_the_bundled_rulesets_compiled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rulesets");
    for name in BUILTIN_NAMES {
        let path = dir.join(format!("{name}.bundle"));
        let committed = std::fs::read(&path).unwrap();
        let policy = Policy::builtin(name).unwrap();
        assert!(
            committed == policy.to_bundle(),
            "{} is not {name}.json compiled: run `bash scripts/bundles.sh`",
            path.display()
        );
        let read = Policy::from_bundle(&committed).unwrap();
        assert_eq!(read.fingerprint(), policy.fingerprint());
        assert_eq!(read.to_json(), policy.to_json());
    }
}
