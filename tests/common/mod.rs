//! What the runners inside WebAssembly share: the conformance cases (the
//! case format's engine is the authoring crate's, `run_case_with`; a
//! runtime only says how to perform one call), and numbers read alike.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

use harmony_policy_authoring::cases::run_case_with;
pub use harmony_policy_authoring::cases::Failure;

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

/// Runs every case through `runtime` with the case format's own engine
/// (the one the command-line tool runs natively); panics with every
/// failing step.
pub fn run_all(runtime: &dyn Runtime) {
    assert!(
        CASES.len() >= 40,
        "expected the full conformance suite, found {} cases",
        CASES.len()
    );
    let mut failures = Vec::new();
    for (name, text) in CASES {
        let mut perform = |ruleset: &Value, context: Option<&Value>, call: &str, args: &[Value]| {
            runtime.call(ruleset, context, call, args)
        };
        failures.extend(run_case_with(name, text, &mut perform));
    }
    assert!(
        failures.is_empty(),
        "{} failing steps:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| format!(
                "{} step {:?} ({}):\n    expected {}\n    got      {}",
                f.case, f.step, f.call, f.expected, f.got
            ))
            .collect::<Vec<_>>()
            .join("\n")
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
