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
    let ids = |list: &str| crate::doc::ids(doc, list, "id");
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
        RefKind::Form => ids("forms"),
        RefKind::Permission => {
            let mut all = crate::doc::vocabulary(doc, "resources");
            all.extend(crate::doc::vocabulary(doc, "actions"));
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

/// Describes `error` of the ruleset `text` as a problem; `doc` is the
/// document the error was found in (names are suggested from it).
pub fn problem(text: &str, doc: &Value, error: &Error) -> Problem {
    let pointer = error.path().map(str::to_owned);
    let mut suggestion_for = None;
    let mut at_key = false;
    if let Error::Ruleset(e) = error {
        match e {
            RulesetError::UnknownReference { kind, name, .. } => {
                suggestion_for = suggestion(doc, *kind, name);
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

/// Most problems reported for one file.
pub const MAX_PROBLEMS: usize = 100;

/// Sets the value at `pointer` of `doc`; whether it was there.
fn set(doc: &mut Value, pointer: &str, value: Value) -> bool {
    match doc.pointer_mut(pointer) {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    }
}

/// Repairs `doc` where `error` is, so that loading it again goes past this
/// problem to the next: an unknown key is removed, an unknown reference
/// takes a defined name of its kind, a repeated id a new one. Arrays keep
/// their length, so every later pointer still points into the original
/// file. Returns false for a problem this cannot step over.
fn repair(doc: &mut Value, error: &RulesetError, round: usize) -> bool {
    match error {
        RulesetError::UnknownKey { path, key } => {
            let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
            doc.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .is_some_and(|o| o.remove(key).is_some())
        }
        RulesetError::UnknownReference { path, kind, name } => {
            let stand_in = match kind {
                RefKind::Permission => {
                    let first = |key: &str| {
                        doc.pointer(&format!("/permissions/{key}/0"))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    };
                    match (first("resources"), first("actions")) {
                        (Some(r), Some(a)) if name.matches(':').count() == 2 => {
                            format!("{r}:{a}:own")
                        }
                        (Some(r), Some(a)) => format!("{r}:{a}"),
                        _ => return false,
                    }
                }
                _ => match suggestion(doc, *kind, name)
                    .or_else(|| names(doc, *kind).into_iter().next())
                {
                    Some(n) => n,
                    None => return false,
                },
            };
            set(doc, path, Value::String(stand_in))
        }
        RulesetError::DuplicateId { path, id, .. } => {
            set(doc, path, Value::String(format!("{id}-repeated-{round}")))
        }
        _ => false,
    }
}

/// Validates one ruleset's text: every problem in one run. The library's
/// loader stops at the first problem; after each, the document is repaired
/// where the problem is (see [`repair`]) and loaded again, until it loads
/// or a problem cannot be stepped over.
pub fn validate(file: &str, text: &str) -> Report {
    let mut report = Report {
        file: file.to_owned(),
        name: None,
        fingerprint: None,
        problems: Vec::new(),
    };
    let first = match Policy::from_json(text) {
        Ok(policy) => {
            report.name = Some(policy.name().to_owned());
            report.fingerprint = Some(policy.fingerprint().to_owned());
            return report;
        }
        Err(error) => error,
    };
    let Ok(mut doc) = serde_json::from_str::<Value>(text) else {
        report
            .problems
            .push(problem(text, &Value::Null, &Error::from(first)));
        return report;
    };
    let mut error = first;
    for round in 0..MAX_PROBLEMS {
        report
            .problems
            .push(problem(text, &doc, &Error::from(error.clone())));
        if !repair(&mut doc, &error, round) {
            break;
        }
        match Policy::from_json(&doc.to_string()) {
            Ok(_) => break,
            Err(next) => error = next,
        }
    }
    report
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
