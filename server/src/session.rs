//! Demo sessions: a signed token naming a user, the workspace they are
//! signed in to and their platform. It travels as the `harmony_session`
//! cookie or as `Authorization: Bearer <token>`.
//!
//! This stands in for real authentication: anyone can ask for a session as
//! any member (`POST /api/session`). What it does show is that the server
//! never trusts the client's idea of who it is or what it may do: the token is
//! signed (HMAC-SHA-256 with a per-process or configured secret), and every
//! request rebuilds the member's context from the database.

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
}

/// Signs and verifies session tokens.
#[derive(Clone)]
pub struct Signer {
    keyed: Hmac<Sha256>,
}

impl Signer {
    /// A signer with this secret.
    pub fn new(key: &[u8]) -> Result<Signer, hmac::digest::InvalidLength> {
        Ok(Signer {
            keyed: Hmac::<Sha256>::new_from_slice(key)?,
        })
    }

    /// A signer with 32 random bytes: sessions end when the process does.
    pub fn random() -> Result<Signer, String> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| e.to_string())?;
        Signer::new(&key).map_err(|e| e.to_string())
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

    /// The session a token carries, if its signature holds.
    pub fn verify(&self, token: &str) -> Option<Session> {
        let (payload, tag) = token.split_once('.')?;
        let payload = unhex(payload)?;
        let tag = unhex(tag)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag).ok()?;
        serde_json::from_slice(&payload).ok()
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
    if text.len() % 2 != 0 || text.len() > 8192 {
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

    fn session() -> Session {
        Session {
            user: "u_ada".into(),
            workspace: "acme".into(),
            platform: Platform::Mac,
        }
    }

    #[test]
    fn a_signed_token_verifies_and_a_changed_one_does_not() {
        let signer = Signer::new(b"secret").unwrap();
        let token = signer.sign(&session());
        assert_eq!(signer.verify(&token), Some(session()));
        let (payload, tag) = token.split_once('.').unwrap();
        let forged = Session {
            user: "u_cy".into(),
            ..session()
        };
        let forged_payload = hex(&serde_json::to_vec(&forged).unwrap());
        assert_eq!(signer.verify(&format!("{forged_payload}.{tag}")), None);
        assert_eq!(signer.verify(&format!("{payload}.00{}", &tag[2..])), None);
        assert_eq!(Signer::new(b"other").unwrap().verify(&token), None);
        assert_eq!(signer.verify("zz.zz"), None);
        assert_eq!(signer.verify(""), None);
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
