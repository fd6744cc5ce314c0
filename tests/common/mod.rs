//! The conformance case format (see `tests/cases/README.md`), shared by every
//! runtime's runner. A runtime only says how to perform one call.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{json, Value};

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

/// An error as every runtime reports it.
#[derive(Debug)]
pub struct Failure {
    pub code: String,
    pub path: Option<String>,
    pub message: String,
}

/// How one runtime performs a call of the JavaScript API.
pub trait Runtime {
    fn call(
        &self,
        ruleset: &Value,
        context: Option<&Value>,
        call: &str,
        args: &[Value],
    ) -> Result<Value, Failure>;
}

/// Applies `pluck`: an array of objects becomes the array of one field.
fn pluck(value: Value, key: Option<&str>) -> Value {
    match (key, value) {
        (Some(k), Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .map(|i| i.get(k).cloned().unwrap_or(Value::Null))
                .collect(),
        ),
        (_, v) => v,
    }
}

/// Runs one case; returns a description of every failing step.
pub fn run_case(name: &str, text: &str, runtime: &dyn Runtime) -> Vec<String> {
    let case: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let allowed = ["description", "seed", "ruleset", "context", "steps"];
    for key in case.as_object().expect("a case is an object").keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "{name}: unknown key `{key}`"
        );
    }
    assert!(
        case.get("description").is_some_and(Value::is_string),
        "{name}: needs a description"
    );
    let ruleset = case.get("ruleset").cloned().unwrap_or(json!("harmony"));
    let steps = case["steps"].as_array().expect("steps is an array");
    assert!(!steps.is_empty(), "{name}: no steps");
    let mut failures = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let step_keys = [
            "call",
            "args",
            "context",
            "pluck",
            "expect",
            "expectError",
            "note",
        ];
        for key in step.as_object().expect("a step is an object").keys() {
            assert!(
                step_keys.contains(&key.as_str()),
                "{name} step {i}: unknown key `{key}`"
            );
        }
        let call = step["call"].as_str().expect("call is a string");
        let args: Vec<Value> = step
            .get("args")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let context = step.get("context").or_else(|| case.get("context"));
        let got = runtime.call(&ruleset, context, call, &args);
        let label = format!("{name} step {i} ({call} {})", Value::Array(args.clone()));
        match (got, step.get("expect"), step.get("expectError")) {
            (Ok(value), Some(expect), None) => {
                let value = pluck(value, step.get("pluck").and_then(Value::as_str));
                if &value != expect {
                    failures.push(format!(
                        "{label}:\n    expected {expect}\n    got      {value}"
                    ));
                }
            }
            (Err(err), None, Some(expect)) => {
                let code_ok = expect["code"] == json!(err.code);
                let path_ok = expect.get("path").is_none_or(|p| *p == json!(err.path));
                if !code_ok || !path_ok {
                    failures.push(format!(
                        "{label}:\n    expected error {expect}\n    got error      {} {:?} ({})",
                        err.code, err.path, err.message
                    ));
                }
            }
            (Ok(value), None, Some(expect)) => failures.push(format!(
                "{label}:\n    expected error {expect}\n    got {value}"
            )),
            (Err(err), Some(expect), None) => failures.push(format!(
                "{label}:\n    expected {expect}\n    got error {} {:?}: {}",
                err.code, err.path, err.message
            )),
            _ => panic!("{label}: a step has exactly one of `expect` and `expectError`"),
        }
    }
    failures
}

/// Runs every case; panics with every failing step.
pub fn run_all(runtime: &dyn Runtime) {
    assert!(
        CASES.len() >= 40,
        "expected the full conformance suite, found {} cases",
        CASES.len()
    );
    let mut failures = Vec::new();
    for (name, text) in CASES {
        failures.extend(run_case(name, text, runtime));
    }
    assert!(
        failures.is_empty(),
        "{} failing steps:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Numbers in JSON input read alike in every runtime (the crate's own
/// reader, `src/decimal.rs`, natively and in WebAssembly): the same exact
/// values, and the same boundary where a number is out of range.
pub fn numbers_read_alike() {
    use harmony_policy::{Context, PreferenceValue};
    let read = |number: &str| {
        let text = format!(
            r#"{{"workspace":{{"slug":"a"}},"member":{{"userId":"u","preferences":{{"p":{number}}}}}}}"#
        );
        Context::from_json(&text).map(|c| match c.member.preferences.get("p") {
            Some(PreferenceValue::Number(x)) => x.to_bits(),
            other => panic!("{number}: {other:?}"),
        })
    };
    for (text, value) in [
        ("1.5", 1.5),
        ("-2.5e-3", -2.5e-3),
        ("0.1", 0.1),
        ("0.30000000000000004", 0.300_000_000_000_000_04),
        ("-0", -0.0),
        ("-0.0", -0.0),
        ("1E+2", 100.0),
        ("18446744073709551616", 18_446_744_073_709_551_616.0),
        (
            "123456789012345678901234567890e-10",
            12_345_678_901_234_567_890.123_456_789,
        ),
        ("1.7976931348623157e308", f64::MAX),
        ("1.7976931348623158e308", f64::MAX),
        ("2.2250738585072014e-308", f64::MIN_POSITIVE),
        ("5e-324", 5e-324),
        ("2e-324", 0.0),
        ("1e-400", 0.0),
    ] {
        assert_eq!(read(text).ok(), Some(value.to_bits()), "{text}");
    }
    for text in ["1e400", "-1e309", "1.797693134862315808e308"] {
        let e = read(text).unwrap_err();
        assert_eq!(e.code(), "invalid_json", "{text}");
        assert!(e.to_string().contains("number out of range"), "{text}: {e}");
    }
}
