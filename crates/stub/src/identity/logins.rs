//! A `Logins` entry checked as Cognito checks a user-pool ID token for an
//! identity pool: the token is a JWT whose `iss` is `https://` + the
//! entry's provider name; the provider (`cognito-idp.<region>.amazonaws.com/<user
//! pool id>`) is one of the pool's; the signature verifies with the user
//! pool's keys (either, as its JWKS lists both); the token has an `aud` (an
//! access token has none), is an ID token, is not expired, and its `aud` is
//! one of the provider's `ClientId`s. Each refusal is the message Cognito
//! sends (see `errors.rs`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::context::Identity;
use super::errors::{invalid_login, unsupported_provider};
use super::state::IdentityPool;
use crate::json::error::ApiResult;
use crate::tokens::{self, KeyUse, Unverified};

/// A login that checked out.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    /// The provider name (the `Logins` key).
    pub(crate) provider: String,
    /// The user's `sub`.
    pub(crate) sub: String,
    pub(crate) claims: Map<String, Value>,
}

/// The user pool a provider name names: `cognito-idp.<region>.amazonaws.com/<pool id>`.
fn user_pool_of(provider: &str) -> Option<(&str, &str)> {
    let rest = provider.strip_prefix("cognito-idp.")?;
    let (region, pool_id) = rest.split_once(".amazonaws.com/")?;
    (!region.is_empty() && !pool_id.is_empty()).then_some((region, pool_id))
}

impl Identity<'_> {
    /// Every entry of `logins`, checked against `pool`.
    pub(crate) fn verify_logins(
        &self,
        pool: &IdentityPool,
        logins: &BTreeMap<String, String>,
    ) -> ApiResult<Vec<Login>> {
        logins
            .iter()
            .map(|(provider, token)| self.verify_login(pool, provider, token))
            .collect()
    }

    fn verify_login(&self, pool: &IdentityPool, provider: &str, token: &str) -> ApiResult<Login> {
        let claims = tokens::peek_claims(token)
            .and_then(|c| c.as_object().cloned())
            .ok_or_else(|| invalid_login("Not a valid OpenId Connect identity token."))?;
        let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
        if iss != format!("https://{provider}") {
            return Err(invalid_login("Issuer doesn't match providerName"));
        }
        let clients = pool
            .spec
            .providers
            .iter()
            .find(|(user_pool, _)| {
                user_pool_of(provider).is_some_and(|(region, id)| {
                    id == user_pool
                        && self
                            .dir
                            .pools
                            .get(id)
                            .is_some_and(|p| p.spec.region == region)
                })
            })
            .map(|(_, clients)| clients)
            .ok_or_else(unsupported_provider)?;
        let (_, user_pool_id) = user_pool_of(provider).ok_or_else(unsupported_provider)?;
        let kids = &self.dir.pool(user_pool_id).kids;
        let verified = tokens::verify(token, KeyUse::Id, &kids[0])
            .or_else(|_| tokens::verify(token, KeyUse::Access, &kids[1]));
        match verified {
            Ok(_) => {}
            Err(Unverified::Malformed) => {
                return Err(invalid_login("Not a valid OpenId Connect identity token."));
            }
            Err(Unverified::Signature) => {
                return Err(invalid_login("Couldn't verify signed token."));
            }
        }
        let Some(aud) = claims.get("aud").and_then(Value::as_str) else {
            return Err(invalid_login("Missing a required claim: aud"));
        };
        if claims.get("token_use").and_then(Value::as_str) != Some("id") {
            // The stub's wording: Cognito's for a token_use other than `id`
            // with an `aud` is not documented (an access token has no `aud`).
            return Err(invalid_login("Not an ID token: token_use is not id"));
        }
        let now = self.dir.now();
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if now >= exp {
            // aws-amplify/amplify-js#14348 and others: "Invalid login token.
            // Token expired: 1667365798 >= 1667235770" (now >= exp).
            return Err(invalid_login(format!("Token expired: {now} >= {exp}")));
        }
        if !clients.iter().any(|c| c == aud) {
            return Err(unsupported_provider());
        }
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid_login("Missing a required claim: sub"))?
            .to_owned();
        Ok(Login {
            provider: provider.to_owned(),
            sub,
            claims,
        })
    }
}
