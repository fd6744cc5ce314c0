//! Sessions: a signed token naming a user, the workspace they are signed in
//! to, their platform, the session's id and when it expires. It travels as
//! the `harmony_session` cookie or as `Authorization: Bearer <token>`.
//!
//! A session is made by signing in (`POST /api/session`, with an identity
//! token from a trusted issuer, or as any member when the server runs with
//! `--demo-sign-in`). The token is signed (HMAC-SHA-256 with a configured
//! secret of at least 32 bytes, or a random one per process); it expires,
//! and signing out revokes its id in the database, so a copied token stops
//! working everywhere. Every request rebuilds the member's context from the
//! database: the token says who, never what they may do.

use harmony_policy::Platform;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The cookie's name.
pub const COOKIE: &str = "harmony_session";

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// User id.
    #[serde(rename = "u")]
    pub user: String,
    /// Slug of the workspace they are signed in to.
    #[serde(rename = "w")]
    pub workspace: String,
    /// Their platform (for palette shortcut labels).
    #[serde(rename = "p")]
    pub platform: Platform,
    /// The session's id (random), which signing out revokes.
    #[serde(rename = "i")]
    pub id: String,
    /// When it expires, in milliseconds since the Unix epoch.
    #[serde(rename = "e")]
    pub expires: i64,
}

/// The shortest session secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// A new random session id.
pub fn new_id() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(hex(&bytes))
}

/// Signs and verifies session tokens.
#[derive(Clone)]
pub struct Signer {
    keyed: Hmac<Sha256>,
}

impl Signer {
    /// A signer with this secret, which must be at least
    /// [`MIN_SECRET_BYTES`] long (a short one could be guessed offline from
    /// any token, and then tokens forged).
    pub fn new(key: &[u8]) -> Result<Signer, String> {
        if key.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the session secret is {} bytes; it must be at least {MIN_SECRET_BYTES}",
                key.len()
            ));
        }
        Ok(Signer {
            keyed: Hmac::<Sha256>::new_from_slice(key).map_err(|e| e.to_string())?,
        })
    }

    /// A signer with 32 random bytes: sessions end when the process does.
    pub fn random() -> Result<Signer, String> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| e.to_string())?;
        Signer::new(&key)
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.keyed.clone()
    }

    /// The token for a session: hex of its JSON, a dot, hex of the MAC.
    pub fn sign(&self, session: &Session) -> String {
        let payload = serde_json::to_vec(session).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&payload);
        format!("{}.{}", hex(&payload), hex(&mac.finalize().into_bytes()))
    }

    /// The session a token carries, if its signature holds and it has not
    /// expired at `now` (milliseconds since the epoch). Revocation is the
    /// database's to say.
    pub fn verify(&self, token: &str, now: i64) -> Option<Session> {
        let (payload, tag) = token.split_once('.')?;
        let payload = unhex(payload)?;
        let tag = unhex(tag)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag).ok()?;
        let session: Session = serde_json::from_slice(&payload).ok()?;
        (session.expires > now).then_some(session)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 8192 {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(digit(*hi)? << 4 | digit(*lo)?),
            _ => None,
        })
        .collect()
}

/// The token in a request's `Authorization: Bearer` header or its cookie.
pub fn token(headers: &axum::http::HeaderMap) -> Option<&str> {
    if let Some(bearer) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim());
    }
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a test secret of thirty-two bytes";

    fn session() -> Session {
        Session {
            user: "u_ada".into(),
            workspace: "acme".into(),
            platform: Platform::Mac,
            id: "s1".into(),
            expires: 2_000,
        }
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(Signer::new(b"").is_err());
        assert!(Signer::new(&KEY[..31]).is_err());
        assert!(Signer::new(&KEY[..32]).is_ok());
    }

    #[test]
    fn a_token_expires() {
        let signer = Signer::new(KEY).unwrap();
        let token = signer.sign(&session());
        assert_eq!(signer.verify(&token, 1_999), Some(session()));
        assert_eq!(signer.verify(&token, 2_000), None);
    }

    #[test]
    fn a_signed_token_verifies_and_a_changed_one_does_not() {
        let signer = Signer::new(KEY).unwrap();
        let token = signer.sign(&session());
        assert_eq!(signer.verify(&token, 0), Some(session()));
        let (payload, tag) = token.split_once('.').unwrap();
        let forged = Session {
            user: "u_cy".into(),
            ..session()
        };
        let forged_payload = hex(&serde_json::to_vec(&forged).unwrap());
        assert_eq!(signer.verify(&format!("{forged_payload}.{tag}"), 0), None);
        assert_eq!(
            signer.verify(&format!("{payload}.00{}", &tag[2..]), 0),
            None
        );
        let other = Signer::new(b"another secret of thirty-two bytes").unwrap();
        assert_eq!(other.verify(&token, 0), None);
        assert_eq!(signer.verify("zz.zz", 0), None);
        assert_eq!(signer.verify("", 0), None);
    }

    #[test]
    fn the_token_comes_from_the_bearer_header_or_the_cookie() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            "cookie",
            "a=1; harmony_session=abc.def; b=2".parse().unwrap(),
        );
        assert_eq!(token(&headers), Some("abc.def"));
        headers.insert("authorization", "Bearer xyz.123".parse().unwrap());
        assert_eq!(token(&headers), Some("xyz.123"));
    }
}
