//! The conformance case format (`tests/cases/README.md`) run natively: the
//! `test` command's engine, and the native conformance suite's. A case is
//! a ruleset (bundled by name, or inline), a context and steps; each step
//! calls the JavaScript API's method of the same name and expects a value
//! or an error code (and pointer).

use harmony_policy::{
    AccountDeletion, ApiRequest, Context, CustomRole, Error, Invite, InviteAcceptance, Policy,
    Record, RoleChange, RoleDeletion, View,
};
use serde_json::{json, Map, Value};

/// An error as the case format compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable code.
    pub code: String,
    /// The JSON pointer, when the error has one.
    pub path: Option<String>,
    /// The message.
    pub message: String,
}

impl Failure {
    fn of(e: impl Into<Error>) -> Failure {
        let e: Error = e.into();
        Failure {
            code: e.code().into(),
            path: e.path().map(str::to_owned),
            message: e.to_string(),
        }
    }

    fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: "invalid_value".into(),
            path: Some(String::new()),
            message: message.into(),
        }
    }
}

fn to_value<T: serde::Serialize>(t: T) -> Result<Value, Failure> {
    serde_json::to_value(t).map_err(|e| Failure::input(e.to_string()))
}

fn arg<T: serde::de::DeserializeOwned>(args: &[Value], i: usize) -> Result<T, Failure> {
    serde_json::from_value(args.get(i).cloned().unwrap_or(Value::Null))
        .map_err(|e| Failure::input(e.to_string()))
}

/// The ruleset a case names: a bundled one, or an inline document; a
/// `--ruleset` file given to `test` replaces both.
pub fn load(ruleset: &Value) -> Result<Policy, Failure> {
    match ruleset {
        Value::String(name) => Policy::builtin(name).map_err(Failure::of),
        other => Policy::from_json(&other.to_string()).map_err(Failure::of),
    }
}

fn context(context: Option<&Value>) -> Result<Context, Failure> {
    let context = context.ok_or_else(|| Failure::input("this call needs a context"))?;
    Context::from_json(&context.to_string()).map_err(Failure::of)
}

fn view(policy: &Policy, ctx: Option<&Value>) -> Result<View, Failure> {
    policy.view(&context(ctx)?).map_err(Failure::of)
}

/// Performs one call of the API, natively, with JSON arguments.
pub fn call(
    policy: &Policy,
    ctx: Option<&Value>,
    name: &str,
    args: &[Value],
) -> Result<Value, Failure> {
    let s = |i: usize| -> Result<String, Failure> { arg(args, i) };
    match name {
        "load" => Ok(json!({ "name": policy.name() })),
        "roundTrip" => {
            let again = Policy::from_json(policy.to_json()).map_err(Failure::of)?;
            Ok(json!(
                again.fingerprint() == policy.fingerprint() && again.to_json() == policy.to_json()
            ))
        }
        "products" => to_value(policy.products()),
        "productImpact" => to_value(
            policy
                .product_impact(&context(ctx)?, &s(0)?, arg(args, 1)?)
                .map_err(Failure::of)?,
        ),
        "checkAccountDeletion" => {
            let req: AccountDeletion = arg(args, 0)?;
            to_value(policy.check_account_deletion(&req).map_err(Failure::of)?)
        }
        "checkRoleChange" => {
            let req: RoleChange = arg(args, 0)?;
            to_value(policy.check_role_change(&req).map_err(Failure::of)?)
        }
        "checkRoleDeletion" => {
            let req: RoleDeletion = arg(args, 0)?;
            to_value(policy.check_role_deletion(&req).map_err(Failure::of)?)
        }
        "checkInviteAcceptance" => {
            let req: InviteAcceptance = arg(args, 0)?;
            to_value(policy.check_invite_acceptance(&req).map_err(Failure::of)?)
        }
        "checkCustomRoles" => {
            let roles: Vec<CustomRole> = arg(args, 0)?;
            to_value(policy.check_custom_roles(&roles).map_err(Failure::of)?)
        }
        "inviteStatus" => {
            let invite: Invite = arg(args, 0)?;
            to_value(
                policy
                    .invite_status(&invite, arg(args, 1)?)
                    .map_err(Failure::of)?,
            )
        }
        "view" => view(policy, ctx).map(|_| Value::Null),
        _ => {
            let v = view(policy, ctx)?;
            match name {
                "sidebar" => to_value(v.sidebar()),
                "palette" => to_value(
                    v.palette(&arg::<Option<String>>(args, 0)?.unwrap_or_default())
                        .map_err(Failure::of)?,
                ),
                "resolve" => to_value(v.resolve(&s(0)?).map_err(Failure::of)?),
                "form" => to_value(v.form(&s(0)?).map_err(Failure::of)?),
                "can" => match args.get(1) {
                    None => to_value(v.can(&s(0)?).map_err(Failure::of)?),
                    Some(record) => {
                        let record = Record::from_json(&record.to_string()).map_err(Failure::of)?;
                        to_value(v.can_record(&s(0)?, &record).map_err(Failure::of)?)
                    }
                },
                "filter" => to_value(v.filter(&s(0)?).map_err(Failure::of)?),
                "feature" => to_value(v.feature(&s(0)?).map_err(Failure::of)?),
                "checkRequest" => {
                    let text = args.first().cloned().unwrap_or(Value::Null).to_string();
                    let req = ApiRequest::from_json(&text).map_err(Failure::of)?;
                    to_value(v.check_request(&req).map_err(Failure::of)?)
                }
                "syncRecord" => {
                    let record: Map<String, Value> = arg(args, 1)?;
                    to_value(v.sync_record(&s(0)?, record).map_err(Failure::of)?)
                }
                "explain" => to_value(v.explain(&s(0)?).map_err(Failure::of)?),
                other => Err(Failure {
                    code: "unknown_call".into(),
                    path: None,
                    message: format!("no call `{other}` in the case format"),
                }),
            }
        }
    }
}

/// A failing step: where, what was expected and what came.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepFailure {
    /// The case's name (its file).
    pub case: String,
    /// The step's index, or `None` for a problem with the case itself.
    pub step: Option<usize>,
    /// The call and its arguments.
    pub call: String,
    /// What the step expected.
    pub expected: String,
    /// What came.
    pub got: String,
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

const CASE_KEYS: [&str; 5] = ["description", "seed", "ruleset", "context", "steps"];
const STEP_KEYS: [&str; 7] = [
    "call",
    "args",
    "context",
    "pluck",
    "expect",
    "expectError",
    "note",
];

/// Runs one case (`text`, named `name`) against `ruleset`, or against the
/// ruleset the case names when `ruleset` is `None`; returns every failing
/// step (a malformed case is one failure, with no step).
pub fn run_case(name: &str, text: &str, ruleset: Option<&Policy>) -> Vec<StepFailure> {
    let mut loaded: Option<(Value, Result<Policy, Failure>)> = None;
    run_case_with(name, text, &mut |named, ctx, call_name, args| {
        let policy = match ruleset {
            Some(policy) => policy,
            None => {
                // Loaded once per case: a ruleset that does not load is
                // every step's answer (cases about invalid rulesets expect
                // exactly that error).
                if loaded.as_ref().is_none_or(|(v, _)| v != named) {
                    loaded = Some((named.clone(), load(named)));
                }
                match loaded.as_ref().map(|(_, p)| p) {
                    Some(Ok(policy)) => policy,
                    Some(Err(e)) => return Err(e.clone()),
                    None => return Err(Failure::input("no ruleset")),
                }
            }
        };
        call(policy, ctx, call_name, args)
    })
}

/// How a runtime performs one call of a case: the ruleset the case names
/// (a bundled name or an inline document), the step's context, the call's
/// name and its arguments.
pub type Perform<'a> =
    dyn FnMut(&Value, Option<&Value>, &str, &[Value]) -> Result<Value, Failure> + 'a;

/// Runs one case with any runtime (`perform`): natively ([`run_case`]), or
/// through the WebAssembly boundary (the wasm tests); returns every failing
/// step (a malformed case is one failure, with no step).
pub fn run_case_with(name: &str, text: &str, perform: &mut Perform<'_>) -> Vec<StepFailure> {
    let malformed = |what: String| {
        vec![StepFailure {
            case: name.to_owned(),
            step: None,
            call: String::new(),
            expected: "a case in the conformance format".into(),
            got: what,
        }]
    };
    let case: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return malformed(format!("not JSON: {e}")),
    };
    let Some(object) = case.as_object() else {
        return malformed("not an object".into());
    };
    if let Some(key) = object.keys().find(|k| !CASE_KEYS.contains(&k.as_str())) {
        return malformed(format!("unknown key `{key}`"));
    }
    if !case.get("description").is_some_and(Value::is_string) {
        return malformed("no `description`".into());
    }
    let Some(steps) = case
        .get("steps")
        .and_then(Value::as_array)
        .filter(|s| !s.is_empty())
    else {
        return malformed("no `steps`".into());
    };
    let ruleset = case.get("ruleset").cloned().unwrap_or(json!("harmony"));
    let mut failures = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let fail = |call: String, expected: String, got: String| StepFailure {
            case: name.to_owned(),
            step: Some(i),
            call,
            expected,
            got,
        };
        let Some(step_object) = step.as_object() else {
            failures.push(fail(
                String::new(),
                "a step object".into(),
                step.to_string(),
            ));
            continue;
        };
        if let Some(key) = step_object
            .keys()
            .find(|k| !STEP_KEYS.contains(&k.as_str()))
        {
            failures.push(fail(
                String::new(),
                "a step's keys".into(),
                format!("unknown key `{key}`"),
            ));
            continue;
        }
        let Some(call_name) = step.get("call").and_then(Value::as_str) else {
            failures.push(fail(String::new(), "a `call`".into(), "none".into()));
            continue;
        };
        let args: Vec<Value> = step
            .get("args")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let label = format!("{call_name} {}", Value::Array(args.clone()));
        let ctx = step.get("context").or_else(|| case.get("context"));
        let got = perform(&ruleset, ctx, call_name, &args);
        match (got, step.get("expect"), step.get("expectError")) {
            (Ok(value), Some(expect), None) => {
                let value = pluck(value, step.get("pluck").and_then(Value::as_str));
                if &value != expect {
                    failures.push(fail(label, expect.to_string(), value.to_string()));
                }
            }
            (Err(err), None, Some(expect)) => {
                let code_ok = expect.get("code") == Some(&json!(err.code));
                let path_ok = expect.get("path").is_none_or(|p| *p == json!(err.path));
                if !code_ok || !path_ok {
                    failures.push(fail(
                        label,
                        format!("error {expect}"),
                        format!("error {} at {:?}: {}", err.code, err.path, err.message),
                    ));
                }
            }
            (Ok(value), None, Some(expect)) => {
                failures.push(fail(label, format!("error {expect}"), value.to_string()));
            }
            (Err(err), Some(expect), None) => failures.push(fail(
                label,
                expect.to_string(),
                format!("error {} at {:?}: {}", err.code, err.path, err.message),
            )),
            _ => failures.push(fail(
                label,
                "exactly one of `expect` and `expectError`".into(),
                "both or neither".into(),
            )),
        }
    }
    failures
}
