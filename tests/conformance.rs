//! Runs every `tests/cases/*.json` conformance case against the native
//! library. The wasm tests run the same files through the JavaScript API.
//! The case format is documented in `tests/cases/README.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy::{
    AccountDeletion, ApiRequest, Context, Error, Invite, Policy, RoleChange, View,
};
use serde_json::{json, Map, Value};
use std::fs;
use std::path::Path;

fn to_value<T: serde::Serialize>(t: T) -> Value {
    serde_json::to_value(t).unwrap()
}

fn arg<T: serde::de::DeserializeOwned>(args: &[Value], i: usize) -> Result<T, Error> {
    let v = args.get(i).cloned().unwrap_or(Value::Null);
    serde_json::from_value(v).map_err(|e| {
        Error::Query(harmony_policy::QueryError::InvalidValue {
            path: format!("/args/{i}"),
            message: e.to_string(),
        })
    })
}

fn load(ruleset: &Value) -> Result<Policy, Error> {
    match ruleset {
        Value::String(name) => Ok(Policy::builtin(name)?),
        other => Ok(Policy::from_json(&other.to_string())?),
    }
}

fn view(policy: &Policy, context: Option<&Value>) -> Result<View, Error> {
    let text = context.expect("this call needs a context").to_string();
    let ctx = Context::from_json(&text)?;
    Ok(policy.view(&ctx)?)
}

/// Performs one call, as the JavaScript API names it.
fn call(
    ruleset: &Value,
    context: Option<&Value>,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if name == "load" {
        let p = load(ruleset)?;
        return Ok(json!({ "name": p.name() }));
    }
    let policy = load(ruleset)?;
    let s = |i: usize| -> Result<String, Error> { arg(args, i) };
    Ok(match name {
        "roundTrip" => {
            let again = Policy::from_json(policy.to_json())?;
            json!(
                again.fingerprint() == policy.fingerprint() && again.to_json() == policy.to_json()
            )
        }
        "products" => to_value(policy.products()),
        "productImpact" => {
            let ctx = Context::from_json(&context.unwrap().to_string())?;
            to_value(policy.product_impact(&ctx, &s(0)?, arg(args, 1)?)?)
        }
        "checkAccountDeletion" => {
            let req: AccountDeletion = arg(args, 0)?;
            to_value(policy.check_account_deletion(&req)?)
        }
        "checkRoleChange" => {
            let req: RoleChange = arg(args, 0)?;
            to_value(policy.check_role_change(&req)?)
        }
        "inviteStatus" => {
            let invite: Invite = arg(args, 0)?;
            to_value(policy.invite_status(&invite, arg(args, 1)?)?)
        }
        "view" => {
            view(&policy, context)?;
            Value::Null
        }
        _ => {
            let v = view(&policy, context)?;
            match name {
                "sidebar" => to_value(v.sidebar()),
                "palette" => {
                    to_value(v.palette(&arg::<Option<String>>(args, 0)?.unwrap_or_default())?)
                }
                "resolve" => to_value(v.resolve(&s(0)?)?),
                "form" => to_value(v.form(&s(0)?)?),
                "can" => to_value(v.can(&s(0)?)?),
                "feature" => to_value(v.feature(&s(0)?)?),
                "checkRequest" => {
                    let req: ApiRequest = arg(args, 0)?;
                    to_value(v.check_request(&req)?)
                }
                "syncRecord" => {
                    let record: Map<String, Value> = arg(args, 1)?;
                    to_value(v.sync_record(&s(0)?, record)?)
                }
                "explain" => to_value(v.explain(&s(0)?)?),
                other => panic!("unknown call `{other}`"),
            }
        }
    })
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

fn run_case(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let case: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let allowed = ["description", "seed", "ruleset", "context", "steps"];
    for key in case.as_object().expect("a case is an object").keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "{}: unknown key `{key}`",
            path.display()
        );
    }
    assert!(
        case.get("description").is_some_and(Value::is_string),
        "{}: needs a description",
        path.display()
    );
    let ruleset = case.get("ruleset").cloned().unwrap_or(json!("harmony"));
    let mut failures = Vec::new();
    let steps = case["steps"].as_array().expect("steps is an array");
    assert!(!steps.is_empty(), "{}: no steps", path.display());
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
                "{} step {i}: unknown key `{key}`",
                path.display()
            );
        }
        let name = step["call"].as_str().expect("call is a string");
        let args: Vec<Value> = step
            .get("args")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let context = step.get("context").or_else(|| case.get("context"));
        let got = call(&ruleset, context, name, &args);
        let label = format!(
            "{} step {i} ({name} {})",
            path.file_name().unwrap().to_string_lossy(),
            Value::Array(args.clone())
        );
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
                let got = json!({ "code": err.code(), "path": err.path() });
                let code_ok = expect["code"] == got["code"];
                let path_ok = expect.get("path").is_none_or(|p| *p == got["path"]);
                if !code_ok || !path_ok {
                    failures.push(format!(
                        "{label}:\n    expected error {expect}\n    got error      {got} ({err})"
                    ));
                }
            }
            (Ok(value), None, Some(expect)) => failures.push(format!(
                "{label}:\n    expected error {expect}\n    got {value}"
            )),
            (Err(err), Some(expect), None) => failures.push(format!(
                "{label}:\n    expected {expect}\n    got error {} {:?}: {err}",
                err.code(),
                err.path()
            )),
            _ => panic!("{label}: a step has exactly one of `expect` and `expectError`"),
        }
    }
    failures
}

#[test]
fn conformance_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "expected the full conformance suite, found {} cases",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        failures.extend(run_case(file));
    }
    assert!(
        failures.is_empty(),
        "{} failing steps:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
