//! The command-line tool's budgets, measured (not asserted): `validate` of
//! a ruleset of about 1 MB (budget 100 ms) and `diff` of two variants of a
//! bundled ruleset (budget 1 s; the contexts it enumerates are printed).
//! Run: `cargo bench -p harmony-policy-cli`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, Criterion};
use harmony_policy::Policy;
use serde_json::Value;

/// The bundled `harmony` ruleset grown to about 1 MB with palette entries.
fn large_ruleset() -> String {
    let mut doc: Value =
        serde_json::from_str(Policy::builtin("harmony").unwrap().to_json()).unwrap();
    let palette = doc["palette"].as_array_mut().unwrap();
    let base = palette[0].clone();
    let room = 1024 - palette.len();
    for i in 0..room {
        let mut entry = base.clone();
        entry["id"] = Value::from(format!("extra-{i}"));
        entry["keywords"] = (0..32)
            .map(|j| Value::from(format!("keyword-{i}-{j}")))
            .collect();
        palette.push(entry);
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

/// The bundled ruleset with the accounts page moved to the `pro` plan.
fn variant() -> Policy {
    let mut doc: Value =
        serde_json::from_str(Policy::builtin("harmony").unwrap().to_json()).unwrap();
    let route = doc["routes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["id"] == "accounts")
        .unwrap();
    let before = route["requires"].take();
    route["requires"] = serde_json::json!({ "all": [before, { "plan_at_least": "pro" }] });
    Policy::from_json(&doc.to_string()).unwrap()
}

fn bench(c: &mut Criterion) {
    let text = large_ruleset();
    println!("validate: {} bytes", text.len());
    c.bench_function("validate a 1 MB ruleset", |b| {
        b.iter(|| harmony_policy_authoring::validate::validate("large.json", &text))
    });
    let (old, new) = (Policy::builtin("harmony").unwrap(), variant());
    let d = harmony_policy_authoring::diff::diff(&old, &new, &[]);
    println!("diff: {} contexts, {} changes", d.contexts, d.changes.len());
    c.bench_function("diff two variants of harmony", |b| {
        b.iter(|| harmony_policy_authoring::diff::diff(&old, &new, &[]))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
