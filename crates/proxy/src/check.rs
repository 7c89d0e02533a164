//! Verifying a token for one authorizer: core's [`Verifier`] (the code of
//! `cognito-token verify`: RS256 signature against the issuer's JWKS, `exp`
//! and `nbf` with no leeway, `iss`, `token_use`, and the audience check,
//! `aud` of an ID token or `client_id` of an access token one of the
//! authorizer's), with the accepted tokens remembered.
//!
//! The JWKS is fetched at start ([`Check::prefetch`]) and kept in memory by
//! the verifier (refetched after an hour, or on an unknown key id but not
//! within 10 s of a fetch). A token that passed is remembered (at most 4096,
//! forgotten all at once when full), so a repeated token costs a map lookup
//! and an `exp` comparison instead of an RSA verification; its `exp` is
//! checked again on every request. Which token use and scopes a route
//! accepts is `authorize.rs`'s business.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cognito_token_core::verify::{Verifier, VerifyError, VerifyOptions};

/// Verified claims.
pub(crate) type Claims = Arc<serde_json::Value>;

/// Why a token was not accepted.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Authentic but expired.
    Expired(VerifyError),
    /// Anything else wrong with the token (malformed, signature, issuer,
    /// audience, token use).
    Invalid(VerifyError),
    /// The keys could not be had (JWKS unreachable or broken).
    Unavailable(VerifyError),
}

/// Most verified tokens remembered.
const MEMO_MAX: usize = 4096;

/// One authorizer's verification.
#[derive(Debug)]
pub(crate) struct Check {
    verifier: Verifier,
    memo: Mutex<HashMap<String, (Claims, i64)>>,
}

impl Check {
    /// `opts` says whose tokens (issuer) and where the keys are; its client
    /// id, token use, leeway and cache directory are replaced: any
    /// `audience` entry, either token use, no leeway (API Gateway allows
    /// none), keys in memory only.
    pub(crate) fn new(mut opts: VerifyOptions, audience: &[String]) -> Check {
        opts.client_id = None;
        opts.token_use = None;
        opts.leeway_secs = 0;
        opts.cache_dir = None;
        Check {
            verifier: Verifier::new(opts).with_client_ids(audience.iter().cloned()),
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// The issuer tokens must have.
    pub(crate) fn issuer(&self) -> &str {
        self.verifier.issuer()
    }

    /// Where the keys come from.
    pub(crate) fn jwks_url(&self) -> &str {
        self.verifier.jwks_url()
    }

    /// Fetches the keys now; `Err` says why they cannot be had.
    pub(crate) async fn prefetch(&self) -> Result<(), VerifyError> {
        self.verifier.prefetch().await
    }

    /// Verifies `token` (without its `Bearer ` prefix) at `now`.
    pub(crate) async fn check(&self, token: &str, now: i64) -> Result<Claims, Refusal> {
        let remembered = self
            .memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(token)
            .cloned();
        if let Some((claims, exp)) = remembered {
            if exp <= now {
                return Err(Refusal::Expired(VerifyError::Expired { exp, now }));
            }
            return Ok(claims);
        }
        let claims = match self.verifier.verify_at(token, now).await {
            Ok(c) => c,
            Err(e @ VerifyError::Expired { .. }) => return Err(Refusal::Expired(e)),
            Err(e @ VerifyError::Jwks { .. }) => return Err(Refusal::Unavailable(e)),
            Err(e) => return Err(Refusal::Invalid(e)),
        };
        // The verifier checked `exp` is there and a number.
        let exp = claim_secs(&claims, "exp").unwrap_or(now);
        let claims = Arc::new(claims);
        let mut memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        if memo.len() >= MEMO_MAX {
            memo.clear();
        }
        memo.insert(token.to_owned(), (claims.clone(), exp));
        Ok(claims)
    }
}

/// A numeric claim (unix seconds): an integer, or a finite number truncated.
pub(crate) fn claim_secs(claims: &serde_json::Value, name: &str) -> Option<i64> {
    let v = claims.get(name)?;
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}
