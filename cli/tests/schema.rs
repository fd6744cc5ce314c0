//! The JSON Schema of the ruleset format, generated from the types the
//! format is read into, agrees with the loader: both bundled rulesets and
//! every inline ruleset of the conformance cases that loads are valid
//! against it, and a misspelt key is refused by both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&harmony_policy::ruleset_schema()).expect("a valid schema")
}

#[test]
fn the_bundled_rulesets_are_valid_against_the_schema() {
    let schema = validator();
    for name in ["harmony", "harmonia"] {
        let text =
            std::fs::read_to_string(root().join(format!("src/rulesets/{name}.json"))).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = schema
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        // The canonical form too (defaults written out).
        let canonical: Value =
            serde_json::from_str(harmony_policy::Policy::builtin(name).unwrap().to_json()).unwrap();
        assert!(schema.is_valid(&canonical), "{name}, canonical");
    }
}

#[test]
fn a_misspelt_key_is_refused_by_the_schema_and_the_loader() {
    let schema = validator();
    let text = std::fs::read_to_string(root().join("src/rulesets/harmony.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["navigation"][0]["colour"] = Value::from("red");
    assert!(!schema.is_valid(&doc));
    assert!(harmony_policy::Policy::from_json(&doc.to_string()).is_err());
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["routes"][1]["requires"] = serde_json::json!({ "prodct": "accounts" });
    assert!(!schema.is_valid(&doc), "an unknown condition");
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc.as_object_mut().unwrap().remove("routes");
    assert!(!schema.is_valid(&doc), "a required list left out");
}

#[test]
fn every_inline_ruleset_that_loads_is_valid_against_the_schema() {
    let schema = validator();
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("tests/cases")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let Some(ruleset @ Value::Object(_)) = case.get("ruleset") else {
            continue;
        };
        if harmony_policy::Policy::from_json(&ruleset.to_string()).is_ok() {
            assert!(schema.is_valid(ruleset), "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 1, "no inline ruleset loads");
}
