//! Records, owners and scopes (SPEC section 11).
//!
//! A permission's scope is about records. A grant `resource:action:SCOPE`
//! covers a record as follows: `all`, every record of the workspace; `team`,
//! records whose `teamId` is one of the member's teams, and records the
//! member owns; `own`, records whose `ownerId` is the member. A record with
//! neither field is covered by `all` only. The widest of the member's grants
//! decides; [`crate::View`] keeps it per (resource, action) in its grants, so
//! a decision about a record is a few bit tests and string comparisons.

use crate::decode::{decode_json, deserialize_from_json, FromJson, Invalid, Value};
use crate::error::QueryError;
use crate::permission::Scope;
use serde::Serialize;

/// Longest owner or team id, in bytes.
pub const MAX_ID_BYTES: usize = 256;

/// A workspace record as a scope sees it: who owns it and which team it
/// belongs to. Other fields of the record play no part and are not accepted
/// here, so that a misspelt key (`ownerID`) is an error, not a record owned
/// by nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// The member who created the record or to whom it is assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// The team the record belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
}

impl Record {
    /// A record owned by `owner_id` in team `team_id` (either may be absent).
    pub fn new(owner_id: Option<&str>, team_id: Option<&str>) -> Record {
        Record {
            owner_id: owner_id.map(str::to_owned),
            team_id: team_id.map(str::to_owned),
        }
    }

    /// Reads a record from JSON text (`{"ownerId": .., "teamId": ..}`, each
    /// a string id, `null` or left out). Any other key, or an id that is
    /// not a string of 1 to [`MAX_ID_BYTES`] bytes, is an error with its
    /// pointer.
    pub fn from_json(text: &str) -> Result<Record, QueryError> {
        if text.len() > MAX_RECORD_BYTES {
            return Err(QueryError::TooLarge {
                what: "record",
                size: text.len(),
                limit: MAX_RECORD_BYTES,
            });
        }
        Ok(decode_json(text)?)
    }
}

/// Largest record accepted as JSON text by [`Record::from_json`], in bytes.
const MAX_RECORD_BYTES: usize = 4 * 1024;

/// An owner or team id: 1 to [`MAX_ID_BYTES`] bytes.
fn id(v: &Value<'_, '_>) -> Result<String, Invalid> {
    let text = v.str("a string id")?;
    if text.is_empty() || text.len() > MAX_ID_BYTES {
        return Err(v.fail(format!("an id is 1 to {MAX_ID_BYTES} bytes")));
    }
    Ok(text.to_owned())
}

/// A record field that may be left out or `null`.
struct OptionalId(Option<String>);

impl FromJson for OptionalId {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        id(v).map(Some).map(OptionalId)
    }
}

impl FromJson for Record {
    fn from_json(v: &Value<'_, '_>) -> Result<Self, Invalid> {
        v.fields("a record object with `ownerId` and `teamId`", |o| {
            Ok(Record {
                owner_id: o.opt::<OptionalId>("ownerId")?.and_then(|i| i.0),
                team_id: o.opt::<OptionalId>("teamId")?.and_then(|i| i.0),
            })
        })
    }
}

deserialize_from_json!(Record);

/// Exactly the records a member's grants cover for one permission, as data
/// a server turns into a query (`WHERE owner_id IN (...) OR team_id IN
/// (...)`): [`crate::View::filter`]. `all: false` with both lists empty
/// matches nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter<'a> {
    /// Every record of the workspace (the lists are then empty).
    pub all: bool,
    /// Records owned by one of these members.
    pub owner_ids: Vec<&'a str>,
    /// Records of one of these teams.
    pub team_ids: Vec<&'a str>,
}

impl Filter<'_> {
    /// Whether `record` is one of the records this filter selects: exactly
    /// what [`crate::View::can_record`] answers for it.
    pub fn matches(&self, record: &Record) -> bool {
        self.all
            || record
                .owner_id
                .as_deref()
                .is_some_and(|o| self.owner_ids.contains(&o))
            || record
                .team_id
                .as_deref()
                .is_some_and(|t| self.team_ids.contains(&t))
    }

    /// The filter that matches nothing.
    pub(crate) fn nothing() -> Filter<'static> {
        Filter {
            all: false,
            owner_ids: Vec::new(),
            team_ids: Vec::new(),
        }
    }
}

/// Whether a grant at `scope` covers `record`, for member `user_id` of
/// `teams`.
#[inline]
pub(crate) fn covers(scope: Scope, record: &Record, user_id: &str, teams: &[String]) -> bool {
    let owns = || record.owner_id.as_deref() == Some(user_id);
    match scope {
        Scope::All => true,
        Scope::Team => {
            owns()
                || record
                    .team_id
                    .as_deref()
                    .is_some_and(|t| teams.iter().any(|m| m == t))
        }
        Scope::Own => owns(),
    }
}

/// The records a grant at `scope` covers, as a filter.
pub(crate) fn filter<'a>(
    scope: Option<Scope>,
    user_id: &'a str,
    teams: &'a [String],
) -> Filter<'a> {
    match scope {
        None => Filter::nothing(),
        Some(Scope::All) => Filter {
            all: true,
            owner_ids: Vec::new(),
            team_ids: Vec::new(),
        },
        Some(Scope::Team) => Filter {
            all: false,
            owner_ids: vec![user_id],
            team_ids: teams.iter().map(String::as_str).collect(),
        },
        Some(Scope::Own) => Filter {
            all: false,
            owner_ids: vec![user_id],
            team_ids: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn record(owner: Option<&str>, team: Option<&str>) -> Record {
        Record::new(owner, team)
    }

    #[test]
    fn each_scope_covers_what_section_11_says() {
        let teams = vec!["sales".to_owned()];
        let mine = record(Some("u_1"), None);
        let theirs_in_my_team = record(Some("u_2"), Some("sales"));
        let theirs = record(Some("u_2"), Some("support"));
        let nobody = record(None, None);
        for (scope, want) in [
            (Scope::All, [true, true, true, true]),
            (Scope::Team, [true, true, false, false]),
            (Scope::Own, [true, false, false, false]),
        ] {
            let got = [&mine, &theirs_in_my_team, &theirs, &nobody]
                .map(|r| covers(scope, r, "u_1", &teams));
            assert_eq!(got, want, "{scope:?}");
            let f = filter(Some(scope), "u_1", &teams);
            let matched = [&mine, &theirs_in_my_team, &theirs, &nobody].map(|r| f.matches(r));
            assert_eq!(matched, want, "filter {scope:?}");
        }
        assert!(!filter(None, "u_1", &teams).matches(&mine));
    }
}
