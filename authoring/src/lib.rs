//! Authoring tools for rulesets: validating a ruleset file with positions
//! and suggestions ([`validate`]), running conformance cases against any
//! ruleset ([`cases`]), comparing two rulesets for every role, product
//! state and plan ([`diff`]), the TypeScript ids of a ruleset ([`types`]),
//! and the canonical, readable form of a ruleset ([`format`]). The
//! command-line tool (`cli/`) parses arguments and prints what these
//! return; the authoring WebAssembly module (`wasm/`) offers `validate`
//! and `diff` to the browser ([`ffi`]).

pub mod cases;
pub mod diff;
pub mod doc;
pub mod ffi;
pub mod locate;
pub mod types;
pub mod validate;

use harmony_policy::Policy;

/// A ruleset's canonical form, readable: the canonical key order, two
/// spaces of indentation, a final newline. Two files with the same rules
/// format alike.
pub fn format(policy: &Policy) -> String {
    let value: serde_json::Value =
        serde_json::from_str(policy.to_json()).unwrap_or(serde_json::Value::Null);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
