//! Runs every `tests/cases/*.json` conformance case against the native
//! library. `tests/wasm.rs` runs the same files through the JavaScript API in
//! Node and in headless Chromium.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Failure, Runtime};
use harmony_policy::{
    AccountDeletion, ApiRequest, Context, CustomRole, Error, Invite, InviteAcceptance, Policy,
    Record, RoleChange, RoleDeletion, View,
};
use serde_json::{json, Map, Value};

struct Native;

fn to_value<T: serde::Serialize>(t: T) -> Value {
    serde_json::to_value(t).unwrap()
}

fn failure(e: impl Into<Error>) -> Failure {
    let e: Error = e.into();
    Failure {
        code: e.code().into(),
        path: e.path().map(str::to_owned),
        message: e.to_string(),
    }
}

fn arg<T: serde::de::DeserializeOwned>(args: &[Value], i: usize) -> Result<T, Failure> {
    serde_json::from_value(args.get(i).cloned().unwrap_or(Value::Null)).map_err(|e| Failure {
        code: "invalid_value".into(),
        path: Some(String::new()),
        message: e.to_string(),
    })
}

fn load(ruleset: &Value) -> Result<Policy, Failure> {
    match ruleset {
        Value::String(name) => Policy::builtin(name).map_err(failure),
        other => Policy::from_json(&other.to_string()).map_err(failure),
    }
}

fn context(context: Option<&Value>) -> Result<Context, Failure> {
    Context::from_json(&context.expect("this call needs a context").to_string()).map_err(failure)
}

fn view(policy: &Policy, ctx: Option<&Value>) -> Result<View, Failure> {
    policy.view(&context(ctx)?).map_err(failure)
}

impl Runtime for Native {
    fn call(
        &self,
        ruleset: &Value,
        ctx: Option<&Value>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Failure> {
        let policy = load(ruleset)?;
        let s = |i: usize| -> Result<String, Failure> { arg(args, i) };
        Ok(match name {
            "load" => json!({ "name": policy.name() }),
            "roundTrip" => {
                let again = Policy::from_json(policy.to_json()).map_err(failure)?;
                json!(
                    again.fingerprint() == policy.fingerprint()
                        && again.to_json() == policy.to_json()
                )
            }
            "products" => to_value(policy.products()),
            "productImpact" => to_value(
                policy
                    .product_impact(&context(ctx)?, &s(0)?, arg(args, 1)?)
                    .map_err(failure)?,
            ),
            "checkAccountDeletion" => {
                let req: AccountDeletion = arg(args, 0)?;
                to_value(policy.check_account_deletion(&req).map_err(failure)?)
            }
            "checkRoleChange" => {
                let req: RoleChange = arg(args, 0)?;
                to_value(policy.check_role_change(&req).map_err(failure)?)
            }
            "checkRoleDeletion" => {
                let req: RoleDeletion = arg(args, 0)?;
                to_value(policy.check_role_deletion(&req).map_err(failure)?)
            }
            "checkInviteAcceptance" => {
                let req: InviteAcceptance = arg(args, 0)?;
                to_value(policy.check_invite_acceptance(&req).map_err(failure)?)
            }
            "checkCustomRoles" => {
                let roles: Vec<CustomRole> = arg(args, 0)?;
                to_value(policy.check_custom_roles(&roles).map_err(failure)?)
            }
            "inviteStatus" => {
                let invite: Invite = arg(args, 0)?;
                to_value(
                    policy
                        .invite_status(&invite, arg(args, 1)?)
                        .map_err(failure)?,
                )
            }
            "view" => {
                view(&policy, ctx)?;
                Value::Null
            }
            _ => {
                let v = view(&policy, ctx)?;
                match name {
                    "sidebar" => to_value(v.sidebar()),
                    "palette" => to_value(
                        v.palette(&arg::<Option<String>>(args, 0)?.unwrap_or_default())
                            .map_err(failure)?,
                    ),
                    "resolve" => to_value(v.resolve(&s(0)?).map_err(failure)?),
                    "form" => to_value(v.form(&s(0)?).map_err(failure)?),
                    "can" => match args.get(1) {
                        None => to_value(v.can(&s(0)?).map_err(failure)?),
                        Some(record) => {
                            let record = Record::from_json(&record.to_string()).map_err(failure)?;
                            to_value(v.can_record(&s(0)?, &record).map_err(failure)?)
                        }
                    },
                    "filter" => to_value(v.filter(&s(0)?).map_err(failure)?),
                    "feature" => to_value(v.feature(&s(0)?).map_err(failure)?),
                    "checkRequest" => {
                        let text = args.first().cloned().unwrap_or(Value::Null).to_string();
                        let req = ApiRequest::from_json(&text).map_err(failure)?;
                        to_value(v.check_request(&req).map_err(failure)?)
                    }
                    "syncRecord" => {
                        let record: Map<String, Value> = arg(args, 1)?;
                        to_value(v.sync_record(&s(0)?, record).map_err(failure)?)
                    }
                    "explain" => to_value(v.explain(&s(0)?).map_err(failure)?),
                    other => panic!("unknown call `{other}`"),
                }
            }
        })
    }
}

#[test]
fn conformance_cases() {
    common::run_all(&Native);
}

#[test]
fn numbers_read_alike() {
    common::numbers_read_alike();
}
