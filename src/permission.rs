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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Records the member owns.
    Own,
    /// Records of the member's teams.
    Team,
    /// Every record of the workspace.
    All,
}

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
#[derive(Debug, Clone, Default)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Permission {
    cells: Cells,
    scope: Scope,
}

fn is_token(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

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
        let scope = match scope {
            "own" => Scope::Own,
            "team" => Scope::Team,
            "all" => Scope::All,
            _ => {
                return Err(PermissionProblem::Malformed(
                    "the scope must be `own`, `team` or `all`",
                ))
            }
        };
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
        Ok(Permission { cells, scope })
    }
}

/// A word-at-a-time multiplicative hash (the rotate-xor-multiply of rustc's
/// FxHash): permission strings are about 20 bytes, so hashing them is three
/// steps. The keys are the ruleset's own names, and a lookup of a string
/// that is not a key costs the same, so no input can degrade it.
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHash(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl WordHash {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl std::hash::Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Folded by hand: a variable-length copy would call memcpy.
            let word = rest
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, b)| w | u64::from(*b) << (8 * i));
            self.add(word);
        }
    }
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
}

/// Every well-formed permission of a vocabulary, by its text, so that a
/// permission asked by name is one hash lookup.
pub(crate) struct PermissionTable {
    ids: std::collections::HashMap<Box<str>, u32, std::hash::BuildHasherDefault<WordHash>>,
    list: Vec<Permission>,
}

impl PermissionTable {
    /// The permission written exactly as `text`.
    pub fn get(&self, text: &str) -> Option<&Permission> {
        self.id(text).and_then(|i| self.by_id(i))
    }

    /// The id of the permission written as `text`: a small integer a caller
    /// can keep instead of the text.
    pub fn id(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    /// The permission with this id.
    pub fn by_id(&self, id: u32) -> Option<&Permission> {
        self.list.get(id as usize)
    }

    /// How many permissions there are.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Every permission with its text.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Permission)> {
        self.ids
            .iter()
            .filter_map(|(text, &i)| Some((text.as_ref(), self.by_id(i)?)))
    }
}

impl std::fmt::Debug for PermissionTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PermissionTable({} permissions)", self.list.len())
    }
}

impl Vocabulary {
    /// The table of every permission this vocabulary can write:
    /// `(resources + 1) × (actions + 1) × 3` entries.
    pub fn table(&self) -> PermissionTable {
        let mut table = PermissionTable {
            ids: Default::default(),
            list: Vec::new(),
        };
        let star = String::from("*");
        for r in self.resources.iter().chain(std::iter::once(&star)) {
            for a in self.actions.iter().chain(std::iter::once(&star)) {
                for scope in ["own", "team", "all"] {
                    let text = format!("{r}:{a}:{scope}");
                    if let Ok(p) = self.parse(&text) {
                        let id = table.list.len() as u32;
                        table.list.push(p);
                        table.ids.insert(text.into_boxed_str(), id);
                    }
                }
            }
        }
        table
    }
}

/// What a member holds: per scope level, the cells held at that level or
/// above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
        assert_eq!(table.len(), (3 + 1) * (2 + 1) * 3);
        for (text, p) in table.iter() {
            assert_eq!(v.parse(text).as_ref(), Ok(p));
            assert_eq!(table.by_id(table.id(text).unwrap()), Some(p));
        }
        assert!(table.get("roles:read").is_none());
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
