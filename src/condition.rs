//! Compiled conditions and the facts they test.
//!
//! Every `requires` of a ruleset is compiled into nodes of one arena; leaves
//! are bit tests against [`Facts`] (products, flags, settings and preferences
//! are 64-bit masks, permissions are [`Grants`]). `ref`s are inlined at
//! compile time, so evaluation never looks anything up by name.

use crate::permission::{Grants, Permission};

/// Index of a node in [`Conditions`].
pub(crate) type NodeId = u32;

/// One compiled condition node.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) enum Node {
    All(Vec<NodeId>),
    Any(Vec<NodeId>),
    Not(NodeId),
    Product(u8),
    /// Index into [`Conditions::permissions`].
    Permission(u16),
    PlanAtLeast(u8),
    Flag(u8),
    /// Mask of allowed environments.
    Environment(u64),
    Setting(u8),
    Preference(u8),
    WorkspacesAtLeast(u32),
}

/// A permission named by a condition: parsed, and kept as written for
/// reasons.
#[derive(Debug, Clone, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct PermissionLeaf {
    pub text: String,
    pub permission: Permission,
}

/// The arena of compiled conditions of one ruleset.
#[derive(Debug, Clone, Default, crate::wire::Decode)]
#[cfg_attr(feature = "authoring", derive(serde::Serialize))]
pub(crate) struct Conditions {
    pub nodes: Vec<Node>,
    pub permissions: Vec<PermissionLeaf>,
}

/// What a context says, in the form conditions test.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Facts {
    pub products: u64,
    pub grants: Grants,
    pub plan: u8,
    pub flags: u64,
    pub environment: u8,
    pub settings: u64,
    pub preferences: u64,
    pub workspaces: u32,
}

impl Facts {
    /// The same workspace facts with every member-level leaf (permissions,
    /// preferences) satisfied: what the workspace makes available to anyone.
    pub fn workspace_level(&self) -> Facts {
        Facts {
            grants: Grants::everything(),
            preferences: u64::MAX,
            ..*self
        }
    }
}

/// Why a condition failed: its most relevant failing leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    Product(u8),
    Permission(u16),
    Plan(u8),
    Flag(u8),
    Environment,
    Setting(u8),
    Preference(u8),
    Workspaces(u32),
    /// A `not` whose inner condition held.
    Negated,
}

fn bit(mask: u64, i: u8) -> bool {
    i < 64 && mask & (1u64 << i) != 0
}

impl Conditions {
    fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    /// Whether `id` holds for `facts`. A missing node (impossible for
    /// compiled rulesets) counts as failing.
    pub fn eval(&self, id: NodeId, facts: &Facts) -> bool {
        self.first_failure(id, facts).is_none()
    }

    /// `None` if `id` holds, else its most relevant failing leaf. Children
    /// of `all` are ordered at compile time so that products come first,
    /// then plans, flags, environments and settings, then permissions, then
    /// preferences: the first failure found is the one that decides what a
    /// member is told (a disabled product redirects before a missing
    /// permission forbids).
    pub fn first_failure(&self, id: NodeId, facts: &Facts) -> Option<Failure> {
        let Some(node) = self.node(id) else {
            return Some(Failure::Negated);
        };
        match node {
            Node::All(children) => children.iter().find_map(|&c| self.first_failure(c, facts)),
            Node::Any(children) => {
                let mut first = None;
                for &c in children {
                    match self.first_failure(c, facts) {
                        None => return None,
                        Some(f) => {
                            first.get_or_insert(f);
                        }
                    }
                }
                // An empty `any` never holds.
                Some(first.unwrap_or(Failure::Negated))
            }
            Node::Not(inner) => match self.first_failure(*inner, facts) {
                Some(_) => None,
                None => Some(Failure::Negated),
            },
            Node::Product(p) => (!bit(facts.products, *p)).then_some(Failure::Product(*p)),
            Node::Permission(i) => {
                let held = self
                    .permissions
                    .get(usize::from(*i))
                    .is_some_and(|leaf| facts.grants.allows(&leaf.permission));
                (!held).then_some(Failure::Permission(*i))
            }
            Node::PlanAtLeast(p) => (facts.plan < *p).then_some(Failure::Plan(*p)),
            Node::Flag(f) => (!bit(facts.flags, *f)).then_some(Failure::Flag(*f)),
            Node::Environment(mask) => {
                (!bit(*mask, facts.environment)).then_some(Failure::Environment)
            }
            Node::Setting(s) => (!bit(facts.settings, *s)).then_some(Failure::Setting(*s)),
            Node::Preference(p) => (!bit(facts.preferences, *p)).then_some(Failure::Preference(*p)),
            Node::WorkspacesAtLeast(n) => {
                (facts.workspaces < *n).then_some(Failure::Workspaces(*n))
            }
        }
    }

    /// Every failing leaf of `id` (for `explain`), in ruleset order without
    /// repeats. Nothing is added when `id` holds.
    pub fn failures(&self, id: NodeId, facts: &Facts, out: &mut Vec<Failure>) {
        if self.eval(id, facts) {
            return;
        }
        match self.node(id) {
            Some(Node::All(children)) | Some(Node::Any(children)) => {
                for &c in children {
                    self.failures(c, facts, out);
                }
            }
            _ => {
                if let Some(f) = self.first_failure(id, facts) {
                    if !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
        }
    }

    #[cfg(feature = "authoring")]
    /// Orders `ids` by [`Conditions::rank`], keeping the order of equals.
    pub fn sort_by_rank(&self, ids: &mut [NodeId]) {
        crate::sort::sort_by_key_stable(ids, |&id| self.rank(id));
    }

    #[cfg(feature = "authoring")]
    /// Rank used to order the children of `all` (lower is reported first).
    pub fn rank(&self, id: NodeId) -> u8 {
        match self.node(id) {
            Some(Node::Product(_)) => 0,
            Some(Node::PlanAtLeast(_)) => 1,
            Some(Node::Flag(_)) | Some(Node::Environment(_)) | Some(Node::Setting(_)) => 2,
            Some(Node::WorkspacesAtLeast(_)) => 3,
            Some(Node::Permission(_)) => 4,
            Some(Node::Preference(_)) => 5,
            Some(Node::Not(_)) | None => 6,
            Some(Node::All(c)) | Some(Node::Any(c)) => {
                c.iter().map(|&c| self.rank(c)).min().unwrap_or(6)
            }
        }
    }

    #[cfg(feature = "authoring")]
    /// The products whose being off makes `id` fail whatever else holds:
    /// the product leaves reachable through `all` only.
    pub fn required_products(&self, id: NodeId) -> u64 {
        match self.node(id) {
            Some(Node::Product(p)) if *p < 64 => 1u64 << p,
            Some(Node::All(children)) => children
                .iter()
                .fold(0, |acc, &c| acc | self.required_products(c)),
            _ => 0,
        }
    }

    #[cfg(feature = "authoring")]
    /// The permission leaves (indices into [`Conditions::permissions`])
    /// that `id` requires whatever else holds: those reachable through
    /// `all` only. An endpoint asked about a record checks each of them
    /// against it.
    pub fn required_permissions(&self, id: NodeId, out: &mut Vec<u16>) {
        match self.node(id) {
            Some(Node::Permission(p)) => out.push(*p),
            Some(Node::All(children)) => {
                for &c in children {
                    self.required_permissions(c, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The insertion sort orders exactly as the standard library's stable
    /// sort by rank, over many lists with repeated ranks.
    #[test]
    fn sort_by_rank_is_a_stable_sort_by_rank() {
        let conditions = Conditions {
            nodes: vec![
                Node::Not(0),
                Node::Preference(0),
                Node::Permission(0),
                Node::WorkspacesAtLeast(2),
                Node::Flag(0),
                Node::PlanAtLeast(0),
                Node::Product(0),
                Node::Product(1),
                Node::Setting(0),
                Node::All(vec![4, 6]),
            ],
            permissions: Vec::new(),
        };
        let mut seed = 0x2545_f491_u32;
        for len in 0..24 {
            for _ in 0..50 {
                let ids: Vec<NodeId> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        (seed >> 16) % 10
                    })
                    .collect();
                let mut ours = ids.clone();
                conditions.sort_by_rank(&mut ours);
                let mut std = ids.clone();
                std.sort_by_key(|&c| conditions.rank(c));
                assert_eq!(ours, std, "{ids:?}");
            }
        }
    }
}
