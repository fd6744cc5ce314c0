//! Bundles: a compiled ruleset as versioned bytes, written natively and read
//! by every runtime with each bound checked.
//!
//! Layout (format 1), integers little-endian:
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | magic `HPBUNDLE` |
//! | 2 | format version (1) |
//! | 2 | reserved, zero |
//! | 4 | payload length |
//! | 32 | the ruleset's fingerprint (the SHA-256 of its canonical form) |
//! | payload | format 1: the canonical form (UTF-8 JSON) |
//! | 32 | SHA-256 of everything before it |
//!
//! Anything else (a short read, another magic or version, a length that
//! does not add up, a checksum or fingerprint that does not match, a
//! payload that does not load) is `invalid_bundle`, never a panic.

use crate::error::RulesetError;
use crate::policy::Policy;
use sha2::{Digest, Sha256};

/// The first bytes of every bundle.
pub const BUNDLE_MAGIC: [u8; 8] = *b"HPBUNDLE";
/// The bundle format this library writes and reads.
pub const BUNDLE_FORMAT: u16 = 1;
/// Bytes before the payload.
const HEADER: usize = 8 + 2 + 2 + 4 + 32;
/// Bytes after it.
const TRAILER: usize = 32;

fn invalid(reason: impl Into<String>) -> RulesetError {
    RulesetError::InvalidBundle {
        reason: reason.into(),
    }
}

/// The fingerprint's 32 bytes (`sha256:` and 64 hex digits).
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

/// The bundle of `policy`.
pub(crate) fn write(policy: &Policy) -> Vec<u8> {
    let payload = policy.to_json().as_bytes();
    let mut out = Vec::with_capacity(HEADER + payload.len() + TRAILER);
    out.extend_from_slice(&BUNDLE_MAGIC);
    out.extend_from_slice(&BUNDLE_FORMAT.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(
        &u32::try_from(payload.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(&fingerprint_bytes(policy.fingerprint()));
    out.extend_from_slice(payload);
    let checksum = Sha256::digest(&out);
    out.extend_from_slice(&checksum);
    out
}

/// The policy a bundle holds.
pub(crate) fn read(bytes: &[u8]) -> Result<Policy, RulesetError> {
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
    if length > crate::MAX_RULESET_BYTES || HEADER + length + TRAILER != bytes.len() {
        return Err(invalid(format!(
            "its header says {length} payload bytes, and {} bytes came",
            bytes.len().saturating_sub(HEADER + TRAILER)
        )));
    }
    let (body, checksum) = bytes.split_at(HEADER + length);
    if Sha256::digest(body).as_slice() != checksum {
        return Err(invalid(
            "its checksum does not match: the bytes were changed or cut",
        ));
    }
    let payload = body.get(HEADER..).unwrap_or_default();
    let text = std::str::from_utf8(payload).map_err(|_| invalid("its payload is not UTF-8"))?;
    let policy =
        Policy::from_json(text).map_err(|e| invalid(format!("its ruleset does not load: {e}")))?;
    if fingerprint_bytes(policy.fingerprint()) != body.get(16..48).unwrap_or_default() {
        return Err(invalid(
            "its ruleset's fingerprint is not the one its header names",
        ));
    }
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_reads_back_with_the_same_fingerprint() {
        for name in crate::BUILTIN_NAMES {
            let policy = Policy::builtin(name).unwrap_or_else(|e| panic!("{e}"));
            let bytes = write(&policy);
            let again = read(&bytes).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(again.fingerprint(), policy.fingerprint());
        }
    }

    #[test]
    fn any_damage_is_invalid_bundle() {
        let good = write(&Policy::builtin("harmony").unwrap_or_else(|e| panic!("{e}")));
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
