//! Reading names out of a ruleset document (its canonical JSON), for the
//! tool's reports: the library decides; these only list what is declared.

use harmony_policy::Policy;
use serde_json::Value;

/// The policy's canonical form as a JSON value.
pub fn of(policy: &Policy) -> Value {
    serde_json::from_str(policy.to_json()).unwrap_or(Value::Null)
}

/// The names under `list`: each item's `key`, or the item itself when it is
/// a string.
pub fn ids(doc: &Value, list: &str, key: &str) -> Vec<String> {
    doc.get(list)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|x| x.get(key).or(Some(x)).and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The permission vocabulary's `resources` or `actions`.
pub fn vocabulary(doc: &Value, key: &str) -> Vec<String> {
    doc.pointer(&format!("/permissions/{key}"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
