//! Identity tokens: how a deployment tells the server who signs in. An
//! identity provider (an OpenID Connect provider, or the deployment's own
//! sign-in service) issues a JWT; the server checks its signature with a
//! configured key, its issuer and audience, and that it has not expired,
//! and takes the user from its `email` claim. Nothing else in the token is
//! trusted: what the user may do comes from the database and the policy.

use crate::Config;
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The claims read from an identity token.
#[derive(Deserialize)]
struct Claims {
    email: String,
}

/// Checks identity tokens.
pub struct Identity {
    key: DecodingKey,
    validation: Validation,
}

impl Identity {
    /// The checker the configuration asks for: `None` without a JWT key. A
    /// key needs an audience (a token made for another service must not sign
    /// in here); an issuer is checked when given.
    pub fn from_config(config: &Config) -> Result<Option<Identity>, String> {
        let (key, algorithm) = match (&config.jwt_secret, &config.jwt_public_key) {
            (None, None) => return Ok(None),
            (Some(_), Some(_)) => {
                return Err("give one of --jwt-secret and --jwt-public-key".into());
            }
            (Some(secret), None) => {
                if secret.len() < crate::session::MIN_SECRET_BYTES {
                    return Err(format!(
                        "the JWT secret must be at least {} bytes",
                        crate::session::MIN_SECRET_BYTES
                    ));
                }
                (
                    DecodingKey::from_secret(secret.as_bytes()),
                    Algorithm::HS256,
                )
            }
            (None, Some(path)) => {
                let pem = std::fs::read(path).map_err(|e| format!("`{}`: {e}", path.display()))?;
                if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
                    (key, Algorithm::RS256)
                } else {
                    let key = DecodingKey::from_ec_pem(&pem).map_err(|e| {
                        format!("`{}` holds no RSA or EC public key: {e}", path.display())
                    })?;
                    (key, Algorithm::ES256)
                }
            }
        };
        let audience = config
            .jwt_audience
            .as_deref()
            .ok_or("--jwt-audience is required with a JWT key")?;
        let mut validation = Validation::new(algorithm);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "aud"]);
        if let Some(issuer) = &config.jwt_issuer {
            validation.set_issuer(&[issuer]);
            validation.required_spec_claims.insert("iss".to_owned());
        }
        validation.leeway = 30;
        Ok(Some(Identity { key, validation }))
    }

    /// The email address an identity token vouches for, or why it is
    /// refused (lowercase, for the error's message).
    pub fn email(&self, token: &str) -> Result<String, String> {
        decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims.email)
            .map_err(|e| format!("the identity token is not accepted: {e}"))
    }
}
