//! Reading ruleset documents from JSON, with serde's derived decoders (the
//! document types of `crate::model` describe the format once, for this,
//! for bundles and for the JSON Schema): unknown and repeated keys are
//! refused, and every problem names its place as a JSON pointer.

use crate::error::{clip, RulesetError};
use crate::model::{RulesetDoc, MAX_CONDITION_DEPTH, TOO_DEEP};
use serde_path_to_error::{Path, Segment};

/// The document in `text`.
pub(crate) fn from_text(text: &str) -> Result<RulesetDoc, RulesetError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = pointer(e.path());
        let error = e.into_inner();
        match error.classify() {
            serde_json::error::Category::Data => refused(&path, &error.to_string()),
            // Well-formed JSON whose shape the decoder could not follow (an
            // object with more keys than a condition's one, say) is an
            // invalid value where the decoder stopped.
            _ if !path.is_empty()
                && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() =>
            {
                RulesetError::InvalidValue {
                    path,
                    message: "this value does not have the shape the format describes here".into(),
                }
            }
            _ => RulesetError::InvalidJson {
                message: error.to_string(),
            },
        }
    })?;
    de.end().map_err(|e| RulesetError::InvalidJson {
        message: e.to_string(),
    })?;
    Ok(doc)
}

/// The document any self-describing deserializer holds (a JavaScript
/// object, say), with the same checks as text.
pub(crate) fn from_deserializer<'de, D>(deserializer: D) -> Result<RulesetDoc, RulesetError>
where
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = pointer(e.path());
        refused(&path, &e.into_inner().to_string())
    })
}

/// The error for what serde's decoders refused at `path`, by its message
/// (serde's wording for unknown fields, and ours for nesting, are stable).
fn refused(path: &str, message: &str) -> RulesetError {
    // serde_json adds the place in the text; the pointer says it better.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message, |(before, _)| before);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split_once('`').map_or(rest, |(key, _)| key);
        return RulesetError::UnknownKey {
            path: path.to_owned(),
            key: clip(key),
        };
    }
    let message = plain(message);
    if message == TOO_DEEP {
        return RulesetError::LimitExceeded {
            path: path.to_owned(),
            what: "levels of condition nesting",
            limit: MAX_CONDITION_DEPTH,
        };
    }
    RulesetError::InvalidValue {
        path: path.to_owned(),
        message,
    }
}

/// serde's message with its Rust integer type names in words.
fn plain(message: &str) -> String {
    let mut out = message.to_owned();
    for (rust, words) in [
        ("expected u64", "expected a whole number"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
    ] {
        out = out.replace(rust, words);
    }
    out
}

/// A serde path as a JSON pointer (`~` and `/` escaped).
fn pointer(path: &Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        out.push('/');
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => out.push_str(variant),
            Segment::Unknown => {
                out.pop();
            }
        }
    }
    out
}
