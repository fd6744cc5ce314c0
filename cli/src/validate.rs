//! `validate`: a ruleset's problems, each with its code, JSON pointer,
//! line and column, and a suggestion where a name is misspelt.

use crate::locate::{locate, locate_key, Position};
use harmony_policy::{Error, Policy, RefKind, RulesetError};
use serde::Serialize;
use serde_json::Value;

/// One problem of a ruleset file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The library's stable error code (`unknown_product`, ...).
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Where in the document, as a JSON pointer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Where in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// The name meant, when a misspelt one is close to a defined one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// What a file's validation found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The file.
    pub file: String,
    /// The ruleset's name, when it loads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its fingerprint, when it loads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

/// The names a reference of `kind` may take in `doc`.
fn names(doc: &Value, kind: RefKind) -> Vec<String> {
    let ids = |list: &str| -> Vec<String> {
        doc.get(list)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.get("id").or(Some(i)).and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    match kind {
        RefKind::Product => ids("products"),
        RefKind::Role => ids("roles"),
        RefKind::Route => ids("routes"),
        RefKind::Condition => ids("conditions"),
        RefKind::Plan => ids("plans"),
        RefKind::Flag => ids("flags"),
        RefKind::Environment => ids("environments"),
        RefKind::Setting => ids("settings"),
        RefKind::Preference => ids("preferences"),
        RefKind::Navigation => ids("navigation"),
        RefKind::Permission => {
            let part = |key: &str| {
                doc.pointer(&format!("/permissions/{key}"))
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let mut all: Vec<String> = part("resources");
            all.extend(part("actions"));
            all
        }
    }
}

/// The defined name closest to `name`, if it is close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(distance, c)| *distance > 0 && *distance <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c.to_owned())
}

/// The suggestion for a misspelt reference: for a permission, the closest
/// resource or action in its place.
fn suggestion(doc: &Value, kind: RefKind, name: &str) -> Option<String> {
    let known = names(doc, kind);
    if kind == RefKind::Permission {
        let parts: Vec<&str> = name.split(':').collect();
        let fixed: Vec<String> = parts
            .iter()
            .map(|p| {
                if *p == "*" || known.iter().any(|k| k == p) || ["own", "team", "all"].contains(p) {
                    (*p).to_owned()
                } else {
                    closest(p, known.iter().map(String::as_str)).unwrap_or_else(|| (*p).to_owned())
                }
            })
            .collect();
        let fixed = fixed.join(":");
        return (fixed != name).then_some(fixed);
    }
    closest(name, known.iter().map(String::as_str))
}

/// Describes `error` of the ruleset `text` as a problem.
pub fn problem(text: &str, error: &Error) -> Problem {
    let pointer = error.path().map(str::to_owned);
    let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let mut suggestion_for = None;
    let mut at_key = false;
    if let Error::Ruleset(e) = error {
        match e {
            RulesetError::UnknownReference { kind, name, .. } => {
                suggestion_for = suggestion(&doc, *kind, name);
            }
            RulesetError::UnknownKey { .. } => at_key = true,
            _ => {}
        }
    }
    let position = match (&pointer, error) {
        (_, Error::Ruleset(RulesetError::InvalidJson { .. })) => {
            syntax_position(&error.to_string())
        }
        (Some(p), _) if at_key => locate_key(text, p).or_else(|| locate(text, p)),
        (Some(p), _) => locate(text, p),
        (None, _) => None,
    };
    let mut message = error.to_string();
    if let Some(s) = &suggestion_for {
        message.push_str(&format!("; did you mean `{s}`?"));
    }
    Problem {
        code: error.code().to_owned(),
        message,
        pointer,
        position,
        suggestion: suggestion_for,
    }
}

/// The `line L column C` a syntax error's message ends with.
fn syntax_position(message: &str) -> Option<Position> {
    let rest = message.rsplit_once("line ")?.1;
    let (line, column) = rest.split_once(" column ")?;
    Some(Position {
        line: line.trim().parse().ok()?,
        column: column
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .ok()?,
    })
}

/// Validates one ruleset's text.
pub fn validate(file: &str, text: &str) -> Report {
    match Policy::from_json(text) {
        Ok(policy) => Report {
            file: file.to_owned(),
            name: Some(policy.name().to_owned()),
            fingerprint: Some(policy.fingerprint().to_owned()),
            problems: Vec::new(),
        },
        Err(error) => Report {
            file: file.to_owned(),
            name: None,
            fingerprint: None,
            problems: vec![problem(text, &Error::from(error))],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_name_gets_a_suggestion() {
        let names = ["accounts", "insights", "feedback"];
        assert_eq!(closest("acounts", names), Some("accounts".into()));
        assert_eq!(closest("xyz", names), None);
        assert_eq!(closest("accounts", names), None);
    }
}
