//! Turning JSON-shaped input into typed documents, with a JSON pointer for
//! every problem. One mechanism serves rulesets and contexts, natively (from
//! text) and in wasm (from any serde `Deserializer`).

use serde::de::{Deserialize, Deserializer};

/// What went wrong while decoding, and where.
#[derive(Debug)]
pub(crate) enum DecodeError {
    /// The input is not well-formed JSON.
    Syntax(String),
    /// A key that the target type does not define.
    UnknownKey { path: String, key: String },
    /// A value of the wrong type or shape.
    Invalid { path: String, message: String },
}

/// Appends one reference token to a JSON pointer, escaped per RFC 6901.
pub(crate) fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A JSON pointer built from a base and further tokens.
pub(crate) fn pointer(base: &str, tokens: &[&str]) -> String {
    let mut out = String::from(base);
    for t in tokens {
        push_token(&mut out, t);
    }
    out
}

fn ignored_to_pointer(path: &serde_ignored::Path<'_>, out: &mut String) -> Option<String> {
    match path {
        serde_ignored::Path::Root => None,
        serde_ignored::Path::Seq { parent, index } => {
            ignored_to_pointer(parent, out);
            let token = index.to_string();
            push_token(out, &token);
            Some(token)
        }
        serde_ignored::Path::Map { parent, key } => {
            ignored_to_pointer(parent, out);
            push_token(out, key);
            Some(key.clone())
        }
        serde_ignored::Path::Some { parent }
        | serde_ignored::Path::NewtypeStruct { parent }
        | serde_ignored::Path::NewtypeVariant { parent } => ignored_to_pointer(parent, out),
    }
}

fn error_pointer(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => push_token(&mut out, &index.to_string()),
            serde_path_to_error::Segment::Map { key } => push_token(&mut out, key),
            serde_path_to_error::Segment::Enum { variant } => push_token(&mut out, variant),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    out
}

/// Decodes `T` from any deserializer; unknown keys are errors, reported with
/// the pointer of the first one.
pub(crate) fn decode<'de, T, D>(deserializer: D) -> Result<T, DecodeError>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    let mut unknown: Option<(String, String)> = None;
    let mut on_ignored = |path: serde_ignored::Path<'_>| {
        if unknown.is_none() {
            let mut pointer = String::new();
            let key = ignored_to_pointer(&path, &mut pointer).unwrap_or_default();
            unknown = Some((pointer, key));
        }
    };
    let tracked = serde_ignored::Deserializer::new(deserializer, &mut on_ignored);
    let result: Result<T, _> = serde_path_to_error::deserialize(tracked);
    match result {
        Ok(value) => match unknown {
            Some((path, key)) => Err(DecodeError::UnknownKey { path, key }),
            None => Ok(value),
        },
        Err(err) => {
            let path = error_pointer(err.path());
            Err(DecodeError::Invalid {
                path,
                message: clean_message(&err.into_inner().to_string()),
            })
        }
    }
}

/// Decodes `T` from JSON text, telling syntax errors apart from shape errors.
pub(crate) fn decode_json<T>(text: &str) -> Result<T, DecodeError>
where
    T: for<'de> Deserialize<'de>,
{
    // A syntax check first: serde's typed errors cannot tell a malformed
    // document from a wrong value. `IgnoredAny` builds nothing.
    let mut check = serde_json::Deserializer::from_str(text);
    if let Err(err) = serde::de::IgnoredAny::deserialize(&mut check).and_then(|_| check.end()) {
        return Err(DecodeError::Syntax(err.to_string()));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = decode(&mut de)?;
    Ok(value)
}

/// serde's messages end with the position in the text; the pointer says
/// where, so the position is dropped to keep messages identical for text and
/// for JavaScript objects.
///
/// serde names Rust integer types in its messages ("expected u32"); those
/// become words, since users of the format never see Rust types.
fn clean_message(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message),
        None => message,
    };
    let mut out = message.to_owned();
    for (rust, words) in [
        ("u64", "a whole number from 0"),
        ("u32", "a whole number from 0"),
        ("u16", "a whole number from 0"),
        ("u8", "a whole number from 0"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("f64", "a number"),
    ] {
        out = out.replace(&format!("expected {rust}"), &format!("expected {words}"));
    }
    out
}
