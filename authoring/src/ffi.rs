//! The authoring tools as the WebAssembly boundary offers them: text in,
//! JSON text out. A call that fails returns an empty string and leaves its
//! error where the boundary keeps errors (`harmony_policy::ffi::take_error`).

use harmony_policy::{ffi, Policy};

/// Every problem of a ruleset's text, each with its code, pointer, line and
/// column and the name probably meant: a [`crate::validate::Report`] as
/// JSON.
pub fn validate(text: &str) -> String {
    json(&crate::validate::validate("ruleset", text))
}

/// What changes from ruleset `old` to ruleset `new` for every role, product
/// state and plan: a [`crate::diff::Diff`] as JSON; or nothing, with the
/// error left, when either does not load.
pub fn diff(old: &str, new: &str) -> String {
    match (Policy::from_json(old), Policy::from_json(new)) {
        (Ok(old), Ok(new)) => json(&crate::diff::diff(&old, &new, &[])),
        (Err(error), _) | (_, Err(error)) => {
            ffi::leave_error(error);
            String::new()
        }
    }
}

/// A report as JSON (its types have only strings, numbers, lists and
/// string-keyed maps, which always serialize).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
