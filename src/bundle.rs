//! Bundles: a compiled ruleset as versioned bytes, written natively and read
//! by every runtime with each bound checked.
//!
//! Layout (format 2), integers little-endian:
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | magic `HPBUNDLE` |
//! | 2 | format version (2) |
//! | 2 | reserved, zero |
//! | 4 | payload length |
//! | 32 | the ruleset's fingerprint (the SHA-256 of its canonical form) |
//! | payload | the library's version, then the compiled ruleset, in `postcard`'s encoding |
//! | 32 | SHA-256 of everything before it |
//!
//! The compiled form's layout is the library's own, so a bundle is read
//! only by the release of the library that wrote it (the payload starts
//! with its version): a server and the package it serves to must come
//! from one release, and a bundle from another is refused, never misread.
//!
//! The payload is the compiled form itself (the document and what
//! validation made of it: condition arena, grants, gates, link slots), so
//! reading a bundle needs neither the JSON reader nor the validator; the
//! lookup tables are rebuilt from it. Every index the payload holds is
//! checked against what it points into before the policy is used
//! ([`verify`]).
//!
//! Anything else (a short read, another magic or version, a length that
//! does not add up, a checksum that does not match, a payload that does not
//! decode or whose indices point nowhere) is `invalid_bundle`, never a
//! panic.

use crate::compiled::Compiled;
use crate::condition::{Node, NodeId};
use crate::error::RulesetError;
use sha2::{Digest, Sha256};

/// The first bytes of every bundle.
pub const BUNDLE_MAGIC: [u8; 8] = *b"HPBUNDLE";
/// The bundle format this library writes and reads.
pub const BUNDLE_FORMAT: u16 = 2;
/// The release of the library, which alone reads the bundles it writes.
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Bytes before the payload.
const HEADER: usize = 8 + 2 + 2 + 4 + 32;
/// Bytes after it.
const TRAILER: usize = 32;
/// Largest payload read: the compiled form of the largest ruleset accepted
/// is well under this.
const MAX_PAYLOAD: usize = 4 * crate::MAX_RULESET_BYTES;
/// Deepest chain of condition nodes a bundle may hold (a ruleset's
/// conditions nest at most `MAX_CONDITION_DEPTH` deep, and named
/// conditions may be used inside others).
const MAX_NODE_DEPTH: usize = 256;

fn invalid(reason: impl Into<String>) -> RulesetError {
    RulesetError::InvalidBundle {
        reason: reason.into(),
    }
}

/// The fingerprint's 32 bytes (`sha256:` and 64 hex digits).
#[cfg(feature = "authoring")]
fn fingerprint_bytes(fingerprint: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let hex = fingerprint
        .strip_prefix("sha256:")
        .unwrap_or_default()
        .as_bytes();
    for (i, slot) in out.iter_mut().enumerate() {
        let digit = |at: usize| {
            hex.get(at)
                .and_then(|c| char::from(*c).to_digit(16))
                .and_then(|d| u8::try_from(d).ok())
                .unwrap_or(0)
        };
        *slot = (digit(2 * i) << 4) | digit(2 * i + 1);
    }
    out
}

/// `sha256:` and the hex of `bytes`.
fn fingerprint_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in bytes {
        for nibble in [byte >> 4, byte & 15] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

/// The bundle of a compiled ruleset.
#[cfg(feature = "authoring")]
pub(crate) fn write(compiled: &Compiled) -> Vec<u8> {
    // Serializing into memory fails only for types that postcard cannot
    // write (none here: no maps with odd keys, no unsized sequences).
    let mut payload = postcard::to_allocvec(VERSION).unwrap_or_default();
    payload.extend(postcard::to_allocvec(compiled).unwrap_or_default());
    let mut out = Vec::with_capacity(HEADER + payload.len() + TRAILER);
    out.extend_from_slice(&BUNDLE_MAGIC);
    out.extend_from_slice(&BUNDLE_FORMAT.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(
        &u32::try_from(payload.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(&fingerprint_bytes(compiled.fingerprint()));
    out.extend_from_slice(&payload);
    let checksum = Sha256::digest(&out);
    out.extend_from_slice(&checksum);
    out
}

/// The compiled ruleset a bundle holds.
pub(crate) fn read(bytes: &[u8]) -> Result<Compiled, RulesetError> {
    let compiled = read_checked(bytes, true)?;
    compiled
        .bundle
        .get_or_init(|| std::borrow::Cow::Owned(bytes.to_vec()));
    Ok(compiled)
}

/// The policy of a bundle the module itself carries (a bundled ruleset):
/// its bytes are the module's, so the checksum is not computed again (the
/// hash is the slowest part of reading, and its code the largest a page
/// would otherwise compile at start). Every other check holds.
#[cfg(not(feature = "authoring"))]
pub(crate) fn read_embedded(bytes: &'static [u8]) -> Result<Compiled, RulesetError> {
    let compiled = read_checked(bytes, false)?;
    compiled
        .bundle
        .get_or_init(|| std::borrow::Cow::Borrowed(bytes));
    Ok(compiled)
}

fn read_checked(bytes: &[u8], checksum: bool) -> Result<Compiled, RulesetError> {
    if bytes.len() < HEADER + TRAILER {
        return Err(invalid(format!(
            "{} bytes is shorter than any bundle",
            bytes.len()
        )));
    }
    if bytes.get(..8) != Some(&BUNDLE_MAGIC[..]) {
        return Err(invalid("it does not start with `HPBUNDLE`"));
    }
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    };
    let format = u16_at(8);
    if format != BUNDLE_FORMAT {
        return Err(invalid(format!(
            "format {format}; this library reads format {BUNDLE_FORMAT}"
        )));
    }
    if u16_at(10) != 0 {
        return Err(invalid("reserved bytes are not zero"));
    }
    let length = bytes
        .get(12..16)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes);
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    if length > MAX_PAYLOAD || HEADER + length + TRAILER != bytes.len() {
        return Err(invalid(format!(
            "its header says {length} payload bytes, and {} bytes came",
            bytes.len().saturating_sub(HEADER + TRAILER)
        )));
    }
    let (body, sum) = bytes.split_at(HEADER + length);
    if checksum && Sha256::digest(body).as_slice() != sum {
        return Err(invalid(
            "its checksum does not match: the bytes were changed or cut",
        ));
    }
    let payload = body.get(HEADER..).unwrap_or_default();
    let mut reader = crate::wire::Reader::new(payload, crate::model::MAX_CONDITION_DEPTH);
    let version = reader.str();
    reader
        .check()
        .map_err(|e| invalid(format!("its payload does not decode: {e}")))?;
    if version != VERSION {
        return Err(invalid(format!(
            "it was written by version `{}` of the library; this is version {VERSION}",
            crate::error::clip(version)
        )));
    }
    let mut compiled: Compiled = reader
        .last()
        .map_err(|e| invalid(format!("its payload does not decode: {e}")))?;
    verify(&compiled).map_err(invalid)?;
    compiled.rebuild();
    let fingerprint = fingerprint_text(body.get(16..48).unwrap_or_default());
    compiled.fingerprint = std::sync::OnceLock::from(fingerprint);
    Ok(compiled)
}

/// Checks that every index a payload holds points into what it indexes, and
/// that every size is one the validator would have let through: what the
/// views then read is only what a compiled ruleset can hold.
fn verify(c: &Compiled) -> Result<(), String> {
    let doc = &c.doc;
    let parallel = [
        ("products", c.products.len(), doc.products.len()),
        ("roles", c.roles.len(), doc.roles.len()),
        ("routes", c.routes.len(), doc.routes.len()),
        ("palette", c.palette.len(), doc.palette.len()),
        ("features", c.features.len(), doc.features.len()),
        ("forms", c.forms.len(), doc.forms.len()),
        ("api", c.endpoints.len(), doc.api.len()),
        ("apiFields", c.api_fields.len(), doc.api_fields.len()),
        ("sync", c.sync.len(), doc.sync.len()),
    ];
    for (what, compiled, listed) in parallel {
        if compiled != listed {
            return Err(format!(
                "it compiles {compiled} {what} for {listed} in its ruleset"
            ));
        }
    }
    let names = [
        ("products", doc.products.len()),
        ("plans", doc.plans.len()),
        ("environments", doc.environments.len()),
        ("flags", doc.flags.len()),
        ("settings", doc.settings.len()),
        ("preferences", doc.preferences.len()),
    ];
    for (what, len) in names {
        if len > crate::compiled::MAX_NAMES {
            return Err(format!("it has {len} {what}"));
        }
    }
    if c.vocab.resources.len() * c.vocab.actions.len() > crate::permission::MAX_CELLS
        || c.vocab.resources != doc.permissions.resources
        || c.vocab.actions != doc.permissions.actions
    {
        return Err("its permission vocabulary does not match its ruleset".into());
    }
    let products = doc.products.len();
    if products < 64 && c.default_products >> products != 0 {
        return Err("its default products name products it does not have".into());
    }
    for (i, form) in c.forms.iter().enumerate() {
        if doc.forms.get(i).map(|f| f.fields.len()) != Some(form.fields.len()) {
            return Err(format!("its form {i} has fields its ruleset does not"));
        }
    }
    for (i, fields) in c.sync.iter().enumerate() {
        if doc.sync.get(i).map(|s| s.fields.len()) != Some(fields.len()) {
            return Err(format!(
                "its integration {i} has fields its ruleset does not"
            ));
        }
    }

    // Conditions: every child comes before its parent (so evaluation ends),
    // chains are bounded, and every leaf names something that exists.
    let conditions = &c.conditions;
    let mut depth = Vec::with_capacity(conditions.nodes.len());
    for (i, node) in conditions.nodes.iter().enumerate() {
        let child_depth = |id: &NodeId| -> Result<usize, String> {
            usize::try_from(*id)
                .ok()
                .filter(|&child| child < i)
                .and_then(|child| depth.get(child).copied())
                .ok_or_else(|| format!("its condition {i} points at {id}"))
        };
        let (own, within) = match node {
            Node::All(ids) | Node::Any(ids) => {
                let mut deepest = 0;
                for id in ids {
                    deepest = deepest.max(child_depth(id)?);
                }
                (deepest + 1, true)
            }
            Node::Not(id) => (child_depth(id)? + 1, true),
            Node::Product(x) => (1, usize::from(*x) < doc.products.len()),
            Node::Permission(x) => (1, usize::from(*x) < conditions.permissions.len()),
            Node::PlanAtLeast(x) => (1, usize::from(*x) < doc.plans.len()),
            Node::Flag(x) => (1, usize::from(*x) < doc.flags.len()),
            Node::Setting(x) => (1, usize::from(*x) < doc.settings.len()),
            Node::Preference(x) => (1, usize::from(*x) < doc.preferences.len()),
            Node::Environment(_) | Node::WorkspacesAtLeast(_) => (1, true),
        };
        if !within || own > MAX_NODE_DEPTH {
            return Err(format!(
                "its condition {i} names nothing or nests too deeply"
            ));
        }
        depth.push(own);
    }
    let nodes = conditions.nodes.len();
    let node = |id: &NodeId| usize::try_from(*id).is_ok_and(|id| id < nodes);
    let gate = |g: &Option<NodeId>| g.as_ref().is_none_or(node);
    let route = |r: &usize| *r < c.routes.len();

    let mut gates_hold = c.features.iter().all(node)
        && c.api_fields.iter().all(node)
        && c.sync.iter().flatten().all(node)
        && gate(&c.role_change)
        && c.roles.iter().all(|r| gate(&r.assign))
        && c.palette
            .iter()
            .all(|p| gate(&p.gate) && p.route.as_ref().is_none_or(route))
        && c.forms
            .iter()
            .all(|f| gate(&f.gate) && f.fields.iter().all(gate))
        && c.endpoints.iter().all(|e| {
            gate(&e.gate)
                && e.fields.iter().all(node)
                && e.record_permissions
                    .iter()
                    .all(|&p| usize::from(p) < conditions.permissions.len())
                && e.pattern.segs.len() <= crate::path::MAX_SEGMENTS
                && e.form.is_none_or(|f| f < c.forms.len())
        })
        && route(&c.home)
        && c.nav_routes.iter().all(route)
        && c.products.iter().all(|p| {
            p.fallback.as_ref().is_none_or(route)
                && p.paths
                    .iter()
                    .all(|x| x.segs.len() <= crate::path::MAX_SEGMENTS)
        });

    // Links: the slots add up to the buffer a view allocates.
    let (mut fixed, mut count) = (0usize, 0usize);
    for r in &c.routes {
        gates_hold &= gate(&r.gate) && r.pattern.segs.len() <= crate::path::MAX_SEGMENTS;
        if let Some(slot) = &r.href {
            gates_hold &= slot.fixed_start == fixed
                && slot.ordinal == count
                && slot.fixed_len == slot.before.len() + slot.after.len();
            fixed = fixed.saturating_add(slot.fixed_len);
            count += 1;
        }
    }
    if !gates_hold || fixed != c.href_fixed_total || count != c.href_count {
        return Err("it points at conditions, routes or links it does not have".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader (`crate::wire`) reads every value postcard wrote: what it
    /// reads writes back to the same bytes.
    #[test]
    fn a_bundle_reads_back_to_the_same_bytes() {
        for name in crate::BUILTIN_NAMES {
            let policy = crate::Policy::builtin(name).unwrap_or_else(|e| panic!("{e}"));
            let bytes = write(policy.compiled());
            let again = read(&bytes).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(again.fingerprint(), policy.fingerprint());
            assert_eq!(again.canonical(), policy.to_json());
            assert!(write(&again) == bytes, "{name} wrote back differently");
        }
    }

    #[test]
    fn a_bundle_of_another_release_is_refused_not_misread() {
        let good = write(
            crate::Policy::builtin("harmony")
                .unwrap_or_else(|e| panic!("{e}"))
                .compiled(),
        );
        let mut other = good
            .get(..good.len() - TRAILER)
            .unwrap_or_default()
            .to_vec();
        // The version follows its one-byte length at the payload's start.
        let at = HEADER + 1;
        let last = at + VERSION.len() - 1;
        if let Some(b) = other.get_mut(last) {
            *b = if *b == b'9' { b'8' } else { b'9' };
        }
        let checksum = Sha256::digest(&other);
        other.extend_from_slice(&checksum);
        let error = read(&other).err().unwrap_or_else(|| panic!("read"));
        assert_eq!(error.code(), "invalid_bundle");
        assert!(error.to_string().contains("version"), "{error}");
    }

    /// A payload that decodes but points somewhere it may not (as a bundle
    /// written on purpose could) is refused by the index checks.
    #[test]
    fn indices_that_point_nowhere_are_refused() {
        let good = crate::Policy::builtin("harmony")
            .unwrap_or_else(|e| panic!("{e}"))
            .to_bundle();
        let damaged = |change: &dyn Fn(&mut Compiled)| {
            let mut compiled = read(&good).unwrap_or_else(|e| panic!("{e}"));
            change(&mut compiled);
            read(&write(&compiled)).err().map(|e| e.code())
        };
        let refused = Some("invalid_bundle");
        assert_eq!(damaged(&|_| {}), None, "unchanged");
        let products = |c: &Compiled| c.doc.products.len();
        assert_eq!(
            damaged(&|c| c.default_products |= 1 << products(c)),
            refused
        );
        assert_eq!(damaged(&|c| c.home = c.routes.len()), refused);
        assert_eq!(damaged(&|c| c.nav_routes.push(c.routes.len())), refused);
        assert_eq!(
            damaged(&|c| {
                let past = u32::try_from(c.conditions.nodes.len()).unwrap_or(u32::MAX);
                if let Some(route) = c.routes.first_mut() {
                    route.gate = Some(past);
                }
            }),
            refused
        );
        assert_eq!(
            damaged(&|c| {
                // A node that names itself: evaluating it would never end.
                let last = c.conditions.nodes.len();
                c.conditions
                    .nodes
                    .push(Node::Not(u32::try_from(last).unwrap_or(0)));
            }),
            refused
        );
        assert_eq!(damaged(&|c| c.href_fixed_total += 1), refused);
        assert_eq!(
            damaged(&|c| {
                c.forms.pop();
            }),
            refused
        );
    }

    #[test]
    fn any_damage_is_invalid_bundle() {
        let good = write(
            crate::Policy::builtin("harmony")
                .unwrap_or_else(|e| panic!("{e}"))
                .compiled(),
        );
        let code = |bytes: &[u8]| read(bytes).err().map(|e| e.code());
        assert_eq!(code(&[]), Some("invalid_bundle"));
        assert_eq!(code(&good[..good.len() - 1]), Some("invalid_bundle"), "cut");
        for at in [0, 8, 10, 12, 20, HEADER + 5, good.len() - 1] {
            let mut bad = good.clone();
            if let Some(b) = bad.get_mut(at) {
                *b ^= 0x40;
            }
            assert_eq!(code(&bad), Some("invalid_bundle"), "byte {at} flipped");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(code(&longer), Some("invalid_bundle"), "trailing byte");
    }
}
