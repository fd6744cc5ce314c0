//! Permissions: `resource:action:scope`, with `*` for the resource or the
//! action, and scopes ordered `own` < `team` < `all`.
//!
//! A ruleset declares its resources and actions; every (resource, action)
//! pair is one cell, numbered `resource * actions + action`. A permission is a
//! set of cells and a scope; a member's grants are, per scope level, the set
//! of cells held at that level or above. Checking is a handful of AND
//! operations on fixed-size bitsets, with no allocation.

/// The most (resource, action) cells a ruleset may declare.
pub const MAX_CELLS: usize = 256;
const WORDS: usize = MAX_CELLS / 64;

/// A set of (resource, action) cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Cells([u64; WORDS]);

impl Cells {
    fn set(&mut self, cell: usize) {
        if let Some(word) = self.0.get_mut(cell / 64) {
            *word |= 1u64 << (cell % 64);
        }
    }

    fn union(&mut self, other: &Cells) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a |= *b;
        }
    }

    fn covers(&self, other: &Cells) -> bool {
        self.0.iter().zip(other.0.iter()).all(|(a, b)| a & b == *b)
    }
}

/// Scope of a permission.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    crate::wire::Decode,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Records the member owns.
    Own,
    /// Records of the member's teams.
    Team,
    /// Every record of the workspace.
    All,
}

/// The scopes with their names in a permission, narrowest first.
const SCOPES: [(Scope, &str); 3] = [
    (Scope::Own, "own"),
    (Scope::Team, "team"),
    (Scope::All, "all"),
];

impl Scope {
    fn level(self) -> usize {
        match self {
            Scope::Own => 0,
            Scope::Team => 1,
            Scope::All => 2,
        }
    }
}

/// The names a ruleset declares for resources and actions.
#[derive(Debug, Clone, Default, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Vocabulary {
    pub resources: Vec<String>,
    pub actions: Vec<String>,
}

/// Why a permission string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PermissionProblem {
    /// Not of the form `resource:action:scope`.
    Malformed(&'static str),
    /// A well-formed string naming a resource or action the ruleset lacks.
    Unknown,
}

/// A parsed permission: the cells it names and its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Permission {
    cells: Cells,
    scope: Scope,
}

fn is_token(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

#[cfg(feature = "authoring")]
/// Checks that `name` is usable as a resource or action name.
pub(crate) fn is_valid_name(name: &str) -> bool {
    name.len() <= 64 && is_token(name)
}

impl Vocabulary {
    /// Parses `resource:action:scope` against this vocabulary.
    pub fn parse(&self, text: &str) -> Result<Permission, PermissionProblem> {
        let mut parts = text.split(':');
        let (Some(resource), Some(action), Some(scope), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(PermissionProblem::Malformed(
                "expected three parts, `resource:action:scope`",
            ));
        };
        let Some(&(scope, _)) = SCOPES.iter().find(|(_, name)| *name == scope) else {
            return Err(PermissionProblem::Malformed(
                "the scope must be `own`, `team` or `all`",
            ));
        };
        self.cells_of(resource, action, scope)
    }

    /// Parses `resource:action`, a permission asked about a record (whose
    /// scope the record decides), against this vocabulary. The answer's
    /// scope is `all`; only its cells matter.
    pub fn parse_unscoped(&self, text: &str) -> Result<Permission, PermissionProblem> {
        let mut parts = text.split(':');
        let (Some(resource), Some(action), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(PermissionProblem::Malformed(
                "a permission asked about a record is `resource:action`, without a scope: the record decides it",
            ));
        };
        self.cells_of(resource, action, Scope::All)
    }

    fn cells_of(
        &self,
        resource: &str,
        action: &str,
        scope: Scope,
    ) -> Result<Permission, PermissionProblem> {
        for part in [resource, action] {
            if part != "*" && !is_token(part) {
                return Err(PermissionProblem::Malformed(
                    "resource and action are lowercase names or `*`",
                ));
            }
        }
        let pick = |names: &[String], part: &str| -> Result<Option<usize>, PermissionProblem> {
            if part == "*" {
                return Ok(None);
            }
            names
                .iter()
                .position(|n| n == part)
                .map(Some)
                .ok_or(PermissionProblem::Unknown)
        };
        let r = pick(&self.resources, resource)?;
        let a = pick(&self.actions, action)?;
        Ok(self.permission(r, a, scope))
    }

    /// The permission on resource `r` and action `a` (`None`: `*`).
    fn permission(&self, r: Option<usize>, a: Option<usize>, scope: Scope) -> Permission {
        let width = self.actions.len();
        let mut cells = Cells::default();
        let resources = match r {
            Some(r) => r..r + 1,
            None => 0..self.resources.len(),
        };
        for r in resources {
            match a {
                Some(a) => cells.set(r * width + a),
                None => (0..width).for_each(|a| cells.set(r * width + a)),
            }
        }
        Permission { cells, scope }
    }
}

/// Every well-formed permission of a vocabulary, by its text, so that a
/// permission asked by name is one hash, one slot and one entry read.
///
/// An open-addressing table with linear probing, at most a quarter full,
/// whose slots hold indices into a dense list of entries. A string's [`Key`]
/// is its length and three words (at the start, middle and end); an entry
/// holds the key and the permission itself, so a lookup of a string of up
/// to 24 bytes reads a slot and an entry and nothing else, and a longer one
/// also compares its text. The keys are the ruleset's own names, so the
/// longest probe is fixed when the policy loads and no input can lengthen
/// it. The slots take 4 bytes each; the entries are as many as the
/// permissions.
#[derive(Default)]
pub(crate) struct PermissionTable {
    /// `id + 1` per slot, `0` for a free one; the length is a power of two.
    slots: Vec<u32>,
    /// By id.
    entries: Vec<Entry>,
    /// Every text, one after another.
    text: String,
    /// By id: where its text ends in `text` (it starts where the previous
    /// one ends).
    ends: Vec<u32>,
}

struct Entry {
    key: Key,
    permission: Permission,
    /// `resource:action:scope`; `false` for `resource:action`, which is
    /// only asked about records.
    scoped: bool,
}

/// A string's length and three words, at its start, middle and end (which
/// overlap for strings of up to 24 bytes, so that for those the key is the
/// whole string).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Key {
    first: u64,
    middle: u64,
    last: u64,
    len: usize,
}

/// Bytes `at..at + N` as a little-endian number (0 if out of range, which
/// the callers' length checks rule out).
#[inline(always)]
fn word<const N: usize>(bytes: &[u8], at: usize) -> u64 {
    let mut buf = [0u8; 8];
    if let (Some(to), Some(from)) = (buf.get_mut(..N), bytes.get(at..at + N)) {
        to.copy_from_slice(from);
    }
    u64::from_le_bytes(buf)
}

impl Key {
    #[inline(always)]
    fn of(bytes: &[u8]) -> Key {
        let len = bytes.len();
        let (first, middle, last) = if len >= 8 {
            let mid = (len / 2).saturating_sub(4).min(len - 8);
            (
                word::<8>(bytes, 0),
                word::<8>(bytes, mid),
                word::<8>(bytes, len - 8),
            )
        } else if len >= 4 {
            (word::<4>(bytes, 0), 0, word::<4>(bytes, len - 4))
        } else {
            let at = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
            let folded = if len == 0 {
                0
            } else {
                at(0) | at(len / 2) << 8 | at(len - 1) << 16
            };
            (folded, 0, 0)
        };
        Key {
            first,
            middle,
            last,
            len,
        }
    }

    #[inline(always)]
    fn hash(&self) -> usize {
        let h = (self.first ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9)
            ^ (self.last ^ self.len as u64).wrapping_mul(0x94d0_49bb_1331_11eb)
            ^ self.middle;
        (h ^ (h >> 32)) as usize
    }
}

impl PermissionTable {
    /// The permission written exactly as `text` (`resource:action:scope`).
    #[inline]
    pub fn get(&self, text: &str) -> Option<&Permission> {
        self.entry(text)
            .filter(|(_, e)| e.scoped)
            .map(|(_, e)| &e.permission)
    }

    /// The permission written exactly as `text` without a scope
    /// (`resource:action`), as it is asked about a record.
    #[inline]
    pub fn get_unscoped(&self, text: &str) -> Option<&Permission> {
        self.entry(text)
            .filter(|(_, e)| !e.scoped)
            .map(|(_, e)| &e.permission)
    }

    /// The id of the permission written as `text` (`resource:action:scope`):
    /// a small integer a caller can keep instead of the text.
    pub fn id(&self, text: &str) -> Option<u32> {
        self.entry(text).filter(|(_, e)| e.scoped).map(|(id, _)| id)
    }

    #[inline(always)]
    fn entry(&self, text: &str) -> Option<(u32, &Entry)> {
        let bytes = text.as_bytes();
        let key = Key::of(bytes);
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = key.hash() & mask;
        // The table is at most a quarter full: a free slot ends every probe.
        loop {
            let id = self.slots.get(i)?.checked_sub(1)?;
            let entry = self.entries.get(id as usize)?;
            if entry.key == key && (key.len <= 24 || self.same_text(id, text)) {
                return Some((id, entry));
            }
            i = (i + 1) & mask;
        }
    }

    /// The text of entry `id`.
    fn text_of(&self, id: usize) -> &str {
        let start = match id.checked_sub(1) {
            Some(previous) => self.ends.get(previous).copied().unwrap_or(0),
            None => 0,
        };
        let end = self.ends.get(id).copied().unwrap_or(0);
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    #[cold]
    fn same_text(&self, id: u32, text: &str) -> bool {
        self.text_of(id as usize) == text
    }

    /// The permission with this id.
    pub fn by_id(&self, id: u32) -> Option<&Permission> {
        self.entries.get(id as usize).map(|e| &e.permission)
    }

    /// How many permissions there are, with and without a scope.
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.entries.len()
    }

    /// Every permission with its text and whether it has a scope.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Permission, bool)> {
        (0..self.entries.len()).filter_map(|id| {
            let entry = self.entries.get(id)?;
            Some((self.text_of(id), &entry.permission, entry.scoped))
        })
    }

    /// Adds the text written since the last entry's end, with its
    /// permission. The slots were sized for every entry beforehand.
    fn push(&mut self, permission: Permission, scoped: bool) {
        let start = self.ends.last().copied().unwrap_or(0) as usize;
        let key = Key::of(self.text.as_bytes().get(start..).unwrap_or_default());
        self.entries.push(Entry {
            key,
            permission,
            scoped,
        });
        self.ends.push(self.text.len() as u32);
        self.place(self.entries.len() - 1);
    }

    /// Puts entry `id` in the first free slot of its probe sequence.
    fn place(&mut self, id: usize) {
        let Some(entry) = self.entries.get(id) else {
            return;
        };
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = entry.key.hash() & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if *slot == 0 {
                *slot = id as u32 + 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }
}

impl std::fmt::Debug for PermissionTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PermissionTable({} permissions)", self.entries.len())
    }
}

impl Vocabulary {
    /// The table of every permission this vocabulary can write:
    /// `(resources + 1) × (actions + 1) × 4` entries (three scopes, and the
    /// scope-less form asked about records), built in one pass (no text is
    /// parsed, the slots are sized once, and the texts share one buffer).
    /// Scoped entries come first, so their ids do not depend on the others.
    pub fn table(&self) -> PermissionTable {
        let pairs = (self.resources.len() + 1) * (self.actions.len() + 1);
        let count = pairs * 4;
        fn named(names: &[String]) -> Vec<(Option<usize>, &str)> {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (Some(i), n.as_str()))
                .chain([(None, "*")])
                .collect()
        }
        let (resources, actions) = (named(&self.resources), named(&self.actions));
        let mut table = PermissionTable {
            // At most a quarter full.
            slots: vec![0; (4 * count).next_power_of_two()],
            entries: Vec::with_capacity(count),
            text: String::with_capacity(count * 24),
            ends: Vec::with_capacity(count),
        };
        for &(r, resource) in &resources {
            for &(a, action) in &actions {
                for &(scope, scope_name) in &SCOPES {
                    for part in [resource, ":", action, ":", scope_name] {
                        table.text.push_str(part);
                    }
                    table.push(self.permission(r, a, scope), true);
                }
            }
        }
        for &(r, resource) in &resources {
            for &(a, action) in &actions {
                for part in [resource, ":", action] {
                    table.text.push_str(part);
                }
                table.push(self.permission(r, a, Scope::All), false);
            }
        }
        table
    }
}

/// What a member holds: per scope level, the cells held at that level or
/// above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Grants([Cells; 3]);

impl Grants {
    /// Every permission at every scope.
    pub fn everything() -> Grants {
        Grants([Cells([u64::MAX; WORDS]); 3])
    }

    /// Adds one grant.
    pub fn grant(&mut self, permission: &Permission) {
        for level in self.0.iter_mut().take(permission.scope.level() + 1) {
            level.union(&permission.cells);
        }
    }

    /// Adds every grant of `other`.
    pub fn merge(&mut self, other: &Grants) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            a.union(b);
        }
    }

    /// Whether these grants cover `permission`: every cell it names is held
    /// at its scope or above.
    pub fn allows(&self, permission: &Permission) -> bool {
        self.0
            .get(permission.scope.level())
            .is_some_and(|held| held.covers(&permission.cells))
    }

    /// The widest scope at which every cell of `permission` is held (its
    /// own scope is not read), or `None` when not even `own` is.
    #[inline]
    pub fn widest(&self, permission: &Permission) -> Option<Scope> {
        let [own, team, all] = &self.0;
        if all.covers(&permission.cells) {
            Some(Scope::All)
        } else if team.covers(&permission.cells) {
            Some(Scope::Team)
        } else if own.covers(&permission.cells) {
            Some(Scope::Own)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            resources: vec!["roles".into(), "billing".into(), "contacts".into()],
            actions: vec!["read".into(), "update".into()],
        }
    }

    fn grants(list: &[&str]) -> Grants {
        let v = vocab();
        let mut g = Grants::default();
        for p in list {
            g.grant(&v.parse(p).unwrap());
        }
        g
    }

    fn allows(g: &Grants, p: &str) -> bool {
        g.allows(&vocab().parse(p).unwrap())
    }

    #[test]
    fn wider_scope_covers_narrower() {
        let g = grants(&["contacts:read:all"]);
        assert!(allows(&g, "contacts:read:own"));
        assert!(allows(&g, "contacts:read:team"));
        assert!(allows(&g, "contacts:read:all"));
        assert!(!allows(&g, "contacts:update:own"));
        let g = grants(&["contacts:read:team"]);
        assert!(allows(&g, "contacts:read:own"));
        assert!(!allows(&g, "contacts:read:all"));
    }

    #[test]
    fn action_wildcard_covers_each_action() {
        let g = grants(&["roles:*:all"]);
        assert!(allows(&g, "roles:update:all"));
        assert!(allows(&g, "roles:update:team"));
        assert!(allows(&g, "roles:*:all"));
        assert!(!allows(&g, "billing:read:own"));
    }

    #[test]
    fn wildcard_query_needs_every_cell() {
        let g = grants(&["roles:read:all"]);
        assert!(!allows(&g, "roles:*:all"));
        let g = grants(&["*:*:all"]);
        assert!(allows(&g, "*:*:all"));
        assert!(allows(&g, "billing:update:own"));
    }

    #[test]
    fn the_table_holds_every_permission_the_parser_accepts() {
        let v = vocab();
        let table = v.table();
        assert_eq!(table.count(), (3 + 1) * (2 + 1) * 4);
        for (text, p, scoped) in table.iter() {
            if scoped {
                assert_eq!(v.parse(text).as_ref(), Ok(p));
                assert_eq!(table.by_id(table.id(text).unwrap()), Some(p));
                assert!(table.get_unscoped(text).is_none());
            } else {
                assert_eq!(v.parse_unscoped(text).as_ref(), Ok(p));
                assert_eq!(table.get_unscoped(text), Some(p));
                assert!(table.get(text).is_none() && table.id(text).is_none());
            }
        }
        assert!(table.get("roles:read").is_none());
        assert!(table.get_unscoped("roles:read").is_some());
        assert!(table.get_unscoped("roles:read:all").is_none());
    }

    #[test]
    fn the_table_finds_exactly_its_texts_at_every_length() {
        // Names from 1 to 40 bytes, so that keys cover the short, the
        // overlapping and the longer-than-key cases.
        let v = Vocabulary {
            resources: (1..=30).map(|n| "r".repeat(n)).collect(),
            actions: vec!["a".into(), "bcdefghijk".into()],
        };
        let table = v.table();
        let texts: Vec<String> = table
            .iter()
            .filter(|(_, _, scoped)| *scoped)
            .map(|(t, _, _)| t.to_owned())
            .collect();
        assert_eq!(texts.len(), 31 * 3 * 3);
        for (text, permission, scoped) in table.iter() {
            // Built without parsing, each entry is what its text parses to.
            if scoped {
                assert_eq!(v.parse(text), Ok(*permission), "{text}");
            } else {
                assert_eq!(v.parse_unscoped(text), Ok(*permission), "{text}");
            }
        }
        for text in &texts {
            let id = table.id(text).unwrap();
            assert_eq!(table.text_of(id as usize), text.as_str());
            // Every one-byte change finds the changed text's own entry, if any.
            for at in 0..text.len() {
                let mut bytes = text.clone().into_bytes();
                bytes[at] = if bytes[at] == b'r' { b'q' } else { b'r' };
                let changed = String::from_utf8(bytes).unwrap();
                let want = texts.iter().position(|t| *t == changed).map(|i| i as u32);
                assert_eq!(table.id(&changed), want, "{changed}");
            }
            for other in [format!("{text}x"), text[1..].to_owned()] {
                let want = texts.iter().position(|t| *t == other).map(|i| i as u32);
                assert_eq!(table.id(&other), want, "{other}");
            }
        }
    }

    #[test]
    fn the_widest_scope_is_the_widest_level_holding_every_cell() {
        let v = vocab();
        let ask = |g: &Grants, p: &str| g.widest(&v.parse_unscoped(p).unwrap());
        let g = grants(&["contacts:read:own", "contacts:update:team", "roles:*:all"]);
        assert_eq!(ask(&g, "contacts:read"), Some(Scope::Own));
        assert_eq!(ask(&g, "contacts:update"), Some(Scope::Team));
        assert_eq!(ask(&g, "roles:update"), Some(Scope::All));
        assert_eq!(ask(&g, "roles:*"), Some(Scope::All));
        assert_eq!(ask(&g, "contacts:*"), Some(Scope::Own));
        assert_eq!(ask(&g, "billing:read"), None);
        let g = grants(&["contacts:read:own", "contacts:read:all"]);
        assert_eq!(ask(&g, "contacts:read"), Some(Scope::All));
        assert_eq!(ask(&Grants::default(), "contacts:read"), None);
        assert!(matches!(
            v.parse_unscoped("contacts:read:own"),
            Err(PermissionProblem::Malformed(_))
        ));
        assert_eq!(
            v.parse_unscoped("nope:read"),
            Err(PermissionProblem::Unknown)
        );
    }

    #[test]
    fn malformed_and_unknown_are_told_apart() {
        let v = vocab();
        for bad in [
            "",
            "a:b",
            "a:b:c:d",
            "roles:read:*",
            "Roles:read:all",
            "roles:read:ALL",
            "1x:read:all",
            "roles::all",
        ] {
            assert!(
                matches!(v.parse(bad), Err(PermissionProblem::Malformed(_))),
                "{bad}"
            );
        }
        assert_eq!(v.parse("nope:read:all"), Err(PermissionProblem::Unknown));
        assert_eq!(v.parse("roles:nope:all"), Err(PermissionProblem::Unknown));
    }
}
